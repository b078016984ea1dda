/**
 * The goal checker: one for the browser's lesson player, which checks a step's
 * goal live from what the machine does, and for `lockstep lesson check` and `lockstep
 * grade`, which play a run headless (play.ts) and feed it the same observations.
 *
 * A run is observed as a stream (Observation): the machine's events as they happen, its
 * console output, looks at its registers, and when it ends its outcome, its ledger and the
 * end itself. A GoalChecker takes the stream one observation at a time. Its contract:
 *
 * - a goal is met at the first observation that satisfies it, and not before: an event goal
 *   at the event, `output.includes` at the output that completes the text, a register goal
 *   at the look that shows the value, an outcome or ledger goal when the run's outcome or
 *   final ledger arrives, `output.equals` at the end; `all` when the last of its goals is;
 * - a goal not met when the run ends has failed, with the reason in words;
 * - once met or failed it stays so (a new run needs a new checker).
 *
 * Questions are not runs: checkAnswer() judges an answer against the same goal types.
 */
import type { MachineEvent } from '../machine/events.ts';
import { boardOf, isTopology } from '../machine/topology.ts';
import type { SystemEvent } from '../system/failover.ts';
import type { ServiceTopology } from '../system/index.ts';
import type { Outcome } from '../fault/classify.ts';
import type { Ledger } from '../transactions/ledger.ts';
import { CYCLES_PER_US } from '../transactions/time.ts';
import { checkLedger } from '../scenario/ledger-expectation.ts';
import { registerNumber } from '../isa/registers.ts';
import { assess, checkParameters, costOf, DEFAULT_PARAMETERS } from '../availability/index.ts';
import {
  CAMPAIGN_OUTCOMES, EVENT_NAMES, type AvailabilityAnswer, type Bound, type CampaignGoal, type ChoiceGoal, type MachineGoal,
  type NumberGoal, type RunGoal,
} from './lesson.ts';

/** What a campaign goal reads of a campaign summary (`lockstep campaign --summary`). */
export interface CampaignSummaryView {
  topology: string;
  runs: number;
  outcomes: Partial<Record<string, { count: number }>>;
}

/** One thing seen of a run, in the order it happened. */
export type Observation =
  /** A machine event (src/machine/events.ts) or a failover system's (src/system/failover.ts). */
  | { kind: 'event'; event: MachineEvent | SystemEvent }
  /** Console output since the last one, as text. */
  | { kind: 'output'; text: string }
  /** A look at the registers: registers[m][n] is module m's xn, as a 32-bit word (0..2^32-1). */
  | { kind: 'state'; instret: number; registers: readonly (readonly number[])[] }
  /** The run's outcome against the fault-free run, when it has ended. */
  | { kind: 'outcome'; outcome: Outcome }
  /** The workload's ledger at the end of the run. */
  | { kind: 'ledger'; ledger: Ledger }
  /** A campaign's summary. */
  | { kind: 'campaign'; summary: CampaignSummaryView }
  /** The run is over (`reason` in words: "the program exited with status 0"); nothing follows. */
  | { kind: 'end'; reason: string };

export type GoalStatus =
  | { state: 'pending' }
  | { state: 'met'; evidence: string }
  | { state: 'failed'; reason: string };

/** What the checker needs to know of the machine: its topology, for boards. */
export interface CheckContext {
  topology: ServiceTopology;
}

/** Checks one goal; see the header for the contract. */
export class GoalChecker {
  private current: GoalStatus = { state: 'pending' };
  private readonly matcher: Matcher;

  constructor(readonly goal: RunGoal | CampaignGoal, context: CheckContext) {
    this.matcher = matcherFor(goal, context);
  }

  get status(): GoalStatus { return this.current; }

  observe(observation: Observation): GoalStatus {
    if (this.current.state !== 'pending') return this.current;
    const evidence = this.matcher.observe(observation);
    if (evidence !== undefined) this.current = { state: 'met', evidence };
    else if (observation.kind === 'end') this.current = { state: 'failed', reason: `${this.matcher.missing()} (${observation.reason})` };
    return this.current;
  }
}

interface Matcher {
  /** Takes one observation; returns the evidence when it meets the goal. */
  observe(o: Observation): string | undefined;
  /** What the run lacked, once it has ended without meeting the goal. */
  missing(): string;
}

