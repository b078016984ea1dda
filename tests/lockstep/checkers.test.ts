/**
 * Checkers that fail, common-mode faults and what pair-and-spare compares (README "Checkers
 * that fail", "Common-mode faults", "Pair-and-spare compare scope"). Expectations follow
 * from SUM (sum.ts) and each topology's rule: a flip of s0 bit 20 early in the run makes
 * the printed sum N(N+1)/2 + 2^20 wherever it reaches the output, and the output comes from
 * the lowest-numbered online module (or board) once the checkers say all agree.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/machine.ts';
import type { MachineEvent } from '../../src/machine/events.ts';
import type { Topology } from '../../src/machine/topology.ts';
import { parseFault } from '../../src/fault/spec.ts';
import { machineFor, type RunSetup } from '../helpers/machine.ts';
import { SUM, SUM_TEXT, SUM_FLIPPED_TEXT, flipSum, nextAdd, runSum } from './sum.ts';

const detections = (events: readonly MachineEvent[]) => events.filter((e) => e.kind !== 'inject' && e.kind !== 'halt');
const stuck = (board: number, kind: 'agree' | 'disagree', checker = 'comparator', at = 0) => `at=${at},board=${board},kind=stuck-${kind},target=${checker}`;

describe('a comparator stuck at agree', () => {
  it('on dmr lets the next divergence through: module 0 (which drives the output) prints a wrong sum, nothing noticed (sdc)', async () => {
    const run = await runSum({ topology: 'dmr', faults: [stuck(0, 'agree'), flipSum(100, 0)] });
    expect(detections(run.events)).toEqual([]);
    expect(run.text).toBe(SUM_FLIPPED_TEXT);
    expect(run.outcome).toBe('sdc');
  });

  it('on dmr, without it, the same flip fail-stops (the control)', async () => {
    const run = await runSum({ topology: 'dmr', faults: [flipSum(100, 0)] });
    expect(run.outcome).toBe('failstop');
  });

  it.each([0, 1])('on dmr is the one comparator whichever board names it (board %i): a flip in module 1 stays hidden, latent', async (board) => {
    const run = await runSum({ topology: 'dmr', faults: [stuck(board, 'agree'), flipSum(100, 1)] });
    expect(detections(run.events)).toEqual([]);
    expect(run.text).toBe(SUM_TEXT); // module 0's output is right ...
    expect(run.machine.reg(1, 8) - run.machine.reg(0, 8)).toBe(2 ** 20); // ... while module 1 carries the error
    expect(run.outcome).toBe('masked');
  });

  it('on pair-spare board 0 hides a mismatch between its CPUs; board 0 drives the output (sdc)', async () => {
    const run = await runSum({ topology: 'pair-spare', faults: [stuck(0, 'agree'), flipSum(100, 0)] });
    expect(detections(run.events)).toEqual([]);
    expect(run.text).toBe(SUM_FLIPPED_TEXT);
    expect(run.outcome).toBe('sdc');
  });

  it('on pair-spare compared across boards, still leaves board 1 to see board 0 differ: fail-stop', async () => {
    const run = await runSum({ topology: 'pair-spare', crossCheck: 'boards', faults: [stuck(0, 'agree'), flipSum(100, 0)] });
    expect(run.machine.halt).toMatchObject({ reason: 'failstop' });
    expect(run.events.find((e) => e.kind === 'failstop')).toMatchObject({ instret: 100, reason: 'both boards check internally but disagree with each other' });
  });

  it('on tmr (the voter\'s verdict on module 0) never votes module 0 out: its wrong sum goes out (sdc)', async () => {
    const run = await runSum({ topology: 'tmr', faults: [stuck(0, 'agree', 'voter'), flipSum(100, 0)] });
    expect(detections(run.events)).toEqual([]);
    expect(run.text).toBe(SUM_FLIPPED_TEXT);
    expect(run.outcome).toBe('sdc');
  });

  it('on tmr (the voter\'s verdict on module 2) still counts module 2\'s vote: module 1 is outvoted', async () => {
    const run = await runSum({ topology: 'tmr', faults: [stuck(2, 'agree', 'voter'), flipSum(100, 1)] });
    expect(detections(run.events)).toEqual([
      { instret: 100, kind: 'diverge', module: 1, reference: 0, pc: 0x8000_0010, field: 'x8', expected: '0x00000231', actual: '0x00100231' },
      { instret: 100, kind: 'offline', module: 1, reason: 'outvoted' },
    ]);
    expect(run.text).toBe(SUM_TEXT);
  });
});

describe('a checker stuck at disagree', () => {
  it('on pair-spare takes healthy board 1 offline at the next compare point; board 0 carries on', async () => {
    const run = await runSum({ topology: 'pair-spare', faults: [stuck(1, 'disagree', 'comparator', 50)] });
    // Instruction 50 is an addi of the loop (4 + 3 × 15 + 1), at pc 0x80000014.
    expect(detections(run.events)).toEqual([
      { instret: 50, kind: 'miscompare', module: 3, reference: 2, pc: 0x8000_0014, checker: 'comparator' },
      { instret: 50, kind: 'offline', module: 2, reason: 'pair-disagreed' },
      { instret: 50, kind: 'offline', module: 3, reason: 'pair-disagreed' },
    ]);
    expect(run.text).toBe(SUM_TEXT);
    expect(run.outcome).toBe('recovered');
  });

  it('on pair-spare goes with its board: the replaced board stays online', async () => {
    const run = await runSum({ topology: 'pair-spare', repairAfter: 100, resync: 'stop-copy', faults: [stuck(1, 'disagree', 'comparator', 50)] });
    expect(run.events.filter((e) => e.kind === 'miscompare')).toHaveLength(1);
    expect(run.events.filter((e) => e.kind === 'replace').map((e) => e.instret)).toEqual([151, 151]);
    expect(run.states).toEqual(['online', 'online', 'online', 'online']);
  });

  it('on dmr makes a mismatch nobody can resolve: fail-stop', async () => {
    const run = await runSum({ topology: 'dmr', faults: [stuck(1, 'disagree', 'comparator', 50)] });
    expect(detections(run.events)).toEqual([
      { instret: 50, kind: 'miscompare', module: 1, reference: 0, pc: 0x8000_0014, checker: 'comparator' },
      { instret: 50, kind: 'failstop', reason: 'modules 0 and 1 disagree and neither announced an error: the machine cannot tell which is faulty' },
    ]);
  });

  it('on tmr votes healthy module 2 out; re-admitted (the self-test finds module 2 sound), it is voted out again until the threshold retires it', async () => {
    const run = await runSum({
      topology: 'tmr', readmit: 'transient', diagnoseTime: 1000, resync: 'stop-copy', threshold: { errors: 3, within: 100_000 },
      faults: [stuck(2, 'disagree', 'voter', 50)],
    });
    // Voted out at 50, back at 1051 and voted out there, back at 2052 and out for good.
    expect(run.events.filter((e) => e.kind === 'miscompare').map((e) => e.instret)).toEqual([50, 1051, 2052]);
    expect(run.events.filter((e) => e.kind === 'diagnose').map((e) => e.kind === 'diagnose' && e.verdict)).toEqual(['transient', 'transient', 'retired']);
    expect(run.states).toEqual(['online', 'online', 'offline']);
    expect(run.text).toBe(SUM_TEXT);
  });
});

describe('checker faults are checked against the machine', () => {
  it.each([
    ['simplex', stuck(0, 'agree'), /simplex has no comparator or voter/],
    ['tmr', stuck(0, 'agree'), /tmr votes: use target=voter/],
    ['dmr', stuck(0, 'agree', 'voter'), /dmr compares: use target=comparator/],
    ['pair-spare', stuck(2, 'agree'), /board 2 does not exist: pair-spare has boards 0\.\.1/],
  ] as [Topology, string, RegExp][])('%s: %s', async (topology, spec, message) => {
    const machine = await Machine.create({ topology });
    expect(machine.checkFault(parseFault(spec))).toMatch(message);
  });
});

describe('common-mode faults (module=all)', () => {
  // Every replica gets the same flip at the same instruction: they agree on the wrong sum.
  it.each([
    ['simplex', {}], ['dmr', {}], ['tmr', {}], ['pair-spare', { crossCheck: 'within' }], ['pair-spare', { crossCheck: 'boards' }],
  ] as [Topology, RunSetup][])('%s %j: every module agrees on the wrong sum; nothing is detected (sdc)', async (topology, setup) => {
    const run = await runSum({ topology, ...setup, faults: [flipSum(100, 'all')] });
    expect(run.events.filter((e) => e.kind === 'inject').map((e) => e.kind === 'inject' && e.module)).toEqual(run.machine.moduleStatus().map((m) => m.id));
    expect(detections(run.events)).toEqual([]);
    expect(run.text).toBe(SUM_FLIPPED_TEXT);
    expect(run.outcome).toBe('sdc');
  });
});

describe('pair-and-spare compare scope', () => {
  // Both CPUs of board 0 flip alike: within (the default), no comparator sees it and board 0
  // drives the output; compared across boards, the boards disagree and neither is trusted.
  it.each([
    ['within', 'sdc', SUM_FLIPPED_TEXT],
    ['boards', 'failstop', ''],
  ] as const)('a fault on both CPUs of board 0, compared %s: %s', async (crossCheck, outcome, text) => {
    const run = await runSum({ topology: 'pair-spare', crossCheck, faults: [`at=100,board=0,kind=flip,target=s0,bit=20`] });
    expect(run.outcome).toBe(outcome);
    expect(run.text).toBe(text);
  });
});

describe('snapshot and restore', () => {
  it.each([
    ['a comparator stuck at agree', { topology: 'dmr', faults: [stuck(0, 'agree', 'comparator', 20), flipSum(3000, 0)] }],
    // Module 1's hidden divergence stays hidden after the restore; module 0's flip then
    // leaves three different modules: no majority.
    ['a voter stuck at agree', { topology: 'tmr', faults: [stuck(1, 'agree', 'voter', 20), flipSum(3000, 1), flipSum(6000, 0)] }],
  ] as [string, RunSetup][])('keep %s across a restore mid-run', async (_what, setup) => {
    const golden = await runSum(setup);
    const { machine: first, output } = await machineFor(SUM, setup);
    first.run(nextAdd(4000));
    const chunks: number[] = [...output()];
    const restored = await Machine.fromSnapshot(first.snapshot(), { write: (_fd, b) => chunks.push(...b), read: () => null });
    while (!restored.halt) restored.run(1_000_000);
    expect(restored.events).toEqual(golden.events);
    expect(new TextDecoder().decode(Uint8Array.from(chunks))).toBe(golden.text);
    expect(golden.outcome).not.toBe('masked'); // the checker fault mattered
  });
});
