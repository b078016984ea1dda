/**
 * Breakpoints, watchpoints and run to cursor in the worker session (issue 15), driven as the
 * page drives them: free running stops at a breakpoint, a step steps over the one it stands
 * on, run to cursor stops once, a watchpoint names the instruction that changed its word (a
 * host call's result included) or says that none did (a fault). On the failover systems the
 * stops are where an unarmed, traced run of the same workload reaches the breakpoint, and the
 * ledger at the end is the one of a run without them.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import type { MachineSession, MachineView } from '../../src/worker/session.ts';
import { createNodeMachineWorker } from '../../src/worker/node-client.ts';
import { sessionInThread } from '../helpers/session.ts';
import type { MachineClient } from '../../src/worker/client.ts';
import { assembleOrThrow } from '../helpers/machine.ts';
import { createService } from '../../src/system/index.ts';
import { TransactionFeed } from '../../src/transactions/feed.ts';
import { feedOptionsFor } from '../../src/transactions/settings.ts';

const BASE = 0x8000_0000;
/** 0 li t0, 0   1 li t1, 5   loop: addi t0 (0x80000008) at 2k, bne at 2k+1 (k = 1..5)   12 li a7   13 li a0   14 ecall */
const LOOP = 'li t0, 0\nli t1, 5\nloop: addi t0, t0, 1\nbne t0, t1, loop\nli a7, 93\nli a0, 0\necall\n';
/**
 * 0 li a7, 214   1 li a0, 0   2 ecall: brk(0) returns the program break (the end of the
 * program, rounded up to a page: 0x80001000) in a0   3 li a0, 3   4 li a7, 93   5 ecall
 */
const BRK = 'li a7, 214\nli a0, 0\necall\nli a0, 3\nli a7, 93\necall\n';

const workers: MachineClient[] = [];
afterAll(() => workers.forEach((w) => w.terminate()));

/** Starts a free run and waits until it has stopped (halt, breakpoint, watchpoint). */
async function runUntilStopped(session: Remote<MachineSession>, start: () => Promise<void> = () => session.start()): Promise<MachineView> {
  await start();
  for (;;) {
    const view = await session.view();
    if (!view.running) return view;
    await session.changed();
  }
}

