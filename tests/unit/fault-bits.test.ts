/**
 * Multi-bit faults: `bit=3+17` hits several bits of one register or word at once (a
 * multi-bit upset), for every kind that takes a bit and every target.
 */
import { describe, expect, it } from 'vitest';
import { formatFault, parseFault, faultBits } from '../../src/fault/spec.ts';
import { runProgram } from '../helpers/machine.ts';

describe('bit=B+B…', () => {
  it.each([
    ['at=5,module=1,kind=flip,target=mem:0x80001000,bit=3+17', { at: 5, module: 1, kind: 'flip', target: { type: 'mem', addr: 0x8000_1000 }, bits: [3, 17] }],
    ['at=5,module=0,kind=stuck1,target=a0,bit=31+0+7', { at: 5, module: 0, kind: 'stuck1', target: { type: 'reg', reg: 10 }, bits: [0, 7, 31] }],
    ['at=5,board=0,kind=stuck0,target=mepc,bit=2 + 9', { at: 5, board: 0, kind: 'stuck0', target: { type: 'csr', csr: 0x341 }, bits: [2, 9] }],
    ['at=5,kind=flip,target=result,bit=0x1+0x10', { at: 5, module: 0, kind: 'flip', target: { type: 'result' }, bits: [1, 16] }],
    ['at=5,kind=ecc,target=mem:0x80000000,bit=4+5', { at: 5, module: 0, kind: 'ecc', target: { type: 'mem', addr: 0x8000_0000 }, bits: [4, 5] }],
  ])('%s', (spec, expected) => {
    expect(parseFault(spec)).toEqual(expected);
  });

  it('keeps a single bit as bit=, so a one-bit fault reads as before', () => {
    expect(parseFault('at=5,kind=flip,target=x5,bit=3')).toEqual({ at: 5, module: 0, kind: 'flip', target: { type: 'reg', reg: 5 }, bit: 3 });
    expect(faultBits(parseFault('at=5,kind=flip,target=x5,bit=3'))).toEqual([3]);
    expect(faultBits(parseFault('at=5,kind=kill'))).toEqual([]);
  });

  it('round-trips through formatFault, bits in ascending order', () => {
    for (const spec of ['at=5,module=1,kind=flip,target=mem:0x80001000,bit=3+17', 'at=0,board=1,kind=stuck1,target=x5,bit=0+1+31']) {
      expect(formatFault(parseFault(spec))).toBe(spec);
    }
    expect(formatFault(parseFault('at=5,kind=flip,target=t0,bit=17+3'))).toBe('at=5,module=0,kind=flip,target=x5,bit=3+17');
  });

  it.each([
    ['bit=3+', /bit=3\+: give bit numbers joined by \+, such as bit=3 or bit=3\+17/],
    ['bit=+3', /bit=\+3: give bit numbers joined by \+/],
    ['bit=3++4', /bit=3\+\+4: give bit numbers joined by \+/],
    ['bit=', /bit=: give bit numbers joined by \+/],
    ['bit=3+32', /bit=32 is out of range: registers and words have bits 0\.\.31/],
    ['bit=3+x', /bit=x is not a non-negative integer/],
    ['bit=5+3+5', /bit=5\+3\+5 names bit 5 twice/],
  ])('rejects %s with a message that says how to write it', (bit, message) => {
    expect(() => parseFault(`at=5,module=0,kind=flip,target=x5,${bit}`)).toThrow(message);
  });
});

describe('a multi-bit fault on a machine', () => {
  // 0: li t0,0  1: mv a0,t0  2: li a7,93  3: ecall
  const EXIT_T0 = 'li t0, 0\n mv a0, t0\n li a7, 93\n ecall\n';

  it('flips every one of its bits at once: t0 = 0 with bits 1 and 6 flipped exits with 2 + 64', async () => {
    const run = await runProgram(EXIT_T0, { faults: ['at=1,kind=flip,target=t0,bit=1+6'] });
    expect(run.machine.halt?.exitCode).toBe(66);
  });

  it('holds every one of its stuck bits: stuck1 on bits 0 and 3 of a0 turns the 0 written into 9', async () => {
    const run = await runProgram(EXIT_T0, { faults: ['at=0,kind=stuck1,target=a0,bit=0+3'] });
    expect(run.machine.halt?.exitCode).toBe(9);
  });

  it('is refused on the pc when any of its bits is 0 or 1', async () => {
    await expect(runProgram(EXIT_T0, { faults: ['at=1,kind=flip,target=pc,bit=1+4'] })).rejects.toThrow(/pc bits 0 and 1 do not exist/);
  });
});
