/**
 * `lockstep run PROGRAM` end to end (DESIGN §9): stdout carries exactly the guest's bytes,
 * the exit status is the guest's exit code & 0xff, stdin reaches the guest, and the
 * options that size and bound the run work. Expected values come from the QEMU vectors
 * and from the fixture programs, whose effects are worked out by hand in their comments.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, conformance, expectUsageError, fixture, lines, lockstep, tempDir } from './lockstep.ts';

const vector = (name: string) => JSON.parse(readFileSync(conformance(`${name}.json`), 'utf8'));

/** bytes.s: six bytes through write(1, ...), one through the UART, no newline; exit(300). */
const BYTES_HEX = 'fffe008041c3e9';

const dir = tempDir();

describe.concurrent('lockstep run', () => {
  it('runs a GNU-linked ELF: stdout is exactly what QEMU printed, the exit status its exit code', async () => {
    const expected = vector('rv32im-pub-0007');
    const result = await lockstep(['run', conformance('rv32im-pub-0007.elf')]);
    expect(result.stderr).toBe('');
    expect(result.stdout.toString('hex')).toBe(expected.expected_stdout_hex);
    expect(result.status).toBe(expected.expected_exit_code);
  });

  it('gives the same output and status on a lockstep topology', async () => {
    const expected = vector('rv32im-pub-0042');
    const result = await lockstep(['run', '--topology', 'tmr', conformance('rv32im-pub-0042.elf')]);
    expect(result.stderr).toBe('');
    expect(result.stdout.toString('hex')).toBe(expected.expected_stdout_hex);
    expect(result.status).toBe(expected.expected_exit_code);
  });

  it('--engine translate: the same output and status as the interpreter (a bench program, hot enough to be translated)', async () => {
    const intMix = fileURLToPath(new URL('../../examples/bench/int-mix.s', import.meta.url));
    const result = await lockstep(['run', '--engine', 'translate', intMix]);
    expect(result.stderr).toBe('');
    const reference = await lockstep(['run', '--engine', 'interp', intMix]);
    expect(result.stdout.toString()).toMatch(/^[0-9a-f]{8}\n$/);
    expect(result.stdout.toString()).toBe(reference.stdout.toString());
    expect(result.status).toBe(0);
  });

  it('--engine translate on tmr with a fault: the same output, status and events (the divergence at its instruction) as the interpreter', async () => {
    const intMix = fileURLToPath(new URL('../../examples/bench/int-mix.s', import.meta.url));
    const runs = await Promise.all(['translate', 'interp'].map(async (engine) => {
      const report = join(dir, `engine-${engine}.json`);
      const result = await lockstep(['run', '--engine', engine, '--topology', 'tmr', '--inject', 'at=5000000,module=1,kind=flip,target=s2,bit=3', '--report', report, intMix]);
      return { result, events: JSON.parse(readFileSync(report, 'utf8')).events as { kind: string; module?: number; instret: number }[] };
    }));
    const [translated, interpreted] = runs;
    expect(translated.result.status).toBe(0);
    expect(translated.result.stdout.toString()).toBe(interpreted.result.stdout.toString());
    expect(translated.events).toEqual(interpreted.events);
    expect(translated.events.find((e) => e.kind === 'offline')).toMatchObject({ module: 1 });
    expect(translated.events.find((e) => e.kind === 'diverge')!.instret).toBeGreaterThanOrEqual(5_000_000);
  });

  it('--engine: an unknown engine is bad input', async () => {
    expectUsageError(await lockstep(['run', '--engine', 'jit', fixture('bytes.s')]), [/--engine/, /'jit'/, /interp/, /translate/]);
  });

  it('assembles and runs a .s file: raw bytes (not UTF-8, no newline) on stdout and nothing else; exit 300 → 44', async () => {
    const result = await lockstep(['run', fixture('bytes.s')]);
    expect(result.stdout.toString('hex')).toBe(BYTES_HEX);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(300 & 0xff);
  });

  it('runs a flat binary from the start of RAM (.bin, or any name with --format bin)', async () => {
    // auipc a0, 0 (a0 = load address 0x80000000); srli a0, a0, 25 (0x40); li a7, 93; ecall:
    // exit status 64 proves where the image was loaded.
    const words = [0x00000517, 0x01955513, 0x05d00893, 0x00000073];
    const image = new Uint8Array(new Uint32Array(words).buffer); // little-endian host, as RISC-V
    writeFileSync(join(dir, 'exit64.bin'), image);
    writeFileSync(join(dir, 'exit64.dat'), image);
    const [bin, dat] = await Promise.all([
      lockstep(['run', join(dir, 'exit64.bin')]),
      lockstep(['run', '--format', 'bin', join(dir, 'exit64.dat')]),
    ]);
    for (const result of [bin, dat]) {
      expect(result.stderr).toBe('');
      expect(result.stdout.length).toBe(0);
      expect(result.status).toBe(0x80000000 >>> 25);
    }
  });

  it('--format elf|asm overrides the file name: bytes.s as .txt, its executable as .s', async () => {
    const source = join(dir, 'bytes.txt');
    const elf = join(dir, 'bytes-elf.s');
    writeFileSync(source, readFileSync(fixture('bytes.s')));
    expect((await lockstep(['asm', fixture('bytes.s'), '-o', elf])).status).toBe(0);
    const [asm, asElf] = await Promise.all([
      lockstep(['run', '--format', 'asm', source]),
      lockstep(['run', '--format', 'elf', elf]),
    ]);
    for (const result of [asm, asElf]) {
      expect(result.stderr).toBe('');
      expect(result.stdout.toString('hex')).toBe(BYTES_HEX);
      expect(result.status).toBe(44);
    }
    // And the format given is the one used: assembly is not an ELF file.
    const wrong = await lockstep(['run', '--format', 'elf', fixture('bytes.s')]);
    expect(wrong.status).toBe(2);
    expect(lines(wrong.stderr)).toEqual([expect.stringMatching(/bytes\.s: not an ELF file/)]);
  });

  it('passes 1 MiB of output through a pipe byte for byte', async () => {
    const result = await lockstep(['run', fixture('flood.s')]);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    const block = Buffer.from(Array.from({ length: 256 }, (_, k) => k));
    expect(result.stdout.equals(Buffer.concat(Array(4096).fill(block)))).toBe(true);
  });

  it('ends quietly with status 141 (128 + SIGPIPE) when its reader closes stdout', async () => {
    const child = spawn(BIN, ['run', fixture('flood.s')], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    child.stdout.once('data', () => child.stdout.destroy());
    const [status] = await once(child, 'close');
    expect(stderr).toBe('');
    expect(status).toBe(141);
  });

  it('passes stdin to the guest through the read call and the UART', async () => {
    // read(0, buf, 4) takes "ABCD"; the UART then delivers "xyz\n" (4 bytes, the exit code);
    // "rest" is never read.
    const result = await lockstep(['run', fixture('echo.s')], { input: 'ABCDxyz\nrest' });
    expect(result.stderr).toBe('');
    expect(result.stdout.toString('latin1')).toBe('ABCDxyz\n');
    expect(result.status).toBe(4);
  });

  it('gives the guest end of input: read returns 0, and a UART poll then waits for ever', async () => {
    const result = await lockstep(['run', '--max-instructions', '20000', fixture('echo.s')], { input: '' });
    expect(result.stdout.length).toBe(0);
    expect(result.status).toBe(124);
  });

  it('--max-instructions N stops after N instructions: exit 124, one line on stderr', async () => {
    const report = join(dir, 'spin.json');
    const result = await lockstep(['run', '--max-instructions', '2_500_000', '--report', report, fixture('spin.s')]);
    expect(result.status).toBe(124);
    expect(result.stdout.length).toBe(0);
    expect(lines(result.stderr)).toHaveLength(1);
    expect(result.stderr).toMatch(/^lockstep: stopped after 2,500,000 instructions \(--max-instructions\)/);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json).toMatchObject({ instret: 2_500_000, exit_code: 124, stop_reason: 'max-instructions', stdout_bytes: 0 });
  });

  it('--max-instructions is exact: 12 lets bytes.s finish, 11 stops it before its exit call', async () => {
    const [enough, short] = await Promise.all([
      lockstep(['run', '--max-instructions', '12', fixture('bytes.s')]),
      lockstep(['run', '--max-instructions', '11', fixture('bytes.s')]),
    ]);
    expect(enough.status).toBe(44);
    expect(enough.stdout.toString('hex')).toBe(BYTES_HEX);
    expect(enough.stderr).toBe('');
    expect(short.status).toBe(124);
    expect(short.stdout.toString('hex')).toBe(BYTES_HEX); // all output happened by instruction 9
    expect(lines(short.stderr)).toEqual([expect.stringMatching(/stopped after 11 instructions/)]);
  });

  it('--ram sizes RAM in MiB: the last word of 64 MiB is RAM with --ram 64, an access fault with --ram 63', async () => {
    const report = join(dir, 'ram.json');
    const [big, small] = await Promise.all([
      lockstep(['run', '--ram', '64', '--report', report, fixture('ram.s')]),
      lockstep(['run', '--ram', '63', fixture('ram.s')]),
    ]);
    expect(big.stderr).toBe('');
    expect(big.status).toBe(42);
    expect(JSON.parse(readFileSync(report, 'utf8')).ram_mib).toBe(64);
    // An unhandled store access fault ends the run as SIGSEGV would a Linux process: 128 + 11.
    expect(small.status).toBe(139);
    expect(lines(small.stderr)).toEqual([expect.stringMatching(/^lockstep: .*store access fault.*0x83fffffc/)]);
  });
});

