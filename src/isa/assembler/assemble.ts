/**
 * The assembler: GNU-as-compatible RV32IM + Zicsr source in, placed sections, symbols, a source
 * map and a loadable Program out — or diagnostics, never an exception.
 *
 * A pass over the source (context.ts) lays out the sections; passes repeat while a conditional
 * branch must be lengthened to reach its target (relax.ts), and the last one is the result.
 *
 * Section placement (all addresses are guest addresses):
 *   .text    at `textBase` (default 0x8000_0000, the start of RAM), padded with NOPs to its
 *            alignment (4, or its largest `.align`), as GNU as does;
 *   .rodata  after .text, at the next 16-byte boundary (or its own alignment, if larger);
 *   .data    at `dataBase` (default: the first 4 KiB page boundary after .text/.rodata, so code
 *            and data get separate pages and separate ELF segments);
 *   .bss     after .data, at the next 16-byte boundary (or its own alignment, if larger).
 * Sections that share a 4 KiB page form one segment of the Program (one ELF PT_LOAD).
 */

import type { Diagnostic } from '../diagnostics.ts';
import { FIELDS } from '../encoding.ts';
import type { Program, Segment, SourceLocation } from '../program.ts';
import {
  Assembly, DISCARDED, isExportedName, SECTION_NAMES,
  type FixupTarget, type SectionBuffer, type SectionName, type SymbolType,
} from './context.ts';
import { assembleDirective, padCode, setLocation, truncation, truncationWarning } from './directives.ts';
import { assembleInstruction } from './instructions.ts';
import { lexLine, type LexError, type LexState } from './lexer.ts';
import { farBranchError, fieldError } from './emit.ts';
import type { Expression } from './expressions.ts';
import { branchLengths } from './relax.ts';
import { parseStatements } from './statements.ts';

export interface AssemblyOptions {
  /** Name used in diagnostics and the source map (default `<input>`). */
  file?: string;
  /** Address of .text (default 0x8000_0000). */
  textBase?: number;
  /** Address of .data (default: the page after .text and .rodata). */
  dataBase?: number;
}

export interface AssembledSection {
  name: SectionName;
  address: number;
  /** Bytes the section occupies in memory (for .bss, the zeros it reserves). */
  size: number;
  /** Contents; empty for .bss. */
  bytes: Uint8Array;
  /** Alignment in bytes (ELF sh_addralign). */
  alignment: number;
}

export interface AssembledSymbol {
  name: string;
  address: number;
  section: SectionName;
  global: boolean;
  type: SymbolType;
  /** From `.size`; 0 when not given. */
  size: number;
}

export interface AssemblyResult {
  /** True when there are no errors (warnings allowed). */
  ok: boolean;
  /** Errors and warnings, in source order. */
  diagnostics: Diagnostic[];
  /** .text and .data always, .rodata and .bss when they hold anything; placed even with errors. */
  sections: AssembledSection[];
  /** Labels in the symbol table (not `.L…` or numeric local labels), in definition order. */
  symbols: AssembledSymbol[];
  /** `_start` if defined, else the start of .text. */
  entry: number;
  /** Address of every instruction → where it was written. */
  sourceMap: Map<number, SourceLocation>;
  /** The loadable program; undefined when there are errors. */
  program: Program | undefined;
}

export const DEFAULT_TEXT_BASE = 0x80000000;
/** Passes in which a branch may also get shorter (relax.ts); later passes only lengthen. */
const FREE_PASSES = 4;
const PAGE = 0x1000;
const SECTION_ALIGNMENT = 16;

export function assemble(source: string, options: AssemblyOptions = {}): AssemblyResult {
  const file = options.file ?? '<input>';
  const lines = source.split(/\r\n|\n|\r/);
  let asm = new Assembly(file, lines);
  try {
    for (let pass = 1; ; pass++) {
      assembleLines(asm);
      const placement = place(asm, options);
      let long = branchLengths(asm, placement.bases);
      // Past FREE_PASSES, branches only grow, so that the passes end.
      if (long && pass > FREE_PASSES) long = new Set([...asm.longBranches, ...long]);
      if (!long || long.size === asm.longBranches.size && [...long].every((ordinal) => asm.longBranches.has(ordinal))) {
        return finish(asm, placement);
      }
      asm = new Assembly(file, lines, long);
    }
  } catch (error) {
    // A bug in the assembler must still come back as a diagnostic, not an exception.
    asm.report('error', 0, 0, 0, `internal assembler error (please report it): ${error instanceof Error ? error.message : String(error)}`);
    return { ok: false, diagnostics: asm.diagnostics, sections: [], symbols: [], entry: 0, sourceMap: new Map(), program: undefined };
  }
}

