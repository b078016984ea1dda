/**
 * `<ls-availability>`: what each architecture buys in downtime, interruptions and money.
 * Sliders (each with a number input beside it) for the model parameters, a
 * chart of downtime per year per model on a log axis with the nines marked, the figures and
 * the cost table, and on request the Monte Carlo 99 % interval drawn on each bar.
 *
 * The chart (./availability-chart.ts, Observable Plot) is loaded when the view first
 * renders; until then, or if it cannot load, the view says so and the table has the figures.
 *
 * Property `preset`: parameters a scenario gives (the others keep their defaults).
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import { guard } from 'lit/directives/guard.js';
import { live } from 'lit/directives/live.js';
import { formatAvailability, formatDowntime, MODELS, MODULES, type Parameters } from '../../src/availability/index.ts';
import {
  COST_FIELDS, FIELDS, initialState, setCost, setField, setSimulation,
  finish, modelSimulation, shownValue, sliderPosition, sliderValue, type AvailabilityState, type CostField, type DowntimeInterval, type Field,
} from '../state/availability.ts';
import { shared } from './theme.ts';

const money = (value: number) => Math.round(value).toLocaleString('en-US');
const hours = (h: number) => `${Math.round(h).toLocaleString('en-US')} h`;

/** The longest the simulation holds the page between two chances to handle input, ms. */
const SLICE_MS = 30;

type ChartModule = typeof import('./availability-chart.ts');

export class AvailabilityView extends LitElement {
  static override properties = { preset: { attribute: false }, state: { state: true }, chart: { state: true } };
  declare preset: Partial<Parameters> | undefined;
  declare state: AvailabilityState;
  /** The chart module once loaded, or why it could not be. */
  declare chart: ChartModule | Error | undefined;

  constructor() {
    super();
    this.state = initialState();
  }

