/**
 * ELF32 reading and writing, and flat binaries. Header fields are checked against the ELF
 * specification (gABI) and the RISC-V psABI by decoding the bytes here, not with readElf;
 * malformed files are built by patching a GNU-linked executable from ../shared/conformance.
 */

import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assemble, flatProgram, loadProgram, ProgramError, readElf, writeElf, type Program } from '../../src/isa/index.ts';

const conformance = (name: string) => fileURLToPath(new URL(`../../../shared/conformance/${name}`, import.meta.url));
const gnuElf = () => new Uint8Array(readFileSync(conformance('rv32im-pub-0000.elf')));

/** The ELF file `bytes` after `patch` edits a copy through a little-endian view. */
function patched(patch: (view: DataView, bytes: Uint8Array) => void, bytes = gnuElf()): Uint8Array {
  const copy = bytes.slice();
  patch(new DataView(copy.buffer), copy);
  return copy;
}

function readError(bytes: Uint8Array): string {
  try {
    readElf(bytes);
  } catch (error) {
    expect(error).toBeInstanceOf(ProgramError);
    return (error as Error).message;
  }
  throw new Error('readElf accepted the file');
}

const SOURCE = [
  '  .globl _start',
  '  .type _start, @function',
  '_start:',
  '  la a0, message',
  '  lw a1, counter',
  '  call helper',
  '  .size _start, . - _start',
  'helper:',
  '  ret',
  '  .section .rodata',
  'message: .asciz "hello"',
  '  .data',
  '  .globl table',
  'table: .word 1, 2, 3',
  '  .bss',
  'counter: .zero 8',
].join('\n');

describe('writeElf', () => {
  const result = assemble(SOURCE);
  const elf = writeElf(result);
  const view = new DataView(elf.buffer);
  const u16 = (offset: number) => view.getUint16(offset, true);
  const u32 = (offset: number) => view.getUint32(offset, true);

  it('writes an ELF32 little-endian RISC-V executable header without the RVC flag', () => {
    expect(Array.from(elf.subarray(0, 7))).toEqual([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1]);
    expect(u16(16)).toBe(2); // ET_EXEC
    expect(u16(18)).toBe(243); // EM_RISCV
    expect(u32(20)).toBe(1);
    expect(u32(24)).toBe(0x80000000); // e_entry: _start
    expect(u32(36)).toBe(0); // e_flags: no RVC, soft-float ABI
    expect([u16(40), u16(42), u16(46)]).toEqual([52, 32, 40]);
  });

  it('writes one PT_LOAD per page run: code read/execute, data read/write with .bss as p_memsz', () => {
    const phoff = u32(28);
    const headers = Array.from({ length: u16(44) }, (_, i) => {
      const base = phoff + i * 32;
      return { type: u32(base), offset: u32(base + 4), vaddr: u32(base + 8), filesz: u32(base + 16), memsz: u32(base + 20), flags: u32(base + 24), align: u32(base + 28) };
    });
    expect(headers.map(({ type, vaddr, filesz, memsz, flags }) => ({ type, vaddr, filesz, memsz, flags }))).toEqual([
      { type: 1, vaddr: 0x80000000, filesz: 0x26, memsz: 0x26, flags: 0b101 },
      { type: 1, vaddr: 0x80001000, filesz: 12, memsz: 24, flags: 0b110 },
    ]);
    for (const header of headers) {
      // Mappable: the file offset and the address agree modulo the alignment (gABI, p_align).
      expect(header.offset % header.align).toBe(header.vaddr % header.align);
      expect(header.offset + header.filesz).toBeLessThanOrEqual(elf.length);
    }
  });

  it('writes the sections and a symbol table with bindings, types and sizes', () => {
    const shoff = u32(32);
    const shnum = u16(48);
    const section = (i: number) => {
      const base = shoff + i * 40;
      return { name: u32(base), type: u32(base + 4), flags: u32(base + 8), addr: u32(base + 12), offset: u32(base + 16), size: u32(base + 20), link: u32(base + 24), info: u32(base + 28) };
    };
    const shstrtab = section(u16(50));
    const text = (table: { offset: number }, at: number) => {
      let end = table.offset + at;
      while (elf[end] !== 0) end++;
      return new TextDecoder().decode(elf.subarray(table.offset + at, end));
    };
    const sections = Array.from({ length: shnum }, (_, i) => ({ ...section(i), title: text(shstrtab, section(i).name) }));
    expect(sections.map(({ title, type, flags, addr }) => [title, type, flags, addr])).toEqual([
      ['', 0, 0, 0],
      ['.text', 1, 0x6, 0x80000000],
      ['.rodata', 1, 0x2, 0x80000020],
      ['.data', 1, 0x3, 0x80001000],
      ['.bss', 8, 0x3, 0x80001010],
      ['.symtab', 2, 0, 0],
      ['.strtab', 3, 0, 0],
      ['.shstrtab', 3, 0, 0],
    ]);
    const symtab = sections[5];
    const strtab = sections[symtab.link];
    const symbols = Array.from({ length: symtab.size / 16 - 1 }, (_, i) => {
      const base = symtab.offset + (i + 1) * 16;
      return [text(strtab, u32(base)), u32(base + 4), u32(base + 8), elf[base + 12] >> 4, elf[base + 12] & 0xf, u16(base + 14)];
    });
    // name, value, size, binding (0 local, 1 global), type (0 none, 1 object, 2 function), section
    expect(symbols).toEqual([
      ['helper', 0x80000018, 0, 0, 0, 1],
      ['message', 0x80000020, 0, 0, 0, 2],
      ['counter', 0x80001010, 0, 0, 0, 4],
      ['_start', 0x80000000, 24, 1, 2, 1],
      ['table', 0x80001000, 0, 1, 0, 3],
    ]);
    expect(symtab.info).toBe(4); // index of the first global symbol
  });

  it('reads back as the assembled Program', () => {
    const { sourceMap: _, ...program } = result.program!;
    expect(readElf(elf)).toEqual(program);
  });

  it('reads back any Program, zero-filled tails and all', () => {
    const program: Program = {
      entry: 0x10008,
      segments: [
        { address: 0x10000, bytes: Uint8Array.from([0x13, 0, 0, 0, 0x73, 0, 0, 0, 0x6f, 0, 0, 0]), memSize: 12 },
        { address: 0x20000, bytes: Uint8Array.from([1, 2, 3]), memSize: 64 },
        { address: 0x30000, bytes: new Uint8Array(0), memSize: 16 },
      ],
      symbols: new Map([['start', 0x10008], ['tohost', 0x20000], ['end', 0x30010]]),
    };
    expect(readElf(writeElf(program))).toEqual(program);
  });

  it('refuses an assembly that has errors', () => {
    expect(() => writeElf(assemble('bogus'))).toThrow(new ProgramError('cannot write an ELF file: the assembly has errors; fix them first'));
  });
});

