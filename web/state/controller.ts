/**
 * The page's model of one machine: it owns the worker session (DESIGN §2: coarse calls, one
 * view per animation frame), keeps what the components draw (UiState), and offers the
 * actions people take (run, step, break a bit, pull a module, replace it, load a program).
 *
 * Contract: every session call goes through one queue, so an action never interleaves with
 * another or with a frame's refresh (except changed(), which only waits for the running
 * machine and then queues a refresh); listeners get a `change` event after each new state
 * (the state object is replaced, never mutated, so components can compare by identity) and
 * an `events` event with the machine events and timeline entries that just arrived.
 *
 * When a run ends the session's verdict (masked … crash, against the fault-free run) arrives
 * in the view; the controller adds it to the timeline as its last entry and, for a
 * scenario with `expect`, checks the run against it.
 */
import type {
  MachineStatus, MachineView, LoadedProgram, MachineSetup, ProgramInput, Verdict, CompareRequest, CompareResult, CompareProgress,
  ReferenceCard,
} from '../../src/worker/session.ts';
import type { MachineEvent, ResyncMode } from '../../src/machine/events.ts';
import type { ComparePoint } from '../../src/machine/machine.ts';
import type { Topology, CrossCheck } from '../../src/machine/topology.ts';
import type { ReadmitPolicy, Threshold } from '../../src/machine/diagnosis.ts';
import { checkerOf } from '../../src/machine/checkers.ts';
import type { CheckerFaultKind } from '../../src/fault/spec.ts';
import type { EccMode } from '../../src/machine/ecc.ts';
import type { ServiceTopology } from '../../src/system/index.ts';
import type { SystemEvent } from '../../src/system/failover.ts';
import { isSystemTopology, settingsFor } from '../../src/system/settings.ts';
import { FAST_IPS } from '../../src/worker/views.ts';
import { failoverOptionsOf, type FailoverScenarioSettings } from '../../src/scenario/failover.ts';
import { buildFailoverTimeline, defaultFailover } from './failover.ts';
import { SymbolIndex } from '../../src/isa/disassembler.ts';
import { MAX_STEP_N, DEFAULT_SPEED, type Scenario, type ScenarioInput } from '../../src/scenario/scenario.ts';
import { checkExpectation, type Expectation, type ExpectationCheck } from '../../src/scenario/expect.ts';
import { buildTimeline, announcement, outcomeEntry, type TimelineEntry } from './timeline.ts';
import { resyncProgress, type ResyncProgress } from './resync.ts';
import { bitFault, pullFault, checkerFault, stillPending, type ClickKind, type When } from './faults.ts';
import { ConsoleText } from './console.ts';
import { wordsOf } from './diff.ts';
import { exampleById, exampleOf, EXAMPLES } from './examples.ts';
import type { WorkloadSettings } from '../../src/transactions/settings.ts';
import { canRun, exampleWorkload } from './workload.ts';
import { rewoundState, type Landmark } from './time-travel.ts';

/** The session as the page sees it through comlink: every method answers asynchronously. */
export interface SessionPort {
  create(setup: MachineSetup): Promise<void>;
  load(input: ProgramInput, setup?: MachineSetup): Promise<LoadedProgram>;
  reset(): Promise<void>;
  step(n?: number): Promise<MachineView>;
  start(speed?: number): Promise<void>;
  pause(): Promise<void>;
  setSpeed(speed: number): Promise<void>;
  view(): Promise<MachineView>;
  status(): Promise<MachineStatus>;
  changed(): Promise<boolean>;
  /** Resolves to the fault as the machine's inject event will name it (with its `at`). */
  inject(spec: string): Promise<string>;
  replace(site: { module: number } | { board: number }, at?: number): Promise<void>;
  sendInput(bytes: Uint8Array): Promise<void>;
  memory(module: number, addr: number, length: number): Promise<Uint8Array>;
  consoleOutput(): Promise<Uint8Array>;
  setWorkload(settings: WorkloadSettings | undefined): Promise<void>;
  compare(request: CompareRequest): Promise<CompareResult>;
  compareProgress(): Promise<CompareProgress | undefined>;
  runTo(pc: number, speed?: number): Promise<void>;
  setBreakpoints(pcs: number[]): Promise<void>;
  /** Resolves to the watchpoints' canonical names (`x5`, `mem:0x80001000`). */
  setWatches(targets: string[]): Promise<string[]>;
  referenceCard(): Promise<ReferenceCard>;
  travel(instret: number): Promise<MachineView>;
  back(n?: number): Promise<MachineView>;
  jump(landmark: Landmark): Promise<MachineView>;
  setTimeTravel(on: boolean): Promise<void>;
  setTwin(on: boolean): Promise<void>;
}

export interface MachineSettings {
  /** A lockstep machine's topology, or a failover system's (cluster, process-pair: transaction workloads only). */
  topology: ServiceTopology;
  compare: ComparePoint;
  resync: ResyncMode;
  ramMiB: number;
  repairAfter?: number;
  readmit?: ReadmitPolicy;
  diagnoseTime?: number;
  threshold?: Threshold;
  crossCheck?: CrossCheck;
  ecc: EccMode;
  /** Instructions between scrubber passes (needs ecc secded); absent: no scrubber. */
  scrubEvery?: number;
  /** A failover system's settings, as a scenario's `machine.failover` writes them (absent: the library's defaults). */
  failover?: FailoverScenarioSettings;
}

