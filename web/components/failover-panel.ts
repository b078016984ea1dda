/**
 * `<ls-failover-panel>`: the front panel of a failover system — a cluster or a
 * process pair, two simplex hosts that are not in lockstep. Each host is a card with its
 * role (primary, standby or backup, dead) as a lamp with a shape and a word, its last
 * instruction, the primary's heartbeats and what the standby holds (the last checkpoint),
 * and a Pull button (a kill of that host, at the time the fault bar says). Below, the
 * system's phase in words (serving, the outage between a death and the takeover, down for
 * good) and a track of virtual time: a tick per heartbeat, a mark per checkpoint, the death,
 * the declaration, the takeover and the outage as a band, and the clock.
 *
 * For tests and course pages: `[data-host=H]` with `data-role`; on the track, `line.beat`,
 * `rect.checkpoint` and `g.event[data-kind]` with their virtual time in `data-us`.
 */
import { LitElement, html, svg, css, nothing, type PropertyValues } from 'lit';
import { disassemble } from '../../src/isa/disassembler.ts';
import type { ModuleView } from '../../src/worker/session.ts';
import type { HostStatus, SystemEvent } from '../../src/system/failover.ts';
import type { MachineController, UiState } from '../state/controller.ts';
import { backupName, failoverPhase, failoverTrack, ROLE_LIGHT, type FailoverPhase, type FailoverTrack, type Marks } from '../state/failover.ts';
import { virtualTime } from '../state/workload.ts';
import { count, hex32 } from '../state/format.ts';
import { cyclesToUs } from '../../src/transactions/time.ts';
import { shared } from './theme.ts';
import { stateChanged } from './updates.ts';
import { act } from './act.ts';

/** Track geometry, in SVG user units. */
const W = 760, LEFT = 104, RIGHT = 36, ROW = 26, TOP = 8, AXIS = 26;
const ROWS = ['heartbeats', 'checkpoints', 'failover'] as const;
const H = TOP + ROW * ROWS.length + AXIS;

/** 1, 2 or 5 × a power of ten: the step of about six axis ticks over `span`. */
function tickStep(span: number): number {
  const rough = span / 6;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= rough) ?? 10 * power;
}

export class FailoverPanel extends LitElement {
  static override properties = { state: { attribute: false }, controller: { attribute: false } };
  declare state: UiState;
  declare controller: MachineController;

  override shouldUpdate(changed: PropertyValues<this>): boolean {
    return changed.size > 1 || !changed.has('state') || stateChanged(changed.get('state') as UiState | undefined, this.state, ['systemEvents', 'program'], ['modules', 'failover', 'workload', 'running']);
  }

