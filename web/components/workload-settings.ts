/**
 * `<ls-workload-settings>`: the settings of the transaction workload the program runs as —
 * rate, duration, seed and FIFO depth, as `lockstep run --workload` takes them —
 * shown beside the machine's settings while a workload is chosen (from the examples, or by a
 * scenario). A change restarts the run from power-on with the new settings; a bad value is
 * refused with the page's error message and the field shows the setting in force again.
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import type { MachineController, UiState } from '../state/controller.ts';
import type { WorkloadSettings } from '../../src/transactions/settings.ts';
import { DEFAULT_WORKLOAD_DURATION } from '../state/workload.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';
import { act } from './act.ts';

type Field = 'rate' | 'duration' | 'seed' | 'fifo';

export class WorkloadSettingsBar extends LitElement {
  static override properties = { state: { attribute: false }, controller: { attribute: false } };
  declare state: UiState;
  declare controller: MachineController;

  /** The next update redraws the fields (after a change was refused, to show the settings in force). */
  private redraw = false;

  /** Only when the settings change: a redraw while people type would overwrite their text. */
  override shouldUpdate(changed: PropertyValues<this>): boolean {
    if (this.redraw) {
      this.redraw = false;
      return true;
    }
    return changed.size > 1 || !changed.has('state') || stateChanged(changed.get('state') as UiState | undefined, this.state, ['workload'], []);
  }

  static override styles = [shared, css`
    :host { display: inline-block; }
    fieldset { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem 0.8rem; border: 1px dashed var(--ls-border); border-radius: 8px; padding: 0.2rem 0.6rem 0.35rem; margin: 0; }
    legend { font-size: 0.85em; color: var(--ls-muted); }
    label { display: inline-flex; align-items: center; gap: 0.35rem; }
    input { width: 7.5rem; }
    input.short { width: 5.5rem; }
  `];

  private change(field: Field, text: string): void {
    const current = this.state.workload;
    if (!current) return;
    const trimmed = text.trim();
    const next: WorkloadSettings = { ...current };
    if (field === 'duration') next.duration = trimmed === '' ? undefined : trimmed;
    else next[field] = trimmed === '' ? undefined : Number(trimmed.replace(/[_,\s]/g, ''));
    act(this.controller.setWorkload(next).catch((error) => {
      this.redraw = true;
      this.requestUpdate();
      throw error;
    }));
  }

  override render() {
    const w = this.state.workload;
    if (!w) return nothing;
    const input = (field: Field, label: string, value: string, type: 'number' | 'text', extra: { min?: number; max?: number; placeholder?: string } = {}) => html`
      <label>${label} <input id=${`workload-${field}`} class=${field === 'fifo' ? 'short' : ''} type=${type} .value=${live(value)}
        min=${extra.min ?? nothing} max=${extra.max ?? nothing} placeholder=${extra.placeholder ?? nothing}
        @change=${(e: Event) => this.change(field, (e.target as HTMLInputElement).value)}></label>`;
    return html`<fieldset aria-label="Workload settings">
      <legend>Workload ${w.name}</legend>
      ${input('rate', 'Rate /s', w.rate === undefined ? '' : String(w.rate), 'number', { min: 1, placeholder: 'default' })}
      ${input('duration', 'Duration', w.duration ?? DEFAULT_WORKLOAD_DURATION, 'text', { placeholder: '20ms' })}
      ${input('seed', 'Seed', w.seed === undefined ? '' : String(w.seed), 'number', { min: 0, placeholder: '1' })}
      ${input('fifo', 'FIFO', w.fifo === undefined ? '' : String(w.fifo), 'number', { min: 1, max: 1024, placeholder: '64' })}
    </fieldset>`;
  }
}
customElements.define('ls-workload-settings', WorkloadSettingsBar);
