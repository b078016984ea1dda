/**
 * The machine as a worker serves it (DESIGN §2): one MachineSession per worker, exposed
 * with comlink, the same code in a browser Web Worker and in Node's worker_threads. Calls
 * are coarse: run or step a batch, pull one view per animation frame, transfer snapshots.
 *
 * Free running (start/pause) happens inside the worker in time slices: each slice runs the
 * machine for about SLICE_MS of wall time (or, below full speed, for as many instructions
 * as the speed dial allows since the last slice), then yields so calls such as pause(),
 * inject() or view() are served between slices. While it runs, the page pulls cheap
 * status() views most of the time and full views a few times a second, and keeps a
 * changed() call waiting so that a halt or new events reach it after the slice they
 * happened in rather than at its next pull.
 */
import { Machine, type MachineConfig, type ModuleStatus } from '../machine/machine.ts';
import type { Halt, MachineEvent } from '../machine/events.ts';
import type { RetireRecord } from '../machine/records.ts';
import { buildReport, type RunReport } from '../machine/report.ts';
import { loadProgram, type ProgramFormat } from '../isa/load.ts';
import type { Program, SourceLocation } from '../isa/program.ts';
import { parseFault, FaultSpecError } from '../fault/spec.ts';
import { transfer } from 'comlink';
import { WorkloadRun, type WorkloadStatus } from './workload-run.ts';
import type { WorkloadSettings } from '../transactions/settings.ts';
import type { Ledger } from '../transactions/ledger.ts';

/** Machine settings a session can be created with (everything but the console). */
export type MachineSetup = Omit<MachineConfig, 'console' | 'blockingInput'>;

/** A program to load: assembly source, or the bytes of a file (ELF, .s, .bin). */
export type ProgramInput =
  | { kind: 'source'; source: string; name?: string }
  | { kind: 'file'; bytes: Uint8Array; name: string; format?: ProgramFormat };

export interface LoadedProgram {
  entry: number;
  symbols: [string, number][];
  /** Instruction address → source line, for programs from the assembler. */
  sourceMap: [number, SourceLocation][];
}

/** CSRs every view carries, by name. */
export const VIEW_CSRS: ReadonlyArray<readonly [string, number]> = [
  ['mstatus', 0x300], ['mie', 0x304], ['mtvec', 0x305], ['mscratch', 0x340], ['mepc', 0x341],
  ['mcause', 0x342], ['mtval', 0x343], ['mip', 0x344],
];

export interface ModuleView extends ModuleStatus {
  pc: number;
  privilege: number;
  /** x0..x31. */
  regs: number[];
  csrs: Record<string, number>;
  /** The retire record of its last instruction. */
  record: RetireRecord;
}

/** The machine's state without the modules' architectural state: what status() returns. */
export interface MachineStatus {
  topology: string;
  instret: number;
  cycle: number;
  running: boolean;
  /** Instructions per second over the last second of free running (0 when paused). */
  ips: number;
  halt?: Halt;
  waitingForInput: boolean;
  modules: ModuleStatus[];
  /** Events since the previous view() or status() (all of them for the first). */
  events: MachineEvent[];
  /** Console output since the previous view() or status(). */
  output: Uint8Array;
  /** With a workload (setWorkload): its arrivals, FIFO, results and running ledger. */
  workload?: WorkloadStatus;
}

/** What the UI draws: the status, and every module's pc, registers, CSRs and last retire record. */
export interface MachineView extends MachineStatus {
  modules: ModuleView[];
}

export interface StepResult {
  executed: number;
  halted: boolean;
  waitingForInput: boolean;
}

/** Wall time a free-running slice aims at, ms. */
const SLICE_MS = 12;
const MAX_SLICE = 50_000_000;

/** Yields to the worker's event loop without the 4 ms clamp of nested timers. */
function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}

export class MachineSession {
  private machine?: Machine;
  private program?: Program;
  private setup: MachineSetup = {};
  private output: number[] = [];
  private input: number[] = [];
  private eventCursor = 0;
  private running = false;
  private speed = Infinity;
  private waitingForInput = false;
  private ipsWindow: { at: number; instret: number }[] = [];
  /** Free runs started: a run whose number is no longer the last one stops (a pause and a start between two of its slices). */
  private freeRuns = 0;
  /** Callers of changed() waiting for a halt, a pause or new events. */
  private watchers: (() => void)[] = [];
  /** The workload every machine of this session runs (setWorkload), and its run on the current machine. */
  private workloadSettings?: WorkloadSettings;
  private workloadRun?: WorkloadRun;

  /**
   * Creates (or re-creates) the machine; the loaded program, if any, is loaded again. A
   * setup the program does not fit throws, and leaves the machine as it was.
   */
  async create(setup: MachineSetup): Promise<void> {
    this.pause();
    this.install(setup, await this.build(setup, this.program), this.program);
  }

