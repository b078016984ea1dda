/**
 * The lesson player's state, without the page: where a lesson comes from (`?lesson=URL`
 * or `#lesson=<base64url JSON>`, and `step=N`), links to a step, the progress kept in the
 * browser and its score, how a step that continues the machine is set up again when the
 * machine it continues is gone, each goal in words, and the messages a course page gets
 * through the embed's postMessage API.
 */
import { decodeBase64Url, encodeBase64Url } from '../../src/scenario/scenario.ts';
import { EVENT_NAMES, parseLesson, type Lesson, type LessonResult, type Step, type StepGoal } from '../../src/lessons/lesson.ts';
import { boundText } from '../../src/lessons/goals.ts';
import type { LessonScenario } from '../../src/lessons/scenario.ts';
import { LEDGER_EXPECTATION_FIELDS } from '../../src/scenario/ledger-expectation.ts';
import { OUTCOME_NAMES } from './verdict.ts';
import { loadText, type Fetch } from './scenario-source.ts';

// ── Where a lesson comes from ──────────────────────────────────────────────────────────

export type LessonLocation =
  | { kind: 'inline'; encoded: string; step?: number }
  | { kind: 'url'; url: string; step?: number }
  | { kind: 'none' };

/** A step number (from 1) as a link gives it, or undefined for anything else. */
function stepParam(text: string | null): number | undefined {
  if (text === null || !/^\d{1,3}$/.test(text)) return undefined;
  const n = Number(text);
  return n >= 1 ? n : undefined;
}

