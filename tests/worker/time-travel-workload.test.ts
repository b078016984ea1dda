/**
 * Time travel across every replica (issue 15, src/worker/time-travel.ts) for transaction
 * workloads: card-auth on simplex and tmr, on a cluster and on a process pair (card-auth-pair),
 * each with a hard fault (the active module or the primary killed at a virtual time) and a
 * transient one (a bit flipped in the live data a transaction reads), plus faults made "now"
 * while the run goes — one where the user stopped, one in the middle of the outage or the
 * downtime that a kill leaves, where the clock runs on with no instruction retiring.
 *
 * A session is driven as a user drives it (seeded step sizes, the faults made at the moments
 * it stopped at). The golden run is the library's own: createService and a TransactionFeed,
 * run once without stopping but to read states, making the same faults at the same moments
 * (instructions, virtual time), recording the state at chosen instruction counts (every
 * instruction around the faults and the death) — the state at instruction k is the rig once k
 * instructions have retired, before anything after; the present's instruction is the present
 * as it was, its clock wherever the run left it. Then the session goes back to k (travel,
 * back, the present) and steps forward: at every count the registers, module states, a hash
 * of every module's whole RAM, the console, the machine's or the system's events, the
 * ledger, the feed's progress and the failover account (roles, heartbeats, checkpoints,
 * downtime) must be the golden run's.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MachineSession, VIEW_CSRS, type MachineView, type ModuleView } from '../../src/worker/session.ts';
import type { Machine } from '../../src/machine/machine.ts';
import type { MachineEvent } from '../../src/machine/events.ts';
import { createService, type FailoverSummary, type SystemEvent } from '../../src/system/index.ts';
import { compareFault } from '../../src/system/compare.ts';
import { TransactionFeed, type FeedProgress } from '../../src/transactions/feed.ts';
import type { Ledger } from '../../src/transactions/ledger.ts';
import { feedOptionsFor, type WorkloadSettings } from '../../src/transactions/settings.ts';
import { WORKLOADS } from '../../src/transactions/workloads/index.ts';
import { formatFault, parseFault } from '../../src/fault/spec.ts';
import { Random } from '../../src/fault/random.ts';
import { assemble } from '../../src/isa/index.ts';
import type { ServiceTopology } from '../../src/system/index.ts';

const RAM_BASE = 0x8000_0000;
const RAM_BYTES = 0x10_0000;
const CYCLES_PER_US = 100;
const source = (name: string) => readFileSync(new URL(`../../examples/${name}.s`, import.meta.url), 'utf8');
/** H = 1 ms, M = 3, F = 2 ms, K = 20,000: an outage of 5 ms or less. */
const FAILOVER = { heartbeatUs: 1000, missed: 3, failoverTimeUs: 2000, checkpointEvery: 20_000 };
/** Checkpoints every 30,000 instructions, 2 a level, fine ones from 20,000: travel restores from many. */
const TRAVEL = { interval: 30_000, perLevel: 2, fineFrom: 20_000 };

/** FNV-1a over bytes. */
function fnv(bytes: Uint8Array): number {
  let hash = 0x811C9DC5;
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  return hash;
}

type ModuleState = Pick<ModuleView, 'state' | 'dead' | 'faults' | 'pc' | 'privilege' | 'regs' | 'csrs'>;

/** A rig's state as the test compares it. */
interface State {
  instret: number;
  modules: ModuleState[];
  memory: number[];
  output: number;
  events: number;
  systemEvents: number;
  progress: FeedProgress;
  ledger: Ledger;
  failover?: Omit<FailoverSummary, 'events'>;
}

/** A fault made while the run goes: `spec` without `at` (made now), at the moment (instret, cycle) the session stopped at. */
interface NowFault { instret: number; cycle: number; spec: string }

interface Plan {
  topology: ServiceTopology;
  program: string;
  workload: WorkloadSettings;
  /** Faults at a virtual time, scheduled before the run. */
  timed: string[];
  /** "now" faults: `spec` at the session's first stop at or after instruction `decide`, `afterDeath` (if any) at its first stop after module 0 died. */
  now: { decide: number; spec: string; afterDeath?: string };
}

/**
 * A seeded plan: the hard fault kills module 0 at a virtual time in 6..12 ms; the transient
 * one flips bit 24 of the balance the first transaction after 6..12 ms reads (compareFault);
 * a register no workload uses (tp) is flipped "now" mid-run, and after a kill another one
 * on the module that survives or takes over.
 */
