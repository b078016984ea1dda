/**
 * objdump-style disassembly of RV32IM + Zicsr.
 *
 * Text follows GNU objdump (binutils) with its default aliases (`li`, `mv`, `j`, `ret`, `csrr`,
 * `rdcycle`, ...): the mnemonic, a tab, the operands separated by commas; registers by ABI name;
 * I- and S-type immediates and CSR immediates in decimal; `lui`/`auipc` immediates and shift
 * amounts in hex; CSRs by name when known. Two deliberate differences keep every line
 * re-assemblable to the same word:
 *   - branch and jump targets are absolute addresses written `0x80000010` (objdump omits the
 *     `0x`), followed by ` <label>` or ` <label+0x10>` when symbols are given;
 *   - `addi`, `slli`, `srli`, `srai` and the `csrr?i` instructions print under their own names,
 *     not as binutils 2.40's `add`/`sll`/`csrrw`-with-immediate aliases (a binutils
 *     regression that later versions reverted).
 * A word that is not an RV32IM/Zicsr instruction prints as `.word\t0x0123abcd`.
 */

import { csrName } from './csr.ts';
import { parseElf } from './elf.ts';
import { decodeInstruction, FIELDS, type OperandKind } from './encoding.ts';
import type { Program } from './program.ts';
import { ABI_NAMES } from './registers.ts';

/** Address → symbol lookup, built once for a listing or a trace. */
export class SymbolIndex {
  private readonly addresses: number[] = [];
  private readonly names: string[] = [];

  /**
   * From (name, address) pairs. When several share an address the last one wins: ELF symbol
   * tables list globals after locals, so a global name is shown, as objdump prefers.
   */
  constructor(symbols: Iterable<readonly [string, number]>) {
    const byAddress = new Map<number, string>();
    for (const [name, address] of symbols) byAddress.set(address >>> 0, name);
    const sorted = [...byAddress].sort((a, b) => a[0] - b[0]);
    for (const [address, name] of sorted) {
      this.addresses.push(address);
      this.names.push(name);
    }
  }

  /** The symbol exactly at `address`. */
  at(address: number): string | undefined {
    const i = this.floor(address);
    return i >= 0 && this.addresses[i] === address ? this.names[i] : undefined;
  }

  /** `<name>` or `<name+0x10>` for the nearest symbol at or before `address`. */
  describe(address: number): string | undefined {
    const i = this.floor(address);
    if (i < 0) return undefined;
    const offset = address - this.addresses[i];
    return offset === 0 ? `<${this.names[i]}>` : `<${this.names[i]}+0x${offset.toString(16)}>`;
  }

  /** Index of the last address ≤ `address`, or -1. */
  private floor(address: number): number {
    let low = 0;
    let high = this.addresses.length - 1;
    let found = -1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      if (this.addresses[mid] <= address) {
        found = mid;
        low = mid + 1;
      } else {
        high = mid - 1;
      }
    }
    return found;
  }
}

export type Symbols = ReadonlyMap<string, number> | SymbolIndex;

const indexCache = new WeakMap<ReadonlyMap<string, number>, SymbolIndex>();

function indexOf(symbols: Symbols): SymbolIndex {
  if (symbols instanceof SymbolIndex) return symbols;
  let index = indexCache.get(symbols);
  if (!index) {
    index = new SymbolIndex(symbols);
    indexCache.set(symbols, index);
  }
  return index;
}

const hex = (value: number) => `0x${(value >>> 0).toString(16)}`;
const hex8 = (value: number) => (value >>> 0).toString(16).padStart(8, '0');
const register = (number: number) => ABI_NAMES[number];

/** A FENCE set as objdump prints it: `iorw` letters, or `unknown` for the empty set. */
function fenceSet(bits: number): string {
  if (bits === 0) return 'unknown';
  return (bits & 8 ? 'i' : '') + (bits & 4 ? 'o' : '') + (bits & 2 ? 'r' : '') + (bits & 1 ? 'w' : '');
}

function operandText(kind: OperandKind, word: number, pc: number, symbols: SymbolIndex | undefined): string {
  switch (kind) {
    case 'rd':
    case 'rs1':
    case 'rs2':
      return register(FIELDS[kind].extract(word));
    case 'imm12':
      return String(FIELDS.iImm.extract(word));
    case 'zimm':
      return String(FIELDS.zimm.extract(word));
    case 'shamt':
      return hex(FIELDS.shamt.extract(word));
    case 'uimm20':
      return hex(FIELDS.uImm.extract(word));
    case 'csr': {
      const number = FIELDS.csr.extract(word);
      return csrName(number) ?? hex(number);
    }
    case 'load':
      return `${FIELDS.iImm.extract(word)}(${register(FIELDS.rs1.extract(word))})`;
    case 'store':
      return `${FIELDS.sImm.extract(word)}(${register(FIELDS.rs1.extract(word))})`;
    case 'branch':
    case 'jump': {
      const target = (pc + FIELDS[kind === 'branch' ? 'bImm' : 'jImm'].extract(word)) >>> 0;
      const label = symbols?.describe(target);
      return label ? `${hex(target)} ${label}` : hex(target);
    }
    case 'pred':
      return fenceSet(FIELDS.pred.extract(word));
    case 'succ':
      return fenceSet(FIELDS.succ.extract(word));
  }
}

