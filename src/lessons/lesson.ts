/**
 * Lesson files: a title, the learning goals, and an ordered list of steps. A step
 * has narration (Markdown), the state it starts from (a scenario, or "continue" with the
 * machine as the previous step left it), hints revealed one at a time, a goal the machine
 * can check, and the reference solution that `lockstep lesson check` plays through the same
 * goal checker as the browser (goals.ts).
 *
 * The zod schema below is the one source of truth: the TypeScript types, the runtime
 * validation and the published JSON Schema (`lesson.schema.json`, written with the site).
 * It reuses the scenario's own pieces (program, fault text, ledger expectation,
 * availability parameters) from ScenarioSchema, so both formats say the same thing the
 * same way.
 */
import { z } from 'zod';
import { ScenarioSchema } from '../scenario/scenario.ts';
import { OUTCOMES } from '../fault/classify.ts';
import { MODULE_FAULT_KINDS } from '../fault/spec.ts';
import { TOPOLOGIES } from '../machine/topology.ts';
import type { MachineEvent } from '../machine/events.ts';
import type { SystemEvent } from '../system/failover.ts';
import { SERVICE_TOPOLOGIES } from '../system/index.ts';
import { registerNumber } from '../isa/registers.ts';
import { MODELS } from '../availability/models.ts';
import { LessonScenarioSchema } from './scenario.ts';

export const LESSON_VERSION = 1;

// ── Pieces shared with scenario files ─────────────────────────────────────────────────

const ProgramSchema = ScenarioSchema.shape.program;
const FaultText = ScenarioSchema.shape.faults.unwrap().element;
const LedgerExpectation = ScenarioSchema.shape.expect.unwrap().shape.ledger.unwrap();
const AvailabilityParameters = ScenarioSchema.shape.availability.unwrap();

const Markdown = (max: number) => z.string().min(1).max(max);

/** A number exactly, or a range with either bound left out (inclusive). */
const Bound = z.union([
  z.number(),
  z.strictObject({ min: z.number().optional(), max: z.number().optional() })
    .refine((b) => b.min !== undefined || b.max !== undefined, 'give min, max or both')
    .refine((b) => b.min === undefined || b.max === undefined || b.min <= b.max, 'min must not be above max'),
]).meta({ id: 'Bound', description: 'Exactly this number, or a range { min, max } (either bound may be left out)' });
export type Bound = z.output<typeof Bound>;

// ── Goals the machine checks ───────────────────────────────────────────────────────────

export type EventName = MachineEvent['kind'] | SystemEvent['kind'];

/**
 * Every event a goal can wait for — the machine's (src/machine/events.ts) and the failover
 * systems' (src/system/failover.ts) — and how a sentence names it.
 */
export const EVENT_NAMES: Readonly<Record<EventName, string>> = {
  inject: 'a fault took effect',
  diverge: 'the modules diverged',
  error: 'a module announced an error',
  corrected: 'ECC corrected a flipped bit',
  scrub: 'the scrubber found errors in RAM',
  offline: 'a module went offline',
  failstop: 'the machine fail-stopped',
  replace: 'a module was replaced',
  'resync-round': 'a resync round finished',
  'resync-done': 'a new module was brought back into lockstep',
  halt: 'the machine halted',
  miscompare: 'a checker reported a difference that is not there',
  diagnose: 'an offline module was diagnosed',
  readmit: 'a diagnosed module was re-admitted',
  checkpoint: 'the primary sent a checkpoint',
  'host-down': 'a host went down',
  'declared-dead': 'the standby declared the primary dead',
  takeover: 'the standby (the backup) took over',
  'service-down': 'the service went down for good',
};
const EventNameSchema = z.enum(Object.keys(EVENT_NAMES) as [EventName, ...EventName[]]);

const EventGoal = z.strictObject({
  kind: z.literal('event'),
  event: EventNameSchema,
  module: z.number().int().nonnegative().optional().describe('The module it names (on cluster and process-pair: the host, 0 the primary)'),
  board: z.number().int().nonnegative().optional().describe('A module of this board (pair-spare: board b holds modules 2b and 2b+1)'),
  where: z.record(z.string(), z.union([z.string(), z.boolean(), Bound])).optional()
    .describe("Other fields of the event, each equal to a string or boolean or within a Bound, e.g. { \"reason\": \"outvoted\" } or { \"rounds\": { \"min\": 2 } }"),
  count: z.number().int().min(1).default(1).describe('Met at the count-th matching event'),
}).refine((g) => g.module === undefined || g.board === undefined, 'give module or board, not both')
  .meta({ id: 'EventGoal', description: 'An event that must happen: met at the event itself' });

