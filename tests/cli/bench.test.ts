/**
 * `lockstep bench`: the table and the JSON carry what the figures mean (no timing is
 * asserted: the machines are shared). Every topology runs the same instructions, at least
 * 100 M a workload, and the ratios are taken against simplex in the same invocation.
 */
import { describe, expect, it } from 'vitest';
import { expectUsageError, lockstep, lines } from './lockstep.ts';

describe('lockstep bench', () => {
  it('--json: one result per workload and topology, ratios against simplex, and the assembler', async () => {
    const run = await lockstep(['bench', '--workload', 'int-mix,assembler', '--topology', 'dmr,simplex', '--runs', '1', '--json']);
    expect(run.status).toBe(0);
    const json = JSON.parse(run.stdout.toString());
    expect(json.runs).toBe(1);
    const [simplex, dmr] = json.results;
    expect([simplex.topology, dmr.topology]).toEqual(['simplex', 'dmr']); // simplex first: the others are measured against it
    expect(simplex.instructions).toBeGreaterThanOrEqual(100_000_000);
    expect(dmr.instructions).toBe(simplex.instructions);
    expect(simplex.vs_simplex).toBe(1);
    expect(dmr.vs_simplex).toBeCloseTo(dmr.mips / simplex.mips, 2);
    expect(dmr.mips_runs).toHaveLength(1);
    expect(json.assembler).toMatchObject({ lines: 10_000 });
    expect(json.assembler.ms_runs.length).toBeGreaterThanOrEqual(10);
  }, 60_000);

  it('prints a table with a header and one row a measurement', async () => {
    const run = await lockstep(['bench', '--workload', 'memory', '--topology', 'simplex', '--runs', '1']);
    expect(run.status).toBe(0);
    const [header, row, ...rest] = lines(run.stdout.toString());
    expect(header.split(/\s{2,}/)).toEqual(['workload', 'topology', 'instructions', 'MIPS', '× simplex', 'memory']);
    expect(row).toMatch(/^memory\s+simplex\s+[\d,]+\s+[\d.]+\s+1\.00\s+[\d.]+ MiB$/);
    expect(rest).toEqual([]);
  }, 60_000);

  it.each([
    [['--workload', 'nope'], [/--workload/, /'nope'/]],
    [['--topology', 'quad'], [/--topology/, /'quad'/]],
    [['--runs', '0'], [/--runs/]],
  ])('rejects bad options: %j', async (args, words) => {
    expectUsageError(await lockstep(['bench', ...args]), words);
  });
});
