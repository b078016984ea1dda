// One instruction of one module: fetch, decode, execute, then commit: the writeback and
// the retire record (layout.ts, H_RETIRE). Inlined into each run loop; the `instrumented`
// and `fast` arguments are literals at every call site, so the optimiser removes the
// persistent-fault checks and the cold paths from the plain loops entirely.
//
// Each case commits and returns on its own (through writeBack()) instead of merging into a
// shared tail: fewer values live across the dispatch means V8 keeps them in registers, and
// each instruction takes one jump less. Operands are read in the cases that use them, for
// the same reason.
//
// Opcode map (RV32 base, inst[6:2]; inst[1:0] = 11), unprivileged spec table 24.1:
//
//            000     001       010   011       100     101    110   111
//   00    LOAD    -         -     MISC-MEM  OP-IMM  AUIPC  -     -
//   01    STORE   -         -     -         OP      LUI    -     -
//   10    -       -         -     -         -       -      -     -
//   11    BRANCH  JALR      -     JAL       SYSTEM  -      -     -
//
// The dispatch key is opcode[6:2] and funct3 (dispatchKey()): one br_table reaches each
// instruction (or its funct7 group) directly, with no second dispatch on funct3.

import {
  H_RAM, H_DIRTY, H_RETIRE, R_PC, R_INSN, R_KIND, R_VALUE, R_ADDR, R_DATA, R_NPC,
  PAGE_SHIFT, K_LOAD, K_STORE, K_WIDTH_SHIFT, K_TRAP_SHIFT, TRAP_ANNOUNCE, H_RESULT_XOR,
  H_RESULT_AND, H_RESULT_OR, H_REG_AND, H_REG_OR, H_PC_AND, H_PC_OR, H_PRIV,
} from '../layout';
import {
  ramSize, ramOffset, tohost, g_coldKind, g_coldValue, g_trap, g_trapValue, raise, takeRaisedException,
  A_SETTLE,
} from './signals';
import { immI, immS, immB, immU, immJ } from './decode';
import {
  alu, taken, Add, Sub, Sll, Slt, Sltu, Xor, Srl, Sra, Or, And, Mul, Mulh, Mulhsu, Mulhu, Div, Divu,
  Rem, Remu, Beq, Bne, Blt, Bge, Bltu, Bgeu,
} from './alu';
import {
  exception, CAUSE_FETCH_ACCESS, CAUSE_FETCH_MISALIGNED, CAUSE_ILLEGAL, CAUSE_LOAD_ACCESS, CAUSE_STORE_ACCESS,
} from './trap';
import { pmpAllows, dataPrivilege, PMP_R, PMP_W, PMP_X } from './pmp';
import { systemInstruction, loadSlow, storeSlow, misalignedHitsPoison, afterMisalignedStore } from './system';
import {
  readHitsPoison, storeHitsPoison, afterStore, readsPoisonedRegister, registerWritten, reassertStuckWords,
} from '../fault/persistent';
import { takeRewritten } from '../fault/ecc';

// ── Decoding ──────────────────────────────────────────────────────────────────────────

// Dispatch keys of the opcodes: opcode[6:2] (add f3(funct3) for an instruction).
export const LOAD: u32 = 0x00;
export const MISC_MEM: u32 = 0x03;
export const OP_IMM: u32 = 0x04;
export const AUIPC: u32 = 0x05;
export const STORE: u32 = 0x08;
export const OP: u32 = 0x0C;
export const LUI: u32 = 0x0D;
export const BRANCH: u32 = 0x18;
export const JALR: u32 = 0x19;
export const JAL: u32 = 0x1B;
export const SYSTEM: u32 = 0x1C;
// @ts-ignore: decorator
@inline export function f3(funct3: u32): u32 { return funct3 << 5; }

/**
 * opcode[6:2] in bits 0-4 and funct3 (insn[14:12]) in bits 5-7. Bits [1:0] of the opcode,
 * 11 in every 32-bit instruction, are flipped to 00 and rotated to the top, so a word with
 * other low bits (compressed or longer encodings) gets a key ≥ 2^30 and is illegal.
 */