describe('readElf', () => {
  it.each(['rv32im-pub-0000', 'rv32im-pub-0001', 'rv32im-pub-0002', 'rv32im-pub-0003'])('loads GNU-linked %s', (name) => {
    const bytes = new Uint8Array(readFileSync(conformance(`${name}.elf`)));
    const meta = JSON.parse(readFileSync(conformance(`${name}.json`), 'utf8')) as { elf_sha256: string; entry: string; scratch_address: string };
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(meta.elf_sha256);
    const program = readElf(bytes);
    expect(program.entry).toBe(Number(meta.entry));
    expect(program.symbols.get('scratch')).toBe(Number(meta.scratch_address));
    expect(program.symbols.get('_start')).toBe(Number(meta.entry));
    expect([...program.symbols.keys()].filter((symbol) => symbol.startsWith('$'))).toEqual([]);
    // The scratch buffer (512 bytes at `scratch`) lies inside a loaded segment.
    const scratch = Number(meta.scratch_address);
    expect(program.segments.some((segment) => scratch >= segment.address && scratch + 512 <= segment.address + segment.memSize)).toBe(true);
  });

  it('copies p_filesz bytes from p_offset and zero-fills to p_memsz, without the file headers before the first section', () => {
    const bytes = gnuElf();
    const view = new DataView(bytes.buffer);
    const phoff = view.getUint32(28, true);
    const shoff = view.getUint32(32, true);
    // Allocated (SHF_ALLOC = 2), non-empty sections, read from the section headers.
    const allocated = Array.from({ length: view.getUint16(48, true) }, (_, i) => shoff + i * 40)
      .filter((base) => (view.getUint32(base + 8, true) & 2) !== 0 && view.getUint32(base + 20, true) > 0)
      .map((base) => view.getUint32(base + 12, true));
    const program = readElf(bytes);
    const loads = Array.from({ length: view.getUint16(44, true) }, (_, i) => phoff + i * 32).filter((base) => view.getUint32(base, true) === 1);
    expect(program.segments).toEqual(
      loads.map((base) => {
        const address = view.getUint32(base + 8, true);
        const memSize = view.getUint32(base + 20, true);
        const first = Math.min(...allocated.filter((a) => a >= address && a < address + memSize));
        const skip = first - address;
        const offset = view.getUint32(base + 4, true);
        return { address: first, bytes: bytes.slice(offset + skip, offset + view.getUint32(base + 16, true)), memSize: memSize - skip };
      }),
    );
  });

  it('leaves out the ELF headers GNU ld maps below the code (e.g. at 0x7ffff000 for code at 0x80000000)', () => {
    // Rewrite the code segment of an assembled program the way ld -Ttext=0x80000000 lays it
    // out: from file offset 0, a page below the code, so the headers share the segment.
    const elf = writeElf(assemble('.globl _start\n_start: li a0, 7\n li a7, 93\n ecall\n').program!);
    const view = new DataView(elf.buffer);
    const load = view.getUint32(28, true); // the first program header is the code PT_LOAD
    expect(view.getUint32(load + 8, true)).toBe(0x8000_0000);
    const offset = view.getUint32(load + 4, true);
    view.setUint32(load + 4, 0, true);
    view.setUint32(load + 8, 0x8000_0000 - offset, true);
    view.setUint32(load + 12, 0x8000_0000 - offset, true);
    view.setUint32(load + 16, view.getUint32(load + 16, true) + offset, true);
    view.setUint32(load + 20, view.getUint32(load + 20, true) + offset, true);
    const [code] = readElf(elf).segments;
    expect(code.address).toBe(0x8000_0000);
    expect(Array.from(code.bytes.subarray(0, 4))).toEqual([0x13, 0x05, 0x70, 0x00]); // addi a0, zero, 7
  });

  const phoff = new DataView(gnuElf().buffer).getUint32(28, true);
  const MALFORMED: Array<[what: string, bytes: () => Uint8Array, message: string]> = [
    ['an empty file', () => new Uint8Array(0),
      'not an ELF file: it starts with nothing (the file is empty), not the ELF magic 7f 45 4c 46; pass an RV32 ELF executable'],
    ['a file with the wrong magic', () => new TextEncoder().encode('MZ\x90\x00 this is not ELF'),
      'not an ELF file: it starts with 4d 5a c2 90, not the ELF magic 7f 45 4c 46; pass an RV32 ELF executable'],
    ['an ELF64 file', () => patched((_, b) => { b[4] = 2; }),
      'ELF64 file: Lockstep Lab runs 32-bit RISC-V programs; build with -march=rv32im -mabi=ilp32'],
    ['an invalid class', () => patched((_, b) => { b[4] = 0; }),
      'invalid ELF class 0 (expected 1, ELF32): the file is damaged; rebuild it'],
    ['a big-endian file', () => patched((_, b) => { b[5] = 2; }),
      'big-endian ELF file: RISC-V programs are little-endian; build for little-endian RV32 (-march=rv32im -mabi=ilp32)'],
    ['a header cut short', () => gnuElf().slice(0, 40),
      'truncated ELF file: 40 bytes, too short for the 52-byte ELF header; the file is damaged, rebuild it'],
    ['an x86-64 program', () => patched((v) => v.setUint16(18, 62, true)),
      'not a RISC-V program: e_machine is 62 (x86-64), expected 243 (RISC-V); build with a RISC-V toolchain, e.g. riscv64-unknown-elf-gcc -march=rv32im -mabi=ilp32'],
    ['an unknown machine', () => patched((v) => v.setUint16(18, 4321, true)),
      'not a RISC-V program: e_machine is 4321, expected 243 (RISC-V); build with a RISC-V toolchain, e.g. riscv64-unknown-elf-gcc -march=rv32im -mabi=ilp32'],
    ['a relocatable object', () => patched((v) => v.setUint16(16, 1, true)),
      'not an executable: e_type is 1 (ET_REL, a relocatable object file: link it into an executable, e.g. with riscv64-unknown-elf-ld)'],
    ['a position-independent executable', () => patched((v) => v.setUint16(16, 3, true)),
      'not an executable: e_type is 3 (ET_DYN, a shared object or position-independent executable: link a static executable with -static -no-pie)'],
    ['program headers past the end', () => patched((v) => v.setUint32(28, 0x100000, true)),
      'truncated ELF file: the program headers end at byte 1048672 but the file has 4472 bytes; the file is damaged, rebuild it'],
    // Program header 0 is PT_RISCV_ATTRIBUTES; 1 is the code PT_LOAD (3004 bytes from offset 0).
    ['a segment past the end', () => gnuElf().slice(0, 2048),
      'truncated ELF file: segment 1 (PT_LOAD at 0x80000000) needs file bytes up to 3004 but the file has 2048 bytes; the file is damaged, rebuild it'],
    ['p_filesz larger than p_memsz', () => patched((v) => v.setUint32(phoff + 32 + 20, 4, true)),
      'invalid ELF file: segment 1 (PT_LOAD at 0x80000000) has p_filesz 3004 larger than p_memsz 4; the file is damaged, rebuild it'],
    ['no loadable segment', () => patched((v) => { for (let i = 0; i < v.getUint16(44, true); i++) v.setUint32(phoff + i * 32, 6, true); }),
      'ELF file has no loadable (PT_LOAD) segments: there is nothing to run; link the program into an executable'],
    ['section headers past the end', () => patched((v) => v.setUint32(32, 0x7ffffff0, true)),
      'truncated ELF file: the section headers end at byte 2147483912 but the file has 4472 bytes; the file is damaged, rebuild it'],
  ];

  it.each(MALFORMED)('rejects %s with one clear line', (_, bytes, message) => {
    expect(readError(bytes())).toBe(message);
  });
});

