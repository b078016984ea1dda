/**
 * Running small guest programs for the core's tests: assemble with our assembler, run on a
 * simplex machine for a bounded number of instructions, then read registers, CSRs and
 * memory back through the machine's accessors.
 */
import { expect } from 'vitest';
import type { Program } from '../../src/isa/program.ts';
import type { Machine } from '../../src/machine/machine.ts';
import { assembleOrThrow, machineFor, type RunSetup } from '../helpers/machine.ts';
import { FINISHER, MSTATUS, MPP_SHIFT, PRIV } from './reference.ts';

export interface Ran {
  machine: Machine;
  program: Program;
  /** Address of a label (throws for an unknown one: a typo in a test is not a pass). */
  sym(name: string): number;
  /** Console output so far (UART and host calls, fd 1 and 2), as bytes and as text. */
  output(): Uint8Array;
  text(): string;
}

/**
 * Assembles `source` (unless it is a program already) and runs it for up to `budget`
 * instructions, or until it halts. `pushed` bytes wait in the UART's receive buffer from
 * the start. A program that waits for input with none left stops there.
 */
export async function runFor(source: string | Program, budget = 10_000, setup: RunSetup & { pushed?: string } = {}): Promise<Ran> {
  const program = typeof source === 'string' ? assembleOrThrow(source) : source;
  const { machine, output } = await machineFor(program, setup);
  if (setup.pushed !== undefined) machine.pushInput(new TextEncoder().encode(setup.pushed));
  while (!machine.halt && machine.instret < budget) {
    if (machine.run(budget - machine.instret).stop === 'input') break;
  }
  return {
    machine,
    program,
    sym(name) {
      const address = program.symbols.get(name);
      if (address === undefined) throw new Error(`no label ${name} in the test program`);
      return address;
    },
    output,
    text: () => new TextDecoder().decode(output()),
  };
}

/**
 * A persistent fault in a RAM word no test program touches: the module then runs the core's
 * instrumented step (DESIGN §5), which must execute every instruction exactly as the plain one.
 */
export const INSTRUMENTED = { faults: ['at=0,module=0,kind=stuck1,target=mem:0x800F0000,bit=0'] };

/** `count` little-endian words of module 0's RAM at `addr`. */
export function words(machine: Machine, addr: number, count: number): number[] {
  const bytes = machine.readMemory(0, addr, count * 4);
  if (!bytes) throw new Error(`words at 0x${addr.toString(16)} lie outside RAM`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Array.from({ length: count }, (_, k) => view.getUint32(4 * k, true));
}

/** CSR `num` of module 0 as M-mode software reads it (fails the test if it does not exist). */
export function csr(machine: Machine, num: number): number {
  const value = machine.csr(0, num);
  expect(value, `CSR 0x${num.toString(16)} exists`).toBeDefined();
  return value! >>> 0;
}

export const CSR = {
  mstatus: 0x300, misa: 0x301, mie: 0x304, mtvec: 0x305, mcounteren: 0x306, mscratch: 0x340,
  mepc: 0x341, mcause: 0x342, mtval: 0x343, mip: 0x344, mcycle: 0xB00, minstret: 0xB02,
  mcycleh: 0xB80, minstreth: 0xB82, cycle: 0xC00, time: 0xC01, instret: 0xC02,
  cycleh: 0xC80, timeh: 0xC81, instreth: 0xC82, mvendorid: 0xF11, marchid: 0xF12,
  mimpid: 0xF13, mhartid: 0xF14,
} as const;

/** Ends the program through the test finisher (works from any privilege, any mtvec). */
export const FINISH = `
  li t0, ${FINISHER}
  li t1, 0x5555
  sw t1, 0(t0)
1: j 1b
`;

/**
 * Opens all memory to U-mode as QEMU's virt firmware does (priv spec §3.7.1): PMP entry 0
 * NAPOT over the whole address space (pmpaddr0 all ones), R, W and X; entries 1..15 stay
 * OFF. Without a matching entry a U-mode access fails. Uses t0.
 */
export const PMP_OPEN = `
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1F
  csrw pmpcfg0, t0
`;

/**
 * Drops to U-mode at `label` with mret (priv spec §3.3.2): MPP = U, MPIE = `mpie`, and
 * whatever other mstatus bits `extra` holds, with PMP_OPEN first. Uses t0.
 */
export function enterUser(label: string, mpie = false, extra = 0): string {
  return `${PMP_OPEN}
  la t0, ${label}
  csrw mepc, t0
  li t0, ${(PRIV.U << MPP_SHIFT) | (mpie ? MSTATUS.MPIE : 0) | extra}
  csrw mstatus, t0
  mret
`;
}

/** mstatus.MPP, MPIE and MIE of a value. */
export function statusFields(mstatus: number): { mpp: number; mpie: number; mie: number } {
  return { mpp: (mstatus & MSTATUS.MPP) >>> MPP_SHIFT, mpie: (mstatus & MSTATUS.MPIE) ? 1 : 0, mie: (mstatus & MSTATUS.MIE) ? 1 : 0 };
}