function seededPlan(topology: ServiceTopology, fault: 'hard' | 'transient', seed: number): Plan {
  const random = new Random(seed * 7 + (fault === 'hard' ? 1 : 2));
  const program = topology === 'process-pair' ? 'card-auth-pair' : 'card-auth';
  const workload = { name: program, rate: 20_000, duration: '16ms', seed, fifo: 8 + random.below(56) };
  const atUs = 6000 + 10 * random.below(600);
  const timed = fault === 'hard'
    ? `at=${atUs}us,module=0,kind=kill`
    : formatFault(compareFault({ kind: 'transient', atUs }, WORKLOADS.get(program)!, assemble(source(program), { file: `${program}.s` }).program!,
      { durationUs: 16_000, rate: 20_000, seed }));
  const survivor = topology === 'tmr' ? 2 : 1;
  return {
    topology, program, workload, timed: [timed],
    now: {
      decide: 54_000 + random.below(3000), // card-auth's start-up takes ~53,000 instructions; then ~1,000 more a millisecond
      spec: `module=${topology === 'tmr' ? 1 : 0},kind=flip,target=tp,bit=${random.below(32)}`,
      ...(fault === 'hard' ? { afterDeath: `module=${topology === 'simplex' ? 0 : survivor},kind=flip,target=tp,bit=${random.below(32)}` } : {}),
    },
  };
}

/** The page's state of the session: its view, the events and output gathered since the last travel. */
class Watcher {
  events: MachineEvent[] = [];
  systemEvents: SystemEvent[] = [];
  output: number[] = [];

  constructor(private readonly session: MachineSession) {}

  take(view: MachineView, rewound: boolean): State {
    if (rewound) {
      this.events = [];
      this.systemEvents = [];
      this.output = [];
    }
    this.events.push(...view.events);
    this.systemEvents.push(...(view.failover?.events ?? []));
    this.output.push(...view.output);
    const { events: _, ...failover } = view.failover ?? { events: [] };
    return {
      instret: view.instret,
      modules: view.modules.map(pick),
      memory: view.modules.map((m) => fnv(this.session.memory(m.id, RAM_BASE, RAM_BYTES))),
      output: this.output.length, events: this.events.length, systemEvents: this.systemEvents.length,
      progress: view.workload!.progress, ledger: view.workload!.ledger,
      ...(view.failover ? { failover: failover as Omit<FailoverSummary, 'events'> } : {}),
    };
  }
}

const pick = (m: ModuleView): ModuleState => ({ state: m.state, dead: m.dead, faults: m.faults, pc: m.pc, privilege: m.privilege, regs: m.regs, csrs: m.csrs });

/** Runs the plan in a session as a user would; returns it at the end, with the moments its "now" faults were made at. */
async function liveSession(plan: Plan, seed: number): Promise<{ session: MachineSession; made: NowFault[] }> {
  const session = new MachineSession(TRAVEL);
  await session.create({ topology: 'simplex' });
  await session.load({ kind: 'source', source: source(plan.program), name: `${plan.program}.s` });
  await session.setWorkload(plan.workload);
  await session.create({ topology: plan.topology, ...(plan.topology === 'cluster' || plan.topology === 'process-pair' ? { failover: FAILOVER } : {}) });
  for (const spec of plan.timed) await session.inject(spec);
  const random = new Random(seed * 31 + 7);
  const made: NowFault[] = [];
  const pending = [plan.now.spec, ...(plan.now.afterDeath ? [plan.now.afterDeath] : [])];
  let view = (await session.view());
  let died = false;
  while (!view.workload!.progress.done) {
    const spec = pending[0];
    if (spec !== undefined && (spec === plan.now.spec ? view.instret >= plan.now.decide : died)) {
      made.push({ instret: view.instret, cycle: Math.round(view.workload!.progress.nowUs * CYCLES_PER_US), spec });
      await session.inject(spec);
      pending.shift();
    }
    view = await session.step(1 + random.below(8000));
    died ||= view.modules[0].dead;
  }
  expect(pending, 'every "now" fault of the plan was made').toEqual([]);
  return { session, made };
}

