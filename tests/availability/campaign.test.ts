/**
 * Coverage from a campaign summary (src/availability/campaign.ts; the contract in the README,
 * "Availability"): validation with clear errors, coverage = recovered / unmasked activated
 * faults, and the Wilson 95 % interval worked out by hand.
 */
import { describe, expect, it } from 'vitest';
import { coverageFromCampaign, wilson95 } from '../../src/availability/campaign.ts';

const summary = (overrides: Record<string, unknown> = {}) => ({
  topology: 'dmr',
  runs: 1000,
  outcomes: { recovered: { count: 900, ci95: [0.88, 0.917] }, masked: { count: 50 }, failstop: { count: 30 }, sdc: { count: 10 }, hang: { count: 5 }, crash: { count: 5 } },
  ...overrides,
});

describe('wilson95', () => {
  it('matches the interval worked out by hand', () => {
    // k = 900, n = 950, z = 1.95996398, z² = 3.84145882: p = 0.94736842; z²/n = 0.00404364, z²/2n = 0.00202182;
    // centre = (p + z²/2n) / (1 + z²/n) = 0.94939024 / 1.00404364 = 0.94556670;
    // half = z / (1 + z²/n) · √(p(1−p)/n + z²/4n²) = 1.95207054 · √(5.24858e-5 + 1.064116e-6)
    //      = 1.95207054 · 0.00731779 = 0.01428485 → [0.93128185, 0.95985155].
    const [low, high] = wilson95(900, 950);
    expect(low).toBeCloseTo(0.931282, 5);
    expect(high).toBeCloseTo(0.959852, 5);
  });

  it('reaches 0 and 1 at the ends, never beyond', () => {
    // k = 0: centre = half = (z²/2n) / (1 + z²/n); the interval starts at 0 (likewise ends at 1 for k = n).
    expect(wilson95(0, 10)[0]).toBeCloseTo(0, 15);
    expect(wilson95(10, 10)[1]).toBeCloseTo(1, 15);
    expect(wilson95(0, 10)[0]).toBeGreaterThanOrEqual(0);
    expect(wilson95(10, 10)[1]).toBeLessThanOrEqual(1);
  });
});

describe('coverageFromCampaign', () => {
  it('dmr: c = recovered / (recovered + failstop + sdc + hang + crash), lower end by default', () => {
    const c = coverageFromCampaign(summary(), 's.json');
    expect(c).toMatchObject({ parameter: 'coverage', recovered: 900, effective: 950 });
    expect(c.point).toBe(900 / 950);
    expect(c.value).toBe(c.ci95[0]);
    expect(c.value).toBeCloseTo(0.931282, 5);
    expect(coverageFromCampaign(summary(), 's.json', 'point').value).toBe(900 / 950);
    expect(coverageFromCampaign(summary(), 's.json', 'upper').value).toBeCloseTo(0.959852, 5);
  });

  it('pair-spare sets c_p, cluster c_fo', () => {
    expect(coverageFromCampaign(summary({ topology: 'pair-spare' }), 's.json').parameter).toBe('pairCoverage');
    expect(coverageFromCampaign(summary({ topology: 'cluster' }), 's.json').parameter).toBe('failoverCoverage');
  });

  it.each([
    ['not an object', 42, /s\.json: not a campaign summary: the summary: /],
    ['an unknown topology', summary({ topology: 'quad' }), /topology: /],
    ['a missing runs', { ...summary(), runs: undefined }, /runs: /],
    ['a negative count', summary({ outcomes: { recovered: { count: -1 } } }), /outcomes\.recovered\.count: /],
    ['an unknown outcome', summary({ outcomes: { recovered: { count: 1000 }, exploded: { count: 0 } } }), /outcomes: .*exploded/],
    ['counts that do not add up', summary({ runs: 999 }), /outcomes: the outcome counts add up to 1000, not to runs \(999\)/],
    ['an interval outside [0, 1]', summary({ outcomes: { recovered: { count: 1000, ci95: [0.9, 1.2] } } }), /outcomes\.recovered\.ci95\.1: /],
  ])('rejects %s with the path of the problem', (_, json, message) => {
    expect(() => coverageFromCampaign(json, 's.json')).toThrow(message);
  });

  it('rejects a campaign that measures no coverage', () => {
    expect(() => coverageFromCampaign(summary({ topology: 'tmr' }), 's.json')).toThrow(/a tmr campaign measures no coverage parameter/);
    expect(() => coverageFromCampaign({ topology: 'dmr', runs: 5, outcomes: { masked: { count: 3 }, 'not-activated': { count: 2 } } }, 's.json'))
      .toThrow(/no injected fault took effect unmasked/);
  });
});
