/**
 * Memory ECC (`ecc: 'secded'`) and the scrubber, run on machines: a single-bit error in a
 * RAM word is corrected wherever the word is read (load, fetch, a partial store's
 * read-modify-write, a host call), a double one is announced as `kind=ecc` is, and the
 * scrubber corrects a latent error before a second upset pairs with it. Instruction numbers
 * are counted by hand from the programs (instructions count from 0; `at=N` applies just
 * before instruction N); outputs and exit codes are worked out from the data.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/machine.ts';
import { classify } from '../../src/fault/classify.ts';
import type { MachineEvent } from '../../src/machine/events.ts';
import type { Topology } from '../../src/machine/topology.ts';
import { buildReport } from '../../src/machine/report.ts';
import { assembleOrThrow, machineFor, runProgram, type RunSetup } from '../helpers/machine.ts';
import { parseFault } from '../../src/fault/spec.ts';

// 0-1 la s0,table  2 li s1,0  3 li s2,4  loop (k = 0..3): 4+5k lw  5+5k add  6+5k addi
// 7+5k addi  8+5k bnez;  24 li a0,1  25-26 la a1,message  27 li a2,9  28 li a7,64
// 29 ecall write  30 mv a0,s1  31 li a7,34  32 ecall print hex  33-34 la t1,flags
// 35 li t2,1  36 sb  37 lw  38 srli  39 andi  40 li a7,93  41 ecall exit
const CHECKSUM = assembleOrThrow(`
  .globl _start
_start:
  la s0, table
  li s1, 0
  li s2, 4
sum:
  lw t0, 0(s0)
add_insn:
  add s1, s1, t0
  addi s0, s0, 4
  addi s2, s2, -1
  bnez s2, sum
  li a0, 1
  la a1, message
  li a2, 9
  li a7, 64
  ecall
  mv a0, s1
  li a7, 34
  ecall
  la t1, flags
  li t2, 1
  sb t2, 0(t1)
  lw a0, 0(t1)
  srli a0, a0, 8
  andi a0, a0, 0xFF
  li a7, 93
  ecall
  .data
table: .word 0x11111111, 0x02468ACE, 0x13579BDF, 0x7FFFFFFF
message: .ascii "checksum "
  .align 2
flags: .word 0x5A5A5A00
`);
const symbol = (name: string) => CHECKSUM.symbols.get(name)!;
// 0x11111111 + 0x02468ACE + 0x13579BDF + 0x7FFFFFFF = 0xA6AF37BD; flags' second byte is 0x5A.
const EXPECTED_OUTPUT = 'checksum 0xa6af37bd';
const EXPECTED_EXIT = 0x5A;
const hex = (n: number) => `0x${n.toString(16)}`;

/** Words of CHECKSUM and the instruction that first reads each (hand-counted above). */
const WORDS = [
  { name: 'table[0], read by a load', addr: () => symbol('table'), readAt: 4 },
  { name: 'table[2], read by a load', addr: () => symbol('table') + 8, readAt: 14 },
  { name: 'an instruction word, read by its fetch', addr: () => symbol('add_insn'), readAt: 5 },
  { name: 'a word of the message a write host call reads', addr: () => symbol('message') + 4, readAt: 29 },
  { name: 'a word a byte store reads first (read-modify-write)', addr: () => symbol('flags'), readAt: 36 },
];

const secded = { ecc: 'secded' } as const;
/** The events without their inject events (whose fault text differs between the runs compared). */
const withoutInjects = (events: readonly MachineEvent[]) => events.filter((e) => e.kind !== 'inject');

describe('the fault-free checksum program', () => {
  it('prints the checksum worked out by hand and exits with the flags byte, after 42 instructions', async () => {
    const run = await runProgram(CHECKSUM, secded);
    expect(run.text).toBe(EXPECTED_OUTPUT);
    expect(run.machine.halt?.exitCode).toBe(EXPECTED_EXIT);
    expect(run.machine.instret).toBe(42);
  });
});

