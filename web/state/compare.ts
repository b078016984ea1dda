/**
 * The compare view's side: what it asks the worker for — the comparison table of
 * src/system/compare.ts for the workload the page runs, with its settings, the faults at one
 * virtual time and the failover settings in force — the same request as a `lockstep compare`
 * command line, and the bars: one column per measure, each on its own scale.
 */
import type { CompareRequest } from '../../src/worker/session.ts';
import type { CompareFault, CompareRow, CompareTopology } from '../../src/system/compare.ts';
import { isSystemTopology } from '../../src/system/settings.ts';
import { formatTime } from '../../src/fault/spec.ts';
import { resolveWorkloadSettings, type WorkloadSettings } from '../../src/transactions/settings.ts';
import { variantOf, workloadByName } from '../../src/transactions/workloads/index.ts';
import { defaultFailover, resolvedFailover } from './failover.ts';
import { EXAMPLES } from './examples.ts';
import type { MachineSettings } from './controller.ts';

/** The measures the bars show, in order; `downtime_us` in virtual µs, the others counts of transactions. */
export const COMPARE_MEASURES = [
  { field: 'lost', label: 'lost', help: 'never answered: dropped at the full FIFO, or rolled back by a failover' },
  { field: 'duplicated', label: 'duplicated', help: 'results that reached the receiver twice' },
  { field: 'wrong', label: 'wrong', help: 'answered wrongly: silent data corruption' },
  { field: 'downtime_us', label: 'downtime', help: 'virtual time during which no result could be produced' },
] as const satisfies readonly { field: keyof CompareRow; label: string; help: string }[];
export type CompareMeasure = (typeof COMPARE_MEASURES)[number]['field'];

/** What each fault of the comparison does, as the view says it. */
export const FAULT_LABELS: Record<CompareFault, string> = {
  hard: 'hard: module 0 (the primary host) killed',
  transient: 'transient: one bit flipped in the live data the next transaction reads, in module 0',
};

/** Where the faults strike by default: half-way through the run, as `lockstep compare` does. */
export function defaultFaultTimeUs(workload: WorkloadSettings): number {
  return Math.round(resolveWorkloadSettings(workload).durationUs / 2);
}

/**
 * The failover systems' settings for the comparison: the page's cluster or process pair
 * when one is chosen (a process pair has no checkpoint interval: the cluster rows then take
 * the page's default), else the page's defaults for a cluster (defaultFailover).
 */
export function compareFailover(settings: MachineSettings): NonNullable<CompareRequest['failover']> {
  const topology = settings.topology;
  const chosen = isSystemTopology(topology) ? resolvedFailover(topology, settings.failover) : resolvedFailover('cluster', defaultFailover('cluster'));
  return {
    heartbeatUs: chosen.heartbeatUs, missed: chosen.missed, failoverTimeUs: chosen.failoverTimeUs,
    checkpointEvery: topology === 'process-pair' ? defaultFailover('cluster').checkpointEvery! : chosen.checkpointEvery,
  };
}

/** The application's versions the page ships (as written, pair-aware), by workload name: sources for the rows the loaded program is not. */
function versionSources(name: string): Record<string, string> {
  const workload = workloadByName(name);
  const versions = [variantOf(workload, 'none'), variantOf(workload, 'pair-aware')].flatMap((w) => (w ? [w.name] : []));
  return Object.fromEntries(EXAMPLES.flatMap((e) => (e.workload && e.workload !== name && versions.includes(e.workload) ? [[e.workload, e.source]] : [])));
}

/** The request for `workload` as the page runs it, `faults` at `atUs`, every row. Throws RangeError for an unknown workload. */
export function compareRequest(workload: WorkloadSettings, settings: MachineSettings, faults: readonly CompareFault[], atUs: number): CompareRequest {
  return {
    workload: { ...workload },
    faults: faults.map((kind) => ({ kind, atUs })),
    failover: compareFailover(settings),
    sources: versionSources(workload.name),
  };
}

/**
 * The `lockstep compare` command that prints the same rows (`--json` for the numbers in
 * full), when the programs are the shipped ones: it runs examples/, the page the programs it
 * has loaded.
 */
export function compareCommand(request: CompareRequest, topologies: readonly CompareTopology[]): string {
  const w = resolveWorkloadSettings(request.workload);
  const f = request.failover ?? {};
  const parts = ['lockstep compare --workload', variantOf(workloadByName(w.name), 'none')!.name];
  if (w.rate !== undefined) parts.push('--rate', String(w.rate));
  parts.push('--duration', w.duration, '--seed', String(w.seed), '--fifo', String(w.fifo));
  for (const fault of request.faults) parts.push('--fault', `${fault.kind}@${formatTime(fault.atUs)}`);
  if (f.heartbeatUs !== undefined) parts.push('--heartbeat', formatTime(f.heartbeatUs));
  if (f.missed !== undefined) parts.push('--missed', String(f.missed));
  if (f.failoverTimeUs !== undefined) parts.push('--failover-time', formatTime(f.failoverTimeUs));
  if (f.checkpointEvery !== undefined) parts.push('--checkpoint-every', String(f.checkpointEvery));
  parts.push('--topology', topologies.join(','));
  return parts.join(' ');
}

/** The topologies of `rows`, in the order they first appear. */
export function rowTopologies(rows: readonly CompareRow[]): CompareTopology[] {
  return [...new Set(rows.map((r) => r.topology))];
}

/** The largest value of each measure over `rows` (the bars' scale: the same for every fault, so they compare). */
export function measureScale(rows: readonly CompareRow[]): Record<CompareMeasure, number> {
  return Object.fromEntries(COMPARE_MEASURES.map((m) => [m.field, Math.max(0, ...rows.map((r) => r[m.field]))])) as Record<CompareMeasure, number>;
}
