/**
 * telco-hlr: a mobile operator's home location register (examples/telco-hlr.s), an in-memory
 * subscriber database kept as an open-addressing hash table with linear probing.
 *
 * The table has 2^slotsLog2 slots of {key, status, location, usage}; key 0 marks an empty
 * slot. The home slot of a key is hash(key) = (key * 0x9E3779B1 mod 2^32) >> (32 - slotsLog2)
 * (multiplicative hashing, Knuth TAOCP vol. 3 §6.4); a search examines the home slot and
 * then slot + 1, + 2, ... (mod the table size) until it finds the key or an empty slot. The
 * number of slots examined is the search's `probes`.
 *
 * At start-up the guest clears the table and inserts subscribers k = 0 .. subscribers - 1,
 * in that order, each into the first empty slot of its search:
 *   key(k)      = keyBase + keyStep * k
 *   status(k)   = DETACHED if k mod 4 = 0, else ATTACHED
 *   location(k) = 1 + k mod 1000                      (cell id)
 *   usage(k)    = 1000 * k                            (kB metered)
 * Nothing is inserted or deleted afterwards, so every search ends.
 *
 * Payload: [op, key, argument, ignored]. Ops:
 *   LOOKUP   the record as it is
 *   ATTACH   status = ATTACHED, location = argument
 *   DETACH   status = DETACHED (location and usage are kept)
 *   LOCATION if ATTACHED: location = argument; if DETACHED: NOT_ATTACHED, nothing changes
 *   USAGE    if ATTACHED: usage = min(usage + argument, 2^32 - 1); if DETACHED: NOT_ATTACHED
 * Result: [code | probes << 16, status, location, usage] of the record after the op.
 *   An op above USAGE answers [INVALID_OP, 0, 0, 0] without searching; key 0 (the empty
 *   marker, never a subscriber) answers [NOT_FOUND, 0, 0, 0] without searching; a key not in
 *   the table answers [NOT_FOUND | probes << 16, 0, 0, 0].
 */
import type { Random } from '../../fault/random.ts';
import type { Payload, ReferenceModel, Result, Workload } from './workload.ts';

export interface HlrConfig {
  slotsLog2: number;
  subscribers: number;
  keyBase: number;
  keyStep: number;
}

/** The table the guest program builds (examples/telco-hlr.s). */
export const TELCO_HLR: HlrConfig = { slotsLog2: 14, subscribers: 12_000, keyBase: 100_000_000, keyStep: 37 };

export const HASH_MULTIPLIER = 0x9E3779B1;

export const HlrOp = { LOOKUP: 0, ATTACH: 1, DETACH: 2, LOCATION: 3, USAGE: 4 } as const;
export const HlrStatus = { DETACHED: 0, ATTACHED: 1 } as const;
export const HlrCode = { OK: 0, NOT_FOUND: 1, NOT_ATTACHED: 2, INVALID_OP: 3 } as const;

export interface Subscriber {
  key: number;
  status: number;
  location: number;
  usage: number;
}

/** Subscriber k's initial record. */
export function initialSubscriber(k: number, config: HlrConfig = TELCO_HLR): Subscriber {
  return {
    key: (config.keyBase + config.keyStep * k) >>> 0,
    status: k % 4 === 0 ? HlrStatus.DETACHED : HlrStatus.ATTACHED,
    location: 1 + (k % 1000),
    usage: (1000 * k) >>> 0,
  };
}

/** The home slot of `key` in a table of 2^slotsLog2 slots. */
export function homeSlot(key: number, slotsLog2: number): number {
  return Math.imul(key, HASH_MULTIPLIER) >>> (32 - slotsLog2);
}

export class TelcoHlrModel implements ReferenceModel {
  /** Slot index → record (undefined: empty). */
  readonly slots: (Subscriber | undefined)[];

  constructor(readonly config: HlrConfig = TELCO_HLR) {
    if (config.subscribers >= 2 ** config.slotsLog2) throw new Error('the table needs an empty slot');
    this.slots = new Array(2 ** config.slotsLog2).fill(undefined);
    for (let k = 0; k < config.subscribers; k++) {
      const subscriber = initialSubscriber(k, config);
      this.slots[this.search(subscriber.key).slot] = subscriber;
    }
  }

