// The group step: one instruction on 2..4 online modules in lockstep that are all at the same
// pc and hold the same instruction word there, the common case of every redundant topology.
// The word is decoded and dispatched once; each module then reads its own registers and RAM,
// computes its own result and writes its own registers, RAM and full retire record, as its
// own step() would, with the same helpers (cpu/execute.ts).
//
// Comparator contract (comparator.ts) in a group step: the records of the modules agree in
// pc (the group has one), insn (checked at the fetch), kind (one case on every module, and
// none that traps or reaches a device) and in every field a case sets from pc and insn alone
// (rd, immediates, literals, pc + 4). So two records differ iff a field that a module
// computes from its own registers or RAM differs: the value, the address, the data or the
// next pc. Each case compares those before any module has changed any state: at compare
// points, and the next pc always, since the group goes on at one pc. If they differ, the
// group step returns SLOW, and the caller steps the modules one by one and compares their
// records whole.

import { H_RAM, K_LOAD, K_STORE, K_WIDTH_SHIFT } from '../layout';
import { ramSize, ramOffset, tohost } from '../cpu/signals';
import { immI, immS, immB, immU, immJ } from '../cpu/decode';
import {
  SLOW, LOAD, MISC_MEM, OP_IMM, AUIPC, STORE, OP, LUI, BRANCH, JALR, JAL, SYSTEM, f3, dispatchKey,
  rdField, rs1Offset, rs2Offset, inRam, loadRam, storeData, storeRam, commit, commitPlain,
} from '../cpu/execute';
import {
  alu, taken, Add, Sub, Sll, Slt, Sltu, Xor, Srl, Sra, Or, And, Mul, Mulh, Mulhsu, Mulhu, Div, Divu,
  Rem, Remu, Beq, Bne, Blt, Bge, Bltu, Bgeu,
} from '../cpu/alu';

// The size of a group as a type: TwoModules, ThreeModules or FourModules (one module
// pointer a field). The group step and its helpers are generic in it, so that the size is a
// compile-time constant in each instance (`const count = groupSize<G>()`) and AssemblyScript
// compiles only the code for that many modules: a size passed as an argument to an @inline
// function would be a local to it, and every instance would carry the code for all sizes.
// @ts-ignore: decorator
@unmanaged export class TwoModules { m0: usize; m1: usize; }
// @ts-ignore: decorator
@unmanaged export class ThreeModules { m0: usize; m1: usize; m2: usize; }
// @ts-ignore: decorator
@unmanaged export class FourModules { m0: usize; m1: usize; m2: usize; m3: usize; }

/** The number of modules of group type G (TwoModules .. FourModules), a compile-time constant. */
// @ts-ignore: decorator
@inline export function groupSize<G>(): i32 { return <i32>(offsetof<G>() / sizeof<usize>()); }

/**
 * Commits the same instruction on each module of the group: rd (kind | rd), `v`k the value,
 * `a`k the address, `d`k the data and `npc` for module k. `access` (a literal): whether it
 * is a load or store (else the addresses and data are 0).
 */
// @ts-ignore: decorator
@inline function commitGroup<G>(
  m0: usize, m1: usize, m2: usize, m3: usize, pc: u32, insn: u32, rd: u32, kind: u32,
  v0: u32, v1: u32, v2: u32, v3: u32, a0: u32, a1: u32, a2: u32, a3: u32, d0: u32, d1: u32, d2: u32, d3: u32, npc: u32,
  access: bool,
): u32 {
  const count = groupSize<G>();
  if (access) {
    commit(m0, pc, insn, rd, v0, kind, a0, d0, npc, false);
    commit(m1, pc, insn, rd, v1, kind, a1, d1, npc, false);
    if (count > 2) commit(m2, pc, insn, rd, v2, kind, a2, d2, npc, false);
    if (count > 3) commit(m3, pc, insn, rd, v3, kind, a3, d3, npc, false);
  } else {
    commitPlain(m0, pc, insn, rd, v0, kind, npc, false);
    commitPlain(m1, pc, insn, rd, v1, kind, npc, false);
    if (count > 2) commitPlain(m2, pc, insn, rd, v2, kind, npc, false);
    if (count > 3) commitPlain(m3, pc, insn, rd, v3, kind, npc, false);
  }
  return npc;
}

