/**
 * The page's controller driving a real MachineSession over comlink (a MessageChannel in this
 * thread, as the browser's worker would): a known program and a known fault give a known
 * timeline, board state and console output.
 *
 * checksum.s sets s1 = 256 at instruction 2 and loops `blt t0, s1, fill` with t0 = 1..256
 * (8 set-up instructions, then 6 per turn, the blt last). Flipping bit 2 of s1 on module 1
 * makes it 260 there: at t0 = 256 (turn 255) module 1 branches back to fill (0x80000020)
 * while the others fall through to pass (0x80000038). That blt is instruction
 * 8 + 255 × 6 + 5 = 1543, at pc 0x80000034.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { controller, sessionInThread, until } from '../helpers/session.ts';
import { MachineController, type SessionPort } from '../../web/state/controller.ts';
import { buildTimeline, outcomeEntry } from '../../web/state/timeline.ts';
import { scenarioProgram } from '../../web/state/scenario-source.ts';
import { MAX_STEP_N, DEFAULT_SPEED, parseScenario, type Scenario } from '../../src/scenario/scenario.ts';
import type { Verdict } from '../../src/worker/session.ts';
import type { MachineEvent } from '../../src/machine/events.ts';
import { CHECKSUM_OUTPUT as EXPECTED } from '../helpers/checksum.ts'; // examples/checksum.s's output, derived there

const CHECKSUM = readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8');

describe('MachineController', () => {
  it('breaks a clicked register bit on pair-spare and shows detection, isolation and the right output', async () => {
    const c = controller();
    await c.configure({ topology: 'pair-spare' });
    await c.loadSource(CHECKSUM, 'checksum.s');
    expect(c.state.program?.lines.get(0x8000_0000)).toBe(7);
    await c.step(3);
    expect(c.state.view?.instret).toBe(3);
    c.select({ module: 1, target: 'x9' });
    await c.clickBit(2);
    expect(c.state.pending).toEqual(['at=3,module=1,kind=flip,target=x9,bit=2']);
    await c.step(1);
    // The flip is latent: s1 differs on module 1 only, nothing has compared it yet.
    expect(c.state.view?.modules.map((m) => m.regs[9])).toEqual([256, 260, 256, 256]);
    expect(c.state.timeline.map((e) => e.stage)).toEqual(['injected']);
    await c.step(2000);
    const stages = c.state.timeline.map((e) => [e.stage, e.instret]);
    expect(stages).toEqual([['injected', 3], ['diverged', 1543], ['offline', 1543]]);
    const diverged = c.state.timeline[1];
    expect(diverged.text).toBe('Diverged at instruction 1,543 (pc 0x80000034): module 1 went on to 0x80000020, module 0 went on to 0x80000038');
    expect(diverged.report).toMatchObject({ field: 'next pc', module: 1, reference: 0, pc: 0x8000_0034, actual: '0x80000020', expected: '0x80000038' });
    expect(c.state.timeline[2].title).toBe('Board 0 offline');
    // The machine took board 0 (modules 0 and 1) offline: both flash.
    expect(c.state.flash).toMatchObject({ modules: [0, 1], target: 'pc' });
    expect(c.state.view?.modules.map((m) => m.state)).toEqual(['offline', 'offline', 'online', 'online']);
    await c.setSpeed(Infinity);
    await c.run();
    await until(() => c.state.verdict?.kind === 'judged');
    expect(c.state.console).toBe(EXPECTED);
    expect(c.state.view?.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(c.state.verdict).toMatchObject({ outcome: 'recovered' });
    expect(c.state.timeline.slice(-2).map((e) => [e.stage, e.tone, e.title])).toEqual([['halted', 'neutral', 'Finished'], ['outcome', 'good', 'Outcome: Recovered']]);
    expect(c.scenario().faults).toEqual(['at=3,module=1,kind=flip,target=x9,bit=2']);
  });

  it('shows a dmr fail-stop as a stop: no module flashed as the faulty one, the outcome last and not good news', async () => {
    const c = controller();
    await c.configure({ topology: 'dmr' });
    await c.loadSource(CHECKSUM, 'checksum.s');
    await c.inject('at=3,module=1,kind=flip,target=x9,bit=2');
    await c.step(2000);
    await until(() => c.state.verdict?.kind === 'judged');
    expect(c.state.view?.halt).toMatchObject({ reason: 'failstop' });
    expect(c.state.timeline.map((e) => [e.stage, e.instret])).toEqual([['injected', 3], ['diverged', 1543], ['failstop', 1543], ['halted', 1543], ['outcome', 1544]]);
    expect(c.state.flash).toBeUndefined();
    expect(c.state.selectedEntry).toBe(c.state.timeline[1].key); // the report still opens
    expect(c.state.timeline.slice(-2).map((e) => [e.tone, e.title])).toEqual([['bad', 'Stopped'], ['warn', 'Outcome: Fail-stop']]);
    expect(c.state.verdict).toMatchObject({ outcome: 'failstop', reference: { exitCode: 0, outputBytes: EXPECTED.length } });
  });

  it('calls a simplex run with a wrong output silent data corruption and says where it first differs', async () => {
    // Bit 2 of s1 (256 → 260) makes the fill loop run 260 turns: it writes 4 words past
    // the table and mixes 260, so the first pass's checksum (the first 8 bytes) differs.
    const c = controller();
    await c.configure({ topology: 'simplex' });
    await c.loadSource(CHECKSUM, 'checksum.s');
    await c.inject('at=3,module=0,kind=flip,target=x9,bit=2');
    await c.step(1_000_000);
    await until(() => c.state.verdict?.kind === 'judged');
    expect(c.state.view?.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(c.state.console).not.toBe(EXPECTED);
    const verdict = c.state.verdict as Extract<Verdict, { kind: 'judged' }>;
    expect(verdict.outcome).toBe('sdc');
    // Where the two outputs first differ, found independently of the session.
    const output = new TextEncoder().encode(c.state.console);
    const expected = new TextEncoder().encode(EXPECTED);
    let offset = 0;
    while (output[offset] === expected[offset]) offset++;
    expect(verdict.difference).toMatchObject({ offset, actual: output[offset], expected: expected[offset] });
    expect(c.state.timeline.at(-1)).toMatchObject({ stage: 'outcome', tone: 'bad', title: 'Outcome: Silent data corruption' });
  });

  it('pulls a board, replaces it and shows the resync to the end', async () => {
    const c = controller();
    await c.configure({ topology: 'pair-spare', resync: 'stop-copy' });
    await c.loadSource(CHECKSUM, 'checksum.s');
    await c.step(100);
    await c.pull({ board: 1 });
    await c.step(1);
    expect(c.state.view?.modules.map((m) => m.state)).toEqual(['online', 'online', 'offline', 'offline']);
    await c.replace({ board: 1 });
    await c.step(1);
    expect(c.state.timeline.map((e) => e.stage)).toEqual(['injected', 'offline', 'replaced', 'resynced']);
    expect(c.state.view?.modules.map((m) => m.state)).toEqual(['online', 'online', 'online', 'online']);
    await c.setSpeed(Infinity);
    await c.run();
    await until(() => !!c.state.view?.halt);
    expect(c.state.console).toBe(EXPECTED);
  });

  it('draws a module going offline while running flat out, keeping the registers between status views', async () => {
    const c = controller();
    await c.configure({ topology: 'tmr' });
    await c.loadSource('loop:\n  addi t0, t0, 1\n  j loop\n', 'forever.s');
    await c.inject('at=300000,module=2,kind=flip,target=t0,bit=3');
    await c.setSpeed(Infinity);
    await c.run();
    await until(() => c.state.view?.modules[2].state === 'offline');
    expect(c.running).toBe(true);
    expect(c.state.timeline.map((e) => [e.stage, e.instret])).toEqual([['injected', 300000], ['diverged', 300000], ['offline', 300000]]);
    const before = c.state.view!.instret;
    await until(() => c.state.view!.instret > before);
    expect(c.state.view?.modules.every((m) => m.regs.length === 32 && typeof m.pc === 'number')).toBe(true);
    await c.pause();
    expect(c.running).toBe(false);
    expect(c.state.view?.modules[0].regs[5]).toBe(Math.ceil(c.state.view!.instret / 2) % 2 ** 32);
  });

  it('brings an event that comes while running flat out by a status view at once and the tables with the next pull, a detailed one, and a halt by a detailed view at once', async () => {
    const pulls: { kind: string; offline: boolean; halted: boolean }[] = [];
    const session = sessionInThread() as unknown as SessionPort;
    const recording = new Proxy(session, {
      get: (target, key) => (key === 'status' || key === 'view'
        ? async (...args: unknown[]) => {
          const view = await (Reflect.get(target, key) as (...a: unknown[]) => Promise<{ modules: { state: string }[]; halt?: unknown }>)(...args);
          pulls.push({ kind: key, offline: view.modules[2]?.state === 'offline', halted: view.halt !== undefined });
          return view;
        }
        : Reflect.get(target, key)),
    });
    // Two views a second: the event cannot wait for the throttled pulls.
    const c = new MachineController(recording, { frame: (cb) => setTimeout(() => cb(performance.now()), 5), refreshHz: 2, cores: 8 });
    await c.configure({ topology: 'tmr' });
    await c.loadSource('loop:\n  addi t0, t0, 1\n  j loop\n', 'forever.s');
    await c.inject('at=300000,module=2,kind=flip,target=t0,bit=3');
    await c.setSpeed(Infinity);
    pulls.length = 0;
    await c.run();
    await until(() => c.state.view?.modules[2].state === 'offline');
    const first = pulls.findIndex((p) => p.offline);
    expect(pulls[first].kind).toBe('status');
    await until(() => pulls.slice(first + 1).some((p) => p.kind === 'view'));
    expect(c.running).toBe(true);
    await c.pause();
    // A halt in the run's first slice, long before its first throttled pull, comes by a
    // detailed view at once: changed() says the machine no longer runs.
    await c.loadSource(CHECKSUM, 'checksum.s');
    pulls.length = 0;
    await c.run();
    await until(() => c.state.view?.halt !== undefined);
    expect(pulls.find((p) => p.halted)?.kind).toBe('view');
  });

  it('keeps every byte of output and every event when the throttled status pulls, not changed(), find the machine stopped', async () => {
    // changed() never answers here: the halt is found by the status views, which carry the output and events since the last pull.
    const session = sessionInThread() as unknown as SessionPort;
    const silent = new Proxy(session, { get: (target, key) => (key === 'changed' ? () => new Promise(() => {}) : Reflect.get(target, key)) });
    const c = new MachineController(silent, { frame: (cb) => setTimeout(() => cb(performance.now()), 5), refreshHz: 200, cores: 8 });
    await c.configure({ topology: 'dmr' });
    await c.loadSource(readFileSync(new URL('../../examples/count.s', import.meta.url), 'utf8'), 'count.s');
    await c.inject('at=5000,module=1,kind=flip,target=s5,bit=0');
    await c.setSpeed(Infinity);
    await c.run();
    await until(() => c.state.view?.halt !== undefined && !c.state.view.running);
    // count.s prints 1 to 20, a number a line; s5 is a register it never uses.
    expect(c.state.console).toBe(Array.from({ length: 20 }, (_, k) => `${k + 1}\n`).join(''));
    expect(c.state.timeline.filter((e) => e.stage === 'injected').map((e) => e.instret)).toEqual([5000]);
  });

  it('pulls a flat-out run\'s first view 100 ms after it starts and draws the run first with it (a shorter run only halted), news before it with it, then 30 a second; a slower run\'s one per frame, drawn running from the start', async () => {
    let clock = 0;
    const pulls: number[] = [];
    const session = sessionInThread() as unknown as SessionPort;
    const recording = new Proxy(session, {
      get: (target, key) => (key === 'status' || key === 'view'
        ? (...args: unknown[]) => { pulls.push(clock); return (Reflect.get(target, key) as (...a: unknown[]) => unknown)(...args); }
        : Reflect.get(target, key)),
    });
    const frames: ((now: number) => void)[] = [];
    const c = new MachineController(recording, { frame: (cb) => frames.push(cb), refreshHz: 30, cores: 8 });
    await c.loadSource('loop:\n  addi t0, t0, 1\n  j loop\n', 'forever.s');
    let drawn = 0;
    c.addEventListener('change', () => drawn++);
    /** Runs at `speed` for `ms` of the frames' clock (a frame every 16 ms, each answered before the next); returns the clock at each pull. */
    const runFor = async (speed: number, ms: number) => {
      await c.setSpeed(speed);
      pulls.length = 0;
      drawn = 0;
      await c.run();
      expect(c.running).toBe(true);
      // Drawing the start would take the page's threads from the worker's core while a fast run goes on.
      expect(drawn).toBe(speed === Infinity ? 0 : 1);
      for (clock = 0; clock <= ms; clock += 16) {
        frames.shift()!(clock);
        await new Promise((r) => setTimeout(r, 25)); // the in-thread session's slice, and the view's round trip
      }
      const pulled = [...pulls];
      await c.pause();
      frames.length = 0;
      return pulled;
    };
    // A fault applied in the run's first time slice is news (its inject event): it too waits for the first view.
    await c.inject('at=1000,module=0,kind=flip,target=t1,bit=3');
    const fast = await runFor(Infinity, 300);
    expect(c.state.timeline.filter((e) => e.stage === 'injected').map((e) => e.instret)).toEqual([1000]);
    expect(fast[0]).toBeGreaterThanOrEqual(100);
    expect(fast[0]).toBeLessThanOrEqual(100 + 2 * 16);
    // 1000 / 30 ms apart from there, to the frame: from the first pull at 112 to 300, six.
    expect(fast.length).toBeGreaterThanOrEqual(5);
    expect(fast.length).toBeLessThanOrEqual(7);
    const slow = await runFor(1000, 64);
    expect(slow[0]).toBe(0);
    expect(slow.length).toBeGreaterThanOrEqual(4);
  });

  it('lists a fault scheduled while running at the instruction the timeline shows, until it is applied', async () => {
    const c = controller();
    await c.configure({ topology: 'tmr' });
    await c.loadSource('loop:\n  addi t0, t0, 1\n  j loop\n', 'forever.s');
    await c.setSpeed(Infinity);
    await c.run();
    await until(() => (c.state.view?.instret ?? 0) > 1_000_000);
    // The page's last view is behind the running machine: "now" is the machine's instruction.
    await c.inject('module=1,kind=flip,target=s5,bit=0');
    expect(c.state.pending).toHaveLength(1);
    const at = Number(/^at=(\d+),module=1,kind=flip,target=x21,bit=0$/.exec(c.state.pending[0])?.[1]);
    await until(() => c.state.timeline.some((e) => e.stage === 'injected'));
    expect(c.state.timeline.find((e) => e.stage === 'injected')?.instret).toBe(at);
    expect(c.state.pending).toEqual([]);
    // A fault on a module that is offline by then has no effect and no event: it is no longer listed once passed.
    await c.inject('module=2,kind=kill');
    await until(() => c.state.view?.modules[2].state === 'offline');
    await c.pause();
    const later = c.state.view!.instret + 1000;
    await c.inject(`at=${later},module=2,kind=flip,target=x5,bit=0`);
    expect(c.state.pending).toEqual([`at=${later},module=2,kind=flip,target=x5,bit=0`]);
    await c.step(2000);
    expect(c.state.events.filter((e) => e.kind === 'inject' && e.module === 2).map((e) => e.instret)).toHaveLength(1); // the kill only
    expect(c.state.pending).toEqual([]);
  });

  it('keeps the note of a scheduled fault while the run that applies it goes on, drops it once the machine stops, and drops an error as a run starts', async () => {
    const c = controller();
    await c.configure({ topology: 'tmr' });
    await c.loadSource('loop:\n  addi t0, t0, 1\n  j loop\n', 'forever.s');
    await c.setSpeed(Infinity);
    const fault = 'at=1000,module=1,kind=flip,target=x5,bit=0';
    await c.inject(fault);
    const note = { kind: 'info', text: `scheduled: ${fault}` };
    expect(c.state.message).toMatchObject(note);
    const running: (string | undefined)[] = [];
    const seen = () => { if (c.state.view?.running) running.push(c.state.message?.text); };
    c.addEventListener('change', seen);
    await c.run();
    await until(() => c.state.view?.running === true && c.state.timeline.some((e) => e.stage === 'injected'));
    await until(() => running.length > 2); // drawn running again and again, past the fault
    expect(c.state.pending).toEqual([]);
    expect(c.state.message).toMatchObject(note);
    c.removeEventListener('change', seen);
    expect(new Set(running)).toEqual(new Set([note.text]));
    await c.pause();
    expect(c.state.message).toBeUndefined();
    expect(c.setStepN(0)).toBe(false);
    expect(c.state.message?.kind).toBe('error');
    await c.run();
    expect(c.state.message).toBeUndefined();
    await c.pause();
  });

  it('starts at the default speed, slow enough to watch, and checks a scenario\'s expect when the run ends', async () => {
    const c = controller();
    expect(c.state.speed).toBe(DEFAULT_SPEED);
    const scenario = parseScenario(JSON.stringify({
      program: { example: 'checksum' }, machine: { topology: 'tmr' }, faults: ['at=3,module=2,kind=flip,target=s1,bit=2'],
      settings: { speed: 'max' }, expect: { output: EXPECTED, outcome: 'masked' },
    }));
    expect(scenario.ok).toBe(true);
    const s = (scenario as { scenario: Scenario }).scenario;
    await c.applyScenario(s, await scenarioProgram(s, 'http://localhost/', () => Promise.reject(new Error('no fetch'))));
    expect(c.state.pending).toEqual(['at=3,module=2,kind=flip,target=x9,bit=2']);
    await c.run();
    await until(() => c.state.expectation !== undefined);
    // tmr outvotes module 2 at instruction 1,543: recovered, not masked, with the right output.
    expect(c.state.expectation).toEqual({ output: { ok: true }, outcome: { ok: false, expected: 'masked', actual: 'recovered' } });
  });

  it('takes Step N counts of 1..MAX_STEP_N only, and says why it refuses the others', async () => {
    const c = controller();
    for (const bad of [0, -5, 2.5, NaN, MAX_STEP_N + 1]) {
      expect(c.setStepN(bad)).toBe(false);
      expect(c.state.stepN).toBe(100);
      expect(c.state.message?.text).toMatch(/whole number of instructions from 1 to 10,000,000/);
    }
    expect(c.setStepN(MAX_STEP_N)).toBe(true);
    expect(c.state.stepN).toBe(MAX_STEP_N);
  });

  it('puts a binary program into the embed code as base64, which loads the same bytes again', async () => {
    const elf = new Uint8Array(readFileSync(new URL('../../../shared/conformance/rv32im-pub-0007.elf', import.meta.url)));
    const c = controller();
    await c.configure({ topology: 'tmr' });
    await c.loadFile(elf, 'pub-0007.elf');
    const scenario = c.scenario('pub-0007.elf');
    expect(scenario.program).toEqual({ base64: Buffer.from(elf).toString('base64'), name: 'pub-0007.elf' });
    const parsed = parseScenario(JSON.stringify(scenario));
    expect(parsed.ok).toBe(true);
    const input = await scenarioProgram((parsed as { scenario: Scenario }).scenario, 'http://localhost/', () => Promise.reject(new Error('no fetch')));
    expect(input).toEqual({ kind: 'file', bytes: elf, name: 'pub-0007.elf' });
  });

  it('keeps the old program and reports the assembler diagnostics when a load fails', async () => {
    const c = controller();
    await c.loadSource(CHECKSUM, 'checksum.s');
    await expect(c.loadSource('start:\n  adii a0, a0, 1\n', 'typo.s')).rejects.toThrow();
    expect(c.state.loadError).toMatch(/^typo\.s:2:3: error: unknown instruction `adii`; did you mean `addi`\?/);
    expect(c.state.program?.name).toBe('checksum.s');
  });
});

