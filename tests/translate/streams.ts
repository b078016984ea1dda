/**
 * Seeded random guest programs for the translator's differential tests: an outer loop run
 * many times (so that its pages get hot and translated) over a random body of segments —
 * RV32IM arithmetic on random registers, forward branches, inner loops, loads and stores
 * into a buffer that straddles a page boundary, calls into functions on other code pages,
 * misaligned loads, device reads, loads and stores that fault, CSR reads (whose values
 * depend on the exact instruction count), ecalls into the trap handler, and code that rewrites one of its own instructions
 * before running it — with, optionally, a timer interrupt every few hundred instructions.
 * Every program ends by writing the test finisher.
 */
import { Random } from '../../src/fault/random.ts';

/** Registers the random body computes with (s10, s11, t4..t6 and the handler's t0, t1 are reserved). */
const POOL = ['s0', 's1', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 't3'];
const OPS = ['add', 'sub', 'sll', 'slt', 'sltu', 'xor', 'srl', 'sra', 'or', 'and', 'mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'];
const IMM_OPS = ['addi', 'slti', 'sltiu', 'xori', 'ori', 'andi'];
const SHIFT_OPS = ['slli', 'srli', 'srai'];
const BRANCHES = ['beq', 'bne', 'blt', 'bge', 'bltu', 'bgeu'];
const LOADS: [string, number][] = [['lw', 4], ['lh', 2], ['lhu', 2], ['lb', 1], ['lbu', 1]];
const STORES: [string, number][] = [['sw', 4], ['sh', 2], ['sb', 1]];
/** The buffer's size, bytes: it starts 64 bytes before a page boundary. */
const BUFFER = 256;

export interface StreamOptions {
  /** A timer interrupt every `timer` mtime ticks (10 instructions each), re-armed by the handler. */
  timer?: number;
  /** Outer iterations (default 150). */
  iterations?: number;
}

export function randomProgram(seed: number, options: StreamOptions = {}): string {
  const rng = new Random(seed);
  const below = (n: number) => rng.nextU32() % n;
  const pick = <T>(list: readonly T[]) => list[below(list.length)];
  const reg = () => pick(POOL);
  let label = 0;
  const body: string[] = [];
  const far: string[] = [];

  const arithmetic = () => {
    const kind = below(4);
    if (kind === 0) return `  ${pick(OPS)} ${reg()}, ${reg()}, ${reg()}`;
    if (kind === 1) return `  ${pick(IMM_OPS)} ${reg()}, ${reg()}, ${below(4096) - 2048}`;
    if (kind === 2) return `  ${pick(SHIFT_OPS)} ${reg()}, ${reg()}, ${below(32)}`;
    return below(2) ? `  lui ${reg()}, ${below(1 << 20)}` : `  auipc ${reg()}, ${below(1 << 20)}`;
  };
  const segments: (() => string[])[] = [
    () => Array.from({ length: 1 + below(6) }, arithmetic),
    () => { // forward branch over a few instructions
      const l = `f${label++}`;
      return [`  ${pick(BRANCHES)} ${reg()}, ${reg()}, ${l}`, ...Array.from({ length: 1 + below(3) }, arithmetic), `${l}:`];
    },
    () => { // inner loop
      const l = `i${label++}`;
      return [`  li t4, ${1 + below(40)}`, `${l}:`, ...Array.from({ length: 1 + below(4) }, arithmetic), '  addi t4, t4, -1', `  bnez t4, ${l}`];
    },
    () => { // a load or store in the buffer, aligned, on either side of the page boundary
      const [op, width] = below(2) ? pick(LOADS) : pick(STORES);
      const offset = below(BUFFER / width) * width;
      return [`  ${op} ${reg()}, ${offset}(s11)`];
    },
    () => { // a call to a function on another code page
      const l = `far${label++}`;
      far.push(`${l}:`, ...Array.from({ length: 1 + below(4) }, arithmetic), '  ret');
      return [`  call ${l}`];
    },
    () => [`  ${pick(['lw', 'lh', 'lhu'])} ${reg()}, ${1 + 2 * below(BUFFER / 2 - 2)}(s11)`], // misaligned (the interpreter performs it)
    () => ['  li t5, 0x10000000', `  lbu ${reg()}, 5(t5)`], // the UART's line status: a device load
    () => [below(2) ? `  lw ${reg()}, ${4 * below(512)}(zero)` : `  sw ${reg()}, ${4 * below(512)}(zero)`], // nothing there: an access fault
    () => [`  csrr ${reg()}, ${pick(['mcycle', 'minstret', 'time', 'mscratch'])}`],
    () => ['  ecall'], // the handler returns to the next instruction
    () => { // rewrite the next instruction's immediate (bit 1 of it), then run it
      const l = `smc${label++}`;
      const r = reg();
      return [`  la t5, ${l}`, '  lw t6, 0(t5)', '  li t4, 0x00200000', '  xor t6, t6, t4', '  sw t6, 0(t5)', `${l}:`, `  addi ${r}, ${r}, 1`];
    },
  ];
  const count = 8 + below(24);
  for (let k = 0; k < count; k++) body.push(...pick(segments)());

  const timer = options.timer;
  return [
    '  .text',
    '  .globl _start',
    '_start:',
    '  la t0, handler',
    '  csrw mtvec, t0',
    ...POOL.map((r) => `  li ${r}, ${rng.nextU32() | 0}`),
    '  la s11, buffer',
    `  li s10, ${options.iterations ?? 150}`,
    ...(timer === undefined ? [] : [
      '  li t0, 0x2004000', // the CLINT's mtimecmp
      `  li t1, ${timer}`,
      '  sw t1, 0(t0)', // low, then high = 0
      '  sw zero, 4(t0)',
      '  li t1, 0x80', // mie.MTIE
      '  csrw mie, t1',
      '  csrsi mstatus, 8', // mstatus.MIE
    ]),
    'outer:',
    ...body,
    '  addi s10, s10, -1',
    '  bnez s10, outer',
    '  li t0, 0x100000', // the test finisher: pass
    '  li t1, 0x5555',
    '  sw t1, 0(t0)',
    'spin: j spin',
    // The trap handler: an interrupt re-arms the timer; an exception skips its instruction.
    'handler:',
    '  csrr t0, mcause',
    '  bltz t0, tick',
    '  csrr t0, mepc',
    '  addi t0, t0, 4',
    '  csrw mepc, t0',
    '  mret',
    'tick:',
    '  li t0, 0x200BFF8', // mtime
    '  lw t1, 0(t0)',
    `  addi t1, t1, ${timer ?? 0}`,
    '  li t0, 0x2004000',
    '  sw t1, 0(t0)',
    '  mret',
    '  .align 12', // the functions start on a page of their own
    ...far,
    '  .data',
    '  .zero 4032',
    'buffer:',
    `  .zero ${BUFFER}`,
  ].join('\n') + '\n';
}
