/**
 * Runs the real `lockstep` command (bin/lockstep, the esbuild bundle in build/cli) as a child
 * process, for the CLI's end-to-end tests. `npm test` builds the bundle first (pretest), and
 * Vitest's global setup (tests/setup/build.ts) rebuilds it when it is older than its sources.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../../bin/lockstep', import.meta.url));
const BUNDLE = fileURLToPath(new URL('../../build/cli/lockstep.mjs', import.meta.url));

/**
 * The exit statuses `lockstep run` can return besides the guest's own code (issue 9 §3),
 * and those of the other commands: success, bad input, an internal error (EX_SOFTWARE), no
 * memory for the machine (EX_OSERR), an I/O error (EX_IOERR), the instruction limit, fail-stop, 128 + SIGINT / SIGILL / SIGTRAP /
 * SIGBUS / SIGKILL / SIGSEGV / SIGPIPE / SIGTERM.
 */
export const RUN_EXIT_STATUSES = ['0', 'N', '2', '70', '71', '74', '124', '125', '130', '132', '133', '135', '137', '139', '141', '143'];
export const OTHER_EXIT_STATUSES = ['0', '2', '70', '71', '74', '141'];

/** A file of tests/fixtures/cli. */
export const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/cli/${name}`, import.meta.url));
/** A file of ../shared/conformance (the QEMU vectors). */
export const conformance = (name: string) => fileURLToPath(new URL(`../../../shared/conformance/${name}`, import.meta.url));

export interface Finished {
  /** Exit status (null if a signal ended the process). */
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
}

/** Longest a single `lockstep` process may take before the test fails (ms). */
const TIMEOUT_MS = 20_000;

/** How to start `lockstep`: see lockstep(). */
export interface LockstepOptions {
  /** stdin's contents, then end of input (default: empty). */
  input?: string | Uint8Array;
  cwd?: string;
  /** Open descriptors to give the process as stdin, stdout or stderr instead of pipes (e.g. /dev/full). */
  stdin?: number;
  stdout?: number;
  stderr?: number;
  /** Variables to add to the environment (a batch system's, for sharded campaigns). */
  env?: Record<string, string>;
  /** Run as this user and group (the test runner must be root). */
  uid?: number;
  gid?: number;
}

/**
 * Runs `lockstep ...args` to completion. Its stdin carries `input` and then ends (never the
 * test runner's own stdin), so a guest that reads sees end of input.
 */
export function lockstep(args: string[], options: LockstepOptions = {}): Promise<Finished> {
  if (!existsSync(BUNDLE)) {
    throw new Error(`${BUNDLE} is missing: run npm run build:wasm && npm run build:cli`);
  }
  return new Promise((resolve, reject) => {
    const child = spawn(BIN, args, {
      cwd: options.cwd,
      env: { ...process.env, LOCKSTEP_DEBUG: '', ...options.env },
      stdio: [options.stdin ?? 'pipe', options.stdout ?? 'pipe', options.stderr ?? 'pipe'],
      uid: options.uid,
      gid: options.gid,
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`lockstep ${args.join(' ')} did not finish within ${TIMEOUT_MS} ms`));
    }, TIMEOUT_MS);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status, signal) => {
      clearTimeout(timer);
      resolve({ status, signal, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') });
    });
    if (child.stdin) {
      child.stdin.on('error', () => {}); // the guest may exit without reading its input (EPIPE)
      child.stdin.end(options.input ?? '');
    }
  });
}

/** A fresh directory under the system's temp dir, removed after the file's tests. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lockstep-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The lines of `text`, without the empty string after a final newline. */
export function lines(text: string): string[] {
  const all = text.split('\n');
  if (all.at(-1) === '') all.pop();
  return all;
}

/**
 * Bad input: exit status 2, nothing on stdout, and exactly one line on stderr that matches
 * every pattern in `words` — no stack trace, no Node-style `Error:` prefix.
 */
export function expectUsageError(result: Finished, words: RegExp[]): void {
  const context = `stderr was:\n${result.stderr}`;
  expect(result.status, context).toBe(2);
  expect(result.stdout.length, context).toBe(0);
  const errorLines = lines(result.stderr);
  expect(errorLines, context).toHaveLength(1);
  const [line] = errorLines;
  expect(line).toMatch(/^lockstep: /);
  expect(line).not.toMatch(/Error:|internal error|^\s+at /);
  for (const word of words) expect(line).toMatch(word);
}
