/**
 * The machine's devices and exits (DESIGN §3): the console UART (16550 register subset:
 * THR/RBR, IER, IIR, LCR with DLAB, SCR, LSR bit 0 = data ready, bits 5-6 = transmitter
 * empty), its receive interrupt as MEIP (privileged spec §3.1.9), the SiFive test finisher,
 * riscv-tests `tohost`, and the host-served ecalls made while mtvec = 0 (Linux RISC-V
 * syscall numbers and the RARS console calls).
 */
import { describe, expect, it } from 'vitest';
import { assembleOrThrow, machineFor, runScripted } from '../helpers/machine.ts';
import { csr, CSR, enterUser, runFor, words } from './guest.ts';
import { FINISHER, IRQ, RAM_BASE, UART, interruptCause, u32 } from './reference.ts';

type Sym = (name: string) => number;
const index = (s: Sym, label: string) => (s(label) - s('_start')) / 4;
const bytes = (text: string) => Array.from(new TextEncoder().encode(text));

const LSR_DR = 0x01;
const LSR_THRE = 0x20;
const LSR_TEMT = 0x40;

describe('UART transmitter', () => {
  it('sends every byte stored to THR to stdout, in order, whatever the store width', async () => {
    const payload = [...bytes('Hello, UART!\n'), 0x00, 0x80, 0xFF, 0x0A];
    const ran = await runFor(`
_start:
  la s1, msg
  li s2, ${payload.length}
  li t0, ${UART}
1:
  lbu t1, 0(s1)
  sb t1, 0(t0)
  addi s1, s1, 1
  addi s2, s2, -1
  bnez s2, 1b
  li t1, 0x12345621
  sw t1, 0(t0)
  sh t1, 0(t0)
  li a7, 93
  li a0, 0
  ecall
  .data
msg: .byte ${payload.join(', ')}
`);
    expect(ran.machine.halt?.reason).toBe('exit');
    expect(Array.from(ran.output())).toEqual([...payload, 0x21, 0x21]);
  });
});

describe('UART receiver and line status', () => {
  it('LSR reads transmitter-empty and no data while nothing is waiting', async () => {
    const ran = await runFor(`
  li t0, ${UART}
  lbu a0, 5(t0)
1: j 1b
`, 50);
    expect(ran.machine.reg(0, 10)).toBe(LSR_THRE | LSR_TEMT);
  });

  it('RBR hands out waiting bytes in order while LSR.DR says data is ready', async () => {
    const ran = await runFor(`
_start:
  li t0, ${UART}
  la s1, got
  li s2, 6
1:
  lbu t1, 5(t0)
  sb t1, 0(s1)
  lbu t1, 0(t0)
  sb t1, 1(s1)
  addi s1, s1, 2
  addi s2, s2, -1
  bnez s2, 1b
2: j 2b
  .data
got: .space 12
`, 500, { pushed: 'abcd' });
    const got = Array.from(ran.machine.readMemory(0, ran.sym('got'), 12)!);
    const ready = LSR_THRE | LSR_TEMT | LSR_DR;
    const idle = LSR_THRE | LSR_TEMT;
    expect(got.filter((_, k) => k % 2 === 0)).toEqual([ready, ready, ready, ready, idle, idle]);
    expect(got.filter((_, k) => k % 2 === 1).slice(0, 4)).toEqual(bytes('abcd'));
  });

  it('a load into x0 still consumes the byte (unprivileged §2.6: side effects of discarded loads)', async () => {
    const ran = await runFor(`
  li t0, ${UART}
  lbu zero, 0(t0)
  lbu a0, 0(t0)
1: j 1b
`, 50, { pushed: 'ab' });
    expect(ran.machine.reg(0, 10)).toBe('b'.charCodeAt(0));
  });

  it('with a blocking console, a program polling LSR receives the console input', async () => {
    // Echo three bytes, upper-cased.
    const ran = await runFor(`
_start:
  li t0, ${UART}
  li s2, 3
1:
  lbu t1, 5(t0)
  andi t1, t1, ${LSR_DR}
  beqz t1, 1b
  lbu t1, 0(t0)
  addi t1, t1, -32
  sb t1, 0(t0)
  addi s2, s2, -1
  bnez s2, 1b
  li a7, 93
  li a0, 0
  ecall
`, 10_000, { input: 'xyz', blockingInput: true });
    expect(ran.machine.halt?.reason).toBe('exit');
    expect(ran.text()).toBe('XYZ');
  });

  it('IER, LCR, MCR and SCR read back; DLAB switches +0/+1 to the divisor latch', async () => {
    const ran = await runFor(`
_start:
  li t0, ${UART}
  li t1, 0x05
  sb t1, 1(t0)
  li t1, 0xA5
  sb t1, 7(t0)
  li t1, 0x83
  sb t1, 3(t0)
  li t1, 0x12
  sb t1, 0(t0)
  li t1, 0x34
  sb t1, 1(t0)
  lbu a0, 0(t0)
  lbu a1, 1(t0)
  lbu a2, 3(t0)
  li t1, 0x03
  sb t1, 3(t0)
  lbu a3, 1(t0)
  lbu a4, 7(t0)
  li t1, 0x0B
  sb t1, 4(t0)
  lbu a5, 4(t0)
1: j 1b
`, 100);
    const r = (n: number) => ran.machine.reg(0, n);
    expect([r(10), r(11), r(12), r(13), r(14), r(15)]).toEqual([0x12, 0x34, 0x83, 0x05, 0xA5, 0x0B]);
    expect(ran.output().length, 'the divisor write did not transmit').toBe(0);
  });

  it('IIR names the pending UART interrupt: none (bit 0), received data (0x4); no transmitter-empty interrupt exists', async () => {
    const ran = await runFor(`
_start:
  li t0, ${UART}
  lbu a0, 2(t0)
  li t1, 1
  sb t1, 1(t0)
  lbu a1, 2(t0)
  li t1, 2
  sb t1, 1(t0)
  lbu a2, 2(t0)
1: j 1b
`, 100, { pushed: 'q' });
    const r = (n: number) => ran.machine.reg(0, n) & 0x0F;
    // With only IER bit 1 (transmitter empty) enabled nothing is pending: the machine has no
    // such interrupt (MEIP follows the receiver alone), so IIR must not announce one.
    expect([r(10), r(11), r(12)]).toEqual([0x1, 0x4, 0x1]);
  });
});

