// The SYSTEM opcode (0x73) and the slow paths of loads and stores (misaligned RAM, devices,
// nothing): cold code called from the step. Exceptions are not taken here: they are raised
// (raiseException) and taken at the step's single trap point.

import {
  H_MTVEC, H_PRIV, H_MSTATUS, H_RAM, H_DIRTY, PRIV_M, PRIV_U, K_HOSTCALL, K_DEVICE, RAM_BASE, PAGE_SHIFT,
} from '../layout';
import { raise, raiseException, setColdResult, ramSize, ramOffset, tohost, A_SETTLE, A_WFI } from './signals';
import {
  mret, CAUSE_ILLEGAL, CAUSE_BREAKPOINT, CAUSE_ECALL_M, CAUSE_ECALL_U, CAUSE_LOAD_MISALIGNED,
  CAUSE_LOAD_ACCESS, CAUSE_STORE_MISALIGNED, CAUSE_STORE_ACCESS, MSTATUS_TW,
} from './trap';
import { csrInstruction, CSR_ILLEGAL } from './csr';
import { deviceAccessible, deviceLoad } from './devices';
import { funct3, rdField } from './decode';
import { readHitsPoison, afterStore } from '../fault/persistent';
import { pmpAllows, dataPrivilege, PMP_R, PMP_W } from './pmp';

const ECALL: u32 = 0x0000_0073;
const EBREAK: u32 = 0x0010_0073;
const MRET: u32 = 0x3020_0073;
export const WFI: u32 = 0x1050_0073;

/** Executes a SYSTEM instruction at `pc`; returns the next pc. */
export function systemInstruction(h: usize, insn: u32, pc: u32, i: u32): u32 {
  setColdResult(0, 0);
  const priv = load<u32>(h, H_PRIV);
  if (funct3(insn) == 0) {
    switch (insn) {
      case ECALL: {
        if (load<u32>(h, H_MTVEC) == 0) {
          // No trap handler: the machine serves the call (DESIGN §3, host-served ecalls).
          setColdResult(K_HOSTCALL, 0);
          raise(A_SETTLE);
          return pc + 4;
        }
        raiseException(priv == PRIV_M ? CAUSE_ECALL_M : CAUSE_ECALL_U, 0);
        return pc;
      }
      case EBREAK: raiseException(CAUSE_BREAKPOINT, pc); return pc;
      case MRET: {
        if (priv != PRIV_M) break;
        return mret(h);
      }
      case WFI: {
        if (priv == PRIV_U && (load<u32>(h, H_MSTATUS) & MSTATUS_TW) != 0) break;
        raise(A_WFI);
        return pc + 4;
      }
      default: break;
    }
    raiseException(CAUSE_ILLEGAL, insn);
    return pc;
  }
  if (funct3(insn) == 4) { raiseException(CAUSE_ILLEGAL, insn); return pc; }
  const old = csrInstruction(h, insn, i);
  if (old == CSR_ILLEGAL) { raiseException(CAUSE_ILLEGAL, insn); return pc; }
  setColdResult(rdField(insn), <u32>old);
  return pc + 4;
}

// ── Misaligned RAM accesses ─────────────────────────────────────────────────────────────
//
// The execution environment performs a misaligned load or store that begins in RAM
// (unprivileged spec 20191213 §2.6 leaves the choice to it; QEMU's virt board performs them,
// and riscv-tests' rv32ui-p-ma_data expects it), little-endian like any other (§1.4). One
// that runs past the end of RAM is an access fault whose mtval is the first address past RAM,
// "the portion of the access that caused the fault" (privileged spec 20211203 §3.1.16), and
// it reads or writes nothing. Device registers are not memory: a misaligned access to one, or
// to nothing, raises address-misaligned. Only aligned RAM accesses take the fast path, so all
// of this is cold. PMP (pmp.ts) checks every access that reaches these paths, from any loop,
// as a whole (one that straddles an entry's boundary fails, in M-mode too), before RAM's end
// or a device's range: its access fault has mtval = the access's address.

/** Whether an access of `width` bytes that begins at RAM offset `offset` (in RAM) runs past its end. */
// @ts-ignore: decorator
@inline function pastRamEnd(offset: u32, width: u32): bool {
  return ramSize() - offset < width;
}

/**
 * For a misaligned `access` (PMP_R or PMP_W) of 2^`size` bytes at `addr` by an instrumented
 * module: whether a word it touches holds an ECC error, which the module then announces (a
 * load reads each word it touches, and a store writes each only in part, a read-modify-write
 * of its ECC word). False for anything else, which the access itself handles (loadSlow,
 * storeSlow) — an access PMP denies included: it faults without reading memory, as an
 * aligned one does.
 */
