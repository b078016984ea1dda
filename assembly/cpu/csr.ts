// Control and status registers (Zicsr; privileged spec ch. 2 "CSR Listing" and ch. 3).
// Cold path: every CSR instruction goes through csrInstruction().

import {
  H_MSTATUS, H_MTVEC, H_MEPC, H_MCAUSE, H_MTVAL, H_MSCRATCH, H_MIE, H_MCOUNTEREN,
  H_MCYCLE_OFFSET, H_MINSTRET_OFFSET, H_PRIV, H_X, PRIV_M, H_PMPCFG, H_PMPADDR, PMP_ENTRIES,
} from '../layout';
import { writePmpConfig, writePmpAddress } from './pmp';
import { g_batchInstret, g_batchCycle, raise, A_EVENT } from './signals';
import { MSTATUS_WRITABLE, MSTATUS_MPP, MSTATUS_MPP_SHIFT, IRQ_MSI, IRQ_MTI, IRQ_MEI } from './trap';
import { deviceMip, mtimeAt } from './devices';
import { applyCsrFaults } from '../fault/persistent';
import { funct3, rs1Field, csrField } from './decode';

export const CSR_MSTATUS: u32 = 0x300;
export const CSR_MISA: u32 = 0x301;
export const CSR_MIE: u32 = 0x304;
export const CSR_MTVEC: u32 = 0x305;
export const CSR_MCOUNTEREN: u32 = 0x306;
export const CSR_MENVCFG: u32 = 0x30A;
export const CSR_MSTATUSH: u32 = 0x310;
export const CSR_MENVCFGH: u32 = 0x31A;
export const CSR_MCOUNTINHIBIT: u32 = 0x320;
export const CSR_MSCRATCH: u32 = 0x340;
export const CSR_MEPC: u32 = 0x341;
export const CSR_MCAUSE: u32 = 0x342;
export const CSR_MTVAL: u32 = 0x343;
export const CSR_MIP: u32 = 0x344;
export const CSR_MVENDORID: u32 = 0xF11;
export const CSR_MARCHID: u32 = 0xF12;
export const CSR_MIMPID: u32 = 0xF13;
export const CSR_MHARTID: u32 = 0xF14;
export const CSR_MCONFIGPTR: u32 = 0xF15;
export const CSR_PMPCFG0: u32 = 0x3A0;
export const CSR_PMPADDR0: u32 = 0x3B0;
export const CSR_PMPADDR63: u32 = 0x3EF;
export const CSR_TSELECT: u32 = 0x7A0;
export const CSR_TDATA3: u32 = 0x7A3;

/** misa: MXL = 1 (32-bit), extensions I, M, U. */
export const MISA_VALUE: u32 = (1 << 30) | (1 << ('I'.charCodeAt(0) - 65)) | (1 << ('M'.charCodeAt(0) - 65)) | (1 << ('U'.charCodeAt(0) - 65));
const MIE_WRITABLE: u32 = (1 << IRQ_MSI) | (1 << IRQ_MTI) | (1 << IRQ_MEI);
const MCOUNTEREN_WRITABLE: u32 = 0x7; // CY, TM, IR; hpmcounters are read-only zero

/** Returned by csrRead for a CSR that does not exist or may not be accessed. */
export const CSR_ILLEGAL: u64 = 0x1_0000_0000;

function machineCycle(h: usize, i: u32): u64 { return g_batchCycle + i + load<u64>(h, H_MCYCLE_OFFSET); }
function machineInstret(h: usize, i: u32): u64 { return g_batchInstret + i + load<u64>(h, H_MINSTRET_OFFSET); }

/** mip as the hart reads it: all its bits come from devices and are read-only here. */
export function mipValue(i: u32): u32 { return deviceMip(i); }

/**
 * The value of CSR `num` for the hart at privilege `priv` during instruction `i` of the
 * batch, or CSR_ILLEGAL. Privilege is checked here: csr[9:8] is the lowest privilege that
 * may access it, and the user counters also need their mcounteren bit.
 */