/**
 * Whether an instruction whose record kind (without rd) is `kind` is a compare point: every
 * instruction is one if `filter` is 0, else those with a `filter` bit (comparePointBits()).
 */
// @ts-ignore: decorator
@inline function comparePoint(kind: u32, filter: u32): bool {
  return filter == 0 || (kind & filter) != 0;
}

/** Whether any module's `v`k differs from the reference's `v0` (modules beyond `count` pass v0). */
// @ts-ignore: decorator
@inline function anyDiffers(v0: u32, v1: u32, v2: u32, v3: u32): bool {
  return ((v1 ^ v0) | (v2 ^ v0) | (v3 ^ v0)) != 0;
}

/** rd = op(x[rs1], y) on each module, y = immI if `imm`, else x[rs2]. */
// @ts-ignore: decorator
@inline function groupAlu<Op, G>(
  imm: bool, m0: usize, m1: usize, m2: usize, m3: usize, pc: u32, insn: u32, filter: u32,
): u32 {
  const count = groupSize<G>();
  const s1 = rs1Offset(insn);
  const s2 = rs2Offset(insn);
  const rd = rdField(insn);
  const v0 = alu<Op>(load<u32>(m0 + s1), imm ? immI(insn) : load<u32>(m0 + s2));
  const v1 = alu<Op>(load<u32>(m1 + s1), imm ? immI(insn) : load<u32>(m1 + s2));
  const v2 = count > 2 ? alu<Op>(load<u32>(m2 + s1), imm ? immI(insn) : load<u32>(m2 + s2)) : v0;
  const v3 = count > 3 ? alu<Op>(load<u32>(m3 + s1), imm ? immI(insn) : load<u32>(m3 + s2)) : v0;
  // With rd = x0 the records show 0 written on every module: a difference in the values
  // computed then costs only the steps one by one, whose comparison finds them equal.
  if (comparePoint(0, filter) && anyDiffers(v0, v1, v2, v3)) return SLOW;
  return commitGroup<G>(m0, m1, m2, m3, pc, insn, rd, 0, v0, v1, v2, v3, 0, 0, 0, 0, 0, 0, 0, 0, pc + 4, false);
}

/** A conditional branch on each module; the group goes on at one pc, so all must take it or none. */
// @ts-ignore: decorator
@inline function groupBranch<Cond, G>(
  m0: usize, m1: usize, m2: usize, m3: usize, pc: u32, insn: u32,
): u32 {
  const count = groupSize<G>();
  const s1 = rs1Offset(insn);
  const s2 = rs2Offset(insn);
  const t0 = <u32>taken<Cond>(load<u32>(m0 + s1), load<u32>(m0 + s2));
  const t1 = <u32>taken<Cond>(load<u32>(m1 + s1), load<u32>(m1 + s2));
  const t2 = count > 2 ? <u32>taken<Cond>(load<u32>(m2 + s1), load<u32>(m2 + s2)) : t0;
  const t3 = count > 3 ? <u32>taken<Cond>(load<u32>(m3 + s1), load<u32>(m3 + s2)) : t0;
  if (anyDiffers(t0, t1, t2, t3)) return SLOW;
  let npc = pc + 4;
  if (t0) {
    npc = pc + immB(insn);
    if ((npc & 3) != 0) return SLOW; // misaligned target: a trap
  }
  return commitGroup<G>(m0, m1, m2, m3, pc, insn, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, npc, false);
}

