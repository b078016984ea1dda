/**
 * telco-hlr (src/transactions/workloads/telco-hlr.ts, examples/telco-hlr.s): the reference
 * model against cases worked out by hand from the definition — probing on a small table
 * where the hash can be computed by hand, then the guest's table of 12,000 subscribers —
 * and the guest's workload_process against the model over seeded payloads.
 */
import { describe, expect, it } from 'vitest';
import {
  HlrCode as C, HlrOp as Op, HlrStatus as S, TELCO_HLR, TelcoHlrModel, homeSlot, telcoHlr,
} from '../../src/transactions/workloads/telco-hlr.ts';
import type { Payload, Result } from '../../src/transactions/workloads/workload.ts';
import { guestResults, mismatches, seededPayloads } from './routine.ts';

/** Word 0 of a result: the code and the slots examined. */
const code = (c: number, probes: number) => (c | (probes << 16)) >>> 0;

describe('telco-hlr reference model on a small table worked by hand', () => {
  // 8 slots (slotsLog2 = 3), subscribers k = 0..4 with key = 1 + 2k: keys 1, 3, 5, 7, 9.
  // hash(key) = (key * 2654435761 mod 2^32) >> 29 = floor((key * 2654435761 mod 2^32) / 536870912):
  //   key 1:  2654435761                                   -> 4
  //   key 3:  7963307283 - 4294967296 = 3668339987          -> 6
  //   key 5:  13272178805 - 3 * 4294967296 = 387276917      -> 0
  //   key 7:  18581050327 - 4 * 4294967296 = 1401181143     -> 2
  //   key 9:  23889921849 - 5 * 4294967296 = 2415085369     -> 4, taken by key 1: slot 5
  //   key 17: 45125407937 - 10 * 4294967296 = 2175734977   -> 4 (not a subscriber)
  // Slots: 0 key 5, 2 key 7, 4 key 1, 5 key 9, 6 key 3; 1, 3 and 7 empty.
  // Initial records (status DETACHED iff k mod 4 = 0, location 1 + k mod 1000, usage 1000k):
  //   key 1 (k 0): DETACHED, 1, 0     key 3 (k 1): ATTACHED, 2, 1000    key 9 (k 4): DETACHED, 5, 4000
  const config = { slotsLog2: 3, subscribers: 5, keyBase: 1, keyStep: 2 };

  it('hashes as the definition says', () => {
    expect([1, 3, 5, 7, 9, 17].map((key) => homeSlot(key, 3))).toEqual([4, 6, 0, 2, 4, 4]);
  });

  it('places the colliding key in the next slot', () => {
    const model = new TelcoHlrModel(config);
    expect(model.slots.map((s) => s?.key ?? 0)).toEqual([5, 0, 7, 0, 1, 9, 3, 0]);
  });

  const CASES: [string, Payload, Result][] = [
    ['look up key 9: slot 4 (key 1), then slot 5: 2 probes', [Op.LOOKUP, 9, 0xFFFF_FFFF, 0], [code(C.OK, 2), S.DETACHED, 5, 4000]],
    ['a location update of a detached subscriber is refused', [Op.LOCATION, 9, 77, 0], [code(C.NOT_ATTACHED, 2), S.DETACHED, 5, 4000]],
    ['usage of a detached subscriber is refused', [Op.USAGE, 9, 10, 0], [code(C.NOT_ATTACHED, 2), S.DETACHED, 5, 4000]],
    ['attach key 9 in cell 77', [Op.ATTACH, 9, 77, 0], [code(C.OK, 2), S.ATTACHED, 77, 4000]],
    ['usage up to exactly 2^32 - 1: 4000 + 4294963295 = 4294967295', [Op.USAGE, 9, 4294963295, 0], [code(C.OK, 2), S.ATTACHED, 77, 0xFFFF_FFFF]],
    ['usage saturates at 2^32 - 1', [Op.USAGE, 9, 1, 0], [code(C.OK, 2), S.ATTACHED, 77, 0xFFFF_FFFF]],
    ['key 17: slots 4, 5, 6 hold other keys, 7 is empty: not found after 4 probes', [Op.LOOKUP, 17, 0, 0], [code(C.NOT_FOUND, 4), 0, 0, 0]],
    ['attaching an unknown key changes nothing', [Op.ATTACH, 17, 5, 0], [code(C.NOT_FOUND, 4), 0, 0, 0]],
    ['key 3 is in its home slot: 1 probe; detach keeps location and usage', [Op.DETACH, 3, 0, 0], [code(C.OK, 1), S.DETACHED, 2, 1000]],
    ['detach is idempotent', [Op.DETACH, 3, 0, 0], [code(C.OK, 1), S.DETACHED, 2, 1000]],
    ['key 0 marks empty slots: never a subscriber, no search', [Op.LOOKUP, 0, 0, 0], [C.NOT_FOUND, 0, 0, 0]],
    ['op 5 is invalid, no search', [5, 9, 0, 0], [C.INVALID_OP, 0, 0, 0]],
    ['a move of an attached subscriber', [Op.LOCATION, 9, 12, 0], [code(C.OK, 2), S.ATTACHED, 12, 0xFFFF_FFFF]],
  ];

  const model = new TelcoHlrModel(config);
  it.each(CASES.map((c, i) => [i, ...c] as const))('%i: %s', (_i, _what, payload, expected) => {
    expect(model.apply(payload)).toEqual(expected);
  });
});

