/**
 * A graded program step as Gradescope's autograder reads it (`results.json`): the total
 * score, a line of output, and one entry per test with its name, score, maximum and what
 * the run showed — the evidence of a test passed, the reason of one failed.
 */
import type { TestResult } from './play.ts';

export interface GradescopeTest {
  name: string;
  /** The test's place in the step, "1", "2", … */
  number: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  output: string;
}

export interface GradescopeResults {
  score: number;
  output: string;
  tests: GradescopeTest[];
}

/** `heading` names what was graded, e.g. `Voting, step 5 (Write the voter)`. */
export function gradescopeResults(results: readonly TestResult[], heading: string): GradescopeResults {
  const score = results.reduce((sum, r) => sum + r.score, 0);
  const max = results.reduce((sum, r) => sum + r.points, 0);
  const passed = results.filter((r) => r.status.state === 'met').length;
  return {
    score,
    output: `${heading}: ${passed} of ${results.length} tests passed, ${score} of ${max} points`,
    tests: results.map((r, k) => ({
      name: r.name,
      number: String(k + 1),
      score: r.score,
      max_score: r.points,
      status: r.status.state === 'met' ? 'passed' : 'failed',
      output: r.status.state === 'met' ? r.status.evidence : r.status.state === 'failed' ? r.status.reason : 'not judged',
    })),
  };
}
