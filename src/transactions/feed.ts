/**
 * The transaction feed: runs a transaction service (a machine, or a failover system of
 * machines: service.ts) for a span of virtual time while transactions arrive, whatever
 * happens to it, and keeps what the ledger needs.
 *
 * Arrivals are events on the virtual clock: the service runs exactly up to the next
 * arrival's cycle (a batch and a wfi stall end there), then the record is offered to its
 * input queue, and dropped when the queue holds `fifo` records. A service that is down
 * (a machine halted for any reason: fail-stop, no module left, the guest exited or idles for
 * good) stays where it stopped; arrivals go on into its queue until it is full and are
 * dropped after that; at the end nothing it holds is queued: it is lost.
 *
 * Downtime is the service's (TransactionService.downtimeCycles): for a machine, from the
 * cycle it went down to the end of the run, plus the final pauses of resyncs.
 */
import type { Machine } from '../machine/machine.ts';
import type { TransactionResult } from '../machine/txport.ts';
import { formatFault, formatTime, type Fault } from '../fault/spec.ts';
import { MachineService, type TransactionService } from './service.ts';
import { arrivalStream, checkRate, type Arrival, type TraceArrival } from './arrivals.ts';
import { buildLedger, ModelReplay, type Ledger } from './ledger.ts';
import { usToCycles, MAX_DURATION_US, CYCLES_PER_US } from './time.ts';
import type { Workload } from './workloads/workload.ts';
import { InputError } from '../input-error.ts';

export const DEFAULT_FIFO_DEPTH = 64;
export const DEFAULT_SEED = 1;

export interface FeedOptions {
  workload: Workload;
  /** How long the run lasts, in virtual µs from power-on (parseDuration gives it from `2s`). */
  durationUs: number;
  /** Transactions per virtual second (default DEFAULT_RATE; for a periodic workload it replaces its period). */
  rate?: number;
  /** FIFO depth, 1..1024 (default 64). */
  fifo?: number;
  /** Seed of the arrival times and payloads, a u32 (default 1). */
  seed?: number;
  /** Arrivals replayed from a trace file (parseTrace) instead of generated ones. */
  trace?: readonly TraceArrival[];
  /**
   * Faults at a virtual time (Fault.atUs): each is injected into the service, at its next
   * instruction, when the clock reaches that time (a service that is idle in wfi is stopped
   * there). Faults with an instruction number are the service's own business.
   */
  timedFaults?: readonly Fault[];
}

/** The feed's running counters, for a live view (the ledger is the complete account). */
export interface FeedProgress {
  /** Virtual time reached, µs. */
  nowUs: number;
  arrived: number;
  dropped: number;
  /** Records waiting in the FIFO now. */
  fifo: number;
  results: number;
  /** The service is down: it produces nothing more. */
  down: boolean;
  done: boolean;
}

/** Checks feed options; returns a message naming the first problem, or undefined. */
export function checkFeedOptions(options: FeedOptions, fifoCapacity = 1024): string | undefined {
  const { durationUs, rate, fifo, seed } = options;
  if (!(durationUs > 0 && durationUs <= MAX_DURATION_US)) return `duration ${durationUs} µs must be longer than 0 and at most a virtual day`;
  if (rate !== undefined) {
    try { checkRate(rate); } catch (e) { return (e as Error).message; }
  }
  if (fifo !== undefined && !(Number.isInteger(fifo) && fifo >= 1 && fifo <= fifoCapacity)) return `FIFO depth ${fifo} must be a whole number of records, 1..${fifoCapacity}`;
  if (seed !== undefined && !(Number.isInteger(seed) && seed >= 0 && seed <= 0xFFFF_FFFF)) return `seed ${seed} must be a whole number 0..4294967295`;
  return undefined;
}

/**
 * Throws InputError unless virtual time `atUs` lies within a run of `durationUs` µs, in
 * [0, durationUs): a fault planned at or after the end would never be injected. `what`
 * names the fault and its time.
 */
