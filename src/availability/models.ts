/**
 * The availability models of the product (DESIGN §8): each one's Markov chain,
 * written down state by state, and its closed form where the textbooks give one
 * (Siewiorek and Swarz, "Reliable Computer Systems", 3rd ed., ch. 5; Trivedi, "Probability
 * and Statistics with Reliability, Queuing and Computer Science Applications", 2nd ed.,
 * ch. 8–9). All rates are per hour; one repair crew repairs one module (or board, or host)
 * at a time; failures while the system is stopped for a restart, a failover or a resync
 * pause are neglected (those last minutes, repairs hours).
 *
 * A resync pause (`resyncPause` > 0, hours) is the stop of a lockstep machine while a
 * repaired module receives the survivor's state: the repair that would return the system
 * to a state with more modules in lockstep goes to a pause state instead, which is down
 * (a user sees the stop) and leaves after exactly `resyncPause` hours to that state.
 * Repairs that restart a stopped system need no pause: it is already down.
 */
import {
  chainMeasures, downtimeMinutesPerYear, HOURS_PER_YEAR, meanTimeToAbsorption, nines, type Chain, type ChainState, type Transition,
} from './ctmc.ts';
import { InputError } from '../input-error.ts';

export const MODELS = ['simplex', 'dmr', 'tmr', 'tmr-degrade', 'pair-spare', 'cluster'] as const;
export type Model = (typeof MODELS)[number];

export const isModel = (name: string): name is Model => (MODELS as readonly string[]).includes(name);

/** Modules (or hosts) each model is built from, for hardware cost. */
export const MODULES: Record<Model, number> = { simplex: 1, dmr: 2, tmr: 3, 'tmr-degrade': 3, 'pair-spare': 4, cluster: 2 };

/** The models that run in lockstep and pause to resync a repaired module. */
export const LOCKSTEP_MODELS: readonly Model[] = ['dmr', 'tmr', 'tmr-degrade', 'pair-spare'];

export interface Parameters {
  /** λ: failure rate of one module or host, per hour. */
  lambda: number;
  /** μ: repair rate (1 / MTTR), per hour. */
  mu: number;
  /** c: probability that a failure of a duplex is detected, attributed and survived. */
  coverage: number;
  /** ρ: restart rate after an uncovered failure, per hour. */
  rho: number;
  /** c_p: probability that a self-checking pair's failure is detected and the other pair takes over. */
  pairCoverage: number;
  /** λ_s: failure rate of the cluster's standby host, per hour (0: a standby that does not fail). */
  standbyLambda: number;
  /** δ: failover rate (1 / failover time), per hour. */
  failoverRate: number;
  /** c_fo: probability that a failover succeeds. */
  failoverCoverage: number;
  /** ρ_m: manual recovery rate after a failed failover, per hour. */
  manualRate: number;
  /** Resync pause after each repair of a lockstep model, hours (0: none). */
  resyncPause: number;
}

/** Defaults: MTBF 100,000 h, MTTR 4 h, restart 10 min, failover 1 min, manual recovery 1 h. */
export const DEFAULT_PARAMETERS: Parameters = {
  lambda: 1e-5,
  mu: 0.25,
  coverage: 0.99,
  rho: 6,
  pairCoverage: 0.9999,
  standbyLambda: 1e-5,
  failoverRate: 60,
  failoverCoverage: 0.95,
  manualRate: 1,
  resyncPause: 0,
};

/**
 * Throws an InputError naming the first parameter out of range: rates must be positive and
 * finite (λ_s may be 0), probabilities in [0, 1], the resync pause non-negative.
 */
export function checkParameters(p: Parameters): void {
  const rates = ['lambda', 'mu', 'rho', 'failoverRate', 'manualRate'] as const;
  for (const name of rates) {
    if (!(p[name] > 0) || !Number.isFinite(p[name])) throw new InputError(`${name}: ${p[name]} is not a positive rate per hour`);
  }
  if (!(p.standbyLambda >= 0) || !Number.isFinite(p.standbyLambda)) throw new InputError(`standbyLambda: ${p.standbyLambda} is not a non-negative rate per hour`);
  for (const name of ['coverage', 'pairCoverage', 'failoverCoverage'] as const) {
    if (!(p[name] >= 0 && p[name] <= 1)) throw new InputError(`${name}: ${p[name]} is not a probability in [0, 1]`);
  }
  if (!(p.resyncPause >= 0) || !Number.isFinite(p.resyncPause)) throw new InputError(`resyncPause: ${p.resyncPause} is not a duration in hours`);
}

