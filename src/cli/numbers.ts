/** Parsing numbers people type on a command line. */
import { UsageError } from './errors.ts';

const SCALE: Record<string, number> = { '': 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6, g: 1e9, G: 1e9 };

/**
 * A non-negative integer count: `5000000`, `5_000_000`, `5M`, `2.5k`, `0x1000`. `what`
 * names the option in the error ("--max-instructions").
 */
export function parseCount(text: string, what: string): number {
  const clean = text.trim().replace(/_/g, '');
  let value = NaN;
  if (/^0x[0-9a-f]+$/i.test(clean)) value = Number.parseInt(clean, 16);
  else {
    const match = /^(\d+(?:\.\d+)?)([kKmMgG]?)$/.exec(clean);
    if (match) value = Number(match[1]) * SCALE[match[2]];
  }
  if (!Number.isSafeInteger(value) || value < 0) {
    throw new UsageError(`${what}: '${text}' is not a whole number (write e.g. 5000000, 5_000_000 or 5M)`);
  }
  return value;
}

/** A 32-bit address: `0x80000000` or decimal. */
export function parseAddress(text: string, what: string): number {
  const clean = text.trim().replace(/_/g, '');
  const value = /^0x[0-9a-f]{1,8}$/i.test(clean) ? Number.parseInt(clean, 16) : /^\d+$/.test(clean) ? Number(clean) : NaN;
  if (!Number.isInteger(value) || value > 0xFFFF_FFFF) {
    throw new UsageError(`${what}: '${text}' is not a 32-bit address (write e.g. 0x80000000)`);
  }
  return value;
}

/** One of `choices`. */
export function parseChoice<T extends string>(text: string, choices: readonly T[], what: string): T {
  if ((choices as readonly string[]).includes(text)) return text as T;
  throw new UsageError(`${what}: '${text}' is not one of ${choices.join(', ')}`);
}
