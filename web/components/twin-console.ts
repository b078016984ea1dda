/**
 * `<ls-twin-console>`: the machine's console output beside the fault-free twin's,
 * the first byte where they part marked in both and described under them — as far as both
 * have printed while the run goes on, and once it has been judged where the whole fault-free
 * output says (as `lockstep run --classify`). On simplex this is what shows silent data
 * corruption: nothing checks, and only the twin knows what the output should have been.
 * While the machine runs flat out the twin, in a worker of its own, may be behind (a few time
 * slices, or up to a grid spacing at a state kept along the history): the caption gives the
 * instruction its output is at. Where no worker could be
 * started for it, it says that the twin shares the machine's thread, and why.
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import type { OutputDifferenceAt } from '../../src/worker/session.ts';
import type { UiState } from '../state/controller.ts';
import { differenceText } from '../state/verdict.ts';
import { count } from '../state/format.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';

/** `text` (starting at index `start` of the whole output) with the character at whole-output index `at` marked. */
function marked(text: string, start: number, at: number | undefined, id: string) {
  const k = at === undefined ? -1 : at - start;
  if (k < 0 || k > text.length) return text;
  const length = k < text.length ? [...text.slice(k, k + 2)][0].length : 0;
  return html`${text.slice(0, k)}<mark id=${id} class=${length === 0 ? 'end' : ''}>${text.slice(k, k + length)}</mark>${text.slice(k + length)}`;
}

export class TwinConsole extends LitElement {
  static override properties = { state: { attribute: false } };
  declare state: UiState;

  /** While the machine runs, drawn again when an output grows or they part, not for every view (see TimeTravelBar). */
  override shouldUpdate(changed: PropertyValues<this>): boolean {
    const before = changed.get('state') as UiState | undefined;
    if (changed.size > 1 || stateChanged(before, this.state, ['console', 'twinConsole'], ['running'])) return true;
    const [was, now] = [before?.view?.twin, this.state.view?.twin];
    if (!this.state.view?.running) return was !== now;
    return was?.parting?.offset !== now?.parting?.offset || was?.same !== now?.same || was?.sharedThread !== now?.sharedThread;
  }

  static override styles = [shared, css`
    :host { display: block; margin-top: 0.7rem; }
    h3 { font-size: 1em; margin: 0 0 0.3rem; }
    .pair { display: grid; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr); gap: 0.5rem; }
    figure { margin: 0; min-width: 0; }
    figcaption { font-size: 0.9em; color: var(--ls-muted); margin-bottom: 0.2rem; }
    pre {
      margin: 0; min-height: 4rem; max-height: 12rem; overflow: auto; padding: 0.4rem; border-radius: 6px;
      background: #0b0f14; color: #e6edf3; font-family: var(--ls-mono); font-size: var(--ls-code-size); white-space: pre-wrap; overflow-wrap: anywhere;
    }
    mark { background: var(--ls-bad); color: #fff; outline: 2px solid var(--ls-bad); border-radius: 2px; }
    mark.end::after { content: '∎'; }
    .parting { margin: 0.4rem 0 0; color: var(--ls-bad-text); }
    .agree, .shared { margin: 0.4rem 0 0; }
  `];

  private sentence(parting: OutputDifferenceAt | undefined, same: boolean) {
    if (parting) return html`<p class="parting" id="parting" role="status">The outputs part ${differenceText(parting, 'the fault-free twin')}.</p>`;
    if (same) return html`<p class="agree muted" role="status">No fault has taken effect: the machine is its own fault-free run, and the twin is the machine.</p>`;
    return html`<p class="agree muted" role="status">The outputs agree so far.</p>`;
  }

  override render() {
    const s = this.state;
    const twin = s.view?.twin;
    if (!twin) return nothing;
    const parting = twin.parting;
    return html`
      <h3>Console beside the fault-free twin's</h3>
      <div class="pair">
        <figure>
          <figcaption>This machine (instruction ${count(s.view!.instret)})</figcaption>
          <pre id="machine-output" tabindex="0" role="region" aria-label="This machine's console output">${marked(s.console, s.consoleStart, parting?.index, 'machine-parting')}</pre>
        </figure>
        <figure>
          <figcaption>Fault-free twin (instruction ${count(twin.instret)}${twin.halt ? `, ${twin.halt.reason === 'exit' ? 'finished' : 'stopped'}` : ''})</figcaption>
          <pre id="twin-output" tabindex="0" role="region" aria-label="The fault-free twin's console output">${marked(s.twinConsole, s.twinConsoleStart, parting?.index, 'twin-parting')}</pre>
        </figure>
      </div>
      ${this.sentence(parting, twin.same)}
      ${twin.sharedThread ? html`<p class="shared muted" id="twin-thread">The twin runs in the machine's own thread: ${twin.sharedThread}. Once it has forked, the machine runs at about half its speed.</p>` : nothing}`;
  }
}
customElements.define('ls-twin-console', TwinConsole);
