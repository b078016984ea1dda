/**
 * Tokens of one source line, in GNU as syntax: `#` starts a comment to the end of the line,
 * `/* … *\/` comments may span lines, `;` separates statements.
 *
 * Numbers are decimal, `0x` hex, `0b` binary or `0`-prefixed octal. `1f`/`1b` refer to numeric
 * local labels (the digits read as a number, so `01b` is label 1); digits right before a `:`
 * are decimal, as GNU as reads a local label's definition (`08:` is label 8).
 *
 * `%name` is a relocation function (`%hi`, `%lo`, `%pcrel_hi`, `%pcrel_lo`, case-insensitive)
 * where an operand starts; after an operand `%` is the remainder operator (`N%M`).
 *
 * Strings take GNU as's escapes: \b \f \n \r \t \v \\ \", up to three digits \NNN (octal
 * place values, taken modulo 256; GNU accepts 8 and 9 as digits), \x followed by any number of
 * hex digits (none is 0; modulo 256); a backslash before any other character stands for that
 * character (`\q` is `q`). Adjacent strings are one string (statements.ts joins them).
 *
 * Character constants are `'c'` or GNU's `'c`. Their only escapes are \b \f \n \r \t \\ \'
 * \": GNU as reads any other `'\c` as the character c (so `'\0'` is `0`, 48), which the lexer
 * warns about.
 */

export type TokenKind = 'identifier' | 'number' | 'localRef' | 'char' | 'string' | 'reloc' | 'punct';

export interface Token {
  kind: TokenKind;
  /** The token as written (for `reloc`, the name after `%`). */
  text: string;
  /** Columns [start, end) in the line, 0-based. */
  start: number;
  end: number;
  /**
   * Value of a number or character constant, as a 64-bit two's-complement integer; for a
   * `localRef`, the label's number.
   */
  value: bigint;
  /** Bytes of a string (escapes resolved, UTF-8). */
  bytes: Uint8Array | undefined;
}

export interface LexError {
  message: string;
  start: number;
  end: number;
  /** A warning leaves the token in place; an error drops it. */
  severity: 'error' | 'warning';
}

/** Carries an open `/*` comment from one line to the next. */
export interface LexState {
  inBlockComment: boolean;
  /** Column of the `/*` that opened the comment, on the line that opened it. */
  commentColumn: number;
}

const enum Char {
  Tab = 9, Space = 32, Quote = 34, Hash = 35, Dollar = 36, Percent = 37, Apostrophe = 39,
  Star = 42, Dot = 46, Slash = 47, Zero = 48, Nine = 57, Colon = 58, Less = 60,
  Greater = 62, Backslash = 92, Underscore = 95,
}

const isDigit = (c: number) => c >= Char.Zero && c <= Char.Nine;
const isLetter = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const isSymbolStart = (c: number) => isLetter(c) || c === Char.Underscore || c === Char.Dot || c === Char.Dollar;
const isSymbolPart = (c: number) => isSymbolStart(c) || isDigit(c);
const isSpace = (c: number) => c === Char.Space || (c >= Char.Tab && c <= 13);

