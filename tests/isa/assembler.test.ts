/**
 * Assembler behaviour beyond the shared cases. Expected bytes in `GNU_REFERENCE` were produced
 * by GNU as 2.40 and ld (`riscv64-unknown-elf-as -march=rv32im_zicsr_zifencei_zihintpause
 * -mabi=ilp32 -mno-relax`, linked with .text at 0x10000 and .data at 0x20000); the placement,
 * symbol and source-map expectations follow the rules documented in src/isa/assembler/assemble.ts.
 */

import { describe, expect, it } from 'vitest';
import { assemble, formatDiagnostics } from '../../src/isa/index.ts';

const hex = (bytes: Uint8Array | undefined) => Array.from(bytes ?? [], (byte) => byte.toString(16).padStart(2, '0')).join('');

const GNU_REFERENCE: Array<{ name: string; source: string; text: string; data: string }> = [
  {
    name: "expression precedence is GNU's: | & ^ bind tighter than + -",
    source: "li a0, 1 + 2 & 3\nli a1, (1 | 2) + 4 & 5\nli a2, 1 << 2 + 1\nli a3, 7 - 2 - 1\nli a4, 2 * 3 + 4 * 5",
    text:
      "130530009305700013065000930640001307a001",
    data:
      "",
  },
  {
    name: "division truncates toward zero; % takes the dividend's sign",
    source: "li a0, -7 / 2\nli a1, -7 % 2\nli a2, 100 / 7 % 5",
    text:
      "1305d0ff9305f0ff13064000",
    data:
      "",
  },
  {
    name: "unary operators, character constants, binary and octal numbers",
    source: "li a0, ~0 ^ 5\nli a1, !5\nli a2, !0\nli a3, 'A' + 1\nli a4, '\\n'\nli a5, 0b101\nli a6, 010\nli a7, -0x10",
    text:
      "1305a0ff9305000013061000930620041307a0009307500013088000930800ff",
    data:
      "",
  },
  {
    name: "li picks addi, lui or lui+addi by value",
    source: "li a0, 2047\nli a0, -2048\nli a0, 2048\nli a0, -2049\nli a0, 0x12345000\nli a0, 0x12345678\nli a0, 0x7fffffff\nli a0, 0x80000000\nli a0, 0xffffffff\nli a0, -0x80000000\nli a0, 0x800\nli a0, 0x7ffff800",
    text:
      "1305f07f13050080371500001305058037f5ffff1305f57f3755341237553412" +
      "13058567370500801305f5ff370500801305f0ff370500803715000013050580" +
      "3705008013050580",
    data:
      "",
  },
  {
    name: "li into x0 keeps its addi, as GNU as does",
    source: "li x0, 0x12345000\nli zero, 5000",
    text:
      "37503412130000003710000013008038",
    data:
      "",
  },
  {
    name: "%hi and %lo of an address",
    source: "lui a0, %hi(value)\naddi a0, a0, %lo(value)\nlw a1, %lo(value)(a0)\nsw a1, %lo(value+4)(a0)\n.data\n.word 1\nvalue: .word 2, 3",
    text:
      "3705020013054500832545002324b500",
    data:
      "010000000200000003000000",
  },
  {
    name: "%pcrel_hi and %pcrel_lo through a label",
    source: "nop\n1: auipc a0, %pcrel_hi(value)\naddi a0, a0, %pcrel_lo(1b)\n.Lhi: auipc t0, %pcrel_hi(value + 8)\nlw t1, %pcrel_lo(.Lhi)(t0)\n.data\n.zero 12\nvalue: .word 7",
    text:
      "1300000017050100130585009702010003a38200",
    data:
      "00000000000000000000000007000000",
  },
  {
    name: "numeric local labels: nearest definition backward or forward",
    source: "1: nop\nj 1b\nj 1f\n1: nop\n2: bnez a0, 2b\nbeqz a0, 1b\nbeqz a0, 2f\n2: j 2b",
    text:
      "130000006ff0dfff6f0040001300000063100500e30c05fe630205006f000000",
    data:
      "",
  },
  {
    name: "la and lla are pc-relative; a constant la is li",
    source: "la a0, value\nlla a1, value + 4\nla a2, 0x1234\n.data\nvalue: .word 1, 2",
    text:
      "1705010013050500970501009385c5ff3716000013064623",
    data:
      "0100000002000000",
  },
  {
    name: "loads and stores by symbol",
    source: "lw a0, value\nlbu a1, value + 3\nlh a2, value\nsw a0, value, t0\nsb a1, value + 1, t1\n.data\nvalue: .word 0x11223344",
    text:
      "17050100032505009705010083c5b5ff17060100031606ff9702010023a4a2fe" +
      "17030100a300b3fe",
    data:
      "44332211",
  },
  {
    name: "call and tail; call with a register goes through t1",
    source: "call far\ncall t0, far\ntail far\nfar: ret",
    text:
      "97000000e780800117030000e7020301170300006700830067800000",
    data:
      "",
  },
  {
    name: "jalr and jr forms",
    source: "jalr a1\njalr a0, a1\njalr a0, 4(a1)\njalr a0, a1, -8\njalr 12(a1)\njalr a1, 16\njr t0\njr 8(t0)\njr t0, -4\nret",
    text:
      "e78005006785050067854500678585ffe780c500e78005016780020067808200" +
      "6780c2ff67800000",
    data:
      "",
  },
  {
    name: "jal and branch aliases",
    source: "start: jal start\njal t0, start\nj start\nbgt a0, a1, start\nble a0, a1, start\nbgtu a0, a1, start\nbleu a0, a1, start\nbeqz a0, start\nbnez a0, start\nblez a0, start\nbgez a0, start\nbltz a0, start\nbgtz a0, start",
    text:
      "ef000000eff2dfff6ff09fffe3caa5fee3d8a5fee3e6a5fee3f4a5fee30205fe" +
      "e31005fee35ea0fce35c05fce34a05fce348a0fc",
    data:
      "",
  },
  {
    name: "register-register mnemonics with an immediate",
    source: "add a0, a1, 5\nand a0, a1, 0xff\nor a0, a1, -1\nxor a0, a1, 12\nslt a0, a1, -3\nsltu a0, a1, 9\nsll a0, a1, 3\nsrl a0, a1, 31\nsra a0, a1, 1",
    text:
      "1385550013f5f50f13e5f5ff13c5c50013a5d5ff13b595001395350013d5f501" +
      "13d51540",
    data:
      "",
  },
  {
    name: "ALU aliases",
    source: "mv a0, a1\nnot a0, a1\nneg a0, a1\nseqz a0, a1\nsnez a0, a1\nsltz a0, a1\nsgtz a0, a1\nsgt a0, a1, a2\nsgtu a0, a1, a2\nzext.b a0, a1\nnop\nunimp",
    text:
      "1385050013c5f5ff3305b04013b515003335b00033a505003325b0003325b600" +
      "3335b60013f5f50f13000000731000c0",
    data:
      "",
  },
  {
    name: "CSR instructions with names, numbers and immediates",
    source: "csrrw a0, mstatus, a1\ncsrrs a0, 0x340, a1\ncsrrc a0, mepc, a1\ncsrrwi a0, mtvec, 31\ncsrrsi a0, mie, 1\ncsrrci a0, mip, 2\ncsrrw a0, mscratch, 5\ncsrw mstatus, 8\ncsrs mie, 3\ncsrc mip, 4\ncsrw mtvec, a0\ncsrs mie, a1\ncsrc mip, a2\ncsrwi mscratch, 9\ncsrsi mstatus, 10\ncsrci mstatus, 11\ncsrr a0, mcause\ncsrr a1, mhpmcounter17h\ncsrr a2, pmpaddr63\ncsrr a3, mconfigptr",
    text:
      "7395053073a5053473b5153473d55f3073e540307375413473d5023473500430" +
      "73e04130737042347310553073a045307330463473d004347360053073f00530" +
      "73252034f32510b97326f03ef32650f1",
    data:
      "",
  },
  {
    name: "counter pseudo-instructions",
    source: "rdcycle a0\nrdcycleh a1\nrdtime a2\nrdtimeh a3\nrdinstret a4\nrdinstreth a5",
    text:
      "732500c0f32500c8732610c0f32610c8732720c0f32720c8",
    data:
      "",
  },
  {
    name: "fences and system instructions",
    source: "fence\nfence rw, rw\nfence iorw, o\nfence i, r\nfence.tso\nfence.i\npause\necall\nebreak\nmret\nwfi",
    text:
      "0f00f00f0f0030030f00400f0f0020080f0030830f1000000f00000173000000" +
      "730010007300203073005010",
    data:
      "",
  },
  {
    name: "data directives and their sizes",
    source: ".data\n.byte 1, -1, 255, -255\n.half 0x1234, -2\n.short 3\n.2byte 4\n.word 0x12345678, -1\n.long 5\n.4byte 6\n.dword 0x123456789abcdef0\n.quad -2\n.8byte 7",
    text:
      "",
    data:
      "01ffff013412feff0300040078563412ffffffff0500000006000000f0debc9a" +
      "78563412feffffffffffffff0700000000000000",
  },
  {
    name: "strings and escapes",
    source: ".data\n.ascii \"ab\", \"c\"\n.asciz \"\\t\\n\\r\\\\\\\"\"\n.string \"\\101\\x42\\0\"\n.string \"\\b\\f\\'\"",
    text:
      "",
    data:
      "616263090a0d5c220041420000080c2700",
  },
  {
    name: "zero, space and skip",
    source: ".data\n.byte 1\n.zero 3\n.space 2\n.space 2, 0xab\n.skip 1, 7\n.byte 2",
    text:
      "",
    data:
      "010000000000abab0702",
  },
  {
    name: "alignment: .align and .p2align are powers of two, .balign is bytes",
    source: ".data\n.byte 1\n.align 2\n.byte 2\n.p2align 3, 0xee\n.byte 3\n.balign 4, 0xdd\n.byte 4\n.p2align 3, 0xcc, 2\n.byte 5\n.balign 16, 0xbb, 15\n.byte 6",
    text:
      "",
    data:
      "0100000002eeeeee03dddddd0405bbbb06",
  },
  {
    name: "alignment in .text pads with nops, and the end of .text too",
    source: "nop\n.align 4\naddi a0, a0, 1\n.balign 8\n.byte 1\n.align 3\nnop",
    text:
      "1300000013000000130000001300000013051500130000000100010013000000" +
      "13000000130000001300000013000000",
    data:
      "",
  },
  {
    name: "symbols: .equ, .set, =, redefinition, forward references in data",
    source: ".equ A, 5\n.set B, A * 2\nC = B + 1\nli a0, A\nli a1, B\nli a2, C\n.set B, 100\nli a3, B\n.data\n.word LATER, B, C\n.equ LATER, 0x1000 + A",
    text:
      "130550009305a0001306b00093064006",
    data:
      "05100000640000000b000000",
  },
  {
    name: "label arithmetic and the location counter",
    source: "start: nop\nnop\nend: j .\nbeqz a0, . + 8\nbnez a0, . - 4\n.data\nbegin: .word end - start, ., begin, end + 4\n.byte . - begin\nfin:\n.half fin - begin",
    text:
      "13000000130000006f00000063040500e31e05fe",
    data:
      "0800000004000200000002000c000100101100",
  },
  {
    name: "comments, statement separators and case-insensitive mnemonics",
    source: "# comment line\nADDI a0, a0, 1 # trailing\n/* block */ nop ; nop\nNop /* a\nmulti-line comment */ ; Li a1, 2\n.WORD 0x1234",
    text:
      "130515001300000013000000130000009305200034120000",
    data:
      "",
  },
  {
    name: "accepted directives that emit nothing",
    source: ".file \"x.c\"\n.ident \"GCC\"\n.option push\n.option norelax\n.option relax\n.option norvc\n.option nopic\n.option pop\n.attribute unaligned_access, 0\n.globl f\n.global g\n.local h\n.type f, @function\n.type g, %object\n.type h, \"function\"\nf: g: h: nop\n.size f, . - f\n.size g, 4",
    text:
      "13000000",
    data:
      "",
  },
];

