/**
 * A checkpoint against the hosts' memory faults (src/machine/context.ts sendCheckpoint). The
 * rule the expectations follow: a checkpoint carries data, not codewords. The primary reads
 * its RAM and registers through its checks, as a load or an instruction would: a single-bit
 * RAM error is corrected on the way, an uncorrectable word (two flipped bits with SEC-DED, a
 * poisoned word) or a register with a parity error makes it announce the error and fail-stop
 * with nothing sent. The standby writes what it receives as stores would: each word and
 * register written has check bits for its new data, so whatever upset or poison it held there
 * is gone, while a stuck cell or register bit is its hardware and forces its value again.
 */
import { describe, expect, it } from 'vitest';
import { Machine } from '../../src/machine/machine.ts';
import { sendCheckpoint, takeDirtyPages } from '../../src/machine/context.ts';
import type { EccMode } from '../../src/machine/ecc.ts';
import { parseFault } from '../../src/fault/spec.ts';
import { arrivalStream, TransactionFeed } from '../../src/transactions/index.ts';
import { createFailoverSystem, failoverSettings, type FailoverSettings } from '../../src/system/index.ts';
import { assembleOrThrow } from '../helpers/machine.ts';
import { ECHO_PAIR_RAM, ECHO_POLLING_RAM, echoWorkload } from '../helpers/echo-workload.ts';

/** The value the primary stores into `word` before the checkpoint, the word's loaded value, and t0's. */
const V = 0x1234_5670; // bit 0 and bit 3 clear
const LOADED = 0x0BAD_F00D;
const T0 = 0x0F0F_0F0F; // bit 31 clear
const PROGRAM = assembleOrThrow(`
        .globl _start
_start: la      s0, word
        li      t1, ${V}
        li      t0, ${T0}
        sw      t1, 0(s0)
sent:   lw      a0, 0(s0)           # the standby resumes here
        mv      a1, t0
        li      a7, 93
        ecall
        .data
        .balign 4096
word:   .word   ${LOADED}
`);
const WORD = PROGRAM.symbols.get('word')!;
const SENT = PROGRAM.symbols.get('sent')!;
const hex = (n: number) => `0x${n.toString(16)}`;

async function host(ecc: EccMode): Promise<Machine> {
  const m = await Machine.create({ topology: 'simplex', ecc });
  m.load(PROGRAM);
  return m;
}

/** Applies `spec` (no `at=`) to `m` now, as a failover system lands a fault on a host. */
function land(m: Machine, spec: string): void {
  m.inject(parseFault(`at=${m.instret},module=0,${spec}`));
  m.run(0);
}

/**
 * The primary runs to `sent` (the store done), `primaryFault` and `standbyFault` land, the
 * primary sends a checkpoint of the pages it wrote; the standby, if one was sent, runs the
 * `lw a0` and `mv a1, t0` that follow.
 */
async function checkpoint(ecc: EccMode, faults: { primary?: string; standby?: string }) {
  const [primary, standby] = [await host(ecc), await host(ecc)];
  while (primary.pc(0) !== SENT) primary.run(1);
  if (faults.primary) land(primary, faults.primary);
  if (faults.standby) land(standby, faults.standby);
  const bytes = sendCheckpoint(primary, standby, takeDirtyPages(primary));
  if (bytes !== undefined) standby.run(2);
  const events = (m: Machine) => m.events.filter((e) => e.kind !== 'inject');
  return { primary, standby, bytes, primaryEvents: events(primary), standbyEvents: events(standby) };
}

