/**
 * Machine.load() on a machine that has already run a program starts a new run, as on a new
 * machine (README "Starting state": every register 0 but sp, pc at the entry point), with
 * every module online and nothing left of the previous run.
 */
import { describe, expect, it } from 'vitest';
import { assembleOrThrow, machineFor } from '../helpers/machine.ts';
import { ProgramError } from '../../src/isa/program.ts';

// Exits with t2 = 12; module 1 is outvoted at 2 (t0 bit 3 flipped: t2 = 20 there).
const FIRST = '.globl _start\n_start:\n li t0, 5\n li t1, 7\n add t2, t0, t1\n mv a0, t2\n li a7, 93\n ecall\n';
// Prints "hi" (write), then exits with t2 + 3: 3 when t2 starts at 0.
const SECOND = `
  .globl _start
_start:
  li a0, 1
  la a1, msg
  li a2, 2
  li a7, 64
  ecall
  addi a0, t2, 3
  li a7, 93
  ecall
  .data
msg: .ascii "hi"
`;

describe('load() on a machine that has halted', () => {
  it('loads and runs the new program from its starting state, every module online', async () => {
    const { machine, output } = await machineFor(FIRST, { topology: 'tmr', faults: ['at=2,module=1,kind=flip,target=t0,bit=3', 'at=100,module=2,kind=kill'] });
    while (!machine.halt) machine.run(1000);
    expect(machine.halt).toMatchObject({ reason: 'exit', exitCode: 12 });
    expect(machine.moduleStatus()[1].state).toBe('offline');

    machine.load(assembleOrThrow(SECOND));
    expect(machine.halt).toBeUndefined();
    expect(machine.instret).toBe(0);
    expect(machine.events).toEqual([]);
    expect(machine.pending()).toEqual([]); // the kill planned for the first run is gone with it
    while (!machine.halt) machine.run(1000);
    // 0: li a0  1-2: la a1  3: li a2  4: li a7  5: ecall  6: addi  7: li a7  8: ecall.
    expect(machine.halt).toMatchObject({ reason: 'exit', exitCode: 3 });
    expect(machine.instret).toBe(9);
    expect(machine.events).toEqual([{ instret: 8, kind: 'halt', reason: 'exit', exit_code: 3 }]);
    expect(machine.moduleStatus().map((m) => [m.state, m.faults])).toEqual([['online', []], ['online', []], ['online', []]]);
    expect(machine.outputBytes).toBe(2);
    expect(new TextDecoder().decode(output())).toBe('hi');
  });

  it('leaves the machine as it was when the new program cannot be loaded', async () => {
    const { machine } = await machineFor(FIRST, { topology: 'dmr' });
    while (!machine.halt) machine.run(1000);
    const events = [...machine.events];
    const empty = { entry: 0x8000_0000, segments: [], symbols: new Map<string, number>() };
    expect(() => machine.load(empty)).toThrow(ProgramError);
    expect(machine.halt).toMatchObject({ reason: 'exit', exitCode: 12 });
    expect(machine.events).toEqual(events);
  });
});
