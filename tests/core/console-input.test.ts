/**
 * When the machine asks its console for input (README "The machine"): only when the guest
 * is clearly waiting for it. The console here blocks, as the CLI's stdin does (a read may
 * wait for the user), and records every read(): a program that only prints must never
 * cause one, and a program that waits for input must get it, by polling (RBR, or LSR twice
 * in a row with no UART write between), by the Linux read call, or by the receive interrupt
 * (spinning, or in wfi with a timer armed). At end of input the waiting ends.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/machine.ts';
import { assembleOrThrow, runScripted, scriptedConsole } from '../helpers/machine.ts';
import { CLINT, IRQ, UART } from './reference.ts';

const LSR_DR = 0x01;
const LSR_THRE = 0x20;
const MTIMECMP = CLINT + 0x4000;

/** Number of the instruction at `label` in straight-line code from `_start`. */
const at = (program: { symbols: Map<string, number> }, label: string) =>
  (program.symbols.get(label)! - program.symbols.get('_start')!) / 4;

/** Prints "hi there\n" the standard 16550 way: wait for LSR.THRE, store to THR; exit 0. */
const TRANSMIT_POLL = `
_start:
  li t0, ${UART}
  la t1, msg
1:
  lbu t2, 0(t1)
  beqz t2, 3f
2:
  lbu t3, 5(t0)
  andi t3, t3, ${LSR_THRE}
  beqz t3, 2b
  sb t2, 0(t0)
  addi t1, t1, 1
  j 1b
3:
  li a0, 0
  li a7, 93
  ecall
  .data
msg: .asciz "hi there\\n"
`;

/** Echoes what it receives, polling LSR.DR, up to a newline; exits with the number of bytes. */
const RECEIVE_POLL = `
_start:
  li t0, ${UART}
  li s1, 0
  li t3, 10
1:
  lbu t1, 5(t0)
  andi t1, t1, ${LSR_DR}
  beqz t1, 1b
  lbu t2, 0(t0)
  sb t2, 0(t0)
  addi s1, s1, 1
  bne t2, t3, 1b
  mv a0, s1
  li a7, 93
  ecall
`;

/** Reads LSR once (waiting for THRE), prints '?', then read(0, buf, 64) and writes back what it got. */
const STATUS_THEN_READ = `
_start:
  li t0, ${UART}
1:
  lbu t3, 5(t0)
  andi t3, t3, ${LSR_THRE}
  beqz t3, 1b
  li t2, '?'
  sb t2, 0(t0)
  li a0, 0
  la a1, buf
  li a2, 64
  li a7, 63
  ecall
  mv a2, a0
  li a0, 1
  la a1, buf
  li a7, 64
  ecall
  li a0, 0
  li a7, 93
  ecall
  .data
buf: .space 64
`;

/**
 * Polls LSR until data is ready, takes one byte from RBR and echoes it, then
 * read(0, buf, 64) and writes back what that returned; exits with the read's result.
 */
const POLL_THEN_READ = `
_start:
  li t0, ${UART}
1:
  lbu t1, 5(t0)
  andi t1, t1, ${LSR_DR}
  beqz t1, 1b
  lbu t2, 0(t0)
  sb t2, 0(t0)
  li a0, 0
  la a1, buf
  li a2, 64
  li a7, 63
  ecall
  mv s1, a0
  mv a2, a0
  li a0, 1
  la a1, buf
  li a7, 64
  ecall
  mv a0, s1
  li a7, 93
  ecall
  .data
buf: .space 64
`;

/**
 * Interrupt-driven receive: IER bit 0, mie.MEIE, mstatus.MIE, then `idle` (a spin loop, or
 * wfi); the handler echoes each byte and exits with code 5 at 'q'.
 */
