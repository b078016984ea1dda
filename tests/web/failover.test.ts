/**
 * The page's side of the failover systems (issue 11): the system's story as timeline
 * entries, the track (heartbeats at every multiple of H from 0 until the death, checkpoints, the
 * outage), the phase, faults at a virtual time from the fault bar, the compare view's
 * request and command line, and the controller driving a real MachineSession on a cluster:
 * a plain program refused, the page's settings, a kill scheduled at a time, the timeline and
 * the embed scenario.
 */
import { describe, expect, it } from 'vitest';
import type { FailoverStatus, MachineStatus } from '../../src/worker/session.ts';
import { controller, sessionInThread, until } from '../helpers/session.ts';
import { MachineController, type SessionPort } from '../../web/state/controller.ts';
import type { MachineSetup } from '../../src/worker/rig.ts';
import { failoverOptionsOf } from '../../src/scenario/failover.ts';
import type { SystemEvent } from '../../src/system/failover.ts';
import { buildFailoverTimeline, defaultFailover, failoverPhase, failoverTrack, MAX_MARKS, moduleName, resolvedFailover } from '../../web/state/failover.ts';
import { bitFault, pullFault, stillPending } from '../../web/state/faults.ts';
import { compareCommand, compareFailover, compareRequest, defaultFaultTimeUs, measureScale } from '../../web/state/compare.ts';
import { EXAMPLES } from '../../web/state/examples.ts';
import { DEFAULT_SETTINGS } from '../../web/state/controller.ts';
import { DEFAULT_FAILOVER } from '../../src/system/settings.ts';
import { validateScenario } from '../../src/scenario/scenario.ts';
import type { CompareRow } from '../../src/system/compare.ts';
import { machineState } from '../../web/embed-bridge.ts';
import type { LockstepMachine } from '../../web/components/lockstep-machine.ts';

/** 100 cycles per µs. */
const ms = (t: number) => t * 100_000;

/** A cluster's story by hand: two checkpoints, a kill at 8 ms, declared at 11 ms, taken over at 13 ms. */
const STORY: SystemEvent[] = [
  { kind: 'checkpoint', cycle: ms(2), instret: 20_000, host: 0, bytes: 60_000, pause_cycles: 48_000, acknowledged: 10 },
  { kind: 'checkpoint', cycle: ms(5), instret: 40_000, host: 0, bytes: 5_000, pause_cycles: 4_000, acknowledged: 70 },
  { kind: 'inject', cycle: ms(8), instret: 61_000, host: 0, fault: 'at=61000,module=0,kind=kill' },
  { kind: 'host-down', cycle: ms(8), instret: 61_000, host: 0, reason: 'killed' },
  { kind: 'declared-dead', cycle: ms(11), host: 0, last_heartbeat_cycle: ms(8) },
  { kind: 'takeover', cycle: ms(13), host: 1, checkpoint_instret: 40_000, redelivered: 0, rolled_back: 25, outage_cycles: ms(5) },
];

const STATUS: FailoverStatus = {
  topology: 'cluster', settings: { heartbeat_us: 1000, missed: 3, failover_time_us: 2000, checkpoint_every: 20_000, cluster_aware: 'off', link_bytes_per_cycle: 1.25 },
  checkpoints: 2, checkpoint_bytes: 65_000, checkpoint_pause_us: 520, heartbeats: 9, failovers: 1, downtime_us: 5000, redelivered: 0, rolled_back: 25,
  deduplicated: 0, hosts: [{ host: 0, role: 'dead', instret: 61_000 }, { host: 1, role: 'primary', instret: 50_000 }], events: [],
};

