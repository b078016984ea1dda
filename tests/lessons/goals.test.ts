/**
 * The goal checker (src/lessons/goals.ts) on recorded observation streams: each kind of
 * goal is met at exactly the observation that satisfies it and not before, fails at the end
 * of a run that never satisfied it (saying why), and stays as it is once settled. The
 * streams are written out by hand from DESIGN §4–§7 (what each topology does on a fault),
 * so the index at which a goal must fire is known before the checker runs; one stream is
 * recorded from a real machine.
 */
import { describe, expect, it } from 'vitest';
import { GoalChecker, checkAnswer, type Observation } from '../../src/lessons/goals.ts';
import type { ChoiceGoal, NumberGoal, RunGoal, CampaignGoal } from '../../src/lessons/lesson.ts';
import { LessonSchema } from '../../src/lessons/lesson.ts';
import type { MachineEvent } from '../../src/machine/events.ts';
import type { Ledger } from '../../src/transactions/ledger.ts';
import type { ServiceTopology } from '../../src/system/index.ts';
import { Machine } from '../../src/machine/machine.ts';
import { assemble } from '../../src/isa/index.ts';
import { parseFault } from '../../src/fault/spec.ts';

/** A goal as a lesson file writes it, with the schema's defaults filled in. */
function goal(value: unknown): RunGoal | CampaignGoal | ChoiceGoal | NumberGoal {
  const lesson = LessonSchema.parse({
    id: 'g', title: 't', summary: 's', minutes: 1, goals: ['g'],
    steps: [{ title: 's', narration: 'n', start: { program: { example: 'ledger' } }, goal: value, solution: solutionFor(value) }],
  });
  return lesson.steps[0].goal as RunGoal;
}

function solutionFor(value: unknown): object {
  const kind = (value as { kind: string }).kind;
  if (kind === 'choice' || kind === 'number') return { answer: 0 };
  if (kind === 'campaign') return { campaign: { topology: 'tmr', runs: 1 } };
  return {};
}

/**
 * Feeds `stream` one observation at a time; returns the index of the observation at which
 * the goal was met (or failed), checking that it was pending before that.
 */
function settle(g: unknown, stream: Observation[], topology: ServiceTopology = 'pair-spare'): { index: number; state: string; text: string } {
  const checker = new GoalChecker(goal(g) as RunGoal, { topology });
  for (const [index, o] of stream.entries()) {
    const status = checker.observe(o);
    if (status.state !== 'pending') {
      return { index, state: status.state, text: status.state === 'met' ? status.evidence : status.reason };
    }
  }
  return { index: -1, state: 'pending', text: '' };
}

const ev = (event: MachineEvent): Observation => ({ kind: 'event', event });
const end: Observation = { kind: 'end', reason: 'the guest exited with code 0' };

/**
 * Pair-and-spare, module 1 (board 0) flipped at 300 (DESIGN §4: the board whose pair
 * disagrees goes offline, the other continues), then a kill of module 2 (board 1) at 900
 * after board 0 was replaced at 600, resynced in two rounds.
 */