const receiveInterrupt = (idle: string) => `
_start:
  la t0, handler
  csrw mtvec, t0
  li t0, ${UART}
  li t1, 1
  sb t1, 1(t0)
  li t0, ${1 << IRQ.MEI}
  csrs mie, t0
  csrsi mstatus, 8
idle:
  ${idle}
  j idle
handler:
  li t0, ${UART}
  lbu t1, 0(t0)
  sb t1, 0(t0)
  li t2, 'q'
  bne t1, t2, 1f
  csrw mtvec, zero
  li a0, 5
  li a7, 93
  ecall
1:
  mret
`;
const RECEIVE_INTERRUPT_SPIN = receiveInterrupt('nop');
const RECEIVE_INTERRUPT_WFI = receiveInterrupt('wfi');

/**
 * A timer interrupt every 1000 ticks (10,000 instructions) and the receive interrupt, the
 * hart in wfi between them. At 'q' it exits with the number of timer interrupts so far; after
 * 200 of them, with 99.
 */
const TIMER_AND_RECEIVE = `
_start:
  la t0, handler
  csrw mtvec, t0
  li t0, ${UART}
  li t1, 1
  sb t1, 1(t0)
  li t0, ${MTIMECMP}
  li t1, 1000
  sw zero, 4(t0)
  sw t1, 0(t0)
  li t0, ${(1 << IRQ.MTI) | (1 << IRQ.MEI)}
  csrs mie, t0
  csrsi mstatus, 8
  li s1, 0
idle:
  wfi
  j idle
handler:
  csrr t0, mcause
  andi t0, t0, 0xff
  li t1, ${IRQ.MTI}
  beq t0, t1, timer
  li t0, ${UART}
  lbu t1, 0(t0)
  sb t1, 0(t0)
  li t2, 'q'
  bne t1, t2, 1f
  mv a0, s1
  j exit
1:
  mret
timer:
  addi s1, s1, 1
  li t0, ${MTIMECMP}
  lw t1, 0(t0)
  addi t1, t1, 1000
  sw t1, 0(t0)
  li t2, 200
  bne s1, t2, 1b
  li a0, 99
exit:
  csrw mtvec, zero
  li a7, 93
  ecall
`;

describe.each(['simplex', 'tmr'] as const)('console input on %s', (topology) => {
  it('a program that only prints, polling LSR for THRE, never reads the console', async () => {
    const ran = await runScripted(TRANSMIT_POLL, ['never read'], { topology });
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(ran.text()).toBe('hi there\n');
    expect(ran.reads).toEqual([]);
  });

  it('a program polling LSR for data gets its input, chunk by chunk, then end of input ends it', async () => {
    const ran = await runScripted(RECEIVE_POLL, ['hel', 'lo\n'], { topology });
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 6 });
    expect(ran.text()).toBe('hello\n');
    expect(ran.reads.map((r) => r.answer)).toEqual(['hel', 'lo\n']);
  });

  it('one LSR read with nothing received is a status read: the read call then gets all of stdin', async () => {
    const ran = await runScripted(STATUS_THEN_READ, ['hello\n'], { topology });
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(ran.text()).toBe('?hello\n');
    // The only read is the call's (64 bytes), not the UART's (its ring holds 4 KiB).
    expect(ran.reads).toEqual([expect.objectContaining({ max: 64, answer: 'hello\n' })]);
  });

  it('the read call first gets what the UART receive ring already took from the console', async () => {
    // The poll fills the ring with all the console has ("hello\n"); RBR takes the 'h';
    // read(0, buf, 64) must return the other five bytes, in order, not ask past them.
    const ran = await runScripted(POLL_THEN_READ, ['hello\n'], { topology });
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 5 });
    expect(ran.text()).toBe('hello\n');
    expect(ran.reads.map((r) => r.answer)).toEqual(['hello\n']);
  });

  it('interrupt-driven receive with a spin loop: input arrives right after the guest enables the interrupt', async () => {
    const ran = await runScripted(RECEIVE_INTERRUPT_SPIN, ['ab', 'q'], { topology });
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 5 });
    expect(ran.text()).toBe('abq');
    expect(ran.reads.map((r) => r.answer)).toEqual(['ab', 'q']);
    // Asked before the instruction after `csrsi mstatus` (from then on the guest would take
    // the interrupt): time is counted in instructions, so however long the host waited,
    // the input arrives at this instruction. Not asked again in the handler, after 'q'.
    expect(ran.reads[0].instret).toBe(at(ran.program, 'idle'));
  });

  it('timer and receive interrupts with wfi: input arrives before the clock skips to the timer', async () => {
    const ran = await runScripted(TIMER_AND_RECEIVE, ['abq'], { topology });
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 }); // no timer interrupt before 'q'
    expect(ran.text()).toBe('abq');
    expect(ran.reads.map((r) => r.answer)).toEqual(['abq']);
  });
});

