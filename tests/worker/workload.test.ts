/**
 * A transaction workload in the worker session (issue 10): the session runs card-auth through
 * the feed in time slices, shows its live progress and running ledger, goes on after the
 * machine is down, and ends with the same ledger as the real `lockstep run --workload` with
 * the same options (the CLI runs the whole feed in one call: the independent reference).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import { MachineSession } from '../../src/worker/session.ts';
import { createNodeMachineWorker } from '../../src/worker/node-client.ts';
import type { MachineClient } from '../../src/worker/client.ts';
import type { Ledger } from '../../src/transactions/ledger.ts';
import type { Topology } from '../../src/machine/topology.ts';
import { lockstep, tempDir } from '../cli/lockstep.ts';
import { Machine } from '../../src/machine/machine.ts';
import { assemble } from '../../src/isa/index.ts';
import { runWorkload } from '../../src/transactions/feed.ts';
import { feedOptionsFor } from '../../src/transactions/settings.ts';

const CARD_AUTH = readFileSync(new URL('../../examples/card-auth.s', import.meta.url), 'utf8');
const dir = tempDir();
const workers: MachineClient[] = [];
afterAll(() => workers.forEach((w) => w.terminate()));

function worker(): Remote<MachineSession> {
  const w = createNodeMachineWorker();
  workers.push(w);
  return w.session;
}

/**
 * card-auth after its start-up code (4,096 accounts, ~53,000 instructions): t3 holds the
 * account's `applied` count while a record is processed and is answered as result word 3;
 * the count stays far below 2^30, so bit 30 stuck at 1 corrupts every such answer.
 */
const STUCK_APPLIED = 'at=60000,module=0,kind=stuck1,target=t3,bit=30';
const SETTINGS = { name: 'card-auth', rate: 20_000, duration: '20ms', seed: 7, fifo: 16 };

async function cliLedger(topology: Topology, faults: string[]): Promise<Ledger> {
  const report = join(dir, `${topology}-${faults.length}.json`);
  const run = await lockstep(['run', '--workload', 'card-auth', '--rate', '20000', '--duration', '20ms', '--seed', '7', '--fifo', '16',
    '--topology', topology, ...faults.flatMap((f) => ['--inject', f]), '--report', report]);
  expect(run.stderr).toContain('ledger: card-auth');
  return JSON.parse(readFileSync(report, 'utf8')).ledger as Ledger;
}

/** Free-runs the session to the end of the workload, checking the progress it shows on the way. */
async function runToEnd(session: Remote<MachineSession>): Promise<void> {
  await session.start();
  let last = -1;
  for (;;) {
    const status = await session.status();
    const progress = status.workload!.progress;
    expect(progress.nowUs).toBeGreaterThanOrEqual(last);
    last = progress.nowUs;
    if (!status.running) break;
    await session.changed();
  }
}