describe('the failover story on the timeline', () => {
  it('tells each event with its virtual time, the checkpoints in a row as one entry', () => {
    const entries = buildFailoverTimeline(STORY, 'cluster');
    expect(entries.map((e) => [e.key, e.stage, e.timeUs])).toEqual([
      ['s0', 'checkpoint', 5000], ['s2', 'injected', 8000], ['s3', 'host-down', 8000], ['s4', 'declared', 11_000], ['s5', 'takeover', 13_000],
    ]);
    expect(entries[0].title).toBe('2 checkpoints');
    // 60,000 + 5,000 bytes; 48,000 + 4,000 cycles = 520 µs.
    expect(entries[0].text).toBe('Host 0 copied its state 2 times, the last to the standby at 5.00 ms (instruction 40,000): 65,000 bytes, the primary paused 520 µs; 70 input records acknowledged');
    expect(entries[1].text).toBe('Kill (host pulled) on host 0 (the primary), at 8.00 ms (instruction 61,000)');
    expect(entries[2].text).toBe('Host 0 stopped at 8.00 ms (instruction 61,000): killed');
    expect(entries[3].text).toBe('The standby declares host 0 dead at 11.00 ms: no heartbeat since 8.00 ms');
    expect(entries[4].text).toBe('Host 1 resumes at 13.00 ms from its checkpoint of instruction 40,000, after an outage of 5.00 ms: 25 records rolled back, 0 re-delivered');
    expect(buildFailoverTimeline(STORY, 'process-pair')[3].text).toContain('The backup declares');
    // A checkpoint alone is one entry of its own.
    expect(buildFailoverTimeline(STORY.slice(1, 2), 'cluster')[0].title).toBe('Checkpoint');
  });

  it('draws only what has happened by the clock: heartbeats at every multiple of H until the death, the outage to the clock while it lasts', () => {
    const during = failoverTrack(STORY, 1000, 9_500);
    expect(during.heartbeats).toEqual({ times: [0, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000] });
    expect(during.checkpoints).toEqual({ times: [2000, 5000] });
    expect(during.deaths).toEqual([{ host: 0, us: 8000 }]);
    expect([during.declared, during.takeovers]).toEqual([[], []]);
    expect(during.outages).toEqual([[8000, 9500]]);
    const after = failoverTrack(STORY, 1000, 20_000);
    expect(after.heartbeats).toEqual(during.heartbeats);
    expect(after.declared).toEqual([{ host: 0, us: 11_000 }]);
    expect(after.takeovers).toEqual([{ host: 1, us: 13_000 }]);
    expect(after.outages).toEqual([[8000, 13_000]]);
    // No death yet: a heartbeat at every multiple of H up to the clock (H = 300 µs: 0, 300 … 2,700).
    expect(failoverTrack([], 300, 2_999).heartbeats).toEqual({ times: [0, 300, 600, 900, 1200, 1500, 1800, 2100, 2400, 2700] });
    // A primary killed before its first period has sent the one at 0.
    const early = STORY.map((e) => (e.kind === 'host-down' ? { ...e, cycle: 50_000 } : e)).filter((e) => e.kind !== 'checkpoint');
    expect(failoverTrack(early, 1000, 9_500).heartbeats).toEqual({ times: [0] });
    // More marks than can be drawn one by one become a band: 0, 1, …, MAX_MARKS + 1 µs.
    expect(failoverTrack([], 1, MAX_MARKS + 1).heartbeats).toEqual({ band: [0, MAX_MARKS + 1], count: MAX_MARKS + 2 });
  });

  it('knows the phase: serving, the outage with its declaration and takeover to come, down for good', () => {
    expect(failoverPhase(STORY.slice(0, 2), { ...STATUS, hosts: [{ host: 0, role: 'primary', instret: 1 }, { host: 1, role: 'standby', instret: 0 }] }))
      .toEqual({ kind: 'serving', host: 0 });
    expect(failoverPhase(STORY.slice(0, 5), STATUS)).toEqual({ kind: 'outage', deathUs: 8000, declaredUs: 11_000, takeoverUs: 13_000 });
    expect(failoverPhase(STORY, STATUS)).toEqual({ kind: 'serving', host: 1 });
    const down: SystemEvent = { kind: 'service-down', cycle: ms(15), reason: 'no standby is left to take over' };
    expect(failoverPhase([...STORY, down], STATUS)).toEqual({ kind: 'down', sinceUs: 15_000, reason: 'no standby is left to take over' });
  });

  it('names modules as hosts on a failover system, and starts from the page\'s settings', () => {
    const view = { topology: 'cluster' } as MachineStatus;
    expect([moduleName(view, 1), moduleName({ topology: 'tmr' } as MachineStatus, 1)]).toEqual(['Host 1', 'Module 1']);
    expect(defaultFailover('process-pair')).toEqual({ heartbeat: '1ms', missed: 3, failoverTime: '2ms' });
    expect(resolvedFailover('cluster', defaultFailover('cluster'))).toMatchObject({ heartbeatUs: 1000, missed: 3, failoverTimeUs: 2000, checkpointEvery: 20_000, clusterAware: 'off' });
    expect(resolvedFailover('cluster', undefined)).toMatchObject(DEFAULT_FAILOVER);
  });
});

