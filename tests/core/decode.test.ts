/**
 * Instruction decoding at the extremes of each immediate format (unprivileged spec §2.3
 * "Immediate Encoding Variants"), control transfers (§2.5), loads and stores (§2.6), and
 * x0 (§2.1). Instructions under test are hand-encoded from the spec's format tables
 * (reference.ts) and placed with `.word`; padding between a jump and its target is zero
 * words, which are illegal instructions (§2.2): landing anywhere but the target halts the
 * machine (mtvec = 0) and fails the test.
 */
import { describe, expect, it } from 'vitest';
import { runFor, words } from './guest.ts';
import {
  BRANCH_F3, OPC, branchTaken, encB, encI, encJ, encR, encS, encU, encCsr, hex, prng, u32, type BranchOp,
} from './reference.ts';

const EXIT = `
  li a0, 0
  li a7, 93
  ecall
`;

/** The program ran to its exit call (no trap, no padding executed). */
function expectExit(ran: Awaited<ReturnType<typeof runFor>>): void {
  expect(ran.machine.halt?.reason, ran.machine.halt?.message).toBe('exit');
}

describe('conditional branches (B-type immediate, ±4 KiB)', () => {
  // Offsets exercising imm[12] alone (-4096), imm[11:2] (+4092), imm[11] (±2048) and small ones.
  const BIG = [4092, -4096, 2048, -2048];
  const SMALL = [8, -8, 12, -12];
  const ALL_PAIRS: Array<[number, number]> = [
    [0, 0], [1, 2], [2, 1], [u32(-1), 1], [1, u32(-1)], [0x8000_0000, 0x7FFF_FFFF], [0x7FFF_FFFF, 0x8000_0000], [u32(-1), u32(-1)],
  ];
  const FEW_PAIRS: Array<[number, number]> = [[5, 5], [1, 2], [2, 1], [u32(-1), 1]];

  interface BranchCase { op: BranchOp; offset: number; a: number; b: number }
  const cases: BranchCase[] = (Object.keys(BRANCH_F3) as BranchOp[]).flatMap((op) => [
    ...SMALL.flatMap((offset) => ALL_PAIRS.map(([a, b]) => ({ op, offset, a, b }))),
    ...BIG.flatMap((offset) => FEW_PAIRS.map(([a, b]) => ({ op, offset, a, b }))),
  ]);

  /** Case k records 2 (taken: reached the target) or 1 (fell through) at results + 4k. */
  function branchCase(c: BranchCase, k: number): string {
    const insn = `.word ${hex(encB(BRANCH_F3[c.op], 10, 11, c.offset))} # ${c.op} a0, a1, ${c.offset}`;
    const load = `  li a0, ${c.a}\n  li a1, ${c.b}`;
    const record = `done${k}:\n  sw s1, ${4 * k}(s0)`;
    if (c.offset > 0) {
      return `${load}\nbr${k}:\n  ${insn}\n  j nt${k}\n  .space ${c.offset - 8}\ntarget${k}:\n  li s1, 2\n  j done${k}\nnt${k}:\n  li s1, 1\n${record}`;
    }
    return `${load}\n  j br${k}\ntarget${k}:\n  li s1, 2\n  j done${k}\n  .space ${-c.offset - 8}\nbr${k}:\n  ${insn}\n  li s1, 1\n${record}`;
  }

  it('are taken exactly when the condition holds, to the farthest targets in both directions', async () => {
    const ran = await runFor(`
  la s0, results
${cases.map(branchCase).join('\n')}
${EXIT}
  .data
results: .space ${4 * cases.length}
`, 100_000, { ramMiB: 2 });
    expectExit(ran);
    cases.forEach((c, k) => expect(ran.sym(`target${k}`) - ran.sym(`br${k}`), 'layout').toBe(c.offset));
    const got = words(ran.machine, ran.sym('results'), cases.length);
    const mismatches = cases.flatMap((c, k) => {
      const expected = branchTaken(c.op, c.a, c.b) ? 2 : 1;
      return got[k] === expected ? [] : [`${c.op} ${hex(c.a)}, ${hex(c.b)}, ${c.offset}: ${got[k] === 2 ? 'taken' : 'not taken'}`];
    });
    expect(mismatches).toEqual([]);
  });
});

