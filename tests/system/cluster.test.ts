/**
 * The failover cluster (issue 11, DESIGN §7) against closed forms derived from its settings
 * and the arrival process alone. The service is the echo workload (tests/helpers/
 * echo-workload.ts): its state, the running sum of word 0, lives in a register, so a
 * standby that takes over from an older state answers every later record wrongly.
 *
 * Detection: heartbeats at every multiple of H, 0 included; a primary killed at t, a multiple
 * of H, sends the one due at t (t/H + 1 in all), so the standby declares it dead at t + M·H
 * and serves from t + M·H + F: an outage D = M·H + F. Killed between heartbeats, at t, it
 * sent ⌊t/H⌋ + 1, the last at ⌊t/H⌋·H, and the outage is (⌊t/H⌋ + M)·H + F − t. During it arrivals queue in the network's FIFO of
 * `fifo` records (empty at t when no record arrived just before t) and the rest are dropped.
 */
import { describe, expect, test } from 'vitest';
import { assembleOrThrow } from '../helpers/machine.ts';
import { ECHO_POLLING, ECHO_WFI, echoWorkload } from '../helpers/echo-workload.ts';
import { arrivalStream, TransactionFeed, type Arrival, type FeedOptions } from '../../src/transactions/index.ts';
import type { Program } from '../../src/isa/program.ts';
import {
  createFailoverSystem, createService, failoverSettings, settingsFor, LOCKSTEP_SETTINGS, SYSTEM_TOPOLOGIES,
  type FailoverSettings, type FailoverSystem, type LockstepSetting, type SystemConfig,
} from '../../src/system/index.ts';
import { InputError } from '../../src/input-error.ts';
import { parseFault } from '../../src/fault/spec.ts';

const program = assembleOrThrow(ECHO_WFI);
const polling = assembleOrThrow(ECHO_POLLING);
const US = 100; // cycles per µs
const H_US = 1000;
const M = 3;
const F_US = 5000;
const RATE = 2000;
const FIFO = 8;
const DURATION_US = 100_000;
const KILL_US = 40_000; // a multiple of H
const OUTAGE_US = M * H_US + F_US;
const NEVER = 1e12; // a checkpoint interval no run reaches

async function clusterRun(
  seed: number, settings: Partial<FailoverSettings>, faults: string[] = [`at=${KILL_US}us,module=0,kind=kill`],
  guest: Program = program, arrivals: Pick<FeedOptions, 'trace'> = {},
) {
  const system = await createFailoverSystem(guest, failoverSettings('cluster', { heartbeatUs: H_US, missed: M, failoverTimeUs: F_US, ...settings }));
  const timedFaults = faults.map(parseFault);
  const feed = new TransactionFeed(system, { workload: echoWorkload, durationUs: DURATION_US, rate: RATE, seed, fifo: FIFO, timedFaults, ...arrivals });
  feed.advance();
  return { ledger: feed.ledger(), system, summary: system.summary(feed.nowCycle) };
}

function arrivalsOf(seed: number): Arrival[] {
  return [...arrivalStream({ workload: echoWorkload, endCycle: DURATION_US * US, rate: RATE, seed })];
}

/**
 * Seeds whose arrivals leave the service idle at the kill, at the end and at each of
 * `instants` (µs): no arrival in the 50 µs before any of them (a record is served in ~2.3 µs).
 */
function quietSeeds(count: number, instants: number[] = []): number[] {
  const seeds: number[] = [];
  for (let seed = 1; seeds.length < count; seed++) {
    const a = arrivalsOf(seed);
    const near = (t: number) => a.some((x) => x.cycle >= (t - 50) * US && x.cycle < t * US);
    if (![KILL_US, DURATION_US, ...instants].some(near)) seeds.push(seed);
  }
  return seeds;
}

/** The closed form for a cluster with no checkpoint before the kill: everything consumed is rolled back. */
function expectedWithoutCheckpoint(arrivals: Arrival[]) {
  const consumed = arrivals.filter((a) => a.cycle < KILL_US * US).length;
  const during = arrivals.filter((a) => a.cycle >= KILL_US * US && a.cycle < (KILL_US + OUTAGE_US) * US).length;
  const dropped = Math.max(0, during - FIFO);
  return { consumed, dropped, lost: consumed + dropped };
}

