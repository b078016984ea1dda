/**
 * process-control: one loop of a digital controller (examples/process-control.s). A sensor
 * sample arrives every PROCESS_CONTROL.periodUs of virtual time; the guest runs one PID step
 * and answers with the actuator command, due before the next sample (deadlineUs).
 *
 * Fixed point: signals (setpoint, measurement, error, integral, command) are Q16.16 signed
 * 32-bit words (value / 2^16); gains are Q8.8 (value / 2^8).
 *   mulq(k, x)  = sat32(floor((k * x + 2^7) / 2^8))   the exact 64-bit product, rounded half
 *                                                       up (an arithmetic shift right by 8
 *                                                       after adding 2^7), then saturated
 *   satadd(a, b) = sat32(a + b)                        the exact sum, saturated
 *   sat32(v)    = min(max(v, -2^31), 2^31 - 1)
 * One step, for payload [measurement, setpoint, ignored, ignored]:
 *   pv = clamp(measurement, inputMin, inputMax);  sp = clamp(setpoint, inputMin, inputMax)
 *   e  = sp - pv                                       (|e| < 2^30: exact)
 *   integral = clamp(satadd(integral, mulq(ki, e)), -integralMax, integralMax)
 *   d  = mulq(kd, e - previousError)                   (|e - previousError| < 2^31: exact)
 *   raw = satadd(satadd(mulq(kp, e), integral), d)
 *   command = clamp(raw, commandMin, commandMax)
 *   previousError = e
 * The state starts as integral = 0, previousError = 0.
 * Result: [command, e, integral, flags] with flags bit 0 = raw > commandMax (saturated high),
 * bit 1 = raw < commandMin (saturated low), bit 2 = the integral was clamped this step.
 */
import type { Random } from '../../fault/random.ts';
import type { Payload, ReferenceModel, Result, Workload } from './workload.ts';

const ONE = 2 ** 16; // 1.0 in Q16.16

export const PROCESS_CONTROL = {
  periodUs: 1000,
  deadlineUs: 1000,
  /** Gains, Q8.8: kp = 2.75, ki = 0.1875, kd = 0.625. */
  kp: 704,
  ki: 48,
  kd: 160,
  /** Inputs are clamped to [-8192.0, 8192.0 - 2^-16] (Q16.16). */
  inputMin: -(2 ** 29),
  inputMax: 2 ** 29 - 1,
  /** ±50.0 (Q16.16). */
  integralMax: 50 * ONE,
  /** -100.0 .. 100.0 (Q16.16). */
  commandMin: -100 * ONE,
  commandMax: 100 * ONE,
} as const;

export const PidFlag = { SATURATED_HIGH: 1, SATURATED_LOW: 2, INTEGRAL_CLAMPED: 4 } as const;

const INT_MIN = -(2 ** 31);
const INT_MAX = 2 ** 31 - 1;

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** The signed value of a u32 word. */
function signed(word: number): number {
  return word | 0;
}

/** sat32(floor((k * x + 2^7) / 2^8)); |k * x| < 2^53, so the double arithmetic is exact. */
export function mulq(k: number, x: number): number {
  return clamp(Math.floor((k * x + 128) / 256), INT_MIN, INT_MAX);
}

export function satadd(a: number, b: number): number {
  return clamp(a + b, INT_MIN, INT_MAX);
}

export class ProcessControlModel implements ReferenceModel {
  integral = 0;
  previousError = 0;

  apply([measurement, setpoint]: Payload): Result {
    const c = PROCESS_CONTROL;
    const pv = clamp(signed(measurement), c.inputMin, c.inputMax);
    const sp = clamp(signed(setpoint), c.inputMin, c.inputMax);
    const e = sp - pv;
    let flags = 0;
    const accumulated = satadd(this.integral, mulq(c.ki, e));
    this.integral = clamp(accumulated, -c.integralMax, c.integralMax);
    if (this.integral !== accumulated) flags |= PidFlag.INTEGRAL_CLAMPED;
    const d = mulq(c.kd, e - this.previousError);
    this.previousError = e;
    const raw = satadd(satadd(mulq(c.kp, e), this.integral), d);
    if (raw > c.commandMax) flags |= PidFlag.SATURATED_HIGH;
    if (raw < c.commandMin) flags |= PidFlag.SATURATED_LOW;
    const command = clamp(raw, c.commandMin, c.commandMax);
    return [command >>> 0, e >>> 0, this.integral >>> 0, flags];
  }
}

const SETPOINTS = [0, 20 * ONE, 50 * ONE, -10 * ONE];

/**
 * Payloads: a setpoint from a few fixed values (1/64 of them any 32-bit word), a measurement
 * within ±16.0 of it (1/32 of them any 32-bit word, which the input clamp catches).
 */
function processControlPayload(random: Random): [number, number, number, number] {
  const setpoint = random.below(64) === 0 ? signed(random.nextU32()) : random.pick(SETPOINTS);
  const measurement = random.below(32) === 0
    ? signed(random.nextU32())
    : setpoint + random.below(32 * ONE + 1) - 16 * ONE;
  return [measurement >>> 0, setpoint >>> 0, 0, 0];
}

export const processControl: Workload = {
  name: 'process-control',
  source: 'process-control.s',
  arrivals: { kind: 'periodic', periodUs: PROCESS_CONTROL.periodUs },
  deadlineUs: PROCESS_CONTROL.deadlineUs,
  payload: processControlPayload,
  createModel: () => new ProcessControlModel(),
  // The controller's integral (state + 0, Q16.16); bit 20 is 16.0.
  liveWord: () => ({ symbol: 'state', offset: 0, bit: 20 }),
  applicationChanges: 'none',
};
