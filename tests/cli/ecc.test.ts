/**
 * `lockstep run --ecc secded --scrub-every N`: a corrected error on stderr's outcome line and
 * in the report (its event, the module's counter, the scrubber's cost), multi-bit faults,
 * and bad settings. Instruction numbers are counted by hand from the program below.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, lockstep, lines, tempDir } from './lockstep.ts';

const dir = tempDir();
// 0-1 la s0,word  2 li t0,2000  3..4002 the wait loop  4003 lw  4004 li a7,93  4005 ecall
const PROGRAM = join(dir, 'latent.s');
writeFileSync(PROGRAM, [
  '.globl _start', '_start:', ' la s0, word', ' li t0, 2000', 'wait:', ' addi t0, t0, -1', ' bnez t0, wait',
  ' lw a0, 0(s0)', ' li a7, 93', ' ecall', ' .data', 'word: .word 42', '',
].join('\n'));
const WORD = 'mem:0x80001000';

describe('lockstep run --ecc secded', () => {
  it('corrects a flipped bit, says so in the outcome, and reports the event and the counter', async () => {
    const report = join(dir, 'corrected.json');
    const run = await lockstep(['run', PROGRAM, '--topology', 'dmr', '--ecc', 'secded', '--inject', `at=10,module=1,kind=flip,target=${WORD},bit=7`, '--classify', '--report', report]);
    expect(run.status).toBe(42);
    expect(lines(run.stderr)).toEqual([
      "outcome: recovered — detected at instruction 4,003, 1 memory error corrected by ECC; the output and exit code are the fault-free run's",
    ]);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json).toMatchObject({ ecc: 'secded', outcome: 'recovered', detection_latency: 4003 - 10 });
    expect(json.scrub).toBeUndefined();
    expect(json.modules.map((m: { corrected: number }) => m.corrected)).toEqual([0, 1]);
    expect(json.events).toContainEqual({ instret: 4003, kind: 'corrected', module: 1, address: 0x8000_1000, bit: 7, by: 'read' });
  });

  it('announces a two-bit upset (bit=3+17): dmr takes the module offline and finishes', async () => {
    const run = await lockstep(['run', PROGRAM, '--topology', 'dmr', '--ecc', 'secded', '--inject', `at=10,module=1,kind=flip,target=${WORD},bit=3+17`, '--report', join(dir, 'double.json')]);
    expect(run.status).toBe(42);
    const json = JSON.parse(readFileSync(join(dir, 'double.json'), 'utf8'));
    expect(json.modules[1]).toMatchObject({ state: 'offline', faults: [`at=10,module=1,kind=flip,target=${WORD},bit=3+17`] });
    expect(json.events).toContainEqual({ instret: 4003, kind: 'error', module: 1, where: 'uncorrectable ECC error in RAM word 0x80001000' });
  });

  it('--scrub-every 1000 corrects the word at 1,000, before a second upset at 2,000, and reports four passes and their cost', async () => {
    const report = join(dir, 'scrub.json');
    const run = await lockstep(['run', PROGRAM, '--ecc', 'secded', '--scrub-every', '1000',
      '--inject', `at=10,module=0,kind=flip,target=${WORD},bit=3`, '--inject', `at=2000,module=0,kind=flip,target=${WORD},bit=17`, '--report', report]);
    expect(run.status).toBe(42);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    // Passes at 1,000, 2,000, 3,000 and 4,000 (the program's last instruction is 4,005); 1 MiB at 8 bytes a cycle each.
    expect(json.scrub).toEqual({ every: 1000, passes: 4, words_per_pass: 262_144, cycles_per_pass: 131_072, cycles: 4 * 131_072 });
    expect(json.cycles).toBe(4006 + 4 * 131_072);
    expect(json.events.filter((e: { kind: string }) => e.kind === 'corrected')).toEqual([
      { instret: 1000, kind: 'corrected', module: 0, address: 0x8000_1000, bit: 3, by: 'scrub' },
      { instret: 2000, kind: 'corrected', module: 0, address: 0x8000_1000, bit: 17, by: 'scrub' },
    ]);
  });

  it.each([
    [['--ecc', 'parity'], [/--ecc: 'parity' is not one of none, secded/]],
    [['--scrub-every', '1000'], [/--scrub-every: a scrubber corrects errors with the RAM's check bits: give the machine ECC secded/]],
    [['--ecc', 'secded', '--scrub-every', '0'], [/--scrub-every: 0 instructions/]],
    [['--ecc', 'secded', '--scrub-every', 'often'], [/--scrub-every: 'often' is not a whole number/]],
    [['--inject', `at=1,kind=flip,target=${WORD},bit=3+`], [/bit=3\+: give bit numbers joined by \+/]],
  ])('refuses %j with one line', async (args, words) => {
    expectUsageError(await lockstep(['run', PROGRAM, ...args]), words);
  });
});
