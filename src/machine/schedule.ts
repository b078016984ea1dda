/**
 * The machine's schedule: faults, repairs, re-admissions, resync rounds and scrubber passes
 * to take effect at given instructions. Actions due at the same instruction take effect in
 * the order they were scheduled (`seq`), so that a run and its replay agree.
 */
import type { Fault } from '../fault/spec.ts';

export type ScheduledAction =
  | { at: number; seq: number; type: 'fault'; fault: Fault }
  | { at: number; seq: number; type: 'end-result-fault'; module: number }
  | { at: number; seq: number; type: 'replace'; modules: number[] }
  | { at: number; seq: number; type: 'readmit'; modules: number[] }
  | { at: number; seq: number; type: 'resync-round'; id: number }
  | { at: number; seq: number; type: 'scrub' };

/** An action as one schedules it: its place among actions at the same instruction is given. */
export type NewAction = ScheduledAction extends infer A ? (A extends ScheduledAction ? Omit<A, 'seq'> : never) : never;

export class ActionSchedule {
  /** In order of `at`, then `seq`. */
  private actions: ScheduledAction[] = [];
  private seq = 0;

  /** Actions still to come, in order (live: read, do not change). */
  get pending(): readonly ScheduledAction[] { return this.actions; }

  /** The instruction of the next action, or Infinity. */
  get next(): number { return this.actions.length > 0 ? this.actions[0].at : Infinity; }

  add(action: NewAction): void {
    const scheduled = { ...action, seq: this.seq++ } as ScheduledAction;
    const index = this.actions.findIndex((a) => a.at > scheduled.at);
    if (index < 0) this.actions.push(scheduled);
    else this.actions.splice(index, 0, scheduled);
  }

  /** The next action if it is due at instruction `instret` (it is not removed). */
  due(instret: number): ScheduledAction | undefined {
    const first = this.actions[0];
    return first !== undefined && first.at <= instret ? first : undefined;
  }

  /** Removes and returns the next action. */
  take(): ScheduledAction | undefined { return this.actions.shift(); }

  /** The faults still to come. */
  faults(): Fault[] { return this.actions.flatMap((a) => (a.type === 'fault' ? [a.fault] : [])); }

  /** For snapshots: the actions (live) and the next sequence number. */
  state(): { schedule: ScheduledAction[]; seq: number } { return { schedule: this.actions, seq: this.seq }; }

  restore(state: { schedule: ScheduledAction[]; seq: number }): void {
    this.actions = state.schedule;
    this.seq = state.seq;
  }

  clear(): void { this.restore({ schedule: [], seq: 0 }); }
}
