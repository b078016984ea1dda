/**
 * What examples/checksum.s prints, computed here from the algorithm its source states (not
 * from a run of it): a table of 256 words, word i = i × 0x9e3779b9 mod 2^32; then 8 passes,
 * each over the table in order with a checksum starting at 0: the word XOR the checksum,
 * rotated left by 5, plus 17, is stored back and added to the checksum, which is then XORed
 * with 0x55 if the new word is odd. Each pass prints its checksum as 8 lowercase hex digits
 * and a newline:
 *
 *   1d0e7f9c 35a7252a 972898b2 6926e236 dcd0734a 0dc33636 626af2da 55135dd2
 */
export function checksumOutput(): string {
  const table = Uint32Array.from({ length: 256 }, (_, i) => Math.imul(i, 0x9E3779B9));
  let output = '';
  for (let pass = 0; pass < 8; pass++) {
    let sum = 0;
    for (let i = 0; i < table.length; i++) {
      const mixed = (table[i] ^ sum) >>> 0;
      const word = ((((mixed << 5) | (mixed >>> 27)) >>> 0) + 17) >>> 0;
      table[i] = word;
      sum = (sum + word) >>> 0;
      if (word & 1) sum = (sum ^ 0x55) >>> 0;
    }
    output += sum.toString(16).padStart(8, '0') + '\n';
  }
  return output;
}

/** examples/checksum.s's whole output (see checksumOutput). */
export const CHECKSUM_OUTPUT = checksumOutput();
