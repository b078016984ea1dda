/**
 * `<ls-lesson-player>`: plays a lesson beside a `<lockstep-machine>`. Each step
 * shows its narration (Markdown, sanitised: web/components/markdown.ts), sets up its start
 * in the machine (a scenario; or "continue" with the machine as the previous step left it,
 * set up again from the lesson when that machine is gone), and checks its goal:
 *
 * - a run goal live, from what the machine does (web/state/lesson-observer.ts feeding the
 *   goal checker of src/lessons/goals.ts, as `lockstep lesson check` does headless); the
 *   machine pauses when the goal is met, where the headless check stops the run;
 * - a question answered here (checkAnswer);
 * - a program step by running its tests on the text of the editor here, in a worker of
 *   their own, as `lockstep grade` runs them;
 * - a campaign step by running its campaign (the step's topology, fault kinds and targets;
 *   the runs and the seed to choose) with the engine of `lockstep campaign`, in a pool of
 *   Web Workers as the campaign panel runs it, and judging its counts.
 *
 * Hints are revealed one at a time; back and next, or any step from the list. Progress
 * (steps done, a program step's best score, hints, the program text) is kept by lesson id
 * in the ProgressStore. Keyboard: every control is reachable with Tab; keys typed into the
 * player's fields never reach the machine's shortcuts. A live region announces a goal met,
 * a failed attempt and the end of the lesson.
 *
 * Events (bubbling, composed): `lesson-progress` and `lesson-complete` with the messages of
 * web/state/lesson.ts as detail; `large-text` with the mode wanted (boolean).
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import { unsafeHTML } from 'lit/directives/unsafe-html.js';
import type { LockstepMachine } from './lockstep-machine.ts';
import type { CodeEditor } from './code-editor.ts';
import './code-editor.ts';
import { tokens, shared } from './theme.ts';
import { renderMarkdown } from './markdown.ts';
import { act } from './act.ts';
import { GoalChecker, checkAnswer, type GoalStatus, type Observation } from '../../src/lessons/goals.ts';
import type { CampaignGoal, ChoiceGoal, Lesson, NumberGoal, Step } from '../../src/lessons/lesson.ts';
import type { LessonScenario } from '../../src/lessons/scenario.ts';
import type { TestResult } from '../../src/lessons/play.ts';
import { createGraderWorker, type GraderClient } from '../../src/worker/client.ts';
import type { CampaignSetup } from '../../src/campaign/engine.ts';
import { WorkerPool } from '../../src/campaign/pool.ts';
import { browserCampaignWorker } from '../../src/campaign/browser-pool.ts';
import { CAMPAIGN_OUTCOMES } from '../../src/campaign/outcomes.ts';
import { DEFAULT_SPACE } from '../../src/campaign/space.ts';
import { loadProgram } from '../../src/isa/load.ts';
import { checkSettings, MAX_PAGE_RUNS, shares, shareText, started, withRecords, withStatus, type CampaignState } from '../state/campaign.ts';
import { scenarioProgram } from '../state/scenario-source.ts';
import { errorText } from '../state/controller.ts';
import { RunObserver } from '../state/lesson-observer.ts';
import {
  completeMessage, emptyProgress, goalText, isRunGoal, lessonScore, progressMessage, readNumber, replayScenario, scenarioStepOf, starterProgram, stepLink,
  type LessonCompleteMessage, type LessonLocation, type LessonProgress, type LessonProgressMessage, type ProgressStore,
} from '../state/lesson.ts';

/** The result of the current attempt at a step, as the player shows it. */
type Attempt = { status: GoalStatus; tests?: TestResult[] };

/** "3 of 5 points". */
const points = (tests: readonly TestResult[]) => {
  const got = tests.reduce((n, t) => n + t.score, 0);
  const max = tests.reduce((n, t) => n + t.points, 0);
  return { got, max, text: `${got} of ${max} point${max === 1 ? '' : 's'}` };
};

export class LessonPlayer extends LitElement {
  static override properties = {
    lesson: { attribute: false },
    theme: { type: String, reflect: true },
    largeText: { type: Boolean, attribute: 'large-text', reflect: true },
    current: { state: true },
    attempt: { state: true },
    progress: { state: true },
  };
  declare lesson: Lesson;
  declare theme: string | undefined;
  declare largeText: boolean;
  /** The step shown, from 0. */
  declare current: number;
  declare attempt: Attempt;
  declare progress: LessonProgress;

  /** The machine the lesson drives. */
  machine!: LockstepMachine;
  /** Where the lesson came from (for links to its steps), and the URL its programs' relative URLs resolve against. */
  location!: Exclude<LessonLocation, { kind: 'none' }>;
  base!: string;
  store!: ProgressStore;
  /** Where "All lessons" goes (the app page), or none (an embed plays one lesson). */
  allLessons?: string;

