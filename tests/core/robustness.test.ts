/**
 * Guest code can never trap the host (DESIGN §2): every guest error is a RISC-V exception
 * inside the guest. With no handler (mtvec = 0) the machine halts with the trap's cause, pc
 * and mtval; with a handler, seeded streams of random instruction words (wild addresses,
 * misaligned everything, divisions by zero, reserved encodings) run to the end of their
 * budget without the host ever throwing.
 */
import { describe, expect, it } from 'vitest';
import { runFor } from './guest.ts';
import { CAUSE, OPC, RAM_BASE, encB, encI, encR, encS, hex, prng, u32 } from './reference.ts';

describe('unhandled exceptions stop the machine, not the host', () => {
  type Sym = (name: string) => number;
  const CASES: Array<[string, string, number, (s: Sym) => number, (s: Sym) => number]> = [
    ['lw from a wild odd address', '  li t1, 0xDEADBEEF\nfault:\n  lw t2, 0(t1)', CAUSE.LOAD_MISALIGNED, (s) => s('fault'), () => 0xDEAD_BEEF],
    ['lw from a wild aligned address', '  li t1, 0xDEADBEEC\nfault:\n  lw t2, 0(t1)', CAUSE.LOAD_ACCESS, (s) => s('fault'), () => 0xDEAD_BEEC],
    ['sw to address 0', 'fault:\n  sw t1, 0(zero)', CAUSE.STORE_ACCESS, (s) => s('fault'), () => 0],
    ['sh across the end of RAM', `  li t1, ${RAM_BASE + 1024 * 1024 - 1}\nfault:\n  sh t1, 0(t1)`, CAUSE.STORE_ACCESS, (s) => s('fault'), () => RAM_BASE + 1024 * 1024],
    ['jump to a wild address', '  li t1, 0x12345678\njump:\n  jr t1', CAUSE.FETCH_ACCESS, () => 0x1234_5678, () => 0x1234_5678],
    ['jump to a misaligned RAM address', `  li t1, ${RAM_BASE + 0x102}\nfault:\n  jr t1`, CAUSE.FETCH_MISALIGNED, (s) => s('fault'), () => RAM_BASE + 0x102],
    ['an illegal instruction', 'fault:\n  .word 0', CAUSE.ILLEGAL, (s) => s('fault'), () => 0],
    ['ebreak', 'fault:\n  ebreak', CAUSE.BREAKPOINT, (s) => s('fault'), (s) => s('fault')],
  ];

  it.each(CASES)('%s', async (_name, code, cause, pc, tval) => {
    const ran = await runFor(`
_start:
  li t1, 5
  div t2, t1, zero
  li t3, 0x80000000
  li t4, -1
  div t2, t3, t4
  rem t2, t3, t4
  divu t2, t1, zero
  remu t2, t1, zero
${code}
`, 100);
    const { machine, sym } = ran;
    expect(machine.halt?.reason).toBe('trap');
    const trap = machine.halt!.trap!;
    const tvals = cause === CAUSE.BREAKPOINT ? [tval(sym), 0] : [tval(sym)];
    expect({ cause: trap.cause, pc: trap.pc }).toEqual({ cause, pc: u32(pc(sym)) });
    expect(tvals.map(u32)).toContain(trap.tval);
    // The halt is dated at the trapping instruction (straight-line code; the fetch after the jump).
    const at = cause === CAUSE.FETCH_ACCESS ? (sym('jump') - sym('_start')) / 4 + 1 : (sym('fault') - sym('_start')) / 4;
    expect(machine.events.find((e) => e.kind === 'halt')?.instret).toBe(at);
    // A halted machine stays halted and calm.
    expect(() => machine.run(100)).not.toThrow();
    expect(machine.run(100).stop).toBe('halted');
  });
});

describe('random instruction streams with a trap handler that skips the faulting instruction', () => {
  /** CSRs a stream may touch: everything but mtvec, which would lose the handler. */
  const CSRS = [0x300, 0x301, 0x304, 0x306, 0x340, 0x341, 0x342, 0x343, 0x344, 0xB00, 0xB02, 0xB80, 0xC00, 0xC01, 0xC81, 0xF14, 0x7B0, 0x180];

  /**
   * An instruction word for the stream: a quarter uniformly random, the rest loads, stores,
   * short forward branches (half of them to misaligned targets), OP and OP-IMM (M extension
   * included) and CSR instructions with random registers, immediates and CSRs. Jumps and
   * backward branches are left out so that the stream runs to its end; wild jumps are in
   * the table above.
   */
  function randomWord(next: () => number): number {
    const r = () => 1 + (next() % 25); // x1..x25: x26-x31 belong to the handler
    const imm = () => (next() % 4096) - 2048;
    switch (next() % 8) {
      case 0: case 1: {
        const w = next();
        return [OPC.JAL, OPC.JALR, OPC.BRANCH].includes((w & 0x7F) as 0x6F) ? u32((w & ~0x7F) | OPC.OP) : w;
      }
      case 2: return encI(OPC.LOAD, r(), [0, 1, 2, 4, 5][next() % 5], r(), imm());
      case 3: return encS(OPC.STORE, next() % 3, r(), r(), imm());
      case 4: return encB([0, 1, 4, 5, 6, 7][next() % 6], r(), r(), 2 * (1 + (next() % 32)));
      case 5: return encR(OPC.OP, r(), next() % 8, r(), r(), [0, 1, 0x20][next() % 3]);
      case 6: return encI(OPC.OP_IMM, r(), next() % 8, r(), imm());
      default: {
        const csr = next() % 4 === 0 ? next() & 0xFFF : CSRS[next() % CSRS.length];
        return encI(OPC.SYSTEM, r(), [1, 2, 3, 5, 6, 7][next() % 6], r(), csr === 0x305 ? 0x340 : csr);
      }
    }
  }

  function program(seed: number): string {
    const next = prng(seed);
    // Registers hold wild values, RAM addresses (some misaligned) and the divide corner cases.
    const values = [0, 1, u32(-1), 0x8000_0000, RAM_BASE + 0x4000, RAM_BASE + 0x4003, RAM_BASE + 0x10_0000 - 2, 0x1000_0000, 0x0200_BFF8];
    const inits = Array.from({ length: 25 }, (_, k) => `  li x${k + 1}, ${next() % 3 === 0 ? next() : values[next() % values.length]}`);
    const stream = Array.from({ length: 2000 }, () => `  .word ${hex(randomWord(next))}`);
    return `
_start:
  la t6, handler
  csrw mtvec, t6
${inits.join('\n')}
${stream.join('\n')}
  j _start
handler:
  csrr t6, mepc
  addi t6, t6, 4
  csrw mepc, t6
  mret
`;
  }

  it.each(Array.from({ length: 12 }, (_, k) => [0xF00D + k] as const))('seed %i', async (seed) => {
    for (const topology of ['simplex', 'tmr'] as const) {
      const ran = await runFor(program(seed), 20_000, { topology });
      const { machine } = ran;
      // The budget ran out, or the stream found a wfi with nothing to wake it or wrote the finisher.
      expect([undefined, 'idle', 'exit'], `${topology}: ${machine.halt?.message ?? ''}`).toContain(machine.halt?.reason);
      if (!machine.halt) expect(machine.instret).toBe(20_000);
      // x0 is still zero in the hart block itself, not just through the accessor.
      const L = machine.core.layout;
      expect(machine.core.u32(machine.core.hart(0) + L.H_X)).toBe(0);
      expect(machine.events.filter((e) => e.kind === 'diverge'), 'replicas agree').toEqual([]);
    }
  });
});
