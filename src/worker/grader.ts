/**
 * A lesson's program tests in a worker of their own: the page's lesson player
 * grades the student's program as `lockstep grade` does (src/lessons/play.ts runProgramTests,
 * the same runs and goal checker) while the machine's own worker goes on serving the page.
 */
import { runProgramTests, type TestResult } from '../lessons/play.ts';
import type { Step } from '../lessons/lesson.ts';

export class Grader {
  /** Runs each test of program step `step` on assembly `source`; a source that does not assemble fails every test with its diagnostics. */
  runTests(step: Step, source: string, name: string): Promise<TestResult[]> {
    return runProgramTests(step, { source, name }, {
      readProgram: (program) => Promise.reject(new Error(`the tests run the program in the editor, not ${JSON.stringify(program)}`)),
    });
  }
}
