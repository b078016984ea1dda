/**
 * The lesson player's state without a browser (web/state/lesson.ts, lesson-observer.ts):
 * where a lesson comes from and the links to its steps, the progress kept by lesson id and
 * its score, how a step that continues a machine is set up again, the messages a course
 * page gets, and the observations the player feeds the goal checker from the page's states
 * — each against values worked out by hand from the lesson files and the contracts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  completeMessage, emptyProgress, encodeLessonHash, goalText, lessonLocation, lessonScore, loadLesson, ProgressStore, progressMessage,
  readNumber, replayScenario, scenarioStepOf, stepLink, stepScore, type KeyValueStore, type LessonProgress,
} from '../../web/state/lesson.ts';
import { RunObserver, type RunState } from '../../web/state/lesson-observer.ts';
import { GoalChecker } from '../../src/lessons/goals.ts';
import { parseLesson, type Lesson, type RunGoal } from '../../src/lessons/lesson.ts';
import type { MachineEvent } from '../../src/machine/events.ts';
import type { Ledger } from '../../src/transactions/ledger.ts';

function shipped(file: string): Lesson {
  const parsed = parseLesson(readFileSync(new URL(`../../lessons/${file}`, import.meta.url), 'utf8'));
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.lesson;
}

const SILENT = shipped('01-silent-server.json');
const PAIR_SPARE = shipped('03-pair-and-spare.json');

function memoryStore(): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v), removeItem: (k) => void map.delete(k) };
}

describe('where a lesson comes from, and links to its steps', () => {
  it('reads ?lesson= and #lesson= (the hash wins), and the step from either', () => {
    expect(lessonLocation('?lesson=lessons/01-silent-server.json&step=3', '')).toEqual({ kind: 'url', url: 'lessons/01-silent-server.json', step: 3 });
    expect(lessonLocation('?lesson=a.json', '#lesson=eyJ9&step=2')).toEqual({ kind: 'inline', encoded: 'eyJ9', step: 2 });
    expect(lessonLocation('?lesson=a.json&step=2', '#step=5')).toEqual({ kind: 'url', url: 'a.json', step: 5 });
    // Not a step number: the lesson opens where the student left it.
    for (const step of ['0', '-1', 'two', '1e3', '']) expect(lessonLocation(`?lesson=a.json&step=${step}`, '')).toEqual({ kind: 'url', url: 'a.json' });
    expect(lessonLocation('?scenario=a.json', '#scenario=x')).toEqual({ kind: 'none' });
  });

  it('links to a step on the same page, keeping its other parameters', () => {
    const page = 'https://lab.example/embed.html?origins=https%3A%2F%2Fcourse.example&lesson=lessons/a.json&step=1';
    const link = stepLink(page, { kind: 'url', url: 'lessons/a.json' }, 4);
    const url = new URL(link);
    expect(url.pathname).toBe('/embed.html');
    expect(url.searchParams.get('origins')).toBe('https://course.example');
    expect(lessonLocation(url.search, url.hash)).toEqual({ kind: 'url', url: 'lessons/a.json', step: 4 });

    const encoded = encodeLessonHash({ id: 'x' });
    const inline = new URL(stepLink('https://lab.example/?lesson=old.json&step=2', { kind: 'inline', encoded }, 7));
    expect(inline.searchParams.has('lesson')).toBe(false);
    expect(lessonLocation(inline.search, inline.hash)).toEqual({ kind: 'inline', encoded, step: 7 });
  });

  it('loads an inline lesson, and names the URL of one that is not there', async () => {
    const lesson = JSON.parse(readFileSync(new URL('../../lessons/07-availability.json', import.meta.url), 'utf8'));
    const inline = await loadLesson({ kind: 'inline', encoded: encodeLessonHash(lesson) }, 'https://lab.example/embed.html', async () => { throw new Error('no fetch'); });
    expect(inline).toMatchObject({ ok: true, lesson: { id: 'availability' }, base: 'https://lab.example/embed.html' });
    expect(await loadLesson({ kind: 'inline', encoded: '%%%' }, 'https://lab.example/', async () => { throw new Error('no fetch'); }))
      .toMatchObject({ ok: false, error: expect.stringMatching(/^#lesson= is not base64url-encoded UTF-8 JSON/) });
    const missing = await loadLesson({ kind: 'url', url: 'lessons/gone.json' }, 'https://lab.example/index.html', async () => ({
      ok: false, status: 404, text: async () => '', arrayBuffer: async () => new ArrayBuffer(0),
    }));
    expect(missing).toEqual({ ok: false, error: 'the lesson https://lab.example/lessons/gone.json was not found (HTTP 404)' });
    const invalid = await loadLesson({ kind: 'url', url: 'bad.json' }, 'https://lab.example/', async () => ({
      ok: true, status: 200, text: async () => '{"id":"Bad Id"}', arrayBuffer: async () => new ArrayBuffer(0),
    }));
    expect(invalid).toMatchObject({ ok: false, error: expect.stringMatching(/^https:\/\/lab\.example\/bad\.json: .*id: lower-case words/) });
  });
});

describe('progress', () => {
  it('is kept by lesson id, survives a new store over the same storage, and is forgotten on reset', () => {
    const storage = memoryStore();
    const progress: LessonProgress = { step: 2, steps: { 0: { done: 'the output included "994.64\\n"' }, 1: { hints: 2 } } };
    new ProgressStore(storage).save(SILENT.id, progress);
    expect([...storage.map.keys()]).toEqual(['lockstep-lesson:silent-server']);
    expect(new ProgressStore(storage).load(SILENT.id, SILENT.steps.length)).toEqual(progress);
    new ProgressStore(storage).reset(SILENT.id);
    expect(storage.map.size).toBe(0);
    expect(new ProgressStore(storage).load(SILENT.id, SILENT.steps.length)).toEqual(emptyProgress());
  });

  it('keeps only what fits the lesson from what storage holds', () => {
    const storage = memoryStore();
    const store = new ProgressStore(storage);
    storage.setItem('lockstep-lesson:silent-server', 'not json');
    expect(store.load('silent-server', 6)).toEqual(emptyProgress());
    storage.setItem('lockstep-lesson:silent-server', JSON.stringify({
      step: 9, steps: { 0: { done: 'x', hints: -1 }, 3: { best: 1.5, program: 'li a0, 1', hints: 1 }, 6: { done: 'y' }, junk: { done: 'z' } },
    }));
    // Step 9 and step index 6 are beyond a 6-step lesson; a best above 1 and negative hints are not progress.
    expect(store.load('silent-server', 6)).toEqual({ step: 0, steps: { 0: { done: 'x' }, 3: { program: 'li a0, 1', hints: 1 } } });
  });

  it('scores a point a step: 1 once done, else a program step’s best share of its points', () => {
    const progress: LessonProgress = { step: 0, steps: { 0: { done: 'a' }, 2: { done: 'b', best: 0.2 }, 4: { best: 0.6 } } };
    expect([0, 1, 2, 3, 4, 5].map((k) => stepScore(progress, k))).toEqual([1, 0, 1, 0, 0.6, 0]);
    expect(lessonScore(SILENT, progress)).toEqual({ score: 2.6, maxScore: 6, done: 2, complete: false });
    const all: LessonProgress = { step: 5, steps: Object.fromEntries(SILENT.steps.map((_, k) => [k, { done: 'yes' }])) };
    expect(lessonScore(SILENT, all)).toEqual({ score: 6, maxScore: 6, done: 6, complete: true });
  });

  it('tells the course page the step (from 1) and the score', () => {
    const progress: LessonProgress = { step: 4, steps: { 0: { done: 'a' }, 4: { done: 'b' } } };
    expect(progressMessage(SILENT, progress, 4)).toEqual({
      type: 'lockstep:lesson-progress', lesson: 'silent-server', title: 'The silent server', step: 5, stepTitle: 'A card server',
      stepScore: 1, done: true, score: 2, maxScore: 6,
    });
    expect(completeMessage(SILENT, progress, 4)).toEqual({ type: 'lockstep:lesson-complete', lesson: 'silent-server', title: 'The silent server', step: 5, score: 2, maxScore: 6 });
  });

  it('reads numbers as students type them', () => {
    expect(readNumber(' 40.96 ')).toBe(40.96);
    expect(readNumber('9,513')).toBe(9513);
    expect(readNumber('80 000')).toBe(80000);
    expect(readNumber('-0.5')).toBe(-0.5);
    for (const text of ['', '1,5', 'forty', '40.96 dollars']) expect(readNumber(text)).toBeNaN();
  });
});

describe('steps that continue the machine', () => {
  it('run on the last step before them with a scenario', () => {
    // The silent server: steps 1, 2 and 5 start scenarios; 3, 4 and 6 continue.
    expect(SILENT.steps.map((_, k) => scenarioStepOf(SILENT, k))).toEqual([0, 1, 1, 1, 4, 4]);
  });

  it('are set up again from that scenario with the faults the steps since inject', () => {
    // Step 3 continues step 2's ledger run, whose solution flips bit 12 of s2 at instruction 300.
    const again = replayScenario(SILENT, 2);
    expect(again.title).toBe('The ledger, about to be hit');
    expect(again.faults).toEqual(['at=300,module=0,kind=flip,target=s2,bit=12']);
    // Pair and spare, step 6 continues step 4's card server: step 4 kills module 1 at 20 ms;
    // step 5's board replacement is made "now", which only the student's run can say.
    const nothingLost = replayScenario(PAIR_SPARE, 5);
    expect(nothingLost.workload).toMatchObject({ name: 'card-auth', rate: 50000 });
    expect(nothingLost.faults).toEqual(['at=20ms,module=1,kind=kill']);
    expect(nothingLost.replacements).toEqual([]);
  });

  it('put each goal in words', () => {
    expect(goalText(SILENT.steps[0].goal)).toBe('The console shows "994.64".');
    expect(goalText(SILENT.steps[1].goal)).toBe('The run ends with the outcome sdc (silent data corruption).');
    expect(goalText(SILENT.steps[4].goal)).toBe('The workload\'s run ends with a ledger of wrong ≥ 1, lost = 0, downtime (µs) = 0.');
    expect(goalText(PAIR_SPARE.steps[4].goal)).toBe('The machine shows that a new module was brought back into lockstep (module 0, mode precopy, rounds ≥ 2, pause (µs) ≤ 200).');
  });
});

// ── The observer ───────────────────────────────────────────────────────────────────────

type View = NonNullable<RunState['view']>;

function view(patch: { instret: number; running?: boolean; regs?: number[][]; halt?: View['halt']; workload?: unknown }): View {
  const regs = patch.regs ?? [Array.from({ length: 32 }, () => 0)];
  return {
    topology: 'dmr', instret: patch.instret, cycle: patch.instret, running: patch.running ?? false, ips: 0, halt: patch.halt, waitingForInput: false,
    modules: regs.map((r, id) => ({ id, regs: r })), events: [], output: new Uint8Array(), workload: patch.workload,
  } as unknown as View;
}

function state(patch: Partial<RunState> & { view: View }): RunState {
  return { run: 1, events: [], systemEvents: [], console: '', consoleStart: 0, verdict: undefined, detailed: true, ...patch };
}

const divergeAt = (instret: number): MachineEvent => ({ instret, kind: 'diverge', module: 1, reference: 0, pc: 0x8000_0010, field: 'x18', expected: '0x1', actual: '0x2' });
const offlineAt = (instret: number, module: number): MachineEvent => ({ instret, kind: 'offline', module, reason: 'outvoted' });
const halt = { reason: 'exit' as const, exitCode: 0, message: 'the guest exited with code 0' };

describe('the observer', () => {
  it('begins with a look at the machine as it is: registers, the console so far, and no old events', () => {
    const observer = new RunObserver();
    const regs = [Array.from({ length: 32 }, (_, n) => n), Array.from({ length: 32 }, (_, n) => (n === 5 ? 0xFFFF_FFFF : n))];
    const look = observer.begin(state({ view: view({ instret: 400, regs }), events: [divergeAt(337)], console: 'line 1\n' }));
    expect(look).toEqual([
      { kind: 'state', instret: 400, registers: regs },
      { kind: 'output', text: 'line 1\n' },
    ]);
    // Afterwards only what is new: an event, the text after what was seen.
    const next = observer.take(state({ view: view({ instret: 500, running: true }), events: [divergeAt(337), offlineAt(450, 1)], console: 'line 1\nline 2\n' }));
    expect(next).toEqual({ newRun: false, observations: [{ kind: 'event', event: offlineAt(450, 1) }, { kind: 'output', text: 'line 2\n' }] });
  });

  it('reads console text by its place in the whole output, though the page keeps only a tail', () => {
    const observer = new RunObserver();
    observer.begin(state({ view: view({ instret: 0 }), console: 'abcdef', consoleStart: 0 }));
    // 4 characters dropped from the front, 3 new ones after "abcdef".
    expect(observer.take(state({ view: view({ instret: 1, running: true }), console: 'efghi', consoleStart: 4 })).observations).toEqual([{ kind: 'output', text: 'ghi' }]);
    // Nothing new.
    expect(observer.take(state({ view: view({ instret: 2, running: true }), console: 'efghi', consoleStart: 4 })).observations).toEqual([]);
  });

  it('looks at the registers only in a detailed view of a stopped machine', () => {
    const observer = new RunObserver();
    observer.begin(state({ view: view({ instret: 0 }) }));
    expect(observer.take(state({ view: view({ instret: 100, running: true }) })).observations).toEqual([]);
    // Stopped, but a status view (its registers carried over): not a look.
    expect(observer.take(state({ view: view({ instret: 150 }), detailed: false })).observations).toEqual([]);
    const stopped = view({ instret: 150 });
    expect(observer.take(state({ view: stopped })).observations).toEqual([{ kind: 'state', instret: 150, registers: [Array(32).fill(0)] }]);
    // The same view again is no new look.
    expect(observer.take(state({ view: stopped })).observations).toEqual([]);
  });

  it('gives a plain program’s end once its verdict is known, and only once', () => {
    const observer = new RunObserver();
    observer.begin(state({ view: view({ instret: 0 }) }));
    const halted = view({ instret: 965, halt });
    expect(observer.take(state({ view: halted, verdict: { kind: 'pending', referenceInstret: 10 } })).observations)
      .toEqual([{ kind: 'state', instret: 965, registers: [Array(32).fill(0)] }]);
    const judged = state({ view: halted, verdict: { kind: 'judged', outcome: 'sdc', reference: { instret: 965, exitCode: 0, outputBytes: 112 } } });
    expect(observer.take(judged).observations).toEqual([{ kind: 'outcome', outcome: 'sdc' }, { kind: 'end', reason: 'the guest exited with code 0' }]);
    expect(observer.take(judged).observations).toEqual([]);
  });

  it('ends a run without a fault with no outcome, saying why', () => {
    const observer = new RunObserver();
    expect(observer.begin(state({ view: view({ instret: 965, halt }), verdict: { kind: 'fault-free', notApplied: [] } })).at(-1))
      .toEqual({ kind: 'end', reason: 'the guest exited with code 0; no fault was injected, so the run has no outcome' });
  });

  it('gives a workload’s final ledger at the end of its duration', () => {
    const ledger = { arrived: 2000, correct: 1998, wrong: 2, lost: 0, downtime_us: 0 } as unknown as Ledger;
    const workload = (done: boolean) => ({ settings: {}, progress: { nowUs: done ? 1_000_000 : 400_000, arrived: 0, dropped: 0, fifo: 0, results: 0, down: false, done }, ledger });
    const observer = new RunObserver();
    observer.begin(state({ view: view({ instret: 0, workload: workload(false) }) }));
    expect(observer.take(state({ view: view({ instret: 10, running: true, workload: workload(false) }) })).observations).toEqual([]);
    expect(observer.take(state({ view: view({ instret: 20, running: true, workload: workload(true) }) })).observations).toEqual([
      { kind: 'ledger', ledger },
      { kind: 'end', reason: 'the workload\'s 1,000,000 µs of virtual time ran out' },
    ]);
  });

  it('starts a new run afresh, from its first event', () => {
    const observer = new RunObserver();
    observer.begin(state({ view: view({ instret: 965, halt }), events: [divergeAt(337)], console: 'old\n', verdict: { kind: 'fault-free', notApplied: [] } }));
    const taken = observer.take(state({ run: 2, view: view({ instret: 40, running: true }), events: [divergeAt(30)], console: 'new\n' }));
    expect(taken).toEqual({ newRun: true, observations: [{ kind: 'event', event: divergeAt(30) }, { kind: 'output', text: 'new\n' }] });
  });

  it('feeds the goal checker so that a step continuing a run sees only what happens after it starts', () => {
    // TMR: module 1 outvoted at 337 (the previous step's goal); this step waits for a second module to go offline.
    const goal = { kind: 'event', event: 'offline', count: 1 } as RunGoal;
    const checker = new GoalChecker(goal, { topology: 'tmr' });
    const observer = new RunObserver();
    const regs = [Array(32).fill(0), Array(32).fill(0), Array(32).fill(0)];
    for (const o of observer.begin(state({ view: view({ instret: 400, regs }), events: [divergeAt(337), offlineAt(337, 1)] }))) checker.observe(o);
    expect(checker.status).toEqual({ state: 'pending' });
    for (const o of observer.take(state({ view: view({ instret: 700, running: true, regs }), events: [divergeAt(337), offlineAt(337, 1), offlineAt(702, 2)] })).observations) checker.observe(o);
    expect(checker.status).toEqual({ state: 'met', evidence: 'a module went offline (module 2, reason outvoted) at instruction 702' });
  });
});
