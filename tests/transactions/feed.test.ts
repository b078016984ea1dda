/**
 * The feed and the ledger on real machine runs of the echo workload (tests/helpers/
 * echo-workload.ts), issue 10: fault-free runs answer everything correctly on every
 * topology, with wfi and with polling; the identity arrived = correct + wrong + lost + queued
 * over seeded random faults on every topology; single faults on pair-spare and tmr lose or
 * corrupt nothing; simplex shows wrong and lost transactions and downtime; overload drops at
 * the FIFO; runs are deterministic.
 */
import { describe, expect, test } from 'vitest';
import { machineFor } from '../helpers/machine.ts';
import { ECHO_POLLING, ECHO_WFI, echoWorkload, echoWithDeadline } from '../helpers/echo-workload.ts';
import { runWorkload, arrivalStream, TransactionFeed, type FeedOptions, type Ledger } from '../../src/transactions/index.ts';
import { Random } from '../../src/fault/random.ts';
import { parseFault } from '../../src/fault/spec.ts';
import { TOPOLOGIES, type Topology, moduleCount } from '../../src/machine/topology.ts';
import type { MachineConfig } from '../../src/machine/machine.ts';

const DURATION_US = 20_000; // 2,000,000 cycles
const END_CYCLE = DURATION_US * 100;
const PROGRAMS = { wfi: ECHO_WFI, polling: ECHO_POLLING } as const;

async function ledgerOf(
  program: keyof typeof PROGRAMS, config: MachineConfig & { faults?: string[] }, options: Partial<FeedOptions> = {},
) {
  const { machine } = await machineFor(PROGRAMS[program], config);
  const { ledger } = runWorkload(machine, { workload: echoWorkload, durationUs: DURATION_US, rate: 5000, ...options });
  return { ledger, machine };
}

/** The identity, and counts that are whole and consistent. */
function expectConsistent(l: Ledger): void {
  expect(l.correct + l.wrong + l.lost + l.queued).toBe(l.arrived);
  for (const n of [l.arrived, l.dropped, l.correct, l.wrong, l.lost, l.duplicated, l.queued, l.deadline_misses]) {
    expect(Number.isInteger(n) && n >= 0).toBe(true);
  }
  expect(l.dropped).toBeLessThanOrEqual(l.lost);
  expect(l.latency_us.p50).toBeLessThanOrEqual(l.latency_us.p99);
  expect(l.latency_us.p99).toBeLessThanOrEqual(l.latency_us.max);
}

const arrivalsExpected = (options: { rate: number; seed?: number }) =>
  [...arrivalStream({ workload: echoWorkload, endCycle: END_CYCLE, rate: options.rate, seed: options.seed ?? 1 })].length;

describe('fault-free runs', () => {
  test.each(TOPOLOGIES.flatMap((t) => [[t, 'wfi'], [t, 'polling']] as const))('%s, %s: every transaction answered correctly', async (topology, program) => {
    const { ledger, machine } = await ledgerOf(program, { topology });
    expectConsistent(ledger);
    expect(machine.halt).toBeUndefined();
    expect(ledger.arrived).toBe(arrivalsExpected({ rate: 5000 }));
    expect(ledger.arrived).toBeGreaterThan(50);
    expect([ledger.wrong, ledger.lost, ledger.duplicated, ledger.dropped, ledger.downtime_us]).toEqual([0, 0, 0, 0, 0]);
    expect(ledger.queued).toBeLessThanOrEqual(1); // at most the one in service at the end
    // Service: 2 × ECHO_DELAY loop instructions and ~25 more, at one instruction a cycle.
    expect(ledger.latency_us.p50).toBeGreaterThan(2);
  });

  test('a trace replays exactly its arrivals', async () => {
    const { machine } = await machineFor(ECHO_WFI);
    const trace = [
      { cycle: 1000, payload: [1, 2, 3, 4] as [number, number, number, number] },
      { cycle: 1000, payload: [5, 6, 7, 8] as [number, number, number, number] },
      { cycle: 90_000, payload: [0xFFFF_FFFF, 0, 0, 0] as [number, number, number, number] },
    ];
    const { ledger, feed } = runWorkload(machine, { workload: echoWorkload, durationUs: 1000, trace });
    expect(ledger).toMatchObject({ arrived: 3, correct: 3, queued: 0, lost: 0 });
    // Latency of the first is its service time; the second waited for the first.
    expect(ledger.latency_us.max).toBeGreaterThan(ledger.latency_us.p50);
    expect(feed.progress()).toMatchObject({ arrived: 3, dropped: 0, results: 3, down: false, done: true, nowUs: 1000 });
  });

  test('deadlines: a deadline shorter than the service time is missed by every transaction, a long one by none', async () => {
    const { machine: a } = await machineFor(ECHO_WFI);
    const tight = runWorkload(a, { workload: echoWithDeadline(1), durationUs: DURATION_US, rate: 2000 }).ledger;
    expect(tight.deadline_misses).toBe(tight.arrived);
    const { machine: b } = await machineFor(ECHO_WFI);
    const loose = runWorkload(b, { workload: echoWithDeadline(500), durationUs: DURATION_US, rate: 2000 }).ledger;
    expect(loose.deadline_misses).toBe(0);
  });
});

