/**
 * Time travel (issue 15, src/worker/time-travel.ts) against the uninterrupted run. For a
 * seeded fault plan on every lockstep topology, a session runs a program the way a user
 * drives it (steps of seeded sizes, faults scheduled before and during the run, a module
 * replaced, console input sent when the program waits for it); an independent golden run —
 * the library's Machine stepped one instruction at a time, given the same interventions at
 * the same instructions — records every instruction's state. Then the session goes back to
 * instruction k (travel, back, the jump buttons) and steps forward: at every instruction the
 * registers, pc, CSRs, module states, a hash of the memory, the console output and the
 * events must be the golden run's.
 */
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { MachineSession, VIEW_CSRS, type MachineView, type ModuleView } from '../../src/worker/session.ts';
import { Machine, type MachineConfig } from '../../src/machine/machine.ts';
import type { MachineEvent } from '../../src/machine/events.ts';
import type { Topology } from '../../src/machine/topology.ts';
import { parseFault } from '../../src/fault/spec.ts';
import { Random } from '../../src/fault/random.ts';
import { assembleOrThrow } from '../helpers/machine.ts';

const SOURCE = readFileSync(new URL('../fixtures/time-travel/mix.s', import.meta.url), 'utf8');
const PROGRAM = assembleOrThrow(SOURCE, 'mix.s');
const RAM_BASE = 0x8000_0000;
const RAM_TOP = RAM_BASE + 0x10_0000;
const DATA = PROGRAM.symbols.get('mark')!;
/** Checkpoints every 300 instructions, 2 a level, fine ones from 500: the travels of a 6,000-instruction run restore from many. */
const TRAVEL = { interval: 300, perLevel: 2, fineFrom: 500 };
/** A run that has not halted by then (a fault that made a loop long) is compared up to here. */
const LIMIT = 12_000;

/** FNV-1a over bytes. */
function fnv(bytes: Uint8Array, hash = 0x811C9DC5): number {
  for (const b of bytes) hash = Math.imul(hash ^ b, 0x01000193) >>> 0;
  return hash;
}

/** The memory a state is compared by: the data (table, input buffer) and the stack's top, every instruction; all of RAM when `whole`. */
function memoryHash(read: (module: number, addr: number, length: number) => Uint8Array, modules: number, whole: boolean): number[] {
  return Array.from({ length: modules }, (_, m) => (whole
    ? fnv(read(m, RAM_BASE, RAM_TOP - RAM_BASE))
    : fnv(read(m, RAM_TOP - 64, 64), fnv(read(m, DATA, 0x120)))));
}

interface State {
  instret: number;
  modules: Pick<ModuleView, 'id' | 'state' | 'dead' | 'faults' | 'pc' | 'privilege' | 'regs' | 'csrs'>[];
  memory: number[];
  halted: boolean;
  events: number;
  output: number;
}

const pick = (m: ModuleView): State['modules'][number] => ({ id: m.id, state: m.state, dead: m.dead, faults: m.faults, pc: m.pc, privilege: m.privilege, regs: m.regs, csrs: m.csrs });

/** Something the user did, at instruction `at`. */
type Intervention = { at: number; fault: string } | { at: number; input: string } | { at: number; replace: number; when: number };

interface Plan {
  topology: Topology;
  config: Pick<MachineConfig, 'compare' | 'ecc' | 'resync' | 'scrubEvery'>;
  /** Faults scheduled at load, and during the run (at their decision instruction). */
  interventions: Intervention[];
}

/**
 * A seeded fault plan for `topology`: faults on registers and RAM words the program uses,
 * one of them scheduled mid-run, and (not on simplex) a replacement; compared at every
 * instruction (even seeds) or at stores (odd); seed 3 with SEC-DED memory, its scrubber and
 * an uncorrectable ECC error besides.
 */
