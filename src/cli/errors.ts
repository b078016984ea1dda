/**
 * How the CLI fails, and the exit statuses it returns besides the guest's own (EXIT_STATUSES).
 *
 * - Bad input a user can fix (a file, an option, a fault spec) is a UsageError, or an
 *   InputError of the library (isUserError): one line on stderr, status 2.
 * - The environment failing an open file or stream (stdout on a full disk, stdin that is a
 *   directory, a --trace or --report file that cannot be written) is an IoError: one line
 *   naming the file and the error, status 74; a reader closing a pipe ends the command
 *   quietly with 141, as SIGPIPE ends a shell command.
 * - The JavaScript engine refusing a machine its memory (OutOfMemoryError) is a limit of this
 *   computer: one line saying what could not be allocated and what to try, status 71.
 * - Anything else is a bug in lockstep and says so (status 70), without a stack trace
 *   unless LOCKSTEP_DEBUG is set: a RangeError that is not an InputError too, since the
 *   library keeps RangeError for its own invariants and for arguments the CLI checks first.
 */
import { writeSync } from 'node:fs';
import { InputError } from '../input-error.ts';
import { OutOfMemoryError } from '../machine/core.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Assembler diagnostics, already in compiler style (`prog.s:3:5: error: ...`, the source line,
 * a caret line): printed as they are, so that every diagnostic starts with its location.
 */
export class DiagnosticsError extends UsageError {
  override name = 'DiagnosticsError';
}

/** Exit status for bad input (a file, an option, a fault spec). */
export const EXIT_USAGE = 2;
/** Exit status for an internal error (BSD sysexits EX_SOFTWARE). */
export const EXIT_INTERNAL = 70;
/** Exit status when the machine's memory cannot be allocated (BSD sysexits EX_OSERR). */
export const EXIT_NO_MEMORY = 71;
/** Exit status when reading or writing an open file or stream fails (BSD sysexits EX_IOERR). */
export const EXIT_IO = 74;
/** Exit status when the reader of a pipe we write has gone away: 128 + SIGPIPE, as a shell reports it. */
export const EXIT_BROKEN_PIPE = 141;

/**
 * Every exit status of the CLI that is not the guest's own, for `--help` and the README:
 * [status, meaning, the commands that return it ('all' or `run`)].
 */
export const EXIT_STATUSES: readonly (readonly [string, string, 'all' | 'run'])[] = [
  ['0', 'success (run: the guest exited with code 0)', 'all'],
  ['N', "the guest's exit code, & 0xff (a test finisher's code, or tohost's test number)", 'run'],
  ['2', 'bad input: a file, an option or a fault spec (one line on stderr says what and where)', 'all'],
  ['70', 'an internal error: a bug in lockstep (run with LOCKSTEP_DEBUG=1 for the stack)', 'all'],
  ['71', 'out of memory: the JavaScript engine would not allocate a machine\'s RAM (give it less, or run fewer at once)', 'all'],
  ['74', 'an I/O error: stdout, stderr, the trace or the report could not be written (a full disk), or stdin could not be read', 'all'],
  ['124', '--max-instructions ran out, or the hart waits in wfi for an interrupt nothing can raise', 'run'],
  ['125', 'fail-stop: a divergence the topology cannot resolve (printed on stderr)', 'run'],
  ['130', 'interrupted by SIGINT (128 + 2): the report, if any, is of the run so far', 'run'],
  ['132', 'an illegal instruction with no trap handler (128 + SIGILL)', 'run'],
  ['133', 'a breakpoint with no trap handler (128 + SIGTRAP)', 'run'],
  ['135', 'a misaligned access with no trap handler (128 + SIGBUS)', 'run'],
  ['137', 'the simplex module died (kill); a redundant machine that loses every module fail-stops', 'run'],
  ['139', 'an access fault with no trap handler (128 + SIGSEGV)', 'run'],
  ['141', "stdout's (or a --trace/--report pipe's) reader went away: ends quietly, as SIGPIPE would", 'all'],
  ['143', 'terminated by SIGTERM (128 + 15): the report, if any, is of the run so far', 'run'],
];

/** The exit statuses `command` can return, as help text. */
export function exitStatusHelp(command: 'run' | 'other'): string {
  const rows = EXIT_STATUSES.filter(([, , scope]) => scope === 'all' || command === 'run');
  return ['Exit status:', ...rows.map(([status, meaning]) => `  ${status.padEnd(5)}${meaning}`)].join('\n');
}

