/**
 * Diagnostics: what a user sees for malformed programs, as exact text
 * (`file:line:column: severity: message`, the source line, a caret line).
 */

import { describe, expect, it } from 'vitest';
import { assemble, formatDiagnostic, formatDiagnostics } from '../../src/isa/index.ts';

const diagnose = (source: string) => formatDiagnostics(assemble(source, { file: 'prog.s' }).diagnostics);

const MALFORMED: Array<[what: string, source: string, expected: string]> = [
  [
    'unknown mnemonic, with the nearest one',
    '  adii a0, a0, 1',
    'prog.s:1:3: error: unknown instruction `adii`; did you mean `addi`?\n' +
    '  adii a0, a0, 1\n' +
    '  ^~~~',
  ],
  [
    'unknown register, with the nearest one',
    '  addi a9, a0, 1',
    'prog.s:1:8: error: unknown register `a9`; did you mean `a7`?\n' +
    '  addi a9, a0, 1\n' +
    '       ^~',
  ],
  [
    'a misspelt register in a register-only position',
    '  sub a0, a1, zer',
    'prog.s:1:15: error: unknown register `zer`; did you mean `zero`?\n' +
    '  sub a0, a1, zer\n' +
    '              ^~~',
  ],
  [
    'unknown register as a memory base',
    '  lw a0, 4(x32)',
    'prog.s:1:12: error: unknown register `x32`; did you mean `x31`?\n' +
    '  lw a0, 4(x32)\n' +
    '           ^~~',
  ],
  [
    'a misspelt memory base that is not shaped like a register',
    '  lw a0, 0(sq)',
    'prog.s:1:12: error: unknown register `sq`; did you mean `sp`?\n' +
    '  lw a0, 0(sq)\n' +
    '           ^~',
  ],
  [
    'an upper-case register, which GNU as rejects too',
    '  addi A0, a0, 1\n  lw a1, 0(SP)',
    'prog.s:1:8: error: unknown register `A0`; did you mean `a0`?\n' +
    '  addi A0, a0, 1\n' +
    '       ^~\n' +
    'prog.s:2:12: error: unknown register `SP`; did you mean `sp`?\n' +
    '  lw a1, 0(SP)\n' +
    '           ^~',
  ],
  [
    'operands without a comma between them, pointing where it belongs',
    '  addi a0 a0 1',
    'prog.s:1:10: error: expected `,` between operands `a0` and `a0`\n' +
    '  addi a0 a0 1\n' +
    '         ^',
  ],
  [
    'an unmatched closing parenthesis',
    '  lw a0, 0(sp))',
    'prog.s:1:15: error: unmatched `)`\n' +
    '  lw a0, 0(sp))\n' +
    '              ^',
  ],
  [
    'an empty operand of an instruction',
    '  addi a0, , 1',
    'prog.s:1:12: error: expected an operand before `,`\n' +
    '  addi a0, , 1\n' +
    '           ^',
  ],
  [
    'a multi-character constant',
    "  li a0, 'ab'",
    "prog.s:1:10: error: character constant `'ab'` has more than one character; use one character, or a string with .ascii\n" +
    "  li a0, 'ab'\n" +
    '         ^~~~',
  ],
  [
    'an escape GNU as does not know in a character constant (a warning: GNU reads the character)',
    "  li a0, '\\0'",
    "prog.s:1:10: warning: GNU as reads `'\\0` as the character `0` (48): character constants have only the escapes \\b \\f \\n \\r \\t \\\\ \\' \\\"\n" +
    "  li a0, '\\0'\n" +
    '         ^~~~',
  ],
  [
    'a string in .byte, which GNU as rejects too',
    '  .byte "a"',
    'prog.s:1:9: error: .byte takes numbers, not a string (GNU as rejects it too): use .ascii for a string, or a character constant such as \'a\'\n' +
    '  .byte "a"\n' +
    '        ^~~',
  ],
  [
    'a missing data value (a warning: GNU as assumes zero)',
    '  .word 1,,2',
    'prog.s:1:11: warning: missing value: zero assumed, as GNU as does\n' +
    '  .word 1,,2\n' +
    '          ^',
  ],
  [
    'a relocation function that does not begin the operand',
    '  lui a0, 4 + %hi(x)',
    'prog.s:1:15: error: `%hi` must begin the operand: write `%hi(x + n)`, not `n + %hi(x)`\n' +
    '  lui a0, 4 + %hi(x)\n' +
    '              ^~~',
  ],
  [
    'moving the location counter backwards',
    '  nop\n  . = . - 4',
    'prog.s:2:7: error: `. =` cannot move the location counter backwards, from offset 4 to 0 of .text\n' +
    '  . = . - 4\n' +
    '      ^~~~~',
  ],
  [
    'a local label reference whose leading 0 makes it octal',
    '  j 010b\n8: nop',
    'prog.s:1:5: error: local label `8` is not defined before `010b` (a leading 0 makes the number octal)\n' +
    '  j 010b\n' +
    '    ^~~~',
  ],
  [
    'immediate out of range, naming the range',
    '\taddi a0, a0, 5000',
    'prog.s:1:15: error: immediate 5000 out of range for addi: must be in [-2048, 2047]\n' +
    '\taddi a0, a0, 5000\n' +
    '\t             ^~~~',
  ],
  [
    'lui immediate out of range',
    '  lui a0, -1',
    'prog.s:1:11: error: immediate -1 out of range for lui: must be in [0, 1048575]\n' +
    '  lui a0, -1\n' +
    '          ^~',
  ],
  [
    'shift amount out of range',
    '  slli a0, a0, 32',
    'prog.s:1:16: error: shift amount 32 out of range for slli: must be in [0, 31]\n' +
    '  slli a0, a0, 32\n' +
    '               ^~',
  ],
  [
    'CSR immediate out of range',
    '  csrrwi a0, mstatus, 32',
    'prog.s:1:23: error: immediate 32 out of range for csrrwi: must be in [0, 31]\n' +
    '  csrrwi a0, mstatus, 32\n' +
    '                      ^~',
  ],
  [
    'immediate found out of range only once a later constant is known',
    '  addi a0, a0, BIG\n  .equ BIG, 4096',
    'prog.s:1:16: error: immediate 4096 out of range for addi: must be in [-2048, 2047]\n' +
    '  addi a0, a0, BIG\n' +
    '               ^~~',
  ],
  [
    'li value that fits in neither 32-bit signed nor unsigned',
    '  li a0, 0x100000000',
    'prog.s:1:10: error: immediate 4294967296 out of range for li: must be in [-2147483648, 4294967295]\n' +
    '  li a0, 0x100000000\n' +
    '         ^~~~~~~~~~~',
  ],
  [
    'branch target out of range even for a far branch, naming the range',
    '  beq a0, a1, far\n  .space 0x100000\nfar: nop',
    'prog.s:1:15: error: branch target out of range for beq, even as a far branch (the opposite branch over a `j`): ' +
    'offset 1048580 from the `j` must be in [-1048576, 1048574]\n' +
    '  beq a0, a1, far\n' +
    '              ^~~',
  ],
  [
    'odd branch target',
    '  bnez a0, 0x80000001',
    'prog.s:1:12: error: branch target for bnez is not 2-byte aligned: offset 1 is odd\n' +
    '  bnez a0, 0x80000001\n' +
    '           ^~~~~~~~~~',
  ],
  [
    'undefined label',
    '  j nowhere',
    'prog.s:1:5: error: undefined label `nowhere`\n' +
    '  j nowhere\n' +
    '    ^~~~~~~',
  ],
  [
    'undefined label, with the nearest defined one',
    'loop: nop\n  bnez a0, lop',
    'prog.s:2:12: error: undefined label `lop`; did you mean `loop`?\n' +
    '  bnez a0, lop\n' +
    '           ^~~',
  ],
  [
    'undefined numeric local label',
    '  j 1f',
    'prog.s:1:5: error: undefined label `1f`\n' +
    '  j 1f\n' +
    '    ^~',
  ],
  [
    'backward reference to a numeric label never defined',
    '  j 2b',
    'prog.s:1:5: error: local label `2` is not defined before `2b`\n' +
    '  j 2b\n' +
    '    ^~',
  ],
  [
    'duplicate label, naming both lines',
    'loop:\n  nop\nloop: nop',
    'prog.s:3:1: error: duplicate label `loop`: first defined on line 1\n' +
    'loop: nop\n' +
    '^~~~',
  ],
  [
    'label with the name of a constant',
    'SIZE = 4\nSIZE: nop',
    'prog.s:2:1: error: label `SIZE` has the name of the constant defined on line 1\n' +
    'SIZE: nop\n' +
    '^~~~',
  ],
  [
    'unknown directive, with the nearest one',
    '  .wrod 5',
    'prog.s:1:3: error: unknown directive `.wrod`; did you mean `.word`?\n' +
    '  .wrod 5\n' +
    '  ^~~~~',
  ],
  [
    '.option rvc',
    '  .option rvc',
    'prog.s:1:11: error: compressed instructions are not supported: Lockstep Lab runs RV32IM without the C extension, so `.option rvc` cannot be used\n' +
    '  .option rvc\n' +
    '          ^~~',
  ],
  [
    'compressed instruction',
    '  c.addi a0, 1',
    'prog.s:1:3: error: compressed instruction `c.addi` is not supported: Lockstep Lab runs RV32IM without the C extension\n' +
    '  c.addi a0, 1\n' +
    '  ^~~~~~',
  ],
  [
    'unbalanced .option pop',
    '.option pop',
    'prog.s:1:9: error: `.option pop` without a matching `.option push`\n' +
    '.option pop\n' +
    '        ^~~',
  ],
  [
    'missing operand',
    '  addi a0, a0',
    'prog.s:1:14: error: missing operand for addi: expected `addi rd, rs, imm`\n' +
    '  addi a0, a0\n' +
    '             ^',
  ],
  [
    'missing operand of a mnemonic with several forms',
    '  jal',
    'prog.s:1:6: error: missing operand for jal: expected one of `jal label`, `jal rd, label`\n' +
    '  jal\n' +
    '     ^',
  ],
  [
    'extra operand',
    '  add a0, a1, a2, a3',
    'prog.s:1:19: error: too many operands for add: expected one of `add rd, rs1, rs2`, `add rd, rs, imm`\n' +
    '  add a0, a1, a2, a3\n' +
    '                  ^~',
  ],
  [
    'operand of the wrong kind',
    '  lw a0, a1',
    'prog.s:1:10: error: expected a memory operand `offset(register)` for operand 2 of lw, found register `a1`\n' +
    '  lw a0, a1\n' +
    '         ^~',
  ],
  [
    'trailing comma',
    '  addi a0, a0,',
    'prog.s:1:15: error: expected an operand after `,`\n' +
    '  addi a0, a0,\n' +
    '              ^',
  ],
  [
    'bad expression',
    '  li a0, 3 + * 4',
    'prog.s:1:14: error: expected an expression, found `*`\n' +
    '  li a0, 3 + * 4\n' +
    '             ^',
  ],
  [
    'unclosed parenthesis',
    '  addi a0, a0, %lo(x',
    'prog.s:1:19: error: missing `)` to close this `(`\n' +
    '  addi a0, a0, %lo(x\n' +
    '                  ^',
  ],
  [
    'division by zero',
    '  li a0, 1/0',
    'prog.s:1:10: error: division by zero\n' +
    '  li a0, 1/0\n' +
    '         ^~~',
  ],
  [
    'invalid number',
    '  li a0, 09',
    'prog.s:1:10: error: invalid number `09`\n' +
    '  li a0, 09\n' +
    '         ^~',
  ],
  [
    'li of a label',
    '  li a0, done\ndone: ret',
    'prog.s:1:10: error: li needs a constant, but `done` is not defined before this line; define it earlier with .equ, or use `la` for a label\n' +
    '  li a0, done\n' +
    '         ^~~~',
  ],
  [
    'unterminated string',
    '  .ascii "abc',
    'prog.s:1:10: error: unterminated string: missing closing `"`\n' +
    '  .ascii "abc\n' +
    '         ^~~~',
  ],
  [
    'unterminated block comment',
    '  nop /* to be\n  continued',
    'prog.s:1:7: error: unterminated comment: missing `*/`\n' +
    '  nop /* to be\n' +
    '      ^~',
  ],
  [
    'unknown CSR, with the nearest one',
    '  csrr a0, mstatu',
    'prog.s:1:12: error: unknown CSR `mstatu`; did you mean `mstatus`?\n' +
    '  csrr a0, mstatu\n' +
    '           ^~~~~~',
  ],
  [
    'fence set out of order',
    '  fence wr, rw',
    'prog.s:1:9: error: invalid fence set `wr`: use the letters i, o, r, w in that order, e.g. `rw`\n' +
    '  fence wr, rw\n' +
    '        ^~',
  ],
  [
    'instruction in .bss',
    '  .bss\n  nop',
    'prog.s:2:3: error: instructions cannot go in .bss, which holds only zeros; switch to .text first\n' +
    '  nop\n' +
    '  ^~~',
  ],
  [
    'symbol defined in terms of itself',
    '  .equ A, B\n  .equ B, A\n  .word A',
    'prog.s:3:9: error: symbol `A` is defined in terms of itself\n' +
    '  .word A\n' +
    '        ^',
  ],
  [
    'data value truncated (a warning, as in GNU as)',
    '  .byte 300',
    'prog.s:1:9: warning: value 300 does not fit in .byte: truncated to 0x2c\n' +
    '  .byte 300\n' +
    '        ^~~',
  ],
  [
    'several errors in one file are all reported, in line order',
    [
      '_start:',
      '  addi a0, a0, 1',
      '  jal missing',
      '  addi t7, t0, 1',
      '  .wrod 1',
      '  beq a0, a1',
      '  li a0, 99999999999',
      '_start: ret',
    ].join('\n'),
    'prog.s:3:7: error: undefined label `missing`\n' +
    '  jal missing\n' +
    '      ^~~~~~~\n' +
    'prog.s:4:8: error: unknown register `t7`; did you mean `t6`?\n' +
    '  addi t7, t0, 1\n' +
    '       ^~\n' +
    'prog.s:5:3: error: unknown directive `.wrod`; did you mean `.word`?\n' +
    '  .wrod 1\n' +
    '  ^~~~~\n' +
    'prog.s:6:13: error: missing operand for beq: expected `beq rs1, rs2, label`\n' +
    '  beq a0, a1\n' +
    '            ^\n' +
    'prog.s:7:10: error: immediate 99999999999 out of range for li: must be in [-2147483648, 4294967295]\n' +
    '  li a0, 99999999999\n' +
    '         ^~~~~~~~~~~\n' +
    'prog.s:8:1: error: duplicate label `_start`: first defined on line 1\n' +
    '_start: ret\n' +
    '^~~~~~',
  ],
];

