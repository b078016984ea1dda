/**
 * The comparison the product exists for (DESIGN §1 claims 2–3): the same
 * transaction arrivals and the same fault, at the same virtual time, on a plain server, a
 * failover cluster (unchanged, and made cluster-aware), a process pair (with the unchanged
 * application, and with its pair-aware rewrite) and the lockstep machines — one row each.
 *
 * The faults: `hard` kills module 0 (the active module, the primary host); `transient` flips
 * one bit of live data in module 0's RAM: the word the first transaction arriving at or
 * after the fault time reads (Workload.liveWord), so every topology is hit in the same data.
 * Each row is one ordinary workload run (createService + TransactionFeed) with that fault as
 * a timed fault: `lockstep run --workload W --topology T --inject SPEC` with the row's
 * options gives the same ledger.
 */
import { formatTime, type Fault } from '../fault/spec.ts';
import type { Program } from '../isa/program.ts';
import { arrivalStream } from '../transactions/arrivals.ts';
import { checkFaultTime, DEFAULT_SEED, TransactionFeed, type FeedOptions } from '../transactions/feed.ts';
import type { Ledger } from '../transactions/ledger.ts';
import { usToCycles } from '../transactions/time.ts';
import type { ApplicationChanges as ProgramChanges, Workload } from '../transactions/workloads/workload.ts';
import { createService, modulesOf, type ServiceTopology } from './index.ts';
import type { FailoverSettings } from './settings.ts';
import { InputError } from '../input-error.ts';

export const COMPARE_TOPOLOGIES = ['simplex', 'cluster', 'cluster-aware', 'process-pair', 'process-pair-aware', 'dmr', 'pair-spare', 'tmr'] as const;
export type CompareTopology = (typeof COMPARE_TOPOLOGIES)[number];

export const COMPARE_FAULTS = ['hard', 'transient'] as const;
export type CompareFault = (typeof COMPARE_FAULTS)[number];

/**
 * What the application had to change to run on a topology without losing work: its program
 * rewritten (pair-aware), or its input and output put through a durable log and a
 * de-duplicating receiver (cluster-aware, a setting of the cluster).
 */
export type ApplicationChanges = ProgramChanges | 'cluster-aware';

/** How each row is built: the topology it runs on, its failover setting, and which program. */
const ROWS: Record<CompareTopology, { topology: ServiceTopology; clusterAware?: FailoverSettings['clusterAware']; changes: ApplicationChanges }> = {
  simplex: { topology: 'simplex', changes: 'none' },
  cluster: { topology: 'cluster', changes: 'none' },
  'cluster-aware': { topology: 'cluster', clusterAware: 'dedupe', changes: 'cluster-aware' },
  'process-pair': { topology: 'process-pair', changes: 'none' },
  'process-pair-aware': { topology: 'process-pair', changes: 'pair-aware' },
  dmr: { topology: 'dmr', changes: 'none' },
  'pair-spare': { topology: 'pair-spare', changes: 'none' },
  tmr: { topology: 'tmr', changes: 'none' },
};

/** A fault of the comparison: which, and when (virtual µs from power-on). */
export interface CompareFaultSpec {
  kind: CompareFault;
  atUs: number;
}

export interface CompareOptions {
  /** The application as written (its pair-aware rewrite is `pairAware`). */
  workload: Workload;
  /** The pair-aware rewrite of `workload` (same arrivals and reference model). */
  pairAware: Workload;
  /** The guest program of a workload. */
  programOf(workload: Workload): Program;
  feed: Omit<FeedOptions, 'workload' | 'timedFaults'>;
  faults: readonly CompareFaultSpec[];
  /** Settings of the failover systems (heartbeat, missed, failover time, checkpoint interval). */
  failover?: Partial<Omit<FailoverSettings, 'topology' | 'clusterAware'>>;
  topologies?: readonly CompareTopology[];
  /** Called after each row, for progress. */
  onRow?(row: CompareRow, index: number, total: number): void;
}