/**
 * An open file or stream that the environment failed: `file` names it as people know it
 * (`stdout (/dev/full)`, `the trace file out.log`), `code` is the errno code.
 */
export class IoError extends Error {
  override name = 'IoError';
  constructor(readonly verb: 'read' | 'write', readonly file: string, readonly code: string | undefined, why: string) {
    super(`cannot ${verb} ${file}: ${why}`);
  }
}

/** What went wrong in a system call, in words: `no space left on device`, `it is a directory`. */
export function describeSystemError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  const words: Record<string, string> = {
    ENOSPC: 'no space left on device',
    EDQUOT: 'disk quota exceeded',
    EFBIG: 'file too large',
    EIO: 'input/output error',
    EISDIR: 'it is a directory',
    ENOENT: 'no such file or directory',
    ENOTDIR: 'a part of the path is not a directory',
    EACCES: 'permission denied',
    EPERM: 'operation not permitted',
    EROFS: 'read-only file system',
    EPIPE: 'broken pipe (its reader has gone away)',
    EBADF: 'bad file descriptor (is it closed?)',
    ENXIO: 'no such device or address',
    ENAMETOOLONG: 'file name too long',
    ELOOP: 'too many levels of symbolic links',
    EINVAL: 'invalid argument (it cannot be used this way)',
  };
  if (code && words[code]) return `${words[code]} (${code})`;
  // Node's own text: "ENOSPC: no space left on device, write" → "no space left on device".
  const message = error instanceof Error ? error.message : String(error);
  return message.replace(/^[A-Z]+: /, '').replace(/, \w+( '.*')?$/, '');
}

/**
 * Runs `work` and turns an InputError it throws (or one of its subclasses: ProgramError,
 * FaultSpecError, ...) into a UsageError, one line with status 2, its message prefixed with
 * `option` when given: the option or argument the user typed, such as `--duration`. Other
 * errors pass unchanged. A promise `work` returns is turned the same way.
 */
export function asUsage<T>(work: () => T, option?: string): T {
  const turn = (error: unknown): never => {
    if (error instanceof InputError) throw new UsageError(option === undefined ? error.message : `${option}: ${error.message}`);
    throw error;
  };
  try {
    const result = work();
    return (result instanceof Promise ? result.catch(turn) : result) as T;
  } catch (error) {
    return turn(error);
  }
}

/**
 * Whether `error` is bad input rather than a bug: a UsageError of the CLI (DiagnosticsError
 * too), or an InputError, which is how the library refuses input (ProgramError,
 * FaultSpecError, WatchError, ... extend it). Any other error, a plain RangeError included, is
 * an internal error.
 */
export function isUserError(error: unknown): error is Error {
  return error instanceof UsageError || error instanceof InputError;
}

/** A failed system call that reached us unwrapped (it has an errno code and a syscall name). */
function isSystemError(error: unknown): error is NodeJS.ErrnoException {
  const e = error as NodeJS.ErrnoException;
  return e instanceof Error && typeof e.code === 'string' && typeof e.syscall === 'string';
}

/** Writes an error line to stderr if it can: stderr itself may be what failed. */
function complain(text: string): void {
  try {
    writeSync(2, text);
  } catch {
    // Nowhere left to say it: the exit status still tells.
  }
}

/** Prints `error` for people and returns the exit status to use. */
export function reportError(error: unknown): number {
  const code = (error as { code?: unknown }).code;
  if (code === 'EPIPE') return EXIT_BROKEN_PIPE;
  if (error instanceof IoError) {
    complain(`lockstep: ${error.message}\n`);
    return EXIT_IO;
  }
  if (isUserError(error)) {
    complain(error instanceof DiagnosticsError ? `${error.message}\n` : `lockstep: ${error.message}\n`);
    return EXIT_USAGE;
  }
  if (error instanceof OutOfMemoryError) {
    complain(`lockstep: out of memory: ${error.message}\n`);
    return EXIT_NO_MEMORY;
  }
  if (isSystemError(error)) {
    const where = error.path ? ` ${error.path}` : '';
    complain(`lockstep: ${error.syscall}${where} failed: ${describeSystemError(error)}\n`);
    return EXIT_IO;
  }
  const message = error instanceof Error ? error.message : String(error);
  complain(`lockstep: internal error: ${message}\n`);
  if (process.env.LOCKSTEP_DEBUG && error instanceof Error) complain(`${error.stack}\n`);
  else complain('lockstep: this is a bug in lockstep; run with LOCKSTEP_DEBUG=1 for details and report it\n');
  return EXIT_INTERNAL;
}
