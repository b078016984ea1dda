/**
 * The states time travel keeps (src/worker/time-travel.ts), thinned as they age so that
 * their number grows with the logarithm of the run's length and their bytes stay under a
 * budget. Three kinds:
 *
 * - the start: the state the history begins with (a program just loaded); never dropped.
 * - periodic: one every `interval` instructions. Periodic checkpoint n (taken at
 *   instruction n × interval) has level = the number of trailing zero bits of n, and of
 *   each level the `perLevel` newest are kept, like the digits of a binary counter. So the
 *   newest are `interval` apart and older ones ever wider apart: after n intervals at most
 *   perLevel × (⌊log2 n⌋ + 1) are kept, and an instruction `age` instructions before the
 *   newest one lies at most interval + (age + interval) / (perLevel − 1) instructions after
 *   a kept checkpoint (or the start): going back replays about a third of the way at most,
 *   with 4 a level.
 * - fine: at most FINE_LIMIT states taken while replaying towards a travel's target, so
 *   that stepping back again near it replays little; each travel's replace the last's.
 *
 * When their bytes, with those of a state kept beside them (reserve()), exceed `maxBytes`, the
 * oldest periodic checkpoints go first, then the oldest fine ones; the start and the newest
 * periodic one stay (the old past is then reached from an earlier checkpoint, the start at
 * worst, by a longer replay).
 */

/** What the store needs to know of a checkpoint. */
export interface Kept {
  /** Instructions retired when it was taken. */
  instret: number;
  /** Its size, bytes. */
  bytes: number;
}

/** Fine checkpoints one travel leaves. */
export const FINE_LIMIT = 8;

/** Number of trailing zero bits of `n` ≥ 1. */
function levelOf(n: number): number {
  let level = 0;
  while (n % 2 === 0) {
    n /= 2;
    level++;
  }
  return level;
}

export class CheckpointStore<C extends Kept> {
  private periodic: C[] = [];
  private fine: C[] = [];
  /** Bytes of a state kept beside the store, counted against maxBytes. */
  private reserved = 0;

  constructor(
    readonly start: C,
    /** Instructions between periodic checkpoints. */
    readonly interval: number,
    readonly perLevel: number,
    readonly maxBytes: number,
  ) {
    if (!Number.isSafeInteger(interval) || interval < 1) throw new RangeError(`checkpoint interval ${interval} must be a whole number of instructions ≥ 1`);
    if (!Number.isSafeInteger(perLevel) || perLevel < 2) throw new RangeError(`checkpoints per level ${perLevel} must be a whole number ≥ 2`);
  }

  /** Every kept checkpoint, oldest first (the start, periodic and fine ones). */
  all(): C[] {
    return [this.start, ...this.periodic, ...this.fine].sort((a, b) => a.instret - b.instret);
  }

  get count(): number { return 1 + this.periodic.length + this.fine.length; }
  get bytes(): number { return this.all().reduce((n, c) => n + c.bytes, 0); }

  /** The instruction of the next periodic checkpoint after `instret`. */
  nextAfter(instret: number): number {
    return (Math.floor(instret / this.interval) + 1) * this.interval;
  }

  /** Whether a periodic checkpoint is due at `instret`: on the grid, after the newest kept. */
  due(instret: number): boolean {
    const newest = this.periodic.at(-1)?.instret ?? this.start.instret;
    return instret % this.interval === 0 && instret > newest;
  }

  /** Adds the periodic checkpoint `c` (due at its instret) and thins the rest. */
  add(c: C): void {
    if (!this.due(c.instret)) throw new Error(`no periodic checkpoint is due at instruction ${c.instret}`);
    this.periodic.push(c);
    const byLevel = new Map<number, C[]>();
    for (const p of this.periodic) {
      const level = levelOf(p.instret / this.interval);
      byLevel.set(level, [...(byLevel.get(level) ?? []), p]);
    }
    const kept = new Set([...byLevel.values()].flatMap((level) => level.slice(-this.perLevel)));
    this.periodic = this.periodic.filter((p) => kept.has(p));
    this.keepWithinBudget();
  }

  /** Counts `bytes` more for `c`, a part of it that came after it was added (the twin's state), and thins as add() does. */
  grow(c: C, bytes: number): void {
    c.bytes += bytes;
    this.keepWithinBudget();
  }

  /** Replaces the fine checkpoints with `fine` (the last FINE_LIMIT of them). */
  setFine(fine: C[]): void {
    this.fine = fine.slice(-FINE_LIMIT);
    this.keepWithinBudget();
  }

  /** Counts `bytes` of a state kept beside the store (the present's: time-travel.ts) against maxBytes from now on. */
  reserve(bytes: number): void {
    this.reserved = bytes;
    this.keepWithinBudget();
  }

  private keepWithinBudget(): void {
    let bytes = this.bytes + this.reserved;
    while (bytes > this.maxBytes && (this.periodic.length > 1 || this.fine.length > 0)) {
      bytes -= (this.periodic.length > 1 ? this.periodic.shift()! : this.fine.shift()!).bytes;
    }
  }

  /** The newest checkpoint at or before `instret` that `usable` accepts (the start is always usable). */
  latest(instret: number, usable: (c: C) => boolean = () => true): C {
    let best = this.start;
    for (const c of [...this.periodic, ...this.fine]) {
      if (c.instret <= instret && c.instret >= best.instret && usable(c)) best = c;
    }
    return best;
  }

  /** Drops every checkpoint after `instret` (the future of a history that branches there). */
  dropAfter(instret: number): void {
    this.periodic = this.periodic.filter((c) => c.instret <= instret);
    this.fine = this.fine.filter((c) => c.instret <= instret);
  }

  /** Drops every checkpoint `stale` says is no longer true (the start excepted). */
  dropWhere(stale: (c: C) => boolean): void {
    this.periodic = this.periodic.filter((c) => !stale(c));
    this.fine = this.fine.filter((c) => !stale(c));
  }
}
