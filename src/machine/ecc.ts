/**
 * The host's side of memory ECC (`--ecc secded`, `--scrub-every N`; the code and the
 * checks are the core's, assembly/fault/ecc.ts): it turns the corrections the core made
 * into `corrected` events, frees the fault slots they leave empty, runs the scrubber's
 * passes, checks the RAM a host call reads or writes, and copies check bits along with RAM
 * when a resync copies pages.
 *
 * The scrubber's cost model: a pass reads every word of a module's RAM at the memory
 * bandwidth the resync model uses (copy bytes per cycle), and the modules stall meanwhile
 * (each module scrubs its own RAM, all at once): a pass costs RAM bytes / bandwidth cycles
 * of the virtual clock, during which no instruction retires — with 1 MiB at 8 bytes a
 * cycle, 131,072 cycles, that is 131,072 instructions the machine did not execute.
 */
import type { Core } from './core.ts';
import type { MachineEvent } from './events.ts';
import { InputError } from '../input-error.ts';

export type EccMode = 'none' | 'secded';
export const ECC_MODES: readonly EccMode[] = ['none', 'secded'];

/** Who found a corrected error: a read (load, fetch, partial store, host call) or the scrubber. */
export type CorrectedBy = 'read' | 'scrub';

/**
 * Throws InputError for an unknown code, or a scrubber without SEC-DED or with no interval.
 * The one check of these settings: the CLI and scenario files name the option or field.
 */
export function checkEccSettings(ecc: string | undefined, scrubEvery: number | undefined): void {
  if (ecc !== undefined && !(ECC_MODES as readonly string[]).includes(ecc)) throw new InputError(`ECC '${ecc}' is unknown: use ${ECC_MODES.join(' or ')}`);
  if (scrubEvery === undefined) return;
  if (!Number.isSafeInteger(scrubEvery) || scrubEvery < 1) throw new InputError(`${scrubEvery} instructions between scrubber passes: give a whole number, 1 or more (or no scrubber at all)`);
  if (ecc !== 'secded') throw new InputError('a scrubber corrects errors with the RAM\'s check bits: give the machine ECC secded to scrub');
}

/** What the scrubber did so far (the report's `scrub`). */
export interface ScrubStats {
  /** Instructions between passes. */
  every: number;
  passes: number;
  /** Words one pass reads on each module. */
  words_per_pass: number;
  /** Stall cycles one pass costs (no instruction retires meanwhile). */
  cycles_per_pass: number;
  /** Stall cycles of every pass so far: instructions the machine did not execute. */
  cycles: number;
}

/** What memory ECC needs of its machine. */
export interface EccHost {
  core: Core;
  ramSize: number;
  /** Copy bandwidth in bytes per cycle, which the scrubber reads at. */
  bytesPerCycle: number;
  instret(): number;
  /** Modules that execute (the scrubber scrubs only those). */
  online(): number[];
  moduleCount(): number;
  /** Schedules scrubPass() at instruction `at`. */
  schedule(at: number): void;
  /** Stops the machine for `cycles` cycles of virtual time (instret does not advance). */
  pause(cycles: number): void;
  event(e: MachineEvent): void;
}

export class MemoryEcc {
  private readonly L;
  private passes = 0;

  /** `scrubEvery`: instructions between scrubber passes, or undefined for no scrubber. */
  constructor(readonly mode: EccMode, readonly scrubEvery: number | undefined, private readonly host: EccHost) {
    this.L = host.core.layout;
  }

  /** Sets the core's ECC mode (a fresh core, or after init). */
  configure(): void {
    const L = this.L;
    this.host.core.setU32(L.MACHINE + L.M_ECC, this.mode === 'secded' ? L.ECC_SECDED : L.ECC_NONE);
  }

  /** A program starts: the scrubber's first pass comes `scrubEvery` instructions in. */
  start(): void {
    this.passes = 0;
    if (this.scrubEvery !== undefined) this.host.schedule(this.host.instret() + this.scrubEvery);
  }

  /** Single-bit errors module `m`'s ECC has corrected since it was put in. */
  corrected(m: number): number {
    return this.host.core.u32(this.host.core.hart(m) + this.L.H_CORRECTED);
  }

