/**
 * The availability row of `lockstep bench`: speed of the Monte Carlo simulator
 * (src/availability/simulate.ts) in simulated events — failures, repairs, restarts,
 * failovers, ends of resync pauses — per second of CPU time of this process, which runs the
 * simulation on one core. CPU time, not wall time, since the machines are shared.
 */
import { DEFAULT_PARAMETERS, MODELS, modelChain, simulate, type Parameters } from '../availability/index.ts';

/** Accelerated rates (λ/μ = 0.02), so that every state of every model is visited often. */
const BENCH_PARAMETERS: Parameters = {
  ...DEFAULT_PARAMETERS,
  lambda: 0.02, mu: 1, coverage: 0.9, rho: 2, pairCoverage: 0.95, standbyLambda: 0.01,
  failoverRate: 5, failoverCoverage: 0.8, manualRate: 0.5, resyncPause: 0.05,
};
/** Replications × years per model: about 7 million events over the six models. */
const RUNS = 100;
const YEARS = 10;

export interface MonteCarloBench {
  events: number;
  /** Median over the timed runs, million events per CPU second. */
  mevents_per_s: number;
  mevents_per_s_runs: number[];
}

function once(): { events: number; rate: number } {
  const start = process.cpuUsage();
  let events = 0;
  MODELS.forEach((model, k) => {
    events += simulate(modelChain(model, BENCH_PARAMETERS), { runs: RUNS, years: YEARS, seed: k + 1 }).events;
  });
  const used = process.cpuUsage(start);
  const seconds = (used.user + used.system) / 1e6;
  return { events, rate: Math.round((events / seconds / 1e6) * 10) / 10 };
}

export function benchMonteCarlo(runs: number): MonteCarloBench {
  once(); // warm-up: V8 optimises the simulator's loop
  const timed = Array.from({ length: runs }, once);
  const rates = timed.map((t) => t.rate);
  return { events: timed[0].events, mevents_per_s: [...rates].sort((a, b) => a - b)[Math.floor(rates.length / 2)], mevents_per_s_runs: rates };
}

export function formatMonteCarloBench(result: MonteCarloBench): string {
  return `availability Monte Carlo: ${result.events.toLocaleString('en-US')} events (six models) at ${result.mevents_per_s.toFixed(1)} M events per CPU second (median of ${result.mevents_per_s_runs.length})\n`;
}
