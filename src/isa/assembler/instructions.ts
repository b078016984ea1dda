/**
 * Assembling one instruction statement: choosing the form its operands fit (table forms from
 * encoding.ts first, then the expansions in pseudo.ts) and diagnosing the ones that fit none.
 */

import { nearestName } from '../diagnostics.ts';
import { formsOf, INSTRUCTION_FORMS, type InstructionForm, type OperandKind } from '../encoding.ts';
import type { Assembly } from './context.ts';
import { emitForm } from './emit.ts';
import type { Token } from './lexer.ts';
import { classifyOperand, suggestRegister, type Operand } from './operands.ts';
import { PSEUDO_FORMS } from './pseudo.ts';
import { reportEmptyOperand, type Statement } from './statements.ts';

type Expectation = 'register' | 'immediate' | 'target' | 'csr' | 'fence' | 'memory' | 'symbol';

interface Candidate {
  usage: string;
  expects: readonly Expectation[];
  emit(asm: Assembly, operands: readonly Operand[]): void;
}

const EXPECTATION: Record<OperandKind, Expectation> = {
  rd: 'register', rs1: 'register', rs2: 'register',
  imm12: 'immediate', shamt: 'immediate', uimm20: 'immediate', zimm: 'immediate',
  csr: 'csr', load: 'memory', store: 'memory', branch: 'target', jump: 'target', pred: 'fence', succ: 'fence',
};

const tableCandidate = (form: InstructionForm): Candidate => ({
  usage: form.usage,
  expects: form.operands.map((kind) => EXPECTATION[kind]),
  emit: (asm, operands) => emitForm(asm, form, operands),
});

const candidatesByMnemonic = new Map<string, Candidate[]>();
for (const form of INSTRUCTION_FORMS) {
  if (!form.assemble || candidatesByMnemonic.has(form.mnemonic)) continue;
  candidatesByMnemonic.set(form.mnemonic, formsOf(form.mnemonic).map(tableCandidate));
}
for (const pseudo of PSEUDO_FORMS) {
  const list = candidatesByMnemonic.get(pseudo.mnemonic) ?? [];
  list.push({ usage: pseudo.usage, expects: pseudo.operands, emit: pseudo.expand });
  candidatesByMnemonic.set(pseudo.mnemonic, list);
}

/** Every mnemonic the assembler accepts, for suggestions. */
const MNEMONICS: readonly string[] = [...candidatesByMnemonic.keys()];

const ACCEPTS: Record<Expectation, Operand['class']> = {
  register: 'register', immediate: 'expression', target: 'expression', csr: 'expression',
  fence: 'expression', memory: 'memory', symbol: 'expression',
};

const NOUN: Record<Expectation, string> = {
  register: 'a register',
  immediate: 'an immediate',
  target: 'a label or address',
  csr: 'a CSR name or number',
  fence: 'a fence set such as `rw`',
  memory: 'a memory operand `offset(register)`',
  symbol: 'a label',
};

export function assembleInstruction(asm: Assembly, statement: Statement, mnemonicToken: Token): void {
  const mnemonic = mnemonicToken.text.toLowerCase();
  const candidates = candidatesByMnemonic.get(mnemonic);
  if (!candidates) {
    reportUnknownMnemonic(asm, mnemonicToken, mnemonic);
    return;
  }
  if (asm.section.name === '.bss') {
    asm.error(mnemonicToken.start, mnemonicToken.end, 'instructions cannot go in .bss, which holds only zeros; switch to .text first');
    return;
  }
  if (reportEmptyOperand(asm, statement) || reportMissingComma(asm, statement)) return;
  const given = statement.operands;
  const sameCount = candidates.filter((candidate) => candidate.expects.length === given.length);
  if (sameCount.length === 0) {
    reportOperandCount(asm, statement, mnemonic, candidates);
    return;
  }
  const operands = given.map((tokens) => classifyOperand(asm, tokens));
  if (operands.some((operand) => operand.class === 'invalid')) return;
  const fits = (candidate: Candidate) => fittingPrefix(candidate, operands) === operands.length;
  const chosen = sameCount.find(fits);
  if (chosen) {
    chosen.emit(asm, operands);
    return;
  }
  // Diagnose every operand that does not fit the form with the fewest misfits (then the one
  // that fits the most leading operands).
  const misfits = (candidate: Candidate) => operands.filter((operand, i) => ACCEPTS[candidate.expects[i]] !== operand.class).length;
  let best = sameCount[0];
  for (const candidate of sameCount) {
    const fewer = misfits(candidate) - misfits(best);
    if (fewer < 0 || (fewer === 0 && fittingPrefix(candidate, operands) > fittingPrefix(best, operands))) best = candidate;
  }
  operands.forEach((operand, index) => {
    if (ACCEPTS[best.expects[index]] !== operand.class) asm.error(operand.start, operand.end, mismatch(asm, mnemonic, index, best.expects[index], operand));
  });
}