  /** Zeroes module `m`'s corrected-error count (a replacement module is new hardware). */
  resetCount(m: number): void {
    this.host.core.setU32(this.host.core.hart(m) + this.L.H_CORRECTED, 0);
  }

  /**
   * Logs the corrections the core left to report, at instruction `instret`, and frees the
   * fault slots that hold nothing more. Returns whether any module's slots may have
   * changed (the machine then re-checks which modules carry faults).
   */
  collect(instret: number, by: CorrectedBy): boolean {
    const { core } = this.host;
    const L = this.L;
    // Only a read by an online module with a fault slot corrects: then the core runs armed.
    if (core.u32(L.MACHINE + L.M_FAULTS_ARMED) === 0) return false;
    let found = false;
    for (let m = 0; m < this.host.moduleCount(); m++) {
      let reported = false;
      for (const entry of this.slots(m)) {
        const report = core.u8(entry + L.MF_REPORT);
        if (report === 0) continue;
        core.setU8(entry + L.MF_REPORT, 0);
        const address = (L.RAM_BASE + core.u32(entry + L.MF_OFFSET)) >>> 0;
        this.host.event({ instret, kind: 'corrected', module: m, address, bit: report - 1, by });
        reported = true;
      }
      if (reported) core.releaseMemFaults(m);
      found ||= reported;
    }
    return found;
  }

  /** A scrubber pass over the online modules' RAM (the scheduled action); schedules the next. */
  scrubPass(): void {
    const instret = this.host.instret();
    for (const m of this.host.online()) {
      const { corrected, uncorrectable } = this.host.core.scrub(m);
      if (corrected + uncorrectable > 0) this.host.event({ instret, kind: 'scrub', module: m, corrected, uncorrectable });
    }
    this.collect(instret, 'scrub');
    this.passes++;
    this.host.pause(this.cyclesPerPass);
    this.host.schedule(instret + this.scrubEvery!);
  }

  private get cyclesPerPass(): number { return Math.ceil(this.host.ramSize / this.host.bytesPerCycle); }

  /** The report's `scrub`, or undefined without a scrubber. */
  scrubStats(): ScrubStats | undefined {
    if (this.scrubEvery === undefined) return undefined;
    return {
      every: this.scrubEvery, passes: this.passes, words_per_pass: this.host.ramSize / 4,
      cycles_per_pass: this.cyclesPerPass, cycles: this.passes * this.cyclesPerPass,
    };
  }

  /** What a snapshot keeps. */
  state(): { scrubPasses: number } { return { scrubPasses: this.passes }; }
  restore(state: { scrubPasses: number }): void { this.passes = state.scrubPasses; }

  /**
   * The host reads `length` bytes of module `m`'s RAM at guest `addr` (a host call's
   * buffer) with `read`: the faulty words there go through the module's ECC first, so that
   * `read` sees them corrected. A word it cannot correct makes the module announce the error
   * (H_ERROR), as a load would; announced() then names the module.
   */
  hostRead<T>(m: number, addr: number, length: number, read: () => T): T {
    if (!this.access(m, addr, length, false)) return read();
    const bytes = read();
    this.host.core.hostRamRead(m); // stuck cells hold their bits again
    return bytes;
  }

  /**
   * The host writes `length` bytes of module `m`'s RAM at guest `addr` with `write`: a word
   * it covers in part is read through the ECC first (to merge its bytes), as hostRead()
   * does; every faulty word it touches is then encoded anew.
   */
  hostWrite(m: number, addr: number, length: number, write: () => void): void {
    const inRam = this.access(m, addr, length, true);
    write();
    if (inRam) this.host.core.hostRamWritten(m, (addr - this.L.RAM_BASE) >>> 0, length);
  }