const pairSpareRun: Observation[] = [
  ev({ instret: 300, kind: 'inject', module: 1, fault: 'at=300,module=1,kind=flip,target=x18,bit=12' }), // 0
  ev({ instret: 337, kind: 'diverge', module: 1, reference: 0, pc: 0x8000001c, field: 'x18', expected: '0x0000b6ea', actual: '0x0000c6ea' }), // 1
  ev({ instret: 337, kind: 'offline', module: 0, reason: 'pair-disagreed' }), // 2
  ev({ instret: 337, kind: 'offline', module: 1, reason: 'pair-disagreed' }), // 3
  { kind: 'output', text: '1025.00\n10' }, // 4
  { kind: 'output', text: '13.00\n' }, // 5
  ev({ instret: 600, kind: 'replace', module: 0 }), // 6
  ev({ instret: 600, kind: 'replace', module: 1 }), // 7
  ev({ instret: 700, kind: 'resync-round', module: 0, modules: [0, 1], source: 2, round: 1, pages: 256, bytes: 1 << 20, instructions: 100 }), // 8
  ev({ instret: 760, kind: 'resync-round', module: 0, modules: [0, 1], source: 2, round: 2, pages: 3, bytes: 12288, instructions: 12 }), // 9
  ev({ instret: 760, kind: 'resync-done', module: 0, modules: [0, 1], source: 2, mode: 'precopy', rounds: 2, bytes: 1 << 20, pause_instructions: 9, pause_us: 0.09 }), // 10
  ev({ instret: 900, kind: 'inject', module: 2, fault: 'at=900,module=2,kind=kill' }), // 11
  ev({ instret: 900, kind: 'offline', module: 2, reason: 'dead' }), // 12
  ev({ instret: 900, kind: 'offline', module: 3, reason: 'partner-lost' }), // 13
  { kind: 'state', instret: 964, registers: [[0, ...Array(31).fill(7)], Array(32).fill(0), Array(32).fill(0), Array(32).fill(0)] }, // 14
  ev({ instret: 964, kind: 'halt', reason: 'exit', exit_code: 0 }), // 15
  { kind: 'output', text: '994.64\n' }, // 16
  { kind: 'outcome', outcome: 'recovered' }, // 17
  end, // 18
];

describe('event goals', () => {
  it.each([
    ['the first event of its kind', { kind: 'event', event: 'diverge' }, 1],
    ['an event on one module', { kind: 'event', event: 'offline', module: 1 }, 3],
    ['a board offline: the first of its modules to go', { kind: 'event', event: 'offline', board: 0 }, 2],
    ['a board offline for a reason', { kind: 'event', event: 'offline', board: 1, where: { reason: 'dead' } }, 12],
    ['a reason that comes only later', { kind: 'event', event: 'offline', where: { reason: 'partner-lost' } }, 13],
    ['a field in a range', { kind: 'event', event: 'resync-done', where: { rounds: { min: 2 }, pause_us: { max: 1 } } }, 10],
    ['the n-th matching event', { kind: 'event', event: 'resync-round', count: 2 }, 9],
    ['an exact instruction', { kind: 'event', event: 'inject', where: { instret: 900 } }, 11],
    ['a string field', { kind: 'event', event: 'halt', where: { reason: 'exit', exit_code: 0 } }, 15],
  ])('%s fires at that event and not before', (_what, g, index) => {
    expect(settle(g, pairSpareRun)).toMatchObject({ index, state: 'met' });
  });

  it('names the event it was met by', () => {
    expect(settle({ kind: 'event', event: 'offline', board: 1, where: { reason: 'dead' } }, pairSpareRun).text)
      .toBe('a module went offline (module 2, reason dead) at instruction 900');
  });

  it.each([
    ['a board that never went offline', { kind: 'event', event: 'offline', board: 1, where: { reason: 'pair-disagreed' } }, /board 1, reason pair-disagreed.*it saw only: a module went offline \(module 0, reason pair-disagreed\)/],
    ['an event that never happened', { kind: 'event', event: 'failstop' }, /never showed that the machine fail-stopped/],
    ['more events than happened', { kind: 'event', event: 'resync-round', count: 3 }, /3 times \(it did 2\)/],
    ['a bound no event met', { kind: 'event', event: 'resync-done', where: { rounds: { min: 3 } } }, /rounds ≥ 3/],
  ])('%s fails at the end of the run, saying why', (_what, g, reason) => {
    const result = settle(g, pairSpareRun);
    expect(result).toMatchObject({ index: pairSpareRun.length - 1, state: 'failed' });
    expect(result.text).toMatch(reason);
    expect(result.text).toMatch(/\(the guest exited with code 0\)$/);
  });

  it('names hosts by module on a failover system, and waits for its own events', () => {
    const cluster: Observation[] = [
      { kind: 'event', event: { kind: 'checkpoint', cycle: 1e6, instret: 100_000, host: 0, bytes: 74_076, pause_cycles: 59_261, acknowledged: 95 } },
      { kind: 'event', event: { kind: 'host-down', cycle: 5e7, instret: 210_000, host: 0, reason: 'killed' } },
      { kind: 'event', event: { kind: 'declared-dead', cycle: 5.3e7, host: 0, last_heartbeat_cycle: 5e7 } },
      { kind: 'event', event: { kind: 'takeover', cycle: 5.8e7, host: 1, checkpoint_instret: 100_000, redelivered: 0, rolled_back: 395, outage_cycles: 8e6 } },
      end,
    ];
    expect(settle({ kind: 'event', event: 'takeover', module: 1 }, cluster, 'cluster')).toMatchObject({ index: 3, state: 'met', text: 'the standby (the backup) took over (host 1) at 580 ms' });
    expect(settle({ kind: 'event', event: 'host-down', module: 1 }, cluster, 'cluster')).toMatchObject({ index: 4, state: 'failed' });
  });
});

