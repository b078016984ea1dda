/**
 * The fault-free twin (issue 15, src/worker/twin.ts) against independent fault-free runs: at
 * every instruction the twin's registers are those of the library's Machine running the same
 * program and input without faults; where the console outputs part is what `lockstep run
 * --classify` reports for the same program, input and fault; and the twin follows time travel.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { MachineSession, VIEW_CSRS, type MachineView, type TwinView } from '../../src/worker/session.ts';
import { FAST_IPS } from '../../src/worker/views.ts';
import { spawnFaultFreeNodeWorker } from '../../src/worker/fault-free-node-client.ts';
import { CHECKPOINT_INTERVAL } from '../../src/worker/time-travel.ts';
import { KEEP_SPACING } from '../../src/worker/passed-states.ts';
import { Machine, type MachineConfig } from '../../src/machine/machine.ts';
import type { Topology } from '../../src/machine/topology.ts';
import { firstDifference } from '../../src/fault/classify.ts';
import { assembleOrThrow, countExecuted } from '../helpers/machine.ts';
import { lockstep } from '../cli/lockstep.ts';

const PATH = fileURLToPath(new URL('../fixtures/time-travel/mix.s', import.meta.url));
const SOURCE = readFileSync(PATH, 'utf8');
const PROGRAM = assembleOrThrow(SOURCE, 'mix.s');
const INPUT = [{ at: 6, bytes: 'lockstep' }, { at: 3500, bytes: 'Z' }];
const TRAVEL = { interval: 300, perLevel: 2, fineFrom: 500 };

/** A fault-free run of mix.s on `topology` given INPUT at its instructions, stepped one instruction at a time: x0..x31 and pc at every instruction, and its output. */
async function faultFree(topology: Topology, config: MachineConfig = {}): Promise<{ regs: number[][]; pcs: number[]; output: Uint8Array }> {
  const output: number[] = [];
  const queue: number[] = [];
  const machine = await Machine.create({ ...config, topology, console: { write: (_fd, b) => output.push(...b), read: (max) => Uint8Array.from(queue.splice(0, max)) } });
  machine.load(PROGRAM);
  const regs: number[][] = [];
  const pcs: number[] = [];
  const sent = new Set<(typeof INPUT)[number]>();
  while (!machine.halt) {
    const t = machine.instret;
    regs[t] = Array.from({ length: 32 }, (_, n) => machine.reg(0, n));
    pcs[t] = machine.pc(0);
    const input = INPUT.find((i) => i.at === t && !sent.has(i));
    if (input) {
      sent.add(input);
      queue.push(...new TextEncoder().encode(input.bytes));
      queue.splice(0, machine.pushInput(Uint8Array.from(queue)));
    }
    machine.run(1);
  }
  regs[machine.instret] = Array.from({ length: 32 }, (_, n) => machine.reg(0, n));
  pcs[machine.instret] = machine.pc(0);
  return { regs, pcs, output: Uint8Array.from(output) };
}

/** Sessions whose fault-free runs run in worker threads of their own, as in the machine's worker; closed after each test. */
const sessions: MachineSession[] = [];
afterEach(() => sessions.splice(0).forEach((s) => s.close()));

/** `travel`: the history's checkpoint settings (TRAVEL's short interval for mix.s; the app's for long runs). */
function newSession(travel: Partial<typeof TRAVEL> = TRAVEL): MachineSession {
  const session = new MachineSession(travel, spawnFaultFreeNodeWorker);
  sessions.push(session);
  return session;
}

/**
 * A session running mix.s with `faults`, the twin on, INPUT sent at its instructions; stepped
 * `n` at a time up to `until` (or its halt), then until its run has been judged. Its views.
 */
