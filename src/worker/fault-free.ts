/**
 * Fault-free runs (reference.ts) beside the machine, each in a worker of its own, so that
 * they cost the machine's thread nothing: the fault-free twin (twin.ts) and the
 * fault-free run the verdict is judged against (verdict.ts). A machine's worker starts them
 * as nested workers (a Web Worker's Worker in the browser, worker_threads in Node: see
 * fault-free-client.ts and fault-free-node-client.ts; FaultFreeRunners keeps a session's
 * two) and talks to each through a FaultFreeRun; where no worker can be started the same
 * FaultFreeRunner runs in the machine's thread (inThread()), as before.
 *
 * The protocol is one-way and pipelined: the client posts commands (start, resume, advance
 * to an instruction with the history's input, take a state) and goes on at once; the
 * runner answers them in order, each advance with a report — where the run is, its module's
 * registers and the output it printed since the last report. So the client always knows a
 * true state of the fault-free run, labelled with its instruction count, if not always the
 * one at the machine's instruction count: settled() waits until every command is answered.
 *
 * A runner keeps the states its run passes along a history the client names (the twin's:
 * a program and setup, without input), so that the twin of the next machine of the same
 * program and setup goes on from them rather than executing the run again (passed-states.ts);
 * while the machine is idle it runs the history ahead to keep them before any twin needs
 * them (scout()).
 */
import { transfer } from 'comlink';
import { compileCore } from '../machine/core.ts';
import type { Machine, MachineConfig } from '../machine/machine.ts';
import type { Halt } from '../machine/events.ts';
import type { Program } from '../isa/program.ts';
import type { MachineSetup } from './rig.ts';
import { ReferenceRun, type InputChunk, type ReferenceState } from './reference.ts';
import { ByteLog } from './byte-log.ts';
import { architectural, type Architectural } from './architectural.ts';
import { PassedStates } from './passed-states.ts';
import { yieldToEvents } from './time-slices.ts';

/**
 * Instructions a kept state must save for an advance to go on from it rather than run on
 * (2^20): restoring a state takes about as long as simplex translated code runs 2^19.
 */
export const SKIP_MIN = 2 ** 20;

/**
 * Instructions a run ahead of the machine goes at most (FaultFreeRunner.scout, 2^30): about
 * a second of simplex translated code, the runs a lab is used for many times over.
 */
export const SCOUT_LIMIT = 2 ** 30;
/**
 * Instructions a slice of the run ahead executes at most (2^22): about 2.5 ms of simplex
 * translated code, what a call that arrives meanwhile waits at most for it.
 */
export const SCOUT_SLICE = 2 ** 22;

/** A state a fault-free run can go on from: a fault-free run's state at instruction `instret`. */
export interface TwinState extends ReferenceState {
  instret: number;
}

/** A fault-free run's setup: a machine's, without its console. */
export type FaultFreeSetup = Omit<MachineConfig, 'console' | 'blockingInput'>;

/**
 * The setup of the fault-free run of a machine of `setup`: one module, a simplex machine.
 * Until a lockstep machine deviates its modules hold the same state, and each runs on as a
 * simplex machine of the same setup does, instruction for instruction (twin.ts,
 * faultFreeSnapshot) — so the fault-free run of every topology of one setup is the same.
 */
export function faultFreeSetup(setup: MachineSetup): FaultFreeSetup {
  return { ...setup, topology: 'simplex' };
}

/** Where a fault-free run is, as its runner answers an advance. */
export interface FaultFreeReport {
  instret: number;
  halt?: Halt;
  /** It waits for console input beyond the `given` chunks it has (its clock stands still). */
  waiting: boolean;
  /**
   * An instruction count at which the run is known to be still running (not halted): its own
   * unless it halted, or further where the states a run of this history passed before reach
   * (passed-states.ts); -1 when none is known.
   */
  runningAt: number;
  /** Chunks of the input log it has been given, and has taken. */
  given: number;
  delivered: number;
  /** Its module 0 (all its modules agree: nothing faults them). */
  module: Architectural;
  /** Its console output from byte `outputFrom` on: what the client's copy lacks from there. */
  outputFrom: number;
  output: Uint8Array;
}

