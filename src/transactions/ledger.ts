/**
 * The transaction ledger (DESIGN §6): what became of every transaction that
 * arrived during a run, judged against the workload's reference model.
 *
 * Every arrival is exactly one of:
 * - correct: its first result has the reference model's words;
 * - wrong: its first result differs (silent data corruption), including a result that
 *   names no consumed transaction (a corrupted id): such a result is charged to the oldest
 *   consumed transaction that has no result of its own;
 * - lost: dropped at the full FIFO, never answered on a service that is down at the end, or
 *   rolled back: consumed, and its effect undone when a failover restored an older state
 *   (answered or not: an answer the service has forgotten is a lost transaction);
 * - queued: not answered yet at the end on a machine that is still up (waiting in the FIFO,
 *   or consumed and being processed).
 * so arrived = correct + wrong + lost + queued (checked every time a ledger is built).
 * duplicated counts results beyond the first for a transaction, and results that no
 * transaction is waiting for. deadline_misses (workloads with a deadline) counts arrivals
 * whose first result came after arrival + deadline, or that had none by a deadline that
 * fell within the run. Latency is arrival to first result.
 *
 * A result answers a consumed record (the guest pops a record, RX_POP, and emits its
 * result); a result for the record at the FIFO's head, emitted before the guest popped it,
 * counts as answering it too: the reference model takes that record next either way.
 */
import type { TransactionResult } from '../machine/txport.ts';
import type { Arrival } from './arrivals.ts';
import type { ReferenceModel, Result } from './workloads/workload.ts';
import { cyclesToUs, CYCLES_PER_US } from './time.ts';

/** The ledger as it appears in the JSON report (`ledger`). Counts are integers; times in virtual µs. */
export interface Ledger {
  arrived: number;
  dropped: number;
  correct: number;
  wrong: number;
  /** Includes dropped and rolled_back. */
  lost: number;
  /** Consumed records whose effects a failover rolled back (see the header). */
  rolled_back: number;
  duplicated: number;
  queued: number;
  deadline_misses: number;
  downtime_us: number;
  latency_us: { p50: number; p99: number; max: number };
}

/** What the feed knows at the moment the ledger is taken. */
export interface LedgerInputs {
  /** Every arrival so far, in id order (ids 1..n). */
  arrivals: readonly Arrival[];
  /** dropped[id - 1]: the arrival found the FIFO full. */
  dropped: readonly boolean[];
  /** Ids pushed into the FIFO, in order; the guest consumed the first `consumed` of them. */
  pushed: readonly number[];
  consumed: number;
  /** Every result the machine emitted, in emission order. */
  results: readonly TransactionResult[];
  /** The expected words of pushed[k], from the reference model (asked only for consumed records). */
  expected(k: number): Result;
  /** Whether the service can still produce results. */
  up: boolean;
  /** Ids of consumed records a failover rolled back (TransactionService.rolledBack). */
  rolledBack?: ReadonlySet<number>;
  /** The cycle the ledger is taken at (the end of the run). */
  nowCycle: number;
  deadlineUs?: number;
  /** Cycles during which the machine could produce no result (see TransactionFeed). */
  downtimeCycles: number;
}

/**
 * Replays a workload's reference model over the pushed records, in order, on demand: the
 * expected words of pushed[k] are known once the model has taken records 0..k. Taking
 * records in push order is taking them in consumption order, since the FIFO is a queue.
 */
export class ModelReplay {
  private readonly words: Result[] = [];
  constructor(private readonly model: ReferenceModel, private readonly payloadOf: (k: number) => readonly [number, number, number, number]) {}
  expected(k: number): Result {
    while (this.words.length <= k) {
      const next = this.model.apply(this.payloadOf(this.words.length)).map((w) => w >>> 0) as Result;
      this.words.push(next);
    }
    return this.words[k];
  }
}

const sameWords = (a: readonly number[], b: readonly number[]) => a[0] === b[0] && a[1] === b[1] && a[2] === b[2] && a[3] === b[3];

/** Nearest-rank percentile of ascending `sorted` (0 when empty). */
function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export function buildLedger(input: LedgerInputs): Ledger {
  const { arrivals, pushed, consumed, results } = input;
  const n = arrivals.length;
  // The records a result may answer: the consumed ones, plus the head if a result names it.
  const position = new Map<number, number>(); // id → index in pushed
  pushed.forEach((id, k) => position.set(id, k));
  const headId = consumed < pushed.length ? pushed[consumed] : undefined;
  const answerable = headId !== undefined && results.some((r) => r.id === headId) ? consumed + 1 : consumed;
  const first = new Map<number, TransactionResult>(); // pushed index → first result
  const misaddressed: TransactionResult[] = [];
  let duplicated = 0;
  for (const r of results) {
    const k = position.get(r.id);
    if (k === undefined || k >= answerable) misaddressed.push(r);
    else if (first.has(k)) duplicated++;
    else first.set(k, r);
  }
  const wrongByMisaddress = new Set<number>();
  let oldest = 0;
  for (const r of misaddressed) {
    while (oldest < answerable && first.has(oldest)) oldest++;
    if (oldest >= answerable) { duplicated++; continue; }
    first.set(oldest, r);
    wrongByMisaddress.add(oldest);
  }
  let correct = 0, wrong = 0, lost = 0, queued = 0, dropped = 0, rolledBack = 0, deadlineMisses = 0;
  const latencies: number[] = [];
  const deadlineCycles = input.deadlineUs === undefined ? undefined : input.deadlineUs * CYCLES_PER_US;
  for (let i = 0; i < n; i++) {
    const arrival = arrivals[i];
    let answer: TransactionResult | undefined;
    if (input.dropped[i]) {
      dropped++;
      lost++;
    } else if (input.rolledBack?.has(arrival.id)) {
      rolledBack++;
      lost++;
    } else {
      const k = position.get(arrival.id)!;
      answer = first.get(k);
      if (answer === undefined) {
        if (input.up) queued++;
        else lost++;
      } else if (!wrongByMisaddress.has(k) && sameWords(answer.words, input.expected(k))) {
        correct++;
      } else {
        wrong++;
      }
    }
    if (answer) latencies.push(answer.cycle - arrival.cycle);
    if (deadlineCycles !== undefined) {
      const due = arrival.cycle + deadlineCycles;
      if (answer ? answer.cycle > due : due <= input.nowCycle) deadlineMisses++;
    }
  }
  if (correct + wrong + lost + queued !== n) {
    throw new Error(`ledger identity broken: arrived ${n} ≠ correct ${correct} + wrong ${wrong} + lost ${lost} + queued ${queued}`);
  }
  latencies.sort((a, b) => a - b);
  return {
    arrived: n, dropped, correct, wrong, lost, rolled_back: rolledBack, duplicated, queued, deadline_misses: deadlineMisses,
    downtime_us: cyclesToUs(input.downtimeCycles),
    latency_us: {
      p50: cyclesToUs(percentile(latencies, 50)),
      p99: cyclesToUs(percentile(latencies, 99)),
      max: cyclesToUs(latencies.at(-1) ?? 0),
    },
  };
}
