/**
 * `lockstep run --workload W --topology cluster|process-pair` (issue 11): the failover table
 * on stderr, the report's `failover` section and hosts, and bad input as one line and exit 2.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, lockstep } from './lockstep.ts';

describe('lockstep run on the failover systems', () => {
  it('a killed primary: the takeover on stderr, the report with the failover section, the hosts as its modules, status 0 (still serving)', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'failover-')), 'run.json');
    const run = await lockstep(['run', '--workload', 'card-auth', '--topology', 'cluster', '--rate', '2000', '--duration', '300ms',
      '--heartbeat', '5ms', '--missed', '2', '--failover-time', '20ms', '--inject', 'at=100ms,module=0,kind=kill', '--report', report]);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/takeover\s+host 1 at 130,000 µs/); // 100 ms + 2 × 5 ms + 20 ms
    expect(run.stderr).toMatch(/^  host 0 down\s+at 100,000 µs: killed$/m);
    expect(run.stderr).not.toMatch(/module 0|nothing else can run/);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json.topology).toBe('cluster');
    expect(json.failover.settings).toMatchObject({ heartbeat_us: 5000, missed: 2, failover_time_us: 20_000 });
    expect(json.failover.failovers).toBe(1);
    expect(json.failover.downtime_us).toBe(30_000);
    expect(json.ledger.downtime_us).toBe(30_000);
    expect(json.ledger.lost).toBe(json.ledger.rolled_back + json.ledger.dropped);
    expect(json.modules.map((m: { id: number; dead: boolean }) => [m.id, m.dead])).toEqual([[0, true], [1, false]]);
    expect(json.failover.hosts.map((h: { role: string }) => h.role)).toEqual(['dead', 'primary']);
  });

  it('gives both hosts the simplex settings: RAM, ECC and the scrubber', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'failover-')), 'run.json');
    const run = await lockstep(['run', '--workload', 'card-auth', '--topology', 'cluster', '--duration', '100ms',
      '--ram', '2', '--ecc', 'secded', '--scrub-every', '1000', '--report', report]);
    expect(run.status).toBe(0);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json).toMatchObject({ topology: 'cluster', ram_mib: 2, ecc: 'secded' });
    // A pass every 1,000 instructions of the serving host (no failover: host 0 throughout),
    // each reading 2 MiB at the default 8 bytes a cycle.
    expect(json.scrub).toMatchObject({ every: 1000, passes: Math.floor(json.instret / 1000), words_per_pass: (2 << 20) / 4, cycles_per_pass: (2 << 20) / 8 });
  });

  it('both hosts killed: the service ends, said once on stderr and in the report in the system\'s words, status 137 (dead)', async () => {
    const report = join(mkdtempSync(join(tmpdir(), 'failover-')), 'run.json');
    const run = await lockstep(['run', '--workload', 'card-auth', '--topology', 'process-pair', '--duration', '200ms',
      '--inject', 'at=10ms,module=1,kind=kill', '--inject', 'at=50ms,module=0,kind=kill', '--report', report]);
    expect(run.status).toBe(137);
    const message = 'host 0 (the primary) stopped: killed; no backup is left to take over';
    expect(run.stderr.split('\n').filter((line) => line.startsWith('lockstep:'))).toEqual([`lockstep: ${message}`]);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ message, stop_reason: 'dead', exit_code: 137 });
  });

  it.each([
    [['run', 'examples/hello.s', '--inject', 'at=5ms,module=0,kind=kill'], /at a virtual time: only a transaction workload run/],
    ...([['--compare', 'store'], ['--resync', 'stop-copy'], ['--repair-after', '5'], ['--readmit', 'transient'], ['--diagnose-time', '5'], ['--threshold', '2/100'], ['--cross-check', 'within']] as const)
      .flatMap(([option, value]) => ['cluster', 'process-pair'].map((topology) => [
        ['run', '--workload', 'card-auth', '--topology', topology, option, value],
        new RegExp(`^lockstep: ${option} is a setting of the lockstep topologies \\(dmr, pair-spare, tmr\\): a ${topology}'s hosts are two simplex machines`),
      ] as [string[], RegExp])),
    [['run', 'examples/hello.s', '--topology', 'cluster'], /runs transaction workloads: add --workload NAME/],
    [['run', '--workload', 'card-auth', '--topology', 'tmr', '--missed', '3'], /^lockstep: --missed applies to the failover systems: use --topology cluster or process-pair$/],
    [['run', '--workload', 'card-auth', '--topology', 'tmr', '--checkpoint-every', '5'], /^lockstep: --checkpoint-every applies to the cluster: use --topology cluster$/],
    [['run', '--workload', 'card-auth', '--topology', 'tmr', '--cluster-aware'], /^lockstep: --cluster-aware applies to the cluster: use --topology cluster$/],
    [['run', '--workload', 'card-auth', '--topology', 'process-pair', '--checkpoint-every', '5'], /--checkpoint-every applies to the cluster/],
    [['run', '--workload', 'card-auth', '--topology', 'cluster', '--missed', '0'], /^lockstep: --missed: missed heartbeats 0 must be a whole number 1\.\.1000$/],
    [['run', '--workload', 'card-auth', '--topology', 'process-pair', '--missed', '1001'], /^lockstep: --missed: missed heartbeats 1001 must be a whole number 1\.\.1000$/],
    [['run', '--workload', 'card-auth', '--topology', 'cluster', '--checkpoint-every', '0'], /^lockstep: --checkpoint-every: checkpoint interval 0 must be a whole number of instructions, 1 or more$/],
    [['run', '--workload', 'card-auth', '--topology', 'cluster', '--cluster-aware=maybe'], /'maybe' is not one of off, dedupe, replay/],
    [['run', '--workload', 'card-auth', '--topology', 'cluster', '--inject', 'at=5,module=3,kind=kill'], /hosts 0 \(the primary\) and 1 \(the standby\)/],
    [['run', '--workload', 'card-auth', '--topology', 'cluster', '--replace', 'at=5,module=1'], /hosts are not replaced/],
    [['run', '--workload', 'card-auth', '--topology', 'cluster', '--trace'], /a cluster has two/],
    [['run', '--workload', 'card-auth', '--duration', '1ms', '--inject', 'at=5ms,module=0,kind=kill'],
      /^lockstep: fault 'at=5ms,module=0,kind=kill' lies outside the run, which lasts 1ms of virtual time: put it inside the run$/m],
  ])('refuses %j with one line and status 2', async (args, message) => {
    expectUsageError(await lockstep(args), [message]);
  });
});
