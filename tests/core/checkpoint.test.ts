/**
 * The checkpoint device (README's memory map, CKPT_* at 0x1000_3000; src/machine/
 * checkpoint-device.ts): CKPT_COUNT and CKPT_STATUS as the guest reads them right after a
 * send, the range check against RAM, what the host's onSend hook receives and when (right
 * after the CKPT_SEND store, before the next instruction), lockstep topologies gating the
 * device's stores like any device store, snapshots, and Machine.stall().
 */
import { describe, expect, it, test } from 'vitest';
import { assembleOrThrow, machineFor, type RunSetup } from '../helpers/machine.ts';
import { Machine } from '../../src/machine/machine.ts';
import type { CheckpointRequest } from '../../src/machine/checkpoint-device.ts';
import type { Program } from '../../src/isa/program.ts';
import type { Topology } from '../../src/machine/topology.ts';
import { FINISH, words } from './guest.ts';
import { CKPT, CKPT_REG, RAM_BASE, UART, CAUSE, hex } from './reference.ts';

const RAM_SIZE = 1 << 20; // the machines below have 1 MiB
const RX = 0x1000_1000;
const RX_POP = 0x1C;

/** A machine loaded with `source` whose checkpoint sends are collected in `sent`. */
async function checkpointing(source: string, setup: RunSetup = {}) {
  const program = assembleOrThrow(source);
  const { machine } = await machineFor(program, setup);
  const sent: CheckpointRequest[] = [];
  machine.checkpoints.onSend = (request) => sent.push(request);
  return { machine, program, sent, sym: (name: string) => symbol(program, name) };
}

function symbol(program: Program, name: string): number {
  const address = program.symbols.get(name);
  if (address === undefined) throw new Error(`no label ${name} in the test program`);
  return address;
}

/** Number of the instruction at `label` in a straight-line program (no branch before it). */
const instructionAt = (sym: (name: string) => number, label: string) => (sym(label) - sym('_start')) / 4;

function runToHalt(machine: Machine): void {
  while (!machine.halt) machine.run(1_000_000);
}

/** Guest code (s0 = CKPT) that names the range [addr, addr + length) and sends it. */
const send = (addr: number | string, length: number, label = 'send') => `
  ${typeof addr === 'string' ? `la t0, ${addr}` : `li t0, ${hex(addr)}`}
  sw t0, ${CKPT_REG.ADDR}(s0)
  li t0, ${hex(length)}
  sw t0, ${CKPT_REG.LEN}(s0)
${label}: sw zero, ${CKPT_REG.SEND}(s0)`;

describe('CKPT_COUNT and CKPT_STATUS', () => {
  // [what, addr, length, accepted]: a range is accepted iff it lies inside RAM [RAM_BASE, RAM_BASE + RAM_SIZE).
  const RANGES: [string, number, number, boolean][] = [
    ['an account in RAM', RAM_BASE + 0x1000, 16, true],
    ['all of RAM', RAM_BASE, RAM_SIZE, true],
    ['the last word of RAM', RAM_BASE + RAM_SIZE - 4, 4, true],
    ['a range crossing the end of RAM', RAM_BASE + RAM_SIZE - 4, 8, false],
    ['a range longer than RAM', RAM_BASE, RAM_SIZE + 4, false],
    ['a device (the UART)', UART, 4, false],
    ['a range starting below RAM', RAM_BASE - 4, 8, false],
    ['a range wrapping past 2^32', 0xFFFF_FFFC, 8, false],
    ['an empty range in RAM', RAM_BASE + 0x2000, 0, true],
    ['a length of 2^32 - 1', RAM_BASE + 0x10, 0xFFFF_FFFF, false],
  ];

  it('count accepted sends and read 0 (accepted) or 1 (refused) right after each; a refused range reaches no hook', async () => {
    const { machine, sent, sym } = await checkpointing(`
_start:
  li s0, ${hex(CKPT)}
  la s1, results
${RANGES.map(([, addr, length], k) => `${send(addr, length, `send${k}`)}
  lw t1, ${CKPT_REG.COUNT}(s0)
  sw t1, ${8 * k}(s1)
  lw t1, ${CKPT_REG.STATUS}(s0)
  sw t1, ${8 * k + 4}(s1)`).join('\n')}
  lw a0, ${CKPT_REG.ADDR}(s0)
  lw a1, ${CKPT_REG.LEN}(s0)
  lw a2, ${CKPT_REG.SEND}(s0)
  lw a3, 0x14(s0)
${FINISH}
  .data
results: .space ${8 * RANGES.length}, 0xEE
`);
    runToHalt(machine);
    expect(machine.halt?.reason).toBe('exit');
    let count = 0;
    const expected = RANGES.map(([what, , , accepted]) => [what, accepted ? ++count : count, accepted ? 0 : 1]);
    const results = words(machine, sym('results'), 2 * RANGES.length);
    expect(RANGES.map(([what], k) => [what, results[2 * k], results[2 * k + 1]])).toEqual(expected);
    expect(sent.map(({ addr, length }) => [addr, length])).toEqual(RANGES.filter((r) => r[3]).map(([, addr, length]) => [addr, length]));
    // ADDR and LEN read back as written; SEND, and an offset without a register, read 0.
    const [, lastAddr, lastLength] = RANGES[RANGES.length - 1];
    expect([10, 11, 12, 13].map((r) => machine.reg(0, r) >>> 0)).toEqual([lastAddr, lastLength, 0, 0]);
    expect({ count: machine.checkpoints.count, accepted: machine.checkpoints.accepted }).toEqual({ count, accepted: false });
  });

  test.each([['sb', 'store', CAUSE.STORE_ACCESS], ['lh', 'load', CAUSE.LOAD_ACCESS]] as const)(
    'a %s (not a word access) is a %s access fault', async (insn, _kind, cause) => {
      const { machine, sent } = await checkpointing(`
_start:
  li s0, ${hex(CKPT)}
  ${insn} zero, ${CKPT_REG.SEND}(s0)
${FINISH}`);
      runToHalt(machine);
      expect(machine.halt).toMatchObject({ reason: 'trap', trap: { cause, tval: CKPT + CKPT_REG.SEND } });
      expect(sent).toEqual([]);
    });
});

