// One instruction of one module: fetch, decode, execute, then commit: the writeback and
// the retire record (layout.ts, H_RETIRE). Inlined into each run loop; the `instrumented`
// argument is a literal at every call site, so the optimiser removes the persistent-fault
// checks from the plain loop entirely.
//
// Each case commits and returns on its own (through the one commit() function) instead of
// merging into a shared tail: fewer values live across the dispatch means V8 keeps them in
// registers, which is worth about a fifth of the speed.
//
// Opcode map (RV32 base, inst[6:2] = the dispatch key; inst[1:0] = 11), unprivileged spec
// table 24.1:
//
//            000     001       010   011       100     101    110   111
//   00    LOAD    -         -     MISC-MEM  OP-IMM  AUIPC  -     -
//   01    STORE   -         -     -         OP      LUI    -     -
//   10    -       -         -     -         -       -      -     -
//   11    BRANCH  JALR      -     JAL       SYSTEM  -      -     -

import {
  H_RAM, H_DIRTY, H_RETIRE, R_NPC, R_PC, R_KIND, R_ADDR, RAM_BASE,
  PAGE_SHIFT, K_LOAD, K_STORE, K_WIDTH_SHIFT, K_TRAP_SHIFT, TRAP_ANNOUNCE, H_RESULT_XOR,
  H_RESULT_AND, H_RESULT_OR, H_REG_AND, H_REG_OR, H_PC_AND, H_PC_OR,
} from '../layout';
import {
  g_ramSize, g_tohost, g_coldKind, g_coldValue, g_trap, g_trapValue, raise, takeRaisedException,
  A_SETTLE,
} from './signals';
import { immI, immS, immB, immU, immJ, funct3 } from './decode';
import { div, divu, rem, remu, mulh, mulhsu, mulhu } from './alu';
import { exception, CAUSE_FETCH_ACCESS, CAUSE_FETCH_MISALIGNED, CAUSE_ILLEGAL } from './trap';
import { systemInstruction, loadSlow, storeSlow } from './system';
import {
  readHitsPoison, storeHitsPoison, afterStore, readsPoisonedRegister, registerWritten,
} from '../fault/persistent';

/** Fills the retire record of one step (pairs of adjacent fields go in one 64-bit store). */
// @ts-ignore: decorator
@inline function retire(h: usize, pc: u32, insn: u32, kind: u32, value: u32, addr: u32, data: u32, npc: u32): void {
  const record = h + H_RETIRE;
  store<u64>(record, (<u64>insn << 32) | <u64>pc, R_PC); // R_PC, R_INSN
  store<u64>(record, (<u64>value << 32) | <u64>kind, R_KIND); // R_KIND, R_VALUE
  store<u64>(record, (<u64>data << 32) | <u64>addr, R_ADDR); // R_ADDR, R_DATA
  store<u32>(record, npc, R_NPC);
}

/** The instruction at `pc` raised exception `cause`: take it; returns the handler's pc. Cold. */
function takeTrap(h: usize, pc: u32, insn: u32, cause: u32, tval: u32): u32 {
  const npc = exception(h, cause, tval, pc);
  retire(h, pc, insn, (cause + 1) << K_TRAP_SHIFT, 0, tval, 0, npc);
  return npc;
}

// @ts-ignore: decorator
@inline function trapped(h: usize, pc: u32, insn: u32, cause: u32, tval: u32, instrumented: bool): u32 {
  const npc = takeTrap(h, pc, insn, cause, tval);
  return instrumented ? maskPc(h, npc) : npc;
}

/** The module announced a local error instead of executing the instruction at `pc`. Cold. */
function announced(h: usize, pc: u32, insn: u32): u32 {
  retire(h, pc, insn, TRAP_ANNOUNCE << K_TRAP_SHIFT, 0, 0, 0, pc);
  return pc;
}

/** Stuck bits of the pc (instrumented loop only). */
// @ts-ignore: decorator
@inline function maskPc(h: usize, npc: u32): u32 {
  return (npc & load<u32>(h, H_PC_AND)) | load<u32>(h, H_PC_OR);
}

