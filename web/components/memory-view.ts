/**
 * `<ls-memory>`: 32 words of RAM from every module side by side, from an address the user
 * types or a symbol, with differing words marked ≠, each word's bytes beside it as ASCII. Clicking a word opens its bit picker
 * (target `mem:ADDRESS`) so that a flip, a stuck bit or an ECC error can be scheduled there.
 */
import { LitElement, html, css, type PropertyValues, nothing } from 'lit';
import type { MachineController, UiState } from '../state/controller.ts';
import { memoryRows } from '../state/diff.ts';
import { asciiOf, hex32, parseNumber } from '../state/format.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';
import { bitPicker, bitPickerStyles, bitsDetail, followPicker } from './bits.ts';
import { act } from './act.ts';
import { moduleName } from '../state/failover.ts';

export class MemoryView extends LitElement {
  static override properties = { state: { attribute: false }, controller: { attribute: false } };
  declare state: UiState;
  declare controller: MachineController;

  override shouldUpdate(changed: PropertyValues<this>): boolean {
    return changed.size > 1 || !changed.has('state') || stateChanged(changed.get('state') as UiState | undefined, this.state, ['memory', 'memoryAddress', 'selected', 'faultKind', 'program']);
  }

  protected override updated(changed: PropertyValues<this>): void {
    const before = changed.get('state') as UiState | undefined;
    if (before) followPicker(this.renderRoot as ShadowRoot, before.selected, this.state.selected);
  }

  static override styles = [shared, bitPickerStyles, css`
    :host { display: block; }
    form { display: flex; gap: 0.4rem; flex-wrap: wrap; align-items: center; margin-bottom: 0.4rem; }
    input[name=address] { width: 16ch; flex: none; font-family: var(--ls-mono); }
    .scroll { overflow: auto; height: 24rem; contain: strict; border: 1px solid var(--ls-border); border-radius: 6px; }
    /* Each table has an inline min-width: on a narrow screen it scrolls rather than overlapping its columns. */
    table { width: 100%; table-layout: fixed; font-family: var(--ls-mono); font-size: var(--ls-code-size); }
    col.address { width: 7.5rem; }
    th, td { padding: 0.05rem 0.35rem; text-align: left; white-space: nowrap; }
    thead th { position: sticky; top: 0; background: var(--ls-surface-2); font-family: var(--ls-font); }
    button.value { font: inherit; background: transparent; border: 1px solid transparent; padding: 0 0.3rem; min-height: 1.6rem; }
    td.differs button.value { background: repeating-linear-gradient(135deg, var(--ls-diff-bg) 0 6px, transparent 6px 9px); border-color: var(--ls-bad); font-weight: 700; }
    td.offline button.value { opacity: 0.6; }
    th[scope=row] { color: var(--ls-muted); font-weight: 500; }
    .ascii { color: var(--ls-muted); white-space: pre; margin-left: 0.3rem; }
    td.differs .ascii { color: var(--ls-bad-text); font-weight: 700; }
  `];

  private go(e: Event) {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector('input')!;
    const text = input.value.trim();
    const symbol = this.state.program?.symbolList.find(([name]) => name === text);
    const address = symbol ? symbol[1] : parseNumber(text);
    if (Number.isFinite(address)) act(this.controller.setMemoryAddress(address));
  }

  override render() {
    const view = this.state.view;
    if (!view) return nothing;
    const rows = memoryRows(this.state.memoryAddress, this.state.memory, view.modules.map((m) => m.state));
    const selected = this.state.selected;
    const selectedAddress = selected?.target.startsWith('mem:') ? Number.parseInt(selected.target.slice(6), 16) : undefined;
    const selectedRow = rows.find((r) => r.address === selectedAddress);
    const dataSymbols = (this.state.program?.symbolList ?? []).filter(([, a]) => a >= 0x8000_0000).slice(0, 12);
    return html`
      <form @submit=${this.go}>
        <label>Address or symbol <input name="address" .value=${hex32(this.state.memoryAddress)} list="symbols" aria-label="Memory address or symbol"></label>
        <datalist id="symbols">${dataSymbols.map(([name]) => html`<option value=${name}></option>`)}</datalist>
        <button type="submit">Show</button>
        <button type="button" @click=${() => act(this.controller.setMemoryAddress(this.state.memoryAddress - 128))} aria-label="Previous 128 bytes">◀</button>
        <button type="button" @click=${() => act(this.controller.setMemoryAddress(this.state.memoryAddress + 128))} aria-label="Next 128 bytes">▶</button>
      </form>
      ${selectedRow && selected ? bitPicker({
        title: `RAM word ${hex32(selectedRow.address)} on module ${selected.module}`,
        value: selectedRow.values[selected.module], kind: this.state.faultKind,
        onBit: (bit) => act(this.controller.clickBit(bit)), onClose: () => this.controller.select(undefined),
      }) : nothing}
      ${rows.length === 0 ? html`<p class="muted">${hex32(this.state.memoryAddress)} is outside RAM.</p>` : html`
      <div class="scroll"><table style="min-width: ${10 + 19 * view.modules.length}ch" aria-label="Memory of every module"><colgroup><col class="address">${view.modules.map(() => html`<col>`)}</colgroup>
        <thead><tr><th scope="col">Address</th>${view.modules.map((m) => html`<th scope="col">${moduleName(view, m.id)} <span class="ascii">(hex, ASCII)</span></th>`)}</tr></thead>
        <tbody>${rows.map((row) => html`
          <tr data-address=${hex32(row.address)}>
            <th scope="row">${row.differs.some(Boolean) ? html`<span class="diff-mark">≠ </span>` : nothing}${hex32(row.address)}</th>
            ${view.modules.map((m, k) => html`<td class="${m.state} ${row.differs[k] ? 'differs' : ''}">
              <button class="value" @click=${() => this.controller.select({ module: m.id, target: `mem:${hex32(row.address)}` })}
                aria-label="RAM word ${hex32(row.address)} on module ${m.id}: ${hex32(row.values[k])}${row.differs[k] ? ', differs' : ''}. Pick a bit to break"
              >${row.differs[k] ? html`<span class="diff-mark" aria-hidden="true">≠</span>` : nothing}${hex32(row.values[k])}</button><span class="ascii" title="The word's bytes as ASCII, lowest address first">${asciiOf(row.values[k])}</span></td>`)}
          </tr>
          ${row.latent ? html`<tr><td colspan=${view.modules.length + 1}>${bitsDetail(row.reference, view.modules.flatMap((m, k) => (row.differs[k] ? [{ module: m.id, value: row.values[k], mask: row.masks[k] }] : [])))}</td></tr>` : nothing}`)}
        </tbody></table></div>`}`;
  }
}
customElements.define('ls-memory', MemoryView);