function matcherFor(goal: RunGoal | CampaignGoal, context: CheckContext): Matcher {
  switch (goal.kind) {
    case 'event': return new EventMatcher(goal, context);
    case 'outcome': return new OutcomeMatcher(goal.outcome);
    case 'ledger': return new LedgerMatcher(goal.ledger);
    case 'register': return new RegisterMatcher(goal);
    case 'output': return new OutputMatcher(goal);
    case 'all': return new AllMatcher(goal.goals, context);
    case 'campaign': return new CampaignMatcher(goal);
  }
}

// ── Bounds ─────────────────────────────────────────────────────────────────────────────

export function withinBound(value: number, bound: Bound): boolean {
  if (typeof bound === 'number') return value === bound;
  return (bound.min === undefined || value >= bound.min) && (bound.max === undefined || value <= bound.max);
}

export function boundText(bound: Bound): string {
  if (typeof bound === 'number') return `= ${bound}`;
  if (bound.min !== undefined && bound.max !== undefined) return `${bound.min} to ${bound.max}`;
  return bound.min !== undefined ? `≥ ${bound.min}` : `≤ ${bound.max}`;
}

// ── Events ─────────────────────────────────────────────────────────────────────────────

type AnyEvent = MachineEvent | SystemEvent;
type EventGoal = Extract<MachineGoal, { kind: 'event' }>;

/** Where an event happened: its instruction, or (failover systems) its virtual time. */
function when(e: AnyEvent): string {
  if ('instret' in e && !('cycle' in e)) return `at instruction ${e.instret.toLocaleString('en-US')}`;
  return `at ${(e.cycle / CYCLES_PER_US / 1000).toLocaleString('en-US', { maximumFractionDigits: 3 })} ms`;
}

/** Fields that say what an event was, besides its kind and time: named, or (where, fault) read as they are. */
const NAMED_FIELDS = ['reason', 'field', 'mode', 'rounds', 'pause_us', 'round', 'pages', 'exit_code'] as const;
const BARE_FIELDS = ['where', 'fault'] as const;

/** One event in words: "a module went offline (module 1, reason outvoted) at instruction 337". */
export function describeEvent(e: AnyEvent): string {
  const details: string[] = [];
  if ('module' in e) details.push(`module ${e.module}`);
  if ('host' in e) details.push(`host ${e.host}`);
  const fields = e as unknown as Record<string, unknown>;
  for (const key of NAMED_FIELDS) {
    if (fields[key] === undefined) continue;
    details.push(key.endsWith('_us') ? `${key.slice(0, -3).replace(/_/g, ' ')} ${String(fields[key])} µs` : `${key.replace(/_/g, ' ')} ${String(fields[key])}`);
  }
  for (const key of BARE_FIELDS) if (fields[key] !== undefined) details.push(String(fields[key]));
  return `${EVENT_NAMES[e.kind]}${details.length > 0 ? ` (${details.join(', ')})` : ''} ${when(e)}`;
}

class EventMatcher implements Matcher {
  private matched = 0;
  /** Events of the goal's kind that did not fit, for the reason. */
  private readonly others: AnyEvent[] = [];

  constructor(private readonly goal: EventGoal, private readonly context: CheckContext) {}

  observe(o: Observation): string | undefined {
    if (o.kind !== 'event' || o.event.kind !== this.goal.event) return undefined;
    if (!this.fits(o.event)) {
      this.others.push(o.event);
      return undefined;
    }
    this.matched++;
    return this.matched === this.goal.count ? describeEvent(o.event) : undefined;
  }

  private fits(e: AnyEvent): boolean {
    const fields = e as unknown as Record<string, unknown>;
    const module = typeof fields.module === 'number' ? fields.module : typeof fields.host === 'number' ? fields.host : undefined;
    if (this.goal.module !== undefined && module !== this.goal.module) return false;
    if (this.goal.board !== undefined) {
      const { topology } = this.context;
      if (module === undefined || (isTopology(topology) ? boardOf(topology, module) : module) !== this.goal.board) return false;
    }
    for (const [key, want] of Object.entries(this.goal.where ?? {})) {
      const value = fields[key];
      if (typeof want === 'string' || typeof want === 'boolean') {
        if (value !== want) return false;
      } else if (typeof value !== 'number' || !withinBound(value, want)) {
        return false;
      }
    }
    return true;
  }

