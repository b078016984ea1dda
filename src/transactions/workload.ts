/**
 * What a transaction workload is (TXPORT.md): a guest program that serves the transaction
 * port, how its transactions arrive, what they carry, and a reference model that says what
 * each result must be. The three shipped workloads live in workloads/ and are listed in
 * workloads/index.ts.
 */
import type { Random } from '../fault/random.ts';

/** Four u32 words: a record's payload or a result's words (signed values in two's complement, `>>> 0`). */
export type Words = [number, number, number, number];
/** The four payload words of an input record (RX_DATA0..3), as a model reads them. */
export type Payload = readonly [number, number, number, number];
/** The four words of a result record (TX_DATA0..3). */
export type Result = Words;

/** How a workload's transactions arrive when no trace file is given. */
export type ArrivalKind = { kind: 'poisson' } | { kind: 'periodic'; periodUs: number };

export interface Workload {
  /** The name users type (`--workload NAME`). */
  readonly name: string;
  /** The guest program: a file name under examples/, assembled by our assembler. */
  readonly source: string;
  /** 'poisson' at the user's rate (per virtual second), or 'periodic' every periodUs. */
  readonly arrivals: ArrivalKind;
  /** Payload of the next record, drawn from the run's seeded payload Random. */
  payload(random: Random): Words;
  /** A fresh reference model in the state the guest program starts in. */
  createModel(): ReferenceModel;
  /** Deadline of a record after its arrival, in virtual µs (process-control), or undefined. */
  readonly deadlineUs?: number;
}

export interface ReferenceModel {
  /**
   * The four result words the guest must emit for this consumed record, applied to the
   * consumed records in the order the machine consumed them (ids are checked by the ledger).
   */
  apply(payload: Payload): Result;
}
