/**
 * The page's side of the failover systems: the settings people start from, the
 * system's story as timeline entries, and what the failover panel draws — the hosts' roles,
 * the heartbeats, checkpoints, death, declaration, takeover and outage on a virtual-time
 * track. Every time and count comes from the system's own events and settings
 * (src/system/failover.ts); of its rules only two are applied here, to draw what it does not
 * list: the heartbeats, sent at every multiple of H (t = 0 included) while the first primary
 * lives (the system counts them, FailoverSummary.heartbeats), and, during an outage, the takeover to
 * come, F after the declaration (its event is recorded when it happens).
 */
import type { HostRole, SystemEvent } from '../../src/system/failover.ts';
import { failoverSettings, isSystemTopology, type FailoverSettings, type SystemTopology } from '../../src/system/settings.ts';
import { failoverOptionsOf, type FailoverScenarioSettings } from '../../src/scenario/failover.ts';
import type { FailoverStatus, MachineStatus } from '../../src/worker/session.ts';
import { cyclesToUs } from '../../src/transactions/time.ts';
import { describeFaultText, type TimelineEntry } from './timeline.ts';
import { count } from './format.ts';
import { virtualTime } from './workload.ts';

/**
 * Settings a failover system chosen on the page starts with: the CLI's defaults (heartbeat
 * 10 ms, 3 missed, failover 50 ms, a checkpoint every 100,000 instructions, for runs of a
 * second) scaled to the page's 20 ms workload run, so that a kill in its middle is noticed,
 * declared and taken over within the run: heartbeat 1 ms, 3 missed, failover 2 ms, a
 * checkpoint every 20,000 instructions (a few per run), the application unchanged.
 */
export function defaultFailover(topology: SystemTopology): FailoverScenarioSettings {
  const common = { heartbeat: '1ms', missed: 3, failoverTime: '2ms' };
  return topology === 'cluster' ? { ...common, checkpointEvery: 20_000, clusterAware: 'off' } : common;
}

/** The settings in force for `topology` with `given` (defaults filled in). Throws RangeError as failoverSettings. */
export function resolvedFailover(topology: SystemTopology, given: FailoverScenarioSettings | undefined): FailoverSettings {
  return failoverSettings(topology, given ? failoverOptionsOf(given) : {});
}

/** The name of module `id` of a view: a failover system's modules are its hosts. */
export function moduleName(view: MachineStatus | undefined, id: number): string {
  return view && isSystemTopology(view.topology) ? `Host ${id}` : `Module ${id}`;
}

const at = (cycle: number) => virtualTime(cyclesToUs(cycle));

/** What a host is called in the system's story: the primary, the standby (cluster) or the backup (process pair). */
export function backupName(topology: string): string {
  return topology === 'process-pair' ? 'backup' : 'standby';
}

/**
 * The system's events as timeline entries, keyed `s<index>` (stable as events arrive).
 * Consecutive checkpoints are one entry (a checkpoint every few thousand instructions would
 * otherwise bury the story), keyed by the first and telling the last.
 */
export function buildFailoverTimeline(events: readonly SystemEvent[], topology: string): TimelineEntry[] {
  const entries: TimelineEntry[] = [];
  const backup = backupName(topology);
  let tookOver = false;
  for (let i = 0; i < events.length; i++) {
    const e = events[i];
    const key = `s${i}`;
    const timeUs = cyclesToUs(e.cycle);
    switch (e.kind) {
      case 'inject': {
        const role = e.host === 0 || tookOver ? 'the primary' : `the ${backup}`;
        entries.push({
          key, stage: 'injected', instret: e.instret, timeUs, modules: [e.host], title: 'Fault injected',
          text: `${capital(describeFaultText(e.fault).replace('module pulled', 'host pulled'))} on host ${e.host} (${role}), at ${virtualTime(timeUs)} (instruction ${count(e.instret)})`,
        });
        break;
      }
      case 'checkpoint': {
        let last = i;
        while (events[last + 1]?.kind === 'checkpoint') last++;
        const run = events.slice(i, last + 1) as Extract<SystemEvent, { kind: 'checkpoint' }>[];
        const final = run[run.length - 1];
        const bytes = run.reduce((n, c) => n + c.bytes, 0);
        const pause = run.reduce((n, c) => n + c.pause_cycles, 0);
        entries.push({
          key, stage: 'checkpoint', instret: final.instret, timeUs: cyclesToUs(final.cycle), modules: [0, 1],
          title: run.length === 1 ? 'Checkpoint' : `${run.length} checkpoints`,
          text: `${run.length === 1 ? 'Host 0 copied its state' : `Host 0 copied its state ${run.length} times, the last`} to the ${backup} at ${at(final.cycle)} ` +
            `(instruction ${count(final.instret)}): ${count(bytes)} bytes, the primary paused ${virtualTime(cyclesToUs(pause))}; ` +
            `${count(final.acknowledged)} input records acknowledged`,
        });
        i = last;
        break;
      }
      case 'host-down':
        entries.push({
          key, stage: 'host-down', instret: e.instret, timeUs, modules: [e.host], title: `Host ${e.host} down`, tone: 'bad',
          text: `Host ${e.host} stopped at ${virtualTime(timeUs)} (instruction ${count(e.instret)}): ${e.reason}`,
        });
        break;
      case 'declared-dead':
        entries.push({
          key, stage: 'declared', instret: 0, timeUs, modules: [e.host], title: `Host ${e.host} declared dead`, tone: 'warn',
          text: `The ${backup} declares host ${e.host} dead at ${virtualTime(timeUs)}: no heartbeat since ${at(e.last_heartbeat_cycle)}`,
        });
        break;
      case 'takeover':
        tookOver = true;
        entries.push({
          key, stage: 'takeover', instret: e.checkpoint_instret, timeUs, modules: [e.host], title: `Host ${e.host} takes over`, tone: 'warn',
          text: `Host ${e.host} resumes at ${virtualTime(timeUs)} from its checkpoint of instruction ${count(e.checkpoint_instret)}, after an outage of ` +
            `${virtualTime(cyclesToUs(e.outage_cycles))}: ${count(e.rolled_back)} records rolled back, ${count(e.redelivered)} re-delivered`,
        });
        break;
      case 'service-down':
        entries.push({
          key, stage: 'service-down', instret: 0, timeUs, modules: [], title: 'Service down', tone: 'bad',
          text: `The service stopped at ${virtualTime(timeUs)}: ${e.reason}`,
        });
        break;
    }
  }
  return entries;
}

