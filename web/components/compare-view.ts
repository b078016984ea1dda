/**
 * `<ls-compare>`: the comparison the product exists for in the page — the
 * loaded transaction workload, with the settings it runs with here, under the same hard
 * fault (module 0 or the primary killed) and the same transient fault (one bit of live data
 * flipped) at the same virtual time, on a plain server, the failover cluster (as it is, and
 * cluster-aware), the process pair and the lockstep machines. The worker runs the library's
 * table (src/system/compare.ts, as `lockstep compare`); the view draws each fault's rows as
 * bars — lost, duplicated, wrong and downtime, each measure on its own scale shared by both
 * faults — with every number in the table below and the command line that prints them.
 *
 * The charts (./compare-chart.ts, Observable Plot) are loaded when the view first renders;
 * until then, or if they cannot load, the view says so and the table has the numbers. Table
 * rows are `tr[data-topology][data-fault]`, each number in a `td[data-field]`.
 */
import { LitElement, html, css, nothing } from 'lit';
import { guard } from 'lit/directives/guard.js';
import type { MachineController, UiState } from '../state/controller.ts';
import type { CompareResult } from '../../src/worker/session.ts';
import type { CompareFault, CompareRow } from '../../src/system/compare.ts';
import { parseDuration } from '../../src/transactions/time.ts';
import { formatTime } from '../../src/fault/spec.ts';
import { resolveWorkloadSettings } from '../../src/transactions/settings.ts';
import {
  FAULT_LABELS, compareCommand, compareRequest, defaultFaultTimeUs, measureScale, rowTopologies, type CompareMeasure,
} from '../state/compare.ts';
import { virtualTime } from '../state/workload.ts';
import { errorText } from '../state/controller.ts';
import { shared } from './theme.ts';

/** How often the view asks the worker how far the table has got, ms. */
const PROGRESS_MS = 250;

type ChartModule = typeof import('./compare-chart.ts');

interface Run {
  /** What the table is for, in words. */
  title: string;
  result?: CompareResult;
  /** Each fault's rows, and the bars' scale (kept with the result, so the charts are drawn once). */
  charts?: { byFault: [CompareFault, CompareRow[]][]; scale: Record<CompareMeasure, number> };
  command?: string;
  error?: string;
  progress?: { rows: number; total: number };
}

export class CompareView extends LitElement {
  static override properties = {
    state: { attribute: false }, controller: { attribute: false }, run: { state: true }, atText: { state: true }, chart: { state: true },
  };
  declare state: UiState;
  declare controller: MachineController;
  declare run: Run | undefined;
  /** The faults' time as people typed it (undefined: half the run). */
  declare atText: string | undefined;
  /** The chart module once loaded, or why it could not be. */
  declare chart: ChartModule | Error | undefined;
  private faults: Record<CompareFault, boolean> = { hard: true, transient: true };
  private running = false;

  static override styles = [shared, css`
    :host { display: block; }
    .controls { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin-bottom: 0.6rem; }
    label { display: inline-flex; align-items: center; gap: 0.35rem; }
    input[type=text] { width: 6.5rem; }
    input[type=checkbox] { min-height: auto; }
    figure { margin: 0 0 0.8rem; }
    figcaption { font-weight: 600; margin-bottom: 0.2rem; }
    svg.compare-chart { width: 100%; max-width: 60rem; height: auto; display: block; }
    .table-wrap { overflow-x: auto; margin-bottom: 0.6rem; }
    table th, table td { padding: 0.2rem 0.6rem; text-align: right; white-space: nowrap; }
    table th:first-child, table td:first-child, table td.text, table th.text { text-align: left; }
    caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
    thead th { border-bottom: 1px solid var(--ls-border); }
    code { font-family: var(--ls-mono); font-size: 0.85em; overflow-wrap: anywhere; }
    .error { background: var(--ls-bad-bg); color: var(--ls-bad-text); border: 1px solid var(--ls-bad); border-radius: 6px; padding: 0.3rem 0.6rem; }
  `];

  override firstUpdated(): void {
    import('./compare-chart.ts').then((chart) => { this.chart = chart; }, (error: Error) => { this.chart = error; });
  }

  private async start(): Promise<void> {
    const workload = this.state.workload;
    if (!workload || this.running) return;
    const faults = (Object.keys(this.faults) as CompareFault[]).filter((f) => this.faults[f]);
    let atUs: number;
    try {
      atUs = this.atText === undefined ? defaultFaultTimeUs(workload) : parseDuration(this.atText);
    } catch (error) {
      this.run = { title: '', error: errorText(error) };
      return;
    }
    const request = compareRequest(workload, this.state.settings, faults, atUs);
    const w = resolveWorkloadSettings(workload);
    const arrivals = w.rate !== undefined ? `${w.rate.toLocaleString('en-US')}/s` : `one every ${w.periodUs} µs`;
    const title = `${w.name}, ${arrivals} for ${virtualTime(w.durationUs)}, seed ${w.seed}, FIFO ${w.fifo}; faults at ${virtualTime(atUs)}`;
    this.running = true;
    this.run = { title, progress: { rows: 0, total: 0 } };
    const session = this.controller.session;
    const poll = setInterval(() => {
      void session.compareProgress().then((p) => {
        if (p && this.running) this.run = { ...this.run!, progress: { rows: p.rows, total: p.total } };
      });
    }, PROGRESS_MS);
    try {
      const result = await session.compare(request);
      const faults = [...new Set(result.rows.map((r) => r.fault))];
      const charts = { byFault: faults.map((f): [CompareFault, CompareRow[]] => [f, result.rows.filter((r) => r.fault === f)]), scale: measureScale(result.rows) };
      this.run = { title, result, charts, command: compareCommand(request, rowTopologies(result.rows)) };
    } catch (error) {
      this.run = { title, error: errorText(error) };
    } finally {
      clearInterval(poll);
      this.running = false;
    }
  }