/**
 * One fault-free run, served to a machine's worker. Every method but prepare() runs to its
 * end before the next call is served (start() awaits only the core prepare() compiled), so
 * the calls take effect in the order they were made.
 */
export class FaultFreeRunner {
  private run?: ReferenceRun;
  /**
   * The run's console output as far as it has ever been run along this history's input
   * (cleared by forget(), unless it names the same history again): a run is deterministic, so any of its states goes on from a
   * prefix of it, whenever that state was taken.
   */
  private known = new ByteLog();
  /** Bytes of output the client holds (its copy is the first `sent` bytes of `known`). */
  private sent = 0;
  /** The history's input, as the client last gave it. */
  private inputs: InputChunk[] = [];
  /** The machine of the run that ended last, which resume() restores into rather than setting up a new one. */
  private idle?: Machine;
  /** States passed along this history, when it is named and takes no input: an advance goes on from the newest that saves work. */
  private readonly passed = new PassedStates();
  /** The run ahead of the machine along the kept history (scout()), until it ends; whether it is held; its loop while one runs. */
  private scouting?: ReferenceRun;
  private scoutHeld = true;
  private scoutLoop?: Promise<void>;

  /** Compiles the machine core, so that the other calls build machines at once. */
  async prepare(): Promise<void> {
    await compileCore();
  }

  /** A run of `program` from its start, on a new history. */
  async start(setup: FaultFreeSetup, program: Program): Promise<void> {
    this.forget();
    this.run = await ReferenceRun.start(setup, program);
  }

  /**
   * Goes on from `state`: one of its own (state()), or a fault-free machine state whose
   * console printed `output` before it (else the known output's first bytes).
   */
  resume(state: TwinState, output?: Uint8Array): void {
    this.run = ReferenceRun.resume(state, output ?? this.known.bytes(0, state.outputLength), this.run?.machine ?? this.idle);
    this.idle = undefined;
    this.learn();
  }

  /** Drops the run (what it printed stays known). */
  stop(): void {
    this.drop();
  }

  /**
   * A new history, or the history's input changed: the run and what it printed are another's
   * from here on. `history` names a history without input (a program and setup: see
   * PassedStates); when it names the one before, what that printed and the states it passed
   * stay known, and its runs go on from them.
   */
  forget(history?: string): void {
    this.drop();
    this.sent = 0;
    this.inputs = [];
    if (history !== undefined && history === this.passed.history) return;
    this.known = new ByteLog();
    this.keepFor(history);
  }

  /** States passed are kept for `history` from now on (undefined: none); the run ahead, another's, ends. */
  private keepFor(history?: string): void {
    this.passed.clear(history);
    this.endScouting();
  }

  /** Ends the run ahead; its machine is kept for the next resume(). */
  private endScouting(): void {
    this.idle ??= this.scouting?.machine;
    this.scouting = undefined;
  }

  /**
   * While the machine is idle: runs the kept history ahead of it in the background — from
   * `state` (a fault-free state of the history whose console printed `output` before it),
   * or, without one, on with the run ahead that was held — a slice (SCOUT_SLICE) at a time
   * between the calls served, keeping the states it passes, so that a twin that forks later runs little
   * of the history itself. It ends where the run halts, waits for input, or reaches
   * SCOUT_LIMIT, and does nothing along a history not kept. Resolves once it stops: ended,
   * or held (hold()).
   */
  scout(state?: TwinState, output?: Uint8Array): Promise<void> {
    if (!this.passed.keeping) return Promise.resolve();
    if (state && output && !this.scouting) {
      this.scouting = ReferenceRun.resume(state, output, this.idle);
      this.idle = undefined;
    }
    this.scoutHeld = false;
    // Cleared once settled, after the assignment even when the run ahead ends without a slice's yield.
    this.scoutLoop ??= this.runAhead().finally(() => { this.scoutLoop = undefined; });
    return this.scoutLoop;
  }

