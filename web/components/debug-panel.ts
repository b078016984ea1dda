/**
 * `<ls-debug>`: run to cursor, the breakpoints and the watchpoints, and why the
 * machine last stopped for one of them. Breakpoints are set in the disassembly's gutter or
 * the editor's (F9 there, B anywhere else, at the cursor); here they are listed and removed.
 * A watchpoint stops the run when a register or RAM word of the reference module changes.
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import type { UiState } from '../state/controller.ts';
import { placeText, stopText, type DebugController, type DebugState } from '../state/debugger.ts';
import { describeWatch, parseWatch } from '../../src/debug/watch.ts';
import { hex32 } from '../state/format.ts';
import { canRun } from '../state/workload.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';
import { act } from './act.ts';

export class DebugPanel extends LitElement {
  static override properties = { state: { attribute: false }, debug: { attribute: false }, debugState: { attribute: false } };
  declare state: UiState;
  declare debug: DebugController;
  declare debugState: DebugState;

  override shouldUpdate(changed: PropertyValues<this>): boolean {
    return changed.size > 1 || !changed.has('state') || stateChanged(changed.get('state') as UiState | undefined, this.state, ['program'], ['debugStop', 'watches', 'running', 'halt']);
  }

  static override styles = [shared, css`
    :host { display: block; margin-top: 0.6rem; }
    .row { display: flex; flex-wrap: wrap; align-items: center; gap: 0.4rem 0.9rem; }
    .row + .row { margin-top: 0.5rem; }
    .stop { margin: 0.5rem 0 0; padding: 0.35rem 0.6rem; border-left: 4px solid var(--ls-accent); background: var(--ls-surface-2); border-radius: 4px; }
    ul { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.3rem 0.6rem; }
    li { display: inline-flex; align-items: center; gap: 0.3rem; font-family: var(--ls-mono); font-size: 0.9em; background: var(--ls-surface-2); border-radius: 6px; padding: 0 0 0 0.5rem; }
    li button { min-height: 1.9rem; padding: 0 0.5rem; }
    .dot { color: var(--ls-bad-text); }
    form { display: inline-flex; gap: 0.4rem; align-items: center; flex-wrap: wrap; }
    input { width: 17rem; max-width: 100%; font-family: var(--ls-mono); }
    .label { color: var(--ls-muted); }
  `];

  private watch(e: Event): void {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector('input')!;
    const text = input.value.trim();
    if (text === '') return;
    act(this.debug.addWatch(text).then(() => { input.value = ''; }));
  }

  override render() {
    const d = this.debugState;
    const program = this.state.program;
    const view = this.state.view;
    const values = new Map((view?.watches ?? []).map((w) => [w.target, w.value]));
    const cursor = d.cursor ? placeText(program, d.cursor) : undefined;
    return html`
      <div class="row" role="group" aria-label="Breakpoints and watchpoints">
        <button id="run-to-cursor" @click=${() => act(this.debug.runToCursor())} ?disabled=${!d.cursor || !canRun(view) || view?.running}
          aria-keyshortcuts="U" title="Move the cursor with a disassembly row or an editor line">⇥ Run to cursor${cursor ? html` <span class="mono">${cursor}</span>` : ' (choose a line)'}</button>
        <span class="label" id="breakpoints-label">Breakpoints:</span>
        ${d.breakpoints.length === 0 ? html`<span class="muted" id="no-breakpoints">none — click the disassembly’s gutter, or press B on a row (F9 in the editor)</span>` : html`
          <ul id="breakpoints" aria-labelledby="breakpoints-label">${d.breakpoints.map((b) => html`
            <li><span class="dot" aria-hidden="true">●</span>${placeText(program, b)}
              <button @click=${() => act(this.debug.remove(b.address))} aria-label="Remove the breakpoint at ${hex32(b.address)}">✕</button></li>`)}</ul>
          <button id="clear-breakpoints" @click=${() => act(this.debug.clear())}>Clear breakpoints</button>`}
      </div>
      <div class="row">
        <form id="watch-form" @submit=${this.watch}>
          <label>Watch <input name="watch" placeholder="t0, x5, mem:0x80001000 or a data label" spellcheck="false"
            aria-label="Watch a register or RAM word: t0, x5, mem:0x80001000 or a data label"></label>
          <button type="submit">Add watchpoint</button>
        </form>
        ${d.watches.length === 0 ? nothing : html`<ul id="watches" aria-label="Watchpoints">${d.watches.map((w) => html`
          <li>${describeWatch(parseWatch(w))} = ${values.has(w) ? hex32(values.get(w)!) : '…'}
            <button @click=${() => act(this.debug.removeWatch(w))} aria-label="Stop watching ${describeWatch(parseWatch(w))}">✕</button></li>`)}</ul>`}
      </div>
      ${view?.debugStop ? html`<p class="stop" id="debug-stop" role="status">${stopText(view.debugStop, program)}</p>` : nothing}`;
  }
}
customElements.define('ls-debug', DebugPanel);