  /** A machine for `setup`, talking to this session's console, with `program` loaded (throws if it cannot run it). */
  private async build(setup: MachineSetup, program: Program | undefined): Promise<Machine> {
    const machine = await Machine.create({
      ...setup,
      console: {
        write: (_fd, bytes) => { for (const b of bytes) this.output.push(b); },
        read: (max) => (this.input.length === 0 ? new Uint8Array() : Uint8Array.from(this.input.splice(0, max))),
      },
    });
    if (program) machine.load(program);
    return machine;
  }

  private install(setup: MachineSetup, machine: Machine, program: Program | undefined): void {
    this.setup = { ...setup };
    this.machine = machine;
    this.program = program;
    this.output = [];
    this.eventCursor = 0;
    this.waitingForInput = false;
    this.workloadRun = this.workloadSettings ? new WorkloadRun(machine, this.workloadSettings) : undefined;
  }

  /**
   * Runs the loaded program as a transaction workload (`undefined`: as a plain program
   * again), on a fresh machine; created, loaded and reset machines run it too. A workload
   * run lasts its duration of virtual time whatever happens to the machine: free running
   * ends at its end, not at a halt. Bad settings throw RangeError (one line) and change nothing.
   */
  async setWorkload(settings: WorkloadSettings | undefined): Promise<void> {
    this.pause();
    const machine = await this.build(this.setup, this.program);
    if (settings) new WorkloadRun(machine, settings); // throws for bad settings
    this.workloadSettings = settings && { ...settings };
    this.install(this.setup, machine, this.program);
  }

  /** The workload run's ledger now (the final one once it is done), or undefined without a workload. */
  ledger(): Ledger | undefined {
    return this.workloadRun?.ledger();
  }

  /** Free running ends here: at a halt, or with a workload at the end of its duration. */
  private get finished(): boolean {
    return this.workloadRun ? this.workloadRun.done : this.machine?.halt !== undefined;
  }

  /** One free-running slice of about `budget` instructions; returns the progress made in the same unit (with a workload: cycles of virtual time). */
  private slice(budget: number): number {
    if (this.workloadRun) return this.workloadRun.advance(budget, budget);
    return this.run(budget).executed;
  }

  private get m(): Machine {
    if (!this.machine) throw new Error('create a machine first');
    return this.machine;
  }

  /**
   * Loads a program (assembling source) on a fresh machine. Bad input — it does not assemble,
   * or does not fit the machine — throws ProgramError with its diagnostics and leaves the
   * machine and its program as they were.
   */
  async load(input: ProgramInput): Promise<LoadedProgram> {
    const program = input.kind === 'source'
      ? loadProgram(new TextEncoder().encode(input.source), input.name ?? 'program.s', 'asm')
      : loadProgram(input.bytes, input.name, input.format);
    this.pause();
    this.install(this.setup, await this.build(this.setup, program), program);
    return { entry: program.entry, symbols: [...program.symbols], sourceMap: [...(program.sourceMap ?? [])] };
  }

  /** Back to the loaded program's start, with no faults, on a fresh machine. */
  async reset(): Promise<void> {
    await this.create(this.setup);
  }

  /** Runs up to `budget` instructions now (not time-sliced). */
  run(budget: number): StepResult {
    const result = this.m.run(budget);
    this.waitingForInput = result.stop === 'input';
    return { executed: result.executed, halted: result.stop === 'halted', waitingForInput: this.waitingForInput };
  }

  /** Executes `n` instructions (1 by default) and returns the view after them. */
  step(n = 1): MachineView {
    this.pause();
    if (this.workloadRun) this.workloadRun.step(n);
    else this.run(n);
    return this.view();
  }

  /** Runs freely in time slices at `speed` instructions per second (Infinity = flat out) until paused or halted. */
  start(speed = this.speed): void {
    this.speed = speed;
    if (this.running) return;
    this.running = true;
    void this.freeRun();
  }

  pause(): void {
    this.running = false;
    this.ipsWindow = [];
  }

  setSpeed(speed: number): void {
    if (!(speed > 0)) throw new RangeError(`speed ${speed} must be positive (instructions per second)`);
    this.speed = speed;
  }

