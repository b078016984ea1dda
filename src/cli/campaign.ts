/**
 * `lockstep campaign PROGRAM | --workload W`: a fault-injection campaign (DESIGN §8, README
 * "Campaigns"): seeded single faults drawn from a fault space, each run classified against
 * the fault-free run, on a pool of worker threads; results stream to a JSON Lines file that
 * --resume continues and `lockstep campaign merge` combines across shards; the summary goes
 * to stdout as a table (or JSON) and to --summary FILE.
 *
 * Exit status: 0 when the campaign (or this shard) finished, 2 for bad input, 130 / 143
 * when interrupted by SIGINT / SIGTERM (every finished run is in --out: continue with
 * --resume), 74 when a file cannot be written.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, openSync, readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import progress from 'cli-progress';
import { CampaignEngine, defaultCheckpointInterval, type CampaignSetup, type RunRecord } from '../campaign/engine.ts';
import { CAMPAIGN_OUTCOMES } from '../campaign/outcomes.ts';
import { WorkerPool } from '../campaign/pool.ts';
import { nodeCampaignWorker } from '../campaign/node-pool.ts';
import {
  formatLine, headerDifference, parseResults, RESULTS_FORMAT, RESULTS_VERSION, shardRuns, type CampaignHeader,
} from '../campaign/results.ts';
import { DEFAULT_SPACE } from '../campaign/space.ts';
import { leveugleSampleSize } from '../campaign/stats.ts';
import { FAILURES, summarize, type CampaignSummary } from '../campaign/summary.ts';
import { formatFault as spec, MODULE_FAULT_KINDS, parseFault, type FaultKind } from '../fault/spec.ts';
import { TOPOLOGIES } from '../machine/topology.ts';
import { DEFAULT_ENGINE, ENGINES, type Engine } from '../machine/core.ts';
import { parseDuration } from '../transactions/time.ts';
import { DEFAULT_WORKLOAD_DURATION, feedOptionsFor } from '../transactions/settings.ts';
import { workloadByName } from '../transactions/workloads/index.ts';
import { asUsage, UsageError } from './errors.ts';
import { count } from './format.ts';
import { checkOutputPath, err, out, readInputFile, writeAll, writeWholeFile } from './io.ts';
import { parseArrivalRate, parseChoice, parseCount, parseMiB } from './numbers.ts';
import { Interruption, readProgram } from './run.ts';
import { workloadSourcePath } from './workload-program.ts';

export interface CampaignOptions {
  /** Faults every run carries besides its own (repeatable --inject). */
  inject?: string[];
  topology: string;
  compare: string;
  ram: string;
  format?: string;
  workload?: string;
  rate?: string;
  duration?: string;
  fifo?: string;
  arrivalSeed?: string;
  runs?: string;
  margin?: string;
  confidence?: string;
  seed: string;
  kinds: string;
  targets: string;
  window?: string;
  modules?: string;
  workers?: string;
  checkpointEvery?: string;
  maxInstructions?: string;
  engine?: string;
  out?: string;
  resume?: boolean;
  summary?: string;
  json?: boolean;
  shard?: string;
  shards?: string;
}

export const DEFAULT_RUNS = 1000;

/** --engine: how the machines' core runs guest code (results do not depend on it). */
function coreEngine(options: CampaignOptions): Engine {
  return parseChoice(options.engine ?? DEFAULT_ENGINE, ENGINES, '--engine');
}
export const DEFAULT_KINDS = DEFAULT_SPACE.kinds.join(',');
export const DEFAULT_TARGETS = DEFAULT_SPACE.targets.join(',');

/** A fraction written as `0.95` or `95%`, strictly between 0 and 1. */
function parseFraction(text: string, what: string): number {
  const clean = text.trim();
  const percent = clean.endsWith('%');
  const value = Number(percent ? clean.slice(0, -1) : clean) / (percent ? 100 : 1);
  if (clean === '' || clean === '%' || !(value > 0 && value < 1)) throw new UsageError(`${what}: '${text}' is not a fraction between 0 and 1 (write e.g. 0.95 or 95%)`);
  return value;
}

function list(text: string): string[] {
  return text.split(',').map((item) => item.trim()).filter((item) => item !== '');
}

/**
 * This process's shard: `--shard i/n`, or with `--shards n` the index the batch system gives
 * (JOB_COMPLETION_INDEX + 1 in a Kubernetes Indexed Job, SLURM_ARRAY_TASK_ID −
 * SLURM_ARRAY_TASK_MIN + 1 in a Slurm job array).
 */
