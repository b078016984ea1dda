/**
 * ELF32 executables for RV32 (System V ABI gABI, "ELF-64 Object File Format" tables apply with
 * 32-bit fields; RISC-V ELF psABI 1.0 for EM_RISCV and e_flags), and flat binaries.
 *
 * File layout written by `writeElf`:
 *
 *     0x0000  ELF header (52 bytes)
 *     0x0034  program headers, one PT_LOAD per segment (32 bytes each)
 *     ...     each segment's bytes, at a file offset congruent to its address modulo 4 KiB
 *             (p_align = 0x1000) so that mmap-based loaders such as QEMU user mode can map it
 *     ...     .symtab, .strtab, .shstrtab
 *     ...     section headers (40 bytes each): null, the program's sections, .symtab, .strtab,
 *             .shstrtab
 */

import type { AssemblyResult } from './assembler/assemble.ts';
import { ProgramError, type Program, type Segment } from './program.ts';

const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;
const PAGE = 0x1000;

const ELFCLASS32 = 1, ELFCLASS64 = 2;
const ELFDATA2LSB = 1, ELFDATA2MSB = 2;
const ET_REL = 1, ET_EXEC = 2, ET_DYN = 3, ET_CORE = 4;
const EM_RISCV = 243;
/** e_flags bit: the file may contain compressed (C extension) instructions (RISC-V psABI). */
const EF_RISCV_RVC = 0x1;
const PT_LOAD = 1;
const PF_X = 1, PF_W = 2, PF_R = 4;
const SHT_PROGBITS = 1, SHT_SYMTAB = 2, SHT_STRTAB = 3, SHT_NOBITS = 8;
const SHF_WRITE = 1, SHF_ALLOC = 2, SHF_EXECINSTR = 4;
const SHN_UNDEF = 0, SHN_ABS = 0xfff1, SHN_COMMON = 0xfff2;
const STB_LOCAL = 0, STB_GLOBAL = 1;
const STT_NOTYPE = 0, STT_OBJECT = 1, STT_FUNC = 2, STT_SECTION = 3, STT_FILE = 4;

/** Names for e_machine values a user is likely to meet, for error messages. */
const MACHINE_NAMES: Record<number, string> = {
  0: 'none', 3: 'x86', 8: 'MIPS', 20: 'PowerPC', 21: 'PowerPC64', 40: 'ARM', 50: 'IA-64',
  62: 'x86-64', 183: 'AArch64', 243: 'RISC-V', 258: 'LoongArch',
};

const BUILD_HINT = 'build with a RISC-V toolchain, e.g. riscv64-unknown-elf-gcc -march=rv32im -mabi=ilp32';

// ---------------------------------------------------------------------------------------------
// Reading

/** A section header, as the disassembler's listing needs it. */
export interface ElfSectionHeader {
  index: number;
  name: string;
  type: number;
  flags: number;
  address: number;
  offset: number;
  size: number;
}

/** A symbol-table entry, with its defining section index. */
export interface ElfSymbolEntry {
  name: string;
  value: number;
  sectionIndex: number;
  global: boolean;
}

/** A validated ELF32 RISC-V executable: its program, section headers and symbol table. */
export interface ElfFile {
  program: Program;
  /**
   * e_flags, when it sets EF_RISCV_RVC (the file may contain compressed instructions, which
   * this machine, without the C extension, executes as illegal instructions); else undefined.
   */
  compressedFlags?: number;
  /** Loadable segments' permission flags, parallel to `program.segments` (PF_R/W/X bits). */
  segmentFlags: number[];
  sections: ElfSectionHeader[];
  symbols: ElfSymbolEntry[];
}

/** Parses an ELF32 RISC-V executable into a Program. Bad input throws ProgramError. */
export function readElf(bytes: Uint8Array): Program {
  return parseElf(bytes).program;
}

/**
 * The warning for an ELF file whose header sets EF_RISCV_RVC (`flags`: its e_flags), or
 * undefined. Such a file loads and runs: the flag says compressed instructions may be
 * present, not that they are executed, and a hart without the C extension takes any it
 * reaches as an illegal instruction (unprivileged ISA 20191213 §1.5 and chapter 16).
 */
