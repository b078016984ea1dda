/**
 * RV32I and M computational instructions against the BigInt reference (reference.ts), over
 * corner operands and seeded random ones (unprivileged spec §2.4 "Integer Computational
 * Instructions", ch. 13 "M Extension"). One guest program per table: `li` the operands,
 * execute the instruction under test (hand-encoded, so the assembler's encoder is not the
 * reference for its own fields), store rd into a results array; then the whole array is
 * compared with the reference. Registers are drawn at random per case, so every rd/rs1/rs2
 * field value is decoded.
 */
import { describe, expect, it } from 'vitest';
import type { Program } from '../../src/isa/program.ts';
import { assembleOrThrow, type RunSetup } from '../helpers/machine.ts';
import { runFor, words, INSTRUMENTED } from './guest.ts';
import {
  REG_OPS, IMM_OPS, SHIFT_IMM_OPS, OPC, encR, encI, encU, regOp, immOp, prng, hex, u32,
  type RegOp, type ImmOp,
} from './reference.ts';

const INT_MIN = 0x8000_0000;
const INT_MAX = 0x7FFF_FFFF;

/** Corner operands: zero, ±1, ±2, the signed extremes and their neighbours, shift amounts ≥ 32, bit patterns. */
const CORNERS = [
  0, 1, 2, u32(-1), u32(-2), INT_MIN, INT_MAX, INT_MIN + 1, 31, 32, 33, 63, 0x5555_5555, 0xAAAA_AAAA, 0x1234_5678,
];

/** Registers a case may use: all but x0 and s0 (x8), which holds the results pointer. */
const POOL = Array.from({ length: 32 }, (_, r) => r).filter((r) => r !== 0 && r !== 8);

const R_ENCODING: Record<RegOp, [f3: number, f7: number]> = {
  add: [0, 0], sub: [0, 0x20], sll: [1, 0], slt: [2, 0], sltu: [3, 0], xor: [4, 0], srl: [5, 0], sra: [5, 0x20],
  or: [6, 0], and: [7, 0],
  mul: [0, 1], mulh: [1, 1], mulhsu: [2, 1], mulhu: [3, 1], div: [4, 1], divu: [5, 1], rem: [6, 1], remu: [7, 1],
};

const I_F3: Record<ImmOp, number> = { addi: 0, slti: 2, sltiu: 3, xori: 4, ori: 6, andi: 7, slli: 1, srli: 5, srai: 5 };

interface Case {
  /** Description for a failure message. */
  what: string;
  /** Assembly that leaves the result in `rd`. */
  code: string;
  rd: number;
  expected: number;
}

/** The cases as one program that stores each result at results + 4k, then exits. */
function tableProgram(cases: Case[]): Program {
  const body = cases.map((c) => `${c.code}\n  sw x${c.rd}, 0(s0)\n  addi s0, s0, 4`).join('\n');
  return assembleOrThrow(`
  la s0, results
${body}
  li a0, 0
  li a7, 93
  ecall
  .data
  .align 2
results:
  .space ${cases.length * 4}
`);
}

/** Runs the cases; returns "what: expected X, got Y" for each mismatch. */
async function runTable(cases: Case[], setup: RunSetup = {}, program = tableProgram(cases)): Promise<string[]> {
  const ran = await runFor(program, 1_000_000, setup);
  expect(ran.machine.halt?.reason, ran.machine.halt?.message).toBe('exit');
  const got = words(ran.machine, ran.sym('results'), cases.length);
  return cases.flatMap((c, k) => (got[k] === c.expected ? [] : [`${c.what}: expected ${hex(c.expected)}, got ${hex(got[k])}`]));
}

/** Two distinct registers and a destination from POOL. */
function registers(next: () => number): [rd: number, rs1: number, rs2: number] {
  const rs1 = POOL[next() % POOL.length];
  let rs2 = POOL[next() % POOL.length];
  while (rs2 === rs1) rs2 = POOL[next() % POOL.length];
  return [POOL[next() % POOL.length], rs1, rs2];
}

function registerCases(seed: number): Case[] {
  const next = prng(seed);
  const pairs: Array<[number, number]> = [];
  for (const a of CORNERS) for (const b of CORNERS) pairs.push([a, b]);
  for (let k = 0; k < 40; k++) pairs.push([next(), next()]);
  // Small signed operands: division and remainder signs in every quadrant.
  for (let k = 0; k < 20; k++) pairs.push([u32((next() % 33) - 16), u32((next() % 9) - 4)]);
  return REG_OPS.flatMap((op) => pairs.map(([a, b]): Case => {
    const [rd, rs1, rs2] = registers(next);
    const [f3, f7] = R_ENCODING[op];
    return {
      what: `${op} x${rd}, x${rs1}=${hex(a)}, x${rs2}=${hex(b)}`,
      code: `  li x${rs1}, ${a}\n  li x${rs2}, ${b}\n  .word ${hex(encR(OPC.OP, rd, f3, rs1, rs2, f7))} # ${op}`,
      rd,
      expected: regOp(op, a, b),
    };
  }));
}