export function checkFaultTime(what: string, atUs: number, durationUs: number): void {
  if (atUs >= 0 && atUs < durationUs) return;
  throw new InputError(`${what} lies outside the run, which lasts ${formatTime(durationUs)} of virtual time: put it inside the run`);
}

/** What TransactionFeed.checkpoint() records: plain data, compared as JSON. */
export interface FeedCheckpoint {
  /** Arrivals drawn from the stream so far. */
  arrived: number;
  dropped: boolean[];
  pushed: number[];
  results: TransactionResult[];
  now: number;
  downAt: number | null;
  firstEvent: number;
  finished: boolean;
}

/**
 * What TransactionFeed.saveState() keeps, for restoreState() of the same feed: the lengths
 * of its lists and the lists themselves, shared with the run (they are only appended to
 * while the run goes on; a restore takes a copy of their first `length` items).
 */
export interface FeedState {
  readonly arrived: number;
  readonly dropped: { readonly list: readonly boolean[]; readonly length: number };
  readonly pushed: { readonly list: readonly number[]; readonly length: number };
  readonly results: { readonly list: readonly TransactionResult[]; readonly length: number };
  readonly now: number;
  readonly finished: boolean;
  readonly timed: readonly (readonly [number, Fault])[];
}

export class TransactionFeed {
  readonly endCycle: number;
  readonly fifo: number;
  private readonly stream: Iterator<Arrival>;
  private next: Arrival | undefined;
  /** Arrivals drawn from the stream and not delivered again since the feed went back (restoreState), soonest last. */
  private upcoming: Arrival[] = [];
  private readonly arrivals: Arrival[] = [];
  private dropped: boolean[] = [];
  private pushed: number[] = [];
  private results: TransactionResult[] = [];
  private replay: ModelReplay;
  /** Virtual clock of the feed, cycles: the service's while it is up, then the arrivals'. */
  private now: number;
  private finished = false;
  private stoppedAtBreak = false;
  readonly service: TransactionService;
  /** Timed faults still to come, in order of time: [cycle, fault with `at` to be filled in]. */
  private readonly timed: [number, Fault][] = [];

  /** Throws InputError when checkFeedOptions finds a problem. */
  constructor(target: Machine | TransactionService, readonly options: FeedOptions) {
    const service = 'port' in target ? new MachineService(target) : target;
    this.service = service;
    const problem = checkFeedOptions(options, service.capacity);
    if (problem) throw new InputError(problem);
    this.now = service.cycle;
    this.endCycle = usToCycles(options.durationUs);
    for (const fault of options.timedFaults ?? []) this.schedule(fault);
    this.fifo = options.fifo ?? DEFAULT_FIFO_DEPTH;
    this.stream = arrivalStream({
      workload: options.workload, endCycle: this.endCycle, rate: options.rate,
      seed: options.seed ?? DEFAULT_SEED, trace: options.trace,
    });
    this.next = this.draw();
    this.replay = this.freshReplay();
  }

  /** The next arrival of the stream. */
  private draw(): Arrival | undefined {
    return this.upcoming.pop() ?? this.stream.next().value ?? undefined;
  }

  private freshReplay(): ModelReplay {
    return new ModelReplay(this.options.workload.createModel(), (k) => this.arrivals[this.pushed[k] - 1].payload);
  }

  /**
   * Schedules a fault at a virtual time (Fault.atUs) as `timedFaults` does, during the run
   * too. Throws InputError for a fault without a time, one the service refuses, a time the
   * feed's clock has passed, or one at or after the end of the run (checkFaultTime).
   */
  schedule(timed: Fault): void {
    if (timed.atUs === undefined) throw new InputError(`fault '${formatFault(timed)}' has no virtual time: inject it into the machine instead`);
    const { atUs, ...fault } = timed;
    checkFaultTime(`fault '${formatFault(timed)}'`, atUs, this.options.durationUs);
    const refused = this.service.checkFault(fault);
    if (refused) throw new InputError(refused);
    const cycle = usToCycles(atUs);
    if (cycle < this.now) throw new InputError(`fault '${formatFault(timed)}' is at ${atUs} µs of virtual time, but the run is already at ${this.now / CYCLES_PER_US} µs`);
    const index = this.timed.findIndex(([at]) => at > cycle);
    this.timed.splice(index < 0 ? this.timed.length : index, 0, [cycle, fault]);
  }

