/**
 * Scenario files for the failover systems (issue 11): `machine.topology` cluster and
 * process-pair, `machine.failover` (durations as text, as the workload's duration), the
 * checks `lockstep run --topology cluster|process-pair` makes, faults at a virtual time, and
 * `expect.ledger.rolled_back`. The shipped scenarios are run through the library
 * (createService + TransactionFeed, as the CLI runs a workload) and must meet what they
 * expect.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateScenario, scenarioJsonSchema, checkLedger, type Scenario } from '../../src/scenario/index.ts';
import { failoverOptionsOf } from '../../src/scenario/failover.ts';
import { createService, settingsFor } from '../../src/system/index.ts';
import { TransactionFeed } from '../../src/transactions/feed.ts';
import { feedOptionsFor } from '../../src/transactions/settings.ts';
import { parseFault } from '../../src/fault/spec.ts';
import { assemble } from '../../src/isa/index.ts';

const WORKLOAD = { name: 'card-auth', rate: 20_000, duration: '20ms' };
const CLUSTER = { program: { example: 'card-auth' }, workload: WORKLOAD };

function problems(value: unknown): string {
  const result = validateScenario(value);
  expect(result.ok).toBe(false);
  return result.ok ? '' : result.error;
}

describe('machine.failover', () => {
  it('takes the cluster\'s settings as people write them, and translates them into the library\'s µs', () => {
    const failover = { heartbeat: '1ms', missed: 3, failoverTime: '2.5ms', checkpointEvery: 20_000, clusterAware: 'dedupe' as const };
    const result = validateScenario({ ...CLUSTER, machine: { topology: 'cluster', failover } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.scenario.machine).toEqual({ topology: 'cluster', compare: 'every', ramMiB: 1, resync: 'precopy', ecc: 'none', failover });
    // 1 ms = 1,000 µs, 2.5 ms = 2,500 µs; the rest as given.
    expect(failoverOptionsOf(failover)).toEqual({ heartbeatUs: 1000, missed: 3, failoverTimeUs: 2500, checkpointEvery: 20_000, clusterAware: 'dedupe' });
    expect(failoverOptionsOf({ heartbeat: '250us' })).toEqual({ heartbeatUs: 250 });
  });

  it('leaves the settings to the library\'s defaults when none are given, on either failover topology', () => {
    for (const topology of ['cluster', 'process-pair']) {
      const result = validateScenario({ ...CLUSTER, machine: { topology } });
      expect(result.ok && result.scenario.machine).toEqual({ topology, compare: 'every', ramMiB: 1, resync: 'precopy', ecc: 'none' });
    }
    expect(failoverOptionsOf({})).toEqual({});
  });

  it.each([
    ['a cluster without a workload', { program: { example: 'card-auth' }, machine: { topology: 'cluster' } },
      /machine\.topology: a cluster runs transaction workloads: add workload/],
    ['failover settings on a lockstep machine', { ...CLUSTER, machine: { topology: 'pair-spare', failover: { missed: 2 } } },
      /machine\.failover: failover settings apply to a cluster or a process pair, not pair-spare/],
    ['a checkpoint interval on a process pair', { ...CLUSTER, machine: { topology: 'process-pair', failover: { checkpointEvery: 1000 } } },
      /machine\.failover\.checkpointEvery: checkpointEvery applies to the cluster/],
    ['cluster-aware on a process pair', { ...CLUSTER, machine: { topology: 'process-pair', failover: { clusterAware: 'dedupe' } } },
      /machine\.failover: cluster-aware applies to the cluster/],
    ['a heartbeat that is not a virtual time', { ...CLUSTER, machine: { topology: 'cluster', failover: { heartbeat: '1 ms' } } },
      /machine\.failover\.heartbeat: a virtual time/],
    ['a failover time of zero', { ...CLUSTER, machine: { topology: 'cluster', failover: { failoverTime: '0ms' } } },
      /machine\.failover\.failoverTime: duration '0ms' must be longer than 0/],
    ['no missed heartbeat', { ...CLUSTER, machine: { topology: 'cluster', failover: { missed: 0 } } }, /machine\.failover\.missed/],
    ['an unknown cluster-aware mode', { ...CLUSTER, machine: { topology: 'cluster', failover: { clusterAware: 'maybe' } } }, /machine\.failover\.clusterAware/],
    ['an unknown key', { ...CLUSTER, machine: { topology: 'cluster', failover: { heartbeats: '1ms' } } }, /heartbeats/],
    ['an automatic repair of a host', { ...CLUSTER, machine: { topology: 'cluster', repairAfter: 1000 } }, /machine\.repairAfter: the hosts of a cluster are not repaired/],
    ['re-admission of a host', { ...CLUSTER, machine: { topology: 'cluster', readmit: 'transient' } }, /machine\.readmit: the hosts of a cluster are not re-admitted/],
    ['a re-admission policy, even never', { ...CLUSTER, machine: { topology: 'process-pair', readmit: 'never' } }, /machine\.readmit: the hosts of a process-pair are not re-admitted/],
    ['a pair-and-spare compare scope', { ...CLUSTER, machine: { topology: 'cluster', crossCheck: 'within' } }, /machine\.crossCheck: the hosts of a cluster are simplex machines/],
    ['a replaced host', { ...CLUSTER, machine: { topology: 'process-pair' }, replacements: [{ at: 5, module: 1 }] },
      /replacements: the hosts of a process-pair are not replaced/],
    ['a fault at a virtual time without a workload', { program: { example: 'count' }, faults: ['at=5ms,module=0,kind=kill'] },
      /faults\.0: fault 'at=5ms,module=0,kind=kill' is at a virtual time: only a transaction workload has a clock/],
  ])('refuses %s, naming where', (_what, value, message) => {
    expect(problems(value)).toMatch(message);
  });

  it('accepts a fault at a virtual time with a workload, and rolled_back in expect.ledger', () => {
    const result = validateScenario({
      ...CLUSTER, machine: { topology: 'cluster' }, faults: ['at=8ms,module=0,kind=kill'], expect: { ledger: { rolled_back: { min: 1 } } },
    });
    expect(result.ok).toBe(true);
    const ledger = { arrived: 10, dropped: 0, correct: 7, wrong: 0, lost: 3, rolled_back: 3, duplicated: 0, queued: 0, deadline_misses: 0, downtime_us: 0, latency_us: { p50: 0, p99: 0, max: 0 } };
    expect(checkLedger({ rolled_back: { min: 1 } }, ledger)).toEqual([{ field: 'rolled_back', expected: '≥ 1', actual: 3, met: true }]);
    expect(checkLedger({ rolled_back: 0 }, ledger)[0].met).toBe(false);
  });

  it('publishes the new keys in the JSON Schema', () => {
    const schema = scenarioJsonSchema() as { properties: { machine: { properties: Record<string, { properties?: Record<string, { enum?: string[]; type?: string }> }> } } };
    const failover = schema.properties.machine.properties.failover.properties!;
    expect(Object.keys(failover).sort()).toEqual(['checkpointEvery', 'clusterAware', 'failoverTime', 'heartbeat', 'missed']);
    expect(failover.clusterAware.enum).toEqual(['off', 'dedupe', 'replay']);
    expect(failover.heartbeat.type).toBe('string');
  });
});

const SHIPPED = new URL('../../web/public/scenarios/', import.meta.url);

/** Runs a scenario's workload, machine and faults as `lockstep run --workload` would; returns the final ledger. */
async function runScenario(scenario: Scenario) {
  const program = 'example' in scenario.program ? scenario.program.example : '';
  const source = readFileSync(new URL(`../../examples/${program}.s`, import.meta.url), 'utf8');
  const { machine } = scenario;
  const { service } = await createService(assemble(source, { file: `${program}.s` }).program!, settingsFor({
    topology: machine.topology, ramMiB: machine.ramMiB, compare: machine.compare, resync: machine.resync,
    failover: machine.failover ? failoverOptionsOf(machine.failover) : undefined,
  }));
  const faults = scenario.faults.map((f) => parseFault(f));
  for (const f of faults) if (f.atUs === undefined) service.inject(f);
  const feed = new TransactionFeed(service, { ...feedOptionsFor(scenario.workload!), timedFaults: faults.filter((f) => f.atUs !== undefined) });
  feed.advance();
  return feed.ledger();
}

