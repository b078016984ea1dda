/**
 * The Linux `read` call (63) served by the host: read(fd, buf, count) fills buf with at
 * most count bytes of input and returns how many; a buffer not wholly in guest RAM is
 * -EFAULT (14, Linux asm-generic/errno-base.h), and no input is consumed (read(2)).
 * RAM is 0x80000000..0x800FFFFF on a 1 MiB machine.
 */
import { describe, expect, it } from 'vitest';
import { serveCall, type ConsoleIO, type HostCallState } from '../../src/machine/hostcalls.ts';
import { runProgram } from '../helpers/machine.ts';

const RAM_END = 0x8010_0000;
const EFAULT = (-14 >>> 0);

function readCall(buf: number, count: number) {
  const asked: number[] = [];
  const io: ConsoleIO = {
    write() { throw new Error('read must not write'); },
    read(max) { asked.push(max); return new TextEncoder().encode('abcd').subarray(0, max); },
  };
  const state: HostCallState = { brk: 0, start: 0, pendingLine: [] };
  const outcome = serveCall({ number: 63, args: [0, buf, count] }, io, state, RAM_END);
  return { outcome, asked };
}

describe('read(0, buf, count)', () => {
  it.each([
    ['in a device (the UART)', 0x1000_0000, 4],
    ['starting below RAM', 0x7FFF_FFFE, 4],
    ['crossing the end of RAM', RAM_END - 2, 4],
    ['starting at the end of RAM', RAM_END, 1],
    ['wrapping past 2^32', 0xFFFF_FFFF, 2],
  ])('with buf %s is -EFAULT and takes no input', (_what, buf, count) => {
    const { outcome, asked } = readCall(buf, count);
    expect(outcome).toEqual({ kind: 'return', a0: EFAULT });
    expect(asked).toEqual([]);
  });

  it.each([
    ['the last word of RAM', RAM_END - 4, 4, 'abcd'],
    ['the first bytes of RAM', 0x8000_0000, 3, 'abc'],
  ])('with buf in %s reads into it', (_what, buf, count, text) => {
    const { outcome, asked } = readCall(buf, count);
    expect(outcome).toEqual({ kind: 'return', a0: count, memory: { addr: buf, bytes: new TextEncoder().encode(text) } });
    expect(asked).toEqual([count]);
  });

  // read(0, BAD, 4) → s0; read(0, buf, 4) → n; write(1, buf, n); exit(s0): -EFAULT & 0xff = 242.
  it.each(['simplex', 'tmr'] as const)('on %s: a bad buffer leaves the input for the next read', async (topology) => {
    const source = `
  .globl _start
_start:
  li a0, 0
  li a1, 0x800ffffe
  li a2, 4
  li a7, 63
  ecall
  mv s0, a0
  li a0, 0
  la a1, buf
  li a2, 4
  li a7, 63
  ecall
  mv a2, a0
  li a0, 1
  la a1, buf
  li a7, 64
  ecall
  mv a0, s0
  li a7, 93
  ecall
  .data
buf: .space 4
`;
    const ran = await runProgram(source, { topology, input: 'abcd' });
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 242 });
    expect(ran.text).toBe('abcd');
  });
});