describe('a single-bit flip in a RAM word with SEC-DED', () => {
  it.each(['simplex', 'dmr'] as const)('is corrected for every one of the 32 bits of a live word on %s, and the output is the reference\'s', async (topology) => {
    const module = topology === 'simplex' ? 0 : 1;
    const table = symbol('table');
    for (let bit = 0; bit < 32; bit++) {
      const run = await runProgram(CHECKSUM, { ...secded, topology, faults: [`at=0,module=${module},kind=flip,target=mem:${hex(table)},bit=${bit}`] });
      expect(run.text, `bit ${bit}`).toBe(EXPECTED_OUTPUT);
      expect(run.machine.events).toEqual([
        { instret: 0, kind: 'inject', module, fault: `at=0,module=${module},kind=flip,target=mem:${hex(table)},bit=${bit}` },
        { instret: 4, kind: 'corrected', module, address: table, bit, by: 'read' },
        { instret: 41, kind: 'halt', reason: 'exit', exit_code: EXPECTED_EXIT },
      ]);
      expect(run.machine.moduleStatus().map((m) => [m.state, m.corrected])).toEqual(
        topology === 'simplex' ? [['online', 1]] : [['online', 0], ['online', 1]],
      );
    }
  });

  it.each(WORDS.slice(1))('is corrected for every bit of $name, at that read', async ({ addr, readAt }) => {
    for (let bit = 0; bit < 32; bit++) {
      const run = await runProgram(CHECKSUM, { ...secded, topology: 'tmr', faults: [`at=0,module=2,kind=flip,target=mem:${hex(addr())},bit=${bit}`] });
      expect(run.text, `bit ${bit}`).toBe(EXPECTED_OUTPUT);
      expect(run.machine.halt?.exitCode).toBe(EXPECTED_EXIT);
      expect(withoutInjects(run.machine.events)).toEqual([
        { instret: readAt, kind: 'corrected', module: 2, address: addr(), bit, by: 'read' },
        { instret: 41, kind: 'halt', reason: 'exit', exit_code: EXPECTED_EXIT },
      ]);
    }
  });

  it('is classified as recovered: detected, corrected, the output the reference\'s', async () => {
    const reference = await runProgram(CHECKSUM, secded);
    const faulty = await runProgram(CHECKSUM, { ...secded, faults: [`at=0,kind=flip,target=mem:${hex(symbol('table'))},bit=9`] });
    expect(classify(
      { halt: reference.machine.halt, output: reference.stdout, events: reference.machine.events },
      { halt: faulty.machine.halt, output: faulty.stdout, events: faulty.machine.events },
    )).toBe('recovered');
  });

  it('without ECC, the same flip corrupts the checksum (0x11111111 with bit 9 set adds 0x200)', async () => {
    const run = await runProgram(CHECKSUM, { faults: [`at=0,kind=flip,target=mem:${hex(symbol('table'))},bit=9`] });
    expect(run.text).toBe('checksum 0xa6af39bd');
  });

  it('runs the module instrumented only until the correction: the word then needs no check bits of its own', async () => {
    const L = (await Machine.create()).core.layout;
    const { machine } = await machineFor(CHECKSUM, { ...secded, faults: [`at=0,kind=flip,target=mem:${hex(symbol('table'))},bit=9`] });
    const armed = () => machine.core.u32(L.MACHINE + L.M_FAULTS_ARMED);
    machine.run(4);
    expect(armed()).toBe(1);
    machine.run(1); // the load at 4 corrects the word
    expect(armed()).toBe(0);
  });
});

