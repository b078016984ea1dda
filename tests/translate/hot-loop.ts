/**
 * A hot loop for the translator's tests: SETUP instructions of setup, then 3 a turn (addi a0,
 * addi t0, blt), `turns` turns, then li a7 and the ecall: a0 grows by 3 a turn and the
 * program exits with 3 × turns (mod 256).
 */
export const SETUP = 4;

/** `turns` ≥ 2048, so that `li t1, turns` is two instructions (lui, addi) and the setup four. */
export function hotLoop(turns: number): string {
  if (turns < 2048) throw new RangeError(`hotLoop: ${turns} turns; give at least 2048, for a setup of ${SETUP} instructions`);
  return `
  .globl _start
_start:
  li a0, 0
  li t0, 0
  li t1, ${turns}
loop:
  addi a0, a0, 3
  addi t0, t0, 1
  blt t0, t1, loop
  li a7, 93
  ecall
`;
}

/** Instructions of the whole run of hotLoop(turns). */
export const hotLoopLength = (turns: number) => SETUP + 3 * turns + 2;
