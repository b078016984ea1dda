/**
 * The lesson format (src/lessons/lesson.ts): validation with the path of each problem, the
 * rules that tie a goal to its solution and a step to the steps before it, lesson starts
 * that are failover systems, the published JSON Schema, and the shipped lessons.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lessonJsonSchema, parseLesson, validateLesson, EVENT_NAMES } from '../../src/lessons/lesson.ts';
import { validateScenario } from '../../src/scenario/scenario.ts';

const LESSONS = fileURLToPath(new URL('../../lessons/', import.meta.url));
const shipped = readdirSync(LESSONS).filter((f) => f.endsWith('.json')).sort();

const step = (over: object = {}) => ({
  title: 'Flip a bit', narration: 'Flip **s2**.', start: { program: { example: 'ledger' }, machine: { topology: 'tmr' } },
  goal: { kind: 'event', event: 'offline', module: 1 }, solution: { inject: ['at=300,module=1,kind=flip,target=s2,bit=12'] }, ...over,
});
const lesson = (steps: object[], over: object = {}) => ({ id: 'voting', title: 'Voting', summary: 'Three vote.', minutes: 10, goals: ['Vote'], steps, ...over });

describe('lesson validation', () => {
  it('fills in the defaults of a minimal lesson', () => {
    const result = validateLesson(lesson([step({ solution: undefined, hints: undefined })]));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.lesson.version).toBe(1);
    expect(result.lesson.steps[0].hints).toEqual([]);
    expect(result.lesson.steps[0].solution).toEqual({});
    expect(result.lesson.steps[0].goal).toEqual({ kind: 'event', event: 'offline', module: 1, count: 1 });
  });

  it.each([
    ['an unknown goal kind', [step({ goal: { kind: 'vibes' } })], /^steps\.0\.goal\.kind: /],
    ['an event nothing emits', [step({ goal: { kind: 'event', event: 'explode' } })], /^steps\.0\.goal\.event: .*"offline"/],
    ['module and board together', [step({ goal: { kind: 'event', event: 'offline', module: 1, board: 0 } })], /^steps\.0\.goal: give module or board, not both/],
    ['a register that does not exist', [step({ goal: { kind: 'register', register: 'x32', value: 1 } })], /^steps\.0\.goal\.register: a register/],
    ['output with neither includes nor equals', [step({ goal: { kind: 'output' } })], /^steps\.0\.goal: give includes or equals/],
    ['a choice answer past the choices', [step({ goal: { kind: 'choice', question: 'q', choices: ['a', 'b'], answer: 2 }, solution: { answer: 2 } })], /^steps\.0\.goal\.answer: choice 2 does not exist: the choices are numbered 0\.\.1/],
    ['a question without its answer', [step({ goal: { kind: 'number', question: 'q', answer: 1, tolerance: 0 }, solution: {} })], /^steps\.0\.solution: a number goal needs solution\.answer/],
    ['an answer to a machine goal', [step({ solution: { answer: 3 } })], /^steps\.0\.solution\.answer: an event goal's solution takes inject or replace, not answer/],
    ['a number question answered with choices', [step({ goal: { kind: 'number', question: 'q', answer: 1, tolerance: 0 }, solution: { answer: [1] } })], /^steps\.0\.solution\.answer: a number question is answered with a number/],
    ['a bad fault in a solution', [step({ solution: { inject: ['at=3,module=1,kind=zap,target=x5,bit=1'] } })], /^steps\.0\.solution\.inject\.0: .*unknown kind 'zap'/],
    ['a bad fault in a program test', [step({ goal: { kind: 'program', tests: [{ name: 't', faults: ['kind=flip'], goal: { kind: 'outcome', outcome: 'masked' } }] }, solution: { program: { example: 'ledger' } } })], /^steps\.0\.goal\.tests\.0\.faults\.0: .*missing at=/],
    ['a first step that continues', [step({ start: 'continue' })], /^steps\.0\.start: the first step has nothing to continue/],
    ['a program step that continues', [step(), step({ start: 'continue', goal: { kind: 'program', tests: [{ name: 't', goal: { kind: 'outcome', outcome: 'masked' } }] }, solution: { program: { example: 'ledger' } } })], /^steps\.1\.start: a program step needs a scenario/],
    ['a cost figure without the prices', [step({ goal: { kind: 'number', question: 'q', tolerance: 1, answer: { availability: { model: 'dmr', figure: 'total_cost' } } }, solution: { answer: 1 } })], /^steps\.0\.goal\.answer\.availability: cost figures need cost/],
    ['a bad scenario', [step({ start: { program: { example: 'ledger' }, machine: { ramMiB: 128 } } })], /^steps\.0\.start\.machine\.ramMiB: /],
    ['a cluster without a workload', [step({ start: { program: { example: 'card-auth' }, machine: { topology: 'cluster' } } })], /^steps\.0\.start\.machine\.topology: a cluster runs transaction workloads/],
    ['failover settings on a lockstep machine', [step({ start: { program: { example: 'ledger' }, machine: { topology: 'tmr', failover: { missed: 2 } } } })], /^steps\.0\.start\.machine\.failover: failover settings apply to a cluster or a process pair, not tmr/],
    ['a checkpoint interval on a process pair', [step({ start: { program: { example: 'card-auth' }, workload: { name: 'card-auth' }, machine: { topology: 'process-pair', failover: { checkpointEvery: 10 } } } })], /^steps\.0\.start\.machine\.failover\.checkpointEvery: checkpointEvery applies to the cluster/],
    ['a heartbeat that is no time', [step({ start: { program: { example: 'card-auth' }, workload: { name: 'card-auth' }, machine: { topology: 'cluster', failover: { heartbeat: '10 parsecs' } } } })], /^steps\.0\.start\.machine\.failover\.heartbeat: /],
  ])('rejects %s with the path of the problem', (_what, steps, message) => {
    const result = validateLesson(lesson(steps));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it.each([
    ['an id that is not a slug', { id: 'Voting Lesson' }, /^id: lower-case words joined by hyphens/],
    ['no steps', { steps: [] }, /^steps: /],
    ['no learning goals', { goals: [] }, /^goals: /],
    ['an unknown field', { author: 'me' }, /author/],
  ])('rejects %s', (_what, over, message) => {
    const result = validateLesson(lesson([step()], over));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it('puts every problem on one line', () => {
    const result = validateLesson(lesson([step({ start: 'continue', goal: { kind: 'vibes' } })], { minutes: 0 }));
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error.split('\n')).toHaveLength(1);
  });

  it('bad JSON is one readable error', () => {
    expect(parseLesson('{ "id": ')).toEqual({ ok: false, error: expect.stringMatching(/^not valid JSON: /) });
  });

  it('a lesson start is a scenario: any scenario file is one', () => {
    const scenario = { program: { example: 'checksum' }, machine: { topology: 'pair-spare' }, faults: ['at=3,module=1,kind=flip,target=x9,bit=2'], replacements: [{ at: 5000, board: 0 }] };
    expect(validateScenario(scenario).ok).toBe(true);
    const result = validateLesson(lesson([step({ start: scenario })]));
    expect(result.ok).toBe(true);
    if (result.ok && result.lesson.steps[0].start !== 'continue') {
      const asScenario = validateScenario(scenario);
      expect(asScenario.ok && result.lesson.steps[0].start).toEqual(asScenario.ok && asScenario.scenario);
    }
  });
});

describe('the JSON Schema', () => {
  type Node = { properties: Record<string, Node>; items?: Node; anyOf?: Node[]; oneOf?: Node[]; required?: string[]; enum?: string[]; const?: string; $id?: string; $ref?: string };
  const schema = lessonJsonSchema() as unknown as Node & { $schema: string; $defs: Record<string, Node> };
  /** A node, or the definition it refers to (`#/$defs/EventGoal`). */
  const resolve = (node: Node): Node => (node.$ref ? schema.$defs[node.$ref.replace('#/$defs/', '')] : node);

  it('is draft 2020-12, with the lesson\'s required fields', () => {
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe('lesson.schema.json');
    expect(schema.required?.sort()).toEqual(['goals', 'id', 'minutes', 'steps', 'summary', 'title']);
  });

  it('lists every goal kind and every event a goal can wait for', () => {
    const goal = schema.properties.steps.items!.properties.goal;
    const options = (goal.oneOf ?? goal.anyOf ?? []).map(resolve);
    const kinds = options.map((o) => o.properties.kind.const).sort();
    expect(kinds).toEqual(['all', 'campaign', 'choice', 'event', 'ledger', 'number', 'outcome', 'output', 'program', 'register']);
    const event = options.find((o) => o.properties.kind.const === 'event')!;
    expect(event.properties.event.enum?.sort()).toEqual(Object.keys(EVENT_NAMES).sort());
  });

  it('writes the goals used in several places once, under $defs', () => {
    expect(Object.keys(schema.$defs).sort()).toEqual(['Bound', 'EventGoal', 'LedgerGoal', 'OutcomeGoal', 'OutputGoal', 'RegisterGoal']);
    const goal = schema.properties.steps.items!.properties.goal;
    const all = (goal.oneOf ?? goal.anyOf ?? []).map(resolve).find((o) => o.properties.kind.const === 'all')!;
    const items = all.properties.goals.items!;
    expect((items.oneOf ?? items.anyOf ?? []).map((o) => o.$ref).sort()).toEqual(['#/$defs/EventGoal', '#/$defs/LedgerGoal', '#/$defs/OutcomeGoal', '#/$defs/OutputGoal', '#/$defs/RegisterGoal']);
  });
});

describe('the shipped lessons', () => {
  it('are at least eight', () => {
    expect(shipped.length).toBeGreaterThanOrEqual(8);
  });

  it.each(shipped)('%s validates, its id is its file name, and it takes 10 to 20 minutes', (file) => {
    const result = parseLesson(readFileSync(`${LESSONS}${file}`, 'utf8'));
    if (!result.ok) throw new Error(result.error);
    expect(file).toBe(`${file.slice(0, 2)}-${result.lesson.id}.json`);
    expect(result.lesson.minutes).toBeGreaterThanOrEqual(10);
    expect(result.lesson.minutes).toBeLessThanOrEqual(20);
    for (const s of result.lesson.steps) expect(s.narration.length).toBeGreaterThan(100);
  });
});
