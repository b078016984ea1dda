/**
 * `lockstep compare --workload W [--rate R] [--duration T] [--seed S] [--fifo N]
 * [--fault hard[@TIME]|transient[@TIME]]... [--json]`: the same arrivals and the same faults
 * on every topology, failover systems and lockstep machines alike (src/system/compare.ts),
 * as one table — or `{ rows: [...] }` with --json.
 */
import type { Command } from 'commander';
import { parseDuration } from '../transactions/time.ts';
import { variantOf, WORKLOADS, workloadByName } from '../transactions/workloads/index.ts';
import type { Workload } from '../transactions/workloads/workload.ts';
import { COMPARE_FAULTS, COMPARE_TOPOLOGIES, compare, type CompareFaultSpec, type CompareRow, type CompareRun, type CompareTopology } from '../system/compare.ts';
import { DEFAULT_FAILOVER } from '../system/settings.ts';
import { asUsage, exitStatusHelp, UsageError } from './errors.ts';
import { count, roundedTime } from './format.ts';
import { err, out } from './io.ts';
import { parseArrivalRate, parseChoice, parseCount } from './numbers.ts';
import { checkFeedFlags, failoverOptions, DEFAULT_DURATION } from './workload-run.ts';
import { workloadProgram } from './workload-program.ts';
import { formatFault } from '../fault/spec.ts';

export interface CompareCommandOptions {
  workload?: string;
  rate?: string;
  duration?: string;
  seed?: string;
  fifo?: string;
  fault: string[];
  topology?: string;
  json?: boolean;
  checkpointEvery?: string;
  heartbeat?: string;
  missed?: string;
  failoverTime?: string;
}

/** `hard`, `transient`, `hard@500ms`: the fault at its time, or at `defaultUs`. */
function parseCompareFault(text: string, defaultUs: number): CompareFaultSpec {
  const [kindText, time, extra] = text.trim().split('@');
  if (extra !== undefined) throw new UsageError(`--fault '${text}': expected KIND or KIND@TIME, e.g. hard@500ms`);
  const kind = parseChoice(kindText, COMPARE_FAULTS, `--fault '${text}'`);
  if (time === undefined) return { kind, atUs: defaultUs };
  return { kind, atUs: asUsage(() => parseDuration(time), `--fault '${text}'`) };
}

/** The workload's pair-aware rewrite. */
function pairAwareOf(workload: Workload, registry: ReadonlyMap<string, Workload>): Workload {
  const pair = variantOf(workload, 'pair-aware', registry);
  if (!pair) throw new UsageError(`--workload ${workload.name}: it has no pair-aware version to run on the process pair (workloads with one: ${[...registry.values()].filter((w) => w.applicationChanges === 'pair-aware').map((w) => w.original!.name).join(', ')})`);
  return pair;
}

