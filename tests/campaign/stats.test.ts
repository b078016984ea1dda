/**
 * Campaign statistics against values computed by hand or published: Wilson intervals from
 * Newcombe (Statistics in Medicine 17, 1998, Table II, method 3), Leveugle's sample size
 * (DATE 2009) and the zero-escape bound worked through below, nearest-rank percentiles.
 */
import { describe, expect, it } from 'vitest';
import {
  achievedMargin, criticalValue, leveugleSampleSize, median, normalQuantile, percentile, wilson, zeroEscapeCoverage, zeroEscapeRuns,
} from '../../src/campaign/stats.ts';

describe('normal quantiles', () => {
  it.each([
    [0.975, 1.959963984540054], // the two-sided 95 % value
    [0.995, 2.5758293035489004], // 99 %
    [0.5, 0],
    [0.001, -3.090232306167813], // the lower tail branch
    [0.9999, 3.719016485455709], // the upper tail branch
  ])('Φ⁻¹(%s) = %s', (p, z) => {
    expect(normalQuantile(p)).toBeCloseTo(z, 8);
  });

  it('criticalValue is two-sided', () => {
    expect(criticalValue(0.95)).toBeCloseTo(1.959963984540054, 8);
    expect(criticalValue(0.99)).toBeCloseTo(2.5758293035489004, 8);
  });
});

describe('Wilson score intervals', () => {
  // Newcombe 1998, Table II, "3. Score method": the four published examples.
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
  ])('%i of %i → [%s, %s] at 95 %%', (k, n, lo, hi) => {
    const [low, high] = wilson(k, n, 0.95);
    expect(low).toBeCloseTo(lo, 4);
    expect(high).toBeCloseTo(hi, 4);
  });

  it('5 of 10 at 99 %: centre 0.5, half-width z/(1 + z²/n)·√(0.025 + z²/400) by hand', () => {
    // z = 2.5758293, z² = 6.6348966; 1 + z²/10 = 1.6634897; √(0.025 + 0.0165872) = 0.2039295;
    // half = 2.5758293 / 1.6634897 × 0.2039295 = 0.3157745.
    const [low, high] = wilson(5, 10, 0.99);
    expect(low).toBeCloseTo(0.5 - 0.3157745, 6);
    expect(high).toBeCloseTo(0.5 + 0.3157745, 6);
  });

  it('all successes reach 1 exactly, none 0 exactly', () => {
    expect(wilson(7, 7)[1]).toBe(1);
    expect(wilson(0, 7)[0]).toBe(0);
  });

  it('rejects counts outside 0..n', () => {
    expect(() => wilson(3, 2)).toThrow(RangeError);
    expect(() => wilson(0, 0)).toThrow(RangeError);
  });
});

describe("Leveugle's sample size", () => {
  it('N = 10⁶, e = 1 %, 95 % → 9,513', () => {
    // t²·p(1−p) = 3.8414588 × 0.25 = 0.9603647; e²(N−1) = 99.9999; n = 10⁶ / (1 + 104.12635) = 9,512.3 → 9,513.
    expect(leveugleSampleSize(1e6, 0.01, 0.95)).toBe(9513);
  });

  it('a small space is covered whole, and the margin the runs achieve is the one asked for', () => {
    expect(leveugleSampleSize(100, 0.01, 0.95)).toBeLessThanOrEqual(100);
    const n = leveugleSampleSize(1e6, 0.01, 0.95);
    expect(achievedMargin(1e6, n, 0.95)).toBeLessThanOrEqual(0.01);
    expect(achievedMargin(1e6, n - 1, 0.95)).toBeGreaterThan(0.01);
    expect(achievedMargin(1000, 1000, 0.95)).toBe(0);
  });

  it('without finite-population correction the margin is t·√(p(1−p)/n)', () => {
    // N → ∞: n = 384 gives 1.959964 × √(0.25/384) = 0.0500095.
    expect(achievedMargin(1e15, 384, 0.95)).toBeCloseTo(0.0500095, 6);
  });
});

describe('zero-escape bound', () => {
  it('c₀ = 99 % at 95 % needs 299 runs without an escape', () => {
    // ln(0.05) / ln(0.99) = −2.995732 / −0.0100503 = 298.07 → 299.
    expect(zeroEscapeRuns(0.99, 0.95)).toBe(299);
    expect(zeroEscapeCoverage(299, 0.95)).toBeGreaterThanOrEqual(0.99);
    expect(zeroEscapeCoverage(298, 0.95)).toBeLessThan(0.99);
  });

  it('c = (1 − γ)^(1/n)', () => {
    expect(zeroEscapeCoverage(1000, 0.95)).toBeCloseTo(Math.exp(Math.log(0.05) / 1000), 12);
    expect(zeroEscapeRuns(0.999, 0.99)).toBe(4603); // ln(0.01) / ln(0.999) = 4602.9
  });
});

describe('nearest-rank percentiles', () => {
  const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
  it.each([[50, 5], [90, 9], [99, 10], [100, 10], [10, 1], [11, 2]])('p%i of 1..10 = %i', (p, v) => {
    expect(percentile(values, p)).toBe(v);
  });

  it('one value is every percentile', () => {
    expect(percentile([42], 1)).toBe(42);
    expect(percentile([42], 99)).toBe(42);
  });
});

describe('the median', () => {
  it.each([
    [[7], 7],
    [[3, 1, 2], 2],
    [[9, 1, 5, 3, 7], 5],
    [[4, 1, 3, 2], 3], // an even count: the upper of the middle two (2 and 3)
  ])('of %j is %i, whatever the order', (values, m) => {
    expect(median(values)).toBe(m);
    expect(median([...values].reverse())).toBe(m);
  });

  it('leaves its argument in its order', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});