export function compressedWarning(flags: number | undefined): string | undefined {
  if (flags === undefined) return undefined;
  return `warning: the ELF header sets EF_RISCV_RVC (e_flags 0x${flags.toString(16)}): the program may contain compressed instructions, which this RV32IM machine (no C extension) executes as illegal instructions; build with -march=rv32im to leave them out`;
}

/** Parses and validates an ELF32 RISC-V executable. Bad input throws ProgramError. */
export function parseElf(bytes: Uint8Array): ElfFile {
  const fail = (message: string): never => {
    throw new ProgramError(message);
  };
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const length = bytes.length;

  if (length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    const first = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    fail(`not an ELF file: it starts with ${first === '' ? 'nothing (the file is empty)' : first}, not the ELF magic 7f 45 4c 46; pass an RV32 ELF executable`);
  }
  if (length < 6) fail(`truncated ELF file: ${length} bytes, too short for the 52-byte ELF header; the file is damaged, rebuild it`);
  const elfClass = bytes[4];
  if (elfClass === ELFCLASS64) fail(`ELF64 file: Lockstep Lab runs 32-bit RISC-V programs; build with -march=rv32im -mabi=ilp32`);
  if (elfClass !== ELFCLASS32) fail(`invalid ELF class ${elfClass} (expected 1, ELF32): the file is damaged; rebuild it`);
  const encoding = bytes[5];
  if (encoding === ELFDATA2MSB) fail(`big-endian ELF file: RISC-V programs are little-endian; build for little-endian RV32 (-march=rv32im -mabi=ilp32)`);
  if (encoding !== ELFDATA2LSB) fail(`invalid ELF data encoding ${encoding} (expected 1, little-endian): the file is damaged; rebuild it`);
  if (length < EHDR_SIZE) fail(`truncated ELF file: ${length} bytes, too short for the 52-byte ELF header; the file is damaged, rebuild it`);

  const u16 = (offset: number) => view.getUint16(offset, true);
  const u32 = (offset: number) => view.getUint32(offset, true);
  const type = u16(16);
  const machine = u16(18);
  if (machine !== EM_RISCV) {
    const name = MACHINE_NAMES[machine];
    fail(`not a RISC-V program: e_machine is ${machine}${name ? ` (${name})` : ''}, expected 243 (RISC-V); ${BUILD_HINT}`);
  }
  if (type !== ET_EXEC) {
    const kinds: Record<number, string> = {
      [ET_REL]: 'ET_REL, a relocatable object file: link it into an executable, e.g. with riscv64-unknown-elf-ld',
      [ET_DYN]: 'ET_DYN, a shared object or position-independent executable: link a static executable with -static -no-pie',
      [ET_CORE]: 'ET_CORE, a core dump: pass the executable instead',
    };
    fail(`not an executable: e_type is ${type} (${kinds[type] ?? 'unknown type: pass an ET_EXEC executable'})`);
  }
  const flags = u32(36);

  const entry = u32(24);
  const phoff = u32(28);
  const shoff = u32(32);
  const phentsize = u16(42);
  const phnum = u16(44);
  const shentsize = u16(46);
  const shnum = u16(48);
  const shstrndx = u16(50);

  if (phnum > 0 && phentsize !== PHDR_SIZE) fail(`invalid ELF file: program header size is ${phentsize} bytes, expected 32; the file is damaged, rebuild it`);
  const phEnd = phoff + phnum * PHDR_SIZE;
  if (phEnd > length) fail(`truncated ELF file: the program headers end at byte ${phEnd} but the file has ${length} bytes; the file is damaged, rebuild it`);

  const segments: Segment[] = [];
  const segmentFlags: number[] = [];
  for (let i = 0; i < phnum; i++) {
    const base = phoff + i * PHDR_SIZE;
    if (u32(base) !== PT_LOAD) continue;
    const offset = u32(base + 4);
    const address = u32(base + 8);
    const fileSize = u32(base + 16);
    const memSize = u32(base + 20);
    const where = `segment ${i} (PT_LOAD at 0x${address.toString(16)})`;
    if (offset + fileSize > length) {
      fail(`truncated ELF file: ${where} needs file bytes up to ${offset + fileSize} but the file has ${length} bytes; the file is damaged, rebuild it`);
    }
    if (fileSize > memSize) fail(`invalid ELF file: ${where} has p_filesz ${fileSize} larger than p_memsz ${memSize}; the file is damaged, rebuild it`);
    if (address + memSize > 2 ** 32) fail(`invalid ELF file: ${where} with ${memSize} bytes runs past the end of the 32-bit address space`);
    if (memSize === 0) continue;
    segments.push({ address, bytes: bytes.slice(offset, offset + fileSize), memSize });
    segmentFlags.push(u32(base + 24));
  }
  if (segments.length === 0) fail(`ELF file has no loadable (PT_LOAD) segments: there is nothing to run; link the program into an executable`);

  const sections: ElfSectionHeader[] = [];
  const symbols: ElfSymbolEntry[] = [];
  if (shoff !== 0 && shnum > 0) {
    if (shentsize !== SHDR_SIZE) fail(`invalid ELF file: section header size is ${shentsize} bytes, expected 40; the file is damaged, rebuild it`);
    const shEnd = shoff + shnum * SHDR_SIZE;
    if (shEnd > length) fail(`truncated ELF file: the section headers end at byte ${shEnd} but the file has ${length} bytes; the file is damaged, rebuild it`);
    const headers = Array.from({ length: shnum }, (_, index) => {
      const base = shoff + index * SHDR_SIZE;
      return {
        index,
        nameOffset: u32(base),
        type: u32(base + 4),
        flags: u32(base + 8),
        address: u32(base + 12),
        offset: u32(base + 16),
        size: u32(base + 20),
        link: u32(base + 24),
      };
    });
    const contents = (header: (typeof headers)[number], what: string): Uint8Array => {
      if (header.type === SHT_NOBITS) return new Uint8Array(0);
      if (header.offset + header.size > length) {
        fail(`truncated ELF file: ${what} (section ${header.index}) needs file bytes up to ${header.offset + header.size} but the file has ${length} bytes; the file is damaged, rebuild it`);
      }
      return bytes.subarray(header.offset, header.offset + header.size);
    };
    const names = shstrndx < shnum ? contents(headers[shstrndx], 'the section name table') : new Uint8Array(0);
    for (const header of headers) {
      sections.push({
        index: header.index,
        name: cString(names, header.nameOffset),
        type: header.type,
        flags: header.flags,
        address: header.address,
        offset: header.offset,
        size: header.size,
      });
    }
    const symtab = headers.find((header) => header.type === SHT_SYMTAB);
    if (symtab) {
      const table = contents(symtab, 'the symbol table');
      const strtab = symtab.link < shnum ? contents(headers[symtab.link], 'the symbol string table') : new Uint8Array(0);
      const tableView = new DataView(table.buffer, table.byteOffset, table.byteLength);
      for (let base = SYM_SIZE; base + SYM_SIZE <= table.length; base += SYM_SIZE) {
        const info = tableView.getUint8(base + 12);
        const sectionIndex = tableView.getUint16(base + 14, true);
        const symbolType = info & 0xf;
        const name = cString(strtab, tableView.getUint32(base, true));
        if (sectionIndex === SHN_UNDEF || sectionIndex === SHN_COMMON) continue;
        if (symbolType === STT_SECTION || symbolType === STT_FILE || name === '' || isMappingSymbol(name)) continue;
        symbols.push({ name, value: tableView.getUint32(base + 4, true), sectionIndex, global: info >> 4 !== STB_LOCAL });
      }
    }
  }

  const loaded = sections.length > 0 ? segments.map((segment) => withoutHeaders(segment, sections)) : segments;
  const symbolMap = new Map<string, number>();
  for (const symbol of symbols) {
    if (symbol.global || !symbolMap.has(symbol.name)) symbolMap.set(symbol.name, symbol.value);
  }
  const compressedFlags = flags & EF_RISCV_RVC ? flags : undefined;
  return { program: { entry, segments: loaded, symbols: symbolMap }, segmentFlags, sections, symbols, compressedFlags };
}