  static override styles = [shared, css`
    :host { display: block; }
    .hosts { display: flex; flex-wrap: wrap; gap: 0.8rem; }
    .host {
      flex: 1 1 14rem; border: 2px solid var(--ls-border); border-radius: 10px; padding: 0.6rem 0.8rem; min-width: 13rem;
      background: var(--ls-surface); display: grid; gap: 0.35rem; align-content: start;
    }
    .host.primary { border-color: var(--ls-good); }
    .host.dead { border-color: var(--ls-bad); background: var(--ls-bad-bg); border-style: dashed; }
    .light { display: inline-flex; align-items: center; gap: 0.4rem; font-weight: 700; font-size: 1.05em; }
    .lamp { display: inline-grid; place-items: center; width: 1.6rem; height: 1.6rem; border-radius: 50%; color: #fff; font-size: 0.95rem; border: 2px solid rgba(0,0,0,0.35); }
    .primary .lamp { background: var(--ls-good); box-shadow: 0 0 10px var(--ls-good); }
    .standby .lamp { background: var(--ls-surface-2); color: var(--ls-text); }
    .dead .lamp { background: var(--ls-bad); box-shadow: 0 0 12px var(--ls-bad); }
    .primary .word { color: var(--ls-good-text); }
    .dead .word { color: var(--ls-bad-text); }
    .where { display: block; max-width: 100%; font-family: var(--ls-mono); font-size: 0.85em; color: var(--ls-muted); overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
    .note { font-size: 0.9em; }
    .heart { display: inline-block; color: var(--ls-bad-text); }
    .beating .heart { animation: beat 1s ease-in-out infinite; }
    @keyframes beat { 0%, 60%, 100% { transform: scale(1); } 30% { transform: scale(1.35); } }
    @media (prefers-reduced-motion: reduce) { .beating .heart { animation: none; } }
    .faults { font-size: 0.8em; color: var(--ls-muted); }
    .actions button { min-height: 2rem; padding: 0.15rem 0.6rem; }
    .phase { margin: 0.6rem 0 0.3rem; padding: 0.35rem 0.6rem; border-radius: 6px; border: 1px solid var(--ls-border); background: var(--ls-surface-2); }
    .phase.outage, .phase.down { border: 2px solid var(--ls-bad); background: var(--ls-bad-bg); color: var(--ls-bad-text); font-weight: 600; }
    figure { margin: 0.3rem 0 0; }
    svg { width: 100%; height: auto; display: block; }
    svg text { fill: var(--ls-text); font-size: 13px; font-family: var(--ls-font); }
    svg .muted { fill: var(--ls-muted); }
    svg .grid { stroke: var(--ls-border); stroke-width: 1; }
    svg .beat { stroke: var(--ls-bad-text); stroke-width: 1.5; }
    svg .band { fill: var(--ls-bad-text); opacity: 0.35; }
    svg .checkpoint { fill: var(--ls-warn); stroke: var(--ls-text); stroke-width: 0.8; }
    svg .outage { fill: var(--ls-bad); opacity: 0.16; }
    svg .outage-label { fill: var(--ls-bad-text); font-weight: 700; }
    svg .now { stroke: var(--ls-accent); stroke-width: 2; }
    svg .event text { font-weight: 700; font-size: 15px; }
    svg .event.host-down text, svg .event.service-down text { fill: var(--ls-bad-text); }
    svg .event.takeover text { fill: var(--ls-good-text); }
    figcaption { font-size: 0.85em; }
  `];

  private hostCard(host: HostStatus, module: ModuleView | undefined, events: readonly SystemEvent[], topology: string) {
    const light = ROLE_LIGHT[host.role];
    const word = host.role === 'standby' ? backupName(topology) : light.word;
    const view = this.state.view!;
    const failover = view.failover!;
    const program = this.state.program;
    const record = module?.record;
    const text = record && !(record.insn === 0 && record.pc === 0) ? disassemble(record.insn, record.pc, program?.symbols).replace(/\t/, ' ') : '—';
    const nowUs = view.workload?.progress.nowUs ?? 0;
    const died = events.find((e): e is Extract<SystemEvent, { kind: 'host-down' }> => e.kind === 'host-down' && e.host === host.host);
    const tookOver = events.find((e): e is Extract<SystemEvent, { kind: 'takeover' }> => e.kind === 'takeover' && e.host === host.host);
    const lastCheckpoint = [...events].reverse().find((e) => e.kind === 'checkpoint' && cyclesToUs(e.cycle) <= nowUs);
    const heartbeat = failover.settings.heartbeat_us;
    const beating = host.host === 0 && !died && (view.running ?? false);
    return html`<div class="host ${host.role}" data-host=${host.host} data-role=${host.role}>
      <span class="light" role="img" aria-label="Host ${host.host}: ${word}">
        <span class="lamp" aria-hidden="true">${light.symbol}</span><span>Host ${host.host}</span> <span class="word">${word}</span>
      </span>
      <span class="where" title="last instruction">pc ${hex32(module?.pc ?? 0)} · ${text}</span>
      ${host.host === 0 ? html`<span class="note ${beating ? 'beating' : ''}" data-heartbeats=${failover.heartbeats}>
        <span class="heart" aria-hidden="true">♥</span> ${died ? 'Heartbeats stopped at its death' : `Heartbeat every ${virtualTime(heartbeat)}`}:
        ${count(failover.heartbeats)} sent, the last at ${virtualTime((failover.heartbeats - 1) * heartbeat)}</span>` : nothing}
      ${host.role === 'standby' ? html`<span class="note" data-checkpoint-instret=${host.instret}>Idle; holds ${lastCheckpoint
        ? `the checkpoint of instruction ${count(host.instret)}, taken at ${virtualTime(cyclesToUs(lastCheckpoint.cycle))}`
        : 'the state at power-on (no checkpoint yet)'}</span>` : nothing}
      ${tookOver ? html`<span class="note">Took over at ${virtualTime(cyclesToUs(tookOver.cycle))} from its checkpoint of instruction ${count(tookOver.checkpoint_instret)}</span>` : nothing}
      ${died ? html`<span class="note">Died at ${virtualTime(cyclesToUs(died.cycle))}: ${died.reason}</span>` : nothing}
      ${module && module.faults.length > 0 ? html`<span class="faults">⚡ ${module.faults.length} fault${module.faults.length === 1 ? '' : 's'} injected here</span>` : nothing}
      <div class="actions">
        <button class="danger" @click=${() => act(this.controller.pull({ module: host.host }))} ?disabled=${host.role === 'dead'}
          aria-label="Pull host ${host.host} (kill it)">Pull</button>
      </div>
    </div>`;
  }

