/**
 * Plays lesson steps headless, for `lockstep lesson check` and `lockstep grade`: builds the
 * machine (or failover system) of a step's start, applies the step's reference solution (the
 * faults and replacements a student would click, the answer, the program, the campaign),
 * runs it to its goal or to the end, and judges it with the goal checker the browser uses
 * (goals.ts), fed the same observations.
 *
 * A step that starts "continue" goes on with the run the previous step left, from where
 * that step stopped: a run stops as soon as its goal is met (at the end of the batch of
 * instructions in which it was). Faults given as a virtual time (`at=500ms`) are planned
 * when a run starts (from its scenario and the first step's solution), as `lockstep run
 * --workload` plans them; later steps name an instruction.
 *
 * No Node APIs: programs named by example or URL come from the PlayEnvironment, which the
 * CLI (src/cli/lesson.ts) and the browser provide.
 */
import { Machine } from '../machine/machine.ts';
import type { Halt, MachineEvent } from '../machine/events.ts';
import type { Program } from '../isa/program.ts';
import { loadProgram } from '../isa/load.ts';
import { classify, HANG_FACTOR, type RunSummary } from '../fault/classify.ts';
import { formatFault, parseFault, type Fault } from '../fault/spec.ts';
import { createService, isSystemTopology, settingsFor, type Service, type ServiceTopology } from '../system/index.ts';
import type { FailoverSettings } from '../system/settings.ts';
import type { SystemEvent } from '../system/failover.ts';
import { TransactionFeed } from '../transactions/feed.ts';
import { feedOptionsFor } from '../transactions/settings.ts';
import { decodeBase64Url } from '../scenario/scenario.ts';
import { failoverOptionsOf } from '../scenario/failover.ts';
import { checkAnswer, GoalChecker, type CampaignSummaryView, type GoalStatus, type Observation } from './goals.ts';
import type { CampaignSettings, Lesson, ProgramGoal, RunGoal, Solution, Step } from './lesson.ts';
import type { LessonScenario, ScenarioProgram } from './scenario.ts';
import { InputError } from '../input-error.ts';

/** A program file's bytes and the name it goes by in diagnostics. */
export interface ProgramFile {
  bytes: Uint8Array;
  name: string;
}

/** A campaign a step asks for: its settings and the machine of the step's start. */
export interface CampaignRequest extends CampaignSettings {
  program: Program;
  compare: LessonScenario['machine']['compare'];
  ramMiB: number;
}

/** What playing a lesson needs from where it runs. */
export interface PlayEnvironment {
  /** The file of a program a scenario names by example or by URL (relative to the lesson); throws with a message when there is none. */
  readProgram(program: Extract<ScenarioProgram, { example: string } | { url: string }>): Promise<ProgramFile>;
  /** Runs a fault-injection campaign; absent where there is no campaign engine. */
  runCampaign?(request: CampaignRequest): Promise<CampaignSummaryView>;
}

/** The program a scenario names, loaded (ProgramError with diagnostics when it does not assemble). */
export async function loadScenarioProgram(program: ScenarioProgram, env: PlayEnvironment): Promise<Program> {
  if ('source' in program) return loadProgram(new TextEncoder().encode(program.source), program.name ?? 'program.s', 'asm');
  if ('base64' in program) return loadProgram(decodeBase64Url(program.base64), program.name);
  const file = await env.readProgram(program);
  return loadProgram(file.bytes, file.name);
}

/**
 * Instructions a run executes between looks at its goal: a run whose goal is met stops at
 * most this many instructions later, which is where a step that continues it starts.
 */
export const LOOK_EVERY = 100;
/** The most instructions a program run executes when its fault-free run does not exit to bound it. */
const MAX_INSTRUCTIONS = 200_000_000;

