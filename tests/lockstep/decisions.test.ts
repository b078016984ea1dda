/**
 * The decision each topology makes when its modules disagree (DESIGN §4 and claim 2 of §1),
 * and the events that record it. Expectations are derived by hand from ADD below and the
 * topology's rule: tmr votes and, with two modules left, behaves as dmr; dmr can only stop
 * unless a module announces its own error; pair-and-spare trusts a board whose pair agrees.
 * Instructions count from 0; `at=N` applies just before instruction N.
 */
import { describe, expect, it } from 'vitest';
import { machineFor, runProgram } from '../helpers/machine.ts';
import { classify } from '../../src/fault/classify.ts';
import type { CrossCheck, Topology } from '../../src/machine/topology.ts';
import type { DivergeEvent } from '../../src/machine/events.ts';

// 0: li t0,5 (pc 0x80000000)  1: li t1,7  2: add t2,t0,t1 (pc 0x80000008)  3: li t0,1
// 4: mv a0,t2 (pc 0x80000010)  5: li a7,93  6: ecall (pc 0x80000018): exit with t2 = 12.
// A flip of t0 bit 3 before 2 makes t2 = 13 + 7 = 20; of bit 4, 21 + 7 = 28.
const ADD = `
  .globl _start
_start:
  li t0, 5
  li t1, 7
  add t2, t0, t1
  li t0, 1
  mv a0, t2
  li a7, 93
  ecall
`;

/** Runs ADD on `topology` with `faults`; the divergence lines the machine prints, and the outcome. */
async function run(topology: Topology, faults: string[], crossCheck?: CrossCheck) {
  const { machine, output } = await machineFor(ADD, { topology, faults, crossCheck });
  const lines: string[] = [];
  machine.onDivergence = (_event, line) => lines.push(line);
  while (!machine.halt) machine.run(1000);
  const reference = await runProgram(ADD, { topology });
  const outcome = classify(
    { halt: reference.machine.halt, output: reference.stdout, events: reference.machine.events },
    { halt: machine.halt, output: output(), events: machine.events, notActivated: machine.notActivated() },
  );
  return { machine, lines, outcome, states: machine.moduleStatus().map((m) => m.state) };
}

const inject = (instret: number, module: number, fault: string) => ({ instret, kind: 'inject', module, fault });
const failstopHalt = (instret: number) => ({ instret, kind: 'halt', reason: 'failstop', exit_code: 125 });
const exit12 = { instret: 6, kind: 'halt', reason: 'exit', exit_code: 12 };

