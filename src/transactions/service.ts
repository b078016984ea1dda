/**
 * What the transaction feed drives: a service that takes records from an input queue and
 * emits results on the virtual clock. A lockstep machine is one (MachineService, below);
 * a failover system of two machines is another (src/system/). The feed and the ledger know
 * only this interface.
 */
import type { Machine, RunResult } from '../machine/machine.ts';
import type { Fault } from '../fault/spec.ts';
import type { TransactionRecord, TransactionResult } from '../machine/txport.ts';

export interface TransactionService {
  /** The service's virtual clock, cycles since power-on. */
  readonly cycle: number;
  /** Instructions the service's CPU has retired (re-executions after a failover count again). */
  readonly instret: number;
  /** It will produce no result any more: a halted machine, a failover system with no host left. */
  readonly down: boolean;
  /** Runs as Machine.run does: at most `budget` instructions; stop 'cycle' when the clock reaches `untilCycle`. */
  run(budget: number, untilCycle: number): RunResult;
  /** The deepest input queue the service takes (the FIFO depth a feed may ask for). */
  readonly capacity: number;
  /** Offers an arrival to the input queue, which holds at most `depth` records waiting; false: dropped. */
  offer(record: TransactionRecord, depth: number): boolean;
  /**
   * How many accepted records the service has taken at least once. The queue keeps the order
   * of acceptance, so these are the first `consumed` records accepted.
   */
  readonly consumed: number;
  /** Accepted records waiting to be taken. */
  readonly queued: number;
  /** The results the receiver got since the last call, in order. */
  takeResults(): TransactionResult[];
  /** Ids of consumed records whose effects a failover rolled back: lost, whatever answer they had. */
  readonly rolledBack: ReadonlySet<number>;
  /** Cycles up to `now` during which the service could produce no result. */
  downtimeCycles(now: number): number;
  /** Checks a fault against the service; returns a message naming the problem, or undefined. */
  checkFault(fault: Fault): string | undefined;
  /** Schedules a fault at instruction `fault.at` of the service (throws InputError as Machine.inject). */
  inject(fault: Fault): void;
  /**
   * The service's own state beside its machines' (whose snapshots the caller takes at the
   * same moment), for restoreState(): what time travel keeps (src/worker/rig-state.ts).
   */
  saveState(): ServiceState;
  /** Puts the service back in `state`, saved by this service, its machines restored to the same moment. */
  restoreState(state: ServiceState): void;
}

/** A service's own state (TransactionService.saveState): live data for the same service. */
export interface ServiceState {
  /** Slots of the lists and tables it copied, 8 bytes each at most (for a memory account). */
  readonly slots: number;
}

const NONE: ReadonlySet<number> = new Set();

/** One machine (any lockstep topology) as a transaction service: its port is the input queue. */
export class MachineService implements TransactionService {
  private downAt: number | undefined;
  private firstEvent: number;

  constructor(readonly machine: Machine) {
    this.firstEvent = machine.events.length;
    if (machine.halt) this.downAt = machine.cycle;
  }

  /** Its own state beside the machine's: when it went down, and its first event (TransactionFeed.checkpoint). */
  get bookkeeping(): { downAt: number | null; firstEvent: number } {
    return { downAt: this.downAt ?? null, firstEvent: this.firstEvent };
  }

  /** The service of `machine` (restored from a snapshot) with the bookkeeping recorded with it. */
  static resume(machine: Machine, bookkeeping: { downAt: number | null; firstEvent: number }): MachineService {
    const service = new MachineService(machine);
    service.downAt = bookkeeping.downAt ?? undefined;
    service.firstEvent = bookkeeping.firstEvent;
    return service;
  }

  get cycle(): number { return this.machine.cycle; }
  get instret(): number { return this.machine.instret; }
  get down(): boolean { return this.machine.halt !== undefined; }
  get capacity(): number { return this.machine.port.capacity; }
  get consumed(): number { return this.machine.port.consumed; }
  get queued(): number { return this.machine.port.queued; }
  get rolledBack(): ReadonlySet<number> { return NONE; }

  run(budget: number, untilCycle: number): RunResult {
    const result = this.machine.run(budget, untilCycle);
    if (this.machine.halt) this.downAt ??= this.machine.cycle;
    return result;
  }

  offer(record: TransactionRecord, depth: number): boolean {
    return this.machine.port.push(record, depth);
  }

  takeResults(): TransactionResult[] {
    return this.machine.port.takeResults();
  }

  checkFault(fault: Fault): string | undefined { return this.machine.checkFault(fault); }
  inject(fault: Fault): void { this.machine.inject(fault); }

  saveState(): ServiceState & { downAt: number | undefined; firstEvent: number } {
    return { downAt: this.downAt, firstEvent: this.firstEvent, slots: 0 };
  }

  restoreState(state: ServiceState): void {
    ({ downAt: this.downAt, firstEvent: this.firstEvent } = state as ReturnType<MachineService['saveState']>);
  }

  /** From the cycle it halted, plus the final pauses of stop-copy and precopy resyncs. */
  downtimeCycles(now: number): number {
    let cycles = this.downAt === undefined ? 0 : Math.max(0, now - this.downAt);
    for (const e of this.machine.events.slice(this.firstEvent)) {
      if (e.kind === 'resync-done') cycles += e.pause_instructions;
    }
    return cycles;
  }
}
