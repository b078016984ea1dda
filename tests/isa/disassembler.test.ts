/**
 * The disassembler against GNU objdump (binutils 2.40). Expected text is objdump's, with the
 * two differences documented in src/isa/disassembler.ts applied: targets are written `0x…`, and
 * `addi`/`slli`/`csrrwi`… keep their names instead of 2.40's `add`/`sll`/`csrrw` aliases.
 */

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { assemble, disassemble, disassembleListing, readElf, SymbolIndex, writeElf } from '../../src/isa/index.ts';

/** GNU-assembled words at their addresses, and `objdump -d`'s text for them. */
const OBJDUMP: Array<[word: number, pc: number, text: string]> = [
  [0x12345537, 0x80000000, 'lui\ta0,0x12345'],
  [0xffffffb7, 0x80000004, 'lui\tt6,0xfffff'],
  [0x00001117, 0x80000008, 'auipc\tsp,0x1'],
  [0x1a40006f, 0x8000000c, 'j\t0x800001b0'],
  [0x1a0000ef, 0x80000010, 'jal\t0x800001b0'],
  [0x19c002ef, 0x80000014, 'jal\tt0,0x800001b0'],
  [0xfe9ff56f, 0x80000018, 'jal\ta0,0x80000000'],
  [0x00008067, 0x8000001c, 'ret'],
  [0x00058067, 0x80000020, 'jr\ta1'],
  [0x00828067, 0x80000024, 'jr\t8(t0)'],
  [0x000600e7, 0x80000028, 'jalr\ta2'],
  [0xffc600e7, 0x8000002c, 'jalr\t-4(a2)'],
  [0x00058567, 0x80000030, 'jalr\ta0,a1'],
  [0x7ff58567, 0x80000034, 'jalr\ta0,2047(a1)'],
  [0x16b50c63, 0x80000038, 'beq\ta0,a1,0x800001b0'],
  [0x16050a63, 0x8000003c, 'beqz\ta0,0x800001b0'],
  [0x16a00863, 0x80000040, 'beq\tzero,a0,0x800001b0'],
  [0x16049663, 0x80000044, 'bnez\ts1,0x800001b0'],
  [0xfb249ce3, 0x80000048, 'bne\ts1,s2,0x80000000'],
  [0x16054263, 0x8000004c, 'bltz\ta0,0x800001b0'],
  [0x16a04063, 0x80000050, 'bgtz\ta0,0x800001b0'],
  [0x14b54e63, 0x80000054, 'blt\ta0,a1,0x800001b0'],
  [0x14a05c63, 0x80000058, 'blez\ta0,0x800001b0'],
  [0x14055a63, 0x8000005c, 'bgez\ta0,0x800001b0'],
  [0x14b55863, 0x80000060, 'bge\ta0,a1,0x800001b0'],
  [0x1462e663, 0x80000064, 'bltu\tt0,t1,0x800001b0'],
  [0xf862fce3, 0x80000068, 'bgeu\tt0,t1,0x80000000'],
  [0xfff10503, 0x8000006c, 'lb\ta0,-1(sp)'],
  [0x00211583, 0x80000070, 'lh\ta1,2(sp)'],
  [0x80042603, 0x80000074, 'lw\ta2,-2048(s0)'],
  [0x7ff1c683, 0x80000078, 'lbu\ta3,2047(gp)'],
  [0x00025703, 0x8000007c, 'lhu\ta4,0(tp)'],
  [0xfea10fa3, 0x80000080, 'sb\ta0,-1(sp)'],
  [0x00b11123, 0x80000084, 'sh\ta1,2(sp)'],
  [0x80c42023, 0x80000088, 'sw\ta2,-2048(s0)'],
  [0x00000013, 0x8000008c, 'nop'],
  [0xffb00513, 0x80000090, 'li\ta0,-5'],
  [0x00058513, 0x80000094, 'mv\ta0,a1'],
  [0x06458513, 0x80000098, 'addi\ta0,a1,100'],
  [0xff010113, 0x8000009c, 'addi\tsp,sp,-16'],
  [0xfff5a513, 0x800000a0, 'slti\ta0,a1,-1'],
  [0x0015b513, 0x800000a4, 'seqz\ta0,a1'],
  [0x0055b513, 0x800000a8, 'sltiu\ta0,a1,5'],
  [0xfff5c513, 0x800000ac, 'not\ta0,a1'],
  [0x0ff5c513, 0x800000b0, 'xori\ta0,a1,255'],
  [0x7ff5e513, 0x800000b4, 'ori\ta0,a1,2047'],
  [0x0ff5f513, 0x800000b8, 'zext.b\ta0,a1'],
  [0x00f5f513, 0x800000bc, 'andi\ta0,a1,15'],
  [0x01f59513, 0x800000c0, 'slli\ta0,a1,0x1f'],
  [0x0015d513, 0x800000c4, 'srli\ta0,a1,0x1'],
  [0x4075d513, 0x800000c8, 'srai\ta0,a1,0x7'],
  [0x00c58533, 0x800000cc, 'add\ta0,a1,a2'],
  [0x40b00533, 0x800000d0, 'neg\ta0,a1'],
  [0x40c58533, 0x800000d4, 'sub\ta0,a1,a2'],
  [0x00c59533, 0x800000d8, 'sll\ta0,a1,a2'],
  [0x0005a533, 0x800000dc, 'sltz\ta0,a1'],
  [0x00b02533, 0x800000e0, 'sgtz\ta0,a1'],
  [0x00c5a533, 0x800000e4, 'slt\ta0,a1,a2'],
  [0x00b03533, 0x800000e8, 'snez\ta0,a1'],
  [0x00c5b533, 0x800000ec, 'sltu\ta0,a1,a2'],
  [0x00c5c533, 0x800000f0, 'xor\ta0,a1,a2'],
  [0x00c5d533, 0x800000f4, 'srl\ta0,a1,a2'],
  [0x40c5d533, 0x800000f8, 'sra\ta0,a1,a2'],
  [0x00c5e533, 0x800000fc, 'or\ta0,a1,a2'],
  [0x00c5f533, 0x80000100, 'and\ta0,a1,a2'],
  [0x02c58533, 0x80000104, 'mul\ta0,a1,a2'],
  [0x02c59533, 0x80000108, 'mulh\ta0,a1,a2'],
  [0x02c5a533, 0x8000010c, 'mulhsu\ta0,a1,a2'],
  [0x02c5b533, 0x80000110, 'mulhu\ta0,a1,a2'],
  [0x02c5c533, 0x80000114, 'div\ta0,a1,a2'],
  [0x02c5d533, 0x80000118, 'divu\ta0,a1,a2'],
  [0x02c5e533, 0x8000011c, 'rem\ta0,a1,a2'],
  [0x02c5f533, 0x80000120, 'remu\ta0,a1,a2'],
  [0x0ff0000f, 0x80000124, 'fence'],
  [0x0330000f, 0x80000128, 'fence\trw,rw'],
  [0x0840000f, 0x8000012c, 'fence\ti,o'],
  [0x8330000f, 0x80000130, 'fence.tso'],
  [0x0000100f, 0x80000134, 'fence.i'],
  // An empty FENCE set is `unknown` to objdump; PAUSE (0x0100000f) included.
  [0x0100000f, 0x80000134, 'fence\tw,unknown'],
  [0x0000000f, 0x80000134, 'fence\tunknown,unknown'],
  [0x0010000f, 0x80000134, 'fence\tunknown,w'],
  [0x00f0000f, 0x80000134, 'fence\tunknown,iorw'],
  [0x0f00000f, 0x80000134, 'fence\tiorw,unknown'],
  [0x00000073, 0x80000138, 'ecall'],
  [0x00100073, 0x8000013c, 'ebreak'],
  [0x30200073, 0x80000140, 'mret'],
  [0x10500073, 0x80000144, 'wfi'],
  [0xc0001073, 0x80000148, 'unimp'],
  [0xc0002573, 0x8000014c, 'rdcycle\ta0'],
  [0xc0102573, 0x80000150, 'rdtime\ta0'],
  [0xc0202573, 0x80000154, 'rdinstret\ta0'],
  [0xc8002573, 0x80000158, 'rdcycleh\ta0'],
  [0xc8102573, 0x8000015c, 'rdtimeh\ta0'],
  [0xc8202573, 0x80000160, 'rdinstreth\ta0'],
  [0x30002573, 0x80000164, 'csrr\ta0,mstatus'],
  [0x30002073, 0x80000168, 'csrr\tzero,mstatus'],
  [0x30452073, 0x8000016c, 'csrs\tmie,a0'],
  [0x3045a573, 0x80000170, 'csrrs\ta0,mie,a1'],
  [0x30551073, 0x80000174, 'csrw\tmtvec,a0'],
  [0x30559573, 0x80000178, 'csrrw\ta0,mtvec,a1'],
  [0x34453073, 0x8000017c, 'csrc\tmip,a0'],
  [0x3445b573, 0x80000180, 'csrrc\ta0,mip,a1'],
  [0x3402d073, 0x80000184, 'csrwi\tmscratch,5'],
  [0x3402d573, 0x80000188, 'csrrwi\ta0,mscratch,5'],
  [0x30046073, 0x8000018c, 'csrsi\tmstatus,8'],
  [0x30046573, 0x80000190, 'csrrsi\ta0,mstatus,8'],
  [0x30047073, 0x80000194, 'csrci\tmstatus,8'],
  [0x300ff573, 0x80000198, 'csrrci\ta0,mstatus,31'],
  [0x7c002573, 0x8000019c, 'csrr\ta0,0x7c0'],
  [0xf1402573, 0x800001a0, 'csrr\ta0,mhartid'],
  [0xb9f02573, 0x800001a4, 'csrr\ta0,mhpmcounter31h'],
  [0x3ef02573, 0x800001a8, 'csrr\ta0,pmpaddr63'],
  [0x00102573, 0x800001ac, 'csrr\ta0,fflags'],
  [0x00000013, 0x800001b0, 'nop'],
];

