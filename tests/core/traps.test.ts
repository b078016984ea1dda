/**
 * Synchronous exceptions, trap entry and mret (privileged spec v1.12 §3.1.6 mstatus, §3.1.7
 * mtvec, §3.1.14-16 mepc/mcause/mtval, §3.3.2 trap-return; unprivileged §1.5 instruction
 * length, §2.2 illegal encodings). Each case runs on its own machine: M-mode code (or U-mode
 * code, entered with mret) executes one faulting instruction with mstatus.MIE = 1, the
 * handler at mtvec spins, and the trap CSRs are read from the host.
 */
import { describe, expect, it } from 'vitest';
import { csr, CSR, enterUser, runFor, statusFields, words, FINISH, INSTRUMENTED, PMP_OPEN } from './guest.ts';
import {
  CAUSE, OPC, PRIV, MSTATUS, MPP_SHIFT, RAM_BASE, UART, CLINT, FINISHER, encB, encCsr, encI, encJ, encR, encS,
  hex, u32,
} from './reference.ts';

type Mode = 'M' | 'U';
type Sym = (name: string) => number;

interface TrapCase {
  name: string;
  modes: readonly Mode[];
  /** Assembly before the faulting instruction (may use t1, t3-t6; s1 = buf, t2 = SENTINEL). */
  setup?: string;
  /** The faulting instruction, at label `fault`. */
  fault: string;
  cause: number;
  /** mtval the spec requires. */
  tval: (s: Sym) => number;
  /** mepc (default: the faulting instruction). */
  epc?: (s: Sym) => number;
  /** Other values mtval may legally hold (the spec lets some exceptions write zero). */
  tvalAlso?: (s: Sym) => number[];
  /** M-mode code before the mode is entered. */
  prologue?: string;
  /** Extra mstatus bits for the mode the instruction runs in (e.g. TW). */
  status?: number;
  /** The trapping instruction would have written t2 (x7): it must still hold SENTINEL. */
  keepsRd?: boolean;
}

const SENTINEL = 0x5A5A_5A5A;
const BUF = [0x1122_3344, 0x5566_7788, 0x99AA_BBCC, 0xDDEE_FF00];
const RAM_END = RAM_BASE + 1024 * 1024;
const BOTH: readonly Mode[] = ['M', 'U'];
const T2 = 7;
const T1 = 6;
const S1 = 9;

const word = (w: number, text: string) => `.word ${hex(w)} # ${text}`;

/** An illegal-instruction case: mtval is the instruction (§3.1.16: right-justified, shortest of the instruction, ILEN, MXLEN bits). */
function illegal(name: string, w: number, modes: readonly Mode[] = BOTH, extra: Partial<TrapCase> = {}): TrapCase {
  return { name, modes, fault: word(w, name), cause: CAUSE.ILLEGAL, tval: () => w, ...extra };
}

const fromT1 = (value: number) => `  li t1, ${value}`;

