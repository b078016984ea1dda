/**
 * `<ls-campaign>`: a fault-injection campaign of the loaded program in the page:
 * up to MAX_PAGE_RUNS seeded faults per topology, run in a pool of Web Workers (one per
 * core, navigator.hardwareConcurrency) by the same engine as `lockstep campaign`, one
 * topology after another. Live stacked bars show each topology's outcome classes, with each
 * outcome's 95 % interval drawn under its bar; the figures are in a table too. The failing
 * runs are listed, and a click loads one into the machine (event `load-fault`, detail
 * `{ topology, fault }`) to watch it happen.
 *
 * Properties: `program` (the machine's program) and `workload` (the workload it runs as, if any).
 */
import { LitElement, html, svg, css, nothing } from 'lit';
import type { CampaignSetup } from '../../src/campaign/engine.ts';
import { WorkerPool } from '../../src/campaign/pool.ts';
import { browserCampaignWorker } from '../../src/campaign/browser-pool.ts';
import { CAMPAIGN_OUTCOMES, type CampaignOutcome } from '../../src/campaign/outcomes.ts';
import { DEFAULT_SPACE } from '../../src/campaign/space.ts';
import { FAULT_KINDS, type FaultKind } from '../../src/fault/spec.ts';
import { loadProgram } from '../../src/isa/load.ts';
import { TOPOLOGIES, type Topology } from '../../src/machine/topology.ts';
import type { WorkloadSettings } from '../../src/transactions/settings.ts';
import type { ProgramInfo } from '../state/controller.ts';
import {
  checkSettings, DEFAULT_SETTINGS, LISTED_FAILURES, MAX_PAGE_RUNS, segments, shares, shareText, started, withRecords, withStatus,
  type CampaignSettings, type CampaignState, type TopologyRow,
} from '../state/campaign.ts';
import { shared } from './theme.ts';

/** Chart geometry, in SVG user units. */
const W = 760, LEFT = 110, RIGHT = 20, BAR = 22, LINE = 13, GAP = 16;
const x = (fraction: number) => LEFT + fraction * (W - LEFT - RIGHT);

const STATUS_TEXT: Record<TopologyRow['status'], string> = {
  waiting: 'waiting', preparing: 'running the fault-free reference…', running: 'running', done: 'done', stopped: 'stopped', failed: 'failed',
};

export interface LoadFaultDetail {
  topology: Topology;
  fault: string;
}

export class CampaignView extends LitElement {
  static override properties = { program: { attribute: false }, workload: { attribute: false }, state: { state: true }, settings: { state: true } };
  declare program: ProgramInfo | undefined;
  declare workload: WorkloadSettings | undefined;
  declare state: CampaignState | undefined;
  declare settings: CampaignSettings;
  private stopping = false;

  constructor() {
    super();
    this.settings = { ...DEFAULT_SETTINGS, topologies: [...DEFAULT_SETTINGS.topologies], kinds: [...DEFAULT_SETTINGS.kinds] };
  }

  static override styles = [shared, css`
    :host { display: block; }
    form { display: flex; flex-wrap: wrap; gap: 0.5rem 1.2rem; align-items: center; margin-bottom: 0.6rem; }
    fieldset { border: 1px solid var(--ls-border); border-radius: 8px; padding: 0.2rem 0.6rem 0.4rem; margin: 0; display: flex; flex-wrap: wrap; gap: 0.2rem 0.8rem; }
    legend { font-weight: 600; }
    label { display: inline-flex; align-items: center; gap: 0.35rem; }
    input[type=number] { width: 7.5rem; }
    .buttons { display: flex; gap: 0.5rem; }
    .error { background: var(--ls-bad-bg); color: var(--ls-bad-text); border: 1px solid var(--ls-bad); border-radius: 6px; padding: 0.3rem 0.6rem; }
    svg { width: 100%; max-width: 60rem; height: auto; display: block; margin-bottom: 0.6rem; }
    svg text { fill: var(--ls-text); font-size: 13px; font-family: var(--ls-font); }
    svg .frame { fill: none; stroke: var(--ls-border); }
    .o-masked { fill: var(--ls-surface-2); stroke: var(--ls-muted); color: var(--ls-muted); }
    .o-recovered { fill: var(--ls-good); stroke: var(--ls-good); color: var(--ls-good-text); }
    .o-failstop { fill: var(--ls-warn); stroke: var(--ls-warn); color: var(--ls-warn-text); }
    .o-sdc { fill: var(--ls-bad); stroke: var(--ls-bad); color: var(--ls-bad-text); }
    .o-hang { fill: var(--ls-accent); stroke: var(--ls-accent); color: var(--ls-accent); }
    .o-crash { fill: var(--ls-text); stroke: var(--ls-text); color: var(--ls-text); }
    .o-failover, .o-not-activated { fill: var(--ls-muted); stroke: var(--ls-muted); color: var(--ls-muted); }
    svg line.interval { stroke-width: 3; }
    svg text.interval-label { font-size: 11px; fill: var(--ls-muted); }
    .legend { display: flex; flex-wrap: wrap; gap: 0.3rem 1rem; margin: 0 0 0.6rem; padding: 0; list-style: none; }
    .legend li { display: inline-flex; align-items: center; gap: 0.35rem; }
    .swatch { display: inline-block; width: 0.9rem; height: 0.9rem; border: 1px solid; border-radius: 2px; background: currentColor; }
    .swatch.o-masked { background: var(--ls-surface-2); }
    .tables { display: flex; flex-wrap: wrap; gap: 0.6rem 1.6rem; }
    table th, table td { padding: 0.15rem 0.5rem; text-align: right; white-space: nowrap; }
    table th:first-child, table td:first-child { text-align: left; }
    caption { text-align: left; font-weight: 600; }
    ul.failing { list-style: none; padding: 0; margin: 0; max-height: 16rem; overflow-y: auto; }
    ul.failing li { display: flex; flex-wrap: wrap; align-items: center; gap: 0.3rem 0.7rem; padding: 0.15rem 0; }
    ul.failing code { font-family: var(--ls-mono); font-size: 0.85em; overflow-wrap: anywhere; }
  `];