describe('tmr', () => {
  it('fail-stops on a three-way split: no two modules agree, so there is no majority to trust', async () => {
    const { machine, lines, outcome, states } = await run('tmr', ['at=2,module=1,kind=flip,target=t0,bit=3', 'at=2,module=2,kind=flip,target=t0,bit=4']);
    expect(machine.events).toEqual([
      inject(2, 1, 'at=2,module=1,kind=flip,target=x5,bit=3'),
      inject(2, 2, 'at=2,module=2,kind=flip,target=x5,bit=4'),
      { instret: 2, kind: 'diverge', module: 1, reference: 0, pc: 0x8000_0008, field: 'x7', values: { 0: '0x0000000c', 1: '0x00000014' } },
      { instret: 2, kind: 'diverge', module: 2, reference: 0, pc: 0x8000_0008, field: 'x7', values: { 0: '0x0000000c', 2: '0x0000001c' } },
      { instret: 2, kind: 'failstop', reason: 'no majority among modules 0, 1, 2' },
      failstopHalt(2),
    ]);
    expect(states).toEqual(['online', 'online', 'online']); // none is known to be faulty
    expect(lines).toEqual([
      'diverged at instruction 2 (pc 0x80000008): module 0 wrote x7 = 0x0000000c, module 1 wrote 0x00000014 → fail-stop',
      'diverged at instruction 2 (pc 0x80000008): module 0 wrote x7 = 0x0000000c, module 2 wrote 0x0000001c → fail-stop',
    ]);
    expect(outcome).toBe('failstop');
  });

  // Module 1 is outvoted at 2; then one of the two left writes a0 = 13 at 4 (t2 bit 0 flipped).
  it.each([2, 0])('with two modules left behaves as dmr: an unannounced disagreement (on module %i) fail-stops', async (second) => {
    const { machine, lines, outcome, states } = await run('tmr', ['at=2,module=1,kind=flip,target=t0,bit=3', `at=4,module=${second},kind=flip,target=t2,bit=0`]);
    const values = second === 2 ? { 0: '0x0000000c', 2: '0x0000000d' } : { 0: '0x0000000d', 2: '0x0000000c' };
    expect(machine.events).toEqual([
      inject(2, 1, 'at=2,module=1,kind=flip,target=x5,bit=3'),
      { instret: 2, kind: 'diverge', module: 1, reference: 0, pc: 0x8000_0008, field: 'x7', expected: '0x0000000c', actual: '0x00000014' },
      { instret: 2, kind: 'offline', module: 1, reason: 'outvoted' },
      inject(4, second, `at=4,module=${second},kind=flip,target=x7,bit=0`),
      { instret: 4, kind: 'diverge', module: 2, reference: 0, pc: 0x8000_0010, field: 'x10', values },
      { instret: 4, kind: 'failstop', reason: 'modules 0 and 2 disagree and neither announced an error: the machine cannot tell which is faulty' },
      failstopHalt(4),
    ]);
    expect(states).toEqual(['online', 'offline', 'online']);
    expect(lines[1]).toBe(`diverged at instruction 4 (pc 0x80000010): module 0 wrote x10 = ${values[0]}, module 2 wrote ${values[2]} → fail-stop`);
    expect(outcome).toBe('failstop');
  });

  it('with two modules left, a module that announces its own error goes offline and the other finishes (as dmr)', async () => {
    // t2 carries a parity error from 3; mv a0,t2 reads it at 4.
    const { machine, outcome, states } = await run('tmr', ['at=2,module=1,kind=flip,target=t0,bit=3', 'at=3,module=2,kind=ecc,target=t2,bit=0']);
    expect(machine.events.slice(3)).toEqual([
      inject(3, 2, 'at=3,module=2,kind=ecc,target=x7,bit=0'),
      { instret: 4, kind: 'error', module: 2, where: 'parity error in x7' },
      { instret: 4, kind: 'offline', module: 2, reason: 'announced' },
      exit12,
    ]);
    expect(states).toEqual(['online', 'offline', 'offline']);
    expect(outcome).toBe('recovered');
  });
});

