/**
 * `lockstep bench` on the transaction workloads (src/transactions/workloads): transactions
 * answered per second of host time, and the serving CPU's MIPS, per topology — the lockstep
 * machines and the failover systems (the cluster checkpointing at its default interval, the
 * process pair running the pair-aware version of the workload, which checkpoints every
 * transaction) — fault-free, at BENCH_RATE arrivals per virtual second for BENCH_DURATION_US
 * of virtual time, as the median of several timed runs after a warm-up run; ratios against
 * simplex in the same invocation.
 */
import { median } from '../campaign/stats.ts';
import type { Program } from '../isa/program.ts';
import { NULL_CONSOLE } from '../machine/machine.ts';
import { TransactionFeed } from '../transactions/feed.ts';
import { variantOf } from '../transactions/workloads/index.ts';
import type { Workload } from '../transactions/workloads/workload.ts';
import { createService, type ServiceTopology } from '../system/index.ts';
import { workloadProgram } from './workload-program.ts';

export const BENCH_RATE = 10_000;
export const BENCH_DURATION_US = 1_000_000;

export interface TransactionBenchResult {
  workload: string;
  topology: ServiceTopology;
  /** The workload the topology ran: the process pair runs the pair-aware version. */
  ran: string;
  /** Transactions answered in one run (all of them correct: the run is fault-free). */
  transactions: number;
  instructions: number;
  /** Median transactions answered per second of host time. */
  tps: number;
  tps_runs: number[];
  /** The serving CPU's instructions per µs of host time (median run), checkpoints included. */
  mips: number;
  /** tps / simplex tps on the same workload in the same invocation. */
  vs_simplex: number | null;
}

/** The workload a topology runs: a process pair, the pair-aware version (undefined if there is none). */
function workloadOn(workload: Workload, topology: ServiceTopology): Workload | undefined {
  return topology === 'process-pair' ? variantOf(workload, 'pair-aware') : workload;
}

async function timeWorkload(workload: Workload, program: Program, topology: ServiceTopology) {
  const { service } = await createService(program, { topology, console: NULL_CONSOLE });
  const feed = new TransactionFeed(service, { workload, durationUs: BENCH_DURATION_US, rate: BENCH_RATE });
  const start = performance.now();
  feed.advance();
  const ms = performance.now() - start;
  const ledger = feed.ledger();
  if (ledger.wrong + ledger.lost + ledger.duplicated > 0) {
    throw new Error(`bench workload ${workload.name} on ${topology} was not served correctly: ${JSON.stringify(ledger)}`);
  }
  return { transactions: ledger.correct, instructions: service.instret, ms };
}

/** Measures `workloads` on `topologies` (simplex first for the ratios); `print` writes table rows as they come. */
export async function benchTransactions(
  workloads: readonly Workload[], topologies: readonly ServiceTopology[], runs: number,
  print: boolean, programOf: (w: Workload) => Program = workloadProgram,
): Promise<TransactionBenchResult[]> {
  const results: TransactionBenchResult[] = [];
  for (const workload of workloads) {
    let simplex: number | undefined;
    for (const topology of topologies) {
      const ran = workloadOn(workload, topology);
      if (!ran) continue;
      const program = programOf(ran);
      await timeWorkload(ran, program, topology); // warm-up
      const timed = [];
      for (let k = 0; k < runs; k++) timed.push(await timeWorkload(ran, program, topology));
      const tpsRuns = timed.map((t) => Math.round(t.transactions / (t.ms / 1000)));
      const tps = median(tpsRuns);
      const middle = timed[tpsRuns.indexOf(tps)];
      if (topology === 'simplex') simplex = tps;
      const row: TransactionBenchResult = {
        workload: workload.name, topology, ran: ran.name, transactions: timed[0].transactions, instructions: timed[0].instructions,
        tps, tps_runs: tpsRuns, mips: Math.round((middle.instructions / middle.ms / 1000) * 10) / 10,
        vs_simplex: simplex ? Math.round((tps / simplex) * 1000) / 1000 : null,
      };
      results.push(row);
      if (print) printRow(row, results.length === 1);
    }
  }
  return results;
}

function printRow(r: TransactionBenchResult, header: boolean): void {
  if (header) {
    process.stdout.write(`\ntransactions: ${BENCH_RATE}/s for ${BENCH_DURATION_US / 1000} ms of virtual time, fault-free\n`);
    process.stdout.write(`${'workload'.padEnd(22)}${'topology'.padEnd(14)}${'answered'.padStart(10)}${'instructions'.padStart(14)}${'tx/s host'.padStart(12)}${'MIPS'.padStart(8)}${'× simplex'.padStart(11)}\n`);
  }
  const ratio = r.vs_simplex === null ? '-' : r.vs_simplex.toFixed(2);
  process.stdout.write(
    `${r.ran.padEnd(22)}${r.topology.padEnd(14)}${r.transactions.toLocaleString('en-US').padStart(10)}${r.instructions.toLocaleString('en-US').padStart(14)}${r.tps.toLocaleString('en-US').padStart(12)}${r.mips.toFixed(1).padStart(8)}${ratio.padStart(11)}\n`,
  );
}
