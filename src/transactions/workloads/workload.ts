/**
 * The contract between a transaction workload, the host's arrival process and the ledger
 * (TXPORT.md): a guest program that serves the transaction port, how its
 * transactions arrive, what they carry, and a reference model that says what each result
 * must be. Every payload and result word is a u32 (0..2^32-1).
 */
import type { Random } from '../../fault/random.ts';

/**
 * The name users type (`--workload NAME`). Any string: the shipped workloads are listed in
 * index.ts, and tests define their own (tests/helpers/echo-workload.ts).
 */
export type WorkloadName = string;

/** The four payload words of an input record (RX_DATA0..3). */
export type Payload = readonly [number, number, number, number];

/** The four words of a result record (TX_DATA0..3). */
export type Result = [number, number, number, number];

/** How a workload's transactions arrive when no trace file is given. */
export type ArrivalKind = { kind: 'poisson' } | { kind: 'periodic'; periodUs: number };

/**
 * What the application had to change so that a fault-tolerant system keeps its transactions
 * (DESIGN §1): 'none', it runs as written (as on a lockstep machine); 'pair-aware', it is
 * rewritten Tandem style for a NonStop process pair, checkpointing its updates to the backup
 * through the checkpoint device before it answers.
 */
export type ApplicationChanges = 'none' | 'pair-aware';

/** The rewrites of an application, and the suffix of the workload's name and program file each gives. */
const REWRITE_SUFFIX: { readonly [C in Exclude<ApplicationChanges, 'none'>]: string } = { 'pair-aware': 'pair' };

export interface Workload {
  readonly name: WorkloadName;
  /** The guest program: a file name under examples/, assembled by our assembler. */
  readonly source: string;
  /** Arrivals: 'poisson' at the user's rate (per virtual second), or 'periodic' every periodUs. */
  readonly arrivals: ArrivalKind;
  /** Payload of the next record, drawn from the run's seeded payload Random (src/fault/random.ts). */
  payload(random: Random): [number, number, number, number];
  /** A fresh reference model in the state the guest program starts in. */
  createModel(): ReferenceModel;
  /** Deadline of a record after its arrival, in virtual µs (process-control), or undefined. */
  readonly deadlineUs?: number;
  /**
   * Live data that answering `payload` reads: a RAM word of the guest program (by symbol and
   * byte offset) and a bit whose flip changes the answer — where `lockstep compare` puts its
   * transient fault. Undefined if this record reads no state (e.g. an unknown account).
   */
  liveWord?(payload: Payload): LiveWord | undefined;
  /** What the application had to change; a workload other than 'none' is a rewrite of `original`. */
  readonly applicationChanges: ApplicationChanges;
  /** For a rewrite: the workload as written, whose arrivals, payloads and reference model it shares. */
  readonly original?: Workload;
}

export interface LiveWord {
  symbol: string;
  /** Bytes from the symbol, a multiple of 4. */
  offset: number;
  bit: number;
}

/**
 * `workload`'s application rewritten with `changes`: the workload `<name>-<suffix>` (for
 * 'pair-aware', card-auth-pair) whose guest program is examples/<name>-<suffix>.s. It shares
 * everything else with the original — arrivals, payloads, deadline and reference model —
 * since a rewrite must give the same answers to the same transactions.
 */
export function rewritten(workload: Workload, changes: Exclude<ApplicationChanges, 'none'>): Workload {
  if (workload.applicationChanges !== 'none') {
    throw new RangeError(`workload ${workload.name} is already rewritten (${workload.applicationChanges}): rewrite ${workload.original?.name ?? 'the original'} instead`);
  }
  const name = `${workload.name}-${REWRITE_SUFFIX[changes]}`;
  return { ...workload, name, source: `${name}.s`, applicationChanges: changes, original: workload };
}

export interface ReferenceModel {
  /**
   * The four result words the guest must emit for this consumed record, applied to the
   * consumed records in the order the machine consumed them (ids are checked by the ledger).
   */
  apply(payload: Payload): Result;
}