const PUNCTUATION = new Set([',', '(', ')', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', ':', '=', ';', '@', '<', '>']);

const utf8 = new TextEncoder();

function token(kind: TokenKind, text: string, start: number, end: number, value = 0n, bytes?: Uint8Array): Token {
  return { kind, text, start, end, value, bytes };
}

/** True if `token` ends an operand, so that a `%` after it is the remainder operator. */
function endsOperand(token: Token | undefined): boolean {
  if (token === undefined) return false;
  return token.kind === 'punct' ? token.text === ')' : token.kind !== 'reloc';
}

/** Splits `line` into tokens, reporting malformed ones in `errors` and skipping them. */
export function lexLine(line: string, state: LexState, errors: LexError[]): Token[] {
  const tokens: Token[] = [];
  const length = line.length;
  let i = 0;
  while (i < length) {
    if (state.inBlockComment) {
      const close = line.indexOf('*/', i);
      if (close < 0) return tokens;
      state.inBlockComment = false;
      i = close + 2;
      continue;
    }
    const c = line.charCodeAt(i);
    if (isSpace(c)) {
      i++;
    } else if (c === Char.Hash) {
      break;
    } else if (c === Char.Slash && line.charCodeAt(i + 1) === Char.Star) {
      state.inBlockComment = true;
      state.commentColumn = i;
      i += 2;
    } else if (isSymbolStart(c)) {
      const start = i;
      while (i < length && isSymbolPart(line.charCodeAt(i))) i++;
      tokens.push(token('identifier', line.slice(start, i), start, i));
    } else if (isDigit(c)) {
      const start = i;
      while (i < length && (isSymbolPart(line.charCodeAt(i)) && line.charCodeAt(i) !== Char.Dot && line.charCodeAt(i) !== Char.Dollar)) i++;
      const text = line.slice(start, i);
      const local = isLocalReference(text);
      const parsed = local ? localLabelNumber(text) : line.charCodeAt(i) === Char.Colon && isDecimal(text) ? BigInt(text) : parseNumber(text);
      if (typeof parsed === 'string') errors.push({ message: parsed, start, end: i, severity: 'error' });
      else tokens.push(token(local ? 'localRef' : 'number', text, start, i, parsed));
    } else if (c === Char.Apostrophe) {
      i = lexCharacter(line, i, tokens, errors);
    } else if (c === Char.Quote) {
      const start = i;
      const bytes: number[] = [];
      let j = i + 1;
      let closed = false;
      while (j < length) {
        const d = line.charCodeAt(j);
        if (d === Char.Quote) {
          closed = true;
          j++;
          break;
        }
        if (d === Char.Backslash) {
          if (j + 1 >= length) break;
          j = decodeStringEscape(line, j, bytes);
        } else {
          j = appendUtf8(line, j, bytes);
        }
      }
      if (!closed) {
        errors.push({ message: 'unterminated string: missing closing `"`', start, end: length, severity: 'error' });
        return tokens;
      }
      i = j;
      tokens.push(token('string', line.slice(start, j), start, j, 0n, Uint8Array.from(bytes)));
    } else if (c === Char.Percent && i + 1 < length && isLetter(line.charCodeAt(i + 1)) && !endsOperand(tokens[tokens.length - 1])) {
      const start = i;
      i++;
      while (i < length && isSymbolPart(line.charCodeAt(i))) i++;
      tokens.push(token('reloc', line.slice(start + 1, i), start, i));
    } else {
      if ((c === Char.Less || c === Char.Greater) && line.charCodeAt(i + 1) === c) {
        tokens.push(token('punct', c === Char.Less ? '<<' : '>>', i, i + 2));
        i += 2;
      } else if (PUNCTUATION.has(line[i])) {
        tokens.push(token('punct', line[i], i, i + 1));
        i++;
      } else {
        const codePoint = line.codePointAt(i)!;
        const ch = String.fromCodePoint(codePoint);
        const shown = codePoint < 0x20 || codePoint === 0x7f ? `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}` : `\`${ch}\``;
        errors.push({ message: `unexpected character ${shown}`, start: i, end: i + ch.length, severity: 'error' });
        i += ch.length;
      }
    }
  }
  return tokens;
}

const MAX_U64 = (1n << 64n) - 1n;

function isDecimal(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (!isDigit(text.charCodeAt(i))) return false;
  return true;
}

/** A number's value, or an error message. */
function parseNumber(text: string): bigint | string {
  if (text.length < 16 && text.charCodeAt(0) !== Char.Zero && isDecimal(text)) return BigInt(text);
  let value: bigint | undefined;
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) value = BigInt(text);
  else if (/^0[bB][01]+$/.test(text)) value = BigInt(text);
  else if (/^0[0-7]*$/.test(text)) value = BigInt('0o' + (text.slice(1) || '0'));
  else if (/^[1-9]\d*$/.test(text)) value = BigInt(text);
  if (value === undefined) return `invalid number \`${text}\``;
  if (value > MAX_U64) return `number \`${text}\` does not fit in 64 bits`;
  return BigInt.asIntN(64, value);
}

/** `1f`, `2b`: a reference to a numeric local label. */
function isLocalReference(text: string): boolean {
  const last = text.charCodeAt(text.length - 1);
  return (last === 0x62 /* b */ || last === 0x66 /* f */) && isDecimal(text.slice(0, -1));
}

/**
 * The number of the label a local reference names, or an error message. GNU as reads the
 * digits as a number: `01b` is label 1, `010b` label 8.
 */
function localLabelNumber(text: string): bigint | string {
  const digits = text.slice(0, -1);
  if (digits.length > 1 && digits.startsWith('0') && !/^0[0-7]+$/.test(digits)) {
    return `invalid local label reference \`${text}\`: a leading 0 makes \`${digits}\` octal`;
  }
  return digits.startsWith('0') ? BigInt('0o' + digits) : BigInt(digits);
}

/** Appends the UTF-8 bytes of the character at `i`; returns the index after it. */
function appendUtf8(line: string, i: number, bytes: number[]): number {
  const ch = String.fromCodePoint(line.codePointAt(i)!);
  for (const byte of utf8.encode(ch)) bytes.push(byte);
  return i + ch.length;
}

const STRING_ESCAPES: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, v: 11 };

