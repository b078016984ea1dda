/**
 * The state of one assembly: sections being filled, symbols, pending fixups and diagnostics.
 *
 * A pass over the source knows every statement's size when it reads it, so each label gets its
 * offset in its section at once. Operands that need a later symbol or a section's final address
 * become fixups, resolved after the sections are placed. The one size a pass cannot know is a
 * conditional branch's: short (one instruction), or long (two) when its target is out of reach
 * (relax.ts). A pass takes the set of long branches as given; assemble.ts repeats the pass until
 * every branch has the length relax.ts finds for it.
 */

import { nearestName, type Diagnostic, type Severity } from '../diagnostics.ts';
import type { FieldName } from '../encoding.ts';
import { evaluate, parseExpression, type Environment, type Evaluation, type Expression, type SymbolScope, type Value } from './expressions.ts';
import type { Token } from './lexer.ts';

export type SectionName = '.text' | '.rodata' | '.data' | '.bss';

/** Output sections, in address order when placed by default. */
export const SECTION_NAMES: readonly SectionName[] = ['.text', '.rodata', '.data', '.bss'];

/** Content of sections that are not loaded (e.g. `.note.GNU-stack`) goes here and is dropped. */
export const DISCARDED = '.discard';

/** Deepest chain of symbols defined in terms of later symbols that evaluation follows. */
const MAX_SYMBOL_NESTING = 100;

/** Name comparisons spent on suggestions for undefined names (see reportUndefined): a few ms. */
const SUGGESTION_BUDGET = 100_000;

/** Most bytes a section may hold: the largest machine RAM, 64 MiB. */
export const MAX_SECTION_SIZE = 64 * 1024 * 1024;

/**
 * What in a section may change size when a branch before it changes length, in emission order
 * (relax.ts): conditional branches to a label, and alignment padding.
 */
export type LayoutItem =
  | { kind: 'branch'; offset: number; ordinal: number; long: boolean }
  | { kind: 'align'; offset: number; alignment: number; maxSkip: number | undefined; padding: number };

export class SectionBuffer {
  private buffer = new Uint8Array(256);
  /** Bytes emitted (for .bss, bytes reserved). */
  size = 0;
  /**
   * Largest alignment requested by `.align`/`.p2align`/`.balign`, in bytes; .text starts at 4,
   * the size of an instruction (GNU as's alignment for code without the C extension).
   */
  alignment: number;
  /** Offset and source line of every instruction, in emission order. */
  readonly instructionOffsets: number[] = [];
  readonly instructionLines: number[] = [];
  readonly layout: LayoutItem[] = [];

  constructor(readonly name: SectionName | typeof DISCARDED) {
    this.alignment = name === '.text' ? 4 : 1;
  }

  /** False for .bss, which only reserves zeros. */
  get holdsBytes(): boolean {
    return this.name !== '.bss';
  }

  get bytes(): Uint8Array {
    return this.buffer.subarray(0, this.holdsBytes ? this.size : 0);
  }

  private grow(count: number): void {
    if (!this.holdsBytes || this.size + count <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < this.size + count) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.size));
    this.buffer = next;
  }

  append(bytes: ArrayLike<number>): void {
    this.grow(bytes.length);
    if (this.holdsBytes) this.buffer.set(bytes, this.size);
    this.size += bytes.length;
  }

  /** Appends `count` copies of `byte` (for .bss, reserves `count` zeros). */
  fill(count: number, byte: number): void {
    this.grow(count);
    if (this.holdsBytes) this.buffer.fill(byte, this.size, this.size + count);
    this.size += count;
  }

  appendWord(word: number): void {
    this.grow(4);
    if (this.holdsBytes) {
      this.buffer[this.size] = word & 0xff;
      this.buffer[this.size + 1] = (word >>> 8) & 0xff;
      this.buffer[this.size + 2] = (word >>> 16) & 0xff;
      this.buffer[this.size + 3] = word >>> 24;
    }
    this.size += 4;
  }

  /** Appends the low `size` bytes of `value`, least significant first. */
  appendLittleEndian(value: bigint, size: number): void {
    this.grow(size);
    this.writeLittleEndian(this.size, size, value);
    this.size += size;
  }

  /** Writes the low `size` bytes of `value` at `offset`, least significant first. */
  writeLittleEndian(offset: number, size: number, value: bigint): void {
    if (!this.holdsBytes) return;
    for (let i = 0; i < size; i++) this.buffer[offset + i] = Number((value >> BigInt(8 * i)) & 0xffn);
  }

  writeWord(offset: number, word: number): void {
    this.writeLittleEndian(offset, 4, BigInt(word >>> 0));
  }

  readWord(offset: number): number {
    const b = this.buffer;
    return (b[offset] | (b[offset + 1] << 8) | (b[offset + 2] << 16) | (b[offset + 3] << 24)) >>> 0;
  }
}

