/**
 * The README's command-line tour runs as written, in order, from a fresh checkout: every
 * file a line uses is in the repository or made by an earlier line. The lines run in an
 * empty directory holding only the checkout's bin/ and examples/ (as links), skipping the
 * two that take minutes and are tested elsewhere: `npm install` and `lockstep bench`. The
 * README also documents every exit status the command can return.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, onTestFinished } from 'vitest';
import { RUN_EXIT_STATUSES } from './lockstep.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const tourSection = readme.slice(readme.indexOf('## A tour of the command line'), readme.indexOf('\n## ', readme.indexOf('## A tour of the command line') + 1));

/** The tour's shell lines: continuations joined, comments dropped. */
function tourCommands(): string[] {
  const block = /```sh\n([\s\S]*?)```/.exec(tourSection)![1];
  return block.replace(/\\\n\s*/g, '').split('\n')
    .map((line) => line.replace(/\s+#.*$/, '').trim())
    .filter((line) => line !== '');
}

function sh(command: string, cwd: string): Promise<{ status: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('sh', ['-c', command], { cwd, timeout: 60_000 }, (error, _stdout, stderr) => {
      resolve({ status: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stderr });
    });
  });
}

describe('the README', () => {
  it('tour runs line by line from a fresh checkout', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lockstep-tour-'));
    onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
    symlinkSync(join(root, 'bin'), join(dir, 'bin'));
    symlinkSync(join(root, 'examples'), join(dir, 'examples'));
    const run = tourCommands().filter((command) => !/^npm install$|^\.\/bin\/lockstep bench$/.test(command));
    expect(run.length).toBeGreaterThanOrEqual(5);
    for (const command of run) {
      const result = await sh(command, dir);
      expect(result.status, `${command}\n${result.stderr}`).toBe(0);
    }
  }, 120_000);

  it('documents every exit status of the command', () => {
    const documented = [...tourSection.matchAll(/^\| ((?:`[^`]+`(?:, )?)+) \|/gm)].flatMap((m) => [...m[1].matchAll(/`([^`]+)`/g)].map((s) => s[1]));
    expect(documented.sort()).toEqual([...RUN_EXIT_STATUSES].sort());
  });
});
