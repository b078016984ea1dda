/**
 * What happens to a machine, in order, numbered by instruction (DESIGN §5: an event's
 * `instret` is the number of the instruction at which it happened). Field names are the
 * report's (snake_case JSON).
 */
import type { OfflineReason } from './topology.ts';

export type ResyncMode = 'stop-copy' | 'precopy';

export type MachineEvent =
  | { instret: number; kind: 'inject'; module: number; fault: string }
  | {
    instret: number; kind: 'diverge'; module: number; reference: number; pc: number;
    field: string; expected: string; actual: string;
    /** Instruction at which the two modules' retire records first differed, when known. */
    first_differed?: number;
  }
  | { instret: number; kind: 'error'; module: number; where: string }
  | { instret: number; kind: 'offline'; module: number; reason: OfflineReason }
  | { instret: number; kind: 'failstop'; reason: string }
  | { instret: number; kind: 'replace'; module: number }
  | {
    instret: number; kind: 'resync-round'; module: number; modules: number[]; source: number;
    round: number; pages: number; bytes: number; instructions: number;
  }
  | {
    instret: number; kind: 'resync-done'; module: number; modules: number[]; source: number; mode: ResyncMode;
    rounds: number; bytes: number; pause_instructions: number; pause_us: number;
  }
  | { instret: number; kind: 'halt'; reason: HaltReason; exit_code: number };

export type EventKind = MachineEvent['kind'];

/** Why a machine stopped for good. */
export type HaltReason =
  | 'exit' // the guest exited (ecall exit, test finisher, tohost)
  | 'failstop' // the machine detected an error it could not isolate and stopped
  | 'trap' // an exception with no handler installed (mtvec = 0)
  | 'idle' // wfi with nothing that could ever wake the hart
  | 'dead'; // no module left running

export interface Halt {
  reason: HaltReason;
  /** The guest's exit code for 'exit'; 0 otherwise. */
  exitCode: number;
  /** One line for people: what happened, where. */
  message: string;
  /** For 'trap': the exception. */
  trap?: { cause: number; pc: number; tval: number };
}

/** Detection events: the machine noticed that something is wrong. */
export const DETECTION_KINDS: ReadonlySet<EventKind> = new Set(['diverge', 'error', 'offline', 'failstop']);

/** Whether `e` is a detection (a module taken offline to be replaced is not one). */
export function isDetection(e: MachineEvent): boolean {
  return DETECTION_KINDS.has(e.kind) && !(e.kind === 'offline' && e.reason === 'removed');
}