  private readonly observer = new RunObserver();
  private checker?: GoalChecker;
  /** Counts step entries: work for an earlier one is dropped when it finishes. */
  private generation = 0;
  /** The machine is being set up for a step: its changes are not the student's run. */
  private settingUp = false;
  /** The index of the step whose scenario the machine was set up from, by this player. */
  private machineFrom?: number;
  /** Why the step's machine could not be set up, or how it was. */
  private setupNote?: { kind: 'error' | 'info'; text: string };
  private grader?: GraderClient;
  private grading = false;
  /** A campaign step's campaign: its one topology's counts so far (web/state/campaign.ts). */
  private campaign?: CampaignState;
  private hintsShown = 0;
  private feedback?: string;
  private copy?: { link: string; copied: boolean };
  private confirmReset = false;
  private announcement = '';
  /** The program step's editor text as the step started (starter or kept), for the editor to take once drawn. */
  private editorText?: { text: string; name: string };
  /** The program step's starter text. */
  private starter?: string;
  /** The set-ups of the steps entered, one after another. */
  private setUpChain: Promise<void> = Promise.resolve();
  private readonly onMachineChange = () => this.observe();

  static override styles = [tokens, shared, css`
    :host { display: block; background: var(--ls-bg); color: var(--ls-text); font-size: var(--ls-size); line-height: 1.5; padding: 0.8rem; }
    :host([large-text]) { --ls-size: 24px; --ls-code-size: 22px; }
    h2 { font-size: 1.3em; margin: 0 0 0.2rem; }
    h3 { font-size: 1.15em; margin: 0.2rem 0 0.6rem; }
    h4 { font-size: 1em; margin: 0 0 0.4rem; }
    a { color: var(--ls-accent); }
    :host([theme='dark']) a { color: #79c0ff; }
    p { margin: 0.4rem 0; }
    .top { display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 0.2rem 1rem; }
    .meta { margin: 0 0 0.4rem; }
    details.goals summary { cursor: pointer; }
    ol.steps { list-style: none; padding: 0; margin: 0.5rem 0; display: flex; flex-wrap: wrap; gap: 0.3rem; }
    ol.steps button { min-width: 2.6rem; padding: 0.2rem 0.5rem; }
    ol.steps button[aria-current='step'] { border: 2px solid var(--ls-accent); font-weight: 700; }
    ol.steps button.done { background: var(--ls-good-bg); border-color: var(--ls-good); color: var(--ls-good-text); }
    .card { background: var(--ls-surface); border: 1px solid var(--ls-border); border-radius: 10px; padding: 0.7rem 0.9rem; margin: 0.6rem 0; min-width: 0; }
    .narration { overflow-wrap: anywhere; }
    .narration :is(pre, code), .question code, .hints code, label code { font-family: var(--ls-mono); font-size: 0.92em; background: var(--ls-surface-2); border-radius: 4px; padding: 0 0.2rem; }
    .narration pre { padding: 0.5rem; overflow-x: auto; }
    .narration img { max-width: 100%; }
    .goal[data-state='met'] { border-color: var(--ls-good); background: var(--ls-good-bg); }
    .goal[data-state='failed'] { border-color: var(--ls-bad); }
    .status { font-weight: 600; margin: 0.4rem 0 0; }
    .status.met { color: var(--ls-good-text); }
    .status.failed, .problem { color: var(--ls-bad-text); }
    .note { background: var(--ls-surface-2); border-radius: 6px; padding: 0.4rem 0.6rem; }
    .note.error { background: var(--ls-bad-bg); color: var(--ls-bad-text); }
    form { margin: 0.5rem 0 0; }
    .row { display: flex; flex-wrap: wrap; gap: 0.4rem 0.6rem; align-items: center; }
    input[type=text], input[type=number] { min-width: 0; flex: 1 1 12rem; font-family: var(--ls-mono); }
    fieldset { border: 1px solid var(--ls-border); border-radius: 8px; margin: 0; padding: 0.4rem 0.7rem 0.6rem; min-width: 0; }
    fieldset label { display: flex; gap: 0.5rem; align-items: baseline; margin: 0.3rem 0; cursor: pointer; }
    fieldset input { min-height: auto; flex: none; }
    ls-editor { height: 22rem; margin: 0.5rem 0; }
    ul.tests { list-style: none; padding: 0; margin: 0.5rem 0 0; }
    ul.tests li { margin: 0.3rem 0; }
    ul.tests li.passed::before { content: '✓ '; color: var(--ls-good-text); font-weight: 700; }
    ul.tests li.failed::before { content: '✗ '; color: var(--ls-bad-text); font-weight: 700; }
    #lesson-campaign-table { margin-top: 0.5rem; font-size: 0.9em; }
    #lesson-campaign-table th, #lesson-campaign-table td { padding: 0.1rem 0.5rem; text-align: right; white-space: nowrap; }
    #lesson-campaign-table :is(th, td):first-child { text-align: left; }
    #lesson-campaign-table :is(th, td):last-child { white-space: normal; }
    #lesson-campaign-table caption { text-align: left; font-weight: 600; }
    input[type=number] { width: 8rem; flex: none; }
    ul.tests .why { display: block; font-size: 0.9em; color: var(--ls-muted); overflow-wrap: anywhere; }
    ol.hints { margin: 0.3rem 0; padding-left: 1.4rem; }
    .nav, .tools { display: flex; flex-wrap: wrap; gap: 0.5rem; align-items: center; margin: 0.6rem 0; }
    .nav .next { margin-left: auto; }
    .copy-link input { flex: 1 1 16rem; }
    .confirm { background: var(--ls-warn-bg); border: 1px solid var(--ls-warn); border-radius: 8px; padding: 0.5rem 0.7rem; }
  `];

