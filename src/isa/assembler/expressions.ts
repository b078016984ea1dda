/**
 * Constant expressions, as GNU as reads and evaluates them (GNU as manual, "Expressions").
 *
 * Precedence, lowest to highest, left-associative within a level — GNU's, not C's:
 *   1. `+` `-`
 *   2. `|` `&` `^`
 *   3. `*` `/` `%` `<<` `>>`
 *   4. unary `-` `+` `~` `!`
 * Operands: numbers, character constants, symbols, numeric local labels (`1f`, `1b`), `.` (the
 * address of the current statement) and parentheses.
 *
 * The RISC-V relocation functions `%hi`, `%lo`, `%pcrel_hi`, `%pcrel_lo` (RISC-V assembly
 * manual, "Assembler Relocation Functions") may only begin an operand, possibly inside
 * parentheses, and apply to everything after them: GNU as reads `%hi(x) + 4` as `%hi(x + 4)`
 * and rejects `4 + %hi(x)`.
 *
 * A symbol redefined with `.set`/`.equ`/`=` has several values: a reference means the
 * definition in force where it is written, or the first definition for a forward reference,
 * as in GNU as.
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
  /** `version`: how many definitions of `name` came before the reference (see SymbolScope). */
  | ({ kind: 'symbol'; name: string; written: string; version: number } & Span)
  | ({ kind: 'here' } & Span)
  | ({ kind: 'unary'; operator: UnaryOperator; operand: Expression } & Span)
  | ({ kind: 'binary'; operator: BinaryOperator; left: Expression; right: Expression } & Span)
  | ({ kind: 'relocation'; function: RelocationFunction; operand: Expression } & Span);

export interface ParseFailure extends Span {
  message: string;
}

/** What the parser needs to know about the symbols defined before the expression. */
export interface SymbolScope {
  /** Internal symbol name for `1f` / `1b`, or undefined when `1b` has no earlier `1:`. */
  localLabel(number: bigint, direction: 'f' | 'b'): string | undefined;
  /** How many times `name` has been defined so far. */
  definitions(name: string): number;
}

const RELOCATION_FUNCTIONS = new Set<string>(['hi', 'lo', 'pcrel_hi', 'pcrel_lo']);
const isPunct = (token: Token | undefined, text: string) => token?.kind === 'punct' && token.text === text;
const LEVELS: ReadonlyArray<ReadonlySet<string>> = [
  new Set(['+', '-']),
  new Set(['|', '&', '^']),
  new Set(['*', '/', '%', '<<', '>>']),
];

/** Limits that keep parsing and evaluation far from the JavaScript stack limit. */
const MAX_TOKENS = 2000;
const MAX_NESTING = 200;

/** Parses all of `tokens` as one operand expression. */
export function parseExpression(tokens: readonly Token[], scope: SymbolScope, endColumn: number): Expression | ParseFailure {
  if (tokens.length === 0) return { message: 'expected an expression', start: endColumn, end: endColumn + 1 };
  if (tokens.length > MAX_TOKENS) {
    return { message: `expression too long: more than ${MAX_TOKENS} tokens`, start: tokens[0].start, end: tokens[tokens.length - 1].end };
  }
  if (tokens.length === 1 && tokens[0].kind === 'number') return { kind: 'number', value: tokens[0].value, start: tokens[0].start, end: tokens[0].end };
  const parser = new Parser(tokens, scope, endColumn);
  const result = parser.operand();
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
    private readonly scope: SymbolScope,
    private readonly endColumn: number,
  ) {}

  /**
   * A whole operand: an expression, or a relocation function (after `depth` opening
   * parentheses, which must close at the end) applied to the expression after it.
   */
  operand(): Expression | ParseFailure {
    let depth = 0;
    while (isPunct(this.tokens[depth], '(')) depth++;
    const relocation = this.tokens[depth];
    if (relocation?.kind !== 'reloc') return this.expression(0);
    const name = relocation.text.toLowerCase();
    if (!RELOCATION_FUNCTIONS.has(name)) {
      return { message: `unknown relocation function \`%${relocation.text}\`: use %hi, %lo, %pcrel_hi or %pcrel_lo`, start: relocation.start, end: relocation.end };
    }
    const open = this.tokens[depth + 1];
    if (!isPunct(open, '(')) return { message: `expected \`(\` after \`%${relocation.text}\``, start: relocation.end, end: relocation.end + 1 };
    this.position = depth + 1;
    const operand = this.expression(0);
    if ('message' in operand) return operand;
    let end = operand.end;
    for (let level = depth - 1; level >= 0; level--) {
      const close = this.tokens[this.position];
      if (!isPunct(close, ')')) return { message: 'missing `)` to close this `(`', start: this.tokens[level].start, end: this.tokens[level].end };
      this.position++;
      end = close.end;
    }
    return { kind: 'relocation', function: name as RelocationFunction, operand, start: this.tokens[0].start, end };
  }

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
          : { kind: 'symbol', name: next.text, written: next.text, version: this.scope.definitions(next.text), start: next.start, end: next.end };
      case 'localRef': {
        const direction = next.text.endsWith('f') ? 'f' : 'b';
        const name = this.scope.localLabel(next.value, direction);
        if (name === undefined) {
          const decimal = next.text.slice(0, -1).replace(/^0+(?=\d)/, '');
          const octal = decimal !== String(next.value) ? ' (a leading 0 makes the number octal)' : '';
          return { message: `local label \`${next.value}\` is not defined before \`${next.text}\`${octal}`, ...span };
        }
        return { kind: 'symbol', name, written: next.text, version: 0, ...span };
      }
      case 'reloc':
        return { message: `\`%${next.text}\` must begin the operand: write \`%${next.text}(x + n)\`, not \`n + %${next.text}(x)\``, ...span };
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
  | ({ kind: 'error'; message: string } & Span)
  /** Depends on an operand whose error is reported where it is written (the `%pcrel_hi` of a `%pcrel_lo`). */
  | { kind: 'reportedElsewhere' };

export interface Environment {
  /**
   * The value of definition `version` of a symbol (see the `symbol` expression), `undefined`/
   * `unknown` when it has none (yet), or an error.
   */
  lookup(name: string, version: number, where: Span): Evaluation;
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
      const result = env.lookup(expression.name, expression.version, expression);
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
