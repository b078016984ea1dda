/**
 * A scenario's `expect` checked against how a run ended: its console output byte for byte,
 * and its outcome (DESIGN §6) against the fault-free run. Lessons use it to tell the student
 * whether the machine did what the lesson says it does.
 */
import { firstDifference, type Outcome, type OutputDifference } from '../fault/classify.ts';
import type { Scenario } from './scenario.ts';

export type Expectation = NonNullable<Scenario['expect']>;

export interface ExpectationCheck {
  /** Present when the scenario expects an output: whether the run's output is exactly it, and where it first differs. */
  output?: { ok: boolean; difference?: OutputDifference };
  /** Present when the scenario expects an outcome; `actual` is undefined when the run had no fault applied (it has no outcome). */
  outcome?: { ok: boolean; expected: Outcome; actual?: Outcome };
}

/** Checks a finished run: `output` is its whole console output, `outcome` its verdict's outcome. */
export function checkExpectation(expect: Expectation, run: { output: Uint8Array; outcome?: Outcome }): ExpectationCheck {
  const check: ExpectationCheck = {};
  if (expect.output !== undefined) {
    const difference = firstDifference(new TextEncoder().encode(expect.output), run.output);
    check.output = { ok: difference === undefined, ...(difference ? { difference } : {}) };
  }
  if (expect.outcome !== undefined) {
    check.outcome = { ok: run.outcome === expect.outcome, expected: expect.outcome, ...(run.outcome ? { actual: run.outcome } : {}) };
  }
  return check;
}
