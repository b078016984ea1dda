// Trap entry and return (privileged spec, "Machine-Level ISA": mstatus, mtvec, mepc, mcause,
// mtval, and "Trap-Return Instructions"). Cold paths: called from the step only when a trap
// is taken, and from the run loop at batch boundaries for interrupts.

import {
  H_MSTATUS, H_MTVEC, H_MEPC, H_MCAUSE, H_MTVAL, H_PRIV, H_PC, H_MIE, H_MINSTRET_OFFSET,
  PRIV_M, PRIV_U,
} from '../layout';
import { raise, A_SETTLE, A_EVENT } from './signals';
import { applyCsrFaults } from '../fault/persistent';

// Exception codes (mcause with the interrupt bit clear).
export const CAUSE_FETCH_MISALIGNED: u32 = 0;
export const CAUSE_FETCH_ACCESS: u32 = 1;
export const CAUSE_ILLEGAL: u32 = 2;
export const CAUSE_BREAKPOINT: u32 = 3;
export const CAUSE_LOAD_MISALIGNED: u32 = 4;
export const CAUSE_LOAD_ACCESS: u32 = 5;
export const CAUSE_STORE_MISALIGNED: u32 = 6;
export const CAUSE_STORE_ACCESS: u32 = 7;
export const CAUSE_ECALL_U: u32 = 8;
export const CAUSE_ECALL_M: u32 = 11;

// Interrupt numbers (mcause with bit 31 set; bit positions in mip and mie).
export const IRQ_MSI: u32 = 3;
export const IRQ_MTI: u32 = 7;
export const IRQ_MEI: u32 = 11;
export const INTERRUPT_BIT: u32 = 0x8000_0000;

// mstatus fields.
export const MSTATUS_MIE: u32 = 1 << 3;
export const MSTATUS_MPIE: u32 = 1 << 7;
export const MSTATUS_MPP_SHIFT: u32 = 11;
export const MSTATUS_MPP: u32 = 3 << MSTATUS_MPP_SHIFT;
export const MSTATUS_MPRV: u32 = 1 << 17;
export const MSTATUS_TW: u32 = 1 << 21;
export const MSTATUS_WRITABLE: u32 = MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP | MSTATUS_MPRV | MSTATUS_TW;

/** mstatus on trap entry: MPIE ← MIE, MIE ← 0, MPP ← the privilege the trap came from. */
function enterMachineMode(h: usize, cause: u32, tval: u32, epc: u32): void {
  let status = load<u32>(h, H_MSTATUS);
  const mie = (status & MSTATUS_MIE) != 0;
  status &= ~(MSTATUS_MIE | MSTATUS_MPIE | MSTATUS_MPP);
  if (mie) status |= MSTATUS_MPIE;
  status |= load<u32>(h, H_PRIV) << MSTATUS_MPP_SHIFT;
  store<u32>(h, status, H_MSTATUS);
  store<u32>(h, PRIV_M, H_PRIV);
  store<u32>(h, epc, H_MEPC);
  store<u32>(h, cause, H_MCAUSE);
  store<u32>(h, tval, H_MTVAL);
  applyCsrFaults(h);
}

/**
 * Takes a synchronous exception for the instruction at `pc`; returns the handler address.
 * The instruction does not retire (minstret does not count it). With no handler installed
 * (mtvec = 0) the run loop stops with STOP_TRAP after this instruction.
 */
export function exception(h: usize, cause: u32, tval: u32, pc: u32): u32 {
  enterMachineMode(h, cause, tval, pc);
  store<u64>(h, load<u64>(h, H_MINSTRET_OFFSET) - 1, H_MINSTRET_OFFSET);
  const mtvec = load<u32>(h, H_MTVEC);
  if (mtvec == 0) raise(A_SETTLE);
  // No interrupt re-check: entering M-mode with MIE clear can only disable interrupts.
  return mtvec & ~3; // exceptions always go to BASE, also in vectored mode
}

/** Takes interrupt `irq` before the instruction at the hart's pc. */
export function interrupt(h: usize, irq: u32): void {
  const pc = load<u32>(h, H_PC);
  enterMachineMode(h, INTERRUPT_BIT | irq, 0, pc);
  const mtvec = load<u32>(h, H_MTVEC);
  const base = mtvec & ~3;
  store<u32>(h, (mtvec & 1) != 0 ? base + 4 * irq : base, H_PC);
}

/** mret: privilege ← MPP, MIE ← MPIE, MPIE ← 1, MPP ← U; returns mepc. */
export function mret(h: usize): u32 {
  let status = load<u32>(h, H_MSTATUS);
  const mpp = (status >> MSTATUS_MPP_SHIFT) & 3;
  status &= ~(MSTATUS_MIE | MSTATUS_MPP);
  if ((status & MSTATUS_MPIE) != 0) status |= MSTATUS_MIE;
  status |= MSTATUS_MPIE;
  status |= PRIV_U << MSTATUS_MPP_SHIFT;
  if (mpp != PRIV_M) status &= ~MSTATUS_MPRV; // leaving M-mode clears MPRV (priv spec 3.1.6.1)
  store<u32>(h, status, H_MSTATUS);
  store<u32>(h, mpp == PRIV_M ? PRIV_M : PRIV_U, H_PRIV);
  applyCsrFaults(h);
  raise(A_EVENT);
  return load<u32>(h, H_MEPC);
}

/** The highest-priority interrupt the hart takes now (MEI > MSI > MTI), or 0xFFFFFFFF. */
export function pendingInterrupt(h: usize, mip: u32): u32 {
  const pending = mip & load<u32>(h, H_MIE);
  if (pending == 0) return 0xFFFF_FFFF;
  const enabled = load<u32>(h, H_PRIV) != PRIV_M || (load<u32>(h, H_MSTATUS) & MSTATUS_MIE) != 0;
  if (!enabled) return 0xFFFF_FFFF;
  if (pending & (1 << IRQ_MEI)) return IRQ_MEI;
  if (pending & (1 << IRQ_MSI)) return IRQ_MSI;
  return IRQ_MTI;
}