/** Writes rd (not x0), fills the retire record and returns the next pc. */
// @ts-ignore: decorator
@inline function commit(
  h: usize, pc: u32, insn: u32, rd: u32, value: u32, kind: u32, addr: u32, data: u32, npc: u32, instrumented: bool,
): u32 {
  if (instrumented) {
    if (rd != 0) {
      const r = (<usize>rd) << 2;
      value = ((value ^ load<u32>(h, H_RESULT_XOR)) & load<u32>(h, H_RESULT_AND)) | load<u32>(h, H_RESULT_OR);
      value = (value & load<u32>(h + r, H_REG_AND)) | load<u32>(h + r, H_REG_OR);
      registerWritten(h, rd);
    }
    npc = maskPc(h, npc);
  }
  if (rd == 0) value = 0;
  store<u32>(h + ((<usize>rd) << 2), value); // x0 takes 0: it stays 0
  retire(h, pc, insn, kind | rd, value, addr, data, npc);
  return npc;
}

/** stepFast's answer for an instruction it leaves to stepSlow (pcs are always 4-aligned). */
export const SLOW: u32 = 1;

/**
 * Executes the instruction at `pc` on module `h`; `i` is its index in the current batch.
 * Returns the next pc, which is also in the retire record. The caller keeps the pc in a
 * local and stores it to the hart block (H_PC) when the batch ends.
 *
 * With `fast`, the step makes no calls: anything that needs a cold path (a trap, a device,
 * a SYSTEM instruction) returns SLOW before it has changed any state, and the caller runs
 * stepSlow() for it. A call anywhere in the inlined step makes V8 keep its values on the
 * stack, which costs more than a quarter of the speed.
 */
