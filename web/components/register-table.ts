/**
 * `<ls-registers>`: pc, x1..x31 and the main CSRs of every module side by side. A value that
 * differs from the reference (the value most online modules hold) is marked with ≠ and a
 * hatched background, and the register gets a row spelling out its bits with the differing
 * ones marked ▲. The register of the last divergence flashes on the modules the machine took
 * offline for it (on none after a fail-stop: the machine could not tell which was faulty).
 *
 * Every value is a button: it opens the bit picker for that register on that module, where
 * clicking a bit schedules the fault chosen in the fault bar.
 *
 * With the fault-free twin on, its values make one more column: a module's value
 * that differs from the twin's is outlined (≠ twin), the twin's value is marked when an
 * online module differs from it, and the register gets a row of the bits that differ from
 * the twin's — on simplex, the only way to see a corrupted register. While the machine runs
 * free the twin may be behind (twinBehind: a few time slices, or at a state kept along the
 * history, up to a grid spacing): its column then names the
 * instruction its values are of, and nothing is compared until it is in step again.
 */
import { LitElement, html, css, type PropertyValues, nothing } from 'lit';
import type { MachineController, UiState } from '../state/controller.ts';
import { registerRows, type RegisterRow } from '../state/diff.ts';
import { hex32 } from '../state/format.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';
import { bitPicker, bitPickerStyles, bitsDetail, followPicker } from './bits.ts';
import { act } from './act.ts';
import { moduleName } from '../state/failover.ts';
import { twinBehind, twinCell, type TwinCell } from '../state/time-travel.ts';

export class RegisterTable extends LitElement {
  static override properties = { state: { attribute: false }, controller: { attribute: false } };
  declare state: UiState;
  declare controller: MachineController;

  override shouldUpdate(changed: PropertyValues<this>): boolean {
    return changed.size > 1 || !changed.has('state') || stateChanged(changed.get('state') as UiState | undefined, this.state, ['flash', 'selected', 'faultKind']);
  }

  protected override updated(changed: PropertyValues<this>): void {
    const before = changed.get('state') as UiState | undefined;
    if (before) followPicker(this.renderRoot as ShadowRoot, before.selected, this.state.selected);
  }

  static override styles = [shared, bitPickerStyles, css`
    :host { display: block; }
    .scroll { overflow: auto; max-height: 34rem; contain: strict; height: 34rem; border: 1px solid var(--ls-border); border-radius: 6px; }
    /* Each table has an inline min-width: on a narrow screen it scrolls rather than overlapping its columns. */
    table { width: 100%; table-layout: fixed; font-family: var(--ls-mono); font-size: var(--ls-code-size); font-variant-numeric: tabular-nums; }
    col.name { width: 6.5rem; }
    th, td { padding: 0.1rem 0.35rem; text-align: left; white-space: nowrap; }
    thead th { position: sticky; top: 0; background: var(--ls-surface-2); z-index: 1; font-family: var(--ls-font); }
    thead th.offline { color: var(--ls-bad-text); }
    thead th.resyncing { color: var(--ls-warn-text); }
    tbody tr:nth-child(even) { background: color-mix(in srgb, var(--ls-surface-2) 45%, transparent); }
    th[scope=row] { font-weight: 600; color: var(--ls-muted); }
    td.offline button { opacity: 0.6; }
    button.value {
      font: inherit; background: transparent; border: 1px solid transparent; padding: 0 0.3rem; min-height: 1.7rem; border-radius: 4px;
    }
    button.value:hover { border-color: var(--ls-accent); }
    button.value[aria-pressed=true] { border-color: var(--ls-accent); border-width: 2px; }
    td.differs button.value {
      background: repeating-linear-gradient(135deg, var(--ls-diff-bg) 0 6px, transparent 6px 9px);
      border-color: var(--ls-bad); font-weight: 700;
    }
    td.off-twin button.value { outline: 2px dashed var(--ls-warn-text); outline-offset: -2px; }
    td.twin { border-left: 3px double var(--ls-border); padding-left: 0.7rem; }
    td.twin.differs { background: repeating-linear-gradient(135deg, var(--ls-diff-bg) 0 6px, transparent 6px 9px); font-weight: 700; }
    thead th.twin { border-left: 3px double var(--ls-border); }
    td.flash button.value { animation: flash 0.45s ease-in-out 6 alternate; outline: 3px solid var(--ls-bad); }
    @keyframes flash { from { background: var(--ls-bad); color: #fff; } to { background: var(--ls-diff-bg); } }
    @media (prefers-reduced-motion: reduce) { td.flash button.value { animation: none; } }
    tr.detail td { padding: 0.2rem 0.5rem 0.5rem; }
    .row-mark { color: var(--ls-bad-text); font-weight: 800; }
  `];

