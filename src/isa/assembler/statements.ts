/**
 * The statements of one line: `label: label: operation operand, operand, ...` or
 * `name = expression`, separated by `;`. Operands are split at commas outside parentheses; an
 * operand may be empty (`.p2align 4,,8`), and whoever reads the operands decides whether that
 * is allowed. Adjacent string literals are one string (`.ascii "a" "b"` is `"ab"`), as in GNU as.
 */

import type { Assembly } from './context.ts';
import type { LexError, Token } from './lexer.ts';

export interface Statement {
  /** Label tokens (identifiers, or decimal numbers for numeric local labels), in order. */
  labels: Token[];
  /** `name = value`, GNU's spelling of `.set name, value`. */
  assignment: { name: Token; value: Token[] } | undefined;
  /** The mnemonic or directive name. */
  operation: Token | undefined;
  /** The operands' tokens, one array per operand (empty for an empty operand); none when there are no operands. */
  operands: Token[][];
  /** The commas between the operands: `separators[i]` follows `operands[i]`. */
  separators: Token[];
  /** Column just past the statement's last token, where a missing operand is reported. */
  end: number;
}

const isPunct = (token: Token | undefined, text: string) => token?.kind === 'punct' && token.text === text;

/** Splits a line's tokens into statements, reporting malformed ones in `errors` and dropping them. */
export function parseStatements(tokens: readonly Token[], errors: LexError[]): Statement[] {
  const statements: Statement[] = [];
  let start = 0;
  for (let i = 0; i <= tokens.length; i++) {
    if (i < tokens.length && !isPunct(tokens[i], ';')) continue;
    const statement = parseStatement(tokens.slice(start, i), errors);
    if (statement) statements.push(statement);
    start = i + 1;
  }
  return statements;
}

function parseStatement(tokens: Token[], errors: LexError[]): Statement | undefined {
  if (tokens.length === 0) return undefined;
  const statement: Statement = {
    labels: [], assignment: undefined, operation: undefined, operands: [], separators: [], end: tokens[tokens.length - 1].end,
  };
  let i = 0;
  while (i + 1 < tokens.length && isPunct(tokens[i + 1], ':') && isLabelName(tokens[i])) {
    statement.labels.push(tokens[i]);
    i += 2;
  }
  if (i === tokens.length) return statement;
  const head = tokens[i];
  if (head.kind === 'identifier' && isPunct(tokens[i + 1], '=')) {
    statement.assignment = { name: head, value: tokens.slice(i + 2) };
    return statement;
  }
  if (head.kind !== 'identifier') {
    const what = head.kind === 'string' ? 'a string' : `\`${head.text}\``;
    errors.push({ message: `expected an instruction, a directive or a label, found ${what}`, start: head.start, end: head.end, severity: 'error' });
    return statement;
  }
  statement.operation = head;
  if (i + 1 === tokens.length) return statement;
  let depth = 0;
  let operand: Token[] = [];
  for (let j = i + 1; j < tokens.length; j++) {
    const token = tokens[j];
    if (isPunct(token, '(')) {
      depth++;
    } else if (isPunct(token, ')') && --depth < 0) {
      errors.push({ message: 'unmatched `)`', start: token.start, end: token.end, severity: 'error' });
      statement.operation = undefined;
      return statement;
    }
    if (depth === 0 && isPunct(token, ',')) {
      statement.operands.push(operand);
      statement.separators.push(token);
      operand = [];
    } else if (token.kind === 'string' && operand.length > 0 && operand[operand.length - 1].kind === 'string') {
      operand[operand.length - 1] = joinStrings(operand[operand.length - 1], token);
    } else {
      operand.push(token);
    }
  }
  statement.operands.push(operand);
  return statement;
}

/** One string token for two adjacent ones (its text is theirs joined by a space). */
function joinStrings(first: Token, second: Token): Token {
  const bytes = new Uint8Array(first.bytes!.length + second.bytes!.length);
  bytes.set(first.bytes!);
  bytes.set(second.bytes!, first.bytes!.length);
  return { ...first, text: `${first.text} ${second.text}`, end: second.end, bytes };
}

/** Where empty operand `index` of `statement` is: at the comma after it, or at the end. */
export function emptyOperandSpan(statement: Statement, index: number): { start: number; end: number } {
  return statement.separators[index] ?? { start: statement.end, end: statement.end + 1 };
}

/** Reports the first empty operand of `statement` as an error; false if there is none. */
export function reportEmptyOperand(asm: Assembly, statement: Statement): boolean {
  const index = statement.operands.findIndex((tokens) => tokens.length === 0);
  if (index < 0) return false;
  const { start, end } = emptyOperandSpan(statement, index);
  asm.error(start, end, index < statement.separators.length ? 'expected an operand before `,`' : 'expected an operand after `,`');
  return true;
}

function isLabelName(token: Token): boolean {
  return token.kind === 'identifier' ? token.text !== '.' : token.kind === 'number' && /^\d+$/.test(token.text);
}
