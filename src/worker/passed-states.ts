/**
 * States a fault-free run passed along one history (fault-free.ts), kept so that a later run
 * of the same history need not execute again what one has executed before: it goes on from
 * the newest kept state short of where it is asked to be. A fault-free run is deterministic,
 * so every run of one history passes the same states — the twin of each new machine of the
 * same program and setup (a reset, another fault tried) runs the history of the last one.
 *
 * Only a history without console input is kept: input reaches a run at the instruction the
 * machine got it, which another machine of the same program need not share.
 *
 * The states lie on a grid, one every `spacing` instructions (KEEP_SPACING at first); when
 * more than MAX_KEPT are kept, or more than MAX_KEPT_BYTES, the spacing doubles and the states
 * off the new grid go — so a run of any length keeps a few dozen, evenly spread, and a run
 * from one of them to any instruction executes at most `spacing` instructions. The state
 * the run halted in is kept beside them. A history one of whose states is over MAX_KEPT_BYTES
 * alone is not kept from then on: its states would cost a snapshot each and fit nowhere.
 */
import type { TwinState } from './fault-free.ts';

/**
 * Instructions between kept states at first (2^24): a state of a 1 MiB machine takes about
 * half a millisecond, 1/20 of the time simplex translated code needs for 2^24 instructions.
 */
export const KEEP_SPACING = 2 ** 24;
/** States kept at most, on the grid. */
export const MAX_KEPT = 64;
/** Bytes of states kept at most, the grid's and the end's. */
export const MAX_KEPT_BYTES = 48 * 2 ** 20;

export class PassedStates {
  private name?: string;
  private grid: TwinState[] = [];
  private end?: TwinState;
  private spacing = KEEP_SPACING;
  /** A state of the history was over MAX_KEPT_BYTES alone: none is kept for it. */
  private tooBig = false;

  /** Drops them all; `history` names the history kept from now on (undefined: none). */
  clear(history?: string): void {
    this.name = history;
    this.grid = [];
    this.end = undefined;
    this.spacing = KEEP_SPACING;
    this.tooBig = false;
  }

  /** The history they are of, when one is named: its name (FaultFreeRunner.forget). */
  get history(): string | undefined { return this.name; }

  /** Whether states are kept: a history is named, and its states fit. */
  get keeping(): boolean { return this.name !== undefined && !this.tooBig; }

  /** Instructions between the states on the grid now (KEEP_SPACING, doubled as they thin). */
  get gridSpacing(): number { return this.spacing; }

  /** Whether the history is kept as far as instruction `instret`: a state at or after it is kept, or the one it halted in. */
  knownPast(instret: number): boolean {
    return this.end !== undefined || this.knownRunning >= instret;
  }

  /** The furthest instruction count at which a run of the history is known to be running (not halted) from the states kept; -1 when none is kept. */
  get knownRunning(): number {
    if (this.end) return this.end.instret - 1;
    return this.grid.length > 0 ? this.grid[this.grid.length - 1].instret : -1;
  }

  /** Where the next state falls due after instruction `instret`. */
  nextAfter(instret: number): number {
    return (Math.floor(instret / this.spacing) + 1) * this.spacing;
  }

  /** Whether the run's state at `instret` is to be kept: a grid point not kept yet, or where the run halted (`halted`). */
  wants(instret: number, halted = false): boolean {
    if (halted) return this.end?.instret !== instret;
    return instret % this.spacing === 0 && !this.grid.some((s) => s.instret === instret);
  }

  /** Keeps `state`, one it wants() (with the same `halted`); one over MAX_KEPT_BYTES alone ends keeping for the history. */
  keep(state: TwinState, halted = false): void {
    if (!this.keeping || !this.wants(state.instret, halted)) return;
    if (state.snapshot.byteLength > MAX_KEPT_BYTES) {
      this.grid = [];
      this.end = undefined;
      this.tooBig = true;
      return;
    }
    if (halted) {
      this.end = state;
    } else {
      this.grid.push(state);
      this.grid.sort((a, b) => a.instret - b.instret);
    }
    // Each doubling drops half the grid at least; an empty grid ends it (the end fits alone).
    while (this.grid.length > MAX_KEPT || (this.grid.length > 0 && this.bytes > MAX_KEPT_BYTES)) {
      this.spacing *= 2;
      this.grid = this.grid.filter((s) => s.instret % this.spacing === 0);
    }
  }

  /** The newest state kept after instruction `after` and at or before `until`, if any. */
  newest(after: number, until: number): TwinState | undefined {
    let best: TwinState | undefined;
    for (const s of this.end ? [...this.grid, this.end] : this.grid) {
      if (s.instret > after && s.instret <= until && (!best || s.instret > best.instret)) best = s;
    }
    return best;
  }

  get count(): number { return this.grid.length + (this.end ? 1 : 0); }

  get bytes(): number {
    return this.grid.reduce((n, s) => n + s.snapshot.byteLength, 0) + (this.end?.snapshot.byteLength ?? 0);
  }
}
