/**
 * A fault-free runner keeps the states its run passes along a named history without input
 * (passed-states.ts), and a later run of the same history goes on from them: it reports
 * exactly what a run that executes every instruction reports (instruction count, halt,
 * registers, output), while executing only what lies beyond the newest state kept short of
 * each advance — a count that follows from the grid (KEEP_SPACING, SKIP_MIN) alone. A lazy
 * advance (a machine running flat out) stops at a state kept, executing nothing, where that
 * leaves it at most a spacing short. A run ahead (scout) keeps the history's states while the
 * machine is idle.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FaultFreeRunner, SCOUT_SLICE, SKIP_MIN, type FaultFreeReport, type TwinState } from '../../src/worker/fault-free.ts';
import { KEEP_SPACING, MAX_KEPT, MAX_KEPT_BYTES, PassedStates } from '../../src/worker/passed-states.ts';
import { ReferenceRun, type InputChunk } from '../../src/worker/reference.ts';
import { assembleOrThrow, countExecuted } from '../helpers/machine.ts';

const INT_MIX = readFileSync(new URL('../../examples/bench/int-mix.s', import.meta.url), 'utf8');
/** int-mix with 2 M turns of 20 instructions: about 40 M instructions, then it prints its checksum and exits. */
const PROGRAM = assembleOrThrow(INT_MIX.replace(/^(\s+li\s+s0,\s*)6000000(\s)/m, '$12000000$2'), 'int-mix.s');
const SETUP = { topology: 'simplex' } as const;
/** Where the twin forks: a fault-free state of the program, as a machine's before its first fault. */
const FORK = 1000;
const END = 100_000_000;
/** Advances as a machine's time slices ask for them. */
const UNTILS = [5_000_000, 20_000_000, 37_000_000, END];

async function forkState(at = FORK): Promise<{ state: TwinState; output: Uint8Array }> {
  const run = await ReferenceRun.start(SETUP, PROGRAM);
  run.advance(at, []);
  return { state: { ...run.state(), instret: run.instret }, output: run.output() };
}

/** What a report says of the run, without how the output was sent. */
const seen = (r: FaultFreeReport, output: number[]) => {
  output.length = r.outputFrom;
  output.push(...r.output);
  return { instret: r.instret, halt: r.halt, pc: r.module.pc, regs: r.module.regs, output: new TextDecoder().decode(Uint8Array.from(output)) };
};

/** Instructions machines execute while `body` runs. */
function executedBy(body: () => void): number {
  const counter = countExecuted();
  try {
    body();
  } finally {
    counter.stop();
  }
  return counter.executed;
}

/** A twin's pass over the history from `from` (FORK by default): forget(history), resume, the advances (`lazy` ones: a machine running flat out). */
async function pass(runner: FaultFreeRunner, history: string | undefined, inputs: InputChunk[] = [], { untils = UNTILS, lazy = false, from = FORK } = {}) {
  const { state, output } = await forkState(from);
  runner.forget(history);
  runner.resume(state, output);
  const out: number[] = [...output];
  const reports: ReturnType<typeof seen>[] = [];
  const executed = executedBy(() => {
    for (const until of untils) reports.push(seen(runner.advance(until, inputs, lazy), out));
  });
  return { reports, executed };
}