export type SymbolType = 'function' | 'object' | 'notype';

export interface SymbolDefinition {
  name: string;
  /** A label is an address; a constant comes from `.equ`, `.set` or `=` and may be redefined. */
  kind: 'label' | 'constant';
  /** Known value (for labels, the section offset). */
  value: Value | undefined;
  /** A constant whose value was not known at its definition, with the `.` it saw. */
  deferred: { expression: Expression; here: Value } | undefined;
  /** For a label, how many of its section's layout items come before it. */
  layoutIndex: number | undefined;
  line: number;
}

export interface SymbolAttributes {
  global: boolean;
  type: SymbolType;
  size: { expression: Expression; here: Value; line: number } | undefined;
}

export type FixupTarget =
  /**
   * `branch` marks the target of a conditional branch that relax.ts may lengthen: its `bImm`
   * while short (`relaxed` false), the `jImm` of its `j` once long. The fixup's `here` is the
   * branch's address in both (`.` in the target means the branch), so the `j`'s pc is 4 more.
   */
  | { kind: 'field'; field: FieldName; pcRelative: boolean; mnemonic: string; branch?: { ordinal: number; relaxed: boolean } }
  | { kind: 'data'; size: 1 | 2 | 4 | 8; directive: string };

/** An operand resolved after the sections are placed. */
export interface Fixup {
  section: SectionBuffer;
  /** Offset of the instruction word or data item in `section`. */
  offset: number;
  /** What `.` means in `expression`, and the pc for a pc-relative field (see FixupTarget). */
  here: Value;
  expression: Expression;
  target: FixupTarget;
  line: number;
}

export class Assembly {
  readonly diagnostics: Diagnostic[] = [];
  readonly sections = new Map<SectionName, SectionBuffer>(SECTION_NAMES.map((name) => [name, new SectionBuffer(name)]));
  readonly discarded = new SectionBuffer(DISCARDED);
  /** The section statements go to. */
  section: SectionBuffer = this.sections.get('.text')!;
  readonly symbols = new Map<string, SymbolDefinition>();
  readonly attributes = new Map<string, SymbolAttributes>();
  readonly fixups: Fixup[] = [];
  /** The operand of each `auipc rd, %pcrel_hi(x)`, keyed by `section:offset` of the auipc. */
  readonly pcrelHi = new Map<string, { expression: Expression; here: Value }>();
  /** Nesting depth of `.option push`. */
  optionDepth = 0;
  /** The 1-based line being assembled. */
  line = 0;
  /** Conditional branches to a label emitted so far: the next one's ordinal. */
  branchCount = 0;
  /** Definitions so far of each numeric local label, by its number in decimal. */
  private readonly localLabelCounts = new Map<string, number>();
  /** Earlier definitions of each redefined constant, in order; the latest is in `symbols`. */
  private readonly earlierDefinitions = new Map<string, SymbolDefinition[]>();
  private internalLabels = 0;
  private readonly evaluating = new Set<string>();
  /** Nearest defined name for each undefined name reported so far (see reportUndefined). */
  private readonly suggestions = new Map<string, string | undefined>();
  /** The names the source defines, once every symbol is defined (for reportUndefined). */
  private sourceNames: string[] | undefined;
  private suggestionBudget = SUGGESTION_BUDGET;

  /** `longBranches`: ordinals of the conditional branches this pass emits long (relax.ts). */
  constructor(
    readonly file: string,
    readonly lines: readonly string[],
    readonly longBranches: ReadonlySet<number> = new Set(),
  ) {}

  report(severity: Severity, line: number, start: number, end: number, message: string): void {
    const sourceLine = line > 0 ? this.lines[line - 1] : '';
    const column = line > 0 ? Math.min(start, sourceLine.length) + 1 : 0;
    this.diagnostics.push({ file: this.file, line, column, length: Math.max(1, end - start), severity, message, sourceLine });
  }

  /** An error at columns [start, end) of the current line. */
  error(start: number, end: number, message: string): void {
    this.report('error', this.line, start, end, message);
  }

  warning(start: number, end: number, message: string): void {
    this.report('warning', this.line, start, end, message);
  }

  /** The source text at columns [start, end) of the current line. */
  textOf(span: { start: number; end: number }): string {
    return this.lines[this.line - 1].slice(span.start, span.end);
  }

  /** The current location, `.`. */
  here(): Value {
    return { section: this.section.name, value: BigInt(this.section.size) };
  }

