/**
 * `<ls-editor>`: the assembly editor — CodeMirror 6 with our RISC-V mode, and the
 * assembler's diagnostics inline as the user types (the assembler runs on this thread:
 * 10k lines take about 20 ms). Ctrl/Cmd+Enter asks to assemble and load (`assemble` event).
 *
 * The program's file name is the user's to choose (a field above the text): a program put
 * in by setProgram() (an example, a file) keeps its name while its text is unchanged; once
 * the user edits it, it is the user's program, `program.s` unless they named it. Under the
 * text the editor says whether it holds the program the machine runs (`loaded`).
 *
 * A gutter left of the line numbers shows the breakpoints (`breakpointLines`, lines of the
 * loaded program); a click in it, or F9 on the cursor's line, asks to set or clear one
 * (`toggle-breakpoint` event, detail { line }); moving the cursor reports its line
 * (`cursor-line`), which run to cursor goes to.
 */
import { LitElement, html, css, nothing } from 'lit';
import { EditorState, Compartment, StateEffect, StateField, RangeSet } from '@codemirror/state';
import {
  EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, gutter, GutterMarker,
} from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { syntaxHighlighting, HighlightStyle, bracketMatching } from '@codemirror/language';
import { linter, lintGutter, forceLinting } from '@codemirror/lint';
import { tags } from '@lezer/highlight';
import { riscv } from './editor/riscv-language.ts';
import { lintAssembly } from '../state/lint.ts';

const highlight = HighlightStyle.define([
  { tag: tags.comment, color: 'var(--ls-syntax-comment)', fontStyle: 'italic' },
  { tag: tags.keyword, color: 'var(--ls-syntax-keyword)', fontWeight: '600' },
  { tag: tags.meta, color: 'var(--ls-syntax-directive)' },
  { tag: tags.labelName, color: 'var(--ls-syntax-label)', fontWeight: '600' },
  { tag: tags.number, color: 'var(--ls-syntax-number)' },
  { tag: tags.string, color: 'var(--ls-syntax-string)' },
  { tag: tags.special(tags.variableName), color: 'var(--ls-syntax-register)' },
  { tag: tags.propertyName, color: 'var(--ls-syntax-register)', fontStyle: 'italic' },
  { tag: tags.operatorKeyword, color: 'var(--ls-syntax-directive)' },
]);

const editorTheme = EditorView.theme({
  '&': { fontSize: 'var(--ls-code-size)', backgroundColor: 'var(--ls-surface)', color: 'var(--ls-text)', height: '100%' },
  '.cm-content': { fontFamily: 'var(--ls-mono)', caretColor: 'var(--ls-text)' },
  '.cm-gutters': { backgroundColor: 'var(--ls-surface-2)', color: 'var(--ls-muted)', border: 'none' },
  '.cm-activeLine': { backgroundColor: 'var(--ls-active-line)' },
  '.cm-activeLineGutter': { backgroundColor: 'var(--ls-active-line)' },
  '&.cm-focused': { outline: '3px solid var(--ls-focus)' },
  '.cm-cursor': { borderLeftColor: 'var(--ls-text)', borderLeftWidth: '2px' },
  '.cm-selectionBackground, &.cm-focused .cm-selectionBackground': { backgroundColor: 'var(--ls-selection) !important' },
  '.cm-scroller': { overflow: 'auto' },
  '.cm-tooltip': { backgroundColor: 'var(--ls-surface)', color: 'var(--ls-text)', border: '1px solid var(--ls-border)' },
  '.cm-diagnostic-error': { borderLeft: '5px solid var(--ls-bad)' },
  '.cm-lintRange-error': { textDecoration: 'underline wavy var(--ls-bad)', backgroundImage: 'none' },
  '.cm-breakpoint-gutter': { cursor: 'pointer', minWidth: '1.3em', textAlign: 'center' },
  '.cm-breakpoint': { color: 'var(--ls-bad-text)' },
});

export const DEFAULT_FILE = 'program.s';

class BreakpointMarker extends GutterMarker {
  constructor(readonly className: string) { super(); }
  override toDOM(): Node {
    const dot = document.createElement('span');
    dot.className = this.className;
    dot.textContent = '●';
    return dot;
  }
}
const BREAKPOINT = new BreakpointMarker('cm-breakpoint');
/** Gives the gutter a breakpoint's width before any is set (CodeMirror keeps it hidden). */
const SPACER = new BreakpointMarker('cm-breakpoint-spacer');