describe('jal (J-type immediate, ±1 MiB)', () => {
  // imm[20] alone (-1 MiB), imm[19:1] all set (+1 MiB - 4), imm[11], imm[12], imm[19:12], patterns.
  const OFFSETS = [8, -16, 2044, 2048, -2048, 4096, -4096, 0x7F000, 0x55554, -0x55558, 1048572, -1048576];
  const LINKS = [1, 5, 31, 17, 9, 2, 30, 20, 14, 3, 28, 12];

  it('jumps to pc + offset and links pc + 4, to the farthest targets in both directions', async () => {
    const body = OFFSETS.map((offset, k) => {
      const jal = `.word ${hex(encJ(LINKS[k], offset))} # jal x${LINKS[k]}, ${offset}`;
      const land = `target${k}:\n  sw x${LINKS[k]}, ${4 * k}(s0)\n  la t6, next${k}\n  jr t6`; // 16 bytes
      return offset > 0
        ? `jal${k}:\n  ${jal}\n  .space ${offset - 4}\n${land}\nnext${k}:`
        : `  la t6, jal${k}\n  jr t6\n${land}\n  .space ${-offset - 16}\njal${k}:\n  ${jal}\nnext${k}:`;
    }).join('\n');
    const ran = await runFor(`
  la s0, results
${body}
${EXIT}
  .data
results: .space ${4 * OFFSETS.length}
`, 10_000, { ramMiB: 4 });
    expectExit(ran);
    OFFSETS.forEach((offset, k) => expect(ran.sym(`target${k}`) - ran.sym(`jal${k}`), 'layout').toBe(offset));
    expect(words(ran.machine, ran.sym('results'), OFFSETS.length)).toEqual(OFFSETS.map((_, k) => ran.sym(`jal${k}`) + 4));
  });
});

describe('jalr (I-type immediate, target bit 0 cleared, §2.5.1)', () => {
  // [base register value relative to the target, immediate]: the sum is the target or target + 1.
  const CASES: Array<[number, number]> = [[2048, -2048], [-2047, 2047], [-2046, 2047], [1, 0], [0, 1], [-1, 2], [2049, -2048]];

  it('jumps to (rs1 + imm) & ~1 and links pc + 4', async () => {
    const body = CASES.map(([base, imm], k) => `
  la t1, target${k}
  li t2, ${base}
  add t1, t1, t2
jalr${k}:
  .word ${hex(encI(OPC.JALR, 5, 0, 6, imm))} # jalr t0, ${imm}(t1)
  .word 0
target${k}:
  sw t0, ${4 * k}(s0)`).join('\n');
    const ran = await runFor(`
  la s0, results
${body}
  la t0, self
self:
  .word ${hex(encI(OPC.JALR, 5, 0, 5, 12))} # jalr t0, 12(t0): rd = rs1
  .word 0
  .word 0
  sw t0, ${4 * CASES.length}(s0)
${EXIT}
  .data
results: .space ${4 * (CASES.length + 1)}
`);
    expectExit(ran);
    expect(words(ran.machine, ran.sym('results'), CASES.length + 1))
      .toEqual([...CASES.map((_, k) => ran.sym(`jalr${k}`) + 4), ran.sym('self') + 4]);
  });
});

