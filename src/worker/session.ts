/**
 * The machine as a worker serves it (DESIGN §2): one MachineSession per worker, exposed
 * with comlink, the same code in a browser Web Worker and in Node's worker_threads. Calls
 * are coarse: run or step a batch, pull one view per animation frame, transfer snapshots.
 * What runs is a Rig (rig.ts): a lockstep machine, or, for a transaction workload, a
 * failover system of two hosts, whose hosts the views show as its modules; a
 * workload's feed (workload-run.ts) drives either through its TransactionService.
 *
 * Free running (start/pause) happens inside the worker in time slices: each slice runs the
 * machine for about SLICE_MS of wall time (time-slices.ts; or, below full speed, for as
 * many instructions as the speed dial allows since the last slice), then yields so calls
 * such as pause(), inject() or view() are served between slices. While it runs, the page
 * pulls cheap status() views most of the time and full views a few times a second, and
 * keeps a changed() call waiting so that a halt or new events reach it after the slice they
 * happened in rather than at its next pull.
 *
 * Every plain program's run ends with a verdict in DESIGN §6's words, judged against the
 * fault-free run of the same program and input, which starts when the first fault is
 * scheduled; a run that does not finish within HANG_FACTOR × the fault-free run's
 * instructions is stopped there: it hung (verdict.ts, which the session asks before and
 * after every run).
 *
 * Every loaded program keeps its history (time-travel.ts) — a plain program or a workload's,
 * on a lockstep machine or a failover system: travel() goes back to any instruction of the
 * run so far (a failover system's instructions: those of every host that served), and
 * running on replays what happened, faults, console input, arrivals, heartbeats and
 * takeovers included. setTwin() shows the fault-free twin (twin.ts; its views: twin-view.ts)
 * beside a plain program.
 *
 * The fault-free runs — the twin, and the verdict's when the twin does not serve it — run
 * in workers of their own that the session starts (fault-free.ts; `spawn`), in this worker
 * when none can be started. So step(), travel(), back(), jump() and view() answer
 * asynchronously: a machine that does not run is shown with the twin in step, at its
 * instruction count, and so is one that runs at FAST_IPS or slower (views.ts); while it runs
 * free faster the twin may be a few time slices behind, and views say where it is
 * (TwinView.instret).
 */
import { Machine, type RunResult } from '../machine/machine.ts';
import { InputError } from '../input-error.ts';
import { buildReport, type RunReport } from '../machine/report.ts';
import { buildSystemReport } from '../system/report.ts';
import type { FailoverSystem } from '../system/failover.ts';
import { isSystemTopology } from '../system/settings.ts';
import { WORKLOADS } from '../transactions/workloads/index.ts';
import { Rig, type MachineSetup } from './rig.ts';
import { compareForPage, type CompareProgress, type CompareRequest, type CompareResult } from './compare.ts';
import { loadProgram } from '../isa/load.ts';
import type { Program } from '../isa/program.ts';
import { parseFault, formatFault, FaultSpecError } from '../fault/spec.ts';
import { FaultFreeRunners, faultFreeSetup, type FaultFreeSpawner } from './fault-free.ts';
import { architectural } from './architectural.ts';
import { transfer } from 'comlink';
import { WorkloadRun } from './workload-run.ts';
import { TimeTravel, type Intervention, type TimeTravelOptions } from './time-travel.ts';
import { restoreRig, saveRig } from './rig-state.ts';
import { ByteLog } from './byte-log.ts';
import { Twin } from './twin.ts';
import type { WorkloadSettings } from '../transactions/settings.ts';
import type { Ledger } from '../transactions/ledger.ts';
import { SessionDebugger } from './debugger.ts';
import { TwinViews } from './twin-view.ts';
import { VerdictJudge } from './verdict.ts';
import { MAX_SLICE, SLICE_MS, yieldToEvents } from './time-slices.ts';
import { referenceCard, type ReferenceCard } from '../machine/reference-card.ts';
import { FAST_IPS, type FailoverStatus, type LoadedProgram, type MachineStatus, type MachineView, type ProgramInput, type StepResult } from './views.ts';