  private rowCells(row: RegisterRow, twin?: TwinCell) {
    const view = this.state.view!;
    const flash = this.state.flash;
    const selected = this.state.selected;
    return view.modules.map((m, k) => {
      const differs = row.differs[k];
      const flashing = flash && flash.modules.includes(m.id) && flash.target === row.target;
      const pressed = selected?.module === m.id && selected.target === row.target;
      const offTwin = twin !== undefined && twin.masks[k] !== 0 && m.state === 'online';
      const label = `${row.label} on module ${m.id}: ${hex32(row.values[k])}${differs ? ', differs from the other modules' : ''}${offTwin ? ', differs from the fault-free twin' : ''}. Pick a bit to break`;
      return html`<td class="${m.state} ${differs ? 'differs' : ''} ${flashing ? 'flash' : ''} ${offTwin ? 'off-twin' : ''}" data-module=${m.id}>
        <button class="value" aria-label=${label} aria-pressed=${pressed ? 'true' : 'false'}
          @click=${() => this.controller.select(pressed ? undefined : { module: m.id, target: row.target })}
        >${differs ? html`<span class="diff-mark" aria-hidden="true">≠</span>` : nothing}${flashing ? html`<span aria-hidden="true">⚡</span>` : nothing}${hex32(row.values[k])}</button></td>`;
    });
  }

  override render() {
    const view = this.state.view;
    if (!view) return nothing;
    const rows = registerRows(view.modules);
    const selected = this.state.selected;
    const selectedRow = selected && !selected.target.startsWith('mem:') ? rows.find((r) => r.target === selected.target) : undefined;
    const flash = this.state.flash;
    const twin = view.twin;
    const states = view.modules.map((m) => m.state);
    const columns = view.modules.length + (twin ? 1 : 0);
    const behind = twin !== undefined && twinBehind(view, twin);
    return html`
      ${selectedRow && selected ? bitPicker({
        title: `${selectedRow.label} on module ${selected.module}`,
        value: selectedRow.values[selected.module],
        kind: this.state.faultKind,
        onBit: (bit) => act(this.controller.clickBit(bit)),
        onClose: () => this.controller.select(undefined),
      }) : nothing}
      <div class="scroll" tabindex="-1" id="registers">
        <table style="min-width: ${10 + 13 * columns}ch" aria-label="Registers of every module${twin ? ' and of the fault-free twin' : ''}"><colgroup><col class="name">${Array.from({ length: columns }, () => html`<col>`)}</colgroup>
          <thead><tr><th scope="col">Register</th>${view.modules.map((m) => html`<th scope="col" class=${m.state}>${moduleName(view, m.id)}${m.state === 'online' ? '' : ` (${m.state})`}</th>`)}${twin ? html`<th scope="col" class="twin" id="twin-column">Fault-free twin${behind ? ` (#${twin.instret.toLocaleString('en-US')}, catching up: compared once in step)` : twin.instret !== view.instret ? ` (#${twin.instret.toLocaleString('en-US')})` : ''}</th>` : nothing}</tr></thead>
          <tbody>
            ${rows.map((row) => {
              const showBits = row.latent || (flash?.target === row.target && flash.modules.some((m) => row.differs[m]));
              const cell = twin && twinCell(row, twin, states, !behind);
              return html`
                <tr data-register=${row.target} class=${row.differs.some(Boolean) ? 'differs' : ''}>
                  <th scope="row">${row.differs.some(Boolean) || cell?.differs ? html`<span class="row-mark" title=${row.differs.some(Boolean) ? 'modules differ' : 'differs from the fault-free twin'}>≠ </span>` : nothing}${row.label}</th>
                  ${this.rowCells(row, cell)}
                  ${cell ? html`<td class="twin ${cell.differs ? 'differs' : ''}" data-twin>${cell.differs ? html`<span class="diff-mark" aria-hidden="true">≠</span>` : nothing}${hex32(cell.value)}${cell.differs ? html`<span class="visually-hidden">, a module differs from it</span>` : nothing}</td>` : nothing}
                </tr>
                ${showBits ? html`<tr class="detail" data-detail=${row.target}><td colspan=${columns + 1}>
                  ${bitsDetail(row.reference, view.modules.flatMap((m, k) => (row.differs[k] ? [{ module: m.id, value: row.values[k], mask: row.masks[k] }] : [])))}
                </td></tr>` : nothing}
                ${cell?.differs ? html`<tr class="detail" data-twin-detail=${row.target}><td colspan=${columns + 1}>
                  ${bitsDetail(cell.value, view.modules.flatMap((m, k) => (cell.masks[k] !== 0 && m.state === 'online' ? [{ module: m.id, value: row.values[k], mask: cell.masks[k] }] : [])), 'twin')}
                </td></tr>` : nothing}`;
            })}
          </tbody>
        </table>
      </div>`;
  }
}
customElements.define('ls-registers', RegisterTable);

