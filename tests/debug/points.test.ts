/**
 * Breakpoints and watchpoints in the core (src/debug/points.ts, assembly/lockstep/debug.ts):
 * a run stops before exactly the instruction they name, on every lockstep topology and
 * compare point, with the instruction numbers derived by hand from the programs' sources
 * (DESIGN §5: instructions count from 0; `at=N` applies before instruction N).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleOrThrow, machineFor } from '../helpers/machine.ts';
import { CHECKSUM_OUTPUT } from '../helpers/checksum.ts';
import { DebugPoints } from '../../src/debug/points.ts';
import { parseWatch, WatchError } from '../../src/debug/watch.ts';
import { TOPOLOGIES } from '../../src/machine/topology.ts';
import type { ComparePoint, Machine } from '../../src/machine/machine.ts';
import { parseFault } from '../../src/fault/spec.ts';

/** Every lockstep topology, and the redundant ones at each compare point. */
const MACHINES: [string, { topology: (typeof TOPOLOGIES)[number]; compare: ComparePoint }][] = TOPOLOGIES.flatMap((topology) =>
  (topology === 'simplex' ? ['every'] as const : ['every', 'store', 'io'] as const).map((compare) => [`${topology}, compare ${compare}`, { topology, compare }] as [string, { topology: (typeof TOPOLOGIES)[number]; compare: ComparePoint }]));

const BASE = 0x8000_0000;

/**
 * Instruction numbers (each instruction is one word, from 0x80000000):
 *   0 li t0, 0   1 li t1, 5   loop: 2k addi t0 (0x80000008), 2k+1 bne (0x8000000c) for k = 1..5
 *   12 li a7, 93 (0x80000010)   13 li a0, 0   14 ecall (exit)
 */
const LOOP = `
_start: li t0, 0
        li t1, 5
loop:   addi t0, t0, 1
        bne t0, t1, loop
done:   li a7, 93
        li a0, 0
        ecall
`;

/**
 * 0-1 la s0, buf   2 li t0, 7   3 sw t0, 0(s0) (0 → 7)   4 sw t0, 0(s0) (7 again: no change)
 * 5 addi t0, t0, 1   6 sb t0, 1(s0) (byte 1 = 8: 0x00000807)   7 sw t0, 4(s0) (the next word)
 * 8 li a7, 93   9 li a0, 0   10 ecall
 */
const STORES = `
_start: la s0, buf
        li t0, 7
        sw t0, 0(s0)
        sw t0, 0(s0)
        addi t0, t0, 1
        sb t0, 1(s0)
        sw t0, 4(s0)
        li a7, 93
        li a0, 0
        ecall
        .data
        .align 2
buf:    .word 0, 0
`;

/**
 * A trap handler: 0-1 la t0, handler   2 csrw mtvec, t0   3 ecall (traps: mtvec is set)
 * then the handler's first instruction is number 4; it exits through the test finisher:
 * 4 lui t0 (handler)   5 li t1, 0x5555 (lui, 6 addi)   7 sw → the finisher passes.
 */
const TRAP = `
_start: la t0, handler
        csrw mtvec, t0
        ecall
        j _start
handler:
        li t0, 0x00100000
        li t1, 0x5555
        sw t1, 0(t0)
`;

/** Runs until the next stop that is not 'budget' (a break, or the halt). */
function runOn(machine: Machine): ReturnType<Machine['run']> {
  let total = 0;
  for (;;) {
    const result = machine.run(1_000_000);
    total += result.executed;
    if (result.stop !== 'budget') return { ...result, executed: total };
  }
}

/** Every online module's register `n`. */
const regs = (machine: Machine, n: number) => machine.onlineModules().map((m) => machine.reg(m, n));

