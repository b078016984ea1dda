/**
 * Bad input against bugs at the top of the CLI (errors.ts reportError, which main() calls
 * with whatever a command throws): every input error of the library (InputError and its
 * subclasses) and of the CLI (UsageError) is one line with status 2; anything else — a
 * RangeError that is not an InputError included — is an internal error: status 70, a line
 * that says it is a bug, and no stack trace unless LOCKSTEP_DEBUG is set. A machine whose
 * memory the JavaScript engine will not allocate is neither: status 71, one line.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DiagnosticsError, EXIT_INTERNAL, EXIT_NO_MEMORY, EXIT_USAGE, reportError, UsageError } from '../../src/cli/errors.ts';
import { parseCount } from '../../src/cli/numbers.ts';
import { readProgram } from '../../src/cli/run.ts';
import { runWorkloadCommand } from '../../src/cli/workload-run.ts';
import { CampaignError } from '../../src/campaign/engine.ts';
import { parseResults, ResultsError } from '../../src/campaign/results.ts';
import { SpaceError } from '../../src/campaign/space.ts';
import { wilson } from '../../src/campaign/stats.ts';
import { parseWatch, WatchError } from '../../src/debug/watch.ts';
import { FaultSpecError, parseFault } from '../../src/fault/spec.ts';
import { InputError } from '../../src/input-error.ts';
import { loadProgram } from '../../src/isa/load.ts';
import { ProgramError } from '../../src/isa/program.ts';
import { checkMachineConfig } from '../../src/machine/config.ts';
import { parseTrace, TraceError } from '../../src/transactions/arrivals.ts';
import type { Workload } from '../../src/transactions/workloads/workload.ts';
import { ECHO_POLLING, echoWorkload } from '../helpers/echo-workload.ts';
import { BIN, lines, tempDir } from './lockstep.ts';

// reportError writes to fd 2 with writeSync (so does io.ts): capture it, pass other writes on.
const captured = vi.hoisted(() => ({ stderr: '' }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof import('node:fs')>();
  const writeSync = ((fd: number, data: string | NodeJS.ArrayBufferView, ...rest: never[]) => {
    if (fd !== 2) return (fs.writeSync as (...args: unknown[]) => number)(fd, data, ...rest);
    const text = typeof data === 'string' ? data : new TextDecoder().decode(data as Uint8Array);
    captured.stderr += text;
    return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }) as typeof fs.writeSync;
  return { ...fs, default: { ...fs, writeSync }, writeSync };
});

afterEach(() => {
  captured.stderr = '';
  vi.unstubAllEnvs();
});

/** What `f` throws (it must throw). */
async function thrown(f: () => unknown): Promise<unknown> {
  try {
    await f();
  } catch (error) {
    return error;
  }
  throw new Error('nothing was thrown');
}

/** The status reportError returns for `error`, and the lines it printed. */
function report(error: unknown): { status: number; printed: string[] } {
  captured.stderr = '';
  const status = reportError(error);
  return { status, printed: lines(captured.stderr) };
}

const dir = tempDir();

describe('input errors: status 2, their message on one line', () => {
  // [kind, how the library or the CLI comes to throw it].
  const cases: [string, new (...args: never[]) => Error, () => unknown][] = [
    ['InputError (a machine setting)', InputError, () => checkMachineConfig({ ramMiB: 65 })],
    ['FaultSpecError', FaultSpecError, () => parseFault('at=1,module=0,kind=zap')],
    ['ProgramError', ProgramError, () => loadProgram(new Uint8Array([1, 2, 3]), 'x.elf')],
    ['TraceError', TraceError, () => parseTrace('zero,1\n', 'arrivals.csv', 1000)],
    ['ResultsError', ResultsError, () => parseResults('not json\n', 'results.jsonl')],
    ['WatchError', WatchError, () => parseWatch('x0')],
    ['SpaceError', SpaceError, () => { throw new SpaceError("--targets: unknown target 'x99'"); }],
    ['CampaignError', CampaignError, () => { throw new CampaignError('the fault-free run does not exit'); }],
    ['UsageError (an option)', UsageError, () => parseCount('12x', '--max-instructions')],
  ];

  it.each(cases)('%s', async (_kind, type, f) => {
    const error = await thrown(f);
    expect(error).toBeInstanceOf(type);
    const { status, printed } = report(error);
    expect(status).toBe(EXIT_USAGE);
    expect(printed).toEqual([`lockstep: ${(error as Error).message}`]);
  });

  it('DiagnosticsError (assembly errors): status 2, printed as the assembler wrote it', async () => {
    const source = join(dir, 'bad.s');
    writeFileSync(source, '  .globl _start\n_start:\n  addi x1, x2\n');
    const error = await thrown(() => readProgram(source));
    expect(error).toBeInstanceOf(DiagnosticsError);
    const { status, printed } = report(error);
    expect(status).toBe(EXIT_USAGE);
    expect(printed[0]).toMatch(/^\S*bad\.s:3:\d+: error: /);
    expect(printed.join('\n')).toBe((error as Error).message);
  });
});

