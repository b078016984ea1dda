// The WASM core is rebuilt only when its inputs change (scripts/build-wasm.mjs): their
// contents are hashed, so a touched but unchanged file does not trigger the 30 s build,
// and a stamp that does not match the inputs does.
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const script = 'scripts/build-wasm.mjs';
const path = (file: string) => `${root}${file}`;

function check(): { status: number | null; stdout: string } {
  const result = spawnSync(process.execPath, [script, '--check'], { cwd: root, encoding: 'utf8' });
  return { status: result.status, stdout: result.stdout };
}

describe('build:wasm', () => {
  it('skips an up-to-date core without touching it, even after a source file was touched', () => {
    const before = statSync(path('build/core.wasm')).mtimeMs;
    const source = path('assembly/cpu/alu.ts');
    const later = new Date(Date.now() + 60_000);
    utimesSync(source, later, later);
    const out = execFileSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('up to date');
    expect(statSync(path('build/core.wasm')).mtimeMs).toBe(before);
  });

  it('sees the core as out of date when the recorded inputs differ from the sources', () => {
    const stamp = path('build/core.inputs');
    const recorded = readFileSync(stamp, 'utf8');
    expect(recorded.trim()).toMatch(/^[0-9a-f]{64}$/);
    expect(check()).toMatchObject({ status: 0 });
    try {
      writeFileSync(stamp, `${'0'.repeat(64)}\n`);
      expect(check()).toEqual({ status: 1, stdout: expect.stringContaining('out of date') });
    } finally {
      writeFileSync(stamp, recorded);
    }
    expect(check()).toMatchObject({ status: 0 });
  });
});
