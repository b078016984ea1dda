/**
 * The comparison table (src/system/compare.ts) as the page's compare view asks for
 * it: the loaded workload's application with the page's workload settings, faults and
 * failover settings. As `lockstep compare` does, every row runs the application as written
 * but the pair-aware one, which runs its pair-aware rewrite; the loaded program runs as the
 * workload it was loaded for, the other version from the source the page ships. A row the
 * application has no version for (no pair-aware rewrite) is listed with the reason. Each row
 * is the library's, so `lockstep compare` with the same options prints the same numbers.
 */
import { loadProgram } from '../isa/load.ts';
import type { Program } from '../isa/program.ts';
import { compare, COMPARE_TOPOLOGIES, type CompareFaultSpec, type CompareRow, type CompareTopology } from '../system/compare.ts';
import type { FailoverSettings } from '../system/settings.ts';
import { feedOptionsFor, type WorkloadSettings } from '../transactions/settings.ts';
import { variantOf } from '../transactions/workloads/index.ts';
import type { Workload } from '../transactions/workloads/workload.ts';
import { InputError } from '../input-error.ts';

export interface CompareRequest {
  /** The workload and its feed settings, as the page runs it (as written, or its rewrite). */
  workload: WorkloadSettings;
  faults: CompareFaultSpec[];
  /** Settings of the failover systems (cluster-aware is each row's own). */
  failover?: Partial<Omit<FailoverSettings, 'topology' | 'clusterAware'>>;
  /** Rows to run (default: every one, COMPARE_TOPOLOGIES). */
  topologies?: readonly CompareTopology[];
  /** Assembly sources of the workload's other versions (as written, pair-aware), by workload name. */
  sources?: Readonly<Record<string, string>>;
}

export interface CompareResult {
  /** The table: the faults × the rows that ran, in compare()'s order. */
  rows: CompareRow[];
  /** Rows asked for that could not run, and why. */
  skipped: { topology: CompareTopology; reason: string }[];
}

/** How far a comparison has got: `rows` of `total` runs done (total 0 until the first is). */
export interface CompareProgress {
  rows: number;
  total: number;
  done: boolean;
}

/**
 * Runs the table with `program` (the loaded program, of `request.workload`). Throws
 * InputError for bad workload settings, a fault outside the run, a version of the
 * application the request has no program for, or a transient fault no transaction reads.
 */
export async function compareForPage(program: Program, request: CompareRequest, onProgress: (rows: number, total: number) => void = () => {}): Promise<CompareResult> {
  const { workload: loaded, ...feed } = feedOptionsFor(request.workload);
  const programs = new Map<Workload, Program>([[loaded, program]]);
  const has = (w: Workload) => programs.has(w) || request.sources?.[w.name] !== undefined;
  const programOf = (w: Workload): Program => {
    let p = programs.get(w);
    if (!p) programs.set(w, (p = loadProgram(new TextEncoder().encode(request.sources![w.name]), w.source, 'asm')));
    return p;
  };
  const original = variantOf(loaded, 'none')!;
  if (!has(original)) throw new InputError(`the page has no program for ${original.name}, the application as written`);
  const pairAware = variantOf(loaded, 'pair-aware');
  const skipped: CompareResult['skipped'] = [];
  const wanted = request.topologies ?? COMPARE_TOPOLOGIES;
  if (wanted.includes('process-pair-aware') && !(pairAware && has(pairAware))) {
    skipped.push({ topology: 'process-pair-aware', reason: pairAware ? `the page has no program for ${pairAware.name}` : `${original.name} has no pair-aware version` });
  }
  const runs = await compare({
    workload: original, pairAware: pairAware ?? original, programOf,
    feed, faults: request.faults, failover: request.failover, topologies: wanted.filter((t) => !skipped.some((s) => s.topology === t)),
    onRow: (_row, index, total) => onProgress(index + 1, total),
  });
  return { rows: runs.map((r) => r.row), skipped };
}