/** One row of the table (`lockstep compare --json`); times in virtual µs. */
export interface CompareRow {
  topology: CompareTopology;
  fault: CompareFault;
  lost: number;
  duplicated: number;
  wrong: number;
  deadline_misses: number;
  downtime_us: number;
  application_changes: ApplicationChanges;
  modules: number;
  /** Instructions the serving CPU retired per result it emitted (re-executions included). */
  instructions_per_transaction: number;
}

/** A row's run, in full: what `lockstep run` would be given, and the whole ledger. */
export interface CompareRun {
  row: CompareRow;
  /** The topology and options of the equivalent `lockstep run --workload`. */
  topology: ServiceTopology;
  workload: string;
  clusterAware?: FailoverSettings['clusterAware'];
  /** The fault as `lockstep run --inject` takes it. */
  fault: Fault;
  ledger: Ledger;
}

/**
 * The fault `spec` means for `workload` running `program`. The transient flip needs a
 * transaction that reads live data at or after the fault time: InputError if none arrives.
 */
export function compareFault(spec: CompareFaultSpec, workload: Workload, program: Program, feed: CompareOptions['feed']): Fault {
  if (spec.kind === 'hard') return { at: 0, atUs: spec.atUs, module: 0, kind: 'kill' };
  const from = usToCycles(spec.atUs);
  const arrivals = arrivalStream({ workload, endCycle: usToCycles(feed.durationUs), rate: feed.rate, seed: feed.seed ?? DEFAULT_SEED, trace: feed.trace });
  for (const arrival of arrivals) {
    if (arrival.cycle < from) continue;
    const live = workload.liveWord?.(arrival.payload);
    if (!live) continue;
    const base = program.symbols.get(live.symbol);
    if (base === undefined) throw new InputError(`workload ${workload.name}: its program has no symbol '${live.symbol}' for its live data`);
    return { at: 0, atUs: spec.atUs, module: 0, kind: 'flip', target: { type: 'mem', addr: (base + live.offset) >>> 0 }, bit: live.bit };
  }
  throw new InputError(`no ${workload.name} transaction that reads live data arrives after ${spec.atUs} µs: put the transient fault earlier or run longer`);
}

/** Runs one row. */
export async function compareRun(topology: CompareTopology, spec: CompareFaultSpec, options: CompareOptions): Promise<CompareRun> {
  const how = ROWS[topology];
  const workload = how.changes === 'pair-aware' ? options.pairAware : options.workload;
  const program = options.programOf(workload);
  const fault = compareFault(spec, workload, program, options.feed);
  const failover = how.topology === 'cluster' ? { ...options.failover, clusterAware: how.clusterAware }
    : how.topology === 'process-pair' ? { ...options.failover, checkpointEvery: undefined } : undefined;
  const { service } = await createService(program, { topology: how.topology, failover });
  const feed = new TransactionFeed(service, { ...options.feed, workload, timedFaults: [fault] });
  feed.advance();
  const ledger = feed.ledger();
  const results = feed.progress().results;
  return {
    row: {
      topology, fault: spec.kind, lost: ledger.lost, duplicated: ledger.duplicated, wrong: ledger.wrong,
      deadline_misses: ledger.deadline_misses, downtime_us: ledger.downtime_us, application_changes: how.changes,
      modules: modulesOf(how.topology),
      instructions_per_transaction: results === 0 ? 0 : Math.round((service.instret / results) * 10) / 10,
    },
    topology: how.topology, workload: workload.name, clusterAware: how.clusterAware, fault, ledger,
  };
}

/**
 * Every row: the topologies (default all) × the faults, in that order. Throws InputError
 * before any row runs for a fault outside the run (checkFaultTime).
 */
export async function compare(options: CompareOptions): Promise<CompareRun[]> {
  for (const spec of options.faults) checkFaultTime(`the ${spec.kind} fault at ${formatTime(spec.atUs)}`, spec.atUs, options.feed.durationUs);
  const topologies = options.topologies ?? COMPARE_TOPOLOGIES;
  const total = topologies.length * options.faults.length;
  const runs: CompareRun[] = [];
  for (const spec of options.faults) {
    for (const topology of topologies) {
      const run = await compareRun(topology, spec, options);
      runs.push(run);
      options.onRow?.(run.row, runs.length - 1, total);
    }
  }
  return runs;
}
