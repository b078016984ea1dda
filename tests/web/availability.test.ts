/**
 * The availability view's state (issue 14): the figures shown are the library's `assess()`
 * for the slider values (and, independently, the textbook simplex formula), the costs are
 * `costOf()`, the nines lines sit at 10^−k × 525,960 minutes (365.25 days), the axis spans
 * whole decades, and a simulation's interval of A becomes an interval of downtime.
 */
import { describe, expect, it } from 'vitest';
import { assess, costOf, DEFAULT_PARAMETERS, MODELS, type SimulationResult } from '../../src/availability/index.ts';
import { validateScenario } from '../../src/scenario/scenario.ts';
import {
  decadeLabel, DEFAULT_COST_BASIS, downtimeInterval, fieldById, FIELDS, initialState, logAxis, setCost, setField,
  scenarioAvailability, setSimulation, shownValue, simulateModel, sliderPosition, sliderValue,
} from '../../web/state/availability.ts';

/** Minutes in a year of 365.25 days: 365.25 × 24 × 60. */
const MINUTES_PER_YEAR = 525_960;

describe('the figures follow the sliders', () => {
  it('shows assess() of every model for the parameters the sliders give', () => {
    let state = initialState();
    state = setField(state, 'mtbf', 10_000); // λ = 1e-4 /h
    state = setField(state, 'mttr', 2); // μ = 0.5 /h
    state = setField(state, 'coverage', 0.995);
    state = setField(state, 'failover', 30); // δ = 3600 / 30 = 120 /h
    expect(state.error).toBeUndefined();
    const p = { ...DEFAULT_PARAMETERS, lambda: 1e-4, mu: 0.5, coverage: 0.995, failoverRate: 120 };
    expect(state.parameters).toEqual(p);
    expect(state.rows.map((r) => r.model)).toEqual([...MODELS]);
    state.rows.forEach((row, k) => expect(row).toEqual(assess(MODELS[k], p)));
    // Independently: a simplex is down λ/(λ+μ) of the time (Trivedi §8.4).
    expect(state.rows[0].downtime_min_per_year).toBeCloseTo((MINUTES_PER_YEAR * 1e-4) / 0.5001, 9);
  });

  it('changes the figures when a slider moves', () => {
    const before = initialState();
    const after = setField(before, 'mttr', 8);
    expect(after.parameters.mu).toBe(1 / 8);
    for (let k = 0; k < MODELS.length; k++) expect(after.rows[k].downtime_min_per_year).toBeGreaterThan(before.rows[k].downtime_min_per_year);
  });

  it('refuses a value the models refuse, keeping the parameters in force', () => {
    const state = initialState();
    const refused = setField(state, 'coverage', 1.5);
    expect(refused.parameters).toBe(state.parameters);
    expect(refused.error).toMatch(/^Coverage c: 1\.5 is out of range \(coverage: 1\.5 is not a probability in \[0, 1\]\)$/);
    expect(setField(state, 'mtbf', Number.NaN).error).toBe('MTBF of one module: not a number');
    expect(setField(refused, 'coverage', 0.9).error).toBeUndefined();
  });

  it('starts from a scenario\'s preset over the defaults', () => {
    const state = initialState({ lambda: 2e-5, failoverCoverage: 0.99 });
    expect(state.parameters).toEqual({ ...DEFAULT_PARAMETERS, lambda: 2e-5, failoverCoverage: 0.99 });
    expect(shownValue(fieldById('mtbf').read(state.parameters))).toBe('50000'); // 1 / 2e-5, as the number input shows it
  });

  it('moves log sliders in decades and reads back the value they stand at', () => {
    const mtbf = fieldById('mtbf');
    expect(sliderPosition(mtbf, 100_000)).toBe(5);
    expect(sliderValue(mtbf, 5)).toBe(100_000);
    expect(sliderValue(mtbf, 5 + mtbf.step)).toBe(112_000); // 10^5.05 = 112,201.8… to 3 digits
    expect(sliderPosition(mtbf, 1e9)).toBe(7); // clamped to the slider's end
    const coverage = fieldById('coverage');
    expect(sliderPosition(coverage, 0.99)).toBe(0.99);
    expect(FIELDS.filter((f) => !f.more).map((f) => f.id)).toEqual(['mtbf', 'mttr', 'coverage', 'failover']);
  });
});