/** One run of a scenario, headless, observed as the browser observes it. */
interface Run {
  readonly topology: ServiceTopology;
  /** Schedules a fault at an instruction; throws InputError (or FaultSpecError) naming the problem. */
  inject(fault: Fault): void;
  /** Replaces a module or a board at instruction `at` (default: where the run is). */
  replace(site: { module: number } | { board: number }, at?: number): void;
  /** Runs until `checker` settles or the run ends, feeding it what happens. */
  play(checker: GoalChecker): GoalStatus;
}

/** Each module's (or host's) 32 registers. */
function registersOf(machines: readonly Machine[], modulesOfEach: (m: Machine) => number): number[][] {
  return machines.flatMap((machine) => Array.from({ length: modulesOfEach(machine) }, (_, m) => Array.from({ length: 32 }, (_, n) => machine.reg(m, n))));
}

/** Console output of a run: the bytes, and the text handed out so far and since the last call. */
class ConsoleText {
  private readonly decoder = new TextDecoder();
  private fresh = '';
  /** Text handed out by take() so far. */
  shown = '';
  readonly bytes: Uint8Array[] = [];

  write(fd: number, bytes: Uint8Array): void {
    if (fd !== 1) return;
    this.bytes.push(bytes.slice());
    this.fresh += this.decoder.decode(bytes, { stream: true });
  }

  take(): string {
    const text = this.fresh;
    this.fresh = '';
    this.shown += text;
    return text;
  }

  all(): Uint8Array {
    const out = new Uint8Array(this.bytes.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const b of this.bytes) { out.set(b, at); at += b.length; }
    return out;
  }
}

type AnyEvent = MachineEvent | SystemEvent;

/** The events a list (a machine's, a system's) gained since the last look, as observations. */
class NewEvents {
  private seen = 0;
  constructor(private readonly list: readonly AnyEvent[], private readonly rename: (e: AnyEvent) => AnyEvent = (e) => e) {}

  take(): Observation[] {
    const fresh = this.list.slice(this.seen);
    this.seen = this.list.length;
    return fresh.map((e) => ({ kind: 'event', event: this.rename(e) }));
  }
}

/**
 * What every run shares. A checker sees the run from the moment it starts checking, as a
 * student does who moves on to the next step: first a look at the machine and the console
 * as they are, then what happens next — events before it are not its events — and, once
 * the run is over, its end (outcome, ledger, end), given again to every checker after.
 */
abstract class ObservedRun implements Run {
  private end: Observation[] | undefined;

  abstract readonly topology: ServiceTopology;
  abstract inject(fault: Fault): void;
  abstract replace(site: { module: number } | { board: number }, at?: number): void;
  /** Runs one batch; returns true when the run is over. */
  protected abstract step(): boolean;
  /** The events that happened since the last call, in order. */
  protected abstract freshEvents(): Observation[];
  protected abstract registers(): { instret: number; registers: number[][] };
  /** The observations of the end (outcome, ledger, end), once the run is over. */
  protected abstract finish(): Observation[];
  protected abstract readonly console: ConsoleText;

  play(checker: GoalChecker): GoalStatus {
    const shown = this.console.shown;
    const look: Observation[] = [{ kind: 'state', ...this.registers() }, ...(shown ? [{ kind: 'output' as const, text: shown }] : [])];
    if (this.end) return this.deliver(checker, [...look, ...this.end]);
    if (this.deliver(checker, look).state !== 'pending') return checker.status;
    for (;;) {
      const over = this.step();
      const fresh = this.freshEvents();
      const text = this.console.take();
      const seen: Observation[] = [...fresh, ...(text ? [{ kind: 'output' as const, text }] : [])];
      if (over) {
        this.end = this.finish();
        return this.deliver(checker, [...seen, { kind: 'state', ...this.registers() }, ...this.end]);
      }
      if (this.deliver(checker, seen).state !== 'pending') return checker.status;
    }
  }

  private deliver(checker: GoalChecker, observations: Observation[]): GoalStatus {
    for (const o of observations) if (checker.observe(o).state !== 'pending') break;
    return checker.status;
  }
}

