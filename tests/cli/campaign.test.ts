/**
 * `lockstep campaign` end to end: the summary and its reproduce commands, runs equal to
 * `lockstep run --classify` of the same fault, --resume after kill -9 at random moments
 * equal to an uninterrupted campaign, shards run as separate processes under the batch
 * systems' variables and merged equal to one campaign byte for byte, and bad input.
 */
import { execFile, spawn } from 'node:child_process';
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BIN, expectUsageError, lines, lockstep, tempDir } from './lockstep.ts';
import { Random } from '../../src/fault/random.ts';
import { CampaignSummarySchema } from '../../src/availability/campaign.ts';

const CHECKSUM = fileURLToPath(new URL('../../examples/checksum.s', import.meta.url));
const dir = tempDir();
const json = (text: Buffer | string) => JSON.parse(text.toString());

describe('lockstep campaign', () => {
  it('prints the summary as JSON: every outcome, intervals, latency, margin, failures, and commands that reproduce', async () => {
    const result = await lockstep(['campaign', CHECKSUM, '--topology', 'dmr', '--kinds', 'flip,ecc', '--runs', '150', '--seed', '3', '--workers', '2', '--json']);
    expect(result.stderr).toBe(''); // no progress bar: stderr is not a terminal
    expect(result.status).toBe(0);
    const summary = json(result.stdout);
    expect(CampaignSummarySchema.safeParse(summary).success).toBe(true);
    expect(summary).toMatchObject({ runs: 150, topology: 'dmr', seed: 3, program: CHECKSUM });
    expect(Object.keys(summary.outcomes)).toEqual(['masked', 'recovered', 'failstop', 'sdc', 'hang', 'crash', 'failover', 'not-activated']);
    for (const keys of ['p50', 'p90', 'p99', 'max']) expect(summary.latency).toHaveProperty(keys);
    expect(summary).toHaveProperty('absolute_failures.total');
    expect(summary.margin).toBeGreaterThan(0);
    // dmr detects every difference and isolates only a module that announced its error (ecc).
    expect(summary.outcomes.recovered.count).toBeGreaterThan(0);
    expect(summary.outcomes.failstop.count).toBeGreaterThan(0);
    for (const [outcome, command] of Object.entries(summary.reproduce) as [string, string][]) {
      expect(command).toMatch(/^lockstep run .* --topology dmr --inject at=\d+,module=\d,kind=\w+,target=[^ ]+,bit=\d+ --classify$/);
      const args = command.split(' ').slice(1); // no word of these needs quoting
      const replay = await lockstep(args);
      expect(replay.stderr).toContain(`outcome: ${outcome} —`);
    }
  });

  it('writes a line per run to --out, each equal to lockstep run --classify of its fault', async () => {
    const out = join(dir, 'lines.jsonl');
    const result = await lockstep(['campaign', CHECKSUM, '--topology', 'tmr', '--runs', '40', '--out', out, '--workers', '1']);
    expect(result.status).toBe(0);
    expect(lines(result.stdout.toString())[0]).toMatch(/checksum\.s on tmr: 40 runs, seed 1, fault space [\d,]+ faults/);
    const [header, ...runs] = lines(readFileSync(out, 'utf8')).map((l) => JSON.parse(l));
    expect(header).toMatchObject({ format: 'lockstep-campaign-results', topology: 'tmr', runs: 40, shard: { index: 1, count: 1 } });
    expect(runs.map((r) => r.k).sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, k) => k));
    for (const r of runs.slice(0, 3)) {
      const report = join(dir, `run-${r.k}.json`);
      await lockstep(['run', CHECKSUM, '--topology', 'tmr', '--inject', r.fault, '--classify', '--report', report]);
      const { outcome, detection_latency, instret } = json(readFileSync(report));
      expect({ outcome: r.outcome, latency: r.latency, instructions: r.instructions }).toEqual({ outcome, latency: detection_latency, instructions: instret });
    }
  });

  it('--engine interp, translate and auto give the same summary', async () => {
    const [interp, ...others] = await Promise.all(['interp', 'translate', 'auto'].map((engine) => lockstep(['campaign', CHECKSUM, '--topology', 'tmr', '--runs', '60', '--workers', '1', '--engine', engine, '--json'])));
    for (const run of others) {
      expect(run.status).toBe(0);
      expect(json(run.stdout)).toEqual(json(interp.stdout));
    }
  });

  it('--margin and --confidence set the runs by Leveugle\'s formula', async () => {
    // A space of ~10⁹ faults: n = t²·p(1−p)/e² = 1.644854² × 0.25 / 0.1² = 67.6 → 68.
    const result = await lockstep(['campaign', CHECKSUM, '--margin', '10%', '--confidence', '0.9', '--workers', '1', '--json']);
    expect(result.status).toBe(0);
    expect(json(result.stdout)).toMatchObject({ runs: 68, confidence: 0.9 });
    expect(json(result.stdout).margin).toBeLessThanOrEqual(0.1);
  });

  it('runs a workload campaign: each run has a ledger, the summary counts the ledger classes', async () => {
    const result = await lockstep(['campaign', '--workload', 'process-control', '--duration', '5ms', '--topology', 'simplex', '--runs', '30', '--workers', '1', '--json']);
    expect(result.status).toBe(0);
    const summary = json(result.stdout);
    expect(summary).toMatchObject({ workload: 'process-control', program: null, ledger: { reference: { wrong: 0, lost: 0 } } });
    expect(Object.keys(summary.ledger.runs_with)).toEqual(['wrong', 'lost', 'duplicated', 'deadline_misses']);
    for (const command of Object.values(summary.reproduce) as string[]) expect(command).toMatch(/^lockstep run --workload process-control --duration 5ms --seed 1 --topology simplex --inject \S+$/);
  });
});