export interface ProgramInfo {
  name: string;
  /** The assembly source, when the program came from the editor or an example. */
  source?: string;
  /** The file's bytes, when it was loaded from a file that is not assembly source (ELF, flat binary). */
  bytes?: Uint8Array;
  entry: number;
  symbols: SymbolIndex;
  symbolList: [string, number][];
  /** Instruction address → 1-based source line. */
  lines: Map<number, number>;
}

/** A register (or RAM word) the user picked to break: its bit picker is open. */
export interface Selection {
  module: number;
  target: string;
}

/**
 * The divergence that just happened, for the flash on the register of the modules the
 * machine took offline for it (none when it could not tell which was faulty: a fail-stop).
 */
export interface Flash {
  key: string;
  modules: number[];
  /** Register table row (`x5`, `pc`) or undefined when the field is not a register. */
  target?: string;
}

export interface UiState {
  settings: MachineSettings;
  program?: ProgramInfo;
  /** Why the last load failed (assembler diagnostics, a bad ELF). */
  loadError?: string;
  view?: MachineView;
  events: MachineEvent[];
  /** A failover system's events so far (the view carries only the new ones). */
  systemEvents: SystemEvent[];
  timeline: TimelineEntry[];
  console: string;
  /** Index in the whole console output at which `console` starts (older text was dropped). */
  consoleStart: number;
  /** The run's verdict once it has ended (see Verdict); replaced only when it changes. */
  verdict?: Verdict;
  /** The scenario's expected output and outcome, when a scenario set up this program. */
  expect?: Expectation;
  /** What else that scenario said, which the page does not track itself: kept for its share link and embed code. */
  scenarioMeta?: ScenarioMeta;
  /** `expect` checked against the run, once it has ended. */
  expectation?: ExpectationCheck;
  /** Instructions per second when running (Infinity = flat out). */
  speed: number;
  stepN: number;
  faultKind: ClickKind;
  /** A clicked bit hits every module alike (a common-mode fault). */
  everyModule: boolean;
  when: When;
  selected?: Selection;
  selectedEntry?: string;
  flash?: Flash;
  memoryAddress: number;
  /** RAM words at memoryAddress, per module. */
  memory: Uint8Array[];
  /** Disassembly window: words at `address` from the reference module. */
  code: { address: number; words: number[] };
  resync: ResyncProgress[];
  /** Faults asked for that are not yet applied, with their instruction or virtual time. */
  pending: string[];
  /** Every fault scheduled on this machine, as the session took it (for the embed code). */
  scheduled: string[];
  replacements: ({ at: number; module: number } | { at: number; board: number })[];
  /**
   * The note or error above the panel. `whilePending`: a note of faults scheduled, which goes
   * once none is pending and the machine does not run (a note that went while it runs would
   * move the page, and drawing the whole window again takes the worker's core).
   */
  message?: { kind: 'error' | 'info'; text: string; whilePending?: true };
  /** The last few announcements for the ARIA live region. */
  announce: string;
  /** The transaction workload the program runs as, or none. */
  workload?: WorkloadSettings;
  /** Counts the machine's runs: a new machine, a load, a reset or a new workload starts the next one (the lesson player checks each run afresh). */
  run: number;
  /** `view`'s registers were read with it (a detailed view), not carried over from an earlier one by a status view. */
  detailed: boolean;
  /** Time travel keeps checkpoints; the fault-free twin is shown. */
  timeTravel: boolean;
  twin: boolean;
  /** The twin's console text, as `console` (from index `twinConsoleStart` of its whole output). */
  twinConsole: string;
  twinConsoleStart: number;
}

/** A scenario's fields the page keeps only to give them back (scenario()). */
export type ScenarioMeta = Pick<Scenario, 'title' | 'description' | 'availability'> & Pick<Scenario['settings'], 'autorun' | 'theme'>;

export const RAM_BASE = 0x8000_0000;
const MEMORY_WORDS = 32;
const CODE_WORDS = 20;
const CODE_BEFORE = 6;
const COPY_BYTES_PER_CYCLE = 8;
/** Time between views that carry registers, code and memory while running fast, ms. */
const DETAIL_MS = 250;
/**
 * While running fast, the first view comes this long after the start, ms, and the run is
 * first drawn with it: a run that ends sooner is drawn once, halted, so that Chromium's
 * drawing does not take the worker's core while it runs (see viewsPerSecond).
 */
const FIRST_VIEW_MS = 100;

export const DEFAULT_SETTINGS: MachineSettings = { topology: 'pair-spare', compare: 'every', resync: 'precopy', ramMiB: 1, ecc: 'none' };

export interface ControllerOptions {
  /** Calls `callback` before the next paint (requestAnimationFrame in a page). */
  frame?: (callback: (now: number) => void) => void;
  /** Views per second while running fast (default 30; below FAST_IPS every frame; see viewsPerSecond). */
  refreshHz?: number;
  /** Logical processors of the computer (default navigator.hardwareConcurrency, else 2). */
  cores?: number;
}

