/**
 * The machine worker API (DESIGN §2): a MachineSession behind comlink, over a MessageChannel
 * in this thread and in a real worker_threads Worker, driven the way the browser drives it.
 */
import { readFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { Remote } from 'comlink';
import { MachineSession, type MachineSetup, type MachineView } from '../../src/worker/session.ts';
import { createNodeMachineWorker } from '../../src/worker/node-client.ts';
import { sessionInThread } from '../helpers/session.ts';
import { inThread, type FaultFreeSpawner } from '../../src/worker/fault-free.ts';
import { InputError } from '../../src/input-error.ts';
import { countExecuted } from '../helpers/machine.ts';
import type { MachineClient } from '../../src/worker/client.ts';
import { CHECKSUM_OUTPUT as EXPECTED } from '../helpers/checksum.ts'; // examples/checksum.s's output, derived there

const CHECKSUM = readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8');
/** Counts in t0 (x5) for ever. */
const FOREVER = 'loop:\n  addi t0, t0, 1\n  j loop\n';

const workers: MachineClient[] = [];
afterAll(() => workers.forEach((w) => w.terminate()));

describe.each([
  ['over a MessageChannel', () => sessionInThread()],
  ['in a worker thread', () => { const w = createNodeMachineWorker(); workers.push(w); return w.session; }],
])('MachineSession %s', (_where, connect) => {
  it('loads, runs, and reports through views', async () => {
    const session = connect();
    await session.create({ topology: 'tmr' });
    const loaded = await session.load({ kind: 'source', source: CHECKSUM, name: 'checksum.s' });
    expect(loaded.entry).toBe(0x8000_0000);
    expect(loaded.sourceMap[0]).toEqual([0x8000_0000, { file: 'checksum.s', line: 7 }]);
    const first = await session.view();
    expect(first.modules.map((m) => m.state)).toEqual(['online', 'online', 'online']);
    expect(first.modules[0].pc).toBe(0x8000_0000);
    const stepped = await session.step(3);
    expect(stepped.instret).toBe(3);
    expect(stepped.modules[0].regs[8]).toBe(0x8000_1000); // s0 = table (la: instructions 0-1)
    expect(stepped.modules[0].regs[9]).toBe(256); // s1 (li: instruction 2)

    await session.inject('module=1,kind=flip,target=s1,bit=2');
    const result = await session.run(1_000_000);
    expect(result.halted).toBe(true);
    const view = await session.view();
    expect(new TextDecoder().decode(view.output)).toBe(EXPECTED);
    expect(view.events.map((e) => e.kind)).toContain('diverge');
    expect(view.modules[1].state).toBe('offline');
    expect(view.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
  });

  it('rejects bad input with the library errors', async () => {
    const session = connect();
    await session.create({ topology: 'dmr' });
    await expect(session.load({ kind: 'source', source: 'addi x1, x2', name: 'bad.s' })).rejects.toThrow(/bad\.s:1:\d+: error/);
    await session.load({ kind: 'source', source: CHECKSUM });
    await expect(session.inject('module=5,kind=flip,target=x1,bit=1')).rejects.toThrow(/module 5 does not exist/);
  });

  it('free-runs in slices, pauses, and snapshots round-trip', async () => {
    const session = connect();
    await session.create({ topology: 'dmr' });
    await session.load({ kind: 'source', source: CHECKSUM });
    await session.step(1000);
    const snapshot = await session.snapshot();
    expect(snapshot.byteLength).toBeGreaterThan(0);
    await session.start();
    // changed() answers after a slice that left new events (here the halt) or when the free
    // run ends: a signal from the session, not a poll against the clock.
    let done = await session.view();
    while (!done.halt) {
      await session.changed();
      done = await session.view();
    }
    expect(done.halt?.reason).toBe('exit');
    await session.restore(snapshot);
    const restored = await session.view();
    expect(restored.instret).toBe(1000);
    await session.run(1_000_000);
    expect((await session.view()).halt?.reason).toBe('exit');
  });

  it('keeps the loaded program when a load fails: an empty program is refused, the old one still runs', async () => {
    const session = connect();
    await session.create({ topology: 'dmr' });
    await session.load({ kind: 'source', source: CHECKSUM });
    await expect(session.load({ kind: 'source', source: '' })).rejects.toThrow(/nothing to run/);
    await session.reset();
    await session.run(1_000_000);
    expect(new TextDecoder().decode((await session.view()).output)).toBe(EXPECTED);
  });

  it('answers changed() after the slice that halted, with a status() that carries the output but no registers', async () => {
    const session = connect();
    await session.create({ topology: 'dmr' });
    await session.load({ kind: 'source', source: CHECKSUM });
    await session.changed(); // not running: at once
    await session.start();
    // Once, as the run ends: the slice that halted is not announced as one that left news while running.
    expect(await session.changed()).toBe(false);
    const status = await session.status();
    expect(status).toMatchObject({ running: false, halt: { reason: 'exit', exitCode: 0 } });
    expect(new TextDecoder().decode(status.output)).toBe(EXPECTED);
    expect(status.modules.map((m) => [m.id, m.state])).toEqual([[0, 'online'], [1, 'online']]);
    expect(status.modules[0]).not.toHaveProperty('regs');
  });

  it('answers changed() once a run with news in its slices ends, with false, and the next status() carries all of it', async () => {
    const session = connect();
    await session.create({ topology: 'tmr' });
    await session.load({ kind: 'source', source: CHECKSUM });
    await session.inject('at=2000,module=2,kind=flip,target=a0,bit=4'); // the checksum, in its first pass: module 2 is outvoted
    await session.start();
    expect(await session.changed()).toBe(false);
    const status = await session.status();
    expect(status).toMatchObject({ running: false, halt: { reason: 'exit', exitCode: 0 } });
    expect(status.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['inject', 'diverge', 'offline', 'halt']));
    expect(new TextDecoder().decode(status.output)).toBe(EXPECTED);
  });

  it('answers changed() while running when a slice left new events, and when paused', async () => {
    const session = connect();
    await session.create({ topology: 'tmr' });
    await session.load({ kind: 'source', source: FOREVER });
    await session.inject('at=200000,module=2,kind=flip,target=t0,bit=3');
    await session.start();
    await session.changed();
    const status = await session.status();
    expect(status.running).toBe(true);
    expect(status.events.map((e) => e.kind)).toEqual(['inject', 'diverge', 'offline']);
    expect(status.modules.map((m) => m.state)).toEqual(['online', 'online', 'offline']);
    const waiting = session.changed();
    await session.pause();
    await waiting;
    expect((await session.view()).running).toBe(false);
  });
});

/**
 * Prints "ok\nA\n" (the A from a0, set at instruction 1 and stored at instruction 8) and
 * exits 0 at instruction 12: 13 instructions in all.
 */
const OK_A = `
_start: li   t0, 0x10000000   # 0: the UART (lui alone)
        li   a0, 0x41         # 1: 'A'
        li   t1, 0x6f         # 2: 'o'
        sb   t1, 0(t0)        # 3
        li   t1, 0x6b         # 4: 'k'
        sb   t1, 0(t0)        # 5
        li   t1, 10           # 6: newline
        sb   t1, 0(t0)        # 7
        sb   a0, 0(t0)        # 8
        sb   t1, 0(t0)        # 9
        li   a0, 0            # 10
        li   a7, 93           # 11
        ecall                 # 12: exit(a0)
`;
/** Counts t0 down from N to 0 (2 instructions a turn) and exits 0: 1 + 2N + 3 instructions for N < 2048. */
const countDown = (n: number) => `
_start: li   t0, ${n}
loop:   addi t0, t0, -1
        bnez t0, loop
        li   a0, 0
        li   a7, 93
        ecall
`;
/** Echoes console input from the UART (polling LSR bit 0) up to a newline, then exits 0. */
const ECHO_LINE = `
_start: li   t0, 0x10000000
        li   t3, 10
wait:   lbu  t1, 5(t0)
        andi t1, t1, 1
        beqz t1, wait
        lbu  t2, 0(t0)
        sb   t2, 0(t0)
        bne  t2, t3, wait
        li   a0, 0
        li   a7, 93
        ecall
`;

/** Runs a session to its verdict: step (in one call) until it halts or hangs, then wait for the judging. */
async function verdictOf(session: Remote<MachineSession>): Promise<MachineView> {
  let view = await session.step(10_000_000);
  while (!view.verdict || view.verdict.kind === 'pending') {
    await session.changed();
    view = await session.view();
  }
  return view;
}

describe('the verdict of a run, against the fault-free run of the same program and input (DESIGN §6)', () => {
  const setUp = async (topology: MachineSetup['topology'], source: string, faults: string[] = []) => {
    const session = sessionInThread();
    await session.create({ topology });
    await session.load({ kind: 'source', source, name: 'test.s' });
    for (const fault of faults) await session.inject(fault);
    return session;
  };

  it('calls a simplex run whose output differs silent data corruption, and says where: line 2, column 1, A became C', async () => {
    // Bit 1 of a0 = 0x41 flipped before instruction 2: 0x43 'C' is printed where 'A' belongs.
    const view = await verdictOf(await setUp('simplex', OK_A, ['at=2,module=0,kind=flip,target=a0,bit=1']));
    expect(new TextDecoder().decode(view.output)).toBe('ok\nC\n');
    expect(view.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(view.verdict).toEqual({
      kind: 'judged', outcome: 'sdc',
      reference: { instret: 13, exitCode: 0, outputBytes: 5 },
      difference: { offset: 3, actual: 0x43, expected: 0x41, line: 2, column: 1, index: 3 },
    });
  });

  it.each([
    // tmr outvotes module 0 at its store of a0 (instruction 8): the others' output goes out.
    ['tmr', 'at=2,module=0,kind=flip,target=a0,bit=1', 'recovered'],
    // dmr cannot tell which of two modules is right: it stops at instruction 8.
    ['dmr', 'at=2,module=0,kind=flip,target=a0,bit=1', 'failstop'],
    // s5 is never read: nothing diverges, the output is right.
    ['simplex', 'at=2,module=0,kind=flip,target=s5,bit=7', 'masked'],
    // a0 = 0 flipped to 1 before the exit call (instruction 12): exit code 1, not 0.
    ['simplex', 'at=12,module=0,kind=flip,target=a0,bit=0', 'crash'],
    // a module pulled on simplex: no module is left to finish the program.
    ['simplex', 'at=5,module=0,kind=kill', 'crash'],
  ] as const)('judges %s with %s as %s', async (topology, fault, outcome) => {
    const view = await verdictOf(await setUp(topology, OK_A, [fault]));
    expect(view.verdict).toMatchObject({ kind: 'judged', outcome, reference: { instret: 13, exitCode: 0 } });
  });

  it('stops a run that hangs at 10 × the fault-free run’s instructions, running free', async () => {
    // countDown(10) takes 1 + 20 + 3 = 24 instructions. Bit 31 of t0 flipped before
    // instruction 3 (t0 = 9 then) leaves 2^31 + 9 turns to go: the run is stopped at 240.
    const session = await setUp('simplex', countDown(10), ['at=3,module=0,kind=flip,target=t0,bit=31']);
    await session.start();
    let view = await session.view();
    while (view.running || !view.verdict) {
      await session.changed();
      view = await session.view();
    }
    expect(view.halt).toBeUndefined();
    expect(view.instret).toBe(240);
    expect(view.verdict).toMatchObject({ kind: 'judged', outcome: 'hang', reference: { instret: 24, exitCode: 0 } });
  });

  it('judges against a long fault-free run in the background, and changed() answers when the verdict is known', async () => {
    // li t0, 10,000,000 takes lui + addi: 2 + 20,000,000 + 3 instructions fault-free.
    const session = await setUp('simplex', countDown(10_000_000), ['at=1,module=0,kind=kill']);
    const view = await verdictOf(session);
    expect(view.halt).toMatchObject({ reason: 'dead' });
    expect(view.verdict).toMatchObject({ kind: 'judged', outcome: 'crash', reference: { instret: 20_000_005, exitCode: 0 } });
  });

  it('stops judging in the background once the session is closed', async () => {
    // Pulled at instruction 1, the machine halts; its fault-free run counts for ever, so judging
    // would run it to the limit (500 M instructions) in this thread.
    const session = await setUp('simplex', FOREVER, ['at=1,module=0,kind=kill']);
    const view = await session.step(10);
    expect(view.halt).toMatchObject({ reason: 'dead' });
    expect(view.verdict).toMatchObject({ kind: 'pending' });
    const counter = countExecuted();
    try {
      await new Promise((r) => setTimeout(r, 50));
      expect(counter.executed).toBeGreaterThan(0); // judging
      await session.close();
      await new Promise((r) => setTimeout(r, 50)); // a time slice in flight ends
      const atClose = counter.executed;
      await new Promise((r) => setTimeout(r, 200));
      expect(counter.executed).toBe(atClose);
    } finally {
      counter.stop();
    }
  });

  it('gives the fault-free run the console input the faulty run got', async () => {
    const session = await setUp('simplex', ECHO_LINE, ['at=1,module=0,kind=flip,target=s5,bit=0']);
    await session.sendInput(new TextEncoder().encode('hi\n'));
    const view = await verdictOf(session);
    expect(new TextDecoder().decode(view.output)).toBe('hi\n');
    expect(view.verdict).toMatchObject({ kind: 'judged', outcome: 'masked' });
  });

  it('says a run with no fault applied is the fault-free run, and names a fault scheduled after its end', async () => {
    expect((await verdictOf(await setUp('tmr', OK_A))).verdict).toEqual({ kind: 'fault-free', notApplied: [] });
    const late = await verdictOf(await setUp('tmr', OK_A, ['at=100,module=1,kind=flip,target=x5,bit=0']));
    expect(late.verdict).toEqual({ kind: 'fault-free', notApplied: ['at=100,module=1,kind=flip,target=x5,bit=0'] });
  });

  it('keeps the fault-free run for a new machine of the same program and setup, and starts another for a new program, setup or input', async () => {
    // Every runner in this thread; count the fault-free runs started from a program's start (the twin is off: only the verdict's).
    let started = 0;
    const spawn: FaultFreeSpawner = async () => {
      const runner = inThread();
      return { ...runner, port: { ...runner.port, start: (setup, program) => { started++; return runner.port.start(setup, program); } } };
    };
    const session = new MachineSession({}, spawn);
    const judged = async (fault: string) => {
      await session.inject(fault);
      return (await verdictOf(session as unknown as Remote<MachineSession>)).verdict;
    };
    const SDC = { kind: 'judged', outcome: 'sdc', reference: { instret: 13, exitCode: 0, outputBytes: 5 } };
    await session.create({ topology: 'simplex' });
    await session.load({ kind: 'source', source: OK_A, name: 'test.s' });
    expect(await judged('at=2,module=0,kind=flip,target=a0,bit=1')).toMatchObject(SDC);
    expect(started).toBe(1);
    await session.reset();
    expect(await judged('at=2,module=0,kind=flip,target=a0,bit=1')).toMatchObject(SDC);
    await session.reset();
    expect(await judged('at=12,module=0,kind=flip,target=a0,bit=0')).toMatchObject({ kind: 'judged', outcome: 'crash', reference: { instret: 13 } });
    // Another topology runs the same fault-free run: each module runs as a simplex machine does.
    await session.create({ topology: 'tmr' });
    expect(await judged('at=2,module=0,kind=flip,target=a0,bit=1')).toMatchObject({ kind: 'judged', outcome: 'recovered', reference: { instret: 13 } });
    expect(started).toBe(1);
    await session.create({ topology: 'tmr', ramMiB: 2 });
    expect(await judged('at=2,module=0,kind=flip,target=a0,bit=1')).toMatchObject({ kind: 'judged', outcome: 'recovered' });
    expect(started).toBe(2);
    await session.load({ kind: 'source', source: OK_A, name: 'test.s' });
    expect(await judged('at=2,module=0,kind=flip,target=a0,bit=1')).toMatchObject({ kind: 'judged', outcome: 'recovered' });
    expect(started).toBe(3);
    // A run that took input is another input's: kept, it would call "yo" against "hi" corrupted.
    await session.load({ kind: 'source', source: ECHO_LINE, name: 'echo.s' });
    for (const line of ['hi\n', 'yo\n']) {
      await session.reset();
      await session.sendInput(new TextEncoder().encode(line));
      expect(await judged('at=1,module=0,kind=flip,target=s5,bit=0')).toMatchObject({ kind: 'judged', outcome: 'masked' });
    }
    expect(started).toBe(5);
    session.close();
  });

  it('starts the fault-free run again for a reset machine when the last one failed', async () => {
    let started = 0;
    let failures = 1;
    const spawn: FaultFreeSpawner = async () => {
      const runner = inThread();
      return {
        ...runner,
        port: {
          ...runner.port,
          start: (setup, program) => { started++; return runner.port.start(setup, program); },
          advance: (until, inputs) => (failures-- > 0 ? Promise.reject(new Error('the runner broke')) : runner.port.advance(until, inputs)),
        },
      };
    };
    const session = new MachineSession({}, spawn);
    await session.create({ topology: 'simplex' });
    await session.load({ kind: 'source', source: OK_A, name: 'test.s' });
    const judged = async () => {
      await session.inject('at=2,module=0,kind=flip,target=a0,bit=1');
      return (await verdictOf(session as unknown as Remote<MachineSession>)).verdict;
    };
    await expect(judged()).rejects.toThrow('the runner broke');
    await session.reset();
    expect(await judged()).toMatchObject({ kind: 'judged', outcome: 'sdc', reference: { instret: 13 } });
    expect(started).toBe(2);
    session.close();
  });

  it('returns a scheduled fault as the machine names it, with its instruction', async () => {
    const session = await setUp('tmr', OK_A);
    await session.step(3);
    expect(await session.inject('module=1,kind=flip,target=s1,bit=2')).toBe('at=3,module=1,kind=flip,target=x9,bit=2');
  });
});

describe('MachineSession', () => {
  it('refuses a bad request as input (InputError, status 2 in the CLI), not as a bug', async () => {
    const session = new MachineSession();
    await session.create({ topology: 'tmr' });
    await expect(session.back(1)).rejects.toThrow(new InputError('load a program first'));
    await session.load({ kind: 'source', source: CHECKSUM });
    expect(() => session.back(0)).toThrow(InputError);
    await expect(session.jump('injection')).rejects.toThrow(new InputError('no fault has taken effect in this run yet'));
    expect(() => session.setSpeed(-1)).toThrow(InputError);
    session.close();
  });
});
