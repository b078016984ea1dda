/**
 * The program the diagnosis and checker tests run, and what it must print, worked out by
 * hand: SUM adds 1..N into s0 (x8) and prints the sum with the console call (a7 = 1), then
 * exits with 0.
 *
 * Instructions, counted from 0: 0 li s0,0; 1 li s1,1; 2-3 li s2,N+1 (lui, addi); then the
 * loop, iteration k at 4 + 3k: add s0,s0,s1; addi s1,s1,1; bne s1,s2. A flip of s0 before
 * instruction i is seen at the next add, nextAdd(i), the first instruction that writes s0.
 * While s0 < 2^20, flipping its bit 20 adds 2^20 to it, and every later add keeps that
 * (addition mod 2^32): the sum printed is then N(N+1)/2 + 2^20.
 */
import { runProgram, type RunSetup } from '../helpers/machine.ts';
import { classify } from '../../src/fault/classify.ts';

export const N = 20_000;
export const SUM_TEXT = String((N * (N + 1)) / 2);
/**
 * What SUM prints when bit 20 of s0 flipped while s0 < 2^20: before an instruction up to
 * 4 + 3 × 1447 = 4345, whose add takes the sum from 1,047,628 past 2^20 = 1,048,576.
 */
export const SUM_FLIPPED_TEXT = String((N * (N + 1)) / 2 + 2 ** 20);
/** A flip of s0 bit 20 before instruction `at`. */
export const flipSum = (at: number, module: number | 'all') => `at=${at},module=${module},kind=flip,target=s0,bit=20`;

export const SUM = `
  .globl _start
_start:
  li s0, 0
  li s1, 1
  li s2, ${N + 1}
loop:
  add s0, s0, s1
  addi s1, s1, 1
  bne s1, s2, loop
  mv a0, s0
  li a7, 1
  ecall
  li a0, 0
  li a7, 93
  ecall
`;

/** The first `add s0,s0,s1` at or after instruction `i` (i ≥ 4). */
export const nextAdd = (i: number) => 4 + 3 * Math.ceil((i - 4) / 3);

/** Runs SUM with `setup`; its output, events, module states and outcome against the fault-free SUM (which prints SUM_TEXT). */
export async function runSum(setup: RunSetup) {
  const run = await runProgram(SUM, setup);
  const outcome = classify(
    { halt: { reason: 'exit', exitCode: 0, message: '' }, output: new TextEncoder().encode(SUM_TEXT), events: [] },
    { halt: run.machine.halt, output: run.stdout, events: run.machine.events, notActivated: run.machine.notActivated() },
  );
  return { ...run, events: run.machine.events, states: run.machine.moduleStatus().map((m) => m.state), outcome };
}
