/**
 * Where the modules' retire records first differed, for a divergence detected at a store or
 * I/O compare point, where the comparator sees only some instructions: the machine keeps a
 * snapshot from just before the first fault since the last detection, and a replay from it
 * that compares every instruction finds the instruction. Comparing every instruction, the
 * detection is that instruction, and nothing is kept.
 */
import type { MachineEvent } from './events.ts';

/** What the search needs of the machine replayed (Machine). */
export interface Replay {
  readonly halt: unknown;
  readonly instret: number;
  readonly events: readonly MachineEvent[];
  run(budget: number): unknown;
}

export class FirstDifference {
  /** The snapshot kept, if any: part of the machine's own snapshot (snapshot.ts, its inner snapshot). */
  kept?: ArrayBuffer;

  /** `keeps`: whether this machine keeps snapshots (it compares at some instructions only, and is not itself a replay). */
  constructor(private readonly keeps: boolean) {}

  /** A fault is about to take effect: keeps `snapshot()` unless a snapshot is kept already. */
  beforeFault(snapshot: () => ArrayBuffer): void {
    if (this.keeps && !this.kept) this.kept = snapshot();
  }

  /**
   * The first instruction at which the modules' records differ, for a divergence detected at
   * instruction `detected`: `replay` makes a machine, comparing every instruction, from the
   * snapshot kept. Undefined when none is kept. The snapshot is let go: the next fault keeps
   * a new one.
   */
  find(detected: number, replay: (snapshot: ArrayBuffer) => Replay): number | undefined {
    const from = this.kept;
    this.kept = undefined;
    if (!from) return undefined;
    const machine = replay(from);
    const known = machine.events.length;
    while (!machine.halt && machine.instret <= detected) {
      machine.run(detected + 1 - machine.instret);
      const diverge = machine.events.slice(known).find((e) => e.kind === 'diverge');
      if (diverge) return diverge.instret;
    }
    return undefined;
  }
}
