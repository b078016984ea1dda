/**
 * The page's side of transaction workloads: whether the machine can run on, the
 * settings people start from, and the ledger's classes as the transaction strip shows them.
 */
import type { MachineStatus } from '../../src/worker/session.ts';
import type { Ledger } from '../../src/transactions/ledger.ts';
import type { WorkloadSettings } from '../../src/transactions/settings.ts';
import { DEFAULT_WORKLOAD_DURATION } from '../../src/transactions/settings.ts';

/**
 * Whether Run and Step can go on: a plain program until it halts; a workload run until the
 * end of its duration, since transactions go on arriving at a machine that is down.
 */
export function canRun(view: MachineStatus | undefined): boolean {
  if (!view) return false;
  return view.workload ? !view.workload.progress.done : view.halt === undefined;
}

/**
 * Settings a workload chosen on the page starts with: 20 ms of virtual time at 20,000
 * transactions a second (400 transactions, a few hundred thousand instructions), so a run
 * at full speed ends in about a second; people change them in the settings bar.
 */
export function defaultWorkloadSettings(name: string): WorkloadSettings {
  return { name, rate: 20_000, duration: '20ms', seed: 1, fifo: 64 };
}
export { DEFAULT_WORKLOAD_DURATION };

/**
 * The workload an example runs as: a workload's program as that workload (keeping the
 * settings people gave it, `current`, when it is the same one), any other program as none.
 */
export function exampleWorkload(example: { workload?: string }, current: WorkloadSettings | undefined): WorkloadSettings | undefined {
  if (example.workload === undefined) return undefined;
  return current?.name === example.workload ? current : defaultWorkloadSettings(example.workload);
}

export type LedgerClass = 'correct' | 'wrong' | 'lost' | 'dropped' | 'rolled_back' | 'duplicated' | 'queued' | 'deadline_misses' | 'downtime_us';

export interface LedgerClassInfo {
  field: LedgerClass;
  label: string;
  /** What it means, for the title and screen readers. */
  help: string;
  /** A count above zero means the machine failed its users: shown as an alarm, in words too. */
  alarm?: string;
}

/** The ledger's classes in the order the strip shows them (DESIGN §6). */
export const LEDGER_CLASSES: readonly LedgerClassInfo[] = [
  { field: 'correct', label: 'correct', help: 'answered as the reference model says' },
  { field: 'wrong', label: 'wrong', help: 'answered wrongly: silent data corruption', alarm: 'silent data corruption' },
  { field: 'lost', label: 'lost', help: 'never answered on a machine that is down, dropped, or rolled back by a failover', alarm: 'transactions lost' },
  { field: 'dropped', label: 'dropped', help: 'arrived at a full FIFO (counted in lost as well)' },
  { field: 'rolled_back', label: 'rolled back', help: 'taken, then undone when a failover restored an older checkpoint, answered or not (counted in lost as well)' },
  { field: 'duplicated', label: 'duplicated', help: 'results emitted more than once', alarm: 'duplicate results' },
  { field: 'queued', label: 'queued', help: 'waiting or in service on a machine that is up' },
  { field: 'deadline_misses', label: 'deadline misses', help: 'answered after their deadline, or not by it' },
  { field: 'downtime_us', label: 'downtime', help: 'virtual time during which no result could be produced' },
];

/** A ledger value as the strip shows it: counts with separators, downtime in µs or ms. */
export function ledgerValue(ledger: Ledger, field: LedgerClass): string {
  const value = ledger[field];
  if (field !== 'downtime_us') return value.toLocaleString('en-US');
  return virtualTime(value);
}

/** Virtual µs as people read them: 850 µs, 12.35 ms, 2.000 s. */
export function virtualTime(us: number): string {
  if (us < 1000) return `${Number(us.toFixed(2))} µs`;
  if (us < 1e6) return `${(us / 1000).toFixed(2)} ms`;
  return `${(us / 1e6).toFixed(3)} s`;
}
