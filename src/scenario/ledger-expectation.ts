/**
 * `expect.ledger` of a scenario: what a lesson says the transaction ledger must
 * show at the end of the run, field by field, and the check of a ledger against it.
 */
import type { Ledger } from '../transactions/ledger.ts';

/** The ledger fields a scenario may expect: the counts and the downtime (latency depends on too much to pin). */
export const LEDGER_EXPECTATION_FIELDS = [
  'arrived', 'dropped', 'correct', 'wrong', 'lost', 'rolled_back', 'duplicated', 'queued', 'deadline_misses', 'downtime_us',
] as const;
export type LedgerExpectationField = typeof LEDGER_EXPECTATION_FIELDS[number];

/** Exactly a value, or a range with either bound optional (inclusive). */
export type LedgerBound = number | { min?: number; max?: number };
export type LedgerExpectation = Partial<Record<LedgerExpectationField, LedgerBound>>;

export interface LedgerCheck {
  field: LedgerExpectationField;
  /** The expectation as people read it: `= 0`, `≥ 1`, `10 to 20`. */
  expected: string;
  actual: number;
  met: boolean;
}

function boundText(bound: LedgerBound): string {
  if (typeof bound === 'number') return `= ${bound}`;
  if (bound.min !== undefined && bound.max !== undefined) return `${bound.min} to ${bound.max}`;
  return bound.min !== undefined ? `≥ ${bound.min}` : `≤ ${bound.max}`;
}

function within(value: number, bound: LedgerBound): boolean {
  if (typeof bound === 'number') return value === bound;
  return (bound.min === undefined || value >= bound.min) && (bound.max === undefined || value <= bound.max);
}

/** Each expected field of `expectation` against `ledger`, in LEDGER_EXPECTATION_FIELDS order. */
export function checkLedger(expectation: LedgerExpectation, ledger: Ledger): LedgerCheck[] {
  return LEDGER_EXPECTATION_FIELDS.flatMap((field) => {
    const bound = expectation[field];
    if (bound === undefined) return [];
    return [{ field, expected: boundText(bound), actual: ledger[field], met: within(ledger[field], bound) }];
  });
}
