/**
 * The comparison table (issue 11, src/system/compare.ts) as the page's compare view asks for
 * it: the loaded workload's program with the page's workload settings, faults and failover
 * settings, on the rows of the request that can run here. The others are listed with the
 * reason: a pair-aware rewrite the workload or the page does not have, a topology this build
 * cannot make. Each row is the library's, so `lockstep compare` with the same options prints
 * the same numbers.
 */
import { loadProgram } from '../isa/load.ts';
import type { Program } from '../isa/program.ts';
import { compare, rowTopology, COMPARE_TOPOLOGIES, type CompareFaultSpec, type CompareRow, type CompareTopology } from '../system/compare.ts';
import { createService, type ServiceTopology } from '../system/index.ts';
import type { FailoverSettings } from '../system/settings.ts';
import { feedOptionsFor, type WorkloadSettings } from '../transactions/settings.ts';
import { WORKLOADS } from '../transactions/workloads/index.ts';

export interface CompareRequest {
  /** The workload and its feed settings, as the page runs it. */
  workload: WorkloadSettings;
  faults: CompareFaultSpec[];
  /** Settings of the failover systems (cluster-aware is each row's own). */
  failover?: Partial<Omit<FailoverSettings, 'topology' | 'clusterAware'>>;
  /** Rows to run (default: every one, COMPARE_TOPOLOGIES). */
  topologies?: readonly CompareTopology[];
  /** Assembly source of the workload's pair-aware rewrite (`<name>-pair`), when the page has it. */
  pairAwareSource?: string;
}

export interface CompareResult {
  /** The table: the faults × the rows that ran, in compare()'s order. */
  rows: CompareRow[];
  /** Rows asked for that could not run here, and why. */
  skipped: { topology: CompareTopology; reason: string }[];
}

/** How far a comparison has got: `rows` of `total` runs done (total 0 until the first is). */
export interface CompareProgress {
  rows: number;
  total: number;
  done: boolean;
}

/**
 * Runs the table for `program` (the workload's program as loaded). Throws RangeError for bad
 * workload settings, a fault outside the run, or a transient fault no transaction reads.
 */
export async function compareForPage(program: Program, request: CompareRequest, onProgress: (rows: number, total: number) => void = () => {}): Promise<CompareResult> {
  const { workload, ...feed } = feedOptionsFor(request.workload);
  for (const f of request.faults) {
    if (!(f.atUs >= 0 && f.atUs < feed.durationUs)) throw new RangeError(`the ${f.kind} fault at ${f.atUs} µs is outside the run (0 to ${feed.durationUs} µs): put it inside the run`);
  }
  const skipped: CompareResult['skipped'] = [];
  const wanted = request.topologies ?? COMPARE_TOPOLOGIES;
  const pairName = `${workload.name}-pair`;
  const pairAware = WORKLOADS.get(pairName);
  let pairProgram: Program | undefined;
  if (wanted.includes('process-pair-aware')) {
    if (!pairAware) skipped.push({ topology: 'process-pair-aware', reason: `${workload.name} has no pair-aware version (${pairName})` });
    else if (request.pairAwareSource === undefined) skipped.push({ topology: 'process-pair-aware', reason: `the page has no program for ${pairName}` });
    else pairProgram = loadProgram(new TextEncoder().encode(request.pairAwareSource), `${pairName}.s`, 'asm');
  }
  const candidates = wanted.filter((t) => !skipped.some((s) => s.topology === t));
  const unbuildable = new Map<ServiceTopology, string>();
  for (const topology of new Set(candidates.map(rowTopology))) {
    try {
      await createService(program, { topology, failover: request.failover });
    } catch (error) {
      unbuildable.set(topology, `${topology} cannot be built here: ${(error as Error).message}`);
    }
  }
  for (const t of candidates) {
    const reason = unbuildable.get(rowTopology(t));
    if (reason) skipped.push({ topology: t, reason });
  }
  const topologies = candidates.filter((t) => !unbuildable.has(rowTopology(t)));
  const runs = await compare({
    workload, pairAware: pairAware ?? workload, programOf: (w) => (w === workload ? program : pairProgram!),
    feed, faults: request.faults, failover: request.failover, topologies,
    onRow: (_row, index, total) => onProgress(index + 1, total),
  });
  return { rows: runs.map((r) => r.row), skipped };
}
