/**
 * `<ls-controls>`: run / pause, step, step N, reset, the speed dial (1 instruction per
 * second to flat out, and a button for flat out) with the measured instructions per
 * second, the instruction count, how the run ended (its verdict against the fault-free run,
 * and a lesson's expectations), and the fault bar: which kind of fault a click schedules,
 * on the clicked module or on every module, and when (now, before an instruction count, or —
 * with a workload, which has a clock — at a virtual time such as 8ms).
 */
import { LitElement, html, css, nothing } from 'lit';
import type { MachineController, UiState } from '../state/controller.ts';
import { MAX_POSITION, positionOf, speedAt, speedLabel, speedWords } from '../state/speed.ts';
import { verdictText, haltText, expectationLines, expectText } from '../state/verdict.ts';
import { CLICK_KINDS, type ClickKind } from '../state/faults.ts';
import { count, rate, parseNumber } from '../state/format.ts';
import { shared } from './theme.ts';
import { MAX_STEP_N } from '../../src/scenario/scenario.ts';
import { act } from './act.ts';
import { canRun } from '../state/workload.ts';
import { parseDuration } from '../../src/transactions/time.ts';
import { formatTime } from '../../src/fault/spec.ts';

export class Controls extends LitElement {
  static override properties = { state: { attribute: false }, controller: { attribute: false } };
  declare state: UiState;
  declare controller: MachineController;

  static override styles = [shared, css`
    :host { display: block; }
    .row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 0.9rem; }
    .row + .row { margin-top: 0.6rem; }
    .group { display: flex; align-items: center; gap: 0.4rem; flex-wrap: wrap; }
    .counter { font-family: var(--ls-mono); font-size: 1.25em; font-weight: 700; min-width: 16ch; display: inline-block; text-align: right; font-variant-numeric: tabular-nums; }
    .counter small { font-family: var(--ls-font); font-size: 0.65em; font-weight: 400; color: var(--ls-muted); }
    input[type=number] { width: 8rem; }
    input.time { width: 6.5rem; }
    input[type=range] { width: 12rem; accent-color: var(--ls-accent); min-height: auto; padding: 0; }
    .speed { min-width: 10rem; }
    .ips { font-family: var(--ls-mono); min-width: 8.5rem; }
    .verdict { border: 2px solid var(--ls-border); border-radius: 8px; padding: 0.4rem 0.7rem; margin-top: 0.6rem; background: var(--ls-surface); }
    .verdict.tone-good { border-color: var(--ls-good); background: var(--ls-good-bg); }
    .verdict.tone-bad { border-color: var(--ls-bad); background: var(--ls-bad-bg); }
    .verdict.tone-warn { border-color: var(--ls-warn); background: var(--ls-warn-bg); }
    .verdict strong { font-size: 1.1em; }
    .verdict ul { margin: 0.3rem 0 0; padding-left: 1.2rem; }
    .verdict li.met::marker { content: '✓ '; }
    .verdict li.missed::marker { content: '✗ '; }
    fieldset { border: 1px dashed var(--ls-border); border-radius: 8px; padding: 0.3rem 0.7rem 0.5rem; margin: 0; }
    legend { font-size: 0.9em; color: var(--ls-muted); }
    label { display: inline-flex; align-items: center; gap: 0.35rem; }
  `];

  private onSpeed(e: Event) {
    act(this.controller.setSpeed(speedAt(Number((e.target as HTMLInputElement).value))));
  }

  /** The fault bar's time: now, an instruction count, or a virtual time; one that does not read as such is "now". */
  private onWhen(e: Event) {
    const form = (e.target as HTMLElement).closest('fieldset')!;
    const chosen = (form.querySelector('input[name=when]:checked') as HTMLInputElement | null)?.value;
    if (chosen === 'time') {
      const text = (form.querySelector('input[name=at-time]') as HTMLInputElement).value;
      let atUs = Number.NaN;
      try {
        atUs = parseDuration(text);
      } catch {
        // not a virtual time: now
      }
      this.controller.setWhen(Number.isFinite(atUs) ? { now: false, atUs } : { now: true });
      return;
    }
    const at = parseNumber((form.querySelector('input[name=at]') as HTMLInputElement).value);
    this.controller.setWhen(chosen !== 'at' || !Number.isFinite(at) ? { now: true } : { now: false, at });
  }

  /** Checks the radio button `value` when its field gets text. */
  private choose(value: string, e: Event): void {
    (this.renderRoot.querySelector(`input[name=when][value=${value}]`) as HTMLInputElement).checked = (e.target as HTMLInputElement).value !== '';
  }