export type { MachineSetup } from './rig.ts';
export type { CompareRequest, CompareResult, CompareProgress } from './compare.ts';
export type { DebugStop, WatchValue } from './debugger.ts';
export type { ReferenceCard } from '../machine/reference-card.ts';
export type { HistoryStatus } from './time-travel.ts';
export { VIEW_CSRS, type Architectural } from './architectural.ts';
export type { FaultFreeSpawner } from './fault-free.ts';
export type {
  ProgramInput, LoadedProgram, ModuleView, TwinView, MachineStatus, FailoverStatus, OutputDifferenceAt, Verdict, MachineView, StepResult,
} from './views.ts';

/**
 * Time slices the twin may be behind while the machine runs flat out. The twin runs a slice
 * while the machine runs the next; at the same speed, one slice of lag left the machine
 * waiting for the twin's jitter every other slice (0.7× of its speed alone in Node), three
 * absorb it (no loss measured on a free core): a few SLICE_MS behind, shown as such.
 */
const TWIN_LAG = 3;

export class MachineSession {
  /** What runs: a lockstep machine, or a failover system of two hosts (only with a workload). */
  private rig?: Rig;
  private program?: Program;
  private setup: MachineSetup = { topology: 'simplex' };
  /** Programs loaded so far (a new program object is a new one), and whether the machine was restored from a snapshot: what names its fault-free run (faultFreeHistory). */
  private programsLoaded = 0;
  private restored = false;
  private output: number[] = [];
  /** The machine's whole console output, for the verdict and time travel. */
  private outputLog = new ByteLog();
  private input: number[] = [];
  private eventCursor = 0;
  private systemEventCursor = 0;
  private running = false;
  private speed = Infinity;
  private waitingForInput = false;
  private ipsWindow: { at: number; instret: number }[] = [];
  /** Free runs started: a run whose number is no longer the last one stops (a pause and a start between two of its slices). */
  private freeRuns = 0;
  /** Callers of changed() waiting for a halt, a pause or new events. */
  private watchers: ((running: boolean) => void)[] = [];
  /** The workload every machine of this session runs (setWorkload), and its run on the current machine. */
  private workloadSettings?: WorkloadSettings;
  private workloadRun?: WorkloadRun;
  /** The comparison being run (compare()), for compareProgress(). */
  private comparing?: CompareProgress;
  /** Breakpoints and watchpoints, armed on every machine the session builds. */
  private readonly debug = new SessionDebugger();
  /** The history of the loaded program's run (none before a program is loaded). */
  private timeTravel?: TimeTravel;
  /** Time travel keeps checkpoints; the twin is shown (setTimeTravel, setTwin: they hold for every machine of the session). */
  private travelOn = true;
  private twinOn = false;
  /** The runners of the twin and of the verdict's fault-free run. */
  private readonly runners: FaultFreeRunners;
  /** The verdict of a plain program's run, and the hang limit until then. */
  private readonly judge: VerdictJudge;
  /** What views show of the twin, and where the output parts from the fault-free run's. */
  private readonly twinViews: TwinViews;

  /**
   * `travelOptions`: the history's checkpoint settings (tests use short intervals).
   * `spawn`: starts a fault-free run's worker (fault-free-client.ts in a browser,
   * fault-free-node-client.ts in Node); without it, or when it fails, they run in this thread.
   */
  constructor(private readonly travelOptions: Partial<Omit<TimeTravelOptions, 'enabled'>> = {}, spawn?: FaultFreeSpawner) {
    this.runners = new FaultFreeRunners(spawn);
    const session = this;
    this.judge = new VerdictJudge({
      get machine() { return session.m; },
      get program() { return session.program; },
      get setup() { return session.setup; },
      get history() { return session.faultFreeHistory(); },
      get output() { return session.outputLog; },
      get twin() { return session.timeTravel?.twin; },
      port: () => this.runners.reference(),
      hung: () => { this.running = false; },
      notify: () => this.notify(),
    });
    this.twinViews = new TwinViews({
      get machine() { return session.m; },
      get output() { return session.outputLog; },
      get verdict() { return session.judge.verdict; },
      get twinPlace() { return session.runners.twinPlace; },
    });
  }

  /** Ends the workers of the fault-free runs, and judging in the background (a session that is done with). */
  close(): void {
    this.pause();
    this.judge.close();
    this.runners.close();
  }

