/**
 * Assembler directives (GNU as manual, "Assembler Directives", and its RISC-V dependent
 * features). Directive names are case-insensitive.
 *
 * Sections: .text .data .rodata .bss .section   Symbols: .globl .global .local .equ .set .type .size
 * Data: .byte .half .short .2byte .word .long .4byte .dword .quad .8byte .ascii .asciz .string
 *       .zero .space .skip
 * Alignment: .align .p2align (2^n bytes, as on RISC-V) .balign (n bytes)
 * Location counter: `. = expression` (see setLocation)
 * Accepted and ignored: .file .ident .attribute; .option norvc relax norelax nopic push pop.
 * Rejected: .option rvc (no compressed instructions), pic, arch.
 *
 * Empty operands are errors, except where GNU as reads them: a missing value of a data
 * directive or of `.space` is 0 (with GNU's warning), and the operands of an alignment may be
 * left out (`.p2align 4,,8`).
 */

import { nearestName } from '../diagnostics.ts';
import { NOP } from '../encoding.ts';
import { MAX_SECTION_SIZE, type Assembly, type SectionBuffer, type SectionName, type SymbolType } from './context.ts';
import type { Expression } from './expressions.ts';
import type { Token } from './lexer.ts';
import { emptyOperandSpan, reportEmptyOperand, type Statement } from './statements.ts';

type Handler = (asm: Assembly, statement: Statement, name: Token) => void;

interface Directive {
  /** Operands, as shown when their number is wrong. */
  usage: string;
  min: number;
  /** Most operands; Infinity for lists. */
  max: number;
  /** The handler reads empty operands itself (otherwise they are errors). */
  emptyOperands?: boolean;
  handle: Handler;
}

function switchSection(asm: Assembly, name: SectionName): void {
  asm.section = asm.sections.get(name)!;
}

/**
 * The value of an operand that must be known now (sizes, alignments); undefined after an error.
 * An empty operand is 0 with GNU's warning.
 */
function constantNow(asm: Assembly, statement: Statement, index: number, directive: string): bigint | undefined {
  const tokens = statement.operands[index];
  if (tokens.length === 0) {
    warnMissing(asm, statement, index);
    return 0n;
  }
  const expression = asm.parseExpression(tokens, tokens[tokens.length - 1].end);
  if (!expression) return undefined;
  const result = asm.evaluateNow(expression);
  if (result.kind === 'error') asm.error(result.start, result.end, result.message);
  else if (result.kind === 'undefined') asm.error(result.start, result.end, `${directive} needs a constant, but \`${result.written}\` is not defined before this line`);
  else if (result.kind !== 'value' || result.section !== null) asm.error(expression.start, expression.end, `${directive} needs a constant, not an address`);
  else return result.value;
  return undefined;
}

function warnMissing(asm: Assembly, statement: Statement, index: number): void {
  const { start, end } = emptyOperandSpan(statement, index);
  asm.warning(start, end, 'missing value: zero assumed, as GNU as does');
}

/** A single symbol name operand; undefined (after reporting) otherwise. */
function symbolName(asm: Assembly, tokens: readonly Token[], directive: string): Token | undefined {
  if (tokens.length === 1 && tokens[0].kind === 'identifier' && tokens[0].text !== '.') return tokens[0];
  asm.error(tokens[0].start, tokens[tokens.length - 1].end, `${directive} expects a symbol name here`);
  return undefined;
}

function growCheck(asm: Assembly, count: bigint, token: Token): number | undefined {
  if (count < 0n) {
    asm.error(token.start, token.end, `${token.text} needs a size of at least 0, found ${count}`);
    return undefined;
  }
  if (BigInt(asm.section.size) + count > BigInt(MAX_SECTION_SIZE)) {
    asm.error(token.start, token.end, `section ${asm.section.name} would grow past 64 MiB, the largest RAM`);
    return undefined;
  }
  return Number(count);
}

function rejectInBss(asm: Assembly, name: Token): boolean {
  if (asm.section.name !== '.bss') return false;
  asm.error(name.start, name.end, `${name.text} puts data in .bss, which holds only zeros; use .zero or .space, or switch to .data`);
  return true;
}

/**
 * The bits `value` is truncated to when stored in `size` bytes, if it does not fit: like GNU as,
 * a value fits when its magnitude is below 2^(8·size), so `.byte -255` fits and `.byte -256`
 * does not.
 */
export function truncation(value: bigint, size: number): bigint | undefined {
  if (size >= 8) return undefined;
  const limit = 1n << BigInt(8 * size);
  return value < limit && value > -limit ? undefined : BigInt.asUintN(8 * size, value);
}