const capital = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Where the system stands at the feed's clock: a host serves, no host serves yet (the outage), or none ever will. */
export type FailoverPhase =
  | { kind: 'serving'; host: number }
  | { kind: 'outage'; deathUs: number; declaredUs: number; takeoverUs: number }
  | { kind: 'down'; sinceUs: number; reason: string };

export function failoverPhase(events: readonly SystemEvent[], failover: FailoverStatus): FailoverPhase {
  const down = events.find((e) => e.kind === 'service-down');
  if (down) return { kind: 'down', sinceUs: cyclesToUs(down.cycle), reason: down.reason };
  let lastDeath = -1;
  let tookOver = -1;
  events.forEach((e, k) => {
    if (e.kind === 'host-down') lastDeath = k;
    else if (e.kind === 'takeover') tookOver = k;
  });
  if (lastDeath >= 0 && tookOver < lastDeath) {
    const death = events[lastDeath];
    const declared = events.slice(lastDeath).find((e) => e.kind === 'declared-dead');
    const declaredUs = declared ? cyclesToUs(declared.cycle) : Infinity;
    return { kind: 'outage', deathUs: cyclesToUs(death.cycle), declaredUs, takeoverUs: declaredUs + failover.settings.failover_time_us };
  }
  return { kind: 'serving', host: failover.hosts.find((h) => h.role === 'primary')?.host ?? 0 };
}

/** At most this many marks of one kind are drawn one by one; more become a band. */
export const MAX_MARKS = 400;

/** A row of marks on the track: each at a virtual time (µs), or, when too many, one band over their span. */
export type Marks = { times: number[] } | { band: [number, number]; count: number };

function marks(times: number[]): Marks {
  return times.length <= MAX_MARKS ? { times } : { band: [times[0], times[times.length - 1]], count: times.length };
}

/** What the track shows, in virtual µs from power-on. */
export interface FailoverTrack {
  /** Heartbeats of the first primary: at every multiple of H from 0 up to its death (or the clock). */
  heartbeats: Marks;
  checkpoints: Marks;
  deaths: { host: number; us: number }[];
  declared: { host: number; us: number }[];
  takeovers: { host: number; us: number }[];
  /** Spans during which no host served: each from a death to its takeover, or to the clock while it lasts. */
  outages: [number, number][];
  serviceDown?: number;
}

/**
 * The track at the feed's clock `nowUs`: only what has happened by then (the declaration
 * and takeover an outage will bring are in `phase`, not here). `heartbeatUs`: H.
 */
export function failoverTrack(events: readonly SystemEvent[], heartbeatUs: number, nowUs: number): FailoverTrack {
  const happened = events.filter((e) => cyclesToUs(e.cycle) <= nowUs);
  const firstDeath = happened.find((e) => e.kind === 'host-down' && e.host === 0);
  const lastBeat = Math.min(nowUs, firstDeath ? cyclesToUs(firstDeath.cycle) : nowUs);
  const beats = Math.floor(lastBeat / heartbeatUs + 1e-9) + 1;
  const heartbeats = marks(Array.from({ length: beats }, (_, k) => k * heartbeatUs));
  const checkpoints = marks(happened.flatMap((e) => (e.kind === 'checkpoint' ? [cyclesToUs(e.cycle)] : [])));
  const pick = (kind: SystemEvent['kind']) => happened.flatMap((e) => (e.kind === kind && 'host' in e ? [{ host: e.host, us: cyclesToUs(e.cycle) }] : []));
  const deaths = pick('host-down');
  const takeovers = pick('takeover');
  const down = happened.find((e) => e.kind === 'service-down');
  const outages = deaths.flatMap((d): [number, number][] => {
    const end = takeovers.find((t) => t.us >= d.us)?.us ?? (down ? undefined : nowUs);
    return end === undefined ? [] : [[d.us, end]];
  });
  return {
    heartbeats, checkpoints, deaths, declared: pick('declared-dead'), takeovers, outages,
    ...(down ? { serviceDown: cyclesToUs(down.cycle) } : {}),
  };
}

/** A host's role as the panel says it, with its lamp's symbol. */
export const ROLE_LIGHT: Record<HostRole, { symbol: string; word: string }> = {
  primary: { symbol: '●', word: 'primary' },
  standby: { symbol: '◌', word: 'standby' },
  dead: { symbol: '✕', word: 'dead' },
};
