/**
 * Optional features this hart does not have, and what software that probes for them sees:
 * - Triggers (debug spec 0.13.2 ch. 5, Trigger Module): none. tselect is WARL and holds only
 *   0; tdata1 there reads type 0, "there is no trigger at this tselect"; tdata2 and tdata3
 *   read 0; writes change nothing, so no breakpoint ever fires. They are M-mode CSRs.
 * - C (unprivileged 20191213 ch. 16): misa.C reads 0 and cannot be set; a 16-bit encoding is
 *   an illegal instruction (mtval: its 16 bits), also in an ELF file that says it may hold them.
 */
import { describe, expect, it } from 'vitest';
import { csr, CSR, enterUser, runFor, FINISH } from './guest.ts';
import { writeElf } from '../../src/isa/elf.ts';
import { loadProgram } from '../../src/isa/load.ts';
import { assembleOrThrow } from '../helpers/machine.ts';
import { CAUSE, hex } from './reference.ts';

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
