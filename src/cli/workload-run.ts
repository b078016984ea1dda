/**
 * `lockstep run --workload NAME [PROGRAM]`: runs a transaction workload for --duration of
 * virtual time (src/transactions), the guest's console on stdout, the ledger as a table on
 * stderr and in the report (`ledger`). PROGRAM replaces the workload's own program
 * (examples/<source>). Exit status: the guest's, as for `lockstep run`, if the machine
 * stopped; 0 if it was still up at the end.
 */
import { readFileSync } from 'node:fs';
import { buildReport } from '../machine/report.ts';
import { formatTraceEntry } from '../machine/trace.ts';
import { checkFeedOptions, TransactionFeed, DEFAULT_FIFO_DEPTH, DEFAULT_SEED, type FeedOptions } from '../transactions/feed.ts';
import { parseTrace, DEFAULT_RATE, type TraceArrival } from '../transactions/arrivals.ts';
import { parseDuration } from '../transactions/time.ts';
import { WORKLOADS, workloadByName } from '../transactions/workloads/index.ts';
import type { Workload } from '../transactions/workloads/workload.ts';
import { processConsole } from './console.ts';
import { checkOutputPath, err, openOutputFile } from './io.ts';
import { asUsage, UsageError } from './errors.ts';
import { parseArrivalRate, parseCount } from './numbers.ts';
import { formatLedger } from './ledger-table.ts';
import { workloadProgram } from './workload-program.ts';
import { machineConfig, readProgram, settingsFrom, writeReport, type RunOptions } from './run.ts';
import {
  checkServiceSettings, createService, failoverSettings, isSystemTopology, settingsFor, CLUSTER_AWARE_MODES, type Service, type ClusterAware, type FailoverSettings,
} from '../system/index.ts';
import { buildSystemReport } from '../system/report.ts';
import { formatFailover } from './failover-table.ts';
import { parseChoice } from './numbers.ts';

export interface WorkloadRunOptions extends RunOptions {
  workload?: string;
  rate?: string;
  duration?: string;
  fifo?: string;
  seed?: string;
  arrivals?: string;
  checkpointEvery?: string;
  heartbeat?: string;
  missed?: string;
  failoverTime?: string;
  clusterAware?: string | true;
}