  /**
   * The host reads module `m`'s registers as a whole (a checkpoint saving its context):
   * a register with a parity error makes the module announce it, as an instruction reading
   * it would (H_ERROR, naming the lowest such register). Returns whether it announced.
   */
  announceRegisterParity(m: number): boolean {
    const { core } = this.host;
    const h = core.hart(m);
    const poisoned = core.u32(h + this.L.H_POISON_REGS);
    if (poisoned === 0) return false;
    core.setU32(h + this.L.H_ERROR, this.L.ERROR_ECC);
    core.setU32(h + this.L.H_ERROR_WHERE, 31 - Math.clz32(poisoned & -poisoned));
    return true;
  }

  /** hostRamAccess() for an access in RAM (returns false for one that is not: nothing to check). */
  private access(m: number, addr: number, length: number, write: boolean): boolean {
    const L = this.L;
    const offset = (addr - L.RAM_BASE) >>> 0;
    if (length === 0 || offset + length > this.host.ramSize) return false;
    const failed = this.host.core.hostRamAccess(m, offset, length, write);
    const h = this.host.core.hart(m);
    if (failed !== 0 && this.host.core.u32(h + L.H_ERROR) === 0) {
      this.host.core.setU32(h + L.H_ERROR, L.ERROR_ECC);
      this.host.core.setU32(h + L.H_ERROR_WHERE, failed);
    }
    return true;
  }

  /** The modules among `online` that announced an error in a host access (hostAccess()), as a bit mask. */
  announced(online: readonly number[]): number {
    const L = this.L;
    return online.reduce((mask, m) => (this.host.core.u32(this.host.core.hart(m) + L.H_ERROR) !== 0 ? mask | (1 << m) : mask), 0);
  }

  /**
   * After a resync copied pages of RAM from `source` to `target`: the target's faulty words
   * become the source's. RAM is copied as codewords, data with its check bits (and a
   * poisoned word's poison), so every word with a fault slot on either module is copied
   * again as one — the source's data word, check bits and poison — wherever its page is:
   * the source's slots go along, without their stuck cells, which stay with the source's
   * hardware; and a slot the target kept from an earlier round goes when the source has
   * none for that word any more (an error corrected in its check bits, which writes no
   * page). The target then holds no slot the source has not, so the source's (at most
   * MEM_FAULT_SLOTS) always fit. These words (at most 2 × MEM_FAULT_SLOTS) are not counted
   * in the copy's bytes.
   */
  copyCodewords(source: number, target: number): void {
    const { core, ramSize } = this.host;
    const L = this.L;
    const offsetOf = (entry: number) => core.u32(entry + L.MF_OFFSET);
    const words = new Set([...this.slots(source), ...this.slots(target)].map(offsetOf));
    for (const entry of this.slots(target)) core.clearMemFaultSlot(entry);
    const free = this.freeSlots(target); // all of them
    for (const entry of this.slots(source)) {
      const into = free.shift()!;
      core.setU32(into + L.MF_OFFSET, offsetOf(entry));
      core.setU32(into + L.MF_POISON, core.u32(entry + L.MF_POISON));
      core.setU8(into + L.MF_CHECK, core.u8(entry + L.MF_CHECK));
    }
    const ram = (m: number) => L.RAM_SLOTS + m * ramSize;
    for (const offset of words) core.setU32(ram(target) + offset, core.u32(ram(source) + offset));
    core.releaseMemFaults(target); // what would carry nothing on the target (a stuck cell's clean word)
  }

  /** Linear addresses of module `m`'s RAM fault slots in use. */
  private slots(m: number): number[] {
    const L = this.L;
    const h = this.host.core.hart(m);
    return Array.from({ length: L.MEM_FAULT_SLOTS }, (_, k) => h + L.H_MEM_FAULTS + k * L.MEM_FAULT_SIZE)
      .filter((entry) => this.host.core.u32(entry + L.MF_OFFSET) !== L.MEM_FAULT_NONE);
  }

  private freeSlots(m: number): number[] {
    const L = this.L;
    const h = this.host.core.hart(m);
    return Array.from({ length: L.MEM_FAULT_SLOTS }, (_, k) => h + L.H_MEM_FAULTS + k * L.MEM_FAULT_SIZE)
      .filter((entry) => this.host.core.u32(entry + L.MF_OFFSET) === L.MEM_FAULT_NONE);
  }
}
