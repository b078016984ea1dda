/**
 * Misaligned loads and stores (unprivileged spec 20191213 §2.6: the execution environment
 * decides; it may perform them, or raise an address-misaligned or access-fault exception).
 * This machine performs a misaligned access that lies in RAM, as QEMU's virt board does and
 * as riscv-tests' rv32ui-p-ma_data requires (it has no trap handler); bytes are little-endian
 * (§1.4). An access that begins in RAM and runs past its end is an access fault, mtval the
 * first address past RAM ("the portion of the access that caused the fault", privileged spec
 * 20211203 §3.1.16), and writes nothing. Device registers are not memory: a misaligned access
 * to one, or to nothing, raises address-misaligned (mtval = the address).
 *
 * Expected values come from a byte-array model of little-endian memory below, not the core.
 */
import { describe, expect, it } from 'vitest';
import { csr, CSR, enterUser, runFor, words, FINISH, INSTRUMENTED } from './guest.ts';
import { machineFor } from '../helpers/machine.ts';
import type { Machine } from '../../src/machine/machine.ts';
import type { MachineEvent } from '../../src/machine/events.ts';
import { CAUSE, RAM_BASE, hex, u32 } from './reference.ts';

const DATA = [0x10, 0x21, 0x32, 0x43, 0x54, 0x65, 0x76, 0x87, 0x98, 0xA9, 0xBA, 0xCB, 0xDC, 0xED, 0xFE, 0x0F];

/** The `width`-byte little-endian value at `offset` of `bytes`, sign-extended to 32 bits if `signed`. */
function loadLE(bytes: number[], offset: number, width: number, signed: boolean): number {
  let value = 0;
  for (let k = width - 1; k >= 0; k--) value = value * 256 + bytes[offset + k];
  const bits = 8 * width;
  return u32(signed && value >= 2 ** (bits - 1) ? value - 2 ** bits : value);
}

/** `bytes` after a store of the low `width` bytes of `value` at `offset`, little-endian. */
function storeLE(bytes: number[], offset: number, width: number, value: number): number[] {
  const next = [...bytes];
  for (let k = 0; k < width; k++) next[offset + k] = (u32(value) >>> (8 * k)) & 0xFF;
  return next;
}

const LOADS = [
  ['lh', 1, 2, true], ['lh', 7, 2, true], ['lhu', 7, 2, false], ['lhu', 3, 2, false], ['lh', 13, 2, true],
  ['lw', 1, 4, true], ['lw', 2, 4, true], ['lw', 3, 4, true], ['lw', 6, 4, true], ['lw', 11, 4, true],
] as const;

const STORES = [['sh', 1, 2, 0xBEEF], ['sw', 5, 4, 0xA1B2C3D4], ['sw', 3, 4, 0x0BADF00D], ['sh', 9, 2, 0x1234], ['sw', 10, 4, 0x5566_7788]] as const;

function program(mode: 'M' | 'U'): string {
  return `
_start:
  la t0, handler
  csrw mtvec, t0
  la s1, buf
  la s2, results
${mode === 'U' ? enterUser('body') : ''}
body:
${LOADS.map(([op, off], k) => `  ${op} t1, ${off}(s1)\n  sw t1, ${4 * k}(s2)`).join('\n')}
${STORES.map(([op, off, , value]) => `  li t1, ${value}\n  ${op} t1, ${off}(s1)`).join('\n')}
${FINISH}
handler:
  j handler
  .data
  .align 4
buf: .byte ${DATA.join(', ')}
results: .space ${4 * LOADS.length}
`;
}

describe('misaligned loads and stores in RAM are performed, little-endian', () => {
  it.each([
    ['M-mode', 'M', {}], ['U-mode', 'U', {}], ['M-mode, instrumented step', 'M', INSTRUMENTED],
  ] as const)('%s', async (_name, mode, setup) => {
    const ran = await runFor(program(mode), 500, setup);
    const { machine, sym } = ran;
    expect(machine.halt, `trapped: mcause ${csr(machine, CSR.mcause)}, mtval ${hex(csr(machine, CSR.mtval))}`).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(words(machine, sym('results'), LOADS.length).map((v, k) => [`${LOADS[k][0]} buf+${LOADS[k][1]}`, hex(v)]))
      .toEqual(LOADS.map(([op, off, width, signed]) => [`${op} buf+${off}`, hex(loadLE(DATA, off, width, signed))]));
    const stored = STORES.reduce((bytes, [, off, width, value]) => storeLE(bytes, off, width, value), DATA);
    expect(Array.from(machine.readMemory(0, sym('buf'), DATA.length)!).map(hex)).toEqual(stored.map(hex));
  });

  it('spot checks of the model: lh buf+7 = 0xffff9887, lw buf+6 = 0xa9988776', () => {
    expect(hex(loadLE(DATA, 7, 2, true))).toBe('0xffff9887');
    expect(hex(loadLE(DATA, 6, 4, true))).toBe('0xa9988776');
  });
});