/** A program on a lockstep machine, judged against its fault-free run when it ends. */
class ProgramRun extends ObservedRun {
  protected readonly console = new ConsoleText();
  private machine!: Machine;
  private machineEvents!: NewEvents;
  private reference: { halt: Halt; instret: number; output: Uint8Array; events: RunSummary['events'] } | undefined;
  private limit = MAX_INSTRUCTIONS;
  /** Faults planned for the run: without any, it has no outcome (the browser's verdict is "fault-free"). */
  private planned = 0;

  get topology(): ServiceTopology { return this.machine.topology; }

  static async start(scenario: LessonScenario, program: Program): Promise<ProgramRun> {
    const { topology } = scenario.machine;
    if (isSystemTopology(topology)) throw new InputError(`a ${topology} runs transaction workloads: give the scenario a workload`);
    const run = new ProgramRun();
    const config = { topology, compare: scenario.machine.compare, ramMiB: scenario.machine.ramMiB, resync: scenario.machine.resync, repairAfter: scenario.machine.repairAfter };
    const reference = new ConsoleText();
    const faultFree = await Machine.create({ ...config, console: { write: (fd, b) => reference.write(fd, b), read: () => null } });
    faultFree.load(program);
    while (!faultFree.halt && faultFree.instret < MAX_INSTRUCTIONS) faultFree.run(1 << 20);
    if (faultFree.halt?.reason === 'exit') {
      run.reference = { halt: faultFree.halt, instret: faultFree.instret, output: reference.all(), events: faultFree.events };
      run.limit = HANG_FACTOR * faultFree.instret;
    }
    run.machine = await Machine.create({ ...config, console: { write: (fd, b) => run.console.write(fd, b), read: () => null } });
    run.machine.load(program);
    run.machineEvents = new NewEvents(run.machine.events);
    return run;
  }

  inject(fault: Fault): void {
    this.machine.inject(fault);
    this.planned++;
  }

  replace(site: { module: number } | { board: number }, at?: number): void {
    this.machine.replace(at ?? this.machine.instret, site);
  }

  protected step(): boolean {
    const m = this.machine;
    m.run(Math.min(LOOK_EVERY, Math.max(0, this.limit - m.instret)));
    return m.halt !== undefined || m.instret >= this.limit;
  }

  protected freshEvents(): Observation[] {
    return this.machineEvents.take();
  }

  protected registers() {
    return { instret: this.machine.instret, registers: registersOf([this.machine], (m) => m.moduleCount) };
  }

  protected finish(): Observation[] {
    const m = this.machine;
    const end = m.halt?.message ?? `the program did not finish within ${this.limit.toLocaleString('en-US')} instructions`;
    if (this.planned === 0) return [{ kind: 'end', reason: `${end}; no fault was injected, so the run has no outcome` }];
    if (!this.reference) return [{ kind: 'end', reason: `${end}; its fault-free run does not exit, so the run has no outcome` }];
    const outcome = classify(this.reference, { halt: m.halt, output: this.console.all(), events: m.events, notActivated: m.notActivated() });
    return [{ kind: 'outcome', outcome }, { kind: 'end', reason: end }];
  }
}

/** The failover settings a scenario gives, in the units of src/system/settings.ts. */
function failoverOf(scenario: LessonScenario): Partial<Omit<FailoverSettings, 'topology'>> {
  return failoverOptionsOf(scenario.machine.failover ?? {});
}

/** A transaction workload on any service topology, for the scenario's span of virtual time. */
class WorkloadRun extends ObservedRun {
  protected readonly console = new ConsoleText();
  private built!: Service;
  private feed!: TransactionFeed;
  /** The machine's events; or a failover system's hosts' (each naming its host as module) and its own. */
  private sources!: NewEvents[];

  get topology(): ServiceTopology { return this.built.machine?.topology ?? this.built.system!.settings.topology; }