  /**
   * Creates (or re-creates) the machine, or the failover system; the loaded program, if any,
   * is loaded again. A setup the program does not fit, or a failover system (cluster,
   * process-pair) without a workload to run, throws, and leaves the machine as it was.
   */
  async create(setup: MachineSetup): Promise<void> {
    this.pause();
    this.install(setup, await this.build(setup, this.program, this.workloadSettings), this.program);
  }

  /**
   * What `setup` builds, talking to this session's console, with `program` loaded, to run
   * `workload` (or the program as it is). Throws if it cannot run them.
   */
  private async build(setup: MachineSetup, program: Program | undefined, workload: WorkloadSettings | undefined): Promise<Rig> {
    if (isSystemTopology(setup.topology) && !workload) {
      throw new InputError(`a ${setup.topology} runs transaction workloads only (${[...WORKLOADS.keys()].join(', ')}): run one of them on it, or choose a lockstep topology (simplex, dmr, pair-spare, tmr) for a plain program`);
    }
    return Rig.build(setup, program, {
      write: (_fd, bytes) => {
        for (const b of bytes) this.output.push(b);
        this.outputLog.append(bytes);
      },
      read: (max) => (this.input.length === 0 ? new Uint8Array() : Uint8Array.from(this.input.splice(0, max))),
    });
  }

  private install(setup: MachineSetup, rig: Rig, program: Program | undefined): void {
    this.setup = { ...setup };
    this.rig = rig;
    if (program !== this.program) this.programsLoaded++;
    this.program = program;
    this.restored = false;
    this.output = [];
    this.outputLog = new ByteLog();
    this.judge.reset(false);
    this.eventCursor = 0;
    this.systemEventCursor = 0;
    this.waitingForInput = false;
    this.workloadRun = this.workloadSettings ? new WorkloadRun(rig.service, this.workloadSettings) : undefined;
    this.debug.attach(rig);
    this.startHistory();
    if (this.timeTravel) void this.runners.reference(); // started before the first fault, so that the run need not wait for it
  }

  /**
   * A new history from the rig as it is, once a program is loaded; a workload's run goes
   * through it (WorkloadRun.driver), so that its checkpoints are taken and its recorded
   * interventions made again on the way.
   */
  private startHistory(): void {
    this.timeTravel = undefined;
    this.twinViews.forgetParting();
    this.twinViews.resend();
    this.twinViews.outputMoved(); // a new run's output: a parting placed in the last one's is not placed in it
    const rig = this.rig;
    if (!rig || !this.program) return;
    const session = this;
    const workload = this.workloadRun;
    const travel = new TimeTravel({
      rig,
      output: this.outputLog,
      get clock() { return session.clock; },
      get finished() { return session.finished; },
      save: () => saveRig(rig, workload),
      capture: () => ({ outputLength: this.outputLog.length, input: [...this.input], waitingForInput: this.waitingForInput }),
      restore: (state, side) => {
        restoreRig(rig, state, workload);
        this.debug.attach(rig);
        this.outputLog.moveTo(side.outputLength);
        this.input = [...side.input];
        this.waitingForInput = side.waitingForInput;
      },
      perform: (intervention) => this.perform(intervention),
      run: (budget, untilCycle) => (workload ? workload.run(budget, untilCycle) : rig.machine!.run(budget)),
      twin: () => new Twin(this.runners.twin(), this.faultFreeHistory()),
    }, { ...this.travelOptions, enabled: this.travelOn });
    this.timeTravel = travel;
    if (workload) {
      workload.driver = (instructions, untilCycle) => { travel.advance(rig.instret + instructions, untilCycle); };
      return;
    }
    try {
      travel.setTwin(this.twinOn);
    } catch {
      // A machine restored from a snapshot of a faulty run has no fault-free state to start the twin from: it runs without.
    }
    this.scoutTwin();
  }

  /** While the machine is idle, the twin's runner runs the history ahead (TimeTravel.scoutTwin); start() holds it. */
  private scoutTwin(): void {
    if (!this.running && !this.workloadRun) this.timeTravel?.scoutTwin();
  }

  /**
   * The name of the fault-free run of this machine's history, as far as a new machine does
   * not change it: the program and the fault-free setup (faultFreeSetup: any topology). Every
   * machine of the session with the same name, until it takes input, has the same fault-free
   * run: the verdict keeps its run for it, the twin the states it passed (passed-states.ts).
   * A machine restored from a snapshot has none: its past is not the program's from its start.
   */
  private faultFreeHistory(): string | undefined {
    return this.restored ? undefined : `program ${this.programsLoaded}, ${JSON.stringify(faultFreeSetup(this.setup))}`;
  }

