/**
 * `lockstep run --workload`: option errors (one line, status 2) end to end, and a whole run
 * in-process with the echo test workload (tests/helpers/echo-workload.ts) in the registry:
 * the ledger table on stderr, the ledger in the report, the exit statuses.
 */
import { afterEach, describe, expect, test, vi } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectUsageError, lockstep, tempDir } from './lockstep.ts';
import { runWorkloadCommand, type WorkloadRunOptions } from '../../src/cli/workload-run.ts';
import { ECHO_WFI, ECHO_POLLING, echoWorkload } from '../helpers/echo-workload.ts';
import { UsageError } from '../../src/cli/errors.ts';

// The CLI prints through io.ts (synchronous writes to fd 2): the in-process runs below
// capture what it writes to stderr there.
const captured = vi.hoisted(() => ({ stderr: '' }));
vi.mock('../../src/cli/io.ts', async (importOriginal) => {
  const io = await importOriginal<typeof import('../../src/cli/io.ts')>();
  return { ...io, err: (text: string | Uint8Array) => { captured.stderr += typeof text === 'string' ? text : new TextDecoder().decode(text); } };
});

const dir = tempDir();
const echoProgram = join(dir, 'echo.s');
writeFileSync(echoProgram, ECHO_WFI);
const pollingProgram = join(dir, 'echo-polling.s');
writeFileSync(pollingProgram, ECHO_POLLING);
const trace = (name: string, text: string) => { const path = join(dir, name); writeFileSync(path, text); return path; };

describe('lockstep run --workload: bad options', () => {
  test.each([
    [['--duration', '2x'], [/--duration: duration '2x' is not a virtual time/]],
    [['--duration', '0ms'], [/--duration: .*longer than 0/]],
    [['--rate', 'fast'], [/--rate: 'fast' is not a positive number/]],
    [['--rate', '0'], [/--rate: '0' is not a positive number/]],
    [['--fifo', '-3'], [/--fifo: '-3' is not a whole number/]],
    [['--seed', 'x'], [/--seed: 'x' is not a whole number/]],
    [['--max-instructions', '5'], [/--max-instructions does not apply with --workload/]],
    [['--classify'], [/--classify does not apply/]],
    [['--arrivals', '/nonexistent/arrivals.csv'], [/--arrivals: cannot read \/nonexistent\/arrivals\.csv/]],
    [['--arrivals', trace('bad.csv', '0,1\n# fine\n10,0x1FFFFFFFF\n')], [/--arrivals: .*bad\.csv:3: payload word 0 '0x1FFFFFFFF'/]],
  ])('%j', async (args, words) => {
    expectUsageError(await lockstep(['run', '--workload', 'echo', ...args]), words);
  });

  // The core's FIFO holds 1..1024 records; a transaction per 10 ns cycle at most; seeds are u32.
  test.each([
    [['--fifo', '0'], /^lockstep: --fifo: FIFO depth 0 must be a whole number of records, 1\.\.1024$/],
    [['--fifo', '1025'], /^lockstep: --fifo: FIFO depth 1025 /],
    [['--rate', '100000001'], /^lockstep: --rate: rate 100000001 is above one transaction per clock cycle/],
    [['--seed', '4294967296'], /^lockstep: --seed: seed 4294967296 must be a whole number 0\.\.4294967295$/],
  ])('%j the feed cannot take: the option named', async (args, words) => {
    expectUsageError(await lockstep(['run', '--workload', 'card-auth', ...args]), [words]);
  });

  test('an unknown workload: the error lists the known ones', async () => {
    expectUsageError(await lockstep(['run', '--workload', 'no-such']), [/unknown workload 'no-such'/, /known workloads are|no workloads are installed/]);
  });

  test('without a program or a workload: one line', async () => {
    expectUsageError(await lockstep(['run']), [/missing required argument 'program'/, /--workload NAME/]);
  });
});

describe('runWorkloadCommand (in-process, the echo workload registered)', () => {
  const registry = new Map([['echo', echoWorkload]]);
  afterEach(() => { captured.stderr = ''; });
  const capture = () => { captured.stderr = ''; };
  const options = (extra: Partial<WorkloadRunOptions>): WorkloadRunOptions => ({ workload: 'echo', inject: [], replace: [], ...extra });

  test('a run up to the end: status 0, the ledger table on stderr, the ledger in the report', async () => {
    capture();
    const report = join(dir, 'r.json');
    const status = await runWorkloadCommand(echoProgram, options({ topology: 'tmr', duration: '10ms', rate: '20000', seed: '3', report }), registry);
    expect(status).toBe(0);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    const l = json.ledger;
    expect(Object.keys(l)).toEqual(['arrived', 'dropped', 'correct', 'wrong', 'lost', 'rolled_back', 'duplicated', 'queued', 'deadline_misses', 'downtime_us', 'latency_us']);
    expect(Object.keys(l.latency_us)).toEqual(['p50', 'p99', 'max']);
    expect(l.correct + l.wrong + l.lost + l.queued).toBe(l.arrived);
    expect(l.arrived).toBeGreaterThan(100);
    expect(l.wrong + l.lost + l.duplicated).toBe(0);
    expect(json.stop_reason).toBe('duration');
    expect(json.cycles).toBe(1_000_000);
    expect(captured.stderr).toMatch(/^ledger: echo on tmr, 10ms, 20000\/s, FIFO 64, seed 3\n/);
    expect(captured.stderr).toContain(`  arrived         ${l.arrived}\n`);
    expect(captured.stderr).toMatch(/\n {2}latency {9}p50 [\d.]+ µs, p99 [\d.]+ µs, max [\d.]+ µs\n$/);
  });

  test('simplex killed: exit 137, the message and the ledger with lost transactions', async () => {
    capture();
    const status = await runWorkloadCommand(pollingProgram, options({ duration: '10ms', inject: ['at=200000,kind=kill'] }), registry);
    expect(status).toBe(137);
    expect(captured.stderr).toMatch(/^lockstep: .*dead.*\n/);
    expect(captured.stderr).toMatch(/\n {2}downtime {8}8,000 µs\n/);
  });

  test('a trace file drives the arrivals', async () => {
    capture();
    const path = trace('ok.csv', '# time,payload\n10,1,2,3,4\n20.5,5\n');
    expect(await runWorkloadCommand(echoProgram, options({ duration: '1ms', arrivals: path }), registry)).toBe(0);
    expect(captured.stderr).toContain(`arrivals from ${path}`);
    expect(captured.stderr).toContain('  arrived         2\n');
    expect(captured.stderr).toContain('  correct         2\n');
  });

  test('an unknown workload names the known ones', async () => {
    await expect(runWorkloadCommand(undefined, options({ workload: 'nope' }), registry)).rejects.toThrow(UsageError);
    await expect(runWorkloadCommand(undefined, options({ workload: 'nope' }), registry)).rejects.toThrow(/unknown workload 'nope': known workloads are echo/);
  });
});