function resolveShard(shard: string | undefined, shards: string | undefined, env: NodeJS.ProcessEnv = process.env): { index: number; count: number } {
  if (shard !== undefined && shards !== undefined) throw new UsageError('give --shard i/n or --shards n, not both');
  if (shard !== undefined) {
    const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(shard);
    if (!match) throw new UsageError(`--shard '${shard}': expected i/n, such as 1/3 (shards count from 1)`);
    const [index, count] = [Number(match[1]), Number(match[2])];
    if (count < 1) throw new UsageError(`--shard ${shard}: there must be at least one shard`);
    if (index < 1 || index > count) throw new UsageError(`--shard ${shard}: shard ${index} does not exist: shards count from 1 to ${count}`);
    return { index, count };
  }
  if (shards === undefined) return { index: 1, count: 1 };
  const count = parseCount(shards, '--shards');
  if (count < 1) throw new UsageError('--shards: there must be at least one shard');
  const whole = (name: string) => {
    const text = env[name]!;
    if (!/^\d+$/.test(text.trim())) throw new UsageError(`--shards: ${name}='${text}' is not a whole number`);
    return Number(text);
  };
  let index: number;
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    index = whole('JOB_COMPLETION_INDEX') + 1;
  } else if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    if (env.SLURM_ARRAY_TASK_MIN === undefined) throw new UsageError('--shards: SLURM_ARRAY_TASK_ID is set but SLURM_ARRAY_TASK_MIN is not: run inside a Slurm job array (sbatch --array)');
    index = whole('SLURM_ARRAY_TASK_ID') - whole('SLURM_ARRAY_TASK_MIN') + 1;
  } else {
    throw new UsageError('--shards: neither JOB_COMPLETION_INDEX (a Kubernetes Indexed Job) nor SLURM_ARRAY_TASK_ID (a Slurm job array) is set: run under one of them, or give --shard i/n');
  }
  if (index < 1 || index > count) throw new UsageError(`--shards ${count}: the batch system gives shard ${index}, but shards count from 1 to ${count}: make the job's completions (or array size) ${count}`);
  return { index, count };
}

/** The workload options as the results header records them, or null without --workload (whose options are then refused). */
function workloadOptions(options: CampaignOptions): CampaignHeader['workload'] {
  if (options.workload === undefined) {
    const given = ([['--rate', options.rate], ['--duration', options.duration], ['--fifo', options.fifo], ['--arrival-seed', options.arrivalSeed]] as const)
      .find(([, value]) => value !== undefined);
    if (given) throw new UsageError(`${given[0]} applies only with --workload`);
    return null;
  }
  const rate = options.rate === undefined ? null : parseArrivalRate(options.rate, '--rate');
  const duration = options.duration ?? DEFAULT_WORKLOAD_DURATION;
  asUsage(() => parseDuration(duration), '--duration');
  return {
    name: options.workload, duration, rate,
    fifo: options.fifo === undefined ? null : parseCount(options.fifo, '--fifo'),
    seed: options.arrivalSeed === undefined ? 1 : parseCount(options.arrivalSeed, '--arrival-seed'),
  };
}

