/**
 * A failover system in the worker session (issue 11): the session builds a cluster or a
 * process pair only to run a transaction workload, shows its hosts as its modules, drives
 * it through the same feed as a machine (free running in slices, stepping, faults at an
 * instruction or at a virtual time), and ends with the ledger and failover account of the
 * real `lockstep run --workload --topology cluster` with the same options. The times of the
 * failover are checked against the settings: a death at t is declared at the last heartbeat
 * (⌊t/H⌋·H) + M·H and taken over F later. compare() gives the library's table.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import { MachineSession, type FailoverStatus } from '../../src/worker/session.ts';
import { createNodeMachineWorker } from '../../src/worker/node-client.ts';
import type { MachineClient } from '../../src/worker/client.ts';
import type { SystemEvent } from '../../src/system/failover.ts';
import { compare } from '../../src/system/compare.ts';
import { assemble } from '../../src/isa/index.ts';
import { feedOptionsFor } from '../../src/transactions/settings.ts';
import { WORKLOADS } from '../../src/transactions/workloads/index.ts';
import type { Workload } from '../../src/transactions/workloads/workload.ts';
import { lockstep, tempDir } from '../cli/lockstep.ts';

const source = (name: string) => readFileSync(new URL(`../../examples/${name}.s`, import.meta.url), 'utf8');
const CARD_AUTH = source('card-auth');
const COUNT = source('count');
const dir = tempDir();
const workers: MachineClient[] = [];
afterAll(() => workers.forEach((w) => w.terminate()));

function worker(): Remote<MachineSession> {
  const w = createNodeMachineWorker();
  workers.push(w);
  return w.session;
}

const WORKLOAD = { name: 'card-auth', rate: 20_000, duration: '20ms', seed: 1, fifo: 64 };
/** H = 1 ms, M = 3, F = 2 ms, K = 20,000 instructions. */
const H_US = 1000, M = 3, F_US = 2000, K = 20_000;
const FAILOVER = { heartbeatUs: H_US, missed: M, failoverTimeUs: F_US, checkpointEvery: K };
const CLI_OPTIONS = ['--workload', 'card-auth', '--rate', '20000', '--duration', '20ms', '--seed', '1', '--fifo', '64',
  '--heartbeat', '1ms', '--missed', '3', '--failover-time', '2ms', '--checkpoint-every', '20000'];
const CYCLES_PER_US = 100;

async function cluster(session: Remote<MachineSession> = worker()) {
  await session.create({ topology: 'simplex' });
  await session.load({ kind: 'source', source: CARD_AUTH, name: 'card-auth.s' });
  await session.setWorkload(WORKLOAD);
  await session.create({ topology: 'cluster', failover: FAILOVER });
  return session;
}

async function runToEnd(session: Remote<MachineSession>): Promise<SystemEvent[]> {
  const events: SystemEvent[] = [];
  await session.start();
  for (;;) {
    const status = await session.status();
    events.push(...status.failover!.events);
    if (!status.running) return events;
    await session.changed();
  }
}

/** The times a death at `deathCycle` must be declared and taken over at, from the settings alone. */
function failoverTimes(deathCycle: number) {
  const H = H_US * CYCLES_PER_US;
  const lastHeartbeat = Math.floor(deathCycle / H) * H;
  const declared = lastHeartbeat + M * H;
  return { lastHeartbeat, declared, takeover: declared + F_US * CYCLES_PER_US };
}

