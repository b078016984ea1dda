/**
 * Event-level Monte Carlo simulation of an availability chain (DESIGN §8): each replication
 * lives `years` of operation from the all-working state, event by event — a failure, a
 * repair, a restart, a failover, the end of a resync pause — and records its uptime and its
 * interruptions. Replications are independent; the 99 % confidence intervals are Student-t
 * intervals over the replications' means (the method of independent replications, Law,
 * "Simulation Modeling and Analysis", 5th ed., §9.4).
 *
 * Hot loop: the chain is compiled to typed arrays; an event costs two uniform draws (the
 * sojourn, −ln(U)/q, and the branch), one log and no allocation. Resync pauses are held for
 * exactly their duration, not an exponential time with that mean.
 */
import { Random } from '../fault/random.ts';
import { HOURS_PER_YEAR, type Chain } from './ctmc.ts';

/** The 0.995 quantile of the standard normal distribution. */
const Z_995 = 2.5758293035489004;

/** t_{0.995, ν} for ν = 1..4, where the expansion below is poor (Abramowitz and Stegun, table 26.10). */
const T995_SMALL = [63.657, 9.925, 5.841, 4.604];

/**
 * The 0.995 quantile of Student's t with `df` degrees of freedom: the table for df < 5, else
 * the Cornish–Fisher expansion around the normal quantile (Abramowitz and Stegun 26.7.5),
 * within 1e-3 of the tables for df ≥ 5 and exact in the limit.
 */
export function studentT995(df: number): number {
  if (df < 5) return T995_SMALL[df - 1];
  const z = Z_995;
  const z3 = z ** 3, z5 = z ** 5, z7 = z ** 7, z9 = z ** 9;
  return z
    + (z3 + z) / (4 * df)
    + (5 * z5 + 16 * z3 + 3 * z) / (96 * df ** 2)
    + (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * df ** 3)
    + (79 * z9 + 776 * z7 + 1482 * z5 - 1920 * z3 - 945 * z) / (92160 * df ** 4);
}

export interface Interval {
  mean: number;
  /** 99 % confidence interval. */
  low: number;
  high: number;
}

export interface SimulationResult {
  runs: number;
  years: number;
  seed: number;
  availability: Interval;
  interruptionsPerYear: Interval;
  /** Simulated events (state changes) over all replications. */
  events: number;
  /** Entries into a down state over all replications. */
  outages: number;
  /**
   * The down states that some transition leads to but that were entered fewer than 30 times
   * over all replications: their share of the downtime is guessed from too few events, and
   * the interval, which only sees the replications' spread, may well miss the truth.
   */
  rarelyEntered: string[];
}

/** Entries into a down state below which its contribution is not estimated reliably. */
export const RARE_ENTRIES = 30;

/** The chain as typed arrays for the simulator. */
interface Compiled {
  /** Exponential sojourn: total exit rate per hour; 0 for a fixed hold. */
  exitRate: Float64Array;
  /** Fixed sojourn in hours (a resync pause), else 0. */
  hold: Float64Array;
  up: Uint8Array;
  /** The transitions of state s are first[s] .. first[s+1]-1. */
  first: Int32Array;
  target: Int32Array;
  /** Cumulative branch probability of each transition within its state (the last is 1). */
  cumulative: Float64Array;
}

function compile(chain: Chain): Compiled {
  const n = chain.states.length;
  const byState = chain.states.map((_, s) => chain.transitions.filter((t) => t.from === s));
  const first = new Int32Array(n + 1);
  for (let s = 0; s < n; s++) first[s + 1] = first[s] + byState[s].length;
  const target = new Int32Array(first[n]);
  const cumulative = new Float64Array(first[n]);
  const exitRate = new Float64Array(n);
  const hold = new Float64Array(n);
  const up = new Uint8Array(n);
  chain.states.forEach((state, s) => {
    const total = byState[s].reduce((sum, t) => sum + t.rate, 0);
    if (byState[s].length === 0) throw new RangeError(`state ${state.name} has no way out`);
    let acc = 0;
    byState[s].forEach((t, k) => {
      acc += t.rate;
      target[first[s] + k] = t.to;
      cumulative[first[s] + k] = k === byState[s].length - 1 ? 1 : acc / total;
    });
    up[s] = state.up ? 1 : 0;
    if (state.hold !== undefined) {
      if (byState[s].length !== 1) throw new RangeError(`pause state ${state.name} must have exactly one transition`);
      hold[s] = state.hold;
    } else {
      exitRate[s] = total;
    }
  });
  return { exitRate, hold, up, first, target, cumulative };
}