/** The option of a setting: `--repair-after` for repairAfter. */
function flag(setting: string): string {
  return `--${setting.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** Refuses the lockstep options on a failover system (the library's rule, checkServiceSettings), naming the option. */
function checkHostOptions(options: WorkloadRunOptions): void {
  asUsage(() => checkServiceSettings({ ...options, topology: options.topology ?? 'simplex' }, flag));
}

/** The failover options: [option, its key in the options, the setting it gives, the topologies it applies to]. */
const FAILOVER_OPTIONS = [
  ['--checkpoint-every', 'checkpointEvery', 'checkpointEvery', 'cluster'],
  ['--heartbeat', 'heartbeat', 'heartbeatUs', 'cluster or process-pair'],
  ['--missed', 'missed', 'missed', 'cluster or process-pair'],
  ['--failover-time', 'failoverTime', 'failoverTimeUs', 'cluster or process-pair'],
  ['--cluster-aware', 'clusterAware', 'clusterAware', 'cluster'],
] as const;

/**
 * The failover settings the options give (only on cluster and process-pair; UsageError
 * elsewhere), each checked on its own so that an error names the option the user typed.
 */
export function failoverOptions(options: WorkloadRunOptions, topology: string): Partial<Omit<FailoverSettings, 'topology'>> {
  const given = FAILOVER_OPTIONS.filter(([, key]) => options[key] !== undefined);
  if (!isSystemTopology(topology)) {
    if (given.length > 0) {
      const [option, , , applies] = given[0];
      throw new UsageError(`${option} applies to the ${applies === 'cluster' ? 'cluster' : 'failover systems'}: use --topology ${applies}`);
    }
    return {};
  }
  if (topology === 'process-pair' && options.checkpointEvery !== undefined) throw new UsageError('--checkpoint-every applies to the cluster: a process pair checkpoints when its application says so (a pair-aware workload such as card-auth-pair)');
  if (topology === 'process-pair' && options.clusterAware !== undefined) throw new UsageError('--cluster-aware applies to the cluster: a process pair is made safe by its application\'s own checkpoints (a pair-aware workload such as card-auth-pair)');
  const settings: Partial<Omit<FailoverSettings, 'topology'>> = {
    checkpointEvery: options.checkpointEvery === undefined ? undefined : parseCount(options.checkpointEvery, '--checkpoint-every'),
    heartbeatUs: options.heartbeat === undefined ? undefined : asUsage(() => parseDuration(options.heartbeat!), '--heartbeat'),
    missed: options.missed === undefined ? undefined : parseCount(options.missed, '--missed'),
    failoverTimeUs: options.failoverTime === undefined ? undefined : asUsage(() => parseDuration(options.failoverTime!), '--failover-time'),
    clusterAware: options.clusterAware === undefined ? undefined
      : options.clusterAware === true ? 'dedupe' : parseChoice(options.clusterAware, CLUSTER_AWARE_MODES, '--cluster-aware') as ClusterAware,
  };
  for (const [option, , setting] of given) asUsage(() => failoverSettings(topology, { [setting]: settings[setting] }), option);
  return settings;
}

/**
 * Refuses a --fifo or --seed the feed cannot take (checkFeedOptions), naming the option
 * (parseArrivalRate checks --rate); `capacity` is the deepest FIFO the service has (its
 * default: the core's).
 */
export function checkFeedFlags(feed: Pick<FeedOptions, 'workload' | 'durationUs' | 'fifo' | 'seed'>, capacity?: number): void {
  for (const [option, key] of [['--fifo', 'fifo'], ['--seed', 'seed']] as const) {
    const problem = feed[key] === undefined ? undefined : checkFeedOptions({ workload: feed.workload, durationUs: feed.durationUs, [key]: feed[key] }, capacity);
    if (problem) throw new UsageError(`${option}: ${problem}`);
  }
}

/** Virtual time a workload run lasts when --duration is not given. */
export const DEFAULT_DURATION = '1s';

export async function runWorkloadCommand(
  path: string | undefined, options: WorkloadRunOptions, registry: ReadonlyMap<string, Workload> = WORKLOADS,
): Promise<number> {
  if (options.maxInstructions !== undefined) throw new UsageError('--max-instructions does not apply with --workload: the run lasts --duration of virtual time');
  if (options.classify) throw new UsageError('--classify does not apply with --workload: the ledger judges the run against the reference model');
  if (options.report === '') throw new UsageError('--report needs a file name: --report FILE.json');
  checkHostOptions(options);
  const settings = settingsFrom(options);
  const durationText = options.duration ?? DEFAULT_DURATION;
  const durationUs = asUsage(() => parseDuration(durationText), '--duration');
  const rate = options.rate === undefined ? undefined : parseArrivalRate(options.rate, '--rate');
  const fifo = options.fifo === undefined ? undefined : parseCount(options.fifo, '--fifo');
  const seed = options.seed === undefined ? undefined : parseCount(options.seed, '--seed');
  let trace: TraceArrival[] | undefined;
  if (options.arrivals !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.arrivals, 'utf8');
    } catch (error) {
      throw new UsageError(`--arrivals: cannot read ${options.arrivals}: ${(error as Error).message}`);
    }
    trace = asUsage(() => parseTrace(text, options.arrivals!, durationUs), '--arrivals');
  }
  const workload = asUsage(() => workloadByName(options.workload!, registry), '--workload');
  const program = path === undefined ? workloadProgram(workload) : readProgram(path);

  const failover = failoverOptions(options, settings.topology);
  if (isSystemTopology(settings.topology) && options.trace !== undefined) throw new UsageError(`--trace records one machine's instructions: a ${settings.topology} has two; trace a lockstep topology`);

  const terminal = processConsole(() => null); // the guest gets no console input: end of input
  // settingsFor drops the defaults settingsFrom gave the options the topology does not take (checkHostOptions refused those given).
  const built: Service = await createService(program, settingsFor({
    ...machineConfig(settings), failover, console: { write: terminal.write, read: () => null },
  }));
  const { service, machine, system } = built;
  const timedFaults = settings.faults.filter((f) => f.atUs !== undefined);
  for (const fault of settings.faults) if (fault.atUs === undefined) service.inject(fault);
  for (const r of settings.replacements) {
    if (!machine) throw new UsageError(`--replace: a ${settings.topology}'s hosts are not replaced; replacement is for dmr, pair-spare and tmr`);
    machine.replace(r.at, r.site);
  }
  checkFeedFlags({ workload, durationUs, fifo, seed }, service.capacity);
  const feed = new TransactionFeed(service, { workload, durationUs, rate, fifo, seed, trace, timedFaults }); // InputError: a user error
  if (options.report) checkOutputPath(options.report, `the report to ${options.report}`);
  if (machine) machine.onDivergence = (_event, line) => err(`${line}\n`);
  const traceFile = options.trace === undefined ? undefined
    : options.trace === true || options.trace === '' ? { write: err, close() {} } : openOutputFile(options.trace, `the trace file ${options.trace}`);
  if (traceFile) machine!.setTrace((entries) => traceFile.write(entries.map((e) => formatTraceEntry(e)).join('\n') + '\n'));

  const started = performance.now();
  feed.advance();
  const wallMs = performance.now() - started;
  traceFile?.close();
  const ledger = feed.ledger();

  const halt = machine ? machine.halt : system!.halt;
  if (halt && halt.reason !== 'exit') err(`lockstep: ${halt.message}\n`);
  if (system) err(formatFailover(system.summary(feed.nowCycle)));
  const arrivals = trace ? `arrivals from ${options.arrivals}` : workload.arrivals.kind === 'periodic' && rate === undefined
    ? `every ${workload.arrivals.periodUs} µs` : `${rate ?? DEFAULT_RATE}/s`;
  err(formatLedger(ledger, `${workload.name} on ${settings.topology}, ${durationText}, ${arrivals}, FIFO ${fifo ?? DEFAULT_FIFO_DEPTH}, seed ${seed ?? DEFAULT_SEED}`));
  const status = halt ? halt.exitCode : 0;
  if (options.report) {
    const inputs = { exitCode: status, stopReason: halt?.reason ?? 'duration', wallMs, ledger };
    writeReport(options.report, machine ? buildReport(machine, inputs) : buildSystemReport(system!, inputs, feed.nowCycle));
  }
  return status;
}
