/**
 * Time travel and the fault-free twin as the page sees them (the worker's side is
 * src/worker/time-travel.ts and twin.ts): whether this machine has the twin, where the jump
 * buttons land, the page's state to forget when the machine goes back, and the twin's
 * registers against the modules'.
 */
import type { HistoryStatus, MachineView, TwinView } from '../../src/worker/session.ts';
import type { ServiceTopology } from '../../src/system/index.ts';
import { isSystemTopology } from '../../src/system/settings.ts';
import type { WorkloadSettings } from '../../src/transactions/settings.ts';
import type { RegisterRow } from './diff.ts';
import type { UiState } from './controller.ts';
import { stillPending } from './faults.ts';

export type Landmark = 'injection' | 'difference' | 'detection';

export const LANDMARKS: readonly { landmark: Landmark; label: string; icon: string; missing: string }[] = [
  { landmark: 'injection', label: 'Injection', icon: '⚡', missing: 'No fault has taken effect yet' },
  { landmark: 'difference', label: 'First difference', icon: '≠', missing: 'Nothing differs yet: the modules agree, and the output has not parted from the fault-free run\'s (the twin shows where it does)' },
  { landmark: 'detection', label: 'Detection', icon: '⚠', missing: 'Nothing has been detected yet' },
];

/** Why this machine has no fault-free twin (it is for plain programs), or undefined. */
export function twinUnavailable(workload: WorkloadSettings | undefined): string | undefined {
  return workload ? 'The twin is for plain programs: a transaction workload is judged by its reference model, result by result, in the ledger.' : undefined;
}

/** Why the jump to `landmark` has nowhere to go on `topology` (a failover system compares nothing), or undefined. */
export function landmarkMissing(landmark: Landmark, topology: ServiceTopology): string {
  if (landmark === 'difference' && isSystemTopology(topology)) return `A ${topology}'s hosts are not compared: no difference is ever found (the ledger counts the wrong answers)`;
  return LANDMARKS.find((l) => l.landmark === landmark)!.missing;
}

/** Whether the jump to `landmark` has somewhere to go in `view`'s history. */
export function landmarkKnown(landmark: Landmark, view: MachineView): boolean {
  const history = view.history;
  if (!history) return false;
  switch (landmark) {
    case 'injection': return history.injection !== undefined;
    case 'detection': return history.detection !== undefined;
    case 'difference': return history.divergence !== undefined || view.parting !== undefined;
  }
}

/**
 * The page's state after going to `view`'s instruction: what it gathered from the views
 * along the way (events, timeline, console text, the verdict) starts over from that view,
 * which carries all of it; the faults still to come there are pending again.
 */
export function rewoundState(view: MachineView): Partial<UiState> {
  const applied = new Set([...view.events, ...(view.failover?.events ?? [])].flatMap((e) => (e.kind === 'inject' ? [e.fault] : [])));
  return {
    events: [], systemEvents: [], timeline: [], console: '', consoleStart: 0, twinConsole: '', twinConsoleStart: 0,
    selectedEntry: undefined, flash: undefined, resync: [], verdict: undefined, expectation: undefined, selected: undefined, message: undefined,
    pending: (view.history?.faults ?? []).filter((f) => !applied.has(f) && stillPending(f, view)),
  };
}

/** "3.4 MB" */
function megabytes(bytes: number): string {
  return `${(bytes / 1e6).toLocaleString('en-US', { maximumFractionDigits: 1 })} MB`;
}

/** Where the machine is in its history, in words. */
export function historyText(view: MachineView, history: HistoryStatus): string {
  const count = (n: number) => n.toLocaleString('en-US');
  const what = view.workload ? 'faults, arrivals and failovers' : 'faults and input';
  const at = view.instret < history.present
    ? `Replaying the recorded run: instruction ${count(view.instret)} of ${count(history.present)}. Running on makes the same ${what} again; a new fault, replacement or input here starts a new history from this instruction.`
    : `At the present, instruction ${count(view.instret)}.`;
  const kept = history.enabled
    ? ` ${history.checkpoints} checkpoint${history.checkpoints === 1 ? '' : 's'} kept (${megabytes(history.bytes)}), one every ${count(history.interval)} instructions as the run goes.`
    : ' No checkpoints are kept: going back replays from the start.';
  return at + kept;
}

/** A register row's twin cell: its value, and per module the bits that differ from it (0 when equal). */
export interface TwinCell {
  value: number;
  masks: number[];
  /** Some online module holds another value than the fault-free twin. */
  differs: boolean;
}

/**
 * The twin is behind the machine: it runs free and the twin, a few time slices behind, has not
 * got to its instruction yet (it has not halted short of it either). Its values are then of
 * another instruction, and not compared with the modules'.
 */
export function twinBehind(view: Pick<MachineView, 'running' | 'instret'>, twin: Pick<TwinView, 'instret' | 'halt'>): boolean {
  return view.running && twin.instret < view.instret && twin.halt === undefined;
}

/** `compared` false: the twin is behind (twinBehind), its cell shows its value and no module differs from it. */
export function twinCell(row: RegisterRow, twin: TwinView, states: readonly string[], compared = true): TwinCell {
  const value = twinValue(row.target, twin);
  const masks = row.values.map((v) => (compared ? (v ^ value) >>> 0 : 0));
  return { value, masks, differs: masks.some((mask, k) => mask !== 0 && states[k] === 'online') };
}

function twinValue(target: string, twin: TwinView): number {
  if (target === 'pc') return twin.pc;
  const reg = /^x(\d+)$/.exec(target);
  if (reg) return twin.regs[Number(reg[1])] ?? 0;
  return twin.csrs[target] ?? 0;
}
