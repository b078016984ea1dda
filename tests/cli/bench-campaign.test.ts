/**
 * `lockstep bench --workload campaign`: the figures a campaign's speed is judged by, and how
 * they relate (no timing is asserted: the machines are shared).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { lines, lockstep, tempDir } from './lockstep.ts';

const dir = tempDir();

describe('lockstep bench --workload campaign', () => {
  it('--json: runs/s with 1 and 2 workers, their ratio, the share ended early and the speed-up over runs from the start', async () => {
    const run = await lockstep(['bench', '--workload', 'campaign', '--topology', 'tmr', '--campaign-runs', '60', '--runs', '1', '--json']);
    expect(run.status).toBe(0);
    const [result, ...rest] = JSON.parse(run.stdout.toString()).campaign;
    expect(rest).toEqual([]);
    const report = join(dir, 'reference.json');
    await lockstep(['run', fileURLToPath(new URL('../../examples/bench/campaign.s', import.meta.url)), '--topology', 'tmr', '--report', report]);
    const { instret } = JSON.parse(readFileSync(report, 'utf8'));
    expect(instret).toBeGreaterThanOrEqual(1_000_000);
    expect(result).toMatchObject({ topology: 'tmr', runs: 60, instructions: instret });
    expect(result.workers_2_vs_1).toBeCloseTo(result.runs_per_s_2 / result.runs_per_s_1, 1);
    expect(result.threads_2_vs_1).toBeGreaterThan(0);
    expect(result.speedup).toBeCloseTo(result.runs_per_s_2 / result.from_start_runs_per_s, 0);
    expect(result.ended_early).toBeGreaterThan(0); // tmr isolates a faulty module: the survivors' state is the reference's
    expect(result.ended_early).toBeLessThanOrEqual(1);
  }, 120_000);

  it('prints a table with a header and a row per topology', async () => {
    const run = await lockstep(['bench', '--workload', 'campaign', '--topology', 'simplex', '--campaign-runs', '20', '--runs', '1']);
    expect(run.status).toBe(0);
    const [title, header, row, ...others] = lines(run.stdout.toString());
    expect(title).toBe('campaign: 20 single bit flips (targets regs,pc,csr,mem,result) of examples/bench/campaign.s per topology');
    expect(header.trim().split(/\s{2,}/)).toEqual(['topology', 'runs/s 1 worker', '2 workers', '× 1 worker', '(2 threads)', 'ended early', 'from start', 'speed-up']);
    expect(row).toMatch(/^simplex\s+[\d.]+\s+[\d.]+\s+[\d.]+\s+\([\d.]+\)\s+[\d.]+ %\s+[\d.]+\s+[\d.]+×$/);
    expect(others).toEqual([]);
  }, 120_000);
});
