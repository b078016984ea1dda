/** The page's state logic without a browser: differences, fault specs from clicks, speed, shortcuts, lint ranges, resync progress. */
import { describe, expect, it } from 'vitest';
import { compareValues, bitsOf, registerRows, memoryRows, wordsOf, type ModuleLike } from '../../web/state/diff.ts';
import { bitFault, pullFault, checkerFault } from '../../web/state/faults.ts';
import { buildTimeline } from '../../web/state/timeline.ts';
import { speedAt, positionOf, MAX_POSITION, speedLabel, speedWords } from '../../web/state/speed.ts';
import { DEFAULT_SPEED } from '../../src/scenario/scenario.ts';
import { actionFor } from '../../web/state/shortcuts.ts';
import { lintAssembly, lineStarts } from '../../web/state/lint.ts';
import { resyncProgress } from '../../web/state/resync.ts';
import { ConsoleText } from '../../web/state/console.ts';
import { rate, parseNumber } from '../../web/state/format.ts';
import { viewsPerSecond } from '../../web/state/controller.ts';
import type { MachineView, TwinView } from '../../src/worker/session.ts';
import type { MachineEvent } from '../../src/machine/events.ts';

describe('what differs between modules', () => {
  it('votes the reference among online modules and marks the others, bit by bit', () => {
    const c = compareValues([0x100, 0x104, 0x100, 0x100], ['online', 'online', 'online', 'online']);
    expect(c.reference).toBe(0x100);
    expect(c.differs).toEqual([false, true, false, false]);
    expect(c.masks).toEqual([0, 0x4, 0, 0]);
    expect(c.latent).toBe(true);
  });

  it('has no reference without a strict majority, and marks every module that differs from another (dmr cannot tell which is right)', () => {
    // 7 = 0b0111, 9 = 0b1001: bits 3, 2 and 1 differ, on both modules alike.
    expect(compareValues([7, 9], ['online', 'online'])).toEqual({ differs: [true, true], masks: [0b1110, 0b1110], latent: true });
    // Two against two: no majority either; 1 ^ 2 = 3.
    expect(compareValues([1, 2, 1, 2], ['online', 'online', 'online', 'online']).differs).toEqual([true, true, true, true]);
    // Three different values: each mask is what differs from either other one (1^2 | 1^4 = 7, and so on).
    expect(compareValues([1, 2, 4], ['online', 'online', 'online']).masks).toEqual([7, 7, 7]);
    expect(compareValues([7, 9, 9], ['offline', 'online', 'online']).reference).toBe(9);
  });

  it('never compares a resyncing module, and marks an offline one without calling it latent', () => {
    const c = compareValues([1, 2, 1, 5], ['online', 'offline', 'online', 'resyncing']);
    expect(c.differs).toEqual([false, true, false, false]);
    expect(c.latent).toBe(false);
  });

  it('lists bits most significant first', () => {
    expect(bitsOf(0x8000_0005)).toEqual([31, 2, 0]);
    expect(bitsOf(0)).toEqual([]);
  });

  it('builds register rows: pc, x1..x31, then the CSRs', () => {
    const module = (id: number, s1: number): ModuleLike => ({
      id, state: 'online', pc: 0x8000_0000, regs: Array.from({ length: 32 }, (_, r) => (r === 9 ? s1 : 0)), csrs: { mstatus: 0, mepc: 0 },
    });
    const rows = registerRows([module(0, 256), module(1, 260), module(2, 256)]);
    expect(rows.map((r) => r.target)).toEqual(['pc', ...Array.from({ length: 31 }, (_, r) => `x${r + 1}`), 'mstatus', 'mepc']);
    const s1 = rows.find((r) => r.target === 'x9')!;
    expect(s1.label).toBe('x9 s1');
    expect(s1.reference).toBe(256);
    expect(s1.differs).toEqual([false, true, false]);
    expect(bitsOf(s1.masks[1])).toEqual([2]);
    expect(rows.filter((r) => r.differs.some(Boolean)).map((r) => r.target)).toEqual(['x9']);
  });

  it('reads RAM words little-endian and compares them per address', () => {
    expect(wordsOf(Uint8Array.from([0x13, 0x04, 0x00, 0x00, 0xEF, 0xBE, 0xAD, 0xDE]))).toEqual([0x413, 0xDEADBEEF]);
    const word = (a: number, b: number) => Uint8Array.from([a, 0, 0, 0, b, 0, 0, 0]);
    const rows = memoryRows(0x8000_1000, [word(1, 2), word(1, 3), word(1, 2)], ['online', 'online', 'online']);
    expect(rows.map((r) => [r.address, r.differs])).toEqual([[0x8000_1000, [false, false, false]], [0x8000_1004, [false, true, false]]]);
    expect(memoryRows(0x10, [new Uint8Array(), new Uint8Array()], ['online', 'online'])).toEqual([]);
  });
});

