/**
 * A campaign's summary (`--summary FILE`, `--json`): each outcome's count, share and Wilson
 * intervals, detection-latency percentiles, the zero-escape bound, the margin the runs
 * achieve, the failures extrapolated to the whole fault space, and, for every outcome seen
 * but `masked`, the command that reproduces one of its runs. It is a pure function of the
 * header and the set of runs: the same runs give the same bytes, in whatever order they
 * finished, whichever shard ran them.
 */
import type { RunRecord } from './engine.ts';
import { CAMPAIGN_OUTCOMES, type CampaignOutcome } from './outcomes.ts';
import type { CampaignHeader } from './results.ts';
import { achievedMargin, percentile, wilson, zeroEscapeCoverage } from './stats.ts';
import type { Ledger } from '../transactions/ledger.ts';

export interface Proportion {
  count: number;
  fraction: number;
  /** Wilson score intervals of the fraction. */
  ci95: [number, number];
  ci99: [number, number];
}

/** Outcomes that are failures of the machine: what absolute_failures counts. */
export const FAILURES = ['failstop', 'sdc', 'hang', 'crash', 'failover'] as const satisfies readonly CampaignOutcome[];

/** Ledger classes a run of a workload campaign can show beyond the fault-free run's. */
export const LEDGER_CLASSES = ['wrong', 'lost', 'duplicated', 'deadline_misses'] as const satisfies readonly (keyof Ledger)[];

export interface CampaignSummary {
  runs: number;
  topology: string;
  seed: number;
  program: string | null;
  workload: string | null;
  fault_space_size: number;
  space: CampaignHeader['space'];
  confidence: number;
  outcomes: Record<CampaignOutcome, Proportion>;
  /** Detection latency (instructions from the fault to its detection) over the runs with a detection; null without any. */
  latency: { detected: number; p50: number | null; p90: number | null; p99: number | null; max: number | null };
  /**
   * With no sdc among the activated faults (every run but not-activated): the coverage they
   * prove at `confidence`, (1 − confidence)^(1/activated); null when there was an sdc.
   */
  zero_escape: { activated: number; sdc: number; coverage: number | null };
  /** fault_space_size × each failure outcome's fraction: how many faults of the space fail the machine. */
  absolute_failures: Record<(typeof FAILURES)[number] | 'total', number>;
  /** Half-width at `confidence` these runs achieve over the space, worst case p = 0.5 (Leveugle's formula solved for e). */
  margin: number;
  /** Workload campaigns: runs with more of each ledger class than the fault-free run, and ledger totals over all runs. */
  ledger?: {
    reference: Ledger;
    runs_with: Record<(typeof LEDGER_CLASSES)[number], Proportion>;
    totals: Pick<Ledger, 'arrived' | 'correct' | 'wrong' | 'lost' | 'duplicated' | 'queued'>;
  };
  /** For each outcome seen but masked, a command that reproduces its first run (lowest k). */
  reproduce: Partial<Record<CampaignOutcome, string>>;
}

export function proportion(count: number, n: number): Proportion {
  return { count, fraction: count / n, ci95: wilson(count, n, 0.95), ci99: wilson(count, n, 0.99) };
}

/** A word as a POSIX shell reads it back unchanged. */
function shellQuote(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The `lockstep run` command that runs `fault` alone as this campaign ran it, with its verdict (or ledger). */
export function reproduceCommand(header: CampaignHeader, fault: string): string {
  const words = ['lockstep', 'run'];
  if (header.workload) {
    const w = header.workload;
    words.push('--workload', w.name, '--duration', w.duration, '--seed', String(w.seed));
    if (w.rate !== null) words.push('--rate', String(w.rate));
    if (w.fifo !== null) words.push('--fifo', String(w.fifo));
  }
  if (header.program) words.push(header.program.path);
  words.push('--topology', header.topology);
  if (header.compare !== 'every') words.push('--compare', header.compare);
  if (header.ram_mib !== 1) words.push('--ram', String(header.ram_mib));
  for (const f of header.background ?? []) words.push('--inject', f);
  words.push('--inject', fault);
  if (!header.workload) words.push('--classify');
  return words.map(shellQuote).join(' ');
}

/** The summary of `records` (runs of the campaign `header` names, each once; at least one). */
export function summarize(header: CampaignHeader, records: readonly RunRecord[]): CampaignSummary {
  const runs = [...records].sort((a, b) => a.k - b.k);
  const n = runs.length;
  if (n === 0) throw new Error('a summary needs at least one run');
  const counts = Object.fromEntries(CAMPAIGN_OUTCOMES.map((o) => [o, 0])) as Record<CampaignOutcome, number>;
  for (const r of runs) counts[r.outcome]++;
  const outcomes = Object.fromEntries(CAMPAIGN_OUTCOMES.map((o) => [o, proportion(counts[o], n)])) as Record<CampaignOutcome, Proportion>;
  const latencies = runs.flatMap((r) => (r.latency === null ? [] : [r.latency])).sort((a, b) => a - b);
  const at = (p: number) => (latencies.length > 0 ? percentile(latencies, p) : null);
  const activated = n - counts['not-activated'];
  const size = header.fault_space_size;
  const absolute = Object.fromEntries(FAILURES.map((o) => [o, Math.round(size * (counts[o] / n))])) as CampaignSummary['absolute_failures'];
  absolute.total = Math.round(size * (FAILURES.reduce((sum, o) => sum + counts[o], 0) / n));
  const reproduce: CampaignSummary['reproduce'] = {};
  for (const o of CAMPAIGN_OUTCOMES) {
    const first = o === 'masked' ? undefined : runs.find((r) => r.outcome === o);
    if (first) reproduce[o] = reproduceCommand(header, first.fault);
  }
  const reference = header.reference.ledger;
  let ledger: CampaignSummary['ledger'];
  if (reference) {
    const ledgers = runs.map((r) => r.ledger!);
    const runsWith = Object.fromEntries(LEDGER_CLASSES.map((c) => [c, proportion(ledgers.filter((l) => l[c] > reference[c]).length, n)]));
    const total = (field: keyof NonNullable<CampaignSummary['ledger']>['totals']) => ledgers.reduce((sum, l) => sum + l[field], 0);
    ledger = {
      reference,
      runs_with: runsWith as NonNullable<CampaignSummary['ledger']>['runs_with'],
      totals: { arrived: total('arrived'), correct: total('correct'), wrong: total('wrong'), lost: total('lost'), duplicated: total('duplicated'), queued: total('queued') },
    };
  }
  return {
    runs: n,
    topology: header.topology,
    seed: header.seed,
    program: header.program?.path ?? null,
    workload: header.workload?.name ?? null,
    fault_space_size: size,
    space: header.space,
    confidence: header.confidence,
    outcomes,
    latency: { detected: latencies.length, p50: at(50), p90: at(90), p99: at(99), max: latencies.at(-1) ?? null },
    zero_escape: {
      activated,
      sdc: counts.sdc,
      coverage: counts.sdc === 0 && activated > 0 ? zeroEscapeCoverage(activated, header.confidence) : null,
    },
    absolute_failures: absolute,
    margin: achievedMargin(size, n, header.confidence),
    ...(ledger ? { ledger } : {}),
    reproduce,
  };
}