  /** The virtual clock, cycles: a workload's (its feed's, which runs on while the service is down), else the machine's. */
  private get clock(): number {
    return this.workloadRun ? this.workloadRun.feed.nowCycle : this.r.cycle;
  }

  /** Where an intervention made now is made (Intervention). */
  private moment(): { at: number; cycle: number } {
    return { at: this.r.instret, cycle: this.clock };
  }

  /**
   * Runs the loaded program as a transaction workload (`undefined`: as a plain program
   * again), on a fresh machine; created, loaded and reset machines run it too. A workload
   * run lasts its duration of virtual time whatever happens to the machine: free running
   * ends at its end, not at a halt. Such a run has no verdict: its ledger judges it, against
   * the workload's reference model. Bad settings throw InputError (one line) and change nothing.
   */
  async setWorkload(settings: WorkloadSettings | undefined): Promise<void> {
    this.pause();
    const rig = await this.build(this.setup, this.program, settings);
    if (settings) new WorkloadRun(rig.service, settings); // throws for bad settings
    this.workloadSettings = settings && { ...settings };
    this.install(this.setup, rig, this.program);
  }

  /** The workload run's ledger now (the final one once it is done), or undefined without a workload. */
  ledger(): Ledger | undefined {
    return this.workloadRun?.ledger();
  }

  /** Free running ends here: at a halt, or with a workload at the end of its duration. */
  private get finished(): boolean {
    return this.workloadRun ? this.workloadRun.done : this.rig?.halt !== undefined;
  }

  /** One free-running slice of about `budget` instructions; returns the progress made in the same unit (with a workload: cycles of virtual time). */
  private slice(budget: number): number {
    if (this.workloadRun) return this.workloadRun.advance(budget, budget);
    return this.runNow(budget, this.speed > FAST_IPS).executed;
  }

  /**
   * Before a free-running slice of `budget` instructions: waits until the twin is at most
   * TWIN_LAG slices behind (it runs those while the machine runs this one, and the machine
   * waits only when the twin is the slower), and until the fault-free run is known far
   * enough for the hang limit (VerdictJudge.faultFreeAhead).
   */
  private async readyFor(budget: number): Promise<void> {
    if (this.workloadRun) return;
    await this.timeTravel?.twin?.within(TWIN_LAG);
    await this.judge.faultFreeAhead(this.m.instret + budget);
  }

  private get r(): Rig {
    if (!this.rig) throw new Error('create a machine first');
    return this.rig;
  }

  /** The lockstep machine, for what only a machine does (plain programs, console input, snapshots). */
  private get m(): Machine {
    const rig = this.r;
    if (!rig.machine) throw new InputError(`a ${rig.topology} runs transaction workloads only: this needs a lockstep machine (simplex, dmr, pair-spare, tmr)`);
    return rig.machine;
  }

  /**
   * Loads a program (assembling source) on a fresh machine of `setup` (default: the one in
   * force; a failover system can be built only with its program). Bad input — it does not
   * assemble, or does not fit the machine — throws ProgramError with its diagnostics, and a
   * setup that cannot run it InputError; both leave the machine and its program as they were.
   */
  async load(input: ProgramInput, setup: MachineSetup = this.setup): Promise<LoadedProgram> {
    const program = input.kind === 'source'
      ? loadProgram(new TextEncoder().encode(input.source), input.name ?? 'program.s', 'asm')
      : loadProgram(input.bytes, input.name, input.format);
    this.pause();
    this.install(setup, await this.build(setup, program, this.workloadSettings), program);
    return { entry: program.entry, symbols: [...program.symbols], sourceMap: [...(program.sourceMap ?? [])] };
  }

  /** Back to the loaded program's start, with no faults, on a fresh machine. */
  async reset(): Promise<void> {
    await this.create(this.setup);
  }

  /**
   * Runs up to `budget` instructions now (not time-sliced). While faults are scheduled and
   * no verdict is known, the run stops at HANG_FACTOR × the fault-free run's instructions if
   * it gets there: first it waits, if need be, until the fault-free run is known to get a
   * HANG_FACTOR-th of the way (VerdictJudge.faultFreeAhead).
   */
  async run(budget: number): Promise<StepResult> {
    await this.judge.faultFreeAhead(this.m.instret + budget);
    return this.runNow(budget);
  }