// @ts-ignore: decorator
@inline export function dispatchKey(insn: u32): u32 {
  return rotr<u32>(((insn ^ 3) & 0x7F) | ((insn >> 5) & 0x380), 2);
}

/** Byte offsets of x[rd], x[rs1] and x[rs2] in the hart block (fields insn[11:7], [19:15], [24:20]). */
// @ts-ignore: decorator
@inline export function rdField(insn: u32): u32 { return (insn >> 7) & 0x1F; }
// @ts-ignore: decorator
@inline export function rs1Offset(insn: u32): usize { return (insn >> 13) & 0x7C; }
// @ts-ignore: decorator
@inline export function rs2Offset(insn: u32): usize { return (insn >> 18) & 0x7C; }

/** x[rs1] and x[rs2] of module `h`. */
// @ts-ignore: decorator
@inline export function rs1(h: usize, insn: u32): u32 { return load<u32>(h + rs1Offset(insn)); }
// @ts-ignore: decorator
@inline export function rs2(h: usize, insn: u32): u32 { return load<u32>(h + rs2Offset(insn)); }

// ── Execution ─────────────────────────────────────────────────────────────────────────

/**
 * Whether an access of 2^`size` bytes at RAM offset `offset` (address - RAM_BASE) is in RAM
 * and naturally aligned: a misaligned offset rotates its low bits to the top.
 */
// @ts-ignore: decorator
@inline export function inRam(offset: u32, size: u32): bool {
  return rotr<u32>(offset, size) < (ramSize() >> size);
}

/** The 2^`size` bytes (a literal) at linear address `p`, sign- or zero-extended. */
// @ts-ignore: decorator
@inline export function loadRam(p: usize, size: u32, signed: bool): u32 {
  if (size == 0) return signed ? <u32><i32>load<i8>(p) : <u32>load<u8>(p);
  if (size == 1) return signed ? <u32><i32>load<i16>(p) : <u32>load<u16>(p);
  return load<u32>(p);
}

/** The low 2^`size` bytes of `value`, as a store of that width writes them. */
// @ts-ignore: decorator
@inline export function storeData(value: u32, size: u32): u32 {
  return size == 2 ? value : value & ((<u32>1 << (8 << size)) - 1);
}

/** Stores the low 2^`size` bytes (a literal) of `data` to RAM offset `offset` of module `h`, and marks the page dirty. */
// @ts-ignore: decorator
@inline export function storeRam(h: usize, offset: u32, size: u32, data: u32): void {
  const p = load<usize>(h, H_RAM) + offset;
  if (size == 0) store<u8>(p, <u8>data);
  else if (size == 1) store<u16>(p, <u16>data);
  else store<u32>(p, data);
  store<u8>(load<usize>(h, H_DIRTY) + (offset >> PAGE_SHIFT), 1);
}

// ── Commit ────────────────────────────────────────────────────────────────────────────

