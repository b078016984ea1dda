/**
 * The host PRNG against known answers: the first outputs of xoshiro128** seeded through
 * SplitMix32, from the algorithm's reference C code (prng.di.unimi.it, xoshiro128starstar.c,
 * with SplitMix32 filling the state) compiled with gcc.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/fault/random.ts';

const KNOWN: [number, number[]][] = [
  [0, [3809008728, 1133695204, 53579671, 2891528803, 139681546]],
  [1, [2442144158, 3238099751, 3819917871, 2104621829, 2021136066]],
  [42, [2837322924, 544945897, 479756282, 3500138142, 339756180]],
  [0xDEADBEEF, [2306529437, 2576298207, 1250671110, 2699168992, 2319502352]],
];

describe('Random', () => {
  it.each(KNOWN)('seed %i gives the reference sequence', (seed, expected) => {
    const random = new Random(seed);
    expect(expected.map(() => random.nextU32())).toEqual(expected);
  });

  it('below(n) stays in range and covers it evenly', () => {
    const random = new Random(7);
    const counts = new Array(6).fill(0);
    for (let k = 0; k < 60_000; k++) counts[random.below(6)]++;
    // Each bin expects 10,000; 5 standard deviations is about ±456.
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(456);
  });
});