describe('internal errors: status 70, the message and that it is a bug, no stack trace', () => {
  // [what, how a bug comes to throw it]: none of them is bad input.
  const cases: [string, () => unknown][] = [
    ["a RangeError of the JavaScript engine (toFixed's digits)", () => (1).toFixed(-1)],
    ['a RangeError of an invariant of ours (more successes than trials)', () => wilson(3, 2)],
    ['a plain Error', () => { throw new Error('ledger identity broken'); }],
    ['a TypeError', () => (undefined as unknown as { length: number }).length],
  ];

  it.each(cases)('%s', async (_what, f) => {
    const error = await thrown(f);
    expect(error).not.toBeInstanceOf(InputError);
    const { status, printed } = report(error);
    expect(status).toBe(EXIT_INTERNAL);
    expect(printed).toEqual([
      `lockstep: internal error: ${(error as Error).message}`,
      'lockstep: this is a bug in lockstep; run with LOCKSTEP_DEBUG=1 for details and report it',
    ]);
  });

  it('with LOCKSTEP_DEBUG set, the stack follows the message', async () => {
    vi.stubEnv('LOCKSTEP_DEBUG', '1');
    const error = await thrown(() => wilson(3, 2));
    const { status, printed } = report(error);
    expect(status).toBe(EXIT_INTERNAL);
    expect(printed[0]).toBe(`lockstep: internal error: ${(error as Error).message}`);
    expect(printed[1]).toBe(`RangeError: ${(error as Error).message}`);
    expect(printed.slice(2).every((line) => /^\s+at /.test(line))).toBe(true);
    expect(printed.length).toBeGreaterThan(2);
  });

  it('a RangeError thrown inside a command (a workload whose reference model has a bug) is internal', async () => {
    // The registry is the seam: `lockstep run --workload` with this workload in it. The model
    // formats with toFixed(-1), which the engine refuses with a RangeError, at the first
    // transaction the guest consumes.
    const broken: Workload = {
      ...echoWorkload,
      createModel: () => ({ apply: (p) => [Number((p[0] / 2).toFixed(-1)), 0, 0, 0] }),
    };
    const program = join(dir, 'echo.s');
    writeFileSync(program, ECHO_POLLING);
    const error = await thrown(() => runWorkloadCommand(program, { workload: 'echo', inject: [], replace: [], duration: '10ms', rate: '20000' }, new Map([['echo', broken]])));
    expect(error).toBeInstanceOf(RangeError);
    const { status, printed } = report(error);
    expect(status).toBe(EXIT_INTERNAL);
    expect(printed.at(-2)).toMatch(/^lockstep: internal error: toFixed\(\) digits argument must be between 0 and 100$/);
    expect(printed.at(-1)).toMatch(/this is a bug in lockstep/);
    expect(printed.some((line) => /^\s+at /.test(line))).toBe(false);
  });
});

describe('a machine the JavaScript engine will not give its memory: status 71, one line, no bug report', () => {
  // V8's cap on a WebAssembly memory, in 64 KiB pages: 1,500 (about 94 MiB) holds one
  // module of 1 MiB but not three of 64 MiB (192 MiB of RAM alone).
  const capped = (args: string[]) => spawnSync(process.execPath, ['--wasm-max-mem-pages=1500', BIN, ...args], { encoding: 'utf8', env: { ...process.env, LOCKSTEP_DEBUG: '' } });

  it('three modules of 64 MiB: out of memory, saying what could not be allocated and what to try', () => {
    const program = join(dir, 'exit0.s');
    writeFileSync(program, '_start: li a7, 93\n li a0, 0\n ecall\n');
    expect(capped(['run', '--topology', 'simplex', '--ram', '1', program]).status).toBe(0);
    const refused = capped(['run', '--topology', 'tmr', '--ram', '64', program]);
    expect(refused.status).toBe(EXIT_NO_MEMORY);
    expect(lines(refused.stderr)).toEqual([
      'lockstep: out of memory: the JavaScript engine would not allocate the memory of 3 modules of 64 MiB RAM: give the machine less RAM, or run fewer machines at once',
    ]);
  });
});
