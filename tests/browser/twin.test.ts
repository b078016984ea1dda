/**
 * Time travel and the fault-free twin end to end in Debian's Chromium (issue 15): stepping
 * back after a detection shows the state before the fault, register for register as an
 * uninterrupted run of the library had it; on simplex the twin shows where the output parts
 * from the fault-free run, at the byte and with the values `lockstep run --classify`
 * reports; the jump buttons land where the library's run of the same fault says; the new
 * controls work from the keyboard; axe-core finds nothing serious in either theme.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { siteSuite, openPage, whenReady, screenshot, accessibilityViolations, ROOT } from './helpers.ts';
import { lockstep } from '../cli/lockstep.ts';
import { assembleOrThrow } from '../helpers/machine.ts';
import { Machine, type ComparePoint } from '../../src/machine/machine.ts';
import type { Topology } from '../../src/machine/topology.ts';
import { parseFault } from '../../src/fault/spec.ts';

const site = siteSuite();
const CHECKSUM = join(ROOT, 'examples/checksum.s');
const PROGRAM = assembleOrThrow(readFileSync(CHECKSUM, 'utf8'), 'checksum.s');

let opened: { page: Page; errors: string[] }[] = [];
afterEach(async () => {
  const pages = opened;
  opened = [];
  for (const { page } of pages) await page.close();
  expect(pages.flatMap((p) => p.errors)).toEqual([]);
});

async function openApp(): Promise<Page> {
  const opening = await openPage(site.browser().context, site.server().url);
  opened.push(opening);
  await whenReady(opening.page);
  return opening.page;
}

const instret = async (page: Page) => Number((await page.locator('#instret').innerText()).replace(/[^\d]/g, ''));

/** Chooses a topology (and compare point) and the checksum example, at its start. */
async function checksumOn(page: Page, topology: Topology, compare: ComparePoint = 'every'): Promise<void> {
  await page.locator('#topology').selectOption(topology);
  if (compare !== 'every') await page.locator('#compare').selectOption(compare);
  await page.locator('#example').selectOption('checksum');
  await expect.poll(() => page.locator('header.top h1 small').innerText()).toBe('checksum.s');
  await expect.poll(() => instret(page)).toBe(0);
}

/** Schedules `module`'s `register` bit `bit` to flip before instruction `at`, with the fault bar and a click, as a student does. */
async function flipAt(page: Page, at: number, module: number, register: string, bit: number): Promise<void> {
  await page.locator('input[name=at]').fill(String(at));
  await page.locator('input[name=when][value=at]').check();
  await page.locator(`ls-registers tr[data-register="${register}"] td[data-module="${module}"] button`).click();
  await page.locator(`#bit-picker button[data-bit="${bit}"]`).click();
  await expect.poll(() => page.locator('#pending').innerText()).toContain(`at=${at},module=${module},kind=flip,target=${register},bit=${bit}`);
}

async function runToVerdict(page: Page): Promise<string> {
  await page.locator('#flat-out').click();
  await page.locator('#run').click();
  await expect.poll(() => page.locator('#verdict').getAttribute('data-outcome'), { timeout: 20_000 }).toMatch(/^(?!pending)\w/);
  return (await page.locator('#verdict').getAttribute('data-outcome'))!;
}

/** The library's machine with `fault`, run to instruction `until` (or its end): registers of every module, and its events. */
async function libraryRun(topology: Topology, fault: string, until = Infinity, compare: ComparePoint = 'every') {
  const machine = await Machine.create({ topology, compare });
  machine.load(PROGRAM);
  machine.inject(parseFault(fault));
  while (!machine.halt && machine.instret < until) machine.run(Math.min(100_000, until - machine.instret));
  return {
    instret: machine.instret,
    events: machine.events,
    regs: Array.from({ length: machine.moduleCount }, (_, m) => Array.from({ length: 32 }, (_, n) => machine.reg(m, n))),
  };
}

/** The register table's values of module `m` (x0..x31; x0 is not shown: 0). */
async function shownRegisters(page: Page, m: number): Promise<number[]> {
  const values = await page.locator(`ls-registers tr[data-register^="x"] td[data-module="${m}"] button`).allInnerTexts();
  return [0, ...values.map((v) => parseInt(v.replace(/[^0-9a-fx]/gi, ''), 16))];
}

