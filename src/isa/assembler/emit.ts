/**
 * Emitting instruction words: inserting operand values into fields, checking their ranges
 * now or, for operands not known yet, recording fixups checked after layout.
 */

import { CSR_NAMES, csrNumber } from '../csr.ts';
import { nearestName } from '../diagnostics.ts';
import { FIELDS, formsOf, OPERAND_FIELDS, type FieldName, type InstructionForm } from '../encoding.ts';
import { pcrelKey, type Assembly, type FixupTarget } from './context.ts';
import type { Expression, Value } from './expressions.ts';
import type { Operand } from './operands.ts';

/** A field's value: known now, or an expression (pc-relative for branch and jump targets). */
export type FieldValue = number | { expression: Expression; pcRelative: boolean };

type Branch = Extract<FixupTarget, { kind: 'field' }>['branch'];

/**
 * Appends one instruction word: `match` with `fields` inserted. Operands that are known are
 * range-checked now; the rest become fixups (marked with `branch` for a conditional branch's
 * target), in which `.` is `here`. The word is emitted even when an operand is in error, so
 * that later addresses stay right.
 */
export function emitInstruction(
  asm: Assembly, mnemonic: string, match: number, fields: ReadonlyArray<readonly [FieldName, FieldValue]>,
  branch?: Branch, here: Value = asm.here(),
): void {
  const section = asm.section;
  let word = match;
  for (let i = 0; i < fields.length; i++) {
    const [field, value] = fields[i];
    if (typeof value === 'number') {
      word |= FIELDS[field].insert(value);
      continue;
    }
    const { expression, pcRelative } = value;
    if (field === 'uImm' && expression.kind === 'relocation' && expression.function === 'pcrel_hi') {
      asm.pcrelHi.set(pcrelKey(section.name, section.size), { expression: expression.operand, here });
    }
    if (!pcRelative) {
      const result = asm.evaluateNow(expression, here);
      if (result.kind === 'error') {
        asm.error(result.start, result.end, result.message);
        continue;
      }
      if (result.kind === 'value' && result.section === null) {
        const message = fieldError(field, result.value, mnemonic);
        if (message) asm.error(expression.start, expression.end, message);
        else word |= FIELDS[field].insert(Number(result.value));
        continue;
      }
    }
    asm.addFixup(expression, { kind: 'field', field, pcRelative, mnemonic, branch }, here);
  }
  section.instructionOffsets.push(section.size);
  section.instructionLines.push(asm.line);
  section.appendWord(word >>> 0);
}

const BOUNDS = Object.fromEntries(
  Object.entries(FIELDS).map(([name, { min, max, step }]) => [name, { min: BigInt(min), max: BigInt(max), step: BigInt(step) }]),
) as Record<FieldName, { min: bigint; max: bigint; step: bigint }>;

/** Why `value` does not fit `field` of `mnemonic`, or undefined if it fits. */
export function fieldError(field: FieldName, value: bigint, mnemonic: string): string | undefined {
  const bounds = BOUNDS[field];
  const inRange = value >= bounds.min && value <= bounds.max;
  if (inRange && (bounds.step === 1n || value % bounds.step === 0n)) return undefined;
  const { min, max } = FIELDS[field];
  const range = `[${min}, ${max}]`;
  switch (field) {
    case 'bImm':
    case 'jImm': {
      const what = field === 'bImm' ? 'branch' : 'jump';
      if (!inRange) return `${what} target out of range for ${mnemonic}: offset ${value} must be in ${range}`;
      return `${what} target for ${mnemonic} is not 2-byte aligned: offset ${value} is odd`;
    }
    case 'shamt':
      return `shift amount ${value} out of range for ${mnemonic}: must be in ${range}`;
    case 'csr':
      return `CSR number ${value} out of range: must be in ${range}`;
    default:
      return `immediate ${value} out of range for ${mnemonic}: must be in ${range}`;
  }
}

/**
 * Why `value`, the offset of the `j` of a long conditional branch (relax.ts), does not fit, or
 * undefined if it fits.
 */
export function farBranchError(value: bigint, mnemonic: string): string | undefined {
  const { min, max } = FIELDS.jImm;
  if (value < BigInt(min) || value > BigInt(max)) {
    return `branch target out of range for ${mnemonic}, even as a far branch (the opposite branch over a \`j\`): offset ${value} from the \`j\` must be in [${min}, ${max}]`;
  }
  if (value % 2n !== 0n) return `branch target for ${mnemonic} is not 2-byte aligned: offset ${value} is odd`;
  return undefined;
}

