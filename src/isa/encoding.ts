/**
 * The RV32IM + Zicsr instruction table, shared by the assembler and the disassembler.
 *
 * Each row is one assembly form: a mnemonic, the operands it is written with, and the bits it
 * fixes (`match` under `mask`). A form fixes the opcode fields of its base instruction and, for
 * an alias such as `li` or `beqz`, some operand fields too (`rs1 = 0`, `rs2 = 0`, ...). The
 * assembler starts from `match` and inserts the operands; the disassembler prints the first
 * row (in table order) whose mask matches, so aliases precede their base instruction, in the
 * order GNU objdump prefers them.
 *
 * Encodings: RISC-V unprivileged ISA 20191213, §2.2–2.8 (RV32I), Chapter 7 (M), Chapter 9
 * (Zicsr), Chapter 24 opcode map; privileged ISA 20211203 §3.3 (MRET, WFI).
 * Aliases: unprivileged ISA Chapter 25, Tables 25.2–25.3, and GNU objdump.
 */

/** Bit fields of the 32-bit instruction word (unprivileged ISA §2.2, Figures 2.3 and 2.4). */
export type FieldName =
  | 'rd' | 'rs1' | 'rs2'
  | 'iImm' | 'sImm' | 'bImm' | 'uImm' | 'jImm'
  | 'shamt' | 'csr' | 'zimm' | 'pred' | 'succ';

export interface Field {
  /** The bits of the word the field occupies. */
  bits: number;
  /** The field's bits for `value`, which must already be valid. */
  insert(value: number): number;
  /** The field's value in `word`, sign-extended for the signed immediates. */
  extract(word: number): number;
  /** Valid values are the multiples of `step` in [min, max]. */
  min: number;
  max: number;
  step: number;
}

function plainField(shift: number, width: number, min = 0): Field {
  const ones = 2 ** width - 1;
  return {
    bits: (ones << shift) >>> 0,
    insert: (value) => ((value & ones) << shift) >>> 0,
    extract: (word) => (word >>> shift) & ones,
    min,
    max: ones,
    step: 1,
  };
}

export const FIELDS: Readonly<Record<FieldName, Field>> = {
  rd: plainField(7, 5),
  rs1: plainField(15, 5),
  rs2: plainField(20, 5),
  // imm[11:0] = inst[31:20]
  iImm: {
    bits: 0xfff00000,
    insert: (v) => ((v & 0xfff) << 20) >>> 0,
    extract: (w) => w >> 20,
    min: -2048, max: 2047, step: 1,
  },
  // imm[11:5] = inst[31:25], imm[4:0] = inst[11:7]
  sImm: {
    bits: 0xfe000f80,
    insert: (v) => (((v >> 5) & 0x7f) << 25 | (v & 0x1f) << 7) >>> 0,
    extract: (w) => ((w >> 25) << 5) | ((w >>> 7) & 0x1f),
    min: -2048, max: 2047, step: 1,
  },
  // imm[12|10:5] = inst[31:25], imm[4:1|11] = inst[11:7]
  bImm: {
    bits: 0xfe000f80,
    insert: (v) => (((v >> 12) & 1) << 31 | ((v >> 5) & 0x3f) << 25 | ((v >> 1) & 0xf) << 8 | ((v >> 11) & 1) << 7) >>> 0,
    extract: (w) => ((w >> 31) << 12) | (((w >>> 7) & 1) << 11) | (((w >>> 25) & 0x3f) << 5) | (((w >>> 8) & 0xf) << 1),
    min: -4096, max: 4094, step: 2,
  },
  // imm[31:12] = inst[31:12], written in assembly as the 20-bit value
  uImm: plainField(12, 20),
  // imm[20|10:1|11|19:12] = inst[31:12]
  jImm: {
    bits: 0xfffff000,
    insert: (v) => (((v >> 20) & 1) << 31 | ((v >> 1) & 0x3ff) << 21 | ((v >> 11) & 1) << 20 | ((v >> 12) & 0xff) << 12) >>> 0,
    extract: (w) => ((w >> 31) << 20) | (((w >>> 12) & 0xff) << 12) | (((w >>> 20) & 1) << 11) | (((w >>> 21) & 0x3ff) << 1),
    min: -1048576, max: 1048574, step: 2,
  },
  // RV32 shift amount: inst[24:20]; inst[25] must be zero.
  shamt: plainField(20, 5),
  csr: plainField(20, 12),
  // Zicsr uimm[4:0] = inst[19:15]
  zimm: plainField(15, 5),
  // FENCE predecessor and successor sets, bits I O R W (GNU as accepts no empty set; objdump
  // prints one as `unknown`).
  pred: plainField(24, 4),
  succ: plainField(20, 4),
};