/** The table for people: one line per topology and fault. */
export function formatCompare(rows: readonly CompareRow[], title: string): string {
  const header = ['topology', 'fault', 'lost', 'duplicated', 'wrong', 'deadline misses', 'downtime', 'application changes', 'modules', 'instructions/tx'];
  const lines = rows.map((r) => [
    r.topology, r.fault, count(r.lost), count(r.duplicated), count(r.wrong), count(r.deadline_misses), roundedTime(r.downtime_us),
    r.application_changes, String(r.modules), count(r.instructions_per_transaction),
  ]);
  const widths = header.map((h, k) => Math.max(h.length, ...lines.map((l) => l[k].length)));
  const text = (cells: string[]) => cells.map((c, k) => (k < 2 || k === 7 ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ').trimEnd();
  return `${title}\n${text(header)}\n${lines.map(text).join('\n')}\n`;
}

/** How to reproduce a row with `lockstep run` (the same ledger). */
export function runCommandFor(run: CompareRun, options: CompareCommandOptions): string {
  const parts = ['lockstep run --workload', run.workload, '--topology', run.topology];
  if (run.clusterAware) parts.push(`--cluster-aware=${run.clusterAware}`);
  for (const [flag, value] of [['--rate', options.rate], ['--duration', options.duration], ['--seed', options.seed], ['--fifo', options.fifo],
    ['--heartbeat', options.heartbeat], ['--missed', options.missed], ['--failover-time', options.failoverTime]] as const) {
    if (value !== undefined) parts.push(flag, value);
  }
  if (run.topology === 'cluster' && options.checkpointEvery !== undefined) parts.push('--checkpoint-every', options.checkpointEvery);
  parts.push('--inject', formatFault(run.fault));
  return parts.join(' ');
}

export async function compareCommand(options: CompareCommandOptions, registry: ReadonlyMap<string, Workload> = WORKLOADS): Promise<number> {
  if (options.workload === undefined) throw new UsageError('compare needs a workload: lockstep compare --workload card-auth');
  const workload = asUsage(() => workloadByName(options.workload!, registry), '--workload');
  const durationText = options.duration ?? DEFAULT_DURATION;
  const durationUs = asUsage(() => parseDuration(durationText), '--duration');
  const rate = options.rate === undefined ? undefined : parseArrivalRate(options.rate, '--rate');
  const faultTexts = options.fault.length > 0 ? options.fault : [...COMPARE_FAULTS];
  const faults = faultTexts.map((f) => parseCompareFault(f, Math.round(durationUs / 2)));
  const topologies = options.topology === undefined ? undefined
    : options.topology.split(',').map((t) => parseChoice(t.trim(), COMPARE_TOPOLOGIES, '--topology') as CompareTopology);
  const original = variantOf(workload, 'none', registry)!;
  const pairAware = (topologies ?? COMPARE_TOPOLOGIES).includes('process-pair-aware') ? pairAwareOf(original, registry) : original;
  const failover = failoverOptions({ ...options, inject: [], replace: [] }, 'cluster');
  const feed = {
    durationUs, rate, seed: options.seed === undefined ? undefined : parseCount(options.seed, '--seed'),
    fifo: options.fifo === undefined ? undefined : parseCount(options.fifo, '--fifo'),
  };
  checkFeedFlags({ workload: original, ...feed });
  const runs = await asUsage(() => compare({
    workload: original, pairAware, programOf: workloadProgram, feed, faults, failover, topologies,
    onRow: (_row, index, total) => { if (!options.json && process.stderr.isTTY) err(`\r${index + 1}/${total} runs`); },
  }));
  if (!options.json && process.stderr.isTTY) err('\r');
  const rows = runs.map((r) => r.row);
  if (options.json) {
    out(`${JSON.stringify({ rows }, null, 2)}\n`);
    return 0;
  }
  const when = faults.map((f) => `${f.kind} at ${roundedTime(f.atUs)}`).join(', ');
  out(formatCompare(rows, `${workload.name}, ${durationText} at ${rate ?? 'the default rate'}${rate ? '/s' : ''}, seed ${feed.seed ?? 1}; faults: ${when} (hard: module 0 / the primary killed; transient: one bit of live data flipped in module 0)`));
  out('\nReproduce a row: ' + runCommandFor(runs.find((r) => r.row.topology === 'cluster') ?? runs[0], options) + '\n');
  return 0;
}

export function addCompareCommand(cli: Command, setStatus: (status: number) => void): void {
  const collect = (value: string, previous: string[]) => [...previous, value];
  cli.command('compare')
    .description('the same transactions and faults on every topology, failover clusters and process pairs beside lockstep: one table')
    .option('--workload <name>', `a transaction workload: ${[...WORKLOADS.values()].filter((w) => w.applicationChanges === 'none').map((w) => w.name).join(', ')}`)
    .option('--rate <r>', 'transactions per virtual second (default: the workload\'s)')
    .option('--duration <time>', `virtual time each run lasts (default ${DEFAULT_DURATION})`)
    .option('--seed <s>', 'seed of the arrivals and payloads (default 1)')
    .option('--fifo <n>', 'input FIFO depth, 1..1024 (default 64)')
    .option('--fault <spec>', 'hard or transient, optionally @TIME (default: both, at half the duration; repeatable)', collect, [])
    .option('--topology <names>', `comma-separated rows (default all: ${COMPARE_TOPOLOGIES.join(', ')})`)
    .option('--checkpoint-every <n>', `cluster checkpoint interval, instructions (default ${DEFAULT_FAILOVER.checkpointEvery})`)
    .option('--heartbeat <time>', `heartbeat period (default ${DEFAULT_FAILOVER.heartbeatUs / 1000}ms)`)
    .option('--missed <n>', `missed heartbeats before failover (default ${DEFAULT_FAILOVER.missed})`)
    .option('--failover-time <time>', `failover time after the declaration (default ${DEFAULT_FAILOVER.failoverTimeUs / 1000}ms)`)
    .option('--json', 'print { "rows": [...] } instead of the table')
    .addHelpText('after', `\n${exitStatusHelp('other')}`)
    .action(async (options: CompareCommandOptions) => setStatus(await compareCommand(options)));
}