const CASES: TrapCase[] = [
  // ── Illegal instruction: reserved and unsupported encodings ──
  illegal('all-zero word (defined illegal)', 0x0000_0000),
  illegal('all-ones word', 0xFFFF_FFFF),
  illegal('OP with funct7 = 0000010', encR(OPC.OP, T2, 0, T1, T1, 0x02)),
  illegal('OP with funct7 = 0100000 and funct3 = sll', encR(OPC.OP, T2, 1, T1, T1, 0x20)),
  illegal('OP with funct7 = 0100000 and funct3 = xor', encR(OPC.OP, T2, 4, T1, T1, 0x20)),
  illegal('OP with funct7 = 1000000', encR(OPC.OP, T2, 0, T1, T1, 0x40)),
  illegal('slli with imm[11:5] = 0100000', encI(OPC.OP_IMM, T2, 1, T1, 0x400 | 3)),
  illegal('slli with shamt[5] set (RV64 only)', encI(OPC.OP_IMM, T2, 1, T1, 0x020)),
  illegal('srli with shamt[5] set (RV64 only)', encI(OPC.OP_IMM, T2, 5, T1, 0x021)),
  illegal('srai with shamt[5] set (RV64 only)', encI(OPC.OP_IMM, T2, 5, T1, 0x421)),
  illegal('ld (LOAD funct3 = 3, RV64 only)', encI(OPC.LOAD, T2, 3, S1, 0)),
  illegal('lwu (LOAD funct3 = 6, RV64 only)', encI(OPC.LOAD, T2, 6, S1, 0)),
  illegal('LOAD funct3 = 7', encI(OPC.LOAD, T2, 7, S1, 0)),
  illegal('sd (STORE funct3 = 3, RV64 only)', encS(OPC.STORE, 3, S1, T1, 0)),
  illegal('STORE funct3 = 4', encS(OPC.STORE, 4, S1, T1, 0)),
  illegal('BRANCH funct3 = 2', encB(2, 0, 0, 8)),
  illegal('BRANCH funct3 = 3', encB(3, 0, 0, 8)),
  illegal('JALR funct3 = 1', encI(OPC.JALR, T2, 1, S1, 0)),
  illegal('MISC-MEM funct3 = 2', encI(OPC.MISC_MEM, 0, 2, 0, 0)),
  illegal('SYSTEM funct3 = 4', encI(OPC.SYSTEM, T2, 4, 0, 0x300)),
  illegal('sret (no S-mode)', 0x1020_0073),
  illegal('sfence.vma (no S-mode)', 0x1200_0073),
  illegal('lr.w (no A extension)', encR(0x2F, T2, 2, S1, 0, 0x08)),
  illegal('flw (no F extension)', encI(0x07, T2, 2, S1, 0)),
  illegal('OP-FP fadd.s (no F extension)', encR(0x53, T2, 0, T1, T1, 0)),
  illegal('addiw (OP-IMM-32, RV64 only)', encI(0x1B, T2, 0, T1, 1)),
  illegal('addw (OP-32, RV64 only)', encR(0x3B, T2, 0, T1, T1, 0)),
  illegal('custom-0 opcode', encR(0x0B, T2, 0, T1, T1, 0)),
  illegal('48-bit instruction (inst[5:0] = 011111): its first ILEN bits', 0x1234_501F),
  // A 16-bit encoding (inst[1:0] ≠ 11) with no C extension: the faulting instruction is 16 bits long.
  { ...illegal('16-bit encoding c.li a0, 0 (no C extension)', 0x1234_4501), tval: () => 0x4501 },
  // ── Illegal instruction: CSRs ──
  illegal('csrr of an unimplemented CSR (satp)', encCsr(2, T2, 0x180, 0)),
  illegal('csrr of an unimplemented CSR (medeleg, no U-mode traps)', encCsr(2, T2, 0x302, 0)),
  illegal('csrr of an unimplemented CSR (fflags, no F)', encCsr(2, T2, 0x001, 0)),
  illegal('csrr of a debug-mode CSR (dcsr) outside debug mode', encCsr(2, T2, 0x7B0, 0)),
  illegal('csrw of an unimplemented custom CSR', encCsr(1, 0, 0x7C0, T1)),
  illegal('csrw mvendorid (read-only)', encCsr(1, 0, 0xF11, T1), ['M']),
  illegal('csrrs mhartid with rs1 ≠ x0 holding 0 (read-only)', encCsr(2, T2, 0xF14, T1), ['M'], { setup: '  li t1, 0' }),
  illegal('csrrci marchid, 1 (read-only)', encCsr(7, T2, 0xF12, 1), ['M']),
  illegal('csrrwi mimpid, 0 (csrrw writes even a zero)', encCsr(5, T2, 0xF13, 0), ['M']),
  illegal('csrw cycle (user read-only counter)', encCsr(1, 0, 0xC00, T1), ['M']),
  illegal('csrw instreth (user read-only counter)', encCsr(1, 0, 0xC82, T1), ['M']),
  illegal('csrw mconfigptr (read-only)', encCsr(1, 0, 0xF15, T1), ['M']),
  // ── Illegal instruction: privilege (§2.1 CSR privilege in csr[9:8]; §3.3.2) ──
  illegal('mret from U-mode', 0x3020_0073, ['U']),
  illegal('csrr mstatus from U-mode', encCsr(2, T2, 0x300, 0), ['U']),
  illegal('csrw mscratch from U-mode', encCsr(1, 0, 0x340, T1), ['U']),
  illegal('csrr mcycle from U-mode', encCsr(2, T2, 0xB00, 0), ['U']),
  illegal('csrr mhartid from U-mode', encCsr(2, T2, 0xF14, 0), ['U']),
  illegal('csrr cycle from U-mode with mcounteren = 0', encCsr(2, T2, 0xC00, 0), ['U'], { prologue: '  csrw mcounteren, zero' }),
  illegal('wfi from U-mode with mstatus.TW = 1', 0x1050_0073, ['U'], { status: MSTATUS.TW }),
  // ── Instruction address misaligned (§2.5: reported on the jump or branch; mtval = target) ──
  {
    name: 'jal to pc + 6', modes: BOTH, fault: word(encJ(T2, 6), 'jal t2, .+6'),
    cause: CAUSE.FETCH_MISALIGNED, tval: (s) => s('fault') + 6, keepsRd: true,
  },
  {
    name: 'jal to pc - 2', modes: BOTH, fault: word(encJ(T2, -2), 'jal t2, .-2'),
    cause: CAUSE.FETCH_MISALIGNED, tval: (s) => s('fault') - 2, keepsRd: true,
  },
  {
    name: 'taken beq to pc + 6', modes: BOTH, fault: word(encB(0, 0, 0, 6), 'beq zero, zero, .+6'),
    cause: CAUSE.FETCH_MISALIGNED, tval: (s) => s('fault') + 6,
  },
  {
    name: 'taken bltu to pc - 4094', modes: BOTH, setup: fromT1(1), fault: word(encB(6, 0, T1, -4094), 'bltu zero, t1, .-4094'),
    cause: CAUSE.FETCH_MISALIGNED, tval: (s) => s('fault') - 4094,
  },
  {
    name: 'jalr to an address with bit 1 set', modes: BOTH, setup: '  la t1, after\n  addi t1, t1, 2',
    fault: word(encI(OPC.JALR, T2, 0, T1, 0), 'jalr t2, 0(t1)'), cause: CAUSE.FETCH_MISALIGNED,
    tval: (s) => s('after') + 2, keepsRd: true,
  },
  {
    name: 'jalr to an address with bits 1 and 0 set (bit 0 cleared first)', modes: BOTH, setup: '  la t1, after\n  addi t1, t1, 3',
    fault: word(encI(OPC.JALR, T2, 0, T1, 0), 'jalr t2, 0(t1)'), cause: CAUSE.FETCH_MISALIGNED,
    tval: (s) => s('after') + 2, keepsRd: true,
  },
  {
    name: 'jalr with an immediate of -2', modes: BOTH, setup: '  la t1, after',
    fault: word(encI(OPC.JALR, T2, 0, T1, -2), 'jalr t2, -2(t1)'), cause: CAUSE.FETCH_MISALIGNED,
    tval: (s) => s('after') - 2, keepsRd: true,
  },
  // ── Load / store address misaligned: RAM performs them (misaligned.test.ts); a device
  // register or an unmapped address raises address-misaligned (mtval = the address) ──
  {
    name: 'lw from the UART at +1 (a device, misaligned)', modes: BOTH, setup: fromT1(UART),
    fault: word(encI(OPC.LOAD, T2, 2, T1, 1), 'lw t2, 1(t1)'), cause: CAUSE.LOAD_MISALIGNED, tval: () => UART + 1, keepsRd: true,
  },
  {
    name: 'sw to mtimecmp at +2 (a device, misaligned)', modes: BOTH, setup: `${fromT1(CLINT + 0x4000)}\n  li t3, 0x0BADF00D`,
    fault: word(encS(OPC.STORE, 2, T1, 28, 2), 'sw t3, 2(t1)'), cause: CAUSE.STORE_MISALIGNED, tval: () => CLINT + 0x4002,
  },
  {
    name: 'lh at RAM_BASE - 1 (begins outside RAM)', modes: BOTH, setup: fromT1(RAM_BASE - 1),
    fault: word(encI(OPC.LOAD, T2, 1, T1, 0), 'lh t2, 0(t1)'), cause: CAUSE.LOAD_MISALIGNED, tval: () => RAM_BASE - 1, keepsRd: true,
  },
  // ── A misaligned access that begins in RAM and runs past its end: access fault at the end of RAM ──
  {
    name: 'lw at RAM_END - 2', modes: BOTH, setup: fromT1(RAM_END - 2),
    fault: word(encI(OPC.LOAD, T2, 2, T1, 0), 'lw t2, 0(t1)'), cause: CAUSE.LOAD_ACCESS, tval: () => RAM_END, keepsRd: true,
  },
  {
    name: 'sh at RAM_END - 1', modes: BOTH, setup: `${fromT1(RAM_END - 1)}\n  li t3, 0x0BADF00D`,
    fault: word(encS(OPC.STORE, 1, T1, 28, 0), 'sh t3, 0(t1)'), cause: CAUSE.STORE_ACCESS, tval: () => RAM_END,
  },
  // ── Load / store access faults: nothing there, or a width the device does not take (mtval = the address) ──
  ...([
    ['lw', 2, 0x0000_0000], ['lb', 0, RAM_BASE - 1], ['lw', 2, RAM_END], ['lbu', 4, 0xFFFF_FFFF], ['lw', 2, 0x0200_0000 + 0x1_0000],
    ['lw', 2, FINISHER + 0x1000], ['lw', 2, UART + 0x100], ['lb', 0, CLINT], ['lh', 1, CLINT + 0x4000],
  ] as const).map(([op, f3, addr]): TrapCase => ({
    name: `${op} at ${hex(addr)}`, modes: BOTH, setup: fromT1(addr), fault: word(encI(OPC.LOAD, T2, f3, T1, 0), `${op} t2, 0(t1)`),
    cause: CAUSE.LOAD_ACCESS, tval: () => addr, keepsRd: true,
  })),
  ...([
    ['sw', 2, 0x0000_0000], ['sb', 0, RAM_BASE - 1], ['sw', 2, RAM_END], ['sw', 2, 0xFFFF_FFFC], ['sw', 2, FINISHER + 0x1000],
    ['sb', 0, UART + 0x100], ['sb', 0, CLINT], ['sh', 1, CLINT + 0x4000],
  ] as const).map(([op, f3, addr]): TrapCase => ({
    name: `${op} at ${hex(addr)}`, modes: BOTH, setup: `${fromT1(addr)}\n  li t3, 0x0BADF00D`, fault: word(encS(OPC.STORE, f3, T1, 28, 0), `${op} t3, 0(t1)`),
    cause: CAUSE.STORE_ACCESS, tval: () => addr,
  })),
  {
    name: 'lw x0 from address 0 (a discarded load still faults)', modes: BOTH,
    fault: word(encI(OPC.LOAD, 0, 2, 0, 0), 'lw zero, 0(zero)'), cause: CAUSE.LOAD_ACCESS, tval: () => 0,
  },
  {
    name: 'lw at an address that wraps around 2^32 to 0', modes: BOTH, setup: fromT1(0xFFFF_FFFC),
    fault: word(encI(OPC.LOAD, T2, 2, T1, 4), 'lw t2, 4(t1)'), cause: CAUSE.LOAD_ACCESS, tval: () => 0, keepsRd: true,
  },
  // ── Instruction access faults: the jump retires, the fetch at the target faults (mepc = mtval = target) ──
  ...([0x0000_0000, UART, CLINT, RAM_END, 0xFFFF_FFFC].map((target): TrapCase => ({
    name: `fetch from ${hex(target)}`, modes: BOTH, setup: fromT1(target), fault: word(encI(OPC.JALR, 1, 0, T1, 0), 'jalr ra, 0(t1)'),
    cause: CAUSE.FETCH_ACCESS, tval: () => target, epc: () => target,
  }))),
  {
    name: 'fetch past the last word of RAM', modes: BOTH,
    setup: `  li t1, ${RAM_END - 4}\n  li t3, 0x00000013\n  sw t3, 0(t1)`, fault: word(encI(OPC.JALR, 0, 0, T1, 0), 'jr t1 (a nop in the last word)'),
    cause: CAUSE.FETCH_ACCESS, tval: () => RAM_END, epc: () => RAM_END,
  },
  // ── Environment call and breakpoint (§3.3.1: mepc = the instruction itself) ──
  { name: 'ecall', modes: ['M'], fault: 'ecall', cause: CAUSE.ECALL_M, tval: () => 0 },
  { name: 'ecall', modes: ['U'], fault: 'ecall', cause: CAUSE.ECALL_U, tval: () => 0 },
  // mtval for ebreak: the pc, or zero (§3.1.16: a breakpoint sets mtval to the faulting address if nonzero).
  { name: 'ebreak', modes: BOTH, fault: 'ebreak', cause: CAUSE.BREAKPOINT, tval: (s) => s('fault'), tvalAlso: () => [0] },
];

