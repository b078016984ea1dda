/**
 * The contract between a transaction workload, the host's arrival process and the ledger
 * (/work/wt/TXPORT.md, issue 10). A workload is a guest program in examples/ that reads
 * records from the transaction input port and answers each with one result record, plus the
 * reference model that says what every answer must be.
 *
 * Every payload and result word is a u32 (JavaScript numbers in 0..2^32-1; signed quantities
 * are stored in two's complement, `>>> 0`).
 */
import type { Random } from '../../fault/random.ts';

export type WorkloadName = 'card-auth' | 'telco-hlr' | 'process-control';

/** The four payload words of an input record (RX_DATA0..3). */
export type Payload = readonly [number, number, number, number];

/** The four words of a result record (TX_DATA0..3). */
export type Result = [number, number, number, number];

export interface Workload {
  readonly name: WorkloadName;
  /** The guest program: examples/<name>.s, assembled by our assembler. */
  readonly source: string;
  /** Arrivals: 'poisson' at the user's rate (per virtual second), or 'periodic' every periodUs. */
  readonly arrivals: { kind: 'poisson' } | { kind: 'periodic'; periodUs: number };
  /** Payload of the next record, drawn from the run's seeded Random (src/fault/random.ts). */
  payload(random: Random): [number, number, number, number];
  /** A fresh reference model in the state the guest program starts in. */
  createModel(): ReferenceModel;
  /** Deadline of a record after its arrival, in virtual µs (process-control), or undefined. */
  readonly deadlineUs?: number;
}

export interface ReferenceModel {
  /** The four result words the guest must emit for this consumed record (ids are checked by the ledger). */
  apply(payload: Payload): Result;
}
