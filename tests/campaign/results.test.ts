/**
 * The results file and the summary: a truncated last line is dropped, never parsed as a
 * run; anything else that is not a run of the campaign is refused; shards are disjoint and
 * cover the campaign; the summary's figures for a hand-made set of runs, whatever their order.
 */
import { describe, expect, it } from 'vitest';
import { formatLine, headerDifference, parseResults, ResultsError, RESULTS_FORMAT, RESULTS_VERSION, shardRuns, type CampaignHeader } from '../../src/campaign/results.ts';
import { reproduceCommand, summarize } from '../../src/campaign/summary.ts';
import type { RunRecord } from '../../src/campaign/engine.ts';
import { CAMPAIGN_OUTCOMES } from '../../src/campaign/outcomes.ts';
import { OUTCOMES } from '../../src/fault/classify.ts';
import { CampaignSummarySchema, coverageFromCampaign } from '../../src/availability/campaign.ts';

const header: CampaignHeader = {
  format: RESULTS_FORMAT, version: RESULTS_VERSION, program: { path: 'prog dir/checksum.s', sha256: 'ab' }, workload: null,
  topology: 'dmr', compare: 'every', ram_mib: 1, seed: 7, runs: 10, confidence: 0.95,
  space: { kinds: ['flip'], targets: ['regs'], window: [0, 100], modules: [0, 1] }, background: [], fault_space_size: 1000,
  reference: { instructions: 100, exit_code: 0, stdout_bytes: 3, ledger: null }, shard: { index: 1, count: 1 },
};

const run = (k: number, outcome: RunRecord['outcome'], latency: number | null = null): RunRecord => ({
  k, fault: `at=${k},module=1,kind=flip,target=x5,bit=3`, outcome, latency, instructions: 100, ledger: null, early: false,
});

/** Ten runs: 4 masked, 3 recovered (latencies 1, 5, 9), 1 failstop (latency 2), 2 sdc. */
const RUNS = [
  run(0, 'masked'), run(1, 'recovered', 5), run(2, 'sdc'), run(3, 'masked'), run(4, 'failstop', 2),
  run(5, 'recovered', 1), run(6, 'masked'), run(7, 'sdc'), run(8, 'recovered', 9), run(9, 'masked'),
];

describe('the results file', () => {
  const text = formatLine(header) + RUNS.slice(0, 3).map(formatLine).join('');

  it('reads back what was written', () => {
    const file = parseResults(text, 'r.jsonl');
    expect(file.header).toEqual(header);
    expect(file.records).toEqual(RUNS.slice(0, 3));
    expect(file.truncated).toBe(false);
    expect(file.validBytes).toBe(new TextEncoder().encode(text).length);
  });

  it('drops a last line cut short at any byte, and says where the whole lines end', () => {
    const next = formatLine(RUNS[3]);
    for (let cut = 1; cut < next.length; cut++) {
      const file = parseResults(text + next.slice(0, cut), 'r.jsonl');
      expect(file.records).toEqual(RUNS.slice(0, 3));
      expect(file.truncated).toBe(true);
      expect(file.validBytes).toBe(text.length);
    }
  });

  it.each([
    ['a line that is not JSON', formatLine(header) + '{"k":1,\n' + formatLine(RUNS[2]), /line 2 is not JSON/],
    ['a run outside the campaign', formatLine(header) + formatLine({ ...RUNS[0], k: 10 }), /line 2: k is not a run number below 10/],
    ['an unknown outcome', formatLine(header) + formatLine({ ...RUNS[0], outcome: 'fine' as never }), /unknown outcome "fine"/],
    ['a run twice with different results', formatLine(header) + formatLine(RUNS[0]) + formatLine({ ...RUNS[0], outcome: 'sdc' }), /run 0 appears twice/],
    ['a run of another shard', formatLine({ ...header, shard: { index: 2, count: 3 } }) + formatLine(RUNS[0]), /not in shard 2\/3/],
    ['no header', formatLine(RUNS[0]), /line 1 is not a campaign header/],
    // A header edited by hand: numbers the statistics and the shards take, out of range.
    ['a confidence of 2', formatLine({ ...header, confidence: 2 }), /line 1: confidence is not a fraction strictly between 0 and 1/],
    ['no runs', formatLine({ ...header, runs: 0 }), /line 1: runs is not a count of 1 or more/],
    ['an empty fault space', formatLine({ ...header, fault_space_size: 0 }), /line 1: fault_space_size is not a count/],
    ['shard 3 of 2', formatLine({ ...header, shard: { index: 3, count: 2 } }), /line 1: shard is not \{index, count\} with 1 ≤ index ≤ count/],
    ['no shard', formatLine({ ...header, shard: undefined as never }), /line 1: shard is not/],
    ['nothing', '', /no header line/],
  ])('refuses %s', (_what, contents, message) => {
    expect(() => parseResults(contents, 'r.jsonl')).toThrow(ResultsError);
    expect(() => parseResults(contents, 'r.jsonl')).toThrow(message);
  });

  it('headers differ in the fields that make another campaign, not in the shard', () => {
    expect(headerDifference(header, { ...header, shard: { index: 2, count: 2 } })).toBeUndefined();
    expect(headerDifference(header, { ...header, seed: 8 })).toBe('seed');
    expect(headerDifference(header, { ...header, space: { ...header.space, kinds: ['ecc'] } })).toBe('space');
  });

  it('shards are disjoint and together the whole campaign', () => {
    const shards = [1, 2, 3].map((index) => shardRuns(10, { index, count: 3 }));
    expect(shards).toEqual([[0, 3, 6, 9], [1, 4, 7], [2, 5, 8]]);
    expect(shardRuns(2, { index: 3, count: 3 })).toEqual([]);
  });
});

