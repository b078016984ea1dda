/**
 * A machine: a topology of modules in one core instance, its devices and console, the
 * schedule of faults and repairs, and the events that happened. This is the library's
 * main type; the CLI, the worker and the tests drive it.
 *
 * Time is counted in instructions of the logical machine (instret). run(budget) hands the
 * core batches that end exactly at the next scheduled action (a fault, a replacement, a
 * resync round), so nothing in the core's hot loop checks for them.
 */
import { Core, compileCore, DEFAULT_ENGINE, type Engine } from './core.ts';
import type { Program } from '../isa/program.ts';
import {
  type Topology, type OfflineReason, moduleCount, boardOf, modulesOfBoard, boardModules, companionsOf, describeOffline, unitsOf,
} from './topology.ts';
import type { MachineEvent, DivergeEvent, MiscompareEvent, Halt, HaltReason, InactiveFault } from './events.ts';
import { exitStatusOf } from './events.ts';
import { moduleRecord, recordKey, recordDifference, hex32, type RetireRecord, type Difference } from './records.ts';
import { decodeCall, callDifference, type ConsoleIO, type HostCall } from './hostcalls.ts';
import { type Fault, type CheckerFaultKind, formatFault, isCheckerKind } from '../fault/spec.ts';
import { checkFault, checkFaultSlots, applyFault, faultModules, carriesPersistentFault, rewriteContext, type FaultEffects } from '../fault/inject.ts';
import { Checkers, mismatchEvents } from './checkers.ts';
import { Diagnosis } from './diagnosis.ts';
import { Resyncs } from './resync.ts';
import { encodeSnapshot, decodeSnapshot, type HostSnapshot } from './snapshot.ts';
import { TraceTap, type TraceEntry } from './trace.ts';
import { TransactionPort } from './txport.ts';
import { HostIO } from './host-io.ts';
import { CheckpointDevice } from './checkpoint-device.ts';
import { MemoryEcc, type ScrubStats } from './ecc.ts';
import { ActionSchedule, type ScheduledAction } from './schedule.ts';
import { Lineages } from './lineages.ts';
import { unhandledTrap } from './traps.ts';
import { FirstDifference } from './first-difference.ts';
import { checkPlacement } from './placement.ts';
import { checkMachineConfig, resolveMachineConfig, type MachineConfig, type ResolvedConfig } from './config.ts';
import { InputError } from '../input-error.ts';

export type { MachineConfig, ComparePoint } from './config.ts';
export type { ScheduledAction } from './schedule.ts';

export type ModuleState = 'online' | 'offline' | 'resyncing';

export interface ModuleStatus {
  id: number;
  board: number;
  state: ModuleState;
  /** The module stopped retiring (killed). */
  dead: boolean;
  /** Faults applied to this module, as fault specs. */
  faults: string[];
  /** Single-bit errors its RAM ECC corrected (always 0 without ECC). */
  corrected: number;
}

/** The host's record of a module (its architectural state is in the core). */
export interface ModuleRecord {
  state: ModuleState;
  dead: boolean;
  /** Faults applied to this module since it was last replaced, in the order they took effect. */
  faults: Fault[];
  /** It carries a persistent fault (stuck bit, ECC poison, a pending result flip): run instrumented. */
  persistent: boolean;
}

/** Why run() returned. */
export type RunStop =
  | 'budget' // the budget is spent; call run() again to go on
  | 'halted' // the machine stopped for good: see halt
  | 'input' // waiting for console input that has not arrived yet
  | 'cycle' // the virtual clock reached run()'s `untilCycle`
  | 'break'; // a breakpoint or watchpoint (src/debug/): before the instruction it stopped at

export interface RunResult {
  stop: RunStop;
  executed: number;
}

/** A console that discards output and has no input. */
export const NULL_CONSOLE: ConsoleIO = { write() {}, read() { return null; } };

export class Machine {
  readonly topology: Topology;
  readonly ramSize: number;
  readonly config: ResolvedConfig;
  readonly events: MachineEvent[] = [];
  /** The transaction port's host side: input FIFO, consumed count, results (TXPORT.md). */
  readonly port: TransactionPort;
  /** The checkpoint device's host side: range check, count, and the system layer's onSend hook. */
  readonly checkpoints: CheckpointDevice;
  /** The console and the host-served calls. */
  private readonly io: HostIO;
  /**
   * Called with each divergence as it happens, and one line for people: "diverged at
   * instruction 1,204,331 (pc 0x80000124): module 1 wrote x5 = 0x00000040, module 0 wrote
   * 0x00000048 → module 1 offline"; when the machine cannot tell which side is right, the
   * modules in number order: "… module 0 wrote x5 = 0x00000048, module 1 wrote 0x00000040 → fail-stop".
   */
  onDivergence?: (event: DivergeEvent | MiscompareEvent, line: string) => void;

  private readonly L;
  private modules: ModuleRecord[] = [];
  private readonly schedule = new ActionSchedule();
  private halted?: Halt;
  /** Faults that reached no online module (see applyScheduledFault). */
  private inactive: InactiveFault[] = [];
  private readonly resyncs: Resyncs;
  /** The comparators or voter, and their stuck verdicts. */
  private readonly checkers: Checkers;
  /** Self-tests and error counts of modules taken offline. */
  private readonly diagnosis: Diagnosis;
  /** Memory ECC's host side: corrections to log, the scrubber, host accesses to RAM. */
  private readonly ecc: MemoryEcc;
  private programLoaded = false;
  private tohost = 0;
  /** Calls into the core so far: the first ones are kept short so V8 optimises the core early. */
  private coreCalls = 0;
  private readonly trace: TraceTap;
  /** Where the records first differed, found by a replay (not readonly: a replay machine keeps no snapshot). */
  private difference: FirstDifference;
  /** Which modules are known to hold the same state (for the translate engine). */
  private readonly lineages: Lineages;

