/**
 * The translator tier against the interpreter on simplex machines: the
 * differential harness (differential.ts) over the conformance vectors, the examples and
 * seeded random streams. Where a result has a closed form (a fault in a hot loop,
 * self-modifying code, a patched instruction), it is checked against the formula as well,
 * and every test checks that the translator did translate. Lockstep topologies: lockstep.test.ts.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleOrThrow, machineFor } from '../helpers/machine.ts';
import { randomProgram } from './streams.ts';
import { conformanceVectors, differential, example, EXAMPLES } from './differential.ts';
import { hotLoop, hotLoopLength, SETUP } from './hot-loop.ts';

describe('translator against interpreter', () => {
  it('every conformance vector: the same state at every chunk, QEMU\'s output and exit code', async () => {
    let translated = 0;
    const vectors = conformanceVectors();
    for (const [k, { vector, program }] of vectors.entries()) {
      const { translate } = await differential(program, { seed: k, maxChunk: 700, limit: 1_000_000 });
      expect(Buffer.from(translate.output).toString('hex'), vector.name).toBe(vector.expected_stdout_hex);
      expect(translate.machine.halt?.exitCode, vector.name).toBe(vector.expected_exit_code);
      if (translate.translation!.compiles > 0) translated++;
    }
    expect(translated).toBeGreaterThan(vectors.length / 2); // most vectors run long enough in one page to be translated
  }, 600_000);

  it.each(EXAMPLES)('examples/%s', async (file) => {
    await differential(example(file), { seed: file.length, limit: 1_000_000 });
  }, 120_000);

  it.each(Array.from({ length: 24 }, (_, k) => k + 1))('random stream %d', async (seed) => {
    const { translate } = await differential(randomProgram(seed), { seed, maxChunk: 4000 });
    expect(translate.machine.halt?.reason).toBe('exit');
    expect(translate.translation!.compiles).toBeGreaterThan(0);
  }, 120_000);

  it.each(Array.from({ length: 12 }, (_, k) => 100 + k))('random stream %d with timer interrupts landing in hot loops', async (seed) => {
    const period = 20 + (seed * 37) % 200; // mtime ticks: 200 .. 2,200 instructions
    const { translate } = await differential(randomProgram(seed, { timer: period }), { seed, maxChunk: 4000 });
    expect(translate.machine.halt?.reason).toBe('exit');
    expect(translate.translation!.compiles).toBeGreaterThan(0);
  }, 120_000);

  it('the bench programs, whole: the same final state', async () => {
    for (const name of ['int-mix', 'memory']) {
      const program = assembleOrThrow(readFileSync(new URL(`../../examples/bench/${name}.s`, import.meta.url), 'utf8'), `${name}.s`);
      const { translate } = await differential(program, { seed: 3, maxChunk: 50_000_000, limit: 200_000_000 });
      expect(translate.machine.halt?.exitCode).toBe(0);
      expect(translate.translation!.compiles).toBeGreaterThan(0);
    }
  }, 300_000);
});

// A hot loop: 4 instructions of setup, then 3 a turn, 100,000 turns; a0 grows by 3 a turn.
const TURNS = 100_000;
const HOT_LOOP = hotLoop(TURNS);
/** a0 before instruction n of HOT_LOOP (n ≥ SETUP): turns completed, plus the current one if its addi has run. */
const a0At = (n: number) => 3 * (Math.floor((n - SETUP) / 3) + ((n - SETUP) % 3 >= 1 ? 1 : 0));