/**
 * How an operand is written:
 * `rd`, `rs1`, `rs2` registers; `imm12`, `shamt`, `uimm20`, `zimm` immediates; `csr` a CSR name
 * or number; `load` `offset(rs1)` with an I-type offset; `store` `offset(rs1)` with an S-type
 * offset; `branch`, `jump` a target address (encoded relative to the instruction);
 * `pred`, `succ` FENCE sets such as `rw`.
 */
export type OperandKind =
  | 'rd' | 'rs1' | 'rs2'
  | 'imm12' | 'shamt' | 'uimm20' | 'zimm' | 'csr'
  | 'load' | 'store' | 'branch' | 'jump'
  | 'pred' | 'succ';

/** The fields each operand kind fills: for `load`/`store`, the offset then the base register. */
export const OPERAND_FIELDS: Readonly<Record<OperandKind, readonly FieldName[]>> = {
  rd: ['rd'], rs1: ['rs1'], rs2: ['rs2'],
  imm12: ['iImm'], shamt: ['shamt'], uimm20: ['uImm'], zimm: ['zimm'], csr: ['csr'],
  load: ['iImm', 'rs1'], store: ['sImm', 'rs1'],
  branch: ['bImm'], jump: ['jImm'],
  pred: ['pred'], succ: ['succ'],
};

export interface InstructionForm {
  mnemonic: string;
  operands: readonly OperandKind[];
  /** How the form is written, for diagnostics: `addi rd, rs1, imm`. */
  usage: string;
  match: number;
  mask: number;
  /** The assembler accepts this form. */
  assemble: boolean;
  /** The disassembler may print this form. */
  disassemble: boolean;
}

interface Opcode {
  match: number;
  mask: number;
}

/** R-type and RV32 shift-immediate: funct7, funct3 and opcode fixed. */
const rType = (funct7: number, funct3: number, opcode: number): Opcode =>
  ({ match: ((funct7 << 25) | (funct3 << 12) | opcode) >>> 0, mask: 0xfe00707f });
/** I-, S- and B-type: funct3 and opcode fixed. */
const iType = (funct3: number, opcode: number): Opcode => ({ match: (funct3 << 12) | opcode, mask: 0x707f });
/** U- and J-type: opcode fixed. */
const uType = (opcode: number): Opcode => ({ match: opcode, mask: 0x7f });
const exact = (word: number): Opcode => ({ match: word >>> 0, mask: 0xffffffff });

// Major opcodes (unprivileged ISA Table 24.1).
const LOAD = 0x03, MISC_MEM = 0x0f, OP_IMM = 0x13, AUIPC = 0x17, STORE = 0x23;
const OP = 0x33, LUI = 0x37, BRANCH = 0x63, JALR = 0x67, JAL = 0x6f, SYSTEM = 0x73;

const ADDI = iType(0, OP_IMM), SLTI = iType(2, OP_IMM), SLTIU = iType(3, OP_IMM);
const XORI = iType(4, OP_IMM), ORI = iType(6, OP_IMM), ANDI = iType(7, OP_IMM);
const SLLI = rType(0x00, 1, OP_IMM), SRLI = rType(0x00, 5, OP_IMM), SRAI = rType(0x20, 5, OP_IMM);
const ADD = rType(0x00, 0, OP), SUB = rType(0x20, 0, OP), SLL = rType(0x00, 1, OP);
const SLT = rType(0x00, 2, OP), SLTU = rType(0x00, 3, OP), XOR = rType(0x00, 4, OP);
const SRL = rType(0x00, 5, OP), SRA = rType(0x20, 5, OP), OR = rType(0x00, 6, OP), AND = rType(0x00, 7, OP);
const BEQ = iType(0, BRANCH), BNE = iType(1, BRANCH), BLT = iType(4, BRANCH);
const BGE = iType(5, BRANCH), BLTU = iType(6, BRANCH), BGEU = iType(7, BRANCH);
const JALR_ = iType(0, JALR), JAL_ = uType(JAL);
/** FENCE with fm = 0, rs1 = rd = 0 (§2.7); other encodings are FENCE.TSO, PAUSE or reserved. */
const FENCE: Opcode = { match: MISC_MEM, mask: 0xf00fffff };
const CSRRW = iType(1, SYSTEM), CSRRS = iType(2, SYSTEM), CSRRC = iType(3, SYSTEM);
const CSRRWI = iType(5, SYSTEM), CSRRSI = iType(6, SYSTEM), CSRRCI = iType(7, SYSTEM);