  private constructor(readonly core: Core, config: MachineConfig) {
    this.config = resolveMachineConfig(config);
    this.difference = new FirstDifference(this.config.compare !== 'every');
    this.topology = this.config.topology;
    this.ramSize = this.config.ramMiB * 1024 * 1024;
    core.engine = config.engine ?? DEFAULT_ENGINE; // not machine state: a snapshot neither records nor restores it
    this.checkers = new Checkers(this.topology, this.config.crossCheck);
    this.diagnosis = new Diagnosis({ readmit: this.config.readmit, diagnoseTime: this.config.diagnoseTime, threshold: this.config.threshold });
    this.L = core.layout;
    this.trace = new TraceTap(core);
    this.io = new HostIO(core, config.console ?? NULL_CONSOLE, this.L.RAM_BASE + this.ramSize);
    this.lineages = new Lineages({
      core, ramSize: this.ramSize, online: () => this.onlineModules(), persistent: (m) => this.modules[m].persistent,
    });
    this.port = new TransactionPort(core);
    this.checkpoints = new CheckpointDevice(core, this.port);
    this.ecc = new MemoryEcc(this.config.ecc, this.config.scrubEvery, {
      core,
      ramSize: this.ramSize,
      bytesPerCycle: this.config.copyBytesPerCycle,
      instret: () => this.instret,
      online: () => this.onlineModules(),
      moduleCount: () => this.modules.length,
      schedule: (at) => this.schedule.add({ at, type: 'scrub' }),
      pause: (cycles) => this.stall(cycles),
      event: (e) => this.events.push(e),
    });
    this.resyncs = new Resyncs({ mode: this.config.resync, bytesPerCycle: this.config.copyBytesPerCycle }, {
      core,
      ramSize: this.ramSize,
      instret: () => this.instret,
      source: () => this.referenceModule(),
      online: (m) => this.modules[m].state === 'online',
      schedule: (at, id) => this.schedule.add({ at, type: 'resync-round', id }),
      pause: (cycles) => this.stall(cycles),
      event: (e) => this.events.push(e),
      copyCodewords: (source, target) => this.ecc.copyCodewords(source, target),
      finished: (targets) => {
        for (const m of targets) if (this.modules[m].state === 'resyncing') this.modules[m].state = 'online';
        this.refreshFaults(); // a target may have been copied faulty words
        this.lineages.rejoin();
      },
    });
    this.initCore();
  }

  /** Sets up the core for this machine's configuration: every module in its starting state, online. */
  private initCore(): void {
    const L = this.L;
    const n = moduleCount(this.topology);
    this.core.init(n, this.ramSize);
    this.modules = Array.from({ length: n }, () => ({ state: 'online' as ModuleState, dead: false, faults: [], persistent: false }));
    this.lineages.reset(n);
    const compareCode = { every: L.COMPARE_EVERY, store: L.COMPARE_STORE, io: L.COMPARE_IO }[this.config.compare];
    this.core.setU32(L.MACHINE + L.M_COMPARE, compareCode);
    this.ecc.configure();
    this.io.inputOpen = this.config.blockingInput;
    this.trace.tellCore();
    this.syncOnline();
  }

  /** Back to the state Machine.create() gives (keeping the console, trace sink and onDivergence). */
  private reset(): void {
    this.trace.drain();
    this.initCore();
    this.port.takeResults(); // the previous program's results are gone with it
    this.events.length = 0;
    this.schedule.clear();
    this.halted = undefined;
    this.inactive = [];
    this.resyncs.clear();
    this.checkers.clear();
    this.diagnosis.clear();
    this.tohost = 0;
    this.difference.kept = undefined;
    this.programLoaded = false;
  }

  /** Validates the configuration and builds the machine; throws InputError on a bad setting. */
  static async create(config: MachineConfig = {}): Promise<Machine> {
    checkMachineConfig(config);
    await compileCore();
    return new Machine(Core.createSync(), config);
  }

  // ── State ────────────────────────────────────────────────────────────────────────

  get instret(): number { return this.core.count(this.L.MACHINE + this.L.M_INSTRET); }
  get cycle(): number { return this.core.count(this.L.MACHINE + this.L.M_CYCLE); }
  get halt(): Halt | undefined { return this.halted; }

  get moduleCount(): number { return this.modules.length; }
  /**
   * After run() stopped with `input`: true if a host call (read) waits, which takes its
   * bytes from the console when run() is called again; false if the UART waits, whose input
   * the host gives with pushInput() (the receive interrupt asks the console only once).
   */
  get callWaitsForInput(): boolean { return this.io.waiting !== undefined; }

  /** Where guest output goes and console input comes from. */
  get console(): ConsoleIO { return this.io.console; }
  set console(console: ConsoleIO) { this.io.console = console; }

  /**
   * Faults of the plan that did not take effect: those that reached no online module, and,
   * once the machine has halted, those scheduled for instructions it never executed.
   */
  notActivated(): InactiveFault[] {
    const unreached = this.halted
      ? this.schedule.faults().map((fault) => ({ fault: formatFault(fault), reason: 'halted' as const }))
      : [];
    return [...this.inactive, ...unreached];
  }

  /** The scrubber's passes and their cost so far, or undefined without a scrubber. */
  scrubStats(): ScrubStats | undefined { return this.ecc.scrubStats(); }

  moduleStatus(): ModuleStatus[] {
    return this.modules.map((m, id) => ({
      id, board: boardOf(this.topology, id), state: m.state, dead: m.dead, faults: m.faults.map(formatFault), corrected: this.ecc.corrected(id),
    }));
  }

  onlineModules(): number[] {
    return this.modules.flatMap((m, id) => (m.state === 'online' ? [id] : []));
  }

