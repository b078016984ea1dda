/**
 * The fault-free twin: the machine's program and input run without faults, in
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
 *
 * Once forked the twin runs in a worker of its own (fault-free.ts), so that it costs the
 * machine's thread nothing; the twin here is the machine's side of it. Commands go out at
 * once and are done in order, so the twin is never more than the commands on their way
 * behind: "in step" means that once settled() has resolved it is at the machine's
 * instruction count, as far as the fault-free run gets there (it may have halted earlier,
 * or wait for input the machine did not need). Until then what it shows (shown) is a true
 * state of the fault-free run labelled with its own instruction count: the one it last
 * reported, or just after a fork the machine's own state there. The session lets it lag
 * by a few time slices while running flat out (within()), and waits for it (settled())
 * before any view of a machine that does not run.
 *
 * While the machine runs flat out its advances are lazy: along a history a machine before
 * ran (a reset, the next fault tried), the twin stops at the states that run passed, up to a
 * grid spacing behind, rather than execute the run again (FaultFreeRunner.advance). settled()
 * then brings it to the machine's instruction first. While the machine is idle the runner
 * runs the history ahead from its start (scout()), so that the first fault tried finds
 * those states too.
 */
import type { Machine } from '../machine/machine.ts';
import type { Halt, MachineEvent } from '../machine/events.ts';
import { soloSnapshot } from '../machine/snapshot.ts';
import type { Layout } from '../machine/core.ts';
import type { OutputDifference } from '../fault/classify.ts';
import type { InputChunk } from './reference.ts';
import type { ByteLog } from './byte-log.ts';
import { architectural, type Architectural } from './architectural.ts';
import { FaultFreeRun, type FaultFreePort, type FaultFreeReport, type TwinState } from './fault-free.ts';

export type { TwinState } from './fault-free.ts';

/** Where a machine left its fault-free run: the first fault or replacement that took effect (a re-admission follows a fault). */
export function deviation(events: readonly MachineEvent[]): MachineEvent | undefined {
  return events.find((e) => e.kind === 'inject' || e.kind === 'replace' || e.kind === 'readmit');
}

/** A machine has left its fault-free run (see deviation). */
export function deviated(events: readonly MachineEvent[]): boolean {
  return deviation(events) !== undefined;
}

/** The instruction at which the machine's first scheduled fault or replacement takes effect, if any is scheduled. */
export function nextDeviation(machine: Machine): number | undefined {
  return machine.pending().find((a) => a.type === 'fault' || a.type === 'replace')?.at;
}

/**
 * A snapshot of a machine that has not deviated, as its fault-free run: the same state
 * without the faults and replacements scheduled (the scrubber's passes stay: they are the
 * machine's configuration, not a fault), and of one module as a simplex machine. Until a
 * machine deviates its modules are all online and hold the same state, so module 0 alone
 * runs on as every one of them would, at a half to a quarter of a lockstep machine's work.
 * `layout`: the core's that took it.
 */
export function faultFreeSnapshot(snapshot: ArrayBuffer, layout: Layout): ArrayBuffer {
  return soloSnapshot(snapshot, 0, layout, (host) => ({ ...host, schedule: host.schedule.filter((a) => a.type !== 'fault' && a.type !== 'replace') }));
}

/** What the twin shows: a state of the fault-free run, its module's, at instruction `instret`. */
export interface TwinShown {
  instret: number;
  halt?: Halt;
  module: Architectural;
}

export class Twin {
  private readonly run: FaultFreeRun;
  /** It runs on its own (false: it mirrors the machine). */
  private forked = false;
  /** The machine's state where the twin last forked, shown until the run's first report after it. */
  private fork?: { shown: TwinShown; reports: number };
  /** Bytes at the start of both outputs known to be equal. */
  private equalPrefix = 0;
  /** Where the last advance, a lazy one, was to take it: settled() takes it there. */
  private owed?: { until: number; inputs: readonly InputChunk[] };
  /** The runner has been given the history's start to run ahead from (scout()). */
  private scouted = false;

  /**
   * `port`: the runner its fault-free run runs in (it may have served another history: the
   * twin starts it over). `history` names the machine's history when it is one a machine
   * before may have run (FaultFreeRunner.forget): the runner then goes on from the states
   * that run passed.
   */
  constructor(port: Promise<FaultFreePort>, history?: string) {
    this.run = new FaultFreeRun(port);
    this.run.forget(history);
  }

  /** The twin mirrors the machine: nothing has taken effect that the fault-free run lacks. */
  get mirroring(): boolean { return !this.forked; }

  /** What it shows once it runs on its own (undefined while it mirrors, and after forget() until it reports). */
  get shown(): TwinShown | undefined {
    if (!this.forked) return undefined;
    const { fork, run } = this;
    return fork && run.reports <= fork.reports ? fork.shown : run.latest;
  }

