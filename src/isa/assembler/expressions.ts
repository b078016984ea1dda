/**
 * Constant expressions, as GNU as reads and evaluates them (GNU as manual, "Expressions").
 *
 * Precedence, lowest to highest, left-associative within a level — GNU's, not C's:
 *   1. `+` `-`
 *   2. `|` `&` `^`
 *   3. `*` `/` `%` `<<` `>>`
 *   4. unary `-` `+` `~` `!`
 * Operands: numbers, character constants, symbols, numeric local labels (`1f`, `1b`), `.` (the
 * address of the current statement), parentheses, and the RISC-V relocation functions `%hi`,
 * `%lo`, `%pcrel_hi`, `%pcrel_lo` (RISC-V assembly manual, "Assembler Relocation Functions").
 *
 * Values are 64-bit two's-complement integers (GNU as's offsetT); `/` and `%` truncate toward
 * zero as in C; `>>` is a logical shift of the 64-bit value, as in GNU as.
 *
 * An address is relative to its section until the sections are placed: `label + 4` and
 * `label - 4` stay relative, `end - start` in one section is absolute, and any other arithmetic
 * on addresses waits for the final evaluation, when every address is absolute.
 */

import type { Token } from './lexer.ts';

type RelocationFunction = 'hi' | 'lo' | 'pcrel_hi' | 'pcrel_lo';
type BinaryOperator = '+' | '-' | '|' | '&' | '^' | '*' | '/' | '%' | '<<' | '>>';
type UnaryOperator = '-' | '+' | '~' | '!';

interface Span {
  /** Columns [start, end) of the expression in its source line. */
  start: number;
  end: number;
}

export type Expression =
  | ({ kind: 'number'; value: bigint } & Span)
  | ({ kind: 'symbol'; name: string; written: string } & Span)
  | ({ kind: 'here' } & Span)
  | ({ kind: 'unary'; operator: UnaryOperator; operand: Expression } & Span)
  | ({ kind: 'binary'; operator: BinaryOperator; left: Expression; right: Expression } & Span)
  | ({ kind: 'relocation'; function: RelocationFunction; operand: Expression } & Span);

export interface ParseFailure extends Span {
  message: string;
}

/** Resolves numeric local label references while parsing. */
export interface LocalLabels {
  /** Internal symbol name for `1f` / `1b`, or undefined when `1b` has no earlier `1:`. */
  reference(number: string, direction: 'f' | 'b'): string | undefined;
}

const RELOCATION_FUNCTIONS = new Set<string>(['hi', 'lo', 'pcrel_hi', 'pcrel_lo']);
const LEVELS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['+', '-']),
  new Set(['|', '&', '^']),
  new Set(['*', '/', '%', '<<', '>>']),
];

/** Parses all of `tokens` as one expression. */
/** Limits that keep parsing and evaluation far from the JavaScript stack limit. */
const MAX_TOKENS = 2000;
const MAX_NESTING = 200;

export function parseExpression(tokens: readonly Token[], locals: LocalLabels, endColumn: number): Expression | ParseFailure {
  if (tokens.length === 0) return { message: 'expected an expression', start: endColumn, end: endColumn + 1 };
  if (tokens.length > MAX_TOKENS) {
    return { message: `expression too long: more than ${MAX_TOKENS} tokens`, start: tokens[0].start, end: tokens[tokens.length - 1].end };
  }
  if (tokens.length === 1 && tokens[0].kind === 'number') return { kind: 'number', value: tokens[0].value, start: tokens[0].start, end: tokens[0].end };
  const parser = new Parser(tokens, locals, endColumn);
  const result = parser.expression(0);
  if ('message' in result) return result;
  const extra = tokens[parser.position];
  if (extra !== undefined) {
    return { message: `unexpected \`${extra.text}\` after the expression`, start: extra.start, end: extra.end };
  }
  return result;
}

class Parser {
  position = 0;
  /** Open parentheses and unary operators around the current position. */
  private nesting = 0;
  constructor(
    private readonly tokens: readonly Token[],
    private readonly locals: LocalLabels,
    private readonly endColumn: number,
  ) {}