describe('time travel and the fault-free twin', () => {
  it('steps back after a detection to the state before the fault, as the uninterrupted run had it, and replays the fault going forward', async () => {
    const page = await openApp();
    await checksumOn(page, 'dmr');
    await flipAt(page, 1000, 1, 'x9', 2); // s1 = 260 on module 1: its loop runs on where module 0's ends
    expect(await runToVerdict(page)).toBe('failstop');
    const stopped = await instret(page);
    expect(await page.locator('ls-timeline li[data-stage="diverged"]').count()).toBe(1);

    await page.locator('button[data-landmark="injection"]').click();
    await expect.poll(() => instret(page)).toBe(1000);
    expect(await page.locator('ls-registers tr[data-register="x9"] td.differs').count()).toBe(2); // the flip shows; nothing has used it
    await page.locator('#back').click();
    await expect.poll(() => instret(page)).toBe(999);
    // Before the fault: no difference anywhere, both modules online, no events, no verdict; the registers are the uninterrupted run's.
    const uninterrupted = await libraryRun('dmr', 'at=1000,module=1,kind=flip,target=x9,bit=2', 999);
    expect(await page.locator('ls-registers td.differs').count()).toBe(0);
    expect(await page.locator('ls-front-panel .module[data-light="online"]').count()).toBe(2);
    expect(await page.locator('ls-timeline li[data-stage]').count()).toBe(0);
    expect(await page.locator('#verdict').count()).toBe(0);
    for (const m of [0, 1]) expect(await shownRegisters(page, m)).toEqual(uninterrupted.regs[m]);
    await screenshot(page, '60-time-travel-before-the-fault.png');

    // Forward again, the recorded fault is made again at its instruction, and the run stops where it did.
    await page.locator('#step').click();
    await expect.poll(() => instret(page)).toBe(1000);
    expect(await page.locator('ls-registers tr[data-register="x9"] td.differs').count()).toBe(2);
    await page.locator('#present').click();
    await expect.poll(() => instret(page)).toBe(stopped);
    // Judged again in the background (the history was rewound): the same verdict.
    await expect.poll(() => page.locator('#verdict').getAttribute('data-outcome')).toBe('failstop');
  });

  it('shows on simplex where the output parts from the fault-free twin: the byte and the values lockstep run --classify reports', async () => {
    const page = await openApp();
    await checksumOn(page, 'simplex');
    await page.locator('#twin').check();
    await flipAt(page, 3, 0, 'x9', 2); // s1 = 260: the fill loop runs 4 turns too many, silently
    expect(await runToVerdict(page)).toBe('sdc');
    // The twin runs in a worker of its own, started by the machine's: the console does not say it shares the machine's thread.
    expect(await page.locator('ls-twin-console #twin-thread').count()).toBe(0);
    // The twin's column: its s1 is the fault-free 256, module 0's is marked as differing from it.
    expect(await page.locator('ls-registers tr[data-register="x9"] td[data-twin]').innerText()).toContain('0x00000100');
    expect(await page.locator('ls-registers tr[data-register="x9"] td.off-twin').count()).toBe(1);

    const cli = await lockstep(['run', CHECKSUM, '--topology', 'simplex', '--inject', 'at=3,module=0,kind=flip,target=x9,bit=2', '--classify']);
    const [, byte, actual, expected] = cli.stderr.match(/output differs from the fault-free run at byte (\d+): (0x[0-9a-f]{2}), expected (0x[0-9a-f]{2})/)!;
    const parting = page.locator('ls-twin-console #parting');
    await expect.poll(() => parting.innerText()).toContain(`at byte ${Number(byte).toLocaleString('en-US')} `);
    expect(await parting.innerText()).toContain(`${actual}`);
    expect(await parting.innerText()).toContain(`where the fault-free twin printed ${expected}`);
    // Marked in both outputs, at the same place: the machine's byte and the twin's.
    expect(await page.locator('#machine-parting').innerText()).toBe(String.fromCharCode(Number(actual)));
    expect(await page.locator('#twin-parting').innerText()).toBe(String.fromCharCode(Number(expected)));
    const before = (id: string) => page.locator(`ls-twin-console #${id}`).evaluate((pre) => {
      const range = document.createRange();
      range.setStart(pre, 0);
      range.setEndBefore(pre.querySelector('mark')!);
      return new TextEncoder().encode(range.toString()).length;
    });
    expect(await before('machine-output')).toBe(Number(byte));
    expect(await before('twin-output')).toBe(Number(byte));
    await screenshot(page, '61-twin-on-simplex.png');

    // Nothing compares on simplex: the first difference is the instruction that printed the differing byte.
    const machine = await Machine.create({ topology: 'simplex' });
    let printed = 0;
    machine.console = { write: (_fd, bytes) => { printed += bytes.length; }, read: () => null };
    machine.load(PROGRAM);
    machine.inject(parseFault('at=3,module=0,kind=flip,target=x9,bit=2'));
    while (printed <= Number(byte)) machine.run(1);
    await page.locator('button[data-landmark="difference"]').click();
    await expect.poll(() => instret(page)).toBe(machine.instret);
    expect(await page.locator('#console').innerText()).toHaveLength(Number(byte) + 1);
  });

  it('lands the jump buttons on the injection, the first difference and the detection of the library\'s run of the same fault', async () => {
    const page = await openApp();
    await checksumOn(page, 'dmr', 'store');
    const fault = 'at=1000,module=1,kind=flip,target=x9,bit=2';
    await flipAt(page, 1000, 1, 'x9', 2);
    expect(await runToVerdict(page)).toBe('failstop');
    const { events } = await libraryRun('dmr', fault, Infinity, 'store');
    const diverge = events.find((e) => e.kind === 'diverge')!;
    expect(diverge.first_differed).toBeLessThan(diverge.instret); // compared at stores: found later than it happened
    const land = async (landmark: string, at: number) => {
      await page.locator(`button[data-landmark="${landmark}"]`).click();
      await expect.poll(() => instret(page)).toBe(at);
    };
    await land('injection', 1000);
    expect(await page.locator('#history-status').innerText()).toContain('Replaying the recorded run: instruction 1,000');
    await land('difference', diverge.first_differed! + 1);
    expect(await page.locator('ls-timeline li[data-stage="failstop"]').count()).toBe(0);
    await land('detection', diverge.instret + 1); // the fail-stop: the present
    expect(await page.locator('ls-timeline li[data-stage="failstop"]').count()).toBe(1);
  });

  it('is worked from the keyboard, and axe-core finds nothing serious in the new controls in either theme', async () => {
    const page = await openApp();
    await checksumOn(page, 'tmr');
    await page.locator('#twin').focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('ls-registers #twin-column').count()).toBe(1);
    await flipAt(page, 500, 2, 'x9', 2);
    await page.locator('#step-count').fill('3000');
    await page.locator('#step-count').dispatchEvent('change');
    await page.locator('#step-n').click();
    await expect.poll(() => instret(page)).toBe(3000);

    // The slider: one instruction back per arrow key.
    await page.locator('#scrub').focus();
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => instret(page)).toBe(2999);
    // "," steps back one instruction; the help lists it.
    await page.locator('#instret').click();
    await page.keyboard.press(',');
    await expect.poll(() => instret(page)).toBe(2998);
    await page.keyboard.press('?');
    expect(await page.locator('#help').innerText()).toContain('Step back one instruction');
    await page.keyboard.press('Escape');
    // Go to an instruction by number.
    await page.locator('#go-to').fill('1234');
    await page.locator('#go-to').press('Enter');
    await expect.poll(() => instret(page)).toBe(1234);
    // Without checkpoints, going back still works: it replays from the start.
    await page.locator('#time-travel').focus();
    await page.keyboard.press('Space');
    await expect.poll(() => page.locator('#history-status').innerText()).toContain('No checkpoints are kept');
    await page.locator('#back').click();
    await expect.poll(() => instret(page)).toBe(1233);

    const themes: string[] = [];
    for (;;) {
      const theme = (await page.locator('lockstep-machine').getAttribute('theme'))!;
      themes.push(theme);
      expect(await accessibilityViolations(page), theme).toEqual([]);
      await screenshot(page, `62-time-travel-${theme}.png`);
      if (themes.length === 2) break;
      await page.locator('#theme').click();
    }
    expect(themes.sort()).toEqual(['dark', 'light']);
  });

  it('offers time travel but no twin to a transaction workload, on a lockstep machine and on a cluster, and says why', async () => {
    const page = await openApp();
    await page.locator('#example').selectOption('card-auth');
    await expect.poll(() => page.locator('#twin-unavailable').innerText()).toMatch(/^The twin is for plain programs: a transaction workload is judged by its reference model/);
    await page.locator('#topology').selectOption('cluster');
    await expect.poll(() => page.locator('ls-failover-panel .host[data-host]').count()).toBe(2);
    expect(await page.locator('#twin').count()).toBe(0);
    expect(await page.locator('#back').count()).toBe(1);
    expect(await page.locator('button[data-landmark="difference"]').getAttribute('title')).toMatch(/^A cluster's hosts are not compared/);
  });
});
