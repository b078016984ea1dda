/**
 * Lockstep semantics (DESIGN §4-§6): a fault at instruction k is detected at the right
 * instruction, on the right module and field, and each topology does what it promises.
 * Instruction numbers below are counted by hand from the programs (instructions count from
 * 0; `at=N` applies just before instruction N).
 */
import { describe, expect, it } from 'vitest';
import { detectionLatency } from '../../src/machine/events.ts';
import { machineFor, runProgram } from '../helpers/machine.ts';
import { classify, type Outcome } from '../../src/fault/classify.ts';
import type { Topology } from '../../src/machine/topology.ts';
import type { MachineEvent } from '../../src/machine/events.ts';

// 0: li t0,5  1: li t1,7  2: add t2,t0,t1  3: li t0,1  4: mv a0,t2  5: li a7,93  6: ecall
const ADD = `
  .globl _start
_start:
  li t0, 5
  li t1, 7
  add t2, t0, t1
  li t0, 1
  mv a0, t2
  li a7, 93
  ecall
`;

async function outcomeOf(source: string, topology: Topology, faults: string[]) {
  const reference = await runProgram(source, { topology });
  const faulty = await runProgram(source, { topology, faults, limit: 10 * reference.machine.instret });
  const outcome: Outcome = classify(
    { halt: reference.machine.halt, output: reference.stdout, events: reference.machine.events },
    { halt: faulty.machine.halt, output: faulty.stdout, events: faulty.machine.events },
  );
  return { outcome, faulty, reference };
}

const kinds = (events: readonly MachineEvent[]) => events.map((e) => `${e.kind}@${e.instret}`);

describe('a flip in a register that is used next', () => {
  const fault = 'at=2,module=1,kind=flip,target=t0,bit=3'; // t0: 5 → 13, so add gives 20, not 12

  // tmr's majority says module 0 is right; pair-spare's board 0 comparator sees only its own
  // two CPUs and cannot say which is (module 0's 12 against module 1's 20).
  it.each([
    ['tmr', { expected: '0x0000000c', actual: '0x00000014' }],
    ['pair-spare', { values: { 0: '0x0000000c', 1: '0x00000014' } }],
  ] as const)('is detected at exactly that instruction on %s', async (topology, values) => {
    const { faulty } = await outcomeOf(ADD, topology, [fault]);
    const diverge = faulty.machine.events.find((e) => e.kind === 'diverge');
    expect(diverge).toMatchObject({ instret: 2, module: 1, reference: 0, field: 'x7', pc: 0x8000_0008, ...values });
    expect(detectionLatency(faulty.machine.events)).toBe(0);
  });

  it('is detected at exactly that instruction on dmr, which names each module\'s value and calls neither expected', async () => {
    const { faulty } = await outcomeOf(ADD, 'dmr', [fault]);
    const diverge = faulty.machine.events.find((e) => e.kind === 'diverge');
    expect(diverge).toEqual({ instret: 2, kind: 'diverge', module: 1, reference: 0, pc: 0x8000_0008, field: 'x7', values: { 0: '0x0000000c', 1: '0x00000014' } });
    expect(detectionLatency(faulty.machine.events)).toBe(0);
  });

  it('fail-stops dmr, which cannot tell which module is wrong', async () => {
    const { outcome, faulty } = await outcomeOf(ADD, 'dmr', [fault]);
    expect(outcome).toBe('failstop');
    expect(kinds(faulty.machine.events)).toEqual(['inject@2', 'diverge@2', 'failstop@2', 'halt@2']);
  });

  it('takes the outvoted module offline on tmr and finishes correctly', async () => {
    const { outcome, faulty } = await outcomeOf(ADD, 'tmr', [fault]);
    expect(outcome).toBe('recovered');
    expect(faulty.machine.halt?.exitCode).toBe(12);
    expect(faulty.machine.events).toContainEqual({ instret: 2, kind: 'offline', module: 1, reason: 'outvoted' });
    expect(faulty.machine.moduleStatus().map((m) => m.state)).toEqual(['online', 'offline', 'online']);
  });

  it('takes the whole board offline on pair-spare; the other board continues', async () => {
    const { outcome, faulty } = await outcomeOf(ADD, 'pair-spare', [fault]);
    expect(outcome).toBe('recovered');
    expect(faulty.machine.moduleStatus().map((m) => m.state)).toEqual(['offline', 'offline', 'online', 'online']);
    expect(faulty.machine.events.filter((e) => e.kind === 'offline').map((e) => e.instret)).toEqual([2, 2]);
  });

  it('corrupts the result on simplex (wrong exit code: crash)', async () => {
    const { outcome, faulty } = await outcomeOf(ADD, 'simplex', ['at=2,module=0,kind=flip,target=t0,bit=3']);
    expect(faulty.machine.halt?.exitCode).toBe(20);
    expect(outcome).toBe('crash');
  });
});

