/**
 * `lockstep run --trace[=FILE]` and `--report FILE.json`. The trace is Spike's commit-log
 * format (riscv-isa-sim, `--log-commits`): `core   0: PRIV 0xPC (0xINSN)`, then
 * `xN 0xVALUE` (N padded to two columns) for a register write other than x0, `mem 0xADDR
 * 0xDATA` for a store (data as wide as the store) or `mem 0xADDR` after a load's register
 * write; an exception is `core   0: exception NAME, epc 0xPC` and `core   0:           tval
 * 0xVALUE`, an interrupt `core   0: exception interrupt #N, epc 0xPC` (Spike's
 * trap_t::name() for an mcause with the interrupt bit, and no tval line). The expected lines
 * are the hand-worked tables in the fixtures' comments.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixture, lines, lockstep, tempDir } from './lockstep.ts';

/** trace.s, instruction by instruction (machine mode = privilege 3). */
const TRACE_S = [
  'core   0: 3 0x80000000 (0x04000293) x5  0x00000040',
  'core   0: 3 0x80000004 (0x80001437) x8  0x80001000',
  'core   0: 3 0x80000008 (0x87654337) x6  0x87654000',
  'core   0: 3 0x8000000c (0x32130313) x6  0x87654321',
  'core   0: 3 0x80000010 (0x00642023) mem 0x80001000 0x87654321',
  'core   0: 3 0x80000014 (0x00641223) mem 0x80001004 0x4321',
  'core   0: 3 0x80000018 (0x00640323) mem 0x80001006 0x21',
  'core   0: 3 0x8000001c (0x00042503) x10 0x87654321 mem 0x80001000',
  'core   0: 3 0x80000020 (0x00241583) x11 0xffff8765 mem 0x80001002',
  'core   0: 3 0x80000024 (0x00344603) x12 0x00000087 mem 0x80001003',
  'core   0: 3 0x80000028 (0x00128013)',
  'core   0: 3 0x8000002c (0x00700513) x10 0x00000007',
  'core   0: 3 0x80000030 (0x05d00893) x17 0x0000005d',
  'core   0: 3 0x80000034 (0x00000073)',
];

/** trap.s: the illegal word 0xffffffff at 0x8000000c traps to the handler at 0x80000010. */
const TRAP_S = [
  'core   0: 3 0x80000000 (0x00000297) x5  0x80000000',
  'core   0: 3 0x80000004 (0x01028293) x5  0x80000010',
  'core   0: 3 0x80000008 (0x30529073)',
  'core   0: exception trap_illegal_instruction, epc 0x8000000c',
  'core   0:           tval 0xffffffff',
  'core   0: 3 0x80000010 (0x34202573) x10 0x00000002',
  'core   0: 3 0x80000014 (0x001002b7) x5  0x00100000',
  'core   0: 3 0x80000018 (0x00053337) x6  0x00053000',
  'core   0: 3 0x8000001c (0x33330313) x6  0x00053333',
  'core   0: 3 0x80000020 (0x0062a023) mem 0x00100000 0x00053333',
];

/** timer.s: wfi sleeps until mtimecmp; the timer interrupt is taken at the pc after it. */
const TIMER_S = [
  'core   0: 3 0x80000000 (0x00000297) x5  0x80000000',
  'core   0: 3 0x80000004 (0x03028293) x5  0x80000030',
  'core   0: 3 0x80000008 (0x30529073)',
  'core   0: 3 0x8000000c (0x020042b7) x5  0x02004000',
  'core   0: 3 0x80000010 (0x00200313) x6  0x00000002',
  'core   0: 3 0x80000014 (0x0002a223) mem 0x02004004 0x00000000',
  'core   0: 3 0x80000018 (0x0062a023) mem 0x02004000 0x00000002',
  'core   0: 3 0x8000001c (0x08000293) x5  0x00000080',
  'core   0: 3 0x80000020 (0x30429073)',
  'core   0: 3 0x80000024 (0x30046073)',
  'core   0: 3 0x80000028 (0x10500073)',
  'core   0: exception interrupt #7, epc 0x8000002c',
  'core   0: 3 0x80000030 (0x34202573) x10 0x80000007',
  'core   0: 3 0x80000034 (0x001002b7) x5  0x00100000',
  'core   0: 3 0x80000038 (0x00073337) x6  0x00073000',
  'core   0: 3 0x8000003c (0x33330313) x6  0x00073333',
  'core   0: 3 0x80000040 (0x0062a023) mem 0x00100000 0x00073333',
];

const dir = tempDir();

