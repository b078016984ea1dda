/**
 * The host's side of the checkpoint device (README's memory map, CKPT_* at 0x1000_3000):
 * the guest names a range of its RAM (CKPT_ADDR, CKPT_LEN) and writes CKPT_SEND; the core
 * stops with STOP_CHECKPOINT after that store has retired on every online module, and the
 * machine calls serve() before the guest's next instruction. serve() checks the range,
 * sets CKPT_STATUS, counts an accepted checkpoint in CKPT_COUNT and hands it to `onSend`.
 *
 * What a checkpoint carries is the range, the process context (the hart's registers, its pc
 * — the instruction after the CKPT_SEND store — and CSRs, as the core holds them when
 * onSend runs) and an acknowledgement of the transaction records the guest has consumed.
 * Where it goes is the system layer's business (a process pair's backup, src/system/): it
 * sets `onSend`. With no hook a checkpoint is accepted and goes nowhere.
 */
import type { Core } from './core.ts';
import type { TransactionPort } from './txport.ts';

/** One accepted checkpoint, as the guest sent it. */
export interface CheckpointRequest {
  /** Guest address of the range (CKPT_ADDR). */
  addr: number;
  /** Its length in bytes (CKPT_LEN); the range lies inside RAM. */
  length: number;
  /** Instructions retired so far: the CKPT_SEND store's number + 1 (the number of the next instruction). */
  instret: number;
  /** Virtual clock, cycles since power-on, after the store. */
  cycle: number;
  /** Transaction records the guest has consumed (RX_POP) since power-on: the checkpoint acknowledges them. */
  consumed: number;
}

export class CheckpointDevice {
  /** Receives every accepted checkpoint, before the guest's next instruction. */
  onSend?: (request: CheckpointRequest) => void;
  private readonly L;

  constructor(private readonly core: Core, private readonly port: TransactionPort) {
    this.L = core.layout;
  }

  /** CKPT_ADDR: guest address of the range the guest named. */
  get addr(): number { return this.core.u32(this.L.MACHINE + this.L.M_CKPT_ADDR); }
  /** CKPT_LEN: its length, bytes. */
  get length(): number { return this.core.u32(this.L.MACHINE + this.L.M_CKPT_LEN); }
  /** CKPT_COUNT: checkpoints accepted since power-on (u32, wraps). */
  get count(): number { return this.core.u32(this.L.MACHINE + this.L.M_CKPT_COUNT); }
  /** CKPT_STATUS: whether the last CKPT_SEND was accepted (true before the first). */
  get accepted(): boolean { return this.core.u32(this.L.MACHINE + this.L.M_CKPT_STATUS) === this.L.CKPT_ACCEPTED; }

  /**
   * Whether [addr, addr + length) lies inside guest RAM (an empty range at any address from
   * the start of RAM to its end inclusive does).
   */
  inRam(addr: number, length: number): boolean {
    const L = this.L;
    const ramSize = this.core.u32(L.MACHINE + L.M_RAM_SIZE);
    const offset = (addr - L.RAM_BASE) >>> 0;
    return length <= ramSize && offset <= ramSize - length;
  }

  /**
   * Serves the guest's CKPT_SEND (the core stopped with STOP_CHECKPOINT): a range outside
   * RAM is refused (CKPT_STATUS = CKPT_REFUSED; nothing is counted or sent); otherwise
   * CKPT_STATUS = CKPT_ACCEPTED, CKPT_COUNT goes up by one and onSend receives the request.
   */
  serve(): void {
    const L = this.L;
    const { addr, length } = this;
    if (!this.inRam(addr, length)) {
      this.core.setU32(L.MACHINE + L.M_CKPT_STATUS, L.CKPT_REFUSED);
      return;
    }
    this.core.setU32(L.MACHINE + L.M_CKPT_STATUS, L.CKPT_ACCEPTED);
    this.core.setU32(L.MACHINE + L.M_CKPT_COUNT, (this.count + 1) >>> 0);
    this.onSend?.({
      addr, length,
      instret: this.core.count(L.MACHINE + L.M_INSTRET),
      cycle: this.core.count(L.MACHINE + L.M_CYCLE),
      consumed: this.port.consumed,
    });
  }
}
