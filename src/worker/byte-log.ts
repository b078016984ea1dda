/**
 * A console's output as one growing run of bytes, for time travel: appended as the machine
 * writes it, read from any offset, and moved back to an earlier length and forward again
 * along the same history (a replay writes the same bytes again) — until the history
 * branches, when what lies beyond the current length is dropped.
 */
export class ByteLog {
  private buffer = new Uint8Array(1024);
  private used = 0;
  /** Bytes written along this history (≥ used): where the log may move forward to. */
  private written = 0;

  /** Bytes of output at the current position. */
  get length(): number { return this.used; }

  append(bytes: Uint8Array): void {
    if (this.used + bytes.length > this.buffer.length) {
      const grown = new Uint8Array(Math.max(2 * this.buffer.length, this.used + bytes.length));
      grown.set(this.buffer.subarray(0, this.written));
      this.buffer = grown;
    }
    this.buffer.set(bytes, this.used);
    this.used += bytes.length;
    this.written = Math.max(this.written, this.used);
  }

  /** A copy of bytes [from, to) of the output at the current position. */
  bytes(from = 0, to = this.used): Uint8Array {
    return this.buffer.slice(from, Math.min(to, this.used));
  }

  /** The byte at `offset` (undefined past the current length). */
  at(offset: number): number | undefined {
    return offset < this.used ? this.buffer[offset] : undefined;
  }

  /** Moves to the point where the output was `length` bytes long, back or forward along this history. */
  moveTo(length: number): void {
    if (length > this.written) throw new Error(`the output never reached ${length} bytes in this history (${this.written} written)`);
    this.used = length;
  }

  /** The history branches here: the output written beyond the current length is not its any more. */
  dropAhead(): void {
    this.written = this.used;
  }
}
