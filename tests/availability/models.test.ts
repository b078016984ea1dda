/**
 * The availability models (src/availability/models.ts): every closed form against the
 * general CTMC solution of its chain (1e-12 relative), and against values worked out here
 * by hand from the textbook formulas (Siewiorek and Swarz ch. 5; Trivedi ch. 8–9), for at
 * least two parameter sets each, with the limits c = 1, μ → ∞ and λ_s = 0.
 */
import { describe, expect, it } from 'vitest';
import { HOURS_PER_YEAR } from '../../src/availability/ctmc.ts';
import {
  assess, closedForm, DEFAULT_PARAMETERS, MODELS, modelChain, solveChain, type Model, type Parameters,
} from '../../src/availability/models.ts';

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);
const P = (overrides: Partial<Parameters>): Parameters => ({ ...DEFAULT_PARAMETERS, ...overrides });

/** Parameter sets from realistic (λ = 1e-6, μ = 0.25) to accelerated and extreme. */
const SETS: Parameters[] = [
  DEFAULT_PARAMETERS,
  P({ lambda: 1e-6, mu: 0.25, coverage: 0.999, pairCoverage: 0.99999, standbyLambda: 1e-7, failoverRate: 120 }),
  P({ lambda: 0.02, mu: 1, coverage: 0.9, rho: 2, pairCoverage: 0.95, standbyLambda: 0.01, failoverRate: 5, failoverCoverage: 0.8, manualRate: 0.5 }),
  P({ coverage: 1, pairCoverage: 1, failoverCoverage: 1, standbyLambda: 0 }),
  P({ coverage: 0, pairCoverage: 0, failoverCoverage: 0 }),
  P({ lambda: 1e-4, mu: 1e6, rho: 1e3 }),
  P({ resyncPause: 2 / 3600 }),
  P({ lambda: 0.02, mu: 1, coverage: 0.9, rho: 2, resyncPause: 0.05 }),
];

describe('closed forms against the general CTMC solver', () => {
  it.each(MODELS.flatMap((model) => SETS.map((p, k) => [model, k, p] as [Model, number, Parameters])))('%s, parameter set %i', (model, _, p) => {
    const closed = closedForm(model, p);
    const solved = solveChain(model, p);
    expect(rel(closed.availability, solved.availability)).toBeLessThan(1e-12);
    expect(rel(closed.unavailability, solved.unavailability)).toBeLessThan(1e-12);
    expect(rel(closed.interruptionsPerHour, solved.interruptionsPerHour)).toBeLessThan(1e-12);
    expect(rel(closed.mttfHours, solved.mttfHours)).toBeLessThan(1e-12);
  });
});

