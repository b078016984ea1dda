/**
 * Outputs are gated (DESIGN §4): a byte leaves the machine only when the online modules
 * agree on it, whatever the compare point. A faulty module's differing byte never reaches
 * stdout.
 */
import { describe, expect, it } from 'vitest';
import { detectionLatency } from '../../src/machine/events.ts';
import { runProgram } from '../helpers/machine.ts';
import type { ComparePoint } from '../../src/machine/machine.ts';

// 0: li t0,0x10000000  1: li t1,'A'  2: nop  3: sb t1,0(t0)  4: li t1,'B'  5: sb t1,0(t0)
// 6: li a0,0  7: li a7,93  8: ecall
const UART = `
  .globl _start
_start:
  li t0, 0x10000000
  li t1, 'A'
  nop
  sb t1, 0(t0)
  li t1, 'B'
  sb t1, 0(t0)
  li a0, 0
  li a7, 93
  ecall
`;

// A host-served write of a 3-byte buffer; its first byte is corrupted in one module.
// 0-1: la a1,text  2: li a0,1  3: li a2,3  4: li a7,64  5: ecall  6: li a0,0  7: li a7,93  8: ecall
const WRITE = `
  .globl _start
_start:
  la a1, text
  li a0, 1
  li a2, 3
  li a7, 64
  ecall
  li a0, 0
  li a7, 93
  ecall
  .data
text: .ascii "OK\\n"
`;

const COMPARE: ComparePoint[] = ['every', 'store', 'io'];

describe('console output through the UART', () => {
  it.each(COMPARE)('tmr prints the voted byte (compare at %s)', async (compare) => {
    // t1 = 'A' (0x41) becomes 'C' (0x43) in module 1 just before the store.
    const run = await runProgram(UART, { topology: 'tmr', compare, faults: ['at=3,module=1,kind=flip,target=t1,bit=1'] });
    expect(run.text).toBe('AB');
    expect(run.machine.events.find((e) => e.kind === 'diverge')).toMatchObject({ instret: 3, module: 1, field: 'store data', expected: '0x00000041', actual: '0x00000043' });
  });

  it.each(COMPARE)('dmr stops before the differing byte leaves (compare at %s)', async (compare) => {
    const run = await runProgram(UART, { topology: 'dmr', compare, faults: ['at=3,module=1,kind=flip,target=t1,bit=1'] });
    expect(run.text).toBe('');
    expect(run.machine.halt?.reason).toBe('failstop');
  });

  it.each(COMPARE)('pair-spare prints from the board whose pair agrees (compare at %s)', async (compare) => {
    const run = await runProgram(UART, { topology: 'pair-spare', compare, faults: ['at=3,module=2,kind=flip,target=t1,bit=1'] });
    expect(run.text).toBe('AB');
    expect(run.machine.moduleStatus().map((m) => m.state)).toEqual(['online', 'online', 'offline', 'offline']);
  });

  it('the faulty module is the reference: its byte still never appears', async () => {
    const run = await runProgram(UART, { topology: 'tmr', faults: ['at=3,module=0,kind=flip,target=t1,bit=1'] });
    expect(run.text).toBe('AB');
  });
});

describe('host-served writes', () => {
  it.each(COMPARE)('tmr writes the buffer the majority holds (compare at %s)', async (compare) => {
    const run = await runProgram(WRITE, { topology: 'tmr', compare, faults: ['at=2,module=2,kind=flip,target=mem:0x80001000,bit=0'] });
    expect(run.text).toBe('OK\n');
    expect(run.machine.events.find((e) => e.kind === 'diverge')).toMatchObject({ instret: 5, module: 2, field: 'output', expected: '"OK\\n"', actual: '"NK\\n"' });
  });

  it('dmr writes nothing when the buffers differ', async () => {
    const run = await runProgram(WRITE, { topology: 'dmr', faults: ['at=2,module=1,kind=flip,target=mem:0x80001000,bit=0'] });
    expect(run.text).toBe('');
    expect(run.machine.halt?.reason).toBe('failstop');
  });
});

describe('compare points', () => {
  // 0: li t0,5  1: li t1,7  2: add t2,t0,t1  3: li t3,0x10000000  4: addi t2,t2,48  5: sb t2,0(t3)
  // 6: li a0,0  7: li a7,93  8: ecall
  const LATE = `
    .globl _start
  _start:
    li t0, 5
    li t1, 7
    add t2, t0, t1
    li t3, 0x10000000
    addi t2, t2, 48
    sb t2, 0(t3)
    li a0, 0
    li a7, 93
    ecall
  `;
  it.each([
    ['every', 2],
    ['store', 5],
    ['io', 5],
  ] as const)('compare at %s detects a corrupted value at instruction %i', async (compare, at) => {
    const run = await runProgram(LATE, { topology: 'tmr', compare, faults: ['at=2,module=1,kind=flip,target=t0,bit=0'] });
    const diverge = run.machine.events.find((e) => e.kind === 'diverge');
    expect(diverge?.instret).toBe(at);
    expect(detectionLatency(run.machine.events)).toBe(at - 2);
    expect(run.text).toBe('<');
    // Later compare points still say where the states first differed: the add at 2.
    if (compare === 'every') expect(diverge).not.toHaveProperty('first_differed');
    else expect(diverge).toMatchObject({ first_differed: 2 });
  });
});
