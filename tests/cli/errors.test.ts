/**
 * Bad input to `lockstep` (DESIGN §9): every case gets exactly one line on stderr that names
 * the problem, exit status 2, nothing on stdout, and no stack trace — and nothing runs (a
 * --report file is never written). Assembly errors are compiler-style diagnostics instead:
 * `file:line:col: error: message`, the source line and a caret under the column.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, onTestFinished } from 'vitest';
import { assemble, writeElf } from '../../src/isa/index.ts';
import { conformance, expectUsageError, fixture, lines, lockstep, tempDir } from './lockstep.ts';

const dir = tempDir();
const at = (name: string) => join(dir, name);

/** A GNU-linked RV32 executable, patched: `patch` edits a copy (ELF header offsets, gABI). */
function patchedElf(name: string, patch: (bytes: Uint8Array) => void): string {
  const bytes = new Uint8Array(readFileSync(conformance('rv32im-pub-0007.elf')));
  patch(bytes);
  writeFileSync(at(name), bytes);
  return at(name);
}

/** An executable that our assembler links at `textBase`. */
function linkedAt(name: string, textBase: number): string {
  const result = assemble('  .globl _start\n_start:\n  li a0, 0\n  li a7, 93\n  ecall\n', { file: 'exit.s', textBase });
  writeFileSync(at(name), writeElf(result));
  return at(name);
}

mkdirSync(at('a-directory'));
writeFileSync(at('text.elf'), 'this is not an ELF file\n');
writeFileSync(at('empty.bin'), new Uint8Array());
const files = {
  elf64: patchedElf('elf64.elf', (b) => { b[4] = 2; }), // EI_CLASS = ELFCLASS64
  bigEndian: patchedElf('big-endian.elf', (b) => { b[5] = 2; }), // EI_DATA = ELFDATA2MSB
  x86: patchedElf('x86-64.elf', (b) => { b[18] = 62; b[19] = 0; }), // e_machine = EM_X86_64
  low: linkedAt('low.elf', 0x10000), // below RAM (0x80000000)
  high: linkedAt('high.elf', 0x80100000), // just past the default 1 MiB of RAM
};

/** Prints and exits, so an empty stdout shows the program never ran. */
const PROGRAM = fixture('bytes.s');