function assembleLines(asm: Assembly): void {
  const state: LexState = { inBlockComment: false, commentColumn: 0 };
  let commentLine = 0;
  const problems: LexError[] = [];
  for (let index = 0; index < asm.lines.length; index++) {
    asm.line = index + 1;
    problems.length = 0;
    const wasInComment = state.inBlockComment;
    const tokens = lexLine(asm.lines[index], state, problems);
    if (state.inBlockComment && !wasInComment) commentLine = asm.line;
    // After a malformed token or statement, only the line's labels are kept: its statements
    // would only produce follow-on errors.
    const statements = parseStatements(tokens, hasError(problems) ? [] : problems);
    for (const problem of problems) asm.report(problem.severity, asm.line, problem.start, problem.end, problem.message);
    const skip = hasError(problems);
    for (const statement of statements) {
      for (const label of statement.labels) asm.defineLabel(label);
      if (skip) continue;
      if (statement.assignment) {
        const { name, value } = statement.assignment;
        const expression = asm.parseExpression(value, statement.end);
        if (expression && name.text === '.') setLocation(asm, expression, name);
        else if (expression) asm.defineConstant(name, expression);
      } else if (statement.operation) {
        if (statement.operation.text.startsWith('.')) assembleDirective(asm, statement, statement.operation);
        else assembleInstruction(asm, statement, statement.operation);
      }
    }
  }
  if (state.inBlockComment) asm.report('error', commentLine, state.commentColumn, state.commentColumn + 2, 'unterminated comment: missing `*/`');
}

const hasError = (errors: readonly LexError[]) => errors.length > 0 && errors.some((error) => error.severity === 'error');

const alignUp = (value: number, alignment: number) => Math.ceil(value / alignment) * alignment;
const hex = (value: number) => `0x${value.toString(16)}`;

function validBase(asm: Assembly, value: number | undefined, what: string): number | undefined {
  if (value === undefined) return undefined;
  if (Number.isInteger(value) && value >= 0 && value < 2 ** 32) return value;
  asm.report('error', 0, 0, 0, `invalid ${what} ${value}: it must be a 32-bit address such as 0x80000000`);
  return undefined;
}

interface Placement {
  address: Map<SectionName, number>;
  /** Section name (including the discarded section's) → address, for evaluation. */
  bases: Map<string, bigint>;
}

/** Pads .text to its alignment and places the sections. */
function place(asm: Assembly, options: AssemblyOptions): Placement {
  const buffer = (name: SectionName) => asm.sections.get(name)!;
  const text = buffer('.text');
  padCode(text, (text.alignment - (text.size % text.alignment)) % text.alignment);

  // Placement.
  const textBase = validBase(asm, options.textBase, 'text base') ?? DEFAULT_TEXT_BASE;
  const dataBase = validBase(asm, options.dataBase, 'data base');
  const rodata = buffer('.rodata');
  const data = buffer('.data');
  const bss = buffer('.bss');
  const address = new Map<SectionName, number>();
  address.set('.text', textBase);
  address.set('.rodata', alignUp(textBase + text.size, Math.max(SECTION_ALIGNMENT, rodata.alignment)));
  const codeEnd = rodata.size > 0 ? address.get('.rodata')! + rodata.size : textBase + text.size;
  address.set('.data', dataBase ?? alignUp(codeEnd, PAGE));
  const dataEnd = address.get('.data')! + data.size;
  address.set('.bss', alignUp(dataEnd, data.size > 0 ? Math.max(SECTION_ALIGNMENT, bss.alignment) : bss.alignment));
  const bases = new Map<string, bigint>([[DISCARDED, 0n]]);
  for (const [name, value] of address) bases.set(name, BigInt(value));
  return { address, bases };
}