  constructor() {
    super();
    this.largeText = false;
    this.current = 0;
    this.attempt = { status: { state: 'pending' } };
    this.progress = emptyProgress();
    // Keys typed into the player's own fields belong to them, not to the machine's shortcuts.
    this.addEventListener('keydown', (e) => {
      const target = e.composedPath()[0];
      if (target instanceof HTMLElement && (target.isContentEditable || ['INPUT', 'TEXTAREA', 'SELECT'].includes(target.tagName))) e.stopPropagation();
    });
  }

  /** The program being written is kept when the page goes away (a reload, a link followed). */
  private readonly onPageHide = () => this.keepProgram();

  override connectedCallback(): void {
    super.connectedCallback();
    window.addEventListener('pagehide', this.onPageHide);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    window.removeEventListener('pagehide', this.onPageHide);
    this.machine?.controller.removeEventListener('change', this.onMachineChange);
    this.grader?.terminate();
  }

  /** Starts the lesson at step `step` (from 0; default: where the student left it). */
  async begin(step?: number): Promise<void> {
    this.progress = this.store.load(this.lesson.id, this.lesson.steps.length);
    this.machine.controller.addEventListener('change', this.onMachineChange);
    await this.enter(step ?? this.progress.step, false);
  }

  private get step(): Step { return this.lesson.steps[this.current]; }
  private get done(): string | undefined { return this.progress.steps[this.current]?.done; }

  private save(): void {
    this.store.save(this.lesson.id, this.progress);
  }

  private patchStep(k: number, patch: Partial<LessonProgress['steps'][number]>): void {
    this.progress = { ...this.progress, steps: { ...this.progress.steps, [k]: { ...this.progress.steps[k], ...patch } } };
    this.save();
  }

  // ── Entering a step ────────────────────────────────────────────────────────────────

  /** Shows step `k` and sets up its start; `focus` moves keyboard focus to its heading (the student navigated). */
  async enter(k: number, focus: boolean): Promise<void> {
    this.keepProgram();
    const generation = ++this.generation;
    this.current = k;
    this.progress = { ...this.progress, step: k };
    this.save();
    this.checker = undefined;
    this.attempt = { status: { state: 'pending' } };
    this.hintsShown = this.progress.steps[k]?.hints ?? 0;
    this.feedback = undefined;
    this.copy = undefined;
    this.confirmReset = false;
    this.setupNote = undefined;
    this.editorText = undefined;
    this.starter = undefined;
    this.campaign = undefined;
    history.replaceState(history.state, '', stepLink(location.href, this.location, k + 1));
    if (focus) {
      await this.updateComplete;
      (this.renderRoot.querySelector('#lesson-step-title') as HTMLElement | null)?.focus();
    }
    const step = this.lesson.steps[k];
    // One set-up at a time, and none for a step the student has already left.
    const setUp = this.setUpChain.then(() => (generation === this.generation ? this.setUpStep(k, generation) : undefined));
    this.setUpChain = setUp;
    await setUp;
    if (generation !== this.generation) return;
    if (isRunGoal(step.goal) && this.done === undefined) {
      this.checker = new GoalChecker(step.goal, { topology: this.machine.controller.state.settings.topology });
      this.feed(this.observer.begin(this.machine.controller.state));
    }
    this.requestUpdate();
  }