  /** The module whose device reads and outputs count: the lowest-numbered online one. */
  referenceModule(): number | undefined { return this.onlineModules()[0]; }

  reg(m: number, n: number): number { return n === 0 ? 0 : this.core.u32(this.core.hart(m) + this.L.H_X + 4 * n); }
  /** Sets register xn of module `m` alone (its state may then differ from the other modules'). */
  setReg(m: number, n: number, value: number): void {
    this.putReg(m, n, value);
    this.lineages.setApart([m]);
  }
  pc(m: number): number { return this.core.u32(this.core.hart(m) + this.L.H_PC); }
  /** Sets the pc of module `m` alone. */
  setPc(m: number, value: number): void {
    this.putPc(m, value);
    this.lineages.setApart([m]);
  }
  // put*: a write the caller makes to every module alike (loading a program, serving a host call).
  private putReg(m: number, n: number, value: number): void {
    if (n !== 0) this.core.setU32(this.core.hart(m) + this.L.H_X + 4 * n, value);
  }
  private putPc(m: number, value: number): void { this.core.setU32(this.core.hart(m) + this.L.H_PC, value); }
  privilege(m: number): number { return this.core.u32(this.core.hart(m) + this.L.H_PRIV); }
  csr(m: number, num: number): number | undefined { return this.core.csrPeek(m, num); }
  record(m: number): RetireRecord { return moduleRecord(this.core, m); }

  /** Linear address of guest `addr` in module `m`'s RAM, if `length` bytes there are RAM. */
  ramAddress(m: number, addr: number, length = 1): number | undefined {
    const offset = (addr - this.L.RAM_BASE) >>> 0;
    if (offset + length > this.ramSize || length < 0) return undefined;
    return this.L.RAM_SLOTS + m * this.ramSize + offset;
  }

  /** A copy of `length` bytes of module `m`'s RAM at guest `addr` (undefined outside RAM). */
  readMemory(m: number, addr: number, length: number): Uint8Array | undefined {
    const at = this.ramAddress(m, addr, length);
    return at === undefined ? undefined : this.core.slice(at, length).slice();
  }

  /**
   * Reads guest RAM of module `m` as a load would, for a device that copies it (a
   * checkpoint, src/machine/context.ts): through the module's ECC. A single-bit error is
   * corrected, in RAM too, and logged (`corrected`, by `read`); a word it cannot correct
   * (poisoned, or two or more bits flipped) makes the module announce the error, as a load
   * would — a simplex machine fail-stops — and nothing is read: undefined. Throws
   * RangeError outside RAM.
   */
  readMemoryChecked(m: number, addr: number, length: number): Uint8Array | undefined {
    const at = this.ramAddress(m, addr, length);
    if (at === undefined) throw new RangeError(`guest range ${hex32(addr)}+${length} lies outside RAM`);
    if (!this.modules[m].persistent) return this.core.slice(at, length).slice(); // no faulty word to check
    const bytes = this.ecc.hostRead(m, addr, length, () => this.core.slice(at, length).slice());
    return this.settleHostAccess() ? undefined : bytes;
  }

  /**
   * Writes guest RAM of module `m` alone as a store would: the pages written are marked dirty
   * (for precopy resync), and the faulty words written go through the module's ECC — each
   * gets check bits for its new data (a wholly written word loses its poison), stuck bits
   * force their values again, and a word written in part is read first to merge its bytes,
   * which corrects a single-bit error or makes the module announce an uncorrectable one.
   */
  writeMemory(m: number, addr: number, bytes: Uint8Array): void {
    this.putMemory(m, addr, bytes);
    this.lineages.setApart([m]);
    if (!this.modules[m].persistent) return; // no faulty word: nothing was read or freed
    this.settleHostAccess();
    this.refreshFaults(); // the words written may have freed their fault slots
  }

  /**
   * Whether module `m`'s registers read clean, as a checkpoint reads them to save its
   * process context: a register with a parity error (kind=ecc) makes the module announce
   * it, as an instruction reading it would — a simplex machine fail-stops — and the read
   * fails (false).
   */
  readContextChecked(m: number): boolean {
    if (!this.ecc.announceRegisterParity(m)) return true;
    this.settleHostAccess();
    return false;
  }

  /**
   * The host wrote module `m`'s whole process context (context.ts: a checkpoint restored
   * into it): fresh parity on every register, and the stuck bits of its registers, pc and
   * CSRs force their values again (fault/inject.ts rewriteContext).
   */
  contextWritten(m: number): void {
    this.lineages.setApart([m]);
    if (!this.modules[m].persistent) return; // no parity error or stuck bit to act on
    rewriteContext(this.core, m);
    this.refreshFaults();
  }

  private putMemory(m: number, addr: number, bytes: Uint8Array): void {
    const at = this.ramAddress(m, addr, bytes.length);
    if (at === undefined) throw new RangeError(`guest range ${hex32(addr)}+${bytes.length} lies outside RAM`);
    this.ecc.hostWrite(m, addr, bytes.length, () => this.core.slice(at, bytes.length).set(bytes));
    if (bytes.length === 0) return;
    const L = this.L;
    const offset = (addr - L.RAM_BASE) >>> 0;
    const first = Math.floor(offset / L.PAGE_SIZE);
    const last = Math.floor((offset + bytes.length - 1) / L.PAGE_SIZE);
    this.core.slice(L.DIRTY + m * L.DIRTY_MAP_SIZE + first, last - first + 1).fill(1);
  }

  // ── Loading ──────────────────────────────────────────────────────────────────────