function trapProgram(c: TrapCase, mode: Mode): string {
  const enter = mode === 'M'
    ? `  csrsi mstatus, ${MSTATUS.MIE}\n${c.status ? `  li t0, ${c.status}\n  csrs mstatus, t0` : ''}`
    : enterUser('body', true, c.status ?? 0);
  return `
_start:
  la t0, handler
  csrw mtvec, t0
  la s1, buf
  li t2, ${SENTINEL}
${c.prologue ?? ''}
${enter}
body:
${c.setup ?? ''}
fault:
  ${c.fault}
after:
  j after
  .align 6
handler:
  j handler
  .data
buf: .word ${BUF.join(', ')}
`;
}

describe('synchronous exceptions', () => {
  const table = CASES.flatMap((c) => c.modes.flatMap((mode) => [
    [`${c.name} (${mode}-mode)`, c, mode, {}] as const,
    [`${c.name} (${mode}-mode, instrumented step)`, c, mode, INSTRUMENTED] as const,
  ]));

  it.each(table)('%s', async (_name, c, mode, setup) => {
    const ran = await runFor(trapProgram(c, mode), 300, setup);
    const { machine, sym } = ran;
    expect(machine.halt, machine.halt?.message).toBeUndefined();
    const cause = csr(machine, CSR.mcause);
    expect({ cause, epc: csr(machine, CSR.mepc) }).toEqual({ cause: c.cause, epc: u32(c.epc ? c.epc(sym) : sym('fault')) });
    const tvals = [c.tval(sym), ...(c.tvalAlso?.(sym) ?? [])].map(u32);
    expect(tvals, `mtval ${hex(csr(machine, CSR.mtval))}`).toContain(csr(machine, CSR.mtval));
    // Trap entry (§3.1.6.1): MPP = the previous privilege, MPIE = the previous MIE (1), MIE = 0.
    expect(statusFields(csr(machine, CSR.mstatus))).toEqual({ mpp: PRIV[mode], mpie: 1, mie: 0 });
    expect(machine.privilege(0)).toBe(PRIV.M);
    expect(machine.pc(0)).toBe(sym('handler'));
    // One instruction trapped: it counts in cycles but does not retire (§3.3.1, §3.1.11).
    expect(csr(machine, CSR.minstret)).toBe(machine.instret - 1);
    expect(csr(machine, CSR.mcycle)).toBe(machine.cycle);
    if (c.keepsRd) expect(machine.reg(0, T2) >>> 0, 'rd of the trapping instruction').toBe(SENTINEL);
    expect(words(machine, sym('buf'), BUF.length), 'no store performed').toEqual(BUF);
  });
});

