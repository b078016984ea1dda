/**
 * The lesson player end to end in Debian's Chromium, against the production build (issue
 * 16): lesson 1 completed with the keyboard alone; a lesson embedded in a course page whose
 * progress and completion reach that page through postMessage only when its origin is
 * allowed; Markdown with a script or an event handler that runs nothing; progress that
 * survives a reload and is forgotten on reset; a program step graded in the browser;
 * axe-core in both themes, a phone's width, and the large-text mode.
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { CampaignEngine } from '../../src/campaign/engine.ts';
import { loadProgram } from '../../src/isa/load.ts';
import { browserSuite, launchChromium, serveStatic, openPage, whenReady, screenshot, accessibilityViolations, DIST, type Browser, type StaticServer } from './helpers.ts';

/** A two-step lesson: the hello example on dmr, then a question about it. */
const TINY = {
  id: 'tiny-course', title: 'A tiny lesson', summary: 'Two steps.', minutes: 1, goals: ['Count the modules of dmr.'],
  steps: [
    {
      title: 'Say hello', narration: 'Run the **hello** program.',
      start: { title: 'Hello on dmr', program: { example: 'hello' }, machine: { topology: 'dmr' }, settings: { speed: 'max' } },
      goal: { kind: 'output', includes: 'Hello' },
    },
    {
      title: 'How many?', narration: 'Count the modules on the front panel.', start: 'continue',
      goal: { kind: 'number', question: 'How many modules does dmr run in lockstep?', answer: 2, tolerance: 0 }, solution: { answer: 2 },
    },
  ],
};

/** Markup that runs script when a page inserts it as HTML: each sets window.pwned to say which got through. */
const PAYLOADS = [
  '<script>window.pwned = "script"</script>',
  '<img src="data:image/png;base64,AAAA" onerror="window.pwned = \'onerror\'">',
  '<svg><animate onbegin="window.pwned = \'svg\'" attributeName="x" dur="1s"></animate></svg>',
  '<iframe srcdoc="<script>parent.pwned = \'iframe\'</script>"></iframe>',
];

const HOSTILE = {
  id: 'hostile', title: 'A lesson from somewhere', summary: 'Markdown with markup in it.', minutes: 1, goals: ['Nothing runs.'],
  steps: [{
    title: 'Read this',
    narration: `Plain **bold** text stays.\n\n${PAYLOADS.join('\n\n')}\n\n[a link](javascript:window.pwned='link') and [a good one](https://example.com/).`,
    start: { program: { example: 'hello' }, machine: { topology: 'simplex' } },
    hints: [`A hint ${PAYLOADS[1]}`],
    goal: { kind: 'choice', question: `Which? ${PAYLOADS[1]}`, choices: [`one ${PAYLOADS[1]}`, 'two'], answer: 1 },
    solution: { answer: 1 },
  }],
};

/** A course page: embeds the lab and records every message it gets. */
const HOST_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Course page</title><link rel="icon" href="data:,"></head>
<body><h1>A course page</h1>
<iframe id="lab" title="Lockstep Lab lesson" width="1400" height="1000" style="border:1px solid #888"></iframe>
<script>
  window.messages = [];
  window.addEventListener('message', (e) => window.messages.push({ origin: e.origin, data: e.data }));
  document.getElementById('lab').src = new URLSearchParams(location.search).get('embed');
</script></body></html>`;

let browser: Browser;
let lab: StaticServer;
let course: StaticServer;
let stranger: StaticServer;

browserSuite(async () => {
  browser = await launchChromium();
  const json = (value: unknown) => ({ type: 'application/json', body: JSON.stringify(value) });
  lab = await serveStatic(DIST, { '/course/tiny.json': json(TINY), '/course/hostile.json': json(HOSTILE) });
  const empty = mkdtempSync(join(tmpdir(), 'lockstep-course-'));
  const host = { '/host.html': { type: 'text/html; charset=utf-8', body: HOST_PAGE } };
  course = await serveStatic(empty, host);
  stranger = await serveStatic(empty, host);
}, async () => {
  await browser?.close();
  await Promise.all([lab?.close(), course?.close(), stranger?.close()]);
});

/** Every test starts with no progress kept: the lab's storage is cleared before it. */
beforeEach(async () => {
  const page = await browser.context.newPage();
  await page.goto(`${lab.url}lessons/index.json`);
  await page.evaluate(() => localStorage.clear());
  await page.close();
});

/** Pages this test opened, and the errors each logged: none may log any. */
let opened: { page: Page; errors: string[] }[] = [];
afterEach(async () => {
  const pages = opened;
  opened = [];
  for (const { page } of pages) await page.close();
  expect(pages.flatMap((p) => p.errors)).toEqual([]);
});

async function open(path: string, ready = 'true'): Promise<Page> {
  const opening = await openPage(browser.context, lab.url + path);
  opened.push(opening);
  await whenReady(opening.page, ready);
  return opening.page;
}

/** The id of the element that has keyboard focus, inside shadow roots. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let element = document.activeElement;
    while (element?.shadowRoot?.activeElement) element = element.shadowRoot.activeElement;
    return element ? `${element.tagName.toLowerCase()}#${element.id}` : '';
  });
}