describe('cluster: a primary killed at t, detected by missed heartbeats, taken over after the failover time', () => {
  test.each(quietSeeds(4))('no checkpoint before the kill (seed %i): lost = every record consumed + the arrivals the FIFO could not hold', async (seed) => {
    const arrivals = arrivalsOf(seed);
    const expected = expectedWithoutCheckpoint(arrivals);
    const { ledger, summary } = await clusterRun(seed, { checkpointEvery: NEVER });
    expect(ledger.arrived).toBe(arrivals.length);
    expect(ledger.rolled_back).toBe(expected.consumed);
    expect(ledger.dropped).toBe(expected.dropped);
    expect(ledger.lost).toBe(expected.lost);
    // The standby starts the program afresh: its running sum lacks every rolled-back record.
    expect(ledger.correct).toBe(0);
    expect(ledger.wrong).toBe(arrivals.length - expected.lost);
    expect(ledger.queued).toBe(0);
    expect(ledger.downtime_us).toBe(OUTAGE_US);
    expect(summary.failovers).toBe(1);
    expect(summary.heartbeats).toBe(KILL_US / H_US + 1); // at 0, H, …, KILL_US
    const takeover = summary.events.find((e) => e.kind === 'takeover')!;
    expect(takeover.cycle).toBe((KILL_US + OUTAGE_US) * US);
  });

  test('over many seeds the mean loss lies within the 99 % interval of λt + E[max(0, N_D − fifo)], N_D ~ Poisson(λD)', async () => {
    const seeds = Array.from({ length: 60 }, (_, k) => 1000 + k);
    const losses: number[] = [];
    for (const seed of seeds) losses.push((await clusterRun(seed, { checkpointEvery: NEVER })).ledger.lost);
    const lambdaT = (RATE * KILL_US) / 1e6;
    const lambdaD = (RATE * OUTAGE_US) / 1e6;
    let overflow = 0;
    let p = Math.exp(-lambdaD); // P(N_D = 0)
    for (let k = 0; k < 200; k++) {
      if (k > FIFO) overflow += (k - FIFO) * p;
      p *= lambdaD / (k + 1);
    }
    const expected = lambdaT + overflow;
    const mean = losses.reduce((s, x) => s + x, 0) / losses.length;
    const sd = Math.sqrt(losses.reduce((s, x) => s + (x - mean) ** 2, 0) / (losses.length - 1));
    const half = 2.5758 * sd / Math.sqrt(losses.length);
    expect(Math.abs(mean - expected)).toBeLessThanOrEqual(half);
  }, 120_000);

  test('a checkpoint after every instruction (on a link fast enough to cost a cycle): nothing consumed is rolled back, only the FIFO overflow is lost', async () => {
    const [seed] = quietSeeds(1);
    const arrivals = arrivalsOf(seed);
    const { dropped } = expectedWithoutCheckpoint(arrivals);
    const { ledger } = await clusterRun(seed, { checkpointEvery: 1, linkBytesPerCycle: 1e9 });
    expect(ledger.rolled_back).toBe(0);
    expect(ledger.lost).toBe(dropped);
    expect(ledger.wrong).toBe(0);
    expect(ledger.duplicated).toBe(0);
    expect(ledger.correct).toBe(arrivals.length - dropped);
  });

  test('cluster-aware (input log replayed, results de-duplicated): 0 lost, 0 duplicated, every answer right, downtime M·H + F; without de-duplication every record answered since the last checkpoint is answered twice', async () => {
    // The polling guest retires one instruction a cycle, and a checkpoint on a link of 1e9
    // bytes a cycle stalls it one cycle: checkpoint n (every K instructions) is at cycle
    // n·K + n − 1. With K = 300,000 the last before the kill (40 ms = 4,000,000 cycles) is
    // n = 13, at 3,900,012 cycles. Seeds idle at that instant: every record that arrived
    // before it had been consumed and answered, so the in-flight records, which the log
    // replays and the standby answers again, are the arrivals from it to the kill.
    const K = 300_000;
    const at = (n: number) => n * K + n - 1;
    const last = 13; // at(13) = 3,900,012 < 4,000,000 ≤ at(14) = 4,200,013
    const settings = { checkpointEvery: K, linkBytesPerCycle: 1e9 };
    const inFlightOf = (seed: number) => arrivalsOf(seed).filter((a) => a.cycle >= at(last) && a.cycle < KILL_US * US).length;
    const seeds = quietSeeds(10, [at(last) / US]).filter((seed) => inFlightOf(seed) > 0).slice(0, 3);
    expect(seeds).toHaveLength(3);
    for (const seed of seeds) {
      const inFlight = inFlightOf(seed);
      const { ledger, summary } = await clusterRun(seed, { ...settings, clusterAware: 'dedupe' }, undefined, polling);
      const checkpoints = summary.events.flatMap((e) => (e.kind === 'checkpoint' ? [e.cycle] : []));
      expect(checkpoints).toEqual(Array.from({ length: last }, (_, k) => at(k + 1)));
      expect(ledger).toMatchObject({ lost: 0, duplicated: 0, wrong: 0, correct: ledger.arrived, downtime_us: OUTAGE_US });
      expect(summary.deduplicated).toBe(inFlight);
      const replay = await clusterRun(seed, { ...settings, clusterAware: 'replay' }, undefined, polling);
      expect(replay.ledger).toMatchObject({ duplicated: inFlight, lost: 0, correct: ledger.arrived });
    }
  });

  test('records waiting in the dead primary\'s FIFO go to the network\'s queue and are served by the standby; the one in service is rolled back', async () => {
    // Arrivals by hand (µs): ten at 1,000, 2,000, … 10,000, answered by the primary, with
    // word 0 = 0; a burst of four 1 µs before the kill, the first with word 0 = 0 (the wfi guest pops it within
    // a few instructions, then spends ~200 in its delay loop: at the kill it is being served,
    // the other three wait in the FIFO); six during the outage [40, 48) ms at 41 … 46 ms; three
    // after the takeover at 50, 60, 70 ms.
    const us = (t: number, w0: number) => ({ cycle: t * US, payload: [w0, 7, 8, 9] as [number, number, number, number] });
    const trace = [
      ...Array.from({ length: 10 }, (_, k) => us((k + 1) * 1000, 0)),
      ...Array.from({ length: 4 }, (_, k) => us(KILL_US - 1, k === 0 ? 0 : 0x100 + k)),
      ...Array.from({ length: 6 }, (_, k) => us(41_000 + 1000 * k, 0x200 + k)),
      ...[50_000, 60_000, 70_000].map((t, k) => us(t, 0x300 + k)),
    ];
    const { ledger, summary } = await clusterRun(0, { checkpointEvery: NEVER }, undefined, program, { trace });
    // Rolled back (no checkpoint): the ten answered and the one in service, 11 records.
    // The network's queue holds FIFO = 8: the three moved from the dead FIFO and the first
    // five of the outage; the sixth (46 ms) is dropped. Lost: 11 + 1.
    // The standby starts from power-on with its sum at 0, and the rolled-back records all
    // have word 0 = 0: the reference model's sums are its own, so its 3 + 5 + 3 answers are right.
    expect(summary.rolled_back).toBe(11);
    expect(ledger).toMatchObject({ arrived: 23, rolled_back: 11, dropped: 1, lost: 12, correct: 11, wrong: 0, duplicated: 0, queued: 0, downtime_us: OUTAGE_US });
  });

  test.each([500, KILL_US + 300])('a primary killed between heartbeats, at %i µs: ⌊t/H⌋ + 1 sent, declared dead M·H after the last, down (⌊t/H⌋ + M)·H + F − t', async (t) => {
    const [seed] = quietSeeds(1);
    const { ledger, summary } = await clusterRun(seed, { checkpointEvery: NEVER }, [`at=${t}us,module=0,kind=kill`]);
    const last = Math.floor(t / H_US) * H_US;
    expect(summary.heartbeats).toBe(Math.floor(t / H_US) + 1);
    expect(summary.events.find((e) => e.kind === 'declared-dead')).toEqual({ kind: 'declared-dead', cycle: (last + M * H_US) * US, host: 0, last_heartbeat_cycle: last * US });
    expect(summary.events.find((e) => e.kind === 'takeover')).toMatchObject({ cycle: (last + M * H_US + F_US) * US });
    expect(ledger.downtime_us).toBe(last + M * H_US + F_US - t);
  });

  test('a primary that lives to the end sends a heartbeat at 0, H, …, the end: duration / H + 1', async () => {
    const [seed] = quietSeeds(1);
    const { summary } = await clusterRun(seed, {}, []);
    expect(summary.heartbeats).toBe(DURATION_US / H_US + 1);
  });

  test('the system tells a host\'s death in its own words: the host, its role, the cause; the service ends when the new primary dies', async () => {
    const [seed] = quietSeeds(1);
    const second = KILL_US + OUTAGE_US + 10_000; // host 1 serves from KILL_US + OUTAGE_US
    const { system, summary } = await clusterRun(seed, { checkpointEvery: NEVER }, [`at=${KILL_US}us,module=0,kind=kill`, `at=${second}us,module=1,kind=kill`]);
    expect(summary.events.filter((e) => e.kind === 'host-down' || e.kind === 'service-down').map((e) => [e.kind, 'host' in e ? e.host : undefined, e.reason])).toEqual([
      ['host-down', 0, 'killed'],
      ['host-down', 1, 'killed'],
      ['service-down', undefined, 'no standby is left to take over'],
    ]);
    expect(system.halt).toMatchObject({ reason: 'dead', message: 'host 1 (the primary) stopped: killed; no standby is left to take over' });
  });

  test('a transient flip in the primary is never noticed: wrong answers, no failover', async () => {
    const [seed] = quietSeeds(1);
    const { ledger, summary } = await clusterRun(seed, { checkpointEvery: 20_000 }, [`at=${KILL_US}us,module=0,kind=flip,target=s1,bit=7`]);
    const after = arrivalsOf(seed).filter((a) => a.cycle >= KILL_US * US).length;
    expect(ledger.wrong).toBe(after); // the sum in s1 is off by 128 from then on
    expect(ledger.lost).toBe(0);
    expect(summary.failovers).toBe(0);
    expect(summary.events.filter((e) => e.kind !== 'checkpoint').map((e) => e.kind)).toEqual(['inject']);
  });

  test('a fault on the idle standby does nothing until it takes over from the corrupted state; a later checkpoint overwrites it', async () => {
    const [seed] = quietSeeds(1);
    const kill = `at=${KILL_US}us,module=0,kind=kill`;
    const settings = { checkpointEvery: 4_000, clusterAware: 'dedupe' as const };
    const clean = await clusterRun(seed, settings, [kill]);
    expect(clean.ledger.wrong).toBe(0);
    // Where the checkpoints fell (setup, not expectation): flip between the last two before the kill, and after the last.
    const times = clean.summary.events.flatMap((e) => (e.kind === 'checkpoint' && e.cycle < KILL_US * US ? [e.cycle / US] : []));
    expect(times.length).toBeGreaterThanOrEqual(2);
    const [previous, last] = times.slice(-2);
    const flip = (us: number) => `at=${Math.ceil(us) + 1}us,module=1,kind=flip,target=s1,bit=3`;
    // After the last checkpoint: the standby serves with a sum off by 8 — every answer it gives is wrong.
    const corrupted = await clusterRun(seed, settings, [flip(last), kill]);
    const answeredBefore = arrivalsOf(seed).filter((a) => a.cycle < KILL_US * US).length;
    expect(corrupted.ledger.correct).toBe(answeredBefore); // the primary's, before the kill
    expect(corrupted.ledger.wrong).toBe(corrupted.ledger.arrived - answeredBefore);
    // Before it: the last checkpoint copies the primary's registers over the flip.
    const overwritten = await clusterRun(seed, settings, [flip(previous), kill]);
    expect(overwritten.ledger).toEqual(clean.ledger);
    // A standby that dies before it is needed leaves the service down from the kill on.
    const dead = await clusterRun(seed, { checkpointEvery: NEVER }, [`at=10ms,module=1,kind=kill`, kill]);
    expect(dead.summary.failovers).toBe(0);
    expect(dead.system.down).toBe(true);
    expect(dead.ledger.downtime_us).toBe(DURATION_US - KILL_US);
    expect(dead.system.halt).toMatchObject({ reason: 'dead', message: 'host 0 (the primary) stopped: killed; no standby is left to take over' });
  });

  test('checkpoints copy only the pages written since the last one, and the primary pays bytes / bandwidth', async () => {
    const [seed] = quietSeeds(1);
    const { summary } = await clusterRun(seed, { checkpointEvery: 5_000 }, []);
    const checkpoints = summary.events.flatMap((e) => (e.kind === 'checkpoint' ? [e] : []));
    expect(checkpoints.length).toBeGreaterThan(2);
    // The echo program writes no RAM: after the first checkpoint (the loaded program's pages)
    // each carries the context alone, the same size every time.
    const later = new Set(checkpoints.slice(1).map((c) => c.bytes));
    expect(later.size).toBe(1);
    expect(checkpoints[0].bytes - checkpoints[1].bytes).toBe(4096); // one page of program
    for (const c of checkpoints) expect(c.pause_cycles).toBe(Math.ceil(c.bytes / 1.25));
    expect(summary.checkpoint_bytes).toBe(checkpoints.reduce((s, c) => s + c.bytes, 0));
  });
});