function finish(asm: Assembly, { address, bases }: Placement): AssemblyResult {
  const buffer = (name: SectionName) => asm.sections.get(name)!;
  const textBase = address.get('.text')!;
  const present = SECTION_NAMES.filter((name) => name === '.text' || name === '.data' || buffer(name).size > 0);
  checkPlacement(asm, present.map((name) => ({ name, address: address.get(name)!, size: buffer(name).size, alignment: buffer(name).alignment })));
  resolveFixups(asm, bases);

  const symbols = collectSymbols(asm, bases);
  const startSymbol = asm.symbols.get('_start');
  let entry = textBase;
  if (startSymbol) {
    const start: Expression = { kind: 'symbol', name: '_start', written: '_start', version: asm.scope.definitions('_start'), start: 0, end: 0 };
    const value = asm.evaluatePlaced(start, asm.here(), bases);
    if (value.kind === 'value') entry = Number(BigInt.asUintN(32, value.value));
  }

  const sourceMap = new Map<number, SourceLocation>();
  for (const name of SECTION_NAMES) {
    const section = buffer(name);
    const base = address.get(name)!;
    section.instructionOffsets.forEach((offset, i) => sourceMap.set(base + offset, { file: asm.file, line: section.instructionLines[i] }));
  }

  const sections = present.map((name): AssembledSection => ({
    name,
    address: address.get(name)!,
    size: buffer(name).size,
    bytes: buffer(name).bytes.slice(),
    alignment: buffer(name).alignment,
  }));

  asm.diagnostics.sort((a, b) => (a.line || Infinity) - (b.line || Infinity) || a.column - b.column);
  const ok = !asm.diagnostics.some((diagnostic) => diagnostic.severity === 'error');
  const program: Program | undefined = ok
    ? { entry, segments: segmentsOf(sections), symbols: new Map(symbols.map((symbol) => [symbol.name, symbol.address])), sourceMap }
    : undefined;
  return { ok, diagnostics: asm.diagnostics, sections, symbols, entry, sourceMap, program };
}

/**
 * Why an assembled program cannot run, or undefined if it can: with no code in .text (an
 * empty file, or one with only data) the entry point is whatever is placed at .text's
 * address — .data, when .text is empty — unless `_start` names code in another section.
 * Assembling such a source is fine (a fragment, a table of data); running or linking it into
 * an executable is "nothing to run": a file-level error diagnostic about `file`.
 */
export function nothingToRun(result: AssemblyResult, file: string): Diagnostic | undefined {
  const text = result.sections.find((section) => section.name === '.text');
  const startSection = result.symbols.find((symbol) => symbol.name === '_start')?.section;
  if ((text?.size ?? 0) > 0 || (startSection !== undefined && startSection !== '.text')) return undefined;
  const hasData = result.sections.some((section) => section.name !== '.text' && section.size > 0);
  return {
    file, line: 0, column: 0, length: 1, severity: 'error', sourceLine: '',
    message: `nothing to run: .text holds no instructions${hasData ? ', only data' : ''}; write the program's code in .text`,
  };
}

/** Sections must be aligned, inside the 32-bit address space, and must not overlap. */
function checkPlacement(asm: Assembly, sections: Array<{ name: SectionName; address: number; size: number; alignment: number }>): void {
  const range = (s: { name: string; address: number; size: number }) => `${s.name} (${hex(s.address)}–${hex(s.address + s.size)})`;
  for (const section of sections) {
    if (section.address % section.alignment !== 0) {
      asm.report('error', 0, 0, 0, `${section.name} at ${hex(section.address)} is not aligned to ${section.alignment} bytes, its alignment; choose an aligned base address`);
    }
    if (section.address + section.size > 2 ** 32) {
      asm.report('error', 0, 0, 0, `${section.name} (${section.size} bytes at ${hex(section.address)}) runs past the end of the 32-bit address space`);
    }
  }
  const loaded = sections.filter((section) => section.size > 0).sort((a, b) => a.address - b.address);
  for (let i = 1; i < loaded.length; i++) {
    const before = loaded[i - 1];
    if (before.address + before.size > loaded[i].address) {
      asm.report('error', 0, 0, 0, `sections ${range(before)} and ${range(loaded[i])} overlap; choose other base addresses`);
    }
  }
}

