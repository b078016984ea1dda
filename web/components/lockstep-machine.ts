/**
 * `<lockstep-machine>`: the whole lockstep lab as one custom element, so a course page (or
 * our own index.html and embed.html) can drop it in whatever framework it uses. It runs the
 * machine in a Web Worker (src/worker/client.ts) and draws the front panel, controls,
 * registers, disassembly, memory, timeline, console and — unless `compact` — the editor.
 *
 * Attributes: `compact` (the embed's panel: no editor or memory), `theme` (light | dark;
 * without it the user's preference), `global-keys` (shortcuts work anywhere on the page,
 * not only inside the element).
 *
 * Property `availability`: the model parameters a scenario gives; it opens the availability
 * view with them (the full page always has the view, closed until asked for).
 */
import { LitElement, html, css, nothing } from 'lit';
import { createMachineWorker, type MachineClient } from '../../src/worker/client.ts';
import { live } from 'lit/directives/live.js';
import { TOPOLOGIES, type CrossCheck } from '../../src/machine/topology.ts';
import type { ReadmitPolicy } from '../../src/machine/diagnosis.ts';
import { SYSTEM_TOPOLOGIES, isSystemTopology } from '../../src/system/settings.ts';
import type { ServiceTopology } from '../../src/system/index.ts';
import type { ComparePoint } from '../../src/machine/machine.ts';
import type { ResyncMode } from '../../src/machine/events.ts';
import type { EccMode } from '../../src/machine/ecc.ts';
import { MachineController, type SessionPort } from '../state/controller.ts';
import { actionFor, SHORTCUTS, keyLabel, type Action } from '../state/shortcuts.ts';
import { MAX_POSITION, positionOf, speedAt } from '../state/speed.ts';
import { embedSnippet, embedUrl } from '../state/embed-code.ts';
import { DebugController } from '../state/debugger.ts';
import type { KeptProgram } from '../state/library.ts';
import type { Scenario, ScenarioInput } from '../../src/scenario/scenario.ts';
import type { ProgramInput } from '../../src/worker/session.ts';
import { EXAMPLES } from '../state/examples.ts';
import { exampleWorkload } from '../state/workload.ts';
import { tokens, shared } from './theme.ts';
import type { CodeEditor } from './code-editor.ts';
import type { ReferenceCardView } from './reference-card.ts';
import './debug-panel.ts';
import './program-library.ts';
import './reference-card.ts';
import './meter.ts';
import './front-panel.ts';
import './controls.ts';
import './register-table.ts';
import './code-view.ts';
import './memory-view.ts';
import './timeline-view.ts';
import './console-view.ts';
import './code-editor.ts';
import './transaction-strip.ts';
import './workload-settings.ts';
import './failover-settings.ts';
import './failover-panel.ts';
import './compare-view.ts';
import './time-travel-bar.ts';
import './twin-console.ts';
import type { AvailabilityView } from './availability-view.ts';
import './availability-view.ts';
import './campaign-view.ts';
import type { LoadFaultDetail } from './campaign-view.ts';
import { scenarioAvailability } from '../state/availability.ts';
import type { Parameters as AvailabilityParameters } from '../../src/availability/index.ts';
import { act } from './act.ts';

const TOPOLOGY_LABELS: Record<ServiceTopology, string> = {
  'simplex': 'simplex — one module, nothing checks',
  'dmr': 'dmr — two modules in lockstep',
  'pair-spare': 'pair-spare — two boards, each a checking pair',
  'tmr': 'tmr — three modules, majority vote',
  'cluster': 'cluster — primary and standby host, failover (workloads only)',
  'process-pair': 'process-pair — NonStop primary and backup (workloads only)',
};
const COMPARE_LABELS: Record<ComparePoint, string> = {
  every: 'every instruction', store: 'stores and I/O', io: 'I/O only',
};
const ECC_LABELS: Record<EccMode, string> = {
  none: 'none', secded: 'SEC-DED (corrects 1 bit a word, detects 2)',
};
/** Scrubber intervals the page offers, in instructions (a scenario may set another, which is offered too). */
const SCRUB_INTERVALS = [10_000, 100_000, 1_000_000];

/**
 * The reader's theme as this page stored it. Storage may be denied (an embed on another
 * site, with third-party storage blocked): then there is none, and the choice lasts the visit.
 */
