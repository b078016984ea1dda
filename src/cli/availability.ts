/**
 * `lockstep availability`: what each architecture buys in downtime, interruptions and money
 * (DESIGN §8), from the closed-form Markov models in src/availability, optionally
 * checked by a Monte Carlo simulation and fed with coverage measured by a campaign.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import {
  assess, costOf, coverageFromCampaign, DEFAULT_PARAMETERS, ESTIMATES, formatAvailability, formatDowntime, HOURS_PER_YEAR, inside, LOCKSTEP_MODELS, modelChain, MODELS, MODULES,
  RARE_ENTRIES, simulate, withCoverage, type Assessment, type Costs, type Estimate, type MeasuredCoverage, type Model, type Parameters, type SimulationResult,
} from '../availability/index.ts';
import { asUsage, UsageError } from './errors.ts';
import { DECIMAL, parseChoice, parseCount, parseDecimal } from './numbers.ts';

export interface AvailabilityOptions {
  model?: string;
  lambda?: string; mtbf?: string;
  mu?: string; mttr?: string;
  coverage?: string;
  rho?: string; restart?: string;
  pairCoverage?: string;
  standbyLambda?: string; standbyMtbf?: string;
  failoverRate?: string; failover?: string;
  failoverCoverage?: string;
  manualRate?: string; manual?: string;
  resyncPause?: string;
  fromCampaign: string[];
  campaignEstimate: string;
  downtimeCost?: string;
  interruptionCost?: string;
  hardwareCost?: string;
  years: string;
  simulate?: boolean;
  runs: string;
  seed: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Registers the command on the `lockstep` program. */
export function addAvailabilityCommand(cli: Command, setStatus: (status: number) => void): void {
  const d = DEFAULT_PARAMETERS;
  cli.command('availability')
    .description('availability, downtime, interruptions and cost per architecture, from Markov models (rates per hour)')
    .option('--model <names>', `comma-separated models: ${MODELS.join(', ')} (default: all)`)
    .option('--lambda <rate>', `λ: failure rate of one module or host, per hour (default ${d.lambda})`)
    .option('--mtbf <time>', 'instead of --lambda: mean time between failures of one module, e.g. 100000h')
    .option('--mu <rate>', `μ: repair rate, per hour (default ${d.mu})`)
    .option('--mttr <time>', 'instead of --mu: mean time to repair, e.g. 4h')
    .option('--coverage <c>', `c: probability that a duplex failure is detected, attributed and survived (default ${d.coverage})`)
    .option('--rho <rate>', `ρ: restart rate after an uncovered failure, per hour (default ${d.rho})`)
    .option('--restart <time>', 'instead of --rho: restart time, e.g. 10min')
    .option('--pair-coverage <c>', `c_p: coverage of a self-checking pair (default ${d.pairCoverage})`)
    .option('--standby-lambda <rate>', 'λ_s: failure rate of the cluster standby, per hour; 0 for a standby that does not fail (default: λ)')
    .option('--standby-mtbf <time>', 'instead of --standby-lambda: MTBF of the standby')
    .option('--failover-rate <rate>', `δ: failover rate (1 / failover time), per hour (default ${d.failoverRate})`)
    .option('--failover <time>', 'instead of --failover-rate: failover time, e.g. 60s')
    .option('--failover-coverage <c>', `c_fo: probability that a failover succeeds (default ${d.failoverCoverage})`)
    .option('--manual-rate <rate>', `ρ_m: manual recovery rate after a failed failover, per hour (default ${d.manualRate})`)
    .option('--manual <time>', 'instead of --manual-rate: manual recovery time, e.g. 1h')
    .option('--resync-pause <time>', `stop of a lockstep machine to resync each repaired module, e.g. 2s (${LOCKSTEP_MODELS.join(', ')}; a user sees it)`)
    .option('--from-campaign <summary.json>', 'take a coverage from a fault-injection campaign summary (dmr: c, pair-spare: c_p, cluster: c_fo; repeatable)', collect, [])
    .option('--campaign-estimate <end>', `which end of the campaign's 95 % interval: ${ESTIMATES.join(', ')}`, 'lower')
    .option('--downtime-cost <money>', 'cost of downtime, e.g. 250000/h (also /min, /s; a bare number is per hour)')
    .option('--interruption-cost <money>', 'cost of each visible interruption')
    .option('--hardware-cost <money>', 'cost of one module (or host): gives a total cost of ownership over --years')
    .option('--years <n>', 'years for the total cost of ownership, and of each simulated run', '5')
    .option('--simulate', 'also run a Monte Carlo simulation of each model, with 99 % confidence intervals')
    .option('--runs <n>', 'independent simulated runs (replications), at least 2', '1000')
    .option('--seed <n>', 'seed of the simulation', '1')
    .option('--json', 'print JSON: { "models": [ { model, availability, unavailability, downtime_min_per_year, nines, mttf_hours, interruptions_per_year } ] }')
    .action((options: AvailabilityOptions) => setStatus(availabilityCommand(options)));
}