/** Replaces the lines that show a breakpoint (1-based). */
const setBreakpointLines = StateEffect.define<readonly number[]>();

function sameLines(a: readonly number[] | undefined, b: readonly number[] | undefined): boolean {
  return a === b || (a !== undefined && b !== undefined && a.length === b.length && a.every((line, k) => line === b[k]));
}

const breakpointLines = StateField.define<RangeSet<GutterMarker>>({
  create: () => RangeSet.empty,
  update(markers, tr) {
    let next = markers.map(tr.changes);
    for (const effect of tr.effects) {
      if (!effect.is(setBreakpointLines)) continue;
      const doc = tr.state.doc;
      next = RangeSet.of(effect.value.filter((line) => line >= 1 && line <= doc.lines).map((line) => BREAKPOINT.range(doc.line(line).from)), true);
    }
    return next;
  },
});

export class CodeEditor extends LitElement {
  static override properties = {
    loaded: { attribute: false },
    // Compared by content: the page passes a new array each render, and re-marking the gutter
    // costs an editor transaction (a selection read from the DOM) every frame while running.
    breakpointLines: { attribute: false, hasChanged: (now?: readonly number[], before?: readonly number[]) => !sameLines(now, before) },
  };
  /** The source of the program the machine runs (undefined: none, or one loaded without source). */
  declare loaded: string | undefined;
  /** Lines with a breakpoint (1-based, in the loaded program). */
  declare breakpointLines: readonly number[] | undefined;
  /** The program put in by setProgram(), with its name. */
  private origin?: { text: string; file: string };
  /** A name the user typed, which wins over any other. */
  private chosenName?: string;
  private view?: EditorView;
  private pending?: string;
  private readonly readOnly = new Compartment();
  /** Diagnostics of the last lint, for the summary line. */
  private problems: { line: number; message: string; severity: string }[] = [];

  static override styles = css`
    :host { display: flex; flex-direction: column; min-height: 12rem; }
    .host { flex: 1; min-height: 0; border: 1px solid var(--ls-border); border-radius: 6px; overflow: hidden; }
    .summary { font-size: 0.9em; margin: 0.3rem 0 0; min-height: 1.4em; }
    .summary.bad { color: var(--ls-bad-text); }
    .summary.good { color: var(--ls-good-text); }
    .name { display: flex; align-items: center; gap: 0.4rem; margin-bottom: 0.4rem; }
    .name input { font: inherit; font-family: var(--ls-mono); color: var(--ls-text); background: var(--ls-surface-2); border: 1px solid var(--ls-border); border-radius: 6px; padding: 0.2rem 0.5rem; min-height: 2.2rem; width: 16rem; max-width: 100%; }
    .loaded { margin: 0.3rem 0 0; font-size: 0.9em; }
    .loaded.edited { color: var(--ls-warn-text); font-weight: 600; }
  `;

  get value(): string { return this.view ? this.view.state.doc.toString() : (this.pending ?? ''); }

  set value(text: string) {
    if (!this.view) {
      this.pending = text;
    } else {
      this.view.dispatch({ changes: { from: 0, to: this.view.state.doc.length, insert: text } });
    }
    this.requestUpdate();
  }

  /** The file name diagnostics and the machine use for the editor's text. */
  get file(): string {
    if (this.chosenName) return this.chosenName;
    return this.origin && this.origin.text === this.value ? this.origin.file : DEFAULT_FILE;
  }

  /** Puts a program (an example, an opened file) in the editor under its own name. */
  setProgram(text: string, file: string): void {
    this.origin = { text, file };
    this.chosenName = undefined;
    this.value = text;
  }

  override focus(): void { this.view?.focus(); }

