/**
 * The transaction port in the core (TXPORT.md, README memory map): register semantics,
 * replicated side-effect-free reads, gated stores committed once, the result ring, the
 * machine external interrupt with wfi, and runs that end at the host's next event cycle.
 */
import { describe, expect, test } from 'vitest';
import { machineFor, runProgram } from '../helpers/machine.ts';
import { Machine } from '../../src/machine/machine.ts';
import { ECHO_POLLING, ECHO_WFI } from '../helpers/echo-workload.ts';
import type { Topology } from '../../src/machine/topology.ts';

const FINISH = `
  li t3, 0x100000
  li t4, 0x5555
  sw t4, 0(t3)
`;

const READS = `
  .globl _start
_start:
  li s0, 0x10001000
  lw a0, 0(s0)        # RX_COUNT
  lw a1, 4(s0)        # RX_ID
  lw a2, 4(s0)        # RX_ID again: reads take nothing
  lw a3, 8(s0)        # RX_DATA0
  lw a4, 20(s0)       # RX_DATA3
  lw a5, 24(s0)       # RX_TIME
  sw zero, 28(s0)     # RX_POP
  lw a6, 0(s0)
  lw a7, 4(s0)        # the next record's id
  sw zero, 28(s0)
  sw zero, 28(s0)     # RX_POP on an empty FIFO: no effect
  lw t0, 0(s0)
  lw t1, 4(s0)        # empty: id 0
  lw t2, 0x20(s0)     # RX_IE after reset
  lw s1, 0x100(s0)    # an offset without a register
${FINISH}`;

const regs = (m: Machine, module: number, names: number[]) => names.map((n) => m.reg(module, n));

describe('input port', () => {
  test.each(['simplex', 'tmr', 'pair-spare'] as Topology[])('reads have no side effects, every module reads the same, RX_POP takes one record once (%s)', async (topology) => {
    const { machine } = await machineFor(READS, { topology });
    expect(machine.port.push({ id: 7, payload: [11, 12, 13, 14], arrivalUs: 1234.56 }, 64)).toBe(true);
    expect(machine.port.push({ id: 9, payload: [21, 22, 23, 24], arrivalUs: 2000 }, 64)).toBe(true);
    while (!machine.halt) machine.run(1000);
    expect(machine.halt.reason).toBe('exit');
    // a0..a7 = x10..x17, t0..t2 = x5..x7, s1 = x9
    for (const m of machine.onlineModules()) {
      expect(regs(machine, m, [10, 11, 12, 13, 14, 15, 16, 17, 5, 6, 7, 9])).toEqual([2, 7, 7, 11, 14, 1234, 1, 9, 0, 0, 0, 0]);
    }
    expect(machine.port.consumed).toBe(2);
    expect(machine.port.queued).toBe(0);
  });

  test('the FIFO takes at most `depth` records', async () => {
    const { machine } = await machineFor(READS);
    expect([1, 2, 3].map((id) => machine.port.push({ id, payload: [0, 0, 0, 0], arrivalUs: 0 }, 2))).toEqual([true, true, false]);
    expect(machine.port.queued).toBe(2);
    expect(() => machine.port.push({ id: 4, payload: [0, 0, 0, 0], arrivalUs: 0 }, 1025)).toThrow(/1\.\.1024/);
  });

  test.each([
    ['lb a0, 0(s0)', 5], ['lhu a0, 4(s0)', 5], ['sb a0, 0x1C(s0)', 7], ['sh a0, 0x20(s0)', 7],
  ])('%s is an access fault (mcause %d): word accesses only', async (insn, cause) => {
    const run = await runProgram(`.globl _start\n_start:\n li s0, 0x10001000\n ${insn}\n${FINISH}`);
    expect(run.machine.halt?.reason).toBe('trap');
    expect(run.machine.halt?.trap?.cause).toBe(cause);
  });
});

const SENDS = `
  .globl _start
_start:
  li s2, 0x10002000
  li t0, 42
  sw t0, 0(s2)        # TX_ID
  li t0, 1
  sw t0, 4(s2)        # TX_DATA0..3
  li t0, 2
  sw t0, 8(s2)
  li t0, 3
  sw t0, 12(s2)
  li t0, 0xFFFFFFFF
  sw t0, 16(s2)
  lw a0, 0(s2)        # the staging registers read back
  lw a1, 16(s2)
  lw a2, 20(s2)       # TX_SEND reads 0
  sw zero, 20(s2)     # TX_SEND
  csrr a3, minstret   # this instruction's number: the send's + 1
  sw zero, 20(s2)     # TX_SEND again: the same record again
${FINISH}`;