  private async runAhead(): Promise<void> {
    while (!this.scoutHeld && this.scouting && this.scoutStep()) await yieldToEvents();
  }

  /** Holds the run ahead after its slice (the machine runs: it would take the machine's time); scout() goes on with it. */
  hold(): void {
    this.scoutHeld = true;
  }

  /** One slice of the run ahead: SCOUT_SLICE instructions, from the newest state kept when one is further; false once it has ended. */
  private scoutStep(): boolean {
    const further = this.passed.newest(this.scouting!.instret, Infinity);
    const run = this.scouting = further ? this.fromKept(further, this.scouting!) : this.scouting!;
    const going = run.instret < SCOUT_LIMIT && this.runKeeping(run, Math.min(SCOUT_LIMIT, run.instret + SCOUT_SLICE), []);
    this.learn(run);
    if (going && this.passed.keeping) return true;
    this.endScouting();
    return false;
  }

  /**
   * Runs on to instruction `until` (ReferenceRun.advance) with the history's input —
   * `inputs` when it changed since the last call, else the last given. `lazy` (a machine
   * running flat out, beside which the twin may be shown behind): where the kept history
   * reaches past `until`, it may stop short at the newest state kept at or before `until`,
   * at most a grid spacing before it, rather than execute; the report says where it is.
   */
  advance(until: number, inputs?: InputChunk[], lazy = false): FaultFreeReport {
    if (inputs) this.inputs = inputs;
    if (this.inputs.length > 0 && this.passed.keeping) this.keepFor(undefined); // a history with input is not kept
    let more: boolean;
    if (!this.passed.keeping) more = this.running().advance(until, this.inputs);
    else if (lazy && this.skipAlong(until)) more = !this.run!.machine.halt;
    else more = this.advanceKeeping(until);
    this.learn();
    return this.report(more);
  }

  /**
   * A lazy advance along a kept history (advance()): goes on to the newest state kept at or
   * before `until`, when the history is kept past `until` and that leaves the run at most a
   * grid spacing short of it. Whether it did (false: the advance must execute).
   */
  private skipAlong(until: number): boolean {
    const run = this.running();
    if (!this.passed.knownPast(until)) return false;
    const ahead = this.passed.newest(run.instret, until);
    if ((ahead?.instret ?? run.instret) < until - this.passed.gridSpacing) return false;
    if (ahead) this.run = this.fromKept(ahead, run);
    return true;
  }

  /** advance() along a kept history: from the newest state passed that saves SKIP_MIN instructions or more, keeping the states it passes. */
  private advanceKeeping(until: number): boolean {
    const ahead = this.passed.newest(this.running().instret + SKIP_MIN, until);
    if (ahead) this.run = this.fromKept(ahead, this.run!);
    return this.runKeeping(this.run!, until, this.inputs);
  }

  /** A run going on from `state`, one kept, in `run`'s machine (a run of this history: the known output holds what came before). */
  private fromKept(state: TwinState, run: ReferenceRun): ReferenceRun {
    return ReferenceRun.resume(state, this.known.bytes(0, state.outputLength), run.machine);
  }

  /** Runs `run` on to instruction `until` with `inputs` (ReferenceRun.advance, whose answer it returns), keeping the states it passes on the grid and the one it halts in. */
  private runKeeping(run: ReferenceRun, until: number, inputs: readonly InputChunk[]): boolean {
    for (let next = this.passed.nextAfter(run.instret); next <= until; next = this.passed.nextAfter(run.instret)) {
      if (!run.advance(next, inputs)) break;
      this.keepPassed(run);
    }
    const more = run.advance(until, inputs);
    if (run.machine.halt) this.keepPassed(run);
    return more;
  }

  /** Keeps `run`'s state when it is one the states passed want: on the grid, or where the run halted. */
  private keepPassed(run: ReferenceRun): void {
    const halted = run.machine.halt !== undefined;
    if (this.passed.keeping && this.passed.wants(run.instret, halted)) this.passed.keep({ ...run.state(), instret: run.instret }, halted);
  }