async function sessionWith(topology: Topology, faults: string[], until = Infinity, n = 97, config: Omit<MachineConfig, 'topology' | 'console'> = {}): Promise<{ session: MachineSession; views: MachineView[] }> {
  const session = newSession();
  await session.create({ ...config, topology });
  await session.load({ kind: 'source', source: SOURCE, name: 'mix.s' });
  session.setTwin(true);
  for (const f of faults) await session.inject(f);
  const views = [await session.view()];
  while (!views.at(-1)!.halt && views.at(-1)!.instret < until) {
    const at = views.at(-1)!.instret;
    const input = INPUT.find((i) => i.at === at);
    if (input) session.sendInput(new TextEncoder().encode(input.bytes));
    const next = Math.min(...INPUT.filter((i) => i.at > at).map((i) => i.at), until);
    views.push(await session.step(Math.max(1, Math.min(n, next - at))));
  }
  while (views.at(-1)!.verdict?.kind === 'pending') {
    await session.changed();
    views.push(await session.view());
  }
  return { session, views };
}

/** The twin's console output as views carry it: all of it after a travel, then what is new. */
function twinOutput(views: MachineView[]): Uint8Array {
  const bytes: number[] = [];
  for (const v of views) {
    if (!v.twin) continue;
    bytes.length = v.twin.outputFrom;
    bytes.push(...v.twin.output);
  }
  return Uint8Array.from(bytes);
}

