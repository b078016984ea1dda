/**
 * `<ls-time-travel>`: time travel and the fault-free twin. Switches for both;
 * step back one instruction or N, scrub the run so far with a slider or go to an instruction
 * by number, return to the present; jump to the injection, the first difference and the
 * detection. Every machine has them, a failover system and a transaction workload too (its
 * ledger and failover account go back with it); the twin is for plain programs, and says so.
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import { live } from 'lit/directives/live.js';
import type { MachineController, UiState } from '../state/controller.ts';
import { LANDMARKS, historyText, landmarkKnown, landmarkMissing, twinUnavailable } from '../state/time-travel.ts';
import { count, parseNumber } from '../state/format.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';
import { act } from './act.ts';

export class TimeTravelBar extends LitElement {
  static override properties = { state: { attribute: false }, controller: { attribute: false } };
  declare state: UiState;
  declare controller: MachineController;

  /**
   * While the machine runs, the bar is drawn again only when a checkpoint is taken or a
   * landmark appears, not for every view: drawing takes the page's time, and on a small
   * machine that is the worker's.
   */
  override shouldUpdate(changed: PropertyValues<this>): boolean {
    const before = changed.get('state') as UiState | undefined;
    if (changed.size > 1 || !changed.has('state') || !before?.view || !this.state.view) return true;
    if (stateChanged(before, this.state, ['timeTravel', 'twin', 'stepN', 'settings', 'workload'], ['running'])) return true;
    const [was, now] = [before.view, this.state.view];
    if (!now.running) return stateChanged(before, this.state, [], ['instret', 'history', 'parting']);
    const marks = (v: typeof now) => [v.history?.checkpoints, v.history?.injection, v.history?.detection, v.history?.divergence, v.parting?.offset].join();
    return marks(was) !== marks(now);
  }

  static override styles = [shared, css`
    :host { display: block; margin-top: 0.6rem; border-top: 1px dashed var(--ls-border); padding-top: 0.6rem; }
    .row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.8rem; }
    .row + .row, .row + p { margin-top: 0.5rem; }
    label { display: inline-flex; align-items: center; gap: 0.35rem; }
    input[type=range] { flex: 1 1 14rem; min-width: 10rem; accent-color: var(--ls-accent); min-height: auto; padding: 0; }
    input[type=number] { width: 9rem; }
    .at { font-family: var(--ls-mono); min-width: 11ch; }
    p { margin: 0; }
    h3 { font-size: 1em; margin: 0; }
  `];

  /** The slider moves: show where it points; going there waits for the release (change). */
  private scrubbing?: number;

  private goTo(e: Event): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector('input')!;
    const at = parseNumber(input.value);
    if (Number.isFinite(at)) act(this.controller.travel(at));
  }

  override render() {
    const s = this.state;
    const view = s.view;
    const noTwin = twinUnavailable(s.workload);
    const history = view?.history;
    const off = !history;
    const why = !history ? 'Load a program first' : !s.timeTravel ? 'No checkpoints are kept: going back replays from the start' : undefined;
    const at = view?.instret ?? 0;
    const shown = this.scrubbing ?? at;
    return html`
      <div class="row">
        <h3>Time travel</h3>
        <label title="A snapshot every ${count(history?.interval ?? 0)} instructions (about 3 % of the run's speed), so that going back replays little; off, it replays from the start">
          <input type="checkbox" id="time-travel" .checked=${live(s.timeTravel)}
            @change=${(e: Event) => act(this.controller.setTimeTravel((e.target as HTMLInputElement).checked))}> Keep checkpoints to go back quickly</label>
        ${noTwin ? html`<p class="muted" id="twin-unavailable">${noTwin}</p>` : html`
        <label title="The same program and input without faults, in step with the machine: a column in the registers, its console beside the machine's">
          <input type="checkbox" id="twin" .checked=${live(s.twin)}
            @change=${(e: Event) => act(this.controller.setTwin((e.target as HTMLInputElement).checked))}> Show the fault-free twin</label>`}
      </div>
      <div class="row" role="group" aria-label="Go back and forth in the run">
        <button id="back" ?disabled=${off || at <= (history?.start ?? 0)} title=${why ?? 'One instruction back'} aria-keyshortcuts=","
          @click=${() => act(this.controller.back(1))}>◀ Back 1</button>
        <button id="back-n" ?disabled=${off || at <= (history?.start ?? 0)} title=${why ?? `${count(s.stepN)} instructions back`} aria-keyshortcuts="<"
          @click=${() => act(this.controller.back(s.stepN))}>◀◀ Back ${count(s.stepN)}</button>
        <label for="scrub">Instruction</label>
        <input id="scrub" type="range" min=${history?.start ?? 0} max=${history?.present ?? 0} step="1" .value=${live(String(shown))}
          ?disabled=${off} aria-valuetext="instruction ${count(shown)} of ${count(history?.present ?? 0)}"
          @input=${(e: Event) => { this.scrubbing = Number((e.target as HTMLInputElement).value); this.requestUpdate(); }}
          @change=${(e: Event) => { this.scrubbing = undefined; act(this.controller.travel(Number((e.target as HTMLInputElement).value))); }}>
        <span class="at" aria-hidden="true">#${count(shown)}</span>
        <form class="row" @submit=${this.goTo}>
          <label>Go to instruction <input id="go-to" type="number" min=${history?.start ?? 0} max=${history?.present ?? 0} ?disabled=${off}></label>
          <button id="go" type="submit" ?disabled=${off}>Go</button>
        </form>
        <button id="present" ?disabled=${off || !history || at >= history.present} @click=${() => act(this.controller.travel(history!.present))}>Present ⇥</button>
      </div>
      <div class="row" role="group" aria-label="Jump to">
        <span>Jump to</span>
        ${LANDMARKS.map((l) => {
          const known = view !== undefined && landmarkKnown(l.landmark, view);
          return html`<button data-landmark=${l.landmark} ?disabled=${off || !known} title=${why ?? (known ? '' : landmarkMissing(l.landmark, s.settings.topology))}
            @click=${() => act(this.controller.jump(l.landmark))}><span aria-hidden="true">${l.icon}</span> ${l.label}</button>`;
        })}
      </div>
      ${view && history ? html`<p class="muted" id="history-status">${historyText(view, history)}</p>` : nothing}`;
  }
}
customElements.define('ls-time-travel', TimeTravelBar);