function seededPlan(topology: Topology, seed: number): Plan {
  const random = new Random(seed);
  const modules = { simplex: 1, dmr: 2, 'pair-spare': 4, tmr: 3 }[topology];
  const register = () => random.pick(['t3', 't6', 's5', 's6', 'a0', 'sp', 's1', 't0']);
  const word = () => `mem:0x${(PROGRAM.symbols.get('table')! + 4 * random.below(64)).toString(16)}`;
  const at = (from: number, span: number) => from + random.below(span);
  const faults = [
    `at=${at(200, 1500)},module=${random.below(modules)},kind=flip,target=${register()},bit=${random.below(32)}`,
    `at=${at(1500, 2500)},module=${random.below(modules)},kind=${random.pick(['stuck0', 'stuck1'])},target=${word()},bit=${random.below(32)}`,
    ...(topology === 'simplex' ? [] : [`at=${at(3000, 1000)},module=${random.below(modules)},kind=kill`]),
    ...(seed === 3 ? [`at=${at(500, 2000)},module=${random.below(modules)},kind=ecc,target=${word()},bit=${random.below(32)}`] : []),
  ];
  const decided = at(1000, 800);
  const late = `at=${decided + random.below(400)},module=${random.below(modules)},kind=flip,target=${register()},bit=${random.below(32)}`;
  return {
    topology,
    config: { compare: seed % 2 === 0 ? 'every' : 'store', resync: 'precopy', ...(seed === 3 ? { ecc: 'secded', scrubEvery: 700 } as const : {}) },
    interventions: [
      ...faults.map((fault) => ({ at: 0, fault })),
      { at: 6, input: 'lockstep' }, // the read call waits at instruction 6
      { at: decided, fault: late },
      { at: 3500, input: 'Z' }, // the program polls the UART before pass 3
      ...(topology === 'simplex' ? [] : [{ at: 4600, replace: random.below(modules), when: 4600 + random.below(50) }]),
    ],
  };
}

/** The golden run: the library's Machine, one instruction at a time, with the plan's interventions at their instructions; every instruction's state. */
async function goldenRun(plan: Plan): Promise<{ states: State[]; events: MachineEvent[]; output: Uint8Array; wholeMemory: Map<number, number[]> }> {
  const output: number[] = [];
  const queue: number[] = [];
  const machine = await Machine.create({
    topology: plan.topology, ...plan.config,
    console: { write: (_fd, bytes) => output.push(...bytes), read: (max) => Uint8Array.from(queue.splice(0, max)) },
  });
  machine.load(PROGRAM);
  const states: State[] = [];
  const wholeMemory = new Map<number, number[]>();
  const read = (m: number, addr: number, length: number) => machine.readMemory(m, addr, length)!;
  const made = new Set<Intervention>();
  for (;;) {
    const t = machine.instret;
    if (!states[t]) {
      states[t] = {
        instret: t, halted: machine.halt !== undefined, events: machine.events.length, output: output.length,
        memory: memoryHash(read, machine.moduleCount, false),
        modules: machine.moduleStatus().map((s, k) => ({
          id: s.id, state: s.state, dead: s.dead, faults: s.faults, pc: machine.pc(k), privilege: machine.privilege(k),
          regs: Array.from({ length: 32 }, (_, n) => machine.reg(k, n)),
          csrs: Object.fromEntries(VIEW_CSRS.map(([name, num]) => [name, machine.csr(k, num) ?? 0])),
        })),
      };
      if (t % 250 === 0) wholeMemory.set(t, memoryHash(read, machine.moduleCount, true));
    }
    if (machine.halt || t >= LIMIT) break;
    for (const i of plan.interventions.filter((i) => i.at === t && !made.has(i))) {
      made.add(i);
      if ('fault' in i) machine.inject(parseFault(i.fault));
      else if ('input' in i) {
        queue.push(...new TextEncoder().encode(i.input));
        queue.splice(0, machine.pushInput(Uint8Array.from(queue)));
      } else machine.replace(i.when, { module: i.replace });
    }
    const result = machine.run(1);
    if (result.stop === 'input' && result.executed === 0) throw new Error(`the golden run waits for input at instruction ${t} that the plan does not give`);
  }
  return { states, events: machine.events, output: Uint8Array.from(output), wholeMemory };
}

/** Sessions of a test, closed after it (a verdict judged in the background stops). */
const sessions: MachineSession[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.close()));

/** A session driven as a user would: steps of seeded sizes, the plan's interventions made at their instructions. */
async function liveSession(plan: Plan, seed: number, twin = false): Promise<MachineSession> {
  const session = new MachineSession(TRAVEL);
  sessions.push(session);
  await session.create({ topology: plan.topology, ...plan.config });
  await session.load({ kind: 'source', source: SOURCE, name: 'mix.s' });
  session.setTwin(twin);
  const random = new Random(seed * 31 + 7);
  let view = await session.view();
  while (!view.halt && view.instret < LIMIT) {
    const t = view.instret;
    for (const i of plan.interventions.filter((i) => i.at === t)) {
      if ('fault' in i) await session.inject(i.fault);
      else if ('input' in i) session.sendInput(new TextEncoder().encode(i.input));
      else session.replace({ module: i.replace }, i.when);
    }
    const next = Math.min(...plan.interventions.filter((i) => i.at > t).map((i) => i.at), Infinity);
    view = await session.step(Math.max(1, Math.min(1 + random.below(900), next - t, LIMIT - t)));
  }
  return session;
}

