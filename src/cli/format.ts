/** Numbers as the CLI's tables and messages print them for people (en-US grouping: 1,234,567). */

/** A count: `1,234,567`. */
export const count = (n: number) => n.toLocaleString('en-US');

/** A time in µs, to 0.01 µs (one clock cycle): `1,234.5 µs`. */
export const us = (n: number) => `${n.toLocaleString('en-US', { maximumFractionDigits: 2 })} µs`;

/** A time in µs, rounded for a table column: `0`, `850 µs`, `1.5 ms` (0.1 ms from 1 ms up). */
export const roundedTime = (n: number) => (n === 0 ? '0' : n >= 1000 ? `${count(Math.round(n / 100) / 10)} ms` : `${count(n)} µs`);
