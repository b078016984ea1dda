/**
 * `<ls-console>`: what the machine printed — only what the online modules agreed on, since
 * outputs are gated by the comparator (DESIGN §4) — and a line to send console input.
 * When the run's output differs from the fault-free run's, the first differing character is
 * marked in place and described under the output. Clear empties it (what comes next shows).
 */
import { LitElement, html, css, nothing, type PropertyValues } from 'lit';
import { differenceText } from '../state/verdict.ts';
import type { MachineController, UiState } from '../state/controller.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';
import { EndFollower } from './follow-end.ts';
import { act } from './act.ts';

export class ConsoleView extends LitElement {
  static override properties = { state: { attribute: false }, controller: { attribute: false } };
  declare state: UiState;
  declare controller: MachineController;

  override shouldUpdate(changed: PropertyValues<this>): boolean {
    return changed.size > 1 || !changed.has('state') || stateChanged(changed.get('state') as UiState | undefined, this.state, ['console', 'verdict'], ['waitingForInput']);
  }

  static override styles = [shared, css`
    :host { display: block; }
    pre {
      margin: 0; min-height: 6rem; max-height: 16rem; overflow: auto; padding: 0.5rem; border-radius: 6px;
      background: #0b0f14; color: #e6edf3; font-family: var(--ls-mono); font-size: var(--ls-code-size); white-space: pre-wrap;
    }
    form { display: flex; gap: 0.4rem; margin-top: 0.4rem; }
    input { flex: 1; font-family: var(--ls-mono); }
    .waiting { color: var(--ls-warn-text); font-weight: 600; }
    mark { background: var(--ls-bad); color: #fff; outline: 2px solid var(--ls-bad); border-radius: 2px; }
    mark.end::after { content: '∎'; }
    .difference { margin: 0.4rem 0 0; color: var(--ls-bad-text); }
  `];

  private readonly follower = new EndFollower(() => this.renderRoot?.querySelector('pre'));

  override updated(changed: PropertyValues<this>): void {
    const previous = changed.get('state') as UiState | undefined;
    if (previous?.console !== this.state.console) this.follower.changed();
  }

  private send(e: Event) {
    e.preventDefault();
    const input = (e.target as HTMLFormElement).querySelector('input')!;
    act(this.controller.sendInput(`${input.value}\n`));
    input.value = '';
  }

  override render() {
    const waiting = this.state.view?.waitingForInput;
    const text = this.state.console;
    const verdict = this.state.verdict;
    const difference = verdict?.kind === 'judged' ? verdict.difference : undefined;
    const at = difference ? difference.index - this.state.consoleStart : -1;
    // The differing character (a whole code point), or the end of the output when it stops short.
    const length = at >= 0 && at < text.length ? [...text.slice(at, at + 2)][0].length : 0;
    return html`
      <pre id="console" role="log" aria-label="Console output" tabindex="0">${at >= 0 && at <= text.length
        ? html`${text.slice(0, at)}<mark id="first-difference" class=${length === 0 ? 'end' : ''} title="First difference from the fault-free run">${text.slice(at, at + length)}</mark>${text.slice(at + length)}`
        : text}</pre>
      ${difference ? html`<p class="difference" id="difference">First difference from the fault-free run ${differenceText(difference)}.</p>` : nothing}
      <form @submit=${this.send}>
        <input aria-label="Console input (sent with a newline)" placeholder="input for the program">
        <button type="submit">Send</button>
        <button type="button" id="clear-console" @click=${() => this.controller.clearConsole()} ?disabled=${text === ''}>Clear</button>
      </form>
      ${waiting ? html`<p class="waiting" role="status">The program is waiting for input.</p>` : ''}`;
  }
}
customElements.define('ls-console', ConsoleView);