/**
 * A segment without the bytes before its first allocated section. GNU ld maps the ELF and
 * program headers into the first PT_LOAD (e.g. at 0x7ffff000 for code linked at
 * 0x80000000): they belong to the file, not the program, and may lie outside the machine's
 * RAM. A segment that holds no allocated section at all keeps its place.
 */
function withoutHeaders(segment: Segment, sections: ElfSectionHeader[]): Segment {
  const end = segment.address + segment.memSize;
  const starts = sections
    .filter((s) => (s.flags & SHF_ALLOC) !== 0 && s.size > 0 && s.address >= segment.address && s.address < end)
    .map((s) => s.address);
  if (starts.length === 0) return segment;
  const skip = Math.min(...starts) - segment.address;
  if (skip === 0) return segment;
  return { address: segment.address + skip, bytes: segment.bytes.subarray(Math.min(skip, segment.bytes.length)), memSize: segment.memSize - skip };
}

/** RISC-V mapping symbols (`$x`, `$d`, `$x<isa>`) mark code and data, they are not labels (psABI). */
function isMappingSymbol(name: string): boolean {
  return name.startsWith('$x') || name.startsWith('$d');
}

function cString(table: Uint8Array, offset: number): string {
  if (offset >= table.length) return '';
  let end = offset;
  while (end < table.length && table[end] !== 0) end++;
  return new TextDecoder().decode(table.subarray(offset, end));
}

