/**
 * What an instruction operand is, from its tokens: a register (`a0`), a memory operand
 * (`8(sp)`, `(a0)`, `%lo(x)(a0)`), or an expression (an immediate, a label, a CSR name, a FENCE
 * set). Register names are never symbols, as in GNU as, and are lower case.
 *
 * A final `(name)` is a memory operand's base when `name` is a register, or is shaped like one
 * (`x32`, `a9`: a typo). Otherwise the whole operand is an expression if it reads as one
 * (`~(MASK)`, `4*(N)`), and a memory operand with an unknown base if it does not (`0(sq)`).
 */

import { nearestName } from '../diagnostics.ts';
import { REGISTER_NAMES, registerNumber } from '../registers.ts';
import { parseExpression, type Expression } from './expressions.ts';
import type { Assembly } from './context.ts';
import type { Token } from './lexer.ts';

interface Span {
  start: number;
  end: number;
}

export type Operand =
  | ({ class: 'register'; register: number } & Span)
  | ({ class: 'memory'; offset: Expression | undefined; base: number } & Span)
  /** `identifier` is set when the operand is a single name (a symbol, CSR or FENCE set). */
  | ({ class: 'expression'; expression: Expression; identifier: string | undefined } & Span)
  /** A name shaped like a register that is not one (`a9`, `x32`), or a non-register in `(…)`. */
  | ({ class: 'unknownRegister'; name: string } & Span)
  /** Malformed; the syntax error is already reported. */
  | ({ class: 'invalid' } & Span);

/** Names shaped like a register that are not one (`x32`, `a8`, `t7`, `s12`): surely a typo. */
const isRegisterShaped = (name: string) => /^[xast]\d+$/.test(name) && registerNumber(name) === undefined;

/**
 * The register a mistyped name most likely meant: the name in lower case (`A0`: `a0`); for
 * `t7` or `x32`, the register of the same family with the nearest number (`t6`, `x31`);
 * otherwise the nearest name by spelling.
 */
export function suggestRegister(written: string): string | undefined {
  const name = written.toLowerCase();
  if (registerNumber(name) !== undefined) return name;
  const match = /^([a-z]+)(\d+)$/.exec(name);
  if (match) {
    const [, family, digits] = match;
    let best: string | undefined;
    let bestDistance = Infinity;
    for (const candidate of REGISTER_NAMES) {
      if (!candidate.startsWith(family) || !/^\d+$/.test(candidate.slice(family.length))) continue;
      const distance = Math.abs(Number(candidate.slice(family.length)) - Number(digits));
      if (distance < bestDistance) {
        best = candidate;
        bestDistance = distance;
      }
    }
    if (best) return best;
  }
  return nearestName(name, REGISTER_NAMES);
}

const isPunct = (token: Token | undefined, text: string) => token?.kind === 'punct' && token.text === text;

export function classifyOperand(asm: Assembly, tokens: readonly Token[]): Operand {
  const first = tokens[0];
  const last = tokens[tokens.length - 1];
  const span = { start: first.start, end: last.end };
  if (tokens.length === 1 && first.kind === 'identifier') {
    const register = registerNumber(first.text);
    if (register !== undefined) return { class: 'register', register, start: first.start, end: first.end };
    if (isRegisterShaped(first.text)) return { class: 'unknownRegister', name: first.text, ...span };
  }
  // `offset(base)`: a final parenthesized single name, not the argument of `%lo(…)` and the like.
  const n = tokens.length;
  if (n >= 3 && isPunct(last, ')') && isPunct(tokens[n - 3], '(') && tokens[n - 2].kind === 'identifier' && tokens[n - 4]?.kind !== 'reloc') {
    const baseToken = tokens[n - 2];
    const base = registerNumber(baseToken.text);
    const offsetTokens = tokens.slice(0, n - 3);
    const typo = base === undefined && (isRegisterShaped(baseToken.text) || (offsetTokens.length > 0 && 'message' in parseExpression(tokens, asm.scope, last.end)));
    if (typo) return { class: 'unknownRegister', name: baseToken.text, start: baseToken.start, end: baseToken.end };
    if (base !== undefined && offsetTokens.length === 0) return { class: 'memory', offset: undefined, base, ...span };
    if (base !== undefined) {
      const offset = asm.parseExpression(offsetTokens, tokens[n - 3].start);
      if (!offset) return { class: 'invalid', ...span };
      return { class: 'memory', offset, base, ...span };
    }
  }
  const expression = asm.parseExpression(tokens, last.end);
  if (!expression) return { class: 'invalid', ...span };
  const identifier = tokens.length === 1 && first.kind === 'identifier' ? first.text : undefined;
  return { class: 'expression', expression, identifier, ...span };
}
