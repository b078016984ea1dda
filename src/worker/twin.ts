/**
 * The fault-free twin (issue 15): the machine's program and input run without faults, in
 * step with the machine (at its instruction count), so that the page can show its
 * registers and console output beside the modules'. It is a fault-free run as the verdict's
 * (reference.ts), and finds where the two console outputs part as `lockstep run --classify`
 * does (firstDifference, src/fault/classify.ts) as far as both have printed.
 *
 * Until a fault or a replacement takes effect the machine is its own fault-free run (the
 * same program and input, nothing else): the twin then *mirrors* it and runs nothing.
 * Just before the first one it forks: a fault-free machine starts from the machine's state
 * there, without the fault plan (faultFreeSnapshot), and goes on beside it. Time travel
 * (time-travel.ts) puts it back at any instruction from the states it keeps.
 */
import type { Machine } from '../machine/machine.ts';
import type { MachineEvent } from '../machine/events.ts';
import { withHost } from '../machine/snapshot.ts';
import type { OutputDifference } from '../fault/classify.ts';
import { ReferenceRun, type InputChunk, type ReferenceState } from './reference.ts';
import { ByteLog } from './byte-log.ts';

/** A machine has left its fault-free run: a fault or a replacement took effect (a re-admission follows a fault). */
export function deviated(events: readonly MachineEvent[]): boolean {
  return events.some((e) => e.kind === 'inject' || e.kind === 'replace' || e.kind === 'readmit');
}

/** The instruction at which the machine's first scheduled fault or replacement takes effect, if any is scheduled. */
export function nextDeviation(machine: Machine): number | undefined {
  return machine.pending().find((a) => a.type === 'fault' || a.type === 'replace')?.at;
}

/**
 * A snapshot of a machine that has not deviated, as its fault-free run: the same state
 * without the faults and replacements scheduled (the scrubber's passes stay: they are the
 * machine's configuration, not a fault).
 */
export function faultFreeSnapshot(snapshot: ArrayBuffer): ArrayBuffer {
  return withHost(snapshot, (host) => ({ ...host, schedule: host.schedule.filter((a) => a.type !== 'fault' && a.type !== 'replace') }));
}

/** A state the twin can go on from: a fault-free run's state at instruction `instret`. */
export interface TwinState extends ReferenceState {
  instret: number;
}

export class Twin {
  /** The fault-free run once the machine has deviated; undefined while the twin mirrors the machine. */
  private run?: ReferenceRun;
  /**
   * The fault-free run's console output as far as the twin has ever run it with the
   * history's input (cleared when that changes): a run is deterministic, so its own states
   * go on from a prefix of it, whenever they were taken.
   */
  private known = new ByteLog();
  /** Bytes at the start of both outputs known to be equal. */
  private equalPrefix = 0;

  /** The twin mirrors the machine: nothing has taken effect that the fault-free run lacks. */
  get mirroring(): boolean { return this.run === undefined; }

  /** Its machine once it runs on its own (undefined while it mirrors). */
  get machine(): Machine | undefined { return this.run?.machine; }

  get instret(): number | undefined { return this.run?.instret; }

  /** Its console output (undefined while it mirrors: it is the machine's). */
  get output(): ByteLog | undefined { return this.run?.log; }

  /** The machine's output was cut back to `length` bytes (time travel): what was compared after it is gone. */
  machineOutputCut(length: number): void {
    this.equalPrefix = Math.min(this.equalPrefix, length);
  }

  /** Goes back to mirroring the machine (it has not deviated at the instruction time travel went to). */
  mirror(): void {
    this.run = undefined;
  }

  /**
   * Goes on from `state`: one of its own (state()), or a fault-free machine state whose
   * console printed `output` before it (the machine's output then).
   */
  resume(state: TwinState, output?: Uint8Array): void {
    this.run = ReferenceRun.resume(state, output ?? this.known.bytes(0, state.outputLength));
    this.equalPrefix = Math.min(this.equalPrefix, state.outputLength);
    this.learn();
  }

  /** Keeps what the run printed beyond what was known. */
  private learn(): void {
    const log = this.run!.log;
    if (log.length > this.known.length) this.known.append(log.bytes(this.known.length));
  }

  /** The history's input changed: the fault-free run is another from here on, and the twin's output and states are no longer its. */
  forget(): void {
    this.run = undefined;
    this.known = new ByteLog();
    this.equalPrefix = 0;
  }

  /** Its state now, for a checkpoint (undefined while it mirrors). */
  state(): TwinState | undefined {
    if (!this.run) return undefined;
    const state = this.run.state(); // prints what the UART held
    this.learn();
    return { ...state, instret: this.run.instret };
  }

  /**
   * Whether it can get to instruction `instret` by running on: it runs, is not past it, and
   * has been given no input that the history no longer holds (`inputs` chunks).
   */
  canReach(instret: number, inputs: number): boolean {
    return this.run !== undefined && this.run.instret <= instret && this.run.inputsDelivered <= inputs;
  }

  /** Runs on to instruction `until` with the history's input (see ReferenceRun.advance); false when it cannot go on now. */
  advance(until: number, inputs: readonly InputChunk[]): boolean {
    if (!this.run) return false;
    const more = this.run.advance(until, inputs);
    this.learn();
    return more;
  }

  /**
   * Where the machine's output first parts from the twin's as far as both have printed: the
   * first byte at which they differ (firstDifference's, over the bytes both have). Undefined
   * while they agree (and while the twin mirrors). Where the shorter output ends is known only
   * once both runs have: the verdict's fault-free run tells it (session.ts).
   */
  parting(machine: ByteLog): OutputDifference | undefined {
    if (!this.run) return undefined;
    const twin = this.run.log;
    const common = Math.min(machine.length, twin.length);
    this.equalPrefix = Math.min(this.equalPrefix, common);
    while (this.equalPrefix < common && machine.at(this.equalPrefix) === twin.at(this.equalPrefix)) this.equalPrefix++;
    if (this.equalPrefix === common) return undefined;
    return { offset: this.equalPrefix, actual: machine.at(this.equalPrefix)!, expected: twin.at(this.equalPrefix)! };
  }
}
