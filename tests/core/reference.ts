/**
 * The independent reference for the core's tests: RV32IM semantics written from the
 * unprivileged spec with BigInt arithmetic, instruction encoders written from the spec's
 * format tables, the virt machine's memory map, and a seeded PRNG. Nothing here imports the
 * core or the assembler: expectations never come from the code under test.
 */

// ── Values ────────────────────────────────────────────────────────────────────────────

const MOD = 1n << 32n;

/** The 32-bit pattern of `v` as an unsigned number. */
export const u32 = (v: number | bigint): number => Number(BigInt.asUintN(32, BigInt(v)));
/** The 32-bit pattern of `v` read as two's complement. */
export const s32 = (v: number | bigint): number => Number(BigInt.asIntN(32, BigInt(v)));
const S = (v: number): bigint => BigInt.asIntN(32, BigInt(v));
const U = (v: number): bigint => BigInt.asUintN(32, BigInt(v));
const wrap = (v: bigint): number => Number(((v % MOD) + MOD) % MOD);

export const hex = (v: number): string => `0x${u32(v).toString(16).padStart(8, '0')}`;

// ── RV32I and M computational instructions (unprivileged spec ch. 2.4, ch. 13) ────────

export type RegOp =
  | 'add' | 'sub' | 'sll' | 'slt' | 'sltu' | 'xor' | 'srl' | 'sra' | 'or' | 'and'
  | 'mul' | 'mulh' | 'mulhsu' | 'mulhu' | 'div' | 'divu' | 'rem' | 'remu';

export const REG_OPS: readonly RegOp[] = [
  'add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and',
  'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu',
];

/**
 * rd for `op rd, rs1, rs2` with x[rs1] = a, x[rs2] = b (unsigned 32-bit results). Shifts use
 * the low 5 bits of rs2. Division follows "Division Operations" (§13.2): x/0 = -1 (all ones
 * for divu), x%0 = x, and the signed overflow INT_MIN/-1 = INT_MIN, INT_MIN%-1 = 0. BigInt
 * division truncates toward zero and its remainder takes the dividend's sign, as RISC-V's do.
 */
export function regOp(op: RegOp, a: number, b: number): number {
  const shamt = U(b) & 31n;
  switch (op) {
    case 'add': return wrap(S(a) + S(b));
    case 'sub': return wrap(S(a) - S(b));
    case 'sll': return wrap(U(a) << shamt);
    case 'slt': return S(a) < S(b) ? 1 : 0;
    case 'sltu': return U(a) < U(b) ? 1 : 0;
    case 'xor': return wrap(U(a) ^ U(b));
    case 'srl': return wrap(U(a) >> shamt);
    case 'sra': return wrap(S(a) >> shamt);
    case 'or': return wrap(U(a) | U(b));
    case 'and': return wrap(U(a) & U(b));
    case 'mul': return wrap(S(a) * S(b));
    case 'mulh': return wrap((S(a) * S(b)) >> 32n);
    case 'mulhsu': return wrap((S(a) * U(b)) >> 32n);
    case 'mulhu': return wrap((U(a) * U(b)) >> 32n);
    case 'div':
      if (U(b) === 0n) return u32(-1);
      if (S(a) === -(1n << 31n) && S(b) === -1n) return u32(a);
      return wrap(S(a) / S(b));
    case 'divu': return U(b) === 0n ? u32(-1) : wrap(U(a) / U(b));
    case 'rem':
      if (U(b) === 0n) return u32(a);
      if (S(a) === -(1n << 31n) && S(b) === -1n) return 0;
      return wrap(S(a) % S(b));
    case 'remu': return U(b) === 0n ? u32(a) : wrap(U(a) % U(b));
  }
}

export type ImmOp = 'addi' | 'slti' | 'sltiu' | 'xori' | 'ori' | 'andi' | 'slli' | 'srli' | 'srai';
export const IMM_OPS: readonly ImmOp[] = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi'];
export const SHIFT_IMM_OPS: readonly ImmOp[] = ['slli', 'srli', 'srai'];

/**
 * rd for `op rd, rs1, imm` (§2.4.1): the 12-bit immediate is sign-extended, also for sltiu
 * (which then compares unsigned); shifts take a 5-bit shamt.
 */
export function immOp(op: ImmOp, a: number, imm: number): number {
  const base: Record<ImmOp, RegOp> = {
    addi: 'add', slti: 'slt', sltiu: 'sltu', xori: 'xor', ori: 'or', andi: 'and', slli: 'sll', srli: 'srl', srai: 'sra',
  };
  return regOp(base[op], a, u32(imm));
}

// ── Instruction encodings (unprivileged spec §2.2-2.3, Figure 2.3-2.4) ───────────────

const bits = (v: number, hi: number, lo: number): number => (v >>> lo) & ((1 << (hi - lo + 1)) - 1);
const field = (v: number, width: number, at: number): number => (v & ((1 << width) - 1)) << at;

export const OPC = {
  LOAD: 0x03, MISC_MEM: 0x0F, OP_IMM: 0x13, AUIPC: 0x17, STORE: 0x23, OP: 0x33, LUI: 0x37,
  BRANCH: 0x63, JALR: 0x67, JAL: 0x6F, SYSTEM: 0x73,
} as const;

export function encR(opcode: number, rd: number, f3: number, rs1: number, rs2: number, f7: number): number {
  return u32(field(f7, 7, 25) | field(rs2, 5, 20) | field(rs1, 5, 15) | field(f3, 3, 12) | field(rd, 5, 7) | opcode);
}