  readonly scope: SymbolScope = {
    localLabel: (value, direction) => {
      const number = String(value);
      const count = this.localLabelCounts.get(number) ?? 0;
      if (direction === 'b') return count === 0 ? undefined : localLabelName(number, count);
      return localLabelName(number, count + 1);
    },
    definitions: (name) => {
      const defined = this.symbols.has(name) ? 1 : 0;
      return this.earlierDefinitions.size === 0 ? defined : (this.earlierDefinitions.get(name)?.length ?? 0) + defined;
    },
  };

  /** Definition `version` of `name` (see the `symbol` expression): the first for a forward reference. */
  private definition(name: string, version: number): SymbolDefinition | undefined {
    if (this.earlierDefinitions.size === 0) return this.symbols.get(name);
    const earlier = this.earlierDefinitions.get(name);
    return earlier && version <= earlier.length ? earlier[Math.max(version, 1) - 1] : this.symbols.get(name);
  }

  /** Parses an operand's tokens as an expression, reporting a syntax error. */
  parseExpression(tokens: readonly Token[], endColumn: number): Expression | undefined {
    const result = parseExpression(tokens, this.scope, endColumn);
    if ('message' in result) {
      this.error(result.start, result.end, result.message);
      return undefined;
    }
    return result;
  }

  private environmentPlaced: Environment | undefined;

  /**
   * Evaluates once the sections are placed at `bases` (section name → address): every address
   * is absolute. `bases` must be the same for every call.
   */
  evaluatePlaced(expression: Expression, here: Value, bases: ReadonlyMap<string, bigint>): Evaluation {
    this.environmentPlaced ??= this.environment(here, bases);
    this.environmentPlaced.here = here.section === null ? here : { section: null, value: bases.get(here.section)! + here.value };
    return evaluate(expression, this.environmentPlaced);
  }

  /** Reused by evaluateNow, which only changes its `here`. */
  private readonly environmentNow: Environment = this.environment({ section: null, value: 0n }, undefined);

  /** Evaluates with what is known now: labels are section offsets, later symbols undefined. */
  evaluateNow(expression: Expression, here: Value = this.here()): Evaluation {
    this.environmentNow.here = here;
    return evaluate(expression, this.environmentNow);
  }

  /**
   * The environment for evaluating at `here`. With `bases` (section name → address) every
   * address is absolute and `%pcrel_lo` can find its `%pcrel_hi`.
   */
  environment(here: Value, bases: ReadonlyMap<string, bigint> | undefined): Environment {
    const absolute = (value: Value): Value =>
      bases && value.section !== null ? { section: null, value: BigInt.asIntN(64, bases.get(value.section)! + value.value) } : value;
    const env: Environment = {
      here: absolute(here),
      lookup: (name, version, where) => {
        const symbol = this.definition(name, version);
        if (symbol === undefined) return { kind: 'undefined', name, written: name, start: where.start, end: where.end };
        if (symbol.value) return { kind: 'value', ...absolute(symbol.value) };
        if (this.evaluating.has(name)) return { kind: 'error', message: `symbol \`${name}\` is defined in terms of itself`, start: where.start, end: where.end };
        if (this.evaluating.size >= MAX_SYMBOL_NESTING) {
          return { kind: 'error', message: `symbol definitions nest more than ${MAX_SYMBOL_NESTING} deep (at \`${name}\`)`, start: where.start, end: where.end };
        }
        this.evaluating.add(name);
        const result = evaluate(symbol.deferred!.expression, this.environment(symbol.deferred!.here, bases));
        this.evaluating.delete(name);
        // A problem inside the definition is reported where the symbol is used.
        return result.kind === 'error' || result.kind === 'undefined' ? { ...result, start: where.start, end: where.end } : result;
      },
    };
    if (bases) {
      env.pcrelHiTarget = (address, where) => {
        const hi = this.pcrelHiByAddress(bases).get(address);
        if (hi) {
          const target = evaluate(hi.expression, this.environment(hi.here, bases));
          return target.kind === 'undefined' || target.kind === 'error' ? { kind: 'reportedElsewhere' } : target;
        }
        return { kind: 'error', message: `no \`auipc\` with %pcrel_hi at address 0x${address.toString(16)} for this %pcrel_lo`, start: where.start, end: where.end };
      };
    }
    return env;
  }

  private pcrelHiIndex: Map<bigint, { expression: Expression; here: Value }> | undefined;

  /** `pcrelHi` keyed by absolute address, built once the sections are placed. */
  private pcrelHiByAddress(bases: ReadonlyMap<string, bigint>): Map<bigint, { expression: Expression; here: Value }> {
    if (!this.pcrelHiIndex) {
      this.pcrelHiIndex = new Map();
      for (const [key, hi] of this.pcrelHi) {
        const [section, offset] = splitKey(key);
        this.pcrelHiIndex.set(bases.get(section)! + offset, hi);
      }
    }
    return this.pcrelHiIndex;
  }

