/**
 * `<ls-front-panel>`: the machine's modules drawn as boards with status lights — green
 * online, red offline, amber resyncing, grey once the machine has stopped (finished, or
 * stopped by a fail-stop, a trap or the loss of every module: then no module runs, whatever
 * its state was) — each with a shape and a word as well as a colour.
 * In pair-spare a board holds a pair of modules; elsewhere each module is its own board.
 * Every module has a "pull" button (a kill fault), offline ones a "replace" button (which
 * starts the resync), with a progress bar through the resync rounds. Each board has a menu
 * that breaks the checker's verdict on it (src/machine/checkers.ts).
 */
import { LitElement, html, css, type PropertyValues, nothing } from 'lit';
import { boardCount, modulesOfBoard, type Topology } from '../../src/machine/topology.ts';
import { disassemble } from '../../src/isa/disassembler.ts';
import type { ModuleView } from '../../src/worker/session.ts';
import type { Halt } from '../../src/machine/events.ts';
import type { MachineController, UiState } from '../state/controller.ts';
import { checkerOf } from '../../src/machine/checkers.ts';
import type { CheckerFaultKind } from '../../src/fault/spec.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';
import { hex32 } from '../state/format.ts';
import { act } from './act.ts';

const LIGHT = {
  online: { symbol: '●', word: 'online' },
  offline: { symbol: '✕', word: 'offline' },
  resyncing: { symbol: '◐', word: 'resyncing' },
  stopped: { symbol: '■', word: 'stopped' },
  finished: { symbol: '■', word: 'finished' },
} as const;
type Light = keyof typeof LIGHT;

/** The light of a module (or board) in `state` on a machine that has halted for `halt`, if it has. */
function lightOf(state: 'online' | 'offline' | 'resyncing', halt: Halt | undefined): Light {
  if (!halt || state === 'offline') return state;
  return halt.reason === 'exit' ? 'finished' : 'stopped';
}

export class FrontPanel extends LitElement {
  static override properties = { state: { attribute: false }, controller: { attribute: false }, compact: { type: Boolean } };
  declare state: UiState;
  declare controller: MachineController;
  declare compact: boolean;

  override shouldUpdate(changed: PropertyValues<this>): boolean {
    return changed.size > 1 || !changed.has('state') || stateChanged(changed.get('state') as UiState | undefined, this.state, ['resync', 'program', 'settings'], ['modules', 'topology', 'halt']);
  }

  static override styles = [shared, css`
    :host { display: block; }
    .boards { display: flex; flex-wrap: wrap; gap: 0.8rem; }
    .board {
      flex: 1 1 14rem; border: 2px solid var(--ls-border); border-radius: 10px; padding: 0.6rem 0.8rem;
      background: var(--ls-surface); display: flex; flex-direction: column; gap: 0.5rem; min-width: 13rem;
    }
    .board.offline { border-color: var(--ls-bad); background: var(--ls-bad-bg); border-style: dashed; }
    .board.resyncing { border-color: var(--ls-warn); background: var(--ls-warn-bg); }
    .board header { display: flex; align-items: center; gap: 0.6rem; justify-content: space-between; flex-wrap: wrap; }
    .board h3 { margin: 0; font-size: 1.1em; }
    .role { font-size: 0.85em; color: var(--ls-muted); }
    .modules { display: flex; gap: 0.5rem; flex-wrap: wrap; }
    .module {
      flex: 1 1 10rem; border: 1px solid var(--ls-border); border-radius: 8px; padding: 0.45rem 0.6rem;
      background: var(--ls-surface-2); display: grid; gap: 0.25rem;
    }
    .light { display: inline-flex; align-items: center; gap: 0.4rem; font-weight: 700; font-size: 1.05em; }
    .lamp {
      display: inline-grid; place-items: center; width: 1.6rem; height: 1.6rem; border-radius: 50%;
      color: #fff; font-size: 0.95rem; border: 2px solid rgba(0,0,0,0.35);
    }
    .online .lamp { background: var(--ls-good); box-shadow: 0 0 10px var(--ls-good); }
    .offline .lamp { background: var(--ls-bad); box-shadow: 0 0 12px var(--ls-bad); }
    .resyncing .lamp { background: var(--ls-warn); color: #000; animation: pulse 1s ease-in-out infinite alternate; }
    .stopped .lamp, .finished .lamp { background: var(--ls-muted); color: var(--ls-surface); }
    @keyframes pulse { from { box-shadow: 0 0 2px var(--ls-warn); } to { box-shadow: 0 0 14px var(--ls-warn); } }
    @media (prefers-reduced-motion: reduce) { .resyncing .lamp { animation: none; } }
    .online .word { color: var(--ls-good-text); }
    .offline .word { color: var(--ls-bad-text); }
    .resyncing .word { color: var(--ls-warn-text); }
    .where { display: block; max-width: 100%; contain: paint; font-family: var(--ls-mono); font-size: 0.85em; color: var(--ls-muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .actions { display: flex; gap: 0.4rem; flex-wrap: wrap; }
    .actions button { min-height: 2rem; padding: 0.15rem 0.6rem; }
    progress { width: 100%; height: 1rem; accent-color: var(--ls-warn); }
    .resync-label { font-size: 0.85em; }
    /* One line kept for the notes, so that a card does not grow (and the page move) when the first one comes. */
    .notes { display: flex; flex-wrap: wrap; column-gap: 0.8rem; min-height: 1lh; font-size: 0.8em; color: var(--ls-muted); }
    .checker { font-size: 0.85em; display: inline-flex; align-items: center; gap: 0.35rem; }
    .checker select { min-height: 2rem; }
  `];