/** A jump to `t`k on module k (JAL, JALR): rd = pc + 4; the targets must agree. */
// @ts-ignore: decorator
@inline function groupJump<G>(
  m0: usize, m1: usize, m2: usize, m3: usize, pc: u32, insn: u32, t0: u32, t1: u32, t2: u32, t3: u32,
): u32 {
  const count = groupSize<G>();
  if (anyDiffers(t0, t1, t2, t3)) return SLOW;
  if ((t0 & 3) != 0) return SLOW; // misaligned target: a trap
  const link = pc + 4;
  return commitGroup<G>(m0, m1, m2, m3, pc, insn, rdField(insn), 0, link, link, link, link, 0, 0, 0, 0, 0, 0, 0, 0, t0, false);
}

/** A load of 2^`size` bytes (a literal) on each module, from its own RAM. */
// @ts-ignore: decorator
@inline function groupLoad<G>(
  size: u32, signed: bool, m0: usize, m1: usize, m2: usize, m3: usize, pc: u32, insn: u32, filter: u32,
): u32 {
  const count = groupSize<G>();
  const s1 = rs1Offset(insn);
  const a0 = load<u32>(m0 + s1) + immI(insn);
  const a1 = load<u32>(m1 + s1) + immI(insn);
  const a2 = count > 2 ? load<u32>(m2 + s1) + immI(insn) : a0;
  const a3 = count > 3 ? load<u32>(m3 + s1) + immI(insn) : a0;
  const o0 = ramOffset(a0);
  const o1 = ramOffset(a1);
  const o2 = ramOffset(a2);
  const o3 = ramOffset(a3);
  if (!inRam(o0, size) || !inRam(o1, size)) return SLOW;
  if ((count > 2 && !inRam(o2, size)) || (count > 3 && !inRam(o3, size))) return SLOW;
  const v0 = loadRam(load<usize>(m0, H_RAM) + o0, size, signed);
  const v1 = loadRam(load<usize>(m1, H_RAM) + o1, size, signed);
  const v2 = count > 2 ? loadRam(load<usize>(m2, H_RAM) + o2, size, signed) : v0;
  const v3 = count > 3 ? loadRam(load<usize>(m3, H_RAM) + o3, size, signed) : v0;
  const kind = K_LOAD | ((<u32>1 << size) << K_WIDTH_SHIFT);
  if (comparePoint(kind, filter) && (anyDiffers(a0, a1, a2, a3) || anyDiffers(v0, v1, v2, v3))) return SLOW;
  return commitGroup<G>(m0, m1, m2, m3, pc, insn, rdField(insn), kind, v0, v1, v2, v3, a0, a1, a2, a3, v0, v1, v2, v3, pc + 4, true);
}

/** A store of 2^`size` bytes (a literal) on each module, to its own RAM. */
// @ts-ignore: decorator
@inline function groupStore<G>(
  size: u32, m0: usize, m1: usize, m2: usize, m3: usize, pc: u32, insn: u32, filter: u32,
): u32 {
  const count = groupSize<G>();
  const s1 = rs1Offset(insn);
  const s2 = rs2Offset(insn);
  const a0 = load<u32>(m0 + s1) + immS(insn);
  const a1 = load<u32>(m1 + s1) + immS(insn);
  const a2 = count > 2 ? load<u32>(m2 + s1) + immS(insn) : a0;
  const a3 = count > 3 ? load<u32>(m3 + s1) + immS(insn) : a0;
  const o0 = ramOffset(a0);
  const o1 = ramOffset(a1);
  const o2 = ramOffset(a2);
  const o3 = ramOffset(a3);
  if (!inRam(o0, size) || !inRam(o1, size)) return SLOW;
  if ((count > 2 && !inRam(o2, size)) || (count > 3 && !inRam(o3, size))) return SLOW;
  const halt = tohost();
  if (a0 == halt || a1 == halt || (count > 2 && a2 == halt) || (count > 3 && a3 == halt)) {
    return SLOW; // the batch must end after it
  }
  const d0 = storeData(load<u32>(m0 + s2), size);
  const d1 = storeData(load<u32>(m1 + s2), size);
  const d2 = count > 2 ? storeData(load<u32>(m2 + s2), size) : d0;
  const d3 = count > 3 ? storeData(load<u32>(m3 + s2), size) : d0;
  const kind = K_STORE | ((<u32>1 << size) << K_WIDTH_SHIFT);
  if (comparePoint(kind, filter) && (anyDiffers(a0, a1, a2, a3) || anyDiffers(d0, d1, d2, d3))) return SLOW;
  storeRam(m0, o0, size, d0);
  storeRam(m1, o1, size, d1);
  if (count > 2) storeRam(m2, o2, size, d2);
  if (count > 3) storeRam(m3, o3, size, d3);
  return commitGroup<G>(m0, m1, m2, m3, pc, insn, 0, kind, 0, 0, 0, 0, a0, a1, a2, a3, d0, d1, d2, d3, pc + 4, true);
}