  /** Defines a label at the current location. */
  defineLabel(token: Token): void {
    if (token.kind === 'number') {
      const number = String(token.value);
      const count = (this.localLabelCounts.get(number) ?? 0) + 1;
      this.localLabelCounts.set(number, count);
      const name = localLabelName(number, count);
      this.symbols.set(name, this.labelAtHere(name));
      return;
    }
    const name = token.text;
    if (this.section === this.discarded) {
      this.error(token.start, token.end, `label \`${name}\` is in a section that is not loaded; put it in .text, .data, .rodata or .bss`);
      return;
    }
    const existing = this.symbols.get(name);
    if (existing) {
      const message = existing.kind === 'label'
        ? `duplicate label \`${name}\`: first defined on line ${existing.line}`
        : `label \`${name}\` has the name of the constant defined on line ${existing.line}`;
      this.error(token.start, token.end, message);
      return;
    }
    this.symbols.set(name, this.labelAtHere(name));
  }

  private labelAtHere(name: string): SymbolDefinition {
    return { name, kind: 'label', value: this.here(), deferred: undefined, layoutIndex: this.section.layout.length, line: this.line };
  }

  /** `.equ`/`.set`/`=`: (re)defines a constant, evaluated now if it can be. */
  defineConstant(token: Token, expression: Expression): void {
    const name = token.text;
    const existing = this.symbols.get(name);
    if (existing?.kind === 'label') {
      this.error(token.start, token.end, `\`${name}\` is already a label, defined on line ${existing.line}`);
      return;
    }
    const here = this.here();
    const result = this.evaluateNow(expression, here);
    if (result.kind === 'error') {
      this.error(result.start, result.end, result.message);
      return;
    }
    const known = result.kind === 'value' ? { section: result.section, value: result.value } : undefined;
    if (existing) {
      const earlier = this.earlierDefinitions.get(name) ?? [];
      earlier.push(existing);
      this.earlierDefinitions.set(name, earlier);
    }
    this.symbols.set(name, {
      name,
      kind: 'constant',
      value: known,
      deferred: known ? undefined : { expression, here },
      layoutIndex: undefined,
      line: this.line,
    });
  }

  /** A label at the current location that no source can name (for `%pcrel_lo` of expansions). */
  internalLabel(): Expression {
    const name = `\u0000pcrel${++this.internalLabels}`;
    this.symbols.set(name, this.labelAtHere(name));
    return { kind: 'symbol', name, written: '.', version: 0, start: 0, end: 0 };
  }

  attributesOf(name: string): SymbolAttributes {
    let attributes = this.attributes.get(name);
    if (!attributes) {
      attributes = { global: false, type: 'notype', size: undefined };
      this.attributes.set(name, attributes);
    }
    return attributes;
  }

  addFixup(expression: Expression, target: FixupTarget, here: Value = this.here()): void {
    this.fixups.push({ section: this.section, offset: this.section.size, here, expression, target, line: this.line });
  }

  /**
   * Reports an `undefined` evaluation: the symbol, and the nearest name the source defines.
   * Looking for that name compares it with every defined name; once SUGGESTION_BUDGET
   * comparisons are spent, later undefined names get no suggestion, so that a file full of
   * undefined labels stays fast.
   */
  reportUndefined(line: number, result: Extract<Evaluation, { kind: 'undefined' }>): void {
    let suggestion = this.suggestions.get(result.written);
    this.sourceNames ??= [...this.symbols.keys()].filter(isSourceName);
    if (!this.suggestions.has(result.written) && this.suggestionBudget >= this.sourceNames.length) {
      this.suggestionBudget -= this.sourceNames.length;
      suggestion = nearestName(result.written, this.sourceNames);
      this.suggestions.set(result.written, suggestion);
    }
    const hint = suggestion ? `; did you mean \`${suggestion}\`?` : '';
    this.report('error', line, result.start, result.end, `undefined label \`${result.written}\`${hint}`);
  }
}

/** Internal name of the `count`-th definition of numeric local label `number`. */
function localLabelName(number: string, count: number): string {
  return `\u0001${number}#${count}`;
}

export function pcrelKey(section: string, offset: number): string {
  return `${section}:${offset}`;
}

function splitKey(key: string): [string, bigint] {
  const colon = key.lastIndexOf(':');
  return [key.slice(0, colon), BigInt(key.slice(colon + 1))];
}

/** True for names a user wrote and can refer to (not numeric local labels or expansions' labels). */
function isSourceName(name: string): boolean {
  return !name.startsWith('\u0000') && !name.startsWith('\u0001');
}

/** True for labels that belong in the symbol table: GNU as keeps `.L` labels to itself. */
export function isExportedName(name: string): boolean {
  return isSourceName(name) && !name.startsWith('.L');
}
