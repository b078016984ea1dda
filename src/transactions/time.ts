/**
 * Virtual time for transactions: µs on the machine's 100 MHz clock (DESIGN §3), so one µs
 * is 100 cycles and a cycle is 10 ns.
 */
import { CLOCK_HZ } from '../machine/resync.ts';
import { InputError } from '../input-error.ts';

export const CYCLES_PER_US = CLOCK_HZ / 1_000_000;

/** The longest run a workload may last: one virtual day. */
export const MAX_DURATION_US = 86_400e6;

const UNITS: Record<string, number> = { s: 1e6, ms: 1e3, us: 1, 'µs': 1 };

/**
 * A virtual duration such as `2s`, `500ms`, `250us` (or `250µs`), in µs. It must be
 * positive, at most a day, and a whole number of cycles (10 ns). Throws InputError naming
 * what is wrong.
 */
export function parseDuration(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(s|ms|us|µs)$/.exec(text.trim());
  if (!match) throw new InputError(`duration '${text}' is not a virtual time: write a number and a unit, e.g. 2s, 500ms or 250us`);
  const us = Number(match[1]) * UNITS[match[2]];
  if (!(us > 0)) throw new InputError(`duration '${text}' must be longer than 0`);
  if (us > MAX_DURATION_US) throw new InputError(`duration '${text}' is longer than a virtual day (86400s)`);
  const cycles = us * CYCLES_PER_US;
  if (Math.abs(cycles - Math.round(cycles)) > 1e-6) throw new InputError(`duration '${text}' is not a whole number of 10 ns clock cycles`);
  return Math.round(cycles) / CYCLES_PER_US;
}

/** µs → cycles, rounded to the nearest cycle. */
export function usToCycles(us: number): number {
  return Math.round(us * CYCLES_PER_US);
}

/** cycles → µs, exact to the 10 ns cycle (two decimals). */
export function cyclesToUs(cycles: number): number {
  return Math.round(cycles) / CYCLES_PER_US;
}