/** [what, arguments, words the one stderr line must contain]. */
const RUN_CASES: [string, string[], RegExp[]][] = [
  ['a missing file', ['run', at('missing.elf')], [/cannot read/, /missing\.elf/, /no such file/]],
  ['a directory', ['run', at('a-directory')], [/cannot read/, /a-directory/, /directory/]],
  ['a text file named .elf', ['run', at('text.elf')], [/text\.elf/, /not an ELF file/]],
  ['an empty .bin', ['run', at('empty.bin')], [/empty\.bin/, /empty/]],
  ['an ELF64 file', ['run', files.elf64], [/elf64\.elf/, /ELF64/, /32-bit/]],
  ['a big-endian ELF', ['run', files.bigEndian], [/big-endian\.elf/, /big-endian/]],
  ['an x86-64 ELF', ['run', files.x86], [/x86-64\.elf/, /e_machine is 62/, /RISC-V/]],
  ['a segment below RAM', ['run', files.low], [/segment at 0x00010000/, /outside RAM 0x80000000\.\.0x800fffff/]],
  ['a segment past the end of RAM', ['run', files.high], [/segment at 0x80100000/, /outside RAM/, /--ram/]],
  ['an unknown option', ['run', '--bogus', PROGRAM], [/unknown option '--bogus'/]],
  ['no program', ['run'], [/missing required argument 'program'/]],
  ['--max-instructions 12x', ['run', '--max-instructions', '12x', PROGRAM], [/--max-instructions/, /'12x'/, /not a whole number/]],
  ['--max-instructions without a value', ['run', PROGRAM, '--max-instructions'], [/--max-instructions/, /argument missing/]],
  ['--ram 0', ['run', '--ram', '0', PROGRAM], [/--ram/, /\b0 MiB/, /1\.\.64/]],
  ['--ram 65', ['run', '--ram', '65', PROGRAM], [/--ram/, /65 MiB/, /1\.\.64/]],
  ['--ram 1.5', ['run', '--ram', '1.5', PROGRAM], [/--ram/, /'1\.5'/]],
  ['an unknown topology', ['run', '--topology', 'quad', PROGRAM], [/--topology/, /'quad'/, /simplex, dmr, pair-spare, tmr/]],
  ['an unknown compare point', ['run', '--compare', 'never', PROGRAM], [/--compare/, /'never'/]],
  ['an unknown --format', ['run', '--format', 'hex', PROGRAM], [/--format/, /'hex'/]],
  ['a fault of an unknown kind', ['run', '--inject', 'at=1,module=0,kind=zap,target=x5,bit=3', PROGRAM], [/unknown kind 'zap'/, /flip/]],
  ['a fault on an unknown target', ['run', '--inject', 'at=1,module=0,kind=flip,target=x32,bit=3', PROGRAM], [/unknown target 'x32'/]],
  ['a fault on bit 32', ['run', '--inject', 'at=1,module=0,kind=flip,target=x5,bit=32', PROGRAM], [/bit=32/, /out of range/, /0\.\.31/]],
  ['a fault on module 1 of simplex', ['run', '--inject', 'at=1,module=1,kind=flip,target=x5,bit=3', PROGRAM], [/module 1 does not exist/, /simplex/]],
  ['a fault on module 2 of dmr', ['run', '--topology', 'dmr', '--inject', 'at=1,module=2,kind=flip,target=x5,bit=3', PROGRAM], [/module 2 does not exist/, /dmr has modules 0\.\.1/]],
  ['a fault on module 3 of tmr', ['run', '--topology', 'tmr', '--inject', 'at=1,module=3,kind=flip,target=x5,bit=3', PROGRAM], [/module 3 does not exist/, /tmr/]],
  ['a fault on a word below RAM', ['run', '--inject', 'at=1,module=0,kind=flip,target=mem:0x10000,bit=3', PROGRAM], [/0x10000/, /outside RAM/]],
  ['a fault on a word past RAM', ['run', '--ram', '2', '--inject', 'at=1,module=0,kind=ecc,target=mem:0x80200000,bit=0', PROGRAM], [/0x80200000/, /outside RAM 0x80000000\.\.0x801fffff/]],
  ['a fault spec that is not key=value', ['run', '--inject', 'garbage', PROGRAM], [/'garbage'/, /key=value/]],
  ['a replacement on simplex', ['run', '--replace', 'at=5,module=0', PROGRAM], [/simplex has no other module/]],
  ['--report with an empty file name', ['run', '--report=', PROGRAM], [/--report needs a file name/]],
  // Numbers past 2^53 - 1 (or 32 bits for an address) overflow: they are too large, not malformed.
  ['--max-instructions past 2^53', ['run', '--max-instructions', '99999999999999999999', PROGRAM], [/--max-instructions/, /'99999999999999999999' is too large/]],
  ['a fault at an instruction past 2^53', ['run', '--inject', 'at=99999999999999999999,module=0,kind=kill', PROGRAM], [/at=99999999999999999999 is too large/]],
  ['a fault on an address past 32 bits', ['run', '--inject', 'at=1,module=0,kind=flip,target=mem:0x100000000,bit=0', PROGRAM], [/mem:0x100000000/, /too large/]],
  ['a replacement past 2^53', ['run', '--topology', 'dmr', '--replace', 'at=99999999999999999999,module=0', PROGRAM], [/--replace/, /too large/]],
  ['--ram abc', ['run', '--ram', 'abc', PROGRAM], [/--ram/, /'abc'/, /MiB/, /--ram 16/]],
  ['--ram 16M', ['run', '--ram', '16M', PROGRAM], [/--ram/, /'16M'/, /in MiB without a unit/, /--ram 16/]],
  ['--trace FILE after the program', ['run', PROGRAM, '--trace', 'out.log'], [/--trace=FILE/, /write --trace=out\.log/]],
  ['--trace FILE before the program', ['run', '--trace', 'out.log', PROGRAM], [/write --trace=out\.log/]],
  ['two programs', ['run', PROGRAM, PROGRAM], [/run takes one program, but got 2/]],
  // Only pair-spare has boards; simplex has no module to copy a replacement from.
  ['a board fault on simplex', ['run', '--inject', 'at=1,board=0,kind=kill', PROGRAM], [/simplex has no boards/, /module=M/]],
  ['a board fault on dmr', ['run', '--topology', 'dmr', '--inject', 'at=1,board=1,kind=flip,target=x5,bit=0', PROGRAM], [/dmr has no boards/, /pair-spare/, /module=M/]],
  ['a board replacement on tmr', ['run', '--topology', 'tmr', '--replace', 'at=5,board=0', PROGRAM], [/--replace/, /tmr has no boards/, /module=M/]],
  ['--repair-after on simplex', ['run', '--repair-after', '100', PROGRAM], [/--repair-after/, /simplex has no other module/]],
];

