/**
 * The campaign engine (DESIGN §8): one fault-free reference run with checkpoints, and each
 * faulty run started from the checkpoint just before its fault instead of from power-on,
 * ended early (state.ts) when its state equals the reference's at a later checkpoint.
 *
 * A run's result is what the same fault gives run from the start, alone: for a program,
 * `lockstep run PROGRAM --inject SPEC --classify` (the same machine settings, no console
 * input, HANG_FACTOR × the reference's instructions at most); for a workload, `lockstep run
 * --workload W --inject SPEC` and its ledger. Checkpoints and early stops change how fast
 * that result comes, never what it is.
 */
import { Machine, type ComparePoint } from '../machine/machine.ts';
import type { Engine } from '../machine/core.ts';
import { detectionLatency, isDetection, type Halt, type MachineEvent } from '../machine/events.ts';
import type { Topology } from '../machine/topology.ts';
import type { Program } from '../isa/program.ts';
import { classify, HANG_FACTOR, type Outcome } from '../fault/classify.ts';
import { formatFault, type Fault } from '../fault/spec.ts';
import { InputError } from '../input-error.ts';
import { TransactionFeed, type FeedCheckpoint, type FeedOptions } from '../transactions/feed.ts';
import type { Ledger } from '../transactions/ledger.ts';
import { feedOptionsFor, type WorkloadSettings } from '../transactions/settings.ts';
import { FaultSpace, type SpaceSpec } from './space.ts';
import type { CampaignOutcome } from './outcomes.ts';
import { StateImage, type MatchHint, type TouchedPage } from './state.ts';
import { faultModules } from '../fault/inject.ts';


/** Everything that decides a campaign's runs (and so its results): the same in every worker and shard. */
export interface CampaignSetup {
  program: Program;
  topology: Topology;
  compare?: ComparePoint;
  ramMiB?: number;
  /** Run the program as this transaction workload (its ledger judges each run). */
  workload?: WorkloadSettings;
  space: SpaceSpec;
  seed: number;
  /** The fault-free run must exit within this many instructions (programs; default 10^9). */
  maxInstructions?: number;
  /**
   * Faults every faulty run carries besides its own (`lockstep campaign --inject`), such as a
   * comparator stuck at agree: what the campaign then measures is the machine with that
   * latent fault. The reference stays fault-free.
   */
  background?: readonly Fault[];
}

/** A 64th of a run of `instructions` instructions, at least 1,000: the default checkpoint interval. */
export function defaultCheckpointInterval(instructions: number): number {
  return Math.max(MIN_CHECKPOINT_INTERVAL, Math.ceil(instructions / DEFAULT_CHECKPOINTS));
}

/** How the engine runs (speed only: results do not depend on it). */
export interface EngineOptions {
  /**
   * Instructions between checkpoints of the reference (default: defaultCheckpointInterval()
   * of the run, which takes a first pass to measure it). Infinity keeps one checkpoint, at
   * power-on: every run from the start.
   */
  checkpointEvery?: number;
  /** End a run early when its state equals the reference's (default true). */
  earlyStop?: boolean;
  /** How the machines' core runs guest code (default DEFAULT_ENGINE; core.ts Engine). */
  engine?: Engine;
}

/** One faulty run, as a line of the results file. */
export interface RunRecord {
  /** Its number in the campaign: the fault is FaultSpace.fault(seed, k). */
  k: number;
  /** The fault as `lockstep run --inject` takes it. */
  fault: string;
  outcome: CampaignOutcome;
  /** Instructions from the fault to its detection, or null if it was not detected. */
  latency: number | null;
  /** Instructions the machine retired in the whole run. */
  instructions: number;
  /** With a workload: the run's ledger. */
  ledger: Ledger | null;
  /** It ended at a checkpoint whose state equals the reference's (a speed statistic). */
  early: boolean;
}

/** The fault-free run, as the summary and the space need it. */
export interface ReferenceInfo {
  instructions: number;
  /** Exit status (programs); null for a workload whose machine is still up at the end. */
  exitCode: number | null;
  stdoutBytes: number;
  ledger: Ledger | null;
}