// @ts-ignore: decorator
@inline export function step(h: usize, pc: u32, i: u32, instrumented: bool, fast: bool): u32 {
  const fetchOffset = pc - RAM_BASE;
  if (fetchOffset >= g_ramSize) {
    if (fast) return SLOW;
    return trapped(h, pc, 0, CAUSE_FETCH_ACCESS, pc, instrumented); // pc is 4-aligned: jumps check their targets
  }
  const insn = load<u32>(load<usize>(h, H_RAM) + fetchOffset);
  if (instrumented && (readHitsPoison(h, fetchOffset) || readsPoisonedRegister(h, insn))) {
    return announced(h, pc, insn); // the module's check fired instead of the instruction
  }
  const rd = (insn >> 7) & 0x1F;
  // x[rs1] and x[rs2] for every format (fields insn[19:15] and insn[24:20], times 4).
  const a = load<u32>(h + ((insn >> 13) & 0x7C));
  const b = load<u32>(h + ((insn >> 18) & 0x7C));
  // Dispatch on opcode[6:2]; a word whose bits [1:0] are not 11 (compressed or longer
  // encodings) gets a key ≥ 32 and is illegal. Dense keys compile to one br_table.
  switch (((insn >> 2) & 0x1F) | (((insn & 3) ^ 3) << 5)) {
    case 0x0D: // LUI
      return commit(h, pc, insn, rd, immU(insn), 0, 0, 0, pc + 4, instrumented);
    case 0x05: // AUIPC
      return commit(h, pc, insn, rd, pc + immU(insn), 0, 0, 0, pc + 4, instrumented);
    case 0x1B: { // JAL
      const target = pc + immJ(insn);
      if ((target & 3) != 0) return fast ? SLOW : trapped(h, pc, insn, CAUSE_FETCH_MISALIGNED, target, instrumented);
      return commit(h, pc, insn, rd, pc + 4, 0, 0, 0, target, instrumented);
    }
    case 0x19: { // JALR
      if (funct3(insn) != 0) break;
      const target = (a + immI(insn)) & ~1;
      if ((target & 3) != 0) return fast ? SLOW : trapped(h, pc, insn, CAUSE_FETCH_MISALIGNED, target, instrumented);
      return commit(h, pc, insn, rd, pc + 4, 0, 0, 0, target, instrumented);
    }
    case 0x18: { // BRANCH
      let taken = false;
      switch (funct3(insn)) {
        case 0: taken = a == b; break; // BEQ
        case 1: taken = a != b; break; // BNE
        case 4: taken = <i32>a < <i32>b; break; // BLT
        case 5: taken = <i32>a >= <i32>b; break; // BGE
        case 6: taken = a < b; break; // BLTU
        case 7: taken = a >= b; break; // BGEU
        default: return fast ? SLOW : trapped(h, pc, insn, CAUSE_ILLEGAL, insn, instrumented);
      }
      let npc = pc + 4;
      if (taken) {
        npc = pc + immB(insn);
        if ((npc & 3) != 0) return fast ? SLOW : trapped(h, pc, insn, CAUSE_FETCH_MISALIGNED, npc, instrumented);
      }
      return commit(h, pc, insn, 0, 0, 0, 0, 0, npc, instrumented);
    }
    case 0x00: { // LOAD: LB LH LW LBU LHU (funct3 0 1 2 4 5)
      const f3 = funct3(insn);
      if ((f3 & 3) == 3 || f3 >= 6) break;
      const size = f3 & 3; // log2 of the width
      const addr = a + immI(insn);
      const offset = addr - RAM_BASE;
      let kind = K_LOAD | ((<u32>1 << size) << K_WIDTH_SHIFT);
      let value: u32;
      // In RAM and naturally aligned: a misaligned offset rotates its low bits to the top.
      if (rotr<u32>(offset, size) < (g_ramSize >> size)) {
        if (instrumented && readHitsPoison(h, offset)) return announced(h, pc, insn);
        const p = load<usize>(h, H_RAM) + offset;
        switch (f3) {
          case 0: value = <u32><i32>load<i8>(p); break;
          case 1: value = <u32><i32>load<i16>(p); break;
          case 2: value = load<u32>(p); break;
          case 4: value = <u32>load<u8>(p); break;
          default: value = <u32>load<u16>(p); break;
        }
      } else {
        if (fast) return SLOW;
        value = loadSlow(h, addr, size, f3 < 4, i);
        if (g_trap != 0) return trapped(h, pc, insn, takeRaisedException(), g_trapValue, instrumented);
        kind |= g_coldKind;
      }
      return commit(h, pc, insn, rd, value, kind, addr, value, pc + 4, instrumented);
    }
    case 0x08: { // STORE: SB SH SW (funct3 0 1 2)
      const size = funct3(insn);
      if (size > 2) break;
      const addr = a + immS(insn);
      let data = size == 2 ? b : b & ((<u32>1 << (8 << size)) - 1);
      if (instrumented) {
        data = ((data ^ load<u32>(h, H_RESULT_XOR)) & load<u32>(h, H_RESULT_AND)) | load<u32>(h, H_RESULT_OR);
        if (size != 2) data &= (<u32>1 << (8 << size)) - 1;
      }
      const offset = addr - RAM_BASE;
      let kind = K_STORE | ((<u32>1 << size) << K_WIDTH_SHIFT);
      if (rotr<u32>(offset, size) < (g_ramSize >> size)) {
        if (instrumented && storeHitsPoison(h, offset, <u32>1 << size)) return announced(h, pc, insn);
        const p = load<usize>(h, H_RAM) + offset;
        if (fast && addr == g_tohost) return SLOW; // the batch must end after it: leave it to stepSlow
        if (size == 0) store<u8>(p, <u8>data);
        else if (size == 1) store<u16>(p, <u16>data);
        else store<u32>(p, data);
        store<u8>(load<usize>(h, H_DIRTY) + (offset >> PAGE_SHIFT), 1);
        if (addr == g_tohost) raise(A_SETTLE);
        if (instrumented) afterStore(h, offset, <u32>1 << size);
      } else {
        if (fast) return SLOW;
        storeSlow(addr, size);
        if (g_trap != 0) return trapped(h, pc, insn, takeRaisedException(), g_trapValue, instrumented);
        kind |= g_coldKind;
      }
      return commit(h, pc, insn, 0, 0, kind, addr, data, pc + 4, instrumented);
    }
    case 0x04: { // OP-IMM
      const imm = immI(insn);
      let value: u32;
      switch (funct3(insn)) {
        case 0: value = a + imm; break; // ADDI
        case 1: { // SLLI: imm[11:5] must be 0
          if ((insn >> 25) != 0) return fast ? SLOW : trapped(h, pc, insn, CAUSE_ILLEGAL, insn, instrumented);
          value = a << (imm & 31);
          break;
        }
        case 2: value = <u32>(<i32>a < <i32>imm); break; // SLTI
        case 3: value = <u32>(a < imm); break; // SLTIU
        case 4: value = a ^ imm; break; // XORI
        case 5: { // SRLI (imm[11:5] = 0) / SRAI (imm[11:5] = 0100000)
          const f7 = insn >> 25;
          if (f7 == 0) value = a >> (imm & 31);
          else if (f7 == 0x20) value = <u32>(<i32>a >> (imm & 31));
          else return fast ? SLOW : trapped(h, pc, insn, CAUSE_ILLEGAL, insn, instrumented);
          break;
        }
        case 6: value = a | imm; break; // ORI
        default: value = a & imm; break; // ANDI
      }
      return commit(h, pc, insn, rd, value, 0, 0, 0, pc + 4, instrumented);
    }
    case 0x0C: { // OP: funct7 0 (base), 1 (M extension), 0x20 (SUB, SRA)
      const f7 = insn >> 25;
      let value: u32 = 0;
      if (f7 == 0) {
        switch (funct3(insn)) {
          case 0: value = a + b; break; // ADD
          case 1: value = a << (b & 31); break; // SLL
          case 2: value = <u32>(<i32>a < <i32>b); break; // SLT
          case 3: value = <u32>(a < b); break; // SLTU
          case 4: value = a ^ b; break; // XOR
          case 5: value = a >> (b & 31); break; // SRL
          case 6: value = a | b; break; // OR
          default: value = a & b; break; // AND
        }
      } else if (f7 == 1) {
        switch (funct3(insn)) {
          case 0: value = a * b; break; // MUL
          case 1: value = mulh(a, b); break; // MULH
          case 2: value = mulhsu(a, b); break; // MULHSU
          case 3: value = mulhu(a, b); break; // MULHU
          case 4: value = div(a, b); break; // DIV
          case 5: value = divu(a, b); break; // DIVU
          case 6: value = rem(a, b); break; // REM
          default: value = remu(a, b); break; // REMU
        }
      } else if (f7 == 0x20 && funct3(insn) == 0) {
        value = a - b; // SUB
      } else if (f7 == 0x20 && funct3(insn) == 5) {
        value = <u32>(<i32>a >> (b & 31)); // SRA
      } else {
        break;
      }
      return commit(h, pc, insn, rd, value, 0, 0, 0, pc + 4, instrumented);
    }
    case 0x03: { // MISC-MEM: FENCE (any pred/succ/fm, e.g. FENCE.TSO) and FENCE.I are no-ops here
      if (funct3(insn) > 1) break;
      return commit(h, pc, insn, 0, 0, 0, 0, 0, pc + 4, instrumented);
    }
    case 0x1C: { // SYSTEM
      if (fast) return SLOW;
      const npc = systemInstruction(h, insn, pc, i);
      if (g_trap != 0) return trapped(h, pc, insn, takeRaisedException(), g_trapValue, instrumented);
      return commit(h, pc, insn, g_coldKind & 0x1F, g_coldValue, g_coldKind & ~0x1F, 0, 0, npc, instrumented);
    }
    default: break;
  }
  if (fast) return SLOW;
  // mtval holds the faulting instruction's own bits: 16 of them for a compressed encoding
  // (priv spec 3.1.16, "the shortest of the actual faulting instruction, ILEN, MXLEN").
  return trapped(h, pc, insn, CAUSE_ILLEGAL, (insn & 3) == 3 ? insn : insn & 0xFFFF, instrumented);
}

/** The full step, for what stepFast left (cold: not inlined into the run loops). */
export function stepSlow(h: usize, pc: u32, i: u32): u32 {
  return step(h, pc, i, false, false);
}

/**
 * The plain step of the hot loops: it makes no calls and never raises attention; for SLOW
 * the caller runs stepSlow(), and checks attention only then.
 */
// @ts-ignore: decorator
@inline export function stepFast(h: usize, pc: u32, i: u32): u32 {
  return step(h, pc, i, false, true);
}

/** The step of the instrumented loops, which re-apply persistent faults. */
// @ts-ignore: decorator
@inline export function stepInstrumented(h: usize, pc: u32, i: u32): u32 {
  return step(h, pc, i, true, false);
}