describe('the fault-free twin', () => {
  it.each([
    ['simplex', {}], ['dmr', {}], ['pair-spare', {}], ['tmr', {}], ['tmr', { ecc: 'secded', scrubEvery: 300 }],
  ] as const)('on %s %o mirrors the machine until the fault, then runs beside it with the fault-free run\'s registers at every instruction', async (topology, config) => {
    const golden = await faultFree(topology, config);
    const { session } = await sessionWith(topology, ['at=900,module=0,kind=stuck1,target=s5,bit=9'], 700, 97, config);
    let view = await session.view();
    for (; view.instret < 1400 && !view.halt; view = await session.step(1)) {
      const t = view.instret;
      const twin = view.twin!;
      expect(twin.same).toBe(t < 900);
      expect(twin.instret).toBe(t);
      expect(twin.regs).toEqual(golden.regs[t]);
      expect(twin.pc).toBe(golden.pcs[t]);
      if (t < 900) expect(view.modules[0].regs).toEqual(twin.regs);
    }
    expect(view.modules[0].regs[21] ^ view.twin!.regs[21]).toBe(1 << 9); // s5 = x21 stuck at 1 in bit 9 on module 0
  });

  it('makes silent corruption on simplex visible: where the outputs part is what lockstep run --classify reports', async () => {
    // s6 holds the checksum being printed: a flip of bit 4 changes its seventh hex digit.
    const printing = PROGRAM.symbols.get('hex')!;
    const probe = await Machine.create({ topology: 'simplex', console: { write() {}, read: () => new TextEncoder().encode('lockstep') } });
    probe.load(PROGRAM);
    while (probe.pc(0) !== printing) probe.run(1);
    const fault = `at=${probe.instret},module=0,kind=flip,target=s6,bit=4`;

    const { session, views } = await sessionWith('simplex', [fault]);
    const end = views.at(-1)!;
    expect(end.halt?.reason).toBe('exit');
    expect(end.verdict).toMatchObject({ kind: 'judged', outcome: 'sdc' });
    const parting = end.twin!.parting!;
    // The twin saw it as it happened, in step: the first view with the machine's differing byte printed.
    const seen = views.find((v) => v.twin?.parting)!;
    expect(seen.instret).toBeLessThan(end.instret);
    expect(seen.twin!.parting).toEqual(parting);

    const cli = await lockstep(['run', PATH, '--topology', 'simplex', '--inject', fault, '--classify'], { input: 'lockstepZ' });
    const reported = cli.stderr.match(/outcome: sdc — output differs from the fault-free run at byte (\d+): 0x([0-9a-f]{2}), expected 0x([0-9a-f]{2})/);
    expect(reported, cli.stderr).not.toBeNull();
    expect(parting.offset).toBe(Number(reported![1]));
    expect(parting.actual).toBe(parseInt(reported![2], 16));
    expect(parting.expected).toBe(parseInt(reported![3], 16));
    // The twin printed the fault-free run's output, the machine the CLI's faulty run's.
    expect(twinOutput(views)).toEqual((await faultFree('simplex')).output);
    expect(session.consoleOutput()).toEqual(new Uint8Array(cli.stdout));
    expect(end.parting).toEqual({ offset: parting.offset, actual: parting.actual, expected: parting.expected });
  });

  it('places the parting in the output of the program loaded now, not in that of the one before it', async () => {
    // Both print two bytes, then the byte in s1, which the fault flips: the outputs part at byte 2 in both, on another line.
    const printing = (prefix: string) => `
        .globl _start
_start: li s1, 0x41
        li t0, 0x10000000
${[...prefix].map((c) => `        li t1, ${c.charCodeAt(0)}\n        sb t1, 0(t0)`).join('\n')}
        sb s1, 0(t0)
        li a0, 0
        li a7, 93
        ecall`;
    const session = newSession();
    await session.create({ topology: 'simplex' });
    session.setTwin(true);
    const partings = [];
    for (const prefix of ['xy', '\n\n']) {
      await session.load({ kind: 'source', source: printing(prefix), name: 'print.s' });
      await session.inject('at=1,module=0,kind=flip,target=s1,bit=0');
      let view = await session.step(100);
      while (view.verdict?.kind === 'pending') {
        await session.changed();
        view = await session.view();
      }
      partings.push(view.twin!.parting);
    }
    expect(partings[0]).toMatchObject({ offset: 2, actual: 0x40, expected: 0x41, line: 1, column: 3 });
    expect(partings[1]).toMatchObject({ offset: 2, actual: 0x40, expected: 0x41, line: 3, column: 1 });
  });

  it('stays in step when the machine stops first; once the run is judged, the outputs part where the whole fault-free output says', async () => {
    // dmr fail-stops at the first use of s5 after the flip (after the UART's input: the fault-free run can finish), its output cut short.
    const { session, views } = await sessionWith('dmr', ['at=3700,module=1,kind=flip,target=s5,bit=4']);
    const view = views.at(-1)!;
    expect(view.halt?.reason).toBe('failstop');
    expect(view.twin!.instret).toBe(view.instret);
    const golden = await faultFree('dmr');
    expect(view.twin!.regs).toEqual(golden.regs[view.instret]);
    const printed = twinOutput(views);
    expect(printed).toEqual(golden.output.subarray(0, printed.length));
    expect(printed).toEqual(session.consoleOutput()); // in step, the twin printed what the machine did
    const whole = firstDifference(golden.output, session.consoleOutput())!;
    expect(whole.actual).toBeUndefined(); // the machine's output ends where the fault-free run's goes on
    expect(view.twin!.parting).toMatchObject(whole);
  });

  it('follows time travel: mirrors before the fault, and has the fault-free run\'s state at any instruction after', async () => {
    const golden = await faultFree('tmr');
    const { session } = await sessionWith('tmr', ['at=2000,module=2,kind=kill', 'at=2500,module=1,kind=flip,target=s6,bit=0']);
    const end = (await session.view()).instret;
    for (const t of [100, 1999, 2000, 2001, 4444, 3000, end, 2222, 10]) {
      const view = await session.travel(t);
      expect(view.twin!.same).toBe(t < 2000);
      expect(view.twin!.regs).toEqual(golden.regs[t]);
      const output = twinOutput([view]);
      expect(output).toEqual(golden.output.subarray(0, output.length));
    }
    await session.travel(2600);
    for (let k = 0; k < 50; k++) {
      const view = await session.back(1);
      expect(view.twin!.regs).toEqual(golden.regs[view.instret]);
    }
  });

  it('takes the history\'s input: sent again differently in the past, the twin runs with the new input', async () => {
    const { session } = await sessionWith('dmr', ['at=100,module=1,kind=stuck0,target=sp,bit=2'], 2000);
    await session.travel(6);
    session.sendInput(new TextEncoder().encode('other!!!'));
    await session.step(1);
    expect(session.memory(0, PROGRAM.symbols.get('buf')!, 8)).toEqual(new TextEncoder().encode('other!!!'));
    const after = await session.step(500);
    expect(after.twin!.same).toBe(false);
    // s5 (x21) is the first input byte, in the machine and in the twin alike.
    expect(after.twin!.regs[21]).toBe('o'.charCodeAt(0));
    expect(after.modules[0].regs[21]).toBe('o'.charCodeAt(0));
  });
});