function storedTheme(): string | null {
  try {
    return localStorage.getItem('lockstep-theme');
  } catch {
    return null;
  }
}

function storeTheme(theme: string): void {
  try {
    localStorage.setItem('lockstep-theme', theme);
  } catch {
    // storage denied: see storedTheme()
  }
}

function editableTarget(event: Event): boolean {
  const target = event.composedPath()[0] as HTMLElement | undefined;
  if (!target || !(target instanceof HTMLElement)) return false;
  if (target.isContentEditable) return true;
  const tag = target.tagName;
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true;
  if (tag === 'INPUT') return !['button', 'checkbox', 'radio', 'range', 'submit', 'file'].includes((target as HTMLInputElement).type);
  return false;
}

export class LockstepMachine extends LitElement {
  static override properties = {
    compact: { type: Boolean, reflect: true },
    theme: { type: String, reflect: true },
    globalKeys: { type: Boolean, attribute: 'global-keys' },
    heading: { type: String },
    description: { type: String },
    availability: { attribute: false },
    scenarioError: { attribute: false },
  };
  declare compact: boolean;
  declare theme: string | undefined;
  declare globalKeys: boolean;
  declare heading: string;
  declare description: string | undefined;
  declare availability: Partial<AvailabilityParameters> | undefined;
  /** Why the scenario the page's URL names did not open (web/open-link.ts). */
  declare scenarioError: string | undefined;

  readonly controller: MachineController;
  /** Breakpoints, watchpoints and run to cursor. */
  readonly debug: DebugController;
  private client?: MachineClient;
  private embedCode = '';
  private shareUrl = '';

  static override styles = [tokens, shared, css`
    :host {
      display: block; background: var(--ls-bg); color: var(--ls-text); font-size: var(--ls-size); line-height: 1.4;
      padding: 0.8rem; min-height: 100%;
    }
    header.top { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem; margin-bottom: 0.6rem; }
    /* On a phone (390 px) a label and its menu wrap, and a menu never grows wider than the page. */
    header.top label { flex-wrap: wrap; max-width: 100%; }
    header.top select { max-width: 100%; min-width: 0; }
    /* The skip link: out of sight until it has keyboard focus. */
    button.skip { position: absolute; left: -100vw; }
    button.skip:focus { position: static; display: inline-block; margin-bottom: 0.4rem; }
    header.top h1 { font-size: 1.45em; margin: 0; margin-right: auto; }
    header.top h1 small { font-size: 0.6em; font-weight: 400; color: var(--ls-muted); }
    label { display: inline-flex; align-items: center; gap: 0.35rem; }
    .message { margin: 0 0 0.6rem; padding: 0.4rem 0.7rem; border-radius: 6px; white-space: pre-wrap; }
    .message.error { background: var(--ls-bad-bg); color: var(--ls-bad-text); border: 1px solid var(--ls-bad); }
    .message.info { background: var(--ls-surface-2); }
    .grid { display: grid; gap: 0.8rem; grid-template-columns: minmax(0, 1fr) minmax(0, 1fr) minmax(0, 1fr);
      grid-template-areas: "panel panel panel" "controls controls controls" "regs regs timeline" "code code console" "memory memory console" "editor editor editor"; }
    :host([compact]) .grid { grid-template-columns: minmax(0, 1.2fr) minmax(0, 1fr);
      grid-template-areas: "panel panel" "controls controls" "regs timeline" "regs console" "code code"; }
    :host([compact]) .grid { grid-template-columns: minmax(0, 1.4fr) minmax(0, 1fr); }
    @media (max-width: 1100px) {
      .grid, :host([compact]) .grid { grid-template-columns: minmax(0, 1fr);
        grid-template-areas: "panel" "controls" "regs" "timeline" "console" "code" "memory" "editor"; }
    }
    section.card { background: var(--ls-surface); border: 1px solid var(--ls-border); border-radius: 10px; padding: 0.7rem; min-width: 0; contain: layout paint; }
    .panel-row { display: flex; flex-wrap: wrap; gap: 0.8rem; align-items: flex-start; }
    .panel-row ls-front-panel, .panel-row ls-failover-panel { flex: 3 1 30rem; min-width: 0; }
    .panel-row ls-transactions { flex: 2 1 22rem; min-width: 0; }
    .panel { grid-area: panel; } .controls { grid-area: controls; } .regs { grid-area: regs; } .code { grid-area: code; }
    .timeline { grid-area: timeline; } .console { grid-area: console; } .memory { grid-area: memory; } .editor { grid-area: editor; }
    .editor .tools { display: flex; flex-wrap: wrap; gap: 0.5rem 0.8rem; align-items: center; margin-bottom: 0.5rem; }
    ls-editor { height: 24rem; }
    .load-error { white-space: pre-wrap; font-family: var(--ls-mono); font-size: 0.85em; color: var(--ls-bad-text); background: var(--ls-bad-bg); padding: 0.5rem; border-radius: 6px; }
    dialog { background: var(--ls-surface); color: var(--ls-text); border: 2px solid var(--ls-border); border-radius: 10px; max-width: min(46rem, 95vw); padding: 1rem 1.2rem; }
    dialog::backdrop { background: rgba(0, 0, 0, 0.55); }
    dialog table td, dialog table th { padding: 0.2rem 0.6rem; text-align: left; }
    kbd { font-family: var(--ls-mono); border: 1px solid var(--ls-border); border-bottom-width: 3px; border-radius: 4px; padding: 0 0.35rem; background: var(--ls-surface-2); }
    textarea { width: 100%; min-height: 8rem; font-family: var(--ls-mono); font-size: 0.8em; color: var(--ls-text); background: var(--ls-surface-2); border: 1px solid var(--ls-border); }
    .description { margin: 0 0 0.6rem; max-width: 60rem; }
    section.availability, section.comparison, section.campaign { margin-top: 0.8rem; }
    section.availability summary, section.comparison summary, section.campaign summary { cursor: pointer; font-size: 1.05em; font-weight: 600; }
  `];

