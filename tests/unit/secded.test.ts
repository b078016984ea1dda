/**
 * The core's SEC-DED (39,32) code (assembly/fault/ecc.ts) against the textbook construction,
 * built here on its own: Hamming's code with check bit c_k at codeword position 2^k and the
 * data bits in the other positions 1..38 in order, extended by an overall parity bit.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { Core } from '../../src/machine/core.ts';
import { Random } from '../../src/fault/random.ts';

/** Positions 1..38 that are not powers of two: where data bits 0..31 sit. */
const DATA_POSITIONS = Array.from({ length: 38 }, (_, k) => k + 1).filter((p) => (p & (p - 1)) !== 0);
const parity = (x: number) => { let p = 0; for (let v = x >>> 0; v !== 0; v &= v - 1) p ^= 1; return p; };

/** Check bits as the textbook computes them: c_k = parity of the data bits whose position has bit k; P = parity of all. */
function textbookCheck(data: number): number {
  let check = 0;
  for (let k = 0; k < 6; k++) {
    let c = 0;
    DATA_POSITIONS.forEach((p, i) => { if ((p >> k) & 1) c ^= (data >>> i) & 1; });
    check |= c << k;
  }
  return check | ((parity(data) ^ parity(check)) << 6);
}

/** The error-bit numbering of the report: data 0..31, c0..c5 32..37, P 38. */
const codewordBits = Array.from({ length: 39 }, (_, b) => b);
/** Flips report bit `b` of a stored word. */
function flip(data: number, check: number, b: number): [number, number] {
  return b < 32 ? [(data ^ (1 << b)) >>> 0, check] : [data, check ^ (1 << (b - 32))];
}

let core: Core;
let CLEAN: number;
let UNCORRECTABLE: number;
const random = new Random(12);
const WORDS = [0, 0xFFFF_FFFF, 0x8000_0001, 0x1234_5678, ...Array.from({ length: 60 }, () => random.nextU32())];

beforeAll(async () => {
  core = await Core.create();
  CLEAN = core.layout.SECDED_CLEAN;
  UNCORRECTABLE = core.layout.SECDED_UNCORRECTABLE;
});

describe('SEC-DED (39,32) check bits', () => {
  it('place the 32 data bits at positions 3, 5-7, 9-15, 17-31 and 33-38', () => {
    expect(DATA_POSITIONS).toHaveLength(32);
    expect(DATA_POSITIONS.slice(0, 5)).toEqual([3, 5, 6, 7, 9]);
    expect(DATA_POSITIONS.at(-1)).toBe(38);
  });

  it('are the textbook check bits for every single-bit word and for random words', () => {
    const words = [...WORDS, ...Array.from({ length: 32 }, (_, i) => (1 << i) >>> 0)];
    for (const word of words) expect(core.secdedEncode(word), `word 0x${word.toString(16)}`).toBe(textbookCheck(word));
  });

  it('make every stored word decode clean', () => {
    for (const word of WORDS) expect(core.secdedErrorBit(word, core.secdedEncode(word))).toBe(CLEAN);
  });
});

describe('SEC-DED decoding', () => {
  it('names each single flipped bit: its syndrome is its codeword position', () => {
    for (const word of WORDS.slice(0, 12)) {
      const check = core.secdedEncode(word);
      for (const b of codewordBits) {
        const [data, stored] = flip(word, check, b);
        expect(core.secdedErrorBit(data, stored), `bit ${b} of 0x${word.toString(16)}`).toBe(b);
      }
    }
  });

  it('detects every double flip (all 741 pairs of the 39 bits) and corrects none of them', () => {
    for (const word of [0, 0xDEAD_BEEF]) {
      const check = core.secdedEncode(word);
      for (const a of codewordBits) {
        for (const b of codewordBits.filter((x) => x > a)) {
          const [d1, c1] = flip(word, check, a);
          const [data, stored] = flip(d1, c1, b);
          expect(core.secdedErrorBit(data, stored), `bits ${a}+${b}`).toBe(UNCORRECTABLE);
        }
      }
    }
  });

  it('miscorrects a triple flip whose positions XOR to a valid one, as SEC-DED must: data bits 1, 2, 3 sit at 5, 6, 7, and 5^6^7 = 4 is c2', () => {
    const word = 0x0000_002A;
    const data = (word ^ 0b1110) >>> 0;
    expect(core.secdedErrorBit(data, core.secdedEncode(word))).toBe(32 + 2);
  });
});
