/**
 * The CLI's files and streams. Everything it prints goes through here, synchronously and
 * byte-exact, and every failure comes back as one error naming the file (errors.ts): bad
 * names given by the user as UsageError (status 2, found before anything runs), failures of
 * an open file or stream as IoError (status 74; a closed pipe 141).
 */
import {
  accessSync, closeSync, constants, openSync, readFileSync, readlinkSync, realpathSync, renameSync, statSync,
  unlinkSync, writeFileSync, writeSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { describeSystemError, IoError, UsageError } from './errors.ts';

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

/** How people know standard stream `fd`: `stdout`, or `stdout (/dev/full)` when it is a file. */
export function streamName(fd: 0 | 1 | 2): string {
  const name = ['stdin', 'stdout', 'stderr'][fd];
  try {
    const target = readlinkSync(`/proc/self/fd/${fd}`);
    return target.startsWith('/') ? `${name} (${target})` : name;
  } catch {
    return name; // no /proc: the name alone
  }
}

/** Writes all of `bytes` to `fd`; a failure is an IoError about `file` (a name, or a function giving it). */
export function writeAll(fd: number, bytes: Uint8Array | string, file: string | (() => string)): void {
  const data = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  let done = 0;
  try {
    while (done < data.length) done += retrying(() => writeSync(fd, data, done));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new IoError('write', typeof file === 'string' ? file : file(), code, describeSystemError(error));
  }
}

/** Text or bytes on stdout. */
export function out(text: string | Uint8Array): void {
  writeAll(1, text, () => streamName(1));
}

/** Text or bytes on stderr. */
export function err(text: string | Uint8Array): void {
  writeAll(2, text, () => streamName(2));
}

/** The contents of a file the user named (UsageError if it cannot be read). */
export function readInputFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read ${path}: ${describeSystemError(error)}`);
  }
}

/**
 * Checks, before anything runs, that a file named by the user can be written at the end:
 * `what` names it in the error (`the report to run.json`). An existing regular file must be
 * writable and is replaced (its folder must take a new file); a device or FIFO is written in
 * place.
 */
export function checkOutputPath(path: string, what: string): void {
  const fail = (why: string) => { throw new UsageError(`cannot write ${what}: ${why}`); };
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) fail(describeSystemError({ code: 'EISDIR' }));
    accessSync(path, constants.W_OK); // a read-only file stays as it is
    if (!stat.isFile()) return;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') fail(describeSystemError(error));
  }
  const folder = dirname(path);
  try {
    if (!statSync(folder).isDirectory()) fail(`${folder} is not a directory`);
    accessSync(folder, constants.W_OK);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    fail(`${folder}: ${describeSystemError(error)}`);
  }
}

/**
 * Writes `contents` to `path` in one piece: into a temporary file beside it (created with
 * `mode`, less the umask), then renamed over it, so that a reader never sees it half written
 * and a failure leaves the old file as it was. A device or a FIFO (`/dev/stdout`, a pipe) is
 * written in place.
 */
export function writeWholeFile(path: string, contents: string | Uint8Array, what: string, mode = 0o666): void {
  let target = path;
  let inPlace = false;
  try {
    target = realpathSync(path);
    inPlace = !statSync(target).isFile();
  } catch {
    // It does not exist yet: it is created by the rename.
  }
  const temporary = inPlace ? target : join(dirname(target), `.${basename(target)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, contents, { mode });
    if (!inPlace) renameSync(temporary, target);
  } catch (error) {
    if (!inPlace) {
      try { unlinkSync(temporary); } catch { /* never created */ }
    }
    throw new IoError('write', what, (error as NodeJS.ErrnoException).code, describeSystemError(error));
  }
}

/** A file written as the run goes (the trace), opened before anything runs. */
export interface OutputFile {
  write(text: string): void;
  close(): void;
}

/** Opens `path` for writing (UsageError if it cannot be opened); `what` names it in errors. */
export function openOutputFile(path: string, what: string): OutputFile {
  let fd: number;
  try {
    fd = openSync(path, 'w');
  } catch (error) {
    throw new UsageError(`cannot write ${what}: ${describeSystemError(error)}`);
  }
  return {
    write: (text) => writeAll(fd, text, what),
    close: () => {
      try {
        closeSync(fd);
      } catch (error) {
        // Some file systems report a failed write only at close (NFS, quotas).
        throw new IoError('write', what, (error as NodeJS.ErrnoException).code, describeSystemError(error));
      }
    },
  };
}