describe('a double-bit flip in a RAM word with SEC-DED', () => {
  /** A run of CHECKSUM with `fault`, and the same run with kind=ecc on that word instead. */
  async function againstEcc(topology: Topology, module: number, addr: number, bits: string) {
    const flip = await runProgram(CHECKSUM, { ...secded, topology, faults: [`at=0,module=${module},kind=flip,target=mem:${hex(addr)},bit=${bits}`] });
    const ecc = await runProgram(CHECKSUM, { ...secded, topology, faults: [`at=0,module=${module},kind=ecc,target=mem:${hex(addr)},bit=0`] });
    return { flip, ecc };
  }

  it('is announced for every one of the 496 pairs of bits of a live word on dmr, as kind=ecc is: the module goes offline, its partner finishes', async () => {
    const table = symbol('table');
    const { ecc } = await againstEcc('dmr', 1, table, '0');
    expect(withoutInjects(ecc.machine.events)).toEqual([
      { instret: 4, kind: 'error', module: 1, where: `uncorrectable ECC error in RAM word 0x${table.toString(16)}` },
      { instret: 4, kind: 'offline', module: 1, reason: 'announced' },
      { instret: 41, kind: 'halt', reason: 'exit', exit_code: EXPECTED_EXIT },
    ]);
    for (let a = 0; a < 32; a++) {
      for (let b = a + 1; b < 32; b++) {
        const run = await runProgram(CHECKSUM, { ...secded, topology: 'dmr', faults: [`at=0,module=1,kind=flip,target=mem:${hex(table)},bit=${a}+${b}`] });
        expect(withoutInjects(run.machine.events), `bits ${a}+${b}`).toEqual(withoutInjects(ecc.machine.events));
        expect(run.text).toBe(EXPECTED_OUTPUT);
      }
    }
  });

  it.each([
    ['tmr', 2], ['pair-spare', 1], ['simplex', 0],
  ] as const)('is handled on %s as kind=ecc is, wherever the word is read', async (topology, module) => {
    for (const word of WORDS) {
      for (const bits of ['0+1', '3+17', '30+31']) {
        const { flip, ecc } = await againstEcc(topology, module, word.addr(), bits);
        expect(withoutInjects(flip.machine.events), `${word.name}, bits ${bits}`).toEqual(withoutInjects(ecc.machine.events));
        expect(flip.machine.events.find((e) => e.kind === 'error')?.instret).toBe(word.readAt);
        expect(flip.text).toBe(ecc.text);
        expect(flip.machine.halt).toEqual(ecc.machine.halt);
      }
    }
  });

  it('fail-stops simplex at the read', async () => {
    const run = await runProgram(CHECKSUM, { ...secded, faults: [`at=0,kind=flip,target=mem:${hex(symbol('table'))},bit=3+17`] });
    expect(run.machine.halt?.reason).toBe('failstop');
    expect(run.machine.events.find((e) => e.kind === 'failstop')?.instret).toBe(4);
  });
});

describe('a triple flip', () => {
  it('can be miscorrected, as SEC-DED allows: bits 1, 2, 3 of table[0] look like an error in check bit c2, and the checksum is wrong', async () => {
    const run = await runProgram(CHECKSUM, { ...secded, faults: [`at=0,kind=flip,target=mem:${hex(symbol('table'))},bit=1+2+3`] });
    expect(run.machine.events).toContainEqual({ instret: 4, kind: 'corrected', module: 0, address: symbol('table'), bit: 34, by: 'read' });
    expect(run.text).toBe('checksum 0xa6af37cb'); // 0x11111111 ^ 0b1110 = 0x1111111F: the sum is 0xE more
  });
});

