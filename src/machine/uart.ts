/**
 * The host's side of the console UART (README memory map; the registers and both buffers
 * live in the core, layout.ts): it drains the transmit buffer the guest fills, fills the
 * receive ring the guest empties through RBR, and takes what the ring holds for the Linux
 * `read` call, so that a byte reaches the guest one way only. It knows nothing of consoles:
 * Machine decides where the bytes come from and go.
 */
import type { Core } from './core.ts';

export class ConsoleUart {
  private readonly L;

  constructor(private readonly core: Core) {
    this.L = core.layout;
  }

  /**
   * What the guest transmitted since the last call, or undefined. The buffer is left all
   * zeros, whenever it was drained, so that snapshots of equal machines compare equal.
   */
  drainTransmitted(): Uint8Array | undefined {
    const L = this.L;
    const length = this.core.u32(L.MACHINE + L.M_TX_LEN);
    if (length === 0) return undefined;
    const buffer = this.core.slice(L.CONSOLE_OUT, length);
    const bytes = buffer.slice();
    buffer.fill(0);
    this.core.setU32(L.MACHINE + L.M_TX_LEN, 0);
    return bytes;
  }

  /** Bytes the receive ring can take now. */
  get room(): number {
    const L = this.L;
    return L.CONSOLE_IN_SIZE - this.held;
  }

  private get held(): number {
    const L = this.L;
    return (this.core.u32(L.MACHINE + L.M_RX_TAIL) - this.core.u32(L.MACHINE + L.M_RX_HEAD)) >>> 0;
  }

  /** Puts bytes into the receive ring (as far as they fit); returns how many were taken. */
  push(bytes: Uint8Array): number {
    const L = this.L;
    const n = Math.min(bytes.length, this.room);
    let tail = this.core.u32(L.MACHINE + L.M_RX_TAIL);
    for (let k = 0; k < n; k++, tail = (tail + 1) >>> 0) {
      this.core.setU8(L.CONSOLE_IN + (tail & (L.CONSOLE_IN_SIZE - 1)), bytes[k]);
    }
    this.core.setU32(L.MACHINE + L.M_RX_TAIL, tail);
    return n;
  }

  /** Takes up to `max` bytes from the receive ring, as the guest's RBR reads would. */
  take(max: number): Uint8Array {
    const L = this.L;
    let head = this.core.u32(L.MACHINE + L.M_RX_HEAD);
    const bytes = new Uint8Array(Math.min(max, this.held));
    for (let k = 0; k < bytes.length; k++, head = (head + 1) >>> 0) {
      bytes[k] = this.core.u8(L.CONSOLE_IN + (head & (L.CONSOLE_IN_SIZE - 1)));
    }
    if (bytes.length > 0) {
      this.core.setU32(L.MACHINE + L.M_RX_HEAD, head);
      this.core.setU32(L.MACHINE + L.M_RX_POLLS, 0);
      this.core.setU32(L.MACHINE + L.M_RX_ASKED, 0);
    }
    return bytes;
  }

  /** The run loop's request for input (it stopped with STOP_INPUT) has been seen. */
  clearInputWanted(): void {
    this.core.setU32(this.L.MACHINE + this.L.M_INPUT_WANTED, 0);
  }

  /** Whether more input can come (the guest then waits for it); false after end of input. */
  set inputOpen(open: boolean) {
    this.core.setU32(this.L.MACHINE + this.L.M_INPUT_OPEN, open ? 1 : 0);
  }
}