  private setSettings(patch: Partial<CampaignSettings>): void {
    this.settings = { ...this.settings, ...patch };
  }

  private toggle<T>(list: readonly T[], item: T, on: boolean, order: readonly T[]): T[] {
    const next = on ? [...list, item] : list.filter((x) => x !== item);
    return order.filter((x) => next.includes(x));
  }

  /** Runs the campaign on each chosen topology in turn; a stop ends the current one after its batches in flight. */
  private async run(): Promise<void> {
    const settings = this.settings;
    const problem = checkSettings(settings) ?? (this.program ? undefined : 'Load a program first.');
    if (problem) {
      this.state = { settings, rows: [], running: false, error: problem };
      return;
    }
    const info = this.program!;
    this.stopping = false;
    this.state = started(settings);
    try {
      const program = loadProgram(info.bytes ?? new TextEncoder().encode(info.source ?? ''), info.name);
      for (const topology of settings.topologies) {
        if (this.stopping) break;
        const setup: CampaignSetup = {
          program, topology, seed: settings.seed, space: { kinds: settings.kinds, targets: DEFAULT_SPACE.targets },
          ...(this.workload ? { workload: this.workload } : {}),
        };
        this.state = withStatus(this.state!, topology, 'preparing');
        // Each worker runs the fault-free reference; a program that does not exit fails them all, with the reason.
        const workers = Math.max(1, Math.min(navigator.hardwareConcurrency || 2, 8));
        const pool = await WorkerPool.start(workers, browserCampaignWorker, setup);
        this.state = withStatus(this.state!, topology, 'running');
        try {
          await pool.run(Array.from({ length: settings.runs }, (_, k) => k), (records) => {
            this.state = withRecords(this.state!, topology, records);
          }, () => this.stopping);
        } finally {
          pool.close();
        }
        this.state = withStatus(this.state!, topology, this.stopping ? 'stopped' : 'done');
      }
      this.state = { ...this.state!, running: false };
    } catch (error) {
      const rows = this.state!.rows.map((r) => (r.status === 'preparing' || r.status === 'running' ? { ...r, status: 'failed' as const } : r));
      this.state = { ...this.state!, rows, running: false, error: (error as Error).message };
    }
  }

  private load(topology: Topology, fault: string): void {
    this.dispatchEvent(new CustomEvent<LoadFaultDetail>('load-fault', { detail: { topology, fault }, bubbles: true, composed: true }));
  }

  private chart(rows: readonly TopologyRow[]) {
    let y = 4;
    const groups = rows.map((row) => {
      const top = y;
      const p = shares(row);
      const occurred = p ? CAMPAIGN_OUTCOMES.filter((o) => row.counts[o] > 0) : [];
      y += BAR + 6 + occurred.length * LINE + GAP;
      return svg`<g class="topology" data-topology=${row.topology} transform="translate(0 ${top})">
        <text x="0" y=${BAR - 6}>${row.topology}</text>
        <rect class="frame" x=${x(0)} y="0" width=${x(1) - x(0)} height=${BAR}></rect>
        ${segments(row).map(([o, from, to]) => svg`<rect class="segment o-${o}" data-outcome=${o} x=${x(from)} y="0" width=${Math.max(0, x(to) - x(from))} height=${BAR}>
          <title>${o}: ${row.counts[o].toLocaleString('en-US')} runs, ${shareText(p![o])}</title></rect>`)}
        ${occurred.map((o, i) => svg`<text class="interval-label" x=${LEFT - 8} y=${BAR + 10 + i * LINE} text-anchor="end">${o}</text>
          <line class="interval o-${o}" data-outcome=${o} data-low=${p![o].ci95[0]} data-high=${p![o].ci95[1]}
          x1=${x(p![o].ci95[0])} x2=${Math.max(x(p![o].ci95[1]), x(p![o].ci95[0]) + 2)} y1=${BAR + 6 + i * LINE} y2=${BAR + 6 + i * LINE}>
          <title>${o}: 95 % interval ${shareText(p![o])}</title></line>`)}
      </g>`;
    });
    return svg`<svg viewBox="0 0 ${W} ${y}" role="img" aria-labelledby="cp-chart-title"><title id="cp-chart-title">Outcomes per topology, stacked; each outcome's 95 % interval below its bar</title>${groups}</svg>`;
  }