  /**
   * Loads `program` into every module: segments into RAM, pc at the entry point, and sp
   * (x2) at the top of RAM, so a program can use a stack without setting one up. On a
   * machine that has loaded a program before, this starts a new run, as on a new machine:
   * every module in its starting state and online, no events, no halt, and nothing
   * scheduled (inject faults after loading). A program that cannot be loaded throws
   * ProgramError and leaves the machine as it was.
   */
  load(program: Program): void {
    const L = this.L;
    const ramEnd = L.RAM_BASE + this.ramSize;
    const highest = checkPlacement(program, L.RAM_BASE, ramEnd);
    if (this.programLoaded) this.reset();
    for (let m = 0; m < this.modules.length; m++) {
      for (const s of program.segments) {
        this.putMemory(m, s.address, s.bytes);
        const tail = s.memSize - s.bytes.length;
        if (tail > 0) this.putMemory(m, s.address + s.bytes.length, new Uint8Array(tail));
      }
      this.putPc(m, program.entry);
      this.putReg(m, 2, ramEnd);
    }
    this.tohost = program.symbols.get('tohost') ?? 0;
    this.core.setU32(L.MACHINE + L.M_TOHOST, this.tohost);
    this.io.start(((highest + 0xFFF) & ~0xFFF) >>> 0);
    this.ecc.start();
    this.programLoaded = true;
  }

  // ── Scheduling faults and repairs ────────────────────────────────────────────────

  /** Checks a fault against this machine; returns a message naming the problem, or undefined. */
  checkFault(fault: Fault): string | undefined {
    if (fault.atUs !== undefined) return `fault '${formatFault(fault)}' is at a virtual time: only a transaction workload run (--workload) has a clock to schedule it on; give an instruction number (at=N)`;
    const problem = checkFault(fault, {
      topology: this.topology, ramSize: this.ramSize, ramBase: this.L.RAM_BASE,
      csrHasStorage: (num) => this.core.csrHasStorage(num),
    });
    if (problem) return problem;
    return checkFaultSlots([...this.schedule.faults(), fault], this.core, this.topology, this.config.ecc === 'secded');
  }

  /** Schedules `fault` (throws InputError if checkFault rejects it or it lies in the past). */
  inject(fault: Fault): void {
    const problem = this.checkFault(fault);
    if (problem) throw new InputError(problem);
    if (fault.at < this.instret) throw new InputError(`fault '${formatFault(fault)}' is at instruction ${fault.at}, but the machine is already at ${this.instret}`);
    this.schedule.add({ at: fault.at, type: 'fault', fault });
  }

  /** Schedules the replacement of a module (or, with `board`, every module of a board) at instruction `at`. */
  replace(at: number, site: { module: number } | { board: number }): void {
    if (this.topology === 'simplex') throw new InputError('simplex has no other module to copy a replacement from: replace modules of dmr, pair-spare or tmr');
    const modules = 'board' in site ? boardModules(this.topology, site.board) : [site.module];
    if ('module' in site && (site.module < 0 || site.module >= this.modules.length)) {
      throw new InputError(`module ${site.module} does not exist: ${this.topology} has modules 0..${this.modules.length - 1}`);
    }
    if (at < this.instret) throw new InputError(`replacement at instruction ${at} lies in the past (the machine is at ${this.instret})`);
    this.schedule.add({ at, type: 'replace', modules });
  }

  /** Actions still to come, in order. */
  pending(): readonly ScheduledAction[] { return this.schedule.pending; }

  // ── Running ──────────────────────────────────────────────────────────────────────

  /**
   * Runs up to `budget` instructions. Returns when the budget is spent, the machine has
   * halted, or it waits for console input, or (stop 'cycle') when the virtual clock reaches
   * `untilCycle` (a host event such as a transaction arrival; a wfi stall ends there too),
   * or (stop 'break') at a breakpoint or watchpoint that src/debug/ armed.
   * Never throws for anything the guest does.
   */
  run(budget: number, untilCycle = Infinity): RunResult {
    if (!this.programLoaded) throw new Error('load a program before running the machine');
    if (!Number.isSafeInteger(budget) || budget < 0) throw new RangeError(`budget ${budget} must be a whole number of instructions, 0 or more`);
    const start = this.instret;
    const end = start + budget;
    while (!this.halted) {
      if (this.io.waiting) {
        if (!this.serveWaitingCall()) return this.waitForInput(start);
        continue;
      }
      this.applyDueActions();
      if (this.halted) break;
      const now = this.instret;
      if (now >= end) break;
      let chunk = Math.min(end, this.schedule.next) - now;
      if (chunk <= 0) continue;
      chunk = Math.min(chunk, this.coreCalls < 64 ? 1 << (6 + (this.coreCalls >> 2)) : 0x4000_0000);
      chunk = Math.min(chunk, this.lineages.untilCheck(now));
      this.coreCalls++;
      this.setStopCycle(untilCycle);
      const reason = this.core.run(chunk);
      this.io.drainOutput();
      this.port.collect();
      if (this.ecc.collect(this.instret - 1, 'read') || reason === this.L.STOP_ECC) this.refreshFaults();
      if (reason === this.L.STOP_CYCLE || reason === this.L.STOP_BREAK) {
        this.trace.drain();
        return { stop: reason === this.L.STOP_CYCLE ? 'cycle' : 'break', executed: this.instret - start };
      }
      if (!this.handleStop(reason)) return this.waitForInput(start);
    }
    this.trace.drain();
    return { stop: this.halted ? 'halted' : 'budget', executed: this.instret - start };
  }

  /** Sets the cycle at which the core's run stops (STOP_CYCLE) and a wfi stall ends; Infinity = none. */
  private setStopCycle(cycle: number): void {
    const at = this.L.MACHINE + this.L.M_STOP_CYCLE;
    if (cycle === Infinity) this.core.setU64(at, 0xFFFF_FFFF_FFFF_FFFFn);
    else this.core.setCount(at, Math.max(0, Math.floor(cycle)));
  }