/** Builds a chain from named states and [from, to, rate] transitions; rate 0 means none (c = 1, λ_s = 0). */
function chain(states: Record<string, Omit<ChainState, 'name'>>, transitions: [string, string, number][], start: string): Chain {
  const names = Object.keys(states);
  const at = (name: string) => names.indexOf(name);
  return {
    states: names.map((name) => ({ name, ...states[name] })),
    transitions: transitions.filter(([, , rate]) => rate !== 0).map(([from, to, rate]): Transition => ({ from: at(from), to: at(to), rate })),
    start: at(start),
  };
}

/**
 * A repair `from` → `to` that brings a module back into a running lockstep machine: direct
 * without a resync pause, otherwise through the pause state `pause`.
 */
function resync(from: string, to: string, mu: number, pause: number, name: string): { states: Record<string, Omit<ChainState, 'name'>>; transitions: [string, string, number][] } {
  if (pause === 0) return { states: {}, transitions: [[from, to, mu]] };
  return { states: { [name]: { up: false, hold: pause } }, transitions: [[from, name, mu], [name, to, 1 / pause]] };
}

/**
 * The chain of `model`.
 *
 * simplex:               λ
 *               ┌──┐ ───────► ┌──┐
 *               │1 │          │0 │      1 up, 0 down
 *               └──┘ ◄─────── └──┘
 *                         μ
 *
 * dmr (and pair-spare, with board rate Λ = 2λ and c_p for c: each board is a self-checking
 * pair; a board's failure is caught by its own comparator with probability c_p):
 *
 *            2λc            λ
 *     ┌──┐ ─────► ┌──┐ ─────► ┌──┐       2: both modules in lockstep (up)
 *     │2 │        │1 │        │0 │       1: one module, the other in repair (up)
 *     └──┘ ◄───── └──┘ ◄───── └──┘       0: both failed (down)
 *      │     μ     ▲      μ              R: an uncovered failure (not detected, or not
 *      │2λ(1−c)    │ρ                       attributed) stopped the machine; it restarts
 *      └──────► ┌──┐                        on the good module (down)
 *               │R │
 *               └──┘
 *
 * tmr (2-of-3 voting, which masks the first failure; birth–death with one crew):
 *
 *         3λ        2λ        λ
 *     3 ─────► 2 ─────► 1 ─────► 0        3, 2 up; 1, 0 down (no majority)
 *       ◄─────   ◄─────   ◄─────
 *         μ         μ         μ
 *
 * tmr-degrade (TMR → duplex → simplex; the vote identifies the first failure, the duplex
 * identifies the second with coverage c):
 *
 *         3λ        2λc        λ
 *     3 ─────► 2 ─────► 1 ─────► 0        3, 2, 1 up; F, 0 down
 *       ◄─────   ◄─────   ◄─────
 *         μ     │   μ    ▲  μ (0 → 1)
 *               │2λ(1−c) │ρ
 *               └──► F ──┘
 *
 * cluster (active/standby hosts; every failure of the active host stops service until the
 * failover, which succeeds with probability c_fo):
 *
 *          λ           δ·c_fo
 *     2 ─────► FO ──────────► 1 ───λ──► 0       2: active and standby up
 *     │                       ▲ ◄──μ─── 0       1: one host active, the other in repair
 *     │λ_s   FO ─δ(1−c_fo)─► M ──ρ_m──► 1       FO: failing over (down); M: manual
 *     └───────────────────────┘                     recovery after a failed failover (down)
 *     1 ──μ──► 2                                0: both hosts failed (down)
 */