/** Hours per unit of a duration. */
const HOURS: Record<string, number> = {
  ms: 1 / 3_600_000, s: 1 / 3600, sec: 1 / 3600, m: 1 / 60, min: 1 / 60, h: 1, hr: 1, d: 24, y: HOURS_PER_YEAR,
};

/** A duration in hours: a number of hours, or with a unit (90s, 10min, 4h, 2d, 1y). */
export function parseDuration(text: string, what: string, allowZero = false): number {
  const match = new RegExp(`^${DECIMAL}\\s*(ms|s|sec|m|min|h|hr|d|y)?$`, 'i').exec(text.trim().replace(/_/g, ''));
  const hours = match ? Number(match[1]) * HOURS[(match[2] ?? 'h').toLowerCase()] : NaN;
  if (!Number.isFinite(hours) || hours < 0 || (hours === 0 && !allowZero)) {
    throw new UsageError(`${what}: '${text}' is not a ${allowZero ? '' : 'positive '}time (write e.g. 90s, 10min, 4h, 2d or 1y; a bare number is hours)`);
  }
  return hours;
}

function parseRate(text: string, what: string, instead: string, allowZero = false): number {
  const rate = parseDecimal(text);
  if (!Number.isFinite(rate) || rate < 0 || (rate === 0 && !allowZero)) {
    throw new UsageError(`${what}: '${text}' is not a ${allowZero ? 'non-negative' : 'positive'} rate per hour (write e.g. 1e-5, or give ${instead})`);
  }
  return rate;
}

function parseProbability(text: string, what: string): number {
  const value = parseDecimal(text);
  if (!(value >= 0 && value <= 1)) throw new UsageError(`${what}: '${text}' is not a probability in [0, 1] (write e.g. 0.99)`);
  return value;
}

/** An amount of money: `250000`, `250_000`, `250,000`, `$250000`. */
function parseMoney(text: string, what: string): number {
  const value = parseDecimal(text.trim().replace(/^\$/, '').replace(/,/g, ''));
  if (!(value >= 0) || !Number.isFinite(value)) throw new UsageError(`${what}: '${text}' is not an amount of money (write e.g. 250000)`);
  return value;
}

/** Money per hour of downtime: `250000/h`, `4000/min`, a bare number per hour. */
export function parseCostRate(text: string, what: string): number {
  const match = /^(.*?)(?:\s*\/\s*(ms|s|sec|m|min|h|hr|d|y))?$/i.exec(text.trim());
  const amount = parseMoney(match![1], what);
  return amount / HOURS[(match![2] ?? 'h').toLowerCase()];
}

/** A rate given either directly (`--lambda`) or as the mean time it is one over (`--mtbf`). */
function rateOrTime(rate: string | undefined, time: string | undefined, rateFlag: string, timeFlag: string, fallback: number, allowZero = false): number {
  if (rate !== undefined && time !== undefined) throw new UsageError(`${rateFlag} and ${timeFlag} both set the same rate: give one of them`);
  if (rate !== undefined) return parseRate(rate, rateFlag, timeFlag, allowZero);
  if (time !== undefined) return 1 / parseDuration(time, timeFlag);
  return fallback;
}