  /**
   * Advances the virtual clock by `cycles` (a whole number ≥ 0) without executing anything:
   * instret stays, mtime and mcycle move on. Time the machine spends unable to run, such as
   * a resync's pause or the copy of a checkpoint; a transaction arrival that falls inside
   * it waits until it is over.
   */
  stall(cycles: number): void {
    if (!Number.isSafeInteger(cycles) || cycles < 0) throw new RangeError(`stall of ${cycles} cycles must be a whole number, 0 or more`);
    const at = this.L.MACHINE + this.L.M_CYCLE;
    this.core.setCount(at, this.core.count(at) + cycles);
  }

  private waitForInput(start: number): RunResult {
    this.trace.drain();
    return { stop: 'input', executed: this.instret - start };
  }

  /** Handles a core stop reason; false when the machine must wait for input. */
  private handleStop(reason: number): boolean {
    const L = this.L;
    switch (reason) {
      case L.STOP_BUDGET:
      case L.STOP_OUTPUT:
      case L.STOP_ECC:
        return true;
      case L.STOP_TRACE:
        this.trace.drain();
        return true;
      case L.STOP_HOSTCALL:
        this.hostCall();
        return true;
      case L.STOP_CHECKPOINT:
        this.checkpoints.serve();
        return true;
      case L.STOP_HALT: {
        const kind = this.core.u32(L.MACHINE + L.M_HALT);
        const code = this.core.u32(L.MACHINE + L.M_HALT_CODE);
        this.stop('exit', kind === L.HALT_PASS ? 'the guest passed' : `the guest failed with code ${code}`, { guestCode: kind === L.HALT_PASS ? 0 : code });
        return true;
      }
      case L.STOP_DIVERGED:
        this.resolveDivergence();
        return true;
      case L.STOP_ANNOUNCED:
        this.resolveAnnouncements();
        return true;
      case L.STOP_TRAP: {
        const m = this.referenceModule()!;
        const { message, ...trap } = unhandledTrap((num) => this.csr(m, num));
        this.stop('trap', message, { trap });
        return true;
      }
      case L.STOP_INPUT:
        return this.io.feedInput();
      case L.STOP_IDLE:
        this.stop('idle', `the hart waits (wfi at pc ${hex32(this.pc(this.referenceModule()!) - 4)}) for an interrupt that nothing can raise`);
        return true;
      case L.STOP_NO_MODULE:
        this.stop('dead', 'no module is left running', { instret: this.instret });
        return true;
      case L.STOP_APART:
        throw new Error(`translated code ran the online modules apart by instruction ${this.instret}, though nothing had changed one of them alone: a bug in lockstep (--engine interp runs without translation)`);
      default:
        throw new Error(`machine core returned an unknown stop reason ${reason}`);
    }
  }

  /**
   * The machine halts for good. `instret` is the number of the instruction that caused it
   * (by default the one just executed); `guestCode` the guest's exit code, for 'exit'.
   */
  private stop(reason: HaltReason, message: string, detail: { instret?: number; guestCode?: number; trap?: Halt['trap'] } = {}): void {
    this.io.drainOutput();
    const exitCode = exitStatusOf(reason, detail.guestCode, detail.trap?.cause);
    this.halted = { reason, exitCode, message };
    if (detail.trap) this.halted.trap = detail.trap;
    this.events.push({ instret: detail.instret ?? this.instret - 1, kind: 'halt', reason, exit_code: exitCode });
  }

  // ── Console ──────────────────────────────────────────────────────────────────────

  /** Bytes the guest has written to stdout (UART and host calls). */
  get outputBytes(): number { return this.io.outputBytes; }

  /** Puts bytes into the UART receive ring (as far as they fit); returns how many were taken. */
  pushInput(bytes: Uint8Array): number { return this.io.pushInput(bytes); }

  // ── Host calls ───────────────────────────────────────────────────────────────────

  /** Module `m` as a host call reads it: registers, and RAM through the module's ECC. */
  private moduleAccess(m: number) {
    return {
      reg: (n: number) => this.reg(m, n),
      read: (addr: number, length: number) => this.ecc.hostRead(m, addr, length, () => this.readMemory(m, addr, length)),
    };
  }

  /** After a host call's RAM accesses: corrections logged; a module whose ECC failed announces it (returns whether any did). */
  private settleHostAccess(): boolean {
    if (this.ecc.collect(this.instret - 1, 'read')) this.refreshFaults();
    const announced = this.ecc.announced(this.onlineModules());
    if (announced === 0) return false;
    this.core.setU32(this.L.MACHINE + this.L.M_ANNOUNCED, announced);
    this.resolveAnnouncements();
    return true;
  }

  /** All online modules executed an ecall for the host: check they agree, then serve it once. */
  private hostCall(): void {
    let online = this.onlineModules();
    let calls = online.map((m) => decodeCall(this.moduleAccess(m)));
    if (this.settleHostAccess()) { // the call is decoded again from the modules left
      if (this.halted) return;
      online = this.onlineModules();
      calls = online.map((m) => decodeCall(this.moduleAccess(m)));
    }
    const callOf = (m: number) => calls[online.indexOf(m)];
    const partition = this.checkers.partition(online, (m) => JSON.stringify({ ...callOf(m), payload: callOf(m).payload ? Array.from(callOf(m).payload!) : null }));
    if (partition.length > 1) {
      this.resolve(partition, (expected, actual) => {
        const d = callDifference(callOf(expected), callOf(actual));
        return d && { ...d, verb: `called the host with ${d.field} =`, verbAgain: 'with' };
      });
      if (this.halted) return;
    }
    const reference = this.referenceModule();
    if (reference === undefined) return;
    this.serve(calls[online.indexOf(reference)]);
  }

  private serve(call: HostCall): void {
    const outcome = this.io.serve(call);
    if (outcome.kind === 'wait-input') return;
    if (outcome.kind === 'exit') {
      this.stop('exit', `the guest exited with code ${outcome.code}`, { guestCode: outcome.code });
      return;
    }
    for (const m of this.onlineModules()) {
      this.putReg(m, 10, outcome.a0);
      if (outcome.memory) this.putMemory(m, outcome.memory.addr, outcome.memory.bytes);
    }
    this.settleHostAccess();
  }

