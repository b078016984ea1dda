/**
 * `lockstep lesson check LESSON.json…`: validates each lesson against the schema, then plays
 * every step's reference solution through the goal checker (src/lessons), one line per step
 * on stdout; a step that no longer works is named on stderr with its reason, and the status
 * is 1. `lockstep grade LESSON.json --step N --submission prog.s [--out results.json]`: runs
 * the tests of a program step on a student's program and writes Gradescope's results.json.
 *
 * Lessons are checked before anything runs: a file that cannot be read or does not
 * validate is bad input (one line, status 2). A submission that does not assemble is the
 * student's to fix: it scores 0, with the assembler's diagnostics as each test's output.
 */
import { readdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { CampaignEngine } from '../campaign/engine.ts';
import { DEFAULT_SPACE } from '../campaign/space.ts';
import { ProgramError } from '../isa/program.ts';
import {
  checkLesson, gradescopeResults, parseLesson, runProgramTests, type Lesson, type PlayEnvironment, type StepReport,
} from '../lessons/index.ts';
import { UsageError } from './errors.ts';
import { checkOutputPath, err, out, readInputFile, writeWholeFile } from './io.ts';
import { parseCount } from './numbers.ts';

/** A lesson's file failing its check: status 1 (bad input is 2). */
export const EXIT_LESSON_FAILS = 1;

const EXAMPLES = fileURLToPath(new URL('../../examples/', import.meta.url));

/** The shipped examples by the names scenarios use: examples/NAME.s and examples/bench/NAME.s. */
function exampleFiles(): Map<string, string> {
  const files = new Map<string, string>();
  for (const folder of ['bench', '.']) {
    for (const name of readdirSync(resolve(EXAMPLES, folder))) {
      if (name.endsWith('.s')) files.set(name.slice(0, -2), resolve(EXAMPLES, folder, name));
    }
  }
  return files;
}

/** Programs a lesson names: shipped examples, and URLs as files relative to the lesson. */
function environment(lessonPath: string): PlayEnvironment {
  return {
    async readProgram(program) {
      let path: string;
      if ('example' in program) {
        const examples = exampleFiles();
        const found = examples.get(program.example);
        if (!found) throw new ProgramError(`no example called '${program.example}': the examples are ${[...examples.keys()].sort().join(', ')}`);
        path = found;
      } else {
        path = resolve(dirname(lessonPath), program.url);
      }
      try {
        return { bytes: readInputFile(path), name: 'name' in program && program.name ? program.name : basename(path) };
      } catch (error) {
        throw new ProgramError((error as Error).message);
      }
    },
    async runCampaign({ program, topology, compare, ramMiB, seed, runs, kinds, targets }) {
      const engine = await CampaignEngine.prepare({
        program, topology, compare, ramMiB, seed,
        space: { kinds: kinds ?? [...DEFAULT_SPACE.kinds], targets: targets ?? [...DEFAULT_SPACE.targets] },
      });
      const outcomes: Partial<Record<string, { count: number }>> = {};
      for (let k = 0; k < runs; k++) {
        const { outcome } = engine.run(k);
        outcomes[outcome] = { count: (outcomes[outcome]?.count ?? 0) + 1 };
      }
      return { topology, runs, outcomes };
    },
  };
}

/** Reads and validates a lesson file (UsageError naming the file and each problem). */
export function readLesson(path: string): Lesson {
  const text = new TextDecoder().decode(readInputFile(path));
  const result = parseLesson(text);
  if (!result.ok) throw new UsageError(`${path}: ${result.error}`);
  return result.lesson;
}

function stepLine(report: StepReport): string {
  const { status } = report;
  const mark = status.state === 'met' ? '✓' : '✗';
  const detail = status.state === 'met' ? status.evidence : status.state === 'failed' ? status.reason : 'not judged';
  return `  ${mark} ${report.number}. ${report.title} — ${detail}\n`;
}

export async function lessonCheckCommand(paths: string[]): Promise<number> {
  const lessons = paths.map((path) => ({ path, lesson: readLesson(path) }));
  let failing = 0;
  for (const { path, lesson } of lessons) {
    out(`${path}: ${lesson.title} (${lesson.steps.length} steps)\n`);
    const reports = await checkLesson(lesson, environment(path));
    for (const report of reports) {
      out(stepLine(report));
      if (report.status.state !== 'met') {
        failing++;
        const reason = report.status.state === 'failed' ? report.status.reason : 'its goal was not judged';
        err(`lockstep: ${path}: step ${report.number} (${report.title}) no longer works: ${reason}\n`);
      }
    }
  }
  const steps = lessons.reduce((n, l) => n + l.lesson.steps.length, 0);
  out(failing === 0 ? `ok: ${lessons.length} lesson${lessons.length === 1 ? '' : 's'}, ${steps} steps\n` : `${failing} of ${steps} steps fail\n`);
  return failing === 0 ? 0 : EXIT_LESSON_FAILS;
}

export interface GradeOptions {
  step: string;
  submission: string;
  out: string;
}

export async function gradeCommand(path: string, options: GradeOptions): Promise<number> {
  const lesson = readLesson(path);
  const number = parseCount(options.step, '--step');
  const programSteps = lesson.steps.flatMap((s, k) => (s.goal.kind === 'program' ? [k + 1] : []));
  const step = lesson.steps[number - 1];
  if (!step || step.goal.kind !== 'program') {
    const kind = step?.goal.kind;
    const which = kind === undefined ? `the lesson has steps 1..${lesson.steps.length}` : `step ${number} is ${/^[aeiou]/.test(kind) ? 'an' : 'a'} ${kind} step, not a program step`;
    const instead = programSteps.length === 0
      ? (kind === undefined ? ', and none of them is a program step to grade' : ', and the lesson has no program step to grade')
      : `: give --step ${programSteps.join(' or ')} (the lesson's program step${programSteps.length === 1 ? '' : 's'})`;
    throw new UsageError(`--step ${options.step}: ${which}${instead}`);
  }
  const bytes = readInputFile(options.submission);
  if (options.out === '') throw new UsageError('--out needs a file name: --out results.json');
  checkOutputPath(options.out, `the results to ${options.out}`);
  const submission = { base64: Buffer.from(bytes).toString('base64'), name: basename(options.submission) };
  const results = await runProgramTests(step, submission, environment(path));
  const graded = gradescopeResults(results, `${lesson.title}, step ${number} (${step.title})`);
  writeWholeFile(options.out, `${JSON.stringify(graded, null, 2)}\n`, `the results to ${options.out}`);
  out(`${graded.output} → ${options.out}\n`);
  return 0;
}

const LESSON_EXIT_HELP = [
  'Exit status:',
  '  0    every step of every lesson works',
  '  1    a step no longer works (each one named on stderr, with its reason)',
  '  2    bad input: a lesson file that cannot be read or does not validate (one line says where)',
  '  70   an internal error: a bug in lockstep',
  '  74   an I/O error writing stdout or stderr',
].join('\n');

const GRADE_EXIT_HELP = [
  'Exit status:',
  '  0    results written (whatever the score; a submission that does not assemble scores 0)',
  '  2    bad input: the lesson, --step, a missing submission, or --out cannot be written',
  '  70   an internal error: a bug in lockstep',
  '  74   an I/O error: the results could not be written',
].join('\n');

export function addLessonCommands(cli: Command, setStatus: (status: number) => void): void {
  const lesson = cli.command('lesson').description('lessons: check that they still work (lockstep lesson check)');
  lesson.command('check')
    .description("validate lesson files and play every step's reference solution through the goal checker")
    .argument('<lessons...>', 'lesson files (JSON, lesson.schema.json)')
    .addHelpText('after', `\n${LESSON_EXIT_HELP}`)
    .action(async (paths: string[]) => setStatus(await lessonCheckCommand(paths)));

  cli.command('grade')
    .description("grade a student's program for a program step of a lesson; writes Gradescope's results.json")
    .argument('<lesson>', 'the lesson file')
    .requiredOption('--step <n>', 'the program step, counted from 1')
    .requiredOption('--submission <file>', "the student's program (.s, or an ELF)")
    .option('--out <file>', 'where to write the results', 'results.json')
    .addHelpText('after', `\n${GRADE_EXIT_HELP}`)
    .action(async (path: string, options: GradeOptions) => setStatus(await gradeCommand(path, options)));
}
