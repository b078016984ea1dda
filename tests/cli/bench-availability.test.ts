/**
 * The availability row of `lockstep bench` (src/cli/bench-availability.ts): the Monte Carlo
 * simulator's events per CPU second, selected with --workload availability. No speed is
 * asserted (the machines are shared); the figures must be present and consistent.
 */
import { describe, expect, it } from 'vitest';
import { lines, lockstep } from './lockstep.ts';

describe('lockstep bench --workload availability', () => {
  it('--json: events of the six models and the median rate of the timed runs', async () => {
    const run = await lockstep(['bench', '--workload', 'availability', '--runs', '3', '--json']);
    expect(run.status, run.stderr).toBe(0);
    const json = JSON.parse(run.stdout.toString());
    expect(json.results).toEqual([]); // no machine workload was selected
    expect(json.workloads.availability).toMatch(/Monte Carlo/);
    const { events, mevents_per_s: rate, mevents_per_s_runs: runs } = json.availability;
    expect(events).toBeGreaterThan(1_000_000);
    expect(runs).toHaveLength(3);
    expect(rate).toBe([...runs].sort((a: number, b: number) => a - b)[1]);
  }, 60_000);

  it('prints one line', async () => {
    const run = await lockstep(['bench', '--workload', 'availability', '--runs', '1']);
    expect(run.status).toBe(0);
    expect(lines(run.stdout.toString())).toEqual([expect.stringMatching(/^availability Monte Carlo: [\d,]+ events \(six models\) at [\d.]+ M events per CPU second \(median of 1\)$/)]);
  }, 60_000);
});