describe('lockstep campaign --help', () => {
  it('lists the options, the fault kinds and every exit status', async () => {
    const result = await lockstep(['campaign', '--help']);
    expect(result.status).toBe(0);
    const text = result.stdout.toString();
    for (const option of ['--runs', '--margin', '--confidence', '--seed', '--kinds', '--targets', '--window', '--modules', '--workers', '--out', '--resume', '--summary', '--json', '--shard ', '--shards', '--workload']) {
      expect(text).toContain(option);
    }
    for (const kind of ['flip', 'stuck0', 'stuck1', 'kill', 'ecc']) expect(text).toContain(kind);
    // --kinds draws module faults only: a checker's stuck verdict is given with --inject.
    const kinds = /--kinds <list>\s+fault kinds: ([^(]*)\(/.exec(text)![1].trim().split(/,\s*/);
    expect(kinds).toEqual(['flip', 'stuck0', 'stuck1', 'kill', 'ecc']);
    const statuses = [...text.slice(text.indexOf('Exit status:')).matchAll(/^ {2}(\S+) {2,}\S/gm)].map((m) => m[1]);
    expect(statuses.sort()).toEqual(['0', '130', '141', '143', '2', '70', '71', '74']);
  });
});

describe('lockstep campaign --resume', () => {
  const args = (out: string, summary: string) => ['campaign', CHECKSUM, '--topology', 'tmr', '--kinds', 'flip,stuck1', '--runs', '1000', '--seed', '5', '--out', out, '--summary', summary, '--workers', '2'];

  it('after kill -9 at random moments, several times, gives the uninterrupted campaign\'s summary', async () => {
    const whole = join(dir, 'whole.json');
    expect((await lockstep(args(join(dir, 'whole.jsonl'), whole))).status).toBe(0);

    const out = join(dir, 'killed.jsonl');
    const summary = join(dir, 'killed.json');
    const random = new Random(2024);
    const finished = () => (existsSync(out) ? readFileSync(out, 'utf8').split('\n').length - 2 : 0); // lines but the header
    // Three random points, as counts of finished runs below 600 (a batch in flight may add a few hundred).
    const points = [0, 1, 2].map(() => 1 + random.below(599)).sort((a, b) => a - b);
    let killedAt = 0;
    for (const point of points) {
      const child = spawn(BIN, [...args(out, summary), '--resume'], { stdio: 'ignore' });
      const closed = new Promise((resolve) => child.on('close', resolve));
      while (finished() < point && child.exitCode === null) await new Promise((resolve) => setTimeout(resolve, 5));
      child.kill('SIGKILL');
      await closed;
      killedAt = finished();
    }
    expect(killedAt).toBeLessThan(1000); // the campaign was cut short each time
    expect(existsSync(summary)).toBe(false);
    const resumed = await lockstep([...args(out, summary), '--resume']);
    expect(resumed.status).toBe(0);
    expect(readFileSync(summary, 'utf8')).toBe(readFileSync(whole, 'utf8'));
  }, 60_000);

  it('redoes a run whose line was cut short, and says so', async () => {
    const out = join(dir, 'cut.jsonl');
    const summary = join(dir, 'cut.json');
    const small = ['campaign', CHECKSUM, '--runs', '30', '--out', out, '--summary', summary, '--workers', '1'];
    expect((await lockstep(small)).status).toBe(0);
    const complete = readFileSync(summary, 'utf8');
    const [header, ...runs] = lines(readFileSync(out, 'utf8'));
    writeFileSync(out, `${header}\n${runs.slice(0, 10).join('\n')}\n${runs[10].slice(0, 17)}`);
    const resumed = await lockstep([...small, '--resume']);
    expect(resumed.status).toBe(0);
    expect(lines(resumed.stderr)).toEqual([`lockstep: ${out}: its last line was cut short (the campaign was killed while writing it): that run is done again`]);
    expect(readFileSync(summary, 'utf8')).toBe(complete);
    expect(lines(readFileSync(out, 'utf8'))).toHaveLength(31);
  });
});

describe('lockstep campaign across machines', () => {
  it('shards 1/3, 2/3, 3/3 under Kubernetes and Slurm variables, merged, give the single campaign\'s summary byte for byte', async () => {
    const common = ['campaign', CHECKSUM, '--topology', 'pair-spare', '--kinds', 'flip,kill,ecc', '--runs', '120', '--seed', '9', '--workers', '1'];
    const single = join(dir, 'single.json');
    const shard = (n: number) => join(dir, `shard-${n}.jsonl`);
    const [whole, ...shards] = await Promise.all([
      lockstep([...common, '--summary', single]),
      lockstep([...common, '--shards', '3', '--out', shard(1)], { env: { JOB_COMPLETION_INDEX: '0' } }),
      lockstep([...common, '--shards', '3', '--out', shard(2)], { env: { SLURM_ARRAY_TASK_ID: '5', SLURM_ARRAY_TASK_MIN: '4' } }),
      lockstep([...common, '--shards', '3', '--out', shard(3)], { env: { JOB_COMPLETION_INDEX: '2' } }),
    ]);
    expect([whole, ...shards].map((r) => r.status)).toEqual([0, 0, 0, 0]);
    expect([1, 2, 3].map((n) => json(lines(readFileSync(shard(n), 'utf8'))[0]).shard)).toEqual([1, 2, 3].map((index) => ({ index, count: 3 })));
    const merged = join(dir, 'merged.json');
    const merge = await lockstep(['campaign', 'merge', shard(3), shard(1), shard(2), '--summary', merged]);
    expect(merge.status).toBe(0);
    expect(readFileSync(merged, 'utf8')).toBe(readFileSync(single, 'utf8'));
    expect(merge.stdout.toString()).toBe(whole.stdout.toString());
  });

  it('merge refuses a shard that is missing or unfinished', async () => {
    const common = ['campaign', CHECKSUM, '--runs', '20', '--workers', '1'];
    const a = join(dir, 'm1.jsonl');
    const b = join(dir, 'm2.jsonl');
    await lockstep([...common, '--shard', '1/2', '--out', a]);
    await lockstep([...common, '--shard', '2/2', '--out', b]);
    expectUsageError(await lockstep(['campaign', 'merge', a]), [/shard 2\/2 missing/]);
    const [header, ...runs] = lines(readFileSync(b, 'utf8'));
    writeFileSync(b, `${header}\n${runs.slice(1).join('\n')}\n`);
    expectUsageError(await lockstep(['campaign', 'merge', a, b]), [/holds 9 of shard 2\/2's 10 runs/, /--resume/]);
  });
});

/** Runs `command` with `args` and extra environment; resolves to its exit status and stderr. */
function exec(command: string, args: string[], env: Record<string, string>): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile(command, args, { env: { ...process.env, ...env }, timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr });
    });
  });
}

