/**
 * Transactions (DESIGN §2, §6; TXPORT.md): arrival processes, the feed that runs a machine
 * through a workload on the virtual clock, the workloads' interface and registry, and the
 * ledger.
 */
export type { Workload, WorkloadName, ReferenceModel, Payload, Result, ArrivalKind, ApplicationChanges } from './workloads/workload.ts';
export { arrivalStream, parseTrace, checkRate, TraceError, DEFAULT_RATE, MAX_RATE, type Arrival, type TraceArrival, type ArrivalSettings } from './arrivals.ts';
export { buildLedger, ModelReplay, type Ledger, type LedgerInputs } from './ledger.ts';
export { TransactionFeed, runWorkload, checkFeedOptions, DEFAULT_FIFO_DEPTH, DEFAULT_SEED, type FeedOptions, type FeedProgress } from './feed.ts';
export { parseDuration, usToCycles, cyclesToUs, CYCLES_PER_US, MAX_DURATION_US } from './time.ts';
export { WORKLOADS, workloadByName, variantOf, rewritten } from './workloads/index.ts';
export type { TransactionRecord, TransactionResult } from '../machine/txport.ts';
export { feedOptionsFor, resolveWorkloadSettings, DEFAULT_WORKLOAD_DURATION, type WorkloadSettings, type ResolvedWorkloadSettings } from './settings.ts';
