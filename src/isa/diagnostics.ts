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
    const distance = editDistance(word, candidate);
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d = new Array<number>(rows * cols);
  for (let i = 0; i < rows; i++) d[i * cols] = i;
  for (let j = 0; j < cols; j++) d[j] = j;
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(d[(i - 1) * cols + j] + 1, d[i * cols + j - 1] + 1, d[(i - 1) * cols + j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        value = Math.min(value, d[(i - 2) * cols + j - 2] + 1);
      }
      d[i * cols + j] = value;
    }
  }
  return d[rows * cols - 1];
}