/**
 * Appends the byte of the string escape at `i` (a backslash followed by at least one
 * character) as GNU as reads it; returns the index after the escape.
 */
function decodeStringEscape(line: string, i: number, bytes: number[]): number {
  const e = line[i + 1];
  if (e in STRING_ESCAPES) {
    bytes.push(STRING_ESCAPES[e]);
    return i + 2;
  }
  if (e >= '0' && e <= '9') {
    let j = i + 1;
    let value = 0;
    while (j < i + 4 && line[j] >= '0' && line[j] <= '9') value = value * 8 + Number(line[j++]);
    bytes.push(value & 0xff);
    return j;
  }
  if (e === 'x' || e === 'X') {
    let j = i + 2;
    let value = 0;
    while (j < line.length && /[0-9a-fA-F]/.test(line[j])) value = (value * 16 + parseInt(line[j++], 16)) & 0xff;
    bytes.push(value);
    return j;
  }
  return appendUtf8(line, i + 1, bytes);
}

const CHARACTER_ESCAPES: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, '\\': 92, "'": 39, '"': 34 };

/** Lexes the character constant at `i` (an apostrophe); returns the index after it. */
function lexCharacter(line: string, i: number, tokens: Token[], errors: LexError[]): number {
  const start = i;
  const length = line.length;
  if (i + 1 >= length || (line.charCodeAt(i + 1) === Char.Backslash && i + 2 >= length)) {
    errors.push({ message: "missing character after `'`", start, end: length, severity: 'error' });
    return length;
  }
  let value: number;
  let next: number;
  let warning: string | undefined;
  if (line.charCodeAt(i + 1) === Char.Backslash) {
    const e = String.fromCodePoint(line.codePointAt(i + 2)!);
    next = i + 2 + e.length;
    value = CHARACTER_ESCAPES[e] ?? e.codePointAt(0)!;
    if (!(e in CHARACTER_ESCAPES)) {
      warning = `GNU as reads \`'\\${e}\` as the character \`${e}\` (${value}): character constants have only the escapes \\b \\f \\n \\r \\t \\\\ \\' \\"`;
    }
  } else {
    const ch = String.fromCodePoint(line.codePointAt(i + 1)!);
    value = ch.codePointAt(0)!;
    next = i + 1 + ch.length;
  }
  if (line.charCodeAt(next) === Char.Apostrophe) {
    next++;
  } else {
    // `'ab'`: characters up to a closing apostrophe, with nothing between that could end the operand.
    let j = next;
    while (j < length && (isSymbolPart(line.charCodeAt(j)) || line.charCodeAt(j) === Char.Backslash)) j++;
    if (j > next && line.charCodeAt(j) === Char.Apostrophe) {
      errors.push({
        message: `character constant \`${line.slice(start, j + 1)}\` has more than one character; use one character, or a string with .ascii`,
        start, end: j + 1, severity: 'error',
      });
      return j + 1;
    }
  }
  if (warning) errors.push({ message: warning, start, end: next, severity: 'warning' });
  tokens.push(token('char', line.slice(start, next), start, next, BigInt(value)));
  return next;
}