describe('the standby takes what a checkpoint writes as stores: its upsets there are gone, its stuck bits stay', () => {
  it.each([
    ['secded', 'a single-bit upset', `kind=flip,target=mem:${hex(WORD)},bit=3`],
    ['secded', 'a double-bit upset', `kind=flip,target=mem:${hex(WORD)},bit=3+17`],
    ['secded', 'a poisoned word', `kind=ecc,target=mem:${hex(WORD)},bit=3`],
    ['none', 'a poisoned word', `kind=ecc,target=mem:${hex(WORD)},bit=3`],
    ['none', 'a flipped bit', `kind=flip,target=mem:${hex(WORD)},bit=3`],
  ] as const)('ECC %s, %s in the word overwritten: it reads the value sent, with nothing to correct or announce', async (ecc, _what, fault) => {
    const { standby, standbyEvents } = await checkpoint(ecc, { standby: fault });
    expect(standby.reg(0, 10)).toBe(V);
    expect(standbyEvents).toEqual([]);
    expect(standby.halt).toBeUndefined();
    expect(standby.moduleStatus()[0].corrected).toBe(0);
  });

  it('ECC secded, a cell stuck at 1 (bit 0, 0 in the value sent): the word holds V | 1, and each load corrects it to V', async () => {
    const { standby, standbyEvents } = await checkpoint('secded', { standby: `kind=stuck1,target=mem:${hex(WORD)},bit=0` });
    expect(standby.reg(0, 10)).toBe(V);
    expect(standbyEvents).toEqual([{ instret: standby.instret - 2, kind: 'corrected', module: 0, address: WORD, bit: 0, by: 'read' }]);
    expect(new DataView(standby.readMemory(0, WORD, 4)!.buffer).getUint32(0, true)).toBe((V | 1) >>> 0);
  });

  it('no ECC, a cell stuck at 1 (bit 0): the load reads V | 1', async () => {
    const { standby } = await checkpoint('none', { standby: `kind=stuck1,target=mem:${hex(WORD)},bit=0` });
    expect(standby.reg(0, 10)).toBe((V | 1) >>> 0);
  });

  it('a register with a parity error is written with fresh parity: the standby reads it without announcing', async () => {
    const { standby, standbyEvents } = await checkpoint('none', { standby: 'kind=ecc,target=t0,bit=4' });
    expect(standby.reg(0, 11)).toBe(T0);
    expect(standbyEvents).toEqual([]);
  });

  it('a register bit stuck at 1 (t0 bit 31) forces its value again over the context sent', async () => {
    const { standby } = await checkpoint('none', { standby: 'kind=stuck1,target=t0,bit=31' });
    expect(standby.reg(0, 5)).toBe((T0 | 0x8000_0000) >>> 0);
    expect(standby.reg(0, 11)).toBe((T0 | 0x8000_0000) >>> 0);
  });
});

describe('the primary sends what it reads through its checks', () => {
  it('ECC secded, a single-bit upset: corrected on the way, in the copy and in its own RAM, and logged', async () => {
    const { primary, standby, primaryEvents, bytes } = await checkpoint('secded', { primary: `kind=flip,target=mem:${hex(WORD)},bit=3` });
    expect(bytes).toBeGreaterThan(4096);
    expect(standby.reg(0, 10)).toBe(V);
    expect(primaryEvents).toEqual([{ instret: primary.instret - 1, kind: 'corrected', module: 0, address: WORD, bit: 3, by: 'read' }]);
    expect(new DataView(primary.readMemory(0, WORD, 4)!.buffer).getUint32(0, true)).toBe(V);
  });

  it('no ECC, a flipped bit: nothing sees it, and it travels', async () => {
    const { standby } = await checkpoint('none', { primary: `kind=flip,target=mem:${hex(WORD)},bit=3` });
    expect(standby.reg(0, 10)).toBe((V ^ 8) >>> 0);
  });

  it.each([
    ['secded', 'a double-bit upset', `kind=flip,target=mem:${hex(WORD)},bit=3+17`, `uncorrectable ECC error in RAM word ${hex(WORD)}`],
    ['none', 'a poisoned word', `kind=ecc,target=mem:${hex(WORD)},bit=3`, `uncorrectable ECC error in RAM word ${hex(WORD)}`],
    ['none', 'a register with a parity error', 'kind=ecc,target=t0,bit=4', 'parity error in x5'],
  ] as const)('ECC %s, %s: the primary announces it and fail-stops; nothing is sent, the standby is as it was', async (ecc, _what, fault, where) => {
    const { primary, standby, bytes, primaryEvents } = await checkpoint(ecc, { primary: fault });
    expect(bytes).toBeUndefined();
    expect(primary.halt?.reason).toBe('failstop');
    expect(primaryEvents.find((e) => e.kind === 'error')).toMatchObject({ module: 0, where });
    expect(standby.pc(0)).toBe(PROGRAM.entry);
    expect(standby.instret).toBe(0);
    expect(new DataView(standby.readMemory(0, WORD, 4)!.buffer).getUint32(0, true)).toBe(LOADED);
  });
});

describe('takeDirtyPages', () => {
  it('gives the pages written since the last call as runs of adjacent pages, and starts afresh', async () => {
    const m = await host('none');
    takeDirtyPages(m); // the loaded program's pages
    const page = (p: number) => 0x8000_0000 + p * 4096;
    for (const p of [9, 5, 6]) m.writeMemory(0, page(p) + 100, new Uint8Array([1]));
    expect(takeDirtyPages(m)).toEqual([[page(5), 8192], [page(9), 4096]]);
    expect(takeDirtyPages(m)).toEqual([]);
  });
});

