/**
 * Vitest global setup for the browser tests: builds the static site once per test run
 * (`vite build` into dist/, after tests/setup/build.ts has built the WASM core), so the
 * tests drive the production build exactly as a static server would serve it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT, ARTIFACTS } from './helpers.ts';

export default function setup(): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  // A production build, whatever NODE_ENV the test runner set (Vitest sets 'test').
  const env = { ...process.env, NODE_ENV: 'production' };
  execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--logLevel', 'warn'], { cwd: ROOT, stdio: 'inherit', env });
}
