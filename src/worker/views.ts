/**
 * What a MachineSession (session.ts) takes and gives: the program to load, and the views
 * the page pulls — status() (MachineStatus), view() (MachineView, with every module's
 * architectural state), the twin (TwinView), a failover system's account (FailoverStatus)
 * and the verdict (Verdict) — as plain data that comlink copies across the worker boundary.
 * session.ts re-exports them all: importers name the session, not this file.
 */
import type { ModuleStatus } from '../machine/machine.ts';
import type { Halt, MachineEvent } from '../machine/events.ts';
import type { RetireRecord } from '../machine/records.ts';
import type { FailoverSummary, SystemEvent } from '../system/failover.ts';
import type { ProgramFormat } from '../isa/load.ts';
import type { SourceLocation } from '../isa/program.ts';
import type { Outcome, OutputDifference } from '../fault/classify.ts';
import type { Architectural } from './architectural.ts';
import type { WorkloadStatus } from './workload-run.ts';
import type { HistoryStatus } from './time-travel.ts';
import type { DebugStop, WatchValue } from './debugger.ts';

/** A program to load: assembly source, or the bytes of a file (ELF, .s, .bin). */
export type ProgramInput =
  | { kind: 'source'; source: string; name?: string }
  | { kind: 'file'; bytes: Uint8Array; name: string; format?: ProgramFormat };

export interface LoadedProgram {
  entry: number;
  symbols: [string, number][];
  /** Instruction address → source line, for programs from the assembler. */
  sourceMap: [number, SourceLocation][];
}

export interface ModuleView extends ModuleStatus, Architectural {
  /** The retire record of its last instruction. */
  record: RetireRecord;
}

/** The fault-free twin (twin.ts) as views show it: its reference module and its console. */
export interface TwinView extends Architectural {
  /** No fault or replacement has taken effect: the machine is its own fault-free run, and the twin is it. */
  same: boolean;
  /**
   * The instruction count the twin's state is at: the machine's, unless the machine runs free
   * fast and the twin is a few time slices behind (TWIN_LAG, session.ts), or at a state kept
   * along the history, up to a grid spacing behind (Twin.advance).
   */
  instret: number;
  /** Set when the twin runs in the machine's own thread (no worker could be started for it), saying why: the machine then runs at about half its speed once the twin has forked. */
  sharedThread?: string;
  halt?: Halt;
  /** Its console output from byte `outputFrom` on: what the previous view did not carry (0: all of it, the page's copy starts over). */
  outputFrom: number;
  output: Uint8Array;
  /**
   * Where the machine's console output first parts from the twin's, placed in the machine's
   * output: the first byte that differs as far as both have printed; once the run has been
   * judged, where the verdict's fault-free run, run to its end, says (as --classify).
   */
  parting?: OutputDifferenceAt;
}

/** The machine's state without the modules' architectural state: what status() returns. */
export interface MachineStatus {
  topology: string;
  instret: number;
  cycle: number;
  running: boolean;
  /** Instructions per second over the last second of free running (0 when paused). */
  ips: number;
  halt?: Halt;
  waitingForInput: boolean;
  modules: ModuleStatus[];
  /** Events since the previous view() or status() (all of them for the first). */
  events: MachineEvent[];
  /** Console output since the previous view() or status(). */
  output: Uint8Array;
  /** Set once the run has ended (halted, or hung): see Verdict. */
  verdict?: Verdict;
  /** With a workload (setWorkload): its arrivals, FIFO, results and running ledger. */
  workload?: WorkloadStatus;
  /** On a failover system (cluster, process-pair): what its failover machinery did. */
  failover?: FailoverStatus;
  /** Why the machine stopped for a breakpoint or a watchpoint, until it goes on (debugger.ts). */
  debugStop?: DebugStop;
  /** The watchpoints, with their values now (absent when none is set). */
  watches?: WatchValue[];
  /** A loaded program's history, for time travel. */
  history?: HistoryStatus;
  /** With the twin switched on (setTwin). */
  twin?: TwinView;
  /** Where the run's output was found to part from the fault-free run's (the verdict's, or the twin's at the present), kept for jump('difference'). */
  parting?: OutputDifference;
}

/**
 * A failover system's account (FailoverSummary at the feed's clock), with only the system
 * events since the previous view() or status() (all of them for the first).
 */
export interface FailoverStatus extends Omit<FailoverSummary, 'events'> {
  events: SystemEvent[];
}

/** Where a faulty run's output first differs from the fault-free run's, placed in its text. */
export interface OutputDifferenceAt extends OutputDifference {
  /** 1-based line and column (in characters) of the differing byte in the faulty run's output. */
  line: number;
  column: number;
  /** Its index in the output decoded as UTF-8 (UTF-16 code units), for marking it in the console. */
  index: number;
}

/**
 * How a run ended, against the fault-free run of the same program and input (DESIGN §6):
 * - `pending`: the run has ended; the fault-free run is still being computed;
 * - `fault-free`: the run ended with no fault applied: it is the fault-free run (faults
 *   scheduled for after its end are listed in `notApplied`);
 * - `judged`: the outcome, with the fault-free run's instructions, exit code and output
 *   size, and where the output first differs from the fault-free run's, when it does;
 * - `unjudged`: the fault-free run did not exit, so there is nothing to judge against.
 */
export type Verdict =
  | { kind: 'pending'; referenceInstret: number }
  | { kind: 'fault-free'; notApplied: string[] }
  | {
    kind: 'judged'; outcome: Outcome;
    reference: { instret: number; exitCode: number; outputBytes: number };
    difference?: OutputDifferenceAt;
  }
  | { kind: 'unjudged'; reason: string };

/** What the UI draws: the status, and every module's pc, registers, CSRs and last retire record. */
export interface MachineView extends MachineStatus {
  modules: ModuleView[];
}

export interface StepResult {
  executed: number;
  halted: boolean;
  waitingForInput: boolean;
  /** The run stopped before a breakpoint or after a watched word changed. */
  debugStop?: DebugStop;
}

/**
 * Above this speed (instructions per second) a free run is fast: the page throttles the views
 * it pulls (web/state/controller.ts), and a view need not wait for the twin, which may be a few
 * time slices behind (session.ts). At this speed and below the page draws every view, and
 * every view has the twin in step.
 */
export const FAST_IPS = 100_000;

/** `difference` with its line, column and UTF-16 index in `output` decoded as UTF-8. */
export function placeDifference(difference: OutputDifference, output: Uint8Array): OutputDifferenceAt {
  const before = new TextDecoder().decode(output.subarray(0, difference.offset));
  const lineStart = before.lastIndexOf('\n') + 1;
  return {
    ...difference,
    line: before.split('\n').length,
    column: [...before.slice(lineStart)].length + 1,
    index: before.length,
  };
}
