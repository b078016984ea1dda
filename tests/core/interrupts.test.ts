/**
 * Interrupts (privileged spec v1.12 §3.1.9 mip/mie, §3.1.6.1 global enables, §3.1.7 vectored
 * mtvec, §3.2.1 mtime/mtimecmp, §3.3.3 wfi) and the CLINT (msip, mtimecmp, mtime) against the
 * machine's time model (DESIGN §3): instruction n starts at clock cycle n (plus cycles slept
 * in wfi), mtime = floor(cycle / 10), and MTIP is taken before the first instruction whose
 * cycle c has floor(c / 10) >= mtimecmp. Expected instruction numbers are closed forms over
 * the programs' label addresses: straight-line code, instruction n at _start + 4n.
 */
import { describe, expect, it } from 'vitest';
import { csr, CSR, enterUser, runFor, statusFields, words, INSTRUMENTED } from './guest.ts';
import {
  IRQ, MSIP, MTIME, MTIMECMP, PRIV, UART, interruptCause, mtimeAt, u32,
} from './reference.ts';

type Sym = (name: string) => number;
/** Number of the instruction at `label` in straight-line code from _start. */
const index = (s: Sym, label: string) => (s(label) - s('_start')) / 4;

/** Sets mtimecmp to `t` (low word first while the high word is still all ones, then high = 0). */
const setTimer = (t: number) => `
  li t0, ${MTIMECMP}
  li t1, ${t}
  sw t1, 0(t0)
  sw zero, 4(t0)
`;

