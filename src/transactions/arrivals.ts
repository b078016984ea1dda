/**
 * Arrival processes: when transactions arrive on the virtual clock and what they carry. An
 * arrival stream is a pure function of (workload, seed, rate, duration), or a replayed trace
 * file. Record k (from 0) has id k + 1 (0 means "none" on the port).
 */
import { Random } from '../fault/random.ts';
import { InputError } from '../input-error.ts';
import type { Payload, Workload } from './workloads/workload.ts';
import { CYCLES_PER_US, cyclesToUs } from './time.ts';

export interface Arrival {
  /** 1, 2, 3, ... in arrival order. */
  id: number;
  /** Virtual clock cycle of the arrival (100 per µs). */
  cycle: number;
  payload: Payload;
}

/** An arrival read from a trace file: time in cycles and payload (ids are given in order). */
export interface TraceArrival {
  cycle: number;
  payload: Payload;
}

/** The largest rate: one arrival per clock cycle. */
export const MAX_RATE = 1e6 * CYCLES_PER_US;

/** Salt between the seed of the arrival times and the seed of the payloads. */
const PAYLOAD_STREAM = 0x5DEECE66;

export interface ArrivalSettings {
  workload: Workload;
  /** Arrivals end before this cycle. */
  endCycle: number;
  /** Per virtual second: the Poisson rate, or for a periodic workload a period of 1 s / rate instead of its own. */
  rate?: number;
  seed: number;
  /** A trace replaces the generated times and payloads. */
  trace?: readonly TraceArrival[];
}

/**
 * The arrivals of a run, lazily, in order of cycle (ties in id order). Generated streams:
 * Poisson draws exponential gaps (inversion, -ln(1 - U) / rate) from Random(seed), periodic
 * arrivals come at (k + 1) × period; payloads come from the workload's payload() drawn from
 * a second stream Random(seed ^ PAYLOAD_STREAM), so that the rate does not change them.
 */
export function* arrivalStream(settings: ArrivalSettings): Generator<Arrival> {
  const { workload, endCycle, trace } = settings;
  if (trace) {
    for (let k = 0; k < trace.length && trace[k].cycle < endCycle; k++) {
      yield { id: k + 1, cycle: trace[k].cycle, payload: trace[k].payload };
    }
    return;
  }
  const times = new Random(settings.seed);
  const payloads = new Random((settings.seed ^ PAYLOAD_STREAM) >>> 0);
  const arrivals = workload.arrivals;
  const periodic = arrivals.kind === 'periodic';
  const periodCycles = periodic
    ? (settings.rate !== undefined ? 1e6 / settings.rate : arrivals.periodUs) * CYCLES_PER_US
    : 0;
  const rate = settings.rate ?? DEFAULT_RATE;
  const cyclesPerArrival = (1e6 * CYCLES_PER_US) / rate;
  let t = 0;
  for (let id = 1; ; id++) {
    t += periodic ? periodCycles : -Math.log(1 - times.next()) * cyclesPerArrival;
    const cycle = Math.floor(t);
    if (cycle >= endCycle) return;
    yield { id, cycle, payload: workload.payload(payloads) };
  }
}

/** Poisson rate when none is given, per virtual second. */
export const DEFAULT_RATE = 1000;

/** Checks a rate given by the user: a positive number per virtual second, at most one per cycle. */
export function checkRate(rate: number): void {
  if (!(Number.isFinite(rate) && rate > 0)) throw new InputError(`rate ${rate} must be a positive number of transactions per virtual second`);
  if (rate > MAX_RATE) throw new InputError(`rate ${rate} is above one transaction per clock cycle (${MAX_RATE} per second)`);
}

// ── Trace files ────────────────────────────────────────────────────────────────────────

/** A trace file that cannot be read as arrivals; the message names the file and line. */
export class TraceError extends InputError {
  override name = 'TraceError';
}

const TIME = /^\d+(?:\.\d{1,2})?$/;
const WORD = /^(?:0x[0-9a-fA-F]{1,8}|\d+)$/;

/**
 * Parses a trace file. Format (one arrival per line, in order of time):
 *
 *     TIME,W0[,W1[,W2[,W3]]]
 *
 * TIME is the arrival's virtual time in µs since power-on, a decimal with at most two
 * fractional digits (the clock's 10 ns resolution), e.g. `1250` or `1250.25`; times never
 * decrease. W0..W3 are the payload words, each a decimal (0..4294967295) or `0x` hex with
 * 1..8 digits; words left out are 0. Spaces around fields are ignored; blank lines and
 * lines starting with `#` are comments. Arrivals at or after `endUs` are an error (the trace
 * would be cut silently otherwise). Errors are thrown as TraceError
 * `FILE:LINE: what is wrong`.
 */
export function parseTrace(text: string, file: string, endUs: number): TraceArrival[] {
  const out: TraceArrival[] = [];
  const lines = text.split(/\r?\n/);
  let last = 0;
  lines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fail = (what: string): never => { throw new TraceError(`${file}:${index + 1}: ${what}`); };
    const fields = line.split(',').map((f) => f.trim());
    if (fields.length < 2 || fields.length > 5) fail(`expected TIME,W0[,W1[,W2[,W3]]] (a time in µs and 1 to 4 payload words), found ${fields.length} field${fields.length === 1 ? '' : 's'}`);
    const [time, ...words] = fields;
    if (!TIME.test(time)) fail(`time '${time}' is not a number of µs (digits, at most two after the point)`);
    const cycle = Math.round(Number(time) * CYCLES_PER_US);
    if (cycle < last) fail(`time ${time} µs is earlier than the line before (${cyclesToUs(last)} µs): sort the trace by time`);
    if (cycle >= endUs * CYCLES_PER_US) fail(`time ${time} µs is not before the end of the run (${endUs} µs): lengthen --duration or cut the trace`);
    const payload: [number, number, number, number] = [0, 0, 0, 0];
    words.forEach((w, k) => {
      const value = WORD.test(w) ? Number(w) : NaN;
      if (!(value >= 0 && value <= 0xFFFF_FFFF)) fail(`payload word ${k} '${w}' is not a 32-bit unsigned number (decimal or 0x hex)`);
      payload[k] = value >>> 0;
    });
    last = cycle;
    out.push({ cycle, payload });
  });
  return out;
}