describe('faults at a virtual time', () => {
  it('are written as the spec reads them, and pending until the workload\'s clock gets there', () => {
    expect(pullFault({ module: 0 }, { now: false, atUs: 8000 })).toBe('at=8ms,module=0,kind=kill');
    expect(bitFault({ module: 1, target: 'x5', bit: 3 }, 'flip', { now: false, atUs: 250 })).toBe('at=250us,module=1,kind=flip,target=x5,bit=3');
    const at = (nowUs: number, done = false) => ({
      instret: 1_000_000, workload: { progress: { nowUs, done } },
    }) as unknown as MachineStatus;
    expect([stillPending('at=8ms,module=0,kind=kill', at(7999.99)), stillPending('at=8ms,module=0,kind=kill', at(8000))]).toEqual([true, false]);
    expect(stillPending('at=8ms,module=0,kind=kill', at(10, true))).toBe(false);
    // An instruction number is pending until the machine passes it, as before.
    expect([stillPending('at=1000000,module=0,kind=kill', at(0)), stillPending('at=999999,module=0,kind=kill', at(0))]).toEqual([true, false]);
  });
});

describe('the compare view\'s request', () => {
  const workload = { name: 'card-auth', rate: 20_000, duration: '20ms', seed: 1, fifo: 64 };

  it('runs the failover systems with the page\'s settings, or the page\'s defaults on a lockstep machine', () => {
    expect(compareFailover(DEFAULT_SETTINGS)).toEqual({ heartbeatUs: 1000, missed: 3, failoverTimeUs: 2000, checkpointEvery: 20_000 });
    expect(compareFailover({ ...DEFAULT_SETTINGS, topology: 'cluster', failover: { heartbeat: '500us', missed: 2, checkpointEvery: 7 } }))
      .toEqual({ heartbeatUs: 500, missed: 2, failoverTimeUs: DEFAULT_FAILOVER.failoverTimeUs, checkpointEvery: 7 });
    // A process pair has no checkpoint interval: the cluster rows take the page's.
    expect(compareFailover({ ...DEFAULT_SETTINGS, topology: 'process-pair', failover: { heartbeat: '3ms' } }))
      .toEqual({ heartbeatUs: 3000, missed: DEFAULT_FAILOVER.missed, failoverTimeUs: DEFAULT_FAILOVER.failoverTimeUs, checkpointEvery: 20_000 });
  });

  it('sends the other version of the application, and prints the command that gives the same table', () => {
    expect(defaultFaultTimeUs(workload)).toBe(10_000);
    const request = compareRequest(workload, DEFAULT_SETTINGS, ['hard', 'transient'], 10_000);
    const pair = EXAMPLES.find((e) => e.id === 'card-auth-pair')!.source;
    expect(request).toEqual({
      workload, faults: [{ kind: 'hard', atUs: 10_000 }, { kind: 'transient', atUs: 10_000 }],
      failover: { heartbeatUs: 1000, missed: 3, failoverTimeUs: 2000, checkpointEvery: 20_000 }, sources: { 'card-auth-pair': pair },
    });
    const card = EXAMPLES.find((e) => e.id === 'card-auth')!.source;
    expect(compareRequest({ ...workload, name: 'card-auth-pair' }, DEFAULT_SETTINGS, ['hard'], 5).sources).toEqual({ 'card-auth': card });
    expect(compareCommand(request, ['simplex', 'cluster'])).toBe('lockstep compare --workload card-auth --rate 20000 --duration 20ms --seed 1 --fifo 64 '
      + '--fault hard@10ms --fault transient@10ms --heartbeat 1ms --missed 3 --failover-time 2ms --checkpoint-every 20000 --topology simplex,cluster');
    // The pair-aware version loaded: the command names the application as written, as lockstep compare runs it.
    expect(compareCommand({ ...request, workload: { name: 'card-auth-pair', duration: '1s' } }, ['tmr']))
      .toMatch(/^lockstep compare --workload card-auth --rate 1000 --duration 1s --seed 1 --fifo 64 /);
  });

  it('scales each measure by its largest value over every row', () => {
    const row = (lost: number, downtime_us: number) => ({ lost, duplicated: 0, wrong: 1, downtime_us }) as CompareRow;
    expect(measureScale([row(5, 0), row(84, 5000), row(0, 10_000)])).toEqual({ lost: 84, duplicated: 0, wrong: 1, downtime_us: 10_000 });
  });
});

