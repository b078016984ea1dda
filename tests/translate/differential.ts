/**
 * The differential harness of the translator's tests: the same program on two
 * machines of one configuration, the interpreter and another engine (`translate`, which
 * runs translated code wherever it can, unless the setup names `auto`), run in the same seeded chunks of
 * instructions; after every chunk the stop, the machine block and every module's hart block
 * (registers, pc, CSRs, counters, persistent-fault masks, the last retire record) must be
 * equal, and at the end every module's RAM and dirty-page map, the events, the halt and the
 * output too. The interpreter is the reference: the conformance vectors and the core's and
 * lockstep tests check it against QEMU, the spec and hand-derived expectations.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { expect } from 'vitest';
import type { Program } from '../../src/isa/program.ts';
import { loadProgram } from '../../src/isa/load.ts';
import type { Machine, RunResult } from '../../src/machine/machine.ts';
import type { Engine } from '../../src/machine/core.ts';
import type { TranslationStats } from '../../src/translate/translator.ts';
import { Random } from '../../src/fault/random.ts';
import { assembleOrThrow, machineFor, type RunSetup } from '../helpers/machine.ts';

/**
 * The machine block and every module's hart block; with `all`, the console rings, every
 * dirty-page map and all RAM too: views of the core's memory, valid until the machine runs on.
 */
export function machineState(machine: Machine, all: boolean): Uint8Array[] {
  const { core } = machine;
  const L = core.layout;
  const modules = machine.moduleCount;
  const parts = [core.slice(L.MACHINE, L.HARTS + modules * L.HART_SIZE - L.MACHINE)];
  if (all) {
    parts.push(core.slice(L.CONSOLE_IN, L.TXP_FIFO - L.CONSOLE_IN));
    for (let m = 0; m < modules; m++) parts.push(core.slice(L.DIRTY + m * L.DIRTY_MAP_SIZE, machine.ramSize >> L.PAGE_SHIFT));
    parts.push(core.slice(L.RAM_SLOTS, modules * machine.ramSize));
  }
  return parts;
}

/**
 * Offset of the first differing byte of two states (machineState's parts, one after the
 * other), or -1: a readable failure, not a megabyte diff. Equal parts are found equal natively
 * (this runs after every chunk).
 */
export function firstDifference(a: Uint8Array[], b: Uint8Array[]): number {
  let offset = 0;
  for (let p = 0; p < Math.max(a.length, b.length); p++) {
    const x = a[p] ?? new Uint8Array(0);
    const y = b[p] ?? new Uint8Array(0);
    if (x.length === y.length && Buffer.from(x.buffer, x.byteOffset, x.length).equals(y)) {
      offset += x.length;
      continue;
    }
    for (let k = 0; k < Math.min(x.length, y.length); k++) if (x[k] !== y[k]) return offset + k;
    return offset + Math.min(x.length, y.length);
  }
  return -1;
}

export interface Outcome {
  machine: Machine;
  output: Uint8Array;
  /** What the translator did (undefined on the interpreter). */
  translation?: TranslationStats;
}

export interface DifferentialSetup extends RunSetup {
  /** Seeds the chunk sizes. */
  seed?: number;
  /** Largest chunk, instructions (each is 1 .. maxChunk). */
  maxChunk?: number;
  /** Called on each machine once it is loaded, before it runs (to schedule replacements, say). */
  prepare?: (machine: Machine) => void;
  /** The engine compared with the interpreter (default translate). */
  engine?: Exclude<Engine, 'interp'>;
}

/**
 * Runs `program` on both engines as described above, until it halts or `limit` instructions
 * (default 2 M); returns both.
 */
export async function differential(program: Program | string, options: DifferentialSetup = {}): Promise<{ interp: Outcome; translate: Outcome }> {
  const { seed = 1, maxChunk = 5000, limit = 2_000_000, prepare, engine = 'translate', ...setup } = options;
  const a = await machineFor(program, { ...setup, engine: 'interp' });
  const b = await machineFor(program, { ...setup, engine });
  prepare?.(a.machine);
  prepare?.(b.machine);
  const rng = new Random(seed);
  let chunks = 0;
  while (!a.machine.halt && a.machine.instret < limit) {
    const budget = Math.min(1 + (rng.nextU32() % maxChunk), limit - a.machine.instret);
    const ra: RunResult = a.machine.run(budget);
    const rb: RunResult = b.machine.run(budget);
    expect(rb, `chunk ${chunks}`).toEqual(ra);
    expect(firstDifference(machineState(b.machine, false), machineState(a.machine, false)), `state after chunk ${chunks}, instret ${a.machine.instret}`).toBe(-1);
    if (ra.stop === 'input') break;
    chunks++;
  }
  expect(firstDifference(machineState(b.machine, true), machineState(a.machine, true)), 'final state').toBe(-1);
  expect(b.machine.halt).toEqual(a.machine.halt);
  expect(b.machine.events).toEqual(a.machine.events);
  expect(b.machine.moduleStatus()).toEqual(a.machine.moduleStatus());
  expect(Buffer.from(b.output())).toEqual(Buffer.from(a.output()));
  return {
    interp: { machine: a.machine, output: a.output() },
    translate: { machine: b.machine, output: b.output(), translation: b.machine.core.translation },
  };
}

/** A conformance vector (../shared/conformance: an RV32IM program with QEMU's output and exit code). */
export interface Vector { name: string; elf: string; expected_stdout_hex: string; expected_exit_code: number }

/** Every conformance vector, with its program loaded. */
export function conformanceVectors(): { vector: Vector; program: Program }[] {
  const conformance = new URL('../../../shared/conformance/', import.meta.url);
  return readdirSync(conformance).filter((f) => f.endsWith('.json')).sort().map((f) => {
    const vector = JSON.parse(readFileSync(new URL(f, conformance), 'utf8')) as Vector;
    return { vector, program: loadProgram(readFileSync(new URL(vector.elf, conformance)), vector.elf) };
  });
}

/** The example programs' file names (examples/*.s). */
export const EXAMPLES = readdirSync(new URL('../../examples/', import.meta.url)).filter((f) => f.endsWith('.s')).sort();

/** examples/`file`, assembled. */
export function example(file: string): Program {
  return assembleOrThrow(readFileSync(new URL(`../../examples/${file}`, import.meta.url), 'utf8'), file);
}