describe('machine timer interrupt', () => {
  const TIMES = [0, 1, 2, 3, 7, 10, 57, 1234, 99_999];

  /** `mode`: where the loop runs; in U-mode MIE = `userMie` (from MPIE), irrelevant to M interrupts. */
  function timerProgram(t: number, mode: 'M' | 'U', userMie = false): string {
    return `
_start:
  la t0, handler
  csrw mtvec, t0
${setTimer(t)}
  li t1, ${1 << IRQ.MTI}
  csrw mie, t1
${mode === 'M' ? '  csrsi mstatus, 8' : enterUser('loop', userMie)}
loop:
  addi s0, s0, 1
  j loop
handler:
  csrr a0, mcycle
  csrr a1, minstret
  csrr a2, time
1: j 1b
`;
  }

  const table = [
    ...TIMES.flatMap((t) => [[t, 'M', false, 'simplex'], [t, 'U', false, 'simplex'], [t, 'U', true, 'simplex']] as const),
    ...[7, 1234].flatMap((t) => [[t, 'M', false, 'tmr'], [t, 'U', true, 'dmr'], [t, 'M', false, 'instrumented']] as const),
  ];
  it.each(table)('mtimecmp = %i: taken before instruction max(P, 10·mtimecmp) (%s-mode, U-mode MIE = %s, %s)', async (t, mode, userMie, variant) => {
    const setup = variant === 'instrumented' ? INSTRUMENTED : { topology: variant };
    const ran = await runFor(timerProgram(t, mode, userMie), 10 * t + 200, setup);
    const { machine, sym } = ran;
    const p = index(sym, 'loop'); // first instruction with the interrupt enabled
    const n = Math.max(p, 10 * t); // the interrupt is taken before instruction n
    expect(csr(machine, CSR.mcause)).toBe(interruptCause(IRQ.MTI));
    expect(csr(machine, CSR.mepc)).toBe(sym('loop') + 4 * ((n - p) % 2));
    expect(csr(machine, CSR.mtval)).toBe(0);
    expect(machine.reg(0, 8), 'loop iterations before the interrupt').toBe(Math.floor((n - p + 1) / 2));
    // The handler's first three instructions are numbers n, n + 1, n + 2; nothing trapped, nothing slept.
    expect([machine.reg(0, 10), machine.reg(0, 11), machine.reg(0, 12)]).toEqual([n, n + 1, mtimeAt(n + 2)]);
    expect(statusFields(csr(machine, CSR.mstatus))).toEqual({ mpp: PRIV[mode], mpie: mode === 'M' || userMie ? 1 : 0, mie: 0 });
    expect(machine.privilege(0)).toBe(PRIV.M);
    expect(machine.onlineModules().length, 'every module took it at the same instruction').toBe(machine.moduleCount);
  });

  it('stays pending but is not taken in M-mode with MIE = 0, then is taken right after MIE is set', async () => {
    const t = 20;
    const k = 200; // the loop runs 2k instructions, past 10·t
    const ran = await runFor(`
_start:
  la t0, handler
  csrw mtvec, t0
${setTimer(t)}
  li t1, ${1 << IRQ.MTI}
  csrw mie, t1
  li s1, ${k}
loop:
  addi s0, s0, 1
  bne s0, s1, loop
  csrr a0, mip
  csrsi mstatus, 8
enabled:
  j enabled
handler:
  j handler
`, 1000);
    const { machine, sym } = ran;
    expect(machine.reg(0, 8)).toBe(k);
    expect(machine.reg(0, 10), 'mip: only MTIP').toBe(1 << IRQ.MTI);
    expect(csr(machine, CSR.mcause)).toBe(interruptCause(IRQ.MTI));
    expect(csr(machine, CSR.mepc)).toBe(sym('enabled'));
  });

  it('is not taken while mie.MTIE = 0, even with MIE = 1', async () => {
    const ran = await runFor(`
_start:
  la t0, handler
  csrw mtvec, t0
${setTimer(0)}
  csrsi mstatus, 8
  li s1, 100
1:
  addi s0, s0, 1
  bne s0, s1, 1b
  csrr a0, mip
end:
  j end
handler:
  j handler
`, 1000);
    expect(ran.machine.reg(0, 10)).toBe(1 << IRQ.MTI);
    expect(ran.machine.reg(0, 8)).toBe(100);
    expect(ran.machine.pc(0)).toBe(ran.sym('end'));
  });

  it.each([
    ['forward past mtimecmp: taken right after the store', 5000],
    ['back to 0: taken when the rewound mtime reaches mtimecmp', 0],
  ])('follows writes to mtime (%s)', async (_what, v) => {
    const cmp = 30;
    const ran = await runFor(`
_start:
  la t0, handler
  csrw mtvec, t0
${setTimer(cmp)}
  li t1, ${1 << IRQ.MTI}
  csrw mie, t1
  csrsi mstatus, 8
  li s1, 100
1:
  addi s1, s1, -1
  bnez s1, 1b
  li t0, ${MTIME}
  li t1, ${v}
write:
  sw t1, 0(t0)
loop:
  addi s0, s0, 1
  j loop
handler:
  j handler
`, 2000);
    const { machine, sym } = ran;
    const w = index(sym, 'write') + 2 * 100 - 2; // the loop's two instructions ran 100 times
    expect(10 * cmp, 'the write comes first').toBeGreaterThan(w);
    // After the write at cycle w, mtime(c) = v + floor(c/10) - floor(w/10).
    const n = v >= cmp ? w + 1 : 10 * (cmp - v + Math.floor(w / 10));
    const p = w + 1; // number of the first loop instruction
    expect(csr(machine, CSR.mcause)).toBe(interruptCause(IRQ.MTI));
    expect(csr(machine, CSR.mepc)).toBe(sym('loop') + 4 * ((n - p) % 2));
    expect(machine.reg(0, 8)).toBe(Math.floor((n - p + 1) / 2));
  });

  it('is cleared by writing mtimecmp above mtime', async () => {
    const ran = await runFor(`
_start:
  la t0, handler
  csrw mtvec, t0
${setTimer(0)}
  li t1, ${1 << IRQ.MTI}
  csrw mie, t1
  csrsi mstatus, 8
back:
  j back
handler:
  addi s0, s0, 1
  li t0, ${MTIMECMP}
  li t1, -1
  sw t1, 4(t0)
  csrr a0, mip
  mret
`, 500);
    expect(ran.machine.reg(0, 8), 'taken once').toBe(1);
    expect(ran.machine.reg(0, 10)).toBe(0);
    expect(ran.machine.pc(0)).toBe(ran.sym('back'));
  });
});