describe('disassemble', () => {
  it.each(OBJDUMP)('0x%s', (word, pc, text) => {
    expect(disassemble(word, pc)).toBe(text);
  });

  it('prints every word outside RV32IM + Zicsr as .word', () => {
    const undecodable: Array<[number, string]> = [
      [0x00000000, '.word\t0x00000000'],
      [0xffffffff, '.word\t0xffffffff'],
      [0x8000000f, '.word\t0x8000000f'], // FENCE with fm = 1000 that is not FENCE.TSO
      [0x00200073, '.word\t0x00200073'], // URET: not in the privileged ISA any more
      [0x10200073, '.word\t0x10200073'], // SRET: no supervisor mode
      [0x02000053, '.word\t0x02000053'], // F extension
      [0x0000500f, '.word\t0x0000500f'], // MISC-MEM, reserved funct3
      [0x04005033, '.word\t0x04005033'], // OP with an unassigned funct7
      [0x02051513, '.word\t0x02051513'], // SLLI with shamt[5] set: RV64 only
      [0x00000001, '.word\t0x00000001'], // low bits 01: a compressed instruction
    ];
    for (const [word, text] of undecodable) expect(disassemble(word, 0)).toBe(text);
  });

  it("assembles objdump's `unknown` fence sets back to the same word", () => {
    const words = [0x0100000f, 0x0000000f, 0x0010000f];
    const source = words.map((word) => disassemble(word, 0)).join('\n');
    const text = assemble(source).sections[0].bytes;
    expect(Array.from({ length: words.length }, (_, i) => new DataView(text.buffer, text.byteOffset).getUint32(4 * i, true))).toEqual(words);
  });

  it('names branch and jump targets after the nearest symbol at or before them', () => {
    const symbols = new Map([['_start', 0x80000000], ['loop', 0x80000010], ['data', 0x80001000]]);
    expect(disassemble(0x0000006f, 0x80000010, symbols)).toBe('j\t0x80000010 <loop>');
    expect(disassemble(0x00b50863, 0x80000000, symbols)).toBe('beq\ta0,a1,0x80000010 <loop>');
    expect(disassemble(0x00c000ef, 0x80000010, symbols)).toBe('jal\t0x8000001c <loop+0xc>');
    expect(disassemble(0xff1ff06f, 0x80000010, symbols)).toBe('j\t0x80000000 <_start>');
    expect(disassemble(0xffdff06f, 0x80000000, symbols)).toBe('j\t0x7ffffffc');
    // Only targets are annotated.
    expect(disassemble(0x00001517, 0x80000000, symbols)).toBe('auipc\ta0,0x1');
  });

  it('prefers the symbol listed last when several share an address, as ELF lists globals after locals', () => {
    const index = new SymbolIndex([['local_name', 0x100], ['global_name', 0x100]]);
    expect(disassemble(0x0000006f, 0x100, index)).toBe('j\t0x100 <global_name>');
  });
});