describe('matches GNU as', () => {
  it.each(GNU_REFERENCE.map((entry) => [entry.name, entry] as const))('%s', (_, entry) => {
    const result = assemble(entry.source, { textBase: 0x10000, dataBase: 0x20000 });
    expect(formatDiagnostics(result.diagnostics)).toBe('');
    expect(hex(result.sections.find((section) => section.name === '.text')?.bytes)).toBe(entry.text);
    expect(hex(result.sections.find((section) => section.name === '.data')?.bytes)).toBe(entry.data);
  });
});

describe('sections', () => {
  const source = [
    '  .text',
    '  nop',
    '  nop',
    '  nop',
    '  .section .rodata',
    '  .ascii "hello"',
    '  .data',
    '  .word 7',
    '  .bss',
    '  .zero 8',
  ].join('\n');

  it('are placed by default at 0x80000000, then .rodata on 16 bytes, .data on the next page, .bss on 16 bytes', () => {
    const result = assemble(source);
    expect(result.ok).toBe(true);
    expect(result.sections.map(({ name, address, size }) => ({ name, address, size }))).toEqual([
      { name: '.text', address: 0x80000000, size: 12 },
      { name: '.rodata', address: 0x80000010, size: 5 },
      { name: '.data', address: 0x80001000, size: 4 },
      { name: '.bss', address: 0x80001010, size: 8 },
    ]);
    expect(result.sections.find((section) => section.name === '.bss')!.bytes).toHaveLength(0);
  });

  it('become one Program segment per 4 KiB page run, with .bss as zero fill', () => {
    const program = assemble(source).program!;
    expect(program.segments).toEqual([
      {
        address: 0x80000000,
        bytes: Uint8Array.from([0x13, 0, 0, 0, 0x13, 0, 0, 0, 0x13, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode('hello')]),
        memSize: 21,
      },
      { address: 0x80001000, bytes: Uint8Array.from([7, 0, 0, 0]), memSize: 24 },
    ]);
  });

  it('take the text and data bases from the options', () => {
    const result = assemble('nop\n.data\n.byte 1', { textBase: 0x1000, dataBase: 0x4000 });
    expect(result.sections.map((section) => [section.name, section.address])).toEqual([['.text', 0x1000], ['.data', 0x4000]]);
  });

  it('always include .text and .data, and .rodata and .bss only when they hold something', () => {
    expect(assemble('').sections.map((section) => section.name)).toEqual(['.text', '.data']);
    expect(assemble('.bss\n.section .rodata').sections.map((section) => section.name)).toEqual(['.text', '.data']);
  });

  it('map .section names by prefix and by flags; unloaded sections are dropped', () => {
    const result = assemble([
      '.section .text.startup, "ax", @progbits',
      'nop',
      '.section .data.rel, "aw"',
      '.word 1',
      '.section .sdata',
      '.word 2',
      '.section .tohost, "aw", @progbits',
      '.word 3',
      '.section .rodata.str1.1',
      '.byte 4',
      '.section .sbss',
      '.zero 2',
      '.section .mine, "a"',
      '.byte 5',
      '.section .note.GNU-stack, "", @progbits',
      '.word 6',
    ].join('\n'));
    expect(formatDiagnostics(result.diagnostics)).toBe('');
    const contents = Object.fromEntries(result.sections.map((section) => [section.name, hex(section.bytes) || section.size]));
    expect(contents).toEqual({ '.text': '13000000', '.rodata': '0405', '.data': '010000000200000003000000', '.bss': 2 });
  });
});