/** A problem with the campaign's input (the reference does not exit, a bad workload setting). */
export class CampaignError extends InputError {
  override name = 'CampaignError';
}

const DEFAULT_MAX_INSTRUCTIONS = 1e9;
const DEFAULT_CHECKPOINTS = 64;
const MIN_CHECKPOINT_INTERVAL = 1000;

interface Checkpoint {
  instret: number;
  snapshot: ArrayBuffer;
  image: StateImage;
  /** Reference stdout bytes so far. */
  outputBytes: number;
  feed?: FeedCheckpoint;
  /** feed checkpoint as JSON, for comparison. */
  feedKey?: string;
  /** Reference events so far. */
  events: number;
}

/** Collects a machine's stdout; the console never has input (end of input at once). */
class Capture {
  private bytes = new Uint8Array(1 << 12);
  length = 0;

  write(chunk: Uint8Array): void {
    if (this.length + chunk.length > this.bytes.length) {
      const grown = new Uint8Array(Math.max(this.bytes.length * 2, this.length + chunk.length));
      grown.set(this.bytes.subarray(0, this.length));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.length);
    this.length += chunk.length;
  }

  reset(prefix: Uint8Array): void {
    this.length = 0;
    this.write(prefix);
  }

  view(): Uint8Array { return this.bytes.subarray(0, this.length); }
}

export class CampaignEngine {
  readonly space: FaultSpace;
  readonly reference: ReferenceInfo;
  private readonly feedOptions?: FeedOptions;
  private readonly checkpoints: Checkpoint[];
  private readonly referenceOutput: Uint8Array;
  private readonly referenceHalt?: Halt;
  private readonly referenceEvents: MachineEvent[];
  private readonly earlyStop: boolean;

  private constructor(
    readonly setup: CampaignSetup,
    private readonly machine: Machine,
    private readonly output: Capture,
    parts: {
      space: FaultSpace; reference: ReferenceInfo; checkpoints: Checkpoint[]; output: Uint8Array; halt?: Halt;
      events: MachineEvent[]; feedOptions?: FeedOptions; earlyStop: boolean;
    },
  ) {
    this.space = parts.space;
    this.reference = parts.reference;
    this.checkpoints = parts.checkpoints;
    this.referenceOutput = parts.output;
    this.referenceHalt = parts.halt;
    this.referenceEvents = parts.events;
    this.feedOptions = parts.feedOptions;
    this.earlyStop = parts.earlyStop;
  }

