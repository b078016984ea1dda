/**
 * The static build keeps working offline once loaded: its service worker caches every built
 * file, so after the server goes away the app and the embed page still load and run.
 */
import { describe, expect, it } from 'vitest';
import { browserSuite, launchChromium, serveStatic, openPage, whenReady, DIST, type Browser, type StaticServer } from './helpers.ts';

let browser: Browser;
let server: StaticServer | undefined;

browserSuite(async () => {
  browser = await launchChromium();
  server = await serveStatic(DIST);
}, async () => {
  await browser?.close();
  await server?.close();
});

describe('offline', () => {
  it('loads and runs the app and the embed page after the server has gone', async () => {
    const url = server!.url;
    const { page } = await openPage(browser.context, url);
    await whenReady(page);
    // The service worker has installed (cached the build) and controls the page.
    const activated = await page.evaluate(async () => {
      for (let k = 0; k < 150; k++) {
        if ((await navigator.serviceWorker.getRegistration())?.active?.state === 'activated') return true;
        await new Promise((r) => setTimeout(r, 100));
      }
      return false;
    });
    expect(activated, 'the service worker installed and activated').toBe(true);
    const cached = await page.evaluate(async () => {
      const names = await caches.keys();
      const cache = await caches.open(names.find((n) => n.startsWith('lockstep-'))!);
      return (await cache.keys()).map((r) => new URL(r.url).pathname);
    });
    expect(cached).toEqual(expect.arrayContaining(['/', '/index.html', '/embed.html', '/scenario.schema.json']));
    expect(cached.some((p) => p.endsWith('.wasm'))).toBe(true);

    await server!.close();
    server = undefined;
    await page.reload();
    await whenReady(page);
    await page.locator('#example').selectOption('hello');
    await expect.poll(() => page.locator('header.top h1 small').innerText()).toBe('hello.s');
    await page.locator('#run').click();
    await expect.poll(() => page.locator('#console').innerText(), { timeout: 20_000 }).toBe('Hello from a lockstep machine!\n');

    const embed = await browser.context.newPage();
    await embed.goto(`${url}embed.html?origins=https%3A%2F%2Fcourse.example`);
    await whenReady(embed);
    expect(await embed.locator('ls-front-panel .module').count()).toBe(4);
    await embed.close();
  });
});
