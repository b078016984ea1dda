/**
 * A transaction workload running in the worker session (issues 10, 11): the TransactionFeed
 * over the session's transaction service — a lockstep machine, or a failover system of two
 * hosts — advanced in slices between the page's calls, and the live account the page draws.
 * Slicing changes nothing in the run: the same settings give the same ledger as `lockstep run
 * --workload` with the same options (TransactionFeed.advance).
 */
import { formatFault, type Fault } from '../fault/spec.ts';
import type { TransactionService } from '../transactions/service.ts';
import type { RunResult } from '../machine/machine.ts';
import { TransactionFeed, type FeedProgress, type FeedState } from '../transactions/feed.ts';
import type { Ledger } from '../transactions/ledger.ts';
import { feedOptionsFor, resolveWorkloadSettings, type ResolvedWorkloadSettings, type WorkloadSettings } from '../transactions/settings.ts';

/** What status() and view() carry about the workload run. */
export interface WorkloadStatus {
  settings: ResolvedWorkloadSettings;
  progress: FeedProgress;
  /** The ledger so far (at most LEDGER_MS old while running; the final one once progress.done). */
  ledger: Ledger;
  /** Why the run stopped before its end (the program waited for console input). */
  error?: string;
}

/** A workload run's state for time travel (WorkloadRun.saveState): its feed's, and the error that ended it. */
export interface WorkloadState {
  feed: FeedState;
  error?: string;
}

/**
 * Runs the feed for at most `instructions` more instructions of the service, until its
 * clock reaches `untilCycle` (or a breakpoint, or the end): the feed itself (WorkloadRun.run),
 * or a history that takes checkpoints and makes its recorded interventions on the way.
 */
export type WorkloadDriver = (instructions: number, untilCycle: number) => void;

/** While running, the running ledger is rebuilt at most this often (it walks every arrival), wall ms. */
const LEDGER_MS = 200;
/** A step advances the feed in spans of at most this many cycles (or the step's count, if more). */
const STEP_SPAN_CYCLES = 100_000;

export class WorkloadRun {
  readonly feed: TransactionFeed;
  readonly settings: ResolvedWorkloadSettings;
  private error?: string;
  private cached?: { ledger: Ledger; at: number };
  /** How advance() and step() run the feed (the session's history sets it: time-travel.ts). */
  driver: WorkloadDriver = (instructions, untilCycle) => { this.run(instructions, untilCycle); };

  /** Throws InputError for bad settings (see feedOptionsFor). */
  constructor(readonly service: TransactionService, settings: WorkloadSettings) {
    this.settings = resolveWorkloadSettings(settings);
    this.feed = new TransactionFeed(service, feedOptionsFor(settings));
  }

  /** Checks a fault as inject() takes it; returns a message naming the problem, or undefined. */
  checkFault(fault: Fault): string | undefined {
    if (fault.atUs === undefined) return this.service.checkFault(fault);
    const { atUs, ...site } = fault;
    const problem = this.service.checkFault(site);
    if (problem) return problem;
    if (atUs < this.feed.progress().nowUs) return `fault '${formatFault(fault)}' is at ${atUs} µs of virtual time, but the run is already at ${this.feed.progress().nowUs} µs`;
    return undefined;
  }

  /**
   * Schedules a fault: at an instruction of the service (Fault.at), or at a virtual time
   * (Fault.atUs), when the feed's clock gets there. Throws InputError as checkFault finds.
   */
  inject(fault: Fault): void {
    if (fault.atUs === undefined) this.service.inject(fault);
    else this.feed.schedule(fault);
  }

  /** The run reached its duration, or stopped on an error. */
  get done(): boolean { return this.feed.done || this.error !== undefined; }

  /**
   * Runs for at most `instructions` instructions and at most `cycles` cycles of virtual
   * time (Infinity: no bound), whether the machine is up or down; returns the cycles the
   * feed's clock advanced.
   */
  advance(instructions: number, cycles: number): number {
    if (this.done) return 0;
    const before = this.feed.nowCycle;
    this.driver(instructions, before + cycles);
    return this.feed.nowCycle - before;
  }

  /**
   * Runs the feed for at most `budget` instructions of the service, until the feed's clock
   * reaches `untilCycle`. The stop says why it returned: 'budget' (the instructions ran),
   * 'cycle' (the clock got there), 'break' (a breakpoint or watchpoint), 'halted' (the run is
   * over, at its end or on an error). A budget of 0 lets the clock run on to `untilCycle`
   * with nothing executed, as it does while the service idles or is down: a caller that asks
   * for it knows the service executes nothing before then (a replay of a run that did not),
   * and an instruction executed anyway is an internal error.
   */
  run(budget: number, untilCycle: number): RunResult {
    const start = this.service.instret;
    if (!this.done) {
      try {
        this.feed.advance(Math.max(budget, 1), untilCycle);
      } catch (error) {
        this.error = (error as Error).message;
      }
    }
    const executed = this.service.instret - start;
    if (budget === 0 && executed > 0) throw new Error(`a replay of the workload executed instruction ${start} before virtual time ${untilCycle} cycles, which the recorded run did not`);
    const stop = this.done ? 'halted' : this.feed.atBreak ? 'break' : executed >= budget && budget > 0 ? 'budget' : 'cycle';
    return { stop, executed };
  }

  /** The feed's state and the run's error, for restoreState(), with the service's saved at the same moment (rig-state.ts). */
  saveState(): WorkloadState {
    return { feed: this.feed.saveState(), ...(this.error !== undefined ? { error: this.error } : {}) };
  }

  /** Puts the run back in `state` (saveState of this run), its service restored to the same moment. */
  restoreState(state: WorkloadState): void {
    this.feed.restoreState(state.feed);
    this.error = state.error;
    this.cached = undefined;
  }

  /**
   * Steps `n` instructions, or until a breakpoint or watchpoint stops it, or until the
   * service's downtime grows: where it goes down, or
   * into a failover system's outage (a step then ends within one span of virtual time of the
   * death, and a step during the outage moves the clock by one span). On a service that is
   * down for good, `n` cycles of virtual time.
   */
  step(n: number): void {
    const s = this.service;
    if (s.down) {
      this.advance(n, n);
      return;
    }
    const start = s.instret;
    const downtime = s.downtimeCycles(this.feed.nowCycle);
    // In bounded spans of virtual time, so that the step ends near where the service stops serving.
    const span = Math.max(n, STEP_SPAN_CYCLES);
    while (!this.done && !s.down && s.instret - start < n) {
      this.advance(n - (s.instret - start), span);
      if (this.feed.atBreak || s.downtimeCycles(this.feed.nowCycle) > downtime) break;
    }
  }

  ledger(): Ledger {
    return this.feed.ledger();
  }

  /** The live account; `running`: a ledger up to LEDGER_MS old will do. */
  status(running: boolean): WorkloadStatus {
    const now = performance.now();
    if (!this.cached || !running || this.done || now - this.cached.at >= LEDGER_MS) this.cached = { ledger: this.feed.ledger(), at: now };
    return {
      settings: this.settings, progress: this.feed.progress(), ledger: this.cached.ledger,
      ...(this.error !== undefined ? { error: this.error } : {}),
    };
  }
}
