/**
 * The fault spec (DESIGN §5): `at=N,module=M,kind=K,target=T,bit=B`, the same text in the
 * CLI, the library and scenario files. Expected objects are written out from the spec's
 * definition: CSR numbers from the privileged spec, register numbers from the ABI.
 */
import { describe, expect, it } from 'vitest';
import { formatFault, parseFault } from '../../src/fault/spec.ts';

describe('parseFault', () => {
  it.each([
    ['at=5000,module=1,kind=flip,target=x5,bit=3', { at: 5000, module: 1, kind: 'flip', target: { type: 'reg', reg: 5 }, bit: 3 }],
    ['at=7,module=0,kind=stuck1,target=s2,bit=31', { at: 7, module: 0, kind: 'stuck1', target: { type: 'reg', reg: 18 }, bit: 31 }],
    ['at=0x10,board=1,kind=stuck0,target=mie,bit=7', { at: 16, board: 1, kind: 'stuck0', target: { type: 'csr', csr: 0x304 }, bit: 7 }],
    ['at=1_000,module=2,kind=ecc,target=mem:0x80001000,bit=0', { at: 1000, module: 2, kind: 'ecc', target: { type: 'mem', addr: 0x8000_1000 }, bit: 0 }],
    ['at=3,module=1,kind=kill', { at: 3, module: 1, kind: 'kill' }],
    ['at=9,kind=flip,target=pc,bit=2', { at: 9, module: 0, kind: 'flip', target: { type: 'pc' }, bit: 2 }],
    ['at=9,module=0,kind=flip,target=result,bit=0', { at: 9, module: 0, kind: 'flip', target: { type: 'result' }, bit: 0 }],
    // Spaces between the pairs, around them, and keys in any case.
    ['at=5 module=0 kind=kill', { at: 5, module: 0, kind: 'kill' }],
    [' at=5, module=1 ,KIND=Flip, target=T0 ,bit=4 ', { at: 5, module: 1, kind: 'flip', target: { type: 'reg', reg: 5 }, bit: 4 }],
    // Every module at once (common-mode).
    ['at=9,module=all,kind=flip,target=s0,bit=20', { at: 9, all: true, kind: 'flip', target: { type: 'reg', reg: 8 }, bit: 20 }],
    ['at=9,module=ALL,kind=kill', { at: 9, all: true, kind: 'kill' }],
    // Checkers: a board's verdict stuck; board 0 when no site is given.
    ['at=40,board=1,kind=stuck-agree,target=comparator', { at: 40, board: 1, kind: 'stuck-agree', target: { type: 'checker', checker: 'comparator' } }],
    ['at=0,kind=stuck-disagree,target=voter', { at: 0, board: 0, kind: 'stuck-disagree', target: { type: 'checker', checker: 'voter' } }],
  ])('%s', (spec, expected) => {
    expect(parseFault(spec)).toEqual(expected);
  });

  it.each([
    ['at=5,module=0,kind=zap,target=x5,bit=3', /unknown kind 'zap'/],
    ['at=5,module=0,target=x5,bit=3', /missing kind=/],
    ['module=0,kind=flip,target=x5,bit=3', /missing at=/],
    ['at=5,module=0,kind=flip,bit=3', /missing target=/],
    ['at=5,module=0,kind=flip,target=x5', /missing bit=/],
    ['at=5,module=0,kind=flip,target=x5,bit=32', /bit=32 is out of range/],
    ['at=5,module=0,kind=flip,target=x0,bit=3', /x0 is hard-wired/],
    ['at=5,module=0,kind=flip,target=mem:0x80000002,bit=3', /not word-aligned/],
    ['at=5,module=0,board=1,kind=kill', /module= or board=, not both/],
    ['at=5,module=0,kind=kill,target=x5', /drop target= and bit=/],
    ['at=5,module=0,kind=ecc,target=pc,bit=1', /ecc faults apply to RAM words/],
    ['at=-1,module=0,kind=kill', /at=-1 is not a non-negative integer/],
    ['at=5,at=6,kind=kill', /at is given twice/],
    ['at=5,colour=red,kind=kill', /unknown key 'colour'/],
    ['garbage', /'garbage' is not key=value/],
    ['at=5,module=al,kind=kill', /module=al is not a non-negative integer/],
    ['at=5,board=0,kind=stuck-agree,target=x5', /stuck-agree is a fault of a checker: use target=comparator or target=voter/],
    ['at=5,board=0,kind=stuck-agree', /missing target= \(stuck-agree is a fault of a checker/],
    ['at=5,board=0,kind=flip,target=comparator,bit=1', /a comparator fails with its verdict stuck: kind=stuck-agree or kind=stuck-disagree/],
    ['at=5,board=0,kind=stuck-agree,target=voter,bit=1', /verdict has no bits: drop bit=/],
    ['at=5,module=1,kind=stuck-disagree,target=comparator', /use board=B instead of module=/],
    ['at=5,module=all,kind=stuck-agree,target=comparator', /use board=B instead of module=/],
  ])('rejects %s', (spec, message) => {
    expect(() => parseFault(spec)).toThrow(message);
  });

  it('formats what it parses back to the canonical text', () => {
    for (const spec of [
      'at=5000,module=1,kind=flip,target=x5,bit=3', 'at=3,board=1,kind=kill', 'at=16,module=0,kind=stuck0,target=mie,bit=7',
      'at=9,module=all,kind=flip,target=x8,bit=20', 'at=40,board=1,kind=stuck-agree,target=comparator', 'at=0,board=2,kind=stuck-disagree,target=voter',
    ]) {
      expect(formatFault(parseFault(spec))).toBe(spec);
    }
    expect(formatFault(parseFault('at=5 module=2 kind=flip target=t0 bit=1'))).toBe('at=5,module=2,kind=flip,target=x5,bit=1');
  });

  it('takes a virtual time for at= (µs from power-on, to the 10 ns cycle), and formats it back', () => {
    expect(parseFault('at=500ms,module=0,kind=kill')).toEqual({ module: 0, at: 0, atUs: 500_000, kind: 'kill' });
    expect(parseFault('at=1.5s,module=1,kind=flip,target=x5,bit=3')).toMatchObject({ at: 0, atUs: 1_500_000 });
    expect(parseFault('at=250.25us,module=0,kind=kill').atUs).toBe(250.25);
    for (const spec of ['at=500ms,module=0,kind=kill', 'at=2s,module=1,kind=flip,target=x5,bit=3', 'at=250.25us,module=0,kind=kill']) {
      expect(formatFault(parseFault(spec))).toBe(spec);
    }
    expect(() => parseFault('at=1.001us,module=0,kind=kill')).toThrow(/not a whole number of 10 ns clock cycles/);
    expect(() => parseFault('at=2d,module=0,kind=kill')).toThrow(/at=2d is not a non-negative integer/);
    expect(() => parseFault('at=90000s,module=0,kind=kill')).toThrow(/later than a virtual day/);
  });
});
