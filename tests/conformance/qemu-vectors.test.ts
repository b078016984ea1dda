/**
 * The 200 RV32IM conformance vectors of ../shared/conformance: each program's stdout bytes
 * and exit code must be exactly what QEMU produced. Programs load through the CLI's path
 * (loadProgram) and run on every topology, which must not change what a program computes.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadProgram } from '../../src/isa/load.ts';
import { runProgram } from '../helpers/machine.ts';
import { TOPOLOGIES } from '../../src/machine/topology.ts';

const dir = new URL('../../../shared/conformance/', import.meta.url);
const vectors = readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
  .map((f) => JSON.parse(readFileSync(new URL(f, dir), 'utf8')));

describe('QEMU conformance vectors', () => {
  it('has all 200 vectors', () => expect(vectors).toHaveLength(200));

  it.each(vectors.map((v) => [v.name, v]))('%s', async (_name, vector) => {
    const bytes = readFileSync(new URL(vector.elf, dir));
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(vector.elf_sha256);
    const { machine, stdout } = await runProgram(loadProgram(bytes, vector.elf), { limit: 1_000_000 });
    expect(machine.halt?.reason).toBe('exit');
    expect(Buffer.from(stdout).toString('hex')).toBe(vector.expected_stdout_hex);
    expect(machine.halt?.exitCode).toBe(vector.expected_exit_code);
  });

  it.each(TOPOLOGIES.filter((t) => t !== 'simplex'))('gives the same results on %s', async (topology) => {
    for (const vector of vectors.slice(0, 40)) {
      const bytes = readFileSync(new URL(vector.elf, dir));
      const { machine, stdout } = await runProgram(loadProgram(bytes, vector.elf), { topology, limit: 1_000_000 });
      expect(Buffer.from(stdout).toString('hex')).toBe(vector.expected_stdout_hex);
      expect(machine.halt?.exitCode).toBe(vector.expected_exit_code);
      expect(machine.events.filter((e) => e.kind === 'diverge')).toEqual([]);
    }
  });
});
