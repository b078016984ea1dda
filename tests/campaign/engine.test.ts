/**
 * The campaign engine: starting each faulty run from the reference's checkpoint before its
 * fault, and ending it early when its state equals the reference's, changes nothing. Each
 * run's outcome, detection latency and instruction count equal those of the same fault run
 * from power-on as `lockstep run --classify` runs it (written out here, independently of the
 * engine: a fresh machine, the fault, HANG_FACTOR × the reference's instructions, classify);
 * for a workload, its ledger equals `lockstep run --workload`'s. Then the claims of DESIGN
 * §1 as campaign numbers: single faults never corrupt or crash pair-spare and tmr, and do
 * corrupt a simplex machine's checksum.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CampaignEngine, type CampaignSetup, type RunRecord } from '../../src/campaign/engine.ts';
import { Machine, type ComparePoint } from '../../src/machine/machine.ts';
import { detectionLatency } from '../../src/machine/events.ts';
import { classify, HANG_FACTOR } from '../../src/fault/classify.ts';
import { parseFault, type Fault } from '../../src/fault/spec.ts';
import type { Program } from '../../src/isa/program.ts';
import { loadProgram } from '../../src/isa/load.ts';
import { TOPOLOGIES, type Topology } from '../../src/machine/topology.ts';
import { runWorkload } from '../../src/transactions/feed.ts';
import { feedOptionsFor } from '../../src/transactions/settings.ts';
import { workloadByName } from '../../src/transactions/workloads/index.ts';
import { assembleOrThrow } from '../helpers/machine.ts';
import { CHECKSUM_OUTPUT } from '../helpers/checksum.ts';

const checksum = assembleOrThrow(readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8'), 'checksum.s');
const EVERY_KIND = { kinds: ['flip', 'stuck0', 'stuck1', 'kill', 'ecc'] as const, targets: ['regs', 'pc', 'csr', 'mem', 'result'] };

/** A run of `program` to its end on a fresh machine, as `lockstep run` runs it (stdin at its end). */
async function runFromStart(program: Program, topology: Topology, faults: Fault[], limit: number, compare: ComparePoint = 'every') {
  const output: number[] = [];
  const machine = await Machine.create({ topology, compare, blockingInput: true, console: { write: (fd, bytes) => { if (fd === 1) output.push(...bytes); }, read: () => null } });
  machine.load(program);
  for (const f of faults) machine.inject(f);
  while (!machine.halt && machine.instret < limit) machine.run(Math.min(limit - machine.instret, 2 ** 30));
  return { machine, output: Uint8Array.from(output) };
}

/** What `lockstep run PROGRAM --inject SPEC --classify` reports: outcome, detection latency, instructions. */
async function classifiedFromStart(program: Program, topology: Topology, fault: Fault, compare: ComparePoint = 'every') {
  const reference = await runFromStart(program, topology, [], Infinity, compare);
  const faulty = await runFromStart(program, topology, [fault], HANG_FACTOR * reference.machine.instret, compare);
  const outcome = classify(
    { halt: reference.machine.halt, output: reference.output, events: reference.machine.events },
    { halt: faulty.machine.halt, output: faulty.output, events: faulty.machine.events, notActivated: faulty.machine.notActivated() },
  );
  return { outcome, latency: detectionLatency(faulty.machine.events), instructions: faulty.machine.instret };
}

const tally = (records: RunRecord[]) => records.reduce<Record<string, number>>((t, r) => ({ ...t, [r.outcome]: (t[r.outcome] ?? 0) + 1 }), {});

