/**
 * `<ls-reference-card>`: the host-served calls and the device registers, as the machine's
 * own tables give them (src/machine/reference-card.ts, built in the worker from the core's
 * layout): loaded from the session the first time it is shown (load()).
 */
import { LitElement, html, css, nothing } from 'lit';
import type { MachineController } from '../state/controller.ts';
import type { ReferenceCard } from '../../src/worker/session.ts';
import { hex32 } from '../state/format.ts';
import { shared } from './theme.ts';

export class ReferenceCardView extends LitElement {
  static override properties = { controller: { attribute: false } };
  declare controller: MachineController;
  private card?: ReferenceCard;

  static override styles = [shared, css`
    :host { display: block; }
    table { width: 100%; margin-bottom: 0.9rem; }
    caption { text-align: left; font-weight: 600; padding: 0.3rem 0; }
    th, td { text-align: left; padding: 0.15rem 0.5rem; vertical-align: top; }
    thead th { background: var(--ls-surface-2); }
    td.mono { white-space: nowrap; }
  `];

  /** Fetches the card (once). */
  load(): Promise<void> {
    if (this.card) return Promise.resolve();
    return this.controller.call((session) => session.referenceCard()).then((card) => {
      this.card = card;
      this.requestUpdate();
    });
  }

  override render() {
    const card = this.card;
    if (!card) return html`<p class="muted">Loading the reference card…</p>`;
    const offset = (n: number) => `+0x${n.toString(16).toUpperCase().padStart(2, '0')}`;
    return html`
      <p>While <code>mtvec</code> is 0 the machine serves <code>ecall</code> itself: the call's number in <code>a7</code>, its arguments in <code>a0</code>, <code>a1</code>, <code>a2</code>, its result in <code>a0</code>; any other number returns −38 (ENOSYS). RAM starts at ${hex32(card.ramBase)}.</p>
      <table id="host-calls"><caption>Host-served calls</caption>
        <thead><tr><th scope="col">a7</th><th scope="col">Call</th><th scope="col">Arguments</th><th scope="col">What it does</th></tr></thead>
        <tbody>${card.calls.map((c) => html`<tr>
          <td class="mono">${c.number}</td><td>${c.name} <span class="muted">(${c.family})</span></td>
          <td class="mono">${c.args.length === 0 ? '—' : c.args.map((a, k) => `a${k} ${a}`).join(', ')}</td><td>${c.effect}</td></tr>`)}</tbody>
      </table>
      ${card.devices.map((d) => html`<table class="device" data-base=${hex32(d.base)}>
        <caption>${d.name} at ${hex32(d.base)} <span class="muted">(${d.access})</span></caption>
        <thead><tr><th scope="col">Register</th><th scope="col">Address</th><th scope="col">Offset</th><th scope="col">Access</th><th scope="col">What it does</th></tr></thead>
        <tbody>${d.registers.map((r) => html`<tr>
          <td class="mono">${r.name}</td><td class="mono">${hex32(r.address)}${r.words > 1 ? html`..${hex32(r.address + 4 * r.words - 1)}` : nothing}</td>
          <td class="mono">${offset(r.offset)}</td><td>${r.access}</td><td>${r.effect}</td></tr>`)}</tbody>
      </table>`)}`;
  }
}
customElements.define('ls-reference-card', ReferenceCardView);
