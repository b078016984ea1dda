/**
 * Test helpers: assemble a program with our assembler, run it on a machine to the end, and
 * collect what it printed.
 */
import { assemble, formatDiagnostics } from '../../src/isa/index.ts';
import type { Program } from '../../src/isa/program.ts';
import { Machine, type MachineConfig } from '../../src/machine/machine.ts';
import type { ConsoleIO } from '../../src/machine/hostcalls.ts';
import type { Fault } from '../../src/fault/spec.ts';
import { parseFault } from '../../src/fault/spec.ts';

export function assembleOrThrow(source: string, file = 'test.s'): Program {
  const result = assemble(source, { file });
  if (!result.program) throw new Error(`test program does not assemble:\n${formatDiagnostics(result.diagnostics)}`);
  return result.program;
}

export interface Finished {
  machine: Machine;
  stdout: Uint8Array;
  /** stdout as text. */
  text: string;
}

export interface RunSetup extends MachineConfig {
  /** Faults, as objects or spec strings. */
  faults?: (Fault | string)[];
  /** Input bytes for the console (then end of input). */
  input?: string | Uint8Array;
  /** Stop after this many instructions if the program has not halted (default 10 M). */
  limit?: number;
}

/** Creates a machine for `program` with a capturing console; runs nothing yet. */
export async function machineFor(program: Program | string, setup: RunSetup = {}): Promise<{ machine: Machine; output: () => Uint8Array }> {
  const chunks: number[] = [];
  let input = typeof setup.input === 'string' ? new TextEncoder().encode(setup.input) : setup.input ?? new Uint8Array();
  const machine = await Machine.create({
    ...setup,
    console: {
      write: (_fd, bytes) => chunks.push(...bytes),
      read: (max) => {
        if (input.length === 0) return null;
        const taken = input.subarray(0, max);
        input = input.subarray(taken.length);
        return taken;
      },
    },
  });
  machine.load(typeof program === 'string' ? assembleOrThrow(program) : program);
  for (const f of setup.faults ?? []) machine.inject(typeof f === 'string' ? parseFault(f) : f);
  return { machine, output: () => Uint8Array.from(chunks) };
}

/** Runs `program` until it halts (or `limit` instructions). */
export async function runProgram(program: Program | string, setup: RunSetup = {}): Promise<Finished> {
  const { machine, output } = await machineFor(program, setup);
  const limit = setup.limit ?? 10_000_000;
  while (!machine.halt && machine.instret < limit) {
    const r = machine.run(limit - machine.instret);
    if (r.stop === 'input') break;
  }
  const stdout = output();
  return { machine, stdout, text: new TextDecoder().decode(stdout) };
}

/** One call of a scripted console's read(): when (the machine's instret), how many bytes were asked for, and the answer. */
export interface ConsoleRead {
  instret: number;
  max: number;
  answer: string | null;
}

export interface ScriptedConsole {
  io: ConsoleIO;
  /** Every read() so far. */
  reads: ConsoleRead[];
  /** What the guest wrote (fd 1 and 2), as text. */
  text(): string;
  /** The machine whose instret the reads record (set once it exists). */
  machine?: Machine;
}

/**
 * A console that answers read() with `answers` in order — a string's bytes (at most `max`
 * of them, the rest answering the next read), or '' for "nothing now, more may come" — and
 * then end of input (null), recording every call.
 */
export function scriptedConsole(answers: string[]): ScriptedConsole {
  const queue = [...answers];
  const out: number[] = [];
  const scripted: ScriptedConsole = {
    reads: [],
    text: () => new TextDecoder().decode(Uint8Array.from(out)),
    io: {
      write: (_fd, bytes) => out.push(...bytes),
      read: (max) => {
        let answer = queue.length > 0 ? queue.shift()! : null;
        if (answer !== null && answer.length > max) {
          queue.unshift(answer.slice(max));
          answer = answer.slice(0, max);
        }
        scripted.reads.push({ instret: scripted.machine?.instret ?? NaN, max, answer });
        return answer === null ? null : new TextEncoder().encode(answer);
      },
    },
  };
  return scripted;
}

export interface ScriptedRun {
  machine: Machine;
  program: Program;
  reads: ConsoleRead[];
  text(): string;
  /** Times run() returned 'input' (the console had nothing yet): the loop called it again. */
  inputStops: number;
}

/**
 * Runs `program` on a machine whose console blocks (as the CLI's stdin does, blockingInput)
 * and answers from `answers` (scriptedConsole), until it halts or has run `limit`
 * instructions. A stop for input is answered by running on; more than 100 of them fail.
 */
export async function runScripted(
  program: Program | string, answers: string[], setup: MachineConfig & { limit?: number } = {},
): Promise<ScriptedRun> {
  const { limit = 1_000_000, ...config } = setup;
  const scripted = scriptedConsole(answers);
  const machine = await Machine.create({ blockingInput: true, ...config, console: scripted.io });
  scripted.machine = machine;
  const loaded = typeof program === 'string' ? assembleOrThrow(program) : program;
  machine.load(loaded);
  let inputStops = 0;
  while (!machine.halt && machine.instret < limit) {
    if (machine.run(limit - machine.instret).stop !== 'input') continue;
    if (++inputStops > 100) throw new Error(`the machine keeps stopping for input (instruction ${machine.instret})`);
  }
  return { machine, program: loaded, reads: scripted.reads, text: scripted.text, inputStops };
}

/**
 * Counts the instructions machines execute (Machine.run's counts) from now until stop():
 * those of the machines `counted` accepts.
 */
export function countExecuted(counted: (machine: Machine) => boolean = () => true): { readonly executed: number; stop(): void } {
  const run = Machine.prototype.run;
  let executed = 0;
  Machine.prototype.run = function (this: Machine, budget: number) {
    const result = run.call(this, budget);
    if (counted(this)) executed += result.executed;
    return result;
  };
  return { get executed() { return executed; }, stop: () => { Machine.prototype.run = run; } };
}