  /** Serves the call that waited for input again; false if it still waits. */
  private serveWaitingCall(): boolean {
    this.serve(this.io.waiting!);
    return this.io.waiting === undefined;
  }

  // ── Divergence and errors ────────────────────────────────────────────────────────

  /** The comparator found the online modules' records differ at the last instruction. */
  private resolveDivergence(): void {
    const partition = this.checkers.partition(this.onlineModules(), (m) => recordKey(this.core, m));
    this.resolve(partition, (expected, actual) => recordDifference(this.record(expected), this.record(actual)));
  }

  /**
   * Applies the checkers' report and the topology's policy to a partition of the online
   * modules (Checkers.partition()) and records what happened; nothing when the checkers
   * report nothing. `differ` is undefined for two modules that agree (a checker verdict
   * stuck at "disagree" reported them).
   */
  private resolve(groups: number[][], differ: (expected: number, actual: number) => Difference | undefined): void {
    const judgement = this.checkers.judge(groups);
    if (!judgement) return;
    const { resolution, reports } = judgement;
    const instret = this.instret - 1; // the instruction just executed
    const offline = resolution.failstop ? [] : resolution.offline.map((o) => o.module);
    const mismatches = mismatchEvents(reports, {
      instret, checker: this.checkers.checker!, pcOf: (m) => this.record(m).pc, differ,
      firstDiffered: this.firstDifference(instret), outcome: resolution.failstop ? 'fail-stop' : describeOffline(this.topology, offline),
    });
    for (const { event, line } of mismatches) {
      this.events.push(event);
      this.onDivergence?.(event, line);
    }
    if (resolution.failstop) {
      this.failstop(instret, resolution.reason);
      return;
    }
    this.takeOffline(resolution.offline, instret);
  }

  /** Where the modules' records first differed, for a divergence detected at instruction `detected` (first-difference.ts). */
  private firstDifference(detected: number): number | undefined {
    return this.difference.find(detected, (snapshot) => {
      const replay = Machine.fromSnapshotSync(snapshot, NULL_CONSOLE, this.core.engine);
      replay.difference = new FirstDifference(false);
      replay.core.setU32(this.L.MACHINE + this.L.M_COMPARE, this.L.COMPARE_EVERY);
      return replay;
    });
  }

  private failstop(instret: number, reason: string): void {
    this.events.push({ instret, kind: 'failstop', reason });
    this.stop('failstop', `fail-stop at instruction ${instret.toLocaleString('en-US')}: ${reason}`, { instret });
  }

  /**
   * Modules announced local errors (ECC): they go offline; the rest continue. Every error
   * is recorded before any module goes offline (a board's two CPUs can announce together).
   */
  private resolveAnnouncements(): void {
    const L = this.L;
    const instret = this.instret - 1;
    const announced = this.core.u32(L.MACHINE + L.M_ANNOUNCED);
    const failed = this.onlineModules().filter((m) => (announced & (1 << m)) !== 0);
    for (const m of failed) {
      const where = this.core.u32(this.core.hart(m) + L.H_ERROR_WHERE);
      const text = where < 32 ? `parity error in x${where}` : `uncorrectable ECC error in RAM word ${hex32(where)}`;
      this.events.push({ instret, kind: 'error', module: m, where: text });
    }
    this.takeOffline(failed.map((module) => ({ module, reason: 'announced' as const })), instret);
  }

  /**
   * Takes modules offline at instruction `instret`, each for its reason. In pair-and-spare a
   * module that failed on its own (announced an error, died) takes its board partner with it
   * ('partner-lost'), unless the partner is itself in the list. A module that was resyncing
   * leaves its resync, which logs no resync-done for it.
   */
  private takeOffline(failed: { module: number; reason: OfflineReason }[], instret: number): void {
    if (failed.length === 0) return;
    const listed = new Set(failed.map((f) => f.module));
    const partners = failed
      .filter((f) => f.reason === 'announced' || f.reason === 'dead')
      .flatMap((f) => companionsOf(this.topology, f.module))
      .filter((p) => !listed.has(p))
      .map((module) => ({ module, reason: 'partner-lost' as const }));
    const all = [...failed, ...partners];
    const gone: number[] = [];
    for (const { module, reason } of all) {
      const status = this.modules[module];
      if (status.state === 'offline') continue;
      if (status.state === 'resyncing') this.resyncs.leave(module);
      this.events.push({ instret, kind: 'offline', module, reason });
      status.state = 'offline';
      if (reason !== 'removed') gone.push(module);
    }
    this.syncOnline();
    const up = this.onlineModules().length > 0 && !this.halted;
    const repaired = this.diagnosis.active
      ? (up ? this.diagnose(gone, instret) : [])
      : all.filter((f) => f.reason !== 'removed').map((f) => f.module);
    if (this.config.repairAfter !== undefined && repaired.length > 0) this.scheduleRepair(instret + 1 + this.config.repairAfter, repaired);
    if (up || this.halted) return;
    const { module, reason } = failed[0];
    if (this.topology !== 'simplex') this.failstop(instret, all.every((f) => f.reason === 'announced') ? 'every module still online announced an uncorrectable error' : 'no module is left online');
    else if (reason === 'announced') this.failstop(instret, `module ${module} announced an uncorrectable error`);
    else this.stop('dead', `module ${module} stopped (${reason}): nothing else can run the program`, { instret });
  }