describe('settings', () => {
  test('bad settings are refused with the setting named', () => {
    expect(() => failoverSettings('cluster', { missed: 0 })).toThrow(/missed heartbeats 0/);
    expect(() => failoverSettings('cluster', { heartbeatUs: 0 })).toThrow(/heartbeat period/);
    expect(() => failoverSettings('cluster', { checkpointEvery: 0.5 })).toThrow(/checkpoint interval/);
    expect(() => failoverSettings('process-pair', { clusterAware: 'dedupe' })).toThrow(/cluster-aware applies to the cluster/);
  });

  test.each(['cluster', 'process-pair'] as const)('createService gives both hosts of a %s the simplex settings it is given', async (topology) => {
    const { system } = await createService(program, { topology, ramMiB: 2, ecc: 'secded', scrubEvery: 500, copyBytesPerCycle: 16 });
    for (const host of system!.hosts) {
      expect(host.config).toMatchObject({ topology: 'simplex', ramMiB: 2, ecc: 'secded', scrubEvery: 500, copyBytesPerCycle: 16 });
      expect(host.ramSize).toBe(2 << 20);
      // A simplex machine's own defaults: nothing compares or resyncs a host.
      expect(host.config).toMatchObject({ compare: 'every', resync: 'precopy', readmit: 'never' });
    }
  });

  const LOCKSTEP_VALUES: Record<LockstepSetting, unknown> = {
    compare: 'store', resync: 'stop-copy', repairAfter: 5, readmit: 'transient', diagnoseTime: 5, threshold: { errors: 2, within: 100 }, crossCheck: 'within',
  };
  test.each(LOCKSTEP_SETTINGS.flatMap((setting) => SYSTEM_TOPOLOGIES.map((topology) => [topology, setting] as const)))(
    'a %s refuses the lockstep setting %s, naming it, whichever way it is built', async (topology, setting) => {
      const refusal = new InputError(`${setting} is a setting of the lockstep topologies (dmr, pair-spare, tmr): a ${topology}'s hosts are two simplex machines, not in lockstep`);
      const config = { [setting]: LOCKSTEP_VALUES[setting] };
      await expect(createService(program, { topology, ...config })).rejects.toThrow(refusal);
      await expect(createService(program, { topology, ...config })).rejects.toBeInstanceOf(InputError);
      await expect(createFailoverSystem(program, failoverSettings(topology), config as SystemConfig)).rejects.toThrow(refusal);
    },
  );

  test('a lockstep machine refuses failover settings (an empty set gives none)', async () => {
    await expect(createService(program, { topology: 'dmr', failover: { missed: 3 } })).rejects.toThrow(new InputError('failover settings apply to the failover systems (cluster, process-pair), not dmr'));
    expect((await createService(program, { topology: 'dmr', failover: {} })).machine?.topology).toBe('dmr');
  });

  test('settingsFor keeps what the topology takes, for callers that hold settings for every topology', () => {
    const form = { compare: 'store', resync: 'precopy', ramMiB: 2, ecc: 'secded', readmit: 'never', failover: { missed: 2 } } as const;
    expect(settingsFor({ topology: 'cluster', ...form })).toEqual({ topology: 'cluster', ramMiB: 2, ecc: 'secded', failover: { missed: 2 } });
    expect(settingsFor({ topology: 'tmr', ...form })).toEqual({ topology: 'tmr', compare: 'store', resync: 'precopy', ramMiB: 2, ecc: 'secded', readmit: 'never' });
  });

  test('faults name a host: module 0 or 1, no boards', async () => {
    const system: FailoverSystem = await createFailoverSystem(program, failoverSettings('cluster'));
    expect(system.checkFault(parseFault('at=5,module=2,kind=kill'))).toMatch(/hosts 0 \(the primary\) and 1 \(the standby\)/);
    expect(system.checkFault(parseFault('at=5,board=0,kind=kill'))).toMatch(/no boards/);
    expect(system.checkFault(parseFault('at=5,module=1,kind=flip,target=x5,bit=3'))).toBeUndefined();
  });
});
