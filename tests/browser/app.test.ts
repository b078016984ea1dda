/**
 * The app end to end in Debian's Chromium, against the production build on a static server:
 * load an ELF from disk, break a register bit on one module of a pair-spare machine by
 * clicking it, watch the divergence, the board go offline and the program finish with its
 * known output and verdict; pull, replace and resync a board; the verdict a student sees on
 * simplex and dmr; speed, editor, keyboard, themes, accessibility, phone width, embed code.
 * Every test opens the page afresh: each passes alone, in any order.
 *
 * The known fault (tests/web/controller.test.ts explains the arithmetic): checksum.s with
 * bit 2 of s1 flipped on module 1 before instruction 3 diverges at instruction 1,543, pc
 * 0x80000034, where module 1's blt goes on to 0x80000020 and module 0's to 0x80000038.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, launchChromium, serveStatic, openPage, whenReady, screenshot, accessibilityViolations, DIST, ROOT, type Browser, type StaticServer } from './helpers.ts';
import { CHECKSUM_OUTPUT } from '../helpers/checksum.ts'; // examples/checksum.s's output, derived there

const COUNT_OUTPUT = Array.from({ length: 20 }, (_, k) => `${k + 1}\n`).join('');

let browser: Browser;
let server: StaticServer;
let elf: string;

browserSuite(async () => {
  // The ELF comes from the CLI's assembler (`lockstep asm`), as a user would make it.
  elf = join(mkdtempSync(join(tmpdir(), 'lockstep-elf-')), 'checksum.elf');
  execFileSync(process.execPath, [join(ROOT, 'build/cli/lockstep.mjs'), 'asm', join(ROOT, 'examples/checksum.s'), '-o', elf]);
  browser = await launchChromium();
  server = await serveStatic(DIST);
}, async () => {
  await browser?.close();
  await server?.close();
});

/** Pages this test opened, and the errors each logged: none may log any. */
let opened: { page: Page; errors: string[] }[] = [];
afterEach(async () => {
  const pages = opened;
  opened = [];
  for (const { page } of pages) await page.close();
  expect(pages.flatMap((p) => p.errors)).toEqual([]);
});

/** A fresh app page (the count example on pair-spare), ready. */
async function openApp(path = ''): Promise<Page> {
  const opening = await openPage(browser.context, server.url + path);
  opened.push(opening);
  await whenReady(opening.page);
  return opening.page;
}

const instret = async (page: Page) => Number((await page.locator('#instret').innerText()).replace(/[^\d]/g, ''));

async function stepN(page: Page, n: number): Promise<void> {
  const before = await instret(page);
  await page.locator('#step-count').fill(String(n));
  await page.locator('#step-count').dispatchEvent('change');
  await page.locator('#step-n').click();
  await expect.poll(() => instret(page)).toBeGreaterThan(before);
}

const boardState = (page: Page, b: number) => page.locator(`ls-front-panel section[data-board="${b}"]`).getAttribute('data-state');
const programName = (page: Page) => page.locator('header.top h1 small').innerText();

/** Waits for the run's verdict (data-outcome: an outcome, or fault-free / unjudged). */
async function verdictOf(page: Page): Promise<string> {
  await expect.poll(() => page.locator('#verdict').getAttribute('data-outcome'), { timeout: 20_000 }).toMatch(/^(?!pending)\w/);
  return (await page.locator('#verdict').getAttribute('data-outcome'))!;
}

/** Chooses an example and waits for the machine to show its start. */
async function example(page: Page, id: string, file: string): Promise<void> {
  await page.locator('#example').selectOption(id);
  await expect.poll(() => programName(page)).toBe(file);
  await expect.poll(() => instret(page)).toBe(0);
}

/** Breaks bit `bit` of `register` on module `module` by clicking it, now. */
async function flip(page: Page, module: number, register: string, bit: number): Promise<void> {
  await page.locator(`ls-registers tr[data-register="${register}"] td[data-module="${module}"] button`).click();
  await page.locator(`#bit-picker button[data-bit="${bit}"]`).click();
}