describe('symbols, entry point and source map', () => {
  const source = [
    '  .globl main',               // 1
    '  .type main, @function',     // 2
    'helper:',                     // 3
    '  ret',                       // 4
    'main:',                       // 5
    '  li a0, 0x12345678',         // 6
    '.Llocal:',                    // 7
    '1: call helper',              // 8
    '  .size main, . - main',      // 9
    '  .data',                     // 10
    'table: .word 1, 2',           // 11
    '  .equ COUNT, 2',             // 12
  ].join('\n');

  it('lists labels with their section, binding, type and size, but not .L, numeric labels or constants', () => {
    const result = assemble(source, { textBase: 0x10000, dataBase: 0x20000 });
    expect(result.symbols).toEqual([
      { name: 'helper', address: 0x10000, section: '.text', global: false, type: 'notype', size: 0 },
      { name: 'main', address: 0x10004, section: '.text', global: true, type: 'function', size: 16 },
      { name: 'table', address: 0x20000, section: '.data', global: false, type: 'notype', size: 0 },
    ]);
    expect([...result.program!.symbols]).toEqual([['helper', 0x10000], ['main', 0x10004], ['table', 0x20000]]);
  });

  it('enters at the start of .text without _start', () => {
    expect(assemble(source, { textBase: 0x10000 }).entry).toBe(0x10000);
  });

  it('enters at _start when it is defined', () => {
    const result = assemble('nop\n_start: nop', { textBase: 0x10000 });
    expect(result.entry).toBe(0x10004);
    expect(result.program!.entry).toBe(0x10004);
  });

  it('maps every instruction address, including each word of an expansion, to its line', () => {
    const result = assemble(source, { file: 'main.s', textBase: 0x10000, dataBase: 0x20000 });
    expect([...result.sourceMap]).toEqual([
      [0x10000, { file: 'main.s', line: 4 }],
      [0x10004, { file: 'main.s', line: 6 }],
      [0x10008, { file: 'main.s', line: 6 }],
      [0x1000c, { file: 'main.s', line: 8 }],
      [0x10010, { file: 'main.s', line: 8 }],
    ]);
    expect(result.program!.sourceMap).toBe(result.sourceMap);
  });
});

describe('results', () => {
  it('are ok with warnings only, and keep the warnings', () => {
    const result = assemble('.data\n.byte 256');
    expect(result.ok).toBe(true);
    expect(result.diagnostics.map((diagnostic) => diagnostic.severity)).toEqual(['warning']);
    expect(hex(result.sections.find((section) => section.name === '.data')!.bytes)).toBe('00');
  });

  it('have no program when there is an error, but still the sections', () => {
    const result = assemble('nop\nbogus');
    expect(result.ok).toBe(false);
    expect(result.program).toBeUndefined();
    expect(hex(result.sections[0].bytes)).toBe('13000000');
  });

  it('accept CRLF and CR line ends', () => {
    const result = assemble('nop\r\naddi a0, a0, 1\rret', { textBase: 0 });
    expect(hex(result.sections[0].bytes)).toBe('130000001305150067800000');
    expect([...result.sourceMap.values()].map((location) => location.line)).toEqual([1, 2, 3]);
  });
});
