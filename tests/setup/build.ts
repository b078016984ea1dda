/**
 * Vitest global setup: the tests need the WASM core and the Node bundles (CLI, worker).
 * `npm test` builds them first (pretest); when Vitest is started directly, this builds the
 * core if its inputs changed (scripts/build-wasm.mjs compares their hash) and the bundles
 * if they are older than their sources.
 */
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

function newest(dir: string): number {
  let time = 0;
  for (const entry of readdirSync(join(root, dir), { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) time = Math.max(time, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return time;
}

function stale(output: string, ...sources: string[]): boolean {
  const path = join(root, output);
  return !existsSync(path) || statSync(path).mtimeMs < Math.max(...sources.map(newest));
}

export default function setup(): void {
  execSync('node scripts/build-wasm.mjs', { cwd: root, stdio: 'inherit' });
  const bundles = ['build/cli/lockstep.mjs', 'build/worker/node.mjs', 'build/worker/fault-free.mjs', 'build/worker/campaign.mjs'];
  if (bundles.some((bundle) => stale(bundle, 'src', 'assembly'))) {
    execSync('npm run build:cli', { cwd: root, stdio: 'inherit' });
  }
}
