/**
 * card-auth (src/transactions/workloads/card-auth.ts, examples/card-auth.s): the reference
 * model and the guest's workload_process against cases worked out by hand from the
 * workload's definition, then the guest against the model over seeded payloads.
 *
 * Initial accounts, from balance(i) = (i * 7919) mod 50000, limit(i) = 100000 * (1 + i mod 10):
 *   account 0:    balance 0                                    limit 100000 * 1 = 100000
 *   account 3:    balance 3 * 7919 = 23757                     limit 100000 * 4 = 400000
 *   account 10:   balance 79190 - 50000 = 29190                limit 100000 * 1 = 100000
 *   account 4095: balance 32428305 - 648 * 50000 = 28305       limit 100000 * 6 = 600000
 */
import { describe, expect, it } from 'vitest';
import { CardAuthModel, CardDecision as D, CardOp as Op, cardAuth } from '../../src/transactions/workloads/card-auth.ts';
import type { Payload, Result } from '../../src/transactions/workloads/workload.ts';
import { guestResults, mismatches, seededPayloads } from './routine.ts';

const u32 = (v: number) => v >>> 0;

/** One sequence of records on a fresh machine, each with its expected result [decision, balance, limit - balance, applied]. */
const CASES: [string, Payload, Result][] = [
  ['authorise exactly the available credit of account 10 (100000 - 29190 = 70810)', [Op.AUTHORISE, 10, 70810, 0], [D.APPROVED, 100000, 0, 1]],
  ['authorise 1 cent more than the credit left (0): declined', [Op.AUTHORISE, 10, 1, 0], [D.DECLINED, 100000, 0, 1]],
  ['check a zero amount with no credit left: 0 <= 0 approves, nothing changes', [Op.CHECK, 10, 0, 0], [D.APPROVED, 100000, 0, 1]],
  ['refund 50000 on account 10: the debt falls to 50000, the credit rises to 50000', [Op.REFUND, 10, 50000, 0], [D.APPROVED, 50000, 50000, 2]],
  ['check 50001 > 50000 available: declined, nothing changes', [Op.CHECK, 10, 50001, 0], [D.DECLINED, 50000, 50000, 2]],
  ['check 50000 <= 50000 available: approved, nothing changes', [Op.CHECK, 10, 50000, 0], [D.APPROVED, 50000, 50000, 2]],
  ['authorise over the limit of account 3 (400000 - 23757 = 376243 available)', [Op.AUTHORISE, 3, 376244, 0], [D.DECLINED, 23757, 376243, 0]],
  ['authorise 243 on account 3: 23757 + 243 = 24000 owed', [Op.AUTHORISE, 3, 243, 0], [D.APPROVED, 24000, 376000, 1]],
  ['an amount of MAX_AMOUNT + 1 is invalid', [Op.AUTHORISE, 3, 10_000_001, 0], [D.INVALID_AMOUNT, 24000, 376000, 1]],
  ['an amount of MAX_AMOUNT is valid (and over the limit)', [Op.AUTHORISE, 3, 10_000_000, 0], [D.DECLINED, 24000, 376000, 1]],
  ['op 3 is invalid; the account is reported unchanged', [3, 3, 5, 0], [D.INVALID_OP, 24000, 376000, 1]],
  ['op 0xFFFFFFFF is invalid', [0xFFFF_FFFF, 3, 5, 0], [D.INVALID_OP, 24000, 376000, 1]],
  ['account 4096 does not exist', [Op.AUTHORISE, 4096, 5, 0], [D.UNKNOWN_ACCOUNT, 0, 0, 0]],
  ['account 0xFFFFFFFF does not exist (an unsigned id)', [Op.REFUND, 0xFFFF_FFFF, 5, 0], [D.UNKNOWN_ACCOUNT, 0, 0, 0]],
  ['the last account, 4095: authorise 1695 -> 28305 + 1695 = 30000', [Op.AUTHORISE, 4095, 1695, 0], [D.APPROVED, 30000, 570000, 1]],
  ['refund 2500 on account 0 (owing 0): a credit of 25.00, balance -2500', [Op.REFUND, 0, 2500, 0], [D.APPROVED, u32(-2500), 102500, 1]],
  ['word 3 is ignored', [Op.CHECK, 0, 102500, 0xDEAD_BEEF], [D.APPROVED, u32(-2500), 102500, 1]],
];

/**
 * The balance floor, on account 3 (owing 24000 after CASES): 107 refunds of MAX_AMOUNT leave
 * 24000 - 1_070_000_000 = -1_069_976_000; the 108th would leave -1_079_976_000 < -2^30 =
 * -1_073_741_824 and is refused; a refund of 3_765_824 reaches exactly -2^30 and is approved;
 * one more cent is refused. applied = 1 + 107 + 1 = 109; credit = 400000 + 2^30 = 1_074_141_824.
 * An authorisation of MAX_AMOUNT then moves the balance up again.
 */
function floorCases(): [string, Payload, Result][] {
  const cases: [string, Payload, Result][] = [];
  for (let n = 1; n <= 107; n++) {
    cases.push([`refund ${n} of MAX_AMOUNT`, [Op.REFUND, 3, 10_000_000, 0], [D.APPROVED, u32(24000 - n * 10_000_000), 400000 - 24000 + n * 10_000_000, 1 + n]]);
  }
  cases.push(
    ['refund 108 would pass the floor', [Op.REFUND, 3, 10_000_000, 0], [D.BALANCE_FLOOR, u32(-1_069_976_000), 1_069_976_000 + 400000, 108]],
    ['a refund to exactly -2^30', [Op.REFUND, 3, 3_765_824, 0], [D.APPROVED, u32(-(2 ** 30)), 1_074_141_824, 109]],
    ['one cent below the floor', [Op.REFUND, 3, 1, 0], [D.BALANCE_FLOOR, u32(-(2 ** 30)), 1_074_141_824, 109]],
    ['authorise MAX_AMOUNT from the credit balance: -2^30 + 10^7 = -1_063_741_824', [Op.AUTHORISE, 3, 10_000_000, 0], [D.APPROVED, u32(-1_063_741_824), 1_064_141_824, 110]],
  );
  return cases;
}

const ALL = [...CASES, ...floorCases()];

describe('card-auth reference model: hand-computed cases', () => {
  const model = new CardAuthModel();
  it.each(CASES.map((c, i) => [i, ...c] as const))('%i: %s', (_i, _what, payload, expected) => {
    expect(model.apply(payload)).toEqual(expected);
  });

  it('refuses a refund that would take the balance below -2^30, and allows one to exactly -2^30', () => {
    for (const [what, payload, expected] of floorCases()) expect(model.apply(payload), what).toEqual(expected);
  });
});

describe('card-auth guest program (workload_process on the machine)', () => {
  it('gives the hand-computed results', async () => {
    const results = await guestResults(cardAuth, ALL.map(([, payload]) => payload));
    ALL.forEach(([what, , expected], i) => expect(results[i], `${i}: ${what}`).toEqual(expected));
  });

  it.each([1, 2, 3])('agrees with the reference model on 4000 seeded records (seed %i)', async (seed) => {
    expect(await mismatches(cardAuth, seededPayloads(cardAuth, seed, 4000))).toEqual([]);
  });
});