  override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('preset')) this.state = initialState(this.preset);
  }

  override firstUpdated(): void {
    import('./availability-chart.ts').then((chart) => { this.chart = chart; }, (error: Error) => { this.chart = error; });
  }

  static override styles = [shared, css`
    :host { display: block; }
    fieldset { border: 1px solid var(--ls-border); border-radius: 8px; margin: 0 0 0.8rem; padding: 0.4rem 0.7rem 0.6rem; }
    legend { font-weight: 600; }
    .field { display: grid; grid-template-columns: minmax(0, 1.2fr) minmax(0, 2fr) 8rem; gap: 0.6rem; align-items: center; margin: 0.25rem 0; }
    @media (max-width: 700px) { .field { grid-template-columns: minmax(0, 1fr); gap: 0.2rem; } }
    .field input[type=range] { width: 100%; padding: 0; }
    .field input[type=number] { width: 100%; }
    .costs { display: flex; flex-wrap: wrap; gap: 0.4rem 1rem; }
    .costs label, .simulate label { display: inline-flex; align-items: center; gap: 0.35rem; }
    .costs input { width: 9rem; }
    .simulate { display: flex; flex-wrap: wrap; gap: 0.5rem 1rem; align-items: center; margin: 0.6rem 0; }
    .simulate input { width: 7rem; }
    details { margin-top: 0.4rem; }
    summary { cursor: pointer; }
    figure { margin: 0 0 0.8rem; }
    svg.downtime-chart { width: 100%; max-width: 60rem; height: auto; }
    .table-wrap { overflow-x: auto; margin-bottom: 0.8rem; }
    table th, table td { padding: 0.2rem 0.6rem; text-align: right; white-space: nowrap; }
    table th:first-child, table td:first-child { text-align: left; }
    caption { text-align: left; font-weight: 600; padding-bottom: 0.3rem; }
    thead th { border-bottom: 1px solid var(--ls-border); }
    .error { background: var(--ls-bad-bg); color: var(--ls-bad-text); border: 1px solid var(--ls-bad); border-radius: 6px; padding: 0.3rem 0.6rem; }
    .miss { color: var(--ls-bad-text); font-weight: 600; }
  `];

  private setField(field: Field, value: number): void {
    this.state = setField(this.state, field.id, value);
  }

  /** A number input's change: a value the models refuse is shown as the value in force again. */
  private onNumber(field: Field, input: HTMLInputElement): void {
    this.setField(field, input.value.trim() === '' ? Number.NaN : Number(input.value));
    input.value = shownValue(field.read(this.state.parameters));
  }

  private onCost(id: CostField, input: HTMLInputElement): void {
    this.state = setCost(this.state, id, input.value.trim() === '' ? Number.NaN : Number(input.value));
    input.value = String(this.state.basis[id]);
  }

  /**
   * Simulates each model in turn, in slices of at most SLICE_MS between which the page
   * handles input and draws; a change of the parameters meanwhile drops what this run found.
   */
  async runSimulation(): Promise<void> {
    const started = this.state;
    const stale = () => this.state.parameters !== started.parameters || this.state.basis.years !== started.basis.years
      || this.state.simulation !== started.simulation;
    this.state = { ...started, simulating: true, intervals: {} };
    for (const model of MODELS) {
      const steps = modelSimulation(started, model);
      let slice = performance.now();
      let step = steps.next();
      while (!step.done) {
        if (performance.now() - slice > SLICE_MS) {
          await new Promise((resolve) => setTimeout(resolve, 0));
          if (stale()) return;
          slice = performance.now();
        }
        step = steps.next();
      }
      this.state = { ...this.state, intervals: { ...this.state.intervals, [model]: finish(started, model, step.value) } };
      await new Promise((resolve) => setTimeout(resolve, 0));
      if (stale()) return;
    }
    this.state = { ...this.state, simulating: false };
  }

  private renderField(field: Field) {
    const value = field.read(this.state.parameters);
    const id = `av-${field.id}`;
    const unit = field.unit ? ` (${field.unit})` : '';
    const text = Number.isFinite(value) ? `${shownValue(value)}${field.unit ? ' ' + field.unit : ''}` : 'never fails';
    return html`<div class="field">
      <label for=${`${id}-range`}>${field.label}${unit}</label>
      <input type="range" id=${`${id}-range`} min=${sliderPosition(field, field.min)} max=${sliderPosition(field, field.max)} step=${field.step}
        .value=${live(String(sliderPosition(field, value)))} aria-valuetext=${text}
        @input=${(e: Event) => this.setField(field, sliderValue(field, Number((e.target as HTMLInputElement).value)))}>
      <input type="number" id=${id} aria-label=${`${field.label}${unit}, exact value`} min=${field.scale === 'log' ? nothing : field.min}
        max=${field.scale === 'log' ? nothing : field.max} step="any" .value=${live(shownValue(value))} placeholder=${Number.isFinite(value) ? nothing : 'never'}
        @change=${(e: Event) => this.onNumber(field, e.target as HTMLInputElement)}>
    </div>`;
  }

  private renderInterval(interval: DowntimeInterval) {
    if (interval.outages === 0) return html`<span class="muted">no outage in ${this.state.simulation.runs.toLocaleString('en-US')} runs: too rare to estimate</span>`;
    return html`${formatDowntime(interval.low)} – ${formatDowntime(interval.high)}
      ${interval.closedFormInside ? '' : html`<span class="miss">(closed form outside)</span>`}
      ${interval.rarelyEntered.length > 0 ? html`<span class="muted" title="down states entered fewer than 30 times: their share is guessed from too few events">(rare states: ${interval.rarelyEntered.join(', ')})</span>` : ''}`;
  }

  private renderChart() {
    const chart = this.chart;
    if (chart instanceof Error) return html`<p class="error" role="alert">The chart could not be loaded (${chart.message}); the figures are in the table below.</p>`;
    if (!chart) return html`<p class="muted">Loading the chart…</p>`;
    const { rows, intervals } = this.state;
    return guard([rows, intervals], () => chart.downtimeChart({ rows, intervals }, 'av-chart-caption'));
  }

  override render() {
    const s = this.state;
    const main = FIELDS.filter((f) => !f.more);
    const more = FIELDS.filter((f) => f.more);
    const intervals = s.intervals;
    return html`
      <fieldset><legend>Model parameters (per module; rates per hour)</legend>
        ${main.map((f) => this.renderField(f))}
        <details id="av-more"><summary>More parameters</summary>${more.map((f) => this.renderField(f))}</details>
      </fieldset>
      ${s.error ? html`<p class="error" id="av-error" role="alert">${s.error}</p>` : nothing}
      <figure>
        ${this.renderChart()}
        <figcaption class="muted" id="av-chart-caption">Bars: downtime per year from the closed forms, on a log axis (bars rise from its bottom); dashed lines: the downtime of
          n nines (A = 1 − 10<sup>−n</sup>, 365.25 days a year)${intervals ? '; whiskers: the Monte Carlo 99 % interval' : ''}. The figures are in the table below.</figcaption>
      </figure>
      <div class="simulate">
        <label>Runs <input id="av-runs" type="number" min="2" step="1" .value=${live(String(s.simulation.runs))}
          @change=${(e: Event) => { this.state = setSimulation(this.state, { runs: Number((e.target as HTMLInputElement).value) }); }}></label>
        <label>Seed <input id="av-seed" type="number" min="0" step="1" .value=${live(String(s.simulation.seed))}
          @change=${(e: Event) => { this.state = setSimulation(this.state, { seed: Number((e.target as HTMLInputElement).value) }); }}></label>
        <button id="av-simulate" ?disabled=${s.simulating} @click=${() => this.runSimulation()}>Simulate (Monte Carlo, ${s.basis.years} years per run)</button>
        <span role="status" id="av-sim-status">${s.simulating ? 'Simulating…' : intervals ? `Simulated ${s.simulation.runs.toLocaleString('en-US')} runs of ${s.basis.years} years, seed ${s.simulation.seed}.` : ''}</span>
      </div>
      <div class="table-wrap"><table id="av-figures">
        <caption>Each model, from its closed form${intervals ? ', and the simulated 99 % interval of downtime' : ''}</caption>
        <thead><tr><th scope="col">model</th><th scope="col">availability</th><th scope="col">downtime/yr</th><th scope="col">nines</th>
          <th scope="col">MTTF</th><th scope="col">interruptions/yr</th>${intervals ? html`<th scope="col">simulated downtime/yr (99 %)</th>` : nothing}</tr></thead>
        <tbody>${s.rows.map((r) => {
          const interval = intervals?.[r.model];
          return html`<tr data-model=${r.model}><th scope="row">${r.model}</th>
            <td class="availability">${formatAvailability(r.availability, r.unavailability)}</td>
            <td class="downtime">${formatDowntime(r.downtime_min_per_year)}</td>
            <td class="nines">${r.nines.toFixed(2)}</td><td>${hours(r.mttf_hours)}</td>
            <td class="interruptions">${r.interruptions_per_year.toPrecision(3)}</td>
            ${intervals ? html`<td class="interval">${interval ? this.renderInterval(interval) : '…'}</td>` : nothing}
          </tr>`;
        })}</tbody>
      </table></div>
      <fieldset><legend>Cost</legend><div class="costs">
        ${COST_FIELDS.map((f) => html`<label>${f.label} <input id=${`av-${f.id}`} type="number" min=${f.min} step="any" .value=${live(String(s.basis[f.id]))}
          @change=${(e: Event) => this.onCost(f.id, e.target as HTMLInputElement)}></label>`)}
      </div></fieldset>
      <div class="table-wrap"><table id="av-costs">
        <caption>Expected cost per year and total cost of ownership over ${s.basis.years} years</caption>
        <thead><tr><th scope="col">model</th><th scope="col">modules</th><th scope="col">downtime/yr</th><th scope="col">interruptions/yr</th>
          <th scope="col">per year</th><th scope="col">hardware</th><th scope="col">total ${s.basis.years} y</th></tr></thead>
        <tbody>${s.rows.map((r, k) => {
          const c = s.costs[k];
          return html`<tr data-model=${r.model}><th scope="row">${r.model}</th><td>${MODULES[r.model]}</td><td>${money(c.downtime_per_year)}</td>
            <td>${money(c.interruptions_per_year)}</td><td class="per-year">${money(c.per_year)}</td><td>${money(c.hardware)}</td><td class="total">${money(c.total)}</td></tr>`;
        })}</tbody>
      </table></div>`;
  }
}
customElements.define('ls-availability', AvailabilityView);
