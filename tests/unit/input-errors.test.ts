/**
 * Input errors against bugs: the library refuses input with an InputError (a RangeError) or
 * one of its subclasses, which the CLI reports as bad input (one line, status 2) and asUsage
 * turns into a UsageError naming the option; a broken invariant of ours is a plain Error or
 * a RangeError that is no InputError, which the CLI reports as an internal error.
 */
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/input-error.ts';
import { FaultSpecError, parseFault } from '../../src/fault/spec.ts';
import { ProgramError } from '../../src/isa/program.ts';
import { loadProgram } from '../../src/isa/load.ts';
import { parseTrace, TraceError } from '../../src/transactions/arrivals.ts';
import { Machine } from '../../src/machine/machine.ts';
import { sendCheckpoint } from '../../src/machine/context.ts';
import { asUsage, isUserError, UsageError } from '../../src/cli/errors.ts';
import { wilson } from '../../src/campaign/stats.ts';

const thrown = (f: () => unknown): unknown => {
  try {
    f();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
};

describe('the library\'s input errors', () => {
  it.each([
    ['a fault spec', () => parseFault('at=1,module=0,kind=zap'), FaultSpecError],
    ['a program file', () => loadProgram(new Uint8Array([1, 2, 3]), 'x.elf'), ProgramError],
    ['a trace file', () => parseTrace('zero,1\n', 'arrivals.csv', 1000), TraceError],
  ] as const)('%s is an InputError, a RangeError, and bad input to the CLI', (_what, f, kind) => {
    const error = thrown(f);
    expect(error).toBeInstanceOf(kind);
    expect(error).toBeInstanceOf(InputError);
    expect(error).toBeInstanceOf(RangeError);
    expect(isUserError(error)).toBe(true);
  });

  it('a broken invariant is no input error: a copy outside RAM, which callers check first', async () => {
    const [from, to] = await Promise.all([Machine.create(), Machine.create()]);
    const error = thrown(() => sendCheckpoint(from, to, [[0x8010_0000, 4]])); // just past 1 MiB of RAM
    expect(error).toBeInstanceOf(RangeError);
    expect(error).not.toBeInstanceOf(InputError);
    expect(isUserError(error)).toBe(false);
  });

  it('a RangeError that is no InputError is a bug: an argument the caller checks first', () => {
    const error = thrown(() => wilson(3, 2)); // more successes than trials
    expect(error).toBeInstanceOf(RangeError);
    expect(error).not.toBeInstanceOf(InputError);
    expect(isUserError(error)).toBe(false);
  });
});

describe('asUsage', () => {
  it('turns an input error into a UsageError naming the option', () => {
    const error = thrown(() => asUsage(() => parseFault('at=1,module=0,kind=zap'), '--inject'));
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^--inject: fault 'at=1,module=0,kind=zap': unknown kind 'zap'/);
  });

  it('keeps the message as it is without an option, and passes a value through', () => {
    expect((thrown(() => asUsage(() => { throw new InputError('too big'); })) as Error).message).toBe('too big');
    expect(asUsage(() => 42, '--n')).toBe(42);
  });

  it('turns a rejected promise the same way, and leaves other errors alone', async () => {
    await expect(asUsage(() => Promise.reject(new InputError('late')), '--x')).rejects.toThrow(new UsageError('--x: late'));
    await expect(asUsage(() => Promise.resolve(7))).resolves.toBe(7);
    for (const bug of [new Error('a bug'), new RangeError('an invariant')]) {
      expect(thrown(() => asUsage(() => { throw bug; }, '--x'))).toBe(bug);
      await expect(asUsage(() => Promise.reject(bug), '--x')).rejects.toBe(bug);
    }
  });
});
