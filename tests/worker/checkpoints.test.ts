/**
 * The checkpoints time travel keeps (src/worker/checkpoints.ts) and its memory bound (issue
 * 15: under 64 MB for a 1 MiB machine over a 100 M-instruction run). The thinning is checked
 * against its definition (of each level — the trailing zero bits of n for the checkpoint at
 * n × interval — the newest `perLevel`), the count and spacing bounds its comment states,
 * and the byte budget; then a real run of 100 M instructions that rewrites its RAM, with a
 * module offline and the twin on, stays within the budget.
 */
import { describe, expect, it, onTestFinished } from 'vitest';
import { CheckpointStore, FINE_LIMIT, type Kept } from '../../src/worker/checkpoints.ts';
import { MachineSession } from '../../src/worker/session.ts';
import { spawnFaultFreeNodeWorker } from '../../src/worker/fault-free-node-client.ts';
import { CHECKPOINT_BUDGET, CHECKPOINTS_PER_LEVEL, checkpointInterval } from '../../src/worker/time-travel.ts';
import { DEFAULT_ENGINE } from '../../src/machine/core.ts';

const at = (instret: number, bytes = 1): Kept => ({ instret, bytes });

/** The definition: for every level, the newest `perLevel` of 1..n with that many trailing zero bits. */
function expectedKept(n: number, perLevel: number): number[] {
  const byLevel = new Map<number, number[]>();
  for (let k = 1; k <= n; k++) {
    const level = Math.log2(k & -k);
    if (!byLevel.has(level)) byLevel.set(level, []);
    byLevel.get(level)!.push(k);
  }
  return [...byLevel.values()].flatMap((ks) => ks.slice(-perLevel)).sort((a, b) => a - b);
}

describe('CheckpointStore', () => {
  it.each([2, 3, 4, 6])('keeps the newest %i periodic checkpoints of each level, at most perLevel × (⌊log2 n⌋ + 1), spaced at most interval + (age + interval) / (perLevel − 1) apart', (perLevel) => {
    const interval = 1000;
    const store = new CheckpointStore(at(0), interval, perLevel, Infinity);
    for (let n = 1; n <= 2100; n++) {
      expect(store.due(n * interval)).toBe(true);
      store.add(at(n * interval));
      expect(store.due(n * interval)).toBe(false);
      const kept = store.all().map((c) => c.instret / interval);
      expect(kept).toEqual([0, ...expectedKept(n, perLevel)]);
      expect(kept.length - 1).toBeLessThanOrEqual(perLevel * (Math.floor(Math.log2(n)) + 1));
      // Any instruction x up to the newest lies at most interval + (age + interval) / (perLevel − 1) after the kept checkpoint before it.
      for (let i = 0; i + 1 < kept.length; i++) {
        const x = kept[i + 1] * interval - 1; // the farthest from kept[i], and the youngest between them
        const age = n * interval - x;
        expect(x - kept[i] * interval).toBeLessThanOrEqual(interval + (age + interval) / (perLevel - 1));
      }
    }
  });

  it('finds the newest checkpoint at or before an instruction, drops a branch\'s future, and keeps the start', () => {
    const store = new CheckpointStore(at(0), 10, 2, Infinity);
    for (let n = 1; n <= 8; n++) store.add(at(10 * n));
    store.setFine([at(73), at(76)]);
    expect(store.latest(75).instret).toBe(73);
    expect(store.latest(79).instret).toBe(76);
    expect(store.latest(5).instret).toBe(0);
    expect(store.latest(79, (c) => c.instret % 10 === 0).instret).toBe(70);
    store.dropAfter(74);
    expect(store.all().map((c) => c.instret)).toEqual([0, ...expectedKept(8, 2).map((n) => 10 * n).filter((t) => t <= 74), 73]);
    expect(store.due(80)).toBe(true);
    expect(() => store.add(at(65))).toThrow(/no periodic checkpoint is due/);
    store.setFine(Array.from({ length: 20 }, (_, k) => at(71 + k / 10)));
    expect(store.count).toBe(1 + 5 + FINE_LIMIT); // the start, 20 40 50 60 70, and the fine ones
  });

  it('stays within its byte budget: the oldest periodic checkpoints go first, then fine ones; never the start or the newest periodic one', () => {
    const store = new CheckpointStore(at(0, 100), 10, 4, 1000);
    for (let n = 1; n <= 40; n++) store.add(at(10 * n, 150));
    expect(store.bytes).toBeLessThanOrEqual(1000);
    const kept = store.all().map((c) => c.instret);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(400);
    // Without the budget these would be kept: the budget took the oldest of them.
    const unbounded = [0, ...expectedKept(40, 4).map((n) => 10 * n)];
    expect(kept).toEqual([0, ...unbounded.slice(unbounded.length - (kept.length - 1))]);
    store.setFine([at(401, 300), at(402, 300)]);
    expect(store.bytes).toBeLessThanOrEqual(1000);
    expect(store.all().map((c) => c.instret).at(-1)).toBe(402);
  });
});