describe.concurrent('lockstep run --trace', () => {
  it('writes one commit-log line per retired instruction on stderr, and nothing on stdout', async () => {
    const report = join(dir, 'trace.json');
    // A bare --trace right before the program: the program is not taken for a trace file.
    const result = await lockstep(['run', '--report', report, '--trace', fixture('trace.s')]);
    expect(result.status).toBe(7);
    expect(result.stdout.length).toBe(0);
    expect(lines(result.stderr)).toEqual(TRACE_S);
    expect(JSON.parse(readFileSync(report, 'utf8')).instret).toBe(TRACE_S.length);
  });

  it('--trace=FILE writes the trace to the file, exceptions as Spike prints them; stderr stays empty', async () => {
    const file = join(dir, 'trap.trace');
    const report = join(dir, 'trap.json');
    const result = await lockstep(['run', `--trace=${file}`, '--report', report, fixture('trap.s')]);
    expect(result.stderr).toBe('');
    expect(result.stdout.length).toBe(0);
    expect(result.status).toBe(5); // test finisher: (5 << 16) | 0x3333
    expect(lines(readFileSync(file, 'utf8'))).toEqual(TRAP_S);
    // The trapping instruction has a number too (DESIGN §5): one trace entry per number,
    // an exception's entry being its two lines.
    const entries = TRAP_S.filter((line) => !line.includes(' tval ')).length;
    expect(JSON.parse(readFileSync(report, 'utf8')).instret).toBe(entries);
  });

  it('logs an interrupt as Spike does: `exception interrupt #N, epc` (the interrupted pc), no tval, no number of its own', async () => {
    const report = join(dir, 'timer.json');
    for (const topology of ['simplex', 'dmr']) {
      const result = await lockstep(['run', '--topology', topology, '--trace', '--report', report, fixture('timer.s')]);
      expect(result.status).toBe(7); // test finisher: (7 << 16) | 0x3333
      expect(result.stdout.length).toBe(0);
      expect(lines(result.stderr)).toEqual(TIMER_S);
      expect(JSON.parse(readFileSync(report, 'utf8')).instret).toBe(TIMER_S.length - 1);
    }
  });

  it('ends with the exception and then the one-line reason when the program dies of it', async () => {
    // ram.s with the default 1 MiB: the store to 0x83fffffc is an access fault, unhandled.
    const result = await lockstep(['run', '--trace', fixture('ram.s')]);
    expect(result.status).toBe(139);
    expect(result.stdout.length).toBe(0);
    const printed = lines(result.stderr);
    expect(printed.slice(0, 5)).toEqual([
      'core   0: 3 0x80000000 (0x840002b7) x5  0x84000000', // li t0, 0x83fffffc = lui 0x84000 ...
      'core   0: 3 0x80000004 (0xffc28293) x5  0x83fffffc', // ... + addi -4
      'core   0: 3 0x80000008 (0x02a00313) x6  0x0000002a',
      'core   0: exception trap_store_access_fault, epc 0x8000000c',
      'core   0:           tval 0x83fffffc',
    ]);
    expect(printed.slice(5)).toEqual([expect.stringMatching(/^lockstep: unhandled store access fault at pc 0x8000000c/)]);
  });

  it('traces the guest output program with its stdout untouched (sb → 2 hex digits of data)', async () => {
    const file = join(dir, 'bytes.trace');
    const result = await lockstep(['run', `--trace=${file}`, fixture('bytes.s')]);
    expect(result.stdout.toString('hex')).toBe('fffe008041c3e9');
    expect(result.status).toBe(44);
    const trace = lines(readFileSync(file, 'utf8'));
    expect(trace).toHaveLength(12);
    expect(trace[8]).toBe('core   0: 3 0x80000020 (0x00628023) mem 0x10000000 0xe9');
  });
});

describe.concurrent('lockstep run --report', () => {
  it('reports how a run ended: exit code, instructions, stop reason, speed, output bytes', async () => {
    const report = join(dir, 'bytes.json');
    const result = await lockstep(['run', '--report', report, fixture('bytes.s')]);
    expect(result.status).toBe(44);
    expect(result.stdout.toString('hex')).toBe('fffe008041c3e9');
    const json = JSON.parse(readFileSync(report, 'utf8'));
    // bytes.s is straight-line: 12 instructions (la = auipc + addi), 6 + 1 bytes of output.
    expect(json).toMatchObject({ exit_code: 44, instret: 12, stop_reason: 'exit', stdout_bytes: 7, ram_mib: 1, topology: 'simplex' });
    expect(json.wall_ms).toBeTypeOf('number');
    expect(json.wall_ms).toBeGreaterThanOrEqual(0);
    expect(json.mips).toBeTypeOf('number');
    expect(json.mips).toBeGreaterThanOrEqual(0);
  });

  it('reports mips as instret / wall time', async () => {
    const report = join(dir, 'spin.json');
    const result = await lockstep(['run', '--max-instructions', '3M', '--report', report, fixture('spin.s')]);
    expect(result.status).toBe(124);
    const { instret, wall_ms: wallMs, mips } = JSON.parse(readFileSync(report, 'utf8'));
    expect(instret).toBe(3_000_000);
    expect(wallMs).toBeGreaterThan(0);
    // mips is rounded to 0.1, wall_ms to 1 µs.
    expect(Math.abs(mips - instret / (wallMs * 1000))).toBeLessThan(0.06 + 0.01 * mips);
  });
});
