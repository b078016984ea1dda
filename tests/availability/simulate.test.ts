/**
 * The Monte Carlo simulator (src/availability/simulate.ts) against the closed forms, with
 * fixed seeds and accelerated rates (λ/μ = 0.02) so that every down state is entered often
 * and a run converges in well under a second: the closed form lies inside the 99 %
 * interval, for availability and for interruptions per year, for every model — with and
 * without resync pauses, which the simulator holds for exactly their length while the
 * closed form only knows their mean (semi-Markov insensitivity).
 */
import { describe, expect, it } from 'vitest';
import { HOURS_PER_YEAR } from '../../src/availability/ctmc.ts';
import { closedForm, DEFAULT_PARAMETERS, MODELS, modelChain, type Parameters } from '../../src/availability/models.ts';
import { inside, simulate, simulation, studentT995 } from '../../src/availability/simulate.ts';

const ACCELERATED: Parameters = {
  ...DEFAULT_PARAMETERS,
  lambda: 0.02, mu: 1, coverage: 0.9, rho: 2, pairCoverage: 0.9, standbyLambda: 0.01,
  failoverRate: 5, failoverCoverage: 0.8, manualRate: 0.5, resyncPause: 0,
};

describe('Monte Carlo against the closed forms', () => {
  for (const pause of [0, 0.05]) {
    it.each(MODELS)(`%s${pause ? ', with a resync pause of 0.05 h' : ''}: the closed form lies inside the 99 % intervals`, (model) => {
      const p = { ...ACCELERATED, resyncPause: pause };
      const closed = closedForm(model, p);
      const result = simulate(modelChain(model, p), { runs: 200, years: 2, seed: 14 });
      expect(result.rarelyEntered).toEqual([]); // every down state was entered at least 30 times
      expect(inside(closed.availability, result.availability), JSON.stringify(result.availability)).toBe(true);
      expect(inside(closed.interruptionsPerHour * HOURS_PER_YEAR, result.interruptionsPerYear), JSON.stringify(result.interruptionsPerYear)).toBe(true);
      // The interval is informative: narrower than the unavailability itself.
      expect(result.availability.high - result.availability.low).toBeLessThan(closed.unavailability);
    });
  }

  it('a wrong model is caught: dmr simulated with c = 0.8 excludes the c = 0.9 closed form', () => {
    const result = simulate(modelChain('dmr', { ...ACCELERATED, coverage: 0.8 }), { runs: 200, years: 2, seed: 14 });
    expect(inside(closedForm('dmr', ACCELERATED).availability, result.availability)).toBe(false);
  });

  it('the interval narrows as 1/√runs', () => {
    const width = (runs: number) => {
      const r = simulate(modelChain('dmr', ACCELERATED), { runs, years: 1, seed: 7 }).availability;
      return r.high - r.low;
    };
    // 4× the runs: half the width (the standard deviation estimate itself varies by a few %).
    const ratio = width(800) / width(200);
    expect(ratio).toBeGreaterThan(0.42);
    expect(ratio).toBeLessThan(0.58);
  });

  it('is a function of its seed', () => {
    const run = (seed: number) => simulate(modelChain('tmr', ACCELERATED), { runs: 10, years: 1, seed });
    expect(run(3)).toEqual(run(3));
    expect(run(3).availability.mean).not.toBe(run(4).availability.mean);
  });

  it('counts every event: a simplex alternates failures and repairs', () => {
    // λ = μ = 1 over one year: about 8766 events a run, each an up → down or down → up step.
    const r = simulate(modelChain('simplex', { ...ACCELERATED, lambda: 1, mu: 1 }), { runs: 2, years: 1, seed: 1 });
    expect(r.outages * 2).toBeGreaterThanOrEqual(r.events - 2);
    expect(r.outages * 2).toBeLessThanOrEqual(r.events + 2);
    expect(r.events).toBeGreaterThan(2 * 8766 * 0.95);
  });

  it('rejects fewer than 2 runs and a non-positive horizon', () => {
    const chain = modelChain('simplex', ACCELERATED);
    expect(() => simulate(chain, { runs: 1, years: 1, seed: 1 })).toThrow(/at least 2/);
    expect(() => simulate(chain, { runs: 2, years: 0, seed: 1 })).toThrow(/years/);
  });
});

describe('Student t quantile', () => {
  it.each([
    // t_{0.995, ν} from the tables (Abramowitz and Stegun, table 26.10).
    [1, 63.657], [2, 9.925], [4, 4.604], [5, 4.032], [6, 3.707], [10, 3.169], [30, 2.750], [120, 2.617],
  ])('ν = %i: %f', (df, table) => {
    expect(studentT995(df)).toBeCloseTo(table, 2);
  });
});

describe('the simulation a replication at a time (for the page)', () => {
  it('yields after each run and returns exactly what simulate returns', () => {
    const options = { runs: 20, years: 1, seed: 3 };
    const steps = simulation(modelChain('dmr', ACCELERATED), options);
    const done: number[] = [];
    let step = steps.next();
    while (!step.done) {
      done.push(step.value);
      step = steps.next();
    }
    expect(done).toEqual(Array.from({ length: 20 }, (_, k) => k + 1));
    expect(step.value).toEqual(simulate(modelChain('dmr', ACCELERATED), options));
  });

  it('refuses bad options at once, before the first step', () => {
    expect(() => simulation(modelChain('dmr', ACCELERATED), { runs: 1, years: 1, seed: 1 })).toThrow(/at least 2/);
  });
});