/**
 * Views per second the page pulls while the machine runs fast: `refreshHz` while at least two
 * cores are left beside the workers running flat out, two thirds of it while fewer are, half
 * while none is. The machine's worker needs a core; a forked twin in a worker of its
 * own runs one module of the machine's n in step with it, so its worker needs 1/n of one
 * (less while the machine interprets and the twin runs translated). Each view costs Chromium
 * about 5 ms of the page's thread (style, layout, paint and commit of the whole panel) and
 * more of its compositor and raster threads, which run at the same moments: with one core
 * left they preempt the worker (about a third of a short run's slices). Measured on two
 * cores (tests/browser/bench.ts --views): 20 views/s instead of 30 gave the machine about 5 %
 * more speed on long runs, simplex and tmr alike; with a forked twin on simplex, 15 instead
 * of 30 gave 5–15 %.
 */
export function viewsPerSecond(view: MachineView | undefined, cores: number, refreshHz: number): number {
  const twin = view?.twin;
  const twinRuns = twin !== undefined && !twin.same && !twin.halt && twin.sharedThread === undefined;
  const spare = cores - 1 - (twinRuns ? 1 / Math.max(1, view!.modules.length) : 0);
  return spare <= 0 ? refreshHz / 2 : spare < 2 ? (refreshHz * 2) / 3 : refreshHz;
}

export class MachineController extends EventTarget {
  state: UiState;
  private queue: Promise<unknown> = Promise.resolve();
  private consoleText = new ConsoleText();
  private twinText = new ConsoleText();
  private looping = false;
  /** A fast run before its first view (FIRST_VIEW_MS): news waits for that view, as the run's start does (see watch()). */
  private quiet = false;
  /** A session.changed() is waiting (see watch()). */
  private watching = false;
  private frameBusy = false;
  /** The next refresh must carry registers, code and memory (events arrived meanwhile). */
  private detailDue = false;
  /** Where the next frame reads the code window, when the pc has left the current one. */
  private nextCode?: number;
  private readonly frame: (callback: (now: number) => void) => void;
  /** Views per second while running fast (ControllerOptions.refreshHz); tests/browser/bench.ts varies it. */
  refreshHz: number;
  private readonly cores: number;

  constructor(readonly session: SessionPort, options: ControllerOptions = {}) {
    super();
    this.frame = options.frame ?? ((cb) => requestAnimationFrame(cb));
    this.refreshHz = options.refreshHz ?? 30;
    this.cores = options.cores ?? (globalThis.navigator?.hardwareConcurrency || 2);
    this.state = {
      settings: { ...DEFAULT_SETTINGS }, events: [], systemEvents: [], timeline: [], console: '', consoleStart: 0, speed: DEFAULT_SPEED, stepN: 100,
      faultKind: 'flip', everyModule: false, when: { now: true }, memoryAddress: RAM_BASE, memory: [], code: { address: RAM_BASE, words: [] },
      resync: [], pending: [], scheduled: [], replacements: [], announce: '', run: 0, detailed: false, timeTravel: true, twin: false, twinConsole: '', twinConsoleStart: 0,
    };
  }

  /** Changes the state; with `announce` (the default), tells the listeners, which draw it. */
  private set(patch: Partial<UiState>, announce = true): void {
    this.state = { ...this.state, ...patch };
    if (announce) this.dispatchEvent(new Event('change'));
  }

  /** The machine runs faster than can be watched: views are throttled (see loop()). */
  private get fast(): boolean { return this.state.speed > FAST_IPS; }

