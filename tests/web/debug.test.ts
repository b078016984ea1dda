/**
 * The page's side of issue 15, on a real MachineSession over comlink (a MessageChannel in
 * this thread, as the browser's worker would be): breakpoints set by line and by address
 * stop the run where the source says, follow their lines when the program is loaded again,
 * and go with a program of another name; watchpoints and run to cursor, in the words the
 * page shows; the console's Clear; the memory view's ASCII; programs kept in the browser's
 * storage; and share links, which give back every field of the scenario they were opened
 * from.
 */
import { describe, expect, it } from 'vitest';
import type { MachineController } from '../../web/state/controller.ts';
import { controller, until } from '../helpers/session.ts';
import { DebugController, stopText } from '../../web/state/debugger.ts';
import { ConsoleText } from '../../web/state/console.ts';
import { asciiOf } from '../../web/state/format.ts';
import { ProgramLibrary, StorageError } from '../../web/state/library.ts';
import { actionFor } from '../../web/state/shortcuts.ts';
import { scenarioProgram } from '../../web/state/scenario-source.ts';
import { embedUrl } from '../../web/state/embed-code.ts';
import { decodeScenarioHash, validateScenario, type ScenarioInput } from '../../src/scenario/scenario.ts';
import { parseFault, formatFault } from '../../src/fault/spec.ts';

/** Runs flat out until the machine stops (a breakpoint, a watchpoint, the halt). */
async function runToStop(c: MachineController): Promise<void> {
  await c.setSpeed(Infinity);
  await c.run();
  await until(() => c.state.view?.running === false);
}

/**
 * Line 1 is a comment; instructions from 0x80000000, one per line from line 2:
 *   2 li t0, 0 (0x..00, instruction 0)   3 li t1, 3 (0x..04, 1)
 *   4 loop: addi t0, t0, 1 (0x..08, instructions 2, 4, 6)   5 bne (0x..0c)
 *   6 li a7, 93 (0x..10, 8)   7 li a0, 0   8 ecall
 */
const LOOP = '# counts to 3\nli t0, 0\nli t1, 3\nloop: addi t0, t0, 1\nbne t0, t1, loop\nli a7, 93\nli a0, 0\necall\n';

describe('breakpoints and watchpoints on the page', () => {
  it('a breakpoint set on a line stops the run at its first instruction, in words', async () => {
    const c = controller();
    const debug = new DebugController(c);
    await c.configure({ topology: 'tmr' });
    await c.loadSource(LOOP, 'loop.s');
    expect(await debug.toggleLine(1)).toBe(false); // a comment: no instruction
    expect(await debug.toggleLine(4)).toBe(true);
    expect(debug.state.breakpoints).toEqual([{ address: 0x8000_0008, line: 4 }]);
    await runToStop(c);
    expect(c.state.view?.instret).toBe(2);
    expect(stopText(c.state.view!.debugStop!, c.state.program)).toBe('Stopped at the breakpoint 0x80000008 (loop, line 4), before instruction 2.');
    await runToStop(c);
    expect(c.state.view?.instret).toBe(4);
    await debug.toggle(0x8000_0008); // clears it
    await runToStop(c);
    expect(c.state.view?.halt?.reason).toBe('exit');
  });

  it('breakpoints follow their lines into the program loaded again, and go with a program of another name', async () => {
    const c = controller();
    const debug = new DebugController(c);
    await c.configure({ topology: 'simplex' });
    await c.loadSource(LOOP, 'loop.s');
    await debug.toggleLine(6); // li a7, 93 at 0x80000010
    // Two lines inserted above it: the editor's marker moved to line 8, whose first instruction is now 0x80000018.
    const edited = LOOP.replace('li a7, 93', 'nop\nnop\nli a7, 93');
    debug.relocate([8]);
    await c.loadSource(edited, 'loop.s');
    debug.relocate(undefined);
    await until(() => debug.state.breakpoints[0]?.address === 0x8000_0018);
    expect(debug.state.breakpoints).toEqual([{ address: 0x8000_0018, line: 8 }]);
    await runToStop(c);
    expect(c.state.view?.debugStop).toMatchObject({ kind: 'breakpoint', pc: 0x8000_0018, instret: 10 }); // 0-7 as before, then the two nops
    await c.loadSource(LOOP, 'other.s');
    await until(() => debug.state.breakpoints.length === 0);
    await runToStop(c);
    expect(c.state.view?.halt?.reason).toBe('exit');
  });

  it('run to cursor goes to the editor line chosen, once', async () => {
    const c = controller();
    const debug = new DebugController(c);
    await c.configure({ topology: 'dmr' });
    await c.loadSource(LOOP, 'loop.s');
    debug.setCursorLine(5);
    expect(debug.state.cursor).toEqual({ address: 0x8000_000C, line: 5 });
    await debug.runToCursor();
    await until(() => c.state.view?.running === false);
    expect(stopText(c.state.view!.debugStop!, c.state.program)).toBe('Stopped at the cursor 0x8000000c (loop+0x4, line 5), before instruction 3.');
    await runToStop(c);
    expect(c.state.view?.halt?.reason).toBe('exit');
  });

  it('a watchpoint on a register, or on a data label\'s word, says what changed it; a bad one is refused', async () => {
    const c = controller();
    const debug = new DebugController(c);
    await c.configure({ topology: 'pair-spare' });
    await c.loadSource(`${LOOP}.data\ncounter: .word 5\n`, 'loop.s');
    const counter = c.state.program!.symbolList.find(([name]) => name === 'counter')![1];
    await debug.addWatch('t0');
    await debug.addWatch('counter');
    expect(debug.state.watches).toEqual(['x5', `mem:0x${counter.toString(16)}`]);
    await runToStop(c);
    expect(stopText(c.state.view!.debugStop!, c.state.program)).toBe('x5 (t0) changed from 0x00000000 to 0x00000001: instruction 2 at 0x80000008 (loop, line 4) changed it.');
    expect(c.state.view?.watches).toEqual([{ target: 'x5', value: 1 }, { target: `mem:0x${counter.toString(16)}`, value: 5 }]);
    await expect(debug.addWatch('x0')).rejects.toThrow(/x0 is always zero/);
    expect(c.state.message).toMatchObject({ kind: 'error' });
    expect(debug.state.watches).toEqual(['x5', `mem:0x${counter.toString(16)}`]);
    await debug.removeWatch('x5');
    await runToStop(c);
    expect(c.state.view?.halt?.reason).toBe('exit');
  });

  it('B and U are the shortcuts for a breakpoint at the cursor and run to cursor, K the reference card', () => {
    expect(actionFor({ key: 'b' })).toBe('toggle-breakpoint');
    expect(actionFor({ key: 'u' })).toBe('run-to-cursor');
    expect(actionFor({ key: 'k' })).toBe('reference-card');
    expect(actionFor({ key: 'b', editable: true })).toBeUndefined();
  });
});

