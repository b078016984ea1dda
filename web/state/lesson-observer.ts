/**
 * The lesson player's eyes on the machine: turns the page's successive states (UiState, as
 * the controller replaces them) into the observations the goal checker takes
 * (src/lessons/goals.ts), the same ones the headless player (src/lessons/play.ts) feeds it:
 *
 * - `begin(state)`, when a step starts checking: a look at the machine as it is — its
 *   registers, the console so far — and, if the run is over, its end (outcome or ledger,
 *   then the end). Events that happened before are not the step's events.
 * - `take(state)`, after every change: the machine and failover events that arrived, the
 *   console text that is new, a look at the registers whenever a detailed view of a stopped
 *   machine arrives (a pause, a step, the end), and once the run is over its end — once.
 *
 * A new run of the machine (state.run changed: a reset, a load, a new machine) starts the
 * stream afresh from its first event; `take` says so, since a new run needs a new checker.
 */
import type { Observation } from '../../src/lessons/goals.ts';
import type { UiState } from './controller.ts';

/** What the observer reads of the page's state. */
export type RunState = Pick<UiState, 'run' | 'events' | 'systemEvents' | 'console' | 'consoleStart' | 'view' | 'verdict' | 'detailed'>;

export interface Taken {
  /** The state shows a run other than the one observed so far: the observations are its, from its start. */
  newRun: boolean;
  observations: Observation[];
}

export class RunObserver {
  private run = -1;
  private events = 0;
  private systemEvents = 0;
  /** Index in the whole console output up to which text has been observed. */
  private consoleSeen = 0;
  private ended = false;
  private lastView: RunState['view'];

  /** Starts observing at `state`: the look at the machine as it is (see the header). */
  begin(state: RunState): Observation[] {
    this.run = state.run;
    this.events = state.events.length;
    this.systemEvents = state.systemEvents.length;
    this.consoleSeen = state.consoleStart;
    this.ended = false;
    this.lastView = undefined;
    const look: Observation[] = [];
    if (state.view) look.push(registerLook(state.view));
    look.push(...this.freshOutput(state));
    look.push(...this.end(state));
    this.lastView = state.view;
    return look;
  }

  /** What happened between the last call and `state` (see the header). */
  take(state: RunState): Taken {
    const newRun = state.run !== this.run;
    if (newRun) {
      this.run = state.run;
      this.events = 0;
      this.systemEvents = 0;
      this.consoleSeen = 0;
      this.ended = false;
      this.lastView = undefined;
    }
    const observations: Observation[] = [
      ...state.events.slice(this.events).map((event) => ({ kind: 'event' as const, event })),
      ...state.systemEvents.slice(this.systemEvents).map((event) => ({ kind: 'event' as const, event })),
      ...this.freshOutput(state),
    ];
    this.events = state.events.length;
    this.systemEvents = state.systemEvents.length;
    const view = state.view;
    if (view && view !== this.lastView && state.detailed && !view.running && !this.ended) observations.push(registerLook(view));
    this.lastView = view;
    observations.push(...this.end(state));
    return { newRun, observations };
  }

  private freshOutput(state: RunState): Observation[] {
    const end = state.consoleStart + state.console.length;
    const from = Math.max(this.consoleSeen, state.consoleStart);
    this.consoleSeen = Math.max(this.consoleSeen, end);
    return end > from ? [{ kind: 'output', text: state.console.slice(from - state.consoleStart) }] : [];
  }

  /** The end of the run, the first time the state shows it over. */
  private end(state: RunState): Observation[] {
    if (this.ended) return [];
    const over = runEnd(state);
    if (over) this.ended = true;
    return over ?? [];
  }
}

/** A look at every module's registers, as 32-bit words. */
function registerLook(view: NonNullable<RunState['view']>): Observation {
  return { kind: 'state', instret: view.instret, registers: view.modules.map((m) => m.regs.map((r) => r >>> 0)) };
}

/**
 * The observations of a run's end, or undefined while it goes on: a workload's run ends at
 * the end of its duration (its final ledger), a plain program's once its verdict is known
 * (its outcome, when it was judged against the fault-free run).
 */
function runEnd(state: RunState): Observation[] | undefined {
  const view = state.view;
  if (!view) return undefined;
  if (view.workload) {
    if (!view.workload.progress.done) return undefined;
    const down = view.workload.progress.down ? '; the service was down at the end' : '';
    return [
      { kind: 'ledger', ledger: view.workload.ledger },
      { kind: 'end', reason: `the workload's ${view.workload.progress.nowUs.toLocaleString('en-US')} µs of virtual time ran out${down}` },
    ];
  }
  const verdict = state.verdict;
  if (!verdict || verdict.kind === 'pending') return undefined;
  const stopped = view.halt?.message ?? `the run stopped at instruction ${view.instret.toLocaleString('en-US')}`;
  switch (verdict.kind) {
    case 'judged':
      return [{ kind: 'outcome', outcome: verdict.outcome }, { kind: 'end', reason: stopped }];
    case 'fault-free':
      return [{ kind: 'end', reason: `${stopped}; no fault was injected, so the run has no outcome` }];
    case 'unjudged':
      return [{ kind: 'end', reason: `${stopped}; ${verdict.reason}, so the run has no outcome` }];
  }
}
