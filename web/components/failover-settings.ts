/**
 * `<ls-failover-settings>`: the settings of a failover system — heartbeat period,
 * missed heartbeats, failover time, and for the cluster the checkpoint interval and what the
 * application does about work in flight (cluster-aware) — as `lockstep run --topology
 * cluster` takes them, shown beside the workload's settings while a cluster or a process
 * pair is chosen. A change rebuilds the system from power-on; a bad value is refused with
 * the page's error message and the field shows the setting in force again.
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import type { MachineController, UiState } from '../state/controller.ts';
import { CLUSTER_AWARE_MODES, isSystemTopology, type ClusterAware } from '../../src/system/settings.ts';
import type { FailoverScenarioSettings } from '../../src/scenario/failover.ts';
import { formatTime } from '../../src/fault/spec.ts';
import { resolvedFailover } from '../state/failover.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';
import { act } from './act.ts';

const AWARE_LABELS: Record<ClusterAware, string> = {
  off: 'off — the application as it is',
  dedupe: 'dedupe — input log replayed, duplicates dropped',
  replay: 'replay — input log replayed, no de-duplication',
};

type Field = keyof FailoverScenarioSettings;

export class FailoverSettingsBar extends LitElement {
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
    return changed.size > 1 || !changed.has('state') || stateChanged(changed.get('state') as UiState | undefined, this.state, ['settings'], []);
  }

  static override styles = [shared, css`
    :host { display: inline-block; }
    fieldset { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem 0.8rem; border: 1px dashed var(--ls-border); border-radius: 8px; padding: 0.2rem 0.6rem 0.35rem; margin: 0; }
    legend { font-size: 0.85em; color: var(--ls-muted); }
    label { display: inline-flex; align-items: center; gap: 0.35rem; }
    input { width: 6rem; }
    input.count { width: 7.5rem; }
    select { max-width: 100%; }
  `];

  /** The settings in force, as the scenario writes them (the page's, or the library's defaults). */
  private current(): FailoverScenarioSettings {
    const { topology, failover } = this.state.settings;
    if (!isSystemTopology(topology)) return {};
    const s = resolvedFailover(topology, failover);
    const common = { heartbeat: formatTime(s.heartbeatUs), missed: s.missed, failoverTime: formatTime(s.failoverTimeUs) };
    return topology === 'cluster' ? { ...common, checkpointEvery: s.checkpointEvery, clusterAware: s.clusterAware } : common;
  }

  private change(field: Field, text: string): void {
    const trimmed = text.trim();
    const next: FailoverScenarioSettings = { ...this.current() };
    if (field === 'heartbeat' || field === 'failoverTime') next[field] = trimmed;
    else if (field === 'clusterAware') next.clusterAware = trimmed as ClusterAware;
    else next[field] = trimmed === '' ? undefined : Number(trimmed.replace(/[_,\s]/g, ''));
    act(this.controller.configure({ failover: next }).catch((error) => {
      this.redraw = true;
      this.requestUpdate();
      throw error;
    }));
  }

  override render() {
    const topology = this.state.settings.topology;
    if (!isSystemTopology(topology)) return nothing;
    let s: FailoverScenarioSettings;
    try {
      s = this.current();
    } catch {
      return nothing; // settings the session refused never reach the state
    }
    const input = (field: Field, label: string, value: string, type: 'number' | 'text', unit = '') => html`
      <label>${label} <input id=${`failover-${field}`} class=${unit ? 'count' : ''} type=${type} .value=${live(value)} min=${type === 'number' ? 1 : nothing}
        @change=${(e: Event) => this.change(field, (e.target as HTMLInputElement).value)}>${unit}</label>`;
    return html`<fieldset aria-label="Failover settings">
      <legend>${topology === 'cluster' ? 'Cluster' : 'Process pair'}</legend>
      ${input('heartbeat', 'Heartbeat', s.heartbeat!, 'text')}
      ${input('missed', 'Missed', String(s.missed), 'number')}
      ${input('failoverTime', 'Failover time', s.failoverTime!, 'text')}
      ${topology === 'cluster' ? html`
        ${input('checkpointEvery', 'Checkpoint every', String(s.checkpointEvery), 'number', 'instructions')}
        <label>Cluster-aware <select id="failover-clusterAware" @change=${(e: Event) => this.change('clusterAware', (e.target as HTMLSelectElement).value)}>
          ${CLUSTER_AWARE_MODES.map((m) => html`<option value=${m} ?selected=${m === s.clusterAware}>${AWARE_LABELS[m]}</option>`)}
        </select></label>` : nothing}
    </fieldset>`;
  }
}
customElements.define('ls-failover-settings', FailoverSettingsBar);
