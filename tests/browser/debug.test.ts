/**
 * Issue 15's controls end to end in Debian's Chromium, on the production build: a click in
 * the disassembly's gutter sets a breakpoint that stops the run before exactly that
 * instruction on every topology; the same by keyboard alone (the gutter's arrow keys, B, U,
 * F9 in the editor, the watch field); a share link opens the same program, machine, faults
 * and settings in a new page; a program kept in the browser survives a reload; the console's
 * Clear, and its end kept in view unless the reader scrolled up; the memory view's ASCII, the
 * reference card, the meter on the panel; axe-core finds nothing serious with all of it on
 * screen, in either theme.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { siteSuite, openPage, whenReady, screenshot, accessibilityViolations } from './helpers.ts';
import { encodeScenarioHash, validateScenario, type ScenarioInput } from '../../src/scenario/scenario.ts';

const site = siteSuite();

/**
 * One instruction per line from 0x80000000 (line 1 is a comment):
 *   2 li t0, 0 (instruction 0)   3 li t1, 3 (1)   4 loop: addi t0, t0, 1 (0x80000008: 2, 4, 6)
 *   5 bne t0, t1, loop (0x8000000c: 3, 5, 7)   6 li a7, 93 (0x80000010: 8)   7 li a0, 0 (9)   8 ecall (10)
 */
const LOOP = '# counts to 3\nli t0, 0\nli t1, 3\nloop: addi t0, t0, 1\nbne t0, t1, loop\nli a7, 93\nli a0, 0\necall\n';
const MODULES = { simplex: 1, dmr: 2, 'pair-spare': 4, tmr: 3 } as const;

let opened: { page: Page; errors: string[] }[] = [];
afterEach(async () => {
  const pages = opened;
  opened = [];
  for (const { page } of pages) await page.close();
  expect(pages.flatMap((p) => p.errors)).toEqual([]);
});

async function openApp(path = ''): Promise<Page> {
  const opening = await openPage(site.browser().context, site.server().url + path);
  opened.push(opening);
  await whenReady(opening.page);
  return opening.page;
}

const instret = async (page: Page) => Number((await page.locator('#instret').innerText()).replace(/[^\d]/g, ''));
const programName = (page: Page) => page.locator('header.top h1 small').innerText();
/** The element in focus, through the shadow roots. */
const focused = (page: Page) => page.evaluate(() => {
  let at: Element | null = document.activeElement;
  while (at?.shadowRoot?.activeElement) at = at.shadowRoot.activeElement;
  return at ? { tag: at.tagName, className: at.className, label: at.getAttribute('aria-label'), name: at.getAttribute('name') } : null;
});

/** Puts `source` in the editor under `name` and loads it, as opening a file does. */
async function load(page: Page, source: string, name: string): Promise<void> {
  await page.evaluate(([s, n]) => (document.querySelector('lockstep-machine') as unknown as { loadSource(s: string, n: string): Promise<void> }).loadSource(s, n), [source, name]);
  await expect.poll(() => programName(page)).toBe(name);
}

/** The editor's text. */
const editorText = (page: Page) => page.evaluate(() => (document.querySelector('lockstep-machine')!.shadowRoot!.querySelector('ls-editor') as unknown as { value: string }).value);

/** Waits until the machine has stopped with `text` in the debugger's stop line. */
async function stoppedWith(page: Page, text: string): Promise<void> {
  await expect.poll(() => page.locator('#debug-stop').innerText().catch(() => '')).toBe(text);
}