  /** Sets up step `k`'s machine (and a program step's editor text); a failure becomes the step's note. */
  private async setUpStep(k: number, generation: number): Promise<void> {
    const step = this.lesson.steps[k];
    this.settingUp = true;
    try {
      const from = scenarioStepOf(this.lesson, k);
      if (step.start !== 'continue') {
        await this.setUp(step.start);
        this.machineFrom = k;
      } else if (this.machineFrom !== from) {
        await this.setUp(replayScenario(this.lesson, k));
        this.machineFrom = from;
        this.setupNote = {
          kind: 'info',
          text: `This step goes on with the machine of step ${from + 1}. It has been set up again from step ${from + 1}'s start, with the faults the steps since then inject, not yet run.`,
        };
      }
      if (step.goal.kind === 'program') {
        const starter = await this.starterText(step);
        this.starter = starter.text;
        this.editorText = { text: this.progress.steps[k]?.program ?? starter.text, name: starter.name };
      }
    } catch (error) {
      if (generation === this.generation) this.setupNote = { kind: 'error', text: `The machine could not be set up for this step: ${errorText(error)}` };
    } finally {
      this.settingUp = false;
    }
  }

  private async setUp(scenario: LessonScenario): Promise<void> {
    const program = await scenarioProgram(scenario, this.base, (url) => fetch(url));
    await this.machine.applyScenario(scenario, program);
  }

  /** A program step's starter program, as text. */
  private async starterText(step: Step): Promise<{ text: string; name: string }> {
    const program = await scenarioProgram({ ...(step.start as LessonScenario), program: starterProgram(step)! }, this.base, (url) => fetch(url));
    return { text: program.kind === 'source' ? program.source : new TextDecoder().decode(program.bytes), name: program.name };
  }

  protected override updated(changed: PropertyValues<this>): void {
    if (this.editorText) {
      const editor = this.editor;
      if (editor) {
        editor.setProgram(this.editorText.text, this.editorText.name);
        this.editorText = undefined;
      }
    }
    super.updated(changed);
  }

  private get editor(): CodeEditor | null { return this.renderRoot.querySelector('ls-editor'); }

  /** Keeps the program step's editor text in the progress, once the student has changed the starter. */
  private keepProgram(): void {
    const editor = this.editor;
    if (!editor || this.lesson.steps[this.current]?.goal.kind !== 'program') return;
    const kept = this.progress.steps[this.current]?.program;
    if (kept === undefined ? editor.value !== this.starter : kept !== editor.value) this.patchStep(this.current, { program: editor.value });
  }

  // ── Checking ───────────────────────────────────────────────────────────────────────

  private observe(): void {
    if (!this.checker || this.settingUp) return;
    const { newRun, observations } = this.observer.take(this.machine.controller.state);
    if (newRun) {
      this.checker = new GoalChecker(this.checker.goal, { topology: this.machine.controller.state.settings.topology });
      this.attempt = { status: { state: 'pending' } };
    }
    this.feed(observations);
  }

  private feed(observations: readonly Observation[]): void {
    const checker = this.checker;
    if (!checker || checker.status.state !== 'pending') return;
    let status: GoalStatus = checker.status;
    for (const o of observations) {
      status = checker.observe(o);
      if (status.state !== 'pending') break;
    }
    if (status.state === 'pending') return;
    this.settle({ status });
    if (status.state !== 'met') return;
    // The goal is met: nothing more to check, and the machine stops where it was met.
    this.checker = undefined;
    if (this.machine.controller.running) act(this.machine.controller.pause());
  }

  /** Shows an attempt's result; a met goal marks the step done, tells the course page, and announces it. */
  private settle(attempt: Attempt): void {
    this.attempt = attempt;
    const k = this.current;
    const n = this.lesson.steps.length;
    const { status } = attempt;
    if (attempt.tests && status.state !== 'met') {
      const share = points(attempt.tests);
      const best = Math.max(this.progress.steps[k]?.best ?? 0, share.max > 0 ? share.got / share.max : 0);
      if (best > (this.progress.steps[k]?.best ?? 0)) {
        this.patchStep(k, { best });
        this.tell(progressMessage(this.lesson, this.progress, k));
      }
      const failing = attempt.tests.filter((t) => t.status.state !== 'met').length;
      this.announce(`${share.text}: ${failing} test${failing === 1 ? ' still fails' : 's still fail'}.`);
      return;
    }
    if (status.state === 'failed') {
      this.announce(`Not yet: ${status.reason}.`);
      return;
    }
    if (status.state !== 'met' || this.done !== undefined) return;
    const wasComplete = lessonScore(this.lesson, this.progress).complete;
    this.patchStep(k, { done: status.evidence, ...(attempt.tests ? { best: 1 } : {}) });
    this.tell(progressMessage(this.lesson, this.progress, k));
    const score = lessonScore(this.lesson, this.progress);
    if (score.complete && !wasComplete) {
      this.tell(completeMessage(this.lesson, this.progress, k));
      this.announce(`Step ${k + 1} of ${n} done: ${status.evidence}. Lesson complete: all ${n} steps done.`);
    } else {
      this.announce(`Step ${k + 1} of ${n} done: ${status.evidence}.${k + 1 < n ? ' Next step when you are ready.' : ''}`);
    }
  }

