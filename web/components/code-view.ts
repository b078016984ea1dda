/**
 * `<ls-code>`: disassembly around the reference module's pc, the current instruction
 * highlighted (▶ and a background), other modules' pcs marked when they differ, and the
 * source line each instruction came from (the assembler's source map).
 */
import { LitElement, html, css, type PropertyValues, nothing } from 'lit';
import { disassemble } from '../../src/isa/disassembler.ts';
import type { UiState } from '../state/controller.ts';
import { hex32 } from '../state/format.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';

export class CodeView extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: UiState;
  private sourceLines?: { source: string; lines: string[] };

  override shouldUpdate(changed: PropertyValues<this>): boolean {
    return changed.size > 1 || !changed.has('state') || stateChanged(changed.get('state') as UiState | undefined, this.state, ['code', 'program']);
  }

  static override styles = [shared, css`
    :host { display: block; }
    .scroll { overflow: auto; height: 26rem; contain: strict; border: 1px solid var(--ls-border); border-radius: 6px; }
    table { width: 100%; table-layout: fixed; font-family: var(--ls-mono); font-size: var(--ls-code-size); }
    col.mark { width: 1.5rem; } col.addr, col.word { width: 6.5rem; } col.insn { width: 38%; } col.others { width: 7.5rem; }
    td { overflow: hidden; text-overflow: ellipsis; }
    td { padding: 0.05rem 0.4rem; white-space: pre; }
    tr.current { background: var(--ls-current); font-weight: 700; }
    tr.current td.mark { color: var(--ls-accent); }
    td.addr, td.word { color: var(--ls-muted); }
    td.src { color: var(--ls-syntax-comment); font-style: italic; overflow: hidden; text-overflow: ellipsis; max-width: 18rem; }
    td.others { color: var(--ls-bad-text); font-weight: 700; }
    .label td { color: var(--ls-syntax-label); font-weight: 600; padding-top: 0.3rem; }
  `];

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
    return html`<div class="scroll" tabindex="0" role="region" aria-label="Disassembly"><table aria-label="Disassembly around the pc of module ${ref.id}">
      <colgroup><col class="mark"><col class="addr"><col class="word"><col class="insn"><col class="others"><col class="src"></colgroup>
      <tbody>
        ${words.map((word, k) => {
          const pc = (address + 4 * k) >>> 0;
          const current = pc === ref.pc;
          const others = view.modules.filter((m) => m.id !== ref.id && m.pc === pc && m.pc !== ref.pc && m.state !== 'resyncing');
          const label = program?.symbols.at(pc);
          const line = program?.lines.get(pc);
          const text = line !== undefined ? this.lineText(line) : undefined;
          return html`
            ${label ? html`<tr class="label"><td></td><td colspan="5">${label}:</td></tr>` : nothing}
            <tr class=${current ? 'current' : ''} aria-current=${current ? 'step' : 'false'} data-pc=${hex32(pc)}>
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