  private phaseLine(phase: FailoverPhase, topology: string) {
    const backup = backupName(topology);
    switch (phase.kind) {
      case 'serving':
        return html`<p class="phase" id="failover-phase" role="status">Host ${phase.host} serves${phase.host === 1 ? `: it took over, and no ${backup} is left` : ''}.</p>`;
      case 'outage':
        return html`<p class="phase outage" id="failover-phase" role="status">Outage: no host serves. The primary died at ${virtualTime(phase.deathUs)};
          the ${backup} declares it dead at ${virtualTime(phase.declaredUs)} and takes over at ${virtualTime(phase.takeoverUs)}. Arrivals queue up, and overflow.</p>`;
      case 'down':
        return html`<p class="phase down" id="failover-phase" role="status">Down since ${virtualTime(phase.sinceUs)}: ${phase.reason}.</p>`;
    }
  }

  private marks(m: Marks, y: number, x: (us: number) => number, draw: (us: number) => unknown) {
    if ('band' in m) {
      return svg`<rect class="band" data-count=${m.count} x=${x(m.band[0])} width=${Math.max(1, x(m.band[1]) - x(m.band[0]))} y=${y + 6} height=${ROW - 12}></rect>`;
    }
    return m.times.map(draw);
  }

  private renderTrack(track: FailoverTrack, nowUs: number, durationUs: number) {
    const plotW = W - LEFT - RIGHT;
    const x = (us: number) => LEFT + (plotW * Math.min(us, durationUs)) / durationUs;
    const y = (row: (typeof ROWS)[number]) => TOP + ROW * ROWS.indexOf(row);
    const step = tickStep(durationUs);
    const ticks = Array.from({ length: Math.floor(durationUs / step) + 1 }, (_, k) => k * step);
    const event = (kind: string, host: number | undefined, us: number, symbol: string, label: string) => svg`
      <g class="event ${kind}" data-kind=${kind} data-us=${us} data-host=${host ?? nothing}>
        <text x=${x(us)} y=${y('failover') + ROW / 2 + 5} text-anchor="middle">${symbol}</text><title>${label}</title></g>`;
    return svg`
      ${track.outages.map(([from, to]) => svg`<rect class="outage" data-from=${from} data-to=${to} x=${x(from)} y=${TOP} width=${Math.max(1, x(to) - x(from))} height=${ROW * ROWS.length}></rect>`)}
      ${ROWS.map((row) => svg`<text class="muted" x=${LEFT - 8} y=${y(row) + ROW / 2 + 4} text-anchor="end">${row}</text>
        <line class="grid" x1=${LEFT} x2=${LEFT + plotW} y1=${y(row) + ROW} y2=${y(row) + ROW}></line>`)}
      <g class="heartbeats">${this.marks(track.heartbeats, y('heartbeats'), x, (us) => svg`<line class="beat" data-us=${us} x1=${x(us)} x2=${x(us)} y1=${y('heartbeats') + 6} y2=${y('heartbeats') + ROW - 6}></line>`)}</g>
      <g class="checkpoints">${this.marks(track.checkpoints, y('checkpoints'), x, (us) => svg`<rect class="checkpoint" data-us=${us} x=${x(us) - 4} y=${y('checkpoints') + ROW / 2 - 4} width="8" height="8" transform="rotate(45 ${x(us)} ${y('checkpoints') + ROW / 2})"></rect>`)}</g>
      ${track.deaths.map((d) => event('host-down', d.host, d.us, '✕', `host ${d.host} died at ${virtualTime(d.us)}`))}
      ${track.declared.map((d) => event('declared', d.host, d.us, '!', `host ${d.host} declared dead at ${virtualTime(d.us)}`))}
      ${track.takeovers.map((t) => event('takeover', t.host, t.us, '⟳', `host ${t.host} took over at ${virtualTime(t.us)}`))}
      ${track.serviceDown !== undefined ? event('service-down', undefined, track.serviceDown, '■', `the service stopped at ${virtualTime(track.serviceDown)}`) : nothing}
      ${track.outages.map(([from, to]) => (x(to) - x(from) > 60 ? svg`<text class="outage-label" x=${(x(from) + x(to)) / 2} y=${TOP + ROW * 2 - 8} text-anchor="middle">outage</text>` : nothing))}
      <line class="grid" x1=${LEFT} x2=${LEFT + plotW} y1=${TOP + ROW * ROWS.length} y2=${TOP + ROW * ROWS.length}></line>
      ${ticks.map((t) => svg`<line class="grid" x1=${x(t)} x2=${x(t)} y1=${TOP + ROW * ROWS.length} y2=${TOP + ROW * ROWS.length + 5}></line>
        <text class="muted" x=${x(t)} y=${H - 6} text-anchor="middle">${virtualTime(t)}</text>`)}
      <line class="now" data-us=${nowUs} x1=${x(nowUs)} x2=${x(nowUs)} y1=${TOP - 4} y2=${TOP + ROW * ROWS.length + 4}></line>`;
  }