describe('a send', () => {
  it('reaches the hook right after the store, before the next instruction, with the range, the clock and the records consumed', async () => {
    const { machine, sent, sym } = await checkpointing(`
_start:
  li s1, ${hex(RX)}
  sw zero, ${RX_POP}(s1)
  sw zero, ${RX_POP}(s1)
  la t1, account
  li t2, 0x1234abcd
  sw t2, 8(t1)
  li s0, ${hex(CKPT)}
${send('account', 16)}
after:
  li a5, 77
${FINISH}
  .data
  .align 4
account: .word 1, 2, 3, 4
`);
    for (let id = 1; id <= 3; id++) machine.port.push({ id, payload: [0, 0, 0, 0], arrivalUs: 0 }, 64);
    const context: { instret: number; pc: number; a5: number; range: number[] }[] = [];
    machine.checkpoints.onSend = (request) => {
      sent.push(request);
      context.push({ instret: machine.instret, pc: machine.pc(0), a5: machine.reg(0, 15), range: words(machine, request.addr, 4) });
    };
    runToHalt(machine);
    const next = instructionAt(sym, 'send') + 1; // one instruction a cycle: nothing slept
    expect(sent).toEqual([{ addr: sym('account'), length: 16, instret: next, cycle: next, consumed: 2 }]);
    expect(context).toEqual([{ instret: next, pc: sym('after'), a5: 0, range: [1, 2, 0x1234abcd, 4] }]);
    expect(machine.reg(0, 15)).toBe(77);
  });

  it('with no hook is accepted and counted, and the program runs on', async () => {
    const { machine } = await checkpointing(`
_start:
  li s0, ${hex(CKPT)}
${send(RAM_BASE, 64)}
  lw a0, ${CKPT_REG.COUNT}(s0)
${FINISH}`);
    machine.checkpoints.onSend = undefined;
    runToHalt(machine);
    expect(machine.halt?.reason).toBe('exit');
    expect([machine.reg(0, 10), machine.checkpoints.count, machine.checkpoints.accepted]).toEqual([1, 1, true]);
  });
});

/**
 * SENDS turns of: write k to word k of `buffer`, checkpoint that word (length 4), and keep
 * CKPT_COUNT in word k of `counts`. With `refuseEvery` = r, turns k = r - 1, 2r - 1, ...
 * name address 0 instead, which is refused.
 */
const SENDS = 40;
const loop = (refuseEvery = 0) => `
_start:
  li s0, ${hex(CKPT)}
  la s1, buffer
  la s2, counts
  li s3, 0
loop:
  slli t1, s3, 2
  add t2, s1, t1
  sw s3, 0(t2)
${refuseEvery === 0 ? '' : `  addi t4, s3, 1
  li t5, ${refuseEvery}
  remu t4, t4, t5
  bnez t4, 1f
  li t2, 0
1:`}
  sw t2, ${CKPT_REG.ADDR}(s0)
  li t0, 4
length: sw t0, ${CKPT_REG.LEN}(s0)
  sw zero, ${CKPT_REG.SEND}(s0)
  lw t3, ${CKPT_REG.COUNT}(s0)
  add t2, s2, t1
  sw t3, 0(t2)
  addi s3, s3, 1
  li t0, ${SENDS}
  bltu s3, t0, loop
${FINISH}
  .data
  .align 4
buffer: .space ${4 * SENDS}
counts: .space ${4 * SENDS}
`;
const LOOP = loop();

