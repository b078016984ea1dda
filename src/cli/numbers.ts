/** Parsing numbers people type on a command line. */
import { checkRate } from '../transactions/arrivals.ts';
import { asUsage, UsageError } from './errors.ts';

const SCALE: Record<string, number> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9 };

/**
 * A non-negative integer count: `5000000`, `5_000_000`, `5M`, `2.5k`, `0x1000`, at most
 * 2^53 − 1 (the largest integer a double holds exactly). `what` names the option in the
 * error ("--max-instructions").
 */
export function parseCount(text: string, what: string): number {
  const clean = text.trim().replace(/_/g, '');
  let value = NaN;
  if (/^0x[0-9a-f]+$/i.test(clean)) value = Number(BigInt(clean));
  else {
    const match = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(clean);
    if (match) value = Number(match[1]) * SCALE[match[2]];
  }
  if (value > Number.MAX_SAFE_INTEGER) {
    throw new UsageError(`${what}: '${text}' is too large (at most ${Number.MAX_SAFE_INTEGER.toLocaleString('en-US')})`);
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new UsageError(`${what}: '${text}' is not a whole number (write e.g. 5000000, 5_000_000 or 5M)`);
  }
  return value;
}

/** RAM per module in MiB: a plain whole number, 1..64. */
export function parseMiB(text: string, what: string): number {
  const clean = text.trim();
  if (/^\d+\s*(k|m|g|ki|mi|gi)?b?$/i.test(clean) && /[a-z]$/i.test(clean)) {
    throw new UsageError(`${what}: '${text}': the size is in MiB without a unit (write e.g. ${what} 16 for 16 MiB)`);
  }
  if (!/^\d+$/.test(clean)) throw new UsageError(`${what}: '${text}' is not a whole number of MiB (write e.g. ${what} 16 for 16 MiB)`);
  const value = Number(clean);
  if (value < 1 || value > 64) throw new UsageError(`${what}: ${clean} MiB is out of range: use 1..64`);
  return value;
}

/** A 32-bit address: `0x80000000` or decimal. */
export function parseAddress(text: string, what: string): number {
  const clean = text.trim().replace(/_/g, '');
  const value = /^0x[0-9a-f]+$/i.test(clean) || /^\d+$/.test(clean) ? Number(BigInt(clean)) : NaN;
  if (value > 0xFFFF_FFFF) throw new UsageError(`${what}: '${text}' is too large for a 32-bit address (at most 0xffffffff)`);
  if (!Number.isInteger(value)) throw new UsageError(`${what}: '${text}' is not a 32-bit address (write e.g. 0x80000000)`);
  return value;
}

/** One of `choices`. */
export function parseChoice<T extends string>(text: string, choices: readonly T[], what: string): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`${what}: '${text}' is not one of ${choices.join(', ')}`);
}

/** A decimal number (a RegExp source, case-insensitive): `2000`, `0.5`, `.5`, `1e-5`, `2.5E3`. */
export const DECIMAL = String.raw`(\d+(?:\.\d*)?(?:e[+-]?\d+)?|\.\d+(?:e[+-]?\d+)?)`;

/** `text` as a DECIMAL, `_` allowed between digits (`250_000`); NaN if it is not one. */
export function parseDecimal(text: string): number {
  const clean = text.trim().replace(/_/g, '');
  return new RegExp(`^${DECIMAL}$`, 'i').test(clean) ? Number(clean) : NaN;
}

/**
 * Transactions per virtual second (`--rate`): a positive parseDecimal, `2000`, `2_000`,
 * `0.5` or `1e4`, of at most one transaction per 10 ns clock cycle (MAX_RATE).
 */
export function parseArrivalRate(text: string, what: string): number {
  const rate = parseDecimal(text);
  if (!(rate > 0)) throw new UsageError(`${what}: '${text}' is not a positive number of transactions per virtual second`);
  asUsage(() => checkRate(rate), what);
  return rate;
}