  private trackSummary(track: FailoverTrack): string {
    const n = (m: Marks) => ('band' in m ? m.count : m.times.length);
    const parts = [`${n(track.heartbeats)} heartbeats`, `${n(track.checkpoints)} checkpoints`,
      ...track.deaths.map((d) => `host ${d.host} died at ${virtualTime(d.us)}`),
      ...track.declared.map((d) => `declared dead at ${virtualTime(d.us)}`),
      ...track.takeovers.map((t) => `host ${t.host} took over at ${virtualTime(t.us)}`)];
    return `Virtual time of the run: ${parts.join(', ')}.`;
  }

  override render() {
    const view = this.state.view;
    const failover = view?.failover;
    if (!view || !failover || !view.workload) return html`<p class="muted">Starting the ${view?.topology ?? 'system'}…</p>`;
    const events = this.state.systemEvents;
    const nowUs = view.workload.progress.nowUs;
    const track = failoverTrack(events, failover.settings.heartbeat_us, nowUs);
    const topology = view.topology;
    return html`
      <div class="hosts" role="group" aria-label="Front panel: ${topology}, two hosts (primary and ${backupName(topology)})">
        ${failover.hosts.map((h) => this.hostCard(h, view.modules[h.host], events, topology))}
      </div>
      ${this.phaseLine(failoverPhase(events, failover), topology)}
      <figure>
        <svg id="failover-track" viewBox="0 0 ${W} ${H}" role="img" aria-labelledby="failover-track-title">
          <title id="failover-track-title">${this.trackSummary(track)}</title>
          ${this.renderTrack(track, nowUs, view.workload.settings.durationUs)}</svg>
        <figcaption class="muted">Ticks: heartbeats of host 0 every ${virtualTime(failover.settings.heartbeat_us)} while it lives; ◆ checkpoints to the ${backupName(topology)};
          ✕ a host's death, ! the declaration after ${failover.settings.missed} missed heartbeats, ⟳ the takeover ${virtualTime(failover.settings.failover_time_us)} later; shaded: the outage; the blue line is the clock.</figcaption>
      </figure>`;
  }
}
customElements.define('ls-failover-panel', FailoverPanel);