// ---------------------------------------------------------------------------------------------
// Flat binaries

/** A raw memory image loaded at `base` (default the start of RAM) and entered at `base`. */
export function flatProgram(bytes: Uint8Array, base = 0x80000000): Program {
  if (!Number.isInteger(base) || base < 0 || base >= 2 ** 32) {
    throw new ProgramError(`invalid load address ${base}: it must be a 32-bit address such as 0x80000000`);
  }
  if (bytes.length === 0) throw new ProgramError('empty program: the binary has no bytes to load');
  if (base + bytes.length > 2 ** 32) {
    throw new ProgramError(`binary of ${bytes.length} bytes at 0x${base.toString(16)} runs past the end of the 32-bit address space; load it lower`);
  }
  return { entry: base, segments: [{ address: base, bytes: bytes.slice(), memSize: bytes.length }], symbols: new Map() };
}

// ---------------------------------------------------------------------------------------------
// Writing

interface OutputSection {
  name: string;
  type: number;
  flags: number;
  address: number;
  size: number;
  alignment: number;
}

interface OutputSymbol {
  name: string;
  value: number;
  size: number;
  type: number;
  global: boolean;
  /** Index into the output sections, or undefined for an absolute symbol. */
  section: number | undefined;
}

/**
 * An ELF32 executable (ET_EXEC, EM_RISCV, e_flags 0: no RVC, soft-float ABI) for an assembled
 * program or any Program. An AssemblyResult keeps its sections (.text, .rodata, .data, .bss) and
 * symbol bindings; a bare Program gets one `.text` section for the segment holding the entry
 * point and `.data` for the others (with `.bss` for a zero-filled tail). Throws ProgramError for
 * an assembly that has errors.
 */