export function csrRead(h: usize, num: u32, priv: u32, i: u32): u64 {
  if (((num >> 8) & 3) > priv) return CSR_ILLEGAL;
  // User counters cycle..hpmcounter31 (0xC00-0xC1F) and their high halves (0xC80-0xC9F).
  if ((num & 0xF60) == 0xC00) {
    if (priv != PRIV_M && (load<u32>(h, H_MCOUNTEREN) & (1 << (num & 0x1F))) == 0) return CSR_ILLEGAL;
    const high = (num & 0x80) != 0;
    let value: u64 = 0;
    switch (num & 0x1F) {
      case 0: value = machineCycle(h, i); break;
      case 1: value = mtimeAt(i); break;
      case 2: value = machineInstret(h, i); break;
      default: value = 0; // hpmcounter3..31: read-only zero
    }
    return high ? value >> 32 : value & 0xFFFF_FFFF;
  }
  // Machine counters mcycle, minstret, mhpmcounter3..31 (0xB00-0xB1F) and high halves (0xB80-0xB9F).
  if ((num & 0xF60) == 0xB00 && (num & 0x1F) != 1) {
    const high = (num & 0x80) != 0;
    let value: u64 = 0;
    if ((num & 0x1F) == 0) value = machineCycle(h, i);
    else if ((num & 0x1F) == 2) value = machineInstret(h, i);
    return high ? value >> 32 : value & 0xFFFF_FFFF;
  }
  // mhpmevent3..31 (0x323-0x33F): read-only zero.
  if (num >= 0x323 && num <= 0x33F) return 0;
  // PMP (pmp.ts): 16 entries, pmpcfg0-3 (0x3A0-0x3A3) and pmpaddr0-15 (0x3B0-0x3BF); the
  // other pmpcfg (to 0x3AF) and pmpaddr (to 0x3EF) registers read 0 and ignore writes.
  if (num >= CSR_PMPCFG0 && num <= CSR_PMPADDR63) {
    if (num < CSR_PMPCFG0 + PMP_ENTRIES / 4) return load<u32>(h + H_PMPCFG + ((<usize>num - CSR_PMPCFG0) << 2));
    if (num >= CSR_PMPADDR0 && num < CSR_PMPADDR0 + PMP_ENTRIES) return load<u32>(h + H_PMPADDR + ((<usize>num - CSR_PMPADDR0) << 2));
    return 0;
  }
  // No triggers (debug spec 0.13.2 ch. 5): tselect is WARL and holds only 0; tdata1 there
  // reads type 0, "there is no trigger at this tselect"; tdata2 and tdata3 read 0. Writes
  // change nothing.
  if (num >= CSR_TSELECT && num <= CSR_TDATA3) return 0;
  switch (num) {
    case CSR_MSTATUS: return load<u32>(h, H_MSTATUS);
    case CSR_MISA: return MISA_VALUE;
    case CSR_MIE: return load<u32>(h, H_MIE);
    case CSR_MTVEC: return load<u32>(h, H_MTVEC);
    case CSR_MCOUNTEREN: return load<u32>(h, H_MCOUNTEREN);
    case CSR_MSTATUSH: return 0;
    case CSR_MENVCFG: return 0; // exists when U-mode does (priv spec 3.1.18); every field read-only zero
    case CSR_MENVCFGH: return 0;
    case CSR_MCOUNTINHIBIT: return 0;
    case CSR_MSCRATCH: return load<u32>(h, H_MSCRATCH);
    case CSR_MEPC: return load<u32>(h, H_MEPC);
    case CSR_MCAUSE: return load<u32>(h, H_MCAUSE);
    case CSR_MTVAL: return load<u32>(h, H_MTVAL);
    case CSR_MIP: return mipValue(i);
    case CSR_MVENDORID: return 0;
    case CSR_MARCHID: return 0;
    case CSR_MIMPID: return 0;
    case CSR_MHARTID: return 0; // the replicas are one logical hart
    case CSR_MCONFIGPTR: return 0;
    default: return CSR_ILLEGAL;
  }
}

/**
 * Sets mcycle or minstret (or a half of one, `num`) so that the instruction at batch index
 * `at` reads `value` in that half, and in the other half what the instruction at index
 * `writer` (default `at`) read. A CSR instruction at index i writes with at = i + 1 and
 * writer = i: "the write is done instead of the increment" (Zicsr, unprivileged spec
 * 20191213 §9.1), so the writer's own increment reaches neither half (a write of minstreth
 * right after minstret = 2^32 - 1 keeps the low half at 2^32 - 1, with no carry).
 */