describe('a stuck cell with SEC-DED', () => {
  // 0-1 la s0,latent  2 li t0,5  3 li a0,0  loop (k = 0..4): 4+4k lw  5+4k add  6+4k addi
  // 7+4k bnez;  24 li a7,93  25 ecall
  const READ_FIVE_TIMES = `
    la s0, latent
    li t0, 5
    li a0, 0
  loop:
    lw t1, 0(s0)
    add a0, a0, t1
    addi t0, t0, -1
    bnez t0, loop
    li a7, 93
    ecall
    .data
  latent: .word 0x42
  `;

  it('is corrected at every read that finds it wrong: counted five times, logged once, and 5 × 0x42 exits as 0x4A', async () => {
    const program = assembleOrThrow(READ_FIVE_TIMES);
    const latent = program.symbols.get('latent')!;
    const run = await runProgram(program, { ...secded, faults: [`at=0,kind=stuck1,target=mem:${hex(latent)},bit=0`] });
    expect(run.machine.halt?.exitCode).toBe(0x4A);
    expect(run.machine.moduleStatus()[0].corrected).toBe(5);
    expect(run.machine.events.filter((e) => e.kind === 'corrected')).toEqual([{ instret: 4, kind: 'corrected', module: 0, address: latent, bit: 0, by: 'read' }]);
  });

  it('is corrected in what a host call reads: a stuck-at-1 bit 7 under the "k" of "checksum" (the word holds "ksum") does not reach the output', async () => {
    const word = hex(symbol('message') + 4);
    const run = await runProgram(CHECKSUM, { ...secded, topology: 'dmr', faults: [`at=0,module=1,kind=stuck1,target=mem:${word},bit=7`] });
    expect(run.text).toBe(EXPECTED_OUTPUT);
    expect(run.machine.moduleStatus().map((m) => m.corrected)).toEqual([0, 1]);
    const unprotected = await runProgram(CHECKSUM, { topology: 'simplex', faults: [`at=0,kind=stuck1,target=mem:${word},bit=7`] });
    expect(Array.from(unprotected.stdout.subarray(4, 5))).toEqual(['k'.charCodeAt(0) | 0x80]);
  });

  it('without ECC gives 5 × 0x43, exit 0x4F', async () => {
    const program = assembleOrThrow(READ_FIVE_TIMES);
    const run = await runProgram(program, { faults: [`at=0,kind=stuck1,target=mem:${hex(program.symbols.get('latent')!)},bit=0`] });
    expect(run.machine.halt?.exitCode).toBe(0x4F);
  });
});

// 0-1 la s0,latent  2-3 li t0,10000 (lui, addi)  wait: 4..20003 (10,000 × addi, bnez)
// 20004 lw  20005 andi  20006 li a7,93  20007 ecall: exit 0x42
const SCRUB = assembleOrThrow(`
  la s0, latent
  li t0, 10000
wait:
  addi t0, t0, -1
  bnez t0, wait
  lw a0, 0(s0)
  andi a0, a0, 0xFF
  li a7, 93
  ecall
  .data
latent: .word 0x42
`);
const LATENT = SCRUB.symbols.get('latent')!;
/** Two upsets of the same word, far apart, long before it is read at 20004. */
const TWO_UPSETS = [`at=1000,module=0,kind=flip,target=mem:${hex(LATENT)},bit=3`, `at=15000,module=0,kind=flip,target=mem:${hex(LATENT)},bit=17`];
/** Cycles one scrubber pass over 1 MiB costs at 8 bytes a cycle. */
const PASS_CYCLES = 2 ** 20 / 8;

