/**
 * The TypeScript compiler accepts the whole project: the host, the web app and the tests
 * (tsconfig.json), and the AssemblyScript core under its own config (assembly/tsconfig.json).
 * tsc exits 0 only when it checked everything and found no error; a crash (exit status
 * other than 0, whatever it printed) fails the test as type errors do.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

describe('typecheck', () => {
  it.each(['tsconfig.json', 'assembly/tsconfig.json'])('%s has no type errors', (project) => {
    const result = spawnSync(process.execPath, [tsc, '--noEmit', '-p', project], { cwd: root, encoding: 'utf8' });
    const said = `${result.stdout}${result.stderr}${result.error ?? ''}`;
    expect(result.status, said).toBe(0);
    expect(result.stdout, said).toBe('');
  }, 120_000);
});
