/**
 * The statements of one line: `label: label: operation operand, operand, ...` or
 * `name = expression`, separated by `;`. Operands are split at commas outside parentheses.
 */

import type { LexError, Token } from './lexer.ts';

export interface Statement {
  /** Label tokens (identifiers, or decimal numbers for numeric local labels), in order. */
  labels: Token[];
  /** `name = value`, GNU's spelling of `.set name, value`. */
  assignment: { name: Token; value: Token[] } | undefined;
  /** The mnemonic or directive name. */
  operation: Token | undefined;
  /** The operands' tokens, one array per operand; empty when there are no operands. */
  operands: Token[][];
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
  const statement: Statement = { labels: [], assignment: undefined, operation: undefined, operands: [], end: tokens[tokens.length - 1].end };
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
    errors.push({ message: `expected an instruction, a directive or a label, found ${what}`, start: head.start, end: head.end });
    return statement;
  }
  statement.operation = head;
  if (i + 1 === tokens.length) return statement;
  let depth = 0;
  let operand: Token[] = [];
  for (let j = i + 1; j < tokens.length; j++) {
    const token = tokens[j];
    if (isPunct(token, '(')) depth++;
    else if (isPunct(token, ')')) depth--;
    if (depth === 0 && isPunct(token, ',')) {
      if (operand.length === 0) {
        errors.push({ message: 'expected an operand before `,`', start: token.start, end: token.end });
        statement.operation = undefined;
        return statement;
      }
      statement.operands.push(operand);
      operand = [];
    } else {
      operand.push(token);
    }
  }
  if (operand.length === 0) {
    errors.push({ message: 'expected an operand after `,`', start: statement.end, end: statement.end + 1 });
    statement.operation = undefined;
    return statement;
  }
  statement.operands.push(operand);
  return statement;
}

function isLabelName(token: Token): boolean {
  return token.kind === 'identifier' ? token.text !== '.' : token.kind === 'number' && /^\d+$/.test(token.text);
}