describe('a failover system in the worker session', () => {
  it('runs transaction workloads only: a plain program is refused on a cluster, and the session keeps its machine', async () => {
    const session = worker();
    await session.create({ topology: 'pair-spare' });
    await session.load({ kind: 'source', source: COUNT, name: 'count.s' });
    await expect(session.create({ topology: 'cluster' })).rejects.toThrow(
      /a cluster runs transaction workloads only \(card-auth, .*\): run one of them on it, or choose a lockstep topology/);
    expect((await session.status()).topology).toBe('pair-spare');
    // And with a workload chosen on the cluster, going back to a plain program is refused the same way.
    await cluster(session);
    await expect(session.setWorkload(undefined)).rejects.toThrow(/a cluster runs transaction workloads only/);
    expect((await session.status()).workload?.settings.name).toBe('card-auth');
    await expect(session.replace({ module: 1 })).rejects.toThrow(/the hosts of a cluster are not replaced/);
  });

  it('free-running with the primary killed at 8 ms: the CLI\'s ledger, and the failover at the times the settings give', async () => {
    const session = await cluster();
    expect(await session.inject('at=8ms,module=0,kind=kill')).toBe('at=8ms,module=0,kind=kill');
    const events = await runToEnd(session);
    const status = await session.status();
    expect(status.workload!.progress).toMatchObject({ nowUs: 20_000, done: true });
    const ledger = (await session.ledger())!;

    const report = join(dir, 'cluster-kill.json');
    await lockstep(['run', ...CLI_OPTIONS, '--topology', 'cluster', '--inject', 'at=8ms,module=0,kind=kill', '--report', report]);
    const cli = JSON.parse(readFileSync(report, 'utf8'));
    expect(JSON.stringify(ledger)).toBe(JSON.stringify(cli.ledger));
    expect(events).toEqual(cli.failover.events);

    const failover: FailoverStatus = status.failover!;
    expect(failover.hosts.map((h) => h.role)).toEqual(['dead', 'primary']);
    const death = events.find((e) => e.kind === 'host-down')!;
    expect(death).toMatchObject({ host: 0 });
    expect(death.cycle).toBeGreaterThanOrEqual(8000 * CYCLES_PER_US);
    const { lastHeartbeat, declared, takeover } = failoverTimes(death.cycle);
    expect(events.find((e) => e.kind === 'declared-dead')).toMatchObject({ host: 0, cycle: declared, last_heartbeat_cycle: lastHeartbeat });
    expect(events.find((e) => e.kind === 'takeover')).toMatchObject({ host: 1, cycle: takeover, outage_cycles: takeover - death.cycle });
    expect(ledger.downtime_us).toBe((takeover - death.cycle) / CYCLES_PER_US);
    // The first primary sends a heartbeat at every multiple of H from 0 until its death: 0, H, …, ⌊death/H⌋·H.
    expect(failover.heartbeats).toBe(Math.floor(death.cycle / (H_US * CYCLES_PER_US)) + 1);
    // Every checkpoint at a multiple of K instructions, before the death.
    const checkpoints = events.filter((e) => e.kind === 'checkpoint');
    expect(checkpoints.length).toBe(failover.checkpoints);
    for (const c of checkpoints) expect([c.instret % K, c.cycle < death.cycle]).toEqual([0, true]);
    expect(ledger.rolled_back).toBe(failover.rolled_back);
    expect(ledger.lost).toBeGreaterThan(0);
    // The report of the session is the CLI's report, wall time aside.
    const own = await session.report() as typeof cli;
    expect({ ...own.failover, events: undefined }).toEqual({ ...cli.failover, events: undefined });
  });

  it('shows the hosts as its modules: the standby holds the last checkpoint, its registers and memory readable', async () => {
    const session = await cluster();
    const start = await session.view();
    expect(start.topology).toBe('cluster');
    expect(start.modules.map((m) => [m.id, m.board, m.state])).toEqual([[0, 0, 'online'], [1, 1, 'online']]);
    expect(start.failover!.hosts).toEqual([{ host: 0, role: 'primary', instret: 0 }, { host: 1, role: 'standby', instret: 0 }]);
    // Both hosts power on alike.
    expect(start.modules[1].regs).toEqual(start.modules[0].regs);
    const code = await session.memory(0, 0x8000_0000, 64);
    expect(await session.memory(1, 0x8000_0000, 64)).toEqual(code);
    const view = await session.step(K + 5_000);
    // One checkpoint, at instruction K: the standby took the primary's state there and has executed nothing since.
    expect(view.failover!.events.filter((e) => e.kind === 'checkpoint').map((e) => e.instret)).toEqual([K]);
    expect(view.failover!.hosts[1]).toEqual({ host: 1, role: 'standby', instret: K });
    expect(view.instret).toBe(K + 5_000);
    expect(view.modules[1].regs).not.toEqual(start.modules[1].regs);
    expect(view.modules[1].regs).not.toEqual(view.modules[0].regs);
  });

  it('steps into the outage and through it: a step ends within a span of virtual time of the death', async () => {
    const session = await cluster();
    await session.step(60_000);
    await session.inject('module=0,kind=kill');
    const killed = await session.step(1);
    const death = killed.failover!.events.find((e) => e.kind === 'host-down')!;
    const { takeover } = failoverTimes(death.cycle);
    expect(killed.failover!.hosts.map((h) => h.role)).toEqual(['dead', 'standby']);
    // One span (100,000 cycles, 1 ms) at most past the death, well before the takeover.
    expect(killed.workload!.progress.nowUs).toBeLessThanOrEqual(death.cycle / CYCLES_PER_US + 1000);
    let view = killed;
    for (let k = 0; k < 20 && view.failover!.hosts[1].role !== 'primary'; k++) view = await session.step(1);
    expect(view.failover!.hosts.map((h) => h.role)).toEqual(['dead', 'primary']);
    expect(view.workload!.progress.nowUs).toBeGreaterThanOrEqual(takeover / CYCLES_PER_US);
    // A fault at a time the run has passed is refused, saying why.
    await expect(session.inject('at=1ms,module=1,kind=kill')).rejects.toThrow(/is at 1000 µs of virtual time, but the run is already at/);
  });

  it('compare(): the library\'s table for the loaded workload, every row, with progress', async () => {
    const session = await cluster();
    const faults = [{ kind: 'hard' as const, atUs: 10_000 }, { kind: 'transient' as const, atUs: 10_000 }];
    const result = await session.compare({ workload: WORKLOAD, faults, failover: FAILOVER, sources: { 'card-auth-pair': source('card-auth-pair') } });
    expect(result.skipped).toEqual([]);
    expect(await session.compareProgress()).toEqual({ rows: 16, total: 16, done: true });
    const program = (name: string) => assemble(source(name), { file: `${name}.s` }).program!;
    const original = WORKLOADS.get('card-auth')!;
    const { workload: _, ...feed } = feedOptionsFor(WORKLOAD);
    const library = await compare({
      workload: original, pairAware: WORKLOADS.get('card-auth-pair')!, programOf: (w: Workload) => program(w.name), feed, faults, failover: FAILOVER,
    });
    expect(result.rows).toEqual(library.map((r) => r.row));
    // Without the pair-aware program that row is left out, and said so.
    const partial = await session.compare({ workload: WORKLOAD, faults: faults.slice(0, 1), failover: FAILOVER });
    expect(partial.skipped).toEqual([{ topology: 'process-pair-aware', reason: 'the page has no program for card-auth-pair' }]);
    expect(partial.rows.map((r) => r.topology)).not.toContain('process-pair-aware');
    await expect(session.compare({ workload: WORKLOAD, faults: [{ kind: 'hard', atUs: 20_000 }] })).rejects.toThrow(/outside the run/);
  });
});
