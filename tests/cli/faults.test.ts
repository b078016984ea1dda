/**
 * `lockstep run` with topologies, faults and repairs (issue: lockstep machines): the
 * divergence line on stderr, the fail-stop exit status, --classify outcomes and the report's
 * events, replacements and bad replacement specs. Expected instruction numbers are counted
 * by hand from examples/ledger.s and the small program below.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { expectUsageError, fixture, lockstep, lines, tempDir } from './lockstep.ts';

const LEDGER = fileURLToPath(new URL('../../examples/ledger.s', import.meta.url));
const dir = tempDir();
// 0: li t0,5  1: li t1,7  2: add t2,t0,t1  3: mv a0,t2  4: li a7,93  5: ecall
const ADD = join(dir, 'add.s');
writeFileSync(ADD, '.globl _start\n_start:\n li t0, 5\n li t1, 7\n add t2, t0, t1\n mv a0, t2\n li a7, 93\n ecall\n');
const FLIP = 'at=2,module=1,kind=flip,target=t0,bit=3';

describe('lockstep run --topology with faults', () => {
  it('prints the divergence in one line and exits 125 on a dmr fail-stop', async () => {
    const run = await lockstep(['run', ADD, '--topology', 'dmr', '--inject', FLIP]);
    expect(run.status).toBe(125);
    expect(run.stdout.length).toBe(0);
    const [divergence, stop] = lines(run.stderr);
    // dmr cannot tell which module is right: both are named, in number order.
    expect(divergence).toBe('diverged at instruction 2 (pc 0x80000008): module 0 wrote x7 = 0x0000000c, module 1 wrote 0x00000014 → fail-stop');
    expect(stop).toMatch(/^lockstep: fail-stop at instruction 2: /);
  });

  it('tmr outvotes the faulty module, exits with the right code and classifies it recovered', async () => {
    const report = join(dir, 'tmr.json');
    const run = await lockstep(['run', ADD, '--topology', 'tmr', '--inject', FLIP, '--classify', '--report', report]);
    expect(run.status).toBe(12);
    expect(lines(run.stderr)).toEqual([
      'diverged at instruction 2 (pc 0x80000008): module 1 wrote x7 = 0x00000014, module 0 wrote 0x0000000c → module 1 offline',
      "outcome: recovered — detected at instruction 2, module 1 taken offline; the output and exit code are the fault-free run's",
    ]);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    expect(json).toMatchObject({ topology: 'tmr', outcome: 'recovered', exit_code: 12, stop_reason: 'exit', instret: 6, detection_latency: 0 });
    expect(json.modules.map((m: { state: string }) => m.state)).toEqual(['online', 'offline', 'online']);
    expect(json.modules[1].faults).toEqual(['at=2,module=1,kind=flip,target=x5,bit=3']);
    expect(json.events.map((e: { kind: string; instret: number }) => `${e.kind}@${e.instret}`)).toEqual(['inject@2', 'diverge@2', 'offline@2', 'halt@5']);
    expect(json.reference).toEqual({ instret: 6, exit_code: 12, stdout_bytes: 0 });
  });

  it('classifies a simplex corruption as crash (wrong exit code) and a dead simplex as crash with status 137', async () => {
    const wrong = await lockstep(['run', ADD, '--inject', 'at=2,module=0,kind=flip,target=t0,bit=3', '--classify', '--report', join(dir, 's.json')]);
    expect(wrong.status).toBe(20);
    expect(JSON.parse(readFileSync(join(dir, 's.json'), 'utf8')).outcome).toBe('crash');
    const dead = await lockstep(['run', ADD, '--inject', 'at=3,module=0,kind=kill', '--classify', '--report', join(dir, 'd.json')]);
    expect(dead.status).toBe(137);
    expect(JSON.parse(readFileSync(join(dir, 'd.json'), 'utf8'))).toMatchObject({ outcome: 'crash', stop_reason: 'dead', instret: 3 });
  });

  it('--classify gives the fault-free run the same input: a program that reads is masked, not sdc', async () => {
    const report = join(dir, 'input.json');
    const run = await lockstep(['run', fixture('echo.s'), '--topology', 'tmr', '--classify', '--report', report], { input: 'abcdefg\n' });
    expect(run.stdout.toString()).toBe('abcdefg\n');
    expect(JSON.parse(readFileSync(report, 'utf8'))).toMatchObject({ outcome: 'masked', reference: { stdout_bytes: 8 } });
  });

  it('--classify gives both runs the same input through the receive interrupt too: masked', async () => {
    // rx-irq.s echoes each byte its interrupt handler takes and exits with their number.
    const run = await lockstep(['run', fixture('rx-irq.s'), '--topology', 'dmr', '--classify'], { input: 'hello' });
    expect(run.stdout.toString()).toBe('hello');
    expect(run.status).toBe(5);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^outcome: masked — /)]);
  });

  it('on the ledger, the voted output equals the fault-free output and silent corruption is sdc', async () => {
    const clean = await lockstep(['run', LEDGER]);
    const fault = ['--inject', 'at=300,module=1,kind=flip,target=s2,bit=12'];
    const tmr = await lockstep(['run', LEDGER, '--topology', 'tmr', ...fault]);
    expect(tmr.stdout.toString()).toBe(clean.stdout.toString());
    const report = join(dir, 'sdc.json');
    const simplex = await lockstep(['run', LEDGER, '--inject', 'at=300,module=0,kind=flip,target=s2,bit=12', '--classify', '--report', report]);
    expect(simplex.status).toBe(0);
    expect(simplex.stdout.toString()).not.toBe(clean.stdout.toString());
    expect(JSON.parse(readFileSync(report, 'utf8')).outcome).toBe('sdc');
  });

  it('--compare store reports where the states first differed', async () => {
    const report = join(dir, 'store.json');
    await lockstep(['run', LEDGER, '--topology', 'tmr', '--compare', 'store', '--inject', 'at=300,module=1,kind=flip,target=s2,bit=12', '--report', report]);
    const diverge = JSON.parse(readFileSync(report, 'utf8')).events.find((e: { kind: string }) => e.kind === 'diverge');
    expect(diverge.first_differed).toBeLessThan(diverge.instret);
    expect(diverge.first_differed).toBeGreaterThanOrEqual(300);
  });

  it('replaces and resyncs a board, listing the resync in the report', async () => {
    const report = join(dir, 'replace.json');
    const run = await lockstep(['run', LEDGER, '--topology', 'pair-spare', '--inject', 'at=300,module=1,kind=flip,target=s2,bit=12',
      '--replace', 'at=600,board=0', '--resync', 'stop-copy', '--report', report]);
    expect(run.status).toBe(0);
    const json = JSON.parse(readFileSync(report, 'utf8'));
    const done = json.events.find((e: { kind: string }) => e.kind === 'resync-done');
    // stop-and-copy moves 1 MiB of RAM and the hart state at the default 8 bytes per cycle.
    expect(done).toMatchObject({ instret: 600, mode: 'stop-copy', modules: [0, 1], rounds: 0 });
    expect(done.pause_instructions).toBe(Math.ceil(done.bytes / 8));
    expect(json.modules.map((m: { state: string }) => m.state)).toEqual(['online', 'online', 'online', 'online']);
    expect(json.cycles - json.instret).toBe(done.pause_instructions);
  });
});

describe('--classify prints the outcome and its evidence as one line on stderr, with or without --report', () => {
  // ledger.s prints each balance as units "." cents "\n": the first five ("1025.00\n",
  // "1013.00\n", "1313.00\n", "1267.01\n", "1268.26\n") fill bytes 0..39, so byte 40 is the
  // first digit of the sixth, 468.26 fault-free. The flip of bit 12 (+4096 cents: s2 =
  // 126826 = 0x1ef6a has bit 12 clear) before instruction 300 turns it into 509.22.
  it('sdc: the first byte that differs, with both values', async () => {
    for (const report of [[], ['--report', join(dir, 'sdc-line.json')]]) {
      const run = await lockstep(['run', LEDGER, '--inject', 'at=300,module=0,kind=flip,target=s2,bit=12', '--classify', ...report]);
      expect(run.status).toBe(0);
      expect(lines(run.stderr)).toEqual(['outcome: sdc — output differs from the fault-free run at byte 40: 0x35, expected 0x34']);
    }
  });

  it('crash: the exit code against the fault-free one', async () => {
    // t0 = 5 with bit 3 flipped is 13; 13 + 7 = 20 where the fault-free run exits with 12.
    const run = await lockstep(['run', ADD, '--inject', 'at=2,module=0,kind=flip,target=t0,bit=3', '--classify']);
    expect(run.status).toBe(20);
    expect(lines(run.stderr)).toEqual(["outcome: crash — exit code 20, expected 12 (the fault-free run's)"]);
  });

  it('failstop: where it was detected', async () => {
    const run = await lockstep(['run', ADD, '--topology', 'dmr', '--inject', FLIP, '--classify']);
    expect(run.status).toBe(125);
    expect(lines(run.stderr).at(-1)).toMatch(/^outcome: failstop — detected at instruction 2; /);
  });

  it('hang: 10× the fault-free instruction count', async () => {
    // ledger.s runs 6 setup instructions, then per transaction lw, add, mv, call (auipc +
    // jalr), print_cents (18 + 10 per digit of the units), addi, addi, bnez: 26 + 10d; six
    // balances have 4 digits of units and ten have 3; then 3 to exit: 6 + 16 × 26 + 10 ×
    // (6 × 4 + 10 × 3) + 3 = 965. Bit 31 of the loop counter s1 set keeps it looping.
    const run = await lockstep(['run', LEDGER, '--inject', 'at=300,module=0,kind=flip,target=s1,bit=31', '--classify']);
    expect(run.status).toBe(124);
    expect(lines(run.stderr)).toEqual([
      "lockstep: stopped after 9,650 instructions (10× the fault-free run's 965) without finishing",
      "outcome: hang — still running after 9,650 instructions, 10× the fault-free run's 965",
    ]);
  });

  it('masked: what the guest writes to stderr is not its output', async () => {
    const run = await lockstep(['run', fixture('stderr.s'), '--classify']);
    expect(run.status).toBe(0);
    expect(run.stdout.toString()).toBe('ok\n');
    expect(lines(run.stderr)).toEqual(['warning', "outcome: masked — nothing was detected, and the output and exit code are the fault-free run's"]);
  });
});

describe('--repair-after N', () => {
  it('replaces the offline board N instructions later and resyncs it while the program runs', async () => {
    const report = join(dir, 'repair-after.json');
    const run = await lockstep(['run', LEDGER, '--topology', 'pair-spare', '--inject', 'at=300,module=1,kind=flip,target=s2,bit=12',
      '--repair-after', '100', '--resync', 'stop-copy', '--report', report]);
    expect(run.status).toBe(0);
    expect(run.stdout.toString()).toBe((await lockstep(['run', LEDGER])).stdout.toString());
    const json = JSON.parse(readFileSync(report, 'utf8'));
    // Board 0 goes offline at instruction 337 (the add that reads the flipped s2) and misses
    // the next 100, 338..437: it is replaced just before instruction 438.
    expect(json.events.map((e: { kind: string; instret: number; module?: number }) => `${e.kind}@${e.instret}:${e.module ?? ''}`)).toEqual([
      'inject@300:1', 'diverge@337:1', 'offline@337:0', 'offline@337:1', 'replace@438:0', 'replace@438:1', 'resync-done@438:0', 'halt@964:',
    ]);
    const done = json.events.find((e: { kind: string }) => e.kind === 'resync-done');
    expect(done).toMatchObject({ modules: [0, 1], mode: 'stop-copy', source: 2 });
    expect(json.modules.map((m: { state: string }) => m.state)).toEqual(['online', 'online', 'online', 'online']);
    expect(json.cycles - json.instret).toBe(done.pause_instructions);
  });
});

describe('bad replacement and repair options', () => {
  it.each([
    [['--replace', 'at=5,module'], [/--replace/, /at=N,module=M/]],
    [['--replace', 'at=5,module=7'], [/module 7 does not exist/]],
    [['--replace', 'at=5,board=2'], [/board 2 does not exist/]],
    [['--repair-after', 'soon'], [/--repair-after/, /whole number/]],
    [['--resync', 'rsync'], [/--resync/, /stop-copy, precopy/]],
  ])('%j', async (args, words) => {
    await expectUsageError(await lockstep(['run', LEDGER, '--topology', 'pair-spare', ...args]), words);
  });
});

describe('diagnosis, checkers and common-mode faults (issue 12)', () => {
  const flip = (module: number | 'all') => ['--inject', `at=300,module=${module},kind=flip,target=s2,bit=12`];

  it('--readmit transient brings module 1 back after --diagnose-time, through the resync', async () => {
    const report = join(dir, 'readmit.json');
    const run = await lockstep(['run', LEDGER, '--topology', 'tmr', ...flip(1), '--readmit', 'transient', '--diagnose-time', '100',
      '--resync', 'stop-copy', '--report', report]);
    expect(run.status).toBe(0);
    expect(run.stdout.toString()).toBe((await lockstep(['run', LEDGER])).stdout.toString());
    const json = JSON.parse(readFileSync(report, 'utf8'));
    // Offline at 337 (the add that reads s2), self-tested clean, back before 337 + 1 + 100.
    expect(json.events.map((e: { kind: string; instret: number; module?: number }) => `${e.kind}@${e.instret}:${e.module ?? ''}`)).toEqual([
      'inject@300:1', 'diverge@337:1', 'offline@337:1', 'diagnose@337:1', 'readmit@438:1', 'resync-done@438:1', 'halt@964:',
    ]);
    expect(json.events[3]).toMatchObject({ verdict: 'transient', errors: 1, readmit_at: 438 });
    expect(json.modules.map((m: { state: string }) => m.state)).toEqual(['online', 'online', 'online']);
  });

  it('a comparator stuck at agree, given as an --inject spec, lets dmr print wrong balances: --classify says sdc', async () => {
    const run = await lockstep(['run', LEDGER, '--topology', 'dmr', '--inject', 'at=0,board=0,kind=stuck-agree,target=comparator', ...flip(0), '--classify']);
    expect(run.status).toBe(0);
    expect(run.stdout.toString()).not.toBe((await lockstep(['run', LEDGER])).stdout.toString());
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^outcome: sdc — /)]);
  });

  it('a stuck-disagree voter prints the false alarm on stderr and votes healthy module 2 out', async () => {
    const run = await lockstep(['run', LEDGER, '--topology', 'tmr', '--inject', 'at=50,board=2,kind=stuck-disagree,target=voter']);
    expect(run.status).toBe(0);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^the voter reported a mismatch at instruction 50 \(pc 0x[0-9a-f]{8}\): module 2 and module 0 agree → module 2 offline$/)]);
  });

  it('module=all hits every tmr module alike: they agree on the wrong balances (sdc)', async () => {
    const run = await lockstep(['run', LEDGER, '--topology', 'tmr', ...flip('all'), '--classify']);
    expect(run.status).toBe(0);
    expect(lines(run.stderr)).toEqual([expect.stringMatching(/^outcome: sdc — /)]);
  });

  it.each([
    [['--topology', 'tmr', '--threshold', '3/1000'], [/--threshold applies to re-admitted modules/, /--readmit transient/]],
    [['--topology', 'tmr', '--diagnose-time', '500'], [/--diagnose-time applies to re-admitted modules/]],
    [['--topology', 'tmr', '--readmit', 'transient', '--threshold', 'three'], [/--threshold/, /not K\/N/]],
    [['--topology', 'tmr', '--readmit', 'transient', '--threshold', '0/1000'], [/--threshold/, /K = 0 must be 1 or more/]],
    [['--topology', 'tmr', '--readmit', 'sometimes'], [/--readmit/, /never, transient/]],
    [['--topology', 'tmr', '--cross-check', 'boards'], [/--cross-check/, /tmr has no boards/]],
    [['--topology', 'pair-spare', '--cross-check', 'all'], [/--cross-check/, /within, boards/]],
    [['--topology', 'tmr', '--inject', 'at=0,board=0,kind=stuck-agree,target=comparator'], [/tmr votes: use target=voter/]],
    [['--topology', 'simplex', '--inject', 'at=0,kind=stuck-agree,target=comparator'], [/simplex has no comparator or voter/]],
  ])('%j', async (args, words) => {
    await expectUsageError(await lockstep(['run', LEDGER, ...args]), words);
  });
});
