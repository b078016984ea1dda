/**
 * `lockstep compare` (issue 11): the same arrivals and faults on every topology. Each row is
 * checked against what the topology must do by first principles (DESIGN §1, §7), the table
 * is deterministic, and every row equals the `lockstep run` it names.
 */
import { readFileSync } from 'node:fs';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { assembleOrThrow } from '../helpers/machine.ts';
import { lockstep } from '../cli/lockstep.ts';
import { compare, COMPARE_TOPOLOGIES, type CompareOptions } from '../../src/system/compare.ts';
import { DEFAULT_FAILOVER } from '../../src/system/settings.ts';
import { WORKLOADS, type Workload } from '../../src/transactions/index.ts';
import { runCommandFor } from '../../src/cli/compare.ts';

const RATE = 2000;
const DURATION_US = 200_000;
const FAULT_US = 100_000; // a multiple of the default heartbeat period
const programOf = (w: Workload) => assembleOrThrow(readFileSync(new URL(`../../examples/${w.source}`, import.meta.url), 'utf8'));
const cardAuth = WORKLOADS.get('card-auth')!;

const options = (topologies: CompareOptions['topologies']): CompareOptions => ({
  workload: cardAuth, pairAware: WORKLOADS.get('card-auth-pair')!, programOf,
  feed: { durationUs: DURATION_US, rate: RATE, seed: 7 },
  faults: [{ kind: 'hard', atUs: FAULT_US }, { kind: 'transient', atUs: FAULT_US }],
  topologies,
});


/**
 * The exit status of a row's `lockstep run` (README: the guest's if the machine stopped, 0 if
 * it was still up at the end): a killed simplex server is dead (137); dmr cannot tell which
 * module a flipped word misled, so it fail-stops (125); every other row keeps serving — the
 * failover systems on their other host, pair-spare and tmr on their other board or the vote,
 * dmr's survivor of a kill, and the servers whose flip goes unnoticed.
 */
function exitStatus(topology: string, fault: string): number {
  if (topology === 'simplex' && fault === 'hard') return 137;
  if (topology === 'dmr' && fault === 'transient') return 125;
  return 0;
}

describe('faults outside the run', () => {
  test('are refused before any row runs, naming the fault, its time and the run\'s length', async () => {
    let rows = 0;
    const late = { ...options(COMPARE_TOPOLOGIES), faults: [{ kind: 'hard', atUs: FAULT_US }, { kind: 'transient', atUs: DURATION_US }] as const, onRow: () => { rows++; } };
    await expect(compare(late)).rejects.toThrow('the transient fault at 200ms lies outside the run, which lasts 200ms of virtual time: put it inside the run');
    expect(rows).toBe(0);
  });
});

