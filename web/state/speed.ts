/**
 * The speed dial: instructions per second on a 1-2-5 scale from 1 /s to 100 M/s, and a last
 * position for flat out (Infinity: the worker runs as fast as it can).
 */
const SCALE: number[] = [];
for (let decade = 1; decade <= 1e8; decade *= 10) {
  for (const k of [1, 2, 5]) if (k * decade <= 1e8) SCALE.push(k * decade);
}

/** Slider positions 0..MAX_POSITION; MAX_POSITION is flat out. */
export const MAX_POSITION = SCALE.length;

export function speedAt(position: number): number {
  const p = Math.round(position);
  return p >= MAX_POSITION ? Infinity : SCALE[Math.max(0, p)];
}

/** The position whose speed is nearest `ips` (on a log scale). */
export function positionOf(ips: number): number {
  if (!Number.isFinite(ips) || ips > SCALE[SCALE.length - 1]) return MAX_POSITION;
  let best = 0;
  for (let p = 1; p < SCALE.length; p++) {
    if (Math.abs(Math.log(SCALE[p] / ips)) < Math.abs(Math.log(SCALE[best] / ips))) best = p;
  }
  return best;
}

/** The dial's positions as the measured speed reads (web/state/format.ts rate()): "1 /s", "200 /s", "5 k/s", "100 M/s", "flat out". */
export function speedLabel(ips: number): string {
  if (!Number.isFinite(ips)) return 'flat out';
  if (ips >= 1e6) return `${ips / 1e6} M/s`;
  if (ips >= 1e3) return `${ips / 1e3} k/s`;
  return `${ips} /s`;
}

/** The same for a screen reader: "1 instruction per second", "5 thousand instructions per second". */
export function speedWords(ips: number): string {
  if (!Number.isFinite(ips)) return 'flat out';
  const [value, unit] = ips >= 1e6 ? [ips / 1e6, ' million'] : ips >= 1e3 ? [ips / 1e3, ' thousand'] : [ips, ''];
  return `${value}${unit} instruction${ips === 1 ? '' : 's'} per second`;
}
