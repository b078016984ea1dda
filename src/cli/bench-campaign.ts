/**
 * `lockstep bench` on fault-injection campaigns: runs per second of wall time of a campaign
 * of single faults (uniform over the run, every target family, bit flips) on the
 * 1,000,000-instruction examples/bench/campaign.s, per topology, with one worker and with
 * two; the share of runs that ended early; and the speed-up over running the same faults
 * one after another from the start on one core as `lockstep run --classify` does (a
 * fault-free reference run and the faulty run for each fault, in this process). Ratios are
 * taken within one invocation, as the machine is shared and its speed varies.
 */
import { readFileSync } from 'node:fs';
import { assemble, formatDiagnostics } from '../isa/index.ts';
import type { Program } from '../isa/program.ts';
import { CampaignEngine, type CampaignSetup, type RunRecord } from '../campaign/engine.ts';
import { WorkerPool } from '../campaign/pool.ts';
import { nodeCampaignWorker } from '../campaign/node-pool.ts';
import { Machine } from '../machine/machine.ts';
import type { Topology } from '../machine/topology.ts';
import { out } from './io.ts';
import { DEFAULT_SPACE } from '../campaign/space.ts';

/** Faults run from the start for the baseline (it is slow: that is the point). */
export const BASELINE_FAULTS = 40;

export interface CampaignBenchResult {
  topology: Topology;
  runs: number;
  /** Instructions of the fault-free run. */
  instructions: number;
  /** Runs per second of wall time with one worker and with two (worker start and reference run included). */
  runs_per_s_1: number;
  runs_per_s_2: number;
  /** runs_per_s_2 / runs_per_s_1. */
  workers_2_vs_1: number;
  /** Share of the runs that ended early (at a checkpoint, state equal to the reference's). */
  ended_early: number;
  /** Runs per second of the first BASELINE_FAULTS faults run from the start on one core, each with its reference run (as lockstep run --classify). */
  from_start_runs_per_s: number;
  /** runs_per_s_2 / from_start_runs_per_s. */
  speedup: number;
}

function benchProgram(): Program {
  const url = new URL('../../examples/bench/campaign.s', import.meta.url);
  const result = assemble(readFileSync(url, 'utf8'), { file: 'examples/bench/campaign.s' });
  if (!result.program) throw new Error(`examples/bench/campaign.s does not assemble:\n${formatDiagnostics(result.diagnostics)}`);
  return result.program;
}

/** Wall time of a whole campaign of `runs` runs on `workers` workers, and its records. */
async function timeCampaign(setup: CampaignSetup, runs: number, workers: number): Promise<{ seconds: number; records: RunRecord[] }> {
  const started = performance.now();
  const pool = await WorkerPool.start(workers, nodeCampaignWorker, setup);
  const records: RunRecord[] = [];
  try {
    await pool.run(Array.from({ length: runs }, (_, k) => k), (batch) => records.push(...batch));
  } finally {
    pool.close();
  }
  return { seconds: (performance.now() - started) / 1000, records };
}

/** Runs per second of faults run from power-on, one after another, each with its own fault-free reference run. */
async function timeFromStart(setup: CampaignSetup, faults: number): Promise<number> {
  const engine = await CampaignEngine.prepare(setup, { checkpointEvery: Infinity, earlyStop: false });
  const started = performance.now();
  for (let k = 0; k < faults; k++) {
    const reference = await Machine.create({ topology: setup.topology });
    reference.load(setup.program);
    while (!reference.halt) reference.run(2 ** 30);
    engine.run(k);
  }
  return faults / ((performance.now() - started) / 1000);
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

export async function benchCampaigns(topologies: readonly Topology[], runs: number, print: boolean): Promise<CampaignBenchResult[]> {
  const program = benchProgram();
  const results: CampaignBenchResult[] = [];
  if (print) out(`campaign: ${runs.toLocaleString('en-US')} single bit flips (targets ${DEFAULT_SPACE.targets.join(',')}) of examples/bench/campaign.s per topology\n`);
  for (const topology of topologies) {
    const setup: CampaignSetup = { program, topology, seed: 1, space: DEFAULT_SPACE };
    const one = await timeCampaign(setup, runs, 1);
    const two = await timeCampaign(setup, runs, 2);
    const fromStart = await timeFromStart(setup, Math.min(BASELINE_FAULTS, runs));
    const perSecond1 = runs / one.seconds;
    const perSecond2 = runs / two.seconds;
    const result: CampaignBenchResult = {
      topology, runs, instructions: (await CampaignEngine.prepare(setup, { checkpointEvery: Infinity })).reference.instructions,
      runs_per_s_1: round(perSecond1, 1), runs_per_s_2: round(perSecond2, 1), workers_2_vs_1: round(perSecond2 / perSecond1, 2),
      ended_early: round(two.records.filter((r) => r.early).length / runs, 3),
      from_start_runs_per_s: round(fromStart, 2), speedup: round(perSecond2 / fromStart, 1),
    };
    results.push(result);
    if (print) printRow(result, results.length === 1);
  }
  return results;
}

function printRow(r: CampaignBenchResult, header: boolean): void {
  if (header) {
    out(`${'topology'.padEnd(12)}${'runs/s 1 worker'.padStart(17)}${'2 workers'.padStart(11)}${'× 1 worker'.padStart(12)}${'ended early'.padStart(13)}${'from start'.padStart(12)}${'speed-up'.padStart(10)}\n`);
  }
  out(
    `${r.topology.padEnd(12)}${r.runs_per_s_1.toFixed(1).padStart(17)}${r.runs_per_s_2.toFixed(1).padStart(11)}${r.workers_2_vs_1.toFixed(2).padStart(12)}` +
    `${`${(r.ended_early * 100).toFixed(1)} %`.padStart(13)}${r.from_start_runs_per_s.toFixed(2).padStart(12)}${`${r.speedup.toFixed(1)}×`.padStart(10)}\n`,
  );
}
