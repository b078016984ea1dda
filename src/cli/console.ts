/**
 * The process's stdin and stdout as the machine's console. Output is written at once,
 * byte-exact (io.ts). Input is read only when the guest asks for it, and without blocking
 * the thread: the console answers "nothing yet" (an empty array), the machine stops with
 * `input`, and the run loop awaits `Stdin.ready()` — so SIGINT and SIGTERM are handled while
 * the guest waits for a terminal nobody types at — then pushes what came into a waiting
 * UART (a waiting host call takes its bytes itself).
 */
import { fstatSync } from 'node:fs';
import type { ConsoleIO } from '../machine/hostcalls.ts';
import { describeSystemError, IoError } from './errors.ts';
import { err, out, streamName } from './io.ts';

const NOTHING_YET = new Uint8Array(0);

/** Console input for a run: stdin itself, or stdin as recorded or replayed (run.ts). */
export interface InputSource {
  /**
   * Up to `max` bytes: what has been read, null at end of input, or an empty array while
   * more may come (await ready()). Throws IoError if stdin cannot be read.
   */
  take(max: number): Uint8Array | null;
  /** Gives back the tail of what the last take() returned, to be taken again first. */
  putBack(bytes: Uint8Array): void;
  /** Whether take() would return bytes now. */
  available(): boolean;
  /** Settles when take() may have something new to say: bytes, end of input or the error. */
  ready(): Promise<void>;
}

/**
 * stdin, read on demand: the process's stream is opened the first time the guest asks, and
 * read from in paused mode. (A read through the thread pool would hold up the process's exit
 * until it returns, after a signal too; the stream's reads do not.)
 */
export class Stdin implements InputSource {
  private buffered: Uint8Array = NOTHING_YET;
  private ended = false;
  private failure?: IoError;
  private stream?: NodeJS.ReadStream;
  private waiters: (() => void)[] = [];

  take(max: number): Uint8Array | null {
    if (this.buffered.length === 0 && !this.ended && !this.failure) {
      const chunk = this.open()?.read() as Buffer | null | undefined;
      if (chunk) this.buffered = chunk;
    }
    if (this.buffered.length > 0) {
      const bytes = this.buffered.subarray(0, max);
      this.buffered = this.buffered.subarray(bytes.length);
      return bytes;
    }
    if (this.failure) throw this.failure;
    return this.ended ? null : NOTHING_YET;
  }

  putBack(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    const joined = new Uint8Array(bytes.length + this.buffered.length);
    joined.set(bytes);
    joined.set(this.buffered, bytes.length);
    this.buffered = joined;
  }

  available(): boolean {
    return this.buffered.length > 0 || (this.stream?.readableLength ?? 0) > 0;
  }

  ready(): Promise<void> {
    if (!this.stream || this.stream.readableLength > 0 || this.ended || this.failure) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** process.stdin, set up on first use; undefined if stdin cannot be read (see failure). */
  private open(): NodeJS.ReadStream | undefined {
    if (this.stream || this.failure) return this.stream;
    // Node gives a directory as an empty stream: say what it is instead.
    if (fstatSync(0).isDirectory()) {
      this.failure = new IoError('read', streamName(0), 'EISDIR', describeSystemError({ code: 'EISDIR' }));
      return undefined;
    }
    const stream = process.stdin;
    const wake = () => this.waiters.splice(0).forEach((resolve) => resolve());
    stream.on('readable', wake);
    stream.on('end', () => { this.ended = true; wake(); });
    stream.on('error', (error: NodeJS.ErrnoException) => {
      this.failure = new IoError('read', streamName(0), error.code, describeSystemError(error));
      wake();
    });
    this.stream = stream;
    return stream;
  }
}

/** The console of `lockstep run`: guest stdout to `stdout` (default: ours), stderr to ours, input from `input`. */
export function processConsole(input: ConsoleIO['read'], stdout: (bytes: Uint8Array) => void = out): ConsoleIO {
  return {
    write(fd, bytes) {
      if (fd === 1) stdout(bytes);
      else err(bytes);
    },
    read: input,
  };
}
