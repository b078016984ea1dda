/**
 * embed.html end to end: a course page on another origin drives it through postMessage;
 * an origin outside the allow-list is ignored; scenarios come inline or by URL; an invalid
 * scenario shows its error in the page.
 */
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { browserSuite, launchChromium, serveStatic, openPage, whenReady, screenshot, DIST, type Browser, type StaticServer } from './helpers.ts';
import { encodeScenarioHash } from '../../src/scenario/scenario.ts';
import { CHECKSUM_OUTPUT } from '../helpers/checksum.ts'; // examples/checksum.s's output, derived there

const CHECKSUM = readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8');
/** See tests/web/controller.test.ts for why this fault diverges at instruction 1,543. */
const FLIP_S1 = 'at=3,module=1,kind=flip,target=x9,bit=2';

/** A course page: embeds the lab and offers send(message) → the embed's reply, and the messages it got. */
const HOST_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Course page</title><link rel="icon" href="data:,"></head>
<body><h1>Lesson: a bit flip on a pair-and-spare machine</h1>
<iframe id="lab" title="Lockstep Lab" width="1300" height="1000" style="border:1px solid #888"></iframe>
<script>
  window.messages = [];
  window.addEventListener('message', (e) => window.messages.push({ origin: e.origin, data: e.data }));
  let next = 0;
  window.send = (message, timeout = 20000) => new Promise((resolve, reject) => {
    const id = ++next;
    const timer = setTimeout(() => { removeEventListener('message', on); reject(new Error('no reply to ' + message.type)); }, timeout);
    function on(e) {
      if (e.data && e.data.type === 'lockstep:result' && e.data.id === id) { clearTimeout(timer); removeEventListener('message', on); resolve(e.data); }
    }
    addEventListener('message', on);
    document.getElementById('lab').contentWindow.postMessage({ ...message, id }, '*');
  });
  document.getElementById('lab').src = new URLSearchParams(location.search).get('embed');
