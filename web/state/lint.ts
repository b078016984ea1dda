/**
 * The assembler's diagnostics as editor ranges: the assembler counts 1-based lines and
 * columns (src/isa/diagnostics.ts); the editor wants character offsets into the document.
 */
import { assemble } from '../../src/isa/index.ts';
import type { Diagnostic } from '../../src/isa/diagnostics.ts';

export interface EditorDiagnostic {
  from: number;
  to: number;
  severity: 'error' | 'warning';
  message: string;
}

/** Offsets of the start of each line of `text` (lines end at \n, \r\n or \r). */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (ch === 10 || (ch === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

export function toEditorDiagnostics(text: string, diagnostics: readonly Diagnostic[]): EditorDiagnostic[] {
  const starts = lineStarts(text);
  return diagnostics.map((d) => {
    if (d.line === 0) return { from: 0, to: 0, severity: d.severity, message: d.message };
    const lineStart = starts[Math.min(d.line, starts.length) - 1];
    const lineEnd = d.line < starts.length ? starts[d.line] - 1 : text.length;
    const from = Math.min(lineStart + Math.max(0, d.column - 1), lineEnd);
    const to = Math.min(Math.max(from + Math.max(1, d.length), from), lineEnd);
    return { from, to: Math.max(to, from), severity: d.severity, message: d.message };
  });
}

/** Assembles `text` (as the editor holds it) and returns its diagnostics as editor ranges. */
export function lintAssembly(text: string, file = 'program.s'): EditorDiagnostic[] {
  return toEditorDiagnostics(text, assemble(text, { file }).diagnostics);
}