/**
 * On a cluster (ECC secded on both hosts, cluster-aware so that nothing consumed is lost)
 * serving echo with its state S in the RAM word `sum`, read and written by every record: a
 * fault lands on the standby's `sum` at 30 ms, and the primary is killed at 40 ms.
 */
describe('a cluster whose standby has a faulty word in the state it takes over', () => {
  const program = assembleOrThrow(ECHO_POLLING_RAM);
  const SUM = program.symbols.get('sum')!;
  const US = 100;
  const [FAULT_US, KILL_US, DURATION_US, RATE] = [30_000, 40_000, 100_000, 2000];
  const base = { heartbeatUs: 1000, missed: 3, failoverTimeUs: 5000, clusterAware: 'dedupe' } as const;

  async function run(seed: number, settings: Partial<FailoverSettings>, standbyFault?: string) {
    const system = await createFailoverSystem(program, failoverSettings('cluster', { ...base, ...settings }), { ecc: 'secded' });
    const faults = [...(standbyFault ? [`at=${FAULT_US}us,module=1,${standbyFault}`] : []), `at=${KILL_US}us,module=0,kind=kill`];
    const feed = new TransactionFeed(system, { workload: echoWorkload, durationUs: DURATION_US, rate: RATE, seed, timedFaults: faults.map(parseFault) });
    feed.advance();
    return { ledger: feed.ledger(), summary: system.summary(feed.nowCycle), standby: system.hosts[1] };
  }

  // Checkpoints every 20,000 instructions of the polling guest (one a cycle): every 200 µs. A
  // record that arrives between the fault and 39 ms writes `sum`'s page, and a checkpoint
  // copies it before the kill.
  const seed = [1, 2, 3, 4, 5].find((s) => [...arrivalStream({ workload: echoWorkload, endCycle: DURATION_US * US, rate: RATE, seed: s })]
    .some((a) => a.cycle >= FAULT_US * US && a.cycle < 39_000 * US))!;

  it.each([
    ['poisoned', `kind=ecc,target=mem:${hex(SUM)},bit=3`],
    ['flipped in two bits', `kind=flip,target=mem:${hex(SUM)},bit=3+9`],
  ])('a word %s before a checkpoint overwrites it is gone: the run is the run without it', async (_what, fault) => {
    const clean = await run(seed, { checkpointEvery: 20_000 });
    expect(clean.ledger).toMatchObject({ lost: 0, wrong: 0, duplicated: 0 });
    const faulty = await run(seed, { checkpointEvery: 20_000 }, fault);
    expect(faulty.ledger).toEqual(clean.ledger);
    expect(faulty.summary.failovers).toBe(1);
    expect(faulty.standby.events.filter((e) => e.kind === 'error' || e.kind === 'failstop')).toEqual([]);
  });

  it('a cell stuck at 1 stays: the new primary\'s ECC corrects every read of it, and every answer is right', async () => {
    const clean = await run(seed, { checkpointEvery: 20_000 });
    const stuck = await run(seed, { checkpointEvery: 20_000 }, `kind=stuck1,target=mem:${hex(SUM)},bit=3`);
    expect(stuck.ledger).toEqual(clean.ledger);
    const corrections = stuck.standby.events.filter((e) => e.kind === 'corrected');
    expect(corrections.length).toBeGreaterThan(0);
    expect(corrections.every((e) => e.kind === 'corrected' && e.address === SUM && e.bit === 3)).toBe(true);
  });

  it('a poisoned word no checkpoint overwrites stays: the standby, restarting from power-on, announces it at its first record and the service ends', async () => {
    const { summary, standby } = await run(seed, { checkpointEvery: 1e12 }, `kind=ecc,target=mem:${hex(SUM)},bit=3`);
    expect(summary.events.filter((e) => e.kind === 'host-down').map((e) => e.kind === 'host-down' && [e.host, e.reason])).toEqual([
      [0, 'killed'], [1, 'it announced an uncorrectable error'],
    ]);
    expect(standby.events.find((e) => e.kind === 'error')).toMatchObject({ where: `uncorrectable ECC error in RAM word ${hex(SUM)}` });
    expect(summary.events.at(-1)?.kind).toBe('service-down');
  });
});