describe('a fault-free runner along a named history', () => {
  it('goes on from the states the last run of the history passed, and reports what a full run reports', async () => {
    const full = await pass(new FaultFreeRunner(), undefined);
    const halt = full.reports.at(-1)!;
    expect(halt.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(halt.output).toMatch(/^[0-9a-f]{8}\n$/);
    expect(halt.instret).toBeGreaterThan(37_000_000 + SKIP_MIN); // the halt's state saves the last advance's whole way
    expect(full.executed).toBe(halt.instret - FORK);

    const runner = new FaultFreeRunner();
    const first = await pass(runner, 'int-mix on simplex');
    expect(first.reports).toEqual(full.reports);
    expect(first.executed).toBe(halt.instret - FORK); // nothing kept yet

    const again = await pass(runner, 'int-mix on simplex');
    expect(again.reports).toEqual(full.reports);
    // From the fork to 5 M (no state kept between); from 2^24 to 20 M; from 2^25 to 37 M; the halt's state kept.
    expect(again.executed).toBe((5_000_000 - FORK) + (20_000_000 - KEEP_SPACING) + (37_000_000 - 2 * KEEP_SPACING) + 0);
  });

  it('keeps nothing for another history, an unnamed one, or one that took input', async () => {
    const runner = new FaultFreeRunner();
    const full = await pass(runner, 'one');
    const total = full.executed;
    expect((await pass(runner, 'another')).executed).toBe(total);
    expect((await pass(runner, 'another')).executed).toBeLessThan(total); // kept for 'another' now
    expect((await pass(runner, undefined)).executed).toBe(total);

    await pass(runner, 'one'); // kept for 'one' again
    const input = [{ at: 2_000_000, bytes: new TextEncoder().encode('x') }]; // int-mix reads none: the run is the same
    const withInput = await pass(runner, 'one', input);
    expect(withInput.reports).toEqual(full.reports);
    expect(withInput.executed).toBe(total); // a history with input goes on from no kept state...
    expect((await pass(runner, 'one')).executed).toBe(total); // ...and keeps none for the next run
  });
});

describe('lazy advances (a machine running flat out)', () => {
  it('stop at the states kept where the history is kept past them, executing nothing, at most a spacing short', async () => {
    const runner = new FaultFreeRunner();
    const first = await pass(runner, 'h', [], { lazy: true });
    const halt = first.reports.at(-1)!.instret;
    expect(first.executed).toBe(halt - FORK); // nothing kept past any advance yet: each runs to its end
    expect(first.reports.map((r) => r.instret)).toEqual([...UNTILS.slice(0, -1), halt]);

    // The full run's states at the grid's points, as an unnamed runner reports them.
    const full = await pass(new FaultFreeRunner(), undefined, [], { untils: [KEEP_SPACING, 2 * KEEP_SPACING, END] });
    const again = await pass(runner, 'h', [], { lazy: true });
    expect(again.executed).toBe(0);
    // 5 M: no state kept after the fork and before it, and the fork lies less than a spacing short: it stays there.
    expect(again.reports[0].instret).toBe(FORK);
    expect(again.reports.slice(1)).toEqual(full.reports); // 20 M and 37 M: at 2^24 and 2^25; the end: the halt's state
    for (const [k, r] of again.reports.entries()) expect(r.instret).toBeGreaterThanOrEqual(Math.min(halt, UNTILS[k]) - KEEP_SPACING);

    // An advance that is not lazy takes it to where it was asked, from the state a lazy one stopped at.
    const short = await pass(runner, 'h', [], { lazy: true, untils: [37_000_000] });
    expect(short.reports[0].instret).toBe(2 * KEEP_SPACING);
    expect(executedBy(() => runner.advance(37_000_000, []))).toBe(37_000_000 - 2 * KEEP_SPACING);
  });

  it('execute where the states kept leave more than a spacing to run', async () => {
    const runner = new FaultFreeRunner();
    await pass(runner, 'h', [], { from: 30_000_000 }); // keeps 2^25 and the halt only: no state before 30 M
    const lazy = await pass(runner, 'h', [], { lazy: true });
    // 5 M: within a spacing of the fork; 20 M: more than a spacing past it, with no state kept between, so it runs (and keeps 2^24); 37 M: to 2^25; the end.
    expect(lazy.executed).toBe(20_000_000 - FORK);
    expect(lazy.reports.map((r) => r.instret)).toEqual([FORK, 20_000_000, 2 * KEEP_SPACING, lazy.reports.at(-1)!.instret]);
    expect(lazy.reports.at(-1)!.halt).toMatchObject({ reason: 'exit' });

    // Along a history that is not kept, an advance is what it asks for, lazy or not.
    const unkept = await pass(new FaultFreeRunner(), undefined, [], { lazy: true });
    expect(unkept.reports.map((r) => r.instret)).toEqual([...UNTILS.slice(0, -1), lazy.reports.at(-1)!.instret]);
  });
});

describe('a run ahead of the machine (scout)', () => {
  /** Instructions machines execute until `done` resolves. */
  async function executedUntil(done: () => Promise<void>): Promise<number> {
    const counter = countExecuted();
    try {
      await done();
    } finally {
      counter.stop();
    }
    return counter.executed;
  }

  it('runs the history from its start and keeps its states: a later twin running flat out executes none of it', async () => {
    const full = await pass(new FaultFreeRunner(), undefined, [], { untils: [KEEP_SPACING, 2 * KEEP_SPACING, END] });
    const halt = full.reports.at(-1)!.instret;
    const start = await forkState(0);
    const runner = new FaultFreeRunner();
    runner.forget('h');
    expect(await executedUntil(() => runner.scout(start.state, start.output))).toBe(halt); // the whole history, once
    const lazy = await pass(runner, 'h', [], { lazy: true });
    expect(lazy.executed).toBe(0);
    expect(lazy.reports.slice(1)).toEqual(full.reports);
    expect(await executedUntil(() => runner.scout(start.state, start.output))).toBe(0); // nothing left to run ahead
  });

  it('holds after its slice, goes on where it was held, and ends with the history kept', async () => {
    const start = await forkState(0);
    const runner = new FaultFreeRunner();
    runner.forget('h');
    const held = await executedUntil(() => {
      const stopped = runner.scout(start.state, start.output);
      runner.hold();
      return stopped;
    });
    expect(held).toBe(SCOUT_SLICE); // one slice
    const rest = await executedUntil(() => runner.scout());
    const full = await pass(new FaultFreeRunner(), undefined, [], { untils: [END] });
    expect(held + rest).toBe(full.reports[0].instret); // from the start to the halt, each instruction once
    const again = await pass(runner, 'h', [], { lazy: true });
    expect(again.executed).toBe(0);
  });

  it('starts again for the next history when the last ended at once', async () => {
    const start = await forkState(0);
    const runner = new FaultFreeRunner();
    runner.forget('h');
    const whole = await executedUntil(() => runner.scout(start.state, start.output));
    expect(await executedUntil(() => runner.scout(start.state, start.output))).toBe(0); // from the start to the halt's state kept: over at once
    runner.forget('another');
    expect(await executedUntil(() => runner.scout(start.state, start.output))).toBe(whole);
  });

  it('does nothing along a history not kept, and ends when the history takes input', async () => {
    const start = await forkState(0);
    const runner = new FaultFreeRunner();
    runner.forget(undefined);
    expect(await executedUntil(() => runner.scout(start.state, start.output))).toBe(0);
    runner.forget('h');
    await executedUntil(() => {
      const stopped = runner.scout(start.state, start.output);
      runner.hold();
      return stopped;
    });
    await pass(runner, 'h', [{ at: 2_000_000, bytes: new TextEncoder().encode('x') }]);
    expect(await executedUntil(() => runner.scout())).toBe(0);
  });
});

describe('the states kept', () => {
  /** A state at `instret` whose snapshot has `bytes` bytes. */
  const at = (instret: number, bytes = 1): TwinState => ({ snapshot: new ArrayBuffer(bytes), queue: [], delivered: 0, outputLength: 0, instret });

  it('lie on a grid whose spacing doubles when more than MAX_KEPT would be kept', () => {
    const kept = new PassedStates();
    kept.clear('h');
    for (let k = 1; k <= MAX_KEPT; k++) kept.keep(at(k * KEEP_SPACING));
    expect(kept.count).toBe(MAX_KEPT);
    expect(kept.nextAfter(MAX_KEPT * KEEP_SPACING)).toBe((MAX_KEPT + 1) * KEEP_SPACING);
    kept.keep(at((MAX_KEPT + 1) * KEEP_SPACING));
    expect(kept.count).toBe(Math.floor((MAX_KEPT + 1) / 2)); // the even multiples of KEEP_SPACING
    expect(kept.nextAfter(MAX_KEPT * KEEP_SPACING)).toBe((MAX_KEPT + 2) * KEEP_SPACING);
    expect(kept.newest(0, 3 * KEEP_SPACING)?.instret).toBe(2 * KEEP_SPACING);
    expect(kept.newest(2 * KEEP_SPACING, 3 * KEEP_SPACING)).toBeUndefined();
    expect(kept.wants(3 * KEEP_SPACING)).toBe(false); // off the grid now
  });

  it('stay under MAX_KEPT_BYTES, and keep the state the run halted in beside the grid', () => {
    const kept = new PassedStates();
    kept.clear('h');
    const MiB = 2 ** 20;
    const fit = Math.floor(MAX_KEPT_BYTES / MiB);
    for (let k = 1; k <= fit + 1; k++) kept.keep(at(k * KEEP_SPACING, MiB));
    expect(kept.count).toBe(Math.floor((fit + 1) / 2));
    expect(kept.bytes).toBeLessThanOrEqual(MAX_KEPT_BYTES);
    kept.keep(at(5 * KEEP_SPACING + 7), true);
    expect(kept.newest(5 * KEEP_SPACING, 5 * KEEP_SPACING + 7)?.instret).toBe(5 * KEEP_SPACING + 7); // between grid points
    expect(kept.wants(5 * KEEP_SPACING + 7, true)).toBe(false);
    // An end of all but 1 MiB of the budget leaves room for one grid state of 1 MiB at most.
    kept.keep(at(9 * KEEP_SPACING + 1, MAX_KEPT_BYTES - MiB), true);
    expect(kept.bytes).toBeLessThanOrEqual(MAX_KEPT_BYTES);
    expect(kept.count).toBeLessThanOrEqual(2);
    expect(kept.newest(9 * KEEP_SPACING, 10 * KEEP_SPACING)?.instret).toBe(9 * KEEP_SPACING + 1);
    // A state over the budget alone ends keeping for the history: none of its states is kept, nor will be.
    kept.keep(at(10 * KEEP_SPACING + 1, MAX_KEPT_BYTES + 1), true);
    expect([kept.count, kept.keeping, kept.history]).toEqual([0, false, 'h']);
    kept.keep(at(11 * KEEP_SPACING));
    expect(kept.count).toBe(0);
    kept.clear('h');
    expect(kept.keeping).toBe(true);
    kept.clear();
    expect(kept.count).toBe(0);
    expect(kept.keeping).toBe(false);
  });
});
