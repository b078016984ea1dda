/**
 * The campaign panel's state: what a campaign of the loaded program counts per
 * topology while it runs, and the figures the panel draws: each outcome's share and Wilson
 * 95 % interval, and the failing runs a user can load into the machine to watch.
 */
import type { RunRecord } from '../../src/campaign/engine.ts';
import { CAMPAIGN_OUTCOMES, type CampaignOutcome } from '../../src/campaign/outcomes.ts';
import { proportion, type Proportion } from '../../src/campaign/summary.ts';
import type { FaultKind } from '../../src/fault/spec.ts';
import type { Topology } from '../../src/machine/topology.ts';

/** The most runs a campaign in the page may have (per topology). */
export const MAX_PAGE_RUNS = 10_000;
/** Failing runs listed per topology (the first ones, by run number). */
export const LISTED_FAILURES = 20;
/** Outcomes the list of failing runs shows. */
export const LISTED_OUTCOMES: readonly CampaignOutcome[] = ['sdc', 'crash', 'hang', 'failstop'];

export interface CampaignSettings {
  runs: number;
  seed: number;
  topologies: Topology[];
  kinds: FaultKind[];
}

export type RowStatus = 'waiting' | 'preparing' | 'running' | 'done' | 'stopped' | 'failed';

export interface TopologyRow {
  topology: Topology;
  status: RowStatus;
  counts: Record<CampaignOutcome, number>;
  done: number;
  /** Failing runs (LISTED_OUTCOMES), lowest run numbers first, at most LISTED_FAILURES. */
  failing: RunRecord[];
}

export interface CampaignState {
  settings: CampaignSettings;
  rows: TopologyRow[];
  running: boolean;
  /** Why the campaign could not run (no program, a bad setting, the program does not exit). */
  error?: string;
}

export const DEFAULT_SETTINGS: CampaignSettings = { runs: 1000, seed: 1, topologies: ['simplex', 'dmr', 'pair-spare', 'tmr'], kinds: ['flip'] };

const zeroCounts = () => Object.fromEntries(CAMPAIGN_OUTCOMES.map((o) => [o, 0])) as Record<CampaignOutcome, number>;

/** A problem with `settings`, in words, or undefined. */
export function checkSettings(settings: CampaignSettings): string | undefined {
  if (!Number.isInteger(settings.runs) || settings.runs < 1 || settings.runs > MAX_PAGE_RUNS) return `Runs must be a whole number from 1 to ${MAX_PAGE_RUNS.toLocaleString('en-US')}.`;
  if (!Number.isInteger(settings.seed) || settings.seed < 0 || settings.seed > 0xFFFF_FFFF) return 'The seed must be a whole number from 0 to 4294967295.';
  if (settings.topologies.length === 0) return 'Choose at least one topology.';
  if (settings.kinds.length === 0) return 'Choose at least one kind of fault.';
  return undefined;
}

/** A campaign about to start: a waiting row per topology. */
export function started(settings: CampaignSettings): CampaignState {
  return {
    settings, running: true,
    rows: settings.topologies.map((topology) => ({ topology, status: 'waiting', counts: zeroCounts(), done: 0, failing: [] })),
  };
}

export function withStatus(state: CampaignState, topology: Topology, status: RowStatus): CampaignState {
  return { ...state, rows: state.rows.map((r) => (r.topology === topology ? { ...r, status } : r)) };
}

/** `records` of `topology`'s campaign counted. */
export function withRecords(state: CampaignState, topology: Topology, records: readonly RunRecord[]): CampaignState {
  return {
    ...state,
    rows: state.rows.map((row) => {
      if (row.topology !== topology) return row;
      const counts = { ...row.counts };
      for (const r of records) counts[r.outcome]++;
      const failing = [...row.failing, ...records.filter((r) => LISTED_OUTCOMES.includes(r.outcome))]
        .sort((a, b) => a.k - b.k).slice(0, LISTED_FAILURES);
      return { ...row, counts, done: row.done + records.length, failing };
    }),
  };
}

/** Each outcome's share of the runs done so far, with its Wilson intervals; undefined before the first run. */
export function shares(row: TopologyRow): Record<CampaignOutcome, Proportion> | undefined {
  if (row.done === 0) return undefined;
  return Object.fromEntries(CAMPAIGN_OUTCOMES.map((o) => [o, proportion(row.counts[o], row.done)])) as Record<CampaignOutcome, Proportion>;
}

/** The stacked bar's segments: [outcome, start, end] as fractions of the runs done, in CAMPAIGN_OUTCOMES order, empty ones left out. */
export function segments(row: TopologyRow): [CampaignOutcome, number, number][] {
  const out: [CampaignOutcome, number, number][] = [];
  let at = 0;
  for (const o of CAMPAIGN_OUTCOMES) {
    if (row.counts[o] === 0) continue;
    const width = row.counts[o] / row.done;
    out.push([o, at, at + width]);
    at += width;
  }
  return out;
}

const percent = (f: number) => `${(f * 100).toFixed(f > 0 && f < 0.01 ? 2 : 1)} %`;

/** "2.5 % (1.6 – 3.8 %)": a share and its 95 % interval. */
export function shareText(p: Proportion): string {
  return `${percent(p.fraction)} (${percent(p.ci95[0])} – ${percent(p.ci95[1])})`;
}
