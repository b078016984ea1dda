/**
 * The headless player (src/lessons/play.ts): steps that continue a run from where the step
 * before stopped, workload runs whose ledger is exactly `lockstep run --workload`'s, program
 * steps graded test by test, and campaign steps through the environment's campaign engine.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkLesson, LOOK_EVERY, runProgramTests, type PlayEnvironment, type CampaignRequest } from '../../src/lessons/play.ts';
import { validateLesson, type Lesson, type LessonInput } from '../../src/lessons/lesson.ts';
import { LEDGER_EXPECTATION_FIELDS } from '../../src/scenario/ledger-expectation.ts';
import { lockstep, tempDir } from '../cli/lockstep.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Examples from examples/, URLs relative to lessons/: as the CLI reads them. */
const env: PlayEnvironment = {
  async readProgram(program) {
    const path = 'example' in program ? join(root, 'examples', `${program.example}.s`) : join(root, 'lessons', program.url);
    return { bytes: readFileSync(path), name: path };
  },
};

function lessonOf(steps: LessonInput['steps']): Lesson {
  const result = validateLesson({ id: 'test', title: 'Test', summary: 'A test.', minutes: 10, goals: ['Test'], steps });
  if (!result.ok) throw new Error(result.error);
  return result.lesson;
}

/** What ledger.s prints: the balance after each of its 16 transactions, from 1000.00, in cents as dollars. */
function ledgerOutput(): string {
  const amounts = [2500, -1200, 30000, -4599, 125, -80000, 999, 1, -1, 45000, -250, 7777, -3333, 100, -10000, 12345];
  let balance = 100_000;
  return amounts.map((a) => {
    balance += a;
    return `${Math.floor(balance / 100)}.${String(balance % 100).padStart(2, '0')}\n`;
  }).join('');
}

const ledgerOnTmr = { program: { example: 'ledger' }, machine: { topology: 'tmr' as const } };

describe('steps that continue', () => {
  it('go on from where the step before stopped, at most LOOK_EVERY instructions after its goal', async () => {
    // ledger.s on tmr, module 1 flipped before 300: outvoted at 337 (its next write of s2, as lesson 4 says).
    const lesson = lessonOf([
      { title: 'outvote', narration: 'n', start: ledgerOnTmr, goal: { kind: 'event', event: 'offline', module: 1 }, solution: { inject: ['at=300,module=1,kind=flip,target=s2,bit=12'] } },
      { title: 'second fault', narration: 'n', start: 'continue', goal: { kind: 'event', event: 'failstop' }, solution: { inject: [`at=${337 + LOOK_EVERY},module=2,kind=flip,target=s2,bit=3`] } },
    ]);
    const reports = await checkLesson(lesson, env);
    expect(reports.map((r) => r.status.state)).toEqual(['met', 'met']);
  });

  it('cannot plan a fault in the past of the run they continue', async () => {
    const lesson = lessonOf([
      { title: 'outvote', narration: 'n', start: ledgerOnTmr, goal: { kind: 'event', event: 'offline', module: 1 }, solution: { inject: ['at=300,module=1,kind=flip,target=s2,bit=12'] } },
      { title: 'too early', narration: 'n', start: 'continue', goal: { kind: 'event', event: 'failstop' }, solution: { inject: ['at=320,module=2,kind=flip,target=s2,bit=3'] } },
    ]);
    const [, late] = await checkLesson(lesson, env);
    expect(late).toMatchObject({ number: 2, title: 'too early', status: { state: 'failed', reason: expect.stringMatching(/is at instruction 320, but the machine is already at \d+/) } });
  });

  it('see the console and the end of the run they continue, but not its past events', async () => {
    const lesson = lessonOf([
      { title: 'first line', narration: 'n', start: ledgerOnTmr, goal: { kind: 'output', includes: '1025.00\n' } },
      { title: 'already printed', narration: 'n', start: 'continue', goal: { kind: 'output', includes: '1025.00\n' } },
      { title: 'the whole output', narration: 'n', start: 'continue', goal: { kind: 'output', equals: ledgerOutput() } },
      { title: 'the halt is past', narration: 'n', start: 'continue', goal: { kind: 'event', event: 'halt' } },
      { title: 'its output, again', narration: 'n', start: 'continue', goal: { kind: 'output', equals: ledgerOutput() } },
      { title: 'no fault, no outcome to judge', narration: 'n', start: 'continue', goal: { kind: 'outcome', outcome: 'masked' } },
    ]);
    const reports = await checkLesson(lesson, env);
    expect(reports.map((r) => r.status.state)).toEqual(['met', 'met', 'met', 'failed', 'met', 'failed']);
    expect(reports[3].status).toMatchObject({ reason: expect.stringMatching(/^the run never showed that the machine halted/) });
    expect(reports[5].status).toMatchObject({ reason: expect.stringMatching(/^the run had no outcome to judge .*no fault was injected/) });
  });
});