function readSummary(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`--from-campaign: cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--from-campaign: ${path} is not JSON: ${(error as Error).message}`);
  }
}

const COVERAGE_FLAGS: Record<MeasuredCoverage['parameter'], keyof AvailabilityOptions> = {
  coverage: 'coverage', pairCoverage: 'pairCoverage', failoverCoverage: 'failoverCoverage',
};
const FLAG_NAME: Record<MeasuredCoverage['parameter'], string> = {
  coverage: '--coverage', pairCoverage: '--pair-coverage', failoverCoverage: '--failover-coverage',
};

/** The model parameters the options give, with campaign coverages in place. */
export function parametersFrom(options: AvailabilityOptions): { parameters: Parameters; measured: { file: string; coverage: MeasuredCoverage }[] } {
  const d = DEFAULT_PARAMETERS;
  const lambda = rateOrTime(options.lambda, options.mtbf, '--lambda', '--mtbf', d.lambda);
  let parameters: Parameters = {
    lambda,
    mu: rateOrTime(options.mu, options.mttr, '--mu', '--mttr', d.mu),
    coverage: options.coverage === undefined ? d.coverage : parseProbability(options.coverage, '--coverage'),
    rho: rateOrTime(options.rho, options.restart, '--rho', '--restart', d.rho),
    pairCoverage: options.pairCoverage === undefined ? d.pairCoverage : parseProbability(options.pairCoverage, '--pair-coverage'),
    standbyLambda: rateOrTime(options.standbyLambda, options.standbyMtbf, '--standby-lambda', '--standby-mtbf', lambda, true),
    failoverRate: rateOrTime(options.failoverRate, options.failover, '--failover-rate', '--failover', d.failoverRate),
    failoverCoverage: options.failoverCoverage === undefined ? d.failoverCoverage : parseProbability(options.failoverCoverage, '--failover-coverage'),
    manualRate: rateOrTime(options.manualRate, options.manual, '--manual-rate', '--manual', d.manualRate),
    resyncPause: options.resyncPause === undefined ? 0 : parseDuration(options.resyncPause, '--resync-pause', true),
  };
  const estimate = parseChoice(options.campaignEstimate, ESTIMATES, '--campaign-estimate') as Estimate;
  const measured: { file: string; coverage: MeasuredCoverage }[] = [];
  for (const file of options.fromCampaign) {
    const coverage = asUsage(() => coverageFromCampaign(readSummary(file), file, estimate), '--from-campaign');
    if (options[COVERAGE_FLAGS[coverage.parameter]] !== undefined) {
      throw new UsageError(`--from-campaign: ${file} measures ${FLAG_NAME[coverage.parameter]}, which is also given: give one of them`);
    }
    const earlier = measured.find((m) => m.coverage.parameter === coverage.parameter);
    if (earlier) throw new UsageError(`--from-campaign: ${file} and ${earlier.file} both measure ${FLAG_NAME[coverage.parameter]}: give one of them`);
    measured.push({ file, coverage });
    parameters = withCoverage(parameters, coverage);
  }
  return { parameters, measured };
}

function parseModels(text: string | undefined): Model[] {
  if (text === undefined || text.trim() === 'all') return [...MODELS];
  return text.split(',').map((name) => parseChoice(name.trim(), MODELS, '--model'));
}

interface Row extends Assessment {
  cost?: Costs;
  simulation?: {
    runs: number; years: number; seed: number; events: number; outages: number; rarely_entered: string[];
    availability: { mean: number; low: number; high: number; closed_form_inside: boolean };
    interruptions_per_year: { mean: number; low: number; high: number; closed_form_inside: boolean };
  };
}