describe('an ELF whose header sets EF_RISCV_RVC (psABI: the file may contain compressed instructions)', () => {
  // riscv-tests' rv32mi-p-ma_fetch sets it for a few compressed instructions it never executes.
  it('loads as the same program, with one warning naming the file and the flags', () => {
    const plain = gnuElf();
    const flagged = patched((v) => v.setUint32(36, 0x5, true)); // EF_RISCV_RVC | EF_RISCV_FLOAT_ABI_SINGLE
    const warnings: string[] = [];
    const program = loadProgram(flagged, 'prog.elf', 'elf', (text) => warnings.push(text));
    expect(program).toEqual(readElf(plain));
    expect(warnings).toEqual([
      'prog.elf: warning: the ELF header sets EF_RISCV_RVC (e_flags 0x5): the program may contain compressed instructions, ' +
      'which this RV32IM machine (no C extension) executes as illegal instructions; build with -march=rv32im to leave them out\n',
    ]);
  });

  it('gives no warning when the flag is clear', () => {
    const warnings: string[] = [];
    loadProgram(gnuElf(), 'prog.elf', 'elf', (text) => warnings.push(text));
    expect(warnings).toEqual([]);
  });
});

describe('flatProgram', () => {
  const bytes = Uint8Array.from([0x13, 0, 0, 0, 0x73, 0, 0, 0]);

  it('loads the bytes at the start of RAM and enters there', () => {
    expect(flatProgram(bytes)).toEqual({ entry: 0x80000000, segments: [{ address: 0x80000000, bytes, memSize: 8 }], symbols: new Map() });
  });

  it('loads at a given base', () => {
    expect(flatProgram(bytes, 0x1000)).toEqual({ entry: 0x1000, segments: [{ address: 0x1000, bytes, memSize: 8 }], symbols: new Map() });
  });

  it('rejects an empty binary, a bad base, and a binary past 4 GiB', () => {
    expect(() => flatProgram(new Uint8Array(0))).toThrow(new ProgramError('empty program: the binary has no bytes to load'));
    expect(() => flatProgram(bytes, -4)).toThrow(new ProgramError('invalid load address -4: it must be a 32-bit address such as 0x80000000'));
    expect(() => flatProgram(bytes, 0xfffffffc)).toThrow(
      new ProgramError('binary of 8 bytes at 0xfffffffc runs past the end of the 32-bit address space; load it lower'),
    );
  });
});