  missing(): string {
    const g = this.goal;
    const wanted = [
      g.module !== undefined ? `module ${g.module}` : undefined,
      g.board !== undefined ? `board ${g.board}` : undefined,
      ...Object.entries(g.where ?? {}).map(([k, v]) => `${k} ${typeof v === 'object' || typeof v === 'number' ? boundText(v) : v}`),
    ].filter(Boolean);
    const times = g.count > 1 ? ` ${g.count} times (it did ${this.matched})` : '';
    const saw = this.others.length > 0 ? `; it saw only: ${this.others.slice(0, 3).map(describeEvent).join('; ')}` : '';
    return `the run never showed that ${EVENT_NAMES[g.event]}${wanted.length > 0 ? ` (${wanted.join(', ')})` : ''}${times}${saw}`;
  }
}

// ── Outcome, ledger, registers, output ─────────────────────────────────────────────────

class OutcomeMatcher implements Matcher {
  private actual: Outcome | undefined;
  constructor(private readonly expected: Outcome) {}

  observe(o: Observation): string | undefined {
    if (o.kind !== 'outcome') return undefined;
    this.actual = o.outcome;
    return o.outcome === this.expected ? `the outcome was ${o.outcome}` : undefined;
  }

  missing(): string {
    return this.actual ? `the outcome was ${this.actual}, not ${this.expected}` : `the run had no outcome to judge (expected ${this.expected})`;
  }
}

class LedgerMatcher implements Matcher {
  private unmet: string | undefined;
  constructor(private readonly expectation: Extract<MachineGoal, { kind: 'ledger' }>['ledger']) {}

  observe(o: Observation): string | undefined {
    if (o.kind !== 'ledger') return undefined;
    const checks = checkLedger(this.expectation, o.ledger);
    const wrong = checks.filter((c) => !c.met);
    if (wrong.length === 0) return `the ledger showed ${checks.map((c) => `${c.field} ${c.actual}`).join(', ')}`;
    this.unmet = wrong.map((c) => `${c.field} ${c.actual} (expected ${c.expected})`).join(', ');
    return undefined;
  }

  missing(): string {
    return this.unmet ? `the ledger showed ${this.unmet}` : 'the run had no ledger (it is not a transaction workload)';
  }
}

const hex = (v: number) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

class RegisterMatcher implements Matcher {
  private readonly n: number;
  private last: number | undefined;
  constructor(private readonly goal: Extract<MachineGoal, { kind: 'register' }>) {
    this.n = registerNumber(goal.register)!;
  }

  observe(o: Observation): string | undefined {
    if (o.kind !== 'state') return undefined;
    const value = o.registers[this.goal.module]?.[this.n];
    if (value === undefined) return undefined;
    this.last = value;
    return value >>> 0 === this.goal.value >>> 0
      ? `module ${this.goal.module}'s ${this.goal.register} held ${hex(value)} at instruction ${o.instret.toLocaleString('en-US')}` : undefined;
  }

  missing(): string {
    const want = `${hex(this.goal.value)} in module ${this.goal.module}'s ${this.goal.register}`;
    return this.last === undefined ? `the registers were never seen (expected ${want})` : `expected ${want}, last seen ${hex(this.last)}`;
  }
}

class OutputMatcher implements Matcher {
  private text = '';
  constructor(private readonly goal: Extract<MachineGoal, { kind: 'output' }>) {}

  observe(o: Observation): string | undefined {
    const { includes, equals } = this.goal;
    if (o.kind === 'output') {
      const from = Math.max(0, this.text.length - (includes?.length ?? 0) + 1);
      this.text += o.text;
      if (includes !== undefined && this.text.indexOf(includes, from) >= 0) return `the output included ${JSON.stringify(includes)}`;
    }
    if (o.kind === 'end' && equals !== undefined && this.text === equals) return 'the output was exactly as expected';
    return undefined;
  }

  missing(): string {
    if (this.goal.includes !== undefined) return `the output never included ${JSON.stringify(this.goal.includes)}`;
    const expected = this.goal.equals!;
    let at = 0;
    while (at < expected.length && at < this.text.length && expected[at] === this.text[at]) at++;
    const line = expected.slice(0, at).split('\n').length;
    const actual = at < this.text.length ? JSON.stringify(this.text.slice(at, at + 12)) : 'the end of the output';
    const wanted = at < expected.length ? JSON.stringify(expected.slice(at, at + 12)) : 'the end of the output';
    return `the output differs at character ${at} (line ${line}): ${actual} instead of ${wanted}`;
  }
}

