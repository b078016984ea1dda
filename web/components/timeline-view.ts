/**
 * `<ls-timeline>`: injected → diverged → detected → offline → diagnosed → replaced (or
 * re-admitted) → resynced, one entry per step with its instruction count (a failover
 * system's — checkpoints, a host down, declared dead, the takeover — with its virtual time).
 * Entries are buttons: choosing one shows its
 * divergence report (field, both values, pc). New entries are announced by the root's ARIA
 * live region, not here. The halt and the outcome read by their tone: only good news is green.
 */
import { LitElement, html, css, type PropertyValues, nothing } from 'lit';
import type { MachineController, UiState } from '../state/controller.ts';
import type { Stage, TimelineEntry } from '../state/timeline.ts';
import type { Tone } from '../state/verdict.ts';
import { count, hex32 } from '../state/format.ts';
import { virtualTime } from '../state/workload.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';
import { EndFollower } from './follow-end.ts';

const ICON: Record<Stage, string> = {
  injected: '⚡', diverged: '≠', detected: '⚠', error: '⚠', corrected: '✓', scrub: '↻', offline: '✕', failstop: '■', diagnosed: '⚕',
  replaced: '⟳', readmitted: '↺', resync: '◐', resynced: '●', halted: '■', outcome: 'ℹ',
  checkpoint: '⇢', 'host-down': '✕', declared: '♡', takeover: '⟳', 'service-down': '■',
};
const TONE_ICON: Record<Tone, string> = { good: '✓', warn: '■', bad: '✗', neutral: 'ℹ' };

const icon = (e: TimelineEntry) => (e.stage === 'outcome' && e.tone ? TONE_ICON[e.tone] : ICON[e.stage]);

export class TimelineView extends LitElement {
  static override properties = { state: { attribute: false }, controller: { attribute: false } };
  declare state: UiState;
  declare controller: MachineController;

  override shouldUpdate(changed: PropertyValues<this>): boolean {
    return changed.size > 1 || !changed.has('state') || stateChanged(changed.get('state') as UiState | undefined, this.state, ['timeline', 'selectedEntry'], []);
  }

  static override styles = [shared, css`
    :host { display: block; }
    ol { list-style: none; margin: 0; padding: 0; max-height: 22rem; overflow: auto; border: 1px solid var(--ls-border); border-radius: 6px; }
    li + li { border-top: 1px solid var(--ls-border); }
    button.entry {
      width: 100%; text-align: left; border: 0; border-radius: 0; background: transparent; display: grid;
      grid-template-columns: 2rem 1fr auto; gap: 0.5rem; padding: 0.4rem 0.6rem; align-items: start; min-height: auto;
    }
    button.entry[aria-pressed=true] { background: var(--ls-active-line); box-shadow: inset 4px 0 0 var(--ls-accent); }
    .icon { font-size: 1.25em; text-align: center; }
    .title { font-weight: 700; }
    .text { display: block; font-size: 0.9em; }
    .at { font-family: var(--ls-mono); font-size: 0.85em; color: var(--ls-muted); white-space: nowrap; }
    .diverged .icon, .detected .icon, .offline .icon, .failstop .icon, .error .icon { color: var(--ls-bad-text); }
    .resynced .icon, .tone-good .icon { color: var(--ls-good-text); }
    .tone-bad .icon { color: var(--ls-bad-text); }
    .tone-warn .icon { color: var(--ls-warn-text); }
    .tone-neutral .icon { color: var(--ls-muted); }
    li.outcome { border-top: 2px solid var(--ls-border); }
    li.outcome .title { font-size: 1.05em; }
    .replaced .icon, .readmitted .icon, .resync .icon, .diagnosed .icon, .checkpoint .icon { color: var(--ls-warn-text); }
    .report { margin-top: 0.6rem; border: 2px solid var(--ls-bad); border-radius: 8px; padding: 0.5rem 0.7rem; background: var(--ls-surface); }
    .report h3 { margin: 0 0 0.3rem; font-size: 1em; }
    .report dl { display: grid; grid-template-columns: auto 1fr; gap: 0.15rem 0.8rem; margin: 0; }
    .report dt { color: var(--ls-muted); }
    .report dd { margin: 0; font-family: var(--ls-mono); }
    .empty { padding: 0.6rem; }
  `];

  private readonly follower = new EndFollower(() => this.renderRoot?.querySelector('#timeline'));

  protected override updated(changed: PropertyValues<this>): void {
    const previous = changed.get('state') as UiState | undefined;
    if (previous?.timeline !== this.state.timeline) this.follower.changed();
  }

  override render() {
    const entries = this.state.timeline;
    const chosen = entries.find((e) => e.key === this.state.selectedEntry);
    const report = chosen?.report;
    return html`
      <ol id="timeline" aria-label="Event timeline" tabindex="-1">
        ${entries.length === 0 ? html`<li class="empty muted">Nothing has happened yet. Break something!</li>` : nothing}
        ${entries.map((e) => html`<li class="${e.stage} ${e.tone ? `tone-${e.tone}` : ''}" data-stage=${e.stage} data-tone=${e.tone ?? nothing}>
          <button class="entry" aria-pressed=${e.key === this.state.selectedEntry ? 'true' : 'false'}
            @click=${() => this.controller.selectEntry(e.key === this.state.selectedEntry ? undefined : e.key)}>
            <span class="icon" aria-hidden="true">${icon(e)}</span>
            <span><span class="title">${e.title}</span><span class="text">${e.text}</span></span>
            <span class="at">${e.timeUs !== undefined ? virtualTime(e.timeUs) : `#${count(e.instret)}`}</span>
          </button></li>`)}
      </ol>
      ${report ? html`<section class="report" id="report" aria-label="Divergence report">
        <h3>Divergence report</h3>
        <dl>
          <dt>Detected at</dt><dd>instruction ${count(report.instret)}</dd>
          ${report.firstDiffered !== undefined ? html`<dt>First differed</dt><dd>instruction ${count(report.firstDiffered)}</dd>` : nothing}
          <dt>pc</dt><dd>${hex32(report.pc)}</dd>
          <dt>Field</dt><dd data-field>${report.field}</dd>
          <dt>Module ${report.module}</dt><dd data-actual>${report.actual}</dd>
          <dt>Module ${report.reference}</dt><dd data-expected>${report.expected}</dd>
        </dl>
        <p>${report.sentence}.</p>
      </section>` : nothing}`;
  }
}
customElements.define('ls-timeline', TimelineView);