describe('checkpoints and early stops change nothing', () => {
  it.each(TOPOLOGIES)('%s: 100 seeded faults equal the same faults run from the start', async (topology) => {
    // Faults of every kind (RAM words dominate that space), and register flips, whose runs
    // often end early; checkpoints every 1,000 instructions, about 30, so most runs cross several.
    const records: { record: RunRecord; fault: Fault }[] = [];
    for (const [space, runs] of [[EVERY_KIND, 60], [{ kinds: ['flip'] as const, targets: ['regs'] }, 40]] as const) {
      const engine = await CampaignEngine.prepare({ program: checksum, topology, seed: 11, space }, { checkpointEvery: 1000 });
      for (let k = 0; k < runs; k++) records.push({ record: engine.run(k), fault: engine.space.fault(11, k) });
    }
    for (const { record: r, fault } of records) {
      expect({ fault: r.fault, ...(await classifiedFromStart(checksum, topology, fault)) }).toEqual({ fault: r.fault, outcome: r.outcome, latency: r.latency, instructions: r.instructions });
    }
    // Both paths were taken: runs that ended early and runs that went to their end.
    expect(records.some(({ record }) => record.early)).toBe(true);
    expect(records.some(({ record }) => !record.early)).toBe(true);
  });

  it('a run that printed something wrong and then came back to the reference\'s state ends early as sdc', async () => {
    // Prints 'B' 200 times, setting t0 afresh each turn: a flip of t0 prints one wrong byte, then is gone.
    const program = assembleOrThrow(`
      _start: li s0, 200
              li s1, 0x10000000
      loop:   li t0, 65
              addi t0, t0, 1
              sb t0, 0(s1)
              addi s0, s0, -1
              bnez s0, loop
              li t0, 0x00100000
              li t1, 0x5555
              sw t1, 0(t0)
      1:      j 1b`);
    const engine = await CampaignEngine.prepare({ program, topology: 'simplex', seed: 3, space: { kinds: ['flip'], targets: ['t0'] } }, { checkpointEvery: 100 });
    const records = Array.from({ length: 60 }, (_, k) => engine.run(k));
    for (const r of records) {
      expect({ fault: r.fault, ...(await classifiedFromStart(program, 'simplex', engine.space.fault(3, r.k))) }).toEqual({ fault: r.fault, outcome: r.outcome, latency: r.latency, instructions: r.instructions });
    }
    expect(records.some((r) => r.outcome === 'sdc' && r.early)).toBe(true);
  });

  it.each([['tmr', 'store'], ['dmr', 'io']] as const)('%s comparing at %s only: 30 faults equal the same faults run from the start', async (topology, compare) => {
    const engine = await CampaignEngine.prepare({ program: checksum, topology, compare, seed: 12, space: EVERY_KIND }, { checkpointEvery: 2000 });
    for (let k = 0; k < 30; k++) {
      const r = engine.run(k);
      expect({ fault: r.fault, ...(await classifiedFromStart(checksum, topology, engine.space.fault(12, k), compare)) }).toEqual({ fault: r.fault, outcome: r.outcome, latency: r.latency, instructions: r.instructions });
    }
  });

  it('a workload run\'s ledger equals `lockstep run --workload`\'s, and its outcome the one without checkpoints', async () => {
    const workload = workloadByName('process-control');
    const program = loadProgram(readFileSync(new URL(`../../examples/${workload.source}`, import.meta.url)), workload.source);
    const settings = { name: 'process-control', duration: '10ms' };
    for (const topology of ['simplex', 'tmr'] as const) {
      const setup: CampaignSetup = { program, topology, seed: 4, workload: settings, space: { kinds: ['flip', 'stuck1'], targets: ['regs', 'pc', 'mem', 'result'] } };
      const fast = await CampaignEngine.prepare(setup, { checkpointEvery: 200 });
      const plain = await CampaignEngine.prepare(setup, { checkpointEvery: Infinity, earlyStop: false });
      const records = Array.from({ length: 30 }, (_, k) => fast.run(k));
      for (const r of records) {
        const fault = fast.space.fault(4, r.k);
        const machine = await Machine.create({ topology, console: { write() {}, read: () => null } });
        machine.load(program);
        machine.inject(fault);
        const { ledger } = runWorkload(machine, feedOptionsFor(settings));
        expect({ k: r.k, ledger: r.ledger, latency: r.latency }).toEqual({ k: r.k, ledger, latency: detectionLatency(machine.events) });
        expect(r.outcome).toBe(plain.run(r.k).outcome);
      }
      expect(records.some((r) => r.early)).toBe(true);
    }
  });
});

describe('what single faults do to each topology', () => {
  it('the reference is the checksum program\'s fault-free run', async () => {
    const engine = await CampaignEngine.prepare({ program: checksum, topology: 'tmr', seed: 1, space: EVERY_KIND });
    expect(engine.reference.exitCode).toBe(0);
    expect(engine.reference.stdoutBytes).toBe(CHECKSUM_OUTPUT.length);
  });

  it.each(['pair-spare', 'tmr'] as const)('%s: 300 single faults of every kind, no sdc and no crash', async (topology) => {
    const engine = await CampaignEngine.prepare({ program: checksum, topology, seed: 2, space: EVERY_KIND });
    const outcomes = tally(Array.from({ length: 300 }, (_, k) => engine.run(k)));
    expect(outcomes.sdc ?? 0).toBe(0);
    expect(outcomes.crash ?? 0).toBe(0);
    expect(outcomes.recovered).toBeGreaterThan(0);
  });

  it('simplex: register flips corrupt the checksum (sdc) in some runs', async () => {
    const engine = await CampaignEngine.prepare({ program: checksum, topology: 'simplex', seed: 2, space: { kinds: ['flip'], targets: ['regs'] } });
    const outcomes = tally(Array.from({ length: 200 }, (_, k) => engine.run(k)));
    expect(outcomes.sdc).toBeGreaterThan(0);
    expect(outcomes.recovered ?? 0).toBe(0); // nothing checks a simplex machine
  });

  it('dmr with a comparator stuck at agree (a latent fault, carried by every run): the campaign finds it as silent corruption that a healthy dmr never lets out', async () => {
    const space = { kinds: ['flip'] as const, targets: ['regs'] };
    const healthy = await CampaignEngine.prepare({ program: checksum, topology: 'dmr', seed: 4, space: { ...space, kinds: [...space.kinds] } });
    const stuck = await CampaignEngine.prepare({
      program: checksum, topology: 'dmr', seed: 4, space: { ...space, kinds: [...space.kinds] },
      background: [parseFault('at=0,board=0,kind=stuck-agree,target=comparator')],
    });
    const runs = 150;
    const before = tally(Array.from({ length: runs }, (_, k) => healthy.run(k)));
    const after = Array.from({ length: runs }, (_, k) => stuck.run(k));
    expect(before.sdc ?? 0).toBe(0);
    expect(tally(after).sdc).toBeGreaterThan(0);
    expect(tally(after).failstop ?? 0).toBe(0); // nothing is ever reported: no divergence stops it
    // A flip that the healthy dmr stops is silent corruption (module 0 drives the output) or
    // masked (module 1's, or a dead value) on the stuck one; the same fault, run for run.
    for (let k = 0; k < runs; k++) {
      const was = healthy.run(k).outcome;
      if (was === 'failstop') expect(['sdc', 'masked', 'hang', 'crash']).toContain(after[k].outcome);
    }
  });
});
