/**
 * Outcomes of a faulty run against the fault-free reference (DESIGN §6).
 */
import type { Halt, InactiveFault, MachineEvent } from '../machine/events.ts';
import { isDetection } from '../machine/events.ts';

export const OUTCOMES = ['masked', 'recovered', 'failstop', 'sdc', 'hang', 'crash', 'not-activated'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What classification needs of a run. */
export interface RunSummary {
  /** How the machine stopped; undefined if it was still running at its instruction limit. */
  halt?: Halt;
  /** Console output (stdout) of the run. */
  output: Uint8Array;
  events: readonly MachineEvent[];
  /** Faults of the run's plan that took no effect (Machine.notActivated()). */
  notActivated?: readonly InactiveFault[];
}

/** A faulty run taking more than this many times the reference's instructions has hung. */
export const HANG_FACTOR = 10;

/** Where two outputs first differ: a byte offset, and each output's byte there (absent past its end). */
export interface OutputDifference {
  offset: number;
  /** The faulty run's byte, or undefined when its output ends at `offset`. */
  actual?: number;
  /** The reference's byte, or undefined when the reference's output ends at `offset`. */
  expected?: number;
}

/** The first difference between `faulty` and `reference` output, or undefined when they are equal. */
export function firstDifference(reference: Uint8Array, faulty: Uint8Array): OutputDifference | undefined {
  const common = Math.min(reference.length, faulty.length);
  let offset = 0;
  while (offset < common && reference[offset] === faulty[offset]) offset++;
  if (offset === reference.length && offset === faulty.length) return undefined;
  return {
    offset,
    ...(offset < faulty.length ? { actual: faulty[offset] } : {}),
    ...(offset < reference.length ? { expected: reference[offset] } : {}),
  };
}

/**
 * Classifies `faulty` against `reference`, which must have exited. The faulty run must
 * have been given HANG_FACTOR × the reference's instructions at most.
 *
 * - failstop: the machine detected the error and stopped;
 * - crash: a fatal trap, the machine died, or the exit code differs;
 * - hang: it did not finish (or waits forever in wfi);
 * - sdc: it finished with the same exit code but different output, undetected;
 * - recovered: it detected the fault, isolated it (or its ECC corrected it) and produced the reference's output;
 * - not-activated: no fault took effect, and some were planned (scheduled after the program
 *   halted, or aimed only at modules that were offline or resyncing): nothing was tested;
 * - masked: a fault took effect, nothing was detected, and the output is the reference's.
 */
export function classify(reference: RunSummary, faulty: RunSummary): Outcome {
  if (reference.halt?.reason !== 'exit') throw new Error('the reference run must exit to classify against it');
  const halt = faulty.halt;
  if (halt === undefined || halt.reason === 'idle') return 'hang';
  if (halt.reason === 'failstop') return 'failstop';
  if (halt.reason === 'trap' || halt.reason === 'dead') return 'crash';
  if (halt.exitCode !== reference.halt.exitCode) return 'crash';
  const activated = faulty.events.some((e) => e.kind === 'inject');
  if (!activated && (faulty.notActivated?.length ?? 0) > 0) return 'not-activated';
  if (firstDifference(reference.output, faulty.output)) return 'sdc';
  return faulty.events.some(isDetection) ? 'recovered' : 'masked';
}