describe('overload and determinism', () => {
  test('a rate above capacity fills the FIFO and drops; the run still ends cleanly', async () => {
    // Capacity: one record per ~2.3 µs of service; 1,000,000 arrivals per second is one per µs.
    const { ledger, machine } = await ledgerOf('wfi', { topology: 'tmr' }, { rate: 1_000_000, fifo: 8, durationUs: 2000 });
    expectConsistent(ledger);
    expect(machine.halt).toBeUndefined();
    expect(ledger.dropped).toBeGreaterThan(ledger.arrived / 4);
    expect(ledger.lost).toBe(ledger.dropped);
    expect(ledger.wrong).toBe(0);
    expect(ledger.queued).toBeGreaterThanOrEqual(7); // a full FIFO, or one just taken into service
    expect(ledger.queued).toBeLessThanOrEqual(9);
  });

  test.each(['wfi', 'polling'] as const)('same options, same ledger byte for byte (%s, with a fault)', async (program) => {
    const config = { topology: 'tmr' as Topology, faults: ['at=20000,module=1,kind=flip,target=s1,bit=3'] };
    const a = await ledgerOf(program, config, { rate: 20_000, seed: 9 });
    const b = await ledgerOf(program, config, { rate: 20_000, seed: 9 });
    expect(JSON.stringify(b.ledger)).toBe(JSON.stringify(a.ledger));
    const c = await ledgerOf(program, config, { rate: 20_000, seed: 10 });
    expect(JSON.stringify(c.ledger)).not.toBe(JSON.stringify(a.ledger));
  });
});

describe('advancing in slices', () => {
  /** The whole run in slices of at most `budget` instructions and `cycles` cycles each, checking the clock never passes a slice's end. */
  async function sliced(program: keyof typeof PROGRAMS, config: MachineConfig & { faults?: string[] }, budget: number, cycles: number) {
    const { machine } = await machineFor(PROGRAMS[program], config);
    const feed = new TransactionFeed(machine, { workload: echoWorkload, durationUs: DURATION_US, rate: 5000 });
    let slices = 0;
    for (;;) {
      const until = feed.nowCycle + cycles;
      const done = feed.advance(budget, until);
      slices++;
      expect(feed.nowCycle).toBeLessThanOrEqual(until);
      expect(feed.progress().nowUs).toBe(feed.nowCycle / 100);
      if (done) break;
    }
    return { ledger: feed.ledger(), slices };
  }

  test.each([
    ['wfi', 'simplex', []],
    ['polling', 'simplex', ['at=700000,kind=kill']],
    ['wfi', 'tmr', ['at=20000,module=1,kind=flip,target=s1,bit=3']],
  ] as const)('%s on %s %j: the same ledger as one call, the clock moving on after the machine is down', async (program, topology, faults) => {
    const config = { topology: topology as Topology, faults: [...faults] };
    const whole = await ledgerOf(program, config);
    const bySlices = await sliced(program, config, 977, 30_011);
    expect(JSON.stringify(bySlices.ledger)).toBe(JSON.stringify(whole.ledger));
    // 2,000,000 cycles in slices of at most 30,011 cycles: at least 67 slices, even while down.
    expect(bySlices.slices).toBeGreaterThanOrEqual(Math.ceil(END_CYCLE / 30_011));
  });
});

