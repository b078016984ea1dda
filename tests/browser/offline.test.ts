/**
 * The static build keeps working offline once loaded: its service worker caches every built
 * file, so after the server goes away the app and the embed page still load and run. Tried
 * with a plain static server and with `vite preview` (`npm run preview`), which answers
 * `Vary: Origin` — a cache lookup that heeds Vary finds nothing for the page's module and
 * worker requests, which carry an Origin header.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite, launchChromium, serveStatic, servePreview, openPage, whenReady, DIST, type Browser, type StaticServer } from './helpers.ts';

let browser: Browser;
const servers: StaticServer[] = [];

browserSuite(async () => {
  browser = await launchChromium();
}, async () => {
  await browser?.close();
  await Promise.all(servers.map((s) => s.close()));
});

describe.each([
  ['a static server', () => serveStatic(DIST)],
  ['vite preview', servePreview],
])('offline, served by %s', (_what, serve) => {
  it('loads and runs the app and the embed page after the server has gone', async () => {
    const server = await serve();
    servers.push(server);
    const url = server.url;
    const context = browser.context;
    const { page, errors } = await openPage(context, url);
    await whenReady(page);
    // The service worker has installed (cached the build) and controls the page.
    await page.evaluate(async () => {
      const registration = await navigator.serviceWorker.ready;
      if (!navigator.serviceWorker.controller) {
        await new Promise((resolve) => navigator.serviceWorker.addEventListener('controllerchange', resolve, { once: true }));
      }
      return registration.active?.state;
    });
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith('lockstep-') && n !== 'lockstep-runtime')!);
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    expect(cached).toEqual(expect.arrayContaining(['/', '/index.html', '/embed.html', '/scenario.schema.json']));
    expect(cached.some((p) => p.endsWith('.wasm'))).toBe(true);

    await server.close();
    await page.reload();
    await whenReady(page);
    // The availability chart, a chunk the view loads on demand, comes from the cache too.
    await expect.poll(() => page.locator('ls-availability svg.downtime-chart').count()).toBe(1);
    await page.locator('#example').selectOption('hello');
    await expect.poll(() => page.locator('header.top h1 small').innerText()).toBe('hello.s');
    await page.locator('#run').click();
    await expect.poll(() => page.locator('#console').innerText(), { timeout: 20_000 }).toBe('Hello from a lockstep machine!\n');

    const embed = await context.newPage();
    await embed.goto(`${url}embed.html?origins=https%3A%2F%2Fcourse.example`);
    await whenReady(embed);
    expect(await embed.locator('ls-front-panel .module').count()).toBe(4);
    await embed.close();
    await page.close();
    // Offline, the page's own requests are answered from the cache: nothing failed to load.
    expect(errors).toEqual([]);
  });
});

describe('a scenario URL that is not there, under vite preview', () => {
  it('says "not found" with the URL, although the server answers with the app page', async () => {
    const server = await servePreview();
    servers.push(server);
    const { page } = await openPage(browser.context, `${server.url}embed.html?scenario=lessons/missing.json`);
    await whenReady(page, 'error');
    expect(await page.locator('#scenario-error pre').innerText())
      .toBe(`the scenario ${server.url}lessons/missing.json was not found (the server answered with a web page instead)`);
    await page.close();
    await server.close();
  });
});