describe('the shipped scenarios', () => {
  const files = readdirSync(SHIPPED).filter((f) => f.endsWith('.json'));
  const load = (file: string): Scenario => {
    const result = validateScenario(JSON.parse(readFileSync(new URL(file, SHIPPED), 'utf8')));
    if (!result.ok) throw new Error(`${file}: ${result.error}`);
    return result.scenario;
  };

  it('are valid, and the cluster and pair-spare ones put the same workload under the same fault', () => {
    expect(files).toEqual(expect.arrayContaining(['cluster-failover.json', 'pair-spare-kill.json']));
    const cluster = load('cluster-failover.json');
    const pairSpare = load('pair-spare-kill.json');
    expect([cluster.machine.topology, pairSpare.machine.topology]).toEqual(['cluster', 'pair-spare']);
    expect(pairSpare.workload).toEqual(cluster.workload);
    expect(pairSpare.faults).toEqual(cluster.faults);
  });

  it.each(files)('%s: the run meets what it expects', async (file) => {
    const scenario = load(file);
    const ledger = await runScenario(scenario);
    expect(checkLedger(scenario.expect!.ledger!, ledger).filter((c) => !c.met)).toEqual([]);
  });

  it('cluster-failover.json: the outage it describes is M·H + F, from its settings', async () => {
    const scenario = load('cluster-failover.json');
    const f = failoverOptionsOf(scenario.machine.failover!);
    // The kill at 8 ms falls on a heartbeat (every 1 ms): declared dead M·H later, serving again F after that.
    expect(parseFault(scenario.faults[0]).atUs! % f.heartbeatUs!).toBe(0);
    expect((await runScenario(scenario)).downtime_us).toBe(f.missed! * f.heartbeatUs! + f.failoverTimeUs!);
  });
});
