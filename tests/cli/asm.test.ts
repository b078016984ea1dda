/**
 * `lockstep asm`, `lockstep disasm` and the command's help, end to end. The executables
 * `asm` writes must run under `lockstep run` as their source does; `disasm` lists them
 * objdump style (`80000000 <_start>:`, then `address:\tword \tmnemonic\toperands`).
 */
import { copyFileSync, existsSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { conformance, fixture, lines, lockstep, OTHER_EXIT_STATUSES, RUN_EXIT_STATUSES, tempDir } from './lockstep.ts';

const dir = tempDir();
const at = (name: string) => join(dir, name);

describe('lockstep asm', () => {
  it('writes an executable ELF (mode +x) that runs like its source', async () => {
    const elf = at('bytes.elf');
    const asm = await lockstep(['asm', fixture('bytes.s'), '-o', elf]);
    expect(asm).toMatchObject({ status: 0, stderr: '' });
    expect(asm.stdout.length).toBe(0);
    expect(statSync(elf).mode & 0o111).toBe(0o111);
    const run = await lockstep(['run', elf]);
    expect(run.stdout.toString('hex')).toBe('fffe008041c3e9');
    expect(run.stderr).toBe('');
    expect(run.status).toBe(44);
  });

  it('names the output after the source without -o', async () => {
    copyFileSync(fixture('trace.s'), at('named.s'));
    const asm = await lockstep(['asm', 'named.s'], { cwd: dir });
    expect(asm.status).toBe(0);
    expect(existsSync(at('named.elf'))).toBe(true);
    expect((await lockstep(['run', at('named.elf')])).status).toBe(7);
  });

  it('places .text at --text-base and .data at --data-base', async () => {
    const elf = at('moved.elf');
    const asm = await lockstep(['asm', fixture('bytes.s'), '--text-base', '0x80010000', '--data-base', '0x80020000', '-o', elf]);
    expect(asm.status).toBe(0);
    const [listing, run] = await Promise.all([lockstep(['disasm', elf]), lockstep(['run', '--trace', elf])]);
    expect(listing.status).toBe(0);
    const text = listing.stdout.toString('utf8');
    expect(text).toMatch(/^80010000 <_start>:$/m);
    expect(text).toMatch(/^80010000:\s+00100513\s+li\s+a0,1$/m); // addi a0, zero, 1
    expect(text).not.toMatch(/^80000000/m);
    // la a1, bytes: auipc + addi, whose result is the data base.
    expect(lines(run.stderr)[2]).toBe('core   0: 3 0x80010008 (0xffc58593) x11 0x80020000');
    expect(run.stdout.toString('hex')).toBe('fffe008041c3e9');
    expect(run.status).toBe(44);
  });
});

describe('assembler warnings', () => {
  const source = at('warn.s');
  writeFileSync(source, ['_start:', '  li a0, 7', '  li a7, 93', '  ecall', '  .data', '  .byte 300'].join('\n'));
  const warning = `${source}:6:9: warning: value 300 does not fit in .byte: truncated to 0x2c\n  .byte 300\n        ^~~\n`;

  it('lockstep asm prints them on stderr, each line ending in a newline', async () => {
    const asm = await lockstep(['asm', source, '-o', at('warn.elf')]);
    expect(asm).toMatchObject({ status: 0, stderr: warning });
  });

  it('lockstep run prints them on stderr before running the program', async () => {
    const run = await lockstep(['run', source]);
    expect(run).toMatchObject({ status: 7, stderr: warning });
    expect(run.stdout.length).toBe(0);
  });
});

describe.concurrent('lockstep disasm', () => {
  it('lists our executable objdump style from 0x80000000', async () => {
    const elf = at('trace.elf');
    expect((await lockstep(['asm', fixture('trace.s'), '-o', elf])).status).toBe(0);
    const result = await lockstep(['disasm', elf]);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const text = result.stdout.toString('utf8');
    expect(text).toMatch(/^80000000 <_start>:$/m);
    // Words from the hand-worked table in trace.s.
    for (const [pc, word] of [['80000000', '04000293'], ['80000010', '00642023'], ['80000020', '00241583'], ['80000034', '00000073']]) {
      expect(text).toMatch(new RegExp(`^${pc}:\\s+${word}\\s+\\S`, 'm'));
    }
    expect(text).toMatch(/^80000010:\s+00642023\s+sw\s+t1,0\(s0\)$/m);
    expect(text).toMatch(/^80000034:\s+00000073\s+ecall$/m);
  });

  it('lists a GNU-linked executable with its symbols as labels', async () => {
    const result = await lockstep(['disasm', conformance('rv32im-pub-0007.elf')]);
    expect(result.status).toBe(0);
    const text = result.stdout.toString('utf8');
    expect(text).toMatch(/^80000094 <_start>:$/m); // the vector's entry point (its JSON)
    expect(text).toMatch(/^[0-9a-f]{8} <body_start>:$/m);
  });
});

describe.concurrent('lockstep help', () => {
  it('lockstep --help lists the commands and exits 0', async () => {
    const result = await lockstep(['--help']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const text = result.stdout.toString('utf8');
    expect(text).toMatch(/^Usage: lockstep/);
    for (const command of ['run', 'asm', 'disasm']) expect(text).toMatch(new RegExp(`^\\s+${command} `, 'm'));
  });

  it('lockstep run --help lists the run options and exits 0', async () => {
    const result = await lockstep(['run', '--help']);
    expect(result.status).toBe(0);
    expect(result.stderr).toBe('');
    const text = result.stdout.toString('utf8');
    expect(text).toMatch(/^Usage: lockstep run/);
    for (const option of ['--topology', '--ram', '--max-instructions', '--inject', '--trace', '--report']) {
      expect(text).toContain(option);
    }
  });

  /** The statuses under "Exit status:" in `text`. */
  const statusesIn = (text: string) => {
    const section = text.slice(text.indexOf('Exit status:'));
    return [...section.matchAll(/^ {2}(\S+) {2,}\S/gm)].map((m) => m[1]);
  };

  it.each([
    ['run', RUN_EXIT_STATUSES],
    ['asm', OTHER_EXIT_STATUSES],
    ['disasm', OTHER_EXIT_STATUSES],
    ['bench', OTHER_EXIT_STATUSES],
    ['demo', OTHER_EXIT_STATUSES],
  ])('lockstep %s --help lists every exit status it can return', async (command, statuses) => {
    const result = await lockstep([command, '--help']);
    expect(result.status).toBe(0);
    expect(statusesIn(result.stdout.toString()).sort()).toEqual([...statuses].sort());
  });

  it.each(['run', 'demo'])('lockstep %s --help lists the fault kinds and targets', async (command) => {
    const text = (await lockstep([command, '--help'])).stdout.toString();
    for (const kind of ['flip', 'stuck0', 'stuck1', 'kill', 'ecc']) expect(text).toMatch(new RegExp(`^ +${kind} +\\S`, 'm'));
    for (const target of ['x1..x31', 'pc', 'mem:', 'result', 'mepc']) expect(text).toContain(target);
    expect(text).toContain('at=N,module=M,kind=K,target=T,bit=B');
  });

  it('lockstep nosuchcommand exits 2 with one line', async () => {
    const result = await lockstep(['nosuchcommand']);
    expect(result.status).toBe(2);
    expect(result.stdout.length).toBe(0);
    expect(lines(result.stderr)).toEqual([expect.stringMatching(/^lockstep: .*unknown command 'nosuchcommand'/)]);
  });
});