/** Presses Tab until the focused element is `target` (tag#id); fails after `limit` presses. */
async function tabTo(page: Page, target: string, limit = 40): Promise<void> {
  for (let k = 0; k < limit; k++) {
    if (await focused(page) === target) return;
    await page.keyboard.press('Tab');
  }
  expect(await focused(page)).toBe(target);
}

const stepState = (page: Page) => page.locator('#lesson-status').getAttribute('data-state');
const stepTitle = (page: Page) => page.locator('#lesson-step-title').innerText();
const announced = (page: Page) => page.locator('#lesson-announcer').innerText();

async function progressKept(page: Page, id: string): Promise<{ step: number; steps: Record<string, { done?: string; program?: string }> } | null> {
  return page.evaluate((key) => JSON.parse(localStorage.getItem(key) ?? 'null'), `lockstep-lesson:${id}`);
}

describe('the lesson player', () => {
  it('completes lesson 1 with the keyboard alone', async () => {
    const page = await open('index.html?lesson=lessons/01-silent-server.json');
    expect(await stepTitle(page)).toBe('Step 1 of 6: A bank ledger on one CPU');
    expect(await page.locator('#lesson-narration strong').first().innerText()).toBe('simplex');

    // 1. Run the ledger (R): the goal is met when the closing balance appears.
    await page.keyboard.press('r');
    await expect.poll(() => stepState(page), { timeout: 30_000 }).toBe('met');
    expect(await page.locator('#console').innerText()).toContain('994.64\n');
    await expect.poll(() => announced(page)).toBe('Step 1 of 6 done: the output included "994.64\\n". Next step when you are ready.');

    await tabTo(page, 'button#lesson-next');
    await page.keyboard.press('Enter');
    await expect.poll(() => stepTitle(page)).toBe('Step 2 of 6: One bit');
    expect(await focused(page)).toBe('h3#lesson-step-title');

    // 2. The flip, typed as its hint writes it; then run (R, from the Schedule button).
    await tabTo(page, 'input#lesson-fault');
    await page.keyboard.type('at=300,module=0,kind=flip,target=s2,bit=12');
    await page.keyboard.press('Enter');
    // The machine names s2 by its number: x18.
    await expect.poll(() => page.locator('#lesson-feedback').innerText()).toBe('Scheduled: at=300,module=0,kind=flip,target=x18,bit=12');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button#lesson-schedule');
    await page.keyboard.press('r');
    await expect.poll(() => stepState(page), { timeout: 30_000 }).toBe('met');
    expect(await page.locator('#lesson-status').innerText()).toBe('✓ Done: the outcome was sdc.');

    // 3. A number: 2^12 cents = 40.96 dollars.
    await tabTo(page, 'button#lesson-next');
    await page.keyboard.press('Enter');
    await tabTo(page, 'input#lesson-number');
    await page.keyboard.type('40.95');
    await page.keyboard.press('Enter');
    await expect.poll(() => stepState(page)).toBe('failed');
    await expect.poll(() => announced(page)).toBe('Not yet: 40.95 dollars is not right.');
    await page.keyboard.press('Backspace');
    await page.keyboard.type('6');
    await page.keyboard.press('Enter');
    await expect.poll(() => stepState(page)).toBe('met');

    // 4. A choice: arrows move through the radio buttons (the third choice is the right one).
    await tabTo(page, 'button#lesson-next');
    await page.keyboard.press('Enter');
    await tabTo(page, 'input#lesson-choice-0');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    expect(await focused(page)).toBe('input#lesson-choice-2');
    // Keys pressed in the player's fields are theirs: they never reach the page's shortcuts
    // (Space would run or pause the machine); keys on its buttons do.
    await page.evaluate(() => {
      (window as any).keysSeen = [];
      window.addEventListener('keydown', (e) => (window as any).keysSeen.push(e.key));
    });
    await page.keyboard.press(' ');
    await tabTo(page, 'button#lesson-check');
    await page.keyboard.press('Enter');
    expect(await page.evaluate(() => (window as any).keysSeen)).toEqual(['Enter']);
    await expect.poll(() => stepState(page)).toBe('met');

    // 5. The card server: the flip at a virtual time, typed; then run flat out (the scenario's speed).
    await tabTo(page, 'button#lesson-next');
    await page.keyboard.press('Enter');
    await expect.poll(() => stepTitle(page)).toBe('Step 5 of 6: A card server');
    await tabTo(page, 'input#lesson-fault');
    await page.keyboard.type('at=300ms,module=0,kind=flip,target=mem:0x8000ab90,bit=24');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('#lesson-feedback').innerText()).toMatch(/^Scheduled: /);
    await page.keyboard.press('Tab');
    await page.keyboard.press('r');
    await expect.poll(() => stepState(page), { timeout: 60_000 }).toBe('met');
    expect(await page.locator('#lesson-status').innerText()).toMatch(/^✓ Done: the ledger showed wrong [1-9]\d*, lost 0, downtime_us 0\.$/);

    // 6. The last choice: the second one.
    await tabTo(page, 'button#lesson-next');
    await page.keyboard.press('Enter');
    await tabTo(page, 'input#lesson-choice-0');
    await page.keyboard.press('ArrowDown');
    await tabTo(page, 'button#lesson-check');
    await page.keyboard.press('Enter');
    await expect.poll(() => stepState(page)).toBe('met');
    await expect.poll(() => announced(page)).toMatch(/Lesson complete: all 6 steps done\.$/);
    expect(await page.locator('#lesson-progress').innerText()).toBe('About 12 minutes · 6 of 6 steps done · complete ✓');
    const kept = await progressKept(page, 'silent-server');
    expect(Object.keys(kept!.steps).filter((k) => kept!.steps[k].done !== undefined)).toEqual(['0', '1', '2', '3', '4', '5']);
    await screenshot(page, '60-lesson-complete.png');
  });

  it('keeps progress across a reload, lists it on the start page, and forgets it on reset', async () => {
    const page = await open('index.html?lesson=lessons/07-availability.json');
    await page.locator('#lesson-number').fill('5.26');
    await page.locator('#lesson-check').click();
    await expect.poll(() => stepState(page)).toBe('met');
    await page.locator('#lesson-hint').click();
    await page.locator('#lesson-next').click();
    await expect.poll(() => stepTitle(page)).toBe('Step 2 of 9: One server');
    expect(new URL(page.url()).searchParams.get('step')).toBe('2');

    // Opened again without a step: where the student left it, step 1 done.
    await page.goto(`${lab.url}index.html?lesson=lessons/07-availability.json`);
    await whenReady(page);
    expect(await stepTitle(page)).toBe('Step 2 of 9: One server');
    expect(await page.locator('#lesson-progress').innerText()).toBe('About 15 minutes · 1 of 9 steps done');
    expect(await page.locator('ol.steps button[data-step="1"]').getAttribute('aria-label')).toBe('Step 1: Nines (done)');
    await page.locator('#lesson-back').click();
    expect(await page.locator('#lesson-status').innerText()).toBe('✓ Done: 5.26 min per year is right (5.2596 min per year).');
    expect(await page.locator('ol.hints li').count()).toBe(1);

    await page.goto(lab.url);
    await whenReady(page);
    await expect.poll(() => page.locator('ls-lesson-list li[data-lesson="availability"] .state').innerText()).toBe('1 of 9 steps done');
    expect(await page.locator('ls-lesson-list li[data-lesson="silent-server"] .state').innerText()).toBe('6 steps');

    await page.locator('ls-lesson-list li[data-lesson="availability"] a').click();
    await whenReady(page);
    await page.locator('#lesson-reset').click();
    await page.locator('#lesson-forget').click();
    await expect.poll(() => stepTitle(page)).toBe('Step 1 of 9: Nines');
    expect(await page.locator('#lesson-progress').innerText()).toBe('About 15 minutes · 0 of 9 steps done');
    expect(await stepState(page)).toBe('pending');
    expect(await page.locator('ol.hints').count()).toBe(0);
    expect(await progressKept(page, 'availability')).toMatchObject({ step: 0, steps: {} });
    await page.reload();
    await whenReady(page);
    expect(await stepTitle(page)).toBe('Step 1 of 9: Nines');
    expect(await page.locator('#lesson-progress').innerText()).toBe('About 15 minutes · 0 of 9 steps done');
  });

  it('grades a program step in the browser as lockstep grade does', async () => {
    const page = await open('index.html?lesson=lessons/04-voting.json&step=5');
    expect(await stepTitle(page)).toBe('Step 5 of 6: Write the voter');
    await expect.poll(() => page.locator('ls-lesson-player .cm-content').innerText()).toContain('vote:');
    await page.locator('#lesson-run-tests').click();
    // The starter returns copy 1 unchanged: it fails exactly the tests that flip copy 1 (2 and 5).
    await expect.poll(() => page.locator('#lesson-score').innerText(), { timeout: 30_000 }).toBe('3 of 5 points');
    expect(await page.locator('ul.tests li').evaluateAll((items) => items.map((li) => li.className))).toEqual(['passed', 'failed', 'passed', 'passed', 'failed']);
    expect(await stepState(page)).toBe('failed');

    const solution = readFileSync(new URL('../../lessons/programs/vote-solution.s', import.meta.url), 'utf8');
    await page.locator('ls-lesson-player .cm-content').click();
    await page.keyboard.press('Control+a');
    await page.keyboard.insertText(solution);
    await page.locator('#lesson-run-tests').click();
    await expect.poll(() => page.locator('#lesson-score').innerText(), { timeout: 30_000 }).toBe('5 of 5 points');
    await expect.poll(() => stepState(page)).toBe('met');
    // The program is kept with the progress, also when the page goes away before the tests run again.
    expect((await progressKept(page, 'voting'))!.steps['4']).toMatchObject({ done: 'your program passes all 5 tests', program: solution });
    await page.keyboard.press('Control+End');
    await page.keyboard.insertText('# checked by hand');
    await page.reload();
    await whenReady(page);
    const edited = `${solution}# checked by hand`;
    await expect.poll(() => page.locator('ls-lesson-player ls-editor').evaluate((editor) => (editor as unknown as { value: string }).value)).toBe(edited);
    expect((await progressKept(page, 'voting'))!.steps['4'].program).toBe(edited);
    expect(await stepState(page)).toBe('met');
  });
});