/** [what, model, parameters, A, U, interruptions per hour, MTTF hours], each worked out by hand. */
const HAND: [string, Model, Partial<Parameters>, number, number, number, number][] = [
  // simplex, A = μ/(λ+μ), interruptions λA, MTTF 1/λ.
  // λ = 0.01, μ = 1: A = 1/1.01 = 100/101, U = 1/101, interruptions 0.01·100/101 = 1/101.
  ['simplex λ=0.01 μ=1', 'simplex', { lambda: 0.01, mu: 1 }, 100 / 101, 1 / 101, 1 / 101, 100],
  // λ = 1e-4, μ = 0.5: A = 0.5/0.5001 = 5000/5001, U = 1/5001, interruptions 1e-4·5000/5001 = 0.5/5001.
  ['simplex λ=1e-4 μ=0.5', 'simplex', { lambda: 1e-4, mu: 0.5 }, 5000 / 5001, 1 / 5001, 0.5 / 5001, 10_000],
  // μ → ∞ (1e12): U = 1/(1 + 1e12) ≈ 1e-12, A → 1.
  ['simplex μ → ∞', 'simplex', { lambda: 1, mu: 1e12 }, 1, 1e-12, 1, 1],

  // dmr, A = (1 + 2λ/μ) / (1 + 2λ/μ + 2λ²/μ² + 2λ(1−c)/ρ); MTTF = (λ + μ + 2λc) / (2λ(λ + (1−c)μ)).
  // λ = 0.01, μ = 1, c = 0.9, ρ = 2: terms 0.02, 0.0002, 0.02·0.1/2 = 0.001; total 1.0212.
  // A = 1.02/1.0212 = 850/851, U = 0.0012/1.0212 = 1/851.
  // interruptions π2·(2λ(1−c) + λ·2λ/μ) = (0.002 + 0.0002)/1.0212 = 0.0022/1.0212.
  // MTTF = (0.01 + 1 + 0.018) / (0.02·(0.01 + 0.1)) = 1.028/0.0022 = 5140/11 = 467.27 h.
  ['dmr c=0.9', 'dmr', { lambda: 0.01, mu: 1, coverage: 0.9, rho: 2 }, 850 / 851, 1 / 851, 0.0022 / 1.0212, 5140 / 11],
  // c = 1: λ = 0.001, μ = 0.1: terms 0.02, 2e-6/0.01 = 0.0002, 0; total 1.0202: A = 1.02/1.0202 = 5100/5101,
  // U = 1/5101; interruptions λ·π1 = 0.001·0.02/1.0202 = 2e-5/1.0202;
  // MTTF = 3/(2λ) + μ/(2λ²) = 1500 + 0.1/2e-6 = 51,500 h (Siewiorek and Swarz, duplex with repair).
  ['dmr c=1', 'dmr', { lambda: 0.001, mu: 0.1, coverage: 1 }, 5100 / 5101, 1 / 5101, 2e-5 / 1.0202, 51_500],
  // μ → ∞ (1e9), λ = 0.01, c = 0.9, ρ = 2: only restarts remain, A → 1/(1 + 0.001) = 1000/1001, U → 1/1001;
  // interruptions → 2λ(1−c)·A = 0.002·1000/1001 = 2/1001; MTTF → 1/(2λ(1−c)) = 1/0.002 = 500 h.
  ['dmr μ → ∞', 'dmr', { lambda: 0.01, mu: 1e9, coverage: 0.9, rho: 2 }, 1000 / 1001, 1 / 1001, 2 / 1001, 500],

  // pair-spare: the dmr chain with the board rate 2λ and c_p.
  // λ = 0.005 (boards 0.01), μ = 1, c_p = 0.9, ρ = 2: the numbers of 'dmr c=0.9'.
  ['pair-spare c_p=0.9', 'pair-spare', { lambda: 0.005, mu: 1, pairCoverage: 0.9, rho: 2 }, 850 / 851, 1 / 851, 0.0022 / 1.0212, 5140 / 11],
  // λ = 1e-4, μ = 0.25, c_p = 0.99, ρ = 4: 4λ/μ = 0.0016, 8λ²/μ² = 8e-8/0.0625 = 1.28e-6, 4λ(1−c_p)/ρ =
  // 4e-4·0.01/4 = 1e-6; total 1.00160228. A = 1.0016/1.00160228, U = 2.28e-6/1.00160228.
  // interruptions (4λ(1−c_p) + 2λ·4λ/μ)/total = (4e-6 + 2e-4·0.0016)/total = (4e-6 + 3.2e-7)/total = 4.32e-6/1.00160228.
  // MTTF = (2λ + μ + 4λc_p) / (4λ(2λ + (1−c_p)μ)) = (2e-4 + 0.25 + 3.96e-4) / (4e-4·(2e-4 + 0.0025))
  //      = 0.250596 / 1.08e-6 = 232,033.33 h.
  ['pair-spare c_p=0.99', 'pair-spare', { lambda: 1e-4, mu: 0.25, pairCoverage: 0.99, rho: 4 }, 1.0016 / 1.00160228, 2.28e-6 / 1.00160228, 4.32e-6 / 1.00160228, 0.250596 / 1.08e-6],
  // c_p = 1, λ = 0.0005 (boards 0.001), μ = 0.1: the numbers of 'dmr c=1'.
  ['pair-spare c_p=1', 'pair-spare', { lambda: 0.0005, mu: 0.1, pairCoverage: 1 }, 5100 / 5101, 1 / 5101, 2e-5 / 1.0202, 51_500],

  // tmr, a = λ/μ: A = (1 + 3a) / (1 + 3a + 6a² + 6a³); interruptions π3·3a·2λ; MTTF = 5/(6λ) + μ/(6λ²).
  // λ = 0.01, μ = 1: 3a = 0.03, 6a² = 0.0006, 6a³ = 0.000006; total 1.030606.
  // interruptions 0.03·0.02/1.030606 = 0.0006/1.030606; MTTF = 83.33 + 1666.67 = 1750 h.
  ['tmr λ=0.01', 'tmr', { lambda: 0.01, mu: 1 }, 1.03 / 1.030606, 0.000606 / 1.030606, 0.0006 / 1.030606, 1750],
  // λ = 0.001, μ = 0.5: a = 0.002; 3a = 0.006, 6a² = 2.4e-5, 6a³ = 4.8e-8; total 1.006024048.
  // interruptions 0.006·0.002/total = 1.2e-5/total; MTTF = 5/0.006 + 0.5/6e-6 = 833.33 + 83,333.33 = 252,500/3 h.
  ['tmr λ=0.001', 'tmr', { lambda: 0.001, mu: 0.5 }, 1.006 / 1.006024048, 2.4048e-5 / 1.006024048, 1.2e-5 / 1.006024048, 252_500 / 3],

  // tmr-degrade, a = λ/μ: A = (1 + 3a + 6a²) / (1 + 3a + 6a² + 6a³ + 6aλ(1−c)/ρ);
  // MTTF = 1/(3λ) + ((λ+μ)(3λ+μ) + 6λ²c) / (6λ²(λ + (1−c)μ)).
  // λ = 0.01, μ = 1, c = 0.9, ρ = 2: 3a = 0.03, 6a² = 0.0006, 6a³ = 0.000006, 6·0.01·0.01·0.1/2 = 0.00003;
  // total 1.030636. Interruptions 3a·2λ(1−c) + 6a²·λ = 0.00006 + 0.000006 = 0.000066 over the total.
  // MTTF = 100/3 + (1.01·1.03 + 0.00054) / (0.0006·0.11) = 100/3 + 1.04084/0.000066 = 1100/33 + 520420/33 = 521520/33 h.
  ['tmr-degrade c=0.9', 'tmr-degrade', { lambda: 0.01, mu: 1, coverage: 0.9, rho: 2 }, 1.0306 / 1.030636, 0.000036 / 1.030636, 0.000066 / 1.030636, 521_520 / 33],
  // c = 1, λ = 0.001, μ = 0.1: a = 0.01, the same weights but no F: total 1.030606, U = 0.000006/1.030606;
  // interruptions 6a²·λ = 0.0006·0.001 = 6e-7 over the total.
  // MTTF = 1000/3 + (0.101·0.103 + 6e-6) / (6e-6·0.001) = 1000/3 + 0.010409/6e-9 = 2000/6 + 10,409,000/6 = 5,205,500/3 h.
  ['tmr-degrade c=1', 'tmr-degrade', { lambda: 0.001, mu: 0.1, coverage: 1 }, 1.0306 / 1.030606, 0.000006 / 1.030606, 6e-7 / 1.030606, 5_205_500 / 3],

  // cluster: A = (1 + (λ+λ_s)/μ) / (1 + (λ+λ_s)/μ + λ/δ + (1−c_fo)λ/ρ_m + λ(λ+λ_s)/μ²); interruptions λA; MTTF 1/λ.
  // λ = λ_s = 0.01, μ = 1, δ = 10, c_fo = 0.9, ρ_m = 0.5: 0.02, 0.001, 0.1·0.01/0.5 = 0.002, 0.0002; total 1.0232.
  ['cluster', 'cluster', { lambda: 0.01, standbyLambda: 0.01, mu: 1, failoverRate: 10, failoverCoverage: 0.9, manualRate: 0.5 }, 1.02 / 1.0232, 0.0032 / 1.0232, 0.0102 / 1.0232, 100],
  // λ_s = 0 and c_fo = 1: λ = 0.001, μ = 0.5, δ = 60: 0.002, 1/60000, 0, 4e-6; total 1.002004 + 1/60000.
  ['cluster λ_s=0 c_fo=1', 'cluster', { lambda: 0.001, standbyLambda: 0, mu: 0.5, failoverRate: 60, failoverCoverage: 1 }, 1.002 / (1.002004 + 1 / 60000), (4e-6 + 1 / 60000) / (1.002004 + 1 / 60000), 0.001002 / (1.002004 + 1 / 60000), 1000],
];

