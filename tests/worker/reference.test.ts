/**
 * A fault-free run going on from a state (ReferenceRun.resume, FaultFreeRunner.resume)
 * restores into the machine of the run that ended rather than setting up a new core, when
 * that machine has the state's configuration. Whatever that machine ran before — the same
 * program further on, or another program — the run from the state must be exactly a new
 * machine's run from it: instructions, halt, registers and output.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Machine, type MachineConfig } from '../../src/machine/machine.ts';
import type { Program } from '../../src/isa/program.ts';
import { FaultFreeRunner } from '../../src/worker/fault-free.ts';
import { ReferenceRun, type ReferenceState } from '../../src/worker/reference.ts';
import { architectural } from '../../src/worker/architectural.ts';
import { assembleOrThrow } from '../helpers/machine.ts';

const INT_MIX = readFileSync(new URL('../../examples/bench/int-mix.s', import.meta.url), 'utf8');
/** int-mix with `iterations` turns: it prints its checksum in hex, then exits. */
const intMix = (iterations: number) => assembleOrThrow(INT_MIX.replace(/^(\s+li\s+s0,\s*)6000000(\s)/m, `$1${iterations}$2`), 'int-mix.s');
const COUNT = assembleOrThrow(readFileSync(new URL('../../examples/count.s', import.meta.url), 'utf8'), 'count.s');
/** Further than any run here goes. */
const END = 20_000_000;

/** A run of `program` on `config` to instruction `at` (the whole run with `at` = END): its state there, and its machine. */
async function ranTo(program: Program, at: number, config: Omit<MachineConfig, 'console'> = { topology: 'simplex' }): Promise<{ state: ReferenceState; machine: Machine }> {
  const run = await ReferenceRun.start({ ...config }, program);
  run.advance(at, []);
  return { state: run.state(), machine: run.machine };
}

/** Where a run from `state` ends: its instructions, halt, registers, and the output it printed after the state. */
function ending(run: ReferenceRun, state: ReferenceState) {
  run.advance(END, []);
  return { instret: run.instret, halt: run.machine.halt, regs: architectural(run.machine, 0).regs, output: new TextDecoder().decode(run.output().subarray(state.outputLength)) };
}

/** The independent expectation: the run from `state` on a new machine. */
const fresh = (state: ReferenceState) => ending(ReferenceRun.resume(state, new Uint8Array(state.outputLength)), state);

describe('a fault-free run resumed from a state', () => {
  afterEach(() => vi.restoreAllMocks());

  it('restores into a machine that ran the same program further, and runs as a new machine would', async () => {
    const { state } = await ranTo(intMix(50_000), 300_000);
    const { machine } = await ranTo(intMix(50_000), END);
    const run = ReferenceRun.resume(state, new Uint8Array(state.outputLength), machine);
    expect(run.machine).toBe(machine);
    const end = ending(run, state);
    expect(end.halt?.reason).toBe('exit');
    expect(end.output).toMatch(/^[0-9a-f]{8}\n$/);
    expect(end).toEqual(fresh(state));
  });

  it('restores into a machine that ran another program: the state\'s program runs, not the code translated there before', async () => {
    const { state } = await ranTo(intMix(40_000), 100_000);
    const { machine } = await ranTo(COUNT, END);
    const run = ReferenceRun.resume(state, new Uint8Array(state.outputLength), machine);
    expect(run.machine).toBe(machine);
    expect(ending(run, state)).toEqual(fresh(state));
  });

  it('sets up a new machine when the one it is given has another configuration', async () => {
    const { state } = await ranTo(intMix(40_000), 100_000);
    const { machine } = await ranTo(intMix(40_000), 100_000, { topology: 'simplex', ramMiB: 2 });
    const run = ReferenceRun.resume(state, new Uint8Array(state.outputLength), machine);
    expect(run.machine).not.toBe(machine);
    expect(ending(run, state)).toEqual(fresh(state));
  });

  it('a runner resumes into the machine of its run before, setting up no new one', async () => {
    const runner = new FaultFreeRunner();
    await runner.start({ topology: 'simplex' }, intMix(50_000));
    runner.advance(300_000, []);
    const { state } = runner.state();
    runner.advance(END, []);
    const created = vi.spyOn(Machine, 'fromSnapshotSync');
    runner.resume(state);
    const report = runner.advance(END, []);
    expect(created).not.toHaveBeenCalled();
    const expected = fresh(state);
    expect({ instret: report.instret, halt: report.halt, regs: report.module.regs }).toEqual({ instret: expected.instret, halt: expected.halt, regs: expected.regs });
  });
});