  /** `timed`: the faults at a virtual time, which the feed applies when its clock reaches them. */
  static async start(scenario: LessonScenario, program: Program, timed: Fault[]): Promise<WorkloadRun> {
    const run = new WorkloadRun();
    const m = scenario.machine;
    run.built = await createService(program, settingsFor({
      topology: m.topology, compare: m.compare, ramMiB: m.ramMiB, resync: m.resync, repairAfter: m.repairAfter, failover: failoverOf(scenario),
      console: { write: (fd, b) => run.console.write(fd, b), read: () => null },
    }));
    run.feed = new TransactionFeed(run.built.service, { ...feedOptionsFor(scenario.workload!), timedFaults: timed });
    const { machine, system } = run.built;
    run.sources = machine ? [new NewEvents(machine.events)]
      : [...system!.hosts.map((host, h) => new NewEvents(host.events, (e) => ('module' in e ? { ...e, module: h } : e))), new NewEvents(system!.events)];
    return run;
  }

  inject(fault: Fault): void {
    if (fault.atUs !== undefined) throw new InputError(`fault '${formatFault(fault)}': a fault at a virtual time is planned when the run starts; here, name the instruction (at=N)`);
    this.built.service.inject(fault);
  }

  replace(site: { module: number } | { board: number }, at?: number): void {
    const machine = this.built.machine;
    if (!machine) throw new InputError(`a ${this.topology}'s hosts are not replaced during a run; replacement is for dmr, pair-spare and tmr`);
    machine.replace(at ?? machine.instret, site);
  }

  protected step(): boolean {
    return this.feed.advance(LOOK_EVERY);
  }

  protected freshEvents(): Observation[] {
    return this.sources.flatMap((source) => source.take());
  }

  protected registers() {
    const { machine, system } = this.built;
    return { instret: this.built.service.instret, registers: registersOf(machine ? [machine] : system!.hosts, (m) => m.moduleCount) };
  }

  protected finish(): Observation[] {
    const down = this.built.service.down ? '; the service was down at the end' : '';
    return [
      { kind: 'ledger', ledger: this.feed.ledger() },
      { kind: 'end', reason: `the workload's ${this.feed.options.durationUs.toLocaleString('en-US')} µs of virtual time ran out${down}` },
    ];
  }
}

/** Starts a run of `scenario` with its faults and replacements, and `extra` faults. */
async function startRun(scenario: LessonScenario, program: Program, extra: readonly string[]): Promise<Run> {
  const faults = [...scenario.faults, ...extra].map(parseFault);
  let run: Run;
  if (scenario.workload) {
    run = await WorkloadRun.start(scenario, program, faults.filter((f) => f.atUs !== undefined));
    for (const f of faults) if (f.atUs === undefined) run.inject(f);
  } else {
    run = await ProgramRun.start(scenario, program);
    for (const f of faults) run.inject(f);
  }
  for (const r of scenario.replacements) run.replace('board' in r ? { board: r.board } : { module: r.module }, r.at);
  return run;
}

function applyReplacements(run: Run, solution: Solution): void {
  for (const r of solution.replace ?? []) run.replace('board' in r ? { board: r.board } : { module: r.module }, r.at);
}

// ── Lessons ────────────────────────────────────────────────────────────────────────────

/** How one step of a lesson played. `number` counts from 1. */
export interface StepReport {
  number: number;
  title: string;
  status: GoalStatus;
}

/** One test of a program step, as graded. */
export interface TestResult {
  name: string;
  points: number;
  score: number;
  status: GoalStatus;
}

/**
 * What a step throws is a reason it fails: an InputError (a program that does not load, a
 * fault the machine refuses, campaign settings it cannot take), or a plain Error (such as
 * the environment's readProgram refusing a file). A TypeError or a RangeError that is no
 * InputError is a bug, and is thrown on.
 */
function failure(error: unknown): GoalStatus {
  if (error instanceof InputError || (error instanceof Error && error.name === 'Error')) {
    return { state: 'failed', reason: error.message };
  }
  throw error;
}

/**
 * Plays every step's reference solution through the goal checker, in order; a step that
 * continues takes the run of the steps before it as they left it.
 */