const OutcomeGoal = z.strictObject({
  kind: z.literal('outcome'),
  outcome: z.enum(OUTCOMES),
}).meta({ id: 'OutcomeGoal', description: 'How the run ends, judged against the fault-free run (DESIGN §6): met when the run ends so' });

const LedgerGoal = z.strictObject({
  kind: z.literal('ledger'),
  ledger: LedgerExpectation,
}).meta({ id: 'LedgerGoal', description: "The workload's ledger at the end of the run: met when the run ends with every count in its bound" });

const RegisterGoal = z.strictObject({
  kind: z.literal('register'),
  register: z.string().refine((name) => registerNumber(name) !== undefined, 'a register: x0..x31 or an ABI name such as a0'),
  module: z.number().int().nonnegative().default(0),
  value: z.number().int().min(-(2 ** 31)).max(2 ** 32 - 1).describe('As a 32-bit word: -1 and 4294967295 are the same value'),
}).meta({ id: 'RegisterGoal', description: "A register's value: met at the first look at the machine (a pause, or the end of the run) that shows it" });

const OutputGoal = z.strictObject({
  kind: z.literal('output'),
  includes: z.string().min(1).optional().describe('Met as soon as the console output contains this text'),
  equals: z.string().optional().describe('Met when the run ends with exactly this console output'),
}).refine((g) => (g.includes === undefined) !== (g.equals === undefined), 'give includes or equals (one of them)')
  .meta({ id: 'OutputGoal', description: 'What the program prints on the console' });

const MachineGoal = z.discriminatedUnion('kind', [EventGoal, OutcomeGoal, LedgerGoal, RegisterGoal, OutputGoal]);
export type MachineGoal = z.output<typeof MachineGoal>;

const AllGoal = z.strictObject({
  kind: z.literal('all'),
  goals: z.array(MachineGoal).min(2).max(8),
}).describe('Every one of these goals: met when the last of them is');

/** What one run of the machine must show. */
const RunGoal = z.discriminatedUnion('kind', [EventGoal, OutcomeGoal, LedgerGoal, RegisterGoal, OutputGoal, AllGoal]);
export type RunGoal = z.output<typeof RunGoal>;

/** Outcomes a campaign counts: classify()'s, and failover (cluster runs). */
export const CAMPAIGN_OUTCOMES = [...OUTCOMES, 'failover'] as const;

const CampaignGoal = z.strictObject({
  kind: z.literal('campaign'),
  topology: z.enum(TOPOLOGIES).optional(),
  runs: Bound.optional().describe('How many faulty runs the campaign made'),
  outcomes: z.strictObject(Object.fromEntries(CAMPAIGN_OUTCOMES.map((o) => [o, Bound.optional()])) as Record<typeof CAMPAIGN_OUTCOMES[number], z.ZodOptional<typeof Bound>>)
    .optional().describe('Counts of runs per outcome'),
}).describe('A fault-injection campaign (lockstep campaign): met by the first campaign summary that fits');

// ── Questions ──────────────────────────────────────────────────────────────────────────

const ChoiceGoal = z.strictObject({
  kind: z.literal('choice'),
  question: Markdown(2000),
  choices: z.array(z.string().min(1).max(500)).min(2).max(8),
  answer: z.union([z.number().int().nonnegative(), z.array(z.number().int().nonnegative()).min(1)])
    .describe('The right choice (numbered from 0), or every right choice when several must be picked'),
}).superRefine((g, ctx) => {
  const answers = typeof g.answer === 'number' ? [g.answer] : g.answer;
  for (const a of answers) if (a >= g.choices.length) ctx.addIssue({ code: 'custom', path: ['answer'], message: `choice ${a} does not exist: the choices are numbered 0..${g.choices.length - 1}` });
  if (new Set(answers).size !== answers.length) ctx.addIssue({ code: 'custom', path: ['answer'], message: 'a choice is listed twice' });
}).describe('A multiple-choice question');

export const AVAILABILITY_FIGURES = [
  'availability', 'unavailability', 'downtime_min_per_year', 'nines', 'mttf_hours', 'interruptions_per_year', 'cost_per_year', 'total_cost',
] as const;

const CostBasis = z.strictObject({
  downtimePerHour: z.number().nonnegative(),
  perInterruption: z.number().nonnegative().default(0),
  hardwarePerModule: z.number().nonnegative().default(0),
  years: z.number().positive().default(5),
}).describe('As lockstep availability --downtime-cost, --interruption-cost, --hardware-cost, --years');

const AvailabilityAnswer = z.strictObject({
  availability: z.strictObject({
    model: z.enum(MODELS),
    parameters: AvailabilityParameters.optional().describe('Model parameters; the others keep lockstep availability\'s defaults'),
    figure: z.enum(AVAILABILITY_FIGURES),
    cost: CostBasis.optional().describe('Needed for cost_per_year and total_cost'),
    scale: z.number().positive().default(1).describe('Multiply the figure by this (60: minutes → seconds)'),
  }).refine((a) => !a.figure.includes('cost') || a.cost !== undefined, 'cost figures need cost: { downtimePerHour, … }'),
}).describe('The answer as the availability models compute it (src/availability): it stays right when they change');

