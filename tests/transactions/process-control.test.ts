/**
 * process-control (src/transactions/workloads/process-control.ts, examples/process-control.s):
 * PID steps worked out by hand in Q16.16 (1.0 = 65536) with gains KP = 704, KI = 48, KD = 160
 * (Q8.8: 2.75, 0.1875, 0.625) and mulq(k, x) = sat32(floor((k * x + 128) / 256)), against the
 * reference model and the guest's workload_process; then the guest against the model over
 * seeded samples.
 */
import { describe, expect, it } from 'vitest';
import { PidFlag as F, ProcessControlModel, processControl } from '../../src/transactions/workloads/process-control.ts';
import type { Payload, Result } from '../../src/transactions/workloads/workload.ts';
import { guestResults, mismatches, seededPayloads } from './routine.ts';

const u32 = (v: number) => v >>> 0;
const ONE = 65536;
const sample = (measurement: number, setpoint: number): Payload => [u32(measurement), u32(setpoint), 0, 0];

/** Sequences of samples from a fresh controller, each with the result [command, e, integral, flags]. */
const SEQUENCES: [string, [Payload, Result][]][] = [
  ['a step to 1.0 from rest, twice', [
    // e = 65536. I: (48 * 65536 + 128) / 256 = 12288.5 -> 12288. D: (160 * 65536 + 128) / 256
    // = 40960.5 -> 40960. P: (704 * 65536 + 128) / 256 = 180224.5 -> 180224.
    // command = 180224 + 12288 + 40960 = 233472 (3.5625).
    [sample(0, ONE), [233472, ONE, 12288, 0]],
    // Again: integral 24576, D = mulq(160, 0) = floor(128 / 256) = 0; 180224 + 24576 = 204800.
    [sample(0, ONE), [204800, ONE, 24576, 0]],
  ]],
  ['rounding is half up, so an error of -8 LSB is not the mirror of +8', [
    // e = -8. I: (-384 + 128) / 256 = -1. D: (-1280 + 128) / 256 = -4.5 -> -5.
    // P: (-5632 + 128) / 256 = -21.5 -> -22. command = -22 - 1 - 5 = -28.
    [sample(8, 0), [u32(-28), u32(-8), u32(-1), 0]],
  ]],
  ['... and +8 LSB', [
    // e = 8. I: (384 + 128) / 256 = 2. D: (1280 + 128) / 256 = 5.5 -> 5. P: 5760 / 256 = 22.5 -> 22.
    [sample(-8, 0), [29, 8, 2, 0]],
  ]],
  ['a step to 100.0 saturates the command, then winds the integral up to its clamp', [
    // e = 6553600. I: (314572800 + 128) / 256 -> 1228800 (18.75). D: 1048576000 / 256 = 4096000.
    // P: 4613734400 / 256 = 18022400 (275.0). raw = 23347200 > 6553600: command 100.0, high.
    [sample(0, 100 * ONE), [100 * ONE, 100 * ONE, 1228800, F.SATURATED_HIGH]],
    // integral 2457600; D = 0; raw = 18022400 + 2457600 = 20480000: saturated.
    [sample(0, 100 * ONE), [100 * ONE, 100 * ONE, 2457600, F.SATURATED_HIGH]],
    // integral 2457600 + 1228800 = 3686400 > 50.0 = 3276800: clamped.
    [sample(0, 100 * ONE), [100 * ONE, 100 * ONE, 3276800, F.SATURATED_HIGH | F.INTEGRAL_CLAMPED]],
  ]],
  ['a step to -200.0 saturates low', [
    // e = -13107200. I: -629145600 / 256 = -2457600. D: -2097152000 / 256 = -8192000.
    // P: -9227468800 / 256 = -36044800. raw = -46694400 < -6553600.
    [sample(100 * ONE, -100 * ONE), [u32(-100 * ONE), u32(-200 * ONE), u32(-2457600), F.SATURATED_LOW]],
  ]],
  ['inputs beyond ±8192.0 are clamped; products and sums saturate at 32 bits', [
    // pv = clamp(-2^31) = -2^29, sp = clamp(2^31 - 1) = 2^29 - 1: e = 2^30 - 1 = 1073741823.
    // P: (704 * 1073741823 + 128) / 256 = 2952790013.75 -> sat 2147483647.
    // I: (48 * 1073741823 + 128) / 256 = 201326592.3 -> 201326592 > 3276800: clamped.
    // D: (160 * 1073741823 + 128) / 256 = 671088639.875 -> 671088639.
    // raw = satadd(satadd(2147483647, 3276800), 671088639) = 2147483647 (a wrapping sum
    // would be negative): command 100.0.
    [sample(-(2 ** 31), 2 ** 31 - 1), [100 * ONE, 1073741823, 3276800, F.SATURATED_HIGH | F.INTEGRAL_CLAMPED]],
    // e = -1073741823. P: (-755914243392 + 128) / 256 = -2952790013.25 -> floor -2952790014 -> sat -2^31.
    // I: 3276800 + floor((-51539607504 + 128) / 256) = 3276800 - 201326592 = -198049792: clamped to -3276800.
    // D: e - previous = -2147483646; (160 * -2147483646 + 128) / 256 = -1342177278.25 -> -1342177279.
    // raw = -2^31 (saturated): command -100.0.
    [sample(2 ** 31 - 1, -(2 ** 31)), [u32(-100 * ONE), u32(-1073741823), u32(-3276800), F.SATURATED_LOW | F.INTEGRAL_CLAMPED]],
  ]],
  ['words 2 and 3 are ignored', [
    [[0, ONE, 0xFFFF_FFFF, 0x1234_5678], [233472, ONE, 12288, 0]],
  ]],
];

describe('process-control reference model: hand-computed PID steps', () => {
  it.each(SEQUENCES)('%s', (_what, steps) => {
    const model = new ProcessControlModel();
    for (const [payload, expected] of steps) expect(model.apply(payload)).toEqual(expected);
  });
});

describe('process-control guest program (workload_process on the machine)', () => {
  it.each(SEQUENCES)('%s', async (_what, steps) => {
    const results = await guestResults(processControl, steps.map(([payload]) => payload));
    expect(results).toEqual(steps.map(([, expected]) => expected));
  });

  it.each([1, 2, 3])('agrees with the reference model bit for bit on 4000 seeded samples (seed %i)', async (seed) => {
    expect(await mismatches(processControl, seededPayloads(processControl, seed, 4000))).toEqual([]);
  });
});