describe('outcome, output, register, ledger and campaign goals', () => {
  it('an outcome is met when the outcome arrives; another outcome fails at the end', () => {
    expect(settle({ kind: 'outcome', outcome: 'recovered' }, pairSpareRun)).toMatchObject({ index: 17, state: 'met' });
    const sdc = settle({ kind: 'outcome', outcome: 'sdc' }, pairSpareRun);
    expect(sdc).toMatchObject({ index: 18, state: 'failed' });
    expect(sdc.text).toMatch(/^the outcome was recovered, not sdc/);
  });

  it('output.includes fires at the chunk that completes the text, across chunk boundaries', () => {
    expect(settle({ kind: 'output', includes: '1013.00\n' }, pairSpareRun)).toMatchObject({ index: 5, state: 'met' });
    expect(settle({ kind: 'output', includes: '1025' }, pairSpareRun)).toMatchObject({ index: 4, state: 'met' });
    expect(settle({ kind: 'output', includes: '994.64\n' }, pairSpareRun)).toMatchObject({ index: 16, state: 'met' });
  });

  it('output.equals is judged at the end only, even when the output is complete earlier', () => {
    const whole = '1025.00\n1013.00\n994.64\n';
    expect(settle({ kind: 'output', equals: whole }, pairSpareRun)).toMatchObject({ index: 18, state: 'met' });
    const wrong = settle({ kind: 'output', equals: '1025.00\n1013.01\n994.64\n' }, pairSpareRun);
    expect(wrong).toMatchObject({ index: 18, state: 'failed' });
    expect(wrong.text).toMatch(/character 14 \(line 2\): "0\\n994.64\\n" instead of "1\\n994.64\\n"/);
  });

  it('a register goal is met at the first look that shows the value, as a 32-bit word', () => {
    const looks: Observation[] = [
      { kind: 'state', instret: 10, registers: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 41]] },
      { kind: 'state', instret: 20, registers: [[0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xFFFF_FFFF]] },
      end,
    ];
    expect(settle({ kind: 'register', register: 'a0', value: -1 }, looks, 'simplex')).toMatchObject({ index: 1, state: 'met', text: "module 0's a0 held 0xffffffff at instruction 20" });
    expect(settle({ kind: 'register', register: 'x10', value: 41 }, looks, 'simplex')).toMatchObject({ index: 0, state: 'met' });
    expect(settle({ kind: 'register', register: 'a0', value: 42 }, looks, 'simplex')).toMatchObject({ index: 2, state: 'failed', text: expect.stringMatching(/expected 0x0000002a in module 0's a0, last seen 0xffffffff/) });
  });

  const ledger: Ledger = {
    arrived: 2040, dropped: 110, correct: 1471, wrong: 64, lost: 505, rolled_back: 395, duplicated: 0, queued: 0,
    deadline_misses: 0, downtime_us: 80_000, latency_us: { p50: 1, p99: 2, max: 3 },
  };
  const workloadRun: Observation[] = [
    { kind: 'event', event: { kind: 'takeover', cycle: 5.8e7, host: 1, checkpoint_instret: 100_000, redelivered: 0, rolled_back: 395, outage_cycles: 8e6 } },
    { kind: 'ledger', ledger },
    { kind: 'end', reason: 'the workload\'s 1,000,000 µs of virtual time ran out' },
  ];

  it('a ledger goal is met by the final ledger when every count is in its bound', () => {
    expect(settle({ kind: 'ledger', ledger: { lost: { min: 1 }, downtime_us: 80_000, duplicated: 0 } }, workloadRun, 'cluster'))
      .toMatchObject({ index: 1, state: 'met', text: 'the ledger showed lost 505, duplicated 0, downtime_us 80000' });
    const short = settle({ kind: 'ledger', ledger: { lost: 0, wrong: { max: 10 }, correct: { min: 1 } } }, workloadRun, 'cluster');
    expect(short).toMatchObject({ index: 2, state: 'failed' });
    expect(short.text).toMatch(/^the ledger showed wrong 64 \(expected ≤ 10\), lost 505 \(expected = 0\)/);
  });

  it('a ledger goal on a run without a ledger fails at the end', () => {
    expect(settle({ kind: 'ledger', ledger: { lost: 0 } }, pairSpareRun)).toMatchObject({ index: 18, state: 'failed', text: expect.stringMatching(/no ledger/) });
  });

  it('a campaign goal is met by the first summary that fits, not by one of another topology', () => {
    const campaigns: Observation[] = [
      { kind: 'campaign', summary: { topology: 'dmr', runs: 1000, outcomes: { sdc: { count: 0 }, failstop: { count: 412 } } } },
      { kind: 'campaign', summary: { topology: 'tmr', runs: 500, outcomes: { sdc: { count: 0 } } } },
      { kind: 'campaign', summary: { topology: 'tmr', runs: 1000, outcomes: { sdc: { count: 0 }, recovered: { count: 388 } } } },
      end,
    ];
    expect(settle({ kind: 'campaign', topology: 'tmr', runs: { min: 1000 }, outcomes: { sdc: 0, crash: 0, recovered: { min: 1 } } }, campaigns, 'tmr'))
      .toMatchObject({ index: 2, state: 'met' });
    expect(settle({ kind: 'campaign', topology: 'tmr', outcomes: { failstop: { min: 1 } } }, campaigns, 'tmr'))
      .toMatchObject({ index: 3, state: 'failed', text: expect.stringMatching(/failstop 0 \(expected ≥ 1\)/) });
  });
});

describe('all, and settling once', () => {
  it('all is met when the last of its goals is', () => {
    const g = { kind: 'all', goals: [{ kind: 'output', includes: '1013' }, { kind: 'event', event: 'offline', board: 1 }, { kind: 'event', event: 'diverge' }] };
    expect(settle(g, pairSpareRun)).toMatchObject({ index: 12, state: 'met' });
  });

  it('all fails at the end naming only the goals it missed', () => {
    const result = settle({ kind: 'all', goals: [{ kind: 'event', event: 'diverge' }, { kind: 'outcome', outcome: 'failstop' }] }, pairSpareRun);
    expect(result).toMatchObject({ index: 18, state: 'failed' });
    expect(result.text).toMatch(/^the outcome was recovered, not failstop \(/);
  });

  it('stays met, and stays failed, whatever comes after', () => {
    const checker = new GoalChecker(goal({ kind: 'event', event: 'diverge' }) as RunGoal, { topology: 'pair-spare' });
    checker.observe(pairSpareRun[1]);
    expect(checker.observe(end)).toEqual({ state: 'met', evidence: expect.stringContaining('instruction 337') });
    const never = new GoalChecker(goal({ kind: 'event', event: 'failstop' }) as RunGoal, { topology: 'pair-spare' });
    never.observe(end);
    expect(never.observe(ev({ instret: 1, kind: 'failstop', reason: 'late' })).state).toBe('failed');
  });
});

describe('a stream recorded from a machine', () => {
  it('tmr: the outvoting goal fires at the offline event, at the instruction of the divergence', async () => {
    // ledger.s's loop: s2 is read and written by `add s2, s2, t0` once per transaction.
    const source = 'la s0, t\nli s1, 4\nli s2, 100\nnext: lw t0, 0(s0)\nadd s2, s2, t0\naddi s0, s0, 4\naddi s1, s1, -1\nbnez s1, next\nli a0, 0\nli a7, 93\necall\n.data\nt: .word 1, 2, 3, 4\n';
    const machine = await Machine.create({ topology: 'tmr' });
    machine.load(assemble(source).program!);
    machine.inject(parseFault('at=6,module=1,kind=flip,target=s2,bit=4'));
    while (!machine.halt) machine.run(1000);
    const stream: Observation[] = [...machine.events.map(ev), end];
    const diverge = machine.events.findIndex((e) => e.kind === 'diverge');
    const result = settle({ kind: 'event', event: 'offline', module: 1, where: { reason: 'outvoted' } }, stream, 'tmr');
    // `la` is two instructions (0, 1), then 2, 3; each turn is lw, add, addi, addi, bnez from 4. The flip lands
    // before instruction 6, after the first turn's add; the second turn's add, instruction 10, writes s2 from it.
    expect(machine.events[diverge]).toMatchObject({ instret: 10, module: 1, field: 'x18' });
    expect(result).toMatchObject({ index: diverge + 1, state: 'met', text: 'a module went offline (module 1, reason outvoted) at instruction 10' });
  });
});

describe('questions', () => {
  const choice = goal({ kind: 'choice', question: 'q', choices: ['a', 'b', 'c'], answer: 1 }) as ChoiceGoal;
  const several = goal({ kind: 'choice', question: 'q', choices: ['a', 'b', 'c', 'd'], answer: [0, 2] }) as ChoiceGoal;

  it('a choice is right only as the answer', () => {
    expect(checkAnswer(choice, 1).state).toBe('met');
    expect(checkAnswer(choice, 0)).toEqual({ state: 'failed', reason: '"a" is not right' });
    expect(checkAnswer(choice, [1]).state).toBe('met');
  });

  it('several right choices must all be picked, and nothing else', () => {
    expect(checkAnswer(several, [2, 0]).state).toBe('met');
    expect(checkAnswer(several, [0]).state).toBe('failed');
    expect(checkAnswer(several, [0, 2, 3]).state).toBe('failed');
  });

  it('a number is right within its tolerance, inclusive', () => {
    const g = goal({ kind: 'number', question: 'q', answer: 40.96, tolerance: 0.01, unit: 'dollars' }) as NumberGoal;
    expect(checkAnswer(g, 40.95).state).toBe('met');
    expect(checkAnswer(g, 40.97).state).toBe('met');
    expect(checkAnswer(g, 40.9799).state).toBe('failed');
    expect(checkAnswer(g, Number.NaN).state).toBe('failed');
  });

  it('a computed answer comes from the availability models', () => {
    // simplex with λ = 1, μ = 99,999: U = λ / (λ + μ) = 1e-5, i.e. 525,960 × 1e-5 = 5.2596 minutes a year.
    const g = goal({
      kind: 'number', question: 'q', tolerance: 0.0001,
      answer: { availability: { model: 'simplex', parameters: { lambda: 1, mu: 99_999 }, figure: 'downtime_min_per_year' } },
    }) as NumberGoal;
    expect(checkAnswer(g, 5.2596).state).toBe('met');
    expect(checkAnswer(g, 5.26).state).toBe('failed');
    // Seconds instead: × 60 = 315.576.
    const seconds = goal({ ...g, answer: { availability: { ...(g.answer as { availability: object }).availability, scale: 60 } } }) as NumberGoal;
    expect(checkAnswer(seconds, 315.576).state).toBe('met');
  });

  it('a computed cost: hardware plus years × (downtime + interruptions)', () => {
    // simplex, λ = 1e-5, μ = 0.25: U = 1e-5 / 0.25001, 525,960 U minutes a year; interruptions λ·A·8766 a year.
    const U = 1e-5 / 0.25001;
    const perYear = (525_960 * U / 60) * 250_000 + 1e-5 * (1 - U) * 8766 * 5000;
    const g = goal({
      kind: 'number', question: 'q', tolerance: 0.01,
      answer: { availability: { model: 'simplex', figure: 'total_cost', cost: { downtimePerHour: 250_000, perInterruption: 5000, hardwarePerModule: 20_000, years: 5 } } },
    }) as NumberGoal;
    expect(checkAnswer(g, 20_000 + 5 * perYear).state).toBe('met');
  });
});
