/**
 * Pseudo-instructions that expand to more than one instruction, or to a different one
 * depending on their operand, as GNU as expands them (unprivileged ISA Table 25.2; RISC-V
 * assembly manual, "Pseudoinstructions"):
 *
 *   li rd, imm          addi rd, zero, imm            if imm fits in 12 bits
 *                       lui rd, %hi(imm) [; addi rd, rd, %lo(imm)]   otherwise (the addi when
 *                       %lo(imm) ≠ 0 or rd is x0)
 *   la/lla rd, symbol   auipc rd, %pcrel_hi(symbol); addi rd, rd, %pcrel_lo(…)
 *                       (a constant address loads like `li`, as GNU as does)
 *   call symbol         auipc ra, %pcrel_hi(symbol); jalr ra, %pcrel_lo(…)(ra)
 *   call rd, symbol     auipc t1, %pcrel_hi(symbol); jalr rd, %pcrel_lo(…)(t1)
 *   tail symbol         auipc t1, %pcrel_hi(symbol); jalr zero, %pcrel_lo(…)(t1)
 *   l{b,h,w,bu,hu} rd, symbol      auipc rd, …; l* rd, %pcrel_lo(…)(rd)
 *   s{b,h,w} rs2, symbol, rt       auipc rt, …; s* rs2, %pcrel_lo(…)(rt)
 *
 * `li` needs a value known when it is read (GNU as rejects a label or a later symbol), because
 * its length depends on the value.
 */

import { FIELDS, formsOf, type FieldName } from '../encoding.ts';
import type { Assembly } from './context.ts';
import { emitInstruction, type FieldValue } from './emit.ts';
import type { Expression } from './expressions.ts';
import type { Operand } from './operands.ts';

type RegisterOperand = Extract<Operand, { class: 'register' }>;
type ExpressionOperand = Extract<Operand, { class: 'expression' }>;

export interface PseudoForm {
  mnemonic: string;
  /** Each operand is a register or an expression (an immediate or a symbol). */
  operands: ReadonlyArray<'register' | 'immediate' | 'symbol'>;
  usage: string;
  expand(asm: Assembly, operands: readonly Operand[]): void;
}

const RA = 1, T1 = 6;

/** Match bits of a base instruction: its form with the most operands, which pins no operand field. */
function opcode(mnemonic: string): number {
  return formsOf(mnemonic).reduce((best, row) => (row.operands.length > best.operands.length ? row : best)).match;
}

const ADDI = opcode('addi'), LUI = opcode('lui'), AUIPC = opcode('auipc'), JALR = opcode('jalr');

/** Expands `li rd, value` for a 32-bit value (signed or unsigned). */
function loadImmediate(asm: Assembly, mnemonic: string, rd: number, value: bigint): void {
  const v = Number(BigInt.asIntN(32, value));
  if (v >= FIELDS.iImm.min && v <= FIELDS.iImm.max) {
    emitInstruction(asm, mnemonic, ADDI, [['rd', rd], ['rs1', 0], ['iImm', v]]);
    return;
  }
  const hi = Math.floor((v + 0x800) / 0x1000) & 0xfffff;
  const lo = ((v & 0xfff) ^ 0x800) - 0x800;
  emitInstruction(asm, mnemonic, LUI, [['rd', rd], ['uImm', hi]]);
  // GNU as also emits the `addi` when rd is x0, whose `lui` left nothing to add to.
  if (lo !== 0 || rd === 0) emitInstruction(asm, mnemonic, ADDI, [['rd', rd], ['rs1', rd], ['iImm', lo]]);
}

const LI_MIN = -(2n ** 31n), LI_MAX = 2n ** 32n - 1n;

function li(asm: Assembly, mnemonic: string, rd: RegisterOperand, operand: ExpressionOperand): void {
  const result = asm.evaluateNow(operand.expression);
  if (result.kind === 'error') {
    asm.error(result.start, result.end, result.message);
  } else if (result.kind === 'undefined') {
    asm.error(result.start, result.end, `${mnemonic} needs a constant, but \`${result.written}\` is not defined before this line; define it earlier with .equ, or use \`la\` for a label`);
  } else if (result.kind !== 'value' || result.section !== null) {
    asm.error(operand.start, operand.end, `${mnemonic} needs a constant, but \`${asm.textOf(operand)}\` is an address; use \`la\` to load an address`);
  } else if (result.value < LI_MIN || result.value > LI_MAX) {
    asm.error(operand.start, operand.end, `immediate ${result.value} out of range for ${mnemonic}: must be in [${LI_MIN}, ${LI_MAX}]`);
  } else {
    loadImmediate(asm, mnemonic, rd.register, result.value);
    return;
  }
  // Keep the addresses after an invalid `li` where a two-instruction `li` would leave them.
  loadImmediate(asm, mnemonic, rd.register, 0x12345678n);
}

