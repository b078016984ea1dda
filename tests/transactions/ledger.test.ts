/**
 * The ledger's classification, by hand-built runs (the rules are in src/transactions/ledger.ts
 * and issue 10): every expected count here is worked out from the definition, not taken from
 * a machine run.
 */
import { describe, expect, test } from 'vitest';
import { buildLedger, type LedgerInputs } from '../../src/transactions/index.ts';
import type { Result } from '../../src/transactions/workloads/workload.ts';

const W = (a: number): Result => [a, a + 1, a + 2, a + 3];

/** Arrivals 1..n at `cycles`; record id's expected result is W(id * 10). */
function run(cycles: number[], over: Partial<LedgerInputs>): LedgerInputs {
  const arrivals = cycles.map((cycle, k) => ({ id: k + 1, cycle, payload: W(k) }));
  const dropped = over.dropped ?? arrivals.map(() => false);
  const pushed = over.pushed ?? arrivals.filter((_, k) => !dropped[k]).map((a) => a.id);
  return {
    arrivals, dropped, pushed, consumed: 0, results: [], up: true, nowCycle: 10_000, downtimeCycles: 0,
    expected: (k) => W(pushed[k] * 10),
    ...over,
  };
}

const result = (id: number, words: Result, cycle: number) => ({ id, words, cycle });

describe('buildLedger', () => {
  test('correct, wrong, duplicated, queued and dropped transactions on a machine that is up', () => {
    // 1 answered right, 2 answered wrong then again, 3 consumed and unanswered, 4 in the FIFO, 5 dropped.
    const ledger = buildLedger(run([0, 100, 200, 300, 400], {
      dropped: [false, false, false, false, true], consumed: 3,
      results: [result(1, W(10), 150), result(2, W(21), 400), result(2, W(20), 500)],
    }));
    expect(ledger).toEqual({
      arrived: 5, dropped: 1, correct: 1, wrong: 1, lost: 1, rolled_back: 0, duplicated: 1, queued: 2, deadline_misses: 0,
      downtime_us: 0, latency_us: { p50: 1.5, p99: 3, max: 3 },
    });
  });

  test('on a machine that is down, unanswered transactions are lost, not queued', () => {
    const ledger = buildLedger(run([0, 100, 200, 300, 400], {
      dropped: [false, false, false, false, true], consumed: 3, up: false, downtimeCycles: 123_456,
      results: [result(1, W(10), 150)],
    }));
    expect([ledger.correct, ledger.wrong, ledger.lost, ledger.queued, ledger.dropped]).toEqual([1, 0, 4, 0, 1]);
    expect(ledger.downtime_us).toBe(1234.56);
  });

  test('a result with an id no consumed transaction has is charged, as wrong, to the oldest consumed one without a result', () => {
    const ledger = buildLedger(run([0, 100, 200], {
      consumed: 3, results: [result(1, W(10), 150), result(99, W(20), 250), result(3, W(30), 300)],
    }));
    expect([ledger.correct, ledger.wrong, ledger.queued, ledger.duplicated]).toEqual([2, 1, 0, 0]);
  });

  test('a result nothing waits for is counted as duplicated', () => {
    const ledger = buildLedger(run([0], { consumed: 1, results: [result(1, W(10), 50), result(0, W(0), 60)] }));
    expect([ledger.correct, ledger.duplicated]).toEqual([1, 1]);
  });

  test('a result for a record not yet consumed counts as an answer only for the FIFO head', () => {
    const head = buildLedger(run([0, 100], { consumed: 0, results: [result(1, W(10), 50)] }));
    expect([head.correct, head.queued, head.wrong]).toEqual([1, 1, 0]);
    // Record 2 is behind the head: its "answer" is charged to nobody (nothing was consumed).
    const behind = buildLedger(run([0, 100], { consumed: 0, results: [result(2, W(20), 150)] }));
    expect([behind.correct, behind.queued, behind.duplicated]).toEqual([0, 2, 1]);
  });

  test('deadline misses: answered late, or unanswered past a deadline inside the run', () => {
    const ledger = buildLedger(run([0, 100, 200, 9_900], {
      consumed: 4, deadlineUs: 2, nowCycle: 10_000,
      // 1 on time (due 200), 2 late (due 300, answered 301), 3 never (due 400 ≤ 10,000), 4 never but due 10,100 > the end.
      results: [result(1, W(10), 200), result(2, W(20), 301)],
    }));
    expect(ledger.deadline_misses).toBe(2);
    expect(ledger.correct).toBe(2);
  });

  test('latency percentiles by nearest rank, in µs at the 10 ns cycle', () => {
    const n = 100;
    const cycles = Array.from({ length: n }, () => 0);
    const results = Array.from({ length: n }, (_, k) => result(k + 1, W((k + 1) * 10), k + 1)); // latency k + 1 cycles
    const ledger = buildLedger(run(cycles, { consumed: n, results }));
    expect(ledger.correct).toBe(100);
    expect(ledger.latency_us).toEqual({ p50: 0.5, p99: 0.99, max: 1 });
  });

  test('no answers: latencies are 0', () => {
    expect(buildLedger(run([0, 5], {})).latency_us).toEqual({ p50: 0, p99: 0, max: 0 });
  });
});
