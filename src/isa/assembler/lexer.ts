/**
 * Tokens of one source line, in GNU as syntax: `#` starts a comment to the end of the line,
 * `/* … *\/` comments may span lines, `;` separates statements.
 *
 * Numbers are decimal, `0x` hex, `0b` binary or `0`-prefixed octal; `1f`/`1b` refer to numeric
 * local labels; `'c'` (or GNU's `'c`) is a character constant; strings take the escapes
 * \b \f \n \r \t \\ \" \' \NNN (octal) and \xHH.
 */

export type TokenKind = 'identifier' | 'number' | 'localRef' | 'char' | 'string' | 'reloc' | 'punct';

export interface Token {
  kind: TokenKind;
  /** The token as written (for `reloc`, the name after `%`). */
  text: string;
  /** Columns [start, end) in the line, 0-based. */
  start: number;
  end: number;
  /** Value of a number or character constant, as a 64-bit two's-complement integer. */
  value: bigint;
  /** Bytes of a string (escapes resolved, UTF-8). */
  bytes: Uint8Array | undefined;
}

export interface LexError {
  message: string;
  start: number;
  end: number;
}

/** Carries an open `/*` comment from one line to the next. */
export interface LexState {
  inBlockComment: boolean;
  /** Column of the `/*` that opened the comment, on the line that opened it. */
  commentColumn: number;
}

const enum Char {
  Tab = 9, Space = 32, Quote = 34, Hash = 35, Dollar = 36, Percent = 37, Apostrophe = 39,
  Star = 42, Dot = 46, Slash = 47, Zero = 48, Nine = 57, Less = 60, Greater = 62,
  Backslash = 92, Underscore = 95,
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
      const parsed = parseNumber(text);
      if (parsed === 'local') tokens.push(token('localRef', text, start, i));
      else if (typeof parsed === 'string') errors.push({ message: parsed, start, end: i });
      else tokens.push(token('number', text, start, i, parsed));
    } else if (c === Char.Apostrophe) {
      const start = i;
      if (i + 1 >= length) {
        errors.push({ message: 'missing character after `\'`', start, end: i + 1 });
        break;
      }
      const decoded = decodeCharacter(line, i + 1);
      if (typeof decoded === 'string') {
        errors.push({ message: decoded, start, end: Math.min(length, i + 3) });
        i += 2;
        continue;
      }
      i = decoded.next;
      if (line.charCodeAt(i) === Char.Apostrophe) i++;
      tokens.push(token('char', line.slice(start, i), start, i, BigInt(decoded.value)));
    } else if (c === Char.Quote) {
      const start = i;
      const bytes: number[] = [];
      let j = i + 1;
      let closed = false;
      let failed = false;
      while (j < length) {
        const d = line.charCodeAt(j);
        if (d === Char.Quote) {
          closed = true;
          j++;
          break;
        }
        if (d === Char.Backslash) {
          const decoded = decodeCharacter(line, j);
          if (typeof decoded === 'string') {
            errors.push({ message: decoded, start: j, end: Math.min(length, j + 2) });
            failed = true;
            j += 2;
            continue;
          }
          bytes.push(decoded.value & 0xff);
          j = decoded.next;
        } else {
          const codePoint = line.codePointAt(j)!;
          const ch = String.fromCodePoint(codePoint);
          bytes.push(...utf8.encode(ch));
          j += ch.length;
        }
      }
      if (!closed) {
        errors.push({ message: 'unterminated string: missing closing `"`', start, end: length });
        return tokens;
      }
      i = j;
      if (!failed) tokens.push(token('string', line.slice(start, j), start, j, 0n, Uint8Array.from(bytes)));
    } else if (c === Char.Percent && i + 1 < length && isLetter(line.charCodeAt(i + 1))) {
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
        errors.push({ message: `unexpected character ${shown}`, start: i, end: i + ch.length });
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

/** A number's value, 'local' for a local-label reference (`1f`, `2b`), or an error message. */
function parseNumber(text: string): bigint | 'local' | string {
  if (text.length < 16 && text.charCodeAt(0) !== Char.Zero && isDecimal(text)) return BigInt(text);
  let value: bigint | undefined;
  if (/^\d+[fb]$/.test(text)) return 'local';
  if (/^0[xX][0-9a-fA-F]+$/.test(text)) value = BigInt(text);
  else if (/^0[bB][01]+$/.test(text)) value = BigInt(text);
  else if (/^0[0-7]*$/.test(text)) value = BigInt('0o' + (text.slice(1) || '0'));
  else if (/^[1-9]\d*$/.test(text)) value = BigInt(text);
  if (value === undefined) return `invalid number \`${text}\``;
  if (value > MAX_U64) return `number \`${text}\` does not fit in 64 bits`;
  return BigInt.asIntN(64, value);
}

const SIMPLE_ESCAPES: Record<string, number> = { b: 8, f: 12, n: 10, r: 13, t: 9, '\\': 92, '"': 34, "'": 39 };

/** Decodes the character (or backslash escape) at `i`: its value and the index after it. */
function decodeCharacter(line: string, i: number): { value: number; next: number } | string {
  if (line.charCodeAt(i) !== Char.Backslash) {
    const codePoint = line.codePointAt(i)!;
    return { value: codePoint, next: i + String.fromCodePoint(codePoint).length };
  }
  const e = line[i + 1];
  if (e === undefined) return 'incomplete escape sequence at the end of the line';
  if (e in SIMPLE_ESCAPES) return { value: SIMPLE_ESCAPES[e], next: i + 2 };
  if (e >= '0' && e <= '7') {
    let j = i + 1;
    let value = 0;
    while (j < i + 4 && line[j] >= '0' && line[j] <= '7') value = value * 8 + Number(line[j++]);
    return { value: value & 0xff, next: j };
  }
  if (e === 'x' || e === 'X') {
    let j = i + 2;
    let value = 0;
    while (j < line.length && /[0-9a-fA-F]/.test(line[j])) value = (value * 16 + parseInt(line[j++], 16)) & 0xff;
    if (j === i + 2) return 'escape `\\x` needs hexadecimal digits';
    return { value, next: j };
  }
  return `unknown escape sequence \`\\${e}\``;
}