  /** Runs `task` after every earlier session call; its failure becomes the page's error message. */
  private enqueue<T>(task: () => Promise<T>): Promise<T> {
    const run = this.queue.then(task);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async guarded(task: () => Promise<void>): Promise<void> {
    try {
      await this.enqueue(task);
    } catch (error) {
      this.set({ message: { kind: 'error', text: errorText(error) } });
      throw error;
    }
  }

  // ── Machine and program ──────────────────────────────────────────────────────────

  /**
   * The session's setup for `settings`: the settings the topology takes (settingsFor: a
   * failover system no lockstep ones, a lockstep machine no failover ones). Throws
   * InputError for a failover setting that is not a virtual time.
   */
  private setup(settings = this.state.settings): MachineSetup {
    const { failover, ...machine } = settings;
    const given = Object.entries(machine).filter(([, value]) => value !== undefined);
    return settingsFor({ ...Object.fromEntries(given), topology: settings.topology, ...(failover ? { failover: failoverOptionsOf(failover) } : {}) });
  }

  /** Forgets the machine's history (a new machine was created or reset). */
  private cleared(): Partial<UiState> {
    this.consoleText.clear();
    this.twinText.clear();
    return {
      twinConsole: '', twinConsoleStart: 0,
      events: [], systemEvents: [], timeline: [], console: '', consoleStart: 0, selectedEntry: undefined, flash: undefined, resync: [], pending: [],
      scheduled: [], replacements: [], message: undefined, selected: undefined, announce: '', verdict: undefined, expectation: undefined,
      run: this.state.run + 1,
    };
  }

  /**
   * Creates the machine with new settings (the loaded program is loaded again). A failover
   * system chosen without settings of its own starts with the page's (defaultFailover); a
   * lockstep machine has none of those.
   */
  configure(patch: Partial<MachineSettings>): Promise<void> {
    return this.guarded(async () => {
      const merged = { ...this.state.settings, ...patch };
      const { failover, ...lockstep } = merged;
      const { topology, compare, resync, ramMiB, ecc, scrubEvery } = merged;
      // A failover system has none of a lockstep machine's repair and diagnosis settings; its hosts take the RAM's ECC and scrubber.
      const settings: MachineSettings = !isSystemTopology(topology) ? lockstep : {
        topology, compare, resync, ramMiB, ecc, ...(scrubEvery !== undefined ? { scrubEvery } : {}),
        failover: patch.failover ?? (patch.topology && patch.topology !== this.state.settings.topology ? defaultFailover(topology) : failover),
      };
      await this.session.create(this.setup(settings));
      this.looping = false;
      this.set({ settings, ...this.cleared() });
      await this.refreshNow();
    });
  }

  private programLoaded(loaded: LoadedProgram, name: string, content?: string | Uint8Array): ProgramInfo {
    return {
      name, ...(typeof content === 'string' ? { source: content } : content ? { bytes: content } : {}), entry: loaded.entry, symbolList: loaded.symbols, symbols: new SymbolIndex(loaded.symbols),
      lines: new Map(loaded.sourceMap.map(([address, location]) => [address, location.line])),
    };
  }

  /** Loads assembly source; on failure the old program stays and loadError says why. A scenario's expectations go. */
  loadSource(source: string, name = 'program.s'): Promise<void> {
    this.set({ expect: undefined, scenarioMeta: undefined });
    return this.loadInput({ kind: 'source', source, name }, name, source);
  }

  /** Loads a file's bytes: ELF, assembly (.s) or a flat binary (.bin). A scenario's expectations go. */
  loadFile(bytes: Uint8Array, name: string): Promise<void> {
    const source = /\.(s|S|asm)$/.test(name) ? new TextDecoder().decode(bytes) : undefined;
    this.set({ expect: undefined, scenarioMeta: undefined });
    return this.loadInput({ kind: 'file', bytes, name }, name, source ?? bytes);
  }

  /** Loads an example; a workload's program runs as that workload, any other as a plain program (exampleWorkload). */
  loadExample(id: string): Promise<void> {
    const example = exampleById(id);
    if (!example) {
      const text = `unknown example '${id}': use one of ${EXAMPLES.map((e) => e.id).join(', ')}`;
      this.set({ message: { kind: 'error', text } });
      return Promise.reject(new Error(text));
    }
    return this.chooseWorkload(exampleWorkload(example, this.state.workload))
      .then(() => this.loadSource(example.source, example.file));
  }

  /**
   * Runs the loaded program as a transaction workload with `settings` (undefined: as a plain
   * program), from its start on a fresh machine. Bad settings: the error message, nothing changes.
   */
  setWorkload(settings: WorkloadSettings | undefined): Promise<void> {
    return this.guarded(async () => {
      this.looping = false;
      await this.session.setWorkload(settings);
      // Only a workload has a clock to schedule faults on.
      const when = !settings && 'atUs' in this.state.when ? { now: true as const } : this.state.when;
      this.set({ workload: settings, when, ...this.cleared() });
      await this.refreshNow();
    });
  }

  /** setWorkload, unless `settings` are the ones in force already. */
  chooseWorkload(settings: WorkloadSettings | undefined): Promise<void> {
    return settings === this.state.workload ? Promise.resolve() : this.setWorkload(settings);
  }

  /** `content`: the program's source text, or the bytes of a binary file (kept for the embed code). */
  private loadInput(input: ProgramInput, name: string, content?: string | Uint8Array): Promise<void> {
    return this.enqueue(async () => {
      this.looping = false;
      try {
        const loaded = await this.session.load(input, this.setup());
        this.set({ program: this.programLoaded(loaded, name, content), loadError: undefined, ...this.cleared(), memoryAddress: dataAddress(loaded) });
      } catch (error) {
        // The session keeps the previous program: on a fresh machine, as a load starts from power-on.
        await this.session.create(this.setup()).catch(() => undefined);
        this.set({ ...this.cleared(), loadError: errorText(error), message: { kind: 'error', text: `${name} did not load: ${firstLine(errorText(error))}` } });
        throw error;
      } finally {
        await this.refreshNow().catch(() => undefined);
      }
    });
  }

  // ── Running ──────────────────────────────────────────────────────────────────────

  get running(): boolean { return this.state.view?.running ?? false; }

  /** Throws when the machine cannot go on (see canRun), saying why. */
  private checkCanRun(verb: string): void {
    const view = this.state.view;
    if (!view || canRun(view)) return;
    if (view.halt) throw new Error(`the machine has stopped (${view.halt.message}): reset it to ${verb} again`);
    throw new Error(`the workload run has reached its duration: reset it to ${verb} again`);
  }

  run(): Promise<void> {
    return this.runWith((speed) => this.session.start(speed));
  }

  /** Runs until the instruction at `address` is next (or a breakpoint, a halt, a pause stops it first). */
  runTo(address: number): Promise<void> {
    return this.runWith((speed) => this.session.runTo(address, speed));
  }

  private runWith(start: (speed: number) => Promise<void>): Promise<void> {
    return this.guarded(async () => {
      this.checkCanRun('run');
      await start(this.state.speed);
      // A fast run is drawn first with its first view (FIRST_VIEW_MS in), or its end if sooner:
      // drawing its start, or news before that view, costs the page's threads 20–30 ms of CPU while the worker runs.
      this.quiet = this.fast;
      const view = this.state.view;
      if (view) {
        // An error was about what came before; a note of what was done stays, so the page does not move as the run starts.
        this.set({ view: { ...view, running: true }, ...(this.state.message?.kind === 'error' ? { message: undefined } : {}) }, !this.quiet);
      }
      this.loop();
      this.watch();
    });
  }

  pause(): Promise<void> {
    return this.guarded(async () => {
      this.looping = false;
      await this.session.pause();
      await this.refreshNow();
    });
  }

  toggleRun(): Promise<void> {
    return this.running ? this.pause() : this.run();
  }

  step(n = 1): Promise<void> {
    return this.guarded(async () => {
      this.looping = false;
      this.checkCanRun('step');
      const view = await this.session.step(n);
      await this.refreshWith(view);
    });
  }

  stepN(): Promise<void> { return this.step(this.state.stepN); }

  /** Sets what Step N steps; returns false (and says why) for anything but 1..MAX_STEP_N. */
  setStepN(n: number): boolean {
    if (Number.isSafeInteger(n) && n >= 1 && n <= MAX_STEP_N) {
      this.set({ stepN: n });
      return true;
    }
    this.set({ message: { kind: 'error', text: `Step N takes a whole number of instructions from 1 to ${MAX_STEP_N.toLocaleString('en-US')} (use Run for more)` } });
    return false;
  }

  reset(): Promise<void> {
    return this.guarded(async () => {
      this.looping = false;
      await this.session.reset();
      this.set(this.cleared());
      await this.refreshNow();
    });
  }

  setSpeed(ips: number): Promise<void> {
    this.set({ speed: ips });
    return this.guarded(async () => {
      await this.session.setSpeed(ips);
    });
  }

  sendInput(text: string): Promise<void> {
    return this.guarded(() => this.session.sendInput(new TextEncoder().encode(text)));
  }

  /** Empties the console; output from now on appears (a verdict's mark still finds its place: consoleStart moves on). */
  clearConsole(): void {
    this.consoleText.discard();
    this.set({ console: this.consoleText.text, consoleStart: this.consoleText.dropped });
  }

  /**
   * Runs `task` on the session after every earlier call (the page's debugger, reference
   * card), then, unless the machine runs, pulls a view (what the task changed shows); a
   * failure becomes the page's error message.
   */
  call<T>(task: (session: SessionPort) => Promise<T>): Promise<T> {
    let result!: T;
    return this.guarded(async () => {
      result = await task(this.session);
      if (!this.running) await this.refreshNow();
    }).then(() => result);
  }

  // ── Time travel and the twin (web/state/time-travel.ts) ───────────────────────────

  /** Goes to instruction `instret` of the run so far. */
  travel(instret: number): Promise<void> { return this.rewind(() => this.session.travel(instret)); }
  /** Goes `n` instructions back. */
  back(n = 1): Promise<void> { return this.rewind(() => this.session.back(n)); }
  /** Goes to the injection, the first difference or the detection. */
  jump(landmark: Landmark): Promise<void> { return this.rewind(() => this.session.jump(landmark)); }

  /** Goes somewhere else in the run: the page's events, console and verdict start over from the view there. */
  private rewind(go: () => Promise<MachineView>): Promise<void> {
    return this.guarded(async () => {
      this.looping = false;
      const view = await go();
      this.consoleText.clear();
      this.twinText.clear();
      this.set(rewoundState(view));
      await this.refreshWith(view);
    });
  }

  setTimeTravel(on: boolean): Promise<void> {
    this.set({ timeTravel: on });
    return this.guarded(async () => {
      await this.session.setTimeTravel(on);
      if (!this.running) await this.refreshNow();
    });
  }

  setTwin(on: boolean): Promise<void> {
    this.set({ twin: on });
    return this.guarded(async () => {
      await this.session.setTwin(on);
      if (!this.running) await this.refreshNow();
    });
  }

  /**
   * Pulls views while the machine runs: one per animation frame, or — when it runs faster
   * than FAST_IPS and the worker needs a whole core — at most viewsPerSecond() per second, of
   * which only those DETAIL_MS apart carry the registers, code and memory (the others are
   * status views: the instruction count, speed, module states, events and output). The
   * first one comes FIRST_VIEW_MS after the start (the page drew the run starting), and the
   * first detailed one DETAIL_MS after it, since the tables show the state the run started
   * from. Drawing changed tables costs the page's thread far more than the
   * machine's status, and on a two-core machine that time comes out of the worker's core
   * (see tests/browser/bench.ts).
   */
  private loop(): void {
    if (this.looping) return;
    this.looping = true;
    let last = -Infinity;
    let credit = 0;
    let lastDetail = -Infinity;
    const tick = (now: number) => {
      if (!this.looping) return;
      const interval = this.fast ? 1000 / viewsPerSecond(this.state.view, this.cores, this.refreshHz) : 0;
      if (last === -Infinity && this.state.view) lastDetail = now;
      credit = Math.min(credit + (last === -Infinity ? (interval > 0 ? interval - FIRST_VIEW_MS : 0) : now - last), 2 * interval);
      last = now;
      if (!this.frameBusy && credit >= interval - 1) {
        credit -= interval;
        this.frameBusy = true;
        this.quiet = false;
        const detail = interval === 0 || this.detailDue || now - lastDetail >= DETAIL_MS;
        if (detail) {
          lastDetail = now;
          this.detailDue = false;
        }
        this.enqueue(() => this.refreshNow(detail))
          .catch((error) => this.set({ message: { kind: 'error', text: errorText(error) } }))
          .finally(() => { this.frameBusy = false; });
      }
      if (this.state.view && !this.state.view.running && this.state.view.verdict?.kind !== 'pending') this.looping = false;
      else this.frame(tick);
    };
    this.frame(tick);
  }

  /**
   * Keeps one session.changed() waiting while the machine runs or its run is being judged:
   * when it answers (a halt, a pause, new events, the verdict) the page pulls a view at once,
   * so the lights, the timeline and the halt appear after the time slice they happened in
   * rather than at the next throttled view. It is a status view while the machine still runs
   * (changed() says whether it does; the registers, code and memory come with the next pull,
   * which new events make detailed: their tables cost the page's drawing, and the worker's
   * core, far more), else a detailed one. News in a fast run's first FIRST_VIEW_MS (a fault
   * applied at once) comes with its first view instead: drawing it would take the worker's
   * core as drawing the start would.
   */
  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    void this.session.changed().then(async (running) => {
      this.watching = false;
      if (!this.looping) return;
      if (!(running && this.quiet)) await this.enqueue(() => this.refreshNow(!running)).catch((error) => this.set({ message: { kind: 'error', text: errorText(error) } }));
      if (this.looping && (this.running || this.state.view?.verdict?.kind === 'pending')) this.watch();
    });
  }

