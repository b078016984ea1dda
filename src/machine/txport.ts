/**
 * The host's side of the transaction port (TXPORT.md; the guest's registers are in the
 * README's memory map): it appends records to the core's input FIFO, reads how many the
 * guest consumed, and collects the results the guest emitted from the core's result ring.
 * It knows nothing of arrival processes or workloads (src/transactions/ does).
 */
import type { Core } from './core.ts';

/** One input record: id (u32, not 0), four payload words (u32), arrival time in virtual µs. */
export interface TransactionRecord {
  id: number;
  payload: readonly [number, number, number, number];
  arrivalUs: number;
}

/** One result the guest emitted with TX_SEND, after the online modules agreed on it. */
export interface TransactionResult {
  id: number;
  words: [number, number, number, number];
  /** Virtual clock cycle of the TX_SEND store. */
  cycle: number;
}

export class TransactionPort {
  private readonly L;
  private results: TransactionResult[] = [];

  constructor(private readonly core: Core) {
    this.L = core.layout;
  }

  /** The largest FIFO depth a host may enforce (the core's FIFO capacity). */
  get capacity(): number { return this.L.TXP_FIFO_CAPACITY; }

  /** Records waiting in the FIFO (RX_COUNT). */
  get queued(): number {
    const L = this.L;
    return (this.core.u32(L.MACHINE + L.M_TXP_TAIL) - this.core.u32(L.MACHINE + L.M_TXP_HEAD)) >>> 0;
  }

  /** Records the guest has consumed (RX_POP on a non-empty FIFO) since power-on. */
  get consumed(): number { return this.core.u32(this.L.MACHINE + this.L.M_TXP_POPPED); }

  /**
   * Appends `record` to the FIFO if it holds fewer than `depth` records (1..capacity);
   * returns false (the record is dropped) when it is full.
   */
  push(record: TransactionRecord, depth: number): boolean {
    const L = this.L;
    if (!(depth >= 1 && depth <= L.TXP_FIFO_CAPACITY)) throw new RangeError(`FIFO depth ${depth} is out of range: use 1..${L.TXP_FIFO_CAPACITY}`);
    if (this.queued >= depth) return false;
    const tail = this.core.u32(L.MACHINE + L.M_TXP_TAIL);
    const at = L.TXP_FIFO + (tail & (L.TXP_FIFO_CAPACITY - 1)) * L.TXP_RECORD_SIZE;
    this.core.setU32(at + L.TXP_REC_ID, record.id);
    for (let k = 0; k < 4; k++) this.core.setU32(at + L.TXP_REC_DATA + 4 * k, record.payload[k]);
    this.core.setU32(at + L.TXP_REC_TIME, Math.floor(record.arrivalUs) >>> 0);
    this.core.setU32(L.MACHINE + L.M_TXP_TAIL, (tail + 1) >>> 0);
    return true;
  }

  /** Moves the core's result ring into the host's list (the machine calls it at every stop). */
  collect(): void {
    const L = this.L;
    const count = this.core.u32(L.MACHINE + L.M_TXP_RESULTS);
    if (count === 0) return;
    for (let k = 0; k < count; k++) {
      const at = L.TXP_RESULTS + k * L.TXP_RECORD_SIZE;
      const c = this.core;
      const data = at + L.TXP_REC_DATA;
      this.results.push({ id: c.u32(at + L.TXP_REC_ID), words: [c.u32(data), c.u32(data + 4), c.u32(data + 8), c.u32(data + 12)], cycle: c.count(at + L.TXP_RES_CYCLE) });
    }
    // An empty ring is all zeros, whenever it was drained: snapshots compare equal.
    this.core.slice(L.TXP_RESULTS, count * L.TXP_RECORD_SIZE).fill(0);
    this.core.setU32(L.MACHINE + L.M_TXP_RESULTS, 0);
  }

  /** The results emitted since the last call, in emission order. */
  takeResults(): TransactionResult[] {
    this.collect();
    const out = this.results;
    this.results = [];
    return out;
  }
}