describe('steps opened by their link', () => {
  it('opens a step that continues a machine with that machine set up again', async () => {
    const page = await open('index.html?lesson=lessons/01-silent-server.json&step=3');
    expect(await stepTitle(page)).toBe('Step 3 of 6: How wrong?');
    expect(await page.locator('#lesson-setup').innerText()).toBe('This step goes on with the machine of step 2. It has been set up again from step 2\'s start, with the faults the steps since then inject, not yet run.');
    // Step 2's flip of s2 (x18), scheduled on the ledger program, as the student would have left it.
    expect(await page.evaluate(() => (document.querySelector('lockstep-machine') as any).controller.state.pending)).toEqual(['at=300,module=0,kind=flip,target=x18,bit=12']);
    expect(await page.locator('header.top h1').innerText()).toContain('The ledger, about to be hit');
  });

  it('runs a campaign step’s campaign with the engine of lockstep campaign, in the page’s workers', async () => {
    const page = await open('index.html?lesson=lessons/08-campaigns.json&step=2');
    expect(await stepTitle(page)).toBe('Step 2 of 7: A campaign on dmr');
    const counted = async () => Object.fromEntries(await page.locator('#lesson-campaign-table tbody tr')
      .evaluateAll((rows) => rows.map((r) => [r.getAttribute('data-outcome'), Number(r.querySelector('.count')!.textContent!.replace(/,/g, ''))])));
    // The same runs (checksum.s on dmr, seed 1, flips in registers) by the engine in this process, one after another.
    const engine = await CampaignEngine.prepare({
      program: loadProgram(readFileSync(new URL('../../examples/checksum.s', import.meta.url)), 'checksum.s'),
      topology: 'dmr', seed: 1, space: { kinds: ['flip'], targets: ['regs'] },
    });
    const expected = (runs: number, outcomes: string[]) => {
      const counts: Record<string, number> = Object.fromEntries(outcomes.map((o) => [o, 0]));
      for (let k = 0; k < runs; k++) counts[engine.run(k).outcome]++;
      return counts;
    };

    // Fewer runs than the goal asks for: not met, and it says why.
    await page.locator('#lesson-campaign-runs').fill('100');
    await page.locator('#lesson-campaign-run').click();
    await expect.poll(() => stepState(page), { timeout: 60_000 }).toBe('failed');
    expect(await page.locator('#lesson-status').innerText()).toBe('✗ Not yet: the campaign showed 100 runs (expected ≥ 1000) (the campaign ran with seed 1).');
    const hundred = await counted();
    expect(hundred).toEqual(expected(100, Object.keys(hundred)));

    await page.locator('#lesson-campaign-runs').fill('1000');
    await page.locator('#lesson-campaign-run').click();
    await expect.poll(() => stepState(page), { timeout: 60_000 }).toBe('met');
    const thousand = await counted();
    const reference = expected(1000, Object.keys(thousand));
    expect(thousand).toEqual(reference);
    expect(await page.locator('#lesson-status').innerText()).toBe(`✓ Done: the campaign on dmr made 1000 runs: failstop ${reference.failstop}, sdc 0.`);
  });
});