describe('output port', () => {
  test.each(['simplex', 'dmr', 'tmr'] as Topology[])('TX_SEND emits the staged record once for the machine, stamped with its cycle (%s)', async (topology) => {
    const run = await runProgram(SENDS, { topology });
    const m = run.machine;
    expect(regs(m, 0, [10, 11, 12])).toEqual([42, 0xFFFF_FFFF, 0]);
    const sendAt = m.reg(0, 13) - 1;
    expect(m.port.takeResults()).toEqual([
      { id: 42, words: [1, 2, 3, 0xFFFF_FFFF], cycle: sendAt },
      { id: 42, words: [1, 2, 3, 0xFFFF_FFFF], cycle: sendAt + 2 },
    ]);
    expect(m.port.takeResults()).toEqual([]);
  });

  test('a result leaves only when the modules agree: tmr emits the voted words, dmr stops before emitting', async () => {
    // Instructions 0..9 set up s2 and stage TX_ID, TX_DATA0..2 and t0 = -1 (each li is one
    // instruction); #10 stores t0 to TX_DATA3. Flip bit 4 of t0 in module 1 just before it.
    const flipAt = 10;
    const tmr = await runProgram(SENDS, { topology: 'tmr', faults: [`at=${flipAt},module=1,kind=flip,target=t0,bit=4`] });
    expect(tmr.machine.port.takeResults().map((r) => r.words)).toEqual([[1, 2, 3, 0xFFFF_FFFF], [1, 2, 3, 0xFFFF_FFFF]]);
    expect(tmr.machine.events.some((e) => e.kind === 'diverge' && e.module === 1)).toBe(true);
    const dmr = await runProgram(SENDS, { topology: 'dmr', faults: [`at=${flipAt},module=1,kind=flip,target=t0,bit=4`] });
    expect(dmr.machine.halt?.reason).toBe('failstop');
    expect(dmr.machine.port.takeResults()).toEqual([]);
  });

  test('more results than the core ring holds (256) reach the host in order: the run stops to drain it', async () => {
    const run = await runProgram(`
  .globl _start
_start:
  li s2, 0x10002000
  li s1, 1
  li s3, 601
1: sw s1, 0(s2)
  sw s1, 4(s2)
  sw zero, 20(s2)
  addi s1, s1, 1
  bne s1, s3, 1b
${FINISH}`);
    const results = run.machine.port.takeResults();
    expect(results.map((r) => r.id)).toEqual(Array.from({ length: 600 }, (_, k) => k + 1));
    expect(results.every((r) => r.words[0] === r.id)).toBe(true);
  });
});

describe('virtual clock and interrupt', () => {
  test('a run with untilCycle ends exactly there (polling guest)', async () => {
    const { machine } = await machineFor(ECHO_POLLING, { topology: 'dmr' });
    expect(machine.run(1_000_000, 12_345)).toEqual({ stop: 'cycle', executed: 12_345 });
    expect(machine.cycle).toBe(12_345);
    expect(machine.run(1_000_000, 12_345)).toEqual({ stop: 'cycle', executed: 0 });
  });

  test('a wfi stall ends at untilCycle; a pushed record raises MEIP and wakes the guest, which serves it', async () => {
    const { machine } = await machineFor(ECHO_WFI, { topology: 'tmr' });
    const first = machine.run(1_000_000, 50_000);
    expect(first.stop).toBe('cycle');
    expect(machine.cycle).toBe(50_000);
    const setup = machine.instret;
    expect(setup).toBeLessThan(50); // the guest sleeps: the clock moved without instructions
    machine.port.push({ id: 5, payload: [1, 2, 3, 4], arrivalUs: 500 }, 64);
    expect(machine.run(1_000_000, 100_000).stop).toBe('cycle');
    expect(machine.cycle).toBe(100_000);
    const [result] = machine.port.takeResults();
    expect(result).toMatchObject({ id: 5, words: [2, ~2 >>> 0, 7, 1] });
    expect(result.cycle).toBeGreaterThan(50_000);
    expect(machine.port.consumed).toBe(1);
    // Without an untilCycle, nothing can wake it: the machine idles for good.
    machine.run(1_000_000);
    expect(machine.halt?.reason).toBe('idle');
  });

  test('a guest in wfi with RX_IE clear is not woken by arrivals: with no other interrupt it idles', async () => {
    const { machine } = await machineFor(ECHO_WFI.replace('sw      t0, 0x20(s0)        # RX_IE', 'nop'));
    machine.run(1_000_000, 50_000);
    expect(machine.halt?.reason).toBe('idle');
  });

  test('the FIFO is machine state: a snapshot holds it, and the restored machine serves the same records', async () => {
    const { machine } = await machineFor(ECHO_POLLING);
    for (const id of [1, 2, 3]) machine.port.push({ id, payload: [id, 0, 0, 0], arrivalUs: 0 }, 64);
    const copy = Machine.fromSnapshotSync(machine.snapshot());
    expect(copy.port.queued).toBe(3);
    machine.run(10_000, 5_000);
    copy.run(10_000, 5_000);
    expect(copy.port.takeResults()).toEqual(machine.port.takeResults());
    expect(copy.port.consumed).toBe(3);
  });
});