export function writeElf(input: AssemblyResult | Program): Uint8Array {
  if ('diagnostics' in input) {
    if (!input.program) {
      throw new ProgramError('cannot write an ELF file: the assembly has errors; fix them first');
    }
    const sections: OutputSection[] = input.sections.map((section) => ({
      name: section.name,
      type: section.name === '.bss' ? SHT_NOBITS : SHT_PROGBITS,
      flags: SECTION_FLAGS[section.name],
      address: section.address,
      size: section.size,
      alignment: section.alignment,
    }));
    const symbols: OutputSymbol[] = input.symbols.map((symbol) => ({
      name: symbol.name,
      value: symbol.address,
      size: symbol.size,
      type: symbol.type === 'function' ? STT_FUNC : symbol.type === 'object' ? STT_OBJECT : STT_NOTYPE,
      global: symbol.global,
      section: sections.findIndex((section) => section.name === symbol.section),
    }));
    return buildElf(input.program.entry, input.program.segments, sections, symbols);
  }
  const sections: OutputSection[] = [];
  for (const segment of input.segments) {
    const code = input.entry >= segment.address && input.entry < segment.address + segment.memSize;
    sections.push({
      name: code ? '.text' : '.data',
      type: SHT_PROGBITS,
      flags: code ? SHF_ALLOC | SHF_EXECINSTR : SHF_ALLOC | SHF_WRITE,
      address: segment.address,
      size: segment.bytes.length,
      alignment: 4,
    });
    if (segment.memSize > segment.bytes.length) {
      sections.push({
        name: '.bss',
        type: SHT_NOBITS,
        flags: SHF_ALLOC | SHF_WRITE,
        address: segment.address + segment.bytes.length,
        size: segment.memSize - segment.bytes.length,
        alignment: 1,
      });
    }
  }
  const symbols: OutputSymbol[] = [...input.symbols].map(([name, value]) => {
    const index = sections.findIndex((section) => value >= section.address && value <= section.address + section.size);
    return { name, value, size: 0, type: STT_NOTYPE, global: true, section: index };
  });
  return buildElf(input.entry, input.segments, sections, symbols);
}

const SECTION_FLAGS: Record<string, number> = {
  '.text': SHF_ALLOC | SHF_EXECINSTR,
  '.rodata': SHF_ALLOC,
  '.data': SHF_ALLOC | SHF_WRITE,
  '.bss': SHF_ALLOC | SHF_WRITE,
};