describe('a lesson embedded in a course page', () => {
  /** Plays TINY in the course page's frame: runs hello, answers 2. */
  async function playTiny(host: Page): Promise<void> {
    const frame = host.frameLocator('#lab');
    await frame.locator('html[data-ready="true"]').waitFor({ timeout: 20_000 });
    await frame.locator('#run').click();
    await expect.poll(() => frame.locator('#lesson-status').getAttribute('data-state'), { timeout: 20_000 }).toBe('met');
    await frame.locator('#lesson-next').click();
    await frame.locator('#lesson-number').fill('2');
    await frame.locator('#lesson-check').click();
    await expect.poll(() => frame.locator('#lesson-progress').innerText()).toBe('About 1 minute · 2 of 2 steps done · complete ✓');
  }

  it('tells an allowed course page each step’s score and the completion', async () => {
    const embed = `${lab.url}embed.html?lesson=course/tiny.json&origins=${encodeURIComponent(course.origin)}`;
    const opening = await openPage(browser.context, `${course.url}host.html?embed=${encodeURIComponent(embed)}`);
    opened.push(opening);
    await playTiny(opening.page);
    const lessonMessages = () => opening.page.evaluate(() => (window as any).messages.filter((m: any) => m.data.type.startsWith('lockstep:lesson-')));
    await expect.poll(async () => (await lessonMessages()).length).toBe(3);
    expect(await lessonMessages()).toEqual([
      { origin: lab.origin, data: { type: 'lockstep:lesson-progress', lesson: 'tiny-course', title: 'A tiny lesson', step: 1, stepTitle: 'Say hello', stepScore: 1, done: true, score: 1, maxScore: 2 } },
      { origin: lab.origin, data: { type: 'lockstep:lesson-progress', lesson: 'tiny-course', title: 'A tiny lesson', step: 2, stepTitle: 'How many?', stepScore: 1, done: true, score: 2, maxScore: 2 } },
      { origin: lab.origin, data: { type: 'lockstep:lesson-complete', lesson: 'tiny-course', title: 'A tiny lesson', step: 2, score: 2, maxScore: 2 } },
    ]);
    await screenshot(opening.page, '61-lesson-embedded.png');
  });

  it('tells a course page outside the allow-list nothing', async () => {
    const embed = `${lab.url}embed.html?lesson=course/tiny.json&origins=${encodeURIComponent(course.origin)}`;
    const opening = await openPage(browser.context, `${stranger.url}host.html?embed=${encodeURIComponent(embed)}`);
    opened.push(opening);
    await playTiny(opening.page);
    // The lesson was completed in the frame, and not one message (not even ready) reached the page.
    expect(await opening.page.evaluate(() => (window as any).messages)).toEqual([]);
  });
});

