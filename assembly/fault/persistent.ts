// Persistent faults (DESIGN §5) as the core sees them. The host writes the masks and
// entries into the hart block (index.ts exports the entry points); the plain run loop never
// reads them. The instrumented loop, used while M_FAULTS_ARMED is set, calls these cold
// helpers. Transient faults (flip) need nothing here: the host flips the bit in the hart
// block or RAM slot at the scheduled instruction.

import {
  H_CSR_FAULTS, CSR_FAULT_SLOTS, CSR_FAULT_SIZE, H_MEM_FAULTS, MEM_FAULT_SLOTS,
  MEM_FAULT_SIZE, MF_OFFSET, MF_AND, MF_OR, MF_POISON, H_RAM, H_ERROR,
  H_ERROR_WHERE, H_POISON_REGS, H_MSTATUS, H_MTVEC, H_MEPC, H_MCAUSE, H_MTVAL, H_MSCRATCH,
  H_MIE, H_MCOUNTEREN, ERROR_ECC, RAM_BASE,
} from '../layout';
import { raise, A_ANNOUNCE } from '../cpu/signals';

/** Hart-block field that holds CSR `num`, or 0 for CSRs without storage of their own. */
export function csrField(num: u32): usize {
  switch (num) {
    case 0x300: return H_MSTATUS;
    case 0x304: return H_MIE;
    case 0x305: return H_MTVEC;
    case 0x306: return H_MCOUNTEREN;
    case 0x340: return H_MSCRATCH;
    case 0x341: return H_MEPC;
    case 0x342: return H_MCAUSE;
    case 0x343: return H_MTVAL;
    default: return 0;
  }
}

/** Re-forces the stuck bits of the hart's CSRs; called after every CSR write and trap. */
export function applyCsrFaults(h: usize): void {
  for (let k: u32 = 0; k < CSR_FAULT_SLOTS; k++) {
    const entry = h + H_CSR_FAULTS + <usize>k * CSR_FAULT_SIZE;
    const field = csrField(load<u32>(entry));
    if (field == 0) continue;
    store<u32>(h + field, (load<u32>(h + field) & load<u32>(entry, 4)) | load<u32>(entry, 8));
  }
}

/** The RAM fault entry covering the word at RAM offset `off`, or 0 (free entries hold MEM_FAULT_NONE, never a word offset). */
export function memFaultAt(h: usize, off: u32): usize {
  const word = off & ~3;
  for (let k: u32 = 0; k < MEM_FAULT_SLOTS; k++) {
    const entry = h + H_MEM_FAULTS + <usize>k * MEM_FAULT_SIZE;
    if (load<u32>(entry, MF_OFFSET) == word) return entry;
  }
  return 0;
}

/** The module announces a local error (its ECC or parity check fired) at `where`. */
export function announce(h: usize, where: u32): void {
  store<u32>(h, ERROR_ECC, H_ERROR);
  store<u32>(h, where, H_ERROR_WHERE);
  raise(A_ANNOUNCE);
}

/** Whether reading the word(s) at RAM offset `off` hits an ECC-poisoned word; announces if so. */
export function readHitsPoison(h: usize, off: u32): bool {
  const entry = memFaultAt(h, off);
  if (entry == 0 || load<u32>(entry, MF_POISON) == 0) return false;
  announce(h, RAM_BASE + (off & ~3));
  return true;
}

/**
 * Before a store of `width` bytes at RAM offset `off`: a partial-word store into a poisoned
 * word must read it first (read-modify-write of the ECC word) and announces the error;
 * returns true if it did (the store is not performed).
 */
export function storeHitsPoison(h: usize, off: u32, width: u32): bool {
  if (width == 4) return false;
  return readHitsPoison(h, off);
}

/** After a store at RAM offset `off`: a full word write re-encodes ECC; stuck bits re-assert. */
export function afterStore(h: usize, off: u32, width: u32): void {
  const entry = memFaultAt(h, off);
  if (entry == 0) return;
  if (width == 4) store<u32>(entry, 0, MF_POISON);
  const p = load<usize>(h, H_RAM) + (off & ~3);
  store<u32>(p, (load<u32>(p) & load<u32>(entry, MF_AND)) | load<u32>(entry, MF_OR));
}

/**
 * Source registers an instruction reads (a bit per register), by format, for parity faults
 * on registers: R, I, S, B formats read rs1; R, S, B also rs2. U and J formats read none.
 */
export function sourceRegisters(insn: u32): u32 {
  const op = insn & 0x7F;
  const rs1: u32 = 1 << ((insn >> 15) & 0x1F);
  const rs2: u32 = 1 << ((insn >> 20) & 0x1F);
  switch (op) {
    case 0x33: case 0x23: case 0x63: return (rs1 | rs2) & ~1;
    case 0x13: case 0x03: case 0x67: return rs1 & ~1;
    case 0x73: return ((insn >> 12) & 4) == 0 && ((insn >> 12) & 3) != 0 ? rs1 & ~1 : 0; // csrrw/s/c
    default: return 0;
  }
}

/** Whether the instruction reads a register with a parity error; announces if so. */
export function readsPoisonedRegister(h: usize, insn: u32): bool {
  const hit = sourceRegisters(insn) & load<u32>(h, H_POISON_REGS);
  if (hit == 0) return false;
  announce(h, ctz(hit));
  return true;
}

/** Clears the parity error of register `rd` once it is written (the write re-encodes parity). */
export function registerWritten(h: usize, rd: u32): void {
  store<u32>(h, load<u32>(h, H_POISON_REGS) & ~(1 << rd), H_POISON_REGS);
}