describe('a flip in a register that is overwritten before it is read', () => {
  it.each(['simplex', 'dmr', 'tmr', 'pair-spare'] as const)('is masked on %s', async (topology) => {
    // t0 is not read after instruction 2 and is overwritten at 3.
    const { outcome, faulty } = await outcomeOf(ADD, topology, ['at=3,module=0,kind=flip,target=t0,bit=3']);
    expect(outcome).toBe('masked');
    expect(faulty.machine.events.some((e) => e.kind === 'diverge')).toBe(false);
  });
});

// A word in memory, read back at instruction 4 (lw), after instructions 0-3 (la = 2, nop, nop).
// 0-1: la t1,word  2: nop  3: nop  4: lw a0,0(t1)  5: li a7,93  6: ecall
const LOAD = `
  .globl _start
_start:
  la t1, word
  nop
  nop
  lw a0, 0(t1)
  li a7, 93
  ecall
  .data
word: .word 42
`;
const WORD = 0x8000_1000;

describe('ECC errors in RAM', () => {
  it('let dmr isolate the module that announced the error and continue', async () => {
    const { outcome, faulty } = await outcomeOf(LOAD, 'dmr', [`at=2,module=1,kind=ecc,target=mem:0x${WORD.toString(16)},bit=5`]);
    expect(outcome).toBe('recovered');
    expect(faulty.machine.halt?.exitCode).toBe(42);
    expect(faulty.machine.events).toContainEqual({ instret: 4, kind: 'error', module: 1, where: 'uncorrectable ECC error in RAM word 0x80001000' });
    expect(faulty.machine.events).toContainEqual({ instret: 4, kind: 'offline', module: 1, reason: 'announced' });
  });

  it('fail-stop a simplex machine (a detected, unrecoverable error)', async () => {
    const { outcome } = await outcomeOf(LOAD, 'simplex', [`at=2,module=0,kind=ecc,target=mem:0x${WORD.toString(16)},bit=5`]);
    expect(outcome).toBe('failstop');
  });

  it('are masked when the word is rewritten before it is read', async () => {
    const rewrite = LOAD.replace('nop\n  nop', 'li t2, 42\n  sw t2, 0(t1)');
    const { outcome } = await outcomeOf(rewrite, 'dmr', [`at=2,module=1,kind=ecc,target=mem:0x${WORD.toString(16)},bit=5`]);
    expect(outcome).toBe('masked');
  });

  it('without ECC, the same corruption fail-stops dmr at the load', async () => {
    const { outcome, faulty } = await outcomeOf(LOAD, 'dmr', [`at=2,module=1,kind=flip,target=mem:0x${WORD.toString(16)},bit=5`]);
    expect(outcome).toBe('failstop');
    expect(faulty.machine.events.find((e) => e.kind === 'diverge')).toMatchObject({ instret: 4, field: 'x10', values: { 0: '0x0000002a', 1: '0x0000000a' } });
  });
});