  get done(): boolean { return this.finished; }

  /**
   * The feed's state now, for resume(): with a snapshot of its machine taken at the same
   * moment, enough to go on from here as this feed would. Equal checkpoints (as JSON) of two
   * feeds over equal machines mean equal futures. Only a feed of one machine (a
   * MachineService) and no timed faults still to come has one: InputError otherwise.
   */
  checkpoint(): FeedCheckpoint {
    if (!(this.service instanceof MachineService)) throw new InputError('only a feed of one machine can be checkpointed: a failover system\'s hosts are not snapshotted together');
    if (this.timed.length > 0) throw new InputError('a feed with timed faults still to come cannot be checkpointed: give the faults instruction numbers');
    const { downAt, firstEvent } = this.service.bookkeeping;
    return {
      arrived: this.arrivals.length, dropped: [...this.dropped], pushed: [...this.pushed],
      results: this.results.map((r) => ({ ...r, words: [...r.words] })), now: this.now, downAt, firstEvent, finished: this.finished,
    };
  }

  /**
   * A feed that goes on from `checkpoint` (taken with the same options) on `machine`,
   * restored from a snapshot taken at the same moment. The arrivals already delivered are
   * drawn again from the stream: it is a pure function of the options.
   */
  static resume(machine: Machine, options: FeedOptions, checkpoint: FeedCheckpoint): TransactionFeed {
    const feed = new TransactionFeed(MachineService.resume(machine, checkpoint), options);
    while (feed.arrivals.length < checkpoint.arrived) {
      feed.arrivals.push(feed.next!);
      feed.next = feed.draw();
    }
    feed.dropped.push(...checkpoint.dropped);
    feed.pushed.push(...checkpoint.pushed);
    feed.results.push(...checkpoint.results.map((r) => ({ ...r, words: [...r.words] as TransactionResult['words'] })));
    feed.now = checkpoint.now;
    feed.finished = checkpoint.finished;
    return feed;
  }

  /** The last advance() returned early, before an instruction a breakpoint or watchpoint stopped at (src/debug/). */
  get atBreak(): boolean { return this.stoppedAtBreak; }

  /** The feed's virtual clock, cycles since power-on. */
  get nowCycle(): number { return this.now; }

  /**
   * Runs the service and delivers arrivals until the end of the run, until the service has
   * executed about `budget` more instructions, or until the feed's clock reaches
   * `untilCycle` (arrivals at that cycle are delivered by the next call), whichever comes
   * first, or until a breakpoint or watchpoint stops the service (atBreak); then call
   * again. Stopping early changes nothing: the service and the arrivals
   * go on exactly as in one call. A service that is down executes nothing, so `untilCycle`
   * is how a caller spreads the rest of such a run over time. Returns done.
   * Throws InputError if the guest waits for console input (a workload program must not).
   */
  advance(budget = Infinity, untilCycle = Infinity): boolean {
    const s = this.service;
    let spent = 0;
    this.stoppedAtBreak = false;
    while (!this.finished && spent < budget && this.now < untilCycle) {
      const event = Math.min(this.next?.cycle ?? Infinity, this.timed[0]?.[0] ?? Infinity, this.endCycle);
      const target = Math.min(event, untilCycle);
      if (!s.down && s.cycle < target) {
        const slice = Math.min(target - s.cycle, budget - spent, 2 ** 30);
        const result = s.run(slice, target);
        spent += result.executed;
        this.collect();
        if (result.stop === 'input') throw new InputError(`the workload's program waits for console input at instruction ${s.instret}: transaction programs read the transaction port`);
        if (!s.down) this.now = s.cycle;
        this.stoppedAtBreak = result.stop === 'break';
        if (this.stoppedAtBreak) break;
        continue;
      }
      this.now = Math.max(this.now, target);
      if (target < event) break;
      if (this.timed.length > 0 && this.timed[0][0] <= event && event < this.endCycle) {
        const [, fault] = this.timed.shift()!;
        this.service.inject({ ...fault, at: this.service.instret });
      } else if (this.next && this.next.cycle < this.endCycle) {
        this.deliver(this.next);
        this.next = this.draw();
      } else {
        this.now = Math.max(this.now, this.endCycle);
        this.finished = true;
      }
    }
    return this.finished;
  }