/** The golden run: the library's service and feed, the plan's faults made at the session's moments, the state recorded at each of `counts`. */
async function goldenRun(plan: Plan, made: readonly NowFault[], counts: readonly number[]) {
  const output: number[] = [];
  const { service, machine, system } = await createService(assemble(source(plan.program), { file: `${plan.program}.s` }).program!, {
    topology: plan.topology, console: { write: (_fd, bytes) => output.push(...bytes), read: () => new Uint8Array() },
    ...(system_(plan.topology) ? { failover: FAILOVER } : {}),
  });
  const feed = new TransactionFeed(service, feedOptionsFor(plan.workload));
  for (const spec of plan.timed) feed.schedule(parseFault(spec));
  const machines: readonly Machine[] = system ? system.hosts : [machine!];
  const state = (): State => {
    const modules = system
      ? system.hosts.map((host) => ({ ...host.moduleStatus()[0], ...architecture(host, 0) }))
      : machine!.moduleStatus().map((s, k) => ({ ...s, ...architecture(machine!, k) }));
    const { events: _, ...failover } = system?.summary(feed.nowCycle) ?? { events: [] };
    return {
      instret: service.instret,
      modules: modules.map((m) => ({ state: m.state, dead: m.dead, faults: m.faults, pc: m.pc, privilege: m.privilege, regs: m.regs, csrs: m.csrs })),
      memory: machines.flatMap((m) => Array.from({ length: m.moduleCount }, (_, k) => fnv(m.readMemory(k, RAM_BASE, RAM_BYTES)!))),
      output: output.length, events: machine?.events.length ?? 0, systemEvents: system?.events.length ?? 0,
      progress: feed.progress(), ledger: feed.ledger(),
      ...(system ? { failover: failover as Omit<FailoverSummary, 'events'> } : {}),
    };
  };
  /** Runs to the moment (instret, cycle): instructions first, then the clock with none retiring. */
  const reach = (instret: number, cycle: number) => {
    while (service.instret < instret || feed.nowCycle < cycle) {
      const before = [service.instret, feed.nowCycle];
      feed.advance(Math.max(1, instret - service.instret), cycle);
      if (before[0] === service.instret && before[1] === feed.nowCycle) throw new Error(`the golden run does not reach ${instret}, ${cycle}`);
    }
    expect([service.instret, feed.nowCycle], 'the golden run reaches the moment the session made its fault at').toEqual([instret, cycle]);
  };
  type Step = { instret: number; cycle: number; fault?: NowFault };
  const steps: Step[] = [...counts.map((instret) => ({ instret, cycle: -1 })), ...made.map((f) => ({ instret: f.instret, cycle: f.cycle, fault: f }))]
    .sort((a, b) => a.instret - b.instret || a.cycle - b.cycle);
  const states = new Map<number, State>();
  for (const step of steps) {
    if (step.fault) {
      reach(step.instret, step.cycle);
      service.inject(parseFault(`at=${step.instret},${step.fault.spec}`));
    } else {
      while (service.instret < step.instret && !feed.done) feed.advance(step.instret - service.instret);
      if (service.instret === step.instret) states.set(step.instret, state());
    }
  }
  feed.advance();
  return {
    states, end: state(), output: Uint8Array.from(output),
    events: machine?.events ?? [], systemEvents: system?.events ?? [],
  };
}

function system_(topology: ServiceTopology): boolean {
  return topology === 'cluster' || topology === 'process-pair';
}

function architecture(m: Machine, k: number) {
  return {
    pc: m.pc(k), privilege: m.privilege(k),
    regs: Array.from({ length: 32 }, (_, n) => m.reg(k, n)),
    csrs: Object.fromEntries(VIEW_CSRS.map(([name, num]) => [name, m.csr(k, num) ?? 0])),
  };
}

type Golden = Awaited<ReturnType<typeof goldenRun>>;

function expectSame(actual: State, expected: State | undefined, golden: Golden, watcher: Watcher, what: string): void {
  expect(expected, `${what}: the golden run has no state at instruction ${actual.instret}`).toBeDefined();
  expect(actual, what).toEqual(expected);
  expect(watcher.events, `${what}: events`).toEqual(golden.events.slice(0, expected!.events));
  expect(watcher.systemEvents, `${what}: system events`).toEqual(golden.systemEvents.slice(0, expected!.systemEvents));
  expect(Uint8Array.from(watcher.output), `${what}: console`).toEqual(golden.output.subarray(0, expected!.output));
}

/** Steps the session to instruction `target` (a step ends early where a kill stops the service, and goes through an outage in spans of virtual time). */
async function stepTo(session: MachineSession, watcher: Watcher, target: number): Promise<State> {
  let state: State | undefined;
  for (let guard = 0; !state || state.instret < target; guard++) {
    if (guard > 200) throw new Error(`stepping does not reach instruction ${target}`);
    const view = await session.step(target - (await session.view()).instret);
    state = watcher.take(view, false);
    if (view.workload!.progress.done) break;
  }
  return state;
}

const CASES = (['simplex', 'tmr', 'cluster', 'process-pair'] as const).flatMap((t) => (['hard', 'transient'] as const).map((f) => [t, f] as const));