describe.concurrent('bad input to lockstep run', () => {
  it.for(RUN_CASES)('%s: one line, exit 2, nothing runs', async ([, args, words]) => {
    const report = at(`report-${args.join('_').replace(/\W/g, '')}.json`);
    const result = await lockstep(['run', '--report', report, ...args.slice(1)]);
    expectUsageError(result, words);
    expect(existsSync(report)).toBe(false);
  });

  it('a program too big for RAM: the message names the file and what to do', async () => {
    writeFileSync(at('big.s'), '  .globl _start\n_start:\n  nop\n  .zero 0x200000\n');
    expectUsageError(await lockstep(['run', at('big.s')]), [/big\.s: segment at 0x80000000/, /outside RAM/, /--ram/]);
  });

  it('an unreadable file (mode 000; as root, the command runs as nobody, whom the mode binds)', async () => {
    // The folder must let nobody in (tempDir's is private to its owner).
    const open = mkdtempSync(join(tmpdir(), 'lockstep-unreadable-'));
    onTestFinished(() => rmSync(open, { recursive: true, force: true }));
    chmodSync(open, 0o755);
    const path = join(open, 'unreadable.elf');
    writeFileSync(path, readFileSync(conformance('rv32im-pub-0007.elf')));
    chmodSync(path, 0o000);
    const nobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    expectUsageError(await lockstep(['run', path], nobody), [/cannot read/, /unreadable\.elf/, /permission denied/]);
  });
});

describe.concurrent('bad input to the other commands', () => {
  const CASES: [string, string[], RegExp[]][] = [
    ['asm of a missing file', ['asm', at('missing.s')], [/cannot read/, /missing\.s/, /no such file/]],
    ['asm into a directory', ['asm', fixture('bytes.s'), '-o', at('a-directory')], [/cannot write/, /a-directory/]],
    ['asm onto its own source', ['asm', at('self.s'), '-o', at('self.s')], [/refusing to overwrite/, /self\.s/]],
    ['asm --text-base beyond 32 bits', ['asm', fixture('bytes.s'), '--text-base', '0x100000000', '-o', at('x.elf')], [/--text-base/, /too large for a 32-bit address/]],
    ['disasm of a missing file', ['disasm', at('missing.elf')], [/cannot read/, /missing\.elf/]],
    ['disasm of a text file', ['disasm', at('text.elf')], [/text\.elf/, /not an ELF file/]],
    ['disasm of an x86-64 ELF', ['disasm', files.x86], [/x86-64\.elf/, /e_machine is 62/]],
  ];
  writeFileSync(at('self.s'), '  nop\n');

  it.for(CASES)('%s: one line, exit 2', async ([, args, words]) => {
    expectUsageError(await lockstep(args), words);
  });
});

describe.concurrent('assembly errors', () => {
  const SOURCE = [
    '  .globl _start',
    '_start:',
    '  addi t0, zero',
    '  frob a0',
    '  li a7, 93',
  ].join('\n');
  writeFileSync(at('bad.s'), SOURCE);
  const DIAGNOSTICS = [
    /^bad\.s:3:16: error: .*addi/,
    /^  addi t0, zero$/,
    /^ {15}\^$/,
    /^bad\.s:4:3: error: unknown instruction `frob`/,
    /^  frob a0$/,
    /^  \^~~~$/,
  ];

  it.for([
    ['run', ['run', 'bad.s']],
    ['asm', ['asm', 'bad.s', '-o', 'bad.elf']],
  ] as [string, string[]][])('lockstep %s prints file:line:col diagnostics with carets and exits 2', async ([, args]) => {
    const result = await lockstep(args, { cwd: dir });
    expect(result.status).toBe(2);
    expect(result.stdout.length).toBe(0);
    const printed = lines(result.stderr);
    expect(printed).toHaveLength(DIAGNOSTICS.length);
    printed.forEach((line, k) => expect(line).toMatch(DIAGNOSTICS[k]));
    expect(existsSync(at('bad.elf'))).toBe(false);
  });

  // Without code in .text, .data would sit at the entry point (0x80000000) and run as code.
  it.for([
    ['an empty file', ''],
    ['a file with only .data', '  .data\nvalue: .word 0x00000073   # ecall, if it ran\n'],
    ['an empty .text and .data', '  .text\n  .globl _start\n_start:\n  .data\nmessage: .asciz "hi"\n'],
  ] as [string, string][])('%s is nothing to run, for run and asm alike', async ([name, source]) => {
    const file = `${name.replace(/\W/g, '-')}.s`;
    writeFileSync(at(file), source);
    for (const args of [['run', file], ['asm', file, '-o', `${file}.elf`]]) {
      const result = await lockstep(args, { cwd: dir });
      expect(result.status).toBe(2);
      expect(result.stdout.length).toBe(0);
      expect(lines(result.stderr)).toEqual([expect.stringMatching(new RegExp(`^${file}: error: nothing to run: \\.text holds no instructions`))]);
    }
    expect(existsSync(at(`${file}.elf`))).toBe(false);
  });
});