describe('lockstep topologies', () => {
  const cases = (['simplex', 'dmr', 'pair-spare', 'tmr'] as Topology[]).flatMap((t) => (['every', 'io'] as const).map((c) => [t, c] as const));
  test.each(cases)('%s, compare %s: the modules stay in lockstep and every send reaches the hook once', async (topology, compare) => {
    const { machine, sent, sym } = await checkpointing(LOOP, { topology, compare });
    runToHalt(machine);
    expect(machine.halt?.reason).toBe('exit');
    expect(machine.events.filter((e) => e.kind !== 'halt')).toEqual([]);
    expect(sent.map((r) => [r.addr, r.length])).toEqual(Array.from({ length: SENDS }, (_, k) => [sym('buffer') + 4 * k, 4]));
    for (const m of machine.onlineModules()) {
      expect(words(machine, sym('counts'), SENDS), `module ${m}`).toEqual(Array.from({ length: SENDS }, (_, k) => k + 1));
    }
  });

  // The flip changes t0 = 4 in one module just before the CKPT_LEN store of the first turn.
  const lengthFlip = (module: number, sym: (name: string) => number) => `at=${instructionAt(sym, 'length')},module=${module},kind=flip,target=t0,bit=3`;

  test.each(['every', 'io'] as const)('tmr, compare %s: a module that names a wrong length is outvoted; the checkpoint sent has the majority\'s', async (compare) => {
    const probe = await checkpointing(LOOP);
    const { machine, sent } = await checkpointing(LOOP, { topology: 'tmr', compare, faults: [lengthFlip(1, probe.sym)] });
    runToHalt(machine);
    expect(machine.halt?.reason).toBe('exit');
    expect(machine.events.find((e) => e.kind === 'offline')).toMatchObject({ module: 1, reason: 'outvoted' });
    expect(sent).toHaveLength(SENDS);
    expect(sent.every((r) => r.length === 4)).toBe(true);
  });

  it('dmr: a CKPT_LEN store the modules disagree on stops the machine before any checkpoint is sent', async () => {
    const probe = await checkpointing(LOOP);
    const { machine, sent } = await checkpointing(LOOP, { topology: 'dmr', faults: [lengthFlip(1, probe.sym)] });
    runToHalt(machine);
    expect(machine.halt?.reason).toBe('failstop');
    expect(sent).toEqual([]);
    expect(machine.checkpoints.count).toBe(0);
  });
});

describe('snapshots', () => {
  it('keep ADDR, LEN, COUNT and STATUS; the restored machine sends what the original sends', async () => {
    // Every third send names address 0 (refused): run to just after the first refusal (k = 2).
    const source = loop(3);
    const original = await checkpointing(source, { topology: 'tmr' });
    while (original.machine.checkpoints.accepted) original.machine.run(1);
    const at = { addr: original.machine.checkpoints.addr, length: original.machine.checkpoints.length, count: original.machine.checkpoints.count };
    expect(at).toEqual({ addr: 0, length: 4, count: 2 });
    const restored = await Machine.fromSnapshot(original.machine.snapshot());
    const { checkpoints } = restored;
    expect({ addr: checkpoints.addr, length: checkpoints.length, count: checkpoints.count, accepted: checkpoints.accepted }).toEqual({ ...at, accepted: false });
    const resent: CheckpointRequest[] = [];
    restored.checkpoints.onSend = (r) => resent.push(r);
    const before = original.sent.length;
    runToHalt(original.machine);
    runToHalt(restored);
    expect(resent).toEqual(original.sent.slice(before));
    // Sends k = 2, 5, 8, ... are refused: after send k the count is k + 1 - floor((k + 1) / 3).
    const counts = Array.from({ length: SENDS }, (_, k) => k + 1 - Math.floor((k + 1) / 3));
    expect(words(restored, original.sym('counts'), SENDS)).toEqual(counts);
    expect(restored.checkpoints.count).toBe(counts[SENDS - 1]);
  });
});

describe('Machine.stall', () => {
  const READ_COUNTERS = `
_start:
  nop
  nop
  nop
cycle1: csrr a0, mcycle
  csrr a1, minstret
${FINISH}`;

  it('advances the virtual clock and mcycle, not instret', async () => {
    const { machine, sym } = await checkpointing(READ_COUNTERS);
    const first = instructionAt(sym, 'cycle1');
    machine.run(first);
    expect([machine.instret, machine.cycle]).toEqual([first, first]);
    machine.stall(12_345);
    expect([machine.instret, machine.cycle]).toEqual([first, first + 12_345]);
    runToHalt(machine);
    // mcycle read by instruction n is the cycle it starts at: n + the stall; minstret, its number.
    expect([machine.reg(0, 10), machine.reg(0, 11)]).toEqual([first + 12_345, first + 1]);
  });

  it('from the checkpoint hook charges the primary the copy before its next instruction', async () => {
    const { machine, sym } = await checkpointing(`
_start:
  li s0, ${hex(CKPT)}
${send(RAM_BASE, 4096)}
  csrr a0, mcycle
  csrr a1, minstret
${FINISH}`);
    const copyCycles = 4096 / 8;
    machine.checkpoints.onSend = () => machine.stall(copyCycles);
    runToHalt(machine);
    const next = instructionAt(sym, 'send') + 1;
    expect([machine.reg(0, 10), machine.reg(0, 11)]).toEqual([next + copyCycles, next + 1]);
  });

  test.each([-1, 1.5, NaN, Infinity])('rejects %s cycles', async (cycles) => {
    const { machine } = await checkpointing(READ_COUNTERS);
    expect(() => machine.stall(cycles)).toThrow(RangeError);
    expect(machine.cycle).toBe(0);
  });
});