describe('loads and stores (§2.6)', () => {
  /** 4 KiB of known bytes: byte i = (i * 37 + 0x80) & 0xFF, so every value class occurs. */
  const DATA = Uint8Array.from({ length: 4096 }, (_, i) => (i * 37 + 0x80) & 0xFF);
  const dataDirective = () => Array.from({ length: DATA.length / 16 }, (_, r) => `  .byte ${Array.from(DATA.subarray(16 * r, 16 * r + 16)).join(', ')}`).join('\n');

  const LOADS = { lb: [0, 1, true], lh: [1, 2, true], lw: [2, 4, true], lbu: [4, 1, false], lhu: [5, 2, false] } as const;
  type Load = keyof typeof LOADS;

  /** What a load of `op` at byte offset `at` of DATA returns (little-endian, §2.6). */
  function loaded(op: Load, at: number): number {
    const [, width, signed] = LOADS[op];
    let v = 0;
    for (let k = width - 1; k >= 0; k--) v = v * 256 + DATA[at + k];
    if (signed && width < 4 && v >= 2 ** (8 * width - 1)) v -= 2 ** (8 * width);
    return u32(v);
  }

  it('sign- or zero-extend, with offsets from -2048 to 2047', async () => {
    // base register = data + 2048, so offsets -2048..2047 cover the whole block.
    const next = prng(11);
    const cases: Array<{ op: Load; offset: number }> = [];
    for (const op of Object.keys(LOADS) as Load[]) {
      const width = LOADS[op][1];
      const extremes = [-2048, 2048 - width, 0, -width];
      for (const offset of extremes) cases.push({ op, offset });
      for (let k = 0; k < 24; k++) cases.push({ op, offset: ((next() % 4096) - 2048) & ~(width - 1) });
    }
    const body = cases.map((c, k) => {
      const rd = 5 + (k % 3);
      return `  .word ${hex(encI(OPC.LOAD, rd, LOADS[c.op][0], 9, c.offset))} # ${c.op} x${rd}, ${c.offset}(s1)\n  sw x${rd}, ${4 * k}(s0)`;
    }).join('\n');
    const ran = await runFor(`
  la s0, results
  la s1, data
  li t0, 2048
  add s1, s1, t0
${body}
${EXIT}
  .data
data:
${dataDirective()}
results: .space ${4 * cases.length}
`);
    expectExit(ran);
    const got = words(ran.machine, ran.sym('results'), cases.length);
    const mismatches = cases.flatMap((c, k) => {
      const expected = loaded(c.op, 2048 + c.offset);
      return got[k] === expected ? [] : [`${c.op} at ${c.offset}: expected ${hex(expected)}, got ${hex(got[k])}`];
    });
    expect(mismatches).toEqual([]);
  });

  it('write only the low byte, half or word of rs2, with offsets -2048 and 2047', async () => {
    const STORES = [['sb', 0, 1], ['sh', 1, 2], ['sw', 2, 4]] as const;
    const value = 0xA1B2_C3D4;
    // The byte offset written in `area` and the immediate; the base register is their difference.
    const cases = STORES.flatMap(([op, f3, width]) => [
      { op, f3, width, at: 16 * f3, imm: -2048 },
      { op, f3, width, at: 4000 + 16 * f3, imm: 2047 },
      { op, f3, width, at: 2000 + 16 * f3, imm: 0 },
    ]);
    const body = cases.map((c) => `
  la t1, area
  li t2, ${c.at - c.imm}
  add t1, t1, t2
  .word ${hex(encS(OPC.STORE, c.f3, 6, 9, c.imm))} # ${c.op} s1, ${c.imm}(t1)`).join('');
    const ran = await runFor(`
  li s1, ${value}
${body}
${EXIT}
  .data
area: .space 4096, 0x5A
`);
    expectExit(ran);
    const expected = new Uint8Array(4096).fill(0x5A);
    for (const c of cases) {
      for (let k = 0; k < c.width; k++) expected[c.at + k] = (value >>> (8 * k)) & 0xFF;
    }
    expect(Array.from(ran.machine.readMemory(0, ran.sym('area'), 4096)!)).toEqual(Array.from(expected));
  });

  it('reach the first and last words of RAM', async () => {
    const ramEnd = 0x8000_0000 + 1024 * 1024;
    const ran = await runFor(`
  li t0, ${ramEnd - 4}
  li t1, 0x600DF00D
  sw t1, 0(t0)
  lw t2, 0(t0)
  li t3, 0x80000000
  lw t4, 0(t3)
${EXIT}
`);
    expectExit(ran);
    expect(ran.machine.reg(0, 7) >>> 0).toBe(0x600D_F00D);
    expect(ran.machine.reg(0, 29) >>> 0).toBe(words(ran.machine, 0x8000_0000, 1)[0]);
  });
});