  private figure(fault: CompareFault, rows: CompareRow[], scale: Record<CompareMeasure, number>) {
    const chart = this.chart;
    const captionId = `compare-chart-${fault}-caption`;
    return html`<figure id=${`compare-chart-${fault}`} data-fault=${fault}>
      <figcaption id=${captionId}>${FAULT_LABELS[fault]}</figcaption>
      ${chart instanceof Error ? html`<p class="error" role="alert">The chart could not be loaded (${chart.message}); the numbers are in the table below.</p>`
        : !chart ? html`<p class="muted">Loading the chart…</p>`
        : guard([rows, scale, chart], () => chart.compareChart(fault, rows, scale, captionId))}
    </figure>`;
  }

  private table(rows: CompareRow[]) {
    return html`<div class="table-wrap"><table id="compare-table">
      <caption>Every row: the same arrivals and the same fault at the same time (lost includes dropped and rolled back)</caption>
      <thead><tr><th scope="col">topology</th><th scope="col" class="text">fault</th><th scope="col">lost</th><th scope="col">duplicated</th><th scope="col">wrong</th>
        <th scope="col">deadline misses</th><th scope="col">downtime</th><th scope="col" class="text">application changes</th><th scope="col">modules</th>
        <th scope="col">instructions / transaction</th></tr></thead>
      <tbody>${rows.map((r) => html`<tr data-topology=${r.topology} data-fault=${r.fault}>
        <th scope="row">${r.topology}</th><td class="text">${r.fault}</td>
        <td data-field="lost">${r.lost.toLocaleString('en-US')}</td><td data-field="duplicated">${r.duplicated.toLocaleString('en-US')}</td>
        <td data-field="wrong">${r.wrong.toLocaleString('en-US')}</td><td data-field="deadline_misses">${r.deadline_misses.toLocaleString('en-US')}</td>
        <td data-field="downtime_us">${virtualTime(r.downtime_us)}</td><td class="text" data-field="application_changes">${r.application_changes}</td>
        <td data-field="modules">${r.modules}</td><td data-field="instructions_per_transaction">${r.instructions_per_transaction.toLocaleString('en-US')}</td>
      </tr>`)}</tbody>
    </table></div>`;
  }

  private results(run: Run) {
    if (run.error) return html`<p class="error" id="compare-error" role="alert">${run.error}</p>`;
    const { result, charts } = run;
    if (!result || !charts) return nothing;
    return html`
      ${charts.byFault.map(([f, rows]) => this.figure(f, rows, charts.scale))}
      ${this.table(result.rows)}
      ${result.skipped.length > 0 ? html`<ul id="compare-skipped" aria-label="Rows not run">${result.skipped.map((s) => html`<li data-topology=${s.topology}>Not run: ${s.topology} — ${s.reason}.</li>`)}</ul>` : nothing}
      <p>The same table from the command line: <code id="compare-command">${run.command}</code></p>`;
  }

  override render() {
    const workload = this.state.workload;
    if (!workload) {
      return html`<p class="muted" id="compare-none">Choose a transaction workload (card-auth, telco-hlr or process-control under Examples): the comparison runs it on every topology.</p>`;
    }
    const run = this.run;
    const progress = run?.progress;
    const at = this.atText ?? formatTime(defaultFaultTimeUs(workload));
    return html`
      <div class="controls">
        <label>Faults at <input id="compare-at" type="text" .value=${at} aria-label="Virtual time of the faults, e.g. 10ms"
          @change=${(e: Event) => { this.atText = (e.target as HTMLInputElement).value.trim() || undefined; }}></label>
        ${(Object.keys(FAULT_LABELS) as CompareFault[]).map((f) => html`<label><input type="checkbox" id=${`compare-${f}`} .checked=${this.faults[f]}
          @change=${(e: Event) => { this.faults = { ...this.faults, [f]: (e.target as HTMLInputElement).checked }; this.requestUpdate(); }}> ${f}</label>`)}
        <button class="primary" id="compare-run" ?disabled=${this.running || !Object.values(this.faults).some(Boolean)} @click=${() => this.start()}>Run the comparison</button>
        <span role="status" id="compare-status">${progress ? `Running ${workload.name} on every topology: ${progress.total > 0 ? `${progress.rows} of ${progress.total} runs done` : 'starting'}…`
          : run?.result ? `Done: ${run.result.rows.length} runs.` : ''}</span>
      </div>
      ${run?.title ? html`<p id="compare-for" class="muted">${run.title}.</p>` : nothing}
      ${run ? this.results(run) : nothing}`;
  }
}
customElements.define('ls-compare', CompareView);
