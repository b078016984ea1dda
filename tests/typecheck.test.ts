/**
 * The TypeScript compiler accepts the whole project: the host, the web app and the tests
 * (tsconfig.json), and the AssemblyScript core under its own config (assembly/tsconfig.json).
 */
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

function typecheck(project: string): string {
  try {
    execFileSync(process.execPath, [tsc, '--noEmit', '-p', project], { cwd: root, encoding: 'utf8' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout ?? error);
  }
}

describe('typecheck', () => {
  it.each(['tsconfig.json', 'assembly/tsconfig.json'])('%s has no type errors', (project) => {
    expect(typecheck(project)).toBe('');
  });
});
