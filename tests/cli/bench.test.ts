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
    const [simplex, translated, dmr, dmrTranslated] = json.results;
    // simplex first: the others are measured against it; each topology on both engines
    expect(json.results.map((r: { topology: string; engine: string }) => `${r.topology}/${r.engine}`)).toEqual(['simplex/interp', 'simplex/translate', 'dmr/interp', 'dmr/translate']);
    expect(simplex.instructions).toBeGreaterThanOrEqual(100_000_000);
    expect(translated.instructions).toBe(simplex.instructions);
    expect(dmr.instructions).toBe(simplex.instructions);
    expect(dmrTranslated.instructions).toBe(simplex.instructions);
    expect(dmrTranslated.vs_interp).toBeCloseTo(dmrTranslated.mips / dmr.mips, 2);
    expect(dmr.first_million_vs_interp).toBeNull();
    expect(dmrTranslated.first_million_vs_interp).toBeCloseTo(dmrTranslated.first_million_ms / dmr.first_million_ms, 2);
    expect(simplex.vs_simplex).toBe(1);
    expect(simplex.vs_interp).toBeNull();
    expect(translated.vs_interp).toBeCloseTo(translated.mips / simplex.mips, 2);
    expect(translated.translation_ms).toBeGreaterThan(0);
    expect(simplex.translation_ms).toBeNull();
    expect(dmr.vs_simplex).toBeCloseTo(dmr.mips / simplex.mips, 2);
    expect(dmr.mips_runs).toHaveLength(1);
    expect(json.assembler).toMatchObject({ lines: 10_000 });
    expect(json.assembler.ms_runs.length).toBeGreaterThanOrEqual(10);
  }, 60_000);

  it('prints a table with a header and one row a measurement', async () => {
    const run = await lockstep(['bench', '--workload', 'memory', '--topology', 'simplex', '--runs', '1']);
    expect(run.status).toBe(0);
    const [header, interp, translate, ...rest] = lines(run.stdout.toString());
    expect(header.split(/\s{2,}/)).toEqual(['workload', 'topology', 'engine', 'instructions', 'MIPS', '× simplex', '× interp', 'translation', 'first 1M', 'memory']);
    expect(interp).toMatch(/^memory\s+simplex\s+interp\s+[\d,]+\s+[\d.]+\s+1\.00\s+-\s+-\s+[\d.]+ ms\s+[\d.]+ MiB$/);
    expect(translate).toMatch(/^memory\s+simplex\s+translate\s+[\d,]+\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+[\d.]+ ms\s+[\d.]+ ms\s+[\d.]+ MiB$/);
    expect(rest).toEqual([]);
  }, 60_000);

  it.each([
    [['--workload', 'nope'], [/--workload/, /'nope'/]],
    [['--topology', 'quad'], [/--topology/, /'quad'/]],
    [['--runs', '0'], [/--runs/]],
    [['--engine', 'jit'], [/--engine/, /'jit'/]],
  ])('rejects bad options: %j', async (args, words) => {
    expectUsageError(await lockstep(['bench', ...args]), words);
  });
});