  /** Its state now (transferred), and a report of it. */
  state(): { state: TwinState; report: FaultFreeReport } {
    const run = this.running();
    const state = { ...run.state(), instret: run.instret };
    this.learn();
    return transfer({ state, report: this.report(!run.machine.halt) }, [state.snapshot]);
  }

  /** Ends the run, keeping its machine for the next resume(). */
  private drop(): void {
    this.idle = this.run?.machine ?? this.idle;
    this.run = undefined;
  }

  private running(): ReferenceRun {
    if (!this.run) throw new Error('the fault-free run has not been started: start() or resume() it first');
    return this.run;
  }

  /** Keeps what `run` printed beyond what was known. */
  private learn(run = this.run!): void {
    const log = run.log;
    if (log.length > this.known.length) this.known.append(log.bytes(this.known.length));
  }

  private report(more: boolean): FaultFreeReport {
    const run = this.run!;
    const m = run.machine;
    const outputFrom = Math.min(this.sent, run.log.length);
    this.sent = Math.max(this.sent, run.log.length);
    return {
      instret: run.instret,
      ...(m.halt ? { halt: m.halt } : {}),
      waiting: !more && !m.halt,
      runningAt: Math.max(m.halt ? -1 : run.instret, this.passed.knownRunning),
      given: this.inputs.length,
      delivered: run.inputsDelivered,
      module: architectural(m, 0),
      outputFrom,
      output: run.log.bytes(outputFrom),
    };
  }
}

