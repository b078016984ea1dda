/**
 * Machine information and counters (privileged spec v1.12 §3.1.1 misa, §3.1.2-3.1.5 IDs,
 * §3.1.10-3.1.12 mcycle/minstret, mcounteren; unprivileged ch. 10 "Counters": cycle, time,
 * instret and their high halves; Zicsr: "a value written to instret by one instruction will
 * be the value read by the following instruction"). Time model (DESIGN §3): instruction n
 * starts at cycle n when nothing slept, mtime = floor(cycle / 10).
 */
import { describe, expect, it } from 'vitest';
import { csr, CSR, enterUser, runFor, words } from './guest.ts';
import { CAUSE, encCsr, misaFor, mtimeAt, u32 } from './reference.ts';

type Sym = (name: string) => number;
const index = (s: Sym, label: string) => (s(label) - s('_start')) / 4;

describe('machine CSRs', () => {
  it('misa says RV32 with I, M and U; mvendorid, marchid, mimpid, mhartid and mconfigptr are 0', async () => {
    const names = ['misa', 'mvendorid', 'marchid', 'mimpid', 'mhartid', 'mconfigptr'];
    const ran = await runFor(`
  la s0, results
${names.map((n, k) => `  csrr t0, ${n}\n  sw t0, ${4 * k}(s0)`).join('\n')}
  li a7, 93
  ecall
  .data
results: .space ${4 * names.length}, 0xEE
`);
    expect(ran.machine.halt?.reason).toBe('exit');
    expect(words(ran.machine, ran.sym('results'), names.length).map((v, k) => [names[k], v]))
      .toEqual([['misa', misaFor('IMU')], ...names.slice(1).map((n) => [n, 0])]);
  });
});

describe('WARL fields of the trap CSRs (§3.1.6, §3.1.9): only what an M+U, RV32IM, little-endian hart has', () => {
  it('mstatus keeps MIE, MPIE, MPP, MPRV and TW; mstatush, menvcfg, mie and misa keep only their legal bits', async () => {
    const ran = await runFor(`
  li t1, -1
  csrw mstatus, t1
  csrr a0, mstatus
  li t1, ${2 << 11}
  csrw mstatus, t1
  csrr a1, mstatus
  li t1, -1
  csrw mstatush, t1
  csrr a2, mstatush
  csrw mie, t1
  csrr a3, mie
  csrr a4, misa
  csrw misa, zero
  csrr a5, misa
  csrw 0x30a, t1
  csrr a6, 0x30a
  li t0, 0x5A5A
  csrw mscratch, t0
  li t0, 0x1234
  csrrw t0, mscratch, t0
  csrr a7, mscratch
  csrw mstatus, zero
1: j 1b
`, 100);
    const r = (n: number) => ran.machine.reg(0, n) >>> 0;
    // mstatus: MIE 3, MPIE 7, MPP 12:11, MPRV 17, TW 21. S-mode, F/V state, UBE/MBE (little-endian) and SD read 0.
    expect(r(10)).toBe((1 << 3) | (1 << 7) | (3 << 11) | (1 << 17) | (1 << 21));
    expect([0, 3], 'MPP holds a supported mode after a write of 2').toContain((r(11) >>> 11) & 3);
    expect(r(12), 'mstatush: MBE, SBE read 0').toBe(0);
    expect(r(13), 'mie: MSIE, MTIE, MEIE').toBe((1 << 3) | (1 << 7) | (1 << 11));
    expect(r(15), 'misa: the ISA is fixed (DESIGN §3), writes are ignored').toBe(r(14));
    expect(r(16) & ~1, 'menvcfg: only FIOM can exist (no Zicbo*, PBMT, Sstc)').toBe(0);
    expect([r(5), r(17)], 'csrrw t0, mscratch, t0 swaps').toEqual([0x5A5A, 0x1234]);
  });

  it('mcountinhibit: a counter whose inhibit bit reads 1 stops, else it counts', async () => {
    const ran = await runFor(`
  li t1, 5
  csrw mcountinhibit, t1
  csrr s1, mcountinhibit
  csrr a0, mcycle
  csrr a1, minstret
  nop
  csrr a2, mcycle
  csrr a3, minstret
1: j 1b
`, 100);
    const r = (n: number) => ran.machine.reg(0, n) >>> 0;
    const inhibit = r(9);
    expect(inhibit & ~5, 'only CY and IR can be inhibited').toBe(0);
    expect(r(12) - r(10)).toBe(inhibit & 1 ? 0 : 3);
    expect(r(13) - r(11)).toBe(inhibit & 4 ? 0 : 3);
  });
});