  /**
   * Self-tests `modules`, just taken offline at `instret` for errors, unit by unit (a
   * pair-and-spare board is one): transient units are re-admitted after the diagnosis time;
   * returns the modules of the others, left for repair.
   */
  private diagnose(modules: number[], instret: number): number[] {
    const { events, readmit, repair } = this.diagnosis.selfTest(unitsOf(this.topology, modules), (m) => this.modules[m].faults, instret);
    this.events.push(...events);
    if (readmit.length > 0) this.schedule.add({ at: this.diagnosis.readmitAt(instret), type: 'readmit', modules: readmit.flat() });
    return repair;
  }

  /**
   * Schedules the automatic replacement of `modules` at instruction `at`: in pair-and-spare
   * their whole boards (a board is the unit of replacement), once however many of its
   * modules went offline.
   */
  private scheduleRepair(at: number, modules: number[]): void {
    const units = unitsOf(this.topology, modules).flat();
    const scheduled = this.schedule.pending.some((a) => a.type === 'replace' && a.at === at && a.modules.length === units.length && a.modules.every((m, k) => m === units[k]));
    if (!scheduled) this.schedule.add({ at, type: 'replace', modules: units });
  }

  /** Tells the core which modules execute, and whether any of them carries a persistent fault. */
  private syncOnline(): void {
    const L = this.L;
    let mask = 0;
    let armed = false;
    this.modules.forEach((m, id) => {
      if (m.state === 'online') {
        mask |= 1 << id;
        armed ||= m.persistent;
      }
    });
    this.core.setU32(L.MACHINE + L.M_ONLINE, mask);
    armed = this.checkers.sync(this.core, mask) || armed;
    this.core.setU32(L.MACHINE + L.M_FAULTS_ARMED, armed ? 1 : 0);
    this.lineages.tellCore();
  }

  // ── Scheduled actions ────────────────────────────────────────────────────────────

  private applyDueActions(): void {
    for (let due = this.schedule.due(this.instret); due && !this.halted; due = this.schedule.due(this.instret)) {
      if (due.type === 'fault') this.difference.beforeFault(() => this.snapshot()); // before the fault leaves the schedule
      const action = this.schedule.take()!;
      switch (action.type) {
        case 'fault': this.applyScheduledFault(action.fault); break;
        case 'end-result-fault':
          this.core.setU32(this.core.hart(action.module) + this.L.H_RESULT_XOR, 0);
          this.refreshFaults();
          break;
        case 'replace': this.startReplacement(action.modules); break;
        case 'readmit': this.readmit(action.modules); break;
        case 'resync-round': this.resyncs.roundEnded(action.id); break;
        case 'scrub':
          this.ecc.scrubPass();
          this.refreshFaults();
          break;
      }
    }
  }

  /** Re-checks which modules carry persistent faults (ECC corrections and stores free RAM fault slots). */
  private refreshFaults(): void {
    this.modules.forEach((status, m) => { status.persistent = carriesPersistentFault(this.core, m); });
    this.syncOnline();
  }

  /**
   * Applies `fault` to each module it targets that is online. An offline or resyncing
   * module is not part of the machine (a resync overwrites its state, and its slot holds no
   * module to pull): the fault has no effect there, and is not activated if it reached no
   * module at all. Every target's inject event comes before any module goes offline.
   */
  private applyScheduledFault(fault: Fault): void {
    if ('board' in fault && isCheckerKind(fault.kind)) {
      this.applyCheckerFault(fault, fault.board, fault.kind);
      return;
    }
    const targets = faultModules(fault, this.topology);
    const instret = this.instret;
    const text = formatFault(fault);
    const reached = targets.filter((m) => this.modules[m].state === 'online');
    if (reached.length === 0) {
      this.inactive.push({ fault: text, reason: this.modules[targets[0]].state === 'resyncing' ? 'resyncing' : 'offline' });
      return;
    }
    const killed: number[] = [];
    for (const m of reached) {
      this.modules[m].faults.push(fault);
      this.events.push({ instret, kind: 'inject', module: m, fault: text });
      const effects: FaultEffects = applyFault(this.core, m, fault, this.ramSize);
      if (effects.kill) {
        this.modules[m].dead = true;
        killed.push(m);
        continue;
      }
      if (effects.oneShot) this.schedule.add({ at: instret + 1, type: 'end-result-fault', module: m });
      this.modules[m].persistent = carriesPersistentFault(this.core, m);
    }
    this.lineages.setApart(reached);
    this.syncOnline();
    this.takeOffline(killed.map((module) => ({ module, reason: 'dead' as const })), instret);
  }

  /**
   * Board `board`'s checker verdict sticks (checkers.ts). A pair-and-spare comparator sits
   * on its board: it must be online, and the fault is its modules' (a self-test finds it;
   * a replacement removes it). dmr's comparator and tmr's voter sit outside the modules:
   * the fault takes effect whatever the module's state.
   */
  private applyCheckerFault(fault: Fault, board: number, kind: CheckerFaultKind): void {
    const onBoard = this.topology === 'pair-spare';
    const modules = modulesOfBoard(this.topology, board).filter((m) => !onBoard || this.modules[m].state === 'online');
    const text = formatFault(fault);
    if (modules.length === 0) {
      this.inactive.push({ fault: text, reason: this.modules[modulesOfBoard(this.topology, board)[0]].state === 'resyncing' ? 'resyncing' : 'offline' });
      return;
    }
    for (const m of modules) {
      this.events.push({ instret: this.instret, kind: 'inject', module: m, fault: text });
      if (onBoard) this.modules[m].faults.push(fault);
    }
    this.checkers.stick(board, kind);
    this.syncOnline();
  }

  // ── Replacement, re-admission and resync ─────────────────────────────────────────