/**
 * Executes the instruction at `pc` on the `count` (2..4, a literal) modules m0..m3, which
 * are all at `pc`; m0 is the reference. Returns the next pc of all of them, or SLOW, having
 * changed nothing, when they cannot take the instruction together: a module's word at pc
 * differs from the reference's, the instruction needs a cold path (as in stepFast), the
 * modules would go on at different pcs, or their records would differ at a compare point
 * (`filter`: retire-record kind bits that make one, 0 = every instruction). Makes no calls.
 */
// @ts-ignore: decorator
@inline export function stepGroup<G>(
  m0: usize, m1: usize, m2: usize, m3: usize, pc: u32, filter: u32,
): u32 {
  const count = groupSize<G>();
  const offset = ramOffset(pc);
  if (offset >= ramSize()) return SLOW;
  const insn = load<u32>(load<usize>(m0, H_RAM) + offset);
  if (load<u32>(load<usize>(m1, H_RAM) + offset) != insn) return SLOW;
  if (count > 2 && load<u32>(load<usize>(m2, H_RAM) + offset) != insn) return SLOW;
  if (count > 3 && load<u32>(load<usize>(m3, H_RAM) + offset) != insn) return SLOW;
  const f7 = insn >> 25;
  switch (dispatchKey(insn)) {
    // All the keys of the opcodes without funct3, and the reserved ones: see step().
    case LUI | f3(0): case LUI | f3(1): case LUI | f3(2): case LUI | f3(3):
    case LUI | f3(4): case LUI | f3(5): case LUI | f3(6): case LUI | f3(7): {
      const value = immU(insn);
      return commitGroup<G>(m0, m1, m2, m3, pc, insn, rdField(insn), 0, value, value, value, value, 0, 0, 0, 0, 0, 0, 0, 0, pc + 4, false);
    }
    case AUIPC | f3(0): case AUIPC | f3(1): case AUIPC | f3(2): case AUIPC | f3(3):
    case AUIPC | f3(4): case AUIPC | f3(5): case AUIPC | f3(6): case AUIPC | f3(7): {
      const value = pc + immU(insn);
      return commitGroup<G>(m0, m1, m2, m3, pc, insn, rdField(insn), 0, value, value, value, value, 0, 0, 0, 0, 0, 0, 0, 0, pc + 4, false);
    }
    case JAL | f3(0): case JAL | f3(1): case JAL | f3(2): case JAL | f3(3):
    case JAL | f3(4): case JAL | f3(5): case JAL | f3(6): case JAL | f3(7): {
      const target = pc + immJ(insn);
      return groupJump<G>(m0, m1, m2, m3, pc, insn, target, target, target, target);
    }
    case OP_IMM | f3(0): return groupAlu<Add, G>(true, m0, m1, m2, m3, pc, insn, filter); // ADDI
    case OP_IMM | f3(1): { // SLLI: imm[11:5] must be 0
      if (f7 != 0) break;
      return groupAlu<Sll, G>(true, m0, m1, m2, m3, pc, insn, filter);
    }
    case OP_IMM | f3(2): return groupAlu<Slt, G>(true, m0, m1, m2, m3, pc, insn, filter); // SLTI
    case OP_IMM | f3(3): return groupAlu<Sltu, G>(true, m0, m1, m2, m3, pc, insn, filter); // SLTIU
    case OP_IMM | f3(4): return groupAlu<Xor, G>(true, m0, m1, m2, m3, pc, insn, filter); // XORI
    case OP_IMM | f3(5): { // SRLI (imm[11:5] = 0) / SRAI (imm[11:5] = 0100000)
      if (f7 == 0) return groupAlu<Srl, G>(true, m0, m1, m2, m3, pc, insn, filter);
      if (f7 == 0x20) return groupAlu<Sra, G>(true, m0, m1, m2, m3, pc, insn, filter);
      break;
    }
    case OP_IMM | f3(6): return groupAlu<Or, G>(true, m0, m1, m2, m3, pc, insn, filter); // ORI
    case OP_IMM | f3(7): return groupAlu<And, G>(true, m0, m1, m2, m3, pc, insn, filter); // ANDI
    case OP | f3(0): { // ADD, SUB, MUL
      if (f7 == 0) return groupAlu<Add, G>(false, m0, m1, m2, m3, pc, insn, filter);
      if (f7 == 0x20) return groupAlu<Sub, G>(false, m0, m1, m2, m3, pc, insn, filter);
      if (f7 == 1) return groupAlu<Mul, G>(false, m0, m1, m2, m3, pc, insn, filter);
      break;
    }
    case OP | f3(1): { // SLL, MULH
      if (f7 == 0) return groupAlu<Sll, G>(false, m0, m1, m2, m3, pc, insn, filter);
      if (f7 == 1) return groupAlu<Mulh, G>(false, m0, m1, m2, m3, pc, insn, filter);
      break;
    }
    case OP | f3(2): { // SLT, MULHSU
      if (f7 == 0) return groupAlu<Slt, G>(false, m0, m1, m2, m3, pc, insn, filter);
      if (f7 == 1) return groupAlu<Mulhsu, G>(false, m0, m1, m2, m3, pc, insn, filter);
      break;
    }
    case OP | f3(3): { // SLTU, MULHU
      if (f7 == 0) return groupAlu<Sltu, G>(false, m0, m1, m2, m3, pc, insn, filter);
      if (f7 == 1) return groupAlu<Mulhu, G>(false, m0, m1, m2, m3, pc, insn, filter);
      break;
    }
    case OP | f3(4): { // XOR, DIV
      if (f7 == 0) return groupAlu<Xor, G>(false, m0, m1, m2, m3, pc, insn, filter);
      if (f7 == 1) return groupAlu<Div, G>(false, m0, m1, m2, m3, pc, insn, filter);
      break;
    }
    case OP | f3(5): { // SRL, SRA, DIVU
      if (f7 == 0) return groupAlu<Srl, G>(false, m0, m1, m2, m3, pc, insn, filter);
      if (f7 == 0x20) return groupAlu<Sra, G>(false, m0, m1, m2, m3, pc, insn, filter);
      if (f7 == 1) return groupAlu<Divu, G>(false, m0, m1, m2, m3, pc, insn, filter);
      break;
    }
    case OP | f3(6): { // OR, REM
      if (f7 == 0) return groupAlu<Or, G>(false, m0, m1, m2, m3, pc, insn, filter);
      if (f7 == 1) return groupAlu<Rem, G>(false, m0, m1, m2, m3, pc, insn, filter);
      break;
    }
    case OP | f3(7): { // AND, REMU
      if (f7 == 0) return groupAlu<And, G>(false, m0, m1, m2, m3, pc, insn, filter);
      if (f7 == 1) return groupAlu<Remu, G>(false, m0, m1, m2, m3, pc, insn, filter);
      break;
    }
    case BRANCH | f3(0): return groupBranch<Beq, G>(m0, m1, m2, m3, pc, insn); // BEQ
    case BRANCH | f3(1): return groupBranch<Bne, G>(m0, m1, m2, m3, pc, insn); // BNE
    case BRANCH | f3(4): return groupBranch<Blt, G>(m0, m1, m2, m3, pc, insn); // BLT
    case BRANCH | f3(5): return groupBranch<Bge, G>(m0, m1, m2, m3, pc, insn); // BGE
    case BRANCH | f3(6): return groupBranch<Bltu, G>(m0, m1, m2, m3, pc, insn); // BLTU
    case BRANCH | f3(7): return groupBranch<Bgeu, G>(m0, m1, m2, m3, pc, insn); // BGEU
    case LOAD | f3(0): return groupLoad<G>(0, true, m0, m1, m2, m3, pc, insn, filter); // LB
    case LOAD | f3(1): return groupLoad<G>(1, true, m0, m1, m2, m3, pc, insn, filter); // LH
    case LOAD | f3(2): return groupLoad<G>(2, true, m0, m1, m2, m3, pc, insn, filter); // LW
    case LOAD | f3(4): return groupLoad<G>(0, false, m0, m1, m2, m3, pc, insn, filter); // LBU
    case LOAD | f3(5): return groupLoad<G>(1, false, m0, m1, m2, m3, pc, insn, filter); // LHU
    case STORE | f3(0): return groupStore<G>(0, m0, m1, m2, m3, pc, insn, filter); // SB
    case STORE | f3(1): return groupStore<G>(1, m0, m1, m2, m3, pc, insn, filter); // SH
    case STORE | f3(2): return groupStore<G>(2, m0, m1, m2, m3, pc, insn, filter); // SW
    // Reserved funct3: listed to keep this switch one br_table, as in stepFast (execute.ts).
    case LOAD | f3(3): case LOAD | f3(6): case LOAD | f3(7):
    case STORE | f3(3): case STORE | f3(4): case STORE | f3(5): case STORE | f3(6): case STORE | f3(7):
    case BRANCH | f3(2): case BRANCH | f3(3):
    case JALR | f3(1): case JALR | f3(2): case JALR | f3(3): case JALR | f3(4):
    case JALR | f3(5): case JALR | f3(6): case JALR | f3(7):
    case MISC_MEM | f3(2): case MISC_MEM | f3(3): case MISC_MEM | f3(4): case MISC_MEM | f3(5):
    case MISC_MEM | f3(6): case MISC_MEM | f3(7):
    case SYSTEM | f3(0): case SYSTEM | f3(1): case SYSTEM | f3(2): case SYSTEM | f3(3):
    case SYSTEM | f3(4): case SYSTEM | f3(5): case SYSTEM | f3(6): case SYSTEM | f3(7):
      break;
    case JALR | f3(0): {
      const s1 = rs1Offset(insn);
      const t0 = (load<u32>(m0 + s1) + immI(insn)) & ~1;
      const t1 = (load<u32>(m1 + s1) + immI(insn)) & ~1;
      const t2 = count > 2 ? (load<u32>(m2 + s1) + immI(insn)) & ~1 : t0;
      const t3 = count > 3 ? (load<u32>(m3 + s1) + immI(insn)) & ~1 : t0;
      return groupJump<G>(m0, m1, m2, m3, pc, insn, t0, t1, t2, t3);
    }
    // MISC-MEM: FENCE (any pred/succ/fm, e.g. FENCE.TSO) and FENCE.I are no-ops here.
    case MISC_MEM | f3(0):
    case MISC_MEM | f3(1):
      return commitGroup<G>(m0, m1, m2, m3, pc, insn, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, pc + 4, false);
    default: break;
  }
  return SLOW;
}
