// Memory ECC (--ecc secded): a Hamming SEC-DED (39,32) code over each 32-bit RAM word, and
// the check of one stored word as the memory controller reads it.
//
// The code: Hamming's single-error-correcting code, extended by an overall parity bit to
// detect double errors (Hamming 1950; e.g. Hennessy & Patterson, Appendix B). A codeword
// has positions 1..38 and the overall parity bit P. Check bit c_k sits at position 2^k
// (k = 0..5); data bits d0..d31 fill the other positions in order:
//
//   position  1  2  3  4  5  6  7  8  9 … 15 16 17 … 31 32 33 … 38
//   bit      c0 c1 d0 c2 d1 d2 d3 c3 d4 … d10 c4 d11 … d25 c5 d26 … d31
//
// c_k is the parity of the data bits whose position has bit k set, so the XOR of the
// positions of all set bits is 0; P makes the whole 39-bit word even. On a read the
// syndrome s (the XOR of the positions of the set bits) and the overall parity tell:
//
//   s = 0, parity even   no error
//   s ≠ 0, parity odd    one bit flipped, the one at position s: corrected
//                        (s > 38 names no position: three or more bits, uncorrectable)
//   s = 0, parity odd    P itself flipped: corrected
//   s ≠ 0, parity even   two bits flipped: detected, uncorrectable
//
// Stored check bits are a byte: bits 0-5 c0..c5, bit 6 P. Error bits are numbered as the
// report names them: 0..31 the data bits, 32..37 c0..c5, 38 P.
//
// Where the check bits live: a word's check bits are a function of the data last written to
// it (every write, by a store, the host or a resync, encodes what it writes). Only an
// injected upset or a stuck cell changes a word without encoding it, and the host gives
// every such word a RAM fault slot (layout.ts H_MEM_FAULTS) holding the check bits the word
// had just before (MF_CHECK). Every other word holds exactly the data its check bits were
// computed from, and decodes clean: its check bits are implied, not approximated. So the
// model stores check bits only in fault slots, and the plain run loops, which run while no
// online module has a slot, pay nothing for ECC.

import { H_RAM, H_DIRTY, H_CORRECTED, MF_OFFSET, MF_CHECK, MF_REPORT, MF_REPORTED, PAGE_SHIFT } from '../layout';
import { raise, A_ECC } from '../cpu/signals';

/** secdedErrorBit(): the word decodes clean. */
export const SECDED_CLEAN: u32 = 0xFF;
/** secdedErrorBit(): two or more bits flipped, detected and not correctable. */
export const SECDED_UNCORRECTABLE: u32 = 0xFE;

/** Codeword position of data bit `i` (0..31): the i-th position that is not a power of two. */
// @ts-ignore: decorator
@inline function dataPosition(i: u32): u32 {
  return i + (i < 1 ? 3 : i < 4 ? 4 : i < 11 ? 5 : i < 26 ? 6 : 7);
}

/** Data bit at codeword position `s` (3..38, not a power of two): the inverse of dataPosition(). */
// @ts-ignore: decorator
@inline function dataBitAt(s: u32): u32 {
  return s - (s < 4 ? 3 : s < 8 ? 4 : s < 16 ? 5 : s < 32 ? 6 : 7);
}

/** The check bits of `data`: bits 0-5 c0..c5, bit 6 the overall parity P. */
export function secdedEncode(data: u32): u32 {
  let check: u32 = 0; // c0..c5: the XOR of the positions of the data's set bits
  let rest = data;
  while (rest != 0) {
    check ^= dataPosition(ctz(rest));
    rest &= rest - 1;
  }
  return check | (((popcnt(data) + popcnt(check)) & 1) << 6);
}

/**
 * Decodes `data` stored with check bits `check`: SECDED_CLEAN, the one bit in error (0..31
 * data, 32..37 c0..c5, 38 P), or SECDED_UNCORRECTABLE.
 */
export function secdedErrorBit(data: u32, check: u32): u32 {
  // Bits 0-5: the syndrome s. Its popcount has the parity of the whole received codeword:
  // bit 6 is P(data) ^ P, and P(data) covers the recomputed c0..c5 where the codeword has
  // the stored ones, which differ exactly in s.
  const syndrome = secdedEncode(data) ^ (check & 0x7F);
  if (syndrome == 0) return SECDED_CLEAN;
  if ((popcnt(syndrome) & 1) == 0) return SECDED_UNCORRECTABLE;
  const s = syndrome & 0x3F;
  if (s == 0) return 38;
  if ((s & (s - 1)) == 0) return 32 + ctz(s);
  if (s > 38) return SECDED_UNCORRECTABLE;
  return dataBitAt(s);
}

/** decodeWord() results. */
export const WORD_CLEAN: u32 = 0;
export const WORD_CORRECTED: u32 = 1;
export const WORD_UNCORRECTABLE: u32 = 2;

/** Whether a correction wrote a data word back into RAM since takeRewritten() last asked. */
let rewritten: bool = false;

/**
 * Whether a correction wrote a word back since the last call (and forgets it): its stuck
 * bits must then re-assert (execute.ts stepInstrumented, once the instruction is done).
 */
export function takeRewritten(): bool {
  const was = rewritten;
  rewritten = false;
  return was;
}

/**
 * Reads the word of RAM fault slot `entry` of module `h` through its SEC-DED check bits.
 * A single-bit error is corrected where it is — a data bit in RAM (its page marked dirty,
 * the stuck bits not yet re-forced), a check bit in the slot — and counted in H_CORRECTED;
 * the slot's first correction is left for the host to report (MF_REPORT), and `inStep`
 * raises A_ECC so that the batch ends after this instruction for it.
 */
export function decodeWord(h: usize, entry: usize, inStep: bool): u32 {
  const offset = load<u32>(entry, MF_OFFSET);
  const p = load<usize>(h, H_RAM) + offset;
  const data = load<u32>(p);
  const check = <u32>load<u8>(entry, MF_CHECK);
  const bit = secdedErrorBit(data, check);
  if (bit == SECDED_CLEAN) return WORD_CLEAN;
  if (bit == SECDED_UNCORRECTABLE) return WORD_UNCORRECTABLE;
  if (bit < 32) {
    store<u32>(p, data ^ (1 << bit));
    store<u8>(load<usize>(h, H_DIRTY) + (offset >> PAGE_SHIFT), 1);
    rewritten = true;
  } else {
    store<u8>(entry, <u8>(check ^ (1 << (bit - 32))), MF_CHECK);
  }
  store<u32>(h, load<u32>(h, H_CORRECTED) + 1, H_CORRECTED);
  if (load<u8>(entry, MF_REPORTED) == 0) {
    store<u8>(entry, 1, MF_REPORTED);
    store<u8>(entry, <u8>(bit + 1), MF_REPORT);
    if (inStep) raise(A_ECC);
  }
  return WORD_CORRECTED;
}