export function truncationWarning(value: bigint, truncated: bigint, directive: string): string {
  return `value ${value} does not fit in ${directive}: truncated to 0x${truncated.toString(16)}`;
}

function dataDirective(size: 1 | 2 | 4 | 8): Handler {
  return (asm, statement, name) => {
    if (rejectInBss(asm, name)) return;
    const directive = name.text.toLowerCase();
    statement.operands.forEach((tokens, index) => {
      if (tokens.length === 0) {
        warnMissing(asm, statement, index);
        asm.section.fill(size, 0);
        return;
      }
      if (tokens.length === 1 && tokens[0].kind === 'string') {
        asm.error(tokens[0].start, tokens[0].end, `${directive} takes numbers, not a string (GNU as rejects it too): use .ascii for a string, or a character constant such as 'a'`);
        asm.section.fill(size, 0);
        return;
      }
      const expression = asm.parseExpression(tokens, tokens[tokens.length - 1].end);
      const here = asm.here();
      const result = expression ? asm.evaluateNow(expression, here) : undefined;
      if (expression && result?.kind === 'value' && result.section === null) {
        const truncated = truncation(result.value, size);
        if (truncated !== undefined) asm.warning(expression.start, expression.end, truncationWarning(result.value, truncated, directive));
        asm.section.appendLittleEndian(result.value, size);
        return;
      }
      if (expression && result?.kind === 'error') asm.error(result.start, result.end, result.message);
      else if (expression) asm.addFixup(expression, { kind: 'data', size, directive }, here);
      asm.section.fill(size, 0);
    });
  };
}

function stringDirective(terminate: boolean): Handler {
  return (asm, statement, name) => {
    if (rejectInBss(asm, name)) return;
    for (const tokens of statement.operands) {
      const token = tokens[0];
      if (tokens.length !== 1 || token.kind !== 'string') {
        asm.error(token.start, tokens[tokens.length - 1].end, `${name.text} expects a string in double quotes`);
        continue;
      }
      asm.section.append(token.bytes!);
      if (terminate) asm.section.fill(1, 0);
    }
  };
}

function zeroDirective(withFill: boolean): Handler {
  return (asm, statement, name) => {
    const count = constantNow(asm, statement, 0, name.text);
    if (count === undefined) return;
    const size = growCheck(asm, count, name);
    if (size === undefined) return;
    let fill = 0n;
    if (withFill && statement.operands[1]) {
      const value = constantNow(asm, statement, 1, name.text);
      if (value === undefined) return;
      fill = value;
    }
    if (asm.section.name === '.bss' && (fill & 0xffn) !== 0n) {
      rejectInBss(asm, name);
      return;
    }
    asm.section.fill(size, Number(fill & 0xffn));
  };
}

/**
 * `.align`/`.p2align` (power of two) or `.balign` (bytes): `[n[, [fill][, max-skip]]]`, read as
 * GNU as reads it: no or an empty `n` aligns to 1; an empty fill before a max-skip is the
 * default fill (NOPs in .text, zeros elsewhere), but a trailing comma (`.p2align 4,`) reads an
 * empty fill as 0; a max-skip that is empty or not positive sets no limit. The section's
 * alignment is raised even when max-skip skips the padding. In .text, aligning to 4 bytes or
 * less with the default fill pads nothing (GNU as's riscv_frag_align_code: code is taken to
 * be aligned to its instruction size already).
 */
