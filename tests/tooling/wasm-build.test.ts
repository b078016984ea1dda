// The WASM core is rebuilt only when its inputs change (scripts/build-wasm.mjs): their
// contents are hashed, so a touched but unchanged file does not trigger the 30 s build,
// and a stamp that does not match the inputs does. The script runs in a temporary copy of
// what it reads and writes (it finds its root from its own path), so that these tests
// change nothing in the repository that parallel tests read.
import { execFileSync, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = 'scripts/build-wasm.mjs';
const sandboxes: string[] = [];
afterAll(() => { for (const dir of sandboxes) rmSync(dir, { recursive: true, force: true }); });

/** A temporary root with the script, its inputs, the built core and its stamp, and the repository's node_modules. */
function sandbox(): { dir: string; path: (file: string) => string } {
  const dir = mkdtempSync(join(tmpdir(), 'build-wasm-'));
  sandboxes.push(dir);
  for (const file of [script, 'asconfig.json', 'assembly', 'build/core.wasm', 'build/core.js', 'build/core.d.ts', 'build/core.inputs']) {
    cpSync(join(root, file), join(dir, file), { recursive: true });
  }
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  symlinkSync(join(root, 'node_modules/assemblyscript'), join(dir, 'node_modules/assemblyscript'));
  return { dir, path: (file) => join(dir, file) };
}

function check(dir: string): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [script, '--check'], { cwd: dir, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout };
}

describe('build:wasm', () => {
  it('skips an up-to-date core without touching it, even after a source file was touched', () => {
    const { dir, path } = sandbox();
    expect(check(dir)).toMatchObject({ status: 0 }); // the copy is the repository's up-to-date core
    const before = statSync(path('build/core.wasm')).mtimeMs;
    const later = new Date(Date.now() + 60_000);
    utimesSync(path('assembly/cpu/alu.ts'), later, later);
    const out = execFileSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' });
    expect(out).toContain('up to date');
    expect(statSync(path('build/core.wasm')).mtimeMs).toBe(before);
  });

  it('sees the core as out of date when the recorded inputs differ from the sources', () => {
    const { dir, path } = sandbox();
    const stamp = path('build/core.inputs');
    const recorded = readFileSync(stamp, 'utf8');
    expect(recorded.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(check(dir)).toMatchObject({ status: 0 });
    writeFileSync(stamp, `${'0'.repeat(64)}\n`);
    expect(check(dir)).toEqual({ status: 1, stdout: expect.stringContaining('out of date') });
    writeFileSync(stamp, recorded);
    expect(check(dir)).toMatchObject({ status: 0 });
    // A source whose contents change makes the recorded inputs stale.
    appendFileSync(path('assembly/cpu/alu.ts'), '\n');
    expect(check(dir)).toEqual({ status: 1, stdout: expect.stringContaining('out of date') });
  });
});