describe('fault specs from clicks (DESIGN §5 text)', () => {
  it('builds a flip of a clicked register bit, now or at an instruction', () => {
    expect(bitFault({ module: 1, target: 'x9', bit: 2 }, 'flip', { now: true })).toBe('module=1,kind=flip,target=x9,bit=2');
    expect(bitFault({ module: 0, target: 'mem:0x80001000', bit: 31 }, 'stuck1', { now: false, at: 5000 }))
      .toBe('at=5000,module=0,kind=stuck1,target=mem:0x80001000,bit=31');
  });

  it('refuses an ECC error where no check bits exist', () => {
    expect(() => bitFault({ module: 0, target: 'pc', bit: 1 }, 'ecc', { now: true })).toThrow(/ECC error needs a RAM word or a register/);
    expect(bitFault({ module: 2, target: 'x5', bit: 0 }, 'ecc', { now: true })).toBe('module=2,kind=ecc,target=x5,bit=0');
  });

  it('pulls a module or a whole board with a kill', () => {
    expect(pullFault({ module: 3 }, { now: true })).toBe('module=3,kind=kill');
    expect(pullFault({ board: 1 }, { now: false, at: 70 })).toBe('at=70,board=1,kind=kill');
  });

  it('hits every module alike when asked (a common-mode fault)', () => {
    expect(bitFault({ module: 1, target: 'x9', bit: 2 }, 'flip', { now: true }, true)).toBe('module=all,kind=flip,target=x9,bit=2');
  });

  it('sticks a checker\'s verdict on a board', () => {
    expect(checkerFault(1, 'comparator', 'stuck-agree', { now: true })).toBe('board=1,kind=stuck-agree,target=comparator');
    expect(checkerFault(2, 'voter', 'stuck-disagree', { now: false, at: 9 })).toBe('at=9,board=2,kind=stuck-disagree,target=voter');
  });
});

describe('timeline entries of diagnosis, re-admission and checkers', () => {
  it('tells a false alarm, a self-test\'s verdict and a re-admission in words', () => {
    const events: MachineEvent[] = [
      { instret: 0, kind: 'inject', module: 2, fault: 'at=0,board=1,kind=stuck-disagree,target=comparator' },
      { instret: 0, kind: 'inject', module: 3, fault: 'at=0,board=1,kind=stuck-disagree,target=comparator' },
      { instret: 50, kind: 'miscompare', module: 3, reference: 2, pc: 0x8000_0014, checker: 'comparator' },
      { instret: 60, kind: 'diagnose', module: 0, modules: [0, 1], verdict: 'transient', errors: 1, readmit_at: 1061 },
      { instret: 1061, kind: 'readmit', module: 0 },
      { instret: 1061, kind: 'readmit', module: 1 },
    ];
    const entries = buildTimeline(events, 'pair-spare');
    expect(entries.map((e) => [e.stage, e.title, e.modules])).toEqual([
      ['injected', 'Fault injected', [2, 3]],
      ['detected', 'Mismatch reported', [3, 2]],
      ['diagnosed', 'Diagnosed', [0, 1]],
      ['readmitted', 'Re-admitted', [0, 1]],
    ]);
    expect(entries[0].text).toMatch(/^Comparator stuck at disagree on board 1 \(modules 2, 3\)/);
    expect(entries[1].text).toMatch(/comparator reported module 3 differs from module 2 at instruction 50 .* their records are equal/);
    expect(entries[2].text).toBe('Self-test of board 0 (modules 0, 1) (error 1): only a transient fault: it comes back at instruction 1,061');
    expect(entries[3].text).toMatch(/^Board 0 \(modules 0, 1\) re-admitted at instruction 1,061/);
  });

  it('counts a re-admission\'s resync in the progress bar like a replacement\'s', () => {
    const events: MachineEvent[] = [{ instret: 100, kind: 'readmit', module: 1 }];
    const [progress] = resyncProgress(events, 100 + 65_536, ['online', 'resyncing', 'online'], { ramMiB: 1, bytesPerCycle: 8 });
    expect(progress.modules).toEqual([1]);
    expect(progress.fraction).toBeCloseTo(0.9 * 0.5); // half of round 1 (1 MiB / 8 bytes a cycle = 131,072 instructions)
  });
});