  /**
   * run() as far as what is known of the fault-free run allows now; `fast` (running free
   * faster than views keep the twin in step): the twin follows lazily.
   */
  private runNow(budget: number, fast = false): StepResult {
    const m = this.m;
    budget = Math.max(0, Math.min(budget, this.judge.hangRoom()));
    const result = this.timeTravel ? this.timeTravel.advance(m.instret + budget, Infinity, fast ? 'lazily' : 'in step') : m.run(budget);
    this.waitingForInput = result.stop === 'input';
    this.judge.settle();
    this.judge.sendAhead(budget);
    const debugStop = this.debug.check();
    return { executed: result.executed, halted: result.stop === 'halted', waitingForInput: this.waitingForInput, ...(debugStop ? { debugStop } : {}) };
  }

  /** Executes `n` instructions (1 by default) and returns the view after them (the twin in step). */
  async step(n = 1): Promise<MachineView> {
    this.pause();
    this.debug.resume();
    if (this.workloadRun) this.workloadRun.step(n);
    else await this.run(n);
    this.debug.check();
    return this.view();
  }

  /**
   * Runs freely in time slices at `speed` instructions per second (Infinity = flat out)
   * until paused, halted, or stopped by a breakpoint or watchpoint (a breakpoint at the
   * instruction it starts with does not stop it).
   */
  start(speed = this.speed): void {
    this.speed = speed;
    if (this.running) return;
    this.debug.resume();
    this.running = true;
    this.timeTravel?.twin?.hold();
    void this.freeRun();
  }

  /** start(), with a breakpoint at `pc` that lasts until the run stops (run to cursor). */
  runTo(pc: number, speed = this.speed): void {
    this.debug.runTo(pc);
    this.start(speed);
  }

  /** Sets the breakpoints: pcs of instructions (throws InputError for a bad pc or too many). */
  setBreakpoints(pcs: number[]): void {
    this.debug.setBreakpoints(pcs);
  }

  /** Sets the watchpoints (`x5`, `t0`, `mem:0x80001000`); returns their canonical names. Throws WatchError. */
  setWatches(targets: string[]): string[] {
    return this.debug.setWatches(targets);
  }

  pause(): void {
    this.running = false;
    this.ipsWindow = [];
    this.debug.endRun();
  }

  setSpeed(speed: number): void {
    if (!(speed > 0)) throw new InputError(`speed ${speed} must be positive (instructions per second)`);
    this.speed = speed;
  }

  private async freeRun(): Promise<void> {
    const run = ++this.freeRuns;
    let last = performance.now();
    let budget = this.speed === Infinity ? 100_000 : 1;
    let owed = 0;
    const going = () => this.running && run === this.freeRuns && this.rig !== undefined && !this.finished;
    while (going()) {
      try {
        // A slow run's slice takes what the dial allowed since the last one: at most 50 ms' worth.
        await this.readyFor(this.speed === Infinity ? budget : Math.min(MAX_SLICE, Math.ceil(owed + this.speed / 20)));
      } catch {
        break; // a fault-free run's worker failed: the run stops, and the next view says why (Twin.settled)
      }
      if (!going()) break;
      const verdictBefore = this.judge.verdict;
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
      this.ipsWindow.push({ at: performance.now(), instret: this.r.instret });
      while (this.ipsWindow.length > 2 && this.ipsWindow[0].at < performance.now() - 1000) this.ipsWindow.shift();
      if (this.debug.check()) this.running = false;
      if (!going()) break; // the notice that the run has ended (below) carries this slice's news
      const happened = this.r.events.length > this.eventCursor || this.r.systemEvents.length > this.systemEventCursor;
      if (happened || this.judge.verdict !== verdictBefore) this.notify();
      if (this.waitingForInput && this.input.length === 0) await new Promise((r) => setTimeout(r, 20));
      else if (this.speed === Infinity) await yieldToEvents();
      else await new Promise((r) => setTimeout(r, Math.max(4, Math.min(50, 1000 / this.speed))));
    }
    if (run !== this.freeRuns) return;
    this.running = false;
    this.debug.endRun();
    this.scoutTwin();
    this.notify();
  }