  constructor() {
    super();
    this.compact = false;
  }

  private moduleCard(m: ModuleView, halt: Halt | undefined) {
    const lit = lightOf(m.state, halt);
    const light = LIGHT[lit];
    const program = this.state.program;
    const text = disassemble(m.record.insn, m.record.pc, program?.symbols).replace(/\t/, ' ');
    return html`
      <div class="module ${lit}" data-module=${m.id} data-state=${m.state} data-light=${lit}>
        <span class="light" role="img" aria-label="Module ${m.id}: ${light.word}${m.dead ? ' (dead)' : ''}">
          <span class="lamp" aria-hidden="true">${light.symbol}</span>
          <span>Module ${m.id}</span> <span class="word">${light.word}${m.dead ? ' · dead' : ''}</span>
        </span>
        <span class="where" title="last instruction">pc ${hex32(m.pc)} · ${m.record.insn === 0 && m.record.pc === 0 ? '—' : text}</span>
        <span class="notes">${m.faults.length > 0 ? html`<span class="faults">⚡ ${m.faults.length} fault${m.faults.length === 1 ? '' : 's'} injected here</span>` : nothing}
          ${m.corrected > 0 ? html`<span class="corrected">✓ ECC corrected ${m.corrected} error${m.corrected === 1 ? '' : 's'}</span>` : nothing}</span>
        <div class="actions">
          <button class="danger" @click=${() => act(this.controller.pull({ module: m.id }))}
            ?disabled=${m.dead || m.state !== 'online'} aria-label="Pull module ${m.id} (kill it)">Pull</button>
          ${this.state.settings.topology !== 'pair-spare' && m.state === 'offline' ? html`
            <button class="primary" @click=${() => act(this.controller.replace({ module: m.id }))}
              aria-label="Replace &amp; resync module ${m.id}">Replace &amp; resync</button>` : nothing}
        </div>
      </div>`;
  }

  /** The menu that sticks the checker's verdict on board `board` (named `name`). */
  private checkerMenu(topology: Topology, board: number, name: string) {
    const checker = checkerOf(topology);
    if (!checker) return nothing;
    const pick = (e: Event) => {
      const select = e.target as HTMLSelectElement;
      const kind = select.value as CheckerFaultKind | '';
      select.value = '';
      if (kind) act(this.controller.breakChecker(board, kind));
    };
    return html`<label class="checker">${checker === 'voter' ? 'Voter' : 'Comparator'}
      <select data-checker=${board} @change=${pick} aria-label="Break the ${checker}'s verdict on ${name}">
        <option value="">works</option>
        <option value="stuck-agree">stuck at agree (hides a divergence)</option>
        <option value="stuck-disagree">stuck at disagree (false alarm)</option>
      </select></label>`;
  }

  override render() {
    const view = this.state.view;
    if (!view) return html`<p class="muted">Starting the machine…</p>`;
    const topology = view.topology as Topology;
    const boards = Array.from({ length: boardCount(topology) }, (_, b) => b);
    return html`
      <div class="boards" role="group" aria-label="Front panel: ${topology}">
        ${boards.map((b) => {
          const modules = modulesOfBoard(topology, b).map((m) => view.modules[m]);
          const state = modules.some((m) => m.state === 'resyncing') ? 'resyncing' : modules.every((m) => m.state === 'online') ? 'online' : modules.every((m) => m.state === 'offline') ? 'offline' : 'online';
          const lit = lightOf(state, view.halt);
          const progress = this.state.resync.find((p) => p.modules.some((m) => modules.some((x) => x.id === m)));
          const pair = topology === 'pair-spare';
          return html`
            <section class="board ${lit}" data-board=${b} data-state=${state} data-light=${lit} aria-label="${pair ? `Board ${b}` : `Module ${b}`}: ${LIGHT[lit].word}">
              ${pair ? html`
                <header>
                  <h3>Board ${b} <span class="role">checking pair of modules ${modules.map((m) => m.id).join(' + ')} · spare for board ${1 - b}</span></h3>
                  <span class="light ${lit}"><span class="lamp" aria-hidden="true">${LIGHT[lit].symbol}</span><span class="word">${LIGHT[lit].word}</span></span>
                </header>` : nothing}
              <div class="modules">${modules.map((m) => this.moduleCard(m, view.halt))}</div>
              ${this.checkerMenu(topology, b, pair ? `board ${b}` : `module ${b}`)}
              ${pair && state === 'offline' ? html`
                <div class="actions">
                  <button class="primary" @click=${() => act(this.controller.replace({ board: b }))}>Replace board ${b} &amp; resync</button>
                </div>` : nothing}
              ${progress ? html`
                <div>
                  <progress max="1" .value=${progress.fraction} aria-label="Resync progress"></progress>
                  <div class="resync-label" role="status">${progress.label}</div>
                </div>` : nothing}
            </section>`;
        })}
      </div>`;
  }
}
customElements.define('ls-front-panel', FrontPanel);
