/**
 * `--report` is written once, at the end, in one piece (issue 9 §3): a run that fails or is
 * stopped before it ends leaves an existing report as it was, and SIGINT or SIGTERM ends a
 * run with the report of the run so far, one line on stderr saying so, and the status a
 * shell gives a process the signal ended: 128 + 2 = 130, 128 + 15 = 143.
 *
 * The signals are sent once the guest has printed (print-spin.s, prompt.s): its output leaves
 * the machine only once the run has begun, with the CLI's handlers in place.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { BIN, fixture, lines, lockstep, tempDir } from './lockstep.ts';

const printed = vi.hoisted(() => [] as string[]);
vi.mock('../../src/cli/io.ts', async (original) => ({
  ...(await original<typeof import('../../src/cli/io.ts')>()),
  err: (text: string | Uint8Array) => printed.push(String(text)),
}));
const { runCommand } = await import('../../src/cli/run.ts');

const dir = tempDir();
const OLD_REPORT = '{ "an": "older report" }\n';

/** A report file that already holds OLD_REPORT. */
function existingReport(name: string): string {
  const path = join(dir, name);
  writeFileSync(path, OLD_REPORT);
  return path;
}

/** Starts `lockstep run`, waits until the guest has printed `prompt`, sends `signal`, and collects the end. */
async function interrupt(args: string[], prompt: string, signal: NodeJS.Signals) {
  const child = spawn(BIN, ['run', ...args], { stdio: ['pipe', 'pipe', 'pipe'] }); // stdin stays open, unwritten
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => { stderr += chunk; });
  await new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk;
      if (stdout === prompt) resolve();
    });
  });
  child.kill(signal);
  const [status, killedBy] = await once(child, 'close');
  child.stdin.destroy();
  return { status, killedBy, stdout, stderr };
}

describe('lockstep run stopped by a signal', () => {
  it('SIGINT while the guest computes: exit 130, the report of the run so far, and one line saying so', async () => {
    const report = existingReport('sigint.json');
    const run = await interrupt(['--report', report, fixture('print-spin.s')], 'running\n', 'SIGINT');
    expect(run.killedBy).toBeNull();
    expect(run.status).toBe(130);
    const [line, ...rest] = lines(run.stderr);
    expect(rest).toEqual([]);
    const match = /^lockstep: interrupted by SIGINT at instruction ([\d,]+); the report in (.*) is of the run so far$/.exec(line);
    expect(match, line).not.toBeNull();
    expect(match![2]).toBe(report);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json).toMatchObject({ stop_reason: 'interrupted', exit_code: 130, stdout_bytes: 'running\n'.length });
    expect(json.instret).toBe(Number(match![1].replace(/,/g, '')));
    expect(json.message).toBe(`interrupted by SIGINT at instruction ${match![1]}`);
  });

  it('SIGTERM while the guest waits for input: exit 143, the report stops at the read call', async () => {
    const report = existingReport('sigterm.json');
    const run = await interrupt(['--topology', 'tmr', '--report', report, fixture('prompt.s')], '? ', 'SIGTERM');
    expect(run.status).toBe(143);
    // prompt.s: instructions 0..11 have retired while its read call (number 11) waits.
    expect(lines(run.stderr)).toEqual([`lockstep: interrupted by SIGTERM at instruction 12; the report in ${report} is of the run so far`]);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ stop_reason: 'interrupted', exit_code: 143, instret: 12 });
  });

  it('SIGINT during the fault-free reference run (--classify): exit 130, the old report untouched', async () => {
    const report = existingReport('reference.json');
    const listeners = process.listenerCount('SIGINT');
    const status = runCommand(fixture('print-spin.s'), { inject: [], replace: [], classify: true, report });
    // The handlers are in place once the run has begun; the reference run never ends.
    while (process.listenerCount('SIGINT') === listeners) await new Promise((resolve) => setImmediate(resolve));
    process.emit('SIGINT', 'SIGINT');
    expect(await status).toBe(130);
    expect(process.listenerCount('SIGINT')).toBe(listeners); // and gone again
    expect(printed).toEqual([expect.stringMatching(/^lockstep: interrupted by SIGINT during the fault-free reference run \(--classify\), at instruction [\d,]+; .*reference\.json was not written\n$/)]);
    expect(readFileSync(report, 'utf8')).toBe(OLD_REPORT);
  });
});

describe('a run that fails leaves an existing report as it was', () => {
  const full = openSync('/dev/full', 'w');
  afterAll(() => closeSync(full));

  it('a --trace file that cannot be opened: exit 2 before anything runs', async () => {
    const report = existingReport('bad-trace.json');
    const run = await lockstep(['run', '--report', report, `--trace=${join(dir, 'no-such-dir', 'trace.log')}`, fixture('bytes.s')]);
    expect(run.status).toBe(2);
    expect(run.stdout.length).toBe(0);
    expect(readFileSync(report, 'utf8')).toBe(OLD_REPORT);
  });

  it('stdout failing half-way (a full disk): exit 74', async () => {
    const report = existingReport('full-stdout.json');
    const run = await lockstep(['run', '--report', report, fixture('bytes.s')], { stdout: full });
    expect(run.status).toBe(74);
    expect(readFileSync(report, 'utf8')).toBe(OLD_REPORT);
  });

  it('leaves no temporary files beside the report, and replaces it once the run has ended', async () => {
    const report = existingReport('replaced.json');
    const run = await lockstep(['run', '--report', report, fixture('bytes.s')]);
    expect(run.status).toBe(44);
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ exit_code: 44, instret: 12 });
    expect(readdirSync(dir).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });
});
