/**
 * A rig's whole state (rig.ts), for time travel (time-travel.ts): what goes on from it is
 * exactly what would have gone on from the moment it was taken.
 *
 * - the snapshot of every machine (Machine.snapshot): the lockstep machine, or both hosts of
 *   a failover system — the serving one, and the standby or backup with the checkpoint copy
 *   it holds (a dead host too: its state is what a takeover leaves behind);
 * - the service's own state (TransactionService.saveState): for a failover system its phase
 *   (serving, outage, down) and the heartbeats' and takeover's times, the network's queue,
 *   the records fed and acknowledged, the receiver's tables, its faults, events and counters;
 * - with a workload, its feed (the arrivals delivered, dropped and pushed, the results, the
 *   clock, faults at a virtual time still to come) — the ledger is built from these.
 *
 * Restoring puts the state back into the same objects (Machine.restore keeps each machine's
 * core instance, console and hooks: a process pair's checkpoint device still reaches the
 * system).
 */
import type { ServiceState } from '../transactions/service.ts';
import type { Rig } from './rig.ts';
import type { WorkloadRun, WorkloadState } from './workload-run.ts';

export interface RigState {
  /** Snapshots of Rig.machines, in order. */
  machines: ArrayBuffer[];
  service: ServiceState;
  workload?: WorkloadState;
  /** Bytes it holds: the snapshots, and 8 bytes a slot of the lists and tables it copied (their items are shared with the run, as the feed's lists are: FeedState). */
  bytes: number;
}

/** The state of `rig` and of the workload that drives it, if any, now. */
export function saveRig(rig: Rig, workload?: WorkloadRun): RigState {
  const machines = rig.machines.map((m) => m.snapshot());
  const service = rig.service.saveState();
  const state = workload?.saveState();
  const slots = service.slots + (state?.feed.timed.length ?? 0);
  return {
    machines, service, ...(state ? { workload: state } : {}),
    bytes: machines.reduce((n, b) => n + b.byteLength, 0) + 8 * slots,
  };
}

/** Puts `rig` (and `workload`) back in `state`, which saveRig() took of them. */
export function restoreRig(rig: Rig, state: RigState, workload?: WorkloadRun): void {
  rig.machines.forEach((m, k) => m.restore(state.machines[k]));
  rig.service.restoreState(state.service);
  if (workload && state.workload) workload.restoreState(state.workload);
}