describe('register-register instructions (R-type, RV32I and M)', () => {
  const cases = registerCases(0x5EED_0001);
  let program: Program | undefined;

  it.each([
    ['simplex', {}], ['tmr', { topology: 'tmr' }], ['simplex, instrumented step', INSTRUMENTED],
  ] as const)('match the reference on every corner and random pair (%s)', async (_name, setup) => {
    expect(cases.length).toBeGreaterThan(5000);
    program ??= tableProgram(cases);
    expect(await runTable(cases, setup, program)).toEqual([]);
  });

  it('read x0 as zero in either operand', async () => {
    const next = prng(7);
    const cases = REG_OPS.flatMap((op) => [0, 1, 2].map((which): Case => {
      const [rd, rs] = registers(next);
      const v = CORNERS[next() % CORNERS.length];
      const [f3, f7] = R_ENCODING[op];
      const rs1 = which === 1 ? rs : 0;
      const rs2 = which === 0 ? rs : 0;
      const a = rs1 === 0 ? 0 : v;
      const b = rs2 === 0 ? 0 : v;
      return {
        what: `${op} x${rd}, x${rs1}, x${rs2} with the other operand ${hex(v)}`,
        code: `  li x${rs}, ${v}\n  .word ${hex(encR(OPC.OP, rd, f3, rs1, rs2, f7))}`,
        rd,
        expected: regOp(op, a, b),
      };
    }));
    expect(await runTable(cases)).toEqual([]);
  });

  it('write rd after reading its sources when rd = rs1 = rs2', async () => {
    const cases = REG_OPS.flatMap((op) => CORNERS.map((v): Case => {
      const [f3, f7] = R_ENCODING[op];
      return {
        what: `${op} x5, x5, x5 with x5 = ${hex(v)}`,
        code: `  li x5, ${v}\n  .word ${hex(encR(OPC.OP, 5, f3, 5, 5, f7))}`,
        rd: 5,
        expected: regOp(op, v, v),
      };
    }));
    expect(await runTable(cases)).toEqual([]);
  });
});

describe('register-immediate instructions (I-type)', () => {
  it('match the reference for every 12-bit immediate class', async () => {
    const next = prng(0x5EED_0002);
    const imms = [0, 1, -1, 2, 31, 32, 2047, -2048, 2046, -2047, 0x555, -0x556, 0x7F0, -0x800 + 1];
    for (let k = 0; k < 6; k++) imms.push((next() % 4096) - 2048);
    const cases = IMM_OPS.flatMap((op) => CORNERS.flatMap((a) => imms.map((imm): Case => {
      const [rd, rs1] = registers(next);
      return {
        what: `${op} x${rd}, x${rs1}=${hex(a)}, ${imm}`,
        code: `  li x${rs1}, ${a}\n  .word ${hex(encI(OPC.OP_IMM, rd, I_F3[op], rs1, imm))} # ${op}`,
        rd,
        expected: immOp(op, a, imm),
      };
    })));
    expect(await runTable(cases)).toEqual([]);
  });

  it('shift by every immediate shamt 0..31 (slli, srli, srai)', async () => {
    const next = prng(0x5EED_0003);
    const cases = SHIFT_IMM_OPS.flatMap((op) => CORNERS.flatMap((a) => Array.from({ length: 32 }, (_, shamt): Case => {
      const [rd, rs1] = registers(next);
      const imm = op === 'srai' ? 0x400 | shamt : shamt; // imm[11:5] = 0100000 selects srai
      return {
        what: `${op} x${rd}, x${rs1}=${hex(a)}, ${shamt}`,
        code: `  li x${rs1}, ${a}\n  .word ${hex(encI(OPC.OP_IMM, rd, I_F3[op], rs1, imm))} # ${op}`,
        rd,
        expected: immOp(op, a, shamt),
      };
    })));
    expect(await runTable(cases)).toEqual([]);
  });
});

describe('upper-immediate instructions (U-type, §2.4.1)', () => {
  const next = prng(0x5EED_0004);
  const imm20s = [0, 1, 0x7FFFF, 0x80000, 0xFFFFF, 0x80001, 0x12345, 0xFFFFE];
  for (let k = 0; k < 8; k++) imm20s.push(next() & 0xFFFFF);

  it('lui puts imm[31:12] in rd and zeroes the low 12 bits', async () => {
    const cases = imm20s.map((imm20): Case => {
      const rd = POOL[next() % POOL.length];
      return {
        what: `lui x${rd}, ${hex(imm20)}`,
        code: `  li x${rd}, -1\n  .word ${hex(encU(OPC.LUI, rd, imm20))}`,
        rd,
        expected: u32(imm20 * 4096),
      };
    });
    expect(await runTable(cases)).toEqual([]);
  });

  it('auipc adds imm[31:12] << 12 to its own address', async () => {
    // Each auipc sits at label auipcK; its result is checked against that label's address.
    const rds = imm20s.map(() => POOL[next() % POOL.length]);
    const body = imm20s.map((imm20, k) => `auipc${k}:\n  .word ${hex(encU(OPC.AUIPC, rds[k], imm20))}\n  sw x${rds[k]}, ${4 * k}(s0)`).join('\n');
    const ran = await runFor(`
  la s0, results
${body}
  li a7, 93
  ecall
  .data
results: .space ${4 * imm20s.length}
`);
    const got = words(ran.machine, ran.sym('results'), imm20s.length);
    expect(got).toEqual(imm20s.map((imm20, k) => u32(ran.sym(`auipc${k}`) + imm20 * 4096)));
  });
});