describe('cycle, instret and time', () => {
  const COUNTERS = ['cycle', 'instret', 'time', 'cycleh', 'instreth', 'timeh', 'mcycle', 'minstret', 'mcycleh', 'minstreth'];
  /** What instruction n reads from each counter when nothing slept and nothing trapped. */
  const expected = (name: string, n: number): number => {
    switch (name) {
      case 'cycle': case 'instret': case 'mcycle': case 'minstret': return n;
      case 'time': return mtimeAt(n);
      default: return 0; // the high halves, this early
    }
  };

  it('read the number of the reading instruction, and mtime, in M-mode', async () => {
    const ran = await runFor(`
_start:
${COUNTERS.map((c, k) => `first${k}:\n  csrr x${5 + k}, ${c}`).join('\n')}
  li s1, 777
loop:
  addi s1, s1, -1
  bnez s1, loop
${COUNTERS.map((c, k) => `second${k}:\n  csrr x${18 + (k % 10)}, ${c}`).join('\n')}
1: j 1b
`, 3000);
    const { machine, sym } = ran;
    const first = COUNTERS.map((c, k) => [c, machine.reg(0, 5 + k)]);
    expect(first).toEqual(COUNTERS.map((c, k) => [c, expected(c, index(sym, `first${k}`))]));
    const second = COUNTERS.map((c, k) => [c, machine.reg(0, 18 + (k % 10))]);
    expect(second).toEqual(COUNTERS.map((c, k) => [c, expected(c, index(sym, `second${k}`) + 2 * 777 - 2)]));
  });

  it('mcycle and minstret are writable: the next instruction reads the value written, with 64-bit carry into the high half', async () => {
    const ran = await runFor(`
_start:
  li t0, 0x12
  csrw mcycleh, t0
  li t0, 0xFFFFFFFF
  csrw mcycle, t0
  csrr a0, mcycle
  csrr a1, mcycleh
  csrr a2, cycle
  li t0, 0x34
  csrw minstreth, t0
  li t0, 0xFFFFFFFE
  csrw minstret, t0
  csrr a3, minstret
  csrr a4, minstreth
  csrr a5, instret
  csrr a6, instreth
1: j 1b
`, 100);
    const r = (n: number) => ran.machine.reg(0, n) >>> 0;
    expect([r(10), r(11), r(12)]).toEqual([0xFFFF_FFFF, 0x13, 1]);
    expect([r(13), r(14), r(15), r(16)]).toEqual([0xFFFF_FFFE, 0x34, 0, 0x35]);
  });

  it('a write to a high half replaces the writing instruction\'s own increment: the low half stays as it read it', async () => {
    // Zicsr (unprivileged 20191213 §9.1): "the write is done instead of the increment". After
    // csrw minstret, -1 the next instruction (csrw minstreth, -1) reads a low half of all ones;
    // it writes the high half, so the nop reads 2^64 - 1 and, retiring, wraps the counter to 0
    // (riscv-tests rv32mi-p-instret_overflow test 3). The same holds for mcycle.
    const ran = await runFor(`
_start:
  li t0, -1
  csrw minstret, t0
  csrw minstreth, t0
  nop
  csrr a0, minstret
  csrr a1, minstreth
  csrw mcycle, t0
  csrw mcycleh, t0
  nop
  csrr a2, mcycle
  csrr a3, mcycleh
1: j 1b
`, 100);
    const r = (n: number) => ran.machine.reg(0, n) >>> 0;
    expect([r(10), r(11)], 'minstret, minstreth').toEqual([0, 0]);
    expect([r(12), r(13)], 'mcycle, mcycleh').toEqual([0, 0]);
  });

  it('minstret does not count instructions that trapped; mcycle does (§3.1.11)', async () => {
    // Four trapping instructions between two reads; the handler (straight-line, ending in mret) skips each.
    const ran = await runFor(`
_start:
  la t0, handler
  csrw mtvec, t0
  la s1, data
a:
  csrr a0, minstret
  csrr a1, mcycle
  ecall
  .word 0
  ebreak
  lw t1, 0(zero)
  nop
b:
  csrr a2, minstret
  csrr a3, mcycle
1: j 1b
handler:
  csrr t4, mepc
  addi t4, t4, 4
  csrw mepc, t4
handler_end:
  mret
  .data
data: .word 0
`, 200);
    const { machine, sym } = ran;
    const between = (sym('b') - sym('a')) / 4; // instructions from a up to b, in address order
    const handler = (sym('handler_end') - sym('handler')) / 4 + 1;
    const traps = 4;
    const r = (n: number) => machine.reg(0, n);
    expect(r(12) - r(10), 'minstret').toBe(between - traps + traps * handler);
    expect(r(13) - r(11), 'mcycle').toBe(between + traps * handler);
    expect(csr(machine, CSR.mcause), 'the last trap').toBe(CAUSE.LOAD_ACCESS);
  });
});