type Use = 'both' | 'assemble' | 'disassemble';

const forms: InstructionForm[] = [];

/**
 * Adds a row. `syntax` lists the operand kinds in source order ('' for none); `fixed` gives the
 * operand fields an alias pins (e.g. `{ rs1: 0 }`).
 */
function form(mnemonic: string, syntax: string, opcode: Opcode, fixed: Partial<Record<FieldName, number>> = {}, use: Use = 'both'): void {
  const operands = syntax === '' ? [] : (syntax.split(',') as OperandKind[]);
  let { match, mask } = opcode;
  for (const [name, value] of Object.entries(fixed) as Array<[FieldName, number]>) {
    match |= FIELDS[name].insert(value);
    mask |= FIELDS[name].bits;
  }
  forms.push({
    mnemonic,
    operands,
    usage: usageOf(mnemonic, operands),
    match: match >>> 0,
    mask: mask >>> 0,
    assemble: use !== 'disassemble',
    disassemble: use !== 'assemble',
  });
}

const OPERAND_NAMES: Record<Exclude<OperandKind, 'rd' | 'rs1' | 'rs2'>, string> = {
  imm12: 'imm', shamt: 'shamt', uimm20: 'imm', zimm: 'uimm', csr: 'csr',
  load: 'offset(rs1)', store: 'offset(rs1)', branch: 'label', jump: 'label', pred: 'pred', succ: 'succ',
};

/**
 * Usage text with source registers named by position, not by field: `bgt rs1, rs2, label`
 * even though `bgt` puts its first source in rs2; a lone source is `rs`; beside a memory
 * operand it is `rs2`.
 */
function usageOf(mnemonic: string, operands: readonly OperandKind[]): string {
  const hasMemory = operands.includes('load') || operands.includes('store');
  const sources = operands.filter((kind) => kind === 'rs1' || kind === 'rs2').length;
  let ordinal = 0;
  const names = operands.map((kind) => {
    if (kind === 'rd') return 'rd';
    if (kind === 'rs1' || kind === 'rs2') {
      ordinal++;
      return hasMemory ? 'rs2' : sources === 1 ? 'rs' : `rs${ordinal}`;
    }
    return OPERAND_NAMES[kind];
  });
  return names.length === 0 ? mnemonic : `${mnemonic} ${names.join(', ')}`;
}

// ---- RV32I (unprivileged ISA Chapter 2) ----

form('lui', 'rd,uimm20', uType(LUI));
form('auipc', 'rd,uimm20', uType(AUIPC));

form('j', 'jump', JAL_, { rd: 0 });
form('jal', 'jump', JAL_, { rd: 1 });
form('jal', 'rd,jump', JAL_);

form('ret', '', JALR_, { rd: 0, rs1: 1, iImm: 0 });
form('jr', 'rs1', JALR_, { rd: 0, iImm: 0 });
form('jr', 'load', JALR_, { rd: 0 });
form('jr', 'rs1,imm12', JALR_, { rd: 0 }, 'assemble');
form('jalr', 'rs1', JALR_, { rd: 1, iImm: 0 });
form('jalr', 'load', JALR_, { rd: 1 });
form('jalr', 'rs1,imm12', JALR_, { rd: 1 }, 'assemble');
form('jalr', 'rd,rs1', JALR_, { iImm: 0 });
form('jalr', 'rd,load', JALR_);
form('jalr', 'rd,rs1,imm12', JALR_, {}, 'assemble');

form('beqz', 'rs1,branch', BEQ, { rs2: 0 });
form('beq', 'rs1,rs2,branch', BEQ);
form('bnez', 'rs1,branch', BNE, { rs2: 0 });
form('bne', 'rs1,rs2,branch', BNE);
form('blez', 'rs2,branch', BGE, { rs1: 0 });
form('bgez', 'rs1,branch', BGE, { rs2: 0 });
form('bge', 'rs1,rs2,branch', BGE);
form('bltz', 'rs1,branch', BLT, { rs2: 0 });
form('bgtz', 'rs2,branch', BLT, { rs1: 0 });
form('blt', 'rs1,rs2,branch', BLT);
form('bltu', 'rs1,rs2,branch', BLTU);
form('bgeu', 'rs1,rs2,branch', BGEU);
// Operand-swapping aliases: `bgt a, b` is `blt b, a`.
form('bgt', 'rs2,rs1,branch', BLT, {}, 'assemble');
form('ble', 'rs2,rs1,branch', BGE, {}, 'assemble');
form('bgtu', 'rs2,rs1,branch', BLTU, {}, 'assemble');
form('bleu', 'rs2,rs1,branch', BGEU, {}, 'assemble');

