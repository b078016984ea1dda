/**
 * Test helpers: assemble a program with our assembler, run it on a machine to the end, and
 * collect what it printed.
 */
import { assemble, formatDiagnostics } from '../../src/isa/index.ts';
import type { Program } from '../../src/isa/program.ts';
import { Machine, type MachineConfig } from '../../src/machine/machine.ts';
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