  /**
   * Answers after the first time slice that leaves events the page has not pulled yet, or
   * when the free run ends (halted, paused, machine replaced); at once when not running.
   * Resolves with whether the machine still runs then.
   */
  changed(): Promise<boolean> {
    if (!this.running && !this.judge.judging) return Promise.resolve(false);
    return new Promise((resolve) => this.watchers.push(resolve));
  }

  private notify(): void {
    const watchers = this.watchers;
    this.watchers = [];
    for (const resolve of watchers) resolve(this.running);
  }

  private measuredIps(): number {
    if (!this.running || this.ipsWindow.length < 2) return 0;
    const first = this.ipsWindow[0];
    const last = this.ipsWindow[this.ipsWindow.length - 1];
    return last.at > first.at ? Math.round(((last.instret - first.instret) * 1000) / (last.at - first.at)) : 0;
  }

  /**
   * Schedules a fault (DESIGN §5 text); `at` defaults to the next instruction, and with a
   * workload it may be a virtual time (`at=5ms`). On a failover system `module` names a
   * host and `at` counts the system's instructions. Returns the fault as scheduled (as the
   * machine's `inject` event names it, for an instruction). Throws FaultSpecError /
   * InputError. The first fault of a plain program starts the fault-free run the verdict is
   * judged against.
   */
  async inject(spec: string): Promise<string> {
    const explicitAt = /(^|,)\s*at\s*=/.test(spec);
    const fault = () => {
      const parsed = parseFault(explicitAt ? spec : `at=${this.r.instret},${spec}`);
      const problem = this.workloadRun ? this.workloadRun.checkFault(parsed) : this.m.checkFault(parsed);
      if (problem) throw new FaultSpecError(problem);
      return parsed;
    };
    fault();
    if (!this.workloadRun) this.judge.expectFault();
    const checked = fault();
    this.intervene({ ...this.moment(), kind: 'fault', fault: checked });
    return formatFault(checked);
  }

  /** Replaces an offline module or board at instruction `at` (default: now). */
  replace(site: { module: number } | { board: number }, at?: number): void {
    if (this.r.system) throw new InputError(`the hosts of a ${this.r.topology} are not replaced: replacement and resync are for dmr, pair-spare and tmr`);
    this.intervene({ ...this.moment(), kind: 'replace', site, when: at ?? this.m.instret });
  }

  /** Console input for the guest. */
  sendInput(bytes: Uint8Array): void {
    this.intervene({ ...this.moment(), kind: 'input', bytes: bytes.slice() });
  }

  /**
   * Makes an intervention on the machine and records it in the history, where one made
   * before the present starts a new history: the recorded future goes, and with it a
   * verdict's fault-free run that took input from it.
   */
  private intervene(intervention: Intervention): void {
    this.perform(intervention);
    if (intervention.kind === 'input') this.judge.received({ at: intervention.at, bytes: intervention.bytes });
    if (!this.timeTravel?.record(intervention)) return;
    this.judge.newHistory(this.timeTravel.inputChunks());
    this.twinViews.forgetParting();
    this.twinViews.outputMoved();
  }

  /** Does `intervention` to the rig, a workload's fault through its run (and the console input to the session's queue). */
  private perform(intervention: Intervention): void {
    switch (intervention.kind) {
      case 'fault':
        if (this.workloadRun) this.workloadRun.inject(intervention.fault);
        else this.m.inject(intervention.fault);
        break;
      case 'replace': this.m.replace(intervention.when, intervention.site); break;
      case 'input': {
        const m = this.m;
        for (const b of intervention.bytes) this.input.push(b);
        this.input.splice(0, m.pushInput(Uint8Array.from(this.input)));
        this.waitingForInput = false;
        break;
      }
    }
  }

  // ── Time travel and the twin ─────────────────────────────────────────────────────

  /**
   * Keeps periodic checkpoints (on, the default) so that travel is quick, or none, so that
   * the run is not slowed at all; the history is kept either way, so travel still reaches
   * every instruction (replaying from older states). Holds for every machine of the session.
   */
  setTimeTravel(on: boolean): void {
    this.travelOn = on;
    this.timeTravel?.setEnabled(on);
  }