function resolveFixups(asm: Assembly, bases: ReadonlyMap<string, bigint>): void {
  for (const fixup of asm.fixups) {
    if (fixup.section.name === DISCARDED) continue;
    const result = asm.evaluatePlaced(fixup.expression, fixup.here, bases);
    const { start, end } = fixup.expression;
    if (result.kind === 'undefined') {
      asm.reportUndefined(fixup.line, result);
      continue;
    }
    if (result.kind === 'error') {
      asm.report('error', fixup.line, result.start, result.end, result.message);
      continue;
    }
    if (result.kind === 'reportedElsewhere') continue;
    if (result.kind === 'unknown' || result.section !== null) {
      asm.report('error', fixup.line, start, end, 'expression cannot be evaluated');
      continue;
    }
    const { target } = fixup;
    const pc = target.kind === 'field' && target.pcRelative ? bases.get(fixup.here.section!)! + fixup.here.value + (target.branch?.relaxed ? 4n : 0n) : 0n;
    applyFixup(asm, fixup.section, fixup.offset, target, result.value - pc, fixup.line, start, end);
  }
}

function applyFixup(
  asm: Assembly, section: SectionBuffer, offset: number, target: FixupTarget,
  value: bigint, line: number, start: number, end: number,
): void {
  if (target.kind === 'field') {
    const message = target.branch?.relaxed ? farBranchError(value, target.mnemonic) : fieldError(target.field, value, target.mnemonic);
    if (message) asm.report('error', line, start, end, message);
    else section.writeWord(offset, section.readWord(offset) | FIELDS[target.field].insert(Number(value)));
    return;
  }
  const truncated = truncation(value, target.size);
  if (truncated !== undefined) asm.report('warning', line, start, end, truncationWarning(value, truncated, target.directive));
  section.writeLittleEndian(offset, target.size, value);
}

function collectSymbols(asm: Assembly, bases: ReadonlyMap<string, bigint>): AssembledSymbol[] {
  const symbols: AssembledSymbol[] = [];
  for (const symbol of asm.symbols.values()) {
    if (symbol.kind !== 'label' || !isExportedName(symbol.name) || symbol.value?.section == null || symbol.value.section === DISCARDED) continue;
    const section = symbol.value.section as SectionName;
    const attributes = asm.attributes.get(symbol.name);
    let size = 0;
    if (attributes?.size) {
      const { expression, here, line } = attributes.size;
      const result = asm.evaluatePlaced(expression, here, bases);
      if (result.kind === 'value' && result.section === null) size = Number(BigInt.asUintN(32, result.value));
      else if (result.kind === 'undefined') asm.reportUndefined(line, result);
      else if (result.kind === 'error') asm.report('error', line, result.start, result.end, result.message);
    }
    symbols.push({
      name: symbol.name,
      address: Number(bases.get(section)! + symbol.value.value),
      section,
      global: attributes?.global ?? false,
      type: attributes?.type ?? 'notype',
      size,
    });
  }
  return symbols;
}

/**
 * The Program's segments: sections sharing a 4 KiB page are one segment, with zeros between
 * them; a trailing .bss is zero-fill (memSize beyond the bytes).
 */
function segmentsOf(sections: readonly AssembledSection[]): Segment[] {
  const loaded = sections.filter((section) => section.size > 0).sort((a, b) => a.address - b.address);
  const groups: AssembledSection[][] = [];
  for (const section of loaded) {
    const group = groups[groups.length - 1];
    const last = group?.[group.length - 1];
    if (last && Math.floor(section.address / PAGE) <= Math.floor((last.address + last.size - 1) / PAGE)) group.push(section);
    else groups.push([section]);
  }
  return groups.map((group) => {
    const start = group[0].address;
    const last = group[group.length - 1];
    const withBytes = group.filter((section) => section.name !== '.bss');
    const fileEnd = withBytes.length > 0 ? Math.max(...withBytes.map((section) => section.address + section.size)) : start;
    const bytes = new Uint8Array(fileEnd - start);
    for (const section of withBytes) bytes.set(section.bytes, section.address - start);
    return { address: start, bytes, memSize: last.address + last.size - start };
  });
}