export function misalignedHitsPoison(h: usize, addr: u32, size: u32, access: u32): bool {
  const width: u32 = 1 << size;
  const offset = ramOffset(addr);
  if (offset >= ramSize() || pastRamEnd(offset, width)) return false;
  if (!pmpAllows(h, addr, width, access, dataPrivilege(h))) return false;
  return readHitsPoison(h, offset) || readHitsPoison(h, offset + width - 1);
}

/** After a misaligned store at RAM offset `offset` by an instrumented module: the stuck bits of the words it wrote re-assert. */
export function afterMisalignedStore(h: usize, offset: u32, size: u32): void {
  if (offset >= ramSize()) return; // a device store: nothing was written to RAM
  afterStore(h, offset, 1);
  afterStore(h, offset + (1 << size) - 1, 1);
}

/**
 * A load of 2^size bytes at `addr` that is not an aligned RAM access: misaligned RAM, a
 * device, or nothing (access fault). Returns the value, extended per `signed`; K_DEVICE in the
 * cold kind when a device answered.
 */
export function loadSlow(h: usize, addr: u32, size: u32, signed: bool, i: u32): u32 {
  setColdResult(0, 0);
  const width: u32 = 1 << size;
  const offset = ramOffset(addr);
  let value: u32;
  if (offset < ramSize()) {
    if (!pmpAllows(h, addr, width, PMP_R, dataPrivilege(h))) { raiseException(CAUSE_LOAD_ACCESS, addr); return 0; }
    if (pastRamEnd(offset, width)) { raiseException(CAUSE_LOAD_ACCESS, RAM_BASE + ramSize()); return 0; }
    const p = load<usize>(h, H_RAM) + offset; // WebAssembly loads take any alignment, little-endian
    value = size == 2 ? load<u32>(p) : <u32>load<u16>(p);
  } else {
    if ((addr & (width - 1)) != 0) { raiseException(CAUSE_LOAD_MISALIGNED, addr); return 0; }
    if (!pmpAllows(h, addr, width, PMP_R, dataPrivilege(h))) { raiseException(CAUSE_LOAD_ACCESS, addr); return 0; }
    if (!deviceAccessible(addr, width)) { raiseException(CAUSE_LOAD_ACCESS, addr); return 0; }
    value = deviceLoad(addr, i);
    setColdResult(K_DEVICE, 0);
  }
  if (size == 0) value = signed ? <u32><i32><i8>value : value & 0xFF;
  else if (size == 1) value = signed ? <u32><i32><i16>value : value & 0xFFFF;
  return value;
}

/**
 * A store of the low 2^size bytes of `data` at `addr` that is not an aligned RAM access. A
 * misaligned RAM store is performed here, and marks each page it writes dirty. A device store
 * is not: it is recorded (K_DEVICE) and committed once by the run loop after the modules agree.
 */
export function storeSlow(h: usize, addr: u32, size: u32, data: u32): void {
  setColdResult(0, 0);
  const width: u32 = 1 << size;
  const offset = ramOffset(addr);
  if (offset < ramSize()) {
    if (!pmpAllows(h, addr, width, PMP_W, dataPrivilege(h))) { raiseException(CAUSE_STORE_ACCESS, addr); return; }
    if (pastRamEnd(offset, width)) { raiseException(CAUSE_STORE_ACCESS, RAM_BASE + ramSize()); return; }
    const p = load<usize>(h, H_RAM) + offset;
    if (size == 2) store<u32>(p, data);
    else store<u16>(p, <u16>data);
    const dirty = load<usize>(h, H_DIRTY);
    store<u8>(dirty + (offset >> PAGE_SHIFT), 1);
    store<u8>(dirty + ((offset + width - 1) >> PAGE_SHIFT), 1);
    if (addr == tohost()) raise(A_SETTLE);
    return;
  }
  if ((addr & (width - 1)) != 0) { raiseException(CAUSE_STORE_MISALIGNED, addr); return; }
  if (!pmpAllows(h, addr, width, PMP_W, dataPrivilege(h))) { raiseException(CAUSE_STORE_ACCESS, addr); return; }
  if (!deviceAccessible(addr, width)) { raiseException(CAUSE_STORE_ACCESS, addr); return; }
  setColdResult(K_DEVICE, 0);
  raise(A_SETTLE);
}