/** Appends the word for a table form from its classified operands (two for a long branch). */
export function emitForm(asm: Assembly, form: InstructionForm, operands: readonly Operand[]): void {
  const fields: Array<readonly [FieldName, FieldValue]> = [];
  let branchTarget: Expression | undefined;
  form.operands.forEach((kind, i) => {
    const operand = operands[i];
    const [field, baseField] = OPERAND_FIELDS[kind];
    if (operand.class === 'register') {
      fields.push([field, operand.register]);
    } else if (operand.class === 'memory') {
      fields.push([field, operand.offset ? { expression: operand.offset, pcRelative: false } : 0]);
      fields.push([baseField, operand.base]);
    } else if (operand.class === 'expression') {
      if (kind === 'csr') {
        fields.push([field, csrOperand(asm, operand)]);
      } else if (kind === 'pred' || kind === 'succ') {
        fields.push([field, fenceSet(asm, operand)]);
      } else if (kind === 'branch') {
        branchTarget = operand.expression;
      } else {
        fields.push([field, { expression: operand.expression, pcRelative: kind === 'jump' }]);
      }
    }
  });
  if (branchTarget) emitBranch(asm, form.mnemonic, form.match, fields, branchTarget);
  else emitInstruction(asm, form.mnemonic, form.match, fields);
}

/** B-type funct3 bit 0 selects the opposite condition: beq/bne, blt/bge, bltu/bgeu (§2.5). */
const OPPOSITE_CONDITION = 1 << 12;
const J = formsOf('j')[0].match;

/**
 * A conditional branch to `target` (relax.ts): short, `match` with `target` in bImm; or long,
 * the opposite branch over the next instruction, then `j target`.
 */
function emitBranch(asm: Assembly, mnemonic: string, match: number, fields: ReadonlyArray<readonly [FieldName, FieldValue]>, target: Expression): void {
  const ordinal = asm.branchCount++;
  const long = asm.longBranches.has(ordinal);
  asm.section.layout.push({ kind: 'branch', offset: asm.section.size, ordinal, long });
  const jump = { expression: target, pcRelative: true };
  if (!long) {
    emitInstruction(asm, mnemonic, match, [...fields, ['bImm', jump]], { ordinal, relaxed: false });
    return;
  }
  const here = asm.here();
  emitInstruction(asm, mnemonic, match ^ OPPOSITE_CONDITION, [...fields, ['bImm', 8]]);
  emitInstruction(asm, mnemonic, J, [['jImm', jump]], { ordinal, relaxed: true }, here);
}

/** A CSR operand: a CSR name, or a constant number known now. 0 (after reporting) if invalid. */
function csrOperand(asm: Assembly, operand: Extract<Operand, { class: 'expression' }>): number {
  if (operand.identifier !== undefined) {
    const number = csrNumber(operand.identifier);
    if (number !== undefined) return number;
  }
  const result = asm.evaluateNow(operand.expression);
  if (result.kind === 'value' && result.section === null) {
    const message = fieldError('csr', result.value, '');
    if (message === undefined) return Number(result.value);
    asm.error(operand.start, operand.end, message);
  } else if (result.kind === 'undefined' && operand.identifier !== undefined) {
    const suggestion = nearestName(operand.identifier, CSR_NAMES);
    asm.error(operand.start, operand.end, `unknown CSR \`${operand.identifier}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`);
  } else if (result.kind === 'error') {
    asm.error(result.start, result.end, result.message);
  } else {
    asm.error(operand.start, operand.end, `expected a CSR name or a constant CSR number, found \`${asm.textOf(operand)}\``);
  }
  return 0;
}

const FENCE_SET = /^(i?)(o?)(r?)(w?)$/;

/**
 * A FENCE predecessor/successor set, e.g. `rw` → 0b0011 (bits I O R W, §2.7). `unknown` is the
 * empty set, as objdump prints it (GNU as rejects it; we accept it so that disassembly, such as
 * `fence w,unknown` for PAUSE, assembles back to the same word).
 */
function fenceSet(asm: Assembly, operand: Extract<Operand, { class: 'expression' }>): number {
  if (operand.identifier === 'unknown') return 0;
  const match = operand.identifier === undefined ? null : FENCE_SET.exec(operand.identifier);
  if (match && operand.identifier !== '') {
    return (match[1] ? 8 : 0) | (match[2] ? 4 : 0) | (match[3] ? 2 : 0) | (match[4] ? 1 : 0);
  }
  asm.error(operand.start, operand.end, `invalid fence set \`${asm.textOf(operand)}\`: use the letters i, o, r, w in that order, e.g. \`rw\``);
  return 0xf;
}
