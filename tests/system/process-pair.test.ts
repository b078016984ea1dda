/**
 * The HP/Tandem NonStop process pair (issue 11): the backup's state changes only at the
 * checkpoints the application sends, so a pair-aware rewrite (card-auth-pair checkpoints each
 * account it updates before it answers) loses nothing at a kill of the primary, and the
 * application as written loses every transaction it answered — the point being that the
 * application had to be rewritten.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { assembleOrThrow } from '../helpers/machine.ts';
import { arrivalStream, TransactionFeed, WORKLOADS, type Workload } from '../../src/transactions/index.ts';
import { createFailoverSystem, failoverSettings } from '../../src/system/index.ts';
import { formatFault, parseFault } from '../../src/fault/spec.ts';
import { compareFault } from '../../src/system/compare.ts';

const US = 100;
const H_US = 1000;
const M = 3;
const F_US = 5000;
const RATE = 2000;
const DURATION_US = 100_000;
const KILL_US = 40_000; // a multiple of H: the outage is M·H + F
const OUTAGE_US = M * H_US + F_US;
const cardAuth = WORKLOADS.get('card-auth')!;
const cardAuthPair = WORKLOADS.get('card-auth-pair')!;
const programOf = (w: Workload) => assembleOrThrow(readFileSync(new URL(`../../examples/${w.source}`, import.meta.url), 'utf8'));

async function pairRun(workload: Workload, faults: string[], seed = 3) {
  const system = await createFailoverSystem(programOf(workload), failoverSettings('process-pair', { heartbeatUs: H_US, missed: M, failoverTimeUs: F_US }));
  const timed = faults.map(parseFault).filter((f) => f.atUs !== undefined);
  for (const f of faults.map(parseFault).filter((f) => f.atUs === undefined)) system.inject(f);
  const feed = new TransactionFeed(system, { workload, durationUs: DURATION_US, rate: RATE, seed, timedFaults: timed });
  feed.advance();
  return { ledger: feed.ledger(), summary: system.summary(feed.nowCycle), system };
}

const arrivals = (seed = 3) => [...arrivalStream({ workload: cardAuth, endCycle: DURATION_US * US, rate: RATE, seed })];
const kill = `at=${KILL_US}us,module=0,kind=kill`;

describe('process pair: a kill of the primary', () => {
  test('the pair-aware application loses nothing, duplicates nothing, answers everything right; downtime M·H + F', async () => {
    const { ledger, summary } = await pairRun(cardAuthPair, [kill]);
    expect(ledger).toMatchObject({ lost: 0, duplicated: 0, wrong: 0, rolled_back: 0, downtime_us: OUTAGE_US });
    expect(ledger.correct + ledger.queued).toBe(ledger.arrived);
    expect(summary.failovers).toBe(1);
    expect(summary.checkpoints).toBeGreaterThan(0);
  });

  test('the application as written sends no checkpoint: the backup starts afresh, every transaction answered before the kill is rolled back', async () => {
    // A seed that leaves the primary idle at the kill (no arrival in the 50 µs before it): everything before it was answered.
    let seed = 1;
    while (arrivals(seed).some((a) => a.cycle >= (KILL_US - 50) * US && a.cycle < KILL_US * US)) seed++;
    const before = arrivals(seed).filter((a) => a.cycle < KILL_US * US);
    const { ledger, summary } = await pairRun(cardAuth, [kill], seed);
    expect(summary.checkpoints).toBe(0);
    expect(ledger.rolled_back).toBe(before.length);
    expect(ledger.lost).toBe(before.length);
    expect(ledger.dropped).toBe(0); // the message system holds requests while no process serves
    expect(ledger.duplicated).toBe(0);
    expect(ledger.wrong).toBeGreaterThan(0); // later answers from balances that went back
  });

  test('killed right after a checkpoint, before its reply: the backup resumes there and sends it, once', async () => {
    const probe = await pairRun(cardAuthPair, []);
    const checkpoint = probe.summary.events.filter((e) => e.kind === 'checkpoint')[20];
    const { ledger, summary } = await pairRun(cardAuthPair, [`at=${checkpoint.instret},module=0,kind=kill`]);
    expect(ledger).toMatchObject({ lost: 0, duplicated: 0, wrong: 0 });
    expect(summary.redelivered).toBe(0);
    expect(summary.deduplicated).toBe(0);
  });

  test('killed after the reply, before the next checkpoint: the backup sends that reply again and the message system drops it (sync ids)', async () => {
    const probe = await pairRun(cardAuthPair, []);
    const [first, second] = probe.summary.events.filter((e) => e.kind === 'checkpoint').slice(20, 22);
    // A checkpoint's instret is the number of the instruction after its CKPT_SEND store (the
    // backup resumes there, at `sw s2, TX_ID`): in card-auth-pair.s the second record's
    // `sw zero, CKPT_SEND(s3)` is second.instret − 1, `sw a5, CKPT_LEN(s3)` − 2 and
    // `sw a4, CKPT_ADDR(s3)`, the first instruction after workload_process returns, − 3. A kill
    // just before that one: the first record was answered (its TX_SEND came before the second's
    // RX_POP), the second consumed and processed but neither checkpointed nor answered.
    const killAt = second.instret - 3;
    expect(killAt).toBeGreaterThan(first.instret);
    const { ledger, summary } = await pairRun(cardAuthPair, [`at=${killAt},module=0,kind=kill`]);
    expect(ledger).toMatchObject({ lost: 0, duplicated: 0, wrong: 0 });
    expect(summary.deduplicated).toBe(1); // the first's reply, sent again from its checkpoint
    expect(summary.redelivered).toBe(1); // the second, consumed with no reply
  });

  test('a transient flip in the primary\'s live data is never noticed: wrong answers, no failover', async () => {
    const flip = compareFault({ kind: 'transient', atUs: KILL_US }, cardAuthPair, programOf(cardAuthPair), { durationUs: DURATION_US, rate: RATE, seed: 3 });
    const { ledger, summary } = await pairRun(cardAuthPair, [formatFault(flip)]);
    expect(ledger.wrong).toBeGreaterThan(0);
    expect(ledger.lost).toBe(0);
    expect(summary.failovers).toBe(0);
  });
});