describe('exactness inside translated code', () => {
  it.each([[50_001, 4], [123_457, 0], [200_000, 7], [299_999, 11]])('a flip at instruction %d of a hot loop (bit %d of a0) applies there on both engines', async (at, bit) => {
    const { interp, translate } = await differential(HOT_LOOP, { faults: [`at=${at},module=0,kind=flip,target=a0,bit=${bit}`], seed: at, maxChunk: 100_000 });
    const v = a0At(at);
    const expected = (3 * TURNS + ((v ^ (1 << bit)) - v)) >>> 0;
    expect(translate.machine.reg(0, 10)).toBe(expected);
    expect(interp.machine.reg(0, 10)).toBe(expected);
    expect(translate.machine.instret).toBe(hotLoopLength(TURNS));
    expect(translate.translation!.compiles).toBeGreaterThan(0);
  });

  it('a return inside the page to an instruction no block of the translation starts at leaves translated code with what ran', async () => {
    // The page is first translated from f's hot loop, which static flow does not lead to the
    // instruction after the call; f's ret jumps there from inside the translation. f adds 2
    // to a word of RAM 100,000 times; the caller returns that word + 1.
    const { interp, translate } = await differential(`
  .globl _start
_start:
  la t1, counter
  call f
  lw a0, 0(t1)
  addi a0, a0, 1
  li a7, 93
  ecall
f:
  li t0, 100000
1:
  lw t2, 0(t1)
  addi t2, t2, 2
  sw t2, 0(t1)
  addi t0, t0, -1
  bnez t0, 1b
  ret
  .data
counter:
  .word 0
`, { seed: 12, maxChunk: 600_000 });
    for (const { machine } of [interp, translate]) expect(machine.reg(0, 10)).toBe(2 * 100_000 + 1);
    expect(translate.translation!.instructions).toBeGreaterThan(0);
  });

  it('a fault that rewrites the hot loop\'s code (addi a0, a0, 3 → 1) takes effect at its instruction', async () => {
    const program = assembleOrThrow(HOT_LOOP);
    const loop = program.symbols.get('loop')!;
    const at = 150_002;
    const { translate } = await differential(program, {
      faults: [`at=${at},module=0,kind=flip,target=mem:0x${loop.toString(16)},bit=21`], seed: 9, maxChunk: 60_000,
    });
    const k = at - SETUP;
    const addisLeft = TURNS - Math.floor(k / 3) - (k % 3 >= 1 ? 1 : 0);
    expect(translate.machine.reg(0, 10)).toBe(a0At(at) + addisLeft); // bit 21 is bit 1 of the immediate: 3 → 1
    expect(translate.translation!.compiles).toBeGreaterThan(1); // translated again after the change
  });

  it('code that rewrites an instruction of its own hot loop on every turn runs each version once', async () => {
    // patch alternates between addi a0, a0, 3 and addi a0, a0, 1 (bit 1 of its immediate).
    const { translate } = await differential(`
  .globl _start
_start:
  li a0, 0
  li t0, 0
  li t1, 1000
  la t2, patch
  li t4, 0x00200000
loop:
patch:
  addi a0, a0, 3
  lw t3, 0(t2)
  xor t3, t3, t4
  sw t3, 0(t2)
  addi t0, t0, 1
  blt t0, t1, loop
  li a7, 93
  ecall
`, { seed: 5, maxChunk: 3000 });
    expect(translate.machine.reg(0, 10)).toBe(500 * 3 + 500 * 1);
  });

  it('a snapshot restored into a machine whose translations are of newer code runs the restored code', async () => {
    // Four phases of a hot loop; between phases the code flips the loop's immediate (3, 1, 3, 1).
    const source = `
  .globl _start
_start:
  li a0, 0
  li s0, 0
  li t1, 2000
  la t2, patch
  li t4, 0x00200000
phase:
  li t0, 0
loop:
patch:
  addi a0, a0, 3
  addi t0, t0, 1
  blt t0, t1, loop
  lw t3, 0(t2)
  xor t3, t3, t4
  sw t3, 0(t2)
  addi s0, s0, 1
  li t5, 4
  blt s0, t5, phase
  li a7, 93
  ecall
`;
    const { machine } = await machineFor(source, { engine: 'translate' });
    machine.run(3000); // phase 0, translated with immediate 3
    const snapshot = machine.snapshot();
    machine.run(7000); // into phase 1 (immediate 1), translated anew
    machine.restore(snapshot); // the host writes RAM back: phase 0's code under phase 1's translation
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.reg(0, 10)).toBe(2000 * (3 + 1 + 3 + 1));
    expect(machine.core.translation!.compiles).toBeGreaterThan(1);
  });
});