describe('stuck bits', () => {
  it('re-assert after every write: a stuck-at-1 register bit is detected at its first write', async () => {
    const { faulty } = await outcomeOf(ADD, 'tmr', ['at=0,module=2,kind=stuck1,target=t0,bit=3']);
    // li t0,5 writes 5 | 8 = 13 in module 2.
    expect(faulty.machine.events.find((e) => e.kind === 'diverge')).toMatchObject({ instret: 0, module: 2, field: 'x5', actual: '0x0000000d' });
  });

  it('a stuck-at-0 bit that the program never sets is masked', async () => {
    const { outcome } = await outcomeOf(ADD, 'dmr', ['at=0,module=1,kind=stuck0,target=t0,bit=31']);
    expect(outcome).toBe('masked');
  });

  it('on the result bus corrupt every written value from then on', async () => {
    const { faulty, outcome } = await outcomeOf(ADD, 'tmr', ['at=1,module=0,kind=stuck1,target=result,bit=8']);
    expect(faulty.machine.events.find((e) => e.kind === 'diverge')).toMatchObject({ instret: 1, module: 0, field: 'x6', actual: '0x00000107' });
    expect(outcome).toBe('recovered');
  });
});

describe('kill', () => {
  it.each([
    ['dmr', ['online', 'offline']],
    ['tmr', ['online', 'offline', 'online']],
    ['pair-spare', ['offline', 'offline', 'online', 'online']],
  ] as const)('is detected at once on %s and the machine continues', async (topology, states) => {
    const { outcome, faulty } = await outcomeOf(ADD, topology, ['at=3,module=1,kind=kill']);
    expect(outcome).toBe('recovered');
    expect(faulty.machine.events).toContainEqual({ instret: 3, kind: 'offline', module: 1, reason: 'dead' });
    expect(detectionLatency(faulty.machine.events)).toBe(0);
    expect(faulty.machine.moduleStatus().map((m) => m.state)).toEqual(states);
  });

  it('stops a simplex machine for good (crash)', async () => {
    const { outcome, faulty } = await outcomeOf(ADD, 'simplex', ['at=3,module=0,kind=kill']);
    expect(outcome).toBe('crash');
    expect(faulty.machine.halt).toMatchObject({ reason: 'dead' });
    expect(faulty.machine.instret).toBe(3);
  });
});

describe('other targets', () => {
  it('a flipped pc is detected at the next instruction, by the pc it executed at', async () => {
    const { faulty } = await outcomeOf(ADD, 'tmr', ['at=2,module=1,kind=flip,target=pc,bit=4']);
    expect(faulty.machine.events.find((e) => e.kind === 'diverge')).toMatchObject({ instret: 2, module: 1, field: 'pc', expected: '0x80000008', actual: '0x80000018' });
  });

  it('a flipped result corrupts only the next written value', async () => {
    const { faulty, outcome } = await outcomeOf(ADD, 'tmr', ['at=2,module=2,kind=flip,target=result,bit=0']);
    expect(faulty.machine.events.find((e) => e.kind === 'diverge')).toMatchObject({ instret: 2, module: 2, field: 'x7', actual: '0x0000000d' });
    expect(outcome).toBe('recovered');
  });

  it('a flipped CSR is detected when it is read', async () => {
    // 0: li t0,9  1: csrw mscratch,t0  2: nop  3: csrr a0,mscratch  4: li a7,93  5: ecall
    const source = '.globl _start\n_start:\n li t0, 9\n csrw mscratch, t0\n nop\n csrr a0, mscratch\n li a7, 93\n ecall\n';
    const { faulty } = await outcomeOf(source, 'tmr', ['at=2,module=1,kind=flip,target=mscratch,bit=1']);
    expect(faulty.machine.events.find((e) => e.kind === 'diverge')).toMatchObject({ instret: 3, module: 1, field: 'x10', expected: '0x00000009', actual: '0x0000000b' });
  });

  it('a parity error in a register is announced when the register is read', async () => {
    const { faulty, outcome } = await outcomeOf(ADD, 'dmr', ['at=2,module=0,kind=ecc,target=t1,bit=0']);
    expect(faulty.machine.events).toContainEqual({ instret: 2, kind: 'error', module: 0, where: 'parity error in x6' });
    expect(outcome).toBe('recovered');
    expect(faulty.machine.halt?.exitCode).toBe(12);
  });
});