describe('pair-and-spare', () => {
  // Within (the default) board 0's comparator sees only its own two CPUs: it cannot say
  // which is right. Comparing the boards too, board 1's pair agrees with module 0: its side is trusted.
  it.each([
    ['within', { values: { 0: '0x0000000c', 1: '0x00000014' } }],
    ['boards', { expected: '0x0000000c', actual: '0x00000014' }],
  ] as const)('takes a board offline when its two CPUs disagree: both modules "pair-disagreed" (compared %s)', async (crossCheck, values) => {
    const { machine, outcome, states } = await run('pair-spare', ['at=2,module=1,kind=flip,target=t0,bit=3'], crossCheck);
    expect(machine.events).toEqual([
      inject(2, 1, 'at=2,module=1,kind=flip,target=x5,bit=3'),
      { instret: 2, kind: 'diverge', module: 1, reference: 0, pc: 0x8000_0008, field: 'x7', ...values },
      { instret: 2, kind: 'offline', module: 0, reason: 'pair-disagreed' },
      { instret: 2, kind: 'offline', module: 1, reason: 'pair-disagreed' },
      exit12,
    ]);
    expect(states).toEqual(['offline', 'offline', 'online', 'online']);
    expect(outcome).toBe('recovered');
  });

  it.each([
    ['kill', 'at=3,module=1,kind=kill', [
      inject(3, 1, 'at=3,module=1,kind=kill'),
      { instret: 3, kind: 'offline', module: 1, reason: 'dead' },
      { instret: 3, kind: 'offline', module: 0, reason: 'partner-lost' },
    ], ['offline', 'offline', 'online', 'online']],
    ['ecc', 'at=1,module=2,kind=ecc,target=t0,bit=0', [ // add reads t0 at 2
      inject(1, 2, 'at=1,module=2,kind=ecc,target=x5,bit=0'),
      { instret: 2, kind: 'error', module: 2, where: 'parity error in x5' },
      { instret: 2, kind: 'offline', module: 2, reason: 'announced' },
      { instret: 2, kind: 'offline', module: 3, reason: 'partner-lost' },
    ], ['online', 'online', 'offline', 'offline']],
  ])('a module that fails on its own (%s) takes its partner offline: "partner-lost"', async (_kind, fault, events, expectedStates) => {
    const { machine, outcome, states } = await run('pair-spare', [fault]);
    expect(machine.events).toEqual([...events, exit12]);
    expect(states).toEqual(expectedStates);
    expect(outcome).toBe('recovered');
  });

  it.each([
    ['kill', 'at=2,board=0,kind=kill', [
      inject(2, 0, 'at=2,board=0,kind=kill'), inject(2, 1, 'at=2,board=0,kind=kill'),
      { instret: 2, kind: 'offline', module: 0, reason: 'dead' },
      { instret: 2, kind: 'offline', module: 1, reason: 'dead' },
    ]],
    ['ecc', 'at=1,board=0,kind=ecc,target=t0,bit=1', [
      inject(1, 0, 'at=1,board=0,kind=ecc,target=x5,bit=1'), inject(1, 1, 'at=1,board=0,kind=ecc,target=x5,bit=1'),
      { instret: 2, kind: 'error', module: 0, where: 'parity error in x5' },
      { instret: 2, kind: 'error', module: 1, where: 'parity error in x5' },
      { instret: 2, kind: 'offline', module: 0, reason: 'announced' },
      { instret: 2, kind: 'offline', module: 1, reason: 'announced' },
    ]],
  ])('a board fault (%s) hits both CPUs before the board goes offline, each for its own reason', async (_kind, fault, events) => {
    const { machine, states } = await run('pair-spare', [fault]);
    expect(machine.events).toEqual([...events, exit12]);
    expect(states).toEqual(['offline', 'offline', 'online', 'online']);
  });

  // Both CPUs of one board get the same flip (a common-mode fault): each pair agrees
  // internally, so when the boards are compared too, neither can be trusted over the other.
  it.each([
    [1, { 0: '0x0000000c', 2: '0x00000014' }, { 0: '0x0000000c', 3: '0x00000014' }],
    [0, { 0: '0x00000014', 2: '0x0000000c' }, { 0: '0x00000014', 3: '0x0000000c' }],
  ])('compared across boards, fail-stops when both boards check internally but disagree with each other (board %i hit)', async (board, values2, values3) => {
    const { machine, outcome, states } = await run('pair-spare', [`at=2,board=${board},kind=flip,target=t0,bit=3`], 'boards');
    const spec = `at=2,board=${board},kind=flip,target=x5,bit=3`;
    expect(machine.events).toEqual([
      inject(2, 2 * board, spec), inject(2, 2 * board + 1, spec),
      { instret: 2, kind: 'diverge', module: 2, reference: 0, pc: 0x8000_0008, field: 'x7', values: values2 },
      { instret: 2, kind: 'diverge', module: 3, reference: 0, pc: 0x8000_0008, field: 'x7', values: values3 },
      { instret: 2, kind: 'failstop', reason: 'both boards check internally but disagree with each other' },
      failstopHalt(2),
    ]);
    expect(states).toEqual(['online', 'online', 'online', 'online']);
    expect(outcome).toBe('failstop');
  });

  // Compared within boards (as Stratus does), the same fault goes unnoticed. Board 0 drives
  // the output (the lowest-numbered online board): hit, it exits with 20 (13 + 7); when
  // board 1 is hit, it computes 20 in silence while board 0's 12 goes out.
  it.each([
    [0, 20, 'crash'],
    [1, 12, 'masked'],
  ] as const)('compared within boards, never notices board %i computing wrong in both its CPUs: exit %i, %s', async (board, code, expected) => {
    const { machine, outcome, states } = await run('pair-spare', [`at=2,board=${board},kind=flip,target=t0,bit=3`], 'within');
    expect(machine.events.filter((e) => e.kind !== 'inject')).toEqual([{ instret: 6, kind: 'halt', reason: 'exit', exit_code: code }]);
    expect(states).toEqual(['online', 'online', 'online', 'online']);
    expect(machine.reg(2, 7)).toBe(board === 1 ? 20 : 12); // what board 1 holds in t2 at the end
    expect(outcome).toBe(expected);
  });
});