describe('UART receive interrupt (MEIP, §3.1.9)', () => {
  it('mip.MEIP is set exactly while IER bit 0 is set and a byte waits', async () => {
    const ran = await runFor(`
_start:
  li t0, ${UART}
  csrr a0, mip
  li t1, 1
  sb t1, 1(t0)
  csrr a1, mip
  lbu a2, 0(t0)
  csrr a3, mip
1: j 1b
`, 100, { pushed: 'q' });
    const r = (n: number) => ran.machine.reg(0, n);
    expect([r(10), r(11), r(12), r(13)]).toEqual([0, 1 << IRQ.MEI, 'q'.charCodeAt(0), 0]);
  });

  it('wakes a wfi and is taken when console input arrives', async () => {
    // The console has nothing when the guest enables the interrupt (the machine asks then,
    // and once only), so the hart sleeps in wfi until the next answer brings 'k'.
    const ran = await runScripted(`
_start:
  la t0, handler
  csrw mtvec, t0
  li t0, ${UART}
  li t1, 1
  sb t1, 1(t0)
  li t1, ${1 << IRQ.MEI}
  csrw mie, t1
  csrsi mstatus, 8
  wfi
woke:
  j woke
handler:
  lbu a0, 0(t0)
  csrr a1, mip
1: j 1b
`, ['', 'k'], { limit: 200 });
    expect(ran.reads.map((r) => r.answer)).toEqual(['', 'k']);
    expect(csr(ran.machine, CSR.mcause)).toBe(interruptCause(IRQ.MEI));
    expect(csr(ran.machine, CSR.mepc)).toBe(ran.program.symbols.get('woke'));
    expect([ran.machine.reg(0, 10), ran.machine.reg(0, 11)]).toEqual(['k'.charCodeAt(0), 0]);
  });
});

describe('test finisher (SiFive test device at 0x0010_0000)', () => {
  it.each([
    [0x5555, 0], [(1 << 16) | 0x3333, 1], [(42 << 16) | 0x3333, 42], [(255 << 16) | 0x3333, 255],
  ])('a store of %#x exits with code %i, at the storing instruction', async (value, code) => {
    const ran = await runFor(`
_start:
  li t0, ${FINISHER}
  li t1, 0x1234
  sw t1, 0(t0)
  li t1, ${value}
store:
  sw t1, 0(t0)
1: j 1b
`, 100);
    expect(ran.machine.halt?.reason).toBe('exit');
    expect(ran.machine.halt?.exitCode).toBe(code);
    expect(ran.machine.events.find((e) => e.kind === 'halt')?.instret).toBe(index(ran.sym, 'store'));
  });
});