/** examples/bench/int-mix.s with `iterations` turns of its loop (about 20 instructions each): no input, prints its accumulator s2 at its end. */
const INT_MIX = readFileSync(new URL('../../examples/bench/int-mix.s', import.meta.url), 'utf8');
function intMix(iterations: number): string {
  const source = INT_MIX.replace(/^(\s+li\s+s0,\s*)6000000(\s)/m, `$1${iterations}$2`);
  if (source === INT_MIX) throw new Error('int-mix.s no longer sets s0 = 6000000 iterations: update this test');
  return source;
}

/**
 * An independent fault-free run: the library's Machine with `source` loaded, run on to any
 * instruction count asked for, in order (or to its halt); `at` starts another from the start.
 */
async function goldenRunner(topology: Topology, source: string) {
  const program = assembleOrThrow(source, 'int-mix.s');
  const start = async () => {
    const machine = await Machine.create({ topology });
    machine.load(program);
    return (instret: number) => {
      if (instret < machine.instret) throw new Error(`the golden run is past instruction ${instret}`);
      while (!machine.halt && machine.instret < instret) machine.run(instret - machine.instret);
      return { instret: machine.instret, pc: machine.pc(0), regs: Array.from({ length: 32 }, (_, n) => machine.reg(0, n)), csrs: Object.fromEntries(VIEW_CSRS.map(([name, num]) => [name, machine.csr(0, num) ?? 0])) };
    };
  };
  const onward = await start();
  return Object.assign(onward, { at: async (instret: number) => (await start())(instret) });
}

const shownTwin = (twin: TwinView) => ({ instret: twin.instret, pc: twin.pc, regs: twin.regs, csrs: twin.csrs });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** The accumulator s2 flipped at instruction 1,000 on the last module: simplex prints a wrong checksum, tmr outvotes the module. */
const ACCUMULATOR_FLIP = (modules: number) => `at=1000,module=${modules - 1},kind=flip,target=s2,bit=5`;

/**
 * A tmr session with `source` loaded and the twin on, its fault-free runs in this thread,
 * where `faultFree` counts the instructions simplex machines execute: the twin's and the
 * verdict's fault-free run (the machine is tmr).
 */
async function countedSession(source: string) {
  const session = new MachineSession({});
  sessions.push(session);
  await session.create({ topology: 'tmr' });
  await session.load({ kind: 'source', source, name: 'int-mix.s' });
  session.setTwin(true);
  const faultFree = countExecuted((machine) => machine.config.topology === 'simplex');
  onTestFinished(() => faultFree.stop());
  return { session, faultFree };
}

/** Runs `session` flat out until it stops: the twins its statuses showed meanwhile once forked, and the view at the end. */
async function flatOut(session: MachineSession): Promise<{ shown: TwinView[]; end: MachineView }> {
  session.start();
  const shown: TwinView[] = [];
  while (session.status().running) {
    const twin = session.status().twin;
    if (twin && !twin.same) shown.push(twin);
    await sleep(5);
  }
  return { shown, end: await session.view() };
}