describe('dmr', () => {
  it.each([
    [1, { 0: '0x0000000c', 1: '0x00000014' }],
    [0, { 0: '0x00000014', 1: '0x0000000c' }],
  ])('a divergence (fault on module %i) names both modules and both values, and calls neither expected', async (faulty, values) => {
    const { machine, lines, outcome } = await run('dmr', [`at=2,module=${faulty},kind=flip,target=t0,bit=3`]);
    const diverge = machine.events.find((e): e is DivergeEvent => e.kind === 'diverge')!;
    expect(diverge).toEqual({ instret: 2, kind: 'diverge', module: 1, reference: 0, pc: 0x8000_0008, field: 'x7', values });
    expect(lines).toEqual([`diverged at instruction 2 (pc 0x80000008): module 0 wrote x7 = ${values[0]}, module 1 wrote ${values[1]} → fail-stop`]);
    expect(machine.events.at(-1)).toEqual(failstopHalt(2));
    expect(machine.halt).toMatchObject({ reason: 'failstop', exitCode: 125 });
    expect(outcome).toBe('failstop');
  });

  it('a host call the modules disagree on is named the same way (a0 of exit: 12 against 13)', async () => {
    const { machine, lines } = await run('dmr', ['at=6,module=1,kind=flip,target=a0,bit=0']);
    expect(machine.events.find((e) => e.kind === 'diverge')).toEqual(
      { instret: 6, kind: 'diverge', module: 1, reference: 0, pc: 0x8000_0018, field: 'a0', values: { 0: '0x0000000c', 1: '0x0000000d' } },
    );
    expect(lines).toEqual(['diverged at instruction 6 (pc 0x80000018): module 0 called the host with a0 = 0x0000000c, module 1 with 0x0000000d → fail-stop']);
  });
});

describe('the halt event carries the exit status the process returns', () => {
  // 128 + the Linux signal: SIGILL 4, SIGTRAP 5, SIGSEGV 11; SIGKILL 9 for a dead module;
  // 124 (as timeout(1)) for a wfi nothing can end; 125 for a fail-stop.
  it.each([
    ['exit', ADD, 'simplex', [], 'exit', 12],
    ['fail-stop', ADD, 'dmr', ['at=2,module=1,kind=flip,target=t0,bit=3'], 'failstop', 125],
    ['illegal instruction', '.globl _start\n_start:\n .word 0\n', 'simplex', [], 'trap', 132],
    ['breakpoint', '.globl _start\n_start:\n ebreak\n', 'simplex', [], 'trap', 133],
    ['load access fault', '.globl _start\n_start:\n lw a0, 0(zero)\n', 'simplex', [], 'trap', 139],
    ['wfi with nothing to wake it', '.globl _start\n_start:\n wfi\n', 'tmr', [], 'idle', 124],
    ['simplex module killed', ADD, 'simplex', ['at=3,module=0,kind=kill'], 'dead', 137],
  ] as const)('%s', async (_name, source, topology, faults, reason, status) => {
    const { machine } = await runProgram(source, { topology, faults: [...faults] });
    expect(machine.halt).toMatchObject({ reason, exitCode: status });
    expect(machine.events.at(-1)).toMatchObject({ kind: 'halt', reason, exit_code: status });
  });
});