  /**
   * Shows the fault-free twin beside the machine (views carry `twin`), or stops running it.
   * Holds for every machine of the session that runs a plain program on a lockstep machine
   * (a workload's reference is its model: the ledger judges every result against it).
   */
  setTwin(on: boolean): void {
    this.twinOn = on;
    this.twinViews.resend();
    if (!this.workloadRun) this.timeTravel?.setTwin(on);
    this.scoutTwin();
  }

  /** The history, or an InputError when there is none yet. */
  private history(): TimeTravel {
    if (this.timeTravel) return this.timeTravel;
    throw new InputError('load a program first');
  }

  /**
   * Goes to instruction `instret` of the run so far (clamped to the history's start and
   * present): every module, the twin, the console and the events as they were there, and
   * with a workload its progress, ledger and failover account. Running on from there replays
   * the recorded faults and input up to the present. Returns the view there, which carries
   * every event and the whole console output (not only what is new).
   */
  async travel(instret: number): Promise<MachineView> {
    if (!Number.isFinite(instret)) throw new InputError(`instruction ${instret} is not a number: give an instruction count`);
    const travel = await this.stillHistory();
    return this.rewound(travel.travel(instret));
  }

  /** Goes `n` instructions back (1 by default). */
  back(n = 1): Promise<MachineView> {
    if (!Number.isSafeInteger(n) || n < 1) throw new InputError(`step back ${n}: give a whole number of instructions, 1 or more`);
    return this.travel(this.r.instret - n);
  }

  /** The history, paused, with the twin in step: the twin's states of every checkpoint taken have arrived. */
  private async stillHistory(): Promise<TimeTravel> {
    const travel = this.history();
    this.pause();
    await travel.twin?.settled();
    return travel;
  }

  /**
   * Goes to a landmark of the run: where its first fault took effect (`injection`: the
   * fault applied, its instruction still to run); just after the instruction where the
   * modules' records first differed, or that printed the first byte of output that differs
   * from the fault-free run's (`difference`); just after the first detection (`detection`).
   */
  async jump(landmark: 'injection' | 'difference' | 'detection'): Promise<MachineView> {
    const travel = await this.stillHistory();
    const at = travel.status();
    switch (landmark) {
      case 'injection':
        if (at.injection === undefined) throw new InputError('no fault has taken effect in this run yet');
        return this.rewound(travel.travel(at.injection));
      case 'detection':
        if (at.detection === undefined) throw new InputError('nothing has been detected in this run yet');
        return this.rewound(travel.travel(at.detection + 1));
      case 'difference':
        if (at.divergence !== undefined) return this.rewound(travel.travel(at.divergence + 1));
        if (this.twinViews.parting) return this.rewound(travel.whenOutputExceeds(this.twinViews.parting.offset));
        if (this.r.system) throw new InputError(`a ${this.r.topology}'s hosts are not compared: there is no first difference to go to (its ledger counts the wrong results)`);
        throw new InputError('no difference is known yet: the modules have not diverged, and the output has not parted from the fault-free run\'s (switch the twin on to watch it, or run to the end)');
    }
  }

  /**
   * After travel, whose replay ended as `replay` says: views start over (every event, the
   * whole output), and the verdict is the new position's.
   */
  private rewound(replay: RunResult): Promise<MachineView> {
    if (replay.stop === 'input') this.waitingForInput = true;
    else if (replay.executed > 0) this.waitingForInput = false;
    this.eventCursor = 0;
    this.systemEventCursor = 0;
    this.output = Array.from(this.outputLog.bytes());
    this.twinViews.resend();
    this.twinViews.outputMoved();
    this.judge.rewound();
    if (!this.workloadRun) this.judge.settle();
    return this.view();
  }

  /** The machine's whole console output so far (views carry only what is new since the last one). */
  consoleOutput(): Uint8Array {
    return this.outputLog.bytes();
  }

  /** `length` bytes of module `m`'s RAM at `addr` (a failover system's host `m`; empty outside RAM). */
  memory(m: number, addr: number, length: number): Uint8Array {
    const site = this.r.modules[m];
    return site?.machine.readMemory(site.module, addr, length) ?? new Uint8Array();
  }