describe('the scrubber', () => {
  it('without it, two upsets of one word pair up into an uncorrectable error, announced at the read', async () => {
    const run = await runProgram(SCRUB, { ...secded, faults: TWO_UPSETS });
    expect(withoutInjects(run.machine.events)).toEqual([
      { instret: 20004, kind: 'error', module: 0, where: `uncorrectable ECC error in RAM word 0x${LATENT.toString(16)}` },
      { instret: 20004, kind: 'offline', module: 0, reason: 'announced' },
      { instret: 20004, kind: 'failstop', reason: 'module 0 announced an uncorrectable error' },
      { instret: 20004, kind: 'halt', reason: 'failstop', exit_code: 125 },
    ]);
  });

  it('every 10,000 instructions corrects the first upset at 10,000, before the second comes at 15,000, and that one at 20,000', async () => {
    const run = await runProgram(SCRUB, { ...secded, scrubEvery: 10_000, faults: TWO_UPSETS });
    expect(run.machine.halt?.exitCode).toBe(0x42);
    expect(withoutInjects(run.machine.events)).toEqual([
      { instret: 10_000, kind: 'scrub', module: 0, corrected: 1, uncorrectable: 0 },
      { instret: 10_000, kind: 'corrected', module: 0, address: LATENT, bit: 3, by: 'scrub' },
      { instret: 20_000, kind: 'scrub', module: 0, corrected: 1, uncorrectable: 0 },
      { instret: 20_000, kind: 'corrected', module: 0, address: LATENT, bit: 17, by: 'scrub' },
      { instret: 20_007, kind: 'halt', reason: 'exit', exit_code: 0x42 },
    ]);
    expect(run.machine.moduleStatus()[0].corrected).toBe(2);
  });

  it('charges each pass as stall cycles: two passes of RAM bytes / 8 cycles each, on top of one cycle an instruction', async () => {
    const run = await runProgram(SCRUB, { ...secded, scrubEvery: 10_000 });
    expect(run.machine.instret).toBe(20_008);
    expect(run.machine.cycle).toBe(20_008 + 2 * PASS_CYCLES);
    expect(run.machine.scrubStats()).toEqual({ every: 10_000, passes: 2, words_per_pass: 2 ** 18, cycles_per_pass: PASS_CYCLES, cycles: 2 * PASS_CYCLES });
  });

  it('every 16,000 instructions comes too late: the pass at 16,000 finds the word uncorrectable, and the read announces it', async () => {
    const run = await runProgram(SCRUB, { ...secded, topology: 'dmr', scrubEvery: 16_000, faults: TWO_UPSETS });
    expect(withoutInjects(run.machine.events)).toEqual([
      { instret: 16_000, kind: 'scrub', module: 0, corrected: 0, uncorrectable: 1 },
      { instret: 20_004, kind: 'error', module: 0, where: `uncorrectable ECC error in RAM word 0x${LATENT.toString(16)}` },
      { instret: 20_004, kind: 'offline', module: 0, reason: 'announced' },
      { instret: 20_007, kind: 'halt', reason: 'exit', exit_code: 0x42 },
    ]);
  });

  it('is refused without ECC, and with a zero interval', async () => {
    await expect(Machine.create({ scrubEvery: 1000 })).rejects.toThrow(/give the machine ECC secded to scrub/);
    await expect(Machine.create({ ecc: 'secded', scrubEvery: 0 })).rejects.toThrow(/1 or more/);
  });
});

describe('a host call that writes RAM with SEC-DED', () => {
  // 0 li a0,0  1-2 la a1,buf  3 li a2,4  4 li a7,63  5 ecall read(0, buf, 4)  6 lw a0,0(a1)
  // 7 srli a0,a0,16  8 andi a0,a0,0xFF  9 li a7,93  10 ecall: exit with byte 2 of buf
  const READ_INTO_BUF = assembleOrThrow(`
    li a0, 0
    la a1, buf
    li a2, 4
    li a7, 63
    ecall
    lw a0, 0(a1)
    srli a0, a0, 16
    andi a0, a0, 0xFF
    li a7, 93
    ecall
    .data
  buf: .word 0x00C30000
  `);
  const buf = hex(READ_INTO_BUF.symbols.get('buf')!);

  it('reads a word it writes only in part through the ECC first: one byte of input keeps byte 2 = 0xC3, not the flipped 0xD3', async () => {
    const run = await runProgram(READ_INTO_BUF, { ...secded, input: 'A', faults: [`at=0,kind=flip,target=mem:${buf},bit=20`] });
    expect(run.machine.halt?.exitCode).toBe(0xC3);
    expect(withoutInjects(run.machine.events)[0]).toEqual({ instret: 5, kind: 'corrected', module: 0, address: Number(buf), bit: 20, by: 'read' });
    const unprotected = await runProgram(READ_INTO_BUF, { input: 'A', faults: [`at=0,kind=flip,target=mem:${buf},bit=20`] });
    expect(unprotected.machine.halt?.exitCode).toBe(0xD3);
  });

  it('announces an uncorrectable word it must read to merge its bytes: dmr takes the module offline at the call', async () => {
    const run = await runProgram(READ_INTO_BUF, { ...secded, topology: 'dmr', input: 'A', faults: [`at=0,module=1,kind=flip,target=mem:${buf},bit=20+21`] });
    expect(run.machine.halt?.exitCode).toBe(0xC3);
    expect(withoutInjects(run.machine.events).slice(0, 2)).toEqual([
      { instret: 5, kind: 'error', module: 1, where: `uncorrectable ECC error in RAM word ${buf}` },
      { instret: 5, kind: 'offline', module: 1, reason: 'announced' },
    ]);
  });

  it('replaces a word it writes whole, error and all: four bytes of input over a poisoned word announce nothing', async () => {
    const run = await runProgram(READ_INTO_BUF, { ...secded, topology: 'dmr', input: 'ABCD', faults: [`at=0,module=1,kind=ecc,target=mem:${buf},bit=0`] });
    expect(run.machine.halt?.exitCode).toBe(0x43); // 'C'
    expect(withoutInjects(run.machine.events)).toEqual([{ instret: 10, kind: 'halt', reason: 'exit', exit_code: 0x43 }]);
  });
});