describe('x0 (§2.1: writes are ignored, reads are zero)', () => {
  it('stays zero after every kind of instruction writes it', async () => {
    const writers: Array<[string, number]> = [
      ['addi x0, x0, 5', encI(OPC.OP_IMM, 0, 0, 0, 5)],
      ['addi x0, t1, -1', encI(OPC.OP_IMM, 0, 0, 6, -1)],
      ['lui x0, 0xfffff', encU(OPC.LUI, 0, 0xFFFFF)],
      ['auipc x0, 1', encU(OPC.AUIPC, 0, 1)],
      ['add x0, t1, t1', encR(OPC.OP, 0, 0, 6, 6, 0)],
      ['mul x0, t1, t1', encR(OPC.OP, 0, 0, 6, 6, 1)],
      ['div x0, t1, zero', encR(OPC.OP, 0, 4, 6, 0, 1)],
      ['lw x0, 0(s1)', encI(OPC.LOAD, 0, 2, 9, 0)],
      ['lbu x0, 0(s1)', encI(OPC.LOAD, 0, 4, 9, 0)],
      ['csrrs x0, mscratch, zero', encCsr(2, 0, 0x340, 0)],
      ['csrrw x0, mscratch, t1', encCsr(1, 0, 0x340, 6)],
      ['jal x0, 4', encJ(0, 4)],
    ];
    const body = writers.map(([text, word], k) => `  .word ${hex(word)} # ${text}\n  sw x0, ${4 * k}(s0)\n  add t2, x0, x0\n  sw t2, ${4 * (writers.length + k)}(s0)`).join('\n');
    const ran = await runFor(`
  la s0, results
  la s1, data
  li t1, 0x7FFFFFFF
${body}
  la t0, 1f
  .word ${hex(encI(OPC.JALR, 0, 0, 5, 0))} # jalr x0, 0(t0)
1:
  sw x0, ${8 * writers.length}(s0)
${EXIT}
  .data
data: .word 0xFFFFFFFF
results: .space ${4 * (2 * writers.length + 1)}, 0xEE
`);
    expectExit(ran);
    expect(words(ran.machine, ran.sym('results'), 2 * writers.length + 1)).toEqual(new Array(2 * writers.length + 1).fill(0));
  });
});

describe('fences (§2.7, Zifencei)', () => {
  it('execute as no-ops, including reserved fields and fence.tso', async () => {
    const ran = await runFor(`
  li a1, 0x1234
  .word 0x0FF0000F # fence iorw, iorw
  .word 0x8330000F # fence.tso
  .word 0x0000100F # fence.i
  .word ${hex(encI(OPC.MISC_MEM, 11, 0, 11, 0x0FF))} # fence with rd = rs1 = a1 (fields ignored)
  li a0, 0
  li a7, 93
  ecall
`);
    expectExit(ran);
    expect(ran.machine.halt?.exitCode).toBe(0);
    expect(ran.machine.reg(0, 11)).toBe(0x1234);
  });

  it('fence.i makes stored instructions visible to fetch (Zifencei)', async () => {
    const patched = encI(OPC.OP_IMM, 10, 0, 0, 42); // addi a0, zero, 42
    const ran = await runFor(`
  la t0, slot
  li t1, ${hex(patched)}
  sw t1, 0(t0)
  .word 0x0000100F # fence.i
slot:
  .word 0
${EXIT.replace('li a0, 0', 'nop')}
`);
    expectExit(ran);
    expect(ran.machine.halt?.exitCode).toBe(42);
  });
});