export async function checkLesson(lesson: Lesson, env: PlayEnvironment): Promise<StepReport[]> {
  const reports: StepReport[] = [];
  let run: Run | undefined;
  for (const [k, step] of lesson.steps.entries()) {
    let status: GoalStatus;
    try {
      if (step.start !== 'continue' && !['campaign', 'program'].includes(step.goal.kind)) {
        const runGoal = !['choice', 'number'].includes(step.goal.kind);
        run = await startRun(step.start, await loadScenarioProgram(step.start.program, env), runGoal ? step.solution.inject ?? [] : []);
      } else if (step.start === 'continue' && run) {
        for (const f of step.solution.inject ?? []) run.inject(parseFault(f));
      }
      status = await judgeStep(step, run, env);
    } catch (error) {
      status = failure(error);
    }
    reports.push({ number: k + 1, title: step.title, status });
  }
  return reports;
}

async function judgeStep(step: Step, run: Run | undefined, env: PlayEnvironment): Promise<GoalStatus> {
  const { goal, solution } = step;
  switch (goal.kind) {
    case 'choice':
    case 'number':
      return checkAnswer(goal, solution.answer!);
    case 'program': {
      const results = await runProgramTests(step, solution.program!, env);
      const failed = results.filter((r) => r.status.state !== 'met');
      return failed.length === 0
        ? { state: 'met', evidence: `the solution passes all ${results.length} tests` }
        : { state: 'failed', reason: failed.map((r) => `test "${r.name}": ${r.status.state === 'failed' ? r.status.reason : 'not met'}`).join('; ') };
    }
    case 'campaign':
      return runCampaignStep(step, env);
    default: {
      if (!run) return { state: 'failed', reason: 'no run to continue' };
      applyReplacements(run, solution);
      return run.play(new GoalChecker(goal, { topology: run.topology }));
    }
  }
}

async function runCampaignStep(step: Step, env: PlayEnvironment): Promise<GoalStatus> {
  if (step.start === 'continue' || step.goal.kind !== 'campaign') throw new Error('a campaign step starts from its scenario');
  if (!env.runCampaign) return { state: 'failed', reason: 'this step runs a fault-injection campaign, and this lockstep has no campaign engine (lockstep campaign)' };
  const program = await loadScenarioProgram(step.start.program, env);
  const summary = await env.runCampaign({ ...step.solution.campaign!, program, compare: step.start.machine.compare, ramMiB: step.start.machine.ramMiB });
  const checker = new GoalChecker(step.goal, { topology: step.solution.campaign!.topology });
  checker.observe({ kind: 'campaign', summary });
  return checker.observe({ kind: 'end', reason: `the campaign made ${summary.runs} runs` });
}

/**
 * Runs each test of a program step on `submission`: a run from the step's start with the
 * submission as its program, the test's faults added and its topology if it names one.
 * A submission that does not load fails every test with its diagnostics.
 */
export async function runProgramTests(step: Step, submission: ScenarioProgram | Program, env: PlayEnvironment): Promise<TestResult[]> {
  if (step.start === 'continue' || step.goal.kind !== 'program') throw new Error('a program step starts from its scenario');
  const goal: ProgramGoal = step.goal;
  const start = step.start;
  let program: Program | undefined;
  let problem: GoalStatus | undefined;
  try {
    program = 'segments' in submission ? submission : await loadScenarioProgram(submission, env);
  } catch (error) {
    problem = failure(error);
  }
  const results: TestResult[] = [];
  for (const test of goal.tests) {
    let status: GoalStatus;
    if (problem) {
      status = problem;
    } else {
      try {
        const scenario: LessonScenario = { ...start, machine: { ...start.machine, topology: test.topology ?? start.machine.topology } };
        const run = await startRun(scenario, program!, test.faults);
        status = run.play(new GoalChecker(test.goal as RunGoal, { topology: run.topology }));
      } catch (error) {
        status = failure(error);
      }
    }
    results.push({ name: test.name, points: test.points, score: status.state === 'met' ? test.points : 0, status });
  }
  return results;
}
