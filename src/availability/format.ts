/** How the CLI and the page write availability figures for people (one place, so they agree). */

/** Downtime for people: minutes with two decimals (five nines: 5.26 min), seconds below 0.01 min. */
export function formatDowntime(minutes: number): string {
  if (minutes >= 0.01) return `${minutes.toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 })} min`;
  return `${(minutes * 60).toPrecision(3)} s`;
}

/** A in full up to three digits past its nines: 0.99996000 (4.4 nines), 0.999999999995617. */
export function formatAvailability(availability: number, unavailability: number): string {
  const digits = Math.min(15, Math.max(4, Math.ceil(-Math.log10(unavailability)) + 3));
  return availability.toFixed(digits);
}