/** `objdump -d rv32im-pub-0000.elf` from its first line to a little past `body_start`. */
const CONFORMANCE_LISTING = [
  'Disassembly of section .text:',
  '',
  '80000094 <_start>:',
  '80000094:\t03c00093 \tli\tra,60',
  '80000098:\tf7d51137 \tlui\tsp,0xf7d51',
  '8000009c:\tf7210113 \taddi\tsp,sp,-142',
  '800000a0:\t0ff00193 \tli\tgp,255',
  '800000a4:\tdf44d237 \tlui\ttp,0xdf44d',
  '800000a8:\t5bb20213 \taddi\ttp,tp,1467',
  '800000ac:\tff400293 \tli\tt0,-12',
  '800000b0:\tc69c9337 \tlui\tt1,0xc69c9',
  '800000b4:\t2fb30313 \taddi\tt1,t1,763',
  '800000b8:\t00500393 \tli\tt2,5',
  '800000bc:\t00100413 \tli\ts0,1',
  '800000c0:\t02000493 \tli\ts1,32',
  '800000c4:\tfc800513 \tli\ta0,-56',
  '800000c8:\t00000593 \tli\ta1,0',
  '800000cc:\tffe00613 \tli\ta2,-2',
  '800000d0:\t02000693 \tli\ta3,32',
  '800000d4:\t02000713 \tli\ta4,32',
  '800000d8:\t50f637b7 \tlui\ta5,0x50f63',
  '800000dc:\t9c178793 \taddi\ta5,a5,-1599',
  '800000e0:\t71a29837 \tlui\ta6,0x71a29',
  '800000e4:\t92d80813 \taddi\ta6,a6,-1747',
  '800000e8:\t000108b7 \tlui\ta7,0x10',
  '800000ec:\t01f00913 \tli\ts2,31',
  '800000f0:\t7ff00993 \tli\ts3,2047',
  '800000f4:\t80000a37 \tlui\ts4,0x80000',
  '800000f8:\t001a0a13 \taddi\ts4,s4,1',
  '800000fc:\t08000a93 \tli\ts5,128',
  '80000100:\tfc85fb37 \tlui\ts6,0xfc85f',
  '80000104:\tb18b0b13 \taddi\ts6,s6,-1256',
  '80000108:\t80000bb7 \tlui\ts7,0x80000',
  '8000010c:\tfffb8b93 \taddi\ts7,s7,-1',
  '80000110:\t08000c13 \tli\ts8,128',
  '80000114:\t00001cb7 \tlui\ts9,0x1',
  '80000118:\t800c8c93 \taddi\ts9,s9,-2048',
  '8000011c:\t00100d13 \tli\ts10,1',
  '80000120:\tfd100d93 \tli\ts11,-47',
  '80000124:\t50c58e37 \tlui\tt3,0x50c58',
  '80000128:\t5fbe0e13 \taddi\tt3,t3,1531',
  '8000012c:\t0ff00f13 \tli\tt5,255',
  '80000130:\t02400f93 \tli\tt6,36',
  '80000134:\t00002e97 \tauipc\tt4,0x2',
  '80000138:\tb8ce8e93 \taddi\tt4,t4,-1140',
  '',
  '8000013c <body_start>:',
  '8000013c:\t00b03ab3 \tsnez\ts5,a1',
  '80000140:\tf62ed283 \tlhu\tt0,-158(t4)',
  '80000144:\t003d1333 \tsll\tt1,s10,gp',
  '80000148:\t01800f6f \tjal\tt5,0x80000160 <body_start+0x24>',
  '8000014c:\t01562233 \tslt\ttp,a2,s5',
  '80000150:\t026ba133 \tmulhsu\tsp,s7,t1',
  '80000154:\t00000013 \tnop',
  '80000158:\t0f4e8523 \tsb\ts4,234(t4)',
  '8000015c:\t01f98463 \tbeq\ts3,t6,0x80000164 <body_start+0x28>',
  '80000160:\t0277a7b3 \tmulhsu\ta5,a5,t2',
  '80000164:\t91582d17 \tauipc\ts10,0x91582',
  '80000168:\t0019f2b3 \tand\tt0,s3,ra',
];

