/**
 * The availability view's state: the model parameters as people set them (MTBF,
 * MTTR, coverage, failover time, …), each model's figures from the library's closed forms
 * (`assess`), the cost table (`costOf`), the chart's log axis with the nines marked, and the
 * Monte Carlo 99 % intervals when people ask for a simulation. No formula of the models or
 * the costs lives here: every figure comes from src/availability.
 */
import {
  assess, checkParameters, costOf, DEFAULT_PARAMETERS, inside, MINUTES_PER_YEAR, modelChain, MODELS, simulation,
  type Assessment, type CostBasis, type Costs, type Model, type Parameters, type SimulationResult,
} from '../../src/availability/index.ts';

export type FieldId =
  | 'mtbf' | 'mttr' | 'coverage' | 'failover'
  | 'restart' | 'pairCoverage' | 'standbyMtbf' | 'failoverCoverage' | 'manual' | 'resyncPause';

/**
 * One parameter as the view shows it: in the unit people think in (hours, seconds, a
 * probability), with a slider that is logarithmic for times that span decades.
 */
export interface Field {
  id: FieldId;
  label: string;
  unit: string;
  /** log: the slider's position is log10 of the value. */
  scale: 'log' | 'linear';
  /** Slider range and step, in the shown unit (log: the range of the value, step in decades). */
  min: number;
  max: number;
  step: number;
  /** Behind "more parameters". */
  more: boolean;
  /** The shown value of the parameters (Infinity: a standby that never fails). */
  read(p: Parameters): number;
  /** The parameters with this field set to `value` (in the shown unit). */
  write(p: Parameters, value: number): Parameters;
}

const SECONDS_PER_HOUR = 3600;

export const FIELDS: readonly Field[] = [
  { id: 'mtbf', label: 'MTBF of one module', unit: 'h', scale: 'log', min: 100, max: 1e7, step: 0.05, more: false,
    read: (p) => 1 / p.lambda, write: (p, v) => ({ ...p, lambda: 1 / v }) },
  { id: 'mttr', label: 'MTTR (repair time)', unit: 'h', scale: 'log', min: 0.1, max: 1000, step: 0.05, more: false,
    read: (p) => 1 / p.mu, write: (p, v) => ({ ...p, mu: 1 / v }) },
  { id: 'coverage', label: 'Coverage c', unit: '', scale: 'linear', min: 0, max: 1, step: 0.0001, more: false,
    read: (p) => p.coverage, write: (p, v) => ({ ...p, coverage: v }) },
  { id: 'failover', label: 'Failover time', unit: 's', scale: 'log', min: 1, max: 3600, step: 0.05, more: false,
    read: (p) => SECONDS_PER_HOUR / p.failoverRate, write: (p, v) => ({ ...p, failoverRate: SECONDS_PER_HOUR / v }) },
  { id: 'restart', label: 'Restart after an uncovered failure', unit: 'min', scale: 'log', min: 0.1, max: 600, step: 0.05, more: true,
    read: (p) => 60 / p.rho, write: (p, v) => ({ ...p, rho: 60 / v }) },
  { id: 'pairCoverage', label: 'Pair coverage c_p', unit: '', scale: 'linear', min: 0, max: 1, step: 0.0001, more: true,
    read: (p) => p.pairCoverage, write: (p, v) => ({ ...p, pairCoverage: v }) },
  { id: 'standbyMtbf', label: 'MTBF of the standby host', unit: 'h', scale: 'log', min: 100, max: 1e7, step: 0.05, more: true,
    read: (p) => 1 / p.standbyLambda, write: (p, v) => ({ ...p, standbyLambda: 1 / v }) },
  { id: 'failoverCoverage', label: 'Failover coverage c_fo', unit: '', scale: 'linear', min: 0, max: 1, step: 0.0001, more: true,
    read: (p) => p.failoverCoverage, write: (p, v) => ({ ...p, failoverCoverage: v }) },
  { id: 'manual', label: 'Manual recovery after a failed failover', unit: 'h', scale: 'log', min: 0.01, max: 100, step: 0.05, more: true,
    read: (p) => 1 / p.manualRate, write: (p, v) => ({ ...p, manualRate: 1 / v }) },
  { id: 'resyncPause', label: 'Resync pause after each repair', unit: 's', scale: 'linear', min: 0, max: 120, step: 0.5, more: true,
    read: (p) => p.resyncPause * SECONDS_PER_HOUR, write: (p, v) => ({ ...p, resyncPause: v / SECONDS_PER_HOUR }) },
];

export const fieldById = (id: FieldId): Field => FIELDS.find((f) => f.id === id)!;

/** The slider position of a shown value (clamped to the slider's range). */
export function sliderPosition(field: Field, value: number): number {
  const clamped = Math.min(field.max, Math.max(field.min, value));
  return field.scale === 'log' ? Math.log10(clamped) : clamped;
}