describe('faults', () => {
  test('simplex, a flip in the state (s1): wrong results from then on, nothing lost', async () => {
    // Polling: one instruction a cycle, so instruction 500,000 is at 5 ms of the 20.
    const { ledger } = await ledgerOf('polling', { faults: ['at=500000,kind=flip,target=s1,bit=7'] });
    expectConsistent(ledger);
    expect(ledger.correct).toBeGreaterThan(0);
    expect(ledger.wrong).toBeGreaterThan(ledger.arrived / 2);
    expect([ledger.lost, ledger.duplicated]).toEqual([0, 0]);
  });

  test('simplex, kill: transactions go on arriving and are lost; downtime from the kill to the end', async () => {
    const kill = 700_000;
    const { ledger, machine } = await ledgerOf('polling', { faults: [`at=${kill},kind=kill`] });
    expectConsistent(ledger);
    expect(machine.halt?.reason).toBe('dead');
    expect(ledger.arrived).toBe(arrivalsExpected({ rate: 5000 }));
    // Everything that arrived after the kill is lost (and perhaps one in service at the kill).
    const afterKill = [...arrivalStream({ workload: echoWorkload, endCycle: END_CYCLE, rate: 5000, seed: 1 })].filter((a) => a.cycle >= kill).length;
    expect(afterKill).toBeGreaterThan(50);
    expect(ledger.lost).toBeGreaterThanOrEqual(afterKill);
    expect(ledger.lost).toBeLessThanOrEqual(afterKill + 1);
    expect(ledger.queued).toBe(0);
    expect(ledger.downtime_us).toBe((END_CYCLE - kill) / 100); // a polling guest: cycle = instruction number
  });

  test('a machine whose program ends is down: every arrival after it is lost, the FIFO fills and then drops', async () => {
    const { machine } = await machineFor('.globl _start\n_start:\n li t0, 0x100000\n li t1, 0x5555\n sw t1, 0(t0)\n');
    const { ledger } = runWorkload(machine, { workload: echoWorkload, durationUs: DURATION_US, rate: 5000, fifo: 4 });
    expect(machine.halt?.reason).toBe('exit');
    expect(ledger.lost).toBe(ledger.arrived);
    expect(ledger.dropped).toBe(ledger.arrived - 4);
    // Four instructions (li 0x5555 is lui + addi): down from cycle 4.
    expect(ledger.downtime_us).toBe((END_CYCLE - 4) / 100);
  });

  test('dmr, a flip: fail-stop, nothing wrong, the rest lost', async () => {
    const { ledger, machine } = await ledgerOf('polling', { topology: 'dmr', faults: ['at=500000,module=1,kind=flip,target=s1,bit=7'] });
    expectConsistent(ledger);
    expect(machine.halt?.reason).toBe('failstop');
    expect(ledger.wrong).toBe(0);
    expect(ledger.lost).toBeGreaterThan(0);
    expect(ledger.downtime_us).toBeGreaterThan(10_000);
  });

  const SINGLE = [
    'at=500000,module=1,kind=flip,target=s1,bit=7',
    'at=300000,module=0,kind=kill',
    'at=1000,module=2,kind=stuck1,target=t2,bit=0',
    'at=800000,module=0,kind=flip,target=pc,bit=4',
    'at=123456,module=1,kind=flip,target=result,bit=31',
  ];
  test.each((['pair-spare', 'tmr'] as const).flatMap((t) => SINGLE.map((f) => [t, f] as [Topology, string])))('%s, %s: nothing wrong, lost or duplicated', async (topology, fault) => {
    const { ledger } = await ledgerOf('polling', { topology, faults: [fault] });
    expectConsistent(ledger);
    expect([ledger.wrong, ledger.lost, ledger.duplicated]).toEqual([0, 0, 0]);
    expect(ledger.correct).toBe(ledger.arrived - ledger.queued);
  });

  test('a stop-copy resync pauses the machine: downtime is the pause, and nothing is lost', async () => {
    const { ledger, machine } = await ledgerOf('polling', {
      topology: 'tmr', resync: 'stop-copy', repairAfter: 10_000, faults: ['at=100000,module=1,kind=kill'],
    });
    expectConsistent(ledger);
    const pauses = machine.events.flatMap((e) => (e.kind === 'resync-done' ? [e.pause_instructions] : []));
    expect(pauses).toHaveLength(1);
    // Stop-copy copies at least the 1 MiB of RAM at 8 bytes a cycle.
    expect(pauses[0]).toBeGreaterThanOrEqual((1 << 20) / 8);
    expect(ledger.downtime_us).toBe(pauses[0] / 100);
    expect([ledger.wrong, ledger.lost, ledger.duplicated]).toEqual([0, 0, 0]);
  });
});