describe('the speed dial', () => {
  it('runs from 1 instruction/s on a 1-2-5 scale to flat out', () => {
    expect(speedAt(0)).toBe(1);
    expect(speedAt(1)).toBe(2);
    expect(speedAt(2)).toBe(5);
    expect(speedAt(MAX_POSITION - 1)).toBe(1e8);
    expect(speedAt(MAX_POSITION)).toBe(Infinity);
    expect(positionOf(Infinity)).toBe(MAX_POSITION);
    expect(positionOf(1000)).toBe(9);
    expect(positionOf(1500)).toBe(10);
    expect(rate(148_400_000)).toBe('148 M/s');
    expect(rate(12_345)).toBe('12.3 k/s');
  });

  it('labels each position as the measured speed reads: the 1 /s setting shows "1 /s"', () => {
    expect([1, 2, 500, 5000, 2e5, 5e6, 1e8, Infinity].map(speedLabel)).toEqual(['1 /s', '2 /s', '500 /s', '5 k/s', '200 k/s', '5 M/s', '100 M/s', 'flat out']);
    // The label and the measured speed agree when the machine keeps up with the dial.
    for (const ips of [1, 2, 500]) expect(speedLabel(ips)).toBe(rate(ips));
    expect([1, 2, 5000, 5e6].map(speedWords)).toEqual([
      '1 instruction per second', '2 instructions per second', '5 thousand instructions per second', '5 million instructions per second',
    ]);
  });

  it('starts slow enough to watch the count example: a few thousand instructions per second, so its ~400,000 take over a minute', () => {
    expect(DEFAULT_SPEED).toBeGreaterThanOrEqual(1000);
    expect(DEFAULT_SPEED).toBeLessThan(10_000);
    expect(positionOf(DEFAULT_SPEED)).toBeLessThan(MAX_POSITION);
    expect(speedAt(positionOf(DEFAULT_SPEED))).toBe(DEFAULT_SPEED);
  });
});

describe('views per second while running fast', () => {
  /** A view of a machine of `modules` modules with `twin` shown. */
  const withTwin = (twin: Partial<TwinView> | undefined, modules = 1) => ({ twin, modules: Array.from({ length: modules }, () => ({})) }) as MachineView;
  const forked: Partial<TwinView> = { same: false };

  it('halves them while the machine\'s worker and a forked twin\'s take every core, takes two thirds while fewer than two cores are left, and all with two or more', () => {
    expect(viewsPerSecond(withTwin(forked), 2, 30)).toBe(15);
    expect(viewsPerSecond(withTwin(forked), 1, 30)).toBe(15);
    expect(viewsPerSecond(withTwin(forked), 3, 30)).toBe(20);
    expect(viewsPerSecond(withTwin(forked), 4, 30)).toBe(30);
    expect(viewsPerSecond(withTwin(forked), 8, 24)).toBe(24);
  });

  it('counts a forked twin\'s worker as 1/n of a core beside a machine of n modules (it runs one of them): lockstep machines leave the page part of a core of two', () => {
    expect(viewsPerSecond(withTwin(forked, 2), 2, 30)).toBe(20);
    expect(viewsPerSecond(withTwin(forked, 4), 2, 30)).toBe(20);
    expect(viewsPerSecond(withTwin(forked, 4), 3, 30)).toBe(20);
    expect(viewsPerSecond(withTwin(forked, 2), 4, 30)).toBe(30);
    expect(viewsPerSecond(withTwin(forked, 3), 1, 30)).toBe(15);
  });

  it('takes two thirds while fewer than two cores are left beside the machine\'s worker alone: no twin, a twin that mirrors the machine, has halted, or runs in the machine\'s thread', () => {
    expect(viewsPerSecond(undefined, 2, 30)).toBe(20);
    expect(viewsPerSecond(withTwin(undefined), 2, 30)).toBe(20);
    expect(viewsPerSecond(withTwin({ same: true }), 2, 30)).toBe(20);
    expect(viewsPerSecond(withTwin({ ...forked, halt: { reason: 'exit', exitCode: 0, message: 'exit 0' } }), 2, 30)).toBe(20);
    expect(viewsPerSecond(withTwin({ ...forked, sharedThread: 'no worker could be started for it' }), 2, 30)).toBe(20);
    expect(viewsPerSecond(undefined, 3, 30)).toBe(30);
    // One core: the machine's worker alone takes it.
    expect(viewsPerSecond(withTwin(undefined), 1, 30)).toBe(15);
  });
});