function alignDirective(powerOfTwo: boolean): Handler {
  return (asm, statement, name) => {
    const [amountTokens, fillTokens, maxTokens] = statement.operands;
    const amount = amountTokens && amountTokens.length > 0 ? constantNow(asm, statement, 0, name.text) : powerOfTwo ? 0n : 1n;
    if (amount === undefined) return;
    let alignment: number;
    const badAmount = (message: string) => asm.error(amountTokens[0].start, amountTokens[amountTokens.length - 1].end, message);
    if (powerOfTwo) {
      if (amount < 0n || amount > 16n) {
        badAmount(`${name.text} ${amount} is out of range: the alignment must be 2^0 to 2^16 bytes`);
        return;
      }
      alignment = 2 ** Number(amount);
    } else {
      if (amount < 1n || amount > 65536n || (amount & (amount - 1n)) !== 0n) {
        badAmount(`${name.text} needs a power of two from 1 to 65536, found ${amount}`);
        return;
      }
      alignment = Number(amount);
    }
    const defaultFill = fillTokens === undefined || (fillTokens.length === 0 && maxTokens !== undefined);
    const fill = defaultFill ? undefined : fillTokens.length === 0 ? 0n : constantNow(asm, statement, 1, name.text);
    if (!defaultFill && fill === undefined) return;
    const maxSkip = maxTokens && maxTokens.length > 0 ? constantNow(asm, statement, 2, name.text) : undefined;
    if (maxTokens && maxTokens.length > 0 && maxSkip === undefined) return;
    const section = asm.section;
    section.alignment = Math.max(section.alignment, alignment);
    if (section.name === '.text' && fill === undefined && alignment <= 4) return;
    const offset = section.size;
    let padding = (alignment - (offset % alignment)) % alignment;
    const limit = maxSkip !== undefined && maxSkip > 0n ? Number(maxSkip < 65536n ? maxSkip : 65536n) : undefined;
    if (limit !== undefined && padding > limit) padding = 0;
    section.layout.push({ kind: 'align', offset, alignment, maxSkip: limit, padding });
    if (section.name === '.text' && fill === undefined) padCode(section, padding);
    else if (section.name === '.bss' && fill !== undefined && (fill & 0xffn) !== 0n) rejectInBss(asm, name);
    else section.fill(padding, Number((fill ?? 0n) & 0xffn));
  };
}

/**
 * `. = expression`: moves the location counter forward in the current section, filling with
 * zeros (in .text too), as GNU as does. An absolute value is an offset in the section.
 */
export function setLocation(asm: Assembly, expression: Expression, name: Token): void {
  const result = asm.evaluateNow(expression);
  const section = asm.section;
  if (result.kind === 'error') {
    asm.error(result.start, result.end, result.message);
  } else if (result.kind === 'undefined') {
    asm.error(result.start, result.end, `\`. =\` needs a value known here, but \`${result.written}\` is not defined before this line`);
  } else if (result.kind !== 'value' || (result.section !== null && result.section !== section.name)) {
    asm.error(expression.start, expression.end, `\`. =\` can only move the location counter within the current section, ${section.name}`);
  } else if (result.value < BigInt(section.size)) {
    asm.error(expression.start, expression.end, `\`. =\` cannot move the location counter backwards, from offset ${section.size} to ${result.value} of ${section.name}`);
  } else {
    const count = growCheck(asm, result.value - BigInt(section.size), name);
    if (count !== undefined) section.fill(count, 0);
  }
}

/**
 * Code padding as GNU as writes it: a zero byte to reach an even offset, the 2-byte 0x0001 to
 * reach a multiple of 4, then NOPs.
 */
export function padCode(section: SectionBuffer, count: number): void {
  let remaining = count;
  if (remaining > 0 && section.size % 2 !== 0) {
    section.fill(1, 0);
    remaining--;
  }
  if (remaining >= 2 && section.size % 4 === 2) {
    section.append([0x01, 0x00]);
    remaining -= 2;
  }
  for (; remaining >= 4; remaining -= 4) section.appendWord(NOP);
  section.fill(remaining, 0);
}

/** Where `.section NAME[, "flags"[, @type]]` puts its content. */
function sectionFor(name: string, flags: string | undefined, nobits: boolean): SectionName | 'discard' | undefined {
  if (name === '.text' || name.startsWith('.text.')) return '.text';
  if (name === '.rodata' || name.startsWith('.rodata.') || name.startsWith('.srodata')) return '.rodata';
  if (name === '.data' || name.startsWith('.data.') || name.startsWith('.sdata')) return '.data';
  if (name === '.bss' || name.startsWith('.bss.') || name.startsWith('.sbss')) return '.bss';
  if (flags === undefined) return undefined;
  if (flags.includes('x')) return '.text';
  if (flags.includes('w')) return nobits ? '.bss' : '.data';
  if (flags.includes('a')) return '.rodata';
  return 'discard';
}

