/**
 * The session's breakpoints, watchpoints and run to cursor, kept across the
 * machines the session builds and armed on each (src/debug/points.ts): every machine of the
 * rig — a lockstep machine, or both hosts of a failover system, which run one at a time.
 *
 * A stop names the instruction the machine stopped before, in the rig's numbering (a
 * failover system counts the instructions of every host that served): at a breakpoint, the
 * instruction at the breakpoint's pc; at a watchpoint, the one after the change, with the
 * instruction that made it (`by`) when one did — or a host call, whose result the host
 * writes right after its ecall. A change without one came from outside the program: a fault
 * applied before the instruction, a resync, a failover system's checkpoint.
 */
import { DebugPoints } from '../debug/points.ts';
import { formatWatch, parseWatch, type WatchTarget } from '../debug/watch.ts';
import type { Rig } from './rig.ts';
import { InputError } from '../input-error.ts';

export type DebugStop =
  | {
    kind: 'breakpoint'; instret: number; pc: number;
    /** The run to cursor's breakpoint, which it then dropped. */
    temporary: boolean;
  }
  | {
    kind: 'watch'; instret: number; target: string; old: number; value: number;
    /** The instruction that changed it, if one did (see above). */
    by?: { instret: number; pc: number };
  };

/** A watchpoint and the value its register or word holds now on the reference module. */
export interface WatchValue {
  target: string;
  value: number;
}

export class SessionDebugger {
  private breakpoints: number[] = [];
  private watches: WatchTarget[] = [];
  /** Run to cursor: the breakpoint that lasts until the run stops. */
  private temporary?: number;
  private points: DebugPoints[] = [];
  /** Each machine's instret when the run resumed, in `points` order. */
  private resumedAt: number[] = [];
  private rig?: Rig;
  /** Why the machine stopped for the debugger, until it goes on. */
  stop?: DebugStop;

  /**
   * Arms every machine of `rig` (a new machine, or one restored from a snapshot); a
   * watchpoint on a RAM word the new machine does not have (less RAM) goes.
   */
  attach(rig: Rig): void {
    this.rig = rig;
    this.points = [...new Set(rig.modules.map((site) => site.machine))].map((m) => new DebugPoints(m));
    this.watches = this.watches.filter((t) => t.type === 'reg' || this.points.every((p) => p.machine.ramAddress(0, t.addr, 4) !== undefined));
    this.stop = undefined;
    this.temporary = undefined;
    this.arm();
    this.resume();
  }

  /** Sets the breakpoints (pcs of instructions); throws InputError for a bad pc or too many. */
  setBreakpoints(pcs: readonly number[]): void {
    const unique = [...new Set(pcs)];
    const capacity = (this.points[0]?.capacity ?? Infinity) - 1; // one slot stays for run to cursor
    if (unique.length > capacity) throw new InputError(`${unique.length} breakpoints: at most ${capacity} can be set at once`);
    const previous = this.breakpoints;
    this.breakpoints = unique;
    try {
      this.armBreakpoints();
    } catch (error) {
      this.breakpoints = previous;
      this.armBreakpoints();
      throw error;
    }
  }

  /**
   * Sets the watchpoints (`x5`, `t0`, `mem:0x80001000`); returns them as the session names
   * them. Throws WatchError for a target that cannot be watched, and changes nothing then.
   */
  setWatches(texts: readonly string[]): string[] {
    const targets = [...new Map(texts.map((text) => parseWatch(text)).map((t) => [formatWatch(t), t])).values()];
    const previous = this.watches;
    try {
      for (const p of this.points) p.setWatches(targets);
    } catch (error) {
      for (const p of this.points) p.setWatches(previous);
      throw error;
    }
    this.watches = targets;
    return targets.map(formatWatch);
  }

  /** Adds a breakpoint at `pc` until the run stops, for whatever reason (run to cursor). */
  runTo(pc: number): void {
    this.temporary = pc;
    this.armBreakpoints();
  }

  /** The run is over (paused, halted or stopped): run to cursor's breakpoint goes. */
  endRun(): void {
    if (this.temporary === undefined) return;
    this.temporary = undefined;
    this.armBreakpoints();
  }

  /** The machine goes on: see DebugPoints.resume(); the last stop is forgotten. */
  resume(): void {
    for (const p of this.points) p.resume();
    this.resumedAt = this.points.map((p) => p.machine.instret);
    this.stop = undefined;
  }

  /**
   * After a run: records the stop if a breakpoint or watchpoint stopped it (and ends a run
   * to cursor); returns it.
   */
  check(): DebugStop | undefined {
    if (this.stop || !this.rig) return this.stop;
    const k = this.points.findIndex((p) => p.hit() !== undefined);
    if (k < 0) return undefined;
    const points = this.points[k];
    const hit = points.hit()!;
    const instret = this.rig.instret;
    if (hit.kind === 'breakpoint') {
      this.stop = { kind: 'breakpoint', instret, pc: hit.pc, temporary: hit.slot === this.breakpoints.length };
    } else {
      const machine = points.machine;
      const record = machine.record(machine.referenceModule() ?? 0);
      // A host call's result is written between two runs, right after its ecall.
      const hostCall = !hit.byInstruction && record.hostcall && machine.instret > this.resumedAt[k];
      this.stop = {
        kind: 'watch', instret, target: formatWatch(hit.target), old: hit.old, value: hit.value,
        ...(hit.byInstruction || hostCall ? { by: { instret: instret - 1, pc: record.pc } } : {}),
      };
    }
    this.endRun();
    return this.stop;
  }

  /** The watchpoints and their values now. */
  values(): WatchValue[] {
    const points = this.serving();
    return points ? this.watches.map((target) => ({ target: formatWatch(target), value: points.value(target) })) : [];
  }

  /** Any watchpoint is set. */
  get watching(): boolean { return this.watches.length > 0; }

  /** The machine that runs the program now: a failover system's serving host. */
  private serving(): DebugPoints | undefined {
    const active = this.rig?.system?.active ?? this.rig?.machine;
    return this.points.find((p) => p.machine === active);
  }

  private arm(): void {
    this.armBreakpoints();
    for (const p of this.points) p.setWatches(this.watches);
  }

  private armBreakpoints(): void {
    const pcs = this.temporary === undefined ? this.breakpoints : [...this.breakpoints, this.temporary];
    for (const p of this.points) p.setBreakpoints(pcs);
  }
}
