/**
 * `lockstep availability` end to end (issue 14): the table, the --json shape with full
 * precision, friendly forms of the rates, costs, resync pauses, the simulation, campaign
 * coverage, and one clear line with exit status 2 for each bad parameter. Expected figures
 * are worked out by hand from the textbook formulas (see tests/availability/models.test.ts).
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, lines, lockstep, tempDir } from './lockstep.ts';

const dir = tempDir();
const at = (name: string) => join(dir, name);
const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

const json = async (args: string[]) => {
  const run = await lockstep(['availability', '--json', ...args]);
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.toString()) as { models: Record<string, any>[] };
};

const dmrSummary = {
  topology: 'dmr',
  runs: 1000,
  outcomes: { recovered: { count: 900 }, masked: { count: 50 }, failstop: { count: 30 }, sdc: { count: 10 }, hang: { count: 5 }, crash: { count: 5 } },
};
writeFileSync(at('dmr.json'), JSON.stringify(dmrSummary));
writeFileSync(at('tmr.json'), JSON.stringify({ ...dmrSummary, topology: 'tmr' }));
writeFileSync(at('broken.json'), '{ "topology": ');
writeFileSync(at('short.json'), JSON.stringify({ ...dmrSummary, runs: 999 }));

describe('lockstep availability', () => {
  it('prints a table: one row per model, every model by default', async () => {
    const run = await lockstep(['availability']);
    expect(run.status).toBe(0);
    const out = lines(run.stdout.toString());
    const header = out.findIndex((l) => l.startsWith('model'));
    expect(out[header].split(/\s{2,}/)).toEqual(['model', 'availability', 'unavailability', 'downtime/yr', 'nines', 'MTTF', 'interruptions/yr']);
    expect(out.slice(header + 1, header + 7).map((l) => l.split(/\s+/)[0])).toEqual(['simplex', 'dmr', 'tmr', 'tmr-degrade', 'pair-spare', 'cluster']);
    // Defaults λ = 1e-5, μ = 0.25: simplex U = 1e-5/0.25001 = 3.99984e-5 → 21.04 min a year, 4.40 nines, MTTF 100,000 h.
    expect(out[header + 1]).toMatch(/^simplex\s+0\.99996000\s+4\.00e-5\s+21\.04 min\s+4\.40\s+100,000 h \(11\.4 y\)\s+0\.0877$/);
  });

  it('five nines prints as 5.26 minutes of downtime a year', async () => {
    // simplex λ = 1, μ = 99,999: A = 99,999/100,000 = 0.99999.
    const run = await lockstep(['availability', '--model', 'simplex', '--lambda', '1', '--mu', '99999']);
    expect(run.stdout.toString()).toMatch(/^simplex\s+0\.99999000\s+1\.00e-5\s+5\.26 min\s+5\.00\s/m);
  });

  it('--json: the issue\'s shape, in the order given, with full double precision', async () => {
    const { models } = await json(['--model', 'tmr,simplex', '--lambda', '0.01', '--mu', '1']);
    expect(Object.keys(models[0])).toEqual(['model', 'availability', 'unavailability', 'downtime_min_per_year', 'nines', 'mttf_hours', 'interruptions_per_year']);
    expect(models.map((m) => m.model)).toEqual(['tmr', 'simplex']);
    const [tmr, simplex] = models;
    // simplex: A = 100/101, U = 1/101, downtime 525,960/101 min, MTTF 100 h, interruptions 8766/101 a year.
    expect(rel(simplex.availability, 100 / 101)).toBeLessThan(1e-15);
    expect(rel(simplex.unavailability, 1 / 101)).toBeLessThan(1e-15);
    expect(rel(simplex.downtime_min_per_year, 525_960 / 101)).toBeLessThan(1e-15);
    expect(rel(simplex.nines, Math.log10(101))).toBeLessThan(1e-15);
    expect(simplex.mttf_hours).toBe(100);
    expect(rel(simplex.interruptions_per_year, 8766 / 101)).toBeLessThan(1e-15);
    // tmr: U = 0.000606/1.030606, MTTF = 5/(6λ) + μ/(6λ²) = 1750 h.
    expect(rel(tmr.unavailability, 0.000606 / 1.030606)).toBeLessThan(1e-14);
    expect(rel(tmr.mttf_hours, 1750)).toBeLessThan(1e-14);
  });

  it('takes friendly forms: --mtbf, --mttr, --restart, --failover, --manual, --standby-mtbf', async () => {
    const friendly = await json(['--mtbf', '100000h', '--mttr', '240min', '--restart', '10min', '--failover', '60s', '--manual', '2h', '--standby-mtbf', '50000']);
    const rates = await json(['--lambda', '1e-5', '--mu', '0.25', '--rho', '6', '--failover-rate', '60', '--manual-rate', '0.5', '--standby-lambda', '2e-5']);
    friendly.models.forEach((m, k) => {
      expect(m.model).toBe(rates.models[k].model);
      expect(rel(m.unavailability, rates.models[k].unavailability)).toBeLessThan(1e-14);
      expect(rel(m.interruptions_per_year, rates.models[k].interruptions_per_year)).toBeLessThan(1e-14);
    });
  });

  it('costs: downtime, interruptions and hardware over --years', async () => {
    const { models } = await json(['--model', 'simplex,dmr', '--lambda', '0.01', '--mu', '1', '--coverage', '0.9', '--rho', '2',
      '--downtime-cost', '250,000/h', '--interruption-cost', '1000', '--hardware-cost', '$10000', '--years', '3']);
    const [simplex, dmr] = models;
    // simplex: 8766/101 h down a year · 250,000 + 8766/101 interruptions · 1000; hardware 1 · 10,000.
    const perYear = (8766 / 101) * 250_000 + (8766 / 101) * 1000;
    expect(rel(simplex.cost.per_year, perYear)).toBeLessThan(1e-14);
    expect(simplex.cost.hardware).toBe(10_000);
    expect(rel(simplex.cost.total, 10_000 + 3 * perYear)).toBeLessThan(1e-14);
    // dmr: U = 1/851 → 8766/851 h; interruptions 0.0022/1.0212 per hour; two modules.
    expect(rel(dmr.cost.downtime_per_year, (8766 / 851) * 250_000)).toBeLessThan(1e-14);
    expect(rel(dmr.cost.interruptions_per_year, (0.0022 / 1.0212) * 8766 * 1000)).toBeLessThan(1e-14);
    expect(dmr.cost.hardware).toBe(20_000);
  });

  it('prints the cost table, per minute costs converted to per hour', async () => {
    const run = await lockstep(['availability', '--model', 'simplex', '--lambda', '0.01', '--mu', '1', '--downtime-cost', '1000/min', '--hardware-cost', '5000', '--years', '2']);
    const out = run.stdout.toString();
    expect(out).toMatch(/Expected cost \(downtime 60,000 per hour, hardware 5,000 per module; total over 2 years\)/);
    // 8766/101 h · 60,000 = 5,207,524 a year; total 5000 + 2 · that = 10,420,048.
    expect(out).toMatch(/^simplex\s+1\s+5,207,525\s+0\s+5,207,525\s+5,000\s+10,420,050$/m);
  });

  it('--resync-pause: each lockstep repair adds a visible stop', async () => {
    const run = await lockstep(['availability', '--model', 'dmr', '--lambda', '0.01', '--mu', '1', '--coverage', '0.9', '--rho', '2', '--resync-pause', '3min', '--json']);
    // pause 0.05 h: U = 0.0022/1.0222, interruptions (0.0022 + 0.02)/1.0222 an hour.
    const [dmr] = JSON.parse(run.stdout.toString()).models;
    expect(rel(dmr.unavailability, 0.0022 / 1.0222)).toBeLessThan(1e-14);
    expect(rel(dmr.interruptions_per_year, (0.0222 / 1.0222) * 8766)).toBeLessThan(1e-14);
    const text = (await lockstep(['availability', '--resync-pause', '2s'])).stdout.toString();
    expect(text).toMatch(/Resync pause: 2 s after each repair of dmr, tmr, tmr-degrade, pair-spare: .*A user sees that stop: it counts as downtime and as an interruption\./);
  });

  it('--simulate: 99 % intervals, and whether the closed form lies inside', async () => {
    const args = ['--lambda', '0.02', '--mu', '1', '--coverage', '0.9', '--rho', '2', '--pair-coverage', '0.9', '--standby-lambda', '0.01',
      '--failover-rate', '5', '--failover-coverage', '0.8', '--manual-rate', '0.5', '--simulate', '--runs', '200', '--years', '2', '--seed', '14'];
    const { models } = await json(args);
    for (const m of models) {
      const s = m.simulation;
      expect(s).toMatchObject({ runs: 200, years: 2, seed: 14, rarely_entered: [] });
      expect(s.availability.low).toBeLessThan(s.availability.high);
      expect(s.availability.closed_form_inside).toBe(s.availability.low <= m.availability && m.availability <= s.availability.high);
      expect(s.availability.closed_form_inside).toBe(true);
      expect(s.interruptions_per_year.closed_form_inside).toBe(true);
    }
    const text = (await lockstep(['availability', ...args])).stdout.toString();
    expect(text).toMatch(/Monte Carlo: 200 independent runs of 2 years each, seed 14/);
    expect(text).toMatch(/^dmr\s+\[0\.99\d+, 0\.99\d+\]\s+yes\s+\[[\d.]+, [\d.]+\]\s+yes\s+[\d,]+\s+[\d,]+$/m);
  });

  it('--simulate with realistic rates warns that rare outages were not seen', async () => {
    const text = (await lockstep(['availability', '--model', 'tmr', '--simulate', '--runs', '10', '--years', '1'])).stdout.toString();
    expect(text).toMatch(/entered fewer than 30 times — tmr \(0, 1\).*raise --runs or --years/);
  });

  it('--from-campaign: the lower end of the coverage interval by default', async () => {
    // 900 recovered of 950 unmasked faults: Wilson 95 % [0.93128185, 0.95985155] (tests/availability/campaign.test.ts).
    const [lower] = (await json(['--model', 'dmr', '--from-campaign', at('dmr.json')])).models;
    const [low] = (await json(['--model', 'dmr', '--coverage', '0.93128185'])).models;
    expect(rel(lower.unavailability, low.unavailability)).toBeLessThan(1e-6); // U ∝ 1 − c: 8 digits of c give 6 of U
    const [point] = (await json(['--model', 'dmr', '--from-campaign', at('dmr.json'), '--campaign-estimate', 'point'])).models;
    const [exact] = (await json(['--model', 'dmr', '--coverage', String(900 / 950)])).models;
    expect(point.unavailability).toBe(exact.unavailability);
    const text = (await lockstep(['availability', '--model', 'dmr', '--from-campaign', at('dmr.json')])).stdout.toString();
    expect(text).toMatch(/coverage from .*dmr\.json: 900 of 950 unmasked faults recovered = 0\.9474, 95 % interval \[0\.9313, 0\.9599\]; using 0\.9313 \(lower\)/);
  });

  it('--help lists every option', async () => {
    const run = await lockstep(['availability', '--help']);
    expect(run.status).toBe(0);
    for (const option of ['--model', '--lambda', '--mtbf', '--mu', '--mttr', '--coverage', '--rho', '--restart', '--pair-coverage', '--standby-lambda',
      '--standby-mtbf', '--failover-rate', '--failover ', '--failover-coverage', '--manual-rate', '--manual ', '--resync-pause', '--from-campaign',
      '--campaign-estimate', '--downtime-cost', '--interruption-cost', '--hardware-cost', '--years', '--simulate', '--runs', '--seed', '--json']) {
      expect(run.stdout.toString()).toContain(option);
    }
  });

  /** [what, arguments, words the one stderr line must contain]. */
  const BAD: [string, string[], RegExp[]][] = [
    ['a negative rate', ['--lambda', '-1'], [/--lambda/, /'-1'/, /not a positive rate per hour/]],
    ['a zero rate', ['--mu', '0'], [/--mu/, /'0'/, /positive rate/]],
    ['a rate that is not a number', ['--rho', 'fast'], [/--rho/, /'fast'/]],
    ['a negative standby rate', ['--standby-lambda', '-1e-5'], [/--standby-lambda/, /non-negative rate/]],
    ['coverage above 1', ['--coverage', '1.5'], [/--coverage/, /'1\.5'/, /probability in \[0, 1\]/]],
    ['coverage below 0', ['--pair-coverage', '-0.1'], [/--pair-coverage/, /probability/]],
    ['failover coverage as a percentage', ['--failover-coverage', '95%'], [/--failover-coverage/, /'95%'/]],
    ['an unknown model', ['--model', 'dmr,quad'], [/--model/, /'quad'/, /simplex, dmr, tmr, tmr-degrade, pair-spare, cluster/]],
    ['a rate and its time together', ['--lambda', '1e-5', '--mtbf', '1000h'], [/--lambda and --mtbf/, /give one of them/]],
    ['a time with an unknown unit', ['--mttr', '4 fortnights'], [/--mttr/, /'4 fortnights'/, /90s, 10min, 4h/]],
    ['a zero time', ['--failover', '0s'], [/--failover/, /positive time/]],
    ['a negative resync pause', ['--resync-pause', '-2s'], [/--resync-pause/, /'-2s'/]],
    ['a bad downtime cost', ['--downtime-cost', 'lots/h'], [/--downtime-cost/, /'lots'/, /amount of money/]],
    ['a bad interruption cost', ['--interruption-cost', '-5'], [/--interruption-cost/, /'-5'/]],
    ['zero years', ['--years', '0'], [/--years/, /'0'/, /positive number of years/]],
    ['one run', ['--simulate', '--runs', '1'], [/--runs/, /at least 2 runs/]],
    ['a bad seed', ['--simulate', '--seed', 'x'], [/--seed/, /'x'/, /whole number/]],
    ['a missing campaign file', ['--from-campaign', at('missing.json')], [/--from-campaign/, /cannot read .*missing\.json/, /no such file/]],
    ['a campaign file that is not JSON', ['--from-campaign', at('broken.json')], [/--from-campaign/, /broken\.json is not JSON/]],
    ['a campaign summary whose counts do not add up', ['--from-campaign', at('short.json')], [/short\.json: not a campaign summary: outcomes: the outcome counts add up to 1000, not to runs \(999\)/]],
    ['a campaign that measures no coverage', ['--from-campaign', at('tmr.json')], [/a tmr campaign measures no coverage parameter/]],
    ['a campaign and the coverage it measures', ['--from-campaign', at('dmr.json'), '--coverage', '0.9'], [/dmr\.json measures --coverage, which is also given/]],
    ['an unknown campaign estimate', ['--from-campaign', at('dmr.json'), '--campaign-estimate', 'middle'], [/--campaign-estimate/, /'middle'/, /lower, point, upper/]],
    ['an unknown option', ['--lamda', '1'], [/unknown option '--lamda'/]],
  ];

  it.each(BAD)('rejects %s: one line, exit 2', async (_, args, words) => {
    expectUsageError(await lockstep(['availability', ...args]), words);
  });
});