describe('the summary', () => {
  const summary = summarize(header, RUNS);

  it('lists every outcome of DESIGN §6, with zeros', () => {
    expect(Object.keys(summary.outcomes)).toEqual([...CAMPAIGN_OUTCOMES]);
    for (const o of [...OUTCOMES, 'failover']) expect(CAMPAIGN_OUTCOMES).toContain(o);
    expect(summary.outcomes.hang).toEqual({ count: 0, fraction: 0, ci95: [0, expect.any(Number)], ci99: [0, expect.any(Number)] });
    expect(summary.outcomes.sdc.count).toBe(2);
    expect(summary.outcomes.sdc.fraction).toBe(0.2);
    expect(summary.outcomes.masked.count + summary.outcomes.recovered.count).toBe(7);
  });

  it('latency percentiles by nearest rank over the 4 detected runs (1, 2, 5, 9)', () => {
    expect(summary.latency).toEqual({ detected: 4, p50: 2, p90: 9, p99: 9, max: 9 });
  });

  it('extrapolates failures to the 1,000-fault space, and states the margin 10 runs achieve', () => {
    expect(summary.absolute_failures).toEqual({ failstop: 100, sdc: 200, hang: 0, crash: 0, failover: 0, total: 300 });
    // 1.959964 × √(0.25 × 990 / (10 × 999)) = 1.959964 × 0.1574010 = 0.308500
    expect(summary.margin).toBeCloseTo(0.3085, 4);
  });

  it('no zero-escape bound with an sdc; (1 − γ)^(1/n) without one', () => {
    expect(summary.zero_escape).toEqual({ activated: 10, sdc: 2, coverage: null });
    const clean = summarize(header, RUNS.map((r) => (r.outcome === 'sdc' ? { ...r, outcome: 'recovered' as const } : r)));
    expect(clean.zero_escape.coverage).toBeCloseTo(0.05 ** (1 / 10), 12);
  });

  it('reproduces the lowest-numbered run of each outcome seen, masked aside', () => {
    expect(summary.reproduce).toEqual({
      recovered: "lockstep run 'prog dir/checksum.s' --topology dmr --inject at=1,module=1,kind=flip,target=x5,bit=3 --classify",
      failstop: "lockstep run 'prog dir/checksum.s' --topology dmr --inject at=4,module=1,kind=flip,target=x5,bit=3 --classify",
      sdc: "lockstep run 'prog dir/checksum.s' --topology dmr --inject at=2,module=1,kind=flip,target=x5,bit=3 --classify",
    });
  });

  it('a workload run is reproduced with its workload options and without --classify', () => {
    const workload = { ...header, program: null, workload: { name: 'card-auth', duration: '20ms', rate: 500, fifo: null, seed: 3 } };
    expect(reproduceCommand(workload, 'at=1,module=0,kind=kill')).toBe('lockstep run --workload card-auth --duration 20ms --seed 3 --rate 500 --topology dmr --inject at=1,module=0,kind=kill');
  });

  it('is the same bytes whatever order the runs finished in', () => {
    const shuffled = [RUNS[7], RUNS[2], RUNS[9], RUNS[0], RUNS[5], RUNS[1], RUNS[8], RUNS[3], RUNS[6], RUNS[4]];
    expect(JSON.stringify(summarize(header, shuffled))).toBe(JSON.stringify(summary));
  });

  it('is a campaign summary the availability tool reads (dmr: recovered / unmasked = 3 / 6)', () => {
    expect(CampaignSummarySchema.safeParse(summary).success).toBe(true);
    const coverage = coverageFromCampaign(JSON.parse(JSON.stringify(summary)), 's.json', 'point');
    expect(coverage).toMatchObject({ parameter: 'coverage', recovered: 3, effective: 6, value: 0.5 });
  });
});