/** The session's state as views show it, with the events and output accumulated since a travel. */
class Watcher {
  events: MachineEvent[] = [];
  output: number[] = [];

  constructor(private readonly session: MachineSession) {}

  /** A view after travel carries every event and the whole output; after a step only the new ones. */
  take(view: MachineView, rewound: boolean): State {
    if (rewound) {
      this.events = [];
      this.output = [];
    }
    this.events.push(...view.events);
    this.output.push(...view.output);
    const read = (m: number, addr: number, length: number) => this.session.memory(m, addr, length);
    return {
      instret: view.instret, halted: view.halt !== undefined, events: this.events.length, output: this.output.length,
      memory: memoryHash(read, view.modules.length, false),
      modules: view.modules.map(pick),
    };
  }
}

function expectSame(actual: State, golden: { states: State[]; events: MachineEvent[]; output: Uint8Array }, watcher: Watcher): void {
  const expected = golden.states[actual.instret];
  expect(expected, `the golden run has no instruction ${actual.instret}`).toBeDefined();
  expect(actual).toEqual(expected);
  expect(watcher.events).toEqual(golden.events.slice(0, expected.events));
  expect(Uint8Array.from(watcher.output)).toEqual(golden.output.subarray(0, expected.output));
}

const TOPOLOGIES: Topology[] = ['simplex', 'dmr', 'pair-spare', 'tmr'];

describe.each(TOPOLOGIES.flatMap((t) => [[t, 1], [t, 2], [t, 3]] as const))('time travel on %s (fault plan seed %i)', (topology, seed) => {
  it('going back to instruction k and stepping forward gives, at every instruction, the uninterrupted run\'s state', async () => {
    const plan = seededPlan(topology, seed);
    const golden = await goldenRun(plan);
    const end = golden.states.length - 1;
    expect(golden.events.some((e) => e.kind === 'inject')).toBe(true);

    const session = await liveSession(plan, seed);
    const watcher = new Watcher(session);
    expect((await session.view()).instret).toBe(end);
    expect(session.consoleOutput()).toEqual(golden.output);

    const random = new Random(seed * 1000 + TOPOLOGIES.indexOf(topology));
    const starts = [0, 5, 6, 7, 3499, 3500, ...Array.from({ length: 4 }, () => random.below(end))].filter((k) => k <= end);
    for (const k of starts) {
      let state = watcher.take(await session.travel(k), true);
      expect(state.instret).toBe(k);
      expectSame(state, golden, watcher);
      // Forward one instruction at a time, across checkpoints and the recorded interventions.
      const until = k === starts[0] ? end : Math.min(end, k + 400);
      while (state.instret < until) {
        state = watcher.take(await session.step(1), false);
        expectSame(state, golden, watcher);
      }
    }
    // The whole of RAM, every 250 instructions, after travel.
    for (const [t, hashes] of golden.wholeMemory) {
      await session.travel(t);
      expect(memoryHash((m, a, l) => session.memory(m, a, l), hashes.length, true), `RAM at instruction ${t}`).toEqual(hashes);
    }
  }, 120_000);

  it('steps back one instruction at a time, and back N, through the uninterrupted run\'s states', async () => {
    const plan = seededPlan(topology, seed);
    const golden = await goldenRun(plan);
    const session = await liveSession(plan, seed);
    const watcher = new Watcher(session);
    const end = golden.states.length - 1;
    let state = watcher.take(await session.travel(end), true);
    for (let n = 0; n < 120; n++) {
      state = watcher.take(await session.back(1), true);
      expect(state.instret).toBe(end - 1 - n);
      expectSame(state, golden, watcher);
    }
    for (const n of [1000, 777, 1]) {
      const from = state.instret;
      state = watcher.take(await session.back(n), true);
      expect(state.instret).toBe(Math.max(0, from - n));
      expectSame(state, golden, watcher);
    }
    // Running on from the past replays to the end: the same output and events.
    await session.travel(1234);
    await session.step(end - 1234);
    expect(session.consoleOutput()).toEqual(golden.output);
    expect((await session.view()).instret).toBe(end);
  }, 120_000);
});