describe('timeline entries', () => {
  it('turns a tmr vote, a replacement and a precopy resync into sentences', () => {
    const events: MachineEvent[] = [
      { instret: 10, kind: 'inject', module: 2, fault: 'at=10,module=2,kind=stuck1,target=x5,bit=0' },
      { instret: 12, kind: 'diverge', module: 2, reference: 0, pc: 0x8000_0010, field: 'x5', expected: '0x00000040', actual: '0x00000041' },
      { instret: 12, kind: 'offline', module: 2, reason: 'outvoted' },
      { instret: 20, kind: 'replace', module: 2 },
      { instret: 131_092, kind: 'resync-round', module: 2, modules: [2], source: 0, round: 1, pages: 256, bytes: 1048576, instructions: 131072 },
      { instret: 131_092, kind: 'resync-done', module: 2, modules: [2], source: 0, mode: 'precopy', rounds: 1, bytes: 1064960, pause_instructions: 2048, pause_us: 20.48 },
    ];
    expect(buildTimeline(events, 'tmr').map((e) => `${e.stage} @${e.instret}: ${e.text}`)).toEqual([
      'injected @10: Stuck-at-1 in x5 (t0) bit 0 on module 2, before instruction 10',
      'diverged @12: Diverged at instruction 12 (pc 0x80000010): module 2 wrote x5 = 0x00000041, module 0 wrote 0x00000040',
      'offline @12: Module 2 went offline at instruction 12: outvoted by the other modules',
      'replaced @20: Module 2 replaced at instruction 20; resync begins',
      'resync @131092: Copied 256 pages (1,048,576 bytes) from module 0 to module 2 while the machine ran',
      'resynced @131092: Module 2 back in lockstep at instruction 131,092 (precopy, 1 round, 1,064,960 bytes, pause of 2,048 cycles)',
    ]);
  });

  it('puts the right article before an announced error: a parity error, an uncorrectable ECC error', () => {
    const events: MachineEvent[] = [
      { instret: 7, kind: 'error', module: 1, where: 'parity error in x5' },
      { instret: 9, kind: 'error', module: 0, where: 'uncorrectable ECC error in RAM word 0x80001000' },
    ];
    expect(buildTimeline(events, 'dmr').map((e) => e.text)).toEqual([
      'Module 1 announced a parity error in x5 at instruction 7',
      'Module 0 announced an uncorrectable ECC error in RAM word 0x80001000 at instruction 9',
    ]);
  });

  it('ends with the outcome, in DESIGN §6\'s words, after a halt that is no green tick', () => {
    const halt = { instret: 99, kind: 'halt', reason: 'exit', exit_code: 0 } as const;
    expect(buildTimeline([halt], 'simplex')[0]).toMatchObject({ stage: 'halted', tone: 'neutral' });
    expect(buildTimeline([{ ...halt, reason: 'failstop' }], 'dmr')[0]).toMatchObject({ stage: 'halted', tone: 'bad', title: 'Stopped' });
    const reference = { instret: 13, exitCode: 0, outputBytes: 5 };
    const exit = { reason: 'exit' as const, exitCode: 0, message: 'the guest passed' };
    const sdc = outcomeEntry({ kind: 'judged', outcome: 'sdc', reference, difference: { offset: 3, actual: 0x43, expected: 0x41, line: 2, column: 1, index: 3 } }, exit, 13);
    expect(sdc).toMatchObject({ stage: 'outcome', tone: 'bad', title: 'Outcome: Silent data corruption' });
    expect(sdc!.text).toBe('The machine finished (exit code 0) without noticing anything, but its output is wrong. '
      + "Its output differs from the fault-free run's at byte 3 (line 2, column 1): 0x43 'C' where the fault-free run printed 0x41 'A'.");
    expect(sdc!.text).not.toMatch(/pass/);
    const names = (['masked', 'recovered', 'failstop', 'sdc', 'hang', 'crash'] as const).map((outcome) => {
      const entry = outcomeEntry({ kind: 'judged', outcome, reference }, exit, 13)!;
      return [entry.title, entry.tone];
    });
    expect(names).toEqual([
      ['Outcome: Masked', 'good'], ['Outcome: Recovered', 'good'], ['Outcome: Fail-stop', 'warn'],
      ['Outcome: Silent data corruption', 'bad'], ['Outcome: Hang', 'bad'], ['Outcome: Crash', 'bad'],
    ]);
    expect(outcomeEntry({ kind: 'pending', referenceInstret: 5 }, exit, 13)).toBeUndefined();
    expect(outcomeEntry({ kind: 'fault-free', notApplied: ['at=100,module=1,kind=flip,target=x5,bit=0'] }, exit, 13)!.text)
      .toBe('The program ended (exit code 0) after 13 instructions without any fault: this is the fault-free run. The fault at=100,module=1,kind=flip,target=x5,bit=0 came after the end: not activated.');
  });

  it('splits divergence and detection when a replay found an earlier first difference', () => {
    const events: MachineEvent[] = [
      { instret: 90, kind: 'diverge', module: 1, reference: 0, pc: 0x8000_0040, field: 'store data', expected: '0x00000001', actual: '0x00000005', first_differed: 80 },
    ];
    const timeline = buildTimeline(events, 'dmr');
    expect(timeline.map((e) => [e.stage, e.instret])).toEqual([['diverged', 80], ['detected', 90]]);
    expect(timeline[1].text).toBe('Detected at instruction 90 (pc 0x80000040): module 1 stored 0x00000005, module 0 stored 0x00000001');
  });
});