/** The campaign's setup and the header of its results, from the options (nothing runs but the fault-free reference). */
async function prepareCampaign(path: string | undefined, options: CampaignOptions, shard: CampaignHeader['shard']): Promise<{ setup: CampaignSetup; header: CampaignHeader }> {
  const topology = parseChoice(options.topology, TOPOLOGIES, '--topology');
  const compare = parseChoice(options.compare, ['every', 'store', 'io'] as const, '--compare');
  const ramMiB = parseMiB(options.ram, '--ram');
  const seed = parseCount(options.seed, '--seed');
  if (seed > 0xFFFF_FFFF) throw new UsageError(`--seed: ${options.seed} is too large (seeds are 0..4294967295)`);
  const kinds = list(options.kinds).map((kind) => {
    if (!(MODULE_FAULT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kinds: unknown kind '${kind}' (one of ${MODULE_FAULT_KINDS.join(', ')})`);
    return kind as FaultKind;
  });
  let window: [number, number] | undefined;
  if (options.window !== undefined) {
    const match = /^\s*([^.]+)\.\.([^.]+)\s*$/.exec(options.window);
    if (!match) throw new UsageError(`--window '${options.window}': expected FROM..TO in instructions, such as 0..50000 (TO excluded)`);
    window = [parseCount(match[1], '--window'), parseCount(match[2], '--window')];
  }
  const modules = options.modules === undefined || options.modules.trim() === 'all' ? undefined : list(options.modules).map((m) => parseCount(m, '--modules'));
  const maxInstructions = options.maxInstructions === undefined ? undefined : parseCount(options.maxInstructions, '--max-instructions');
  const confidence = options.confidence === undefined ? 0.95 : parseFraction(options.confidence, '--confidence');
  if (options.runs !== undefined && options.margin !== undefined) throw new UsageError('give --runs N or --margin e (with --confidence q), not both');

  const workload = workloadOptions(options);
  if (!workload && path === undefined) throw new UsageError("missing required argument 'program': lockstep campaign PROGRAM, or lockstep campaign --workload NAME");
  const workloadSettings = workload && {
    name: workload.name, duration: workload.duration, seed: workload.seed,
    ...(workload.rate !== null ? { rate: workload.rate } : {}), ...(workload.fifo !== null ? { fifo: workload.fifo } : {}),
  };
  if (workloadSettings) await asUsage(() => feedOptionsFor(workloadSettings));
  const programPath = path ?? workloadSourcePath(workloadByName(workload!.name));
  const program = readProgram(programPath, options.format);

  const background = (options.inject ?? []).map((spec) => asUsage(() => parseFault(spec), '--inject'));
  for (const f of background) if (f.atUs !== undefined) throw new UsageError(`--inject '${spec(f)}': a campaign's faults apply at instruction numbers (at=N)`);
  const setup: CampaignSetup = {
    program, topology, compare, ramMiB, seed, maxInstructions, background,
    space: { kinds, targets: list(options.targets), window, modules },
    ...(workloadSettings ? { workload: workloadSettings } : {}),
  };
  // The reference alone (no checkpoints): its length, ending and the fault space.
  const engine = await asUsage(() => CampaignEngine.prepare(setup, { checkpointEvery: Infinity, earlyStop: false, engine: coreEngine(options) }));
  const size = engine.space.size;
  const runs = options.margin !== undefined
    ? leveugleSampleSize(size, parseFraction(options.margin, '--margin'), confidence)
    : parseCount(options.runs ?? String(DEFAULT_RUNS), '--runs');
  if (runs < 1) throw new UsageError('--runs: a campaign needs at least 1 run');
  if (runs > 0xFFFF_FFFF) throw new UsageError(`--runs: ${runs} runs are more than a campaign can number (at most 4294967295)`);
  const { size: _size, ...space } = engine.space.resolved;
  const header: CampaignHeader = {
    format: RESULTS_FORMAT, version: RESULTS_VERSION,
    program: path === undefined ? null : { path, sha256: createHash('sha256').update(readInputFile(path)).digest('hex') },
    workload, topology, compare, ram_mib: ramMiB, seed, runs, confidence, space, background: background.map(spec), fault_space_size: size,
    reference: { instructions: engine.reference.instructions, exit_code: engine.reference.exitCode, stdout_bytes: engine.reference.stdoutBytes, ledger: engine.reference.ledger },
    shard,
  };
  return { setup, header };
}

/** The results file: opened for appending, with the runs it already holds (--resume). */
function openResults(path: string, header: CampaignHeader, resume: boolean): { fd: number; done: RunRecord[] } {
  const what = `the results to ${path}`;
  const text = existsSync(path) && resume ? readFileSync(path, 'utf8') : '';
  if (text.includes('\n')) {
    const file = parseResults(text, path);
    const differs = headerDifference(file.header, header);
    if (differs) throw new UsageError(`--resume: ${path} holds another campaign (its ${differs} differs from this one's): give the same program and options, or another --out`);
    if (file.header.shard.index !== header.shard.index || file.header.shard.count !== header.shard.count) {
      throw new UsageError(`--resume: ${path} holds shard ${file.header.shard.index}/${file.header.shard.count}, not ${header.shard.index}/${header.shard.count}`);
    }
    const fd = openSync(path, 'r+');
    if (file.truncated) {
      ftruncateSync(fd, file.validBytes);
      err(`lockstep: ${path}: its last line was cut short (the campaign was killed while writing it): that run is done again\n`);
    }
    closeSync(fd);
    return { fd: openSync(path, 'a'), done: file.records };
  }
  if (existsSync(path) && !resume) throw new UsageError(`${path} already exists: continue its campaign with --resume, or remove it`);
  checkOutputPath(path, what);
  // New, or (--resume) killed before its header line was complete: it starts afresh.
  const fd = openSync(path, 'w');
  writeAll(fd, formatLine(header), what);
  return { fd, done: [] };
}

/** Progress on stderr when it is a terminal: runs done, percentage, runs per second, time left. */
function progressBar(total: number, initial: number): { update(done: number): void; stop(): void } {
  if (!process.stderr.isTTY || total === 0) return { update() {}, stop() {} };
  const bar = new progress.SingleBar({
    format: 'campaign {bar} {percentage}% | {value}/{total} runs | {speed} runs/s | ETA {eta_formatted}',
    stream: process.stderr, hideCursor: true, etaBuffer: 50, fps: 10,
  }, progress.Presets.shades_classic);
  const started = performance.now();
  bar.start(total, initial, { speed: '0' });
  return {
    update(done) {
      const seconds = (performance.now() - started) / 1000;
      bar.update(done, { speed: seconds > 0 ? ((done - initial) / seconds).toFixed(0) : '0' });
    },
    stop: () => bar.stop(),
  };
}

const percent = (f: number) => `${(f * 100).toFixed(f > 0 && f < 0.001 ? 3 : 1)} %`;

/** The summary as a table for people. */
function formatSummary(s: CampaignSummary): string {
  const lines: string[] = [];
  const subject = s.workload ? `workload ${s.workload}${s.program ? ` (${s.program})` : ''}` : s.program;
  lines.push(`${subject} on ${s.topology}: ${count(s.runs)} runs, seed ${s.seed}, fault space ${count(s.fault_space_size)} faults`);
  lines.push(`${'outcome'.padEnd(15)}${'runs'.padStart(8)}${'share'.padStart(10)}   ${'95 % interval'.padEnd(20)}99 % interval`);
  for (const o of CAMPAIGN_OUTCOMES) {
    const p = s.outcomes[o];
    if (p.count === 0 && (o === 'failover' || o === 'not-activated')) continue;
    const interval = (ci: [number, number]) => `${percent(ci[0])} – ${percent(ci[1])}`;
    lines.push(`${o.padEnd(15)}${count(p.count).padStart(8)}${percent(p.fraction).padStart(10)}   ${interval(p.ci95).padEnd(20)}${interval(p.ci99)}`);
  }
  const l = s.latency;
  lines.push(l.detected === 0 ? 'detection latency: nothing was detected'
    : `detection latency (instructions, ${count(l.detected)} runs detected): p50 ${count(l.p50!)}, p90 ${count(l.p90!)}, p99 ${count(l.p99!)}, max ${count(l.max!)}`);
  const z = s.zero_escape;
  const conf = `${(s.confidence * 100).toFixed(0)} %`;
  lines.push(z.coverage === null ? `silent data corruption in ${count(z.sdc)} of ${count(z.activated)} activated faults`
    : `no silent data corruption in ${count(z.activated)} activated faults: coverage ≥ ${(z.coverage * 100).toFixed(2)} % at ${conf} confidence`);
  lines.push(`margin ±${(s.margin * 100).toFixed(2)} % at ${conf} (worst case); failures extrapolated to the whole space: ${count(s.absolute_failures.total)} of ${count(s.fault_space_size)} faults (${FAILURES.filter((o) => s.absolute_failures[o] > 0).map((o) => `${o} ${count(s.absolute_failures[o])}`).join(', ') || 'none'})`);
  if (s.ledger) {
    const r = s.ledger.runs_with;
    lines.push(`ledger: runs with wrong results ${count(r.wrong.count)}, lost transactions ${count(r.lost.count)}, duplicates ${count(r.duplicated.count)}, deadline misses ${count(r.deadline_misses.count)} (beyond the fault-free run's)`);
  }
  const reproduce = Object.entries(s.reproduce);
  if (reproduce.length > 0) {
    lines.push('reproduce one run of each outcome:');
    for (const [outcome, command] of reproduce) lines.push(`  ${outcome.padEnd(13)}${command}`);
  }
  return lines.join('\n') + '\n';
}

function report(summary: CampaignSummary, options: { summary?: string; json?: boolean }): void {
  const json = JSON.stringify(summary, null, 2) + '\n';
  if (options.summary) writeWholeFile(options.summary, json, `the summary to ${options.summary}`);
  out(options.json ? json : formatSummary(summary));
}

export async function campaignCommand(path: string | undefined, options: CampaignOptions): Promise<number> {
  const shard = resolveShard(options.shard, options.shards);
  if (options.resume && !options.out) throw new UsageError('--resume needs --out FILE: the results file to continue');
  if (options.summary === '') throw new UsageError('--summary needs a file name: --summary FILE.json');
  if (options.summary) checkOutputPath(options.summary, `the summary to ${options.summary}`);
  const workers = options.workers === undefined ? availableParallelism() : parseCount(options.workers, '--workers');
  if (workers < 1) throw new UsageError('--workers: at least 1');
  const checkpointEvery = options.checkpointEvery === undefined ? undefined : parseCount(options.checkpointEvery, '--checkpoint-every');
  if (checkpointEvery === 0) throw new UsageError('--checkpoint-every: at least 1 instruction');
  const engine = coreEngine(options);

  const { setup, header } = await prepareCampaign(path, options, shard);
  const ks = shardRuns(header.runs, shard);
  if (ks.length === 0) throw new UsageError(`shard ${shard.index}/${shard.count} of a ${header.runs}-run campaign holds no run: use at most ${header.runs} shards`);
  const results = options.out ? await asUsage(() => openResults(options.out!, header, options.resume ?? false)) : undefined;
  const records = new Map<number, RunRecord>(results?.done.map((r) => [r.k, r]));
  const remaining = ks.filter((k) => !records.has(k));

  const interruption = new Interruption();
  let bar: ReturnType<typeof progressBar> | undefined;
  let pool: WorkerPool | undefined;
  try {
    if (remaining.length > 0) {
      const every = checkpointEvery ?? defaultCheckpointInterval(header.reference.instructions);
      pool = await asUsage(() => WorkerPool.start(Math.min(workers, remaining.length), nodeCampaignWorker, setup, { checkpointEvery: every, engine }));
      bar = progressBar(ks.length, ks.length - remaining.length);
      await pool.run(remaining, (batch) => {
        if (results) writeAll(results.fd, batch.map(formatLine).join(''), `the results to ${options.out}`);
        for (const r of batch) records.set(r.k, r);
        bar!.update(records.size);
      }, () => interruption.signal !== undefined);
    }
  } finally {
    bar?.stop();
    pool?.close();
    if (results) closeSync(results.fd);
    interruption.dispose();
  }
  if (interruption.signal) {
    err(`lockstep: interrupted by ${interruption.signal} after ${count(records.size)} of ${count(ks.length)} runs${options.out ? `; continue with the same command and --resume (${options.out} holds every finished run)` : ''}\n`);
    return interruption.status;
  }
  report(summarize(header, [...records.values()]), options);
  return 0;
}

/**
 * `lockstep campaign merge FILE...`: the summary of a campaign from its results files — the
 * shards 1/n … n/n of one campaign, each complete (or one unsharded file).
 */
export function mergeCommand(paths: string[], options: { summary?: string; json?: boolean }): number {
  if (paths.length === 0) throw new UsageError('merge needs the results files of a campaign: lockstep campaign merge a.jsonl b.jsonl ...');
  if (options.summary === '') throw new UsageError('--summary needs a file name: --summary FILE.json');
  if (options.summary) checkOutputPath(options.summary, `the summary to ${options.summary}`);
  const files = paths.map((path) => {
    const text = new TextDecoder().decode(readInputFile(path));
    return { path, ...asUsage(() => parseResults(text, path)) };
  });
  const first = files[0];
  const count = first.header.shard.count;
  const byShard = new Map<number, string>();
  for (const file of files) {
    const differs = headerDifference(first.header, file.header);
    if (differs) throw new UsageError(`${file.path} is of another campaign than ${first.path} (their ${differs} differs)`);
    const { index, count: n } = file.header.shard;
    if (n !== count) throw new UsageError(`${file.path} is shard ${index}/${n}, ${first.path} one of ${count} shards: merge the shards of one split`);
    if (byShard.has(index)) throw new UsageError(`${file.path} and ${byShard.get(index)} are both shard ${index}/${count}`);
    byShard.set(index, file.path);
    const expected = shardRuns(file.header.runs, file.header.shard).length;
    if (file.records.length !== expected) {
      throw new UsageError(`${file.path} holds ${file.records.length} of shard ${index}/${count}'s ${expected} runs: finish it (the same command with --resume) before merging`);
    }
  }
  const missing = Array.from({ length: count }, (_, k) => k + 1).filter((index) => !byShard.has(index));
  if (missing.length > 0) throw new UsageError(`shard${missing.length > 1 ? 's' : ''} ${missing.map((i) => `${i}/${count}`).join(', ')} missing: merge all ${count} shards of the campaign`);
  report(summarize(first.header, files.flatMap((f) => f.records)), options);
  return 0;
}
