/**
 * Which modules of a machine are known to hold the same state — what lets the translate
 * engine run translated code on lockstep modules (assembly/translate/dispatch.ts): modules
 * that hold the same state execute the same instructions with the same results, so that
 * comparing their retire records after each one could find nothing.
 *
 * Each module has a lineage. Modules of one lineage are known to hold the same state, as
 * nothing has changed one of them alone since they were last found equal: at power-on, or
 * by comparing their whole architectural states (Core.sameState()). A fault, or a write by
 * the host to one module, sets the module apart; a comparison brings it back. Like the
 * translations, this is not machine state: a snapshot neither records nor restores it, and a
 * restored machine compares its modules' states before it runs.
 */
import type { Core } from './core.ts';

/** What the lineages need of their machine. */
export interface LineageHost {
  core: Core;
  ramSize: number;
  /** The online modules, lowest first (the first is the reference). */
  online(): number[];
  /** Whether module `m` carries a persistent fault (its masks, not compared, change what it executes next). */
  persistent(m: number): boolean;
}

export class Lineages {
  private lineages: number[] = [];
  /** The instruction from which, while the online modules are of more than one lineage, their states are compared again. */
  private nextCheck = 0;

  constructor(private readonly host: LineageHost) {}

  /** `count` modules, all of one lineage (a machine at power-on). */
  reset(count: number): void {
    this.lineages = Array.from({ length: count }, () => 0);
    this.nextCheck = 0;
  }

  /**
   * `count` modules of a machine just restored, at instruction `instret`: their states are
   * compared (rejoin(), with `ramLikeModule0` from the snapshot).
   */
  restored(count: number, instret: number, ramLikeModule0: readonly boolean[]): void {
    this.lineages = Array.from({ length: count }, (_, m) => m);
    this.rejoin(ramLikeModule0);
    this.nextCheck = instret + this.checkInterval;
  }

  /** Whether the online modules are of one lineage (so the core may run translated code on them). */
  same(): boolean {
    const online = this.host.online();
    return online.every((m) => this.lineages[m] === this.lineages[online[0]]);
  }

  /**
   * `modules` were each changed alone, or alike (a fault on several modules at once): they
   * leave their lineages. Those that shared a lineage share a new one (the same change to
   * the same state), which no other module has.
   */
  setApart(modules: readonly number[]): void {
    let next = 1 + Math.max(...this.lineages);
    const renamed = new Map<number, number>();
    for (const m of modules) {
      const old = this.lineages[m];
      if (!renamed.has(old)) renamed.set(old, next++);
      this.lineages[m] = renamed.get(old)!;
    }
    this.tellCore();
  }

  /**
   * With the translate engine: compares the state of each online module outside the
   * reference module's lineage with the reference's; those equal join that lineage. A
   * module whose fault has been overwritten (a masked fault), or that a resync has made a
   * copy, is then known to be in step again. A module that carries a persistent fault joins
   * none. `ramLikeModule0`, when known (a snapshot's page tags say it), spares comparing
   * RAM: for each module, whether its RAM equals module 0's.
   */
  rejoin(ramLikeModule0?: readonly boolean[]): void {
    const { core } = this.host;
    if (core.engine !== 'translate') return;
    const [reference, ...others] = this.host.online();
    for (const m of others) {
      if (this.lineages[m] === this.lineages[reference] || this.host.persistent(reference) || this.host.persistent(m)) continue;
      const ramEqual = ramLikeModule0 && ramLikeModule0[reference] && ramLikeModule0[m];
      const ramDiffers = ramLikeModule0 && ramLikeModule0[reference] !== ramLikeModule0[m];
      if (!ramDiffers && core.sameState(reference, m, ramEqual)) this.lineages[m] = this.lineages[reference];
    }
    this.tellCore();
  }

  /**
   * Instructions the core may run from `now` before the translate engine compares the
   * modules' states again, while they are of more than one lineage (Infinity otherwise); the
   * comparison is made here when it is due, once every checkInterval instructions.
   */
  untilCheck(now: number): number {
    if (this.host.core.engine !== 'translate' || this.same()) return Infinity;
    if (now >= this.nextCheck) {
      this.rejoin();
      this.nextCheck = now + this.checkInterval;
      if (this.same()) return Infinity;
    }
    return this.nextCheck - now;
  }

  /**
   * Instructions between two comparisons, max(2^20, RAM bytes): a comparison reads the
   * online modules' RAM at several GB/s, a percent or two of the time the interpreter takes
   * for the instructions in between.
   */
  private get checkInterval(): number {
    return Math.max(1 << 20, this.host.ramSize);
  }

  /** Tells the core whether the online modules hold the same state (after they or their lineages changed). */
  tellCore(): void {
    this.host.core.setSameState(this.same());
  }
}