describe('a workload in the worker session', () => {
  it.each([
    ['pair-spare', [STUCK_APPLIED], (l: Ledger) => expect([l.wrong, l.lost, l.duplicated, l.downtime_us]).toEqual([0, 0, 0, 0])],
    ['simplex', [STUCK_APPLIED], (l: Ledger) => expect(l.wrong).toBeGreaterThan(l.arrived / 2)],
    ['simplex', ['at=60000,kind=kill'], (l: Ledger) => expect(l.lost).toBeGreaterThan(l.arrived / 2)],
    ['tmr', [], (l: Ledger) => expect([l.wrong, l.lost, l.duplicated]).toEqual([0, 0, 0])],
  ] as const)('%s %j: free-running in slices ends with the CLI\'s ledger', async (topology, faults, check) => {
    const session = worker();
    await session.create({ topology });
    await session.load({ kind: 'source', source: CARD_AUTH, name: 'card-auth.s' });
    await session.setWorkload(SETTINGS);
    for (const fault of faults) await session.inject(fault);
    await runToEnd(session);
    const status = await session.status();
    expect(status.workload!.progress).toMatchObject({ nowUs: 20_000, done: true });
    const ledger = await session.ledger();
    expect(status.workload!.ledger).toEqual(ledger);
    expect(JSON.stringify(ledger)).toBe(JSON.stringify(await cliLedger(topology, [...faults])));
    expect((await session.report()).ledger).toEqual(ledger);
    expect(ledger!.arrived).toBeGreaterThan(300); // 20,000/s for 20 ms
    check(ledger!);
  });

  it.each(['telco-hlr', 'process-control'])('%s on dmr with the default rate, seed and FIFO: the CLI\'s ledger, every transaction correct', async (name) => {
    const source = readFileSync(new URL(`../../examples/${name}.s`, import.meta.url), 'utf8');
    const session = worker();
    await session.create({ topology: 'dmr' });
    await session.load({ kind: 'source', source, name: `${name}.s` });
    await session.setWorkload({ name, duration: '20ms' });
    await runToEnd(session);
    const ledger = (await session.ledger())!;
    const report = join(dir, `${name}.json`);
    await lockstep(['run', '--workload', name, '--duration', '20ms', '--topology', 'dmr', '--report', report]);
    expect(JSON.stringify(ledger)).toBe(JSON.stringify(JSON.parse(readFileSync(report, 'utf8')).ledger));
    // 1,000/s (telco-hlr, Poisson) or one every 1,000 µs (process-control) for 20 ms.
    expect(ledger.arrived).toBeGreaterThan(10);
    expect(ledger.correct).toBe(ledger.arrived - ledger.queued);
    expect([ledger.wrong, ledger.lost, ledger.duplicated, ledger.deadline_misses]).toEqual([0, 0, 0, 0]);
  });

  it('below full speed (the speed dial counts cycles of virtual time), the same ledger as one library call', async () => {
    const session = worker();
    await session.create({ topology: 'tmr' });
    await session.load({ kind: 'source', source: CARD_AUTH, name: 'card-auth.s' });
    const settings = { name: 'card-auth', rate: 50_000, duration: '1ms', seed: 4, fifo: 8 };
    await session.setWorkload(settings);
    await session.setSpeed(2_000_000); // 100,000 cycles: about 50 ms of wall time in many slices
    await runToEnd(session);
    const machine = await Machine.create({ topology: 'tmr', console: { write: () => {}, read: () => null } });
    machine.load(assemble(CARD_AUTH, { file: 'card-auth.s' }).program!);
    const { ledger } = runWorkload(machine, feedOptionsFor(settings));
    expect(JSON.stringify(await session.ledger())).toBe(JSON.stringify(ledger));
    expect(ledger.arrived).toBeGreaterThan(20);
  });

  it('shows progress while stepping, and goes on after the machine is down: arrivals keep coming and are lost', async () => {
    const session = worker();
    await session.create({ topology: 'simplex' });
    await session.load({ kind: 'source', source: CARD_AUTH, name: 'card-auth.s' });
    await session.setWorkload({ name: 'card-auth', rate: 20_000, duration: '20ms', seed: 3, fifo: 4 });
    const start = await session.status();
    expect(start.workload!.settings).toEqual({ name: 'card-auth', rate: 20_000, duration: '20ms', durationUs: 20_000, seed: 3, fifo: 4 });
    expect(start.workload!.progress).toMatchObject({ nowUs: 0, arrived: 0, done: false, down: false });
    await session.step(60_000); // start-up done, transactions served from then on
    const up = (await session.view()).workload!;
    expect(up.progress).toMatchObject({ down: false, done: false });
    expect(up.progress.arrived).toBeGreaterThan(0);
    expect(up.ledger.correct).toBeGreaterThan(0);
    expect(up.ledger.correct + up.ledger.wrong + up.ledger.lost + up.ledger.queued).toBe(up.ledger.arrived);

    await session.inject('kind=kill');
    await session.step(1);
    const killed = await session.status();
    expect(killed.halt?.reason).toBe('dead');
    const nowUs = killed.workload!.progress.nowUs;
    // A dead machine executes nothing; a step of n moves the clock n cycles, arrivals go on.
    await session.step(100_000);
    const later = (await session.status()).workload!;
    expect(later.progress.nowUs).toBeCloseTo(nowUs + 1000, 6);
    expect(later.progress).toMatchObject({ down: true, done: false });
    expect(later.progress.arrived).toBeGreaterThan(killed.workload!.progress.arrived);
    expect(later.ledger.lost).toBeGreaterThan(killed.workload!.ledger.lost);
    expect(later.ledger.queued).toBe(0);
  });

  it('refuses bad settings with one line and keeps the run it had', async () => {
    const session = worker();
    await session.create({ topology: 'dmr' });
    await session.load({ kind: 'source', source: CARD_AUTH, name: 'card-auth.s' });
    await expect(session.setWorkload({ name: 'no-such' })).rejects.toThrow(/unknown workload 'no-such': known workloads are card-auth, telco-hlr, process-control/);
    await expect(session.setWorkload({ name: 'card-auth', duration: '2x' })).rejects.toThrow(/duration '2x' is not a virtual time/);
    await expect(session.setWorkload({ name: 'card-auth', fifo: 0 })).rejects.toThrow(/FIFO depth 0 must be a whole number of records, 1\.\.1024/);
    expect((await session.status()).workload).toBeUndefined();
    await session.setWorkload({ name: 'card-auth' });
    await expect(session.setWorkload({ name: 'card-auth', seed: -1 })).rejects.toThrow(/seed -1/);
    expect((await session.status()).workload!.settings).toMatchObject({ name: 'card-auth', rate: 1000, duration: '1s', seed: 1, fifo: 64 });
    await session.setWorkload(undefined);
    expect((await session.status()).workload).toBeUndefined();
  });
});