describe('time travel', () => {
  it('replays the console input: a read that waited gets the bytes sent then, and a UART polled for input gets its byte at the same instruction', async () => {
    const plan = seededPlan('dmr', 3);
    const session = await liveSession(plan, 3);
    const output = session.consoleOutput();
    const view = await session.travel(6);
    expect(view.waitingForInput).toBe(true); // the read call waits again, until the recorded input comes
    expect((await session.step(1)).instret).toBe(7);
    expect(session.memory(0, PROGRAM.symbols.get('buf')!, 8)).toEqual(new TextEncoder().encode('lockstep'));
    while (!(await session.step(3000)).halt);
    expect(session.consoleOutput()).toEqual(output);
  });

  it('a fault scheduled in the past starts a new history: the recorded future, its faults and input, are dropped', async () => {
    const plan = seededPlan('tmr', 4);
    const session = await liveSession(plan, 4);
    const before = (await session.view()).history!;
    await session.travel(3000);
    await session.inject('module=2,kind=kill');
    const branched = (await session.view()).history!;
    expect(branched.present).toBe(3000);
    expect(before.present).toBeGreaterThan(3000);
    // The input sent at 3500 is gone with the old future: the program polls the UART for ever.
    await session.step(5000);
    expect((await session.view()).instret).toBe(8000);
    expect((await session.view()).halt).toBeUndefined();
    expect((await session.view()).history!.present).toBe(8000);
  });

  it('jumps to the injection, the first difference and the detection', async () => {
    const session = new MachineSession(TRAVEL);
    sessions.push(session);
    await session.create({ topology: 'dmr' });
    await session.load({ kind: 'source', source: SOURCE, name: 'mix.s' });
    // s5 (x21) holds the seed each pass starts from (mix.s: `mv a0, s5` before `call mix`; pass 3
    // first adds the polled byte to it): a flip at 1500 is read only when the next pass begins.
    await session.inject('at=1500,module=1,kind=flip,target=s5,bit=4');
    await session.step(6);
    session.sendInput(new TextEncoder().encode('abc'));
    await session.step(3000);
    session.sendInput(new TextEncoder().encode('Z'));
    while (!(await session.step(5000)).halt);
    const events = (await session.view()).history!;
    expect(events.injection).toBe(1500);
    const detected = events.detection!;
    expect(detected).toBeGreaterThan(1500);
    const atInjection = await session.jump('injection');
    expect(atInjection.instret).toBe(1500);
    expect(atInjection.modules[1].regs[21] ^ atInjection.modules[0].regs[21]).toBe(1 << 4); // s5 = x21: the flip shows, nothing has used it yet
    const before = await session.back(1);
    expect(before.modules[1].regs[21]).toBe(before.modules[0].regs[21]);
    expect(before.events.map((e) => e.kind)).toEqual([]);
    const atDetection = await session.jump('detection');
    expect(atDetection.instret).toBe(detected + 1);
    expect(atDetection.events.at(-1)!.instret).toBe(detected);
    expect((await session.jump('difference')).instret).toBe(events.divergence! + 1);
  });

  it('without periodic checkpoints (time travel off) only the start is kept, and travel still reaches every instruction by replaying from it', async () => {
    const plan = seededPlan('pair-spare', 5);
    const golden = await goldenRun(plan);
    const session = new MachineSession(TRAVEL);
    sessions.push(session);
    session.setTimeTravel(false);
    await session.create({ topology: plan.topology, ...plan.config });
    await session.load({ kind: 'source', source: SOURCE, name: 'mix.s' });
    expect((await session.view()).history).toMatchObject({ enabled: false, checkpoints: 1 });
    for (const i of plan.interventions.filter((i) => i.at === 0)) await session.inject((i as { fault: string }).fault);
    await session.step(6);
    session.sendInput(new TextEncoder().encode('lockstep'));
    for (const i of plan.interventions.filter((i) => i.at > 6 && i.at <= 3500)) {
      await session.step(i.at - (await session.view()).instret);
      if ('fault' in i) await session.inject(i.fault);
      else if ('input' in i) session.sendInput(new TextEncoder().encode(i.input));
    }
    await session.step(1000);
    expect((await session.view()).history!.checkpoints).toBe(1);
    const watcher = new Watcher(session);
    expectSame(watcher.take(await session.travel(2222), true), golden, watcher);
    expectSame(watcher.take(await session.step(1), false), golden, watcher);
  });
});
