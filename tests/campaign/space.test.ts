/**
 * The fault space: its size counted by hand for small spaces, the rules of DESIGN §5 on
 * which targets take which kinds, and the k-th fault as a pure function of (seed, k).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FaultSpace, SpaceError, type SpaceContext, type SpaceSpec } from '../../src/campaign/space.ts';
import { Machine } from '../../src/machine/machine.ts';
import type { Topology } from '../../src/machine/topology.ts';
import { formatFault, parseFault } from '../../src/fault/spec.ts';
import { csrNumber } from '../../src/isa/csr.ts';
import { assembleOrThrow } from '../helpers/machine.ts';

const program = assembleOrThrow(readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8'), 'checksum.s');

async function context(topology: Topology, instructions = 1000): Promise<SpaceContext & { machine: Machine }> {
  const machine = await Machine.create({ topology });
  machine.load(program);
  return { machine, moduleCount: machine.moduleCount, check: (f) => machine.checkFault(f), segments: program.segments, instructions };
}

const space = async (spec: Partial<SpaceSpec>, topology: Topology = 'simplex') =>
  new FaultSpace({ kinds: ['flip'], targets: ['regs'], ...spec }, await context(topology));

describe('fault space size', () => {
  it.each([
    ['31 registers × 32 bits', { targets: ['regs'] }, 31 * 32],
    ['pc: bits 2..31 only (no C extension)', { targets: ['pc'] }, 30],
    ['result: 32 bits', { targets: ['result'] }, 32],
    ['kill: one per module, whatever the targets', { kinds: ['kill'] as const, targets: ['regs'] }, 1],
    ['4 RAM words × 32 bits', { targets: ['mem:0x80001000..0x80001010'] }, 4 * 32],
    ['one RAM word', { targets: ['mem:0x80001000'] }, 32],
    ['overlapping ranges count once', { targets: ['mem:0x80001000..0x80001010', 'mem:0x80001008..0x80001014'] }, 5 * 32],
    ['named registers, one given twice', { targets: ['x5', 't0', 'a0'] }, 2 * 32],
    ['flip and stuck1 on two registers', { kinds: ['flip', 'stuck1'] as const, targets: ['x5', 'x6'] }, 2 * 2 * 32],
    ['ecc on pc and result: nothing; on a register: 32', { kinds: ['ecc'] as const, targets: ['pc', 'result', 'x5'] }, 32],
  ])('%s', async (_name, spec, sites) => {
    const s = await space(spec as Partial<SpaceSpec>);
    expect(s.sites).toBe(sites);
    expect(s.size).toBe(sites * 1000);
  });

  it('mem is the words of the program: its segments, rounded out to words', async () => {
    const words = program.segments.reduce((n, seg) => n + Math.ceil((seg.address + seg.memSize) / 4) - Math.floor(seg.address / 4), 0);
    expect((await space({ targets: ['mem'] })).sites).toBe(words * 32);
  });

  it('every module of tmr, or the ones named', async () => {
    expect((await space({ targets: ['regs'] }, 'tmr')).sites).toBe(3 * 31 * 32);
    expect((await space({ targets: ['regs'], modules: [0, 2] }, 'tmr')).sites).toBe(2 * 31 * 32);
  });

  it('csr: CSRs with state of their own, not constants nor the read-only counter shadows', async () => {
    const s = await space({ targets: ['csr'] });
    const faults = Array.from({ length: s.sites / 32 }, (_, i) => s.siteFault(i * 32, 0));
    const csrs = faults.map((f) => (f.target?.type === 'csr' ? f.target.csr : -1));
    expect(csrs).toContain(csrNumber('mepc'));
    expect(csrs).toContain(csrNumber('mcycle'));
    expect(csrs).not.toContain(csrNumber('mhartid'));
    expect(csrs.filter((c) => c >= 0xC00 && c <= 0xCFF)).toEqual([]);
  });

  it('a window narrows the instructions', async () => {
    const s = await space({ targets: ['result'], window: [100, 150] });
    expect(s.size).toBe(32 * 50);
  });
});

describe('bad spaces are refused with one line', () => {
  it.each([
    [{ kinds: ['ecc'] as const, targets: ['pc'] }, /fault space is empty/],
    [{ targets: ['x0'] }, /x0 is hard-wired/],
    [{ targets: ['cake'] }, /unknown target 'cake'/],
    [{ targets: ['mem:0x80001002'] }, /not word-aligned/],
    [{ targets: ['mem:0x10..0x20'] }, /outside RAM/],
    [{ targets: ['mem:0x80001010..0x80001000'] }, /range is empty/],
    [{ modules: [3] }, /module 3 does not exist/],
    [{ window: [10, 10] }, /holds no instruction/],
    [{ window: [0, 1001] }, /ends after the fault-free run's 1,000 instructions/],
  ])('%j', async (spec, message) => {
    await expect(space(spec as Partial<SpaceSpec>)).rejects.toThrow(SpaceError);
    await expect(space(spec as Partial<SpaceSpec>)).rejects.toThrow(message);
  });
});

describe('the k-th fault', () => {
  it('is a pure function of (seed, k): the same from a space built again, another for another seed', async () => {
    const spec: SpaceSpec = { kinds: ['flip', 'stuck0', 'kill', 'ecc'], targets: ['regs', 'pc', 'csr', 'mem', 'result'] };
    const a = new FaultSpace(spec, await context('tmr'));
    const b = new FaultSpace(spec, await context('tmr'));
    const faults = (s: FaultSpace, seed: number) => Array.from({ length: 200 }, (_, k) => formatFault(s.fault(seed, k)));
    expect(faults(a, 5)).toEqual(faults(b, 5));
    expect(faults(a, 6)).not.toEqual(faults(a, 5));
    expect(new Set(faults(a, 5)).size).toBeGreaterThan(190); // draws from a space of ~10⁷ faults
  });

  it('is a fault the spec and the machine accept, inside the window', async () => {
    const ctx = await context('pair-spare');
    const s = new FaultSpace({ kinds: ['flip', 'stuck0', 'stuck1', 'kill', 'ecc'], targets: ['regs', 'pc', 'csr', 'mem', 'result'], window: [200, 700] }, ctx);
    for (let k = 0; k < 500; k++) {
      const fault = s.fault(9, k);
      expect(parseFault(formatFault(fault))).toEqual(fault);
      expect(ctx.machine.checkFault(fault)).toBeUndefined();
      expect(fault.at).toBeGreaterThanOrEqual(200);
      expect(fault.at).toBeLessThan(700);
    }
  });

  it('is uniform over the sites: each of tmr\'s modules gets a third of 3,000 draws (within 4.5 σ)', async () => {
    const s = new FaultSpace({ kinds: ['flip'], targets: ['regs'] }, await context('tmr'));
    const counts = [0, 0, 0];
    for (let k = 0; k < 3000; k++) counts[(s.fault(1, k) as { module: number }).module]++;
    const sigma = Math.sqrt(3000 * (1 / 3) * (2 / 3));
    for (const c of counts) expect(Math.abs(c - 1000)).toBeLessThan(4.5 * sigma);
  });
});

describe('the instruction of the k-th fault', () => {
  it('is uniform over the window: 2,000 draws over 0..10,000 average 5,000 (within 4.5 σ) and spread out', async () => {
    const s = new FaultSpace({ kinds: ['flip'], targets: ['x5'] }, await context('simplex', 10_000));
    const ats = Array.from({ length: 2000 }, (_, k) => s.fault(3, k).at);
    const mean = ats.reduce((a, b) => a + b, 0) / ats.length;
    const sigma = Math.sqrt((10_000 ** 2 - 1) / 12 / ats.length); // of the mean of a discrete uniform
    expect(Math.abs(mean - 4999.5)).toBeLessThan(4.5 * sigma);
    expect(new Set(ats).size).toBeGreaterThan(1700); // 2,000 draws from 10,000 values: ~1,813 distinct
    const deciles = Array.from({ length: 10 }, (_, d) => ats.filter((at) => Math.floor(at / 1000) === d).length);
    for (const n of deciles) expect(Math.abs(n - 200)).toBeLessThan(4.5 * Math.sqrt(2000 * 0.1 * 0.9));
  });
});