export function availabilityCommand(options: AvailabilityOptions): number {
  const models = parseModels(options.model);
  const { parameters, measured } = parametersFrom(options);
  const years = parseDecimal(options.years);
  if (!(years > 0) || !Number.isFinite(years)) throw new UsageError(`--years: '${options.years}' is not a positive number of years`);
  const runs = parseCount(options.runs, '--runs');
  if (runs < 2) throw new UsageError(`--runs: '${options.runs}': a confidence interval needs at least 2 runs`);
  const seed = parseCount(options.seed, '--seed');
  const downtimeCost = options.downtimeCost === undefined ? undefined : parseCostRate(options.downtimeCost, '--downtime-cost');
  const interruptionCost = options.interruptionCost === undefined ? undefined : parseMoney(options.interruptionCost, '--interruption-cost');
  const hardwareCost = options.hardwareCost === undefined ? undefined : parseMoney(options.hardwareCost, '--hardware-cost');
  const costed = downtimeCost !== undefined || interruptionCost !== undefined || hardwareCost !== undefined;

  const rows: Row[] = models.map((model) => {
    const row: Row = assess(model, parameters);
    if (costed) {
      row.cost = costOf(row, { downtimePerHour: downtimeCost ?? 0, perInterruption: interruptionCost ?? 0, hardwarePerModule: hardwareCost ?? 0, years });
    }
    if (options.simulate) row.simulation = simulation(row, simulate(modelChain(model, parameters), { runs, years, seed }));
    return row;
  });

  if (options.json) {
    process.stdout.write(JSON.stringify({ models: rows }, null, 2) + '\n');
    return 0;
  }
  const out: string[] = [];
  out.push(describeParameters(parameters, models));
  for (const { file, coverage } of measured) {
    out.push(`${FLAG_NAME[coverage.parameter].slice(2)} from ${file}: ${coverage.recovered} of ${coverage.effective} unmasked faults recovered = ${coverage.point.toFixed(4)}, 95 % interval [${coverage.ci95[0].toFixed(4)}, ${coverage.ci95[1].toFixed(4)}]; using ${coverage.value.toFixed(4)} (${options.campaignEstimate})`);
  }
  out.push('', table(rows));
  out.push('interruptions/yr: entries into a down state per year — outages a user sees.');
  if (parameters.resyncPause > 0) {
    out.push(`Resync pause: ${formatHours(parameters.resyncPause)} after each repair of ${LOCKSTEP_MODELS.filter((m) => models.includes(m)).join(', ') || 'a lockstep model'}: the machine stops while the repaired module receives the survivor's state. A user sees that stop: it counts as downtime and as an interruption.`);
  }
  if (costed) out.push('', costTable(rows, years, downtimeCost, interruptionCost, hardwareCost));
  if (options.simulate) out.push('', simulationTable(rows, runs, years, seed));
  process.stdout.write(out.join('\n') + '\n');
  return 0;
}

function simulation(row: Assessment, result: SimulationResult): Row['simulation'] {
  const interval = (i: SimulationResult['availability'], value: number) => ({ mean: i.mean, low: i.low, high: i.high, closed_form_inside: inside(value, i) });
  return {
    runs: result.runs, years: result.years, seed: result.seed, events: result.events, outages: result.outages, rarely_entered: result.rarelyEntered,
    availability: interval(result.availability, row.availability),
    interruptions_per_year: interval(result.interruptionsPerYear, row.interruptions_per_year),
  };
}

function formatHours(hours: number): string {
  if (hours < 1 / 60) return `${+(hours * 3600).toPrecision(4)} s`;
  if (hours < 1) return `${+(hours * 60).toPrecision(4)} min`;
  return `${+hours.toPrecision(4)} h`;
}

function formatMttf(hours: number): string {
  const h = `${Math.round(hours).toLocaleString('en-US')} h`;
  return hours >= HOURS_PER_YEAR ? `${h} (${+(hours / HOURS_PER_YEAR).toPrecision(3)} y)` : h;
}

const money = (value: number) => Math.round(value).toLocaleString('en-US');