// 0-1: la t0,handler  2: csrw mtvec  3: li t0,0x02004000 (a lui)  4-9: set up the timer  10: wfi  11: j sleep
// The timer fires at mtime 5 (mtime counts from 0, one tick per 100 cycles).
const WAKE = `
  .globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li t0, 0x02004000
  li t1, 5
  sw t1, 0(t0)                 # mtimecmp = 5
  sw zero, 4(t0)
  li t0, 0x80
  csrw mie, t0                 # MTIE
  csrsi mstatus, 8             # MIE
sleep:
  wfi
  j sleep
  .align 2
handler:
  li t0, 0x00100000
  li t1, (7 << 16) | 0x3333    # finish with exit code 7
  sw t1, 0(t0)
`;

describe('a fault in the reference module (module 0)', () => {
  // pc bit 31 flipped before instruction 2: module 0 fetches at 0x00000008 (no RAM there)
  // and takes an access fault with no handler installed; the others go on.
  // tmr names module 0 against the majority's reference, module 1; pair-spare's board 0
  // comparator names module 1 against its reference, module 0, and takes both offline.
  it.each([
    ['tmr', 'io', 0, 1], ['tmr', 'store', 0, 1], ['pair-spare', 'io', 1, 0], ['pair-spare', 'store', 1, 0],
  ] as const)('cannot stop %s (compare %s) with a trap only it takes', async (topology, compare, module, reference) => {
    const faulty = await runProgram(ADD, { topology, compare, faults: ['at=2,module=0,kind=flip,target=pc,bit=31'] });
    expect(faulty.machine.halt).toMatchObject({ reason: 'exit', exitCode: 12 });
    expect(faulty.machine.events.find((e) => e.kind === 'diverge')).toMatchObject({ instret: 2, module, reference, field: 'pc' });
    expect(faulty.machine.moduleStatus().find((m) => m.id === 0)!.state).toBe('offline');
  });

  it('cannot keep the others asleep: a flipped MTIE in module 0 wakes nobody on its own', async () => {
    const reference = await runProgram(WAKE, { topology: 'tmr' });
    expect(reference.machine.halt).toMatchObject({ reason: 'exit', exitCode: 7 });
    const fault = 'at=10,module=0,kind=flip,target=mie,bit=7'; // just before the wfi (instruction 10)
    const { outcome, faulty } = await outcomeOf(WAKE, 'tmr', [fault]);
    expect(outcome).toBe('recovered');
    expect(faulty.machine.events).toContainEqual({ instret: 11, kind: 'offline', module: 0, reason: 'outvoted' }); // j sleep, not the handler
    expect((await outcomeOf(WAKE, 'dmr', [fault])).outcome).toBe('failstop');
  });
});

describe('detection latency', () => {
  it('is measured from the fault that was detected, not from an earlier masked one', async () => {
    const { faulty } = await outcomeOf(ADD, 'tmr', [
      'at=1,module=2,kind=flip,target=t2,bit=0', // t2 is written at 2 before it is read: masked
      'at=2,module=1,kind=flip,target=t0,bit=3', // used at 2: detected at once
    ]);
    expect(detectionLatency(faulty.machine.events)).toBe(0);
  });

  it('is null when nothing was detected, even if a module was replaced', async () => {
    const { machine } = await machineFor(ADD, { topology: 'tmr', faults: ['at=1,module=1,kind=flip,target=t2,bit=0'] });
    machine.replace(3, { module: 0 });
    while (!machine.halt) machine.run(1000);
    expect(machine.events.some((e) => e.kind === 'offline' && e.reason === 'removed')).toBe(true);
    expect(detectionLatency(machine.events)).toBeNull();
  });
});
