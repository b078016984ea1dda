/**
 * Determinism (DESIGN §2, §10): the same program and fault plan give the same report, and a
 * snapshot restored and continued equals the uninterrupted run — repeated at many points of
 * one run, through faults, divergence, replacement and pre-copy resync.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleOrThrow, machineFor } from '../helpers/machine.ts';
import { Machine, type ComparePoint } from '../../src/machine/machine.ts';
import { buildReport } from '../../src/machine/report.ts';
import { Random } from '../../src/fault/random.ts';

const program = assembleOrThrow(readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8'), 'checksum.s');
const FAULTS = ['at=1500,module=2,kind=stuck1,target=t3,bit=9', 'at=9000,module=0,kind=ecc,target=mem:0x80001010,bit=2'];

async function scenario(compare: ComparePoint = 'every') {
  const { machine, output } = await machineFor(program, { topology: 'tmr', compare, faults: FAULTS, repairAfter: 1000, copyBytesPerCycle: 64 });
  return { machine, output };
}

function timeless(machine: Machine) {
  const { wall_ms: _w, mips: _m, ...rest } = buildReport(machine, { exitCode: machine.halt?.exitCode ?? -1, stopReason: machine.halt?.reason ?? 'running', wallMs: 1 });
  return rest;
}

describe('determinism', () => {
  it('the same program and fault plan give the same report', async () => {
    const a = await scenario();
    const b = await scenario();
    while (!a.machine.halt) a.machine.run(777);
    while (!b.machine.halt) b.machine.run(100_000);
    expect(JSON.stringify(timeless(b.machine))).toBe(JSON.stringify(timeless(a.machine)));
    expect(b.output()).toEqual(a.output());
    expect(a.machine.events.some((e) => e.kind === 'resync-done')).toBe(true);
  });

  it.each(['every', 'store'] as const)('snapshot → restore → continue equals the uninterrupted run, at many points of one run (compare %s)', async (compare) => {
    const golden = await scenario(compare);
    while (!golden.machine.halt) golden.machine.run(1_000_000);
    const goldenSnapshot = Buffer.from(golden.machine.snapshot());

    const random = new Random(11);
    let { machine } = await scenario(compare);
    const chunks: number[] = [];
    const console = { write: (_fd: 1 | 2, b: Uint8Array) => chunks.push(...b), read: () => null };
    machine.console = console;
    let hops = 0;
    while (!machine.halt) {
      machine.run(1 + random.below(1200));
      machine = await Machine.fromSnapshot(machine.snapshot(), console);
      hops++;
    }
    expect(hops).toBeGreaterThan(20);
    expect(Uint8Array.from(chunks)).toEqual(golden.output());
    expect(machine.events).toEqual(golden.machine.events);
    if (compare === 'store') expect(machine.events.some((e) => e.kind === 'diverge' && e.first_differed !== undefined)).toBe(true);
    expect(Buffer.from(machine.snapshot()).equals(goldenSnapshot)).toBe(true);
  });

  it('a snapshot of lockstep modules costs about one module', async () => {
    const { machine } = await machineFor(program, { topology: 'pair-spare' });
    machine.run(20_000);
    const size = machine.snapshot().byteLength;
    const L = machine.core.layout;
    const stateRegion = (L.TRACE - L.MACHINE) + (L.RAM_SLOTS - L.DIRTY);
    // Module 0's touched pages, a tag byte for each other page: far below 4 × RAM.
    expect(size).toBeLessThan(stateRegion + 64 * 1024 + 4 * (machine.ramSize / L.PAGE_SIZE) + 4096);
  });
});