describe('a resync with SEC-DED', () => {
  it('copies RAM as codewords: a latent error on the source reaches the new module with its check bits, and both correct it', async () => {
    // Module 1 dies at 100 and is replaced (stop-copy) at 200; module 0's word was hit at 150.
    const { machine } = await machineFor(SCRUB, {
      ...secded, topology: 'dmr', resync: 'stop-copy',
      faults: ['at=100,module=1,kind=kill', `at=150,module=0,kind=flip,target=mem:${hex(LATENT)},bit=5`],
    });
    machine.replace(200, { module: 1 });
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.halt.exitCode).toBe(0x42);
    expect(machine.events.filter((e) => e.kind === 'corrected' || e.kind === 'diverge')).toEqual([
      { instret: 20_004, kind: 'corrected', module: 0, address: LATENT, bit: 5, by: 'read' },
      { instret: 20_004, kind: 'corrected', module: 1, address: LATENT, bit: 5, by: 'read' },
    ]);
  });
});

/**
 * Phase 1 writes a word in each of 32 pages, 34 times (~4,500 instructions: pre-copy rounds
 * that do not converge); phase 2 writes word 0 of `bpage` 3,000 times, then exits with the
 * sum of its words 1..5 (1 + 2 + 3 + 4 + 5 = 15), which it never writes. `apage` is never written.
 */
const PRECOPY = assembleOrThrow(`
  li s1, 34
phase1:
  la t1, pages
  li t0, 32
  li t2, 4096
1:
  sw t0, 0(t1)
  add t1, t1, t2
  addi t0, t0, -1
  bnez t0, 1b
  addi s1, s1, -1
  bnez s1, phase1
  la t1, bpage
  li t0, 3000
2:
  sw t0, 0(t1)
  addi t0, t0, -1
  bnez t0, 2b
  li a0, 0
  li t0, 5
3:
  addi t1, t1, 4
  lw t2, 0(t1)
  add a0, a0, t2
  addi t0, t0, -1
  bnez t0, 3b
  li a7, 93
  ecall
  .data
  .align 12
apage: .word 0x100, 0x200, 0x300, 0x400
  .align 12
bpage: .word 0, 1, 2, 3, 4, 5
  .align 12
pages: .zero 32 * 4096
`);

describe('a pre-copy resync with SEC-DED', () => {
  it('leaves the new module no error the source no longer has, so the source\'s errors always fit: four stale words and five new ones, one more than a module\'s slots', async () => {
    const apage = PRECOPY.symbols.get('apage')!;
    const bpage = PRECOPY.symbols.get('bpage')!;
    // Module 1 dies at 100 and is replaced at 200; at 256 bytes a cycle round 1 copies the
    // 1 MiB in 4,096 instructions, to 4,296. Four words of apage take three flipped bits at
    // 1,000 (bits 1, 2, 3: SEC-DED reads them as an error in check bit c2, bit 34), copied in
    // round 1 with their slots; the scrubber at 4,500 "corrects" those check bits on module
    // 0, which writes no page: apage is not copied again. Five words of bpage flip at 4,600
    // (given then: a module's plan holds at most 8 faulty words), in the page phase 2
    // writes, copied at the end of the resync: 4 + 5 words, one more than a module's 8 slots.
    const { machine } = await machineFor(PRECOPY, {
      ...secded, topology: 'dmr', scrubEvery: 4500, resync: 'precopy', copyBytesPerCycle: 256,
      faults: ['at=100,module=1,kind=kill', ...[0, 4, 8, 12].map((k) => `at=1000,module=0,kind=flip,target=mem:${hex(apage + k)},bit=1+2+3`)],
    });
    machine.replace(200, { module: 1 });
    machine.run(2000 - machine.instret);
    for (let k = 1; k <= 5; k++) machine.inject(parseFault(`at=4600,module=0,kind=flip,target=mem:${hex(bpage + 4 * k)},bit=7`));
    while (!machine.halt) machine.run(1_000_000);
    const events = withoutInjects(machine.events);
    expect(events.find((e) => e.kind === 'resync-round')).toMatchObject({ instret: 4296, round: 1 });
    expect(events.filter((e) => e.kind === 'corrected' && e.instret === 4500)).toEqual([0, 4, 8, 12].map((k) => (
      { instret: 4500, kind: 'corrected', module: 0, address: apage + k, bit: 34, by: 'scrub' })));
    expect(events.find((e) => e.kind === 'resync-done')!.instret).toBeGreaterThan(4600);
    // Afterwards each module's scrubber (at 9,000) corrects the five bpage words, and only those.
    const bWords = [1, 2, 3, 4, 5].map((k) => bpage + 4 * k);
    for (const module of [0, 1]) {
      expect(events.filter((e) => e.kind === 'corrected' && e.instret === 9000 && e.module === module).map((e) => e.kind === 'corrected' && e.address)).toEqual(bWords);
    }
    expect(events.filter((e) => e.kind === 'diverge' || e.kind === 'failstop')).toEqual([]);
    expect(machine.halt).toMatchObject({ reason: 'exit', exitCode: 15 });
  });
});