const NumberGoal = z.strictObject({
  kind: z.literal('number'),
  question: Markdown(2000),
  answer: z.union([z.number(), AvailabilityAnswer]),
  tolerance: z.number().nonnegative().describe('An answer within this much of the right one is right (absolute)'),
  unit: z.string().max(40).optional().describe('Shown beside the answer field, e.g. "min per year"'),
}).describe('A question answered with a number');

// ── Programs ───────────────────────────────────────────────────────────────────────────

const ProgramTest = z.strictObject({
  name: z.string().min(1).max(200),
  points: z.number().positive().default(1),
  faults: z.array(FaultText).max(16).default([]).describe("Faults added to the step's own for this test"),
  topology: z.enum(SERVICE_TOPOLOGIES).optional().describe("Instead of the step's topology"),
  goal: RunGoal,
}).describe("One run of the student's program, from the step's start with these changes, and what it must show");

const ProgramGoal = z.strictObject({
  kind: z.literal('program'),
  starter: ProgramSchema.optional().describe("What the editor starts with (default: the step's program)"),
  tests: z.array(ProgramTest).min(1).max(20),
}).describe('A program the student edits; graded by running each test (lockstep grade)');

const StepGoal = z.discriminatedUnion('kind', [
  EventGoal, OutcomeGoal, LedgerGoal, RegisterGoal, OutputGoal, AllGoal, CampaignGoal, ChoiceGoal, NumberGoal, ProgramGoal,
]);
export type StepGoal = z.output<typeof StepGoal>;
export type CampaignGoal = z.output<typeof CampaignGoal>;
export type ChoiceGoal = z.output<typeof ChoiceGoal>;
export type NumberGoal = z.output<typeof NumberGoal>;
export type ProgramGoal = z.output<typeof ProgramGoal>;
export type ProgramTest = z.output<typeof ProgramTest>;
export type AvailabilityAnswer = z.output<typeof AvailabilityAnswer>;

// ── Reference solutions ────────────────────────────────────────────────────────────────

const ReplaceAction = z.union([
  z.strictObject({ at: z.number().int().nonnegative().optional(), module: z.number().int().nonnegative() }),
  z.strictObject({ at: z.number().int().nonnegative().optional(), board: z.number().int().nonnegative() }),
]).describe('Replace a module or a board at instruction `at` (default: where the machine is when the step starts)');

export const CAMPAIGN_TARGETS = ['regs', 'pc', 'csr', 'mem', 'result'] as const;

const CampaignRequestSchema = z.strictObject({
  topology: z.enum(TOPOLOGIES),
  runs: z.number().int().min(1).max(1_000_000),
  seed: z.number().int().min(0).max(0xFFFF_FFFF).default(1),
  kinds: z.array(z.enum(MODULE_FAULT_KINDS)).min(1).optional(),
  targets: z.array(z.enum(CAMPAIGN_TARGETS)).min(1).optional(),
}).describe("A campaign over the step's program, as lockstep campaign --topology --runs --seed --kinds --targets");
export type CampaignSettings = z.output<typeof CampaignRequestSchema>;

const Solution = z.strictObject({
  inject: z.array(FaultText).max(16).optional().describe('Faults the student injects (run goals)'),
  replace: z.array(ReplaceAction).max(8).optional().describe('Modules or boards the student replaces (run goals)'),
  answer: z.union([z.number(), z.array(z.number().int().nonnegative()).min(1)]).optional().describe('The answer (questions): a number, or the chosen choices'),
  program: ProgramSchema.optional().describe('The solution program (program goals)'),
  campaign: CampaignRequestSchema.optional().describe('The campaign to run (campaign goals)'),
}).describe('The reference solution: what lockstep lesson check does to reach the goal');
export type Solution = z.output<typeof Solution>;

// ── Steps and lessons ──────────────────────────────────────────────────────────────────

const QUESTION_KINDS: readonly string[] = ['choice', 'number'];

/** "an event goal", "a ledger goal". */
const aGoal = (kind: string) => `${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} goal`;

/** Which solution fields each kind of goal takes. */
function solutionFields(goal: StepGoal): (keyof Solution)[] {
  switch (goal.kind) {
    case 'choice': case 'number': return ['answer'];
    case 'program': return ['program'];
    case 'campaign': return ['campaign'];
    default: return ['inject', 'replace'];
  }
}

