/**
 * `<ls-library>`: the programs kept in this browser (web/state/library.ts). "Keep" stores
 * the editor's text under the editor's file name; each kept program opens (into the editor,
 * assembled and loaded) or is deleted.
 */
import { LitElement, html, css, nothing } from 'lit';
import { ProgramLibrary, type KeptProgram } from '../state/library.ts';
import { shared } from './theme.ts';

export class ProgramLibraryView extends LitElement {
  static override properties = { current: { attribute: false }, openProgram: { attribute: false } };
  /** The editor's program now: what Keep stores. */
  declare current: () => { name: string; source: string };
  /** Opens a kept program (editor, then assemble and load). */
  declare openProgram: (program: KeptProgram) => void;
  readonly library = new ProgramLibrary();
  private status = '';

  static override styles = [shared, css`
    :host { display: block; margin-top: 0.6rem; }
    .row { display: flex; flex-wrap: wrap; gap: 0.4rem 0.8rem; align-items: center; }
    table { margin-top: 0.4rem; width: 100%; }
    th, td { text-align: left; padding: 0.15rem 0.5rem; }
    td.name { font-family: var(--ls-mono); }
    td.actions { display: flex; gap: 0.4rem; flex-wrap: wrap; }
  `];

  private keep(): void {
    const { name, source } = this.current();
    try {
      this.library.save(name, source);
      this.status = `Kept ${name} in this browser.`;
    } catch (error) {
      this.status = (error as Error).message;
    }
    this.requestUpdate();
  }

  private deleteKept(program: KeptProgram): void {
    this.library.remove(program.name);
    this.status = `Deleted ${program.name}.`;
    this.requestUpdate();
  }

  override render() {
    const kept = this.library.list();
    return html`
      <div class="row">
        <h3 id="library-h" class="visually-hidden">Programs kept in this browser</h3>
        <button id="keep-program" @click=${() => this.keep()} ?disabled=${!this.library.available}
          title=${this.library.available ? 'Keep the editor’s text in this browser under its file name' : 'This browser blocks storage for the page'}>Keep in this browser</button>
        <span class="muted">${kept.length === 0 ? 'No programs kept here yet.' : `${kept.length} kept in this browser:`}</span>
        <span id="library-status" role="status">${this.status}</span>
      </div>
      ${kept.length === 0 ? nothing : html`<table id="library" aria-labelledby="library-h">
        <thead><tr><th scope="col">Program</th><th scope="col">Kept</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>${kept.map((p) => html`<tr data-name=${p.name}>
          <td class="name">${p.name}</td>
          <td>${new Date(p.savedAt).toLocaleString()}</td>
          <td class="actions"><button class="open" @click=${() => this.openProgram(p)} aria-label="Open ${p.name}">Open</button>
            <button class="danger delete" @click=${() => this.deleteKept(p)} aria-label="Delete ${p.name}">Delete</button></td>
        </tr>`)}</tbody></table>`}`;
  }
}
customElements.define('ls-library', ProgramLibraryView);