describe('disassembleListing', () => {
  it('lists an ELF file as objdump -d does', () => {
    const elf = new Uint8Array(readFileSync(fileURLToPath(new URL('../../../shared/conformance/rv32im-pub-0000.elf', import.meta.url))));
    const listing = disassembleListing(elf).split('\n');
    expect(listing.slice(0, CONFORMANCE_LISTING.length)).toEqual(CONFORMANCE_LISTING);
  });

  it('lists an assembled program with its labels, from its ELF or from its Program', () => {
    const result = assemble(['_start:', '  li a0, 0', 'loop:', '  addi a0, a0, 1', '  bnez a0, loop', '  ret', '  .data', 'value: .word 1'].join('\n'));
    const expected = [
      'Disassembly of section .text:',
      '',
      '80000000 <_start>:',
      '80000000:\t00000513 \tli\ta0,0',
      '',
      '80000004 <loop>:',
      '80000004:\t00150513 \taddi\ta0,a0,1',
      '80000008:\tfe051ee3 \tbnez\ta0,0x80000004 <loop>',
      '8000000c:\t00008067 \tret',
      '',
    ].join('\n');
    expect(disassembleListing(writeElf(result))).toBe(expected);
    expect(disassembleListing(result.program!)).toBe(expected.replace('section .text', 'segment at 0x80000000'));
  });

  it('shows trailing bytes that do not make a word as .byte', () => {
    const program = readElf(writeElf({ entry: 0x1000, segments: [{ address: 0x1000, bytes: Uint8Array.from([0x13, 0, 0, 0, 0xaa, 0xbb]), memSize: 6 }], symbols: new Map() }));
    expect(disassembleListing(program)).toBe(
      ['Disassembly of segment at 0x1000:', '    1000:\t00000013 \tnop', '    1004:\taabb \t.byte\t0xaa,0xbb', ''].join('\n'),
    );
  });
});