describe.each(MACHINES)('breakpoints on %s', (_name, setup) => {
  it('stop before the instruction at the breakpoint, each time the loop reaches it', async () => {
    const { machine } = await machineFor(assembleOrThrow(LOOP), setup);
    const points = new DebugPoints(machine);
    points.setBreakpoints([BASE + 8]);
    const stops: { instret: number; t0: number[] }[] = [];
    for (;;) {
      points.resume();
      const result = runOn(machine);
      if (result.stop === 'halted') break;
      expect(result.stop).toBe('break');
      expect(points.hit()).toEqual({ kind: 'breakpoint', slot: 0, pc: BASE + 8 });
      expect(machine.onlineModules().map((m) => machine.pc(m))).toEqual(machine.onlineModules().map(() => BASE + 8));
      stops.push({ instret: machine.instret, t0: regs(machine, 5) });
    }
    const modules = machine.moduleCount;
    expect(stops).toEqual([0, 1, 2, 3, 4].map((k) => ({ instret: 2 + 2 * k, t0: Array(modules).fill(k) })));
    expect(machine.instret).toBe(15);
    expect(machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
  });

  it('stay at a breakpoint until resumed, and stop there again after a budget ends just before it', async () => {
    const { machine } = await machineFor(assembleOrThrow(LOOP), setup);
    const points = new DebugPoints(machine);
    points.setBreakpoints([BASE + 0x10, BASE + 0x18]);
    points.resume();
    expect(machine.run(12)).toEqual({ stop: 'budget', executed: 12 }); // instructions 0..11: the breakpoint is at 12
    expect(machine.run(5)).toEqual({ stop: 'break', executed: 0 });
    expect(machine.run(5)).toEqual({ stop: 'break', executed: 0 }); // not resumed: still before 12
    expect(regs(machine, 5)[0]).toBe(5);
    points.resume();
    expect(machine.run(100)).toEqual({ stop: 'break', executed: 2 }); // 12, 13, then the ecall at 14 (slot 1)
    expect(points.hit()).toEqual({ kind: 'breakpoint', slot: 1, pc: BASE + 0x18 });
    points.resume();
    expect(machine.run(100)).toEqual({ stop: 'halted', executed: 1 });
  });

  it('stop in a trap handler before its first instruction', async () => {
    const { machine } = await machineFor(assembleOrThrow(TRAP), setup);
    const handler = assembleOrThrow(TRAP).symbols.get('handler')!;
    const points = new DebugPoints(machine);
    points.setBreakpoints([handler]);
    points.resume();
    expect(runOn(machine)).toEqual({ stop: 'break', executed: 4 });
    expect(machine.csr(0, 0x342)).toBe(11); // mcause: ecall from M-mode
    expect(machine.csr(0, 0x341)).toBe(BASE + 12); // mepc: the ecall
    points.resume();
    expect(runOn(machine).stop).toBe('halted');
    expect(machine.instret).toBe(8);
  });

  it('watch a register: stop after each instruction that changes it, not after one that writes the same value', async () => {
    const { machine } = await machineFor(assembleOrThrow(LOOP), setup);
    const points = new DebugPoints(machine);
    points.setWatches([parseWatch('t0')]); // li t0, 0 at instruction 0 writes the 0 it holds
    const stops: unknown[] = [];
    for (;;) {
      points.resume();
      if (runOn(machine).stop === 'halted') break;
      stops.push({ instret: machine.instret, hit: points.hit() });
    }
    expect(stops).toEqual([0, 1, 2, 3, 4].map((k) => ({
      instret: 3 + 2 * k, // the addi is instruction 2 + 2k: the run stops before the next one
      hit: { kind: 'watch', target: { type: 'reg', reg: 5 }, old: k, value: k + 1, byInstruction: true },
    })));
  });

  it('watch a RAM word: word and byte stores that change it, not one that stores what it holds', async () => {
    const program = assembleOrThrow(STORES);
    const buf = program.symbols.get('buf')!;
    const { machine } = await machineFor(program, setup);
    const points = new DebugPoints(machine);
    points.setWatches([{ type: 'mem', addr: buf }]);
    const stops: unknown[] = [];
    for (;;) {
      points.resume();
      if (runOn(machine).stop === 'halted') break;
      const hit = points.hit();
      stops.push({ instret: machine.instret, hit });
    }
    const target = { type: 'mem', addr: buf };
    expect(stops).toEqual([
      { instret: 4, hit: { kind: 'watch', target, old: 0, value: 7, byInstruction: true } },
      { instret: 7, hit: { kind: 'watch', target, old: 7, value: 0x0807, byInstruction: true } },
    ]);
  });

  it('a fault applied before instruction N changes a watched register there: the stop is at N', async () => {
    const { machine } = await machineFor(assembleOrThrow(LOOP), setup);
    machine.inject(parseFault('at=7,module=0,kind=flip,target=s1,bit=3'));
    const points = new DebugPoints(machine);
    points.setWatches([parseWatch('s1')]);
    points.resume();
    expect(runOn(machine)).toEqual({ stop: 'break', executed: 7 });
    expect(points.hit()).toEqual({ kind: 'watch', target: { type: 'reg', reg: 9 }, old: 0, value: 8, byInstruction: false });
    expect(machine.events.filter((e) => e.kind === 'inject').map((e) => e.instret)).toEqual([7]);
  });
});

/**
 * The instruction numbers at which examples/checksum.s reaches `mix` (every iteration of its
 * inner loop), from its source: 8 instructions before `fill` (la: 2, li of 256, 0, 0: 1 each,
 * li 0x10000000: lui, li 0x9E3779B9: lui + addi), `fill` 6 × 256; each pass: 2 (li t0, li a0),
 * 256 iterations of 14 instructions (15 when the new word is odd: xori), then its print:
 * li t0 (1), 8 hex digits (8 instructions for a digit below 10, 9 for one above), 5 more;
 * then 4 to the finisher's store (lui, lui + addi, sw). Also each pass's new table[0], which
 * its first iteration stores with the `sw` 8 instructions after `mix`.
 */
function checksumModel() {
  const table = Uint32Array.from({ length: 256 }, (_, i) => Math.imul(i, 0x9E3779B9));
  const mix: number[] = [];
  const word0: number[] = [];
  let n = 8 + 6 * 256;
  for (let pass = 0; pass < 8; pass++) {
    n += 2;
    let sum = 0;
    for (let i = 0; i < 256; i++) {
      mix.push(n);
      const mixed = (table[i] ^ sum) >>> 0;
      const word = ((((mixed << 5) | (mixed >>> 27)) >>> 0) + 17) >>> 0;
      table[i] = word;
      sum = (sum + word) >>> 0;
      if (word & 1) sum = (sum ^ 0x55) >>> 0;
      n += 14 + (word & 1);
    }
    word0.push(table[0]);
    n += 1;
    for (let shift = 28; shift >= 0; shift -= 4) n += ((sum >>> shift) & 15) >= 10 ? 9 : 8;
    n += 5;
  }
  return { mix, word0, total: n + 4 };
}

describe.each(MACHINES)('a long run on %s', (_name, setup) => {
  it('stops at all 2,048 passes through a loop and at every change of a word, and ends as a run without them', async () => {
    const program = assembleOrThrow(readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8'), 'checksum.s');
    const mix = program.symbols.get('mix')!;
    const table = program.symbols.get('table')!;
    const model = checksumModel();
    const { machine, output } = await machineFor(program, setup);
    const points = new DebugPoints(machine);
    points.setBreakpoints([mix]);
    points.setWatches([{ type: 'mem', addr: table }]);
    const breaks: number[] = [];
    const watches: { instret: number; old: number; value: number; by: number | false }[] = [];
    for (;;) {
      points.resume();
      if (runOn(machine).stop === 'halted') break;
      const hit = points.hit()!;
      if (hit.kind === 'breakpoint') breaks.push(machine.instret);
      else watches.push({ instret: machine.instret, old: hit.old, value: hit.value, by: hit.byInstruction && machine.record(0).pc });
    }
    expect(breaks).toEqual(model.mix);
    expect(watches).toEqual(model.word0.map((value, pass) => ({
      instret: model.mix[256 * pass] + 9, old: pass === 0 ? 0 : model.word0[pass - 1], value, by: mix + 32,
    })));
    expect(new TextDecoder().decode(output())).toBe(CHECKSUM_OUTPUT);
    expect(machine.instret).toBe(model.total);
  });
});

describe('arming', () => {
  it('with nothing set the machine runs its plain loops to the end', async () => {
    const { machine } = await machineFor(assembleOrThrow(LOOP), { topology: 'tmr' });
    const points = new DebugPoints(machine);
    points.setBreakpoints([BASE + 8]);
    points.setWatches([parseWatch('t0')]);
    points.setBreakpoints([]);
    points.setWatches([]);
    expect(machine.core.u32(machine.core.layout.DEBUG + machine.core.layout.D_ARMED)).toBe(0);
    expect(runOn(machine)).toEqual({ stop: 'halted', executed: 15 });
  });

  it('a host call\'s result, written after its ecall, stops the next run; a watch set again keeps the value last seen', async () => {
    // 0 li a7, 214   1 li a0, 0   2 ecall: brk(0) returns the program break, the end of the program rounded up to a page
    const { machine } = await machineFor(assembleOrThrow('li a7, 214\nli a0, 0\necall\nli a7, 93\necall\n'), { topology: 'dmr' });
    const points = new DebugPoints(machine);
    points.setWatches([parseWatch('a0')]);
    points.resume();
    expect(machine.run(3)).toEqual({ stop: 'budget', executed: 3 }); // the ecall is served as this run ends
    expect(machine.reg(0, 10)).toBe(0x8000_1000);
    points.setWatches([parseWatch('t1'), parseWatch('a0')]);
    expect(machine.run(10)).toEqual({ stop: 'break', executed: 0 });
    expect(points.hit()).toEqual({ kind: 'watch', target: { type: 'reg', reg: 10 }, old: 0, value: 0x8000_1000, byInstruction: false });
    expect(machine.record(0).hostcall).toBe(true);
  });

  it('refuses what it cannot watch or break at, with a reason', async () => {
    const { machine } = await machineFor(assembleOrThrow(LOOP), { topology: 'simplex' });
    const points = new DebugPoints(machine);
    expect(() => parseWatch('x0')).toThrow(/x0 is always zero/);
    expect(() => parseWatch('mem:0x80000002')).toThrow(/multiple of 4/);
    expect(() => parseWatch('pc')).toThrow(WatchError);
    expect(() => points.setWatches([parseWatch('mem:0x80100000')])).toThrow(/not a word of RAM \(0x80000000\.\.0x800ffffc\)/);
    expect(() => points.setBreakpoints([BASE + 2])).toThrow(/word-aligned/);
    expect(() => points.setBreakpoints(Array.from({ length: 65 }, (_, k) => BASE + 4 * k))).toThrow(/at most 64/);
  });
});
