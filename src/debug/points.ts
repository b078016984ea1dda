/**
 * Breakpoints and watchpoints of one machine: the host's side of the core's debugger block
 * (assembly/lockstep/debug.ts has the contract). While any is set the core runs its debug
 * loops, which check them before every instruction on the reference module, and
 * Machine.run() returns with stop 'break' before the instruction they stop at; with none
 * set the core runs its plain loops, which never look at them.
 *
 * Why in the core, not the host: the host cannot know when the pc will reach an address
 * short of running one instruction per call (a JS round trip each), and a watched word may
 * change at any instruction; the core's check costs one loop variant, used only while armed.
 *
 * Numbering: a run that stops at a breakpoint has executed every instruction before the one
 * at the breakpoint, whose number is then the machine's instret (faults `at` that number
 * have been applied: they apply before it too). A watchpoint stops right after the
 * instruction that changed its word, instret − 1; or, for a change the host made between
 * two runs (a host call's result, a fault, a resync), before the run's first instruction.
 *
 * The core's block is not machine state: loading a program (which clears the core) or a
 * snapshot restored into a new machine leaves nothing set; arm the machine again.
 */
import type { Machine } from '../machine/machine.ts';
import { formatWatch, WatchError, type WatchTarget } from './watch.ts';
import { InputError } from '../input-error.ts';

export type DebugHit =
  | { kind: 'breakpoint'; slot: number; pc: number }
  | {
    kind: 'watch'; target: WatchTarget; old: number; value: number;
    /** The instruction before the stop made the change (else the host did, between two runs: a host call's result, a fault, a resync). */
    byInstruction: boolean;
  };

export class DebugPoints {
  private readonly L;
  private watches: WatchTarget[] = [];
  private breakpoints: number[] = [];

  constructor(readonly machine: Machine) {
    this.L = machine.core.layout;
  }

  /** Breakpoints one machine takes at once. */
  get capacity(): number { return this.L.BREAKPOINT_SLOTS; }
  /** Watchpoints one machine takes at once. */
  get watchCapacity(): number { return this.L.WATCH_SLOTS; }

  /**
   * Sets the breakpoints: the run stops before executing an instruction at any of these
   * pcs (slot k of a hit is pcs[k]). Throws InputError for more than `capacity`, or a pc
   * that is not a word-aligned 32-bit address.
   */
  setBreakpoints(pcs: readonly number[]): void {
    const L = this.L;
    if (pcs.length > L.BREAKPOINT_SLOTS) throw new InputError(`${pcs.length} breakpoints: a machine takes at most ${L.BREAKPOINT_SLOTS}`);
    for (const pc of pcs) {
      if (!Number.isInteger(pc) || pc < 0 || pc > 0xFFFF_FFFF || pc % 4 !== 0) throw new InputError(`breakpoint at ${pc}: expected a word-aligned address, such as 0x80000010`);
    }
    pcs.forEach((pc, k) => this.machine.core.setU32(L.DEBUG + L.D_BREAKS + 4 * k, pc));
    this.machine.core.setU32(L.DEBUG + L.D_BREAK_COUNT, pcs.length);
    this.breakpoints = [...pcs];
    this.syncArmed();
  }

  /**
   * Sets the watchpoints (slot k of a hit is targets[k]). A target watched already keeps
   * the value it was last seen with, so a change the host made since (a host call served at
   * the end of a run) still stops the next run; a new one starts from the value it holds now. Throws WatchError for a RAM word outside RAM or
   * more than `watchCapacity` targets.
   */
  setWatches(targets: readonly WatchTarget[]): void {
    const L = this.L;
    const core = this.machine.core;
    if (targets.length > L.WATCH_SLOTS) throw new WatchError(`${targets.length} watchpoints: a machine takes at most ${L.WATCH_SLOTS}`);
    const slots = targets.map((target) => {
      const where = target.type === 'reg' ? L.H_X + 4 * target.reg : this.ramOffset(target);
      const old = this.watches.findIndex((w) => formatWatch(w) === formatWatch(target));
      const seen = old >= 0 ? core.u32(this.watchEntry(old) + L.W_VALUE) : this.value(target);
      return { kind: target.type === 'reg' ? L.WATCH_REGISTER : L.WATCH_RAM, where, seen };
    });
    slots.forEach((slot, k) => {
      const entry = this.watchEntry(k);
      core.setU32(entry + L.W_KIND, slot.kind);
      core.setU32(entry + L.W_WHERE, slot.where);
      core.setU32(entry + L.W_VALUE, slot.seen);
    });
    core.setU32(L.DEBUG + L.D_WATCH_COUNT, targets.length);
    this.watches = [...targets];
    this.syncArmed();
  }

  /**
   * The machine goes on from here: the next run does not stop at a breakpoint at the
   * instruction it starts with (as a debugger's continue leaves the breakpoint it stopped
   * at), and hit() forgets the last stop.
   */
  resume(): void {
    const L = this.L;
    this.machine.core.setU64(L.DEBUG + L.D_SKIP_AT, BigInt(this.machine.instret));
    this.machine.core.setU32(L.DEBUG + L.D_HIT, 0);
  }

  /** What the last run that returned 'break' stopped for; undefined when none did since resume(). */
  hit(): DebugHit | undefined {
    const L = this.L;
    const core = this.machine.core;
    const kind = core.u32(L.DEBUG + L.D_HIT);
    const slot = core.u32(L.DEBUG + L.D_HIT_SLOT);
    if (kind === L.DEBUG_HIT_BREAK) return { kind: 'breakpoint', slot, pc: this.breakpoints[slot] };
    if (kind === L.DEBUG_HIT_WATCH) {
      return {
        kind: 'watch', target: this.watches[slot], old: core.u32(L.DEBUG + L.D_HIT_OLD), value: core.u32(this.watchEntry(slot) + L.W_VALUE),
        byInstruction: core.u32(L.DEBUG + L.D_HIT_AFTER) === 1,
      };
    }
    return undefined;
  }

  /** The value `target` holds now on the reference module (the lowest-numbered online one; module 0 when none is). */
  value(target: WatchTarget): number {
    const m = this.machine.referenceModule() ?? 0;
    if (target.type === 'reg') return this.machine.reg(m, target.reg);
    const bytes = this.machine.readMemory(m, target.addr, 4)!;
    return (bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24)) >>> 0;
  }

  private ramOffset(target: { addr: number }): number {
    if (this.machine.ramAddress(0, target.addr, 4) === undefined) {
      const end = this.L.RAM_BASE + this.machine.ramSize - 4;
      throw new WatchError(`watch ${formatWatch({ type: 'mem', addr: target.addr })}: not a word of RAM (0x${this.L.RAM_BASE.toString(16)}..0x${end.toString(16)})`);
    }
    return target.addr - this.L.RAM_BASE;
  }

  private watchEntry(k: number): number {
    return this.L.DEBUG + this.L.D_WATCHES + k * this.L.WATCH_SIZE;
  }

  private syncArmed(): void {
    this.machine.core.setU32(this.L.DEBUG + this.L.D_ARMED, this.breakpoints.length + this.watches.length > 0 ? 1 : 0);
  }
}
