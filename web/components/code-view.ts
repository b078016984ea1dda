/**
 * `<ls-code>`: disassembly around the reference module's pc, the current instruction
 * highlighted (▶ and a background), other modules' pcs marked when they differ, and the
 * source line each instruction came from (the assembler's source map).
 *
 * Its gutter holds a breakpoint button per instruction, one tab stop for all of
 * them: the arrow keys (and Home, End) move along the rows and make the row they reach the
 * cursor for run to cursor; Enter, Space or a click sets or clears the row's breakpoint.
 */
import { LitElement, html, css, type PropertyValues, nothing } from 'lit';
import { disassemble } from '../../src/isa/disassembler.ts';
import type { UiState } from '../state/controller.ts';
import { hex32 } from '../state/format.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';
import type { DebugController, DebugState } from '../state/debugger.ts';
import { act } from './act.ts';

export class CodeView extends LitElement {
  static override properties = { state: { attribute: false }, debug: { attribute: false }, debugState: { attribute: false } };
  declare state: UiState;
  /** Absent: no gutter (a page without the debugger). */
  declare debug: DebugController | undefined;
  declare debugState: DebugState | undefined;
  private sourceLines?: { source: string; lines: string[] };

  override shouldUpdate(changed: PropertyValues<this>): boolean {
    return changed.size > 1 || !changed.has('state') || stateChanged(changed.get('state') as UiState | undefined, this.state, ['code', 'program']);
  }

  static override styles = [shared, css`
    :host { display: block; }
    .scroll { overflow: auto; height: 26rem; contain: strict; border: 1px solid var(--ls-border); border-radius: 6px; }
    table { width: 100%; table-layout: fixed; font-family: var(--ls-mono); font-size: var(--ls-code-size); }
    col.bp { width: 2.2rem; } col.mark { width: 1.5rem; } col.addr, col.word { width: 6.5rem; } col.insn { width: 38%; } col.others { width: 7.5rem; }
    td { overflow: hidden; text-overflow: ellipsis; }
    td { padding: 0.05rem 0.4rem; white-space: pre; }
    tr.current { background: var(--ls-current); font-weight: 700; }
    tr.current td.mark { color: var(--ls-accent); }
    td.addr, td.word { color: var(--ls-muted); }
    td.src { color: var(--ls-syntax-comment); font-style: italic; overflow: hidden; text-overflow: ellipsis; max-width: 18rem; }
    td.others { color: var(--ls-bad-text); font-weight: 700; }
    .label td { color: var(--ls-syntax-label); font-weight: 600; padding-top: 0.3rem; }
    td.bp { padding: 0 0.15rem; }
    button.bp { min-height: 1.5rem; width: 1.9rem; padding: 0; border-radius: 50%; background: transparent; border: 1px solid transparent; color: var(--ls-muted); line-height: 1; }
    button.bp::before { content: '○'; opacity: 0.35; }
    button.bp:hover::before, button.bp:focus-visible::before { opacity: 1; }
    button.bp[aria-pressed=true] { color: var(--ls-bad-text); }
    button.bp[aria-pressed=true]::before { content: '●'; opacity: 1; }
    tr.cursor td.addr { outline: 2px dashed var(--ls-accent); outline-offset: -2px; }
  `];

  /** The arrow keys move along the gutter's buttons; the one reached becomes the cursor. */
  private onGutterKey(e: KeyboardEvent): void {
    const buttons = [...this.renderRoot.querySelectorAll<HTMLButtonElement>('button.bp')];
    const at = buttons.indexOf(e.target as HTMLButtonElement);
    const to = { ArrowDown: at + 1, ArrowUp: at - 1, Home: 0, End: buttons.length - 1 }[e.key];
    if (to === undefined || at < 0) return;
    e.preventDefault();
    buttons[Math.max(0, Math.min(buttons.length - 1, to))].focus();
  }

  private lineText(line: number): string | undefined {
    const source = this.state.program?.source;
    if (source === undefined) return undefined;
    if (this.sourceLines?.source !== source) this.sourceLines = { source, lines: source.split(/\r\n|\n|\r/) };
    return this.sourceLines.lines[line - 1]?.trim();
  }

  override render() {
    const view = this.state.view;
    if (!view) return nothing;
    const ref = view.modules.find((m) => m.state === 'online') ?? view.modules[0];
    const program = this.state.program;
    const { address, words } = this.state.code;
    if (words.length === 0) return html`<p class="muted">pc ${hex32(ref.pc)} is outside RAM: nothing to disassemble.</p>`;
    const debug = this.debug;
    const breakpoints = new Set(this.debugState?.breakpoints.map((b) => b.address));
    const inWindow = (a: number | undefined) => a !== undefined && a >= address && a < address + 4 * words.length && (a - address) % 4 === 0;
    const cursor = this.debugState?.cursor?.address;
    // The gutter's one tab stop: the cursor's row, else the pc's, else the first.
    const focusRow = inWindow(cursor) ? cursor : inWindow(ref.pc) ? ref.pc : address;
    return html`<div class="scroll" tabindex="0" role="region" aria-label="Disassembly"><table aria-label="Disassembly around the pc of module ${ref.id}">
      <colgroup>${debug ? html`<col class="bp">` : nothing}<col class="mark"><col class="addr"><col class="word"><col class="insn"><col class="others"><col class="src"></colgroup>
      <tbody @keydown=${this.onGutterKey}>
        ${words.map((word, k) => {
          const pc = (address + 4 * k) >>> 0;
          const current = pc === ref.pc;
          const set = breakpoints.has(pc);
          const others = view.modules.filter((m) => m.id !== ref.id && m.pc === pc && m.pc !== ref.pc && m.state !== 'resyncing');
          const label = program?.symbols.at(pc);
          const line = program?.lines.get(pc);
          const text = line !== undefined ? this.lineText(line) : undefined;
          return html`
            ${label ? html`<tr class="label">${debug ? html`<td></td>` : nothing}<td></td><td colspan="5">${label}:</td></tr>` : nothing}
            <tr class="${current ? 'current' : ''} ${pc === cursor ? 'cursor' : ''}" aria-current=${current ? 'step' : 'false'} data-pc=${hex32(pc)}>
              ${debug ? html`<td class="bp"><button class="bp" tabindex=${pc === focusRow ? 0 : -1} aria-pressed=${set ? 'true' : 'false'}
                aria-label="Breakpoint at ${hex32(pc)}${line !== undefined ? `, line ${line}` : ''}" aria-keyshortcuts="B"
                @focus=${() => debug.setCursor(pc)} @click=${() => act(debug.toggle(pc))}></button></td>` : nothing}
              <td class="mark" aria-hidden="true">${current ? '▶' : ' '}</td>
              <td class="addr">${hex32(pc).slice(2)}</td>
              <td class="word">${word.toString(16).padStart(8, '0')}</td>
              <td class="insn">${disassemble(word, pc, program?.symbols).replace('\t', ' ')}</td>
              <td class="others">${others.length > 0 ? `◀ module ${others.map((m) => m.id).join(', ')}` : ''}</td>
              <td class="src">${line !== undefined ? `${line}: ${text ?? ''}` : ''}</td>
            </tr>`;
        })}
      </tbody></table></div>`;
  }
}
customElements.define('ls-code', CodeView);