describe('the small things', () => {
  it('Clear empties the console, and what comes next still finds its place in the whole output', () => {
    const text = new ConsoleText();
    text.append(new TextEncoder().encode('héllo\n'));
    text.discard();
    expect(text.text).toBe('');
    expect(text.dropped).toBe(6); // 'héllo\n': six UTF-16 code units
    text.append(new TextEncoder().encode('world'));
    expect(text.text).toBe('world');
    expect(text.dropped).toBe(6);
  });

  it('shows a RAM word\'s bytes as ASCII, lowest address first', () => {
    const word = (s: string) => [...s].reduce((w, ch, k) => w | (ch.charCodeAt(0) << (8 * k)), 0) >>> 0;
    expect(asciiOf(word('Hell'))).toBe('Hell');
    expect(asciiOf(0x0041_0A42)).toBe('B·A·'); // 0x42 'B', 0x0A newline, 0x41 'A', 0x00
    expect(asciiOf(0x7F20_7E1F)).toBe('·~ ·'); // 0x1F and 0x7F are not printable; 0x7E and 0x20 are
  });
});

/** A Storage over a Map; `quota` bytes of values at most (then setItem throws, as a full store does). */
function memoryStorage(quota = Infinity): Storage {
  const items = new Map<string, string>();
  return {
    get length() { return items.size; },
    key: (k) => [...items.keys()][k] ?? null,
    getItem: (key) => items.get(key) ?? null,
    setItem: (key, value) => {
      const used = [...items].reduce((n, [k, v]) => n + (k === key ? 0 : v.length), 0);
      if (used + value.length > quota) throw new DOMException('full', 'QuotaExceededError');
      items.set(key, value);
    },
    removeItem: (key) => { items.delete(key); },
    clear: () => items.clear(),
  };
}