/**
 * On a process pair (ECC secded on both hosts) serving echo with the pair-aware ECHO_PAIR_RAM:
 * S in the RAM word `sum`, which each record loads, adds to and stores, and then checkpoints
 * (with the context) before it answers; there is no initial checkpoint (the backup starts as
 * the primary does, S = 0), so the checkpoint numbered n from 0 acknowledges record n + 1.
 * The pair's rules (src/system/failover.ts): the backup takes over from the last checkpoint it
 * received, right before that record's TX_SEND (a reply the primary sent already is sent again
 * and the message system drops it), and the message system re-delivers the records consumed
 * since that checkpoint with no reply yet; nothing it holds is ever dropped.
 */
describe('a process pair whose checkpoints carry a faulty word', () => {
  const program = assembleOrThrow(ECHO_PAIR_RAM);
  const [SUM, STORED, SENT] = ['sum', 'stored', 'sent'].map((name) => program.symbols.get(name)!);
  /** Instructions from `stored` to the CKPT_SEND store, both included: a fault at a checkpoint's instret − WINDOW lands right after the store of `sum` it sends. */
  const WINDOW = (SENT - STORED) / 4 + 1;
  const US = 100;
  const [DURATION_US, RATE] = [60_000, 2000];
  const base = { heartbeatUs: 1000, missed: 3, failoverTimeUs: 5000 } as const;
  /** The checkpoint (from 0) a fault on the primary aims at: one well inside the run. */
  const N = 20;
  const arrivals = (seed: number) => [...arrivalStream({ workload: echoWorkload, endCycle: DURATION_US * US, rate: RATE, seed })];
  /** S after the first `records` arrivals (the pair drops none, and consumes in arrival order). */
  const sumOf = (seed: number, records: number) => arrivals(seed).slice(0, records).reduce((sum, a) => (sum + a.payload[0]) >>> 0, 0);

  /** A process pair with `faults` (`at` in system instructions, or in µs) and a feed that has not started. */
  async function pair(seed: number, faults: string[]) {
    const system = await createFailoverSystem(program, failoverSettings('process-pair', base), { ecc: 'secded' });
    const parsed = faults.map(parseFault);
    for (const f of parsed.filter((f) => f.atUs === undefined)) system.inject(f);
    const feed = new TransactionFeed(system, { workload: echoWorkload, durationUs: DURATION_US, rate: RATE, seed, timedFaults: parsed.filter((f) => f.atUs !== undefined) });
    const finish = () => {
      feed.advance();
      return { ledger: feed.ledger(), summary: system.summary(feed.nowCycle) };
    };
    return { system, feed, finish, primary: system.hosts[0], backup: system.hosts[1] };
  }

  /** The checkpoint events of the run without faults. */
  async function checkpoints(seed: number) {
    const { finish } = await pair(seed, []);
    return finish().summary.events.filter((e) => e.kind === 'checkpoint');
  }

  it('ECC secded, a single-bit upset in the word checkpoint N sends: corrected on the way; killed right after it, the backup takes over from the right S and every answer is right', async () => {
    const seed = 1;
    const sent = (await checkpoints(seed))[N];
    const { system, feed, finish, primary, backup } = await pair(seed, [
      `at=${sent.instret - WINDOW},module=0,kind=flip,target=mem:${hex(SUM)},bit=3`,
      `at=${sent.instret},module=0,kind=kill`,
    ]);
    // In the outage (at least (M − 1)·H + F = 7 ms from the kill) the backup holds checkpoint N as it came.
    feed.advance(Infinity, sent.cycle + 1000 * US);
    expect(system.events.filter((e) => e.kind === 'host-down' || e.kind === 'takeover')).toEqual([expect.objectContaining({ kind: 'host-down', host: 0, reason: 'killed' })]);
    expect(new DataView(backup.readMemory(0, SUM, 4)!.buffer).getUint32(0, true)).toBe(sumOf(seed, N + 1));
    expect(primary.events.filter((e) => e.kind === 'corrected')).toEqual([expect.objectContaining({ address: SUM, bit: 3, by: 'read' })]);

    const { ledger, summary } = finish();
    expect(summary.failovers).toBe(1);
    expect(summary.checkpoints).toBe(N + 1);
    expect(ledger).toMatchObject({ lost: 0, rolled_back: 0, wrong: 0, duplicated: 0 });
    expect(ledger.correct + ledger.queued).toBe(ledger.arrived);
    expect(ledger.correct).toBeGreaterThan(N + 1); // the backup answered records of its own
    expect(summary).toMatchObject({ redelivered: 0, deduplicated: 0 }); // it sends record N + 1's reply, the first one
  });

  it.each([
    ['two bits flipped', `kind=flip,target=mem:${hex(SUM)},bit=3+9`],
    ['poisoned', `kind=ecc,target=mem:${hex(SUM)},bit=3`],
  ])('ECC secded, the word checkpoint N sends %s: the primary announces it and fail-stops at that send, nothing sent; the backup takes over from checkpoint N − 1, record N + 1 is re-delivered and no answer is wrong', async (_what, fault) => {
    const seed = 1;
    const clean = await checkpoints(seed);
    const { finish, primary, backup } = await pair(seed, [`at=${clean[N].instret - WINDOW},module=0,${fault}`]);
    const { ledger, summary } = finish();
    expect(summary.events.filter((e) => e.kind === 'host-down')).toEqual([
      expect.objectContaining({ host: 0, instret: clean[N].instret, reason: 'it announced an uncorrectable error' }),
    ]);
    expect(primary.events.find((e) => e.kind === 'error')).toMatchObject({ where: `uncorrectable ECC error in RAM word ${hex(SUM)}` });
    expect(summary.checkpoints).toBe(N);
    expect(summary.events.find((e) => e.kind === 'takeover')).toMatchObject({ checkpoint_instret: clean[N - 1].instret });
    // Record N + 1, consumed and unanswered, is delivered again; record N's reply, sent again from checkpoint N − 1, is dropped.
    expect(summary).toMatchObject({ failovers: 1, redelivered: 1, deduplicated: 1 });
    expect(ledger).toMatchObject({ lost: 0, rolled_back: 0, wrong: 0, duplicated: 0 });
    expect(ledger.correct + ledger.queued).toBe(ledger.arrived);
    expect(backup.events.filter((e) => e.kind === 'error' || e.kind === 'failstop')).toEqual([]);
  });

  it('a backup cell stuck at 1 in `sum` stays through every checkpoint and the takeover: its ECC corrects each load that finds the bit wrong, and every answer is right', async () => {
    const KILL_US = 40_000;
    const quiet = (a: { cycle: number }, endUs: number) => a.cycle < (endUs - 50) * US || a.cycle >= endUs * US;
    const beforeKill = (seed: number) => arrivals(seed).filter((a) => a.cycle < KILL_US * US).length;
    // A seed that leaves the primary idle at the kill (every record before it answered and
    // checkpointed) with bit 3 of S clear there, and the backup idle at the end.
    const seed = [1, 2, 3, 4, 5, 6, 7, 8].find((s) => arrivals(s).every((a) => quiet(a, KILL_US) && quiet(a, DURATION_US)) && (sumOf(s, beforeKill(s)) & 8) === 0)!;
    const { system, feed, finish, backup } = await pair(seed, [`at=0,module=1,kind=stuck1,target=mem:${hex(SUM)},bit=3`, `at=${KILL_US}us,module=0,kind=kill`]);
    // In the outage: the last checkpoint wrote S there as a store does, and the cell forced its bit again.
    feed.advance(Infinity, (KILL_US + 1000) * US);
    expect(system.events.filter((e) => e.kind === 'host-down' || e.kind === 'takeover')).toEqual([expect.objectContaining({ kind: 'host-down', host: 0, reason: 'killed' })]);
    expect(new DataView(backup.readMemory(0, SUM, 4)!.buffer).getUint32(0, true)).toBe((sumOf(seed, beforeKill(seed)) | 8) >>> 0);

    const { ledger, summary } = finish();
    expect(ledger).toMatchObject({ lost: 0, rolled_back: 0, wrong: 0, duplicated: 0, queued: 0 });
    expect(ledger.correct).toBe(ledger.arrived);
    expect(summary).toMatchObject({ failovers: 1, redelivered: 0, deduplicated: 1 }); // the last reply, sent again from its checkpoint
    // The backup loads `sum` once for each record that arrived after the kill, and finds S
    // before it: the cell gives bit 3 = 1, a single-bit error wherever S's bit 3 is 0.
    const expected = arrivals(seed).filter((a, k) => a.cycle >= KILL_US * US && (sumOf(seed, k) & 8) === 0).length;
    expect(backup.moduleStatus()[0].corrected).toBe(expected);
    expect(backup.events.filter((e) => e.kind === 'corrected')).toEqual([expect.objectContaining({ address: SUM, bit: 3, by: 'read' })]);
  });
});
