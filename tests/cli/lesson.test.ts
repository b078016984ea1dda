/**
 * `lockstep lesson check` and `lockstep grade` end to end: every shipped lesson still works,
 * a broken copy fails naming its step, bad input is one line with status 2, and grading a
 * program step writes Gradescope's results.json with full and partial scores.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectUsageError, lines, lockstep, tempDir } from './lockstep.ts';

const LESSONS = fileURLToPath(new URL('../../lessons/', import.meta.url));
const lesson = (file: string) => join(LESSONS, file);
const shipped = readdirSync(LESSONS).filter((f) => f.endsWith('.json')).sort();

const dir = tempDir();

describe('lockstep lesson check', () => {
  it.each(shipped)('%s: every step works', async (file) => {
    const run = await lockstep(['lesson', 'check', lesson(file)]);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    const out = lines(run.stdout.toString());
    const steps = JSON.parse(readFileSync(lesson(file), 'utf8')).steps.length;
    expect(out[0]).toBe(`${lesson(file)}: ${JSON.parse(readFileSync(lesson(file), 'utf8')).title} (${steps} steps)`);
    expect(out.slice(1, -1)).toHaveLength(steps);
    for (const [k, line] of out.slice(1, -1).entries()) expect(line).toMatch(new RegExp(`^  ✓ ${k + 1}\\. `));
    expect(out.at(-1)).toBe(`ok: 1 lesson, ${steps} steps`);
  }, 60_000);

  it('checks several lessons in one call', async () => {
    const files = ['01-silent-server.json', '07-availability.json'].map(lesson);
    const run = await lockstep(['lesson', 'check', ...files]);
    expect(run.status, run.stderr).toBe(0);
    expect(lines(run.stdout.toString()).at(-1)).toBe('ok: 2 lessons, 15 steps');
  });

  it('a broken copy fails with status 1, naming the step and the reason', async () => {
    // Lesson 2, step 2 says dmr fail-stops after the flip; claim it recovers instead.
    const broken = JSON.parse(readFileSync(lesson('02-two-heads.json'), 'utf8'));
    broken.steps[1].goal = { kind: 'outcome', outcome: 'recovered' };
    const file = join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(broken));
    const run = await lockstep(['lesson', 'check', file]);
    expect(run.status).toBe(1);
    expect(lines(run.stderr)).toEqual([
      `lockstep: ${file}: step 2 (Caught — and stopped) no longer works: the outcome was failstop, not recovered (fail-stop at instruction 337: modules 0 and 1 disagree and neither announced an error: the machine cannot tell which is faulty)`,
    ]);
    const out = lines(run.stdout.toString());
    expect(out[2]).toMatch(/^ {2}✗ 2\. Caught — and stopped — the outcome was failstop, not recovered/);
    expect(out.filter((l) => l.startsWith('  ✓'))).toHaveLength(broken.steps.length - 1);
    expect(out.at(-1)).toBe(`1 of ${broken.steps.length} steps fail`);
  });

  it('a lesson whose program has gone fails at the steps that run it', async () => {
    const copy = join(dir, 'moved');
    mkdirSync(copy, { recursive: true });
    copyFileSync(lesson('04-voting.json'), join(copy, '04-voting.json'));
    const run = await lockstep(['lesson', 'check', join(copy, '04-voting.json')]);
    expect(run.status).toBe(1);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/step 5 \(Write the voter\) no longer works: .*cannot read .*programs\/vote-solution\.s: no such file or directory/)]);
  });

  it.each([
    ['a missing file', () => join(dir, 'nowhere.json'), [/cannot read .*nowhere\.json: no such file or directory/]],
    ['a file that is not JSON', () => { const f = join(dir, 'text.json'); writeFileSync(f, 'lesson one'); return f; }, [/text\.json: not valid JSON/]],
    ['a lesson that does not validate', () => {
      const f = join(dir, 'invalid.json');
      const bad = JSON.parse(readFileSync(lesson('03-pair-and-spare.json'), 'utf8'));
      bad.steps[2].goal.answer = 7;
      delete bad.steps[0].goal.event;
      writeFileSync(f, JSON.stringify(bad));
      return f;
    }, [/invalid\.json: /, /steps\.0\.goal\.event: /, /steps\.2\.goal\.answer: choice 7 does not exist/]],
  ])('%s is one line and status 2, and nothing runs', async (_what, make, words) => {
    const file = make();
    const run = await lockstep(['lesson', 'check', lesson('01-silent-server.json'), file]);
    expectUsageError(run, words);
  });

  it('needs at least one lesson', async () => {
    const run = await lockstep(['lesson', 'check']);
    expect(run.status).toBe(2);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^lockstep: error: missing required argument 'lessons'/)]);
  });
});

interface Results {
  score: number;
  output: string;
  tests: { name: string; number: string; score: number; max_score: number; status: string; output: string }[];
}

async function grade(file: string, step: number, submission: string, out = join(dir, `results-${step}-${submission.replace(/\W/g, '')}.json`)): Promise<Results> {
  const run = await lockstep(['grade', lesson(file), '--step', String(step), '--submission', submission, '--out', out]);
  expect(run.status, run.stderr).toBe(0);
  expect(run.stderr).toBe('');
  const results = JSON.parse(readFileSync(out, 'utf8')) as Results;
  expect(lines(run.stdout.toString())).toEqual([`${results.output} → ${out}`]);
  return results;
}

describe('lockstep grade', () => {
  const voter = (name: string) => join(LESSONS, 'programs', name);

  it('a correct voter scores full marks', async () => {
    const results = await grade('04-voting.json', 5, voter('vote-solution.s'));
    expect(results.score).toBe(5);
    expect(results.tests.map((t) => [t.number, t.score, t.max_score, t.status])).toEqual([
      ['1', 1, 1, 'passed'], ['2', 1, 1, 'passed'], ['3', 1, 1, 'passed'], ['4', 1, 1, 'passed'], ['5', 1, 1, 'passed'],
    ]);
    expect(results.output).toBe('Voting, step 5 (Write the voter): 5 of 5 tests passed, 5 of 5 points');
  });

  it('the unchanged starter scores partly: the tests that corrupt the copy it trusts fail, saying what it printed', async () => {
    const results = await grade('04-voting.json', 5, voter('vote.s'));
    expect(results.score).toBe(3);
    expect(results.tests.map((t) => t.status)).toEqual(['passed', 'failed', 'passed', 'passed', 'failed']);
    expect(results.tests[1]).toMatchObject({ name: 'copy 1 flipped (a0, bit 12)', score: 0, max_score: 1, output: expect.stringContaining('"1035.60\\n" instead of "994.64\\n"') });
  });

  it('a submission that does not assemble scores 0, with the diagnostics as each test\'s output', async () => {
    const broken = join(dir, 'mine.s');
    writeFileSync(broken, readFileSync(voter('vote.s'), 'utf8').replace('        ret\n\n# print_cents', '        andd a0, a0, a1\n        ret\n\n# print_cents'));
    const results = await grade('04-voting.json', 5, broken);
    expect(results.score).toBe(0);
    for (const t of results.tests) expect(t).toMatchObject({ score: 0, status: 'failed', output: expect.stringMatching(/^mine\.s:\d+:9: error: .*andd/) });
  });

  it('writes results.json in the current directory by default', async () => {
    const here = join(dir, 'autograder');
    mkdirSync(here, { recursive: true });
    const run = await lockstep(['grade', lesson('04-voting.json'), '--step', '5', '--submission', voter('vote-solution.s')], { cwd: here });
    expect(run.status, run.stderr).toBe(0);
    expect(JSON.parse(readFileSync(join(here, 'results.json'), 'utf8')).score).toBe(5);
  });

  it.each([
    ['a step that is no program step', ['--step', '2', '--submission', 'x.s'], [/^lockstep: --step 2: step 2 is a choice step, not a program step: give --step 5 \(the lesson's program step\)$/]],
    ['an event step', ['--step', '1', '--submission', 'x.s'], [/^lockstep: --step 1: step 1 is an event step, not a program step: give --step 5 /]],
    ['a step past the end', ['--step', '9', '--submission', 'x.s'], [/^lockstep: --step 9: the lesson has steps 1\.\.6: give --step 5 \(the lesson's program step\)$/]],
    ['a step that is no number', ['--step', 'five', '--submission', 'x.s'], [/--step/]],
    ['a missing submission', ['--step', '5', '--submission', 'nowhere.s'], [/cannot read nowhere\.s: no such file or directory/]],
    ['an --out that cannot be written', ['--step', '5', '--submission', fileURLToPath(new URL('../../lessons/programs/vote.s', import.meta.url)), '--out', '/nonexistent/results.json'], [/cannot write the results to \/nonexistent\/results\.json/]],
  ])('%s is one line and status 2', async (_what, args, words) => {
    expectUsageError(await lockstep(['grade', lesson('04-voting.json'), ...args], { cwd: dir }), words);
  });

  it.each([
    ['a step of a lesson without program steps', ['--step', '1'], /^lockstep: --step 1: step 1 is an output step, not a program step, and the lesson has no program step to grade$/],
    ['a step past the end of a lesson without program steps', ['--step', '99'], /^lockstep: --step 99: the lesson has steps 1\.\.6, and none of them is a program step to grade$/],
  ])('%s is one line and status 2', async (_what, args, words) => {
    expectUsageError(await lockstep(['grade', lesson('01-silent-server.json'), ...args, '--submission', 'x.s'], { cwd: dir }), [words]);
  });

  it('a lesson that does not validate is one line and status 2', async () => {
    const file = join(dir, 'not-a-lesson.json');
    writeFileSync(file, JSON.stringify({ title: 'x' }));
    expectUsageError(await lockstep(['grade', file, '--step', '1', '--submission', 'x.s']), [/not-a-lesson\.json: id: /]);
  });

  // Lesson 6's program step: the pair-aware card server (gated with the lesson, above).
  it('lesson 6: the pair-aware program scores full marks, the unchanged one partly', async () => {
    const full = await grade('06-process-pairs.json', 2, join(LESSONS, 'programs', 'card-auth-pair-solution.s'));
    expect(full.score).toBe(5);
    const unchanged = await grade('06-process-pairs.json', 2, join(LESSONS, 'programs', 'card-auth-pair-starter.s'));
    // It answers everything while nothing fails; after a kill its backup has forgotten every account and every
    // request taken (lost, rolled back), and answers later ones from the initial balances (wrong).
    expect(unchanged.tests.map((t) => t.status)).toEqual(['passed', 'failed', 'failed', 'failed', 'failed']);
    expect(unchanged.score).toBe(1);
  });
});