const sectionHandler: Handler = (asm, statement, name) => {
  const [nameTokens, flagTokens, typeTokens] = statement.operands;
  const first = nameTokens[0];
  // Section names may contain characters that are not symbol characters (`.note.GNU-stack`).
  const written = asm.textOf({ start: first.start, end: nameTokens[nameTokens.length - 1].end });
  let sectionName: string | undefined;
  if (nameTokens.length === 1 && first.kind === 'string') sectionName = new TextDecoder().decode(first.bytes);
  else if (first.kind === 'identifier' && /^[^\s"]+$/.test(written)) sectionName = written;
  if (sectionName === undefined) {
    asm.error(first.start, nameTokens[nameTokens.length - 1].end, `${name.text} expects a section name such as .data`);
    return;
  }
  let flags: string | undefined;
  if (flagTokens) {
    if (flagTokens.length !== 1 || flagTokens[0].kind !== 'string') {
      asm.error(flagTokens[0].start, flagTokens[flagTokens.length - 1].end, `section flags must be a string such as "aw"`);
      return;
    }
    flags = new TextDecoder().decode(flagTokens[0].bytes);
  }
  const typeName = typeTokens?.find((token) => token.kind === 'identifier' || token.kind === 'reloc')?.text;
  const target = sectionFor(sectionName, flags, typeName === 'nobits');
  if (target === undefined) {
    asm.error(first.start, first.end, `unknown section \`${sectionName}\`: use .text, .data, .rodata or .bss, or give its flags, e.g. .section ${sectionName},"aw"`);
  } else if (target === 'discard') {
    asm.section = asm.discarded;
  } else {
    switchSection(asm, target);
  }
};

const SYMBOL_TYPES: Record<string, SymbolType> = {
  function: 'function', stt_func: 'function', object: 'object', stt_object: 'object', notype: 'notype', stt_notype: 'notype',
};

const typeHandler: Handler = (asm, statement, name) => {
  const symbol = symbolName(asm, statement.operands[0], name.text);
  const tokens = statement.operands[1];
  const word = tokens.find((token) => token.kind === 'identifier' || token.kind === 'reloc' || token.kind === 'string');
  const text = word?.kind === 'string' ? new TextDecoder().decode(word.bytes) : word?.text;
  const type = text === undefined ? undefined : SYMBOL_TYPES[text.toLowerCase()];
  if (type === undefined) {
    asm.error(tokens[0].start, tokens[tokens.length - 1].end, `unknown symbol type: use @function, @object or @notype`);
    return;
  }
  if (symbol) asm.attributesOf(symbol.text).type = type;
};

const sizeHandler: Handler = (asm, statement, name) => {
  const symbol = symbolName(asm, statement.operands[0], name.text);
  const tokens = statement.operands[1];
  const expression = asm.parseExpression(tokens, tokens[tokens.length - 1].end);
  if (symbol && expression) asm.attributesOf(symbol.text).size = { expression, here: asm.here(), line: asm.line };
};

const OPTIONS = ['rvc', 'norvc', 'relax', 'norelax', 'pic', 'nopic', 'push', 'pop', 'arch'];

const optionHandler: Handler = (asm, statement) => {
  const tokens = statement.operands[0];
  const token = tokens[0];
  const option = tokens.length === 1 && token.kind === 'identifier' ? token.text : undefined;
  const at = (message: string) => asm.error(token.start, tokens[tokens.length - 1].end, message);
  switch (option) {
    case 'norvc':
    case 'relax':
    case 'norelax':
    case 'nopic':
      return;
    case 'push':
      asm.optionDepth++;
      return;
    case 'pop':
      if (asm.optionDepth === 0) at('`.option pop` without a matching `.option push`');
      else asm.optionDepth--;
      return;
    case 'rvc':
      return at('compressed instructions are not supported: Lockstep Lab runs RV32IM without the C extension, so `.option rvc` cannot be used');
    case 'pic':
      return at('`.option pic` is not supported: programs are linked at fixed addresses; use `.option nopic`');
    case 'arch':
      return at('`.option arch` is not supported: the architecture is fixed to rv32im_zicsr');
    default: {
      const suggestion = option === undefined ? undefined : nearestName(option, OPTIONS);
      const hint = suggestion ? `; did you mean \`${suggestion}\`?` : '';
      return at(`unknown .option \`${asm.lines[asm.line - 1].slice(token.start, tokens[tokens.length - 1].end)}\`: expected rvc, norvc, relax, norelax, pic, nopic, push or pop${hint}`);
    }
  }
};

const bindingHandler = (global: boolean): Handler => (asm, statement, name) => {
  for (const tokens of statement.operands) {
    const symbol = symbolName(asm, tokens, name.text);
    if (symbol) asm.attributesOf(symbol.text).global = global;
  }
};

const equHandler: Handler = (asm, statement, name) => {
  const symbol = symbolName(asm, statement.operands[0], name.text);
  const tokens = statement.operands[1];
  const expression = asm.parseExpression(tokens, tokens[tokens.length - 1].end);
  if (symbol && expression) asm.defineConstant(symbol, expression);
};

const ignored: Handler = () => undefined;

const section = (target: SectionName): Directive => ({ usage: '', min: 0, max: 0, handle: (asm) => switchSection(asm, target) });
const list = (usage: string, handle: Handler): Directive => ({ usage, min: 1, max: Infinity, handle });
const data = (usage: string, handle: Handler): Directive => ({ usage, min: 0, max: Infinity, emptyOperands: true, handle });

const DIRECTIVES: Record<string, Directive> = {
  '.text': section('.text'),
  '.data': section('.data'),
  '.rodata': section('.rodata'),
  '.bss': section('.bss'),
  '.section': { usage: 'name[, "flags"[, @type]]', min: 1, max: 3, handle: sectionHandler },
  '.globl': list('symbol[, symbol...]', bindingHandler(true)),
  '.global': list('symbol[, symbol...]', bindingHandler(true)),
  '.local': list('symbol[, symbol...]', bindingHandler(false)),
  '.equ': { usage: 'name, value', min: 2, max: 2, handle: equHandler },
  '.set': { usage: 'name, value', min: 2, max: 2, handle: equHandler },
  '.type': { usage: 'symbol, @function', min: 2, max: 2, handle: typeHandler },
  '.size': { usage: 'symbol, size', min: 2, max: 2, handle: sizeHandler },
  '.byte': data('value[, value...]', dataDirective(1)),
  '.half': data('value[, value...]', dataDirective(2)),
  '.short': data('value[, value...]', dataDirective(2)),
  '.2byte': data('value[, value...]', dataDirective(2)),
  '.word': data('value[, value...]', dataDirective(4)),
  '.long': data('value[, value...]', dataDirective(4)),
  '.4byte': data('value[, value...]', dataDirective(4)),
  '.dword': data('value[, value...]', dataDirective(8)),
  '.quad': data('value[, value...]', dataDirective(8)),
  '.8byte': data('value[, value...]', dataDirective(8)),
  '.ascii': list('"string"[, "string"...]', stringDirective(false)),
  '.asciz': list('"string"[, "string"...]', stringDirective(true)),
  '.string': list('"string"[, "string"...]', stringDirective(true)),
  '.zero': { usage: 'size', min: 1, max: 1, emptyOperands: true, handle: zeroDirective(false) },
  '.space': { usage: 'size[, fill]', min: 1, max: 2, emptyOperands: true, handle: zeroDirective(true) },
  '.skip': { usage: 'size[, fill]', min: 1, max: 2, emptyOperands: true, handle: zeroDirective(true) },
  '.align': { usage: 'power[, fill[, max-skip]]', min: 0, max: 3, emptyOperands: true, handle: alignDirective(true) },
  '.p2align': { usage: 'power[, fill[, max-skip]]', min: 0, max: 3, emptyOperands: true, handle: alignDirective(true) },
  '.balign': { usage: 'bytes[, fill[, max-skip]]', min: 0, max: 3, emptyOperands: true, handle: alignDirective(false) },
  '.option': { usage: 'rvc|norvc|relax|norelax|pic|nopic|push|pop', min: 1, max: 1, handle: optionHandler },
  '.file': { usage: '"name"', min: 0, max: 2, handle: ignored },
  '.ident': { usage: '"string"', min: 1, max: 1, handle: ignored },
  '.attribute': { usage: 'tag, value', min: 2, max: 2, handle: ignored },
};

const DIRECTIVE_NAMES = Object.keys(DIRECTIVES);

export function assembleDirective(asm: Assembly, statement: Statement, name: Token): void {
  const key = name.text.toLowerCase();
  const directive = DIRECTIVES[key];
  if (!directive) {
    const suggestion = nearestName(key, DIRECTIVE_NAMES);
    asm.error(name.start, name.end, `unknown directive \`${name.text}\`${suggestion ? `; did you mean \`${suggestion}\`?` : ''}`);
    return;
  }
  const count = statement.operands.length;
  if (count < directive.min || count > directive.max) {
    const expected = directive.usage === '' ? `\`${key}\` with no operands` : `\`${key} ${directive.usage}\``;
    if (count < directive.min) {
      asm.error(statement.end, statement.end + 1, `missing operand for ${key}: expected ${expected}`);
    } else {
      const extra = statement.operands[directive.max][0] ?? statement.separators[directive.max] ?? statement.separators[directive.max - 1];
      asm.error(extra.start, statement.end, `too many operands for ${key}: expected ${expected}`);
    }
    return;
  }
  if (!directive.emptyOperands && reportEmptyOperand(asm, statement)) return;
  directive.handle(asm, statement, name);
}