describe.concurrent('lockstep run: when the guest reads stdin', () => {
  it.each([
    ['tx-poll.s', 'polls LSR for THRE and prints: stdin stays unread', 'hi there\n', 0],
    ['status-read.s', 'reads LSR once, then the read call: the call gets all of stdin', '?hello', 5],
    ['rx-irq.s', 'takes the receive interrupt while spinning: every byte arrives', 'hello', 5],
    ['rx-irq-wfi.s', 'takes the receive interrupt from wfi, a timer armed: every byte arrives', 'hello', 5],
  ])('printf hello | lockstep run %s (%s)', async (name, _what, stdout, status) => {
    const result = await lockstep(['run', fixture(name)], { input: 'hello' });
    expect(result.stderr).toBe('');
    expect(result.stdout.toString('latin1')).toBe(stdout);
    expect(result.status).toBe(status);
  });

  it.each(['simplex', 'tmr'])('a program that only prints does not wait for stdin kept open (%s)', async (topology) => {
    // stdin is a pipe whose writer never writes nor closes it, as a terminal nobody types at.
    const child = spawn(BIN, ['run', '--topology', topology, fixture('tx-poll.s')], { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    const [status, signal] = await once(child, 'close');
    clearTimeout(timer);
    child.stdin.destroy();
    expect(signal, 'killed after 10 s: it waited for stdin').toBeNull();
    expect(stderr).toBe('');
    expect(Buffer.concat(out).toString('latin1')).toBe('hi there\n');
    expect(status).toBe(0);
  });

  it('gives an interrupt-driven program end of input: it runs on to its own end', async () => {
    const [spin, wfi] = await Promise.all([
      lockstep(['run', fixture('rx-irq.s')], { input: '' }),
      lockstep(['run', fixture('rx-irq-wfi.s')], { input: '' }),
    ]);
    for (const result of [spin, wfi]) {
      expect(result.stderr).toBe('');
      expect(result.stdout.length).toBe(0);
      expect(result.status).toBe(0);
    }
  });
});