describe('instructions that look close to the illegal ones but are legal', () => {
  // Each runs in M-mode and must fall through to the finisher without trapping.
  const LEGAL: Array<[string, string]> = [
    ['csrrs with rs1 = x0 reads a read-only CSR', word(encCsr(2, T2, 0xF14, 0), 'csrr t2, mhartid')],
    ['csrrsi/csrrci with uimm = 0 read a read-only CSR', `${word(encCsr(6, T2, 0xF11, 0), 'csrrsi t2, mvendorid, 0')}\n  ${word(encCsr(7, T2, 0xC00, 0), 'csrrci t2, cycle, 0')}`],
    ['writes to WARL CSRs that ignore them (misa, mip, mstatush, mcountinhibit)', ['0x301', '0x344', '0x310', '0x320'].map((n) => `  csrw ${n}, t1`).join('\n')],
    ['branch not taken to a misaligned target', `  li t1, 1\n  ${word(encB(0, 0, T1, 6), 'beq zero, t1, .+6')}`],
    ['jalr to an odd address (bit 0 is cleared)', '  la t1, 1f\n  addi t1, t1, 1\n  jalr t2, 0(t1)\n  .word 0\n1:'],
    ['wfi in M-mode with TW = 1 (TW only traps less-privileged modes)', `  li t0, ${CLINT + 0x4000}\n  sw zero, 0(t0)\n  sw zero, 4(t0)\n  li t1, 0x80\n  csrw mie, t1\n  li t1, ${MSTATUS.TW}\n  csrs mstatus, t1\n  wfi`],
    ['menvcfg and menvcfgh exist when U-mode does (§3.1.18)', '  csrr t2, 0x30a\n  csrr t2, 0x31a\n  csrw 0x30a, zero\n  csrw 0x31a, zero'],
  ];
  it.each(LEGAL)('%s', async (_name, code) => {
    const ran = await runFor(`
  la t0, handler
  csrw mtvec, t0
  li t1, -1
${code}
${FINISH}
handler:
  j handler
`, 200);
    expect(ran.machine.halt?.reason, `trapped with mcause ${csr(ran.machine, CSR.mcause)} at ${hex(csr(ran.machine, CSR.mepc))}`).toBe('exit');
    expect(ran.machine.halt?.exitCode).toBe(0);
  });
});

