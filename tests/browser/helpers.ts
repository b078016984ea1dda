/**
 * Browser test helpers: a tiny static server for the production build (no server code
 * ships: this stands in for "any static web server"), and Debian's Chromium driven by
 * playwright-core with a fresh profile. Chromium missing is a failure, never a skip.
 */
import { createServer, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, beforeEach } from 'vitest';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DIST = join(ROOT, 'dist');
export const ARTIFACTS = join(ROOT, 'test-results');
/** Debian's Chromium (LOCKSTEP_CHROMIUM overrides it, e.g. to check that a missing browser fails the tests). */
export const CHROMIUM = process.env.LOCKSTEP_CHROMIUM ?? '/usr/bin/chromium';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.wasm': 'application/wasm', '.svg': 'image/svg+xml',
  '.png': 'image/png', '.s': 'text/plain; charset=utf-8', '.elf': 'application/octet-stream', '.map': 'application/json',
};

export interface StaticServer {
  url: string;
  origin: string;
  close(): Promise<void>;
}

/** Serves `dir` on 127.0.0.1 (a free port); `extra` maps paths to in-memory bodies (test host pages). */
export async function serveStatic(dir: string, extra: Record<string, { type: string; body: string | Uint8Array }> = {}): Promise<StaticServer> {
  const server: Server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (extra[path]) {
      res.writeHead(200, { 'Content-Type': extra[path].type, 'Cache-Control': 'no-store' });
      res.end(extra[path].body);
      return;
    }
    let file = normalize(join(dir, path));
    if (!file.startsWith(normalize(dir + sep)) && file !== normalize(dir)) {
      res.writeHead(403).end();
      return;
    }
    try {
      if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
      const body = await readFile(file);
      res.writeHead(200, { 'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream', 'Cache-Control': 'no-cache' });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('static server did not start');
  const origin = `http://127.0.0.1:${address.port}`;
  return {
    url: `${origin}/`, origin,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * `vite preview` (`npm run preview`) serving the build on 127.0.0.1, as a user tries the
 * site before deploying it. Unlike serveStatic it answers `Vary: Origin` and serves the
 * app's index.html for paths that do not exist. close() stops the server process.
 */
export async function servePreview(): Promise<StaticServer> {
  const port = await new Promise<number>((resolve, reject) => {
    const probe = createNetServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
  const child = spawn(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'preview', '--host', '127.0.0.1', '--port', String(port), '--strictPort'], {
    cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (chunk) => { stderr += chunk; });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const origin = `http://127.0.0.1:${port}`;
  const close = async () => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
  };
  // Ready when it answers; it has 30 s to start on a busy machine.
  for (const start = Date.now(); ;) {
    if (child.exitCode !== null) throw new Error(`vite preview exited with status ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${origin}/precache.json`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() - start > 30_000) {
      await close();
      throw new Error(`vite preview did not answer on ${origin} within 30 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url: `${origin}/`, origin, close };
}

export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Debian's Chromium with a fresh profile directory; throws a clear error when it is not installed. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`the browser tests need Debian's Chromium at ${CHROMIUM}: install it with 'apt-get install chromium' (.ci/run does)`);
  }
  const profile = mkdtempSync(join(tmpdir(), 'lockstep-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, viewport: { width: 1600, height: 1000 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The base URL of the production build served for this test run (see setup.ts). */
export function distExists(): boolean {
  return existsSync(join(DIST, 'index.html')) && existsSync(join(DIST, 'embed.html'));
}

import type { Page } from 'playwright-core';

/** A page that records uncaught errors and console errors, for a final "no errors" check. */
export async function openPage(context: BrowserContext, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console error: ${message.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}

/** Waits until the page's script has set html[data-ready] (true, or error for a bad scenario). */
export async function whenReady(page: Page, value = 'true'): Promise<void> {
  await page.waitForSelector(`html[data-ready="${value}"]`, { timeout: 20_000 });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(ARTIFACTS, name), fullPage: true });
}

/**
 * Rules whose violations count whatever their impact: one `main` landmark, an accessible
 * name that contains the visible label (off by default in axe: enabled here), skip links.
 */
const ALWAYS_CHECKED = ['landmark-one-main', 'label-content-name-mismatch', 'skip-link'];

/** Runs axe-core in the page and returns its violations of impact serious or critical, and of ALWAYS_CHECKED. */
export async function accessibilityViolations(page: Page): Promise<{ id: string; impact: string; help: string; targets: string[] }[]> {
  const source = await readFile(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');
  await page.evaluate(source);
  return page.evaluate(async (always) => {
    const axe = (window as unknown as { axe: { run(context: Document, options: object): Promise<{ violations: { id: string; impact: string; help: string; nodes: { target: unknown[] }[] }[] }> } }).axe;
    const rules = Object.fromEntries(always.map((id) => [id, { enabled: true }]));
    const result = await axe.run(document, { resultTypes: ['violations'], rules });
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical' || always.includes(v.id))
      .map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.slice(0, 5).map((n) => JSON.stringify(n.target)) }));
  }, ALWAYS_CHECKED);
}

/**
 * Registers a browser test file's set-up and tear-down so that a set-up failure (Chromium
 * missing, the build absent) fails every test with its message instead of skipping them,
 * as a failing beforeAll would.
 */
/**
 * Chromium and the production build on a static server, started once for the tests of a
 * file (browserSuite) and closed after them; the getters are for use inside the tests.
 */
export function siteSuite(): { browser: () => Browser; server: () => StaticServer } {
  let browser: Browser | undefined;
  let server: StaticServer | undefined;
  browserSuite(async () => {
    browser = await launchChromium();
    server = await serveStatic(DIST);
  }, async () => {
    await browser?.close();
    await server?.close();
  });
  return { browser: () => browser!, server: () => server! };
}

export function browserSuite(setup: () => Promise<void>, teardown: () => Promise<void>): void {
  let failure: unknown;
  beforeAll(async () => {
    try {
      await setup();
    } catch (error) {
      failure = error;
    }
  });
  beforeEach(() => {
    if (failure) throw failure;
  });
  afterAll(teardown);
}