class AllMatcher implements Matcher {
  private readonly parts: { matcher: Matcher; evidence?: string }[];
  constructor(goals: readonly MachineGoal[], context: CheckContext) {
    this.parts = goals.map((g) => ({ matcher: matcherFor(g, context) }));
  }

  observe(o: Observation): string | undefined {
    for (const part of this.parts) part.evidence ??= part.matcher.observe(o);
    return this.parts.every((p) => p.evidence !== undefined) ? this.parts.map((p) => p.evidence).join('; ') : undefined;
  }

  missing(): string {
    return this.parts.filter((p) => p.evidence === undefined).map((p) => p.matcher.missing()).join('; ');
  }
}

// ── Campaigns ──────────────────────────────────────────────────────────────────────────

class CampaignMatcher implements Matcher {
  private unmet: string | undefined;
  constructor(private readonly goal: CampaignGoal) {}

  observe(o: Observation): string | undefined {
    if (o.kind !== 'campaign') return undefined;
    const s = o.summary;
    const problems: string[] = [];
    if (this.goal.topology !== undefined && s.topology !== this.goal.topology) problems.push(`topology ${s.topology} (expected ${this.goal.topology})`);
    if (this.goal.runs !== undefined && !withinBound(s.runs, this.goal.runs)) problems.push(`${s.runs} runs (expected ${boundText(this.goal.runs)})`);
    const counts: string[] = [];
    for (const outcome of CAMPAIGN_OUTCOMES) {
      const bound = this.goal.outcomes?.[outcome];
      if (bound === undefined) continue;
      const count = s.outcomes[outcome]?.count ?? 0;
      if (withinBound(count, bound)) counts.push(`${outcome} ${count}`);
      else problems.push(`${outcome} ${count} (expected ${boundText(bound)})`);
    }
    if (problems.length === 0) return `the campaign on ${s.topology} made ${s.runs} runs${counts.length > 0 ? `: ${counts.join(', ')}` : ''}`;
    this.unmet = problems.join(', ');
    return undefined;
  }

  missing(): string {
    return this.unmet ? `the campaign showed ${this.unmet}` : 'no campaign was run';
  }
}

// ── Questions ──────────────────────────────────────────────────────────────────────────

/** The right answer to a number question: given, or computed by the availability models. */
export function expectedNumber(answer: NumberGoal['answer']): number {
  if (typeof answer === 'number') return answer;
  return availabilityFigure(answer);
}

function availabilityFigure({ availability: a }: AvailabilityAnswer): number {
  const parameters = { ...DEFAULT_PARAMETERS, ...a.parameters };
  checkParameters(parameters);
  const row = assess(a.model, parameters);
  let figure: number;
  if (a.figure === 'cost_per_year' || a.figure === 'total_cost') {
    const costs = costOf(row, a.cost!);
    figure = a.figure === 'cost_per_year' ? costs.per_year : costs.total;
  } else {
    figure = row[a.figure];
  }
  return figure * a.scale;
}

/** Judges an answer: a number for a number question, the chosen choices (numbered from 0) for a choice. */
export function checkAnswer(goal: ChoiceGoal | NumberGoal, answer: number | readonly number[]): GoalStatus {
  if (goal.kind === 'number') {
    if (typeof answer !== 'number' || !Number.isFinite(answer)) return { state: 'failed', reason: 'the answer is a number' };
    const expected = expectedNumber(goal.answer);
    const unit = goal.unit ? ` ${goal.unit}` : '';
    return Math.abs(answer - expected) <= goal.tolerance
      ? { state: 'met', evidence: `${answer}${unit} is right (${round(expected)}${unit})` }
      : { state: 'failed', reason: `${answer}${unit} is not right` };
  }
  const chosen = new Set(typeof answer === 'number' ? [answer] : answer);
  const right = new Set(typeof goal.answer === 'number' ? [goal.answer] : goal.answer);
  const same = chosen.size === right.size && [...chosen].every((c) => right.has(c));
  const names = [...chosen].map((c) => JSON.stringify(goal.choices[c] ?? `choice ${c}`)).join(' and ');
  const verb = chosen.size > 1 ? 'are' : 'is';
  return same ? { state: 'met', evidence: `${names} ${verb} right` } : { state: 'failed', reason: `${names} ${verb} not right` };
}

function round(value: number): string {
  return Number(value.toPrecision(6)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}