describe('workload runs', () => {
  const dir = tempDir();
  // The player's ledger is exactly the one `lockstep run --workload` reports for the same options.
  // Each run shows what it is about: the cluster rolls work back, pair-and-spare pauses to resync the new board.
  it.each([
    ['a cluster that fails over', { topology: 'cluster' as const, failover: { checkpointEvery: 20_000 } }, ['--topology', 'cluster', '--checkpoint-every', '20000'], 'at=400ms,module=0,kind=kill', 'rolled_back'],
    ['pair-and-spare with a board replaced', { topology: 'pair-spare' as const }, ['--topology', 'pair-spare', '--replace', 'at=60000,board=1'], 'at=20ms,module=2,kind=kill', 'downtime_us'],
  ])('%s: the same ledger as lockstep run', async (_what, machine, options, fault, shows) => {
    const reportFile = join(dir, 'report.json');
    const cli = await lockstep(['run', '--workload', 'card-auth', '--rate', '3000', '--duration', '600ms', '--seed', '7', ...options, '--inject', fault, '--report', reportFile]);
    expect(cli.status, cli.stderr).toBe(0);
    const expected = JSON.parse(readFileSync(reportFile, 'utf8')).ledger as Record<string, number>;
    const ledger = Object.fromEntries(LEDGER_EXPECTATION_FIELDS.map((f) => [f, expected[f]]));
    const replacements = options.includes('--replace') ? [{ at: 60_000, board: 1 }] : [];
    const lesson = lessonOf([{
      title: 'same ledger', narration: 'n',
      start: { program: { example: 'card-auth' }, machine, replacements, workload: { name: 'card-auth', rate: 3000, duration: '600ms', seed: 7 } },
      goal: { kind: 'ledger', ledger }, solution: { inject: [fault] },
    }]);
    const [report] = await checkLesson(lesson, env);
    expect(report.status).toMatchObject({ state: 'met' });
    expect(expected.arrived).toBeGreaterThan(1000);
    expect(expected[shows]).toBeGreaterThan(0);
  });
});

describe('a failover system\'s events', () => {
  const dir = tempDir();

  it('are each seen once, the hosts\' and the system\'s, however they interleave', async () => {
    const reportFile = join(dir, 'cluster.json');
    const cli = await lockstep(['run', '--workload', 'card-auth', '--rate', '3000', '--duration', '600ms', '--topology', 'cluster', '--checkpoint-every', '20000', '--inject', 'at=400ms,module=0,kind=kill', '--report', reportFile]);
    expect(cli.status, cli.stderr).toBe(0);
    const checkpoints = JSON.parse(readFileSync(reportFile, 'utf8')).failover.checkpoints as number;
    expect(checkpoints).toBeGreaterThan(5);
    const stepWith = (count: number) => ({
      title: `checkpoint ${count}`, narration: 'n',
      start: { program: { example: 'card-auth' }, machine: { topology: 'cluster' as const, failover: { checkpointEvery: 20_000 } }, workload: { name: 'card-auth', rate: 3000, duration: '600ms', seed: 1 } },
      goal: {
        kind: 'all' as const,
        goals: [
          { kind: 'event' as const, event: 'inject' as const, module: 0 },
          { kind: 'event' as const, event: 'host-down' as const, module: 0 },
          { kind: 'event' as const, event: 'takeover' as const, module: 1 },
          { kind: 'event' as const, event: 'checkpoint' as const, count },
        ],
      },
      solution: { inject: ['at=400ms,module=0,kind=kill'] },
    });
    const reports = await checkLesson(lessonOf([stepWith(checkpoints), stepWith(checkpoints + 1)]), env);
    expect(reports[0].status.state).toBe('met');
    expect(reports[1].status).toMatchObject({ state: 'failed', reason: expect.stringMatching(`the primary sent a checkpoint ${checkpoints + 1} times \\(it did ${checkpoints}\\)`) });
  });
});