  // ── Breaking and repairing ───────────────────────────────────────────────────────

  setFaultKind(kind: ClickKind): void { this.set({ faultKind: kind }); }
  setEveryModule(everyModule: boolean): void { this.set({ everyModule }); }
  setWhen(when: When): void { this.set({ when }); }

  select(selection: Selection | undefined): void { this.set({ selected: selection }); }

  /**
   * Schedules a fault (DESIGN §5 text; without `at=` it applies before the next instruction).
   * It is pending — listed as scheduled, with the instruction the machine chose — until its
   * inject event arrives or the machine has passed that instruction.
   */
  inject(spec: string): Promise<void> {
    return this.guarded(async () => {
      const full = await this.session.inject(spec);
      this.set({ pending: [...this.state.pending, full], scheduled: [...this.state.scheduled, full], message: { kind: 'info', text: `scheduled: ${full}`, whilePending: true } });
      if (!this.running) await this.refreshNow();
    });
  }

  /** The user clicked bit `bit` of the selected register or word. */
  clickBit(bit: number): Promise<void> {
    const selected = this.state.selected;
    if (!selected) return Promise.resolve();
    let spec: string;
    try {
      spec = bitFault({ ...selected, bit }, this.state.faultKind, this.state.when, this.state.everyModule);
    } catch (error) {
      this.set({ message: { kind: 'error', text: errorText(error) } });
      return Promise.resolve();
    }
    this.set({ selected: undefined });
    return this.inject(spec);
  }