const StepSchema = z.strictObject({
  title: z.string().min(1).max(120),
  narration: Markdown(8000).describe('Markdown, shown beside the machine (rendered sanitised: no HTML runs)'),
  start: z.union([z.literal('continue'), LessonScenarioSchema])
    .describe('A scenario to start from, or "continue" with the machine as the previous step left it'),
  hints: z.array(Markdown(2000)).max(5).default([]).describe('Revealed one at a time'),
  goal: StepGoal,
  solution: Solution.default({}),
}).superRefine((step, ctx) => {
  const allowed = solutionFields(step.goal);
  for (const field of Object.keys(step.solution) as (keyof Solution)[]) {
    if (!allowed.includes(field)) ctx.addIssue({ code: 'custom', path: ['solution', field], message: `${aGoal(step.goal.kind)}'s solution takes ${allowed.join(' or ')}, not ${field}` });
  }
  const required = { choice: 'answer', number: 'answer', program: 'program', campaign: 'campaign' } as const;
  const needs = required[step.goal.kind as keyof typeof required];
  if (needs && step.solution[needs] === undefined) ctx.addIssue({ code: 'custom', path: ['solution'], message: `${aGoal(step.goal.kind)} needs solution.${needs}` });
  if (step.goal.kind === 'number' && step.solution.answer !== undefined && typeof step.solution.answer !== 'number') {
    ctx.addIssue({ code: 'custom', path: ['solution', 'answer'], message: 'a number question is answered with a number' });
  }
  if (step.goal.kind === 'choice' && typeof step.solution.answer === 'number' && !Number.isInteger(step.solution.answer)) {
    ctx.addIssue({ code: 'custom', path: ['solution', 'answer'], message: 'a choice is answered with its number (from 0)' });
  }
  if ((step.goal.kind === 'program' || step.goal.kind === 'campaign') && step.start === 'continue') {
    ctx.addIssue({ code: 'custom', path: ['start'], message: `a ${step.goal.kind} step needs a scenario to start from: its program and machine` });
  }
});
export type Step = z.output<typeof StepSchema>;

export const LessonSchema = z.strictObject({
  $schema: z.string().optional(),
  version: z.literal(LESSON_VERSION).default(LESSON_VERSION),
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'lower-case words joined by hyphens, e.g. silent-server').max(60)
    .describe('Names the lesson in links and in the progress kept by the browser'),
  title: z.string().min(1).max(120),
  summary: z.string().min(1).max(1000).describe('One paragraph: what the lesson shows (plain text)'),
  minutes: z.number().int().min(1).max(120).describe('About how long the lesson takes'),
  goals: z.array(z.string().min(1).max(300)).min(1).max(8).describe('What the student will be able to say or do afterwards'),
  steps: z.array(StepSchema).min(1).max(40),
}).superRefine((lesson, ctx) => {
  if (lesson.steps[0]?.start === 'continue') ctx.addIssue({ code: 'custom', path: ['steps', 0, 'start'], message: 'the first step has nothing to continue: give it a scenario' });
  lesson.steps.forEach((step, k) => {
    if (step.start !== 'continue' || QUESTION_KINDS.includes(step.goal.kind)) return;
    const machineBefore = lesson.steps.slice(0, k).some((s) => s.start !== 'continue');
    if (!machineBefore) ctx.addIssue({ code: 'custom', path: ['steps', k, 'start'], message: 'no earlier step starts a machine to continue' });
  });
}).describe('A Lockstep Lab lesson: learning goals and ordered steps, each with narration, a start, hints, a goal and a reference solution');

export type Lesson = z.output<typeof LessonSchema>;
export type LessonInput = z.input<typeof LessonSchema>;

export type LessonResult = { ok: true; lesson: Lesson } | { ok: false; error: string };

/** Validates a parsed JSON value; the error names each problem with its path (steps.2.goal.kind: …). */
export function validateLesson(value: unknown): LessonResult {
  const parsed = LessonSchema.safeParse(value);
  if (parsed.success) return { ok: true, lesson: parsed.data };
  const problems = parsed.error.issues.map((issue) => {
    const path = issue.path.length > 0 ? issue.path.map(String).join('.') : '(lesson)';
    return `${path}: ${issue.message}`;
  });
  return { ok: false, error: problems.join('; ') };
}

/** Parses lesson JSON text; bad JSON and bad content both come back as one readable error. */
export function parseLesson(text: string): LessonResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { ok: false, error: `not valid JSON: ${(error as Error).message}` };
  }
  return validateLesson(value);
}

/**
 * The published JSON Schema (draft 2020-12) of a lesson file as people write it. Schemas
 * used in several places (a goal inside `all` and in program tests, a bound, a program) are
 * written once under `$defs` and referenced.
 */
export function lessonJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(LessonSchema, { io: 'input' }),
    $id: 'lesson.schema.json',
    title: 'Lockstep Lab lesson',
  };
}