  private startReplacement(modules: number[]): void {
    const instret = this.instret;
    const fresh = modules.filter((m) => this.modules[m].state !== 'resyncing');
    if (fresh.length === 0) return;
    this.takeOffline(fresh.filter((m) => this.modules[m].state === 'online').map((module) => ({ module, reason: 'removed' as const })), instret);
    if (this.halted) return; // that was the last module online: nothing is left to copy from
    for (const m of fresh) this.modules[m].faults = [];
    for (const board of new Set(fresh.map((m) => boardOf(this.topology, m)))) this.checkers.boardReplaced(board);
    this.diagnosis.replaced(fresh);
    this.bringBack(fresh, 'replace');
  }

  /** The diagnosis time of `modules` is over: those still offline come back (a replacement may have come first). */
  private readmit(modules: number[]): void {
    const back = modules.filter((m) => this.modules[m].state === 'offline');
    if (back.length > 0) this.bringBack(back, 'readmit');
  }

  /**
   * Starts the resync of `modules`, offline, into the machine, each logged with a `kind`
   * event: new modules of a replacement, or modules re-admitted after their diagnosis. Their
   * persistent faults and announced errors go (a re-admitted module has none that last).
   */
  private bringBack(modules: number[], kind: 'replace' | 'readmit'): void {
    const instret = this.instret;
    for (const m of modules) {
      const status = this.modules[m];
      status.state = 'resyncing';
      status.dead = false;
      status.persistent = false;
      this.core.clearFaults(m);
      this.core.setU32(this.core.hart(m) + this.L.H_ERROR, 0);
      this.ecc.resetCount(m);
      this.events.push({ instret, kind, module: m });
    }
    this.lineages.setApart(modules);
    this.syncOnline();
    this.resyncs.start(modules);
  }

  /** Takes the host side of `source`'s program state (break, pending console line): see context.ts. */
  adoptHostState(source: Machine): void {
    this.io.adopt(source.io);
    this.tohost = source.tohost;
    this.core.setU32(this.L.MACHINE + this.L.M_TOHOST, this.tohost);
  }

  // ── Snapshots ────────────────────────────────────────────────────────────────────

  /**
   * The whole machine — every module, the devices, pending faults, repairs and resyncs,
   * events so far — as one compact buffer. Restoring it and continuing gives exactly what
   * continuing this machine would have.
   */
  snapshot(): ArrayBuffer {
    this.io.drainOutput();
    return encodeSnapshot(this.core, this.modules.length, this.ramSize, this.hostSnapshot(), this.difference.kept);
  }

  /**
   * The host's side of the machine's state, as snapshot() records it (the core's linear
   * memory holds the rest): live objects, to read, not to change, valid until the machine
   * runs again.
   */
  hostSnapshot(): HostSnapshot {
    return {
      config: this.config,
      modules: this.modules,
      ...this.schedule.state(),
      halted: this.halted,
      inactive: this.inactive,
      ...this.io.state(),
      ...this.resyncs.state(),
      checkers: this.checkers.state(),
      errors: this.diagnosis.state(),
      ...this.ecc.state(),
      programLoaded: this.programLoaded,
      tohost: this.tohost,
      events: this.events,
    };
  }

  /**
   * A machine in the state `snapshot` recorded, talking to `console`, running guest code on
   * `engine` (not machine state: any engine goes on from any snapshot alike).
   */
  static async fromSnapshot(snapshot: ArrayBuffer, console: ConsoleIO = NULL_CONSOLE, engine: Engine = DEFAULT_ENGINE): Promise<Machine> {
    await compileCore();
    return Machine.fromSnapshotSync(snapshot, console, engine);
  }

  /** fromSnapshot() once the core is compiled (any machine has been created). */
  static fromSnapshotSync(snapshot: ArrayBuffer, console: ConsoleIO = NULL_CONSOLE, engine: Engine = DEFAULT_ENGINE): Machine {
    const decoded = decodeSnapshot(snapshot);
    const machine = new Machine(Core.createSync(), { ...decoded.host.config, console, engine });
    machine.restoreDecoded(decoded);
    return machine;
  }

  /**
   * Puts this machine in the state `snapshot` recorded, in its own core instance, keeping
   * its console, trace sink and onDivergence: what fromSnapshotSync() would give, without
   * a new instance. The snapshot must be of a machine with this one's configuration
   * (InputError otherwise).
   */
  restore(snapshot: ArrayBuffer): void {
    const decoded = decodeSnapshot(snapshot);
    const theirs: Record<string, unknown> = { ...decoded.host.config };
    const differs = Object.entries(this.config).find(([key, value]) => JSON.stringify(theirs[key]) !== JSON.stringify(value));
    if (differs) throw new InputError(`cannot restore a snapshot of another machine into this one: its ${differs[0]} is ${String(theirs[differs[0]])}, not ${String(differs[1])}`);
    this.trace.drain();
    this.port.takeResults();
    this.events.length = 0;
    this.restoreDecoded(decoded);
  }

  private restoreDecoded({ host, inner, restoreCore }: ReturnType<typeof decodeSnapshot>): void {
    const ramLikeModule0 = restoreCore(this.core);
    this.trace.tellCore();
    this.modules = host.modules;
    this.schedule.restore(host);
    this.halted = host.halted;
    this.inactive = host.inactive;
    this.io.restore(host);
    this.resyncs.restore(host);
    this.checkers.restore(host.checkers);
    this.diagnosis.restore(host.errors);
    this.ecc.restore(host);
    this.programLoaded = host.programLoaded;
    this.tohost = host.tohost;
    this.events.push(...host.events);
    this.difference.kept = inner;
    this.lineages.restored(this.modules.length, this.instret, ramLikeModule0);
    this.syncOnline(); // what the core derives from the modules and checkers (a solo snapshot leaves it to this)
  }

  /**
   * Records every instruction of the reference module: `sink` receives the entries in order,
   * whenever the core's trace ring fills and when run() returns. undefined turns tracing off.
   */
  setTrace(sink: ((entries: TraceEntry[]) => void) | undefined): void { this.trace.set(sink); }
}