  /** The slot holding `key`, or the empty slot that ends its search; and the slots examined. */
  search(key: number): { slot: number; probes: number } {
    const mask = 2 ** this.config.slotsLog2 - 1;
    let slot = homeSlot(key, this.config.slotsLog2);
    for (let probes = 1; ; probes++) {
      const record = this.slots[slot];
      if (record === undefined || record.key === key) return { slot, probes };
      slot = (slot + 1) & mask;
    }
  }

  apply([op, key, argument]: Payload): Result {
    op >>>= 0;
    key >>>= 0;
    argument >>>= 0;
    if (op > HlrOp.USAGE) return [HlrCode.INVALID_OP, 0, 0, 0];
    if (key === 0) return [HlrCode.NOT_FOUND, 0, 0, 0];
    const { slot, probes } = this.search(key);
    const record = this.slots[slot];
    if (record === undefined) return [(HlrCode.NOT_FOUND | (probes << 16)) >>> 0, 0, 0, 0];
    const code = this.update(record, op, argument);
    return [(code | (probes << 16)) >>> 0, record.status, record.location, record.usage];
  }

  private update(record: Subscriber, op: number, argument: number): number {
    switch (op) {
      case HlrOp.ATTACH:
        record.status = HlrStatus.ATTACHED;
        record.location = argument;
        return HlrCode.OK;
      case HlrOp.DETACH:
        record.status = HlrStatus.DETACHED;
        return HlrCode.OK;
      case HlrOp.LOCATION:
        if (record.status !== HlrStatus.ATTACHED) return HlrCode.NOT_ATTACHED;
        record.location = argument;
        return HlrCode.OK;
      case HlrOp.USAGE:
        if (record.status !== HlrStatus.ATTACHED) return HlrCode.NOT_ATTACHED;
        record.usage = Math.min(record.usage + argument, 2 ** 32 - 1);
        return HlrCode.OK;
      default: // LOOKUP: apply() answers ops above USAGE before searching
        return HlrCode.OK;
    }
  }
}

/**
 * Payloads: 20 % lookups, 15 % attaches, 10 % detaches, 30 % location updates, 25 % usage,
 * with 1/512 an invalid op; 1/16 of keys are not subscribers (a few of them 0); cells
 * 1..1000; usage mostly below 100,000 kB, 1/64 near 2^32 (saturation); the argument of a
 * lookup or detach is a random word the guest must ignore.
 */
function telcoHlrPayload(random: Random): [number, number, number, number] {
  const { subscribers, keyBase, keyStep } = TELCO_HLR;
  let op: number;
  if (random.below(512) === 0) op = HlrOp.USAGE + 1 + random.below(1000);
  else {
    const r = random.below(100);
    op = r < 20 ? HlrOp.LOOKUP : r < 35 ? HlrOp.ATTACH : r < 45 ? HlrOp.DETACH : r < 75 ? HlrOp.LOCATION : HlrOp.USAGE;
  }
  let key: number;
  if (random.below(16) !== 0) key = keyBase + keyStep * random.below(subscribers);
  else if (random.below(16) === 0) key = 0;
  else key = keyBase + keyStep * random.below(subscribers) + 1 + random.below(keyStep - 1);
  let argument: number;
  if (op === HlrOp.ATTACH || op === HlrOp.LOCATION) argument = 1 + random.below(1000);
  else if (op === HlrOp.USAGE) argument = random.below(64) === 0 ? 0xFFF0_0000 + random.below(0x10_0000) : random.below(100_000);
  else argument = random.nextU32();
  return [op, key >>> 0, argument >>> 0, 0];
}

export const telcoHlr: Workload = {
  name: 'telco-hlr',
  source: 'telco-hlr.s',
  arrivals: { kind: 'poisson' },
  payload: telcoHlrPayload,
  createModel: () => new TelcoHlrModel(),
  // The subscriber's usage (table + 16 * slot + 12): records never move, so the slot is the
  // initial table's; bit 20 is 1,048,576 kB.
  liveWord: ([, key]) => {
    initialTable ??= new TelcoHlrModel();
    const { slot } = initialTable.search(key >>> 0);
    return key !== 0 && initialTable.slots[slot]?.key === key >>> 0 ? { symbol: 'table', offset: 16 * slot + 12, bit: 20 } : undefined;
  },
  applicationChanges: 'none',
};

let initialTable: TelcoHlrModel | undefined;