  /** How the run ended: the verdict (or that it is being judged), how the machine stopped, and the lesson's expectations. */
  private verdict() {
    const s = this.state;
    const view = s.view!;
    const text = s.verdict ? verdictText(s.verdict, view.halt, view.instret) : undefined;
    const lines = s.expectation ? expectationLines(s.expectation) : [];
    return html`<div class="verdict tone-${text?.tone ?? 'neutral'}" id="verdict" role="status" data-outcome=${s.verdict?.kind === 'judged' ? s.verdict.outcome : s.verdict?.kind ?? nothing}>
      ${text ? html`<strong id="outcome">${text.title}</strong> <span id="verdict-text">${text.text}</span>` : nothing}
      ${view.halt ? html`<div class="muted" id="halt">${view.halt.reason === 'exit' ? `The program exited with code ${view.halt.exitCode}` : `The machine stopped: ${haltText(view.halt)}`}.</div>` : nothing}
      ${(s.expect?.output !== undefined || s.expect?.outcome !== undefined) && !s.expectation ? html`<div class="muted" id="expectation">The lesson's expectations are checked when the run has been judged.</div>` : nothing}
      ${lines.length > 0 ? html`<ul id="expectation" aria-label="The lesson's expectations">${lines.map((l) => html`<li class=${l.ok ? 'met' : 'missed'}>${l.text}</li>`)}</ul>` : nothing}
    </div>`;
  }

  override render() {
    const s = this.state;
    const view = s.view;
    const running = view?.running ?? false;
    const halted = view?.halt;
    const position = positionOf(s.speed);
    return html`
      <div class="row">
        <div class="group" role="group" aria-label="Run controls">
          <button class="primary" id="run" @click=${() => act(this.controller.toggleRun())} ?disabled=${!canRun(view)}
            aria-keyshortcuts="R" aria-label=${running ? 'Pause (R)' : 'Run (R)'}>${running ? '❚❚ Pause' : '▶ Run'}</button>
          <button id="step" @click=${() => act(this.controller.step(1))} ?disabled=${!canRun(view)} aria-keyshortcuts="S">Step</button>
          <button id="step-n" @click=${() => act(this.controller.stepN())} ?disabled=${!canRun(view)} aria-keyshortcuts="N">Step ${count(s.stepN)}</button>
          <label><span class="visually-hidden">Instructions per step N</span>
            <input id="step-count" type="number" min="1" max=${MAX_STEP_N} step="1" .value=${String(s.stepN)}
              @change=${(e: Event) => {
                const input = e.target as HTMLInputElement;
                if (!this.controller.setStepN(input.value.trim() === '' ? NaN : Number(input.value))) input.value = String(this.controller.state.stepN);
              }}></label>
          <button id="reset" @click=${() => act(this.controller.reset())} ?disabled=${!view} aria-keyshortcuts="X">↺ Reset</button>
        </div>
        <div class="group">
          <label for="speed">Speed</label>
          <input id="speed" type="range" min="0" max=${MAX_POSITION} step="1" .value=${String(position)}
            @input=${this.onSpeed} aria-valuetext=${speedWords(s.speed)}>
          <span class="speed" aria-hidden="true">${speedLabel(s.speed)}</span>
          <button id="flat-out" @click=${() => act(this.controller.setSpeed(Infinity))} ?disabled=${s.speed === Infinity} aria-keyshortcuts="F">⏩ Flat out</button>
        </div>
        <div class="group" aria-live="off">
          <span class="counter" id="instret">${count(view?.instret ?? 0)} <small>instruction${view?.instret === 1 ? '' : 's'}</small></span>
          <span class="ips" id="ips" title="measured instructions per second">${running ? rate(view?.ips ?? 0) : 'paused'}</span>
        </div>
      </div>
      ${halted || s.verdict ? this.verdict()
        : s.expect && expectText(s.expect) ? html`<div class="muted" id="lesson-expects">This lesson expects ${expectText(s.expect)}.</div>` : nothing}
      <div class="row">
        <fieldset @change=${this.onWhen}>
          <legend>Click a register bit, a memory word or Pull to break the machine</legend>
          <div class="group">
            <label>Fault
              <select id="fault-kind" @change=${(e: Event) => this.controller.setFaultKind((e.target as HTMLSelectElement).value as ClickKind)}>
                ${CLICK_KINDS.map((k) => html`<option value=${k.kind} ?selected=${k.kind === s.faultKind}>${k.label}</option>`)}
              </select></label>
            <label title="The same fault on every module at the same instruction: a common-mode fault, which no redundancy can see">
              <input id="every-module" type="checkbox" .checked=${s.everyModule}
                @change=${(e: Event) => this.controller.setEveryModule((e.target as HTMLInputElement).checked)}> on every module</label>
            <label><input type="radio" name="when" value="now" .checked=${s.when.now}> now</label>
            <label><input type="radio" name="when" value="at" .checked=${'at' in s.when}> at instruction</label>
            <input name="at" type="number" min="0" aria-label="Instruction count for the fault" .value=${'at' in s.when ? String(s.when.at) : ''}
              @input=${(e: Event) => this.choose('at', e)}>
            ${s.workload ? html`
              <label><input type="radio" name="when" value="time" .checked=${'atUs' in s.when}> at virtual time</label>
              <input name="at-time" type="text" class="time" placeholder="8ms" aria-label="Virtual time for the fault, e.g. 8ms or 250us"
                .value=${'atUs' in s.when ? formatTime(s.when.atUs) : ''} @input=${(e: Event) => this.choose('time', e)}>` : nothing}
          </div>
        </fieldset>
        ${s.pending.length > 0 ? html`<span class="muted" id="pending">Scheduled: ${s.pending.join('; ')}</span>` : ''}
      </div>`;
  }
}
customElements.define('ls-controls', Controls);
