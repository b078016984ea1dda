/**
 * Output and input errors are the environment's, not lockstep's bugs (issue 9 §3): stdout,
 * stderr, a --trace or --report file on a full disk (/dev/full, where every write fails
 * with ENOSPC), a pipe whose reader has gone, and stdin that is a directory (read fails
 * with EISDIR). Each gets one line naming the file and the error, and a documented exit
 * status — 74 (EX_IOERR) for a failed read or write, 141 (128 + SIGPIPE) and no message
 * for a closed pipe — for run, asm, disasm, bench and demo alike; never "internal error"
 * or a stack trace.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, fixture, lines, lockstep, tempDir } from './lockstep.ts';

const dir = tempDir();
const full = openSync('/dev/full', 'w');
const directory = openSync(dir, 'r');
afterAll(() => { closeSync(full); closeSync(directory); });

const ELF = join(dir, 'bytes.elf');
const ENOSPC = /no space left on device/;

/** One line on stderr, about `file`, matching `why`; nothing that looks like a crash. */
function expectOneLine(stderr: string, file: RegExp, why: RegExp): void {
  const printed = lines(stderr);
  expect(printed, stderr).toHaveLength(1);
  expect(printed[0]).toMatch(/^lockstep: cannot (read|write) /);
  expect(printed[0]).toMatch(file);
  expect(printed[0]).toMatch(why);
  expect(printed[0]).not.toMatch(/internal error|bug|Error:|\bat /);
}

beforeAll(async () => {
  expect((await lockstep(['asm', fixture('bytes.s'), '-o', ELF])).status).toBe(0);
});

describe('a full disk', () => {
  it.each([
    ['run', ['run', fixture('bytes.s')]],
    ['disasm', ['disasm', ELF]],
    ['demo', ['demo']],
    ['bench', ['bench', '--workload', 'assembler', '--runs', '1']],
    ['--help', ['run', '--help']],
  ])('%s with stdout on /dev/full: one line naming stdout, exit 74', async (_name, args) => {
    const result = await lockstep(args, { stdout: full });
    expectOneLine(result.stderr, /stdout \(\/dev\/full\)/, ENOSPC);
    expect(result.status).toBe(74);
  }, 60_000);

  it('asm -o /dev/full: one line naming the output, exit 74', async () => {
    const result = await lockstep(['asm', fixture('bytes.s'), '-o', '/dev/full']);
    expectOneLine(result.stderr, /\/dev\/full/, ENOSPC);
    expect(result.status).toBe(74);
  });

  it('--trace=/dev/full and --report /dev/full: one line naming the file, exit 74', async () => {
    const trace = await lockstep(['run', '--trace=/dev/full', fixture('bytes.s')]);
    expectOneLine(trace.stderr, /the trace file \/dev\/full/, ENOSPC);
    expect(trace.status).toBe(74);
    const report = await lockstep(['run', '--report', '/dev/full', fixture('bytes.s')]);
    expectOneLine(report.stderr, /the report to \/dev\/full/, ENOSPC);
    expect(report.status).toBe(74);
    expect(report.stdout.toString('hex')).toBe('fffe008041c3e9'); // the run itself went through
  });

  it('stderr on /dev/full: the trace cannot be written (74); bad input still says 2', async () => {
    const trace = await lockstep(['run', '--trace', fixture('bytes.s')], { stderr: full });
    expect(trace.status).toBe(74);
    const missing = await lockstep(['run', join(dir, 'missing.s')], { stderr: full });
    expect(missing.status).toBe(2);
  });
});

describe('stdin that is a directory', () => {
  it('a guest that reads it: one line naming stdin and the directory, exit 74', async () => {
    const result = await lockstep(['run', fixture('echo.s')], { stdin: directory });
    expectOneLine(result.stderr, new RegExp(`stdin \\(${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\)`), /it is a directory/);
    expect(result.status).toBe(74);
  });

  it('a guest that never reads it runs as usual', async () => {
    const result = await lockstep(['run', fixture('bytes.s')], { stdin: directory });
    expect(result.stderr).toBe('');
    expect(result.status).toBe(44);
  });
});

describe('a closed pipe', () => {
  it.each([
    ['run', ['run', fixture('flood.s')]],
    ['disasm', ['disasm', ELF]],
    ['demo', ['demo']],
    ['bench', ['bench', '--workload', 'assembler', '--runs', '1']],
  ])('%s whose reader has gone: exit 141, nothing on stderr', async (_name, args) => {
    const child = spawn(BIN, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.destroy(); // the reader goes before the first byte is written
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    const [status] = await once(child, 'close');
    expect(stderr).toBe('');
    expect(status).toBe(141);
  }, 60_000);
});
