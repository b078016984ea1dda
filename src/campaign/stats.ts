/**
 * The statistics of a fault-injection campaign (DESIGN §8): confidence intervals for the
 * share of each outcome, the number of runs a margin needs, the coverage a campaign with no
 * escape proves, and detection-latency percentiles. Proportions are fractions in [0, 1];
 * confidences are fractions too (0.95 for 95 %).
 */

/**
 * The standard normal quantile Φ⁻¹(p), 0 < p < 1, by P. J. Acklam's rational approximation
 * (relative error below 1.15e-9: 1.9599639845 for p = 0.975).
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`normalQuantile(${p}): p must lie strictly between 0 and 1`);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.383577518672690e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  } else if (p <= 1 - low) {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  } else {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  return x;
}

/** The two-sided critical value for `confidence`: z with P(|Z| ≤ z) = confidence (1.96 for 0.95). */
export function criticalValue(confidence: number): number {
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence ${confidence} must lie strictly between 0 and 1`);
  return normalQuantile(1 - (1 - confidence) / 2);
}

/**
 * Wilson's score interval for `k` successes in `n` trials at `confidence` (Wilson, JASA 22,
 * 1927; Newcombe, Statistics in Medicine 17, 1998, method 3): unlike p ± z·√(p(1−p)/n) it
 * stays inside [0, 1] and is honest at 0 and n successes.
 */
export function wilson(k: number, n: number, confidence = 0.95): [number, number] {
  if (!(Number.isInteger(k) && Number.isInteger(n) && n > 0 && k >= 0 && k <= n)) throw new RangeError(`wilson(${k}, ${n}): need 0 ≤ k ≤ n and n ≥ 1`);
  const z = criticalValue(confidence);
  const p = k / n;
  const z2 = z * z;
  const centre = (p + z2 / (2 * n)) / (1 + z2 / n);
  const half = (z / (1 + z2 / n)) * Math.sqrt((p * (1 - p)) / n + z2 / (4 * n * n));
  return [k === 0 ? 0 : Math.max(0, centre - half), k === n ? 1 : Math.min(1, centre + half)];
}

/**
 * Runs needed to estimate a proportion within ± `margin` at `confidence`, drawing without
 * replacement from a fault space of `spaceSize` faults (Leveugle et al., DATE 2009):
 * n = N / (1 + e²(N−1) / (t² p(1−p))), rounded up; p = 0.5 is the worst case.
 */
export function leveugleSampleSize(spaceSize: number, margin: number, confidence: number, p = 0.5): number {
  if (!(spaceSize >= 1)) throw new RangeError(`fault space size ${spaceSize} must be at least 1`);
  if (!(margin > 0 && margin < 1)) throw new RangeError(`margin ${margin} must lie strictly between 0 and 1`);
  const t = criticalValue(confidence);
  const n = spaceSize / (1 + (margin * margin * (spaceSize - 1)) / (t * t * p * (1 - p)));
  return Math.min(spaceSize, Math.ceil(n - 1e-9));
}

/**
 * The margin `runs` runs achieve over a fault space of `spaceSize` faults at `confidence`:
 * Leveugle's formula solved for e, e = t·√(p(1−p)(N−n) / (n(N−1))), with p = 0.5 by default
 * (the widest). 0 when the runs cover the space.
 */
export function achievedMargin(spaceSize: number, runs: number, confidence: number, p = 0.5): number {
  if (spaceSize <= 1 || runs >= spaceSize) return 0;
  const t = criticalValue(confidence);
  return t * Math.sqrt((p * (1 - p) * (spaceSize - runs)) / (runs * (spaceSize - 1)));
}

/**
 * Runs without an escape (sdc) needed to claim coverage ≥ `coverage` at `confidence`: the
 * smallest n with coverage^n ≤ 1 − confidence, n = ⌈ln(1 − γ) / ln c⌉ (299 for 99 % at 95 %).
 */
export function zeroEscapeRuns(coverage: number, confidence: number): number {
  if (!(coverage > 0 && coverage < 1)) throw new RangeError(`coverage ${coverage} must lie strictly between 0 and 1`);
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence ${confidence} must lie strictly between 0 and 1`);
  return Math.ceil(Math.log(1 - confidence) / Math.log(coverage) - 1e-9);
}

/**
 * The coverage that `runs` activated faults with no escape prove at `confidence`: the c with
 * c^n = 1 − γ, c = (1 − γ)^(1/n) (the one-sided exact binomial bound for 0 failures).
 */
export function zeroEscapeCoverage(runs: number, confidence: number): number {
  if (!(Number.isInteger(runs) && runs >= 1)) throw new RangeError(`runs ${runs} must be a whole number, at least 1`);
  return (1 - confidence) ** (1 / runs);
}

/** The middle value of `values` (not empty) in ascending order; of an even count, the upper of the two middle ones. */
export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  return [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
}

/**
 * The nearest-rank percentile of `sorted` (ascending, not empty): the smallest value with at
 * least `percent` % of the values at or below it, i.e. sorted[⌈percent/100 · n⌉ − 1].
 */
export function percentile(sorted: readonly number[], percent: number): number {
  if (sorted.length === 0) throw new Error('percentile of no values');
  if (!(percent > 0 && percent <= 100)) throw new RangeError(`percentile ${percent} must lie in (0, 100]`);
  const rank = Math.ceil((percent / 100) * sorted.length - 1e-9);
  return sorted[Math.max(1, rank) - 1];
}