describe('closed forms against values worked out by hand', () => {
  it.each(HAND)('%s', (_, model, overrides, availability, unavailability, interruptions, mttf) => {
    const f = closedForm(model, P(overrides));
    // μ → ∞ keeps terms of order λ/μ: 1e-8 is what a limit at μ = 1e9..1e12 can promise.
    const tolerance = (overrides.mu ?? 0) >= 1e9 ? 1e-8 : 1e-13;
    expect(rel(f.availability, availability)).toBeLessThan(tolerance);
    expect(rel(f.unavailability, unavailability)).toBeLessThan(tolerance);
    expect(rel(f.interruptionsPerHour, interruptions)).toBeLessThan(tolerance);
    expect(rel(f.mttfHours, mttf)).toBeLessThan(tolerance);
  });

  it('tmr-degrade without repair: MTTF → 1/(3λ) + 1/(2λ) + c/λ (Siewiorek and Swarz)', () => {
    // λ = 0.01, c = 0.9, μ = 1e-12: 33.33 + 50 + 90 = 173.33 h.
    expect(rel(closedForm('tmr-degrade', P({ lambda: 0.01, coverage: 0.9, mu: 1e-12 })).mttfHours, 520 / 3)).toBeLessThan(1e-9);
  });

  it('tmr without repair: MTTF → 5/(6λ), shorter than a simplex (Siewiorek and Swarz)', () => {
    expect(rel(closedForm('tmr', P({ lambda: 0.01, mu: 1e-12 })).mttfHours, 500 / 6)).toBeLessThan(1e-9);
  });
});

