/**
 * Diagnosis and re-admission (README "Diagnosis and re-admission"): a module taken offline
 * is self-tested; a transient fault leaves nothing behind and the module comes back through
 * the normal resync after the diagnosis time; a permanent one stays until it is replaced; K
 * errors within N instructions retire it. Instruction numbers follow from SUM (sum.ts);
 * re-admission happens before instruction offline + 1 + diagnosis time, and a stop-and-copy
 * resync finishes at the instruction it starts (the machine pauses, instret does not move).
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/machine.ts';
import type { MachineEvent } from '../../src/machine/events.ts';
import { Random } from '../../src/fault/random.ts';
import { machineFor, type RunSetup } from '../helpers/machine.ts';
import { SUM, SUM_TEXT, flipSum, nextAdd, runSum } from './sum.ts';

const READMIT: RunSetup = { readmit: 'transient', diagnoseTime: 1000, resync: 'stop-copy' };

const ofKind = <K extends MachineEvent['kind']>(events: readonly MachineEvent[], kind: K) =>
  events.filter((e): e is Extract<MachineEvent, { kind: K }> => e.kind === kind);

describe('re-admission on tmr', () => {
  it('a transient flip puts module 1 offline; it is re-admitted, resynced, and then outvotes module 0 with module 2', async () => {
    const run = await runSum({ topology: 'tmr', ...READMIT, faults: [flipSum(100, 1), flipSum(5000, 0)] });
    const first = nextAdd(100); // 100
    const second = nextAdd(5000); // 5002
    expect(run.events.filter((e) => e.instret <= first + 1001).slice(1)).toEqual([
      { instret: first, kind: 'diverge', module: 1, reference: 0, pc: 0x8000_0010, field: 'x8', expected: '0x00000231', actual: '0x00100231' },
      { instret: first, kind: 'offline', module: 1, reason: 'outvoted' },
      { instret: first, kind: 'diagnose', module: 1, modules: [1], verdict: 'transient', errors: 1, readmit_at: first + 1001 },
      { instret: first + 1001, kind: 'readmit', module: 1 },
      expect.objectContaining({ instret: first + 1001, kind: 'resync-done', modules: [1], source: 0, mode: 'stop-copy' }),
    ]);
    // Module 1, back, sides with module 2 against module 0: a 2-to-1 vote, not dmr's fail-stop.
    expect(ofKind(run.events, 'diverge')[1]).toMatchObject({ instret: second, module: 0, reference: 1, expected: expect.any(String) });
    expect(ofKind(run.events, 'offline')[1]).toEqual({ instret: second, kind: 'offline', module: 0, reason: 'outvoted' });
    expect(run.text).toBe(SUM_TEXT);
    expect(run.outcome).toBe('recovered');
    expect(run.states).toEqual(['online', 'online', 'online']); // module 0 came back too
  });

  it('without re-admission (the default) the same plan ends in dmr\'s fail-stop: modules 0 and 2 disagree', async () => {
    const run = await runSum({ topology: 'tmr', resync: 'stop-copy', faults: [flipSum(100, 1), flipSum(5000, 0)] });
    expect(ofKind(run.events, 'diagnose')).toEqual([]);
    expect(run.machine.halt).toMatchObject({ reason: 'failstop' });
    expect(run.outcome).toBe('failstop');
  });

  it('a stuck-at module is never re-admitted: the self-test finds the fault, and the later fault fail-stops', async () => {
    const run = await runSum({ topology: 'tmr', ...READMIT, faults: ['at=100,module=1,kind=stuck1,target=s0,bit=20', flipSum(5000, 0)] });
    expect(ofKind(run.events, 'diagnose')).toEqual([{ instret: 100, kind: 'diagnose', module: 1, modules: [1], verdict: 'permanent', errors: 1 }]);
    expect(ofKind(run.events, 'readmit')).toEqual([]);
    expect(run.outcome).toBe('failstop');
    expect(run.states).toEqual(['online', 'offline', 'online']);
  });

  it('--repair-after replaces only the modules not re-admitted; the replacement no longer carries the stuck bit', async () => {
    // 100: module 1 stuck → permanent → replaced at 100 + 1 + 2000. 3000: module 2 flips
    // (all three online again) → transient → re-admitted, not replaced. 6000: module 0 flips
    // and is outvoted by the new module 1 and module 2.
    const run = await runSum({
      topology: 'tmr', ...READMIT, repairAfter: 2000,
      faults: ['at=100,module=1,kind=stuck1,target=s0,bit=20', flipSum(3000, 2), flipSum(6000, 0)],
    });
    expect(ofKind(run.events, 'replace')).toEqual([{ instret: 2101, kind: 'replace', module: 1 }]);
    expect(ofKind(run.events, 'readmit')).toEqual([
      { instret: nextAdd(3000) + 1001, kind: 'readmit', module: 2 },
      { instret: nextAdd(6000) + 1001, kind: 'readmit', module: 0 },
    ]);
    expect(ofKind(run.events, 'diverge').at(-1)).toMatchObject({ instret: nextAdd(6000), module: 0, reference: 1 });
    expect(run.text).toBe(SUM_TEXT);
    expect(run.outcome).toBe('recovered');
  });

  // Errors of module 1 at 100, 3001 and 6001 (nextAdd of 100, 3000, 6000). Within 100,000
  // instructions all three count and the third retires it; within 5,000 the first has left
  // the window (6001 − 100 ≥ 5000) when the third comes, which is then the second in it.
  it.each([
    [100_000, [1, 2, 3], ['transient', 'transient', 'retired']],
    [5_000, [1, 2, 2], ['transient', 'transient', 'transient']],
  ] as const)('a threshold of 3 errors within %i instructions: errors %j, verdicts %j', async (within, errors, verdicts) => {
    const run = await runSum({
      topology: 'tmr', ...READMIT, threshold: { errors: 3, within },
      faults: [flipSum(100, 1), flipSum(3000, 1), flipSum(6000, 1)],
    });
    const diagnoses = ofKind(run.events, 'diagnose');
    expect(diagnoses.map((d) => d.instret)).toEqual([100, 3001, 6001]);
    expect(diagnoses.map((d) => d.errors)).toEqual(errors);
    expect(diagnoses.map((d) => d.verdict)).toEqual(verdicts);
    expect(ofKind(run.events, 'readmit').length).toBe(verdicts.filter((v) => v === 'transient').length);
    expect(run.states[1]).toBe(verdicts[2] === 'retired' ? 'offline' : 'online');
    expect(run.text).toBe(SUM_TEXT);
  });
});

describe('re-admission on pair-spare and dmr', () => {
  it('a pair-and-spare board is diagnosed and re-admitted as one unit', async () => {
    const run = await runSum({ topology: 'pair-spare', ...READMIT, faults: [flipSum(100, 1)] });
    expect(ofKind(run.events, 'diagnose')).toEqual([
      { instret: 100, kind: 'diagnose', module: 0, modules: [0, 1], verdict: 'transient', errors: 1, readmit_at: 1101 },
    ]);
    expect(ofKind(run.events, 'readmit')).toEqual([{ instret: 1101, kind: 'readmit', module: 0 }, { instret: 1101, kind: 'readmit', module: 1 }]);
    expect(ofKind(run.events, 'resync-done')[0]).toMatchObject({ instret: 1101, modules: [0, 1], source: 2 });
    expect(run.states).toEqual(['online', 'online', 'online', 'online']);
    expect(run.text).toBe(SUM_TEXT);
  });

  it('an ECC error announced on dmr is transient: the module comes back after the diagnosis time', async () => {
    // ecc on s0 at 100 poisons the register; the add at 100 reads it and module 1 announces.
    const run = await runSum({ topology: 'dmr', ...READMIT, faults: ['at=100,module=1,kind=ecc,target=s0,bit=0'] });
    expect(ofKind(run.events, 'offline')).toEqual([{ instret: 100, kind: 'offline', module: 1, reason: 'announced' }]);
    expect(ofKind(run.events, 'readmit')).toEqual([{ instret: 1101, kind: 'readmit', module: 1 }]);
    expect(run.states).toEqual(['online', 'online']);
    expect(run.outcome).toBe('recovered');
  });
});

describe('snapshot and restore', () => {
  /** Runs `setup` on `program` to the end, hopping through a snapshot every 1,250 instructions or so. */
  async function hopping(setup: RunSetup, seed: number, program = SUM) {
    const random = new Random(seed);
    let { machine } = await machineFor(program, setup);
    const chunks: number[] = [];
    const console = { write: (_fd: 1 | 2, b: Uint8Array) => chunks.push(...b), read: () => null };
    machine.console = console;
    while (!machine.halt) {
      machine.run(1 + random.below(2500));
      machine = await Machine.fromSnapshot(machine.snapshot(), console);
    }
    return { machine, events: machine.events, text: new TextDecoder().decode(Uint8Array.from(chunks)) };
  }

  it.each([
    ['pending re-admissions and the threshold\'s error history', { topology: 'tmr', ...READMIT, threshold: { errors: 3, within: 100_000 }, faults: [flipSum(100, 1), flipSum(3000, 1), flipSum(6000, 1)] }],
    ['a precopy re-admission', { topology: 'pair-spare', readmit: 'transient', diagnoseTime: 500, copyBytesPerCycle: 256, faults: [flipSum(100, 2)] }],
  ] as [string, RunSetup][])('carry %s across a restore, equal to the uninterrupted run', async (_what, setup) => {
    const golden = await runSum(setup);
    const hopped = await hopping(setup, 5);
    expect(hopped.events).toEqual(golden.events);
    expect(hopped.text).toBe(SUM_TEXT);
    expect(golden.events.some((e) => e.kind === 'readmit')).toBe(true);
  });

  // 0-1 la t0,word  2 li t1,0  3-4 li t2,5000  loop (k = 0..4999): 5+2k addi, 6+2k bne;
  // 10005 lw a0 (the word, 0x40: module 2's stuck bit 0 makes it 0x41)  10006 li a7  10007 ecall exit.
  const LATE_READ = `
  .globl _start
_start:
  la t0, word
  li t1, 0
  li t2, 5000
loop:
  addi t1, t1, 1
  bne t1, t2, loop
  lw a0, 0(t0)
  li a7, 93
  ecall
  .data
word: .word 0x40
`;

  it('carry the faults a module holds: a stuck bit applied thousands of instructions and several restores before it is read is found by the self-test', async () => {
    const setup: RunSetup = { topology: 'tmr', ...READMIT, faults: ['at=2,module=2,kind=stuck1,target=mem:0x80001000,bit=0'] };
    const { machine: golden } = await machineFor(LATE_READ, setup);
    while (!golden.halt) golden.run(1_000_000);
    const hopped = await hopping(setup, 7, LATE_READ);
    expect(ofKind(hopped.events, 'diagnose')).toEqual([{ instret: 10_005, kind: 'diagnose', module: 2, modules: [2], verdict: 'permanent', errors: 1 }]);
    expect(hopped.machine.halt?.exitCode).toBe(0x40);
    expect(hopped.events).toEqual(golden.events);
    expect(hopped.machine.moduleStatus()).toEqual(golden.moduleStatus());
    expect(hopped.machine.moduleStatus()[2]).toMatchObject({ state: 'offline', faults: ['at=2,module=2,kind=stuck1,target=mem:0x80001000,bit=0'] });
  });
});