  private table(row: TopologyRow) {
    const p = shares(row);
    return html`<table data-topology=${row.topology}>
      <caption>${row.topology}: ${row.done.toLocaleString('en-US')} of ${this.state!.settings.runs.toLocaleString('en-US')} runs, <span class="status">${STATUS_TEXT[row.status]}</span></caption>
      <thead><tr><th scope="col">outcome</th><th scope="col">runs</th><th scope="col">share (95 % interval)</th></tr></thead>
      <tbody>${CAMPAIGN_OUTCOMES.filter((o) => o !== 'failover').map((o: CampaignOutcome) => html`<tr data-outcome=${o}>
        <td>${o}</td><td class="count">${row.counts[o].toLocaleString('en-US')}</td><td class="share">${p ? shareText(p[o]) : '–'}</td></tr>`)}</tbody>
    </table>`;
  }

  override render() {
    const s = this.state;
    const settings = this.settings;
    const running = s?.running ?? false;
    const failing = s?.rows.flatMap((row) => row.failing.map((r) => ({ topology: row.topology, record: r }))) ?? [];
    return html`
      <p>Seeded single bit flips (or the kinds chosen) in registers, pc, CSRs, the program's memory words and results,
        uniform over the fault-free run of <strong>${this.program?.name ?? 'the loaded program'}</strong>${this.workload ? html` as workload ${this.workload.name}` : nothing},
        each run judged against it — the same runs as <code>lockstep campaign</code> with the same seed.</p>
      <form @submit=${(e: Event) => { e.preventDefault(); void this.run(); }}>
        <label>Runs per topology <input id="cp-runs" type="number" min="1" max=${MAX_PAGE_RUNS} step="1" .value=${String(settings.runs)} ?disabled=${running}
          @change=${(e: Event) => this.setSettings({ runs: Number((e.target as HTMLInputElement).value) })}></label>
        <label>Seed <input id="cp-seed" type="number" min="0" step="1" .value=${String(settings.seed)} ?disabled=${running}
          @change=${(e: Event) => this.setSettings({ seed: Number((e.target as HTMLInputElement).value) })}></label>
        <fieldset><legend>Topologies</legend>${TOPOLOGIES.map((t) => html`<label><input type="checkbox" id="cp-topology-${t}" ?disabled=${running}
          .checked=${settings.topologies.includes(t)} @change=${(e: Event) => this.setSettings({ topologies: this.toggle(settings.topologies, t, (e.target as HTMLInputElement).checked, TOPOLOGIES) })}>${t}</label>`)}</fieldset>
        <fieldset><legend>Fault kinds</legend>${FAULT_KINDS.map((k: FaultKind) => html`<label><input type="checkbox" id="cp-kind-${k}" ?disabled=${running}
          .checked=${settings.kinds.includes(k)} @change=${(e: Event) => this.setSettings({ kinds: this.toggle(settings.kinds, k, (e.target as HTMLInputElement).checked, FAULT_KINDS) })}>${k}</label>`)}</fieldset>
        <div class="buttons">
          <button class="primary" id="cp-run" type="submit" ?disabled=${running}>Run the campaign</button>
          <button id="cp-stop" type="button" ?disabled=${!running} @click=${() => { this.stopping = true; }}>Stop</button>
        </div>
      </form>
      ${s?.error ? html`<p class="error" id="cp-error" role="alert">${s.error}</p>` : nothing}
      ${s && s.rows.length > 0 ? html`
        <div role="status" class="visually-hidden" id="cp-status">${running ? 'Campaign running' : 'Campaign finished'}</div>
        ${this.chart(s.rows)}
        <ul class="legend" aria-hidden="true">${CAMPAIGN_OUTCOMES.filter((o) => o !== 'failover').map((o) => html`<li><span class="swatch o-${o}"></span>${o}</li>`)}</ul>
        <div class="tables">${s.rows.map((row) => this.table(row))}</div>
        <h3>Failing runs (the first ${LISTED_FAILURES} of each topology)</h3>
        ${failing.length === 0 ? html`<p id="cp-no-failures">None so far.</p>` : html`<ul class="failing" id="cp-failing">${failing.map(({ topology, record }) => html`<li data-topology=${topology} data-outcome=${record.outcome}>
          <button class="load" @click=${() => this.load(topology, record.fault)} aria-label="Load run ${record.k} (${record.outcome} on ${topology}) into the machine">Load</button>
          <span>${topology}, run ${record.k}: <strong>${record.outcome}</strong></span><code>${record.fault}</code></li>`)}</ul>`}` : nothing}`;
  }
}
customElements.define('ls-campaign', CampaignView);