/**
 * Rewrites 768 KiB of RAM, word by word, pass after pass, each pass with other values: every
 * checkpoint holds all of those pages. 3 instructions before the first pass, 4 a word and 3
 * more a pass.
 */
const REWRITER = `
        li      s0, 0x80010000
        li      s1, 0x800D0000
        li      s2, 1
pass:   mv      t0, s0
word:   xor     t1, t0, s2
        sw      t1, 0(t0)
        addi    t0, t0, 4
        bltu    t0, s1, word
        addi    s2, s2, 1
        j       pass
`;

describe('the memory bound', () => {
  it('keeps under 64 MB of checkpoints for a 1 MiB machine over a 100 M-instruction run that rewrites its RAM, a module offline and the twin on', async () => {
    const session = new MachineSession({}, spawnFaultFreeNodeWorker); // the twin in its own worker thread, as in the app: its states arrive after their checkpoints
    onTestFinished(() => session.close());
    await session.create({ topology: 'tmr', ramMiB: 1 });
    await session.load({ kind: 'source', source: REWRITER, name: 'rewriter.s' });
    session.setTwin(true);
    await session.inject('at=1000,module=2,kind=kill'); // module 2's RAM stays as it was: its pages differ from module 0's
    while ((await session.view()).instret < 100_000_000) await session.run(Math.min(20_000_000, 100_000_000 - (await session.view()).instret));
    const view = await session.view();
    expect(view.instret).toBe(100_000_000);
    expect(view.twin?.same).toBe(false);
    const history = view.history!;
    const n = Math.floor(100_000_000 / checkpointInterval(DEFAULT_ENGINE));
    expect(history.checkpoints).toBeLessThanOrEqual(1 + CHECKPOINTS_PER_LEVEL * (Math.floor(Math.log2(n)) + 1) + FINE_LIMIT);
    // Each holds module 0's rewritten pages, module 2's stale ones and the twin's: about 2.7 MB.
    expect(history.bytes / (history.checkpoints - 1)).toBeGreaterThan(2 * 768 * 1024);
    expect(history.bytes).toBeLessThanOrEqual(CHECKPOINT_BUDGET);
    expect(CHECKPOINT_BUDGET).toBeLessThan(64e6);
    // Going back is still exact: the pass counter s2 (x18) at an instruction is 1 + the passes done by then.
    const perPass = 4 * (0x800D0000 - 0x80010000) / 4 + 3;
    const target = 73_456_789;
    const back = await session.travel(target);
    expect(back.instret).toBe(target);
    expect(back.modules[0].regs[18]).toBe(1 + Math.floor((target - 3) / perPass));
    expect(back.twin!.regs[18]).toBe(back.modules[0].regs[18]);
    expect((await session.view()).history!.bytes).toBeLessThanOrEqual(CHECKPOINT_BUDGET);
  }, 300_000);
});
