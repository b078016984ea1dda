/**
 * How the CLI fails. Anything a user can fix is a UsageError (or a ProgramError,
 * FaultSpecError, RangeError from the library) and ends with one line on stderr and exit
 * status 2; anything else is a bug in lockstep and says so, without a stack trace unless
 * LOCKSTEP_DEBUG is set.
 */
import { ProgramError } from '../isa/program.ts';
import { FaultSpecError } from '../fault/spec.ts';

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
/** Exit status when stdout's reader has gone away: 128 + SIGPIPE, as a shell reports it. */
export const EXIT_BROKEN_PIPE = 141;

export function isUserError(error: unknown): error is Error {
  return error instanceof UsageError || error instanceof ProgramError || error instanceof FaultSpecError || error instanceof RangeError;
}

/** Prints `error` for people and returns the exit status to use. */
export function reportError(error: unknown): number {
  if ((error as NodeJS.ErrnoException).code === 'EPIPE') return EXIT_BROKEN_PIPE;
  if (isUserError(error)) {
    process.stderr.write(error instanceof DiagnosticsError ? `${error.message}\n` : `lockstep: ${error.message}\n`);
    return EXIT_USAGE;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`lockstep: internal error: ${message}\n`);
  if (process.env.LOCKSTEP_DEBUG && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  else process.stderr.write('lockstep: this is a bug in lockstep; run with LOCKSTEP_DEBUG=1 for details and report it\n');
  return EXIT_INTERNAL;
}
