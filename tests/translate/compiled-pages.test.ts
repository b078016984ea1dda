/**
 * Compiled pages (src/translate/compiled-pages.ts): a page translated again in the same
 * thread with the same inputs takes the module compiled before, and only then. Whether it
 * was reused is read from the core's translation stats; that the result is right, from the
 * programs' closed-form results (hot-loop.ts) and the interpreter's run of the same program.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { COMPILED_PAGES_KEPT, forgetCompiledPages } from '../../src/translate/compiled-pages.ts';
import { runProgram } from '../helpers/machine.ts';
import { hotLoop, hotLoopLength } from './hot-loop.ts';

const TURNS = 100_000;

/** hotLoop with `step` added to a0 each turn instead of 3 (the same length: only one instruction's immediate differs). */
const loopAdding = (step: number) => hotLoop(TURNS).replace('addi a0, a0, 3', `addi a0, a0, ${step}`);

async function translated(source: string, setup: { ramMiB?: number } = {}) {
  const { machine } = await runProgram(source, { engine: 'translate', limit: 10_000_000, ...setup });
  return { a0: machine.reg(0, 10), instret: machine.instret, exit: machine.halt?.reason, stats: machine.core.translation! };
}

describe('compiled pages', () => {
  beforeEach(() => forgetCompiledPages());

  it('a second machine running the same program reuses every page the first compiled, with the same result', async () => {
    const first = await translated(hotLoop(TURNS));
    const second = await translated(hotLoop(TURNS));
    expect(first.stats.compiles).toBeGreaterThan(0);
    expect(first.stats.reused).toBe(0);
    expect(second.stats).toMatchObject({ compiles: first.stats.compiles, reused: first.stats.compiles });
    for (const run of [first, second]) expect(run).toMatchObject({ a0: 3 * TURNS, instret: hotLoopLength(TURNS), exit: 'exit' });
  });

  it('a page whose words differ is translated anew: another program at the same address runs its own code', async () => {
    await translated(loopAdding(3));
    const other = await translated(loopAdding(5));
    expect(other.stats.reused).toBe(0);
    expect(other).toMatchObject({ a0: 5 * TURNS, instret: hotLoopLength(TURNS), exit: 'exit' });
    const interpreted = await runProgram(loopAdding(5), { engine: 'interp', limit: 10_000_000 });
    expect(other.a0).toBe(interpreted.machine.reg(0, 10));
  });

  it('the same words on a machine of another RAM size are translated for it, not taken from the other', async () => {
    await translated(hotLoop(TURNS), { ramMiB: 1 });
    const larger = await translated(hotLoop(TURNS), { ramMiB: 4 });
    expect(larger.stats.reused).toBe(0);
    expect(larger).toMatchObject({ a0: 3 * TURNS, exit: 'exit' });
  });

  it(`keeps the ${COMPILED_PAGES_KEPT} pages used last: a page is dropped after that many others, unless used again meanwhile`, async () => {
    const others = (from: number, count: number) => Array.from({ length: count }, (_, k) => loopAdding(from + k));
    await translated(loopAdding(1));
    for (const source of others(2, COMPILED_PAGES_KEPT - 1)) await translated(source);
    expect((await translated(loopAdding(1))).stats.reused).toBe(1); // COMPILED_PAGES_KEPT − 1 others since: still kept, and now used last
    for (const source of others(100, COMPILED_PAGES_KEPT - 1)) await translated(source);
    expect((await translated(loopAdding(1))).stats.reused).toBe(1);
    for (const source of others(200, COMPILED_PAGES_KEPT)) await translated(source);
    expect((await translated(loopAdding(1))).stats.reused).toBe(0); // COMPILED_PAGES_KEPT others since: dropped
  });

  it('after forgetCompiledPages() nothing is reused', async () => {
    await translated(hotLoop(TURNS));
    forgetCompiledPages();
    expect((await translated(hotLoop(TURNS))).stats.reused).toBe(0);
  });
});