describe.each([
  ['over a MessageChannel', () => sessionInThread()],
  ['in a worker thread', () => { const w = createNodeMachineWorker(); workers.push(w); return w.session; }],
])('the session\'s debugger %s', (_where, connect) => {
  it('free running stops at each breakpoint; a step steps over the one it stands on; Step N stops at the next', async () => {
    const session = connect();
    await session.create({ topology: 'tmr' });
    await session.load({ kind: 'source', source: LOOP });
    await session.setBreakpoints([BASE + 8]);
    const first = await runUntilStopped(session);
    expect(first.debugStop).toEqual({ kind: 'breakpoint', instret: 2, pc: BASE + 8, temporary: false });
    expect(first.modules.map((m) => m.pc)).toEqual([BASE + 8, BASE + 8, BASE + 8]);
    const stepped = await session.step(1);
    expect(stepped.instret).toBe(3);
    expect(stepped.debugStop).toBeUndefined();
    const stepN = await session.step(100);
    expect(stepN).toMatchObject({ instret: 4, debugStop: { kind: 'breakpoint', instret: 4 } });
    expect((await runUntilStopped(session)).debugStop?.instret).toBe(6);
    await session.setBreakpoints([]);
    const end = await runUntilStopped(session);
    expect(end.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(end.instret).toBe(15);
    expect(end.debugStop).toBeUndefined();
  });

  it('run to cursor stops there once, beside the breakpoints, then runs on past it', async () => {
    const session = connect();
    await session.create({ topology: 'pair-spare' });
    await session.load({ kind: 'source', source: LOOP });
    await session.setBreakpoints([BASE + 0x14]);
    const there = await runUntilStopped(session, () => session.runTo(BASE + 0x0C));
    expect(there.debugStop).toEqual({ kind: 'breakpoint', instret: 3, pc: BASE + 0x0C, temporary: true });
    const next = await runUntilStopped(session);
    expect(next.debugStop).toEqual({ kind: 'breakpoint', instret: 13, pc: BASE + 0x14, temporary: false });
  });

  it('a watchpoint names the instruction that changed it, a host call\'s result too, and its value now', async () => {
    const session = connect();
    await session.create({ topology: 'dmr' });
    await session.load({ kind: 'source', source: BRK });
    expect(await session.setWatches(['a0', 'a0', 'mem:0x80000000'])).toEqual(['x10', 'mem:0x80000000']);
    expect((await session.status()).watches).toEqual([{ target: 'x10', value: 0 }, { target: 'mem:0x80000000', value: 0x0D60_0893 }]); // li a7, 214
    const served = await runUntilStopped(session);
    expect(served.debugStop).toEqual({ kind: 'watch', instret: 3, target: 'x10', old: 0, value: 0x8000_1000, by: { instret: 2, pc: BASE + 8 } });
    const set = await runUntilStopped(session);
    expect(set.debugStop).toEqual({ kind: 'watch', instret: 4, target: 'x10', old: 0x8000_1000, value: 3, by: { instret: 3, pc: BASE + 12 } });
    expect(set.watches?.[0]).toEqual({ target: 'x10', value: 3 });
    await expect(session.setWatches(['a0', 'x0'])).rejects.toThrow(/x0 is always zero/);
    expect((await session.status()).watches?.map((w) => w.target)).toEqual(['x10', 'mem:0x80000000']);
  });

  it('a change that no instruction made (a fault before instruction 7) stops there, naming none', async () => {
    const session = connect();
    await session.create({ topology: 'simplex' });
    await session.load({ kind: 'source', source: LOOP });
    await session.setWatches(['t0']);
    await session.step(3); // stops at 3 after the addi at 2 changed t0
    await session.inject('at=3,module=0,kind=flip,target=t0,bit=4');
    const view = await runUntilStopped(session);
    expect(view.debugStop).toEqual({ kind: 'watch', instret: 3, target: 'x5', old: 1, value: 17 });
  });

  it('refuses a bad breakpoint with the reason, and keeps them across a reset', async () => {
    const session = connect();
    await session.create({ topology: 'simplex' });
    await session.load({ kind: 'source', source: LOOP });
    await expect(session.setBreakpoints([BASE + 1])).rejects.toThrow(/word-aligned/);
    await session.setBreakpoints([BASE + 0x10]);
    await session.reset();
    expect((await runUntilStopped(session)).debugStop?.instret).toBe(12);
  });
});

describe.each([
  ['cluster', 'card-auth', { heartbeatUs: 1000, missed: 3, failoverTimeUs: 2000, checkpointEvery: 20_000 }],
  ['process-pair', 'card-auth-pair', { heartbeatUs: 1000, missed: 3, failoverTimeUs: 2000 }],
] as const)('breakpoints on a %s', (topology, example, failover) => {
  const source = readFileSync(new URL(`../../examples/${example}.s`, import.meta.url), 'utf8');
  const program = assembleOrThrow(source, `${example}.s`);
  const label = program.symbols.get('next_record')!;
  const WORKLOAD = { name: 'card-auth', rate: 20_000, duration: '5ms', seed: 1, fifo: 64 };

  it('stop where an unarmed, traced run reaches the pc, and end with the same ledger', async () => {
    const traced = await createService(program, { topology, failover });
    const reaches: number[] = [];
    traced.system!.hosts[0].setTrace((entries) => {
      for (const e of entries) if (e.interrupt === undefined && e.record.pc === label) reaches.push(e.instret);
    });
    const feed = new TransactionFeed(traced.service, feedOptionsFor(WORKLOAD));
    feed.advance();
    const expected = feed.ledger();
    expect(reaches.length).toBeGreaterThan(100);

    const session = sessionInThread();
    await session.create({ topology: 'simplex' });
    await session.load({ kind: 'source', source, name: `${example}.s` });
    await session.setWorkload(WORKLOAD);
    await session.create({ topology, failover });
    await session.setBreakpoints([label]);
    const stops: number[] = [];
    for (let k = 0; k < 40; k++) {
      const view = await runUntilStopped(session);
      expect(view.debugStop).toMatchObject({ kind: 'breakpoint', pc: label });
      expect(view.modules[0].pc).toBe(label);
      stops.push(view.instret);
    }
    expect(stops).toEqual(reaches.slice(0, 40));
    await session.setBreakpoints([]);
    await runUntilStopped(session);
    expect(await session.ledger()).toEqual(expected);
  });
});