describe('the batch systems\' files in deploy/', () => {
  const deploy = (path: string) => fileURLToPath(new URL(`../../deploy/${path}`, import.meta.url));
  const campaign = { TOPOLOGY: 'tmr', RUNS: '24', SEED: '4', KINDS: 'flip,kill', TARGETS: 'regs,pc' };
  let singleSummary: Promise<string> | undefined;
  /** The summary of the same campaign run as one (computed once). */
  const single = () => {
    const summary = join(dir, 'deploy-single.json');
    singleSummary ??= lockstep(['campaign', CHECKSUM, '--topology', 'tmr', '--runs', '24', '--seed', '4', '--kinds', 'flip,kill', '--targets', 'regs,pc', '--workers', '1', '--summary', summary])
      .then(() => readFileSync(summary, 'utf8'));
    return singleSummary;
  };

  it('slurm/campaign.sbatch: an array of 2 tasks numbered from 7, merged, gives the single campaign\'s summary', async () => {
    const results = join(dir, 'slurm');
    const tasks = await Promise.all([7, 8].map((id) => exec('bash', [deploy('slurm/campaign.sbatch'), CHECKSUM], {
      ...campaign, RESULTS: results, LOCKSTEP: BIN,
      SLURM_ARRAY_TASK_ID: String(id), SLURM_ARRAY_TASK_MIN: '7', SLURM_ARRAY_TASK_MAX: '8', SLURM_CPUS_PER_TASK: '1',
    })));
    expect(tasks).toEqual([{ status: 0, stderr: '' }, { status: 0, stderr: '' }]);
    const merged = join(dir, 'slurm.json');
    expect((await lockstep(['campaign', 'merge', join(results, 'shard-1.jsonl'), join(results, 'shard-2.jsonl'), '--summary', merged])).status).toBe(0);
    expect(readFileSync(merged, 'utf8')).toBe(await single());
  });

  it('kubernetes/campaign-job.yaml: the shard container\'s command under JOB_COMPLETION_INDEX, merged by the merge container\'s, gives the single campaign\'s summary', async () => {
    const yaml = readFileSync(deploy('kubernetes/campaign-job.yaml'), 'utf8');
    /** The folded (`>-`) shell script of the container named `name`, and its env entries. */
    const container = (name: string) => {
      const from = yaml.indexOf(`- name: ${name}`);
      const block = yaml.slice(from, yaml.indexOf('volumeMounts:', from));
      const env = Object.fromEntries([...block.matchAll(/- \{ name: (\w+), value: "?([^"}]*?)"? \}/g)].map((m) => [m[1], m[2]]));
      const script = /args:\n\s+- >-\n((?:\s{14}.*\n)+)/.exec(block)![1].split('\n').map((l) => l.trim()).filter(Boolean).join(' ');
      return { env, script };
    };
    const results = join(dir, 'kubernetes');
    const local = (script: string) => script.replaceAll('/campaign/program.s', CHECKSUM).replaceAll('/results', results);
    const shard = container('shard');
    expect(shard.env).toMatchObject({ SHARDS: '8', TOPOLOGY: 'tmr' });
    expect(yaml).toContain(`completions: ${shard.env.SHARDS}`);
    await exec('mkdir', ['-p', results], {});
    const pods = await Promise.all([0, 1].map((index) => exec('sh', ['-c', local(shard.script)], {
      ...shard.env, ...campaign, SHARDS: '2', WORKERS: '1', LOCKSTEP: BIN, JOB_COMPLETION_INDEX: String(index),
    })));
    expect(pods).toEqual([{ status: 0, stderr: '' }, { status: 0, stderr: '' }]);
    const merge = container('merge');
    expect(await exec('sh', ['-c', local(merge.script)], { ...merge.env, LOCKSTEP: BIN })).toEqual({ status: 0, stderr: '' });
    expect(readFileSync(join(results, 'summary.json'), 'utf8')).toBe(await single());
  });
});

describe('lockstep campaign: bad input', () => {
  const corrupt = join(dir, 'corrupt.jsonl');
  it.each([
    ['an unknown kind', ['--kinds', 'flip,zap'], {}, [/--kinds/, /unknown kind 'zap'/]],
    ['a checker fault kind', ['--kinds', 'flip,stuck-agree'], {}, [/--kinds/, /unknown kind 'stuck-agree'/, /one of flip, stuck0, stuck1, kill, ecc\)/]],
    ['an empty fault space', ['--kinds', 'ecc', '--targets', 'pc,result'], {}, [/fault space is empty/]],
    ['a shard that does not exist', ['--shard', '4/3'], {}, [/--shard 4\/3/, /shards count from 1 to 3/]],
    ['--shards outside a batch system', ['--shards', '3'], {}, [/neither JOB_COMPLETION_INDEX/, /SLURM_ARRAY_TASK_ID/]],
    ['a batch index beyond the shards', ['--shards', '2'], { JOB_COMPLETION_INDEX: '2' }, [/gives shard 3/]],
    ['--runs and --margin', ['--runs', '5', '--margin', '1%'], {}, [/not both/]],
    ['a window past the run', ['--window', '0..99999999'], {}, [/--window/, /ends after the fault-free run/]],
    ['a corrupt results file to resume', ['--out', corrupt, '--resume'], {}, [/corrupt\.jsonl: line 2 is not JSON/]],
    ['an unknown engine', ['--engine', 'jit'], {}, [/--engine/, /'jit'/, /translate/]],
  ])('%s', async (_what, extra, env, words) => {
    writeFileSync(corrupt, '{"format":"lockstep-campaign-results","version":1,"runs":10,"confidence":0.95,"fault_space_size":100,"shard":{"index":1,"count":1}}\nnot json\n{}\n');
    expectUsageError(await lockstep(['campaign', CHECKSUM, '--runs', '10', '--workers', '1', ...extra], { env: env as Record<string, string> }), words);
  });

  it('refuses to overwrite a results file without --resume, and to resume another campaign', async () => {
    const out = join(dir, 'mine.jsonl');
    await lockstep(['campaign', CHECKSUM, '--runs', '5', '--out', out, '--workers', '1']);
    expectUsageError(await lockstep(['campaign', CHECKSUM, '--runs', '5', '--out', out]), [/already exists/, /--resume/]);
    expectUsageError(await lockstep(['campaign', CHECKSUM, '--runs', '5', '--seed', '2', '--out', out, '--resume']), [/another campaign/, /seed/]);
    appendFileSync(out, '');
  });
});
