/**
 * `<ls-meter>`: on the front panel, while the machine runs, the page's frame rate (animation
 * frames per second), the views it drew per second, and the machine's instructions per
 * second (the worker's own measure). It counts frames itself and redraws once a second, so
 * measuring costs the page almost nothing; paused, it says so.
 */
import { LitElement, html, css, type PropertyValues } from 'lit';
import type { MachineController, UiState } from '../state/controller.ts';
import { rate } from '../state/format.ts';
import { shared } from './theme.ts';

/** How often the figures are redrawn, ms. */
const EVERY_MS = 1000;

export class Meter extends LitElement {
  static override properties = { state: { attribute: false }, controller: { attribute: false } };
  declare state: UiState;
  declare controller: MachineController;
  private fps = 0;
  private views = 0;
  private counting = false;

  static override styles = [shared, css`
    :host { display: block; font-family: var(--ls-mono); font-size: 0.9em; color: var(--ls-muted); margin-top: 0.4rem; }
    strong { color: var(--ls-text); font-weight: 600; }
  `];

  /** Redraws when the machine starts or stops, and when count() has new figures (its own requestUpdate). */
  override shouldUpdate(changed: PropertyValues<this>): boolean {
    if (!changed.has('state')) return true;
    return (changed.get('state') as UiState | undefined)?.view?.running !== this.state.view?.running;
  }

  override updated(): void {
    if (this.state.view?.running && !this.counting) this.count();
  }

  /** Counts animation frames, and frames that brought a new view, until the machine stops. */
  private count(): void {
    this.counting = true;
    let frames = 0;
    let views = 0;
    let since = performance.now();
    let shown = this.controller.state.view;
    const frame = (now: number) => {
      const view = this.controller.state.view;
      if (!view?.running || !this.isConnected) {
        this.counting = false;
        this.requestUpdate();
        return;
      }
      frames++;
      if (view !== shown) views++;
      shown = view;
      if (now - since >= EVERY_MS) {
        this.fps = (frames * 1000) / (now - since);
        this.views = (views * 1000) / (now - since);
        frames = 0;
        views = 0;
        since = now;
        this.requestUpdate();
      }
      requestAnimationFrame(frame);
    };
    requestAnimationFrame(frame);
  }

  override render() {
    const view = this.state.view;
    if (!view?.running) return html`<span id="meter">Paused: the page draws each step.</span>`;
    return html`<span id="meter" title="Animation frames per second, views of the machine drawn per second, and instructions per second">
      <strong id="fps">${this.fps.toFixed(0)}</strong> fps · <strong id="views-per-second">${this.views.toFixed(0)}</strong> views/s ·
      <strong id="meter-ips">${rate(view.ips)}</strong> instructions</span>`;
  }
}
customElements.define('ls-meter', Meter);
