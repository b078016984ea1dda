/**
 * Assembler output against GNU as, case by case, for behaviour an audit found different. Every
 * expected `text`/`data` below is GNU as 2.40 output, recorded as produced by
 *
 *     riscv64-unknown-elf-as -march=rv32im_zicsr -mabi=ilp32 -mno-relax -mno-arch-attr
 *     riscv64-unknown-elf-ld -m elf32lriscv --no-relax -Ttext=0x10000 -Tdata=0x20000
 *     riscv64-unknown-elf-objcopy -O binary --only-section=.text (and .data)
 *
 * (-Tdata=0x10100 where a case gives `dataBase`), with each run of 16 or more zero bytes
 * written `<N zero bytes>`.
 */

import { describe, expect, it } from 'vitest';
import { assemble, formatDiagnostics } from '../../src/isa/index.ts';

/** Hex bytes, with runs of 16 or more zeros written `<N zero bytes>`. */
function squeeze(bytes: Uint8Array | undefined): string {
  let text = '';
  for (let i = 0; bytes && i < bytes.length; ) {
    let end = i;
    while (end < bytes.length && bytes[end] === 0) end++;
    if (end - i >= 16) {
      text += `<${end - i} zero bytes>`;
      i = end;
    } else {
      text += bytes[i++].toString(16).padStart(2, '0');
    }
  }
  return text;
}

