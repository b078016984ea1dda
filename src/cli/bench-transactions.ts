/**
 * `lockstep bench` on the transaction workloads (src/transactions/workloads): transactions
 * answered per second of host time, and the serving CPU's MIPS, per topology — the lockstep
 * machines and the failover systems (the cluster checkpointing at its default interval, the
 * process pair running the pair-aware version of the workload, which checkpoints every
 * transaction) — fault-free, at BENCH_RATE arrivals per virtual second for BENCH_DURATION_US
 * of virtual time, as the median of several timed runs after a warm-up run; ratios against
 * simplex in the same invocation. The failover systems are measured a second time without
 * checkpoints: their serving host between checkpoints. A fault-free run answers every record
 * it accepts, rightly and once, or the bench fails; arrivals its FIFO cannot hold while it
 * falls behind are dropped, and each row reports them (a cluster that checkpoints a
 * write-heavy start: see README, `lockstep bench`). Times are the process's CPU time (user + system): on a
 * shared machine they vary less than wall time, and the runs are single-threaded.
 */
import { median } from '../campaign/stats.ts';
import type { Program } from '../isa/program.ts';
import { NULL_CONSOLE } from '../machine/machine.ts';
import { TransactionFeed } from '../transactions/feed.ts';
import { variantOf } from '../transactions/workloads/index.ts';
import type { Workload } from '../transactions/workloads/workload.ts';
import { createService, isSystemTopology, type ServiceTopology } from '../system/index.ts';
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
  /** Arrivals the FIFO could not hold in one run (the runs are deterministic: the same in each). */
  dropped: number;
  instructions: number;
  /** Median transactions answered per second of host time. */
  tps: number;
  tps_runs: number[];
  /** The serving CPU's instructions per µs of host time (median run), checkpoints included. */
  mips: number;
  /** tps / simplex tps on the same workload in the same invocation. */
  vs_simplex: number | null;
  /** mips / simplex mips on the same workload in the same invocation. */
  mips_vs_simplex: number | null;
  /** A failover system run without checkpoints: what its serving host costs between them. */
  between_checkpoints: boolean;
}

/**
 * A setup to measure: a topology, and whether it runs without checkpoints — the cluster with
 * an interval no run reaches, the process pair on the workload's own version, which sends
 * none — to measure what the serving host costs between checkpoints.
 */
interface Measured {
  topology: ServiceTopology;
  betweenCheckpoints: boolean;
}

function measuredSetups(topologies: readonly ServiceTopology[]): Measured[] {
  return topologies.flatMap((topology): Measured[] => isSystemTopology(topology)
    ? [{ topology, betweenCheckpoints: false }, { topology, betweenCheckpoints: true }]
    : [{ topology, betweenCheckpoints: false }]);
}

/** The workload a setup runs: a process pair that checkpoints, the pair-aware version (undefined if there is none). */
function workloadOn(workload: Workload, { topology, betweenCheckpoints }: Measured): Workload | undefined {
  return topology === 'process-pair' && !betweenCheckpoints ? variantOf(workload, 'pair-aware') : workload;
}

async function timeWorkload(workload: Workload, program: Program, { topology, betweenCheckpoints }: Measured) {
  const failover = betweenCheckpoints ? { checkpointEvery: Number.MAX_SAFE_INTEGER } : undefined;
  const { service } = await createService(program, { topology, console: NULL_CONSOLE, failover });
  const feed = new TransactionFeed(service, { workload, durationUs: BENCH_DURATION_US, rate: BENCH_RATE });
  const start = process.cpuUsage();
  feed.advance();
  const used = process.cpuUsage(start);
  const ms = (used.user + used.system) / 1000;
  const ledger = feed.ledger();
  if (ledger.wrong + ledger.duplicated + ledger.lost - ledger.dropped > 0) {
    throw new Error(`bench workload ${workload.name} on ${topology} was not served correctly: ${JSON.stringify(ledger)}`);
  }
  return { transactions: ledger.correct, dropped: ledger.dropped, instructions: service.instret, ms };
}

/**
 * Measures `workloads` on `topologies` (simplex first for the ratios); `print` writes table
 * rows once a workload is measured. Every setup of a workload is warmed up before any is
 * timed, and the timed runs take turns (one of each setup, `runs` times), so that neither
 * the JIT's state nor a change in the machine's load favours the setups measured first.
 */
export async function benchTransactions(
  workloads: readonly Workload[], topologies: readonly ServiceTopology[], runs: number,
  print: boolean, programOf: (w: Workload) => Program = workloadProgram,
): Promise<TransactionBenchResult[]> {
  const results: TransactionBenchResult[] = [];
  for (const workload of workloads) {
    const setups = measuredSetups(topologies).flatMap((setup) => {
      const ran = workloadOn(workload, setup);
      return ran ? [{ ...setup, ran, program: programOf(ran), timed: [] as Awaited<ReturnType<typeof timeWorkload>>[] }] : [];
    });
    for (const s of setups) await timeWorkload(s.ran, s.program, s); // warm-up
    for (let k = 0; k < runs; k++) {
      for (const s of setups) s.timed.push(await timeWorkload(s.ran, s.program, s));
    }
    let simplex: { tps: number; mips: number } | undefined;
    for (const { topology, ran, timed, betweenCheckpoints } of setups) {
      const tpsRuns = timed.map((t) => Math.round(t.transactions / (t.ms / 1000)));
      const tps = median(tpsRuns);
      const middle = timed[tpsRuns.indexOf(tps)];
      const mips = Math.round((middle.instructions / middle.ms / 1000) * 10) / 10;
      if (topology === 'simplex') simplex = { tps, mips };
      const ratio = (value: number, base: number | undefined) => (base ? Math.round((value / base) * 1000) / 1000 : null);
      const row: TransactionBenchResult = {
        workload: workload.name, topology, ran: ran.name, transactions: timed[0].transactions, dropped: timed[0].dropped, instructions: timed[0].instructions,
        tps, tps_runs: tpsRuns, mips, vs_simplex: ratio(tps, simplex?.tps), mips_vs_simplex: ratio(mips, simplex?.mips),
        between_checkpoints: betweenCheckpoints,
      };
      results.push(row);
      if (print) printRow(row, results.length === 1);
    }
  }
  return results;
}

function printRow(r: TransactionBenchResult, header: boolean): void {
  if (header) {
    process.stdout.write(`\ntransactions: ${BENCH_RATE}/s for ${BENCH_DURATION_US / 1000} ms of virtual time, fault-free; host CPU time\n`);
    process.stdout.write(`${'workload'.padEnd(22)}${'topology'.padEnd(31)}${'answered'.padStart(10)}${'dropped'.padStart(9)}${'instructions'.padStart(14)}${'tx/s host'.padStart(12)}${'MIPS'.padStart(8)}${'tx/s × simplex'.padStart(16)}${'MIPS × simplex'.padStart(16)}\n`);
  }
  const ratio = (value: number | null) => (value === null ? '-' : value.toFixed(2));
  const topology = r.between_checkpoints ? `${r.topology} (no checkpoints)` : r.topology;
  process.stdout.write(
    `${r.ran.padEnd(22)}${topology.padEnd(31)}${r.transactions.toLocaleString('en-US').padStart(10)}${r.dropped.toLocaleString('en-US').padStart(9)}${r.instructions.toLocaleString('en-US').padStart(14)}${r.tps.toLocaleString('en-US').padStart(12)}${r.mips.toFixed(1).padStart(8)}${ratio(r.vs_simplex).padStart(16)}${ratio(r.mips_vs_simplex).padStart(16)}\n`,
  );
}