  /** Dispatches `message` as a `lesson-progress` or `lesson-complete` event. */
  private tell(message: LessonProgressMessage | LessonCompleteMessage): void {
    this.dispatchEvent(new CustomEvent(message.type.slice('lockstep:'.length), { detail: message, bubbles: true, composed: true }));
  }

  private announce(text: string): void {
    // The same words twice are still announced: the region is emptied first.
    this.announcement = '';
    this.requestUpdate();
    void this.updateComplete.then(() => {
      this.announcement = text;
      this.requestUpdate();
    });
  }

  // ── The student's actions ──────────────────────────────────────────────────────────

  private onAnswer(e: Event): void {
    e.preventDefault();
    const goal = this.step.goal as ChoiceGoal | NumberGoal;
    const form = e.target as HTMLFormElement;
    let answer: number | number[];
    if (goal.kind === 'number') {
      answer = readNumber((form.querySelector('input') as HTMLInputElement).value);
      if (Number.isNaN(answer)) {
        this.feedback = 'That is not a number: write it with digits and a decimal point, e.g. 40.96.';
        this.announce(this.feedback);
        return;
      }
    } else {
      answer = [...form.querySelectorAll<HTMLInputElement>('input:checked')].map((i) => Number(i.value));
      if (answer.length === 0) {
        this.feedback = 'Choose an answer first.';
        this.announce(this.feedback);
        return;
      }
    }
    this.feedback = undefined;
    this.settle({ status: checkAnswer(goal, answer) });
  }

  private async onFault(e: Event): Promise<void> {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector('input') as HTMLInputElement;
    const spec = input.value.trim();
    if (spec === '') return;
    try {
      await this.machine.controller.inject(spec);
      const scheduled = this.machine.controller.state.scheduled.at(-1);
      this.feedback = `Scheduled: ${scheduled}`;
      input.value = '';
    } catch (error) {
      this.feedback = `That fault cannot be scheduled: ${errorText(error)}`;
    }
    this.announce(this.feedback);
  }

  private async runTests(): Promise<void> {
    const editor = this.editor;
    if (!editor || this.grading) return;
    this.keepProgram();
    const k = this.current;
    const generation = this.generation;
    this.grading = true;
    this.announce('Running the tests…');
    try {
      this.grader ??= createGraderWorker();
      const tests = await this.grader.grader.runTests(this.step, editor.value, editor.file);
      if (generation !== this.generation || k !== this.current) return;
      const failed = tests.filter((t) => t.status.state !== 'met');
      const status: GoalStatus = failed.length === 0
        ? { state: 'met', evidence: `your program passes all ${tests.length} tests` }
        : { state: 'failed', reason: `${failed.length} of ${tests.length} tests fail` };
      this.settle({ status, tests });
    } catch (error) {
      this.settle({ status: { state: 'failed', reason: errorText(error) } });
    } finally {
      this.grading = false;
      this.requestUpdate();
    }
  }

  private tryOnMachine(): void {
    const editor = this.editor;
    if (editor) act(this.machine.loadSource(editor.value, editor.file));
  }