describe('faults at a virtual time', () => {
  // A run of DURATION_US = 20 ms: its instants are [0, 20 ms); a fault at 20 ms or later would never be injected.
  test.each(['20ms', '25ms'])('a fault at %s, not within the run, is refused when planned, naming the fault and the run\'s length', async (at) => {
    const { machine } = await machineFor(ECHO_POLLING);
    const plan = () => new TransactionFeed(machine, {
      workload: echoWorkload, durationUs: DURATION_US, rate: 5000, timedFaults: [parseFault(`at=${at},module=0,kind=kill`)],
    });
    expect(plan).toThrow(RangeError);
    expect(plan).toThrow(`fault 'at=${at},module=0,kind=kill' lies outside the run, which lasts 20ms of virtual time: put it inside the run`);
  });

  test('schedule() during the run refuses a fault after the end too; one inside the run is injected at its time', async () => {
    const { machine } = await machineFor(ECHO_POLLING);
    const feed = new TransactionFeed(machine, { workload: echoWorkload, durationUs: DURATION_US, rate: 5000 });
    feed.advance(Infinity, 5_000 * 100);
    expect(() => feed.schedule(parseFault('at=30ms,module=0,kind=kill'))).toThrow(/lies outside the run, which lasts 20ms/);
    feed.schedule(parseFault('at=19999us,module=0,kind=kill'));
    feed.advance();
    // The polling guest retires one instruction a cycle: 19,999 µs is instruction 1,999,900.
    expect(machine.events.filter((e) => e.kind === 'inject')).toEqual([expect.objectContaining({ instret: 1_999_900 })]);
  });
});

describe('property: random single faults on every topology', () => {
  const KINDS = ['flip', 'stuck0', 'stuck1', 'kill'] as const;
  const random = new Random(2026);
  const cases = Array.from({ length: 40 }, (_, k) => {
    const topology = TOPOLOGIES[k % TOPOLOGIES.length];
    const kind = random.pick(KINDS);
    const register = random.pick(['x' + (1 + random.below(31)), 'pc', 'result', 's1', 't0', 'ra']);
    const bit = register === 'pc' ? 2 + random.below(30) : random.below(32); // pc bits 0 and 1 do not exist
    const target = kind === 'kill' ? '' : `,target=${register},bit=${bit}`;
    const fault = `at=${random.below(1_500_000)},module=${random.below(moduleCount(topology))},kind=${kind}${target}`;
    return {
      topology, fault, program: random.pick(['wfi', 'polling'] as const),
      rate: 1000 + random.below(300_000), fifo: 1 + random.below(64), seed: random.nextU32(),
    };
  });

  test.each(cases)('$topology $program $fault rate $rate fifo $fifo', async ({ topology, fault, program, rate, fifo, seed }) => {
    const { ledger } = await ledgerOf(program, { topology, faults: [fault] }, { rate, fifo, seed });
    expectConsistent(ledger);
    expect(ledger.arrived).toBe(arrivalsExpected({ rate, seed }));
    if (topology === 'pair-spare' || topology === 'tmr') expect([ledger.wrong, ledger.lost - ledger.dropped, ledger.duplicated]).toEqual([0, 0, 0]);
    if (topology === 'dmr') expect(ledger.wrong).toBe(0);
  });
});