form('lb', 'rd,load', iType(0, LOAD));
form('lh', 'rd,load', iType(1, LOAD));
form('lw', 'rd,load', iType(2, LOAD));
form('lbu', 'rd,load', iType(4, LOAD));
form('lhu', 'rd,load', iType(5, LOAD));
form('sb', 'rs2,store', iType(0, STORE));
form('sh', 'rs2,store', iType(1, STORE));
form('sw', 'rs2,store', iType(2, STORE));

form('nop', '', ADDI, { rd: 0, rs1: 0, iImm: 0 });
// `li` assembles through its expansion (assembler/pseudo.ts); this row only prints it.
form('li', 'rd,imm12', ADDI, { rs1: 0 }, 'disassemble');
form('mv', 'rd,rs1', ADDI, { iImm: 0 });
form('addi', 'rd,rs1,imm12', ADDI);
form('slti', 'rd,rs1,imm12', SLTI);
form('seqz', 'rd,rs1', SLTIU, { iImm: 1 });
form('sltiu', 'rd,rs1,imm12', SLTIU);
form('not', 'rd,rs1', XORI, { iImm: -1 });
form('xori', 'rd,rs1,imm12', XORI);
form('ori', 'rd,rs1,imm12', ORI);
form('zext.b', 'rd,rs1', ANDI, { iImm: 255 });
form('andi', 'rd,rs1,imm12', ANDI);
form('slli', 'rd,rs1,shamt', SLLI);
form('srli', 'rd,rs1,shamt', SRLI);
form('srai', 'rd,rs1,shamt', SRAI);

form('add', 'rd,rs1,rs2', ADD);
form('neg', 'rd,rs2', SUB, { rs1: 0 });
form('sub', 'rd,rs1,rs2', SUB);
form('sll', 'rd,rs1,rs2', SLL);
form('sltz', 'rd,rs1', SLT, { rs2: 0 });
form('sgtz', 'rd,rs2', SLT, { rs1: 0 });
form('slt', 'rd,rs1,rs2', SLT);
form('snez', 'rd,rs2', SLTU, { rs1: 0 });
form('sltu', 'rd,rs1,rs2', SLTU);
form('xor', 'rd,rs1,rs2', XOR);
form('srl', 'rd,rs1,rs2', SRL);
form('sra', 'rd,rs1,rs2', SRA);
form('or', 'rd,rs1,rs2', OR);
form('and', 'rd,rs1,rs2', AND);
form('sgt', 'rd,rs2,rs1', SLT, {}, 'assemble');
form('sgtu', 'rd,rs2,rs1', SLTU, {}, 'assemble');
// GNU as accepts the register-register mnemonics with an immediate for the I-type instruction.
form('add', 'rd,rs1,imm12', ADDI, {}, 'assemble');
form('slt', 'rd,rs1,imm12', SLTI, {}, 'assemble');
form('sltu', 'rd,rs1,imm12', SLTIU, {}, 'assemble');
form('xor', 'rd,rs1,imm12', XORI, {}, 'assemble');
form('or', 'rd,rs1,imm12', ORI, {}, 'assemble');
form('and', 'rd,rs1,imm12', ANDI, {}, 'assemble');
form('sll', 'rd,rs1,shamt', SLLI, {}, 'assemble');
form('srl', 'rd,rs1,shamt', SRLI, {}, 'assemble');
form('sra', 'rd,rs1,shamt', SRAI, {}, 'assemble');

form('fence.tso', '', exact(0x8330000f));
// PAUSE is FENCE W,0 (Zihintpause, §2.7); objdump prints it as `fence w,unknown`.
form('pause', '', exact(0x0100000f), {}, 'assemble');
form('fence', '', FENCE, { pred: 0xf, succ: 0xf });
form('fence', 'pred,succ', FENCE);
// FENCE.I (Zifencei, Chapter 3) with its reserved fields zero.
form('fence.i', '', exact(0x0000100f));

form('ecall', '', exact(0x00000073));
form('ebreak', '', exact(0x00100073));
form('mret', '', exact(0x30200073));
form('wfi', '', exact(0x10500073));

