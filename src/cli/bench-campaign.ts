/**
 * `lockstep bench` on fault-injection campaigns: runs per second of wall time of a campaign
 * of single faults (uniform over the run, every target family, bit flips) on the
 * 1,000,000-instruction examples/bench/campaign.s, per topology, with one worker and with
 * two (alternately, the median of a few campaigns each); the share of runs that ended early; and the speed-up over running the same faults
 * one after another from the start on one core as `lockstep run --classify` does (a
 * fault-free reference run and the faulty run for each fault, in this process). Ratios are
 * taken within one invocation, as the machine is shared and its speed varies.
 */
import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { assemble, formatDiagnostics } from '../isa/index.ts';
import type { Program } from '../isa/program.ts';
import { CampaignEngine, type CampaignSetup, type RunRecord } from '../campaign/engine.ts';
import { WorkerPool } from '../campaign/pool.ts';
import { median } from '../campaign/stats.ts';
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
  /** Runs per second of wall time with one worker and with two (worker start and reference run included), medians of the repeats. */
  runs_per_s_1: number;
  runs_per_s_2: number;
  /** runs_per_s_2 / runs_per_s_1. */
  workers_2_vs_1: number;
  /**
   * What two threads of a plain counting loop get done over one, measured beside the
   * campaigns: the most a second worker can add on this machine at that time (2 on two idle
   * cores; less when other work shares them).
   */
  threads_2_vs_1: number;
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

/** Loop turns per second of `threads` threads counting for `ms` each, together. */
async function countingRate(threads: number, ms: number): Promise<number> {
  const code = `let n = 0; const end = performance.now() + ${ms}; while (performance.now() < end) n++; require('node:worker_threads').parentPort.postMessage(n);`;
  const counts = await Promise.all(Array.from({ length: threads }, () => new Promise<number>((resolve, reject) => {
    const worker = new Worker(code, { eval: true });
    worker.once('message', (n: number) => { void worker.terminate(); resolve(n); });
    worker.once('error', reject);
  })));
  return counts.reduce((a, b) => a + b, 0) / (ms / 1000);
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;
export async function benchCampaigns(topologies: readonly Topology[], runs: number, repeats: number, print: boolean): Promise<CampaignBenchResult[]> {
  const program = benchProgram();
  const results: CampaignBenchResult[] = [];
  if (print) out(`campaign: ${runs.toLocaleString('en-US')} single bit flips (targets ${DEFAULT_SPACE.targets.join(',')}) of examples/bench/campaign.s per topology\n`);
  for (const topology of topologies) {
    const setup: CampaignSetup = { program, topology, seed: 1, space: DEFAULT_SPACE };
    // One and two workers in turn, `repeats` times, so that a change in the machine's load
    // between them (it is shared) weighs on both; the medians are compared.
    const rates1: number[] = [];
    const rates2: number[] = [];
    const threads: number[] = [];
    let two: { records: RunRecord[] } | undefined;
    for (let r = 0; r < repeats; r++) {
      rates1.push(runs / (await timeCampaign(setup, runs, 1)).seconds);
      const timed = await timeCampaign(setup, runs, 2);
      rates2.push(runs / timed.seconds);
      two = timed;
      threads.push((await countingRate(2, 300)) / (await countingRate(1, 300)));
    }
    const fromStart = await timeFromStart(setup, Math.min(BASELINE_FAULTS, runs));
    const perSecond1 = median(rates1);
    const perSecond2 = median(rates2);
    const result: CampaignBenchResult = {
      topology, runs, instructions: (await CampaignEngine.prepare(setup, { checkpointEvery: Infinity })).reference.instructions,
      runs_per_s_1: round(perSecond1, 1), runs_per_s_2: round(perSecond2, 1), workers_2_vs_1: round(perSecond2 / perSecond1, 2),
      threads_2_vs_1: round(median(threads), 2),
      ended_early: round(two!.records.filter((r) => r.early).length / runs, 3),
      from_start_runs_per_s: round(fromStart, 2), speedup: round(perSecond2 / fromStart, 1),
    };
    results.push(result);
    if (print) printRow(result, results.length === 1);
  }
  return results;
}

function printRow(r: CampaignBenchResult, header: boolean): void {
  if (header) {
    out(`${'topology'.padEnd(12)}${'runs/s 1 worker'.padStart(17)}${'2 workers'.padStart(11)}${'× 1 worker'.padStart(12)}${'(2 threads)'.padStart(13)}${'ended early'.padStart(13)}${'from start'.padStart(12)}${'speed-up'.padStart(10)}\n`);
  }
  out(
    `${r.topology.padEnd(12)}${r.runs_per_s_1.toFixed(1).padStart(17)}${r.runs_per_s_2.toFixed(1).padStart(11)}${r.workers_2_vs_1.toFixed(2).padStart(12)}${`(${r.threads_2_vs_1.toFixed(2)})`.padStart(13)}` +
    `${`${(r.ended_early * 100).toFixed(1)} %`.padStart(13)}${r.from_start_runs_per_s.toFixed(2).padStart(12)}${`${r.speedup.toFixed(1)}×`.padStart(10)}\n`,
  );
}
