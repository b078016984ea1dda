/**
 * Assembler diagnostics and their compiler-style text:
 *
 *     prog.s:3:5: error: unknown instruction `adii`; did you mean `addi`?
 *         adii a0, a0, 1
 *         ^~~~
 *
 * The caret line copies the tabs of the source line so that it lines up in a terminal.
 */

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  file: string;
  /** 1-based line; 0 when the diagnostic is about the whole file (section layout, options). */
  line: number;
  /** 1-based column of the first offending character; 0 when `line` is 0. */
  column: number;
  /** Number of characters underlined from `column` (≥ 1; the caret counts as one). */
  length: number;
  severity: Severity;
  message: string;
  /** The offending source line without its line terminator; '' when `line` is 0. */
  sourceLine: string;
}

/** One diagnostic as `file:line:column: severity: message`, the source line and a caret line. */
export function formatDiagnostic(diagnostic: Diagnostic): string {
  const { file, line, column, severity, message, sourceLine } = diagnostic;
  if (line === 0) return `${file}: ${severity}: ${message}`;
  const indent = sourceLine.slice(0, column - 1).replace(/[^\t]/g, ' ');
  const underline = '^' + '~'.repeat(Math.max(0, diagnostic.length - 1));
  return `${file}:${line}:${column}: ${severity}: ${message}\n${sourceLine}\n${indent}${underline}`;
}

/** All diagnostics, one after another, separated by newlines (no trailing newline). */
export function formatDiagnostics(diagnostics: readonly Diagnostic[]): string {
  return diagnostics.map(formatDiagnostic).join('\n');
}

/**
 * The candidate closest to `word` by optimal-string-alignment distance (edits, including
 * swapping two adjacent characters), if it is close enough to be a plausible typo: at most 2
 * edits, and fewer edits than `word` has characters. Ties go to the earlier candidate.
 */
export function nearestName(word: string, candidates: Iterable<string>): string | undefined {
  const limit = Math.min(2, word.length - 1);
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - word.length) >= bestDistance) continue;
    const distance = editDistance(word, candidate, bestDistance - 1);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

/** Rows of the distance table, reused between calls. */
let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * The optimal-string-alignment distance between `a` and `b` if it is at most `limit`, else some
 * number above `limit` (the computation stops once every alignment costs more).
 */
function editDistance(a: string, b: string, limit: number): number {
  const cols = b.length + 1;
  if (rows[0].length < cols) rows = rows.map(() => new Int32Array(cols * 2));
  // Rows i-2, i-1 and i of the table: d[i][j] is the distance between a[0, i) and b[0, j).
  let [before, previous, row] = rows;
  for (let j = 0; j < cols; j++) previous[j] = j;
  let previousSmallest = 0;
  for (let i = 1; i <= a.length; i++) {
    row[0] = i;
    let smallest = i;
    const ai = a.charCodeAt(i - 1);
    for (let j = 1; j < cols; j++) {
      const bj = b.charCodeAt(j - 1);
      let value = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (ai === bj ? 0 : 1));
      if (i > 1 && j > 1 && ai === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === bj) value = Math.min(value, before[j - 2] + 1);
      row[j] = value;
      if (value < smallest) smallest = value;
    }
    // A transposition reaches back two rows, so stop only when two rows are both over the limit.
    if (smallest > limit && previousSmallest > limit) return limit + 1;
    previousSmallest = smallest;
    [before, previous, row] = [previous, row, before];
  }
  return previous[cols - 1];
}
