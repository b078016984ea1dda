/**
 * The machine worker API (DESIGN §2): a MachineSession behind comlink, over a MessageChannel
 * in this thread and in a real worker_threads Worker, driven the way the browser drives it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { expose, wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { MessageChannel as NodeMessageChannel } from 'node:worker_threads';
import { MachineSession } from '../../src/worker/session.ts';
import { createNodeMachineWorker } from '../../src/worker/node-client.ts';
import type { MachineClient } from '../../src/worker/client.ts';
import { CHECKSUM_OUTPUT as EXPECTED } from '../helpers/checksum.ts'; // examples/checksum.s's output, derived there

const CHECKSUM = readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8');
/** Counts in t0 (x5) for ever. */
const FOREVER = 'loop:\n  addi t0, t0, 1\n  j loop\n';

function inThread(): Remote<MachineSession> {
  const { port1, port2 } = new NodeMessageChannel();
  expose(new MachineSession(), nodeEndpoint(port1));
  return wrap<MachineSession>(nodeEndpoint(port2));
}

const workers: MachineClient[] = [];
afterAll(() => workers.forEach((w) => w.terminate()));

describe.each([
  ['over a MessageChannel', () => inThread()],
  ['in a worker thread', () => { const w = createNodeMachineWorker(); workers.push(w); return w.session; }],
])('MachineSession %s', (_where, connect) => {
  it('loads, runs, and reports through views', async () => {
    const session = connect();
    await session.create({ topology: 'tmr' });
    const loaded = await session.load({ kind: 'source', source: CHECKSUM, name: 'checksum.s' });
    expect(loaded.entry).toBe(0x8000_0000);
    expect(loaded.sourceMap[0]).toEqual([0x8000_0000, { file: 'checksum.s', line: 7 }]);
    const first = await session.view();
    expect(first.modules.map((m) => m.state)).toEqual(['online', 'online', 'online']);
    expect(first.modules[0].pc).toBe(0x8000_0000);
    const stepped = await session.step(3);
    expect(stepped.instret).toBe(3);
    expect(stepped.modules[0].regs[8]).toBe(0x8000_1000); // s0 = table (la: instructions 0-1)
    expect(stepped.modules[0].regs[9]).toBe(256); // s1 (li: instruction 2)

    await session.inject('module=1,kind=flip,target=s1,bit=2');
    const result = await session.run(1_000_000);
    expect(result.halted).toBe(true);
    const view = await session.view();
    expect(new TextDecoder().decode(view.output)).toBe(EXPECTED);
    expect(view.events.map((e) => e.kind)).toContain('diverge');
    expect(view.modules[1].state).toBe('offline');
    expect(view.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
  });

  it('rejects bad input with the library errors', async () => {
    const session = connect();
    await session.create({ topology: 'dmr' });
    await expect(session.load({ kind: 'source', source: 'addi x1, x2', name: 'bad.s' })).rejects.toThrow(/bad\.s:1:\d+: error/);
    await session.load({ kind: 'source', source: CHECKSUM });
    await expect(session.inject('module=5,kind=flip,target=x1,bit=1')).rejects.toThrow(/module 5 does not exist/);
  });

  it('free-runs in slices, pauses, and snapshots round-trip', async () => {
    const session = connect();
    await session.create({ topology: 'dmr' });
    await session.load({ kind: 'source', source: CHECKSUM });
    await session.step(1000);
    const snapshot = await session.snapshot();
    expect(snapshot.byteLength).toBeGreaterThan(0);
    await session.start();
    for (let k = 0; k < 100 && !(await session.view()).halt; k++) await new Promise((r) => setTimeout(r, 5));
    const done = await session.view();
    expect(done.halt?.reason).toBe('exit');
    await session.restore(snapshot);
    const restored = await session.view();
    expect(restored.instret).toBe(1000);
    await session.run(1_000_000);
    expect((await session.view()).halt?.reason).toBe('exit');
  });

  it('keeps the loaded program when a load fails: an empty program is refused, the old one still runs', async () => {
    const session = connect();
    await session.create({ topology: 'dmr' });
    await session.load({ kind: 'source', source: CHECKSUM });
    await expect(session.load({ kind: 'source', source: '' })).rejects.toThrow(/nothing to run/);
    await session.reset();
    await session.run(1_000_000);
    expect(new TextDecoder().decode((await session.view()).output)).toBe(EXPECTED);
  });

  it('answers changed() after the slice that halted, with a status() that carries the output but no registers', async () => {
    const session = connect();
    await session.create({ topology: 'dmr' });
    await session.load({ kind: 'source', source: CHECKSUM });
    await session.changed(); // not running: at once
    await session.start();
    await session.changed();
    const status = await session.status();
    expect(status).toMatchObject({ running: false, halt: { reason: 'exit', exitCode: 0 } });
    expect(new TextDecoder().decode(status.output)).toBe(EXPECTED);
    expect(status.modules.map((m) => [m.id, m.state])).toEqual([[0, 'online'], [1, 'online']]);
    expect(status.modules[0]).not.toHaveProperty('regs');
  });

  it('answers changed() while running when a slice left new events, and when paused', async () => {
    const session = connect();
    await session.create({ topology: 'tmr' });
    await session.load({ kind: 'source', source: FOREVER });
    await session.inject('at=200000,module=2,kind=flip,target=t0,bit=3');
    await session.start();
    await session.changed();
    const status = await session.status();
    expect(status.running).toBe(true);
    expect(status.events.map((e) => e.kind)).toEqual(['inject', 'diverge', 'offline']);
    expect(status.modules.map((m) => m.state)).toEqual(['online', 'online', 'offline']);
    const waiting = session.changed();
    await session.pause();
    await waiting;
    expect((await session.view()).running).toBe(false);
  });
});
