/** The process's stdin and stdout as the machine's console (blocking, byte-exact). */
import { readSync, writeSync } from 'node:fs';
import type { ConsoleIO } from '../machine/hostcalls.ts';

const pause = new Int32Array(new SharedArrayBuffer(4));

/** Retries an fd operation that a non-blocking descriptor refused with EAGAIN. */
function retrying<T>(op: () => T): T {
  for (;;) {
    try {
      return op();
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      Atomics.wait(pause, 0, 0, 5);
    }
  }
}

export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.length) done += retrying(() => writeSync(fd, bytes, done));
}

/** stdout/stderr for the guest's output (`sink` replaces stdout, e.g. to capture it), stdin for its input. */
export function processConsole(stdout: (bytes: Uint8Array) => void = (b) => writeAll(1, b)): ConsoleIO {
  let ended = false;
  return {
    write(fd, bytes) {
      if (fd === 1) stdout(bytes);
      else writeAll(2, bytes);
    },
    read(max) {
      if (ended) return null;
      const buffer = new Uint8Array(Math.max(1, Math.min(max, 65536)));
      let n: number;
      try {
        n = retrying(() => readSync(0, buffer, 0, buffer.length, null));
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'EOF') n = 0;
        else throw error;
      }
      if (n === 0) {
        ended = true;
        return null;
      }
      return buffer.subarray(0, n);
    },
  };
}
