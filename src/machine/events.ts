/**
 * What happens to a machine, in order, numbered by instruction (DESIGN §5: an event's
 * `instret` is the number of the instruction at which it happened). Field names are the
 * report's (snake_case JSON).
 */
import type { OfflineReason } from './topology.ts';
import type { Checker } from '../fault/spec.ts';
import type { DiagnosisVerdict } from './diagnosis.ts';

export type ResyncMode = 'stop-copy' | 'precopy';

/**
 * Module `module`'s retire record (or host call) differs from module `reference`'s in
 * `field`. How the two values are named says what the machine could tell:
 *
 * - `expected`/`actual`: the reference's side is known to be right (it is a majority, or a
 *   board whose pair agrees) and `module` was set apart; `expected` is the reference's value.
 * - `values` (module number → value): neither side is known to be right (dmr, tmr without a
 *   majority, two boards that each check but disagree: the machine fail-stops; or the two
 *   CPUs of a pair-and-spare board checked only against each other: the board goes offline).
 *   `reference` is then only the lowest-numbered module it compared with.
 */
export type DivergeEvent = {
  instret: number; kind: 'diverge'; module: number; reference: number; pc: number; field: string;
  /** Instruction at which the two modules' retire records first differed, when known. */
  first_differed?: number;
} & ({ expected: string; actual: string; values?: never } | { values: Record<number, string>; expected?: never; actual?: never });

/**
 * The checker reported module `module` differing from `reference` although their records
 * (or host calls) are equal: its verdict on `module` is stuck at "disagree".
 */
export interface MiscompareEvent {
  instret: number; kind: 'miscompare'; module: number; reference: number; pc: number; checker: Checker;
}

export type MachineEvent =
  | { instret: number; kind: 'inject'; module: number; fault: string }
  | DivergeEvent
  | MiscompareEvent
  | { instret: number; kind: 'error'; module: number; where: string }
  | { instret: number; kind: 'offline'; module: number; reason: OfflineReason }
  /**
   * With re-admission: what the self-test of `modules` (a module, or a pair-spare board),
   * just taken offline, found; `errors` counts its errors (within the threshold's window),
   * `readmit_at` is the instruction before which a `transient` one comes back.
   */
  | { instret: number; kind: 'diagnose'; module: number; modules: number[]; verdict: DiagnosisVerdict; errors: number; readmit_at?: number }
  | { instret: number; kind: 'failstop'; reason: string }
  | { instret: number; kind: 'replace'; module: number }
  /** A module diagnosed `transient` is brought back: its resync begins. */
  | { instret: number; kind: 'readmit'; module: number }
  | {
    instret: number; kind: 'resync-round'; module: number; modules: number[]; source: number;
    round: number; pages: number; bytes: number; instructions: number;
  }
  | {
    instret: number; kind: 'resync-done'; module: number; modules: number[]; source: number; mode: ResyncMode;
    rounds: number; bytes: number; pause_instructions: number; pause_us: number;
  }
  /** `exit_code` is the halt's exit status (Halt.exitCode). */
  | { instret: number; kind: 'halt'; reason: HaltReason; exit_code: number };

/** What `module` and `reference` of a divergence each did (in `field`). */
export function divergenceValues(e: DivergeEvent): { module: string; reference: string } {
  return e.values ? { module: e.values[e.module], reference: e.values[e.reference] } : { module: e.actual, reference: e.expected };
}

export type EventKind = MachineEvent['kind'];

/** Why a machine stopped for good. */
export type HaltReason =
  | 'exit' // the guest exited (ecall exit, test finisher, tohost)
  | 'failstop' // the machine detected an error it could not isolate and stopped
  | 'trap' // an exception with no handler installed (mtvec = 0)
  | 'idle' // wfi with nothing that could ever wake the hart
  | 'dead'; // no module left running

/**
 * Exit statuses of a process that runs a machine until it halts (the `lockstep` CLI's),
 * besides the guest's own exit code: as a Linux shell reports them.
 */
export const EXIT_LIMIT = 124; // like timeout(1): out of instructions, or waiting for nothing
export const EXIT_FAILSTOP = 125;
export const EXIT_DEAD = 137; // 128 + SIGKILL

/** The Linux signal a process gets for each exception cause (SIGILL 4, SIGTRAP 5, SIGBUS 7, SIGSEGV 11). */
const SIGNAL_OF_CAUSE = [7, 11, 4, 5, 7, 11, 7, 11, 4, 4, 4, 4];

/**
 * The exit status for a halt: the guest's exit code (0..255) for 'exit'; EXIT_FAILSTOP;
 * 128 + signal for 'trap' (132 illegal instruction, 133 breakpoint, 135 misaligned access,
 * 139 access fault); EXIT_LIMIT for 'idle'; EXIT_DEAD for 'dead'.
 */
export function exitStatusOf(reason: HaltReason, guestCode = 0, trapCause?: number): number {
  switch (reason) {
    case 'exit': return guestCode & 0xFF;
    case 'failstop': return EXIT_FAILSTOP;
    case 'trap': return 128 + (SIGNAL_OF_CAUSE[trapCause ?? 2] ?? 4);
    case 'idle': return EXIT_LIMIT;
    case 'dead': return EXIT_DEAD;
  }
}

export interface Halt {
  reason: HaltReason;
  /** The exit status a process running the machine returns (exitStatusOf). */
  exitCode: number;
  /** One line for people: what happened, where. */
  message: string;
  /** For 'trap': the exception. */
  trap?: { cause: number; pc: number; tval: number };
}

/**
 * A fault of the plan that never took effect: every module it aimed at was offline or
 * resyncing when its instruction came, or the machine halted before that instruction.
 */
export interface InactiveFault {
  fault: string;
  reason: 'offline' | 'resyncing' | 'halted';
}

/** Detection events: the machine noticed that something is wrong. */
export const DETECTION_KINDS: ReadonlySet<EventKind> = new Set(['diverge', 'miscompare', 'error', 'offline', 'failstop']);

/** Whether `e` is a detection (a module taken offline to be replaced is not one). */
export function isDetection(e: MachineEvent): boolean {
  return DETECTION_KINDS.has(e.kind) && !(e.kind === 'offline' && e.reason === 'removed');
}

/**
 * Instructions from the injection of the first fault detected to its detection, or null
 * if none was: the first detection, and the earliest fault injected before it into a
 * module it names (the diverging module or its reference, the module that announced an
 * error or went offline; for a fail-stop, any module).
 */
export function detectionLatency(events: readonly MachineEvent[]): number | null {
  const detect = events.find(isDetection);
  if (!detect) return null;
  const named = detect.kind === 'diverge' || detect.kind === 'miscompare' ? [detect.module, detect.reference] : 'module' in detect ? [detect.module] : undefined;
  const inject = events.find((e) => e.kind === 'inject' && e.instret <= detect.instret && (!named || named.includes(e.module)));
  return inject ? detect.instret - inject.instret : null;
}