  expression(level: number): Expression | ParseFailure {
    if (level === LEVELS.length) return this.unary();
    let left = this.expression(level + 1);
    if ('message' in left) return left;
    for (;;) {
      const next = this.tokens[this.position];
      if (next === undefined || next.kind !== 'punct' || !LEVELS[level].has(next.text)) return left;
      this.position++;
      const right = this.expression(level + 1);
      if ('message' in right) return right;
      left = { kind: 'binary', operator: next.text as BinaryOperator, left, right, start: left.start, end: right.end };
    }
  }

  private unary(): Expression | ParseFailure {
    const next = this.tokens[this.position];
    if (next?.kind === 'punct' && (next.text === '-' || next.text === '+' || next.text === '~' || next.text === '!')) {
      this.position++;
      if (++this.nesting > MAX_NESTING) return { message: `expression nested too deeply: more than ${MAX_NESTING} levels`, start: next.start, end: next.end };
      const operand = this.unary();
      this.nesting--;
      if ('message' in operand) return operand;
      return { kind: 'unary', operator: next.text, operand, start: next.start, end: operand.end };
    }
    return this.primary();
  }

  private primary(): Expression | ParseFailure {
    const next = this.tokens[this.position];
    if (next === undefined) {
      return { message: 'expected an expression', start: this.endColumn, end: this.endColumn + 1 };
    }
    this.position++;
    const span = { start: next.start, end: next.end };
    switch (next.kind) {
      case 'number':
      case 'char':
        return { kind: 'number', value: next.value, start: next.start, end: next.end };
      case 'identifier':
        return next.text === '.'
          ? { kind: 'here', start: next.start, end: next.end }
          : { kind: 'symbol', name: next.text, written: next.text, start: next.start, end: next.end };
      case 'localRef': {
        const number = next.text.slice(0, -1);
        const direction = next.text.endsWith('f') ? 'f' : 'b';
        const name = this.locals.reference(number, direction);
        if (name === undefined) return { message: `local label \`${number}\` is not defined before \`${next.text}\``, ...span };
        return { kind: 'symbol', name, written: next.text, ...span };
      }
      case 'reloc': {
        if (!RELOCATION_FUNCTIONS.has(next.text)) {
          return { message: `unknown relocation function \`%${next.text}\`: use %hi, %lo, %pcrel_hi or %pcrel_lo`, ...span };
        }
        const open = this.tokens[this.position];
        if (open?.kind !== 'punct' || open.text !== '(') {
          return { message: `expected \`(\` after \`%${next.text}\``, start: next.end, end: next.end + 1 };
        }
        this.position++;
        const operand = this.parenthesized(open);
        if ('message' in operand) return operand;
        return { kind: 'relocation', function: next.text as RelocationFunction, operand: operand.inner, start: next.start, end: operand.end };
      }
      case 'punct':
        if (next.text === '(') {
          const inner = this.parenthesized(next);
          if ('message' in inner) return inner;
          return { ...inner.inner, start: next.start, end: inner.end };
        }
        return { message: `expected an expression, found \`${next.text}\``, ...span };
      case 'string':
        return { message: 'expected an expression, found a string', ...span };
    }
  }