describe('diagnostics for malformed programs', () => {
  it.each(MALFORMED)('%s', (_, source, expected) => {
    expect(diagnose(source)).toBe(expected);
  });

  it('report every error of a statement with several bad operands', () => {
    expect(diagnose('  sub t7, 5, zer\n  csrrwi a0, 0x1000, 32')).toBe(
      'prog.s:1:7: error: unknown register `t7`; did you mean `t6`?\n' +
      '  sub t7, 5, zer\n' +
      '      ^~\n' +
      'prog.s:1:11: error: expected a register for operand 2 of sub, found `5`\n' +
      '  sub t7, 5, zer\n' +
      '          ^\n' +
      'prog.s:1:14: error: unknown register `zer`; did you mean `zero`?\n' +
      '  sub t7, 5, zer\n' +
      '             ^~~\n' +
      'prog.s:2:14: error: CSR number 4096 out of range: must be in [0, 4095]\n' +
      '  csrrwi a0, 0x1000, 32\n' +
      '             ^~~~~~\n' +
      'prog.s:2:22: error: immediate 32 out of range for csrrwi: must be in [0, 31]\n' +
      '  csrrwi a0, 0x1000, 32\n' +
      '                     ^~',
    );
  });

  it('report an undefined symbol of a two-instruction expansion once', () => {
    const source = ['la a0, v1', 'lla a0, v2', 'call v3', 'call t0, v4', 'tail v5', 'lw a0, v6', 'sw a0, v7, t0'].join('\n');
    expect(assemble(source).diagnostics.map(({ line, message }) => [line, message])).toEqual(
      [1, 2, 3, 4, 5, 6, 7].map((line) => [line, `undefined label \`v${line}\``]),
    );
  });

  it('report each of thousands of undefined labels (suggestions stay cheap)', () => {
    const count = 5000;
    const source = Array.from({ length: count }, (_, i) => `lab${i}: j nolab${i}`).join('\n');
    const { diagnostics } = assemble(source);
    expect(diagnostics).toHaveLength(count);
    diagnostics.forEach((diagnostic, i) => {
      expect(diagnostic.line).toBe(i + 1);
      expect(diagnostic.message).toMatch(new RegExp(`^undefined label \`nolab${i}\``));
    });
  });

  it('mark the result as failed exactly when there is an error', () => {
    expect(assemble('  .byte 300').ok).toBe(true);
    expect(assemble('  adii a0, a0, 1').ok).toBe(false);
  });
});