describe('the cost table', () => {
  it('is costOf() of each row on the basis given, and the simplex by hand', () => {
    let state = initialState();
    state = setCost(state, 'downtimePerHour', 60_000);
    state = setCost(state, 'perInterruption', 1_000);
    state = setCost(state, 'hardwarePerModule', 10_000);
    state = setCost(state, 'years', 3);
    const basis = { downtimePerHour: 60_000, perInterruption: 1_000, hardwarePerModule: 10_000, years: 3 };
    expect(state.basis).toEqual(basis);
    state.rows.forEach((row, k) => expect(state.costs[k]).toEqual(costOf(row, basis)));
    // simplex at the defaults (λ = 1e-5, μ = 0.25): U = λ/(λ+μ), downtime U × 525,960 min = U × 8,766 h,
    // interruptions λ·A per hour = λμ/(λ+μ) × 8,766 per year; one module.
    const u = 1e-5 / 0.25001;
    const perYear = u * 8766 * 60_000 + ((1e-5 * 0.25) / 0.25001) * 8766 * 1_000;
    expect(state.costs[0].per_year).toBeCloseTo(perYear, 6);
    expect(state.costs[0].total).toBeCloseTo(10_000 + 3 * perYear, 6);
    expect(state.costs[MODELS.indexOf('pair-spare')].hardware).toBe(40_000);
  });

  it('refuses negative costs and zero years', () => {
    const state = initialState();
    expect(setCost(state, 'downtimePerHour', -1).error).toBe('Downtime cost per hour: give a cost of 0 or more');
    expect(setCost(state, 'years', 0).error).toBe('Years of service: give a positive number of years');
    expect(setCost(state, 'years', 0).basis).toEqual(DEFAULT_COST_BASIS);
  });
});

describe('the chart', () => {
  it('marks the nines at 10^-k of a year of 365.25 days: five nines is 5.26 min', () => {
    const axis = logAxis([1, 1000]);
    expect(axis.decades).toEqual([1, 10, 100, 1000]);
    expect(axis.marks.map((m) => m.nines)).toEqual([3, 4, 5]);
    expect(axis.marks[0].minutes).toBeCloseTo(525.96, 10);
    expect(axis.marks[1].minutes).toBeCloseTo(52.596, 10);
    expect(axis.marks[2].minutes).toBeCloseTo(5.2596, 10);
    // A = 0.99999 is five nines: its downtime is on the five-nines line.
    const fiveNines = axis.marks[2].minutes;
    expect(fiveNines).toBeCloseTo((1 - 0.99999) * MINUTES_PER_YEAR, 6);
    expect(fiveNines.toFixed(2)).toBe('5.26');
  });

  it('spans whole decades around every value, ignoring zeros, at least one decade', () => {
    expect(logAxis([0.0042, 37]).decades).toEqual([0.001, 0.01, 0.1, 1, 10, 100]);
    expect(logAxis([0, 5]).decades).toEqual([1, 10]);
    expect(logAxis([10]).decades).toEqual([10, 100]);
    expect([decadeLabel(1000), decadeLabel(0.1), decadeLabel(0.001)]).toEqual(['1,000 min', '0.1 min', '0.06 s']);
  });

  it('turns the interval of A into an interval of downtime, clipped at zero', () => {
    const interval = { mean: 0.99999, low: 0.99998, high: 1.000001 };
    const result = { availability: interval, rarelyEntered: ['0'], outages: 3 } as unknown as SimulationResult;
    const row = assess('simplex', DEFAULT_PARAMETERS);
    const d = downtimeInterval(result, row);
    expect(d.low).toBe(0);
    expect(d.high).toBeCloseTo(2e-5 * MINUTES_PER_YEAR, 6);
    expect(d.mean).toBeCloseTo(1e-5 * MINUTES_PER_YEAR, 6);
    expect(d.closedFormInside).toBe(row.availability >= 0.99998 && row.availability <= 1.000001);
    expect(d.rarelyEntered).toEqual(['0']);
    expect(d.outages).toBe(3);
  });

  it('simulates a model whose closed form lies inside its 99 % interval (accelerated rates, λ/μ = 0.02)', () => {
    let state = initialState({ lambda: 0.01, mu: 0.5 });
    state = setSimulation(state, { runs: 200, seed: 7 });
    const interval = simulateModel(state, 'simplex');
    const closed = state.rows[0].downtime_min_per_year;
    expect(interval.closedFormInside).toBe(true);
    expect(interval.low).toBeLessThanOrEqual(closed);
    expect(interval.high).toBeGreaterThanOrEqual(closed);
    expect(interval.outages).toBeGreaterThan(0);
    expect(setSimulation(state, { runs: 1 }).error).toBe('Runs: a 99 % interval needs at least 2 runs');
  });
});

describe('a simulation under way', () => {
  it('stops, and its intervals go, when the parameters, years, runs or seed change; a cost change keeps them', () => {
    const running = { ...initialState(), simulating: true, intervals: {} };
    for (const changed of [setField(running, 'mttr', 8), setCost(running, 'years', 10), setSimulation(running, { seed: 2 })]) {
      expect(changed.simulating).toBe(false);
      expect(changed.intervals).toBeUndefined();
    }
    expect(setCost(running, 'downtimePerHour', 1)).toMatchObject({ simulating: true, intervals: {} });
  });
});

describe('the embed code of an open view', () => {
  it('carries the parameters that differ from the defaults, and opens the view again with them', () => {
    const state = setField(setField(initialState(), 'mttr', 8), 'failover', 30);
    const field = scenarioAvailability(state.parameters);
    expect(field).toEqual({ mu: 1 / 8, failoverRate: 120 });
    expect(scenarioAvailability(DEFAULT_PARAMETERS)).toEqual({});
    const scenario = validateScenario({ program: { example: 'count' }, availability: field });
    expect(scenario.ok && initialState(scenario.scenario.availability).parameters).toEqual(state.parameters);
  });
});