function describeParameters(p: Parameters, models: Model[]): string {
  const uses = (...names: Model[]) => names.some((m) => models.includes(m));
  const parts = [`λ ${p.lambda}/h (MTBF ${formatHours(1 / p.lambda)})`, `μ ${p.mu}/h (MTTR ${formatHours(1 / p.mu)})`];
  if (uses('dmr', 'tmr-degrade')) parts.push(`c ${p.coverage}`);
  if (uses('dmr', 'tmr-degrade', 'pair-spare')) parts.push(`ρ ${p.rho}/h (restart ${formatHours(1 / p.rho)})`);
  if (uses('pair-spare')) parts.push(`c_p ${p.pairCoverage}`);
  if (uses('cluster')) {
    parts.push(`λ_s ${p.standbyLambda}/h`, `δ ${p.failoverRate}/h (failover ${formatHours(1 / p.failoverRate)})`, `c_fo ${p.failoverCoverage}`, `ρ_m ${p.manualRate}/h (manual recovery ${formatHours(1 / p.manualRate)})`);
  }
  return `Availability per model — ${parts.join(', ')}`;
}

function grid(header: string[], rows: string[][], leftColumns = 1): string {
  const widths = header.map((h, k) => Math.max(h.length, ...rows.map((r) => r[k].length)));
  const line = (cells: string[]) => cells.map((c, k) => (k < leftColumns ? c.padEnd(widths[k]) : c.padStart(widths[k]))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

function table(rows: Row[]): string {
  return grid(
    ['model', 'availability', 'unavailability', 'downtime/yr', 'nines', 'MTTF', 'interruptions/yr'],
    rows.map((r) => [
      r.model, formatAvailability(r.availability, r.unavailability), r.unavailability.toExponential(2), formatDowntime(r.downtime_min_per_year),
      r.nines.toFixed(2), formatMttf(r.mttf_hours), r.interruptions_per_year.toPrecision(3),
    ]),
  );
}

function costTable(rows: Row[], years: number, downtime?: number, interruption?: number, hardware?: number): string {
  const basis = [
    downtime === undefined ? undefined : `downtime ${money(downtime)} per hour`,
    interruption === undefined ? undefined : `${money(interruption)} per interruption`,
    hardware === undefined ? undefined : `hardware ${money(hardware)} per module`,
  ].filter(Boolean).join(', ');
  return `Expected cost (${basis}; total over ${years} years)\n` + grid(
    ['model', 'modules', 'downtime/yr', 'interruptions/yr', 'per year', 'hardware', `total ${years} y`],
    rows.map((r) => [r.model, String(MODULES[r.model]), money(r.cost!.downtime_per_year), money(r.cost!.interruptions_per_year), money(r.cost!.per_year), money(r.cost!.hardware), money(r.cost!.total)]),
  );
}

function simulationTable(rows: Row[], runs: number, years: number, seed: number): string {
  const digits = (r: Row) => Math.min(15, Math.max(4, Math.ceil(r.nines) + 3));
  const body = grid(
    ['model', 'availability, 99 % interval', 'closed form inside', 'interruptions/yr, 99 % interval', 'closed form inside', 'events', 'outages'],
    rows.map((r) => {
      const s = r.simulation!;
      return [
        r.model, `[${s.availability.low.toFixed(digits(r))}, ${s.availability.high.toFixed(digits(r))}]`, s.availability.closed_form_inside ? 'yes' : 'NO',
        `[${s.interruptions_per_year.low.toPrecision(4)}, ${s.interruptions_per_year.high.toPrecision(4)}]`, s.interruptions_per_year.closed_form_inside ? 'yes' : 'NO',
        s.events.toLocaleString('en-US'), s.outages.toLocaleString('en-US'),
      ];
    }),
  );
  const few = rows.filter((r) => r.simulation!.rarely_entered.length > 0).map((r) => `${r.model} (${r.simulation!.rarely_entered.join(', ')})`);
  const warning = few.length
    ? `\nSome down states were entered fewer than ${RARE_ENTRIES} times — ${few.join('; ')} (states as in the README): those intervals rest on too few rare events and may miss the closed form; raise --runs or --years.`
    : '';
  return `Monte Carlo: ${runs.toLocaleString('en-US')} independent runs of ${years} years each, seed ${seed}, from every module working\n${body}${warning}`;
}