export function writeCounter(h: usize, num: u32, value: u32, at: u64, writer: u64 = at): void {
  const index = num & 0x1F;
  if (index != 0 && index != 2) return; // mhpmcounterN: read-only zero
  const field = index == 0 ? H_MCYCLE_OFFSET : H_MINSTRET_OFFSET;
  const batch = index == 0 ? g_batchCycle : g_batchInstret;
  const read = batch + writer + load<u64>(h + field);
  const next = (num & 0x80) != 0
    ? (read & 0xFFFF_FFFF) | (<u64>value << 32)
    : (read & 0xFFFF_FFFF_0000_0000) | <u64>value;
  store<u64>(h + field, next - (batch + at));
}

/** Writes `value` to CSR `num` (which csrRead accepted and which is not read-only). WARL fields keep their legal values. */
export function csrWrite(h: usize, num: u32, value: u32, i: u32): void {
  if ((num & 0xF60) == 0xB00) {
    writeCounter(h, num, value, <u64>i + 1, i);
    return;
  }
  if (num >= CSR_PMPCFG0 && num < CSR_PMPCFG0 + PMP_ENTRIES / 4) {
    writePmpConfig(h, num - CSR_PMPCFG0, value);
    raise(A_EVENT); // the batch may need the checked loop now (run.ts batch(), pmp.ts pmpChecked())
    return;
  }
  if (num >= CSR_PMPADDR0 && num < CSR_PMPADDR0 + PMP_ENTRIES) {
    writePmpAddress(h, num - CSR_PMPADDR0, value);
    raise(A_EVENT); // likewise
    return;
  }
  switch (num) {
    case CSR_MSTATUS: {
      let status = value & MSTATUS_WRITABLE;
      const mpp = (status & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
      if (mpp != PRIV_M && mpp != 0) status &= ~MSTATUS_MPP; // WARL: only M and U exist
      store<u32>(h, status, H_MSTATUS);
      raise(A_EVENT); // also: MPRV may need the checked loop (run.ts batch())
      break;
    }
    case CSR_MIE: store<u32>(h, value & MIE_WRITABLE, H_MIE); raise(A_EVENT); break;
    case CSR_MTVEC: store<u32>(h, value & ~2, H_MTVEC); break; // MODE 0 direct, 1 vectored; ≥ 2 reserved
    case CSR_MCOUNTEREN: store<u32>(h, value & MCOUNTEREN_WRITABLE, H_MCOUNTEREN); break;
    case CSR_MSCRATCH: store<u32>(h, value, H_MSCRATCH); break;
    case CSR_MEPC: store<u32>(h, value & ~3, H_MEPC); break; // IALIGN = 32
    case CSR_MCAUSE: store<u32>(h, value, H_MCAUSE); break;
    case CSR_MTVAL: store<u32>(h, value, H_MTVAL); break;
    default: break; // misa, mstatush, menvcfg(h), mip, mcountinhibit, mhpmevent, pmpcfg4-15, pmpaddr16-63, triggers: writes ignored (WARL)
  }
  applyCsrFaults(h);
}

/**
 * Executes csrrw/csrrs/csrrc and their immediate forms. Returns the old value (for rd), or
 * CSR_ILLEGAL: no such CSR, not accessible at this privilege, or a write to a read-only CSR.
 * Per the spec, csrrs/csrrc with rs1 = x0 (or uimm = 0) do not write, and csrrw with
 * rd = x0 does not read (no read side effects exist here, so the read is harmless).
 */
export function csrInstruction(h: usize, insn: u32, i: u32): u64 {
  const num = csrField(insn);
  const op = funct3(insn);
  const src = rs1Field(insn);
  const priv = load<u32>(h, H_PRIV);
  const old = csrRead(h, num, priv, i);
  if (old == CSR_ILLEGAL) return CSR_ILLEGAL;
  const operand = (op & 4) != 0 ? src : load<u32>(h + H_X + (<usize>src << 2));
  const writes = (op & 3) == 1 || src != 0;
  if (writes) {
    if ((num >> 10) == 3) return CSR_ILLEGAL; // csr[11:10] = 11: read-only
    let next: u32;
    switch (op & 3) {
      case 1: next = operand; break;
      case 2: next = <u32>old | operand; break;
      default: next = <u32>old & ~operand; break;
    }
    csrWrite(h, num, next, i);
  }
  return old;
}