describe('freeing a RAM fault slot (Core.clearMemFaultSlot, as a resync frees the target\'s slots in the pages it copies)', () => {
  it('leaves the slot byte for byte as a module reset leaves every slot', async () => {
    const { machine } = await machineFor(SCRUB, { ...secded, topology: 'dmr', faults: [`at=0,module=1,kind=stuck1,target=mem:${hex(LATENT)},bit=0`] });
    machine.run(1);
    const { core } = machine;
    const L = core.layout;
    const slot = (m: number, k: number) => core.hart(m) + L.H_MEM_FAULTS + k * L.MEM_FAULT_SIZE;
    const bytes = (entry: number) => [...core.slice(entry, L.MEM_FAULT_SIZE)];
    const used = Array.from({ length: L.MEM_FAULT_SLOTS }, (_, k) => slot(1, k)).filter((entry) => core.u32(entry + L.MF_OFFSET) !== L.MEM_FAULT_NONE);
    expect(used.map((entry) => core.u32(entry + L.MF_OFFSET))).toEqual([LATENT - 0x8000_0000]);
    const untouched = bytes(slot(0, 0)); // module 0 carries no fault
    expect(bytes(used[0])).not.toEqual(untouched);
    core.clearMemFaultSlot(used[0]);
    expect(bytes(used[0])).toEqual(untouched);
    expect(core.u32(used[0] + L.MF_AND)).toBe(0xFFFF_FFFF);
  });
});

describe('snapshot and restore with SEC-DED and a scrubber', () => {
  const setup: RunSetup = { ...secded, topology: 'tmr', scrubEvery: 10_000, faults: [...TWO_UPSETS, `at=2,module=2,kind=stuck1,target=mem:${hex(LATENT)},bit=0`] };

  it.each([500, 1500, 10_000, 12_345, 17_000])('restored at instruction %i, continues exactly as the uninterrupted run', async (at) => {
    const whole = await runProgram(SCRUB, setup);
    const { machine } = await machineFor(SCRUB, setup);
    machine.run(at);
    expect(machine.instret).toBe(at);
    const restored = await Machine.fromSnapshot(machine.snapshot());
    while (!restored.halt) restored.run(1_000_000);
    const report = (m: Machine) => buildReport(m, { exitCode: m.halt!.exitCode, stopReason: m.halt!.reason, wallMs: 0 });
    expect(report(restored)).toEqual(report(whole.machine));
    expect(restored.cycle).toBe(whole.machine.cycle);
    // Module 0: each upset by a scrub; module 2's stuck cell: by both scrubs and by the read.
    expect(whole.machine.moduleStatus().map((m) => m.corrected)).toEqual([2, 0, 3]);
  });
});