describe('MachineController on a cluster', () => {
  it('refuses a plain program, runs card-auth with the page\'s settings and a kill at 8 ms, and exports both in the embed scenario', async () => {
    const c = controller();
    await c.configure({ topology: 'pair-spare' });
    await c.loadExample('count');
    await expect(c.configure({ topology: 'cluster' })).rejects.toThrow(/a cluster runs transaction workloads only/);
    expect(c.state.message).toMatchObject({ kind: 'error' });
    expect(c.state.settings.topology).toBe('pair-spare');

    await c.loadExample('card-auth');
    await c.configure({ topology: 'cluster' });
    expect(c.state.settings).toMatchObject({ topology: 'cluster', failover: defaultFailover('cluster') });
    expect(c.state.view?.failover?.settings).toMatchObject({ heartbeat_us: 1000, missed: 3, failover_time_us: 2000, checkpoint_every: 20_000 });
    await expect(c.configure({ failover: { ...defaultFailover('cluster'), heartbeat: 'often' } })).rejects.toThrow(/duration 'often' is not a virtual time/);
    expect(c.state.settings.failover).toEqual(defaultFailover('cluster'));

    c.setWhen({ now: false, atUs: 8000 });
    await c.pull({ module: 0 });
    expect(c.state.pending).toEqual(['at=8ms,module=0,kind=kill']);
    await c.setSpeed(Infinity);
    await c.run();
    await until(() => c.state.view?.running === false && !!c.state.view.workload?.progress.done);
    expect(c.state.pending).toEqual([]);
    expect(c.state.view!.failover!.hosts.map((h) => h.role)).toEqual(['dead', 'primary']);
    const stages = c.state.timeline.map((e) => e.stage).filter((s) => s !== 'checkpoint');
    expect(stages).toEqual(['injected', 'host-down', 'declared', 'takeover']);
    expect(c.state.systemEvents.filter((e) => e.kind === 'checkpoint').length).toBe(c.state.view!.failover!.checkpoints);
    // A course page reads the same through the postMessage API's state.
    const shared = machineState({ controller: c } as unknown as LockstepMachine).failover!;
    expect(shared.hosts.map((h) => h.role)).toEqual(['dead', 'primary']);
    expect(shared.events).toEqual(c.state.systemEvents);
    expect(shared.events.map((e) => e.kind)).toContain('takeover');

    const scenario = c.scenario('cluster lesson');
    expect(scenario.machine).toMatchObject({ topology: 'cluster', failover: defaultFailover('cluster') });
    expect(scenario.faults).toEqual(['at=8ms,module=0,kind=kill']);
    expect(validateScenario(scenario).ok).toBe(true);

    // Back on a lockstep machine, the failover settings go (a scenario would refuse them there).
    await c.configure({ topology: 'tmr' });
    expect(c.state.settings.failover).toBeUndefined();
    expect(c.state.view?.failover).toBeUndefined();
    expect(c.state.when).toEqual({ now: false, atUs: 8000 });
    await c.loadExample('count');
    expect(c.state.when).toEqual({ now: true });
  });

  it('sends the session only the settings the chosen topology takes: a failover system no lockstep ones, a lockstep machine no failover ones', async () => {
    const session = sessionInThread() as unknown as SessionPort;
    const sent: MachineSetup[] = [];
    const recording = new Proxy(session, {
      get: (target, key) => (key === 'create' ? (setup: MachineSetup) => { sent.push(setup); return target.create(setup); } : Reflect.get(target, key)),
    });
    const c = new MachineController(recording, { frame: (cb) => setTimeout(() => cb(performance.now()), 5) });
    await c.loadExample('card-auth');
    await c.configure({ topology: 'dmr', compare: 'store', readmit: 'transient' });
    expect(sent.at(-1)).toEqual({ topology: 'dmr', compare: 'store', resync: 'precopy', ramMiB: 1, ecc: 'none', readmit: 'transient' });
    await c.configure({ topology: 'cluster' });
    expect(c.state.settings).toMatchObject({ compare: 'store', resync: 'precopy' }); // kept for the lockstep machines
    expect(sent.at(-1)).toEqual({ topology: 'cluster', ramMiB: 1, ecc: 'none', failover: failoverOptionsOf(defaultFailover('cluster')) });
    await c.configure({ topology: 'tmr' });
    expect(sent.at(-1)).toEqual({ topology: 'tmr', compare: 'store', resync: 'precopy', ramMiB: 1, ecc: 'none' });
    // The RAM's ECC and scrubber belong to every machine, the failover systems' hosts included.
    await c.configure({ ecc: 'secded', scrubEvery: 10_000 });
    await c.configure({ topology: 'process-pair' });
    expect(sent.at(-1)).toEqual({ topology: 'process-pair', ramMiB: 1, ecc: 'secded', scrubEvery: 10_000, failover: failoverOptionsOf(defaultFailover('process-pair')) });
    await c.configure({ ecc: 'none', scrubEvery: undefined });
    expect(sent.at(-1)).toEqual({ topology: 'process-pair', ramMiB: 1, ecc: 'none', failover: failoverOptionsOf(defaultFailover('process-pair')) });
  });
});