/**
 * `auipc base, %pcrel_hi(symbol)` followed by `match` with `%pcrel_lo` of that auipc in its
 * immediate field `loField` (plus `fields`).
 */
function pcrelPair(asm: Assembly, mnemonic: string, base: number, symbol: Expression, match: number, loField: FieldName, fields: ReadonlyArray<readonly [FieldName, FieldValue]>): void {
  const anchor = asm.internalLabel();
  const hi: Expression = { kind: 'relocation', function: 'pcrel_hi', operand: symbol, start: symbol.start, end: symbol.end };
  const lo: Expression = { kind: 'relocation', function: 'pcrel_lo', operand: anchor, start: symbol.start, end: symbol.end };
  emitInstruction(asm, mnemonic, AUIPC, [['rd', base], ['uImm', { expression: hi, pcRelative: false }]]);
  emitInstruction(asm, mnemonic, match, [...fields, [loField, { expression: lo, pcRelative: false }]]);
}

function isConstant(asm: Assembly, operand: ExpressionOperand): bigint | undefined {
  const result = asm.evaluateNow(operand.expression);
  return result.kind === 'value' && result.section === null ? result.value : undefined;
}

const register = (operand: Operand) => (operand as RegisterOperand).register;
const expression = (operand: Operand) => operand as ExpressionOperand;

export const PSEUDO_FORMS: readonly PseudoForm[] = [
  {
    mnemonic: 'li', operands: ['register', 'immediate'], usage: 'li rd, imm',
    expand: (asm, [rd, value]) => li(asm, 'li', rd as RegisterOperand, expression(value)),
  },
  ...['la', 'lla'].map((mnemonic): PseudoForm => ({
    mnemonic, operands: ['register', 'symbol'], usage: `${mnemonic} rd, symbol`,
    expand: (asm, [rd, symbol]) => {
      if (isConstant(asm, expression(symbol)) !== undefined) {
        li(asm, mnemonic, rd as RegisterOperand, expression(symbol));
        return;
      }
      pcrelPair(asm, mnemonic, register(rd), expression(symbol).expression, ADDI, 'iImm', [['rd', register(rd)], ['rs1', register(rd)]]);
    },
  })),
  {
    mnemonic: 'call', operands: ['symbol'], usage: 'call symbol',
    expand: (asm, [symbol]) => pcrelPair(asm, 'call', RA, expression(symbol).expression, JALR, 'iImm', [['rd', RA], ['rs1', RA]]),
  },
  {
    mnemonic: 'call', operands: ['register', 'symbol'], usage: 'call rd, symbol',
    expand: (asm, [rd, symbol]) =>
      pcrelPair(asm, 'call', T1, expression(symbol).expression, JALR, 'iImm', [['rd', register(rd)], ['rs1', T1]]),
  },
  {
    mnemonic: 'tail', operands: ['symbol'], usage: 'tail symbol',
    expand: (asm, [symbol]) => pcrelPair(asm, 'tail', T1, expression(symbol).expression, JALR, 'iImm', [['rd', 0], ['rs1', T1]]),
  },
  ...['lb', 'lh', 'lw', 'lbu', 'lhu'].map((mnemonic): PseudoForm => ({
    mnemonic, operands: ['register', 'symbol'], usage: `${mnemonic} rd, symbol`,
    expand: (asm, [rd, symbol]) => {
      if (!requireAddress(asm, mnemonic, expression(symbol))) return;
      pcrelPair(asm, mnemonic, register(rd), expression(symbol).expression, opcode(mnemonic), 'iImm', [['rd', register(rd)], ['rs1', register(rd)]]);
    },
  })),
  ...['sb', 'sh', 'sw'].map((mnemonic): PseudoForm => ({
    mnemonic, operands: ['register', 'symbol', 'register'], usage: `${mnemonic} rs2, symbol, rt`,
    expand: (asm, [rs2, symbol, rt]) => {
      if (!requireAddress(asm, mnemonic, expression(symbol))) return;
      pcrelPair(asm, mnemonic, register(rt), expression(symbol).expression, opcode(mnemonic), 'sImm', [['rs2', register(rs2)], ['rs1', register(rt)]]);
    },
  })),
];

/** Loads and stores by symbol need an address, not a number (GNU as rejects `lw a0, 8`). */
function requireAddress(asm: Assembly, mnemonic: string, symbol: ExpressionOperand): boolean {
  if (isConstant(asm, symbol) === undefined) return true;
  asm.error(symbol.start, symbol.end, `${mnemonic} needs a memory operand such as \`${asm.textOf(symbol)}(sp)\`, or a label, found \`${asm.textOf(symbol)}\``);
  asm.section.fill(8, 0);
  return false;
}