describe('diagnostics about the whole file', () => {
  it('name the file without a line for overlapping sections', () => {
    const result = assemble('nop\n.data\n.word 1', { file: 'prog.s', dataBase: 0x80000000 });
    expect(formatDiagnostics(result.diagnostics)).toBe(
      'prog.s: error: sections .text (0x80000000–0x80000004) and .data (0x80000000–0x80000004) overlap; choose other base addresses',
    );
  });

  it('reject a misaligned or invalid base address', () => {
    expect(formatDiagnostics(assemble('nop', { file: 'prog.s', textBase: 0x80000002 }).diagnostics)).toBe(
      'prog.s: error: .text at 0x80000002 is not aligned to 4 bytes, its alignment; choose an aligned base address',
    );
    expect(formatDiagnostics(assemble('nop', { file: 'prog.s', dataBase: 2 ** 32 }).diagnostics)).toBe(
      'prog.s: error: invalid data base 4294967296: it must be a 32-bit address such as 0x80000000',
    );
  });
});

describe('formatDiagnostic', () => {
  it('underlines from the column for the given length, copying tabs', () => {
    expect(
      formatDiagnostic({ file: 'a.s', line: 7, column: 4, length: 3, severity: 'warning', message: 'look here', sourceLine: '\t\tx abc' }),
    ).toBe('a.s:7:4: warning: look here\n\t\tx abc\n\t\t ^~~');
  });
});