describe('an access that begins in RAM and runs past its end', () => {
  const RAM_END = RAM_BASE + 1024 * 1024;
  it.each([
    ['lw at the last 2 bytes', `  li t1, ${RAM_END - 2}\nfault:\n  lw t2, 0(t1)`, CAUSE.LOAD_ACCESS],
    ['lh at the last byte', `  li t1, ${RAM_END - 1}\nfault:\n  lh t2, 0(t1)`, CAUSE.LOAD_ACCESS],
    ['sw at the last 3 bytes', `  li t1, ${RAM_END - 3}\nfault:\n  sw t3, 0(t1)`, CAUSE.STORE_ACCESS],
    ['sh at the last byte', `  li t1, ${RAM_END - 1}\nfault:\n  sh t3, 0(t1)`, CAUSE.STORE_ACCESS],
  ])('%s is an access fault at the end of RAM and writes nothing', async (_name, code, cause) => {
    const ran = await runFor(`
_start:
  li t0, ${RAM_END - 4}
  li t2, 0x5A5A5A5A
  sw t2, 0(t0)
  li t3, -1
${code}
`, 100);
    const { machine, sym } = ran;
    expect(machine.halt?.trap).toMatchObject({ cause, pc: sym('fault'), tval: RAM_END });
    expect(machine.reg(0, 7) >>> 0, 'rd unchanged').toBe(0x5A5A_5A5A);
    expect(words(machine, RAM_END - 4, 1), 'the last word of RAM unchanged').toEqual([0x5A5A_5A5A]);
  });
});

describe('misaligned accesses and persistent faults (instrumented step)', () => {
  // A stuck bit re-asserts after a store that writes part of its word.
  it('a misaligned store over a stuck-at-1 bit leaves the bit set', async () => {
    const source = `
_start:
  la s1, buf
  sw zero, 2(s1)
  lbu a0, 4(s1)
  li a7, 93
  ecall
  .data
  .align 4
buf: .word 0, 0
`;
    const word = (await runFor(source, 100)).sym('buf') + 4;
    const ran = await runFor(source, 100, { faults: [`at=0,module=0,kind=stuck1,target=mem:${hex(word)},bit=0`] });
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 1 });
  });

  // An ECC-poisoned word announces its error when a misaligned load reads any byte of it, as
  // an aligned one does: dmr then knows which module to take offline and carries on.
  it.each([
    ['a misaligned lw whose upper half is in the poisoned word', 'lw t1, 2(s1)'],
    ['a misaligned lh inside the poisoned word', 'lh t1, 5(s1)'],
    ['a misaligned sw writing part of the poisoned word (read-modify-write)', 'sw zero, 6(s1)'],
  ])('%s', async (_name, access) => {
    const source = `
_start:
  la s1, buf
  ${access}
  li a0, 0
  li a7, 93
  ecall
  .data
  .align 4
buf: .word 0x11111111, 0x22222222, 0x33333333
`;
    const poisoned = (await runFor(source, 100)).sym('buf') + 4;
    const { machine } = await machineFor(source, { topology: 'dmr', faults: [`at=0,module=1,kind=ecc,target=mem:${hex(poisoned)},bit=3`] });
    while (!machine.halt) machine.run(1000);
    expect(machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    const offline = machine.events.find((e: MachineEvent) => e.kind === 'offline');
    expect(offline).toMatchObject({ module: 1, instret: 2 });
  });
});

describe('a misaligned store across a page boundary dirties both pages (pre-copy resync)', () => {
  /** The first address where the RAM of modules a and b differ, or undefined. */
  const firstDifference = (machine: Machine, a: number, b: number): string | undefined => {
    const ra = machine.readMemory(a, RAM_BASE, machine.ramSize)!;
    const rb = machine.readMemory(b, RAM_BASE, machine.ramSize)!;
    const k = ra.findIndex((v, i) => v !== rb[i]);
    return k < 0 ? undefined : hex(RAM_BASE + k);
  };

  /**
   * Each turn writes a word across the boundary of `pages` and `pages` + 4096 (two bytes in
   * each, both halves the turn's count) and a word in each of 20 scratch pages. With 22 pages dirty a round, the pre-copy
   * takes a second round (more than 16 dirty pages, fewer than all) that copies only the pages
   * marked dirty in the first: a page written but not marked would keep its first-round copy.
   */
  const SOURCE = `
_start:
  la s1, pages
  li t0, 4094
  add s1, s1, t0
  la s3, scratch
  li s2, 1000
1:
  slli t4, s2, 16
  or t4, t4, s2
  sw t4, 0(s1)
  mv t1, s3
  li t2, 20
  li t3, 4096
2:
  sw s2, 0(t1)
  add t1, t1, t3
  addi t2, t2, -1
  bnez t2, 2b
  addi s2, s2, -1
  bnez s2, 1b
  lw a0, 0(s1)
  li a7, 93
  ecall
  .data
  .align 12
pages: .space 8192
scratch: .space ${20 * 4096}
`;

  it('a module resynced by pre-copy while the program writes across a page boundary ends bit-identical', async () => {
    const { machine } = await machineFor(SOURCE, { topology: 'tmr', resync: 'precopy', copyBytesPerCycle: 64, faults: ['at=1000,module=1,kind=kill'] });
    machine.replace(3000, { module: 1 });
    while (!machine.halt && !machine.events.some((e) => e.kind === 'resync-done')) machine.run(1000);
    expect(machine.events.filter((e) => e.kind === 'resync-round').length, 'pre-copy rounds while the loop runs').toBe(2);
    expect(machine.halt, 'the loop outlasts the resync').toBeUndefined();
    expect(machine.moduleStatus()[1].state).toBe('online');
    expect(firstDifference(machine, 1, 0), 'first address where the resynced module differs').toBeUndefined();
    while (!machine.halt) machine.run(100_000);
    expect(machine.halt).toMatchObject({ reason: 'exit', exitCode: 1 });
    expect(machine.events.filter((e) => e.kind === 'diverge')).toEqual([]);
  });
});
