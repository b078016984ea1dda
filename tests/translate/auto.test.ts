/**
 * The `auto` engine (the default): translated code where it pays, the interpreter's own
 * loops elsewhere, as assembly/translate/dispatch.ts judges it with the constants the core
 * exports (PROBE, SLOW_SHARE, PAY_WINDOW, INTERPRET_FIRST...). What runs where is checked
 * against that policy's arithmetic on programs whose instruction counts are known; that the
 * results are the interpreter's, with the differential harness (differential.ts), on every
 * topology and with faults, where the machine moves between the two loops at any point.
 */
import { describe, expect, it } from 'vitest';
import type { Topology } from '../../src/machine/topology.ts';
import { Random } from '../../src/fault/random.ts';
import { assembleOrThrow, runProgram } from '../helpers/machine.ts';
import { randomProgram } from './streams.ts';
import { differential, example, EXAMPLES } from './differential.ts';
import { hotLoop, hotLoopLength } from './hot-loop.ts';

// A hot loop (hot-loop.ts): nothing in it leaves translated code.
const TURNS = 400_000;
const HOT_LOOP = hotLoop(TURNS);
const HOT_TOTAL = hotLoopLength(TURNS);

// A loop of 4 instructions that reads the UART's line status (a device load, which the
// interpreter leaves to its full step) once a turn: one in 4 > one in SLOW_SHARE.
const POLLING = `
  .globl _start
_start:
  li t2, 0x10000000
  li t0, 0
  li t1, 200000
loop:
  lbu a1, 5(t2)
  add a0, a0, a1
  addi t0, t0, 1
  blt t0, t1, loop
  li a7, 93
  ecall
`;

// A loop that calls a function on another page every 3 instructions: each call of a
// translation would run 3 instructions, which does not pay (6 × calls ≥ instructions).
const CALLS = 3_000_000;
const CROSS_PAGE = `
  .globl _start
_start:
  li s0, ${CALLS}
  li a0, 0
loop:
  call far
  addi s0, s0, -1
  bnez s0, loop
  li a7, 93
  ecall
  .align 12
far:
  addi a0, a0, 1
  ret
`;

describe('auto: where translation pays', () => {
  it.each(['simplex', 'tmr'] as const)('%s: a hot loop runs interpreted for the first PROBE instructions, then translated', async (topology) => {
    const { translate } = await differential(HOT_LOOP, { topology, engine: 'auto', seed: 2, maxChunk: 200_000 });
    const L = translate.machine.core.layout;
    const { instructions, compiles } = translate.translation!;
    expect(translate.machine.reg(0, 10)).toBe(3 * TURNS);
    expect(instructions).toBeLessThanOrEqual(HOT_TOTAL - L.PROBE);
    // After the probe: the page heats (HOT_PAGE_HEAT) and the ends of the test's chunks cut a turn at most each.
    expect(instructions).toBeGreaterThanOrEqual(HOT_TOTAL - L.PROBE - L.HOT_PAGE_HEAT - 2 * 64);
    expect(compiles).toBe(1);
  });

  it.each(['simplex', 'dmr'] as const)('%s: a loop that reads a device every turn is never translated, nor compiled', async (topology) => {
    const { translate } = await differential(POLLING, { topology, engine: 'auto', seed: 3, maxChunk: 100_000 });
    expect(translate.machine.halt?.reason).toBe('exit');
    expect(translate.translation).toMatchObject({ instructions: 0, compiles: 0 });
  });

  it('a loop that calls across pages is tried on translated code in windows that do not pay, each after an interpreted stretch twice as long', async () => {
    const { machine } = await runProgram(CROSS_PAGE, { engine: 'auto', limit: 20_000_000 });
    const L = machine.core.layout;
    const total = machine.instret;
    expect(machine.reg(0, 10)).toBe(CALLS);
    // Windows start after the probe, then after stretches of INTERPRET_FIRST, 2 ×, 4 × ...
    let windows = 0;
    for (let at = L.PROBE, stretch = L.INTERPRET_FIRST; at < total; at += L.PAY_WINDOW + stretch, stretch *= 2) windows++;
    // A window ends after the call that fills it: at most one call (a few instructions) over.
    const translated = machine.core.translation!.instructions;
    expect(translated).toBeGreaterThan(0);
    expect(translated).toBeLessThanOrEqual(windows * (L.PAY_WINDOW + 8));
    // Had the first window paid, the rest of the run would have been translated.
    expect(translated).toBeLessThan(total / 4);
  });
});

describe('auto against the interpreter', () => {
  it.each(EXAMPLES)('examples/%s on tmr', async (file) => {
    await differential(example(file), { topology: 'tmr', engine: 'auto', seed: file.length, limit: 1_000_000 });
  }, 120_000);

  it.each(Array.from({ length: 9 }, (_, k) => 300 + k))('random stream %d, 4,000 outer turns, with a fault', async (seed) => {
    const rng = new Random(seed);
    const topology: Topology = (['dmr', 'pair-spare', 'tmr'] as const)[seed % 3];
    const program = assembleOrThrow(randomProgram(seed, { iterations: 4000 }));
    const length = (await runProgram(program, { topology, engine: 'interp' })).machine.instret;
    const fault = `at=${Math.floor(length / 2) + rng.below(Math.floor(length / 2))},module=${rng.below(2)},kind=flip,target=x${1 + rng.below(31)},bit=${rng.below(32)}`;
    await differential(program, { topology, engine: 'auto', faults: [fault], repairAfter: topology === 'dmr' ? undefined : 5000, seed, maxChunk: 50_000, limit: 3 * length });
  }, 120_000);
});