export function modelChain(model: Model, p: Parameters): Chain {
  checkParameters(p);
  const { lambda: l, mu, coverage: c, rho, resyncPause: pause } = p;
  switch (model) {
    case 'simplex':
      return chain({ '1': { up: true }, '0': { up: false } }, [['1', '0', l], ['0', '1', mu]], '1');
    case 'dmr':
    case 'pair-spare': {
      // The failing unit: a module (dmr) or a self-checking board of two modules (pair-spare).
      const [unit, cov] = model === 'dmr' ? [l, c] : [2 * l, p.pairCoverage];
      const back = resync('1', '2', mu, pause, 'P');
      return chain(
        { '2': { up: true }, '1': { up: true }, '0': { up: false }, R: { up: false }, ...back.states },
        [
          ['2', '1', 2 * unit * cov], ['2', 'R', 2 * unit * (1 - cov)],
          ['R', '1', rho], ['1', '0', unit], ['0', '1', mu], ...back.transitions,
        ],
        '2',
      );
    }
    case 'tmr': {
      const back = resync('2', '3', mu, pause, 'P');
      return chain(
        { '3': { up: true }, '2': { up: true }, '1': { up: false }, '0': { up: false }, ...back.states },
        [['3', '2', 3 * l], ['2', '1', 2 * l], ['1', '0', l], ['1', '2', mu], ['0', '1', mu], ...back.transitions],
        '3',
      );
    }
    case 'tmr-degrade': {
      const back3 = resync('2', '3', mu, pause, 'P3');
      const back2 = resync('1', '2', mu, pause, 'P2');
      return chain(
        { '3': { up: true }, '2': { up: true }, '1': { up: true }, '0': { up: false }, F: { up: false }, ...back3.states, ...back2.states },
        [
          ['3', '2', 3 * l],
          ['2', '1', 2 * l * c], ['2', 'F', 2 * l * (1 - c)],
          ['F', '1', rho], ['1', '0', l], ['0', '1', mu], ...back3.transitions, ...back2.transitions,
        ],
        '3',
      );
    }
    case 'cluster': {
      const { standbyLambda: ls, failoverRate: delta, failoverCoverage: cfo, manualRate: rm } = p;
      return chain(
        { '2': { up: true }, '1': { up: true }, FO: { up: false }, M: { up: false }, '0': { up: false } },
        [
          ['2', 'FO', l], ['2', '1', ls],
          ['FO', '1', delta * cfo], ['FO', 'M', delta * (1 - cfo)],
          ['M', '1', rm], ['1', '2', mu], ['1', '0', l], ['0', '1', mu],
        ],
        '2',
      );
    }
  }
}

/** What a model's closed form gives. */
export interface ClosedForm {
  availability: number;
  unavailability: number;
  interruptionsPerHour: number;
  /** Mean time from all modules working to the first system outage (resync pauses aside), hours. */
  mttfHours: number;
}

/**
 * A steady state from the weights w_k = π_k / π_start of the up and the down states, and the
 * interruption frequency as a multiple of π_start.
 */
function fromWeights(up: number[], down: number[], interruptionsPerStart: number, mttfHours: number): ClosedForm {
  const sumUp = up.reduce((a, b) => a + b, 0);
  const sumDown = down.reduce((a, b) => a + b, 0);
  const total = sumUp + sumDown;
  return { availability: sumUp / total, unavailability: sumDown / total, interruptionsPerHour: interruptionsPerStart / total, mttfHours };
}

/**
 * The closed forms, from the balance equations of each chain above (cuts between the
 * states; Trivedi §8.4, Siewiorek and Swarz §5.6):
 *
 * - simplex: A = μ / (λ + μ); MTTF = 1/λ.
 * - dmr: π1/π2 = 2λ/μ, π0/π2 = 2λ²/μ², πR/π2 = 2λ(1−c)/ρ, πP/π2 = 2λ·pause;
 *   A = (1 + 2λ/μ) / (1 + 2λ/μ + 2λ²/μ² + 2λ(1−c)/ρ + 2λ·pause);
 *   MTTF = (λ + μ + 2λc) / (2λ(λ + (1−c)μ)) (c = 1: 3/(2λ) + μ/(2λ²)).
 * - pair-spare: dmr with λ → 2λ (a board of two modules) and c → c_p.
 * - tmr: π2/π3 = 3λ/μ, π1/π3 = 6λ²/μ², π0/π3 = 6λ³/μ³, πP/π3 = 3λ·pause;
 *   MTTF = 5/(6λ) + μ/(6λ²).
 * - tmr-degrade: with a = λ/μ, π2/π3 = 3a, π1/π3 = 6a², π0/π3 = 6a³, πF/π3 = 6aλ(1−c)/ρ,
 *   πP3/π3 = 3λ·pause, πP2/π3 = 6aλ·pause;
 *   MTTF = 1/(3λ) + ((λ+μ)(3λ+μ) + 6λ²c) / (6λ²(λ + (1−c)μ)) (μ = 0: 1/(3λ) + 1/(2λ) + c/λ).
 * - cluster: π1/π2 = (λ+λ_s)/μ, πFO/π2 = λ/δ, πM/π2 = (1−c_fo)λ/ρ_m, π0/π2 = λ(λ+λ_s)/μ²;
 *   MTTF = 1/λ (every failure of the active host stops service for the failover).
 *
 * Interruptions per hour: the flow from up to down states, e.g. dmr π2·2λ(1−c) + π1·λ,
 * plus π1·μ into the pause when there is one.
 */