/**
 * The guest's table: key(k) = 100000000 + 37k. Subscriber 0 is inserted first, into its empty
 * home slot: 1 probe. Others' probe counts depend on the cluster they land in, so only their
 * code and record are worked out here (the seeded comparison checks the probes).
 *   k = 0:     key 100000000, DETACHED, location 1,   usage 0
 *   k = 5:     key 100000185, ATTACHED, location 6,   usage 5000
 *   k = 11999: key 100443963, ATTACHED, location 1000 (11999 mod 1000 = 999, + 1), usage 11999000
 *   k = 12000 would be key 100444000: not a subscriber.
 */
describe('telco-hlr: the guest table of 12,000 subscribers', () => {
  const CASES: [string, Payload, Result, number?][] = [
    ['look up subscriber 0', [Op.LOOKUP, 100_000_000, 0, 0], [code(C.OK, 1), S.DETACHED, 1, 0], 1],
    ['attach subscriber 0 in cell 42', [Op.ATTACH, 100_000_000, 42, 0], [code(C.OK, 1), S.ATTACHED, 42, 0], 1],
    ['meter 1234 kB for subscriber 0', [Op.USAGE, 100_000_000, 1234, 0], [code(C.OK, 1), S.ATTACHED, 42, 1234], 1],
    ['look up subscriber 5', [Op.LOOKUP, 100_000_185, 0, 0], [C.OK, S.ATTACHED, 6, 5000]],
    ['meter 1 kB for subscriber 11999', [Op.USAGE, 100_443_963, 1, 0], [C.OK, S.ATTACHED, 1000, 11_999_001]],
    ['key 100000001 lies between subscribers', [Op.LOOKUP, 100_000_001, 0, 0], [C.NOT_FOUND, 0, 0, 0]],
    ['key 100444000 is past the last subscriber', [Op.DETACH, 100_444_000, 0, 0], [C.NOT_FOUND, 0, 0, 0]],
  ];
  /** Word 0 without the probes, unless the case knows them. */
  const comparable = (result: Result, probes?: number): Result =>
    probes === undefined ? [result[0] & 0xFFFF, result[1], result[2], result[3]] : result;

  it('holds 12,000 subscribers in 16,384 slots', () => {
    const model = new TelcoHlrModel();
    expect(TELCO_HLR.subscribers).toBeGreaterThanOrEqual(10_000);
    expect(model.slots.filter((s) => s !== undefined)).toHaveLength(12_000);
  });

  it('reference model: hand-computed cases', () => {
    const model = new TelcoHlrModel();
    for (const [what, payload, expected, probes] of CASES) expect(comparable(model.apply(payload), probes), what).toEqual(expected);
  });

  it('guest program: hand-computed cases', async () => {
    const results = await guestResults(telcoHlr, CASES.map(([, payload]) => payload));
    CASES.forEach(([what, , expected, probes], i) => expect(comparable(results[i], probes), what).toEqual(expected));
  });

  it.each([1, 2, 3])('guest program agrees with the reference model on 4000 seeded records (seed %i)', async (seed) => {
    expect(await mismatches(telcoHlr, seededPayloads(telcoHlr, seed, 4000))).toEqual([]);
  });
});