describe('programs kept in the browser', () => {
  it('keeps, lists newest first, replaces by name, deletes, and survives a reload', () => {
    const storage = memoryStorage();
    const library = new ProgramLibrary(storage);
    library.save('a.s', 'nop\n', 1000);
    library.save('b.s', 'ecall\n', 3000);
    library.save('a.s', 'li a0, 1\n', 2000);
    storage.setItem('lockstep-theme', 'dark'); // not a program
    storage.setItem('lockstep-lab/program/broken', '{'); // not one either
    const reloaded = new ProgramLibrary(storage);
    expect(reloaded.list()).toEqual([
      { name: 'b.s', source: 'ecall\n', savedAt: 3000 },
      { name: 'a.s', source: 'li a0, 1\n', savedAt: 2000 },
    ]);
    reloaded.remove('b.s');
    expect(new ProgramLibrary(storage).list().map((p) => p.name)).toEqual(['a.s']);
  });

  it('says why it cannot keep one: no name, a full store, storage denied', () => {
    expect(() => new ProgramLibrary(memoryStorage()).save('  ', 'nop')).toThrow(/needs a name/);
    const full = new ProgramLibrary(memoryStorage(10));
    expect(() => full.save('big.s', 'x'.repeat(100))).toThrow(StorageError);
    expect(() => full.save('big.s', 'x'.repeat(100))).toThrow(/QuotaExceededError/);
    const denied = new ProgramLibrary(undefined);
    expect(denied.available).toBe(false);
    expect(denied.list()).toEqual([]);
    expect(() => denied.save('a.s', 'nop')).toThrow(/storage is blocked/);
  });
});

/** Scenarios that set every field a page can give back, away from its default. */
const EVERY_FIELD: ScenarioInput[] = [
  {
    title: 'Two boards, one stuck comparator',
    description: 'Board 0\'s comparator agrees whatever happens.',
    program: { example: 'checksum' },
    machine: {
      topology: 'pair-spare', compare: 'store', ramMiB: 2, resync: 'stop-copy', repairAfter: 500, readmit: 'transient',
      diagnoseTime: 2000, threshold: { errors: 2, within: 5000 }, crossCheck: 'boards', ecc: 'secded', scrubEvery: 10_000,
    },
    faults: ['at=3,module=1,kind=flip,target=x9,bit=2', 'at=40,board=0,kind=stuck-agree,target=comparator', 'at=90,module=all,kind=stuck1,target=x6,bit=0'],
    replacements: [{ at: 7000, board: 0 }, { at: 9000, module: 3 }],
    settings: { speed: 1234, autorun: true, stepN: 77, theme: 'dark' },
    expect: { output: '1d0e7f9c\n', outcome: 'recovered' },
    availability: { lambda: 1e-4, mu: 0.25 },
  },
  {
    // A flat binary (li a7, 93; li a0, 0; ecall), as a file without source is shared.
    title: 'A binary',
    program: { base64: Buffer.from(Uint32Array.of(0x05D0_0893, 0x0000_0513, 0x0000_0073).buffer).toString('base64'), name: 'exit.bin' },
    machine: { topology: 'simplex', compare: 'io', ramMiB: 64, resync: 'precopy', ecc: 'none' },
    faults: [], replacements: [],
    settings: { speed: 1, autorun: false, stepN: 10_000_000, theme: 'auto' },
  },
  {
    title: 'A failover',
    program: { source: 'loop: j loop\n', name: 'spin.s' },
    machine: { topology: 'cluster', compare: 'every', ramMiB: 1, resync: 'precopy', ecc: 'none', failover: { heartbeat: '1ms', missed: 4, failoverTime: '3ms', checkpointEvery: 30_000, clusterAware: 'replay' } },
    faults: ['at=5ms,module=0,kind=kill'],
    replacements: [],
    settings: { speed: 'max', autorun: false, stepN: 1, theme: 'light' },
    workload: { name: 'card-auth', rate: 12_000, duration: '15ms', seed: 9, fifo: 32 },
    expect: { ledger: { wrong: 0, lost: { max: 200 } } },
  },
];

describe('share links', () => {
  it.each(EVERY_FIELD.map((s) => [s.title!, s] as const))('give back every field of the scenario the page opened: %s', async (_title, input) => {
    const checked = validateScenario(input);
    expect(checked.ok).toBe(true);
    const scenario = checked.ok ? checked.scenario : undefined!;
    const c = controller();
    await c.applyScenario(scenario, await scenarioProgram(scenario, 'http://lab.example/', async () => { throw new Error('no fetch'); }));
    await c.pause();
    const url = embedUrl('http://lab.example/index.html', c.scenario());
    expect(url).toMatch(/^http:\/\/lab\.example\/index\.html#scenario=[A-Za-z0-9_-]+$/);
    const shared = decodeScenarioHash(new URL(url).hash.slice('#scenario='.length));
    expect(shared.ok).toBe(true);
    const back = shared.ok ? shared.scenario : undefined!;
    // The session names a fault in its canonical form: the same fault.
    const canonical = (faults: string[]) => faults.map((f) => formatFault(parseFault(f)));
    expect({ ...back, faults: canonical(back.faults) }).toEqual({ ...scenario, faults: canonical(scenario.faults) });
  });
});