describe('end of input ends the waiting', () => {
  it('interrupt-driven receive with a spin loop: asked once, then the guest runs on', async () => {
    const ran = await runScripted(RECEIVE_INTERRUPT_SPIN, [], { limit: 100_000 });
    expect(ran.machine.halt).toBeUndefined();
    expect(ran.machine.instret).toBe(100_000);
    expect(ran.reads.map((r) => r.answer)).toEqual([null]);
  });

  it('timer and receive interrupts with wfi: the timer goes on to its 200th interrupt', async () => {
    const ran = await runScripted(TIMER_AND_RECEIVE, [], { limit: 10_000_000 });
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 99 });
    expect(ran.reads.map((r) => r.answer)).toEqual([null]);
  });

  it('wfi with only the receive interrupt enabled: nothing can wake the hart any more', async () => {
    const ran = await runScripted(RECEIVE_INTERRUPT_WFI, ['a'], { limit: 100_000 });
    expect(ran.machine.halt?.reason).toBe('idle');
    expect(ran.text()).toBe('a');
    expect(ran.reads.map((r) => r.answer)).toEqual(['a', null]);
  });

  it('a receive poll after end of input spins without asking again', async () => {
    const ran = await runScripted(RECEIVE_POLL, ['ab'], { limit: 50_000 });
    expect(ran.machine.halt).toBeUndefined();
    expect(ran.text()).toBe('ab');
    expect(ran.reads.map((r) => r.answer)).toEqual(['ab', null]);
  });
});

describe('asking for input cannot loop', () => {
  it('the receive interrupt asks once; a console with nothing yet does not stop the machine again until the guest takes a byte', async () => {
    const ran = await runScripted(RECEIVE_INTERRUPT_SPIN, [''], { limit: 100_000 });
    expect(ran.inputStops).toBe(1);
    expect(ran.machine.instret).toBe(100_000);
    expect(ran.reads.map((r) => r.answer)).toEqual(['']);
  });

  it('a wfi that only the receive interrupt can end waits for input, however many times the console has nothing yet', async () => {
    const ran = await runScripted(RECEIVE_INTERRUPT_WFI, ['', '', 'q'], { limit: 100_000 });
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 5 });
    expect(ran.text()).toBe('q');
    expect(ran.inputStops).toBe(2);
  });
});

describe('the receive poll count (M_RX_POLLS)', () => {
  const twoReads = (between: string) => `
_start:
  li t0, ${UART}
  lbu t1, 5(t0)
  ${between}
  lbu t1, 5(t0)
1: j 1b
`;

  it.each([
    ['nothing', 'nop', 1],
    ['a byte to THR', 'sb zero, 0(t0)', 0],
    ['a write to SCR', 'sb zero, 7(t0)', 0],
  ])('two LSR reads with %s between ask for input %i time(s)', async (_what, between, asks) => {
    const ran = await runScripted(twoReads(between), [], { limit: 100 });
    expect(ran.reads).toHaveLength(asks);
  });

  it('travels in snapshots: a restored machine takes its next empty LSR read as the second of a poll', async () => {
    const program = assembleOrThrow(twoReads(''));
    const first = scriptedConsole([]);
    const machine = await Machine.create({ console: first.io, blockingInput: true });
    machine.load(program);
    machine.run(2); // li, and the first LSR read
    expect(first.reads).toEqual([]);
    const second = scriptedConsole(['x']);
    const restored = await Machine.fromSnapshot(machine.snapshot(), second.io);
    restored.run(1);
    expect(second.reads.map((r) => r.answer)).toEqual(['x']);
  });
});