  constructor(session?: SessionPort) {
    super();
    this.compact = false;
    this.globalKeys = false;
    this.heading = 'Lockstep Lab';
    if (!session) {
      this.client = createMachineWorker();
      session = this.client.session as unknown as SessionPort;
    }
    this.controller = new MachineController(session);
    this.controller.addEventListener('change', () => this.requestUpdate());
    this.debug = new DebugController(this.controller);
    this.debug.addEventListener('change', () => this.requestUpdate());
  }

  private readonly onWindowKey = (e: KeyboardEvent) => {
    if (e.composedPath().includes(this)) return; // handled by the element's own listener
    this.onKey(e);
  };

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.theme) this.theme = storedTheme() ?? (matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light');
    this.addEventListener('keydown', this.onKey);
    if (this.globalKeys) window.addEventListener('keydown', this.onWindowKey);
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removeEventListener('keydown', this.onKey);
    window.removeEventListener('keydown', this.onWindowKey);
  }

  /** Stops the machine's worker (the element cannot run again). */
  terminate(): void { this.client?.terminate(); }

  private get editor(): CodeEditor | null { return this.renderRoot.querySelector('ls-editor'); }

  /** Puts `source` in the editor (full page) under `name` and loads it. */
  async loadSource(source: string, name: string): Promise<void> {
    this.editor?.setProgram(source, name);
    await this.controller.loadSource(source, name);
  }

  /**
   * Sets up a scenario (a lesson step's start): its title and description over the machine,
   * its availability view, its program in the editor (full page), then the machine itself.
   */
  async applyScenario(scenario: Scenario, program: ProgramInput & { name: string }): Promise<void> {
    this.heading = scenario.title ?? 'Lockstep Lab';
    this.description = scenario.description;
    this.availability = scenario.availability;
    const source = program.kind === 'source' ? program.source : /\.(s|S|asm)$/.test(program.name) ? new TextDecoder().decode(program.bytes) : undefined;
    if (source !== undefined) this.editor?.setProgram(source, program.name);
    await this.controller.applyScenario(scenario, program);
  }

  private readonly onKey = (e: KeyboardEvent) => {
    const action = actionFor({ key: e.key, ctrlKey: e.ctrlKey, altKey: e.altKey, metaKey: e.metaKey, editable: editableTarget(e) });
    if (!action) return;
    const target = e.composedPath()[0] as HTMLElement;
    if (e.key === ' ' && target instanceof HTMLElement && (['BUTTON', 'SUMMARY', 'A'].includes(target.tagName) || (target instanceof HTMLInputElement && ['checkbox', 'radio'].includes(target.type)))) return;
    e.preventDefault();
    act(this.perform(action));
  };

  async perform(action: Action): Promise<void> {
    const c = this.controller;
    switch (action) {
      case 'run-pause': return c.toggleRun();
      case 'step': return c.step(1);
      case 'step-n': return c.stepN();
      case 'back': return c.back(1);
      case 'back-n': return c.back(c.state.stepN);
      case 'reset': return c.reset();
      case 'faster': return c.setSpeed(speedAt(Math.min(MAX_POSITION, positionOf(c.state.speed) + 1)));
      case 'slower': return c.setSpeed(speedAt(Math.max(0, positionOf(c.state.speed) - 1)));
      case 'flat-out': return c.setSpeed(Infinity);
      case 'assemble': return this.assemble();
      case 'focus-editor': this.editor?.focus(); return;
      case 'focus-registers': (this.shadowRoot?.querySelector('ls-registers')?.shadowRoot?.querySelector('button.value') as HTMLElement | null)?.focus(); return;
      case 'focus-timeline': (this.shadowRoot?.querySelector('ls-timeline')?.shadowRoot?.querySelector('#timeline button, #timeline') as HTMLElement | null)?.focus(); return;
      case 'theme': this.toggleTheme(); return;
      case 'help': (this.renderRoot.querySelector('#help') as HTMLDialogElement).showModal(); return;
      case 'embed-code': return this.showEmbedCode();
      case 'toggle-breakpoint': return this.debug.toggleAtCursor();
      case 'run-to-cursor': return this.debug.runToCursor();
      case 'reference-card': return this.showReferenceCard();
      case 'close':
        for (const d of this.renderRoot.querySelectorAll('dialog')) d.close();
        c.select(undefined);
    }
  }

  private toggleTheme(): void {
    this.theme = this.theme === 'dark' ? 'light' : 'dark';
    storeTheme(this.theme);
  }

  private assemble(): Promise<void> {
    const editor = this.editor;
    if (!editor) return Promise.resolve();
    this.debug.relocate(editor.markedLines()); // breakpoints stay on the lines the edits moved them to
    return this.controller.loadSource(editor.value, editor.file).finally(() => this.debug.relocate(undefined));
  }

  /** The page as a scenario, for an embed code or a share link: an open availability view goes along with the parameters it shows. */
  private currentScenario(title?: string): ScenarioInput {
    const scenario = this.controller.scenario(title);
    const view = this.renderRoot.querySelector<AvailabilityView>('details#availability[open] ls-availability');
    if (view) scenario.availability = scenarioAvailability(view.state.parameters);
    return scenario;
  }

  private async showEmbedCode(): Promise<void> {
    const page = new URL('embed.html', document.baseURI).href;
    this.embedCode = embedSnippet(page, this.currentScenario(this.controller.state.program?.name));
    await this.showCopied('#embed', this.embedCode, '#embed textarea');
  }

  /** "Share link": the full page with this program, machine, faults and settings in its hash (the embed code's encoding). */
  private async showShareLink(): Promise<void> {
    this.shareUrl = embedUrl(new URL('index.html', document.baseURI).href, this.currentScenario());
    await this.showCopied('#share', this.shareUrl, '#share-url');
  }

  /** Opens dialog `dialog` and copies `text` to the clipboard, or selects it in `field` for the reader to copy. */
  private async showCopied(dialog: string, text: string, field: string): Promise<void> {
    this.requestUpdate();
    await this.updateComplete;
    (this.renderRoot.querySelector(dialog) as HTMLDialogElement).showModal();
    const status = this.renderRoot.querySelector(`${dialog} [role=status]`)!;
    try {
      await navigator.clipboard.writeText(text);
      status.textContent = 'Copied to the clipboard.';
    } catch {
      status.textContent = 'Select the text and copy it (the clipboard is not available here).';
      (this.renderRoot.querySelector(field) as HTMLInputElement | HTMLTextAreaElement).select();
    }
  }

  private async showReferenceCard(): Promise<void> {
    (this.renderRoot.querySelector('#reference') as HTMLDialogElement).showModal();
    await this.renderRoot.querySelector<ReferenceCardView>('ls-reference-card')!.load();
  }

  /** Opens a program kept in this browser: into the editor, then assembled and loaded. */
  private openKept(program: KeptProgram): void {
    act(this.loadSource(program.source, program.name));
  }

  /** The skip link over the register table's buttons: keyboard focus moves on to the disassembly. */
  private readonly skipRegisters = () => {
    (this.renderRoot.querySelector('#code-h') as HTMLElement).focus();
  };

  private async onExample(e: Event): Promise<void> {
    const select = e.target as HTMLSelectElement;
    const example = EXAMPLES.find((x) => x.id === select.value);
    if (!example) return;
    await this.controller.chooseWorkload(exampleWorkload(example, this.controller.state.workload)).catch(() => undefined);
    await this.loadSource(example.source, example.file).catch(() => undefined);
  }

  private async onFile(e: Event): Promise<void> {
    const input = e.target as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    const bytes = new Uint8Array(await file.arrayBuffer());
    if (/\.(s|S|asm)$/.test(file.name)) this.editor?.setProgram(new TextDecoder().decode(bytes), file.name);
    await this.controller.loadFile(bytes, file.name).catch(() => undefined);
    input.value = '';
  }

  /** A failing run of the campaign panel: the machine becomes its topology, with its fault scheduled, ready to run. */
  private async onLoadFault(e: CustomEvent<LoadFaultDetail>): Promise<void> {
    await this.controller.configure({ topology: e.detail.topology });
    await this.controller.inject(e.detail.fault);
    this.renderRoot.querySelector('section.panel')?.scrollIntoView({ block: 'start' });
  }

  override render() {
    const s = this.controller.state;
    const c = this.controller;
    const settings = s.settings;
    const system = isSystemTopology(settings.topology);
    return html`
      <header class="top">
        <h1>${this.heading} <small>${s.program ? s.program.name : ''}</small></h1>
        <label>Topology <select id="topology" .value=${live(settings.topology)}
          @change=${(e: Event) => act(c.configure({ topology: (e.target as HTMLSelectElement).value as ServiceTopology }).catch((error) => { this.requestUpdate(); throw error; }))}>
          ${[...TOPOLOGIES, ...SYSTEM_TOPOLOGIES].map((t) => html`<option value=${t} ?selected=${t === settings.topology}>${TOPOLOGY_LABELS[t]}</option>`)}
        </select></label>
        ${system ? nothing : html`
        <label>Compare at <select id="compare" @change=${(e: Event) => act(c.configure({ compare: (e.target as HTMLSelectElement).value as ComparePoint }))}>
          ${(Object.keys(COMPARE_LABELS) as ComparePoint[]).map((p) => html`<option value=${p} ?selected=${p === settings.compare}>${COMPARE_LABELS[p]}</option>`)}
        </select></label>
        <label>Resync <select id="resync-mode" @change=${(e: Event) => act(c.configure({ resync: (e.target as HTMLSelectElement).value as ResyncMode }))}>
          <option value="precopy" ?selected=${settings.resync === 'precopy'}>pre-copy (while running)</option>
          <option value="stop-copy" ?selected=${settings.resync === 'stop-copy'}>stop and copy</option>
        </select></label>
        <label>Re-admit <select id="readmit" @change=${(e: Event) => act(c.configure({ readmit: (e.target as HTMLSelectElement).value as ReadmitPolicy }))}>
          <option value="never" ?selected=${settings.readmit !== 'transient'}>never</option>
          <option value="transient" ?selected=${settings.readmit === 'transient'}>after a clean self-test</option>
        </select></label>
        ${settings.topology === 'pair-spare' ? html`<label>Compare <select id="cross-check" @change=${(e: Event) => act(c.configure({ crossCheck: (e.target as HTMLSelectElement).value as CrossCheck }))}>
          <option value="within" ?selected=${settings.crossCheck !== 'boards'}>within each board</option>
          <option value="boards" ?selected=${settings.crossCheck === 'boards'}>the boards too</option>
        </select></label>` : nothing}`}
        <label>Memory ECC <select id="ecc" @change=${(e: Event) => {
          const ecc = (e.target as HTMLSelectElement).value as EccMode;
          act(c.configure(ecc === 'secded' ? { ecc } : { ecc, scrubEvery: undefined }));
        }}>
          ${(Object.keys(ECC_LABELS) as EccMode[]).map((m) => html`<option value=${m} ?selected=${m === settings.ecc}>${ECC_LABELS[m]}</option>`)}
        </select></label>
        <label>Scrubber <select id="scrub-every" ?disabled=${settings.ecc !== 'secded'}
          title=${settings.ecc === 'secded' ? 'A pass over RAM that corrects single-bit errors before a second one makes them uncorrectable' : 'The scrubber needs Memory ECC: SEC-DED'}
          @change=${(e: Event) => {
            const value = (e.target as HTMLSelectElement).value;
            act(c.configure({ scrubEvery: value === 'off' ? undefined : Number(value) }));
          }}>
          <option value="off" ?selected=${settings.scrubEvery === undefined}>off</option>
          ${[...new Set([...SCRUB_INTERVALS, ...(settings.scrubEvery !== undefined ? [settings.scrubEvery] : [])])].sort((a, b) => a - b)
            .map((n) => html`<option value=${n} ?selected=${n === settings.scrubEvery}>every ${n.toLocaleString('en-US')} instructions</option>`)}
        </select></label>
        <ls-workload-settings .state=${s} .controller=${c}></ls-workload-settings>
        <ls-failover-settings .state=${s} .controller=${c}></ls-failover-settings>
        <button id="theme" @click=${() => this.toggleTheme()} aria-label="Switch to the ${this.theme === 'dark' ? 'light' : 'dark'} theme (T)">${this.theme === 'dark' ? '☀ Light' : '☾ Dark'}</button>
        <button id="copy-embed" @click=${() => this.showEmbedCode()} aria-keyshortcuts="C">Copy embed code</button>
        <button id="share-link" @click=${() => this.showShareLink()}>Share link</button>
        <button id="reference-button" @click=${() => act(this.showReferenceCard())} aria-keyshortcuts="K">Reference card</button>
        <button id="help-button" @click=${() => act(this.perform('help'))} aria-keyshortcuts="?">? Keys</button>
      </header>
      ${this.description ? html`<p class="description">${this.description}</p>` : nothing}
      ${this.scenarioError ? html`<p class="message error" id="scenario-error" role="alert">The link's scenario did not open: ${this.scenarioError}</p>` : nothing}
      ${s.message ? html`<p class="message ${s.message.kind}" id="message" role=${s.message.kind === 'error' ? 'alert' : 'status'}>${s.message.text}</p>` : nothing}
      <div class="visually-hidden" aria-live="polite" id="announcer">${s.announce}</div>
      <div class="grid">
        <section class="card panel" aria-labelledby="panel-h"><h2 id="panel-h" class="visually-hidden">Front panel</h2>
          <div class="panel-row">${s.view?.failover ? html`<ls-failover-panel .state=${s} .controller=${c}></ls-failover-panel>`
            : html`<ls-front-panel .state=${s} .controller=${c}></ls-front-panel>`}
            ${s.view?.workload ? html`<ls-transactions .state=${s} .controller=${c}></ls-transactions>` : nothing}</div>
          <ls-meter .state=${s} .controller=${c}></ls-meter></section>
        <section class="card controls" aria-label="Controls"><ls-controls .state=${s} .controller=${c}></ls-controls>
          <ls-time-travel .state=${s} .controller=${c}></ls-time-travel>
          <ls-debug .state=${s} .debug=${this.debug} .debugState=${this.debug.state}></ls-debug></section>
        <section class="card regs" aria-labelledby="regs-h"><h2 id="regs-h">Registers, side by side</h2>
          <button class="skip" id="skip-registers" @click=${this.skipRegisters}>Skip the registers</button>
          <ls-registers .state=${s} .controller=${c}></ls-registers></section>
        <section class="card code" aria-labelledby="code-h"><h2 id="code-h" tabindex="-1">Disassembly at pc</h2><ls-code .state=${s} .debug=${this.debug} .debugState=${this.debug.state}></ls-code></section>
        <section class="card timeline" aria-labelledby="timeline-h"><h2 id="timeline-h">Event timeline</h2>
          <ls-timeline .state=${s} .controller=${c}></ls-timeline></section>
        <section class="card console" aria-labelledby="console-h"><h2 id="console-h">Console (gated by the comparator)</h2>
          <ls-console .state=${s} .controller=${c}></ls-console>
          ${s.view?.twin ? html`<ls-twin-console .state=${s}></ls-twin-console>` : nothing}</section>
        ${this.compact ? nothing : html`
          <section class="card memory" aria-labelledby="memory-h"><h2 id="memory-h">Memory of every module</h2>
            <ls-memory .state=${s} .controller=${c}></ls-memory></section>
          <section class="card editor" aria-labelledby="editor-h"><h2 id="editor-h">Program</h2>
            <div class="tools">
              <label>Example <select id="example" @change=${this.onExample}>
                <option value="">choose…</option>
                ${EXAMPLES.map((x) => html`<option value=${x.id}>${x.title}</option>`)}
              </select></label>
              <label>Open a file (ELF, .s, .bin) <input id="file" type="file" accept=".elf,.s,.S,.asm,.bin,application/octet-stream" @change=${this.onFile}></label>
              <button class="primary" id="assemble" @click=${() => act(this.assemble())} aria-keyshortcuts="A">Assemble &amp; load</button>
            </div>
            ${s.program && s.program.source === undefined ? html`<p class="message info" id="binary-note">
              The machine runs <strong>${s.program.name}</strong>, loaded from a file without source; <em>Assemble &amp; load</em> runs the editor’s program instead.</p>` : nothing}
            <ls-editor .loaded=${s.program?.source} @assemble=${() => act(this.assemble())}
              .breakpointLines=${this.debug.state.breakpoints.flatMap((b) => (b.line === undefined ? [] : [b.line]))}
              @toggle-breakpoint=${(e: CustomEvent<{ line: number }>) => act(this.debug.toggleLine(e.detail.line))}
              @cursor-line=${(e: CustomEvent<{ line: number }>) => this.debug.setCursorLine(e.detail.line)}></ls-editor>
            ${s.loadError ? html`<pre class="load-error" id="load-error" role="alert">${s.loadError}</pre>` : nothing}
            <ls-library .current=${() => ({ name: this.editor?.file ?? 'program.s', source: this.editor?.value ?? '' })}
              .openProgram=${(p: KeptProgram) => this.openKept(p)}></ls-library>
          </section>`}
      </div>
      ${this.compact ? nothing : html`<section class="card comparison" aria-label="Comparison of topologies">
        <details id="compare-details"><summary>Compare topologies on the same faults: lost, duplicated, wrong, downtime</summary>
          <ls-compare .state=${s} .controller=${c}></ls-compare></details></section>`}
      ${this.compact && !this.availability ? nothing : html`<section class="card availability" aria-label="Availability assessment">
        <details id="availability" ?open=${this.availability !== undefined}><summary>Availability per architecture: downtime, interruptions, cost</summary>
          <ls-availability .preset=${this.availability}></ls-availability></details></section>`}
      ${this.compact ? nothing : html`<section class="card campaign" aria-label="Fault-injection campaign">
        <details id="campaign"><summary>Fault-injection campaign: outcomes per topology, with confidence intervals</summary>
          <ls-campaign .program=${s.program} .workload=${s.workload} @load-fault=${(e: CustomEvent<LoadFaultDetail>) => act(this.onLoadFault(e))}></ls-campaign></details></section>`}
      <dialog id="help" aria-labelledby="help-h">
        <h2 id="help-h">Keyboard shortcuts</h2>
        <table><tbody>${SHORTCUTS.map((k) => html`<tr><td>${k.keys.map((key, i) => html`${i > 0 ? ' or ' : ''}<kbd>${keyLabel(key)}</kbd>`)}</td><td>${k.label}</td></tr>`)}</tbody></table>
        <p>Tab reaches every button, register value, bit and memory word; Enter or Space activates it.</p>
        <form method="dialog"><button class="primary">Close</button></form>
      </dialog>
      <dialog id="share" aria-labelledby="share-h">
        <h2 id="share-h">Share this machine</h2>
        <p>The link opens this program, machine, faults and settings in the full lab.</p>
        <input id="share-url" readonly aria-label="Share link" .value=${this.shareUrl} style="width: 100%">
        <p id="share-status" role="status"></p>
        <form method="dialog"><button class="primary">Close</button></form>
      </dialog>
      <dialog id="reference" aria-labelledby="reference-h">
        <h2 id="reference-h">Reference card: host calls and device registers</h2>
        <ls-reference-card .controller=${c}></ls-reference-card>
        <form method="dialog"><button class="primary">Close</button></form>
      </dialog>
      <dialog id="embed" aria-labelledby="embed-h">
        <h2 id="embed-h">Embed this machine in a course page</h2>
        <p>Paste this into the page. It opens the current program, machine and faults in a compact panel.</p>
        <textarea readonly aria-label="Embed code" .value=${this.embedCode}></textarea>
        <p id="embed-status" role="status"></p>
        <form method="dialog"><button class="primary">Close</button></form>
      </dialog>`;
  }
}
customElements.define('lockstep-machine', LockstepMachine);