describe('the twin in a worker of its own', () => {
  it.each([['simplex', 1], ['tmr', 3]] as const)('on %s shows, paused while running flat out, the fault-free run at the machine\'s instruction count; running, a state of it labelled with its own count', async (topology, modules) => {
    const source = intMix(1_000_000); // 20 M instructions: many time slices
    const golden = await goldenRunner(topology, source);
    const session = newSession({});
    await session.create({ topology });
    await session.load({ kind: 'source', source, name: 'int-mix.s' });
    session.setTwin(true);
    await session.inject(ACCUMULATOR_FLIP(modules));
    const check = (view: MachineView) => {
      if (view.twin!.same) return false;
      // Whatever the twin shows is the fault-free run's state at the instruction count it gives, never ahead of the machine.
      expect(view.twin!.instret).toBeLessThanOrEqual(view.instret);
      expect(shownTwin(view.twin!)).toEqual(golden(view.twin!.instret));
      return true;
    };
    let [paused, running] = [0, 0];
    session.start();
    for (let k = 0; k < 100 && paused < 4; k++) {
      await sleep(10);
      const status = session.status();
      if (status.running && status.twin && check({ ...status, modules: [] })) running++;
      session.pause();
      const view = await session.view();
      if (check(view)) {
        expect(view.twin!.instret).toBe(golden(view.instret).instret); // in step once paused: at the machine's count (or where the fault-free run ended)
        paused++;
      }
      if (view.halt) break;
      session.start();
    }
    while ((await session.view()).running) await session.changed();
    const end = await session.view();
    expect(end.halt?.reason).toBe('exit');
    expect(check(end)).toBe(true);
    expect(end.twin!.instret).toBe(golden(end.instret).instret);
    expect(paused + running).toBeGreaterThan(0);
    expect(end.verdict).toMatchObject({ kind: 'judged', outcome: topology === 'simplex' ? 'sdc' : 'recovered' });
  }, 120_000);

  it('running at FAST_IPS or slower, shows the twin at the machine\'s instruction count in every view', async () => {
    const source = intMix(1_000_000);
    const golden = await goldenRunner('simplex', source);
    const session = newSession({});
    await session.create({ topology: 'simplex' });
    await session.load({ kind: 'source', source, name: 'int-mix.s' });
    session.setTwin(true);
    await session.inject(ACCUMULATOR_FLIP(1));
    session.start(FAST_IPS / 2); // instructions per second: the fault at 1,000 takes effect in the first 20 ms
    let forked = 0;
    for (let k = 0; k < 40 && forked < 8; k++) {
      await sleep(15);
      const view = await session.view();
      expect(view.running).toBe(true);
      if (view.twin!.same) continue;
      expect(shownTwin(view.twin!)).toEqual(golden(view.instret)); // in step: the fault-free run's state at the machine's count
      forked++;
    }
    session.pause();
    expect(forked).toBe(8);
  }, 60_000);

  it.each([['simplex', 1], ['tmr', 3]] as const)('on %s gives the twin the same state going back in time and forward again', async (topology, modules) => {
    const source = intMix(1_000_000); // 20 M instructions: its checkpoints (every 2^23, whatever the engine's default) hold twin states that came from the worker
    const golden = await goldenRunner(topology, source);
    const session = newSession({ interval: CHECKPOINT_INTERVAL });
    await session.create({ topology });
    await session.load({ kind: 'source', source, name: 'int-mix.s' });
    session.setTwin(true);
    await session.inject(ACCUMULATOR_FLIP(modules));
    session.start();
    while ((await session.view()).running) await session.changed();
    const present = await session.view();
    expect(present.halt?.reason).toBe('exit');
    expect(present.history!.checkpoints).toBeGreaterThan(1);
    const twinAtPresent = { ...shownTwin(present.twin!), output: twinOutput([await session.travel(present.instret)]) };
    expect(twinAtPresent).toMatchObject(golden(present.instret)); // the fault-free run exits there (at most the machine's count: it printed other digits)
    expect(present.twin!.halt?.reason).toBe('exit');
    for (const t of [999, 1000, 1001, 9_876_543, present.instret - 30]) {
      const back = await session.travel(t);
      expect(back.twin!.same).toBe(t < 1000);
      expect(shownTwin(back.twin!)).toEqual(await golden.at(t));
      const forward = await session.step(present.instret - t);
      expect(forward.instret).toBe(present.instret);
      expect({ ...shownTwin(forward.twin!), output: twinOutput([await session.travel(present.instret)]) }).toEqual(twinAtPresent);
    }
  }, 120_000);

  it('on a reset machine goes on from the states the last machine\'s twin passed: the same states, less of the run executed again', async () => {
    const source = intMix(2_000_000); // 40 M instructions: the twin keeps states at 2^24 and 2^25 and where it halts
    const golden = await goldenRunner('simplex', source);
    const { session, faultFree } = await countedSession(source);
    /** The run with the fault on the last of `modules`, 20 M instructions at a time (the twin follows at each end): the twin in each view, and the fault-free instructions executed. */
    const once = async (modules = 3) => {
      const before = faultFree.executed;
      await session.inject(ACCUMULATOR_FLIP(modules));
      const twins: ReturnType<typeof shownTwin>[] = [];
      for (let halted = false; !halted;) {
        halted = (await session.run(20_000_000)).halted;
        twins.push(shownTwin((await session.view()).twin!));
      }
      while ((await session.view()).verdict?.kind === 'pending') await session.changed();
      expect((await session.view()).verdict).toMatchObject({ kind: 'judged', outcome: 'recovered' });
      return { twins, executed: faultFree.executed - before };
    };
    const first = await once();
    // The golden run is a simplex machine's: the twin of a tmr machine runs as one.
    expect(first.twins.map((t) => t.instret)).toEqual([20_000_000, 40_000_000, expect.any(Number)]);
    for (const twin of first.twins) expect(twin).toEqual(golden(twin.instret));
    const halt = first.twins.at(-1)!.instret;
    expect(first.executed).toBeGreaterThanOrEqual(halt - 999); // the twin from instruction 999 to the end (and some of the verdict's run)
    await session.reset();
    const second = await once();
    expect(second.twins).toEqual(first.twins);
    // The verdict's run is kept, and runs no more. The twin goes on from 2^24 to 20 M, from
    // 2^25 to 40 M, and from 40 M to the halt (its kept state there saves less than 2^20).
    const again = (20_000_000 - KEEP_SPACING) + (40_000_000 - 2 * KEEP_SPACING) + (halt - 40_000_000);
    expect(second.executed).toBe(again);

    // Another topology of the same setup: its modules run as the simplex machine does, so its fault-free run is the same.
    await session.create({ topology: 'pair-spare' });
    const paired = await once(4);
    expect(paired.twins).toEqual(first.twins);
    expect(paired.executed).toBe(again);

    // Another program, as long: its twin shows its own fault-free run, not states the last one passed.
    const other = intMix(2_000_001);
    const otherGolden = await goldenRunner('simplex', other);
    await session.load({ kind: 'source', source: other, name: 'int-mix.s' });
    const third = await once();
    expect(third.executed).toBeGreaterThanOrEqual(third.twins.at(-1)!.instret - 999);
    for (const twin of third.twins) expect(twin).toEqual(otherGolden(twin.instret));
  }, 120_000);

  it('on a reset machine running flat out, stops at the states the last machine\'s twin passed: nothing executed again but to be in step once paused', async () => {
    const source = intMix(4_000_000); // 80 M instructions: the twin keeps states at multiples of 2^24 and where it halts
    const golden = await goldenRunner('tmr', source);
    const { session, faultFree } = await countedSession(source);
    const toEnd = async () => {
      const run = await flatOut(session);
      expect(run.end.halt?.reason).toBe('exit');
      expect(shownTwin(run.end.twin!)).toEqual(await golden.at(run.end.instret)); // in step at the halt
      return run;
    };
    await session.inject(ACCUMULATOR_FLIP(3));
    const first = await toEnd();
    const halt = first.end.instret;

    await session.reset();
    await session.inject(ACCUMULATOR_FLIP(3));
    const before = faultFree.executed;
    session.start();
    while (session.status().instret < 20_000_000) await sleep(2);
    session.pause();
    const paused = await session.view();
    expect(paused.halt).toBeUndefined();
    expect(shownTwin(paused.twin!)).toEqual(golden(paused.instret)); // in step once paused
    // Running, it stopped at the newest kept state at or before the machine; pausing ran it on from there.
    const p = paused.instret;
    expect(faultFree.executed - before).toBe(p - Math.floor(p / KEEP_SPACING) * KEEP_SPACING);
    const caughtUp = faultFree.executed;
    const second = await toEnd();
    expect(second.end.instret).toBe(halt);
    expect(faultFree.executed).toBe(caughtUp); // from the machine's count at the pause on: the kept states, and the halt's
    const along = await goldenRunner('tmr', source);
    for (const twin of second.shown) expect(shownTwin(twin)).toEqual(along(twin.instret)); // each a true state of the fault-free run, in order
    // Behind the machine: where the pause left it, or at the states kept.
    for (const twin of second.shown) expect(twin.instret === p || twin.instret === halt || twin.instret % KEEP_SPACING === 0, `the twin shown at ${twin.instret}`).toBe(true);
    expect(second.shown.some((twin) => twin.instret > p && twin.instret % KEEP_SPACING === 0)).toBe(true);
  }, 120_000);

  it('runs the history ahead while the machine is idle: running flat out with the first fault tried, it stops at the states kept', async () => {
    const source = intMix(4_000_000); // 80 M instructions: states kept at multiples of 2^24 and where it halts
    const golden = await goldenRunner('tmr', source);
    const session = newSession({});
    await session.create({ topology: 'tmr' });
    await session.load({ kind: 'source', source, name: 'int-mix.s' });
    session.setTwin(true);
    await sleep(2000); // idle: its worker runs the 80 M instructions ahead (well under a second)
    await session.inject(ACCUMULATOR_FLIP(3));
    const { shown, end } = await flatOut(session);
    expect(end.halt?.reason).toBe('exit');
    for (const twin of shown) expect(shownTwin(twin)).toEqual(golden(twin.instret)); // true states of the fault-free run, in order
    expect(shownTwin(end.twin!)).toEqual(golden(end.instret)); // in step at the halt
    // Never where a time slice ended, as a twin that executes beside the machine is: at the fork (just before the fault), the states kept, or the halt.
    for (const twin of shown) expect(twin.instret === 999 || twin.instret % KEEP_SPACING === 0 || twin.instret === end.instret, `the twin shown at ${twin.instret}`).toBe(true);
    expect(shown.some((twin) => twin.instret > 999 && twin.instret % KEEP_SPACING === 0)).toBe(true);
  }, 60_000);

  it('runs in the machine\'s thread where no worker can be started, says why, and shows the same states', async () => {
    const session = new MachineSession(TRAVEL, () => Promise.reject(new Error('no workers here')));
    await session.create({ topology: 'tmr' });
    await session.load({ kind: 'source', source: SOURCE, name: 'mix.s' });
    session.setTwin(true);
    await session.inject('at=900,module=0,kind=stuck1,target=s5,bit=9');
    const golden = await faultFree('tmr');
    await session.step(6);
    session.sendInput(new TextEncoder().encode('lockstep'));
    const view = await session.step(1500);
    expect(view.twin!.sharedThread).toMatch(/no worker could be started for it \(no workers here\)/);
    expect(view.twin!.same).toBe(false);
    expect(view.twin!.regs).toEqual(golden.regs[view.instret]);
  });
});