const GNU_AS: Array<{ name: string; source: string; text: string; data: string; dataBase?: number }> = [
  {
    name: "a symbol in parentheses ends an expression, not a memory operand",
    source: ".equ MASK, 0xf0\n.equ SHIFT, 3\n.equ N, 5\nli a0, ~(MASK)\nli a1, 1 << (SHIFT)\nandi a0, a0, -(SHIFT)\naddi a0, a0, 4*(N)\nori a2, a2, (MASK) | (N)\nlw a0, 4*(SHIFT)(sp)\nsw a0, -(SHIFT)(sp)",
    text: "1305f0f0930580001375d5ff130545011366560f0325c100a32ea1fe",
    data: "",
  },
  {
    name: "%hi(x)+n and %lo(x)+n fold the addend into the relocation",
    source: "lui a0, %hi(d)+4\naddi a0, a0, %lo(d)+4\nlw a0, %lo(d)+4(a0)\nsw a0, %lo(d)-4(a0)\nlui a0, %HI(d) + 0x800\nlui a0, (%hi(d)+1)\nlui a1, %hi(C)+1\naddi a1, a1, %lo(C)-1\n.equ C, 0x12345\n.data\n.space 0x7fc\nd: .word 1",
    text: "371502001305058003250580232ca57e3715020037050200b725010093854534",
    data: "<2044 zero bytes>01000000",
  },
  {
    name: "far conditional branches become the opposite branch over a j, forward and backward",
    source: "back: beq a0, a1, far\nbnez a0, far\n.space 5000\nfar: bltu a0, a1, back\nbge a0, zero, back",
    text: "6314b5006f104039630405006f10c038<5000 zero bytes>6374b5006fe05fc6634405006fe0dfc5",
    data: "",
  },
  {
    name: "every conditional branch and alias inverts its condition when relaxed",
    source: "beq a0, a1, far\nbne a0, a1, far\nblt a0, a1, far\nbge a0, a1, far\nbltu a0, a1, far\nbgeu a0, a1, far\nbeqz a0, far\nbnez a0, far\nblez a0, far\nbgez a0, far\nbltz a0, far\nbgtz a0, far\nbgt a0, a1, far\nble a0, a1, far\nbgtu a0, a1, far\nbleu a0, a1, far\n.space 5000\nfar: ret",
    text: "6314b5006f1040406304b5006f10c03f6354b5006f10403f6344b5006f10c03e6374b5006f10403e6364b5006f10c03d631405006f10403d630405006f10c03c6344a0006f10403c634405006f10c03b635405006f10403b6354a0006f10c03a63d4a5006f10403a63c4a5006f10c03963f4a5006f10403963e4a5006f10c038<5000 zero bytes>67800000",
    data: "",
  },
  {
    name: "branch reach: +4092 and -4096 stay short, +4096 and -4100 do not",
    source: "a: beq a0, a1, b\n.space 4088\nb: beq a0, a1, c\n.space 4092\nc: beq a0, a1, a\nbeq a0, a1, b",
    text: "e30eb57e<4088 zero bytes>6314b5006f10<4094 zero bytes>6314b5006fd0dfff6314b5006fe01fff",
    data: "",
  },
  {
    name: "targets written relative to a label or to the branch itself",
    source: ".equ X, far\nbeq a0, a1, X\nbeq a0, a1, far + 4\nbeq a0, a1, . + 5000\nbeq a0, a1, . - 4096\n1: beq a0, a1, 1f\n.space 4092\n1: nop\n.space 5000\nfar: nop\nnop",
    text: "6314b5006f20803a6314b5006f20403a6314b5006f1040386300b5806314b5006f10<4094 zero bytes>13<5003 zero bytes>1300000013000000",
    data: "",
  },
  {
    name: "lengthening one branch can put another out of reach",
    source: "beq a0, a1, end\nbeq a0, a1, end\nbeq a0, a1, end\n.space 4084\nend: nop",
    text: "6314b5006f100000e30eb57ee30cb57e<4084 zero bytes>13000000",
    data: "",
  },
  {
    name: "an alignment between a branch and its target can absorb a lengthened branch",
    source: "beq a0, a1, far\nbne a0, a1, near\n.balign 16\n.space 4080\nnear: nop\n.space 5000\nfar: nop",
    text: "6314b5006f208038e31cb57e13<4083 zero bytes>13<5003 zero bytes>13000000",
    data: "",
  },
  {
    name: "when a branch reaches only if it stays short, GNU's choice depends on where it is",
    source: "beq a0, a1, 1f\n.space 4088\n1: nop\n.space 5000\nbeq a0, a1, 1f\n.space 4088\n1: nop",
    text: "e30eb57e<4088 zero bytes>13<5003 zero bytes>6314b5006f00d07f<4088 zero bytes>13000000",
    data: "",
  },
  {
    name: "a branch to a label in another section is always long",
    source: "beq a0, a1, d\nnop\n.data\nd: .word 1",
    text: "6314b5006f00c00f13000000",
    data: "01000000",
    dataBase: 0x10100,
  },
  {
    name: "alignment operands may be empty: default fill, and max-skip honoured",
    source: "nop\n.p2align 4,,8\nnop\n.balign 16,,4\nnop\n.balign 8,,\nnop\n.data\n.byte 1\n.balign 8,,7\n.byte 2\n.balign 8,,5\n.byte 3\n.p2align 3,,\n.byte 4\n.align\n.byte 5\n.p2align ,\n.byte 6",
    text: "1300000013000000130000001300000013000000130000001300000013000000",
    data: "01000000000000000203000000000000040506",
  },
  {
    name: "an empty fill after a trailing comma is 0; a max-skip of 0 or less is no limit",
    source: "nop\n.p2align 4,\nnop\n.data\n.byte 1\n.balign 4,0x12,\n.byte 2\n.balign 4,,0\n.byte 3\n.balign 4,,-1\n.byte 4\n.balign 8, 0x34, 0\n.byte 5",
    text: "1300000000000000000000000000000013000000130000001300000013000000",
    data: "0112121202000000030000000434343405",
  },
  {
    name: "in code, aligning to 4 bytes or less with the default fill pads nothing",
    source: "nop\n.byte 1\n.align 2\nnop\n.byte 2\n.balign 4\n.byte 3\n.align 2, 0x13\nnop\n.byte 4\n.align 3\nnop",
    text: "1300000001130000000203131300000004000100130000001300000013000000",
    data: "",
  },
  {
    name: "% after an operand is the remainder",
    source: ".equ N, 10\n.equ M, 3\n.data\n.word N%M, N %M, N% M, (N)%(M), 10%M",
    text: "",
    data: "0100000001000000010000000100000001000000",
  },
  {
    name: ".text ends on a 4-byte boundary, padded as code",
    source: "nop\n.byte 1",
    text: "1300000001000100",
    data: "",
  },
  {
    name: ".text padding after two bytes",
    source: "nop\n.half 1",
    text: "1300000001000100",
    data: "",
  },
  {
    name: ".text padding after three bytes",
    source: "nop\n.byte 1, 2, 3",
    text: "1300000001020300",
    data: "",
  },
  {
    name: ".text padding leaves .data alone",
    source: "nop\n.byte 1\n.data\n.byte 2",
    text: "1300000001000100",
    data: "02",
  },
  {
    name: "`. = expression` moves forward, filling with zeros",
    source: "nop\n. = . + 8\nnop\n. = 0x20\nnop\n.data\n.byte 1\n. = . + 3\n.byte 2\nx: . = x + 2\n.byte 3",
    text: "13000000000000000000000013<19 zero bytes>13000000",
    data: "0100000002000003",
  },
  {
    name: "a forward reference to a redefined symbol means its first definition",
    source: ".data\n.word N, M\n.equ N, 5\n.set M, N*2\n.word N\n.set N, 7\n.word N, M",
    text: "",
    data: "050000000a00000005000000070000000a000000",
  },
  {
    name: "a symbol defined in terms of a later one uses the definition in force",
    source: ".data\n.word A\n.equ B, N\n.word N\n.equ N, 5\n.set N, 7\n.word N, A, B\n.equ A, N",
    text: "",
    data: "0700000005000000070000000700000005000000",
  },
  {
    name: "unknown escapes stand for their character; \\x without digits is 0",
    source: ".data\n.ascii \"\\q\\e\\8\\9\\x\\X41\\xfff\\x1g\\1234\\a\\v\\z\"",
    text: "",
    data: "716508090041ff01675334610b7a",
  },
  {
    name: "octal escapes take three digits (8 and 9 too), modulo 256",
    source: ".data\n.ascii \"\\7\\77\\777\\400\\18\\99\"\n.ascii \"\\é\"",
    text: "",
    data: "073fff001051c3a9",
  },
  {
    name: "adjacent strings are one string",
    source: ".data\n.ascii \"a\" \"b\"\n.asciz \"c\" \"d\"\n.ascii \"e\"   \"f\", \"g\"\n.string \"h\" \"\"",
    text: "",
    data: "61626364006566676800",
  },
  {
    name: "character constants escape only b f n r t \\\\ \\' \\\"",
    source: ".data\n.byte '\\q, '\\8, '\\e, '\\a, '\\v, '\\0, '\\\\, '\\', '\\\", '\\b, '\\f, '\\n, '\\r, '\\t",
    text: "",
    data: "7138656176305c2722080c0a0d09",
  },
  {
    name: "local label numbers are read as numbers: 01: is label 1",
    source: "j 1f\n01: nop\nj 01b\nj 1b\n001: nop\nj 1b\n08: nop\nj 8b",
    text: "6f004000130000006ff0dfff6ff09fff130000006ff0dfff130000006ff0dfff",
    data: "",
  },
];