  /** The machine's status: cheap to build and to copy, for the views between full ones while running. */
  status(): MachineStatus {
    const rig = this.r;
    const events = rig.events.slice(this.eventCursor);
    this.eventCursor = rig.events.length;
    const output = Uint8Array.from(this.output);
    this.output = [];
    const verdict = this.judge.shown;
    return {
      topology: rig.topology,
      instret: rig.instret,
      cycle: rig.cycle,
      running: this.running,
      ips: this.measuredIps(),
      halt: rig.halt,
      waitingForInput: this.waitingForInput,
      modules: rig.moduleStatus(),
      events,
      output,
      ...(verdict ? { verdict } : {}),
      ...(this.workloadRun ? { workload: this.workloadRun.status(this.running) } : {}),
      ...(rig.system && this.workloadRun ? { failover: this.failoverStatus(rig.system, this.workloadRun) } : {}),
      ...(this.debug.stop ? { debugStop: this.debug.stop } : {}),
      ...(this.debug.watching ? { watches: this.debug.values() } : {}),
      ...(this.timeTravel ? this.travelStatus(this.timeTravel) : {}),
    };
  }

  /** The history, the twin and where the output parts from the fault-free run's, for status(). */
  private travelStatus(travel: TimeTravel): Pick<MachineStatus, 'history' | 'twin' | 'parting'> {
    const history = travel.status();
    if (this.workloadRun) return { history };
    return { history, ...this.twinViews.status(travel, history.present) };
  }

  private failoverStatus(system: FailoverSystem, run: WorkloadRun): FailoverStatus {
    const { events: all, ...summary } = system.summary(run.feed.nowCycle);
    const events = all.slice(this.systemEventCursor);
    this.systemEventCursor = all.length;
    return { ...summary, events };
  }

  /** The status with every module's state; with the twin in step unless the machine runs free and fast. */
  async view(): Promise<MachineView> {
    const twin = this.timeTravel?.twin;
    if (twin && (!this.running || this.speed <= FAST_IPS)) {
      // While it waits a running machine goes on: it waits again until nothing is unanswered as it resumes.
      do await twin.settled(); while (this.running && twin.unanswered > 0);
    }
    const sites = this.r.modules;
    const status = this.status();
    return {
      ...status,
      modules: status.modules.map((module) => {
        const { machine: m, module: k } = sites[module.id];
        return { ...module, ...architectural(m, k), record: m.record(k) };
      }),
    };
  }

  /**
   * Runs the comparison table (src/system/compare.ts) for `request`'s workload with the
   * loaded program, on every topology of the request that can run here; compareProgress()
   * says how far it is meanwhile. The session's own machine is left as it is.
   */
  async compare(request: CompareRequest): Promise<CompareResult> {
    if (!this.program) throw new InputError('load a transaction workload\'s program first');
    if (this.comparing && !this.comparing.done) throw new InputError('a comparison is already running: wait for it to finish');
    const progress: CompareProgress = { rows: 0, total: 0, done: false };
    this.comparing = progress;
    try {
      return await compareForPage(this.program, request, (rows, total) => Object.assign(progress, { rows, total }));
    } finally {
      progress.done = true;
    }
  }

  /** How far the last compare() has got (undefined before the first). */
  compareProgress(): CompareProgress | undefined {
    return this.comparing && { ...this.comparing };
  }

  /** The host-served calls and the device registers of this machine's core (reference-card.ts). */
  referenceCard(): ReferenceCard {
    return referenceCard(this.r.modules[0].machine.core.layout);
  }

  /** The whole machine (Machine.snapshot), transferred rather than copied. */
  snapshot(): ArrayBuffer {
    const buffer = this.m.snapshot();
    return transfer(buffer, [buffer]);
  }

  async restore(snapshot: ArrayBuffer): Promise<void> {
    this.pause();
    const console = this.m.console;
    this.rig = Rig.of(await Machine.fromSnapshot(snapshot, console));
    this.debug.attach(this.rig);
    this.eventCursor = 0;
    this.restored = true;
    this.judge.reset(true);
    this.workloadRun = undefined; // a snapshot holds the machine, not the feed
    this.startHistory();
  }

  /** The JSON report of the run so far, as `lockstep run --report` writes it (with a failover system's `failover`). */
  report(): RunReport {
    const rig = this.r;
    const halt = rig.halt;
    const inputs = { exitCode: halt?.exitCode ?? 0, stopReason: halt?.reason ?? 'running', wallMs: 0, ledger: this.workloadRun?.ledger() };
    return rig.system && this.workloadRun ? buildSystemReport(rig.system, inputs, this.workloadRun.feed.nowCycle) : buildReport(this.m, inputs);
  }
}

