/**
 * `lockstep bench` on transaction workloads: one row per workload and topology, simplex first
 * and the ratios against it, every transaction answered (no timing is asserted).
 */
import { expect, test, vi } from 'vitest';
import { benchTransactions, BENCH_RATE, BENCH_DURATION_US } from '../../src/cli/bench-transactions.ts';
import { echoWorkload, ECHO_POLLING, ECHO_WFI } from '../helpers/echo-workload.ts';
import { assembleOrThrow } from '../helpers/machine.ts';
import { arrivalStream } from '../../src/transactions/index.ts';

test('rows per topology, simplex first, transactions per host second and the ratio against simplex', async () => {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const rows = await benchTransactions([echoWorkload], ['simplex', 'tmr'], 1, true, () => assembleOrThrow(ECHO_WFI));
  const printed = write.mock.calls.map((c) => String(c[0])).join('');
  write.mockRestore();
  const arrived = [...arrivalStream({ workload: echoWorkload, endCycle: BENCH_DURATION_US * 100, rate: BENCH_RATE, seed: 1 })].length;
  expect(rows.map((r) => [r.workload, r.topology])).toEqual([['echo', 'simplex'], ['echo', 'tmr']]);
  for (const r of rows) {
    expect(r.transactions).toBeGreaterThanOrEqual(arrived - 1); // all answered but perhaps the last
    expect(r.dropped).toBe(0);
    expect(r.tps_runs).toHaveLength(1);
    expect(r.tps).toBe(r.tps_runs[0]);
  }
  expect(rows[0].vs_simplex).toBe(1);
  expect(rows[1].vs_simplex).toBeCloseTo(rows[1].tps / rows[0].tps, 2);
  expect(rows[1].mips_vs_simplex).toBeCloseTo(rows[1].mips / rows[0].mips, 2);
  expect(rows[1].instructions).toBe(rows[0].instructions);
  expect(printed).toContain(`transactions: ${BENCH_RATE}/s for ${BENCH_DURATION_US / 1000} ms of virtual time, fault-free`);
});

test('the failover systems are measured twice: checkpointing, and without checkpoints (the serving host between them)', async () => {
  const write = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  const rows = await benchTransactions([echoWorkload], ['simplex', 'cluster', 'process-pair'], 1, true, () => assembleOrThrow(ECHO_WFI));
  const printed = write.mock.calls.map((c) => String(c[0])).join('');
  write.mockRestore();
  expect(rows.map((r) => [r.topology, r.between_checkpoints])).toEqual([['simplex', false], ['cluster', false], ['cluster', true], ['process-pair', true]]);
  expect(rows[3].ran).toBe('echo'); // echo has no pair-aware version: the checkpointing pair is not measured
  expect(printed).toContain('cluster (no checkpoints)');
  expect(printed).toContain('process-pair (no checkpoints)');
  // Without checkpoints the serving host never stalls for a copy: it executes what simplex executes.
  for (const r of [rows[2], rows[3]]) {
    expect(r.instructions).toBe(rows[0].instructions);
    expect(r.transactions).toBe(rows[0].transactions);
  }
});

test('a service that falls behind drops the arrivals its FIFO cannot hold, and the row reports them', async () => {
  // The polling echo after a wait of 2·D instructions (one a cycle): it takes its first record
  // within 20 cycles of 2·D; every arrival before that beyond the FIFO's 64 records is
  // dropped, and it keeps up from then on (a record costs ~225 cycles, they come ~10,000 apart).
  const D = 500_000;
  const late = assembleOrThrow(ECHO_POLLING.replace('poll:', `        li      t0, ${D}\nwait:   addi    t0, t0, -1\n        bnez    t0, wait\npoll:`));
  const arrivals = [...arrivalStream({ workload: echoWorkload, endCycle: BENCH_DURATION_US * 100, rate: BENCH_RATE, seed: 1 })];
  expect(arrivals.filter((a) => a.cycle >= 2 * D && a.cycle < 2 * D + 20)).toEqual([]); // setup: none arrives as it starts
  const early = arrivals.filter((a) => a.cycle < 2 * D).length;
  expect(early).toBeGreaterThan(64);
  const [row] = await benchTransactions([echoWorkload], ['simplex'], 1, false, () => late);
  expect(row.dropped).toBe(early - 64);
  expect(row.transactions).toBeGreaterThanOrEqual(arrivals.length - row.dropped - 1); // the rest answered but perhaps the last
});
