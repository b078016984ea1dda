// The SYSTEM opcode (0x73) and the slow paths of loads and stores: cold code called from the
// step. Exceptions are not taken here: they are raised (raiseException) and taken at the
// step's single trap point.

import { H_MTVEC, H_PRIV, H_MSTATUS, PRIV_M, PRIV_U, K_HOSTCALL, K_DEVICE } from '../layout';
import { raise, raiseException, setColdResult, A_SETTLE, A_WFI } from './signals';
import {
  mret, CAUSE_ILLEGAL, CAUSE_BREAKPOINT, CAUSE_ECALL_M, CAUSE_ECALL_U, CAUSE_LOAD_MISALIGNED,
  CAUSE_LOAD_ACCESS, CAUSE_STORE_MISALIGNED, CAUSE_STORE_ACCESS, MSTATUS_TW,
} from './trap';
import { csrInstruction, CSR_ILLEGAL } from './csr';
import { deviceAccessible, deviceLoad } from './devices';
import { funct3, rdField } from './decode';

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

/**
 * A load of 2^size bytes at `addr` that is not an aligned RAM access: misaligned, a device,
 * or nothing (access fault). Returns the value, extended per `signed`; K_DEVICE in the cold
 * kind when a device answered.
 */
export function loadSlow(h: usize, addr: u32, size: u32, signed: bool, i: u32): u32 {
  setColdResult(0, 0);
  const width: u32 = 1 << size;
  if ((addr & (width - 1)) != 0) { raiseException(CAUSE_LOAD_MISALIGNED, addr); return 0; }
  if (!deviceAccessible(addr, width)) { raiseException(CAUSE_LOAD_ACCESS, addr); return 0; }
  let value = deviceLoad(addr, i);
  if (size == 0) value = signed ? <u32><i32><i8>value : value & 0xFF;
  else if (size == 1) value = signed ? <u32><i32><i16>value : value & 0xFFFF;
  setColdResult(K_DEVICE, 0);
  return value;
}

/**
 * A store of 2^size bytes at `addr` that is not an aligned RAM access. A device store is not
 * performed here: it is recorded (K_DEVICE) and committed once by the run loop after the
 * modules agree.
 */
export function storeSlow(addr: u32, size: u32): void {
  setColdResult(0, 0);
  const width: u32 = 1 << size;
  if ((addr & (width - 1)) != 0) { raiseException(CAUSE_STORE_MISALIGNED, addr); return; }
  if (!deviceAccessible(addr, width)) { raiseException(CAUSE_STORE_ACCESS, addr); return; }
  setColdResult(K_DEVICE, 0);
  raise(A_SETTLE);
}