/** The shown value at a slider position, rounded to 3 significant digits on a log slider. */
export function sliderValue(field: Field, position: number): number {
  return field.scale === 'log' ? Number((10 ** position).toPrecision(3)) : position;
}

/** A shown value for people and for the number input: up to 6 significant digits. */
export const shownValue = (value: number): string => (Number.isFinite(value) ? String(Number(value.toPrecision(6))) : '');

export type CostField = keyof CostBasis;

export const COST_FIELDS: readonly { id: CostField; label: string; min: number }[] = [
  { id: 'downtimePerHour', label: 'Downtime cost per hour', min: 0 },
  { id: 'perInterruption', label: 'Cost per interruption', min: 0 },
  { id: 'hardwarePerModule', label: 'Hardware cost per module', min: 0 },
  { id: 'years', label: 'Years of service', min: 0 },
];

/** What the cost table starts from until people change it. */
export const DEFAULT_COST_BASIS: CostBasis = { downtimePerHour: 100_000, perInterruption: 5_000, hardwarePerModule: 20_000, years: 5 };

/** A model's 99 % Monte Carlo interval of downtime per year, from the interval of A. */
export interface DowntimeInterval {
  /** Minutes per year; `low` may be 0 (no outage simulated, or an interval reaching A = 1). */
  low: number;
  mean: number;
  high: number;
  /** The closed form's availability lies inside the interval of A. */
  closedFormInside: boolean;
  /** Outages over all runs: with none, the interval is [0, 0] and says only that outages are rarer than the runs can see. */
  outages: number;
  /** Down states entered too rarely for the interval to be trusted (SimulationResult.rarelyEntered). */
  rarelyEntered: string[];
}

export function downtimeInterval(result: SimulationResult, closedForm: Assessment): DowntimeInterval {
  const a = result.availability;
  return {
    low: Math.max(0, (1 - a.high) * MINUTES_PER_YEAR),
    mean: Math.max(0, (1 - a.mean) * MINUTES_PER_YEAR),
    high: Math.max(0, (1 - a.low) * MINUTES_PER_YEAR),
    closedFormInside: inside(closedForm.availability, a),
    outages: result.outages,
    rarelyEntered: result.rarelyEntered,
  };
}

export interface SimulationSettings {
  /** Independent replications per model (at least 2). */
  runs: number;
  seed: number;
}

export const DEFAULT_SIMULATION: SimulationSettings = { runs: 1000, seed: 1 };

/**
 * The view's state. Every change of the parameters, the years or the simulation settings
 * drops the intervals and ends `simulating` (a simulation under way sees that and stops).
 */
export interface AvailabilityState {
  parameters: Parameters;
  basis: CostBasis;
  rows: Assessment[];
  costs: Costs[];
  simulation: SimulationSettings;
  /** The intervals of the last simulation of these parameters, by model; none after a change. */
  intervals?: Partial<Record<Model, DowntimeInterval>>;
  simulating: boolean;
  /** Why the last change was refused (the value in force stays). */
  error?: string;
}

/** The parameters a scenario's `availability` field gives, over the defaults. */
export function presetParameters(preset: Partial<Parameters> | undefined): Parameters {
  const p = { ...DEFAULT_PARAMETERS, ...preset };
  checkParameters(p);
  return p;
}

/**
 * The scenario field that opens the view as it stands: the parameters that differ from the
 * defaults (none: `{}`, which opens it with the defaults). For the embed code.
 */
export function scenarioAvailability(parameters: Parameters): Partial<Parameters> {
  const keys = Object.keys(DEFAULT_PARAMETERS) as (keyof Parameters)[];
  return Object.fromEntries(keys.filter((k) => parameters[k] !== DEFAULT_PARAMETERS[k]).map((k) => [k, parameters[k]]));
}

function derive(parameters: Parameters, basis: CostBasis, simulation: SimulationSettings): AvailabilityState {
  const rows = MODELS.map((model) => assess(model, parameters));
  return { parameters, basis, rows, costs: rows.map((row) => costOf(row, basis)), simulation, simulating: false };
}

export function initialState(preset?: Partial<Parameters>): AvailabilityState {
  return derive(presetParameters(preset), DEFAULT_COST_BASIS, DEFAULT_SIMULATION);
}

/**
 * The state with `field` set to `value` (shown unit). A value the models refuse leaves the
 * parameters as they were, with `error` saying why. Any change drops the intervals, which
 * belong to the old parameters.
 */
export function setField(state: AvailabilityState, id: FieldId, value: number): AvailabilityState {
  const field = fieldById(id);
  if (!Number.isFinite(value)) return { ...state, error: `${field.label}: not a number` };
  const next = field.write(state.parameters, value);
  try {
    checkParameters(next);
  } catch (error) {
    return { ...state, error: `${field.label}: ${shownValue(value)}${field.unit ? ' ' + field.unit : ''} is out of range (${(error as Error).message})` };
  }
  return derive(next, state.basis, state.simulation);
}