describe('a lesson from any URL', () => {
  it.each(['index.html', 'embed.html'])('runs none of the markup in its Markdown (%s)', async (pageName) => {
    const page = await open(`${pageName}?lesson=course/hostile.json`);
    await page.locator('#lesson-hint').click();
    await page.locator('#lesson-check').click(); // nothing chosen: only feedback
    const player = page.locator('ls-lesson-player');
    // Give a broken image time to fail and an animation time to begin.
    await page.waitForFunction(() => [...document.querySelector('ls-lesson-player')!.shadowRoot!.querySelectorAll('img')].every((img) => img.complete));
    await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
    expect(await page.evaluate(() => (window as any).pwned)).toBeUndefined();
    const rendered = await player.evaluate((el) => {
      const root = el.shadowRoot!;
      return {
        active: root.querySelectorAll('script, iframe, animate, [onerror], [onbegin], [onload]').length,
        links: [...root.querySelectorAll('#lesson-narration a')].map((a) => [a.textContent, a.getAttribute('href'), a.getAttribute('target')]),
        bold: root.querySelector('#lesson-narration strong')?.textContent,
        images: root.querySelectorAll('img').length,
      };
    });
    expect(rendered.active).toBe(0);
    expect(rendered.links).toEqual([['a link', null, null], ['a good one', 'https://example.com/', '_blank']]);
    expect(rendered.bold).toBe('bold');
    // The images stay (without their handlers): in the narration, the hint, the question and a choice.
    expect(rendered.images).toBe(4);
    // The same markup does run when a page inserts it unsanitised: the check above can fail.
    await page.evaluate((payload) => document.body.insertAdjacentHTML('beforeend', payload), PAYLOADS[1]);
    await expect.poll(() => page.evaluate(() => (window as any).pwned)).toBe('onerror');
  });
});