describe('matches GNU as 2.40 byte for byte', () => {
  it.each(GNU_AS.map((entry) => [entry.name, entry] as const))('%s', (_, entry) => {
    const result = assemble(entry.source, { textBase: 0x10000, dataBase: entry.dataBase ?? 0x20000 });
    expect(result.ok, formatDiagnostics(result.diagnostics)).toBe(true);
    expect(squeeze(result.sections.find((section) => section.name === '.text')?.bytes)).toBe(entry.text);
    expect(squeeze(result.sections.find((section) => section.name === '.data')?.bytes)).toBe(entry.data);
  });
});

describe('a conditional branch', () => {
  it('once relaxed, maps both of its instructions to its line', () => {
    const result = assemble('beq a0, a1, far\n.space 5000\nfar: ret', { file: 'far.s', textBase: 0x10000 });
    expect([...result.sourceMap]).toEqual([
      [0x10000, { file: 'far.s', line: 1 }],
      [0x10004, { file: 'far.s', line: 1 }],
      [0x11390, { file: 'far.s', line: 3 }],
    ]);
  });

  it('to a constant address stays short when it reaches, unlike in GNU as, so that disassembly assembles back', () => {
    // GNU as 2.40 makes both long: 6314b5006ff0dfff 6314b5006f10507f.
    const result = assemble('beq a0, a1, 0x10000\nbeq a0, a1, 0x12000', { textBase: 0x10000 });
    expect(squeeze(result.sections[0].bytes)).toBe('6300b500' + '6314b5006f10907f');
  });
});