/** Running mean and variance (Welford). */
class Moments {
  n = 0;
  mean = 0;
  private m2 = 0;
  add(x: number): void {
    this.n++;
    const d = x - this.mean;
    this.mean += d / this.n;
    this.m2 += d * (x - this.mean);
  }
  interval(): Interval {
    const half = studentT995(this.n - 1) * Math.sqrt(this.m2 / (this.n - 1) / this.n);
    return { mean: this.mean, low: this.mean - half, high: this.mean + half };
  }
}

export interface SimulationOptions {
  /** Independent replications (at least 2). */
  runs: number;
  /** Years of operation in each replication. */
  years: number;
  seed: number;
}

/**
 * Simulates `chain` from its start state. The result is a function of the arguments only:
 * one `Random(seed)` drives every replication in turn.
 */
export function simulate(chain: Chain, options: SimulationOptions): SimulationResult {
  const steps = simulation(chain, options);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same simulation a replication at a time, for a caller that must not block (the page):
 * yields the number of replications done after each one, and returns what `simulate` returns.
 * Throws at once, like `simulate`, for options out of range.
 */
export function simulation(chain: Chain, options: SimulationOptions): Generator<number, SimulationResult, void> {
  const { runs, years } = options;
  if (!Number.isInteger(runs) || runs < 2) throw new RangeError(`simulation runs: ${runs} (need at least 2 for an interval)`);
  if (!(years > 0) || !Number.isFinite(years)) throw new RangeError(`simulation years: ${years} (need a positive number)`);
  return replications(chain, compile(chain), options);
}

function* replications(chain: Chain, compiled: Compiled, options: SimulationOptions): Generator<number, SimulationResult, void> {
  const { runs, years, seed } = options;
  const { exitRate, hold, up, first, target, cumulative } = compiled;
  const random = new Random(seed);
  const horizon = years * HOURS_PER_YEAR;
  const availability = new Moments();
  const interruptions = new Moments();
  const entries = new Float64Array(chain.states.length);
  let events = 0;
  let outages = 0;
  for (let run = 0; run < runs; run++) {
    let state = chain.start;
    let t = 0;
    let upTime = 0;
    let entered = 0;
    for (;;) {
      const fixed = hold[state];
      // 1 − U is in (0, 1]: the log is finite.
      const dt = fixed > 0 ? fixed : -Math.log(1 - random.next()) / exitRate[state];
      if (t + dt >= horizon) {
        if (up[state] === 1) upTime += horizon - t;
        break;
      }
      t += dt;
      if (up[state] === 1) upTime += dt;
      let k = first[state];
      const last = first[state + 1] - 1;
      if (k < last) {
        const u = random.next();
        while (k < last && u >= cumulative[k]) k++;
      }
      const next = target[k];
      entries[next]++;
      if (up[state] === 1 && up[next] === 0) entered++;
      state = next;
      events++;
    }
    availability.add(upTime / horizon);
    interruptions.add(entered / years);
    outages += entered;
    yield run + 1;
  }
  const entered = new Set(chain.transitions.map((t) => t.to));
  const rarelyEntered = chain.states.filter((s, k) => !s.up && entered.has(k) && entries[k] < RARE_ENTRIES).map((s) => s.name);
  return { runs, years, seed, availability: availability.interval(), interruptionsPerYear: interruptions.interval(), events, outages, rarelyEntered };
}

/** Whether `value` lies in the closed interval. */
export const inside = (value: number, interval: Interval) => value >= interval.low && value <= interval.high;