/**
 * One instruction word at address `pc` as objdump prints it, e.g. `addi\tsp,sp,-16`,
 * `beq\ta0,a1,0x80000010 <loop>`, or `.word\t0xffffffff`.
 */
export function disassemble(word: number, pc: number, symbols?: Symbols): string {
  const form = decodeInstruction(word >>> 0);
  if (!form) return `.word\t0x${hex8(word)}`;
  if (form.operands.length === 0) return form.mnemonic;
  const index = symbols ? indexOf(symbols) : undefined;
  return `${form.mnemonic}\t${form.operands.map((kind) => operandText(kind, word >>> 0, pc >>> 0, index)).join(',')}`;
}

interface CodeRange {
  /** Shown in the heading: a section name, or the segment's address. */
  title: string;
  /** Label for the first address when no symbol is there (objdump uses the section name). */
  startLabel: string | undefined;
  address: number;
  bytes: Uint8Array;
}

/**
 * An `objdump -d`-style listing. For ELF bytes: every executable section (or, without section
 * headers, every executable segment), labelled with the symbols defined in it. For a Program:
 * the segment holding the entry point, labelled with the program's symbols.
 *
 *     Disassembly of section .text:
 *
 *     80000000 <_start>:
 *     80000000:	00000513 	li	a0,0
 *
 * Throws ProgramError for ELF bytes that are not a valid RV32 executable.
 */
export function disassembleListing(input: Program | Uint8Array): string {
  let ranges: CodeRange[];
  let symbols: SymbolIndex;
  if (input instanceof Uint8Array) {
    const elf = parseElf(input);
    const code = elf.sections.filter((section) => section.flags & 0x4 /* SHF_EXECINSTR */ && section.type === 1 /* SHT_PROGBITS */);
    if (code.length > 0) {
      ranges = code.map((section) => ({
        title: `section ${section.name}`,
        startLabel: section.name,
        address: section.address,
        bytes: input.subarray(section.offset, section.offset + section.size),
      }));
      const inCode = new Set(code.map((section) => section.index));
      symbols = new SymbolIndex(elf.symbols.filter((symbol) => inCode.has(symbol.sectionIndex)).map((symbol) => [symbol.name, symbol.value] as const));
    } else {
      ranges = elf.program.segments
        .filter((_, i) => elf.segmentFlags[i] & 0x1 /* PF_X */)
        .map((segment) => ({ title: `segment at ${hex(segment.address)}`, startLabel: undefined, address: segment.address, bytes: segment.bytes }));
      symbols = new SymbolIndex(elf.program.symbols);
    }
  } else {
    const entrySegments = input.segments.filter((segment) => input.entry >= segment.address && input.entry < segment.address + segment.memSize);
    ranges = entrySegments.map((segment) => ({ title: `segment at ${hex(segment.address)}`, startLabel: undefined, address: segment.address, bytes: segment.bytes }));
    symbols = new SymbolIndex(input.symbols);
  }
  const lines: string[] = [];
  for (const range of ranges) {
    if (lines.length > 0) lines.push('');
    lines.push(`Disassembly of ${range.title}:`);
    const view = new DataView(range.bytes.buffer, range.bytes.byteOffset, range.bytes.byteLength);
    for (let offset = 0; offset < range.bytes.length; offset += 4) {
      const address = (range.address + offset) >>> 0;
      const label = symbols.at(address) ?? (offset === 0 ? range.startLabel : undefined);
      if (label !== undefined) lines.push('', `${hex8(address)} <${label}>:`);
      const prefix = `${address.toString(16).padStart(8, ' ')}:\t`;
      if (offset + 4 > range.bytes.length) {
        const tail = Array.from(range.bytes.subarray(offset), (byte) => byte.toString(16).padStart(2, '0'));
        lines.push(`${prefix}${tail.join('')} \t.byte\t${tail.map((byte) => `0x${byte}`).join(',')}`);
        break;
      }
      const word = view.getUint32(offset, true);
      lines.push(`${prefix}${hex8(word)} \t${disassemble(word, address, symbols)}`);
    }
  }
  return lines.join('\n') + '\n';
}