  pull(site: { module: number } | { board: number }): Promise<void> {
    return this.inject(pullFault(site, this.state.when));
  }

  /** Sticks the checker's verdict on board `board` (the topology's comparator or voter). */
  breakChecker(board: number, kind: CheckerFaultKind): Promise<void> {
    const topology = this.state.settings.topology;
    const checker = isSystemTopology(topology) ? undefined : checkerOf(topology);
    if (!checker) return Promise.resolve();
    return this.inject(checkerFault(board, checker, kind, this.state.when));
  }

  replace(site: { module: number } | { board: number }): Promise<void> {
    return this.guarded(async () => {
      const when = this.state.when;
      if (!when.now && !('at' in when)) throw new RangeError('a replacement is scheduled at an instruction, not at a virtual time: choose "now" or "at instruction"');
      const at = when.now ? undefined : when.at;
      await this.session.replace(site, at);
      this.set({ replacements: [...this.state.replacements, { at: at ?? this.state.view?.instret ?? 0, ...site }], message: undefined });
      if (!this.running) await this.refreshNow();
    });
  }

  // ── Views ────────────────────────────────────────────────────────────────────────

  selectEntry(key: string | undefined): void { this.set({ selectedEntry: key }); }

  setMemoryAddress(address: number): Promise<void> {
    this.set({ memoryAddress: (address >>> 0) & ~3 });
    return this.enqueue(() => (this.running ? Promise.resolve() : this.refreshNow()));
  }