describe('lockstep compare', async () => {
  const runs = await compare(options(COMPARE_TOPOLOGIES));
  const row = (topology: string, fault: string) => runs.find((r) => r.row.topology === topology && r.row.fault === fault)!.row;

  test('one row per topology and fault, in order, with the modules each pays for and what its application had to change', () => {
    expect(runs.map((r) => `${r.row.fault}:${r.row.topology}`)).toEqual(
      ['hard', 'transient'].flatMap((f) => COMPARE_TOPOLOGIES.map((t) => `${f}:${t}`)),
    );
    const modules = { simplex: 1, cluster: 2, 'cluster-aware': 2, 'process-pair': 2, 'process-pair-aware': 2, dmr: 2, 'pair-spare': 4, tmr: 3 };
    const changes = { 'cluster-aware': 'cluster-aware', 'process-pair-aware': 'pair-aware' } as Record<string, string>;
    for (const r of runs) {
      expect(r.row.modules).toBe(modules[r.row.topology]);
      expect(r.row.application_changes).toBe(changes[r.row.topology] ?? 'none');
    }
    // The pair-aware rewrite costs instructions per transaction (its checkpoint calls); the others run the same program.
    expect(row('process-pair-aware', 'transient').instructions_per_transaction).toBeGreaterThan(row('process-pair', 'transient').instructions_per_transaction);
  });

  test('hard fault: simplex is down from the kill to the end; the lockstep machines lose nothing; the cluster loses work, the cluster-aware one none', () => {
    expect(row('simplex', 'hard').downtime_us).toBe(DURATION_US - FAULT_US);
    expect(row('simplex', 'hard').lost).toBeGreaterThan(0);
    for (const t of ['dmr', 'pair-spare', 'tmr']) {
      expect(row(t, 'hard')).toMatchObject({ lost: 0, wrong: 0, duplicated: 0, downtime_us: 0 });
    }
    // Killed on a heartbeat: declared dead M·H later, serving F after that.
    const outage = DEFAULT_FAILOVER.missed * DEFAULT_FAILOVER.heartbeatUs + DEFAULT_FAILOVER.failoverTimeUs;
    expect(row('cluster', 'hard').downtime_us).toBe(outage);
    expect(row('cluster', 'hard').lost).toBeGreaterThan(0);
    expect(row('cluster-aware', 'hard')).toMatchObject({ lost: 0, duplicated: 0, wrong: 0, downtime_us: outage });
    // The process pair: the rewritten application loses nothing; the application as written loses its state.
    expect(row('process-pair-aware', 'hard')).toMatchObject({ lost: 0, duplicated: 0, wrong: 0, downtime_us: outage });
    expect(row('process-pair', 'hard').lost).toBeGreaterThan(0);
  });

  test('transient fault: silent corruption on simplex and the cluster (never noticed: no downtime); pair-spare and tmr lose and corrupt nothing; dmr stops, down to the end', () => {
    for (const t of ['simplex', 'cluster', 'cluster-aware', 'process-pair', 'process-pair-aware']) {
      expect(row(t, 'transient').wrong).toBeGreaterThan(0);
      expect(row(t, 'transient').downtime_us).toBe(0);
    }
    for (const t of ['pair-spare', 'tmr']) expect(row(t, 'transient')).toMatchObject({ lost: 0, wrong: 0, duplicated: 0, downtime_us: 0 });
    const dmr = runs.find((r) => r.row.topology === 'dmr' && r.row.fault === 'transient')!;
    expect(dmr.row.wrong).toBe(0);
    expect(dmr.row.lost).toBeGreaterThan(0);
    expect(dmr.row.downtime_us).toBeGreaterThan(0);
    expect(dmr.row.downtime_us).toBeLessThanOrEqual(DURATION_US - FAULT_US);
    expect(dmr.ledger.queued).toBe(0); // down at the end: nothing is still on its way
  });

  test('the same fault hits the same live data everywhere: one RAM word of module 0, the balance the next transaction reads', () => {
    const transient = runs.filter((r) => r.row.fault === 'transient').map((r) => r.fault);
    expect(new Set(transient.map((f) => JSON.stringify(f))).size).toBe(1);
    expect(transient[0]).toMatchObject({ module: 0, kind: 'flip', atUs: FAULT_US, target: { type: 'mem' } });
  });

  test('deterministic: the table again is the same table', async () => {
    const again = await compare(options(COMPARE_TOPOLOGIES));
    expect(again.map((r) => r.row)).toEqual(runs.map((r) => r.row));
  });

  test('every row equals the lockstep run it names (its ledger in the report)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'compare-'));
    const cli = { rate: String(RATE), duration: `${DURATION_US / 1000}ms`, seed: '7', fault: [] };
    for (const [k, run] of runs.entries()) {
      const command = runCommandFor(run, cli).split(' ').slice(1);
      const report = join(dir, `r${k}.json`);
      const done = await lockstep([...command, '--report', report]);
      expect([run.row.topology, run.row.fault, done.status]).toEqual([run.row.topology, run.row.fault, exitStatus(run.row.topology, run.row.fault)]);
      const { ledger } = JSON.parse(readFileSync(report, 'utf8'));
      expect({ topology: run.row.topology, fault: run.row.fault, ledger }).toEqual({ topology: run.row.topology, fault: run.row.fault, ledger: run.ledger });
    }
  }, 120_000);

  test('--json prints { rows } with exactly the fields of the issue; bad input is one line and exit 2', async () => {
    const done = await lockstep(['compare', '--workload', 'card-auth', '--rate', '2000', '--duration', '100ms', '--topology', 'simplex,tmr', '--json']);
    expect(done.status).toBe(0);
    const { rows } = JSON.parse(done.stdout.toString());
    expect(rows).toHaveLength(4);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(['topology', 'fault', 'lost', 'duplicated', 'wrong', 'deadline_misses', 'downtime_us', 'application_changes', 'modules', 'instructions_per_transaction']);
    }
    for (const args of [['--workload', 'nope'], ['--workload', 'card-auth', '--fault', 'soft'], ['--workload', 'card-auth', '--fault', 'hard@2s'], ['--workload', 'card-auth', '--topology', 'raid']]) {
      const bad = await lockstep(['compare', ...args]);
      expect(bad.status).toBe(2);
      expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    }
    const fifo = await lockstep(['compare', '--workload', 'card-auth', '--fifo', '0']);
    expect(fifo.status).toBe(2);
    expect(fifo.stderr).toMatch(/^lockstep: --fifo: FIFO depth 0 must be a whole number of records, 1\.\.1024\n$/);
    const missed = await lockstep(['compare', '--workload', 'card-auth', '--missed', '1001']);
    expect(missed.status).toBe(2);
    expect(missed.stderr).toMatch(/^lockstep: --missed: missed heartbeats 1001 must be a whole number 1\.\.1000\n$/);
  });
});

