/**
 * `<ls-transactions>`: the transaction strip beside the front panel, drawn while
 * the program runs as a transaction workload: the virtual clock, arrivals, the FIFO's depth
 * and the results, every class of the ledger (DESIGN §6) as a running counter, and the
 * latency percentiles. A wrong, lost or duplicated transaction is an alarm: red, and said in
 * words with a ⚠, never by colour alone, and announced to screen readers once per kind. At
 * the end of the run it shows whether the ledger met what the scenario expects
 * (`expect.ledger`).
 *
 * Every counter is `[data-counter=FIELD]` with its number in `data-value`, for tests and
 * for course pages that read the page.
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import type { MachineController, UiState } from '../state/controller.ts';
import type { WorkloadStatus } from '../../src/worker/workload-run.ts';
import { checkLedger, type LedgerCheck } from '../../src/scenario/ledger-expectation.ts';
import { LEDGER_CLASSES, ledgerValue, virtualTime } from '../state/workload.ts';
import { failoverPhase } from '../state/failover.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';

const FIELD_LABELS: Record<string, string> = Object.fromEntries([
  ['arrived', 'arrived'], ...LEDGER_CLASSES.map((c) => [c.field, c.label]),
]);

export class TransactionStrip extends LitElement {
  static override properties = { state: { attribute: false }, controller: { attribute: false } };
  declare state: UiState;
  declare controller: MachineController;

  override shouldUpdate(changed: PropertyValues<this>): boolean {
    return changed.size > 1 || !changed.has('state') || stateChanged(changed.get('state') as UiState | undefined, this.state, ['workload', 'expect', 'systemEvents'], ['workload']);
  }

  static override styles = [shared, css`
    :host { display: block; }
    .strip { border: 2px solid var(--ls-border); border-radius: 10px; padding: 0.6rem 0.8rem; background: var(--ls-surface); }
    .strip.alarm { border-color: var(--ls-bad); }
    h2 small { font-weight: 400; color: var(--ls-muted); }
    .clock { display: flex; align-items: center; gap: 0.6rem; flex-wrap: wrap; font-size: 0.9em; margin-bottom: 0.5rem; }
    .clock progress { flex: 1 1 8rem; min-width: 6rem; height: 0.8rem; accent-color: var(--ls-accent); }
    dl { display: grid; grid-template-columns: repeat(auto-fill, minmax(8.5rem, 1fr)); gap: 0.4rem; margin: 0 0 0.5rem; }
    dl > div { border: 1px solid var(--ls-border); border-radius: 8px; padding: 0.25rem 0.5rem; background: var(--ls-surface-2); }
    dt { font-size: 0.8em; color: var(--ls-muted); }
    dd { margin: 0; font-family: var(--ls-mono); font-size: 1.15em; font-weight: 700; font-variant-numeric: tabular-nums; }
    dl > div.alarm { border: 2px solid var(--ls-bad); background: var(--ls-bad-bg); }
    dl > div.alarm dt, dl > div.alarm dd { color: var(--ls-bad-text); }
    .flag { display: block; font-family: var(--ls-font); font-size: 0.7em; font-weight: 700; }
    .state, .latency { margin: 0.2rem 0; font-size: 0.9em; }
    .state.down { color: var(--ls-bad-text); font-weight: 600; }
    .expect { margin-top: 0.4rem; border-top: 1px dashed var(--ls-border); padding-top: 0.4rem; }
    .expect h3 { font-size: 0.95em; margin: 0 0 0.3rem; }
    .expect ul { margin: 0; padding-left: 0; list-style: none; }
    .expect li.unmet { color: var(--ls-bad-text); font-weight: 600; }
    .expect li.met { color: var(--ls-good-text); }
    .expect .verdict { font-weight: 700; margin: 0.3rem 0 0; }
  `];

  private counter(field: string, label: string, value: number, shown: string, help: string, alarm?: string) {
    const raised = alarm !== undefined && value > 0;
    return html`<div data-counter=${field} data-value=${String(value)} class=${raised ? 'alarm' : ''} title=${help}>
      <dt>${label}</dt><dd>${shown}${raised ? html`<span class="flag">⚠ ${alarm}</span>` : nothing}</dd></div>`;
  }

  private expectation(checks: LedgerCheck[]) {
    const unmet = checks.filter((c) => !c.met);
    return html`<div class="expect" id="tx-expect" data-met=${String(unmet.length === 0)}>
      <h3>The scenario expects</h3>
      <ul>${checks.map((c) => html`<li data-field=${c.field} class=${c.met ? 'met' : 'unmet'}>
        ${c.met ? '✓ met' : '✗ not met'}: ${FIELD_LABELS[c.field]} ${c.expected} (the run gave ${c.actual.toLocaleString('en-US')})</li>`)}</ul>
      <p class="verdict" role="status">${unmet.length === 0 ? '✓ The ledger is as expected.' : `✗ ${unmet.length} of ${checks.length} expectations not met.`}</p>
    </div>`;
  }

  private stateLine(w: WorkloadStatus) {
    const p = w.progress;
    if (w.error) return html`<p class="state down" id="tx-state" role="alert">The run stopped: ${w.error}</p>`;
    const outage = !p.done && !p.down && this.state.view?.failover && failoverPhase(this.state.systemEvents, this.state.view.failover).kind === 'outage';
    const text = p.done
      ? `Run complete: ${virtualTime(w.settings.durationUs)} of virtual time${p.down ? '; the machine was down at the end' : ''}.`
      : p.down ? 'The machine is down: transactions go on arriving and are lost.'
      : outage ? 'Failover under way: no host serves; transactions queue up, and those the FIFO cannot hold are lost.' : '';
    return html`<p class="state ${p.down || outage ? 'down' : ''}" id="tx-state" role="status">${text}</p>`;
  }

  override render() {
    const w = this.state.view?.workload;
    if (!w) return nothing;
    const { progress: p, ledger, settings } = w;
    const alarms = LEDGER_CLASSES.flatMap((c) => (c.alarm !== undefined && ledger[c.field] > 0 ? [c.alarm] : []));
    const alarm = alarms.length > 0;
    const arrivals = settings.rate !== undefined ? `${settings.rate.toLocaleString('en-US')}/s` : `one every ${settings.periodUs} µs`;
    const expect = this.state.expect?.ledger;
    return html`<section class="strip ${alarm ? 'alarm' : ''}" aria-labelledby="tx-h">
      <h2 id="tx-h">Transactions <small>${settings.name}, ${arrivals}, seed ${settings.seed}</small></h2>
      <div class="clock"><span id="tx-clock">virtual time ${virtualTime(p.nowUs)} of ${virtualTime(settings.durationUs)}</span>
        <progress max=${settings.durationUs} .value=${p.nowUs} aria-label="Virtual time of the run"></progress></div>
      <dl aria-label="Arrivals and results">
        ${this.counter('arrived', 'arrived', p.arrived, p.arrived.toLocaleString('en-US'), 'transactions that arrived at the port')}
        ${this.counter('fifo', 'in the FIFO', p.fifo, `${p.fifo} / ${settings.fifo}`, 'records waiting in the input FIFO, of its depth')}
        ${this.counter('results', 'results', p.results, p.results.toLocaleString('en-US'), 'result records the machine emitted')}
      </dl>
      <dl aria-label="Ledger">
        ${LEDGER_CLASSES.map((c) => this.counter(c.field, c.label, ledger[c.field], ledgerValue(ledger, c.field), c.help, c.alarm))}
      </dl>
      <p class="latency" id="tx-latency">latency, arrival to result: p50 ${virtualTime(ledger.latency_us.p50)}, p99 ${virtualTime(ledger.latency_us.p99)}, max ${virtualTime(ledger.latency_us.max)}</p>
      ${this.stateLine(w)}
      <p class="visually-hidden" role="status" id="tx-alarm">${alarm ? `Alarm: ${alarms.join(', ')}.` : ''}</p>
      ${expect && p.done ? this.expectation(checkLedger(expect, ledger)) : nothing}
    </section>`;
  }
}
customElements.define('ls-transactions', TransactionStrip);
