/** Number formats the page uses everywhere (one place, so tests and components agree). */

/** `0x0000_0040` style is for people reading; the page shows `0x00000040` like the CLI. */
export const hex32 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** Instruction counts with thousands separators: 1,204,331. */
export const count = (n: number): string => Math.round(n).toLocaleString('en-US');

/** Instructions per second as people say it: "950 /s", "12.3 k/s", "148 M/s". */
export function rate(ips: number): string {
  if (!Number.isFinite(ips)) return 'flat out';
  if (ips < 1000) return `${Math.round(ips)} /s`;
  const [value, unit] = ips < 1e6 ? [ips / 1e3, 'k'] : ips < 1e9 ? [ips / 1e6, 'M'] : [ips / 1e9, 'G'];
  return `${value < 100 ? value.toFixed(1) : Math.round(value)} ${unit}/s`;
}

/** 32 binary digits, most significant first, in groups of four. */
export function binary32(v: number): string[] {
  const bits = (v >>> 0).toString(2).padStart(32, '0');
  return Array.from({ length: 8 }, (_, k) => bits.slice(4 * k, 4 * k + 4));
}

/** Parses a number as people type it: decimal, 0x hex, with _ or , separators. NaN when not one. */
export function parseNumber(text: string): number {
  const clean = text.trim().replace(/[_,\s]/g, '');
  if (/^0x[0-9a-f]+$/i.test(clean)) return Number.parseInt(clean.slice(2), 16);
  if (/^\d+$/.test(clean)) return Number(clean);
  return Number.NaN;
}

/**
 * A RAM word's four bytes as text, in address order (the machine is little-endian: the low
 * byte first); a byte outside printable ASCII (0x20..0x7E) shows as a middle dot.
 */
export function asciiOf(word: number): string {
  let text = '';
  for (let k = 0; k < 4; k++) {
    const byte = (word >>> (8 * k)) & 0xFF;
    text += byte >= 0x20 && byte <= 0x7E ? String.fromCharCode(byte) : '·';
  }
  return text;
}
