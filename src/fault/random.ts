/**
 * The one seeded PRNG of the host (DESIGN §2, determinism): xoshiro128** (Blackman and
 * Vigna, "Scrambled linear pseudorandom number generators", 2018), seeded through
 * SplitMix32 so that nearby seeds give unrelated streams.
 */
export class Random {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  /**
   * The generator of `seed`; with `stream`, one of 2^32 streams of that seed, for callers that
   * need many independent generators, such as one for each run of a campaign: each word of
   * the state is the seed's SplitMix32 word XOR the stream's (so that even the first output,
   * which depends on one word only, differs between streams).
   */
  constructor(seed: number, stream?: number) {
    const fromSeed = splitMix32(seed);
    const fromStream = stream === undefined ? () => 0 : splitMix32(~stream);
    this.s0 = (fromSeed() ^ fromStream()) >>> 0;
    this.s1 = (fromSeed() ^ fromStream()) >>> 0;
    this.s2 = (fromSeed() ^ fromStream()) >>> 0;
    this.s3 = (fromSeed() ^ fromStream()) >>> 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // xoshiro's one forbidden state
  }

  /** A uniform 32-bit unsigned integer. */
  nextU32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0; this.s1 >>>= 0; this.s2 >>>= 0; this.s3 >>>= 0;
    return result;
  }

  /** A uniform integer in [0, n), n ≤ 2^32, without modulo bias. */
  below(n: number): number {
    if (n <= 0) throw new Error(`below(${n}): n must be at least 1`);
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const v = this.nextU32();
      if (v < limit) return v % n;
    }
  }

  /** A uniform float in [0, 1). */
  next(): number {
    return this.nextU32() / 2 ** 32;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/** SplitMix32's output sequence for `seed` (Weyl step 0x9E3779B9, murmur3's finaliser). */
function splitMix32(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (x + 0x9E3779B9) >>> 0;
    let z = x;
    z = Math.imul(z ^ (z >>> 16), 0x85EBCA6B) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xC2B2AE35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