export function closedForm(model: Model, p: Parameters): ClosedForm {
  checkParameters(p);
  const { lambda: l, mu, coverage: c, rho, resyncPause: pause } = p;
  const paused = pause > 0 ? 1 : 0;
  switch (model) {
    case 'simplex':
      return fromWeights([1], [l / mu], l, 1 / l);
    case 'dmr':
    case 'pair-spare': {
      const [L, cov] = model === 'dmr' ? [l, c] : [2 * l, p.pairCoverage]; // per failing unit, as in modelChain
      const w1 = (2 * L) / mu;
      return fromWeights(
        [1, w1],
        [(2 * L * L) / (mu * mu), (2 * L * (1 - cov)) / rho, 2 * L * pause],
        2 * L * (1 - cov) + w1 * L + paused * w1 * mu,
        (L + mu + 2 * L * cov) / (2 * L * (L + (1 - cov) * mu)),
      );
    }
    case 'tmr': {
      const a = l / mu;
      return fromWeights([1, 3 * a], [6 * a * a, 6 * a * a * a, 3 * l * pause], 3 * a * 2 * l + paused * 3 * l, 5 / (6 * l) + mu / (6 * l * l));
    }
    case 'tmr-degrade': {
      const a = l / mu;
      return fromWeights(
        [1, 3 * a, 6 * a * a],
        [6 * a * a * a, (6 * a * l * (1 - c)) / rho, 3 * l * pause, 6 * a * l * pause],
        3 * a * 2 * l * (1 - c) + 6 * a * a * l + paused * (3 * l + 6 * a * l),
        1 / (3 * l) + ((l + mu) * (3 * l + mu) + 6 * l * l * c) / (6 * l * l * (l + (1 - c) * mu)),
      );
    }
    case 'cluster': {
      const { standbyLambda: ls, failoverRate: delta, failoverCoverage: cfo, manualRate: rm } = p;
      const w1 = (l + ls) / mu;
      return fromWeights([1, w1], [l / delta, ((1 - cfo) * l) / rm, (l * (l + ls)) / (mu * mu)], l * (1 + w1), 1 / l);
    }
  }
}

/** The figures a user reads for one model (the `--json` entry). */
export interface Assessment {
  model: Model;
  availability: number;
  unavailability: number;
  downtime_min_per_year: number;
  nines: number;
  mttf_hours: number;
  interruptions_per_year: number;
}

/** The model's figures from its closed form. */
export function assess(model: Model, p: Parameters): Assessment {
  const f = closedForm(model, p);
  return {
    model,
    availability: f.availability,
    unavailability: f.unavailability,
    downtime_min_per_year: downtimeMinutesPerYear(f.unavailability),
    nines: nines(f.unavailability),
    mttf_hours: f.mttfHours,
    interruptions_per_year: f.interruptionsPerHour * HOURS_PER_YEAR,
  };
}

/**
 * The model's figures from its chain, by the general solver: steady state, and the mean time
 * to absorption of the chain without resync pauses (a planned pause is not a failure).
 */
export function solveChain(model: Model, p: Parameters): ClosedForm {
  const measures = chainMeasures(modelChain(model, p));
  return { ...measures, mttfHours: meanTimeToAbsorption(modelChain(model, { ...p, resyncPause: 0 })) };
}
