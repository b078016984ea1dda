/** The guest's console text, as the comparator let it out: UTF-8 decoded across chunks, kept to a bounded tail. */
export class ConsoleText {
  private decoder = new TextDecoder('utf-8');
  private chunks = '';
  /** UTF-16 code units dropped from the front to keep within `limit`: `text` starts at this index of the whole output. */
  dropped = 0;

  constructor(readonly limit = 100_000) {}

  get text(): string { return this.chunks; }

  /** Appends output bytes; returns whether anything was added. */
  append(bytes: Uint8Array): boolean {
    if (bytes.length === 0) return false;
    this.chunks += this.decoder.decode(bytes, { stream: true });
    if (this.chunks.length > this.limit) {
      this.dropped += this.chunks.length - this.limit;
      this.chunks = this.chunks.slice(this.chunks.length - this.limit);
    }
    return true;
  }

  /** Drops the text so far (the reader cleared the console); what comes next is appended as before. */
  discard(): void {
    this.dropped += this.chunks.length;
    this.chunks = '';
  }

  /** Starts over with `bytes`; returns whether the text changed. */
  replace(bytes: Uint8Array): boolean {
    const before = this.chunks;
    this.clear();
    this.append(bytes);
    return this.chunks !== before;
  }

  clear(): void {
    this.decoder = new TextDecoder('utf-8');
    this.chunks = '';
    this.dropped = 0;
  }
}