describe('program steps', () => {
  const lesson = JSON.parse(readFileSync(join(root, 'lessons/04-voting.json'), 'utf8'));
  const result = validateLesson(lesson);
  if (!result.ok) throw new Error(result.error);
  const step = result.lesson.steps.find((s) => s.goal.kind === 'program')!;
  const source = (name: string) => ({ source: readFileSync(join(root, 'lessons/programs', name), 'utf8'), name });

  it('the reference voter passes every test', async () => {
    const results = await runProgramTests(step, source('vote-solution.s'), env);
    expect(results.map((r) => r.score)).toEqual([1, 1, 1, 1, 1]);
  });

  it('the starter, which trusts the first copy, fails exactly the tests that corrupt the first copy', async () => {
    const results = await runProgramTests(step, source('vote.s'), env);
    expect(results.map((r) => [r.name, r.score])).toEqual([
      ['three equal copies', 1],
      ['copy 1 flipped (a0, bit 12)', 0],
      ['copy 2 flipped (a1, bit 3)', 1],
      ['copy 3 flipped (a2, bit 30)', 1],
      ['copies 1 and 2 flipped at different bits (a0 bit 5, a1 bit 7)', 0],
    ]);
    // Bit 12 of copy 1 set: 99,464 + 4,096 cents is printed.
    expect(results[1].status).toMatchObject({ state: 'failed', reason: expect.stringContaining('"1035.60\\n" instead of "994.64\\n"') });
  });

  it('a voter that compares whole words fails when two copies are hit at different bits', async () => {
    // Majority of words: a0 if it equals a1 or a2, else a1. With a0 and a1 both hit, neither equals another: a1 (wrong).
    const words = source('vote.s');
    words.source = words.source.replace('        # Write the voter here. As it stands it trusts the first copy.\n        ret',
      '        beq     a0, a1, 1f\n        beq     a0, a2, 1f\n        mv      a0, a1\n1:      ret');
    const results = await runProgramTests(step, words, env);
    expect(results.map((r) => r.score)).toEqual([1, 1, 1, 1, 0]);
  });

  it('a submission that does not assemble fails every test with its diagnostics', async () => {
    const results = await runProgramTests(step, { source: 'vote:\n  addd a0, a0, a1\n', name: 'mine.s' }, env);
    expect(results).toHaveLength(5);
    for (const r of results) expect(r).toMatchObject({ score: 0, status: { state: 'failed', reason: expect.stringMatching(/^mine\.s:2:3: error: /) } });
  });
});

describe('campaign steps', () => {
  const campaignLesson = () => lessonOf([{
    title: 'campaign', narration: 'n', start: { program: { example: 'checksum' }, machine: { topology: 'tmr', ramMiB: 2 } },
    goal: { kind: 'campaign', topology: 'tmr', runs: { min: 100 }, outcomes: { sdc: 0 } },
    solution: { campaign: { topology: 'tmr', runs: 100, seed: 3, kinds: ['flip'], targets: ['regs'] } },
  }]);

  it('fail, saying why, where there is no campaign engine', async () => {
    const [report] = await checkLesson(campaignLesson(), env);
    expect(report.status).toEqual({ state: 'failed', reason: expect.stringMatching(/no campaign engine/) });
  });

  it('ask the environment\'s engine for the solution\'s campaign on the step\'s program, and judge its summary', async () => {
    const asked: CampaignRequest[] = [];
    const withEngine: PlayEnvironment = {
      ...env,
      async runCampaign(request) {
        asked.push(request);
        return { topology: request.topology, runs: request.runs, outcomes: { sdc: { count: request.seed === 3 ? 0 : 1 } } };
      },
    };
    const [report] = await checkLesson(campaignLesson(), withEngine);
    expect(report.status).toMatchObject({ state: 'met' });
    expect(asked).toHaveLength(1);
    expect(asked[0]).toMatchObject({ topology: 'tmr', runs: 100, seed: 3, kinds: ['flip'], targets: ['regs'], compare: 'every', ramMiB: 2 });
    expect(asked[0].program.symbols.has('table')).toBe(true);
  });
});