describe('keyboard shortcuts', () => {
  it.each([
    [{ key: 'r' }, 'run-pause'], [{ key: 'R' }, 'run-pause'], [{ key: 's' }, 'step'], [{ key: 'n' }, 'step-n'],
    [{ key: 'x' }, 'reset'], [{ key: '?' }, 'help'], [{ key: 'Escape', editable: true }, 'close'],
    [{ key: 'r', editable: true }, undefined], [{ key: 'r', ctrlKey: true }, undefined], [{ key: 'q' }, undefined],
  ])('%j → %s', (event, action) => {
    expect(actionFor(event)).toBe(action);
  });
});

describe('assembler diagnostics as editor ranges', () => {
  it('underlines the misspelt mnemonic on its line', () => {
    const text = 'start:\n    adii a0, a0, 1\n';
    const [d] = lintAssembly(text);
    expect(text.slice(d.from, d.to)).toBe('adii');
    expect(d.severity).toBe('error');
    expect(d.message).toMatch(/did you mean `addi`/);
  });

  it('finds line starts for \\n, \\r\\n and \\r', () => {
    expect(lineStarts('a\nb\r\nc\rd')).toEqual([0, 2, 5, 7]);
  });
});

describe('resync progress', () => {
  const replaced: MachineEvent[] = [
    { instret: 2000, kind: 'replace', module: 0 }, { instret: 2000, kind: 'replace', module: 1 },
  ];
  const setup = { ramMiB: 1, bytesPerCycle: 8 };

  it('counts the first round as RAM / bandwidth instructions', () => {
    // 1 MiB at 8 bytes per cycle: 131,072 instructions; half-way is 45 % of the bar.
    const [p] = resyncProgress(replaced, 2000 + 65_536, ['resyncing', 'resyncing', 'online', 'online'], setup);
    expect(p.modules).toEqual([0, 1]);
    expect(p.fraction).toBeCloseTo(0.45);
    expect(p.label).toBe('Resync round 1: copying all 256 pages of RAM (45 %)');
  });

  it('moves on with each round and disappears when done', () => {
    const round: MachineEvent = { instret: 133_072, kind: 'resync-round', module: 0, modules: [0, 1], source: 2, round: 1, pages: 256, bytes: 1 << 20, instructions: 131_072 };
    const [p] = resyncProgress([...replaced, round], 133_100, ['resyncing', 'resyncing', 'online', 'online'], setup);
    expect(p.label).toMatch(/^Resync round 2: copying the pages written meanwhile \(95 %\)$/);
    const done: MachineEvent = { instret: 133_200, kind: 'resync-done', module: 0, modules: [0, 1], source: 2, mode: 'precopy', rounds: 2, bytes: 1, pause_instructions: 1, pause_us: 0 };
    expect(resyncProgress([...replaced, round, done], 133_300, ['online', 'online', 'online', 'online'], setup)).toEqual([]);
  });
});

describe('console text and numbers', () => {
  it('decodes UTF-8 split across chunks', () => {
    const text = new ConsoleText();
    const bytes = new TextEncoder().encode('π = 3\n');
    text.append(bytes.slice(0, 1));
    text.append(bytes.slice(1));
    expect(text.text).toBe('π = 3\n');
  });

  it('parses numbers as people type them', () => {
    expect(parseNumber('0x8000_1000')).toBe(0x8000_1000);
    expect(parseNumber('1,204,331')).toBe(1_204_331);
    expect(parseNumber('x5')).toBeNaN();
  });
});