describe('wfi (§3.3.3)', () => {
  const TIMES = [0, 5, 100, 12_345];
  const MODES = ['M-mode, MIE = 1', 'M-mode, MIE = 0', 'U-mode'] as const;

  it.each(TIMES.flatMap((t) => MODES.map((m) => [t, m] as const)))('mtimecmp = %i (%s): wakes at cycle 10·mtimecmp; instret does not advance while asleep', async (t, mode) => {
    const record = `
  csrr a0, mcycle
  csrr a1, minstret
  csrr a2, time
  csrr a3, mip
1: j 1b`;
    const ran = await runFor(`
_start:
  la t0, handler
  csrw mtvec, t0
${setTimer(t)}
  li t1, ${1 << IRQ.MTI}
  csrw mie, t1
${mode === 'M-mode, MIE = 1' ? '  csrsi mstatus, 8' : mode === 'U-mode' ? enterUser('sleep') : ''}
sleep:
  wfi
woke:
  ${mode === 'U-mode' ? 'j woke' : record}
handler:
${record}
`, 400);
    const { machine, sym } = ran;
    const w = index(sym, 'sleep');
    const interrupts = mode !== 'M-mode, MIE = 0';
    // Already pending when the interrupt is enabled (by csrsi or by mret to U-mode, just
    // before the wfi): taken before the wfi executes. Otherwise the wfi retires and the hart
    // sleeps until cycle 10·mtimecmp.
    const early = interrupts && 10 * t <= w;
    const first = early ? w : w + 1; // number of the first recording instruction
    const cycle = early ? w : Math.max(w + 1, 10 * t); // and the cycle at which it starts
    expect(machine.pc(0), 'where the hart went after waking').toBe((interrupts ? sym('handler') : sym('woke')) + 16);
    expect([machine.reg(0, 10), machine.reg(0, 11), machine.reg(0, 12)]).toEqual([cycle, first + 1, mtimeAt(cycle + 2)]);
    expect(machine.reg(0, 13) & (1 << IRQ.MTI)).toBe(1 << IRQ.MTI);
    expect(machine.cycle - machine.instret, 'cycles slept').toBe(cycle - first);
    if (interrupts) {
      expect(csr(machine, CSR.mcause)).toBe(interruptCause(IRQ.MTI));
      expect(csr(machine, CSR.mepc)).toBe(sym(early ? 'sleep' : 'woke'));
      expect(statusFields(csr(machine, CSR.mstatus)).mpp).toBe(mode === 'U-mode' ? PRIV.U : PRIV.M);
    }
  });

  it.each([
    ['no interrupt enabled in mie', ''],
    ['only the timer enabled, mtimecmp never reached', `  li t1, ${1 << IRQ.MTI}\n  csrw mie, t1`],
    ['only the software interrupt enabled', `  li t1, ${1 << IRQ.MSI}\n  csrw mie, t1`],
  ])('with %s, stops the machine as idle', async (_what, setup) => {
    const ran = await runFor(`
_start:
${setup}
  wfi
  li a7, 93
  ecall
`, 100);
    expect(ran.machine.halt?.reason).toBe('idle');
  });
});

describe('machine software interrupt (CLINT msip)', () => {
  it('is raised by a store of 1 to msip and cleared by a store of 0', async () => {
    const ran = await runFor(`
_start:
  la t0, handler
  csrw mtvec, t0
  li t1, ${1 << IRQ.MSI}
  csrw mie, t1
  csrsi mstatus, 8
  li t0, ${MSIP}
  li t1, 1
  sw t1, 0(t0)
next:
  j next
handler:
  lw a0, 0(t0)
  csrr a1, mip
  sw zero, 0(t0)
  lw a2, 0(t0)
  csrr a3, mip
1: j 1b
`, 200);
    const { machine, sym } = ran;
    expect(csr(machine, CSR.mcause)).toBe(interruptCause(IRQ.MSI));
    expect(csr(machine, CSR.mepc), 'taken right after the store').toBe(sym('next'));
    expect([machine.reg(0, 10), machine.reg(0, 11), machine.reg(0, 12), machine.reg(0, 13)]).toEqual([1, 1 << IRQ.MSI, 0, 0]);
  });
});

describe('interrupt priority (§3.1.9: MEI > MSI > MTI)', () => {
  it('takes the pending interrupts highest first once MIE is set', async () => {
    // The handler logs mcause and disables that interrupt in mie, then returns.
    const ran = await runFor(`
_start:
  la t0, handler
  csrw mtvec, t0
  la s10, log
${setTimer(0)}
  li t0, ${MSIP}
  li t1, 1
  sw t1, 0(t0)
  li t0, ${UART}
  sb t1, 1(t0)
  li t1, ${(1 << IRQ.MEI) | (1 << IRQ.MSI) | (1 << IRQ.MTI)}
  csrw mie, t1
  csrsi mstatus, 8
done:
  j done
handler:
  csrr t3, mcause
  sw t3, 0(s10)
  addi s10, s10, 4
  li t4, 1
  sll t4, t4, t3
  csrc mie, t4
  mret
  .data
log: .space 16
`, 300, { pushed: 'x' });
    expect(words(ran.machine, ran.sym('log'), 4)).toEqual([interruptCause(IRQ.MEI), interruptCause(IRQ.MSI), interruptCause(IRQ.MTI), 0]);
    expect(ran.machine.pc(0)).toBe(ran.sym('done'));
  });
});