/** I-type: imm[11:0] → inst[31:20]. */
export function encI(opcode: number, rd: number, f3: number, rs1: number, imm: number): number {
  return u32(field(imm, 12, 20) | field(rs1, 5, 15) | field(f3, 3, 12) | field(rd, 5, 7) | opcode);
}

/** S-type: imm[11:5] → inst[31:25], imm[4:0] → inst[11:7]. */
export function encS(opcode: number, f3: number, rs1: number, rs2: number, imm: number): number {
  return u32(field(bits(imm, 11, 5), 7, 25) | field(rs2, 5, 20) | field(rs1, 5, 15) | field(f3, 3, 12) | field(bits(imm, 4, 0), 5, 7) | opcode);
}

/** B-type: imm[12|10:5] → inst[31|30:25], imm[4:1|11] → inst[11:8|7]. */
export function encB(f3: number, rs1: number, rs2: number, imm: number): number {
  return u32(
    field(bits(imm, 12, 12), 1, 31) | field(bits(imm, 10, 5), 6, 25) | field(rs2, 5, 20) | field(rs1, 5, 15)
    | field(f3, 3, 12) | field(bits(imm, 4, 1), 4, 8) | field(bits(imm, 11, 11), 1, 7) | OPC.BRANCH,
  );
}

/** U-type: imm[31:12] → inst[31:12] (`imm20` is the 20-bit field). */
export function encU(opcode: number, rd: number, imm20: number): number {
  return u32(field(imm20, 20, 12) | field(rd, 5, 7) | opcode);
}

/** J-type: imm[20|10:1|11|19:12] → inst[31|30:21|20|19:12]. */
export function encJ(rd: number, imm: number): number {
  return u32(
    field(bits(imm, 20, 20), 1, 31) | field(bits(imm, 10, 1), 10, 21) | field(bits(imm, 11, 11), 1, 20)
    | field(bits(imm, 19, 12), 8, 12) | field(rd, 5, 7) | OPC.JAL,
  );
}

/** csrrw/csrrs/csrrc (funct3 1-3) and their immediate forms (5-7): csr → inst[31:20]. */
export function encCsr(f3: number, rd: number, csr: number, rs1OrUimm: number): number {
  return encI(OPC.SYSTEM, rd, f3, rs1OrUimm, csr);
}

export const BRANCH_F3 = { beq: 0, bne: 1, blt: 4, bge: 5, bltu: 6, bgeu: 7 } as const;
export type BranchOp = keyof typeof BRANCH_F3;

/** Whether a branch is taken for x[rs1] = a, x[rs2] = b (§2.5.2). */
export function branchTaken(op: BranchOp, a: number, b: number): boolean {
  switch (op) {
    case 'beq': return u32(a) === u32(b);
    case 'bne': return u32(a) !== u32(b);
    case 'blt': return s32(a) < s32(b);
    case 'bge': return s32(a) >= s32(b);
    case 'bltu': return u32(a) < u32(b);
    case 'bgeu': return u32(a) >= u32(b);
  }
}

// ── Privileged architecture (privileged spec v1.12, ch. 3) ───────────────────────────

export const CAUSE = {
  FETCH_MISALIGNED: 0, FETCH_ACCESS: 1, ILLEGAL: 2, BREAKPOINT: 3, LOAD_MISALIGNED: 4,
  LOAD_ACCESS: 5, STORE_MISALIGNED: 6, STORE_ACCESS: 7, ECALL_U: 8, ECALL_M: 11,
} as const;
/** Interrupt numbers: mcause = 2^31 | n, bit n of mip and mie (Table 3.6). */
export const IRQ = { MSI: 3, MTI: 7, MEI: 11 } as const;
export const INTERRUPT = 0x8000_0000;
export const interruptCause = (irq: number): number => u32(INTERRUPT | irq);

/** mstatus fields (Figure 3.7). */
export const MSTATUS = { MIE: 1 << 3, MPIE: 1 << 7, MPP: 3 << 11, MPRV: 1 << 17, TW: 1 << 21 } as const;
export const MPP_SHIFT = 11;
export const PRIV = { U: 0, M: 3 } as const;

/** misa for RV32 with the given extension letters: MXL = 1 in bits 31:30, bit n = letter n. */
export function misaFor(letters: string): number {
  let value = 1 << 30;
  for (const letter of letters) value |= 1 << (letter.charCodeAt(0) - 'A'.charCodeAt(0));
  return u32(value);
}

// ── The machine (DESIGN §3: QEMU virt memory map) ────────────────────────────────────

export const RAM_BASE = 0x8000_0000;
export const CLINT = 0x0200_0000;
export const MSIP = CLINT;
export const MTIMECMP = CLINT + 0x4000;
export const MTIME = CLINT + 0xBFF8;
export const UART = 0x1000_0000;
export const UART_LSR = UART + 5;
export const FINISHER = 0x0010_0000;
/** The checkpoint device (README's memory map): word registers at these offsets. */
export const CKPT = 0x1000_3000;
export const CKPT_REG = { ADDR: 0x00, LEN: 0x04, SEND: 0x08, COUNT: 0x0C, STATUS: 0x10 } as const;
/** Virtual clock cycles per mtime tick: a 100 MHz clock and a 10 MHz mtime. */
export const CYCLES_PER_TICK = 10;
/** mtime during the instruction that starts at clock cycle `cycle` (mtime never written). */
export const mtimeAt = (cycle: number): number => Math.floor(cycle / CYCLES_PER_TICK);

// ── Seeded PRNG ──────────────────────────────────────────────────────────────────────

/** mulberry32 (Tommy Ettinger): a seeded stream of 32-bit values. */
export function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6D2B79F5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  };
}