describe.each(CASES)('time travel with card-auth on %s, %s fault', (topology, fault) => {
  it('going back to instruction k and stepping forward gives, at every count, the uninterrupted run\'s state', async () => {
    const seed = 1 + CASES.findIndex(([t, f]) => t === topology && f === fault);
    const plan = seededPlan(topology, fault, seed);
    const { session, made } = await liveSession(plan, seed);
    const watcher = new Watcher(session);
    const present = watcher.take(await session.travel(Number.MAX_SAFE_INTEGER), true);
    const history = (await session.view()).history!;
    const end = present.instret;
    expect(history.present).toBe(end);
    const death = fault === 'hard' ? history.detection : undefined;
    if (fault === 'hard') expect(death, 'the kill took effect and was noticed').toBeDefined();

    // Counts: every instruction around the "now" faults and the death, the landmarks, and seeded others.
    const random = new Random(seed * 101);
    const around = (k: number, span: number) => Array.from({ length: 2 * span + 1 }, (_, d) => k - span + d);
    const counts = [...new Set([
      0, 1, 53_000, end,
      ...made.flatMap((f) => around(f.instret, 6)),
      ...(death !== undefined ? around(death, 12) : []),
      ...(history.injection !== undefined ? around(history.injection, 3) : []),
      ...Array.from({ length: 12 }, () => random.below(end)),
    ].filter((k) => k >= 0 && k <= end))].sort((a, b) => a - b);
    const golden = await goldenRun(plan, made, counts);
    if (fault === 'transient' && topology !== 'tmr') expect(golden.end.ledger.wrong, 'the flip corrupted answers').toBeGreaterThan(0);
    if (fault === 'hard' && topology === 'cluster') expect(golden.end.ledger.rolled_back).toBeGreaterThan(0);

    if (fault === 'hard' && topology !== 'tmr') {
      // The fault made after the death was made while the clock ran on with no instruction retiring: after its instruction's first moment.
      expect(made[1].cycle).toBeGreaterThan(golden.states.get(made[1].instret)!.progress.nowUs * CYCLES_PER_US);
    }

    // The present, as the live run left it.
    expectSame(present, golden.end, golden, watcher, 'the present');

    // Back to k, then forward through the following counts.
    const starts = [0, ...(death !== undefined ? [death - 1, death, death + 1] : []), ...made.map((f) => f.instret), ...Array.from({ length: 3 }, () => counts[random.below(counts.length)])].filter((k) => k <= end);
    for (const k of starts) {
      let state = watcher.take(await session.travel(k), true);
      // The present's instruction is the present itself, where the clock ran on after it (a dead simplex: to the end).
      expectSame(state, k === end ? golden.end : golden.states.get(k), golden, watcher, `after travel to ${k}`);
      for (const next of counts.filter((c) => c > k).slice(0, k === 0 ? counts.length : 30)) {
        state = await stepTo(session, watcher, next);
        expectSame(state, golden.states.get(next), golden, watcher, `stepping from ${k} to ${next}`);
      }
    }

    // Back one instruction at a time through the death (or the transient fault's instruction).
    let state = watcher.take(await session.travel((death ?? made[0].instret) + 4), true);
    for (let n = 0; n < 8; n++) {
      state = watcher.take(await session.back(1), true);
      expectSame(state, golden.states.get(state.instret), golden, watcher, `back to ${state.instret}`);
    }

    // Free running from the past replays to the end: the same ledger, account and events as the uninterrupted run's.
    watcher.take(await session.travel(counts[Math.floor(counts.length / 2)]), true);
    session.start();
    for (;;) {
      const view = (await session.view());
      const replayed = watcher.take(view, false);
      if (!view.running) {
        expectSame(replayed, golden.end, golden, watcher, 'free running to the end');
        break;
      }
      await session.changed();
    }
  }, 240_000);
});

describe('time travel with a workload', () => {
  it('after a cluster\'s takeover, one step back shows the primary before its death, and the present comes back as it was', async () => {
    const plan = seededPlan('cluster', 'hard', 11);
    const live = new MachineSession(TRAVEL);
    await live.create({ topology: 'simplex' });
    await live.load({ kind: 'source', source: source('card-auth'), name: 'card-auth.s' });
    await live.setWorkload(plan.workload);
    await live.create({ topology: 'cluster', failover: FAILOVER });
    await live.inject(plan.timed[0]);
    let view = (await live.view());
    while (!view.workload!.progress.done) view = await live.step(50_000);
    const end = (await live.view());
    const death = end.history!.detection!;
    const after = await live.travel(death + 1);
    expect(after.failover!.hosts.map((h) => h.role)).toEqual(['dead', 'primary']);
    expect(after.failover!.events.map((e) => e.kind)).toContain('takeover');
    const before = await live.back(1);
    expect(before.instret).toBe(death);
    expect(before.failover!.hosts.map((h) => h.role)).toEqual(['primary', 'standby']);
    expect(before.failover!.events.map((e) => e.kind)).not.toContain('host-down');
    expect(before.workload!.ledger.downtime_us).toBe(0);
    const back = await live.travel(end.instret);
    expect(back.workload!.progress).toEqual(end.workload!.progress);
    expect(back.workload!.ledger).toEqual(end.workload!.ledger);
  });
});