class StringTable {
  private readonly bytes: number[] = [0];
  private readonly offsets = new Map<string, number>([['', 0]]);
  add(name: string): number {
    const known = this.offsets.get(name);
    if (known !== undefined) return known;
    const offset = this.bytes.length;
    this.bytes.push(...new TextEncoder().encode(name), 0);
    this.offsets.set(name, offset);
    return offset;
  }
  toBytes(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const alignUp = (value: number, alignment: number) => Math.ceil(value / alignment) * alignment;

function buildElf(entry: number, segments: readonly Segment[], sections: readonly OutputSection[], symbols: readonly OutputSymbol[]): Uint8Array {
  // File offsets of the segments' bytes, each congruent to its address modulo PAGE.
  let cursor = EHDR_SIZE + segments.length * PHDR_SIZE;
  const segmentOffsets = segments.map((segment) => {
    const offset = cursor + ((segment.address - cursor) % PAGE + PAGE) % PAGE;
    cursor = offset + segment.bytes.length;
    return offset;
  });
  const sectionOffset = (section: OutputSection): number => {
    const index = segments.findIndex((segment) => section.address >= segment.address && section.address + section.size <= segment.address + segment.memSize);
    return index < 0 ? cursor : segmentOffsets[index] + (section.address - segments[index].address);
  };
  const segmentFlags = segments.map((segment) => {
    let flags = PF_R;
    for (const section of sections) {
      if (section.size === 0 || section.address < segment.address || section.address >= segment.address + segment.memSize) continue;
      if (section.flags & SHF_EXECINSTR) flags |= PF_X;
      if (section.flags & SHF_WRITE) flags |= PF_W;
    }
    return flags;
  });

  // Symbol table: the null symbol, then locals, then globals (gABI: locals precede globals).
  const strtab = new StringTable();
  const ordered = [...symbols.filter((symbol) => !symbol.global), ...symbols.filter((symbol) => symbol.global)];
  const firstGlobal = 1 + ordered.findIndex((symbol) => symbol.global);
  const symtab = new Uint8Array((ordered.length + 1) * SYM_SIZE);
  const symView = new DataView(symtab.buffer);
  ordered.forEach((symbol, i) => {
    const base = (i + 1) * SYM_SIZE;
    symView.setUint32(base, strtab.add(symbol.name), true);
    symView.setUint32(base + 4, symbol.value >>> 0, true);
    symView.setUint32(base + 8, symbol.size >>> 0, true);
    symView.setUint8(base + 12, ((symbol.global ? STB_GLOBAL : STB_LOCAL) << 4) | symbol.type);
    const section = symbol.section;
    symView.setUint16(base + 14, section === undefined || section < 0 ? SHN_ABS : section + 1, true);
  });
  const strtabBytes = strtab.toBytes();

  const shstrtab = new StringTable();
  const names = sections.map((section) => shstrtab.add(section.name));
  const symtabName = shstrtab.add('.symtab');
  const strtabName = shstrtab.add('.strtab');
  const shstrtabName = shstrtab.add('.shstrtab');
  const shstrtabBytes = shstrtab.toBytes();

  const symtabOffset = alignUp(cursor, 4);
  const strtabOffset = symtabOffset + symtab.length;
  const shstrtabOffset = strtabOffset + strtabBytes.length;
  const shoff = alignUp(shstrtabOffset + shstrtabBytes.length, 4);
  const shnum = sections.length + 4;
  const file = new Uint8Array(shoff + shnum * SHDR_SIZE);
  const view = new DataView(file.buffer);

  // ELF header.
  file.set([0x7f, 0x45, 0x4c, 0x46, ELFCLASS32, ELFDATA2LSB, 1 /* EV_CURRENT */, 0 /* ELFOSABI_SYSV */]);
  view.setUint16(16, ET_EXEC, true);
  view.setUint16(18, EM_RISCV, true);
  view.setUint32(20, 1, true);
  view.setUint32(24, entry >>> 0, true);
  view.setUint32(28, segments.length > 0 ? EHDR_SIZE : 0, true);
  view.setUint32(32, shoff, true);
  view.setUint32(36, 0, true);
  view.setUint16(40, EHDR_SIZE, true);
  view.setUint16(42, PHDR_SIZE, true);
  view.setUint16(44, segments.length, true);
  view.setUint16(46, SHDR_SIZE, true);
  view.setUint16(48, shnum, true);
  view.setUint16(50, shnum - 1, true);

  segments.forEach((segment, i) => {
    const base = EHDR_SIZE + i * PHDR_SIZE;
    view.setUint32(base, PT_LOAD, true);
    view.setUint32(base + 4, segmentOffsets[i], true);
    view.setUint32(base + 8, segment.address >>> 0, true);
    view.setUint32(base + 12, segment.address >>> 0, true);
    view.setUint32(base + 16, segment.bytes.length, true);
    view.setUint32(base + 20, segment.memSize, true);
    view.setUint32(base + 24, segmentFlags[i], true);
    view.setUint32(base + 28, PAGE, true);
    file.set(segment.bytes, segmentOffsets[i]);
  });
  file.set(symtab, symtabOffset);
  file.set(strtabBytes, strtabOffset);
  file.set(shstrtabBytes, shstrtabOffset);

  const header = (index: number, fields: [number, number, number, number, number, number, number, number, number, number]) => {
    fields.forEach((value, k) => view.setUint32(shoff + index * SHDR_SIZE + k * 4, value >>> 0, true));
  };
  sections.forEach((section, i) => {
    header(i + 1, [names[i], section.type, section.flags, section.address, sectionOffset(section), section.size, 0, 0, section.alignment, 0]);
  });
  const symtabIndex = sections.length + 1;
  header(symtabIndex, [symtabName, SHT_SYMTAB, 0, 0, symtabOffset, symtab.length, symtabIndex + 1, firstGlobal > 0 ? firstGlobal : ordered.length + 1, 4, SYM_SIZE]);
  header(symtabIndex + 1, [strtabName, SHT_STRTAB, 0, 0, strtabOffset, strtabBytes.length, 0, 0, 1, 0]);
  header(symtabIndex + 2, [shstrtabName, SHT_STRTAB, 0, 0, shstrtabOffset, shstrtabBytes.length, 0, 0, 1, 0]);
  return file;
}