  /**
   * Runs the fault-free reference with its checkpoints and resolves the fault space. Throws
   * CampaignError when the reference cannot be judged against (it does not exit, or waits
   * for input), SpaceError for a space that cannot be built, InputError for bad settings.
   */
  static async prepare(setup: CampaignSetup, options: EngineOptions = {}): Promise<CampaignEngine> {
    const output = new Capture();
    const feedOptions = setup.workload ? feedOptionsFor(setup.workload) : undefined;
    const machine = await Machine.create({
      topology: setup.topology, compare: setup.compare, ramMiB: setup.ramMiB, engine: options.engine,
      console: { write: (fd, bytes) => { if (fd === 1) output.write(bytes); }, read: () => null },
      // As `lockstep run`: a program's console may block (stdin, here at its end); a workload's never does.
      blockingInput: !setup.workload,
    });
    machine.load(setup.program);
    for (const fault of setup.background ?? []) {
      const problem = machine.checkFault(fault);
      if (problem) throw new CampaignError(`--inject: ${problem}`);
    }

    const limit = setup.maxInstructions ?? DEFAULT_MAX_INSTRUCTIONS;
    let every = options.checkpointEvery;
    if (every === undefined) {
      // A first pass finds the run's length, which sets the checkpoint interval.
      const start = machine.snapshot();
      if (feedOptions) new TransactionFeed(machine, feedOptions).advance();
      else runUntil(machine, limit);
      every = defaultCheckpointInterval(machine.instret);
      machine.restore(start);
      output.reset(new Uint8Array());
    }
    if (!(every >= 1)) throw new RangeError(`checkpoint interval ${every} must be at least 1 instruction`);

    const refFeed = feedOptions && new TransactionFeed(machine, feedOptions);
    const checkpoints: Checkpoint[] = [];
    const take = () => {
      const feedState = refFeed?.checkpoint();
      checkpoints.push({
        instret: machine.instret, snapshot: machine.snapshot(), image: StateImage.capture(machine, checkpoints.at(-1)?.image),
        outputBytes: output.length, feed: feedState, feedKey: feedState && JSON.stringify(feedState), events: machine.events.length,
      });
    };
    take();
    for (let at = every; at < limit; at += every) {
      if (refFeed) refFeed.advance(at - machine.instret);
      else runUntil(machine, at);
      if (machine.instret !== at || machine.halt || refFeed?.done) break;
      take();
    }
    if (refFeed) refFeed.advance();
    else runUntil(machine, limit);
    if (!refFeed && machine.halt?.reason !== 'exit') {
      throw new CampaignError(`the fault-free run must exit to judge faulty runs against it, but it ${machine.halt ? `stopped: ${machine.halt.message}` : `was still running after ${limit.toLocaleString('en-US')} instructions (--max-instructions)`}`);
    }
    const instructions = machine.instret;
    const ledger = refFeed?.ledger() ?? null;
    const space = new FaultSpace(setup.space, {
      moduleCount: machine.moduleCount,
      check: (fault) => machine.checkFault(fault),
      segments: setup.program.segments,
      instructions,
    });
    return new CampaignEngine(setup, machine, output, {
      space, checkpoints, output: output.view().slice(), halt: machine.halt, events: [...machine.events], feedOptions,
      earlyStop: options.earlyStop ?? true,
      reference: { instructions, exitCode: machine.halt?.exitCode ?? null, stdoutBytes: output.length, ledger },
    });
  }

  /** Checkpoints of the reference (one at power-on, then every interval). */
  get checkpointCount(): number { return this.checkpoints.length; }

  /** The k-th run of the campaign. */
  run(k: number): RunRecord {
    return this.runFault(this.space.fault(this.setup.seed, k), k);
  }

  /** Runs `fault` (checked by the space: it fits the machine) as run number `k`. */
  runFault(fault: Fault, k: number): RunRecord {
    const m = this.machine;
    const background = this.setup.background ?? [];
    // A run starts from the last checkpoint before its first fault.
    const first = Math.min(fault.at, ...background.map((f) => f.at));
    let from = 0;
    while (from + 1 < this.checkpoints.length && this.checkpoints[from + 1].instret <= first) from++;
    const start = this.checkpoints[from];
    m.restore(start.snapshot);
    this.output.reset(this.referenceOutput.subarray(0, start.outputBytes));
    const feed = this.feedOptions && TransactionFeed.resume(m, this.feedOptions, start.feed!);
    for (const f of background) m.inject(f);
    m.inject(fault);
    const spec = formatFault(fault);
    const hint: MatchHint = {};
    const touched = touchedPages(m, fault);
    // A background fault can stay latent in the machine (a stuck checker) while its state
    // equals the reference's: such runs are not ended early.
    for (let c = from + 1; c < this.checkpoints.length && this.earlyStop && background.length === 0; c++) {
      const checkpoint = this.checkpoints[c];
      if (feed) {
        while (!feed.done && !m.halt && m.instret < checkpoint.instret) feed.advance(checkpoint.instret - m.instret);
      } else {
        runUntil(m, checkpoint.instret);
      }
      if (m.halt || m.instret !== checkpoint.instret) break;
      if (this.sameFuture(checkpoint, touched, hint, feed)) return this.endedEarly(k, spec, checkpoint);
    }
    if (feed) {
      feed.advance();
      const ledger = feed.ledger();
      return { k, fault: spec, outcome: this.classifyWorkload(m.halt, m.events, ledger), latency: detectionLatency(m.events), instructions: m.instret, ledger, early: false };
    }
    runUntil(m, HANG_FACTOR * this.reference.instructions);
    const outcome = classify(
      { halt: this.referenceHalt, output: this.referenceOutput, events: this.referenceEvents },
      { halt: m.halt, output: this.output.view(), events: m.events, notActivated: m.notActivated() },
    );
    return { k, fault: spec, outcome, latency: detectionLatency(m.events), instructions: m.instret, ledger: null, early: false };
  }