/** The state with a cost input set; costs must be non-negative, the years positive. */
export function setCost(state: AvailabilityState, id: CostField, value: number): AvailabilityState {
  const label = COST_FIELDS.find((f) => f.id === id)!.label;
  if (!Number.isFinite(value) || value < 0 || (id === 'years' && value === 0)) {
    return { ...state, error: `${label}: ${id === 'years' ? 'give a positive number of years' : 'give a cost of 0 or more'}` };
  }
  const basis = { ...state.basis, [id]: value };
  // The simulation runs over the years of service: other years, other intervals (a simulation under way stops).
  const next = derive(state.parameters, basis, state.simulation);
  return id === 'years' ? next : { ...next, intervals: state.intervals, simulating: state.simulating };
}

export function setSimulation(state: AvailabilityState, settings: Partial<SimulationSettings>): AvailabilityState {
  const simulation = { ...state.simulation, ...settings };
  if (!Number.isInteger(simulation.runs) || simulation.runs < 2) return { ...state, error: 'Runs: a 99 % interval needs at least 2 runs' };
  if (!Number.isInteger(simulation.seed) || simulation.seed < 0) return { ...state, error: 'Seed: give a whole number of 0 or more' };
  // Other runs or another seed: the intervals shown go, and a simulation under way stops.
  return { ...state, simulation, intervals: undefined, simulating: false, error: undefined };
}

/**
 * One model's Monte Carlo simulation over the state's years of service, as the CLI's
 * --simulate runs it, a replication at a time (the page runs it in slices between frames);
 * `finish` turns its result into the interval of downtime.
 */
export function modelSimulation(state: AvailabilityState, model: Model): Generator<number, SimulationResult, void> {
  const { runs, seed } = state.simulation;
  return simulation(modelChain(model, state.parameters), { runs, years: state.basis.years, seed });
}

export const finish = (state: AvailabilityState, model: Model, result: SimulationResult): DowntimeInterval =>
  downtimeInterval(result, state.rows[MODELS.indexOf(model)]);

/** The whole simulation of one model at once. */
export function simulateModel(state: AvailabilityState, model: Model): DowntimeInterval {
  const steps = modelSimulation(state, model);
  for (;;) {
    const step = steps.next();
    if (step.done) return finish(state, model, step.value);
  }
}

// ── The chart: downtime per year on a log axis ──────────────────────────────────

/** A horizontal line at the downtime of k nines: A = 1 − 10^−k. */
export interface NinesMark {
  nines: number;
  /** Minutes per year: 10^−k × 525,960 (365.25 days). */
  minutes: number;
}

export interface LogAxis {
  /** Powers of ten bounding every value drawn, minutes per year. */
  low: number;
  high: number;
  decades: number[];
  marks: NinesMark[];
}

/**
 * The axis for downtimes `values` (minutes per year; zeros and non-finite ones ignored):
 * whole decades around them, at least one, and the nines whose downtime falls inside.
 * Bars rise from the bottom of the axis (a log axis has no zero).
 */
export function logAxis(values: number[]): LogAxis {
  const drawn = values.filter((v) => v > 0 && Number.isFinite(v));
  const min = drawn.length > 0 ? Math.min(...drawn) : 1;
  const max = drawn.length > 0 ? Math.max(...drawn) : 1;
  const lowExp = Math.floor(Math.log10(min));
  const highExp = Math.max(lowExp + 1, Math.ceil(Math.log10(max)));
  const decades = Array.from({ length: highExp - lowExp + 1 }, (_, k) => 10 ** (lowExp + k));
  const low = decades[0];
  const high = decades[decades.length - 1];
  const marks: NinesMark[] = [];
  for (let k = 1; k <= 15; k++) {
    const minutes = 10 ** -k * MINUTES_PER_YEAR;
    if (minutes >= low && minutes <= high) marks.push({ nines: k, minutes });
  }
  return { low, high, decades, marks };
}

/** Every downtime the chart draws: the bars and the ends of the intervals. */
export function chartValues(state: Pick<AvailabilityState, 'rows' | 'intervals'>): number[] {
  const values = state.rows.map((r) => r.downtime_min_per_year);
  for (const interval of Object.values(state.intervals ?? {})) values.push(interval.low, interval.high);
  return values;
}

/** A decade on the axis: "100 min", "0.1 min", "6 s" below a hundredth of a minute. */
export function decadeLabel(minutes: number): string {
  if (minutes >= 1) return `${minutes.toLocaleString('en-US')} min`;
  if (minutes >= 0.01) return `${Number(minutes.toPrecision(1))} min`;
  return `${Number((minutes * 60).toPrecision(2))} s`;
}