describe('breakpoints in the browser', () => {
  it.each(Object.entries(MODULES))('a click in the disassembly\'s gutter stops the run before that instruction on %s', async (topology, modules) => {
    const page = await openApp();
    await page.locator('#topology').selectOption(topology);
    await expect.poll(() => page.locator('ls-front-panel .module').count()).toBe(modules);
    await load(page, LOOP, 'loop.s');
    const gutter = page.locator('ls-code tr[data-pc="0x80000008"] button.bp');
    await gutter.click();
    await expect.poll(() => gutter.getAttribute('aria-pressed')).toBe('true');
    await expect.poll(() => page.locator('#breakpoints').innerText()).toContain('0x80000008 (loop, line 4)');
    await page.locator('#flat-out').click();
    await page.locator('#run').click();
    await stoppedWith(page, 'Stopped at the breakpoint 0x80000008 (loop, line 4), before instruction 2.');
    expect(await instret(page)).toBe(2);
    expect(await page.locator('ls-code tr.current').getAttribute('data-pc')).toBe('0x80000008');
    await page.locator('#run').click();
    await stoppedWith(page, 'Stopped at the breakpoint 0x80000008 (loop, line 4), before instruction 4.');
    await gutter.click(); // cleared: the run goes to the end
    await page.locator('#run').click();
    await expect.poll(() => page.locator('#halt').innerText()).toBe('The program exited with code 0.');
    expect(await instret(page)).toBe(11);
  });

  it('a breakpoint\'s mark in the editor moves with its line as the text is edited, and the page\'s redraws leave it there', async () => {
    const page = await openApp();
    await load(page, LOOP, 'loop.s');
    await page.locator('ls-code tr[data-pc="0x80000008"] button.bp').click();
    const marked = () => page.evaluate(() => (document.querySelector('lockstep-machine')!.shadowRoot!.querySelector('ls-editor') as unknown as { markedLines(): number[] }).markedLines());
    await expect.poll(marked).toEqual([4]);
    await page.locator('ls-editor .cm-content').click();
    await page.keyboard.press('Control+Home');
    await page.keyboard.press('Enter'); // a line above the loop: its mark moves to line 5
    await expect.poll(marked).toEqual([5]);
    await page.locator('#step').click(); // the page redraws with the debugger's breakpoints unchanged
    await expect.poll(() => instret(page)).toBe(1);
    expect(await marked()).toEqual([5]);
  });

  it('is driven by keyboard alone: the gutter\'s arrow keys, B, U, R, F9 in the editor, a watchpoint', async () => {
    const page = await openApp();
    await load(page, LOOP, 'loop.s');
    await page.locator('body').click({ position: { x: 2, y: 2 } });
    await page.keyboard.press('f'); // flat out
    // To the gutter past the registers: G, back to the skip link, over them, then two Tab
    // stops (the disassembly, the gutter: one stop for all its buttons, on the pc's row).
    await page.keyboard.press('g');
    await page.keyboard.press('Shift+Tab');
    expect(await focused(page)).toMatchObject({ className: 'skip' });
    await page.keyboard.press('Enter');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toMatchObject({ className: 'bp', label: 'Breakpoint at 0x80000000, line 2' });
    for (let k = 0; k < 3; k++) await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toMatchObject({ label: 'Breakpoint at 0x8000000c, line 5' });
    await expect.poll(() => page.locator('#run-to-cursor').innerText()).toBe('⇥ Run to cursor 0x8000000c (loop+0x4, line 5)');
    await page.keyboard.press('u'); // run to the cursor
    await stoppedWith(page, 'Stopped at the cursor 0x8000000c (loop+0x4, line 5), before instruction 3.');
    await page.keyboard.press('ArrowUp');
    await page.keyboard.press('b'); // a breakpoint on line 4, the cursor's row now
    await expect.poll(() => page.locator('ls-code tr[data-pc="0x80000008"] button.bp').getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.press('r');
    await stoppedWith(page, 'Stopped at the breakpoint 0x80000008 (loop, line 4), before instruction 4.');
    await page.keyboard.press('Space'); // Enter or Space on the gutter's button clears its breakpoint
    await expect.poll(() => page.locator('ls-code tr[data-pc="0x80000008"] button.bp').getAttribute('aria-pressed')).toBe('false');

    // A watchpoint, typed into its field (just before the skip link).
    await page.keyboard.press('g');
    for (let k = 0; k < 4 && (await focused(page))?.name !== 'watch'; k++) await page.keyboard.press('Shift+Tab');
    await page.keyboard.type('t0');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#watches').innerText()).toContain('x5 (t0) = 0x00000001');
    await page.keyboard.press('Tab'); // to the form's button: shortcuts work again
    await page.keyboard.press('r');
    await stoppedWith(page, 'x5 (t0) changed from 0x00000001 to 0x00000002: instruction 4 at 0x80000008 (loop, line 4) changed it.');
    await screenshot(page, '50-debugger.png');

    // F9 in the editor sets a breakpoint on the cursor's line (line 6: li a7, 93).
    await page.keyboard.press('e');
    await page.keyboard.press('Control+Home');
    for (let k = 0; k < 5; k++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('F9');
    await expect.poll(() => page.locator('#breakpoints').innerText()).toContain('0x80000010 (loop+0x8, line 6)');
    expect(await page.locator('ls-editor .cm-breakpoint').count()).toBe(1);
    await page.keyboard.press('Escape');
    await page.keyboard.press('g');
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Shift+Tab'); // the skip link, then the watchpoint's remove button
    expect(await focused(page)).toMatchObject({ label: 'Stop watching x5 (t0)' });
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#watches').count()).toBe(0);
    await page.keyboard.press('r');
    await stoppedWith(page, 'Stopped at the breakpoint 0x80000010 (loop+0x8, line 6), before instruction 8.');
  });
});

describe('keep and share', () => {
  it('a share link opens the program, machine, faults and settings in a new page', async () => {
    const page = await openApp();
    await page.locator('#topology').selectOption('tmr');
    await expect.poll(() => page.locator('ls-front-panel .module').count()).toBe(3);
    await page.locator('#ecc').selectOption('secded');
    await load(page, LOOP, 'loop.s');
    await page.evaluate(() => (document.querySelector('lockstep-machine') as unknown as { controller: { inject(s: string): Promise<void> } }).controller.inject('at=5,module=2,kind=flip,target=t0,bit=3'));
    await page.locator('#step-count').fill('7');
    await page.locator('#step-count').dispatchEvent('change');
    await page.locator('#share-link').click();
    const url = await page.locator('#share-url').inputValue();
    expect(url).toMatch(new RegExp(`^${site.server().url.replace(/[/.]/g, '\\$&')}index\\.html#scenario=[A-Za-z0-9_-]+$`));
    const shared = await openApp(url.slice(site.server().url.length));
    await expect.poll(() => programName(shared)).toBe('loop.s');
    expect(await shared.locator('#topology').inputValue()).toBe('tmr');
    expect(await shared.locator('#ecc').inputValue()).toBe('secded');
    expect(await shared.locator('#step-count').inputValue()).toBe('7');
    expect(await shared.locator('#pending').innerText()).toBe('Scheduled: at=5,module=2,kind=flip,target=x5,bit=3');
    expect(await editorText(shared)).toBe(LOOP);
    const scenario = async (p: Page) => {
      const checked = validateScenario(await p.evaluate(() => (document.querySelector('lockstep-machine') as unknown as { controller: { scenario(): unknown } }).controller.scenario()));
      return checked.ok ? checked.scenario : checked.error;
    };
    expect(await scenario(shared)).toEqual(await scenario(page));
    // The recipient steps, and the fault lands where the sender put it.
    await shared.locator('#step-n').click();
    await expect.poll(() => shared.evaluate(() => (document.querySelector('lockstep-machine') as unknown as { controller: { state: { events: { kind: string; instret: number; module?: number }[] } } })
      .controller.state.events.filter((e) => e.kind === 'inject').map((e) => [e.instret, e.module]))).toEqual([[5, 2]]);
  });

  it('a link whose scenario is invalid says why above the machine; a link pasted into the open page opens there', async () => {
    const bad = encodeScenarioHash({ program: { example: 'hello' }, machine: { topology: 'quad' } } as unknown as ScenarioInput);
    const page = await openApp(`index.html#scenario=${bad}`);
    expect(await page.locator('#scenario-error').innerText()).toMatch(/^The link's scenario did not open: invalid scenario:\nmachine\.topology: /);
    expect(await programName(page)).toBe('count.s'); // the page's own start
    await page.evaluate((hash) => { location.hash = hash; }, `scenario=${encodeScenarioHash({ program: { example: 'hello' }, machine: { topology: 'dmr' } })}`);
    await expect.poll(() => programName(page)).toBe('hello.s');
    expect(await page.locator('#topology').inputValue()).toBe('dmr');
    expect(await page.locator('#scenario-error').count()).toBe(0);
  });

  it('a program kept in the browser is listed after a reload, opens, and can be deleted', async () => {
    const page = await openApp();
    await load(page, LOOP, 'mine.s');
    await page.locator('#keep-program').click();
    await expect.poll(() => page.locator('#library-status').innerText()).toBe('Kept mine.s in this browser.');
    await page.reload();
    await whenReady(page);
    await expect.poll(() => programName(page)).toBe('count.s');
    const row = page.locator('#library tr[data-name="mine.s"]');
    expect(await row.count()).toBe(1);
    await row.locator('button.open').click();
    await expect.poll(() => programName(page)).toBe('mine.s');
    expect(await editorText(page)).toBe(LOOP);
    await row.locator('button.delete').click();
    await page.reload();
    await whenReady(page);
    expect(await page.locator('#library tr[data-name="mine.s"]').count()).toBe(0);
  });
});

describe('the small things', () => {
  it('clears the console, shows RAM as ASCII, opens the reference card, and measures the page as it runs', async () => {
    const page = await openApp();
    await page.locator('#example').selectOption('hello');
    await expect.poll(() => programName(page)).toBe('hello.s');
    await page.locator('#flat-out').click();
    await page.locator('#run').click();
    await expect.poll(() => page.locator('#console').innerText()).toBe('Hello from a lockstep machine!\n');
    await page.locator('#clear-console').click();
    await expect.poll(() => page.locator('#console').innerText()).toBe('');
    // The memory view starts at the message: "Hello from…" four bytes a word.
    await expect.poll(() => page.locator('ls-memory tbody tr').first().locator('.ascii').first().innerText()).toBe('Hell');
    expect(await page.locator('ls-memory tbody tr').nth(1).locator('.ascii').first().innerText()).toBe('o fr');

    await page.locator('#reference-button').click();
    await expect.poll(() => page.locator('#host-calls tbody tr').count()).toBe(13);
    expect(await page.locator('table.device[data-base="0x10000000"] tbody tr', { hasText: 'LSR' }).innerText()).toContain('0x10000005');
    await screenshot(page, '51-reference-card.png');
    await page.keyboard.press('Escape');

    await load(page, 'spin: j spin\n', 'spin.s'); // runs until paused
    await page.locator('#run').click();
    await expect.poll(() => page.locator('#fps').innerText().catch(() => ''), { timeout: 20_000 }).toMatch(/^[1-9]\d*$/);
    expect(await page.locator('#meter').innerText()).toMatch(/^\d+ fps · \d+ views\/s · [\d.]+ [kMG]?\/s instructions$/);
    await page.locator('#run').click(); // pause
    await expect.poll(() => page.locator('#meter').innerText()).toBe('Paused: the page draws each step.');
  });

  it('keeps the console\'s newest output in view, unless the reader has scrolled up to read earlier lines', async () => {
    // Three blocks of 30 lines; the program reads a line of input between them.
    const BLOCKS = `li s1, 3
block:
li s0, 30
line:
li a7, 64
li a0, 1
la a1, text
li a2, 5
ecall
addi s0, s0, -1
bnez s0, line
addi s1, s1, -1
beqz s1, done
li a7, 63
li a0, 0
la a1, buffer
li a2, 16
ecall
j block
done:
li a7, 93
li a0, 0
ecall
.data
text: .ascii "line\\n"
buffer: .space 16
`;
    const page = await openApp();
    await load(page, BLOCKS, 'blocks.s');
    await page.locator('#flat-out').click();
    const box = page.locator('#console');
    /** The console's text lines, and its scroll position: px from the top, px short of the end. */
    const seen = () => box.evaluate((pre) => ({ lines: pre.textContent!.split('\n').length - 1, top: pre.scrollTop, short: pre.scrollHeight - pre.clientHeight - pre.scrollTop }));
    const waiting = () => expect.poll(() => page.locator('ls-console .waiting').count()).toBe(1);
    const send = async () => {
      await page.locator('ls-console input').fill('go');
      await page.locator('ls-console input').press('Enter');
    };

    await page.locator('#run').click();
    await waiting();
    await expect.poll(seen).toMatchObject({ lines: 30, short: 0 });
    expect((await seen()).top).toBeGreaterThan(0); // 30 lines overflow the box: it was scrolled

    await box.evaluate((pre) => { pre.scrollTop = 0; }); // the reader goes back to the first lines
    await send();
    await waiting();
    await expect.poll(seen).toMatchObject({ lines: 60 });
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    expect((await seen()).top).toBe(0); // left where the reader put it

    await box.evaluate((pre) => { pre.scrollTop = pre.scrollHeight; }); // back at the end: followed again
    await send();
    await expect.poll(() => page.locator('ls-timeline li[data-stage="halted"]').count()).toBe(1);
    await expect.poll(seen).toMatchObject({ lines: 90, short: 0 });
  });

  it('passes axe-core with breakpoints, a watchpoint, a kept program and the reference card on screen, in both themes', async () => {
    const page = await openApp();
    await load(page, LOOP, 'axe.s');
    await page.locator('ls-code tr[data-pc="0x80000008"] button.bp').click();
    await page.locator('ls-debug input[name=watch]').fill('t0');
    await page.locator('ls-debug input[name=watch]').press('Enter');
    await page.locator('#keep-program').click();
    await page.locator('#flat-out').click();
    await page.locator('#run').click();
    await stoppedWith(page, 'Stopped at the breakpoint 0x80000008 (loop, line 4), before instruction 2.'); // before the addi that changes t0
    await page.locator('#run').click();
    await stoppedWith(page, 'x5 (t0) changed from 0x00000000 to 0x00000001: instruction 2 at 0x80000008 (loop, line 4) changed it.');
    for (const round of [0, 1]) {
      const theme = await page.locator('lockstep-machine').getAttribute('theme');
      expect(await accessibilityViolations(page), `${theme}`).toEqual([]);
      await page.locator('#reference-button').click();
      await expect.poll(() => page.locator('#host-calls tbody tr').count()).toBe(13);
      expect(await accessibilityViolations(page), `${theme}, reference card`).toEqual([]);
      await page.keyboard.press('Escape');
      await page.locator('#share-link').click();
      expect(await accessibilityViolations(page), `${theme}, share link`).toEqual([]);
      await page.keyboard.press('Escape');
      if (round === 0) await page.locator('#theme').click();
    }
    await page.locator('#library tr[data-name="axe.s"] button.delete').click();
  });
});