/** Fills the retire record of one step: one store a field. */
// @ts-ignore: decorator
@inline function retire(h: usize, pc: u32, insn: u32, kind: u32, value: u32, addr: u32, data: u32, npc: u32): void {
  store<u32>(h, pc, H_RETIRE + R_PC);
  store<u32>(h, insn, H_RETIRE + R_INSN);
  store<u32>(h, kind, H_RETIRE + R_KIND);
  store<u32>(h, value, H_RETIRE + R_VALUE);
  store<u32>(h, addr, H_RETIRE + R_ADDR);
  store<u32>(h, data, H_RETIRE + R_DATA);
  store<u32>(h, npc, H_RETIRE + R_NPC);
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

/**
 * Writes rd (not x0), fills the retire record and returns the next pc. `access` (a literal)
 * is false for an instruction without a memory access, whose address and data fields are 0:
 * they are stored as one u64, a store less.
 */
// @ts-ignore: decorator
@inline function writeBack(
  h: usize, pc: u32, insn: u32, rd: u32, value: u32, kind: u32, addr: u32, data: u32, npc: u32, instrumented: bool,
  access: bool,
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
  if (rd != 0) store<u32>(h + ((<usize>rd) << 2), value);
  else value = 0; // x0 stays 0, and the record shows 0 written
  if (access) {
    retire(h, pc, insn, kind | rd, value, addr, data, npc);
  } else {
    store<u32>(h, pc, H_RETIRE + R_PC);
    store<u32>(h, insn, H_RETIRE + R_INSN);
    store<u32>(h, kind | rd, H_RETIRE + R_KIND);
    store<u32>(h, value, H_RETIRE + R_VALUE);
    store<u64>(h, 0, H_RETIRE + R_ADDR); // R_ADDR and R_DATA
    store<u32>(h, npc, H_RETIRE + R_NPC);
  }
  return npc;
}

/** Commits a load or store: writes rd, fills the retire record and returns the next pc. */
// @ts-ignore: decorator
@inline export function commit(
  h: usize, pc: u32, insn: u32, rd: u32, value: u32, kind: u32, addr: u32, data: u32, npc: u32, instrumented: bool,
): u32 {
  return writeBack(h, pc, insn, rd, value, kind, addr, data, npc, instrumented, true);
}

/** Commits an instruction without a memory access (address and data 0). */
// @ts-ignore: decorator
@inline export function commitPlain(
  h: usize, pc: u32, insn: u32, rd: u32, value: u32, kind: u32, npc: u32, instrumented: bool,
): u32 {
  return writeBack(h, pc, insn, rd, value, kind, 0, 0, npc, instrumented, false);
}

// ── The step ──────────────────────────────────────────────────────────────────────────

/** stepFast's answer for an instruction it leaves to stepSlow (a fast step never yields pc 1: it is not in RAM). */
export const SLOW: u32 = 1;

/** Writes rd = `value` (an OP, OP-IMM, LUI or AUIPC result) and goes on at pc + 4. */
// @ts-ignore: decorator
@inline function result(h: usize, pc: u32, insn: u32, value: u32, instrumented: bool): u32 {
  return commitPlain(h, pc, insn, rdField(insn), value, 0, pc + 4, instrumented);
}

/** A conditional branch: to pc + immB if `taken` (a misaligned target traps), else to pc + 4. */
// @ts-ignore: decorator
@inline function branch(h: usize, pc: u32, insn: u32, taken: bool, instrumented: bool, fast: bool): u32 {
  if (!taken) return commitPlain(h, pc, insn, 0, 0, 0, pc + 4, instrumented);
  const target = pc + immB(insn);
  if ((target & 3) != 0) return fast ? SLOW : trapped(h, pc, insn, CAUSE_FETCH_MISALIGNED, target, instrumented);
  return commitPlain(h, pc, insn, 0, 0, 0, target, instrumented);
}

/** A jump (JAL, JALR) to `target`: rd = pc + 4; a misaligned target traps. */
// @ts-ignore: decorator
@inline function jump(h: usize, pc: u32, insn: u32, target: u32, instrumented: bool, fast: bool): u32 {
  if ((target & 3) != 0) return fast ? SLOW : trapped(h, pc, insn, CAUSE_FETCH_MISALIGNED, target, instrumented);
  return commitPlain(h, pc, insn, rdField(insn), pc + 4, 0, target, instrumented);
}

/**
 * A load of 2^`size` bytes (a literal) at x[rs1] + immI, sign-extended if `signed`. With
 * `checked`, PMP checks an aligned RAM access; loadSlow checks every other access itself.
 */
// @ts-ignore: decorator
@inline function loadOp(
  h: usize, pc: u32, insn: u32, x: u32, size: u32, signed: bool, i: u32, instrumented: bool, fast: bool,
  checked: bool,
): u32 {
  const addr = x + immI(insn);
  const offset = ramOffset(addr);
  let kind = K_LOAD | ((<u32>1 << size) << K_WIDTH_SHIFT);
  let value: u32;
  if (inRam(offset, size)) {
    if (checked && !pmpAllows(h, addr, <u32>1 << size, PMP_R, dataPrivilege(h))) {
      return trapped(h, pc, insn, CAUSE_LOAD_ACCESS, addr, instrumented);
    }
    if (instrumented && readHitsPoison(h, offset)) return announced(h, pc, insn);
    value = loadRam(load<usize>(h, H_RAM) + offset, size, signed);
  } else {
    if (fast) return SLOW;
    if (instrumented && misalignedHitsPoison(h, addr, size, PMP_R)) return announced(h, pc, insn);
    value = loadSlow(h, addr, size, signed, i);
    if (g_trap != 0) return trapped(h, pc, insn, takeRaisedException(), g_trapValue, instrumented);
    kind |= g_coldKind;
  }
  return commit(h, pc, insn, rdField(insn), value, kind, addr, value, pc + 4, instrumented);
}

/** A store of the low 2^`size` bytes (a literal) of x[rs2] at x[rs1] + immS; PMP as for loadOp(). */
// @ts-ignore: decorator
@inline function storeOp(
  h: usize, pc: u32, insn: u32, x: u32, y: u32, size: u32, instrumented: bool, fast: bool, checked: bool,
): u32 {
  const addr = x + immS(insn);
  let data = storeData(y, size);
  if (instrumented) {
    data = ((data ^ load<u32>(h, H_RESULT_XOR)) & load<u32>(h, H_RESULT_AND)) | load<u32>(h, H_RESULT_OR);
    data = storeData(data, size);
  }
  const offset = ramOffset(addr);
  let kind = K_STORE | ((<u32>1 << size) << K_WIDTH_SHIFT);
  if (inRam(offset, size)) {
    if (checked && !pmpAllows(h, addr, <u32>1 << size, PMP_W, dataPrivilege(h))) {
      return trapped(h, pc, insn, CAUSE_STORE_ACCESS, addr, instrumented);
    }
    if (instrumented && storeHitsPoison(h, offset, <u32>1 << size)) return announced(h, pc, insn);
    if (fast && addr == tohost()) return SLOW; // the batch must end after it: leave it to stepSlow
    storeRam(h, offset, size, data);
    if (!fast && addr == tohost()) raise(A_SETTLE);
    if (instrumented) afterStore(h, offset, <u32>1 << size);
  } else {
    if (fast) return SLOW;
    if (instrumented && misalignedHitsPoison(h, addr, size, PMP_W)) return announced(h, pc, insn);
    storeSlow(h, addr, size, data);
    if (g_trap != 0) return trapped(h, pc, insn, takeRaisedException(), g_trapValue, instrumented);
    if (instrumented) afterMisalignedStore(h, offset, size);
    kind |= g_coldKind;
  }
  return commit(h, pc, insn, 0, 0, kind, addr, data, pc + 4, instrumented);
}

/**
 * Executes the instruction at `pc` on module `h`; `i` is its index in the current batch.
 * Returns the next pc, which is also in the retire record. The caller keeps the pc in a
 * local and stores it to the hart block (H_PC) when the batch ends.
 *
 * With `fast`, the step makes no calls: anything that needs a cold path (a trap, a device,
 * a SYSTEM instruction) returns SLOW before it has changed any state, and the caller runs
 * stepSlow() for it. A call anywhere in the inlined step makes V8 keep its values on the
 * stack, which costs more than a quarter of the speed.
 *
 * With `checked`, PMP (pmp.ts) checks the fetch and every load and store; without it, only
 * the slow load/store paths do, which is enough while pmpChecked() is false for the module.
 */
// @ts-ignore: decorator
@inline export function step(h: usize, pc: u32, i: u32, instrumented: bool, fast: bool, checked: bool): u32 {
  if (checked && !pmpAllows(h, pc, 4, PMP_X, load<u32>(h, H_PRIV))) {
    return trapped(h, pc, 0, CAUSE_FETCH_ACCESS, pc, instrumented);
  }
  const fetchOffset = ramOffset(pc);
  if (fetchOffset >= ramSize()) {
    if (fast) return SLOW;
    return trapped(h, pc, 0, CAUSE_FETCH_ACCESS, pc, instrumented); // pc is 4-aligned: jumps check their targets
  }
  // The fetch reads the word through the module's ECC first (instrumented), which may correct it.
  if (instrumented && readHitsPoison(h, fetchOffset)) return announced(h, pc, load<u32>(load<usize>(h, H_RAM) + fetchOffset));
  const insn = load<u32>(load<usize>(h, H_RAM) + fetchOffset);
  if (instrumented && readsPoisonedRegister(h, insn)) {
    return announced(h, pc, insn); // the module's check fired instead of the instruction
  }
  const f7 = insn >> 25; // the cases read x[rs1] and x[rs2] themselves, if they use them
  switch (dispatchKey(insn)) {
    // The opcodes without funct3 take all eight keys of their opcode (see below).
    case LUI | f3(0): case LUI | f3(1): case LUI | f3(2): case LUI | f3(3):
    case LUI | f3(4): case LUI | f3(5): case LUI | f3(6): case LUI | f3(7):
      return result(h, pc, insn, immU(insn), instrumented);
    case AUIPC | f3(0): case AUIPC | f3(1): case AUIPC | f3(2): case AUIPC | f3(3):
    case AUIPC | f3(4): case AUIPC | f3(5): case AUIPC | f3(6): case AUIPC | f3(7):
      return result(h, pc, insn, pc + immU(insn), instrumented);
    case JAL | f3(0): case JAL | f3(1): case JAL | f3(2): case JAL | f3(3):
    case JAL | f3(4): case JAL | f3(5): case JAL | f3(6): case JAL | f3(7):
      return jump(h, pc, insn, pc + immJ(insn), instrumented, fast);
    case OP_IMM | f3(0): return result(h, pc, insn, alu<Add>(rs1(h, insn), immI(insn)), instrumented); // ADDI
    case OP_IMM | f3(1): { // SLLI: imm[11:5] must be 0
      if (f7 != 0) break;
      return result(h, pc, insn, alu<Sll>(rs1(h, insn), immI(insn)), instrumented);
    }
    case OP_IMM | f3(2): return result(h, pc, insn, alu<Slt>(rs1(h, insn), immI(insn)), instrumented); // SLTI
    case OP_IMM | f3(3): return result(h, pc, insn, alu<Sltu>(rs1(h, insn), immI(insn)), instrumented); // SLTIU
    case OP_IMM | f3(4): return result(h, pc, insn, alu<Xor>(rs1(h, insn), immI(insn)), instrumented); // XORI
    case OP_IMM | f3(5): { // SRLI (imm[11:5] = 0) / SRAI (imm[11:5] = 0100000)
      if (f7 == 0) return result(h, pc, insn, alu<Srl>(rs1(h, insn), immI(insn)), instrumented);
      if (f7 == 0x20) return result(h, pc, insn, alu<Sra>(rs1(h, insn), immI(insn)), instrumented);
      break;
    }
    case OP_IMM | f3(6): return result(h, pc, insn, alu<Or>(rs1(h, insn), immI(insn)), instrumented); // ORI
    case OP_IMM | f3(7): return result(h, pc, insn, alu<And>(rs1(h, insn), immI(insn)), instrumented); // ANDI
    // OP: funct7 0 (base), 1 (M extension), 0x20 (SUB, SRA).
    case OP | f3(0): { // ADD, SUB, MUL
      if (f7 == 0) return result(h, pc, insn, alu<Add>(rs1(h, insn), rs2(h, insn)), instrumented);
      if (f7 == 0x20) return result(h, pc, insn, alu<Sub>(rs1(h, insn), rs2(h, insn)), instrumented);
      if (f7 == 1) return result(h, pc, insn, alu<Mul>(rs1(h, insn), rs2(h, insn)), instrumented);
      break;
    }
    case OP | f3(1): { // SLL, MULH
      if (f7 == 0) return result(h, pc, insn, alu<Sll>(rs1(h, insn), rs2(h, insn)), instrumented);
      if (f7 == 1) return result(h, pc, insn, alu<Mulh>(rs1(h, insn), rs2(h, insn)), instrumented);
      break;
    }
    case OP | f3(2): { // SLT, MULHSU
      if (f7 == 0) return result(h, pc, insn, alu<Slt>(rs1(h, insn), rs2(h, insn)), instrumented);
      if (f7 == 1) return result(h, pc, insn, alu<Mulhsu>(rs1(h, insn), rs2(h, insn)), instrumented);
      break;
    }
    case OP | f3(3): { // SLTU, MULHU
      if (f7 == 0) return result(h, pc, insn, alu<Sltu>(rs1(h, insn), rs2(h, insn)), instrumented);
      if (f7 == 1) return result(h, pc, insn, alu<Mulhu>(rs1(h, insn), rs2(h, insn)), instrumented);
      break;
    }
    case OP | f3(4): { // XOR, DIV
      if (f7 == 0) return result(h, pc, insn, alu<Xor>(rs1(h, insn), rs2(h, insn)), instrumented);
      if (f7 == 1) return result(h, pc, insn, alu<Div>(rs1(h, insn), rs2(h, insn)), instrumented);
      break;
    }
    case OP | f3(5): { // SRL, SRA, DIVU
      if (f7 == 0) return result(h, pc, insn, alu<Srl>(rs1(h, insn), rs2(h, insn)), instrumented);
      if (f7 == 0x20) return result(h, pc, insn, alu<Sra>(rs1(h, insn), rs2(h, insn)), instrumented);
      if (f7 == 1) return result(h, pc, insn, alu<Divu>(rs1(h, insn), rs2(h, insn)), instrumented);
      break;
    }
    case OP | f3(6): { // OR, REM
      if (f7 == 0) return result(h, pc, insn, alu<Or>(rs1(h, insn), rs2(h, insn)), instrumented);
      if (f7 == 1) return result(h, pc, insn, alu<Rem>(rs1(h, insn), rs2(h, insn)), instrumented);
      break;
    }
    case OP | f3(7): { // AND, REMU
      if (f7 == 0) return result(h, pc, insn, alu<And>(rs1(h, insn), rs2(h, insn)), instrumented);
      if (f7 == 1) return result(h, pc, insn, alu<Remu>(rs1(h, insn), rs2(h, insn)), instrumented);
      break;
    }
    case BRANCH | f3(0): return branch(h, pc, insn, taken<Beq>(rs1(h, insn), rs2(h, insn)), instrumented, fast); // BEQ
    case BRANCH | f3(1): return branch(h, pc, insn, taken<Bne>(rs1(h, insn), rs2(h, insn)), instrumented, fast); // BNE
    case BRANCH | f3(4): return branch(h, pc, insn, taken<Blt>(rs1(h, insn), rs2(h, insn)), instrumented, fast); // BLT
    case BRANCH | f3(5): return branch(h, pc, insn, taken<Bge>(rs1(h, insn), rs2(h, insn)), instrumented, fast); // BGE
    case BRANCH | f3(6): return branch(h, pc, insn, taken<Bltu>(rs1(h, insn), rs2(h, insn)), instrumented, fast); // BLTU
    case BRANCH | f3(7): return branch(h, pc, insn, taken<Bgeu>(rs1(h, insn), rs2(h, insn)), instrumented, fast); // BGEU
    case LOAD | f3(0): return loadOp(h, pc, insn, rs1(h, insn), 0, true, i, instrumented, fast, checked); // LB
    case LOAD | f3(1): return loadOp(h, pc, insn, rs1(h, insn), 1, true, i, instrumented, fast, checked); // LH
    case LOAD | f3(2): return loadOp(h, pc, insn, rs1(h, insn), 2, true, i, instrumented, fast, checked); // LW
    case LOAD | f3(4): return loadOp(h, pc, insn, rs1(h, insn), 0, false, i, instrumented, fast, checked); // LBU
    case LOAD | f3(5): return loadOp(h, pc, insn, rs1(h, insn), 1, false, i, instrumented, fast, checked); // LHU
    case STORE | f3(0): return storeOp(h, pc, insn, rs1(h, insn), rs2(h, insn), 0, instrumented, fast, checked); // SB
    case STORE | f3(1): return storeOp(h, pc, insn, rs1(h, insn), rs2(h, insn), 1, instrumented, fast, checked); // SH
    case STORE | f3(2): return storeOp(h, pc, insn, rs1(h, insn), rs2(h, insn), 2, instrumented, fast, checked); // SW
    case JALR | f3(0): return jump(h, pc, insn, (rs1(h, insn) + immI(insn)) & ~1, instrumented, fast);
    // MISC-MEM: FENCE (any pred/succ/fm, e.g. FENCE.TSO) and FENCE.I are no-ops here.
    case MISC_MEM | f3(0):
    case MISC_MEM | f3(1): return commitPlain(h, pc, insn, 0, 0, 0, pc + 4, instrumented);
    // Reserved funct3 of the opcodes above: illegal. They are listed, like all the keys of
    // the opcodes without funct3, because Binaryen turns a switch into one br_table only if
    // it has cases for at least a third of its key range (0..252 here). The order matters
    // too: a first case with a single key is split off into an if before the table, and
    // trailing cases that only break are dropped.
    case LOAD | f3(3): case LOAD | f3(6): case LOAD | f3(7):
    case STORE | f3(3): case STORE | f3(4): case STORE | f3(5): case STORE | f3(6): case STORE | f3(7):
    case BRANCH | f3(2): case BRANCH | f3(3):
    case JALR | f3(1): case JALR | f3(2): case JALR | f3(3): case JALR | f3(4):
    case JALR | f3(5): case JALR | f3(6): case JALR | f3(7):
    case MISC_MEM | f3(2): case MISC_MEM | f3(3): case MISC_MEM | f3(4): case MISC_MEM | f3(5):
    case MISC_MEM | f3(6): case MISC_MEM | f3(7):
      break;
    case SYSTEM | f3(0): case SYSTEM | f3(1): case SYSTEM | f3(2): case SYSTEM | f3(3):
    case SYSTEM | f3(4): case SYSTEM | f3(5): case SYSTEM | f3(6): case SYSTEM | f3(7): {
      if (fast) return SLOW;
      const npc = systemInstruction(h, insn, pc, i);
      if (g_trap != 0) return trapped(h, pc, insn, takeRaisedException(), g_trapValue, instrumented);
      return commitPlain(h, pc, insn, g_coldKind & 0x1F, g_coldValue, g_coldKind & ~0x1F, npc, instrumented);
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
  return step(h, pc, i, false, false, false);
}

/**
 * The plain step of the hot loops: it makes no calls and never raises attention; for SLOW
 * the caller runs stepSlow(), and checks attention only then.
 */
// @ts-ignore: decorator
@inline export function stepFast(h: usize, pc: u32, i: u32): u32 {
  return step(h, pc, i, false, true, false);
}

/**
 * The step of the instrumented loops, which re-apply persistent faults (they run only while
 * faults are armed: called, not inlined, which keeps the code small). It checks PMP too:
 * pmpAllows() answers an M-mode access that needs no check at once.
 */
export function stepInstrumented(h: usize, pc: u32, i: u32): u32 {
  const next = step(h, pc, i, true, false, true);
  if (takeRewritten()) reassertStuckWords(h); // an ECC correction wrote back into a cell that may be stuck
  return next;
}

/** The step of the checked loops (run.ts), while a module needs PMP checks: pmpChecked(). */
export function stepChecked(h: usize, pc: u32, i: u32): u32 {
  return step(h, pc, i, false, false, true);
}
