/**
 * The app end to end in Debian's Chromium, against the production build on a static server:
 * load an ELF from disk, break a register bit on one module of a pair-spare machine by
 * clicking it, watch the divergence, the board go offline and the program finish with its
 * known output; pull, replace and resync a board; keyboard, themes, accessibility, embed code.
 *
 * The known fault (tests/web/controller.test.ts explains the arithmetic): checksum.s with
 * bit 2 of s1 flipped on module 1 before instruction 3 diverges at instruction 1,543, pc
 * 0x80000034, where module 1's blt goes on to 0x80000020 and module 0's to 0x80000038.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { browserSuite, launchChromium, serveStatic, openPage, whenReady, screenshot, accessibilityViolations, DIST, ROOT, type Browser, type StaticServer } from './helpers.ts';
import { CHECKSUM_OUTPUT } from '../helpers/checksum.ts'; // examples/checksum.s's output, derived there

const COUNT_OUTPUT = Array.from({ length: 20 }, (_, k) => `${k + 1}\n`).join('');

let browser: Browser;
let server: StaticServer;
let page: Page;
let errors: string[];
let elf: string;

browserSuite(async () => {
  // The ELF comes from the CLI's assembler (`lockstep asm`), as a user would make it.
  elf = join(mkdtempSync(join(tmpdir(), 'lockstep-elf-')), 'checksum.elf');
  execFileSync(process.execPath, [join(ROOT, 'build/cli/lockstep.mjs'), 'asm', join(ROOT, 'examples/checksum.s'), '-o', elf]);
  browser = await launchChromium();
  server = await serveStatic(DIST);
  ({ page, errors } = await openPage(browser.context, server.url));
  await whenReady(page);
}, async () => {
  await browser?.close();
  await server?.close();
});

const instret = async () => Number((await page.locator('#instret').innerText()).replace(/[^\d]/g, ''));

async function stepN(n: number): Promise<void> {
  const before = await instret();
  await page.locator('#step-count').fill(String(n));
  await page.locator('#step-count').dispatchEvent('change');
  await page.locator('#step-n').click();
  await expect.poll(instret).toBeGreaterThan(before);
}

const boardState = (b: number) => page.locator(`ls-front-panel section[data-board="${b}"]`).getAttribute('data-state');

describe('the lockstep app', () => {
  it('loads an ELF from disk, breaks a clicked register bit and shows detection and isolation', async () => {
    await expect.poll(() => page.locator('#topology').inputValue()).toBe('pair-spare');
    await page.locator('input#file').setInputFiles(elf);
    await expect.poll(() => page.locator('header.top h1 small').innerText()).toBe('checksum.elf');
    expect(await page.locator('ls-front-panel .module').count()).toBe(4);
    await stepN(3);
    expect(await instret()).toBe(3);

    // Click s1 (x9) on module 1, then bit 2 in the bit picker: a flip, now.
    await page.locator('ls-registers tr[data-register="x9"] td[data-module="1"] button').click();
    await page.locator('#bit-picker button[data-bit="2"]').click();
    await expect.poll(() => page.locator('#pending').innerText()).toContain('at=3,module=1,kind=flip,target=x9,bit=2');

    // One instruction later the flip is latent: s1 differs on module 1, marked and spelt out in bits.
    await page.locator('#step').click();
    await expect.poll(instret).toBe(4);
    await expect.poll(() => page.locator('ls-registers tr[data-register="x9"] td[data-module="1"]').getAttribute('class')).toContain('differs');
    expect(await page.locator('ls-registers tr[data-register="x9"] td[data-module="1"]').innerText()).toBe('≠0x00000104');
    expect(await page.locator('ls-registers tr[data-detail="x9"]').innerText()).toContain('bit 2 differs');
    expect(await page.locator('ls-timeline li[data-stage="injected"]').innerText()).toContain('Bit flip in x9 (s1) bit 2 on module 1, before instruction 3');
    await screenshot(page, '01-latent-fault.png');

    await stepN(2000);
    const diverged = page.locator('ls-timeline li[data-stage="diverged"]');
    await expect.poll(() => diverged.innerText()).toContain(
      'Diverged at instruction 1,543 (pc 0x80000034): module 1 went on to 0x80000020, module 0 went on to 0x80000038');
    expect(await page.locator('ls-timeline li[data-stage="offline"]').innerText()).toContain('Board 0 (modules 0, 1) went offline at instruction 1,543: the two modules of its pair disagreed');
    expect(await boardState(0)).toBe('offline');
    expect(await boardState(1)).toBe('online');
    expect(await page.locator('ls-front-panel .module[data-module="1"]').getAttribute('data-state')).toBe('offline');
    expect(await page.locator('#announcer').innerText()).toContain('Diverged and detected. Diverged at instruction 1,543');
    // The divergence report opens by itself; the faulty module's pc flashes.
    expect(await page.locator('#report [data-field]').innerText()).toBe('next pc');
    expect(await page.locator('ls-registers tr[data-register="pc"] td[data-module="1"]').getAttribute('class')).toContain('flash');
    await screenshot(page, '02-diverged-board-offline.png');

    // The timeline entries are clickable: another entry hides the report, the divergence shows it again.
    await page.locator('ls-timeline li[data-stage="offline"] button').click();
    await expect.poll(() => page.locator('#report').count()).toBe(0);
    await diverged.locator('button').click();
    expect(await page.locator('#report').innerText()).toMatch(/pc\s+0x80000034[\s\S]*Module 1\s+0x80000020[\s\S]*Module 0\s+0x80000038/);
  });

  it('finishes the program on the other board with the correct output', async () => {
    await page.locator('#run').click();
    await expect.poll(() => page.locator('#halt').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('#halt').innerText()).toContain('the guest passed');
    expect(await page.locator('#console').innerText()).toBe(CHECKSUM_OUTPUT);
    expect(await page.locator('ls-timeline li[data-stage="halted"]').innerText()).toContain('finished with exit code 0');
    await screenshot(page, '03-finished-on-one-board.png');
  });

  it('pulls a board, replaces it, resyncs it and finishes in lockstep', async () => {
    await page.locator('#example').selectOption('count');
    await expect.poll(() => page.locator('header.top h1 small').innerText()).toBe('count.s');
    await expect.poll(instret).toBe(0); // the new machine's first view
    await stepN(1000);
    await page.locator('ls-front-panel button[aria-label="Pull module 2 (kill it)"]').click();
    await page.locator('#step').click();
    await expect.poll(() => boardState(1)).toBe('offline');
    expect(await page.locator('ls-timeline li[data-stage="offline"]').innerText()).toContain('Board 1 (modules 2, 3) went offline');

    await page.locator('ls-front-panel button', { hasText: 'Replace board 1' }).click();
    await stepN(50_000);
    await expect.poll(() => boardState(1)).toBe('resyncing');
    expect(await page.locator('ls-front-panel progress').count()).toBe(1);
    expect(await page.locator('ls-front-panel .resync-label').innerText()).toMatch(/^Resync round 1: copying all 256 pages of RAM \(3\d %\)$/);
    await screenshot(page, '04-resyncing.png');

    await page.locator('#run').click();
    await expect.poll(() => page.locator('#halt').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('ls-timeline li[data-stage="resynced"]').innerText()).toContain('Board 1 (modules 2, 3) back in lockstep');
    expect(await boardState(1)).toBe('online');
    expect(await boardState(0)).toBe('online');
    expect(await page.locator('#console').innerText()).toBe(COUNT_OUTPUT);
    await screenshot(page, '05-resynced.png');
  });

  it('is driven from the keyboard, with a help overlay and two themes', async () => {
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('x'); // reset
    await expect.poll(instret).toBe(0);
    await page.keyboard.press('s');
    await expect.poll(instret).toBe(1);
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
    await expect.poll(instret).toBe(0);
    await page.keyboard.press('?');
    await expect.poll(() => page.locator('#help').getAttribute('open')).toBe('');
    expect(await page.locator('#help').innerText()).toContain('Step one instruction');
    await screenshot(page, '06-keyboard-help.png');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.locator('#help').getAttribute('open')).toBeNull();
    const theme = await page.locator('lockstep-machine').getAttribute('theme');
    await page.keyboard.press('t');
    await expect.poll(() => page.locator('lockstep-machine').getAttribute('theme')).toBe(theme === 'dark' ? 'light' : 'dark');
    await page.keyboard.press('r'); // run
    await expect.poll(() => page.locator('#halt').count(), { timeout: 20_000 }).toBe(1);
    expect(await page.locator('#console').innerText()).toBe(COUNT_OUTPUT);
    await screenshot(page, `07-theme-${theme === 'dark' ? 'light' : 'dark'}.png`);
  });

  it('shows assembler diagnostics inline as the user types', async () => {
    await page.locator('.cm-content').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.type('start:\nadii a0, a0, 1\n');
    await expect.poll(() => page.locator('ls-editor .summary').innerText()).toBe('✗ 1 error — line 2: unknown instruction `adii`; did you mean `addi`?');
    expect(await page.locator('.cm-lintRange-error').count()).toBeGreaterThan(0);
    await page.locator('#assemble').click();
    await expect.poll(() => page.locator('#load-error').innerText()).toMatch(/^count\.s:2:\d+: error: unknown instruction `adii`; did you mean `addi`\?/);
    await screenshot(page, '08-diagnostics.png');
  });

  it('passes axe-core’s serious and critical accessibility checks in both themes', async () => {
    expect(await accessibilityViolations(page)).toEqual([]);
    await page.keyboard.press('Escape');
    await page.locator('#theme').click();
    expect(await accessibilityViolations(page)).toEqual([]);
  });

  it('copies embed code that opens the same program and machine in embed.html', async () => {
    await page.locator('#example').selectOption('hello');
    await expect.poll(() => page.locator('header.top h1 small').innerText()).toBe('hello.s');
    await page.locator('#topology').selectOption('tmr');
    await expect.poll(() => page.locator('ls-front-panel .module').count()).toBe(3);
    await page.locator('#copy-embed').click();
    const code = await page.locator('#embed textarea').inputValue();
    expect(code).toMatch(new RegExp(`^<iframe src="${server.url.replace(/\//g, '\\/')}embed\\.html#scenario=[A-Za-z0-9_-]+" title="Lockstep Lab: hello\\.s"`));
    await page.keyboard.press('Escape');
    const src = /src="([^"]+)"/.exec(code)![1].replace(/&amp;/g, '&');
    const embed = await openPage(browser.context, src);
    await whenReady(embed.page);
    expect(await embed.page.locator('ls-front-panel .module').count()).toBe(3);
    await embed.page.locator('#run').click();
    await expect.poll(() => embed.page.locator('#console').innerText()).toBe('Hello from a lockstep machine!\n');
    await embed.page.close();
    expect(embed.errors).toEqual([]);
  });

  it('logged no errors on the way', () => {
    expect(errors).toEqual([]);
  });
});