/** The lesson a page's URL names: `#lesson=` (inline) wins over `?lesson=`; `step` from the hash, else the query. */
export function lessonLocation(search: string, hash: string): LessonLocation {
  const query = new URLSearchParams(search);
  const fragment = new URLSearchParams(hash.replace(/^#/, ''));
  const step = stepParam(fragment.get('step')) ?? stepParam(query.get('step'));
  const inline = fragment.get('lesson');
  if (inline !== null && inline !== '') return { kind: 'inline', encoded: inline, ...(step ? { step } : {}) };
  const url = query.get('lesson');
  if (url !== null && url !== '') return { kind: 'url', url, ...(step ? { step } : {}) };
  return { kind: 'none' };
}

/** `#lesson=` text for a lesson's JSON: base64url of its UTF-8. */
export function encodeLessonHash(lesson: unknown): string {
  return encodeBase64Url(new TextEncoder().encode(JSON.stringify(lesson)));
}

/** The lesson at `location`, and the URL its programs' relative URLs resolve against. */
export async function loadLesson(location: LessonLocation, pageUrl: string, fetcher: Fetch): Promise<LessonResult & { base?: string }> {
  if (location.kind === 'none') return { ok: false, error: 'no lesson given' };
  if (location.kind === 'inline') {
    let json: string;
    try {
      json = new TextDecoder('utf-8', { fatal: true }).decode(decodeBase64Url(decodeURIComponent(location.encoded)));
    } catch (error) {
      return { ok: false, error: `#lesson= is not base64url-encoded UTF-8 JSON: ${(error as Error).message}` };
    }
    return { ...parseLesson(json), base: pageUrl };
  }
  const loaded = await loadText('lesson', location.url, pageUrl, fetcher);
  if (!loaded.ok) return loaded;
  const result = parseLesson(loaded.text);
  return result.ok ? { ...result, base: loaded.url } : { ok: false, error: `${loaded.url}: ${result.error}` };
}

/**
 * The link to step `step` (from 1) of the lesson at `location`, on the page at `pageUrl`:
 * the page's own parameters (origins, theme) kept, the lesson and the step set.
 */
export function stepLink(pageUrl: string, location: Exclude<LessonLocation, { kind: 'none' }>, step: number): string {
  const url = new URL(pageUrl);
  url.searchParams.delete('step');
  url.hash = '';
  if (location.kind === 'url') {
    url.searchParams.set('lesson', location.url);
    url.searchParams.set('step', String(step));
  } else {
    url.searchParams.delete('lesson');
    url.hash = `lesson=${location.encoded}&step=${step}`;
  }
  return url.href;
}

// ── Progress ───────────────────────────────────────────────────────────────────────────

export interface StepProgress {
  /** The goal was met: what showed it. */
  done?: string;
  /** A program step's best share of its tests' points so far, 0..1 (1 once done). */
  best?: number;
  /** Hints revealed. */
  hints?: number;
  /** A program step's text in the player's editor. */
  program?: string;
}

export interface LessonProgress {
  /** The step the student is on, from 0. */
  step: number;
  /** By step index (from 0). */
  steps: Record<number, StepProgress>;
}

export const emptyProgress = (): LessonProgress => ({ step: 0, steps: {} });

/** Where progress is kept: localStorage, or (storage denied, as in a third-party iframe) memory for the visit. */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const PROGRESS_PREFIX = 'lockstep-lesson:';

/** Progress of each lesson, by its id, in `store`; unreadable or foreign content reads as no progress. */
export class ProgressStore {
  constructor(private readonly store: KeyValueStore) {}

  /** The progress kept for lesson `id` of `steps` steps (what does not fit it is dropped). */
  load(id: string, steps: number): LessonProgress {
    let value: unknown;
    try {
      value = JSON.parse(this.store.getItem(PROGRESS_PREFIX + id) ?? 'null');
    } catch {
      return emptyProgress();
    }
    return sanitizeProgress(value, steps);
  }

  save(id: string, progress: LessonProgress): void {
    try {
      this.store.setItem(PROGRESS_PREFIX + id, JSON.stringify(progress));
    } catch {
      // storage full or denied: the progress lasts the visit
    }
  }

  reset(id: string): void {
    try {
      this.store.removeItem(PROGRESS_PREFIX + id);
    } catch {
      // denied: nothing was kept
    }
  }
}

/** localStorage when the page may use it, else a store in memory. */
export function browserStore(): KeyValueStore {
  try {
    const probe = `${PROGRESS_PREFIX}probe`;
    localStorage.setItem(probe, '1');
    localStorage.removeItem(probe);
    return localStorage;
  } catch {
    const memory = new Map<string, string>();
    return { getItem: (k) => memory.get(k) ?? null, setItem: (k, v) => void memory.set(k, v), removeItem: (k) => void memory.delete(k) };
  }
}

/** Keeps what a stored value says that fits a lesson of `steps` steps; drops the rest. */
function sanitizeProgress(value: unknown, steps: number): LessonProgress {
  const progress = emptyProgress();
  if (typeof value !== 'object' || value === null) return progress;
  const { step, steps: stored } = value as { step?: unknown; steps?: unknown };
  if (Number.isInteger(step) && (step as number) >= 0 && (step as number) < steps) progress.step = step as number;
  if (typeof stored !== 'object' || stored === null) return progress;
  for (const [key, entry] of Object.entries(stored)) {
    const k = Number(key);
    if (!Number.isInteger(k) || k < 0 || k >= steps || typeof entry !== 'object' || entry === null) continue;
    const e = entry as Record<string, unknown>;
    const kept: StepProgress = {};
    if (typeof e.done === 'string') kept.done = e.done;
    if (typeof e.best === 'number' && e.best >= 0 && e.best <= 1) kept.best = e.best;
    if (Number.isInteger(e.hints) && (e.hints as number) > 0) kept.hints = e.hints as number;
    if (typeof e.program === 'string') kept.program = e.program;
    progress.steps[k] = kept;
  }
  return progress;
}

/** A step's score, 0..1: 1 once its goal is met, else a program step's best share of its tests' points. */
export function stepScore(progress: LessonProgress, step: number): number {
  const s = progress.steps[step];
  if (s?.done !== undefined) return 1;
  return s?.best ?? 0;
}

export interface LessonScore {
  /** Sum of the steps' scores (one point a step), to 2 decimals. */
  score: number;
  maxScore: number;
  /** Steps whose goal was met. */
  done: number;
  complete: boolean;
}

export function lessonScore(lesson: Lesson, progress: LessonProgress): LessonScore {
  const steps = lesson.steps.map((_, k) => stepScore(progress, k));
  const done = lesson.steps.filter((_, k) => progress.steps[k]?.done !== undefined).length;
  return {
    score: Math.round(100 * steps.reduce((a, b) => a + b, 0)) / 100,
    maxScore: lesson.steps.length,
    done,
    complete: done === lesson.steps.length,
  };
}

// ── Steps that continue the machine ────────────────────────────────────────────────────

/** The index of the step whose scenario step `k` runs on: k itself, or the last one before it with a scenario. */
export function scenarioStepOf(lesson: Lesson, k: number): number {
  for (let j = k; j >= 0; j--) if (lesson.steps[j].start !== 'continue') return j;
  return 0;
}

const RUN_GOALS: readonly StepGoal['kind'][] = ['event', 'outcome', 'ledger', 'register', 'output', 'all'];

/** Whether the machine checks the step's goal from a run (not a question, a program's tests or a campaign). */
export function isRunGoal(goal: StepGoal): goal is Extract<StepGoal, { kind: 'event' | 'outcome' | 'ledger' | 'register' | 'output' | 'all' }> {
  return RUN_GOALS.includes(goal.kind);
}

/**
 * The machine step `k` continues, set up again when it is gone (after a reload, or a link
 * straight to the step): the scenario of the step it runs on, with the faults the steps
 * from there to `k` had the student inject (their reference solutions), and their
 * replacements that name an instruction (one made "now" depends on when the student made it).
 */
export function replayScenario(lesson: Lesson, k: number): LessonScenario {
  const from = scenarioStepOf(lesson, k);
  const start = lesson.steps[from].start as LessonScenario;
  const between = lesson.steps.slice(from, k).filter((s) => isRunGoal(s.goal));
  return {
    ...start,
    faults: [...start.faults, ...between.flatMap((s) => s.solution.inject ?? [])],
    replacements: [
      ...start.replacements,
      ...between.flatMap((s) => (s.solution.replace ?? []).flatMap((r) => (r.at === undefined ? [] : [r as Required<typeof r>]))),
    ],
  };
}

// ── Goals in words ─────────────────────────────────────────────────────────────────────

const bound = (value: unknown) => (typeof value === 'string' || typeof value === 'boolean' ? String(value) : boundText(value as number));

/** A field's name in words: `rolled_back` → "rolled back", `pause_us` → "pause (µs)". */
const fieldWords = (name: string) => (name.endsWith('_us') ? `${name.slice(0, -3).replace(/_/g, ' ')} (µs)` : name.replace(/_/g, ' '));

function ledgerWords(ledger: Partial<Record<string, number | { min?: number; max?: number }>>): string {
  return LEDGER_EXPECTATION_FIELDS.flatMap((f) => (ledger[f] === undefined ? [] : [`${fieldWords(f)} ${boundText(ledger[f]!)}`])).join(', ');
}

/** What a step asks for, as a sentence a student reads ("The machine shows that a module went offline (module 1, reason outvoted)."). */
export function goalText(goal: StepGoal): string {
  switch (goal.kind) {
    case 'event': {
      const details = [
        goal.module !== undefined ? `module ${goal.module}` : undefined,
        goal.board !== undefined ? `board ${goal.board}` : undefined,
        ...Object.entries(goal.where ?? {}).map(([k, v]) => `${fieldWords(k)} ${bound(v)}`),
      ].filter(Boolean);
      const times = goal.count > 1 ? `, ${goal.count.toLocaleString('en-US')} times` : '';
      return `The machine shows that ${EVENT_NAMES[goal.event]}${details.length > 0 ? ` (${details.join(', ')})` : ''}${times}.`;
    }
    case 'outcome': return `The run ends with the outcome ${goal.outcome} (${OUTCOME_NAMES[goal.outcome].toLowerCase()}).`;
    case 'ledger': return `The workload's run ends with a ledger of ${ledgerWords(goal.ledger)}.`;
    case 'register': return `Module ${goal.module}'s register ${goal.register} holds ${goal.value >>> 0} (0x${(goal.value >>> 0).toString(16).padStart(8, '0')}) when you look (pause, step, or the end).`;
    case 'output': return goal.includes !== undefined
      ? `The console shows ${JSON.stringify(goal.includes.trimEnd())}.`
      : `The program prints exactly ${JSON.stringify(goal.equals)} and ends.`;
    case 'all': return `All of these: ${goal.goals.map((g) => goalText(g).replace(/\.$/, '')).join('; ')}.`;
    case 'campaign': {
      const outcomes = Object.entries(goal.outcomes ?? {}).flatMap(([o, b]) => (b === undefined ? [] : [`${o} ${boundText(b)}`]));
      return `A fault-injection campaign${goal.topology ? ` on ${goal.topology}` : ''}${goal.runs !== undefined ? ` of ${boundText(goal.runs)} runs` : ''}${outcomes.length > 0 ? ` counts ${outcomes.join(', ')}` : ''}.`;
    }
    case 'choice': case 'number': return 'Answer the question.';
    case 'program': return `Your program passes ${goal.tests.length === 1 ? 'its test' : `all ${goal.tests.length} of its tests`}.`;
  }
}

/** The program a program step's editor starts with: its starter, else its scenario's program. */
export function starterProgram(step: Step): LessonScenario['program'] | undefined {
  if (step.goal.kind !== 'program' || step.start === 'continue') return undefined;
  return step.goal.starter ?? step.start.program;
}

/** A number as a student types it (NaN when it is not one): spaces and underscores ignored, and commas between groups of three digits (9,513). */
export function readNumber(text: string): number {
  const t = text.trim().replace(/[\s_]/g, '');
  const plain = /^[-+]?\d{1,3}(,\d{3})+(\.\d*)?$/.test(t) ? t.replace(/,/g, '') : t;
  return plain === '' ? Number.NaN : Number(plain);
}

// ── Messages to the course page ────────────────────────────────────────────────────────

export interface LessonProgressMessage {
  type: 'lockstep:lesson-progress';
  lesson: string;
  title: string;
  /** The step (from 1) whose score changed. */
  step: number;
  stepTitle: string;
  /** That step's score, 0..1, and whether its goal is met. */
  stepScore: number;
  done: boolean;
  /** The lesson's score so far (one point a step) and its maximum. */
  score: number;
  maxScore: number;
}

export interface LessonCompleteMessage {
  type: 'lockstep:lesson-complete';
  lesson: string;
  title: string;
  /** The step (from 1) whose goal completed the lesson. */
  step: number;
  score: number;
  maxScore: number;
}

export function progressMessage(lesson: Lesson, progress: LessonProgress, step: number): LessonProgressMessage {
  const { score, maxScore } = lessonScore(lesson, progress);
  return {
    type: 'lockstep:lesson-progress', lesson: lesson.id, title: lesson.title, step: step + 1, stepTitle: lesson.steps[step].title,
    stepScore: stepScore(progress, step), done: progress.steps[step]?.done !== undefined, score, maxScore,
  };
}

export function completeMessage(lesson: Lesson, progress: LessonProgress, step: number): LessonCompleteMessage {
  const { score, maxScore } = lessonScore(lesson, progress);
  return { type: 'lockstep:lesson-complete', lesson: lesson.id, title: lesson.title, step: step + 1, score, maxScore };
}

// ── The shipped course ─────────────────────────────────────────────────────────────────

/** One lesson of `lessons/index.json`, the course the site ships (written at build time). */
export interface CatalogEntry {
  /** The lesson file, relative to the site (lessons/01-silent-server.json). */
  file: string;
  id: string;
  title: string;
  summary: string;
  minutes: number;
  steps: number;
}