  /** Runs the campaign step's campaign with the runs and seed of the form, then judges its counts. */
  private async onCampaign(e: Event): Promise<void> {
    e.preventDefault();
    const step = this.step;
    const goal = step.goal as CampaignGoal;
    const request = step.solution.campaign!;
    const form = e.target as HTMLFormElement;
    const topology = goal.topology ?? request.topology;
    const settings = {
      runs: Number((form.querySelector('#lesson-campaign-runs') as HTMLInputElement).value),
      seed: Number((form.querySelector('#lesson-campaign-seed') as HTMLInputElement).value),
      topologies: [topology], kinds: [...(request.kinds ?? DEFAULT_SPACE.kinds)],
    };
    const problem = checkSettings(settings);
    if (problem) {
      this.feedback = problem;
      this.announce(problem);
      return;
    }
    const generation = this.generation;
    const current = () => generation === this.generation;
    this.feedback = undefined;
    this.campaign = withStatus(started(settings), topology, 'preparing');
    this.announce(`Running ${settings.runs.toLocaleString('en-US')} faulty runs on ${topology}…`);
    try {
      const start = step.start as LessonScenario;
      const input = await scenarioProgram(start, this.base, (url) => fetch(url));
      const program = loadProgram(input.kind === 'source' ? new TextEncoder().encode(input.source) : input.bytes, input.name);
      const setup: CampaignSetup = {
        program, topology, compare: start.machine.compare, ramMiB: start.machine.ramMiB, seed: settings.seed,
        space: { kinds: settings.kinds, targets: request.targets ?? DEFAULT_SPACE.targets },
      };
      const pool = await WorkerPool.start(Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 8)), browserCampaignWorker, setup);
      try {
        if (current()) this.campaign = withStatus(this.campaign, topology, 'running');
        await pool.run(Array.from({ length: settings.runs }, (_, k) => k), (records) => {
          if (current()) this.campaign = withRecords(this.campaign!, topology, records);
          this.requestUpdate();
        }, () => !current());
      } finally {
        pool.close();
      }
      if (!current()) return;
      this.campaign = { ...withStatus(this.campaign, topology, 'done'), running: false };
      const row = this.campaign.rows[0];
      const outcomes = Object.fromEntries(Object.entries(row.counts).map(([outcome, count]) => [outcome, { count }]));
      const checker = new GoalChecker(goal, { topology });
      checker.observe({ kind: 'campaign', summary: { topology, runs: row.done, outcomes } });
      this.settle({ status: checker.observe({ kind: 'end', reason: `the campaign ran with seed ${settings.seed}` }) });
    } catch (error) {
      if (!current()) return;
      this.campaign = { ...this.campaign!, running: false, error: errorText(error) };
      this.settle({ status: { state: 'failed', reason: errorText(error) } });
    }
  }

  private campaignControls(goal: CampaignGoal) {
    const request = this.step.solution.campaign!;
    const topology = goal.topology ?? request.topology;
    const kinds = request.kinds ?? DEFAULT_SPACE.kinds;
    const targets = request.targets ?? DEFAULT_SPACE.targets;
    const campaign = this.campaign;
    const running = campaign?.running ?? false;
    const row = campaign?.rows[0];
    const p = row && shares(row);
    return html`<form id="lesson-campaign-form" @submit=${(e: Event) => act(this.onCampaign(e))}>
        <p>On <strong>${topology}</strong>, faults of kind ${kinds.join(', ')} in ${targets.join(', ')}, each run judged against the fault-free run:
          as <code>lockstep campaign --topology ${topology} --kinds ${kinds.join(',')} --targets ${targets.join(',')}</code>.</p>
        <div class="row">
          <label>Runs <input id="lesson-campaign-runs" type="number" min="1" max=${MAX_PAGE_RUNS} step="1" .value=${String(request.runs)} ?disabled=${running}></label>
          <label>Seed <input id="lesson-campaign-seed" type="number" min="0" step="1" .value=${String(request.seed)} ?disabled=${running}></label>
          <button class="primary" id="lesson-campaign-run" ?disabled=${running}>${running ? 'Running…' : 'Run the campaign'}</button>
        </div>
      </form>
      ${campaign?.error ? html`<p class="problem" role="alert">${campaign.error}</p>` : nothing}
      ${row ? html`<table id="lesson-campaign-table">
        <caption>${topology}: ${row.done.toLocaleString('en-US')} of ${campaign!.settings.runs.toLocaleString('en-US')} runs${running ? '' : ', done'}</caption>
        <thead><tr><th scope="col">outcome</th><th scope="col">runs</th><th scope="col">share (95 % interval)</th></tr></thead>
        <tbody>${CAMPAIGN_OUTCOMES.filter((o) => o !== 'failover').map((o) => html`<tr data-outcome=${o}>
          <td>${o}</td><td class="count">${row.counts[o].toLocaleString('en-US')}</td><td>${p ? shareText(p[o]) : '–'}</td></tr>`)}</tbody>
      </table>` : nothing}`;
  }

  private async showHint(): Promise<void> {
    this.hintsShown = Math.min(this.step.hints.length, this.hintsShown + 1);
    this.patchStep(this.current, { hints: this.hintsShown });
    await this.updateComplete;
    (this.renderRoot.querySelector(`#lesson-hint-${this.hintsShown}`) as HTMLElement | null)?.focus();
  }

  private async copyLink(): Promise<void> {
    const link = stepLink(location.href, this.location, this.current + 1);
    let copied = false;
    try {
      await navigator.clipboard.writeText(link);
      copied = true;
    } catch {
      // the clipboard is not available (an iframe without permission): the link is shown to copy by hand
    }
    this.copy = { link, copied };
    this.requestUpdate();
    await this.updateComplete;
    if (!copied) (this.renderRoot.querySelector('#lesson-link') as HTMLInputElement | null)?.select();
    this.announce(copied ? `Link to step ${this.current + 1} copied.` : 'Select the link and copy it.');
  }

  /** Sets the step's machine up again from the lesson (a step that continues: from the step it continues), and checks afresh. */
  private restart(): Promise<void> {
    this.machineFrom = undefined;
    return this.enter(this.current, false);
  }

  private async resetProgress(): Promise<void> {
    this.store.reset(this.lesson.id);
    this.progress = emptyProgress();
    this.machineFrom = undefined;
    this.announce('Your progress in this lesson is forgotten. Back at step 1.');
    await this.enter(0, true);
  }

  private toggleLargeText(): void {
    this.dispatchEvent(new CustomEvent('large-text', { detail: !this.largeText, bubbles: true, composed: true }));
  }

  // ── Drawing ────────────────────────────────────────────────────────────────────────

  private statusLine() {
    const done = this.done;
    const { status } = this.attempt;
    if (done !== undefined) return html`<p class="status met" id="lesson-status" data-state="met">✓ Done: ${done}.</p>`;
    if (status.state === 'failed') {
      const again = isRunGoal(this.step.goal) ? ' Reset the machine, or start this step again, to try once more.' : '';
      return html`<p class="status failed" id="lesson-status" data-state="failed">✗ Not yet: ${status.reason}.${again}</p>`;
    }
    return html`<p class="status" id="lesson-status" data-state="pending">${isRunGoal(this.step.goal) ? 'Watching the machine…' : 'Not done yet.'}</p>`;
  }

  private goalControls() {
    const goal = this.step.goal;
    switch (goal.kind) {
      case 'choice': {
        const several = typeof goal.answer !== 'number';
        return html`<form id="lesson-answer" @submit=${this.onAnswer}>
          <p class="question" id="lesson-question">${unsafeHTML(renderMarkdown(goal.question, true))}${several ? ' (choose every right answer)' : ''}</p>
          <fieldset aria-labelledby="lesson-question">
            ${goal.choices.map((choice, i) => html`<label><input type=${several ? 'checkbox' : 'radio'} name="choice" value=${i} id="lesson-choice-${i}">
              <span>${unsafeHTML(renderMarkdown(choice, true))}</span></label>`)}
          </fieldset>
          <div class="row"><button class="primary" id="lesson-check">Check my answer</button></div>
        </form>`;
      }
      case 'number':
        return html`<form id="lesson-answer" @submit=${this.onAnswer}>
          <label for="lesson-number" class="question">${unsafeHTML(renderMarkdown(goal.question, true))}</label>
          <div class="row"><input id="lesson-number" type="text" inputmode="decimal" autocomplete="off" spellcheck="false">
            ${goal.unit ? html`<span>${goal.unit}</span>` : nothing}
            <button class="primary" id="lesson-check">Check my answer</button></div>
        </form>`;
      case 'program':
        return html`<ls-editor></ls-editor>
          <div class="row">
            <button class="primary" id="lesson-run-tests" @click=${() => act(this.runTests())} ?disabled=${this.grading}>${this.grading ? 'Running the tests…' : 'Run the tests'}</button>
            <button id="lesson-try" @click=${() => this.tryOnMachine()}>Load it into the machine</button>
          </div>
          ${this.attempt.tests ? html`<p id="lesson-score">${points(this.attempt.tests).text}</p>
            <ul class="tests" aria-label="Test results">${this.attempt.tests.map((t) => html`<li class=${t.status.state === 'met' ? 'passed' : 'failed'}>
              ${t.name} <span class="muted">(${t.score} of ${t.points})</span>
              <span class="why">${t.status.state === 'met' ? t.status.evidence : t.status.state === 'failed' ? t.status.reason : ''}</span></li>`)}</ul>` : nothing}`;
      case 'campaign':
        return this.campaignControls(goal);
      default:
        // Where the step's reference solution injects a fault, the student can type it too.
        return this.step.solution.inject === undefined ? nothing : html`<form id="lesson-fault-form" @submit=${(e: Event) => act(this.onFault(e))}>
          <label for="lesson-fault">Schedule a fault by its text (as the hints write it), or click it in the machine</label>
          <div class="row"><input id="lesson-fault" type="text" autocomplete="off" spellcheck="false" placeholder="at=300,module=0,kind=flip,target=s2,bit=12">
            <button id="lesson-schedule">Schedule</button></div>
        </form>`;
    }
  }

  override render() {
    if (!this.lesson) return nothing;
    const lesson = this.lesson;
    const k = this.current;
    const step = this.step;
    const n = lesson.steps.length;
    const score = lessonScore(lesson, this.progress);
    const done = this.done;
    return html`
      <section aria-labelledby="lesson-title">
        <div class="top">
          <h2 id="lesson-title">${lesson.title}</h2>
          ${this.allLessons ? html`<a href=${this.allLessons} id="lesson-all">All lessons</a>` : nothing}
        </div>
        <p class="meta muted" id="lesson-progress">About ${lesson.minutes} minute${lesson.minutes === 1 ? '' : 's'} · ${score.done} of ${n} steps done${score.complete ? ' · complete ✓' : ''}</p>
        <details class="goals"><summary>What you will learn</summary><ul>${lesson.goals.map((g) => html`<li>${g}</li>`)}</ul></details>
        <nav aria-label="Steps of the lesson"><ol class="steps">${lesson.steps.map((s, i) => {
          const isDone = this.progress.steps[i]?.done !== undefined;
          return html`<li><button class=${isDone ? 'done' : ''} aria-current=${i === k ? 'step' : nothing} data-step=${i + 1}
            aria-label="Step ${i + 1}: ${s.title}${isDone ? ' (done)' : ''}" title=${s.title}
            @click=${() => act(this.enter(i, true))}>${i + 1}${isDone ? ' ✓' : ''}</button></li>`;
        })}</ol></nav>

        <article class="card" aria-labelledby="lesson-step-title">
          <h3 id="lesson-step-title" tabindex="-1">Step ${k + 1} of ${n}: ${step.title}</h3>
          <div class="narration" id="lesson-narration">${unsafeHTML(renderMarkdown(step.narration))}</div>
          ${this.setupNote ? html`<p class="note ${this.setupNote.kind}" id="lesson-setup" role=${this.setupNote.kind === 'error' ? 'alert' : nothing}>${this.setupNote.text}</p>` : nothing}
        </article>

        <section class="card goal" aria-labelledby="lesson-goal-h" data-state=${done !== undefined ? 'met' : this.attempt.status.state}>
          <h4 id="lesson-goal-h">Your goal</h4>
          <p id="lesson-goal">${goalText(step.goal)}</p>
          ${this.goalControls()}
          ${this.feedback ? html`<p class="muted" id="lesson-feedback">${this.feedback}</p>` : nothing}
          ${this.statusLine()}
        </section>

        ${step.hints.length > 0 ? html`<section class="card hints" aria-labelledby="lesson-hints-h">
          <h4 id="lesson-hints-h">Hints</h4>
          ${this.hintsShown > 0 ? html`<ol class="hints">${step.hints.slice(0, this.hintsShown).map((hint, i) => html`<li id="lesson-hint-${i + 1}" tabindex="-1">${unsafeHTML(renderMarkdown(hint, true))}</li>`)}</ol>` : nothing}
          ${this.hintsShown < step.hints.length
            ? html`<button id="lesson-hint" @click=${() => act(this.showHint())}>Show a hint (${this.hintsShown + 1} of ${step.hints.length})</button>`
            : html`<p class="muted">No more hints.</p>`}
        </section>` : nothing}

        <div class="nav">
          <button id="lesson-back" ?disabled=${k === 0} @click=${() => act(this.enter(k - 1, true))}>◀ Back</button>
          <button id="lesson-restart" @click=${() => act(this.restart())}>↺ Start this step again</button>
          <button id="lesson-next" class="next ${done !== undefined ? 'primary' : ''}" ?disabled=${k + 1 >= n} @click=${() => act(this.enter(k + 1, true))}>Next ▶</button>
        </div>
        <div class="tools">
          <button id="lesson-copy-link" @click=${() => act(this.copyLink())}>Copy link to this step</button>
          <button id="lesson-large-text" aria-pressed=${this.largeText ? 'true' : 'false'} @click=${() => this.toggleLargeText()}>Large text</button>
          <button id="lesson-reset" @click=${() => { this.confirmReset = true; this.requestUpdate(); }}>Reset progress…</button>
        </div>
        ${this.copy ? html`<div class="row copy-link"><label for="lesson-link">Link to step ${k + 1}</label>
          <input id="lesson-link" type="text" readonly .value=${this.copy.link}></div>` : nothing}
        ${this.confirmReset ? html`<div class="confirm" role="group" aria-labelledby="lesson-confirm-text">
          <p id="lesson-confirm-text">Forget every step you have done in this lesson, your hints and your programs?</p>
          <div class="row"><button class="danger" id="lesson-forget" @click=${() => act(this.resetProgress())}>Forget my progress</button>
            <button id="lesson-keep" @click=${() => { this.confirmReset = false; this.requestUpdate(); }}>Keep it</button></div>
        </div>` : nothing}
        <div class="visually-hidden" role="status" aria-live="polite" id="lesson-announcer">${this.announcement}</div>
      </section>`;
  }
}
customElements.define('ls-lesson-player', LessonPlayer);