  /**
   * The faulty machine, at `checkpoint`'s instruction, goes on as the reference did from
   * there. What it printed so far is history (its output then goes on as the reference's);
   * a workload's results so far are part of the feed's state and must be the reference's.
   */
  private sameFuture(checkpoint: Checkpoint, touched: TouchedPage[], hint: MatchHint, feed?: TransactionFeed): boolean {
    if (feed && JSON.stringify(feed.checkpoint()) !== checkpoint.feedKey) return false;
    return checkpoint.image.matches(this.machine, touched, hint);
  }

  /**
   * A run whose future is the reference's from `checkpoint` on: its events and output so far
   * and the reference's after that point, the reference's ending and ledger.
   */
  private endedEarly(k: number, fault: string, checkpoint: Checkpoint): RunRecord {
    const events = [...this.machine.events, ...this.referenceEvents.slice(checkpoint.events)];
    const latency = detectionLatency(events);
    if (this.feedOptions) {
      const ledger = this.reference.ledger!;
      return { k, fault, outcome: this.classifyWorkload(this.referenceHalt, events, ledger), latency, instructions: this.reference.instructions, ledger, early: true };
    }
    const rest = this.referenceOutput.subarray(checkpoint.outputBytes);
    const output = new Uint8Array(this.output.length + rest.length);
    output.set(this.output.view());
    output.set(rest, this.output.length);
    const outcome = classify(
      { halt: this.referenceHalt, output: this.referenceOutput, events: this.referenceEvents },
      { halt: this.referenceHalt, output, events, notActivated: [] },
    );
    return { k, fault, outcome, latency, instructions: this.reference.instructions, ledger: null, early: true };
  }

  /**
   * A workload run against the fault-free one (it lasts a span of virtual time, so it has no
   * exit to compare): failstop, crash (a fatal trap, no module left, or an exit the
   * reference did not make), hang (idle for good, or up but with fewer transactions served
   * correctly: lost or left queued), sdc (more wrong or duplicated results than the
   * reference's), then recovered or masked by whether anything was detected.
   */
  private classifyWorkload(halt: Halt | undefined, events: readonly MachineEvent[], ledger: Ledger): Outcome {
    const reference = this.reference.ledger!;
    if (halt && (halt.reason !== this.referenceHalt?.reason || halt.exitCode !== this.referenceHalt.exitCode)) {
      if (halt.reason === 'failstop') return 'failstop';
      if (halt.reason === 'idle') return 'hang';
      return 'crash';
    }
    if (ledger.wrong > reference.wrong || ledger.duplicated > reference.duplicated) return 'sdc';
    if (ledger.correct < reference.correct) return 'hang';
    if (!events.some((e) => e.kind === 'inject')) return 'not-activated';
    return events.some(isDetection) ? 'recovered' : 'masked';
  }
}

/** The RAM pages a fault writes directly (a RAM word's), not through a store: StateImage.matches must compare them. */
function touchedPages(machine: Machine, fault: Fault): TouchedPage[] {
  if (fault.target?.type !== 'mem') return [];
  const L = machine.core.layout;
  const page = Math.floor((fault.target.addr - L.RAM_BASE) / L.PAGE_SIZE);
  return faultModules(fault, machine.topology).map((module) => ({ module, page }));
}

/** Runs `machine` until it halts or has retired `instret` instructions. */
function runUntil(machine: Machine, instret: number): void {
  while (!machine.halt && machine.instret < instret) {
    if (machine.run(instret - machine.instret).stop === 'input') {
      throw new CampaignError(`the program waits for console input at instruction ${machine.instret}: a campaign's runs get none`);
    }
  }
}