describe('tohost (riscv-tests)', () => {
  it.each([
    [[1], 0], [[(1 << 1) | 1], 1], [[(5 << 1) | 1], 5], [[2, 0, 1], 0], [[4, (127 << 1) | 1], 127],
  ])('stores %j to tohost exit with code %i at the first odd value', async (values, code) => {
    const ran = await runFor(`
_start:
  la t0, tohost
${values.map((v, k) => `  li t1, ${v}\nstore${k}:\n  sw t1, 0(t0)`).join('\n')}
1: j 1b
  .data
  .align 3
tohost: .dword 0
`, 100);
    expect(ran.machine.halt?.reason).toBe('exit');
    expect(ran.machine.halt?.exitCode).toBe(code);
    expect(ran.machine.events.find((e) => e.kind === 'halt')?.instret).toBe(index(ran.sym, `store${values.length - 1}`));
  });
});

describe('host-served ecalls (mtvec = 0)', () => {
  const ENOSYS = 38;
  const EBADF = 9;
  const EFAULT = 14;
  const RAM_END = RAM_BASE + 1024 * 1024;

  /** Each call: a7, a0..a2 (a label name loads its address), what a0 must be afterwards. */
  type Arg = number | string;
  interface Call { what: string; a7: number; args: Arg[]; a0?: (s: Sym, brk: number) => number }

  async function serve(calls: Call[], input: string) {
    const load = (reg: string, arg: Arg) => (typeof arg === 'string' ? `  la ${reg}, ${arg}` : `  li ${reg}, ${arg}`);
    const source = `
_start:
  la s0, results
  li s2, 0x600D
${calls.map((c, k) => `${c.args.map((a, j) => load(`a${j}`, a)).join('\n')}\n  li a7, ${c.a7}\n  ecall\n  sw a0, ${8 * k}(s0)\n  sw a7, ${8 * k + 4}(s0)`).join('\n')}
  li a0, 7
  li a7, 93
  ecall
  .data
out: .ascii "out\\n"
err: .ascii "err"
str: .asciz "str\\n"
buf: .space 32
results: .space ${8 * calls.length}
`;
    const program = assembleOrThrow(source);
    const { machine } = await machineFor(program, { input });
    const streams: Record<1 | 2, number[]> = { 1: [], 2: [] };
    let pending = new TextEncoder().encode(input);
    machine.console = {
      write: (fd, data) => streams[fd].push(...data),
      read: (max) => {
        if (pending.length === 0) return null;
        const taken = pending.subarray(0, max);
        pending = pending.subarray(taken.length);
        return taken;
      },
    };
    machine.run(10_000);
    const sym: Sym = (name) => program.symbols.get(name)!;
    const highest = Math.max(...program.segments.map((s) => s.address + s.memSize));
    return { machine, sym, streams, brk: Math.ceil(highest / 4096) * 4096 };
  }

  it('serve write, read, close, brk and the RARS console calls, and return to the next instruction', async () => {
    const calls: Call[] = [
      { what: 'RARS read int', a7: 5, args: [], a0: () => 123 },
      { what: 'RARS read int, negative', a7: 5, args: [], a0: () => u32(-7) },
      { what: 'write(1, out, 4)', a7: 64, args: [1, 'out', 4], a0: () => 4 },
      { what: 'write(2, err, 3)', a7: 64, args: [2, 'err', 3], a0: () => 3 },
      { what: 'write(3, ...): bad fd', a7: 64, args: [3, 'out', 4], a0: () => u32(-EBADF) },
      { what: 'write(1, 0x10, 4): outside RAM', a7: 64, args: [1, 0x10, 4], a0: () => u32(-EFAULT) },
      { what: 'write(1, ...) past the end of RAM', a7: 64, args: [1, RAM_END - 2, 4], a0: () => u32(-EFAULT) },
      { what: 'read(0, buf, 32)', a7: 63, args: [0, 'buf', 32], a0: () => 5 },
      { what: 'read(0, buf, 32) at end of input', a7: 63, args: [0, 'buf', 32], a0: () => 0 },
      { what: 'read(1, ...): bad fd', a7: 63, args: [1, 'buf', 4], a0: () => u32(-EBADF) },
      { what: 'close(3)', a7: 57, args: [3], a0: () => 0 },
      { what: 'brk(0): the initial break', a7: 214, args: [0], a0: (_s, brk) => brk },
      { what: 'brk(grow)', a7: 214, args: [0x8008_0000], a0: () => 0x8008_0000 },
      { what: 'brk(beyond RAM): unchanged', a7: 214, args: [0x9000_0000], a0: () => 0x8008_0000 },
      { what: 'brk(shrink)', a7: 214, args: [0x8007_0000], a0: () => 0x8007_0000 },
      { what: 'brk(below the initial break): unchanged', a7: 214, args: [RAM_BASE], a0: () => 0x8007_0000 },
      { what: 'RARS print int', a7: 1, args: [u32(-42)] },
      { what: 'RARS print int INT_MIN', a7: 1, args: [0x8000_0000] },
      { what: 'RARS print string', a7: 4, args: ['str'] },
      { what: 'RARS print char', a7: 11, args: ['Z'.charCodeAt(0)] },
      { what: 'RARS print hex', a7: 34, args: [0xBEEF] },
      { what: 'RARS print hex -1', a7: 34, args: [0xFFFF_FFFF] },
      { what: 'an unknown call', a7: 999, args: [1, 2, 3], a0: () => u32(-ENOSYS) },
    ];
    const { machine, sym, streams, brk } = await serve(calls, '123\n-7\nhello');
    expect(machine.halt?.reason).toBe('exit');
    expect(machine.halt?.exitCode).toBe(7);
    const results = words(machine, sym('results'), 2 * calls.length);
    const got = calls.flatMap((c, k) => (c.a0 ? [[c.what, results[2 * k]]] : []));
    expect(got).toEqual(calls.flatMap((c) => (c.a0 ? [[c.what, c.a0(sym, brk)]] : [])));
    expect(results.filter((_, k) => k % 2 === 1), 'a7 preserved').toEqual(calls.map((c) => c.a7));
    expect(machine.reg(0, 18), 'other registers preserved').toBe(0x600D);
    expect(new TextDecoder().decode(Uint8Array.from(streams[1]))).toBe('out\n-42-2147483648str\nZ0x0000beef0xffffffff');
    expect(new TextDecoder().decode(Uint8Array.from(streams[2]))).toBe('err');
    expect(Array.from(machine.readMemory(0, sym('buf'), 5)!)).toEqual(bytes('hello'));
  });

  it('read and RARS read int first take the bytes waiting in the UART receive ring (pushed in, as the browser does)', async () => {
    const ran = await runFor(`
_start:
  li a7, 5
  ecall
  mv s1, a0
  li a0, 0
  la a1, buf
  li a2, 16
  li a7, 63
  ecall
  mv s2, a0
1: j 1b
  .data
buf: .space 16
`, 200, { pushed: '42\nxy' });
    const { machine, sym } = ran;
    expect(machine.halt, machine.halt?.message).toBeUndefined();
    expect([machine.reg(0, 9), machine.reg(0, 18)], 'read int, then read(0, buf, 16)').toEqual([42, 2]);
    expect(Array.from(machine.readMemory(0, sym('buf'), 2)!)).toEqual(bytes('xy'));
  });

  it.each([
    [93, 3, 3], [94, 4, 4], [93, 300, 300 & 0xFF], [10, 9, 0], [17, 5, 5],
  ])('call %i with a0 = %i exits with code %i', async (a7, a0, code) => {
    const ran = await runFor(`
_start:
  li a0, ${a0}
  li a7, ${a7}
call:
  ecall
  li a0, 99
  li a7, 93
  ecall
`, 100);
    expect(ran.machine.halt?.reason).toBe('exit');
    expect(ran.machine.halt?.exitCode).toBe(code);
    expect(ran.machine.events.find((e) => e.kind === 'halt')?.instret).toBe(index(ran.sym, 'call'));
  });

  it('are served from U-mode too while mtvec = 0', async () => {
    const ran = await runFor(`
_start:
${enterUser('user')}
user:
  li a0, 'U'
  li a7, 11
  ecall
  li a0, 0
  li a7, 93
  ecall
`, 100);
    expect(ran.machine.halt?.reason).toBe('exit');
    expect(ran.text()).toBe('U');
  });
});
