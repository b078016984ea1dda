/**
 * The general CTMC solver (src/availability/ctmc.ts) on chains whose answers are worked out
 * by hand: two-state, birth–death (product form), a stiff chain where 1 − A would lose every
 * digit, and mean times to absorption from the first-step equations.
 */
import { describe, expect, it } from 'vitest';
import {
  chainMeasures, downtimeMinutesPerYear, meanTimeToAbsorption, MINUTES_PER_YEAR, nines, steadyState, type Chain,
} from '../../src/availability/ctmc.ts';

/** Relative difference, for 1e-12 agreement. */
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

const twoState = (lambda: number, mu: number): Chain => ({
  states: [{ name: 'up', up: true }, { name: 'down', up: false }],
  transitions: [{ from: 0, to: 1, rate: lambda }, { from: 1, to: 0, rate: mu }],
  start: 0,
});

describe('steady state (GTH)', () => {
  it('two states: π = (μ, λ) / (λ + μ)', () => {
    // λ = 1/4, μ = 3/4: π = (3/4, 1/4) exactly.
    expect([...steadyState(twoState(0.25, 0.75))]).toEqual([0.75, 0.25]);
  });

  it('a birth–death chain has the product form π_k ∝ Π λ_i / μ_{i+1}', () => {
    // 0 ⇄ 1 ⇄ 2 with up rates 2, 1 and down rates 1, 4: weights 1, 2/1 = 2, 2·1/4 = 0.5; total 3.5.
    const chain: Chain = {
      states: [{ name: '0', up: true }, { name: '1', up: true }, { name: '2', up: false }],
      transitions: [{ from: 0, to: 1, rate: 2 }, { from: 1, to: 2, rate: 1 }, { from: 1, to: 0, rate: 1 }, { from: 2, to: 1, rate: 4 }],
      start: 0,
    };
    const pi = steadyState(chain);
    [1 / 3.5, 2 / 3.5, 0.5 / 3.5].forEach((want, k) => expect(rel(pi[k], want)).toBeLessThan(1e-15));
    const m = chainMeasures(chain);
    expect(rel(m.unavailability, 0.5 / 3.5)).toBeLessThan(1e-15);
    // Up → down flow: π1 · 1 = 2/3.5 per hour.
    expect(rel(m.interruptionsPerHour, 2 / 3.5)).toBeLessThan(1e-15);
  });

  it('keeps full relative precision in U when A rounds to 1', () => {
    // λ = 1e-15, μ = 1e3: U = 1e-15 / (1e3 + 1e-15) = 1e-18 / (1 + 1e-18) = 1e-18 in doubles; 1 − A gives 0.
    const m = chainMeasures(twoState(1e-15, 1e3));
    expect(m.availability).toBe(1);
    expect(rel(m.unavailability, 1e-18)).toBeLessThan(1e-15);
  });

  it('rejects a chain where a state cannot come back', () => {
    const chain: Chain = { states: [{ name: 'a', up: true }, { name: 'b', up: false }], transitions: [{ from: 0, to: 1, rate: 1 }], start: 0 };
    expect(() => steadyState(chain)).toThrow(/not irreducible: state b/);
  });

  it('rejects a non-positive rate', () => {
    expect(() => steadyState(twoState(-1, 1))).toThrow(/rate -1 must be a positive/);
  });
});

describe('mean time to absorption (fundamental matrix)', () => {
  it('duplex with repair: 3/(2λ) + μ/(2λ²) (Siewiorek and Swarz)', () => {
    // 2 →2λ→ 1 →λ→ F, 1 →μ→ 2. λ = 0.001, μ = 0.1: 1500 + 0.1 / 2e-6 = 51,500 h.
    const chain: Chain = {
      states: [{ name: '2', up: true }, { name: '1', up: true }, { name: 'F', up: false }],
      transitions: [{ from: 0, to: 1, rate: 0.002 }, { from: 1, to: 2, rate: 0.001 }, { from: 1, to: 0, rate: 0.1 }],
      start: 0,
    };
    expect(rel(meanTimeToAbsorption(chain), 51_500)).toBeLessThan(1e-13);
  });

  it('starts where the chain says, and a state that absorbs nothing stays transient', () => {
    // From 1 of the same chain: T1 = 1/(λ+μ) + μ/(λ+μ)·T2 = (1 + 0.1·51500)/0.101 = 5151/0.101 = 51,000 h.
    const chain: Chain = {
      states: [{ name: '2', up: true }, { name: '1', up: true }, { name: 'F', up: false }],
      transitions: [{ from: 0, to: 1, rate: 0.002 }, { from: 1, to: 2, rate: 0.001 }, { from: 1, to: 0, rate: 0.1 }],
      start: 1,
    };
    expect(rel(meanTimeToAbsorption(chain), 51_000)).toBeLessThan(1e-13);
  });

  it('says so when no down state can be reached', () => {
    const chain: Chain = { states: [{ name: 'a', up: true }, { name: 'b', up: true }], transitions: [{ from: 0, to: 1, rate: 1 }, { from: 1, to: 0, rate: 1 }], start: 0 };
    expect(() => meanTimeToAbsorption(chain)).toThrow(/infinite/);
  });
});

describe('derived figures', () => {
  it('a year is 365.25 days: five nines is 5.2596 minutes of downtime', () => {
    expect(MINUTES_PER_YEAR).toBe(525_960); // 365.25 · 24 · 60
    expect(downtimeMinutesPerYear(1e-5)).toBeCloseTo(5.2596, 12);
    expect(nines(1e-5)).toBeCloseTo(5, 12);
    expect(nines(4e-5)).toBeCloseTo(5 - Math.log10(4), 12); // 4.39794…
  });
});
