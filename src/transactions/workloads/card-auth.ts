/**
 * card-auth: a card issuer's authorisation host (examples/card-auth.s). Accounts hold a
 * balance owed and a credit limit in RAM; each record asks to authorise a purchase, to check
 * whether one would be authorised, or to refund one.
 *
 * Accounts: ids 0 .. CARD_AUTH.accounts - 1. Account i starts with
 *   balance(i) = (i * 7919) mod 50_000        cents owed (signed: negative is a credit)
 *   limit(i)   = 100_000 * (1 + i mod 10)      cents (1,000.00 .. 10,000.00)
 *   applied(i) = 0                             operations that changed the balance
 *
 * Payload: [op, account id, amount in cents (unsigned), ignored].
 * Result:  [decision, balance, available credit = limit - balance, applied] after the record;
 *          balance and available credit are signed 32-bit (two's complement words). An unknown
 *          account answers [UNKNOWN_ACCOUNT, 0, 0, 0].
 *
 * Rules, in this order:
 *   1. account id >= accounts                         -> UNKNOWN_ACCOUNT
 *   2. op not AUTHORISE / CHECK / REFUND              -> INVALID_OP, nothing changes
 *   3. amount > maxAmount                             -> INVALID_AMOUNT, nothing changes
 *   4. AUTHORISE: amount <= limit - balance           -> APPROVED, balance += amount, applied += 1
 *                 otherwise                           -> DECLINED, nothing changes
 *   5. CHECK:     the same test as AUTHORISE          -> APPROVED or DECLINED, nothing changes
 *   6. REFUND:    balance - amount >= balanceFloor    -> APPROVED, balance -= amount, applied += 1
 *                 otherwise                           -> BALANCE_FLOOR, nothing changes
 * A zero amount is valid (an account-verification authorisation). The limits keep every
 * quantity inside a signed 32-bit word: balance stays in [balanceFloor, limit], so
 * limit - balance <= 2^30 + 10^6 and balance - amount >= -2^30 - 10^7; `applied` wraps at 2^32.
 */
import type { Random } from '../../fault/random.ts';
import type { Payload, ReferenceModel, Result, Workload } from './workload.ts';

export const CARD_AUTH = {
  accounts: 4096,
  /** Largest valid amount, cents (100,000.00). */
  maxAmount: 10_000_000,
  /** Lowest balance a refund may leave, cents (-2^30). */
  balanceFloor: -(2 ** 30),
} as const;

export const CardOp = { AUTHORISE: 0, CHECK: 1, REFUND: 2 } as const;

export const CardDecision = {
  APPROVED: 0,
  DECLINED: 1,
  UNKNOWN_ACCOUNT: 2,
  INVALID_AMOUNT: 3,
  INVALID_OP: 4,
  BALANCE_FLOOR: 5,
} as const;

export interface Account {
  /** Cents owed, signed. */
  balance: number;
  /** Cents. */
  limit: number;
  applied: number;
}

/** Account i as the guest's start-up code initialises it. */
export function initialAccount(i: number): Account {
  return { balance: (i * 7919) % 50_000, limit: 100_000 * (1 + (i % 10)), applied: 0 };
}

export class CardAuthModel implements ReferenceModel {
  readonly accounts: Account[] = Array.from({ length: CARD_AUTH.accounts }, (_, i) => initialAccount(i));

  apply([op, id, amount]: Payload): Result {
    if (id >>> 0 >= CARD_AUTH.accounts) return [CardDecision.UNKNOWN_ACCOUNT, 0, 0, 0];
    const account = this.accounts[id];
    const decision = this.decide(account, op >>> 0, amount >>> 0);
    return [decision, account.balance >>> 0, (account.limit - account.balance) >>> 0, account.applied >>> 0];
  }

  /** Applies the rules above to a known account; returns the decision. */
  private decide(account: Account, op: number, amount: number): number {
    if (op > CardOp.REFUND) return CardDecision.INVALID_OP;
    if (amount > CARD_AUTH.maxAmount) return CardDecision.INVALID_AMOUNT;
    if (op === CardOp.REFUND) {
      if (account.balance - amount < CARD_AUTH.balanceFloor) return CardDecision.BALANCE_FLOOR;
      account.balance -= amount;
      account.applied = (account.applied + 1) >>> 0;
      return CardDecision.APPROVED;
    }
    if (amount > account.limit - account.balance) return CardDecision.DECLINED;
    if (op === CardOp.AUTHORISE) {
      account.balance += amount;
      account.applied = (account.applied + 1) >>> 0;
    }
    return CardDecision.APPROVED;
  }
}

/**
 * Payloads: 70 % authorisations, 10 % checks, 20 % refunds, with 1/256 an invalid op; 1/64 an
 * unknown account id; amounts mostly below 500.00, 1/16 up to maxAmount, 1/128 above it.
 * Word 3 is 0.
 */
function cardAuthPayload(random: Random): [number, number, number, number] {
  let op: number;
  if (random.below(256) === 0) op = CardOp.REFUND + 1 + random.below(1000);
  else {
    const r = random.below(10);
    op = r < 7 ? CardOp.AUTHORISE : r === 7 ? CardOp.CHECK : CardOp.REFUND;
  }
  const id = random.below(64) === 0
    ? CARD_AUTH.accounts + random.below(2 ** 32 - CARD_AUTH.accounts)
    : random.below(CARD_AUTH.accounts);
  let amount: number;
  if (random.below(128) === 0) amount = CARD_AUTH.maxAmount + 1 + random.below(2 ** 32 - CARD_AUTH.maxAmount - 1);
  else if (random.below(16) === 0) amount = random.below(CARD_AUTH.maxAmount + 1);
  else amount = random.below(50_000);
  return [op, id, amount, 0];
}

export const cardAuth: Workload = {
  name: 'card-auth',
  source: 'card-auth.s',
  arrivals: { kind: 'poisson' },
  payload: cardAuthPayload,
  createModel: () => new CardAuthModel(),
  // The account's balance (accounts + 16 * id); bit 24 is 167,772.16 of currency.
  liveWord: ([, id]) => (id >>> 0 < CARD_AUTH.accounts ? { symbol: 'accounts', offset: 16 * id, bit: 24 } : undefined),
  applicationChanges: 'none',
};