  /** Its latest report of this history, for the verdict (undefined while it mirrors). */
  get report(): FaultFreeReport | undefined {
    return this.forked ? this.run.latest : undefined;
  }

  /** Whether the input it was last given is `inputs` (FaultFreeRun.gave). */
  gave(inputs: readonly InputChunk[]): boolean {
    return this.run.gave(inputs);
  }

  /** Its console output as far as it has reported (undefined while it mirrors: it is the machine's). */
  get output(): ByteLog | undefined { return this.forked ? this.run.output : undefined; }

  /** The machine's output was cut back to `length` bytes (time travel): what was compared after it is gone. */
  machineOutputCut(length: number): void {
    this.equalPrefix = Math.min(this.equalPrefix, length);
  }

  /** Goes back to mirroring the machine (it has not deviated at the instruction time travel went to). */
  mirror(): void {
    if (this.forked) this.run.stop();
    this.forked = false;
    this.owed = undefined;
  }

  /**
   * Goes on from `state`: one of its own (state()), or a fault-free machine state whose
   * console printed `output` before it (the machine's output then) — `machine`'s, when it
   * forks from the machine as it is, shown until the twin's first report.
   */
  resume(state: TwinState, output?: Uint8Array, machine?: Machine): void {
    this.run.resume(state, output);
    this.forked = true;
    this.owed = undefined;
    this.equalPrefix = Math.min(this.equalPrefix, state.outputLength);
    this.fork = machine && {
      shown: { instret: machine.instret, module: architectural(machine, machine.referenceModule() ?? 0) },
      reports: this.run.reports,
    };
  }

  /** The history's input changed: the fault-free run is another from here on, and the twin's output and states are no longer its. */
  forget(): void {
    this.run.forget();
    this.forked = false;
    this.owed = undefined;
    this.scouted = false;
    this.fork = undefined;
    this.equalPrefix = 0;
  }

  /**
   * Its state, once the commands before it are done, for a checkpoint: at the machine's
   * instruction, or after a lazy advance before it (undefined while it mirrors, or if the
   * history starts over first).
   */
  state(): Promise<TwinState | undefined> | undefined {
    return this.forked ? this.run.state() : undefined;
  }

  /**
   * Whether it can get to instruction `instret` by running on: it runs, is not past it, and
   * has been given no input that the history no longer holds (`inputs` chunks) — as far as
   * the commands on their way can have taken it.
   */
  canReach(instret: number, inputs: number): boolean {
    const at = this.run.at;
    return this.forked && at.instret <= instret && at.delivered <= inputs;
  }

  /**
   * Runs on to instruction `until` with the history's input (see ReferenceRun.advance);
   * `lazy` (the machine runs flat out): it may stop short at a state a run of this history
   * passed before (see above).
   */
  advance(until: number, inputs: readonly InputChunk[], lazy = false): void {
    if (!this.forked) return;
    this.run.advance(until, inputs, lazy);
    this.owed = lazy ? { until, inputs } : undefined;
  }

  /**
   * While the machine is idle: its runner runs the history ahead, from `start` (the history's
   * fault-free start, asked for once), keeping the states it passes — so that a twin that
   * forks later, the first fault tried included, goes on from them (FaultFreeRunner.scout).
   */
  scout(start: () => { state: TwinState; output: Uint8Array }): void {
    this.run.scout(this.scouted ? undefined : start());
    this.scouted = true;
  }

  /** The machine runs: the run ahead waits (FaultFreeRunner.hold). */
  hold(): void {
    this.run.hold();
  }

  /** Resolves once it has done every command so far, and is where its last advance was to take it: in step with the machine. */
  settled(): Promise<void> {
    if (this.owed) this.run.advance(this.owed.until, this.owed.inputs);
    this.owed = undefined;
    return this.run.settled();
  }

  /** Its commands not answered yet. */
  get unanswered(): number { return this.run.unanswered; }

  /** Resolves once at most `n` of its advances are on their way (n: at most n time slices behind). */
  within(n: number): Promise<void> {
    return this.run.within(n);
  }

  /**
   * Where the machine's output first parts from the twin's as far as both have printed: the
   * first byte at which they differ (firstDifference's, over the bytes both have). Undefined
   * while they agree (and while the twin mirrors). Where the shorter output ends is known only
   * once both runs have: the verdict's fault-free run tells it (verdict.ts).
   */
  parting(machine: ByteLog): OutputDifference | undefined {
    if (!this.forked) return undefined;
    const twin = this.run.output;
    const common = Math.min(machine.length, twin.length);
    this.equalPrefix = Math.min(this.equalPrefix, common);
    while (this.equalPrefix < common && machine.at(this.equalPrefix) === twin.at(this.equalPrefix)) this.equalPrefix++;
    if (this.equalPrefix === common) return undefined;
    return { offset: this.equalPrefix, actual: machine.at(this.equalPrefix)!, expected: twin.at(this.equalPrefix)! };
  }
}