  override firstUpdated(): void {
    const parent = this.renderRoot.querySelector('.host') as HTMLElement;
    const assemble = () => {
      this.dispatchEvent(new CustomEvent('assemble', { bubbles: true, composed: true }));
      return true;
    };
    const toggle = (line: number) => {
      this.dispatchEvent(new CustomEvent('toggle-breakpoint', { bubbles: true, composed: true, detail: { line } }));
      return true;
    };
    this.view = new EditorView({
      root: this.renderRoot as ShadowRoot,
      parent,
      state: EditorState.create({
        doc: this.pending ?? '',
        extensions: [
          breakpointLines,
          gutter({
            class: 'cm-breakpoint-gutter',
            markers: (view) => view.state.field(breakpointLines),
            initialSpacer: () => SPACER,
            domEventHandlers: { mousedown: (view, block) => toggle(view.state.doc.lineAt(block.from).number) },
          }),
          lineNumbers(), highlightActiveLine(), highlightActiveLineGutter(), drawSelection(), history(), bracketMatching(),
          riscv, syntaxHighlighting(highlight), editorTheme, lintGutter(),
          linter((view) => {
            const text = view.state.doc.toString();
            const diagnostics = lintAssembly(text, this.file);
            this.problems = diagnostics.map((d) => ({ line: view.state.doc.lineAt(d.from).number, message: d.message, severity: d.severity }));
            this.requestUpdate();
            return diagnostics;
          }, { delay: 150 }),
          keymap.of([
            { key: 'Mod-Enter', run: assemble },
            { key: 'F9', run: (view) => toggle(view.state.doc.lineAt(view.state.selection.main.head).number) },
            { key: 'Escape', run: (view) => { view.contentDOM.blur(); return true; } },
            ...defaultKeymap, ...historyKeymap, indentWithTab,
          ]),
          this.readOnly.of(EditorState.readOnly.of(false)),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) this.requestUpdate();
            if (update.selectionSet || update.focusChanged) {
              const line = update.state.doc.lineAt(update.state.selection.main.head).number;
              this.dispatchEvent(new CustomEvent('cursor-line', { bubbles: true, composed: true, detail: { line } }));
            }
          }),
          EditorView.contentAttributes.of({ tabindex: '0', 'aria-label': 'Assembly editor (Ctrl+Enter assembles and loads, F9 sets a breakpoint on the line, Escape leaves)' }),
        ],
      }),
    });
    this.pending = undefined;
    forceLinting(this.view);
    this.showBreakpoints();
  }

  override updated(changed: Map<string, unknown>): void {
    if (changed.has('breakpointLines')) this.showBreakpoints();
  }

  /** The lines that show a breakpoint now: they move with the text as it is edited. */
  markedLines(): number[] {
    const view = this.view;
    if (!view) return [...(this.breakpointLines ?? [])];
    const lines: number[] = [];
    view.state.field(breakpointLines).between(0, view.state.doc.length, (from) => { lines.push(view.state.doc.lineAt(from).number); });
    return [...new Set(lines)];
  }

  private showBreakpoints(): void {
    this.view?.dispatch({ effects: setBreakpointLines.of(this.breakpointLines ?? []) });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.view?.destroy();
    this.view = undefined;
  }

  override render() {
    const errors = this.problems.filter((p) => p.severity === 'error');
    const first = errors[0] ?? this.problems[0];
    const summary = this.problems.length === 0
      ? html`<p class="summary good" role="status">✓ Assembles cleanly</p>`
      : html`<p class="summary bad" role="status">✗ ${errors.length} error${errors.length === 1 ? '' : 's'}${this.problems.length > errors.length ? `, ${this.problems.length - errors.length} warnings` : ''} — line ${first.line}: ${first.message}</p>`;
    const loaded = this.loaded;
    const state = loaded === undefined ? nothing
      : loaded === this.value ? html`<p class="loaded" id="edit-state" data-edited="false">This is the program the machine runs.</p>`
      : html`<p class="loaded edited" id="edit-state" data-edited="true">● Edited: the machine still runs the program as it was loaded. Ctrl+Enter (⌘+Enter on a Mac) or Assemble &amp; load loads this text.</p>`;
    return html`
      <label class="name">File name <input id="file-name" .value=${this.file} spellcheck="false"
        @input=${(e: Event) => { this.chosenName = (e.target as HTMLInputElement).value.trim() || undefined; }}
        @change=${() => this.requestUpdate()}></label>
      <div class="host"></div>${summary}${state}`;
  }
}
customElements.define('ls-editor', CodeEditor);