</script></body></html>`;

const LESSON = {
  title: 'Flip a bit of s1',
  program: { example: 'checksum' },
  machine: { topology: 'pair-spare' },
  faults: [FLIP_S1],
  settings: { autorun: true, speed: 'max' },
  expect: { output: CHECKSUM_OUTPUT, outcome: 'recovered' },
};

let browser: Browser;
let lab: StaticServer;
let course: StaticServer;
let stranger: StaticServer;

browserSuite(async () => {
  browser = await launchChromium();
  const empty = mkdtempSync(join(tmpdir(), 'lockstep-host-'));
  const host = { '/host.html': { type: 'text/html; charset=utf-8', body: HOST_PAGE } };
  lab = await serveStatic(DIST, { '/lessons/flip.json': { type: 'application/json', body: JSON.stringify(LESSON) } });
  course = await serveStatic(empty, host);
  stranger = await serveStatic(empty, host);
}, async () => {
  await browser?.close();
  await Promise.all([lab?.close(), course?.close(), stranger?.close()]);
});

type Reply = { ok: boolean; result?: any; error?: string };

describe('the embed page', () => {
  it('is driven by a course page through postMessage', async () => {
    const embed = `${lab.url}embed.html?origins=${encodeURIComponent(course.origin)}`;
    const { page, errors } = await openPage(browser.context, `${course.url}host.html?embed=${encodeURIComponent(embed)}`);
    await expect.poll(() => page.evaluate(() => (window as any).messages.map((m: any) => [m.origin, m.data.type])), { timeout: 20_000 })
      .toContainEqual([lab.origin, 'lockstep:ready']);
    const send = (message: object): Promise<Reply> => page.evaluate((m) => (window as any).send(m), message);

    const loaded = await send({
      type: 'lockstep:load',
      scenario: { title: 'Postmessage lesson', program: { source: CHECKSUM, name: 'checksum.s' }, machine: { topology: 'pair-spare' }, faults: [FLIP_S1] },
    });
    expect(loaded).toMatchObject({ ok: true, result: { program: 'checksum.s', topology: 'pair-spare', instret: 0 } });
    expect(await send({ type: 'lockstep:subscribe' })).toMatchObject({ ok: true });

    const stepped = await send({ type: 'lockstep:step', n: 2000 });
    expect(stepped.ok).toBe(true);
    expect(stepped.result.instret).toBe(2000);
    expect(stepped.result.modules.map((m: { state: string }) => m.state)).toEqual(['offline', 'offline', 'online', 'online']);
    expect(stepped.result.timeline.map((e: { stage: string; instret: number }) => [e.stage, e.instret])).toEqual([['injected', 3], ['diverged', 1543], ['offline', 1543]]);
    expect(stepped.result.timeline[1].report).toMatchObject({ field: 'next pc', pc: 0x8000_0034, module: 1, actual: '0x80000020', reference: 0, expected: '0x80000038' });

    expect(await send({ type: 'lockstep:set-speed', speed: 'max' })).toMatchObject({ ok: true });
    expect(await send({ type: 'lockstep:run' })).toMatchObject({ ok: true });
    await expect.poll(() => page.evaluate(() => (window as any).messages.some((m: any) => m.data.type === 'lockstep:event' && m.data.event.kind === 'halt')), { timeout: 20_000 }).toBe(true);
    await expect.poll(async () => (await send({ type: 'lockstep:get-state' })).result.verdict?.kind, { timeout: 20_000 }).toBe('judged');
    const state = await send({ type: 'lockstep:get-state' });
    expect(state.result.console).toBe(CHECKSUM_OUTPUT);
    expect(state.result.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(state.result.verdict).toMatchObject({ kind: 'judged', outcome: 'recovered', reference: { exitCode: 0, outputBytes: CHECKSUM_OUTPUT.length } });

    const events = await page.evaluate(() => (window as any).messages.filter((m: any) => m.data.type === 'lockstep:event').map((m: any) => m.data.event));
    // Within a pair-and-spare board neither CPU is known to be right: the event gives both values.
    expect(events.find((e: { kind: string }) => e.kind === 'diverge')).toEqual({
      instret: 1543, kind: 'diverge', module: 1, reference: 0, pc: 0x8000_0034, field: 'next pc', values: { 0: '0x80000038', 1: '0x80000020' },
    });
    const timeline = await page.evaluate(() => (window as any).messages.filter((m: any) => m.data.type === 'lockstep:timeline').map((m: any) => m.data.entry.stage));
    expect(timeline).toEqual(['injected', 'diverged', 'offline', 'halted', 'outcome']);

    expect(await send({ type: 'lockstep:inject', fault: 'module=1,kind=zap' })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown kind 'zap'/) });
    expect(await send({ type: 'lockstep:warp' })).toMatchObject({ ok: false, error: expect.stringMatching(/unknown message type 'lockstep:warp'/) });
    expect(await send({ type: 'lockstep:load', scenario: { program: {} } })).toMatchObject({ ok: false, error: expect.stringMatching(/^invalid scenario:\nprogram: /) });
    await screenshot(page, '10-embed-driven-by-course-page.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it('ignores messages from origins outside the allow-list, silently', async () => {
    const embed = `${lab.url}embed.html?origins=${encodeURIComponent(course.origin)}`;
    const page = await browser.context.newPage();
    const logged: string[] = [];
    page.on('console', (m) => logged.push(`${m.type()}: ${m.text()}`));
    page.on('pageerror', (e) => logged.push(`page error: ${e.message}`));
    await page.goto(`${stranger.url}host.html?embed=${encodeURIComponent(embed)}`);
    await page.frameLocator('#lab').locator('html[data-ready="true"]').waitFor({ timeout: 20_000 });
    await expect(page.evaluate(() => (window as any).send({ type: 'lockstep:get-state' }, 1500))).rejects.toThrow(/no reply to lockstep:get-state/);
    expect(await page.evaluate(() => (window as any).messages.length)).toBe(0);
    // Not even the ready message went out: nothing was posted to the stranger, so nothing logged.
    expect(logged).toEqual([]);
    await page.close();
  });

  it('runs a scenario given by URL', async () => {
    const { page, errors } = await openPage(browser.context, `${lab.url}embed.html?scenario=lessons/flip.json`);
    await whenReady(page);
    await expect.poll(() => page.locator('#console').innerText(), { timeout: 20_000 }).toBe(CHECKSUM_OUTPUT);
    expect(await page.locator('header.top h1').innerText()).toContain('Flip a bit of s1');
    expect(await page.locator('ls-timeline li[data-stage="diverged"]').innerText()).toContain('Diverged at instruction 1,543');
    expect(await page.locator('ls-front-panel section[data-board="0"]').getAttribute('data-state')).toBe('offline');
    // The lesson's expectations, checked once the run has been judged.
    await expect.poll(() => page.locator('#expectation li').allInnerTexts(), { timeout: 20_000 }).toEqual([
      'Outcome recovered, as the lesson expects', 'Output exactly as the lesson expects',
    ]);
    expect(await page.locator('#expectation li.met').count()).toBe(2);
    await screenshot(page, '11-embed-scenario-by-url.png');
    expect(errors).toEqual([]);
    await page.close();
  });

  it.each([
    ['an invalid topology', `#scenario=${encodeScenarioHash({ program: { example: 'hello' }, machine: { topology: 'quad' } } as never)}`, /invalid scenario:\nmachine\.topology: /],
    ['text that is not base64url JSON', '#scenario=%%%', /#scenario= is not base64url-encoded UTF-8 JSON/],
    ['a scenario URL that does not exist', '?scenario=lessons/missing.json', /^the scenario http:\/\/127\.0\.0\.1:\d+\/lessons\/missing\.json was not found \(HTTP 404\)$/],
    ['an unknown example', `#scenario=${encodeScenarioHash({ program: { example: 'doom' } })}`, /unknown example 'doom'/],
  ])('shows a clear error for %s, never a blank frame', async (what, suffix, message) => {
    const { page } = await openPage(browser.context, `${lab.url}embed.html${suffix}`);
    await whenReady(page, 'error');
    expect(await page.locator('#scenario-error').isVisible()).toBe(true);
    expect(await page.locator('#scenario-error pre').innerText()).toMatch(message);
    // The machine below still runs the default example.
    await expect.poll(() => page.locator('ls-front-panel .module').count()).toBe(4);
    if (what === 'an invalid topology') await screenshot(page, '12-embed-invalid-scenario.png');
    await page.close();
  });
});