describe('accessibility, screens and projectors', () => {
  it('passes axe-core in both themes, on the course list, in a lesson, in a program step and in an embed', async () => {
    for (const path of ['index.html', 'index.html?lesson=lessons/02-two-heads.json', 'index.html?lesson=lessons/06-process-pairs.json&step=2', 'embed.html?lesson=lessons/03-pair-and-spare.json']) {
      const page = await open(path);
      if (path !== 'index.html') {
        await page.locator('#lesson-hint').click();
        await page.locator('#lesson-copy-link').click();
        await page.locator('#lesson-reset').click();
      } else {
        await expect.poll(() => page.locator('ls-lesson-list li').count()).toBe(8);
      }
      for (const turn of [0, 1]) {
        const theme = (await page.locator('lockstep-machine').getAttribute('theme'))!;
        if (path !== 'index.html') expect(await page.locator('ls-lesson-player').getAttribute('theme')).toBe(theme);
        expect(await accessibilityViolations(page), `${path}, ${theme}`).toEqual([]);
        if (turn === 0) await page.locator('#theme').click();
      }
    }
  });

  it('fits a phone’s width (390 px)', async () => {
    for (const path of ['index.html', 'index.html?lesson=lessons/01-silent-server.json', 'embed.html?lesson=lessons/04-voting.json&step=5']) {
      const page = await open(path);
      await page.setViewportSize({ width: 390, height: 844 });
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth), { message: path }).toBeLessThanOrEqual(390);
      // Stacked: the narration above the machine.
      if (path !== 'index.html') {
        const player = await page.locator('ls-lesson-player').boundingBox();
        const machine = await page.locator('lockstep-machine').boundingBox();
        expect(player!.y + player!.height).toBeLessThanOrEqual(machine!.y + 1);
      }
    }
  });

  it('has a large-text mode for projectors, which the browser remembers', async () => {
    const page = await open('index.html?lesson=lessons/01-silent-server.json');
    const sizes = () => Promise.all([
      page.locator('#lesson-narration p').first().evaluate((p) => parseFloat(getComputedStyle(p).fontSize)),
      page.locator('#run').evaluate((b) => parseFloat(getComputedStyle(b).fontSize)),
    ]);
    const [narration, run] = await sizes();
    expect(narration).toBe(18);
    /** 18 px → 24 px: the narration, and the machine's buttons (0.95 em of its body size). */
    const expectLarge = async () => {
      const [largeNarration, largeRun] = await sizes();
      expect(largeNarration).toBe(24);
      expect(largeRun).toBeCloseTo(run * 24 / 18, 1);
    };
    await page.locator('#lesson-large-text').click();
    expect(await page.locator('#lesson-large-text').getAttribute('aria-pressed')).toBe('true');
    await expectLarge();
    await screenshot(page, '62-lesson-large-text.png');
    await page.reload();
    await whenReady(page);
    await expectLarge();
    await page.locator('#lesson-large-text').click();
    expect(await sizes()).toEqual([narration, run]);
  });
});