describe('resync pauses', () => {
  it('dmr: each repair back to duplex adds the pause: U gains 2λ·pause in the denominator and 2λ·π2 interruptions', () => {
    // λ = 0.01, μ = 1, c = 0.9, ρ = 2, pause 0.05 h: terms 0.02, 0.0002, 0.001, 2·0.01·0.05 = 0.001; total 1.0222.
    // U = 0.0022/1.0222; interruptions (0.0022 + 0.02)/1.0222 = 0.0222/1.0222 (one pause per repair 1 → 2, π1·μ = 0.02/1.0222).
    const f = closedForm('dmr', P({ lambda: 0.01, mu: 1, coverage: 0.9, rho: 2, resyncPause: 0.05 }));
    expect(rel(f.unavailability, 0.0022 / 1.0222)).toBeLessThan(1e-13);
    expect(rel(f.interruptionsPerHour, 0.0222 / 1.0222)).toBeLessThan(1e-13);
    expect(f.mttfHours).toBe(closedForm('dmr', P({ lambda: 0.01, mu: 1, coverage: 0.9, rho: 2 })).mttfHours); // a pause is not a failure
  });

  it('the pause state holds exactly its duration and is down', () => {
    const chain = modelChain('tmr', P({ resyncPause: 0.5 }));
    const pause = chain.states.find((s) => s.hold !== undefined)!;
    expect(pause).toMatchObject({ name: 'P', up: false, hold: 0.5 });
    expect(chain.transitions.filter((t) => chain.states[t.from] === pause)).toEqual([expect.objectContaining({ rate: 2 })]);
  });

  it('simplex and cluster do not resync: the pause changes nothing', () => {
    for (const model of ['simplex', 'cluster'] as const) {
      expect(closedForm(model, P({ resyncPause: 0.1 }))).toEqual(closedForm(model, DEFAULT_PARAMETERS));
    }
  });
});

describe('assess', () => {
  it('turns U into downtime (365.25 days), nines and interruptions per year', () => {
    // simplex λ = 1, μ = 99,999: U = 1/100,000 exactly (five nines) → 5.2596 min/yr.
    const a = assess('simplex', P({ lambda: 1, mu: 99_999 }));
    expect(rel(a.unavailability, 1e-5)).toBeLessThan(1e-15);
    expect(a.downtime_min_per_year).toBeCloseTo(5.2596, 10);
    expect(a.nines).toBeCloseTo(5, 10);
    expect(rel(a.interruptions_per_year, 0.99999 * HOURS_PER_YEAR)).toBeLessThan(1e-15);
  });

  it('rejects out-of-range parameters', () => {
    expect(() => closedForm('dmr', P({ lambda: 0 }))).toThrow(/lambda: 0 is not a positive rate/);
    expect(() => closedForm('dmr', P({ coverage: 1.5 }))).toThrow(/coverage: 1.5 is not a probability/);
    expect(() => modelChain('cluster', P({ standbyLambda: -1 }))).toThrow(/standbyLambda/);
  });
});