describe('the lockstep app', () => {
  it('loads an ELF from disk, breaks a clicked register bit, shows detection and isolation, and finishes recovered', async () => {
    const page = await openApp();
    await expect.poll(() => page.locator('#topology').inputValue()).toBe('pair-spare');
    await page.locator('input#file').setInputFiles(elf);
    await expect.poll(() => programName(page)).toBe('checksum.elf');
    expect(await page.locator('ls-front-panel .module').count()).toBe(4);
    await stepN(page, 3);
    expect(await instret(page)).toBe(3);

    // Click s1 (x9) on module 1, then bit 2 in the bit picker: a flip, now.
    await flip(page, 1, 'x9', 2);
    await expect.poll(() => page.locator('#pending').innerText()).toContain('at=3,module=1,kind=flip,target=x9,bit=2');

    // One instruction later the flip is latent: s1 differs on module 1, marked and spelt out in bits.
    await page.locator('#step').click();
    await expect.poll(() => instret(page)).toBe(4);
    await expect.poll(() => page.locator('#pending').count()).toBe(0); // applied: no longer scheduled
    await expect.poll(() => page.locator('ls-registers tr[data-register="x9"] td[data-module="1"]').getAttribute('class')).toContain('differs');
    expect(await page.locator('ls-registers tr[data-register="x9"] td[data-module="1"]').innerText()).toBe('≠0x00000104');
    expect(await page.locator('ls-registers tr[data-detail="x9"]').innerText()).toContain('bit 2 differs');
    expect(await page.locator('ls-timeline li[data-stage="injected"]').innerText()).toContain('Bit flip in x9 (s1) bit 2 on module 1, before instruction 3');
    await screenshot(page, '01-latent-fault.png');

    await stepN(page, 2000);
    const diverged = page.locator('ls-timeline li[data-stage="diverged"]');
    await expect.poll(() => diverged.innerText()).toContain(
      'Diverged at instruction 1,543 (pc 0x80000034): module 1 went on to 0x80000020, module 0 went on to 0x80000038');
    expect(await page.locator('ls-timeline li[data-stage="offline"]').innerText()).toContain('Board 0 (modules 0, 1) went offline at instruction 1,543: the two modules of its pair disagreed');
    expect(await boardState(page, 0)).toBe('offline');
    expect(await boardState(page, 1)).toBe('online');
    expect(await page.locator('ls-front-panel .module[data-module="1"]').getAttribute('data-state')).toBe('offline');
    expect(await page.locator('#announcer').innerText()).toContain('Diverged and detected. Diverged at instruction 1,543');
    // The divergence report opens by itself; the pc of the board taken offline flashes.
    expect(await page.locator('#report [data-field]').innerText()).toBe('next pc');
    expect(await page.locator('ls-registers tr[data-register="pc"] td[data-module="1"]').getAttribute('class')).toContain('flash');
    await screenshot(page, '02-diverged-board-offline.png');

    // The timeline entries are clickable: another entry hides the report, the divergence shows it again.
    await page.locator('ls-timeline li[data-stage="offline"] button').click();
    await expect.poll(() => page.locator('#report').count()).toBe(0);
    await diverged.locator('button').click();
    expect(await page.locator('#report').innerText()).toMatch(/pc\s+0x80000034[\s\S]*Module 1\s+0x80000020[\s\S]*Module 0\s+0x80000038/);

    // Flat out to the end, on the other board: the right output, and the verdict against the fault-free run.
    await page.locator('#flat-out').click();
    await page.locator('#run').click();
    expect(await verdictOf(page)).toBe('recovered');
    expect(await page.locator('#console').innerText()).toBe(CHECKSUM_OUTPUT);
    expect(await page.locator('#verdict').getAttribute('class')).toContain('tone-good');
    expect(await page.locator('#halt').innerText()).toBe('The program exited with code 0.');
    expect(await page.locator('ls-timeline li[data-stage="halted"]').innerText()).toContain('finished with exit code 0');
    expect(await page.locator('ls-timeline li').last().getAttribute('data-stage')).toBe('outcome');
    expect(await page.locator('ls-timeline li').last().innerText()).toContain('Outcome: Recovered');
    await screenshot(page, '03-finished-on-one-board.png');
  });

  it('calls a wrong output on simplex silent data corruption, never a green pass, and marks where it first differs', async () => {
    const page = await openApp();
    await page.locator('#topology').selectOption('simplex');
    await expect.poll(() => page.locator('ls-front-panel .module').count()).toBe(1);
    await example(page, 'checksum', 'checksum.s');
    await stepN(page, 3);
    await flip(page, 0, 'x9', 2); // s1 = 260: the fill loop runs 4 turns too many
    await page.locator('#flat-out').click();
    await page.locator('#run').click();
    expect(await verdictOf(page)).toBe('sdc');
    expect(await page.locator('#outcome').innerText()).toBe('Silent data corruption');
    expect(await page.locator('#verdict').getAttribute('class')).toContain('tone-bad');
    // Nothing says it passed: the guest's own "passed" is not shown as a verdict.
    expect(await page.evaluate(() => {
      const text = (root: Node): string => [...root.childNodes].map((n) => (n instanceof Element && n.shadowRoot ? text(n.shadowRoot) : '') + (n.nodeType === Node.TEXT_NODE ? n.textContent : text(n))).join(' ');
      return text(document.body);
    })).not.toMatch(/\bpassed\b/i);
    expect(await page.locator('ls-timeline li[data-tone="good"]').count()).toBe(0);
    expect(await page.locator('ls-timeline li').last().getAttribute('data-tone')).toBe('bad');
    // The first differing byte is marked in the console and described under it; the run's
    // output differs from checksum.s's known output first where the mark is.
    const output = await page.locator('#console').innerText();
    let at = 0;
    while (output[at] === CHECKSUM_OUTPUT[at]) at++;
    expect(await page.locator('#first-difference').innerText()).toBe(output[at]);
    expect(await page.locator('#console').evaluate((pre) => {
      const before = document.createRange();
      before.setStart(pre, 0);
      before.setEndBefore(pre.querySelector('#first-difference')!);
      return before.toString().length;
    })).toBe(at);
    const line = output.slice(0, at).split('\n').length;
    const column = at - output.lastIndexOf('\n', at - 1);
    expect(await page.locator('#difference').innerText()).toContain(`at byte ${at} (line ${line}, column ${column})`);
    await screenshot(page, '09-simplex-sdc.png');
  });

  it('shows a dmr fail-stop as a stopped machine that cannot tell which module is faulty', async () => {
    const page = await openApp();
    await page.locator('#topology').selectOption('dmr');
    await expect.poll(() => page.locator('ls-front-panel .module').count()).toBe(2);
    await example(page, 'checksum', 'checksum.s');
    await stepN(page, 3);
    await flip(page, 1, 'x9', 2);
    await stepN(page, 2000);
    expect(await verdictOf(page)).toBe('failstop');
    // Both lights say the machine stopped; neither module is marked as the faulty one.
    for (const m of [0, 1]) {
      expect(await page.locator(`ls-front-panel .module[data-module="${m}"]`).getAttribute('data-light')).toBe('stopped');
      expect(await page.locator(`ls-front-panel .module[data-module="${m}"] .light`).getAttribute('aria-label')).toBe(`Module ${m}: stopped`);
    }
    expect(await page.locator('ls-registers td.flash').count()).toBe(0);
    expect(await page.locator('ls-registers tr[data-register="pc"] td.differs').count()).toBe(2);
    expect(await page.locator('ls-registers tr[data-detail="pc"]').innerText()).not.toContain('majority');
    // The last entry is the outcome, and it is not a green tick.
    const last = page.locator('ls-timeline li').last();
    expect(await last.getAttribute('data-stage')).toBe('outcome');
    expect(await last.getAttribute('data-tone')).toBe('warn');
    expect(await last.locator('.icon').innerText()).not.toBe('✓');
    expect(await page.locator('ls-timeline li[data-stage="halted"] .icon').innerText()).not.toBe('✓');
    await screenshot(page, '10-dmr-failstop.png');
  });

  it('pulls a board, replaces it, resyncs it and finishes in lockstep', async () => {
    const page = await openApp();
    expect(await programName(page)).toBe('count.s');
    await stepN(page, 1000);
    await page.locator('ls-front-panel button[aria-label="Pull module 2 (kill it)"]').click();
    await page.locator('#step').click();
    await expect.poll(() => boardState(page, 1)).toBe('offline');
    expect(await page.locator('ls-timeline li[data-stage="offline"]').innerText()).toContain('Board 1 (modules 2, 3) went offline');

    await page.locator('ls-front-panel button', { hasText: 'Replace board 1' }).click();
    await stepN(page, 50_000);
    await expect.poll(() => boardState(page, 1)).toBe('resyncing');
    expect(await page.locator('ls-front-panel progress').count()).toBe(1);
    expect(await page.locator('ls-front-panel .resync-label').innerText()).toMatch(/^Resync round 1: copying all 256 pages of RAM \(3\d %\)$/);
    await screenshot(page, '04-resyncing.png');

    await page.locator('#flat-out').click();
    await page.locator('#run').click();
    expect(await verdictOf(page)).toBe('recovered');
    expect(await page.locator('ls-timeline li[data-stage="resynced"]').innerText()).toContain('Board 1 (modules 2, 3) back in lockstep');
    expect(await boardState(page, 1)).toBe('online');
    expect(await boardState(page, 0)).toBe('online');
    expect(await page.locator('#console').innerText()).toBe(COUNT_OUTPUT);
    await screenshot(page, '05-resynced.png');
  });

  it('starts slow enough to watch the example and click on it, with flat out one click away; 1 /s reads "1 /s"', async () => {
    const page = await openApp();
    expect(await page.locator('ls-controls .speed').innerText()).toBe('5 k/s');
    await page.locator('#run').click();
    await expect.poll(() => instret(page)).toBeGreaterThan(0);
    // A student can click on the running machine: pull a module before the program ends.
    await page.locator('ls-front-panel button[aria-label="Pull module 3 (kill it)"]').click();
    await expect.poll(() => boardState(page, 1)).toBe('offline');
    expect(await page.locator('#halt').count()).toBe(0);
    expect(await page.locator('#console').innerText()).not.toBe(COUNT_OUTPUT);
    await page.locator('#flat-out').click();
    expect(await page.locator('ls-controls .speed').innerText()).toBe('flat out');
    expect(await verdictOf(page)).toBe('recovered');
    expect(await page.locator('#console').innerText()).toBe(COUNT_OUTPUT);
    await page.locator('#speed').fill('0');
    expect(await page.locator('ls-controls .speed').innerText()).toBe('1 /s');
    expect(await page.locator('#speed').getAttribute('aria-valuetext')).toBe('1 instruction per second');
  });

  it('is driven from the keyboard, with a help overlay and two themes', async () => {
    const page = await openApp();
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('s');
    await expect.poll(() => instret(page)).toBe(1);
    // A fault by keyboard alone: to the registers, open a value's bit picker (focus moves
    // into it), flip its top bit, close it (focus returns to the value).
    await page.keyboard.press('g');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('ls-registers #bit-picker').count()).toBe(1);
    await page.keyboard.press('Enter');
    await expect.poll(() => page.evaluate(() => (document.querySelector('lockstep-machine') as unknown as { controller: { state: { pending: string[] } } }).controller.state.pending)).toEqual(['at=1,module=0,kind=flip,target=pc,bit=31']);
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('ls-registers #bit-picker').count()).toBe(0);
    expect(await page.evaluate(() => document.querySelector('lockstep-machine')!.shadowRoot!.querySelector('ls-registers')!.shadowRoot!.activeElement?.className)).toContain('value');
    await page.keyboard.press('x'); // reset: the fault goes with the machine
    await expect.poll(() => instret(page)).toBe(0);
    await page.keyboard.press('?');
    await expect.poll(() => page.locator('#help').getAttribute('open')).toBe('');
    expect(await page.locator('#help').innerText()).toContain('Step one instruction');
    await screenshot(page, '06-keyboard-help.png');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#help').getAttribute('open')).toBeNull();
    const theme = await page.locator('lockstep-machine').getAttribute('theme');
    await page.keyboard.press('t');
    await expect.poll(() => page.locator('lockstep-machine').getAttribute('theme')).toBe(theme === 'dark' ? 'light' : 'dark');
    await page.keyboard.press('f'); // flat out
    await page.keyboard.press('r'); // run
    expect(await verdictOf(page)).toBe('fault-free');
    expect(await page.locator('#console').innerText()).toBe(COUNT_OUTPUT);
    await screenshot(page, `07-theme-${theme === 'dark' ? 'light' : 'dark'}.png`);
  });

  it('offers a skip link over the register table’s buttons', async () => {
    const page = await openApp();
    const buttons = await page.locator('ls-registers button.value').count();
    expect(buttons).toBeGreaterThan(100);
    await page.locator('#skip-registers').focus();
    expect(await page.locator('#skip-registers').isVisible()).toBe(true);
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => document.querySelector('lockstep-machine')!.shadowRoot!.activeElement?.id)).toBe('code-h');
    // The next Tab stop is the disassembly, past every register button.
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.querySelector('lockstep-machine')!.shadowRoot!.querySelector('ls-code')!.shadowRoot!.activeElement?.getAttribute('aria-label'))).toBe('Disassembly');
  });

  it('assembles and loads with Ctrl+Enter, shows when the editor differs from the loaded program, and names a typed program program.s', async () => {
    const page = await openApp();
    expect(await page.locator('#edit-state').getAttribute('data-edited')).toBe('false');
    expect(await page.locator('#file-name').inputValue()).toBe('count.s');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('start:\nadii a0, a0, 1\n');
    await expect.poll(() => page.locator('#edit-state').getAttribute('data-edited')).toBe('true');
    expect(await page.locator('#file-name').inputValue()).toBe('program.s');
    await expect.poll(() => page.locator('ls-editor .summary').innerText()).toBe('✗ 1 error — line 2: unknown instruction `adii`; did you mean `addi`?');
    expect(await page.locator('.cm-lintRange-error').count()).toBeGreaterThan(0);
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => page.locator('#load-error').innerText()).toMatch(/^program\.s:2:\d+: error: unknown instruction `adii`; did you mean `addi`\?/);
    await screenshot(page, '08-diagnostics.png');

    // Fixed and named by the user: Ctrl+Enter loads it under that name.
    await page.keyboard.press('Control+a');
    await page.keyboard.type('li a0, 0\nli a7, 93\necall\n');
    await page.locator('#file-name').fill('lesson.s');
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+Enter');
    await expect.poll(() => programName(page)).toBe('lesson.s');
    await expect.poll(() => page.locator('#edit-state').getAttribute('data-edited')).toBe('false');
    await page.locator('.cm-content').click();
    await page.keyboard.press('End');
    await page.keyboard.type('nop\n');
    await expect.poll(() => page.locator('#edit-state').getAttribute('data-edited')).toBe('true');
    expect(await page.locator('#file-name').inputValue()).toBe('lesson.s');
  });

  it('passes axe-core’s checks in both themes: serious and critical ones, one main landmark, names that contain the visible label', async () => {
    const page = await openApp();
    // A dmr machine with a module pulled shows its "Replace & resync" button.
    await page.locator('#topology').selectOption('dmr');
    await expect.poll(() => page.locator('ls-front-panel .module').count()).toBe(2);
    await page.locator('ls-front-panel button[aria-label="Pull module 1 (kill it)"]').click();
    await page.locator('#step').click();
    await expect.poll(() => page.locator('ls-front-panel button', { hasText: 'Replace & resync' }).count()).toBe(1);
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.locator('#theme').click();
    expect(await accessibilityViolations(page)).toEqual([]);
    expect(await page.locator('main').count()).toBe(1);
  });

  it('fits a phone’s width (390 px) without scrolling sideways', async () => {
    for (const path of ['', 'embed.html']) {
      const page = await openApp(path);
      await page.setViewportSize({ width: 390, height: 844 });
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    }
  });

  it('copies embed code that opens the same program and machine in embed.html', async () => {
    const page = await openApp();
    await example(page, 'hello', 'hello.s');
    await page.locator('#topology').selectOption('tmr');
    await expect.poll(() => page.locator('ls-front-panel .module').count()).toBe(3);
    await page.locator('#copy-embed').click();
    const code = await page.locator('#embed textarea').inputValue();
    expect(code).toMatch(new RegExp(`^<iframe src="${server.url.replace(/\//g, '\\/')}embed\\.html#scenario=[A-Za-z0-9_-]+" title="Lockstep Lab: hello\\.s"`));
    await page.keyboard.press('Escape');
    const src = /src="([^"]+)"/.exec(code)![1].replace(/&amp;/g, '&');
    const embed = await openApp(src.slice(server.url.length));
    expect(await embed.locator('ls-front-panel .module').count()).toBe(3);
    await embed.locator('#run').click();
    await expect.poll(() => embed.locator('#console').innerText()).toBe('Hello from a lockstep machine!\n');
  });
});