  /** Parses the rest of `( expression )` after the `(` token `open`. */
  private parenthesized(open: Token): { inner: Expression; end: number } | ParseFailure {
    if (++this.nesting > MAX_NESTING) return { message: `expression nested too deeply: more than ${MAX_NESTING} levels`, start: open.start, end: open.end };
    const inner = this.expression(0);
    this.nesting--;
    if ('message' in inner) return inner;
    const close = this.tokens[this.position];
    if (close?.kind !== 'punct' || close.text !== ')') {
      return { message: 'missing `)` to close this `(`', start: open.start, end: open.end };
    }
    this.position++;
    return { inner, end: close.end };
  }
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/** An evaluated expression: absolute when `section` is null, else an offset into `section`. */
export interface Value {
  section: string | null;
  value: bigint;
}

export type Evaluation =
  | { kind: 'value'; section: string | null; value: bigint }
  /** Cannot be known yet: a forward reference or arithmetic on unplaced addresses. */
  | { kind: 'unknown' }
  | ({ kind: 'undefined'; name: string; written: string } & Span)
  | ({ kind: 'error'; message: string } & Span);

export interface Environment {
  /** The value of a symbol, `undefined`/`unknown` when it has none (yet), or an error. */
  lookup(name: string, where: Span): Evaluation;
  /** The address `.` stands for. */
  here: Value;
  /**
   * For `%pcrel_lo(label)`: the target of the `%pcrel_hi` at absolute `address`. Absent before
   * the sections are placed.
   */
  pcrelHiTarget?(address: bigint, where: Span): Evaluation;
}

const wrap = (value: bigint) => BigInt.asIntN(64, value);

/** %hi: the upper 20 bits, rounded so that %hi << 12 plus the sign-extended %lo is `value`. */
const hi20 = (value: bigint) => ((value + 0x800n) >> 12n) & 0xfffffn;
/** %lo: the low 12 bits, sign-extended. */
const lo12 = (value: bigint) => ((value & 0xfffn) ^ 0x800n) - 0x800n;

const UNKNOWN: Evaluation = { kind: 'unknown' };

export function evaluate(expression: Expression, env: Environment): Evaluation {
  switch (expression.kind) {
    case 'number':
      return { kind: 'value', section: null, value: expression.value };
    case 'here':
      return { kind: 'value', ...env.here };
    case 'symbol': {
      const result = env.lookup(expression.name, expression);
      return result.kind === 'undefined' ? { ...result, written: expression.written, start: expression.start, end: expression.end } : result;
    }
    case 'unary': {
      const operand = evaluate(expression.operand, env);
      if (operand.kind !== 'value') return operand;
      if (operand.section !== null) return expression.operator === '+' ? operand : UNKNOWN;
      const v = operand.value;
      const value = expression.operator === '-' ? wrap(-v) : expression.operator === '~' ? ~v : expression.operator === '!' ? (v === 0n ? 1n : 0n) : v;
      return { kind: 'value', section: null, value };
    }
    case 'binary': {
      const left = evaluate(expression.left, env);
      const right = evaluate(expression.right, env);
      if (left.kind === 'error') return left;
      if (right.kind === 'error') return right;
      if (left.kind !== 'value') return left;
      if (right.kind !== 'value') return right;
      return combine(expression, left, right);
    }
    case 'relocation': {
      const operand = evaluate(expression.operand, env);
      if (operand.kind !== 'value') return operand;
      switch (expression.function) {
        case 'hi':
        case 'lo': {
          if (operand.section !== null) return UNKNOWN;
          const value = expression.function === 'hi' ? hi20(operand.value) : lo12(operand.value);
          return { kind: 'value', section: null, value };
        }
        case 'pcrel_hi': {
          if (operand.section !== null || env.here.section !== null) return UNKNOWN;
          return { kind: 'value', section: null, value: hi20(wrap(operand.value - env.here.value)) };
        }
        case 'pcrel_lo': {
          if (operand.section !== null || env.pcrelHiTarget === undefined) return UNKNOWN;
          const target = env.pcrelHiTarget(operand.value, expression.operand);
          if (target.kind !== 'value') return target;
          return { kind: 'value', section: null, value: lo12(wrap(target.value - operand.value)) };
        }
      }
    }
  }
}

function combine(expression: Extract<Expression, { kind: 'binary' }>, left: Value, right: Value): Evaluation {
  const { operator } = expression;
  const l = left.value;
  const r = right.value;
  if (left.section !== null || right.section !== null) {
    if (operator === '+' && (left.section === null || right.section === null)) {
      return { kind: 'value', section: left.section ?? right.section, value: wrap(l + r) };
    }
    if (operator === '-' && right.section === null) return { kind: 'value', section: left.section, value: wrap(l - r) };
    if (operator === '-' && left.section === right.section) return { kind: 'value', section: null, value: wrap(l - r) };
    return UNKNOWN;
  }
  let value: bigint;
  switch (operator) {
    case '+': value = l + r; break;
    case '-': value = l - r; break;
    case '*': value = l * r; break;
    case '/':
    case '%':
      if (r === 0n) return { kind: 'error', message: 'division by zero', start: expression.start, end: expression.end };
      value = operator === '/' ? l / r : l % r;
      break;
    case '<<':
    case '>>':
      if (r < 0n) return { kind: 'error', message: `negative shift count ${r}`, start: expression.start, end: expression.end };
      if (r >= 64n) value = 0n;
      else value = operator === '<<' ? l << r : BigInt.asUintN(64, l) >> r;
      break;
    case '&': value = l & r; break;
    case '|': value = l | r; break;
    case '^': value = l ^ r; break;
  }
  return { kind: 'value', section: null, value: wrap(value) };
}