describe('mtvec vectored mode (§3.1.7): interrupts go to BASE + 4·cause', () => {
  const RAISE = {
    MTI: setTimer(0),
    MSI: `  li t0, ${MSIP}\n  li t1, 1\n  sw t1, 0(t0)`,
    MEI: `  li t0, ${UART}\n  li t1, 1\n  sb t1, 1(t0)`,
  } as const;
  it.each([
    ['MTI', 1], ['MSI', 1], ['MEI', 1], ['MTI', 0], ['MEI', 0],
  ] as const)('%s with MODE = %i', async (irq, vectored) => {
    const ran = await runFor(`
_start:
  la t0, vectors
  ori t0, t0, ${vectored}
  csrw mtvec, t0
${RAISE[irq]}
  li t1, ${1 << IRQ[irq]}
  csrw mie, t1
  csrsi mstatus, 8
1: j 1b
  .align 8
vectors:
${'  j .\n'.repeat(16)}`, 300, { pushed: 'x' });
    expect(csr(ran.machine, CSR.mcause)).toBe(interruptCause(IRQ[irq]));
    expect(ran.machine.pc(0)).toBe(ran.sym('vectors') + (vectored ? 4 * IRQ[irq] : 0));
  });
});

describe('CLINT registers (word accesses)', () => {
  it('mtime reads floor(cycle / 10) and its high word; mtimecmp reads back', async () => {
    const ran = await runFor(`
_start:
  li t0, ${MTIME}
  li s1, 300
1:
  addi s1, s1, -1
  bnez s1, 1b
read:
  lw a0, 0(t0)
  lw a1, 4(t0)
  csrr a2, time
  csrr a3, timeh
  li t0, ${MTIMECMP}
  li t1, 0x12345678
  sw t1, 0(t0)
  li t1, 0x9ABC
  sw t1, 4(t0)
  lw a4, 0(t0)
  lw a5, 4(t0)
1: j 1b
`, 1000);
    const { machine, sym } = ran;
    const r = index(sym, 'read') + 2 * 300 - 2; // the loop's two instructions ran 300 times
    expect([0, 1, 2, 3, 4, 5].map((k) => machine.reg(0, 10 + k) >>> 0)).toEqual([mtimeAt(r), 0, mtimeAt(r + 2), 0, 0x1234_5678, 0x9ABC]);
  });

  it('mtime is writable: it counts on from the value written, at the same rate', async () => {
    const v = 0xFFFF_FFF0; // near the 32-bit carry
    const ran = await runFor(`
_start:
  li t0, ${MTIME}
  li t1, ${v}
write:
  sw t1, 0(t0)
  li s1, 150
1:
  addi s1, s1, -1
  bnez s1, 1b
read:
  lw a0, 0(t0)
  lw a1, 4(t0)
  csrr a2, time
  csrr a3, timeh
1: j 1b
`, 1000);
    const { machine, sym } = ran;
    const w = index(sym, 'write');
    const r = index(sym, 'read') + 2 * 150 - 2;
    const at = (n: number) => BigInt(v) + BigInt(mtimeAt(n) - mtimeAt(w));
    const expected = [at(r), at(r + 1) >> 32n, at(r + 2), at(r + 3) >> 32n].map((x) => u32(x));
    expect([0, 1, 2, 3].map((k) => machine.reg(0, 10 + k) >>> 0)).toEqual(expected);
    expect(expected[1], 'the test crosses the carry').toBe(1);
  });

  it('msip has one writable bit', async () => {
    const ran = await runFor(`
_start:
  li t0, ${MSIP}
  li t1, -2
  sw t1, 0(t0)
  lw a0, 0(t0)
  li t1, -1
  sw t1, 0(t0)
  lw a1, 0(t0)
  sw zero, 0(t0)
1: j 1b
`, 100);
    expect([ran.machine.reg(0, 10), ran.machine.reg(0, 11)]).toEqual([0, 1]);
  });
});
