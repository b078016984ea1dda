/**
 * Optional features this hart does not have, and what software that probes for them sees:
 * - PMP (privileged spec 20211203 §3.7.1): zero entries. "Implementations may implement zero,
 *   16, or 64 PMP entries ... All PMP CSR fields are WARL and may be read-only zero": the
 *   pmpcfg0-15 and pmpaddr0-63 CSRs exist for M-mode, read 0 and ignore writes; no entry is
 *   ever active, so nothing restricts an access.
 * - Triggers (debug spec 0.13.2 ch. 5, Trigger Module): none. tselect is WARL and holds only
 *   0; tdata1 there reads type 0, "there is no trigger at this tselect"; tdata2 and tdata3
 *   read 0; writes change nothing, so no breakpoint ever fires. They are M-mode CSRs.
 * - C (unprivileged 20191213 ch. 16): misa.C reads 0 and cannot be set; a 16-bit encoding is
 *   an illegal instruction (mtval: its 16 bits), also in an ELF file that says it may hold them.
 */
import { describe, expect, it } from 'vitest';
import { csr, CSR, enterUser, runFor, words, FINISH } from './guest.ts';
import { writeElf } from '../../src/isa/elf.ts';
import { loadProgram } from '../../src/isa/load.ts';
import { assembleOrThrow } from '../helpers/machine.ts';
import { CAUSE, PRIV, hex } from './reference.ts';

/** Writes all ones to each CSR and reads it back into `results`; a trap on the write stores 0x700 | mcause there instead. */
function writeThenRead(names: string[]): string {
  return `
_start:
  la t0, handler
  csrw mtvec, t0
  la s1, results
  li t1, -1
${names.map((n) => `  csrw ${n}, t1\n  csrr t2, ${n}\n  sw t2, 0(s1)\n  addi s1, s1, 4`).join('\n')}
${FINISH}
handler:
  csrr t2, mcause
  ori t2, t2, 0x700
  csrr t0, mepc
  addi t0, t0, 8
  csrw mepc, t0
  mret
  .data
results: .space ${4 * names.length}, 0xEE
`;
}

describe('PMP with zero entries (§3.7.1)', () => {
  const PMP = ['pmpcfg0', 'pmpcfg1', 'pmpcfg3', 'pmpcfg15', 'pmpaddr0', 'pmpaddr1', 'pmpaddr15', 'pmpaddr16', 'pmpaddr63'];

  it('every pmpcfg and pmpaddr CSR reads 0 after a write of all ones, without trapping', async () => {
    const ran = await runFor(writeThenRead(PMP), 500);
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(words(ran.machine, ran.sym('results'), PMP.length).map((v, k) => [PMP[k], hex(v)])).toEqual(PMP.map((n) => [n, hex(0)]));
  });

  it('they are M-mode CSRs: U-mode access is an illegal instruction', async () => {
    const ran = await runFor(`
_start:
  la t0, handler
  csrw mtvec, t0
${enterUser('user')}
user:
fault:
  csrr t2, pmpaddr0
handler:
  j handler
`, 100);
    expect(csr(ran.machine, CSR.mcause)).toBe(CAUSE.ILLEGAL);
    expect(csr(ran.machine, CSR.mepc)).toBe(ran.sym('fault'));
  });

  it('a U-mode program runs with PMP left as the riscv-tests environment writes it (no entry exists to deny it)', async () => {
    // env/p's reset code writes pmpaddr0 = all ones and pmpcfg0 = NAPOT | R | W | X.
    const ran = await runFor(`
_start:
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1F
  csrw pmpcfg0, t0
  csrw pmpcfg0, zero
${enterUser('user')}
user:
  la t1, value
  lw t2, 0(t1)
  sw t2, 4(t1)
  lw a0, 4(t1)
  li a7, 93
  ecall
  .data
value: .word 42, 0
`, 100);
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 42 });
    expect(ran.machine.privilege(0)).toBe(PRIV.U);
  });
});

describe('no triggers (debug spec 0.13.2 ch. 5)', () => {
  it('tselect holds only 0; tdata1 there says "no trigger" (type 0); tdata2 and tdata3 read 0', async () => {
    const ran = await runFor(`
_start:
  la t0, handler
  csrw mtvec, t0
  csrw tselect, zero
  csrr a0, tselect
  li t1, 1
  csrw tselect, t1
  csrr a1, tselect
  li t1, 0x80000000
  csrw tselect, t1
  csrr a2, tselect
  la t1, target
  csrw tdata2, t1
  li t1, ${(2 << 28) | (1 << 6) | (1 << 2)}
  csrw tdata1, t1
  csrr a3, tdata1
  csrr a4, tdata2
  csrw tdata3, t1
  csrr a5, tdata3
target:
  nop
${FINISH}
handler:
  j handler
`, 200);
    // The last write asks tdata1 for an mcontrol (type 2) execute breakpoint in M-mode on
    // `target`: it cannot hold it, so it reads 0 and the nop at `target` runs without a trap.
    const { machine } = ran;
    expect(machine.halt, `trapped: mcause ${csr(machine, CSR.mcause)} at ${hex(csr(machine, CSR.mepc))}`).toMatchObject({ reason: 'exit', exitCode: 0 });
    const r = (n: number) => machine.reg(0, n) >>> 0;
    expect([10, 11, 12, 13, 14, 15].map(r)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('they are M-mode CSRs: U-mode access is an illegal instruction', async () => {
    const ran = await runFor(`
_start:
  la t0, handler
  csrw mtvec, t0
${enterUser('user')}
user:
fault:
  csrr t2, tselect
handler:
  j handler
`, 100);
    expect(csr(ran.machine, CSR.mcause)).toBe(CAUSE.ILLEGAL);
    expect(csr(ran.machine, CSR.mepc)).toBe(ran.sym('fault'));
  });
});

describe('no C extension', () => {
  it('misa.C cannot be set', async () => {
    const ran = await runFor(`
  csrsi misa, ${1 << 2}
  csrr a0, misa
1: j 1b
`, 20);
    expect(ran.machine.reg(0, 10) & (1 << 2)).toBe(0);
  });

  it('a 16-bit encoding in an ELF whose header sets EF_RISCV_RVC is an illegal instruction', async () => {
    // c.li a0, 5 (0x4515) as the low half of a word; the upper half is a c.nop (0x0001).
    const elf = writeElf(assembleOrThrow(`
  .globl _start
_start:
  la t0, handler
  csrw mtvec, t0
fault:
  .word 0x00014515
handler:
  j handler
`));
    new DataView(elf.buffer).setUint32(36, 0x1, true); // e_flags = EF_RISCV_RVC
    const warnings: string[] = [];
    const program = loadProgram(elf, 'rvc.elf', 'elf', (text) => warnings.push(text));
    expect(warnings).toHaveLength(1);
    const ran = await runFor(program, 50);
    expect({ cause: csr(ran.machine, CSR.mcause), epc: csr(ran.machine, CSR.mepc), tval: hex(csr(ran.machine, CSR.mtval)) })
      .toEqual({ cause: CAUSE.ILLEGAL, epc: ran.sym('fault'), tval: hex(0x4515) });
    expect(ran.machine.reg(0, 10), 'a0 not written').toBe(0);
  });
});