/** A FaultFreeRunner as its client calls it: every method answers asynchronously. */
export type FaultFreePort = {
  [K in keyof FaultFreeRunner]: FaultFreeRunner[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never;
};

/** A runner in a worker of its own, and how to end that worker. */
export interface SpawnedRunner {
  port: FaultFreePort;
  terminate(): void;
}

/** Starts a FaultFreeRunner in a worker of its own, prepared; rejects when no worker can be started here. */
export type FaultFreeSpawner = () => Promise<SpawnedRunner>;

/**
 * A FaultFreeRunner in this thread, in the caller's time: each call runs once the calls
 * before it have ended, as a worker serves them (start() awaits the core, and a call made
 * meanwhile must find the run it starts).
 */
export function inThread(): SpawnedRunner {
  const runner = new FaultFreeRunner();
  let last: Promise<unknown> = Promise.resolve();
  const inOrder = <T>(call: () => T | Promise<T>): Promise<T> => {
    const done = last.then(call);
    last = done.catch(() => {});
    return done;
  };
  const port = {
    prepare: () => inOrder(() => runner.prepare()),
    start: (setup, program) => inOrder(() => runner.start(setup, program)),
    resume: (state, output) => inOrder(() => runner.resume(state, output)),
    stop: () => inOrder(() => runner.stop()),
    forget: (history) => inOrder(() => runner.forget(history)),
    advance: (until, inputs, lazy) => inOrder(() => runner.advance(until, inputs, lazy)),
    state: () => inOrder(() => runner.state()),
    // No run ahead here: it would take the machine's own time.
    scout: () => Promise.resolve(),
    hold: () => Promise.resolve(),
  } satisfies FaultFreePort;
  return { port, terminate: () => {} };
}

/** Where a session's fault-free runs execute: `worker` (each its own), or `thread` (the machine's, with the reason). */
export type FaultFreePlace = { where: 'worker' } | { where: 'thread'; why: string };

/**
 * A session's runners: the twin's and the verdict's fault-free run's, each started when first
 * needed and kept for every machine of the session, in a worker of its own (`spawn`) or,
 * without `spawn` or when it fails, in this thread.
 */
export class FaultFreeRunners {
  private twinRunner?: Promise<FaultFreePort>;
  private referenceRunner?: Promise<FaultFreePort>;
  private readonly started: SpawnedRunner[] = [];
  private place: FaultFreePlace;

  constructor(private readonly spawn?: FaultFreeSpawner) {
    this.place = spawn ? { where: 'worker' } : { where: 'thread', why: 'this machine was set up without workers for fault-free runs' };
  }

  /** Where the twin runs (as far as known: its runner may still be starting). */
  get twinPlace(): FaultFreePlace { return this.place; }

  twin(): Promise<FaultFreePort> {
    this.twinRunner ??= this.start((why) => { this.place = { where: 'thread', why }; });
    return this.twinRunner;
  }

  reference(): Promise<FaultFreePort> {
    this.referenceRunner ??= this.start(() => {});
    return this.referenceRunner;
  }

  /** Ends the runners' workers (a session that is done with); the next call starts new ones. */
  close(): void {
    for (const runner of this.started.splice(0)) runner.terminate();
    this.twinRunner = this.referenceRunner = undefined;
  }

  /** A runner in a worker of its own, or, when none can be started, in this thread (`failed` says why). */
  private start(failed: (why: string) => void): Promise<FaultFreePort> {
    const started = this.spawn ? this.spawn().catch((error: unknown) => {
      failed(`no worker could be started for it (${error instanceof Error ? error.message : String(error)})`);
      return inThread();
    }) : Promise.resolve(inThread());
    return started.then((runner) => {
      this.started.push(runner);
      return runner.port;
    });
  }
}

/**
 * The client's side of one fault-free run (see above): it posts commands in order without
 * waiting, and keeps the latest report and the run's output as far as reported.
 */
export class FaultFreeRun {
  private latestReport?: FaultFreeReport;
  private copy = new ByteLog();
  private reportCount = 0;
  /** Bumped when the history starts over (start, forget): answers to older commands are dropped. */
  private epoch = 0;
  /** Commands posted, and the one whose answer `latest` is (it is the run's state now when they are equal). */
  private posted = 0;
  private reportedBy = -1;
  /** Advances and state requests not answered yet; waiters for fewer. */
  private pending = 0;
  private waiters: (() => void)[] = [];
  private last: Promise<unknown> = Promise.resolve();
  private failure?: unknown;
  /** The input log as last sent (the runner keeps it until it changes). */
  private sentInputs: readonly InputChunk[] = [];
  /** Where the run can be at most once every command posted is done: its instruction count, and input chunks taken. */
  private bound = { instret: 0, delivered: 0 };

  constructor(private readonly port: Promise<FaultFreePort>) {}

  /** The latest report of this history (undefined before the first). */
  get latest(): FaultFreeReport | undefined { return this.latestReport; }

  /** The run's console output as far as the latest report: a copy of the runner's along this history. */
  get output(): ByteLog { return this.copy; }

  /** Reports taken since the history started over. */
  get reports(): number { return this.reportCount; }

  /** The latest report is of the run as it is now: no command has been posted since. */
  get current(): FaultFreeReport | undefined {
    return this.reportedBy === this.posted ? this.latest : undefined;
  }

  /** Where the run is (current) or, while commands are on their way, how far it can be at most. */
  get at(): { instret: number; delivered: number } {
    return this.current ?? this.bound;
  }

  start(setup: FaultFreeSetup, program: Program): void {
    this.restart();
    this.post((p) => p.start(setup, program));
  }

  /** Goes on from `state` (see FaultFreeRunner.resume): the copy of the output moves there at once when it is known. */
  resume(state: TwinState, output?: Uint8Array): void {
    this.bound = { instret: state.instret, delivered: state.delivered };
    if (output) {
      this.copy.moveTo(0);
      this.copy.append(output.subarray(0, state.outputLength));
    } else if (state.outputLength <= this.copy.length) {
      this.copy.moveTo(state.outputLength);
    }
    this.post((p) => p.resume(state, output));
  }

  stop(): void {
    this.post((p) => p.stop());
  }

  /** Runs the history ahead in the background from `start`, or on with the run ahead held (FaultFreeRunner.scout); nothing waits for it. */
  scout(start?: { state: TwinState; output: Uint8Array }): void {
    void this.port.then((p) => p.scout(start?.state, start?.output)).catch(() => {});
  }

  /** Holds the run ahead (FaultFreeRunner.hold). */
  hold(): void {
    void this.port.then((p) => p.hold()).catch(() => {});
  }

  /** A new history, or the history's input changed (FaultFreeRunner.forget: `history` names one without input). */
  forget(history?: string): void {
    this.restart();
    this.post((p) => p.forget(history));
  }

  /** Runs on to instruction `until` with the history's input (FaultFreeRunner.advance: a `lazy` one may stop short). */
  advance(until: number, inputs: readonly InputChunk[], lazy = false): void {
    this.bound = { instret: Math.max(this.bound.instret, until), delivered: Math.max(this.bound.delivered, inputs.length) };
    const changed = !this.gave(inputs);
    if (changed) this.sentInputs = [...inputs];
    const sent = changed ? [...inputs] : undefined;
    void this.answered((p) => p.advance(until, sent, lazy), (report) => report).catch(() => {});
  }

  /**
   * Its state once the commands before have been done; undefined if the history has started
   * over meanwhile, or the runner failed (settled() says why).
   */
  state(): Promise<TwinState | undefined> {
    return this.answered((p) => p.state(), ({ report }) => report).then((answer) => answer?.state, () => undefined);
  }

  /** Whether the input it was last given is `inputs`: the same chunks (what a report's `waiting` is about). */
  gave(inputs: readonly InputChunk[]): boolean {
    const sent = this.sentInputs;
    return inputs.length === sent.length && inputs.every((c, k) => c.at === sent[k].at && c.bytes === sent[k].bytes);
  }

  /** Resolves once every command posted so far has been answered; rejects if one failed. */
  async settled(): Promise<void> {
    await this.last;
    if (this.failure) throw this.failure;
  }

  /** Advances and state requests posted and not answered yet. */
  get unanswered(): number { return this.pending; }

  /** A command failed: settled() rejects from now on. */
  get failed(): boolean { return this.failure !== undefined; }

  /** Resolves at the next answer to an advance or a state request, at once when none is awaited; rejects if one failed. */
  answer(): Promise<void> {
    return this.within(Math.max(0, this.pending - 1));
  }

  /** Resolves once at most `n` advances and state requests are unanswered. */
  async within(n: number): Promise<void> {
    while (this.pending > n) await new Promise<void>((resolve) => this.waiters.push(resolve));
    if (this.failure) throw this.failure;
  }

  private restart(): void {
    this.epoch++;
    this.latestReport = undefined;
    this.reportCount = 0;
    this.copy = new ByteLog();
    this.sentInputs = [];
    this.bound = { instret: 0, delivered: 0 };
  }

  private post<T>(command: (port: FaultFreePort) => Promise<T>): Promise<T> {
    this.posted++;
    const answer = this.port.then(command);
    this.last = answer.then(() => {}, (error: unknown) => { this.failure ??= error; });
    return answer;
  }

  /** Posts a command answered with a report; takes the report in (unless the history started over) and returns the answer. */
  private answered<T>(command: (port: FaultFreePort) => Promise<T>, reportOf: (answer: T) => FaultFreeReport): Promise<T | undefined> {
    const epoch = this.epoch;
    this.pending++;
    const answer = this.post(command);
    const by = this.posted;
    const done = () => {
      this.pending--;
      for (const wake of this.waiters.splice(0)) wake();
    };
    return answer.then((value) => {
      done();
      if (epoch !== this.epoch) return undefined;
      this.take(reportOf(value), by);
      return value;
    }, (error: unknown) => {
      done();
      throw error;
    });
  }

  private take(report: FaultFreeReport, by: number): void {
    this.copy.moveTo(report.outputFrom);
    this.copy.append(report.output);
    this.latestReport = report;
    this.reportedBy = by;
    this.reportCount++;
  }
}