describe('mcounteren (§3.1.11): U-mode access to cycle, time, instret', () => {
  const USER_COUNTERS = ['cycle', 'time', 'instret', 'cycleh', 'timeh', 'instreth', 'hpmcounter3'] as const;
  const NUMBER: Record<(typeof USER_COUNTERS)[number], number> = {
    cycle: 0xC00, time: 0xC01, instret: 0xC02, cycleh: 0xC80, timeh: 0xC81, instreth: 0xC82, hpmcounter3: 0xC03,
  };

  it.each([0, 1, 2, 4, 5, 7, 0xFFFF_FFFF])('mcounteren written with %i', async (written) => {
    // Each read in U-mode either succeeds or traps as illegal; the handler logs mepc and skips it.
    const ran = await runFor(`
_start:
  la t0, handler
  csrw mtvec, t0
  la s10, log
  li t0, ${written}
  csrw mcounteren, t0
  csrr s11, mcounteren
${enterUser('user')}
user:
${USER_COUNTERS.map((c) => `read_${c}:\n  csrr t1, ${c}`).join('\n')}
  li t0, 0x100000
  li t1, 0x5555
  sw t1, 0(t0)
handler:
  csrr t3, mcause
  csrr t4, mepc
  csrr t5, mtval
  sw t4, 0(s10)
  sw t3, 4(s10)
  sw t5, 8(s10)
  addi s10, s10, 12
  addi t4, t4, 4
  csrw mepc, t4
  mret
  .data
log: .space ${12 * USER_COUNTERS.length}
`, 500);
    const { machine, sym } = ran;
    expect(machine.halt?.reason).toBe('exit');
    const enabled = machine.reg(0, 27) >>> 0; // mcounteren as read back (WARL)
    // The spec lets every bit be read-only zero; this machine gives U-mode cycle, time and
    // instret (DESIGN §3), so CY, TM and IR are writable.
    expect(enabled & 7).toBe(written & 7);
    // A read traps iff the counter's bit in mcounteren is clear.
    const trapped = USER_COUNTERS.filter((c) => (enabled & (1 << (NUMBER[c] & 31))) === 0);
    const count = (machine.reg(0, 26) - sym('log')) / 12;
    const log = words(machine, sym('log'), 3 * count);
    expect(log).toEqual(trapped.flatMap((c) => [sym(`read_${c}`), CAUSE.ILLEGAL, encCsr(2, 6, NUMBER[c], 0)]));
  });

  it('does not restrict M-mode', async () => {
    const ran = await runFor(`
  csrw mcounteren, zero
  csrr a0, cycle
  csrr a1, time
  csrr a2, instret
  li a7, 93
  ecall
`, 100);
    expect(ran.machine.halt?.reason).toBe('exit');
    expect(u32(ran.machine.reg(0, 12))).toBe(3);
  });
});