function fittingPrefix(candidate: Candidate, operands: readonly Operand[]): number {
  let i = 0;
  while (i < operands.length && ACCEPTS[candidate.expects[i]] === operands[i].class) i++;
  return i;
}

function mismatch(asm: Assembly, mnemonic: string, index: number, expected: Expectation, operand: Operand): string {
  if (operand.class === 'unknownRegister') return unknownRegister(operand.name, suggestRegister(operand.name));
  if (expected === 'register' && operand.class === 'expression' && operand.identifier !== undefined) {
    const suggestion = suggestRegister(operand.identifier);
    if (suggestion) return unknownRegister(operand.identifier, suggestion);
  }
  const found =
    operand.class === 'register' ? `register \`${asm.textOf(operand)}\``
    : operand.class === 'memory' ? `memory operand \`${asm.textOf(operand)}\``
    : operand.class === 'expression' ? `\`${asm.textOf(operand)}\``
    : 'nothing';
  return `expected ${NOUN[expected]} for operand ${index + 1} of ${mnemonic}, found ${found}`;
}

/** Tokens that can end an operand, and tokens that can only start one. */
const endsOperand = (token: Token) => token.kind === 'identifier' || token.kind === 'number' || token.kind === 'localRef' || token.kind === 'char' || (token.kind === 'punct' && token.text === ')');
const startsOperand = (token: Token) => token.kind === 'identifier' || token.kind === 'number' || token.kind === 'localRef' || token.kind === 'char' || token.kind === 'reloc';

/**
 * Reports two operands written without a comma between them (`addi a0 a0 1`), at the place
 * the comma belongs; false if there are none.
 */
function reportMissingComma(asm: Assembly, statement: Statement): boolean {
  for (const tokens of statement.operands) {
    let depth = 0;
    for (let i = 0; i + 1 < tokens.length; i++) {
      if (tokens[i].kind === 'punct' && tokens[i].text === '(') depth++;
      else if (tokens[i].kind === 'punct' && tokens[i].text === ')') depth--;
      if (depth === 0 && endsOperand(tokens[i]) && startsOperand(tokens[i + 1])) {
        asm.error(tokens[i].end, tokens[i].end + 1, `expected \`,\` between operands \`${asm.textOf(tokens[i])}\` and \`${asm.textOf(tokens[i + 1])}\``);
        return true;
      }
    }
  }
  return false;
}

function unknownRegister(name: string, suggestion: string | undefined): string {
  return `unknown register \`${name}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`;
}

function reportOperandCount(asm: Assembly, statement: Statement, mnemonic: string, candidates: readonly Candidate[]): void {
  const usages = [...new Set(candidates.map((candidate) => `\`${candidate.usage}\``))];
  const expected = usages.length === 1 ? usages[0] : `one of ${usages.join(', ')}`;
  const most = Math.max(...candidates.map((candidate) => candidate.expects.length));
  const given = statement.operands;
  if (given.length < most) {
    asm.error(statement.end, statement.end + 1, `missing operand for ${mnemonic}: expected ${expected}`);
  } else {
    const extra = given[most][0];
    asm.error(extra.start, statement.end, `too many operands for ${mnemonic}: expected ${expected}`);
  }
}

function reportUnknownMnemonic(asm: Assembly, token: Token, mnemonic: string): void {
  if (mnemonic.startsWith('c.')) {
    asm.error(token.start, token.end, `compressed instruction \`${mnemonic}\` is not supported: Lockstep Lab runs RV32IM without the C extension`);
    return;
  }
  const suggestion = nearestName(mnemonic, MNEMONICS);
  asm.error(token.start, token.end, `unknown instruction \`${token.text}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`);
}