  /**
   * Pulls a view (call inside the queue). With `detail`, also the memory and code windows,
   * all requested at once so that a running worker answers them together between two of its
   * time slices; the code window is read where the pc was, and again when the pc has left
   * it. Without, only the machine's status (see withDetailOf), and a detailed view follows
   * when events arrived or the machine stopped.
   */
  private async refreshNow(detail = true): Promise<void> {
    if (!detail && this.state.view) {
      const status = await this.session.status();
      this.apply(this.withDetailOf(status, this.state.view), undefined, undefined);
      if (status.events.length > 0) this.detailDue = true;
      if (!status.running) await this.refreshNow(true);
      return;
    }
    const modules = this.state.view?.modules.map((m) => m.id) ?? [];
    const address = this.state.memoryAddress;
    const codeAddress = this.nextCode ?? this.state.code.address;
    this.nextCode = undefined;
    const [view, codeBytes, ...memory] = await Promise.all([
      this.session.view(),
      this.session.memory(this.referenceModule(this.state.view), codeAddress, 4 * CODE_WORDS),
      ...modules.map((m) => this.session.memory(m, address, 4 * MEMORY_WORDS)),
    ]);
    if (view.modules.length !== modules.length) {
      await this.refreshWith(view);
      return;
    }
    const code = { address: codeAddress, words: wordsOf(codeBytes) };
    if (!this.inWindow(code, view) && !view.running) {
      await this.refreshWith(view);
      return;
    }
    if (this.inWindow(code, view)) {
      this.apply(view, memory, code);
    } else {
      // Running: keep showing the old window for this frame; the next one reads the new one.
      this.nextCode = this.codeWindowAt(view);
      this.apply(view, memory, this.state.code);
    }
  }

  /**
   * `status` with the registers, pcs and retire records `shown` had (the modules of `shown`
   * themselves while their states are unchanged, so that the tables need not redraw). Both
   * come from the same machine: a new machine's first view is a detailed one, pulled in the
   * queue before any later refresh.
   */
  private withDetailOf(status: MachineStatus, shown: MachineView): MachineView {
    const same = status.modules.every((m, k) => m.state === shown.modules[k].state && m.dead === shown.modules[k].dead && m.faults.length === shown.modules[k].faults.length);
    return {
      ...status,
      modules: same ? shown.modules : status.modules.map((m, k) => ({ ...shown.modules[k], ...m })),
    };
  }

  private referenceModule(view: MachineView | undefined): number {
    return view?.modules.find((m) => m.state === 'online')?.id ?? 0;
  }

  private inWindow(code: UiState['code'], view: MachineView): boolean {
    const pc = view.modules[this.referenceModule(view)]?.pc ?? RAM_BASE;
    return code.words.length > 0 && pc >= code.address + 4 * 2 && pc < code.address + 4 * (CODE_WORDS - 4);
  }

  private codeWindowAt(view: MachineView): number {
    const pc = view.modules[this.referenceModule(view)]?.pc ?? RAM_BASE;
    return Math.max(RAM_BASE, pc - 4 * CODE_BEFORE) >>> 0;
  }

  /** Reads the memory and code windows for `view` (after a step, or when the pc left the window). */
  private async refreshWith(view: MachineView): Promise<void> {
    const ref = this.referenceModule(view);
    const codeAddress = this.inWindow(this.state.code, view) ? this.state.code.address : this.codeWindowAt(view);
    const address = this.state.memoryAddress;
    const [codeBytes, ...memory] = await Promise.all([
      this.session.memory(ref, codeAddress, 4 * CODE_WORDS),
      ...view.modules.map((m) => this.session.memory(m.id, address, 4 * MEMORY_WORDS)),
    ]);
    this.apply(view, memory, { address: codeAddress, words: wordsOf(codeBytes) });
  }

  private apply(view: MachineView, memory: Uint8Array[] | undefined, code: UiState['code'] | undefined): void {
    const systemFresh = view.failover?.events ?? [];
    const patch: Partial<UiState> = {
      view: { ...view, events: [], output: new Uint8Array(), ...(view.failover ? { failover: { ...view.failover, events: [] } } : {}) },
      detailed: memory !== undefined,
    };
    if (memory) patch.memory = memory;
    if (code) patch.code = code;
    if (this.consoleText.append(view.output)) {
      patch.console = this.consoleText.text;
      patch.consoleStart = this.consoleText.dropped;
    }
    if (view.twin && (view.twin.outputFrom === 0 ? this.twinText.replace(view.twin.output) : this.twinText.append(view.twin.output))) {
      patch.twinConsole = this.twinText.text;
      patch.twinConsoleStart = this.twinText.dropped;
    }
    if (view.history && view.history.faults.join('\n') !== this.state.scheduled.join('\n')) patch.scheduled = view.history.faults;
    const events = view.events.length > 0 ? [...this.state.events, ...view.events] : this.state.events;
    const systemEvents = systemFresh.length > 0 ? [...this.state.systemEvents, ...systemFresh] : this.state.systemEvents;
    const verdictChanged = JSON.stringify(view.verdict) !== JSON.stringify(this.state.verdict);
    if (verdictChanged) patch.verdict = view.verdict;
    let fresh: TimelineEntry[] = [];
    if (view.events.length > 0 || systemFresh.length > 0 || verdictChanged) {
      const outcome = view.verdict && outcomeEntry(view.verdict, view.halt, view.instret);
      const timeline = [
        ...buildTimeline(events, view.topology as Topology), ...buildFailoverTimeline(systemEvents, view.topology), ...(outcome ? [outcome] : []),
      ];
      const known = new Set(this.state.timeline.map((e) => e.key));
      fresh = timeline.filter((e) => !known.has(e.key));
      patch.events = events;
      patch.systemEvents = systemEvents;
      patch.timeline = timeline;
      if (fresh.length > 0) patch.announce = fresh.slice(-3).map(announcement).join(' ');
      const diverge = [...fresh].reverse().find((e) => e.report);
      if (diverge?.report) {
        const report = diverge.report;
        const field = report.field;
        const target = /^x\d+$/.test(field) ? field : field === 'pc' || field === 'next pc' ? 'pc' : undefined;
        // The modules the machine took offline for this divergence: none when it stopped instead.
        const isolated = events.flatMap((e) => (e.kind === 'offline' && e.instret === report.instret && e.reason !== 'removed' ? [e.module] : []));
        patch.flash = isolated.length > 0 ? { key: diverge.key, modules: isolated, target } : undefined;
        patch.selectedEntry = diverge.key;
      }
      if (fresh.some((e) => e.stage === 'replaced')) patch.flash = undefined;
    }
    const applied = new Set([...view.events, ...systemFresh].flatMap((e) => (e.kind === 'inject' ? [e.fault] : [])));
    const pending = this.state.pending.filter((p) => !applied.has(p) && stillPending(p, view));
    if (pending.length !== this.state.pending.length) patch.pending = pending;
    if (pending.length === 0 && !view.running && this.state.message?.whilePending) patch.message = undefined;
    const states = view.modules.map((m) => m.state);
    patch.resync = resyncProgress(patch.events ?? this.state.events, view.instret, states, {
      ramMiB: this.state.settings.ramMiB, bytesPerCycle: COPY_BYTES_PER_CYCLE,
    });
    this.set(patch);
    if (view.events.length > 0 || fresh.length > 0) {
      this.dispatchEvent(new CustomEvent('events', { detail: { events: view.events, entries: fresh } }));
    }
    if (view.verdict?.kind === 'pending') {
      this.loop();
      this.watch();
    }
    const expect = this.state.expect;
    if (verdictChanged && expect && view.verdict && view.verdict.kind !== 'pending') {
      const outcome = view.verdict.kind === 'judged' ? view.verdict.outcome : undefined;
      const verdict = view.verdict;
      void this.enqueue(async () => {
        const output = await this.session.consoleOutput();
        if (this.state.verdict === verdict) this.set({ expectation: checkExpectation(expect, { output, ...(outcome ? { outcome } : {}) }) });
      });
    }
  }

