/**
 * `<ls-lesson-list>`: the course on the start page — each shipped lesson
 * (`lessons/index.json`, web/state/lesson.ts CatalogEntry) with its summary, length and the
 * progress this browser keeps, as a link that opens it beside the machine.
 */
import { LitElement, html, css, nothing } from 'lit';
import { tokens, shared } from './theme.ts';
import type { CatalogEntry, ProgressStore } from '../state/lesson.ts';

export class LessonList extends LitElement {
  static override properties = {
    entries: { attribute: false },
    error: { attribute: false },
    theme: { type: String, reflect: true },
  };
  declare entries: CatalogEntry[] | undefined;
  /** Why the course could not be listed. */
  declare error: string | undefined;
  declare theme: string | undefined;
  store!: ProgressStore;

  static override styles = [tokens, shared, css`
    :host { display: block; background: var(--ls-bg); color: var(--ls-text); font-size: var(--ls-size); line-height: 1.45; padding: 0.8rem 0.8rem 0; }
    details { background: var(--ls-surface); border: 1px solid var(--ls-border); border-radius: 10px; padding: 0.6rem 0.9rem; }
    summary { cursor: pointer; }
    summary h2 { display: inline; font-size: 1.2em; }
    ol { list-style: none; margin: 0.6rem 0 0.2rem; padding: 0; display: grid; gap: 0.6rem; grid-template-columns: repeat(auto-fill, minmax(min(100%, 21rem), 1fr)); }
    li { border: 1px solid var(--ls-border); border-radius: 8px; padding: 0.5rem 0.7rem; background: var(--ls-surface-2); min-width: 0; }
    a { color: var(--ls-accent); font-weight: 700; font-size: 1.05em; }
    :host([theme='dark']) a { color: #79c0ff; }
    p { margin: 0.3rem 0; }
    .summary { font-size: 0.9em; }
    .state.done { color: var(--ls-good-text); font-weight: 600; }
  `];

  override render() {
    const entries = this.entries;
    return html`<details open id="lessons">
      <summary><h2 id="lessons-h">Lessons: why computers that never go down are built the way they are</h2></summary>
      ${this.error ? html`<p class="muted" id="lessons-error">The lessons cannot be listed: ${this.error}</p>` : nothing}
      ${entries ? html`<ol aria-labelledby="lessons-h">${entries.map((entry, i) => {
        const progress = this.store.load(entry.id, entry.steps);
        const done = Object.values(progress.steps).filter((s) => s.done !== undefined).length;
        const state = done === entry.steps ? 'Done ✓' : done > 0 ? `${done} of ${entry.steps} steps done` : `${entry.steps} steps`;
        return html`<li data-lesson=${entry.id}>
          <a href="?lesson=${entry.file}">${i + 1}. ${entry.title}</a>
          <p class="summary">${entry.summary}</p>
          <p class="muted">About ${entry.minutes} minutes · <span class="state ${done === entry.steps ? 'done' : ''}">${state}</span></p>
        </li>`;
      })}</ol>` : nothing}
    </details>`;
  }
}
customElements.define('ls-lesson-list', LessonList);