  private deliver(arrival: Arrival): void {
    this.arrivals.push(arrival);
    const taken = this.service.offer({ id: arrival.id, payload: arrival.payload, arrivalUs: arrival.cycle / CYCLES_PER_US }, this.fifo);
    this.dropped.push(!taken);
    if (taken) this.pushed.push(arrival.id);
  }

  private collect(): void {
    for (const r of this.service.takeResults()) this.results.push(r);
  }

  // ── Time travel (src/worker/time-travel.ts) ───────────────────────────────────────

  /**
   * The feed's state now, for restoreState(): with its service's state taken at the same
   * moment, enough to go on as this feed would. It costs a few numbers: the lists are the
   * run's own (FeedState).
   */
  saveState(): FeedState {
    const shared = <T>(list: T[]) => ({ list, length: list.length });
    return {
      arrived: this.arrivals.length, dropped: shared(this.dropped), pushed: shared(this.pushed), results: shared(this.results),
      now: this.now, finished: this.finished, timed: this.timed.slice(),
    };
  }

  /**
   * Puts the feed back in `state`, saved by this feed (earlier or later in the same run, or
   * in a run that went another way after it), its service restored to the same moment. The
   * arrivals are the stream's whatever the service does, so the feed moves along the stream
   * to the same place.
   */
  restoreState(state: FeedState): void {
    if (state.arrived < this.arrivals.length) {
      if (this.next) this.upcoming.push(this.next);
      for (let k = this.arrivals.length - 1; k >= state.arrived; k--) this.upcoming.push(this.arrivals[k]);
      this.arrivals.length = state.arrived;
      this.next = this.draw();
    }
    while (this.arrivals.length < state.arrived) {
      this.arrivals.push(this.next!);
      this.next = this.draw();
    }
    // Copies: a list a state shares is only ever appended to, by the run that shares it, so its first `length` items stay the state's.
    this.dropped = state.dropped.list.slice(0, state.dropped.length);
    this.pushed = state.pushed.list.slice(0, state.pushed.length);
    this.results = state.results.list.slice(0, state.results.length);
    this.timed.splice(0, this.timed.length, ...state.timed.map(([cycle, fault]) => [cycle, fault] as [number, Fault]));
    this.now = state.now;
    this.finished = state.finished;
    this.stoppedAtBreak = false;
    this.replay = this.freshReplay(); // the records it replayed may not be those pushed now
  }

  progress(): FeedProgress {
    return {
      nowUs: this.now / CYCLES_PER_US, arrived: this.arrivals.length, dropped: this.dropped.filter(Boolean).length,
      fifo: this.service.queued, results: this.results.length, down: this.service.down, done: this.finished,
    };
  }

  /** The ledger now (at the end of the run once advance() returned true). */
  ledger(): Ledger {
    return buildLedger({
      arrivals: this.arrivals, dropped: this.dropped, pushed: this.pushed, consumed: this.service.consumed,
      results: this.results, expected: (k) => this.replay.expected(k), up: !this.service.down,
      rolledBack: this.service.rolledBack,
      nowCycle: this.now, deadlineUs: this.options.workload.deadlineUs, downtimeCycles: this.service.downtimeCycles(this.now),
    });
  }
}

/** Runs `target` (program loaded, faults scheduled) through a whole workload run; returns the ledger. */
export function runWorkload(target: Machine | TransactionService, options: FeedOptions): { ledger: Ledger; feed: TransactionFeed } {
  const feed = new TransactionFeed(target, options);
  feed.advance();
  return { ledger: feed.ledger(), feed };
}
