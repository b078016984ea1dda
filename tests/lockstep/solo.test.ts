/**
 * soloSnapshot (src/machine/snapshot.ts): one module of a fault-free lockstep machine, taken
 * out as a simplex machine, runs on exactly as that module does in the lockstep machine —
 * registers, pc, counters, timer interrupts, RAM and console output at every check — so that
 * the fault-free twin can run one module's work instead of every module's.
 */
import { describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { Machine, type MachineConfig } from '../../src/machine/machine.ts';
import { soloSnapshot } from '../../src/machine/snapshot.ts';
import { knownCsr } from '../../src/isa/csr.ts';
import { assembleOrThrow } from '../helpers/machine.ts';

/**
 * Takes timer interrupts (a handler that counts them and pushes mtimecmp on), sleeps in wfi,
 * reads the cycle, time and instret counters into a table it checksums, and prints each
 * pass's checksum's low byte on the UART: its state depends on the clock, stalls included.
 */
const PROGRAM = assembleOrThrow(`
        .globl _start
_start: la      t0, handler
        csrw    mtvec, t0
        li      s0, 0x02004000      # mtimecmp
        li      s1, 0x0200BFF8      # mtime
        li      s2, 0x10000000      # UART
        la      s3, table
        li      s4, 0               # interrupts taken
        li      s5, 0               # checksum
        li      s6, 40              # passes
        lw      t0, 0(s1)
        addi    t0, t0, 50
        sw      zero, 4(s0)
        sw      t0, 0(s0)
        li      t0, 0x80
        csrs    mie, t0
        csrsi   mstatus, 8
pass:   li      t1, 0
fill:   rdcycle t2
        rdtime  t3
        rdinstret t4
        xor     t2, t2, t3
        add     t2, t2, t4
        add     t2, t2, s4
        slli    t5, t1, 2
        add     t5, s3, t5
        sw      t2, 0(t5)
        add     s5, s5, t2
        addi    t1, t1, 1
        li      t6, 32
        blt     t1, t6, fill
        andi    t0, s6, 3
        bnez    t0, 1f
        wfi
1:      sb      s5, 0(s2)
        addi    s6, s6, -1
        bnez    s6, pass
        csrw    mtvec, zero         # the exit call is served by the host only without a handler
        li      a0, 0
        li      a7, 93
        ecall
handler:
        addi    s4, s4, 1
        lw      a5, 0(s1)
        addi    a5, a5, 37
        sw      a5, 0(s0)
        mret
        .data
table:  .space 128
`, 'solo.s');

const CSRS = ['mcycle', 'minstret', 'mstatus', 'mie', 'mip', 'mepc', 'mcause', 'mtvec'].map(knownCsr);

async function machineWith(config: MachineConfig, output: number[]): Promise<Machine> {
  const machine = await Machine.create({ ...config, console: { write: (_fd, bytes) => output.push(...bytes), read: () => new Uint8Array() } });
  machine.load(PROGRAM);
  return machine;
}

/** Module `m`'s state: registers, pc, CSRs and a hash of its RAM. */
function stateOf(machine: Machine, m: number) {
  const ram = machine.readMemory(m, 0x8000_0000, machine.ramSize)!;
  return {
    regs: Array.from({ length: 32 }, (_, n) => machine.reg(m, n)),
    pc: machine.pc(m),
    csrs: CSRS.map((c) => machine.csr(m, c)),
    ram: createHash('sha256').update(ram).digest('hex'),
  };
}

describe('soloSnapshot', () => {
  it.each([
    ['dmr', 1, {}], ['pair-spare', 3, {}], ['tmr', 2, {}], ['tmr', 0, { ecc: 'secded', scrubEvery: 700 }], ['tmr', 1, { compare: 'store' }],
  ] as const)('module %s/%i of a fault-free machine %o runs on as a simplex machine exactly as it does in lockstep', async (topology, module, settings) => {
    const config: MachineConfig = { topology, ...settings };
    const lockstepOutput: number[] = [];
    const lockstep = await machineWith(config, lockstepOutput);
    lockstep.run(2345);
    const soloOutput: number[] = [...lockstepOutput];
    const solo = Machine.fromSnapshotSync(soloSnapshot(lockstep.snapshot(), module, lockstep.core.layout), {
      write: (_fd, bytes) => soloOutput.push(...bytes), read: () => new Uint8Array(),
    });
    expect(solo.topology).toBe('simplex');
    expect(solo.onlineModules()).toEqual([0]);
    let checks = 0;
    while (!lockstep.halt) {
      expect(stateOf(solo, 0)).toEqual(stateOf(lockstep, module));
      expect(solo.instret).toBe(lockstep.instret);
      expect(solo.cycle).toBe(lockstep.cycle);
      lockstep.run(997);
      solo.run(997);
      checks++;
    }
    expect(solo.halt).toEqual(lockstep.halt);
    expect(stateOf(solo, 0)).toEqual(stateOf(lockstep, module));
    expect(soloOutput).toEqual(lockstepOutput);
    expect(lockstep.events.map((e) => e.kind).filter((kind) => kind !== 'scrub')).toEqual(['halt']); // fault-free: nothing to diverge from
    expect(checks).toBeGreaterThan(5);
    expect(lockstepOutput.length).toBe(40);
  });

  it('refuses a module the machine does not have', async () => {
    const machine = await machineWith({ topology: 'dmr' }, []);
    expect(() => soloSnapshot(machine.snapshot(), 2, machine.core.layout)).toThrow('the snapshot\'s machine has no module 2');
  });
});
