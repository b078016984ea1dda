/**
 * Continuous-time Markov chains for availability (Trivedi, "Probability and Statistics with
 * Reliability, Queuing and Computer Science Applications", 2nd ed., ch. 8–9): a chain
 * written down as states and transitions, its steady state, and the measures a user reads
 * (availability, interruption frequency, mean time to failure). All rates are per hour.
 */

/** Hours in a year of 365.25 days. */
export const HOURS_PER_YEAR = 365.25 * 24;
/** Minutes in a year of 365.25 days (525,960). */
export const MINUTES_PER_YEAR = HOURS_PER_YEAR * 60;

export interface ChainState {
  name: string;
  /** The system delivers service in this state. */
  up: boolean;
  /**
   * A fixed sojourn in hours (a resync pause), instead of an exponential one. The state must
   * have exactly one transition, of rate 1 / hold: for the steady state only the mean
   * sojourn matters (semi-Markov insensitivity), so the solver treats it as exponential and
   * the simulator holds it exactly.
   */
  hold?: number;
}

export interface Transition {
  from: number;
  to: number;
  /** Per hour. */
  rate: number;
}

export interface Chain {
  states: readonly ChainState[];
  transitions: readonly Transition[];
  /** The state a system starts in (every module working). */
  start: number;
}

/** The rate matrix without its diagonal: rates[i][j] = q_ij, i ≠ j (duplicates summed). */
function rateMatrix(chain: Chain): number[][] {
  const n = chain.states.length;
  const rates = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const { from, to, rate } of chain.transitions) {
    if (from === to || !(rate > 0) || !Number.isFinite(rate)) {
      throw new RangeError(`chain transition ${chain.states[from]?.name} → ${chain.states[to]?.name}: rate ${rate} must be a positive finite number between two states`);
    }
    rates[from][to] += rate;
  }
  return rates;
}

/**
 * The steady-state distribution π (πQ = 0, Σπ = 1) of an irreducible chain, by the
 * Grassmann–Taksar–Heyman state reduction (Grassmann, Taksar and Heyman, Operations
 * Research 33(5), 1985): Gaussian elimination that only adds and divides positive numbers,
 * so every π_i keeps full relative precision however stiff the rates (λ = 1e-6 beside
 * μ = 1e3), which 1 − A computed by subtraction would not.
 */
export function steadyState(chain: Chain): Float64Array {
  const a = rateMatrix(chain);
  const n = a.length;
  const exitSum = new Float64Array(n);
  for (let k = n - 1; k >= 1; k--) {
    let s = 0;
    for (let j = 0; j < k; j++) s += a[k][j];
    if (!(s > 0)) throw new RangeError(`the chain is not irreducible: state ${chain.states[k].name} cannot reach the states before it`);
    exitSum[k] = s;
    for (let i = 0; i < k; i++) a[i][k] /= s;
    for (let i = 0; i < k; i++) {
      const aik = a[i][k];
      if (aik === 0) continue;
      for (let j = 0; j < k; j++) if (j !== i) a[i][j] += aik * a[k][j];
    }
  }
  const pi = new Float64Array(n);
  pi[0] = 1;
  let total = 1;
  for (let j = 1; j < n; j++) {
    let v = 0;
    for (let i = 0; i < j; i++) v += pi[i] * a[i][j];
    pi[j] = v;
    total += v;
  }
  for (let j = 0; j < n; j++) pi[j] /= total;
  return pi;
}

/**
 * Mean time (hours) from `chain.start` to the first entry into a down state, with every down
 * state made absorbing (Trivedi §9.4): the start's entry of m = N·1, N = (−Q_TT)⁻¹ the
 * fundamental matrix over the up (transient) states T. The equations q_i m_i = 1 + Σ_j q_ij m_j
 * are solved by state reduction, as GTH does for the steady state: eliminating state k
 * moves its rates, its absorption rate d_k and its time r_k onto the states that enter it,
 * and each pivot is a sum of the remaining rates, never a difference, so the result keeps
 * full relative precision when MTTF · μ is 1e12.
 */
export function meanTimeToAbsorption(chain: Chain): number {
  const rates = rateMatrix(chain);
  const n = rates.length;
  const alive = chain.states.map((s) => s.up);
  if (!alive[chain.start]) throw new RangeError('the start state of the chain is down');
  const absorb = new Float64Array(n);
  const time = new Float64Array(n).fill(1);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) if (alive[i] && !alive[j]) absorb[i] += rates[i][j];
  }
  for (let k = 0; k < n; k++) {
    if (!alive[k] || k === chain.start) continue;
    alive[k] = false;
    let q = absorb[k];
    for (let j = 0; j < n; j++) if (alive[j]) q += rates[k][j];
    if (!(q > 0)) continue; // k cannot leave once entered: only an unreachable state can be like that
    for (let i = 0; i < n; i++) {
      if (!alive[i] || rates[i][k] === 0) continue;
      const f = rates[i][k] / q;
      time[i] += f * time[k];
      absorb[i] += f * absorb[k];
      for (let j = 0; j < n; j++) if (alive[j] && j !== i) rates[i][j] += f * rates[k][j];
    }
  }
  if (!(absorb[chain.start] > 0)) throw new RangeError('no down state can be reached from the start state: the mean time to failure is infinite');
  return time[chain.start] / absorb[chain.start];
}

/** Steady-state measures of a chain. */
export interface ChainMeasures {
  availability: number;
  /** Σ π over the down states (not 1 − A, which would lose the digits that matter). */
  unavailability: number;
  /** Steady-state frequency of transitions from an up state into a down state, per hour. */
  interruptionsPerHour: number;
}

export function chainMeasures(chain: Chain): ChainMeasures {
  const pi = steadyState(chain);
  let availability = 0;
  let unavailability = 0;
  chain.states.forEach((s, k) => { if (s.up) availability += pi[k]; else unavailability += pi[k]; });
  let interruptionsPerHour = 0;
  for (const { from, to, rate } of chain.transitions) {
    if (chain.states[from].up && !chain.states[to].up) interruptionsPerHour += pi[from] * rate;
  }
  return { availability, unavailability, interruptionsPerHour };
}

/** The number of nines: −log10(U) (U = 1e-5 is five nines). */
export const nines = (unavailability: number) => -Math.log10(unavailability);

/** Downtime in minutes per year of 365.25 days. */
export const downtimeMinutesPerYear = (unavailability: number) => unavailability * MINUTES_PER_YEAR;