  private async freeRun(): Promise<void> {
    const run = ++this.freeRuns;
    let last = performance.now();
    let budget = this.speed === Infinity ? 100_000 : 1;
    let owed = 0;
    while (this.running && run === this.freeRuns && this.machine && !this.finished) {
      const started = performance.now();
      if (this.speed === Infinity) {
        const executed = this.slice(budget);
        const spent = performance.now() - started;
        // Aim the next slice at SLICE_MS of wall time.
        if (executed === budget) budget = Math.max(1000, Math.min(MAX_SLICE, Math.round((budget * SLICE_MS) / Math.max(spent, 0.5))));
      } else {
        owed += ((started - last) / 1000) * this.speed;
        const now = Math.floor(owed);
        if (now > 0) {
          owed -= now;
          this.slice(Math.min(now, MAX_SLICE));
        }
      }
      last = started;
      this.ipsWindow.push({ at: performance.now(), instret: this.machine.instret });
      while (this.ipsWindow.length > 2 && this.ipsWindow[0].at < performance.now() - 1000) this.ipsWindow.shift();
      if (this.machine.events.length > this.eventCursor) this.notify();
      if (this.waitingForInput && this.input.length === 0) await new Promise((r) => setTimeout(r, 20));
      else if (this.speed === Infinity) await yieldToEvents();
      else await new Promise((r) => setTimeout(r, Math.max(4, Math.min(50, 1000 / this.speed))));
    }
    if (run !== this.freeRuns) return;
    this.running = false;
    this.notify();
  }

  /**
   * Answers after the first time slice that leaves events the page has not pulled yet, or
   * when the free run ends (halted, paused, machine replaced); at once when not running.
   */
  changed(): Promise<void> {
    if (!this.running) return Promise.resolve();
    return new Promise((resolve) => this.watchers.push(resolve));
  }

  private notify(): void {
    const watchers = this.watchers;
    this.watchers = [];
    for (const resolve of watchers) resolve();
  }

  private measuredIps(): number {
    if (!this.running || this.ipsWindow.length < 2) return 0;
    const first = this.ipsWindow[0];
    const last = this.ipsWindow[this.ipsWindow.length - 1];
    return last.at > first.at ? Math.round(((last.instret - first.instret) * 1000) / (last.at - first.at)) : 0;
  }

  /** Schedules a fault (DESIGN §5 text); `at` defaults to the next instruction. Throws FaultSpecError / RangeError. */
  inject(spec: string): void {
    const withAt = /(^|,)\s*at\s*=/.test(spec) ? spec : `at=${this.m.instret},${spec}`;
    const fault = parseFault(withAt);
    const problem = this.m.checkFault(fault);
    if (problem) throw new FaultSpecError(problem);
    this.m.inject(fault);
  }

  /** Replaces an offline module or board at instruction `at` (default: now). */
  replace(site: { module: number } | { board: number }, at = this.m.instret): void {
    this.m.replace(at, site);
  }

  /** Console input for the guest. */
  sendInput(bytes: Uint8Array): void {
    for (const b of bytes) this.input.push(b);
    const taken = this.m.pushInput(Uint8Array.from(this.input));
    this.input.splice(0, taken);
    this.waitingForInput = false;
  }

  /** `length` bytes of module `m`'s RAM at `addr` (empty outside RAM). */
  memory(m: number, addr: number, length: number): Uint8Array {
    return this.m.readMemory(m, addr, length) ?? new Uint8Array();
  }

  /** The machine's status: cheap to build and to copy, for the views between full ones while running. */
  status(): MachineStatus {
    const m = this.m;
    const events = m.events.slice(this.eventCursor);
    this.eventCursor = m.events.length;
    const output = Uint8Array.from(this.output);
    this.output = [];
    return {
      topology: m.topology,
      instret: m.instret,
      cycle: m.cycle,
      running: this.running,
      ips: this.measuredIps(),
      halt: m.halt,
      waitingForInput: this.waitingForInput,
      modules: m.moduleStatus(),
      events,
      output,
      ...(this.workloadRun ? { workload: this.workloadRun.status(this.running) } : {}),
    };
  }

  view(): MachineView {
    const m = this.m;
    const status = this.status();
    return {
      ...status,
      modules: status.modules.map((module) => ({
        ...module,
        pc: m.pc(module.id),
        privilege: m.privilege(module.id),
        regs: Array.from({ length: 32 }, (_, n) => m.reg(module.id, n)),
        csrs: Object.fromEntries(VIEW_CSRS.map(([name, num]) => [name, m.csr(module.id, num) ?? 0])),
        record: m.record(module.id),
      })),
    };
  }

  /** The whole machine (Machine.snapshot), transferred rather than copied. */
  snapshot(): ArrayBuffer {
    const buffer = this.m.snapshot();
    return transfer(buffer, [buffer]);
  }

  async restore(snapshot: ArrayBuffer): Promise<void> {
    this.pause();
    const console = this.m.console;
    this.machine = await Machine.fromSnapshot(snapshot, console);
    this.eventCursor = 0;
    this.workloadRun = undefined; // a snapshot holds the machine, not the feed

  }

  report(): RunReport {
    const m = this.m;
    return buildReport(m, { exitCode: m.halt?.exitCode ?? 0, stopReason: m.halt?.reason ?? 'running', wallMs: 0, ledger: this.workloadRun?.ledger() });
  }
}