describe('mstatus on trap entry and on mret (§3.1.6.1, §3.3.2)', () => {
  const ENTRY = [
    ['M', 0], ['M', 1], ['U', 0], ['U', 1],
  ] as const;
  it.each(ENTRY)('an ecall from %s-mode with MIE = %i stacks MIE into MPIE and the privilege into MPP', async (mode, mie) => {
    const enter = mode === 'M' ? (mie ? `  csrsi mstatus, ${MSTATUS.MIE}` : '') : enterUser('body', mie === 1);
    const ran = await runFor(`
  la t0, handler
  csrw mtvec, t0
${enter}
body:
  ecall
handler:
  j handler
`, 100);
    expect(statusFields(csr(ran.machine, CSR.mstatus))).toEqual({ mpp: PRIV[mode], mpie: mie, mie: 0 });
    expect(csr(ran.machine, CSR.mcause)).toBe(mode === 'M' ? CAUSE.ECALL_M : CAUSE.ECALL_U);
    expect(csr(ran.machine, CSR.mepc)).toBe(ran.sym('body'));
  });

  const RETURNS = [
    [PRIV.M, 0, 0], [PRIV.M, 1, 0], [PRIV.M, 0, 1], [PRIV.M, 1, 1],
    [PRIV.U, 0, 0], [PRIV.U, 1, 0], [PRIV.U, 0, 1], [PRIV.U, 1, 1],
  ] as const;
  it.each(RETURNS)('mret with MPP = %i, MPIE = %i, MIE = %i', async (mpp, mpie, mie) => {
    const status = (mpp << MPP_SHIFT) | (mpie ? MSTATUS.MPIE : 0) | (mie ? MSTATUS.MIE : 0) | MSTATUS.MPRV;
    const ran = await runFor(`
  la t0, handler
  csrw mtvec, t0
${PMP_OPEN}
  la t0, target
  csrw mepc, t0
  li t0, ${status}
  csrw mstatus, t0
  mret
  .word 0
target:
  j target
handler:
  j handler
`, 100);
    const { machine } = ran;
    expect(machine.pc(0)).toBe(ran.sym('target'));
    expect(machine.privilege(0)).toBe(mpp);
    // MIE ← MPIE, MPIE ← 1, MPP ← U (the least-privileged mode); MPRV ← 0 when leaving M-mode.
    const after = csr(machine, CSR.mstatus);
    expect(statusFields(after)).toEqual({ mpp: PRIV.U, mpie: 1, mie: mpie });
    expect((after & MSTATUS.MPRV) !== 0).toBe(mpp === PRIV.M);
  });

  it('a U-mode program returned to by mret cannot read mstatus, and traps back with MPP = U', async () => {
    // log entries: mcause, mepc, mtval, mstatus; the handler skips the trapping instruction.
    const ran = await runFor(`
  la t0, handler
  csrw mtvec, t0
  la s10, log
${enterUser('user', true)}
user:
  ecall
  li a0, 1
read:
  csrr a1, mstatus
  li a2, 2
  ${FINISH}
handler:
  csrr t3, mcause
  csrr t4, mepc
  csrr t5, mtval
  csrr t6, mstatus
  sw t3, 0(s10)
  sw t4, 4(s10)
  sw t5, 8(s10)
  sw t6, 12(s10)
  addi s10, s10, 16
  addi t4, t4, 4
  csrw mepc, t4
  mret
  .data
log: .space 64
`, 1000);
    const { machine, sym } = ran;
    expect(machine.halt?.reason).toBe('exit');
    const log = words(machine, sym('log'), 8);
    const status = (mpie: number) => (PRIV.U << MPP_SHIFT) | (mpie ? MSTATUS.MPIE : 0);
    const csrrs = encCsr(2, 11, 0x300, 0);
    expect(log).toEqual([
      CAUSE.ECALL_U, sym('user'), 0, status(1),
      CAUSE.ILLEGAL, sym('read'), csrrs, status(1),
    ]);
    expect([machine.reg(0, 10), machine.reg(0, 11), machine.reg(0, 12)]).toEqual([1, 0, 2]);
    expect(machine.privilege(0)).toBe(PRIV.U);
  });
});

describe('mtvec (§3.1.7)', () => {
  const base = (s: Sym) => s('vectors');

  it.each([
    ['direct', 0], ['vectored', 1],
  ] as const)('%s mode: exceptions go to BASE', async (_mode, vectored) => {
    const ran = await runFor(`
  la t0, vectors
  ori t0, t0, ${vectored}
  csrw mtvec, t0
  .word 0
  .align 8
vectors:
${'  j .\n'.repeat(16)}`, 100);
    expect(csr(ran.machine, CSR.mtvec)).toBe(u32(base(ran.sym) | vectored));
    expect(ran.machine.pc(0)).toBe(base(ran.sym));
    expect(csr(ran.machine, CSR.mcause)).toBe(CAUSE.ILLEGAL);
  });

});

describe('mepc (§3.1.14)', () => {
  it('has bits 1:0 always zero (IALIGN = 32)', async () => {
    const ran = await runFor(`
  li t0, -1
  csrw mepc, t0
  csrr a0, mepc
1: j 1b
`, 100);
    expect(ran.machine.reg(0, 10) >>> 0).toBe(0xFFFF_FFFC);
  });
});