// ---- RV32M (unprivileged ISA Chapter 7) ----

form('mul', 'rd,rs1,rs2', rType(1, 0, OP));
form('mulh', 'rd,rs1,rs2', rType(1, 1, OP));
form('mulhsu', 'rd,rs1,rs2', rType(1, 2, OP));
form('mulhu', 'rd,rs1,rs2', rType(1, 3, OP));
form('div', 'rd,rs1,rs2', rType(1, 4, OP));
form('divu', 'rd,rs1,rs2', rType(1, 5, OP));
form('rem', 'rd,rs1,rs2', rType(1, 6, OP));
form('remu', 'rd,rs1,rs2', rType(1, 7, OP));

// ---- Zicsr (unprivileged ISA Chapter 9; aliases Table 25.3) ----

// UNIMP is GNU's canonical illegal instruction: csrrw x0, cycle, x0 (cycle is read-only).
form('unimp', '', exact(0xc0001073));
const COUNTERS: Array<[string, number]> = [
  ['rdcycle', 0xc00], ['rdtime', 0xc01], ['rdinstret', 0xc02],
  ['rdcycleh', 0xc80], ['rdtimeh', 0xc81], ['rdinstreth', 0xc82],
];
for (const [mnemonic, csr] of COUNTERS) form(mnemonic, 'rd', CSRRS, { csr, rs1: 0 });
form('csrr', 'rd,csr', CSRRS, { rs1: 0 });
form('csrs', 'csr,rs1', CSRRS, { rd: 0 });
form('csrrs', 'rd,csr,rs1', CSRRS);
form('csrw', 'csr,rs1', CSRRW, { rd: 0 });
form('csrrw', 'rd,csr,rs1', CSRRW);
form('csrc', 'csr,rs1', CSRRC, { rd: 0 });
form('csrrc', 'rd,csr,rs1', CSRRC);
form('csrwi', 'csr,zimm', CSRRWI, { rd: 0 });
form('csrrwi', 'rd,csr,zimm', CSRRWI);
form('csrsi', 'csr,zimm', CSRRSI, { rd: 0 });
form('csrrsi', 'rd,csr,zimm', CSRRSI);
form('csrci', 'csr,zimm', CSRRCI, { rd: 0 });
form('csrrci', 'rd,csr,zimm', CSRRCI);
// GNU as accepts the register forms with an immediate for the immediate instruction.
form('csrw', 'csr,zimm', CSRRWI, { rd: 0 }, 'assemble');
form('csrs', 'csr,zimm', CSRRSI, { rd: 0 }, 'assemble');
form('csrc', 'csr,zimm', CSRRCI, { rd: 0 }, 'assemble');
form('csrrw', 'rd,csr,zimm', CSRRWI, {}, 'assemble');
form('csrrs', 'rd,csr,zimm', CSRRSI, {}, 'assemble');
form('csrrc', 'rd,csr,zimm', CSRRCI, {}, 'assemble');

export const INSTRUCTION_FORMS: readonly InstructionForm[] = forms;

/** The canonical NOP, `addi x0, x0, 0` (§2.4). */
export const NOP = 0x00000013;

const assemblyForms = new Map<string, InstructionForm[]>();
const decodeByOpcode: InstructionForm[][] = Array.from({ length: 128 }, () => []);
for (const row of forms) {
  if (row.assemble) {
    const list = assemblyForms.get(row.mnemonic) ?? [];
    list.push(row);
    assemblyForms.set(row.mnemonic, list);
  }
  if (row.disassemble) decodeByOpcode[row.match & 0x7f].push(row);
}

/** The forms the assembler accepts for a (lower-case) mnemonic, in the order it tries them. */
export function formsOf(mnemonic: string): readonly InstructionForm[] {
  return assemblyForms.get(mnemonic) ?? [];
}

/** True if `value` is a valid value of `field`. */
function fitsField(field: Field, value: number): boolean {
  return value >= field.min && value <= field.max && value % field.step === 0;
}

/**
 * The form the disassembler prints for `word`, or undefined if the word is not an RV32IM/Zicsr
 * instruction.
 */
export function decodeInstruction(word: number): InstructionForm | undefined {
  for (const row of decodeByOpcode[word & 0x7f]) {
    if (((word & row.mask) >>> 0) !== row.match) continue;
    if (row.operands.every((kind) => OPERAND_FIELDS[kind].every((name) => fitsField(FIELDS[name], FIELDS[name].extract(word))))) {
      return row;
    }
  }
  return undefined;
}
