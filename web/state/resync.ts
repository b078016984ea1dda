/**
 * Progress of resyncs in flight, for the progress bar under a replaced board. A precopy
 * resync's first round copies all of RAM while the machine runs, one instruction per cycle
 * (src/machine/resync.ts): it lasts RAM bytes / copy bandwidth instructions, and takes most
 * of the time; later rounds copy the pages written meanwhile and are short. So the bar shows
 * round 1 as its first 90 % and each later round as half of what is left.
 */
import type { MachineEvent } from '../../src/machine/events.ts';
import type { ModuleState } from '../../src/machine/machine.ts';
import { count } from './format.ts';

export const PAGE_SIZE = 4096;

export interface ResyncProgress {
  modules: number[];
  /** Instruction at which the replacement (or re-admission) began. */
  startedAt: number;
  /** Rounds finished so far. */
  rounds: number;
  /** 0..1. */
  fraction: number;
  label: string;
}

export interface ResyncSetup {
  ramMiB: number;
  /** Copy bandwidth, bytes per cycle (the machine's default is 8). */
  bytesPerCycle: number;
}

export function resyncProgress(
  events: readonly MachineEvent[], instret: number, states: readonly ModuleState[], setup: ResyncSetup,
): ResyncProgress[] {
  const active: ResyncProgress[] = [];
  for (const e of events) {
    if (e.kind === 'replace' || e.kind === 'readmit') {
      const open = active.find((p) => p.startedAt === e.instret && p.rounds === 0);
      if (open) open.modules.push(e.module);
      else active.push({ modules: [e.module], startedAt: e.instret, rounds: 0, fraction: 0, label: '' });
    } else if (e.kind === 'resync-round') {
      const p = active.find((a) => a.modules.includes(e.module));
      if (p) p.rounds = e.round;
    } else if (e.kind === 'resync-done') {
      const index = active.findIndex((a) => a.modules.includes(e.module));
      if (index >= 0) active.splice(index, 1);
    }
  }
  const firstRound = (setup.ramMiB * 1024 * 1024) / setup.bytesPerCycle;
  return active
    .filter((p) => p.modules.some((m) => states[m] === 'resyncing'))
    .map((p) => {
      const fraction = p.rounds === 0
        ? 0.9 * Math.min(1, Math.max(0, instret - p.startedAt) / firstRound)
        : 1 - 0.1 * 0.5 ** p.rounds;
      const round = p.rounds + 1;
      const what = round === 1
        ? `copying all ${count((setup.ramMiB * 1024 * 1024) / PAGE_SIZE)} pages of RAM`
        : 'copying the pages written meanwhile';
      return { ...p, fraction, label: `Resync round ${round}: ${what} (${Math.floor(fraction * 100)} %)` };
    });
}
