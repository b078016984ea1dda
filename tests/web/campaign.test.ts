/**
 * The campaign panel's state: runs counted per topology as batches arrive in any order,
 * the stacked bar's segments, the failing runs listed (lowest run numbers, at most
 * LISTED_FAILURES), and the settings a campaign in the page refuses.
 */
import { describe, expect, it } from 'vitest';
import type { RunRecord } from '../../src/campaign/engine.ts';
import {
  checkSettings, DEFAULT_SETTINGS, LISTED_FAILURES, segments, shares, shareText, started, withRecords, withStatus,
} from '../../web/state/campaign.ts';

const run = (k: number, outcome: RunRecord['outcome']): RunRecord => ({ k, fault: `at=${k},module=0,kind=flip,target=x5,bit=1`, outcome, latency: null, instructions: 10, ledger: null, early: false });

describe('the campaign panel state', () => {
  const settings = { ...DEFAULT_SETTINGS, runs: 100, topologies: ['simplex' as const, 'tmr' as const] };

  it('counts each topology\'s runs apart, batch by batch', () => {
    let state = withStatus(started(settings), 'simplex', 'running');
    state = withRecords(state, 'simplex', [run(1, 'sdc'), run(0, 'masked')]);
    state = withRecords(state, 'simplex', [run(2, 'sdc'), run(3, 'crash')]);
    const [simplex, tmr] = state.rows;
    expect(simplex).toMatchObject({ status: 'running', done: 4, counts: { sdc: 2, masked: 1, crash: 1, recovered: 0 } });
    expect(tmr).toMatchObject({ status: 'waiting', done: 0 });
    expect(shares(tmr)).toBeUndefined();
    expect(shares(simplex)!.sdc.fraction).toBe(0.5);
  });

  it('stacks the outcomes seen, in the summary\'s order, over the whole bar', () => {
    const state = withRecords(started(settings), 'tmr', [run(0, 'recovered'), run(1, 'masked'), run(2, 'recovered'), run(3, 'recovered')]);
    expect(segments(state.rows[1])).toEqual([['masked', 0, 0.25], ['recovered', 0.25, 1]]);
  });

  it('lists the failing runs with the lowest numbers, whatever order they came in', () => {
    const failures = Array.from({ length: LISTED_FAILURES + 5 }, (_, i) => run(100 - i, i % 2 ? 'sdc' : 'hang'));
    const state = withRecords(started(settings), 'simplex', [...failures, run(0, 'masked'), run(1, 'recovered')]);
    const listed = state.rows[0].failing.map((r) => r.k);
    expect(listed).toEqual(Array.from({ length: LISTED_FAILURES }, (_, i) => 76 + i));
  });

  it('writes a share and its 95 % interval', () => {
    // 1 of 4: Wilson 95 % interval [0.0456, 0.6994].
    expect(shareText({ count: 1, fraction: 0.25, ci95: [0.0456, 0.6994], ci99: [0, 1] })).toBe('25.0 % (4.6 % – 69.9 %)');
    expect(shareText({ count: 1, fraction: 0.004, ci95: [0.0007, 0.0224], ci99: [0, 1] })).toBe('0.40 % (0.07 % – 2.2 %)');
  });

  it.each([
    [{ runs: 0 }, /Runs must be a whole number from 1 to 10,000/],
    [{ runs: 10_001 }, /Runs must be/],
    [{ runs: 2.5 }, /Runs must be/],
    [{ seed: -1 }, /seed must be/],
    [{ topologies: [] }, /at least one topology/],
    [{ kinds: [] }, /at least one kind/],
  ])('refuses %j', (patch, message) => {
    expect(checkSettings({ ...settings, ...patch })).toMatch(message);
  });

  it('takes the defaults', () => {
    expect(checkSettings(DEFAULT_SETTINGS)).toBeUndefined();
  });
});