  // ── Scenarios ────────────────────────────────────────────────────────────────────

  /**
   * Sets up a validated scenario: machine, program (already fetched when it was a URL),
   * fault plan, replacements and settings; runs it if it says autorun.
   */
  async applyScenario(scenario: Scenario, program: ProgramInput & { name: string }): Promise<void> {
    const settings: MachineSettings = { ...scenario.machine };
    await this.chooseWorkload(scenario.workload);
    const { title, description, availability, settings: { autorun, theme } } = scenario;
    this.set({
      settings, speed: scenario.settings.speed === 'max' ? Infinity : scenario.settings.speed,
      stepN: scenario.settings.stepN, expect: scenario.expect, scenarioMeta: { title, description, availability, autorun, theme },
    });
    await this.loadInput(program, program.name, program.kind === 'source' ? program.source : program.bytes);
    for (const fault of scenario.faults) await this.inject(fault);
    for (const r of scenario.replacements) {
      await this.guarded(async () => {
        await this.session.replace('board' in r ? { board: r.board } : { module: r.module }, r.at);
        this.set({ replacements: [...this.state.replacements, r] });
      });
    }
    this.set({ message: undefined });
    if (scenario.settings.autorun) await this.run();
  }

  /**
   * The current program, machine and fault plan as a scenario (for the embed code and the
   * share link), with what the scenario that set them up said besides (its title — else
   * `title` —, description, availability, autorun and theme). A shipped example unchanged
   * is named, not copied.
   */
  scenario(title?: string): ScenarioInput {
    const program = this.state.program;
    const faults = [...new Set(this.state.scheduled)];
    const { title: scenarioTitle = title, description, availability, ...settings } = this.state.scenarioMeta ?? {};
    const example = program?.source !== undefined ? exampleOf(program.name, program.source) : undefined;
    return {
      ...(scenarioTitle ? { title: scenarioTitle } : {}),
      ...(description ? { description } : {}),
      program: example ? { example: example.id }
        : program?.source !== undefined ? { source: program.source, name: program.name }
        : program?.bytes !== undefined ? { base64: base64Of(program.bytes), name: program.name }
        : { example: 'count' },
      machine: { ...this.state.settings },
      faults,
      replacements: this.state.replacements,
      settings: { speed: Number.isFinite(this.state.speed) ? this.state.speed : 'max', stepN: this.state.stepN, ...settings },
      ...(this.state.workload ? { workload: this.state.workload } : {}),
      ...(this.state.expect ? { expect: this.state.expect } : {}),
      ...(availability ? { availability } : {}),
    };
  }
}

function base64Of(bytes: Uint8Array): string {
  let text = '';
  for (let k = 0; k < bytes.length; k += 0x8000) text += String.fromCharCode(...bytes.subarray(k, k + 0x8000));
  return btoa(text);
}

/** Where the memory view starts: the first data symbol after the code, else the start of RAM. */
function dataAddress(loaded: LoadedProgram): number {
  const codeEnd = Math.max(RAM_BASE, ...loaded.sourceMap.map(([a]) => a + 4));
  const data = loaded.symbols.map(([, a]) => a >>> 0).filter((a) => a >= codeEnd).sort((a, b) => a - b);
  return data[0] ?? RAM_BASE;
}

const firstLine = (text: string) => text.split('\n')[0];

/** A thrown value as text for people (comlink passes Error messages through). */
export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
