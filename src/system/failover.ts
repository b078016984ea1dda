/**
 * A failover system (DESIGN §7): two independent simplex machines, host 0 the
 * primary and host 1 the standby (cluster) or backup (process pair), not in lockstep. The
 * primary serves transactions; the standby executes nothing and holds the state of the last
 * checkpoint, which is all it can take over from.
 *
 * - Checkpoints. Cluster: every `checkpointEvery` instructions of the primary, its whole
 *   state — the process context (context.ts) and the RAM pages written since the last
 *   checkpoint — is copied to the standby. Process pair: the application sends checkpoints
 *   itself through the checkpoint device (a memory range it names, plus its context). Either
 *   way the primary pays for the bytes on the link: its clock stalls bytes / bandwidth cycles.
 *   A checkpoint acknowledges the input records the primary had consumed by then.
 * - Heartbeats. A live primary sends one at every multiple of H, t = 0 included (it
 *   announces itself as it starts), and the one due at the instant it dies: ⌊t/H⌋ + 1 by
 *   time t. The standby declares it dead M periods after the last one, ⌊death/H⌋·H + M·H,
 *   and executes its first instruction F later: downtime = that instant − the death.
 * - Death. A primary that halts for any reason but a clean exit (a kill, a fatal trap, a
 *   guest that fails) is dead. A transient fault (a flip) that does not crash it is never
 *   noticed. A primary that exits with status 0 ends the service.
 * - The input queue belongs to the network in front of the hosts: it holds at most the
 *   feed's FIFO depth of records waiting (records in the dead primary's FIFO stay in it), and
 *   arrivals that find it full are dropped — during an outage too. Two queues never drop:
 *   a cluster-aware application's durable log, and a process pair's message system (a
 *   NonStop requester waits, and re-sends to the backup, until a process takes its request);
 *   they hold what arrives and feed the serving host's FIFO as it empties.
 * - Work in flight at the death: the records the primary consumed since the last checkpoint.
 *   A cluster-aware log replays them to the standby; a process pair's message system
 *   re-delivers those that had no reply yet (a requester resends a request whose reply never
 *   came). The others are rolled back: their effects are gone from the restored state, and
 *   the ledger counts them lost even if they were answered.
 * - Results are de-duplicated by id (a result whose id was answered already is dropped) by
 *   the receiver of a cluster-aware application ('dedupe'), and by a process pair's message
 *   system (NonStop's sync ids: a backup that resumes between a checkpoint and the reply the
 *   primary already sent sends that reply again, and the requester discards it).
 * - There is no second failover: once the standby has taken over there is no standby left
 *   (repairing the dead host is not modelled), and its death is the end of the service.
 *
 * Faults name a host with `module=0|1`; `at` counts the system's instructions (those the
 * serving host retired, re-executions included). A fault on a host that is not serving
 * lands in the state it holds: a flip in the standby's RAM stays until a checkpoint
 * overwrites that page, and is executed only after a takeover.
 */
import { sendCheckpoint, takeDirtyPages } from '../machine/context.ts';
import type { Machine, RunResult } from '../machine/machine.ts';
import type { Halt, InactiveFault } from '../machine/events.ts';
import type { TransactionRecord, TransactionResult } from '../machine/txport.ts';
import { formatFault, type Fault } from '../fault/spec.ts';
import type { ServiceState, TransactionService } from '../transactions/service.ts';
import { cyclesToUs, usToCycles } from '../transactions/time.ts';
import { HOSTS, type FailoverSettings } from './settings.ts';
import { restoreFields, saveFields, type FailoverState } from './failover-state.ts';
import { InputError } from '../input-error.ts';

/** While records wait outside the serving host's FIFO, the network tops the FIFO up at least this often (cycles, 10 µs). */
const TOP_UP_CYCLES = 1000;

/** Bytes a checkpoint adds per log position acknowledged (cluster-aware: the log's sequence number). */
const LOG_ACK_BYTES = 8;

/** What the system did; a host-down's `reason` is why the host stopped: `killed`, or what its program did (stopCause). */
export type SystemEvent =
  | { kind: 'inject'; cycle: number; instret: number; host: number; fault: string }
  | { kind: 'checkpoint'; cycle: number; instret: number; host: number; bytes: number; pause_cycles: number; acknowledged: number }
  | { kind: 'host-down'; cycle: number; instret: number; host: number; reason: string }
  | { kind: 'declared-dead'; cycle: number; host: number; last_heartbeat_cycle: number }
  | { kind: 'takeover'; cycle: number; host: number; checkpoint_instret: number; redelivered: number; rolled_back: number; outage_cycles: number }
  | { kind: 'service-down'; cycle: number; reason: string };

export type HostRole = 'primary' | 'standby' | 'dead';

export interface HostStatus {
  host: number;
  role: HostRole;
  /** Instructions the host's machine has retired (a standby: those of its last checkpoint). */
  instret: number;
}

/** What a failover run adds to the report (`failover`). Times in virtual µs. */
export interface FailoverSummary {
  topology: FailoverSettings['topology'];
  settings: { heartbeat_us: number; missed: number; failover_time_us: number; checkpoint_every?: number; cluster_aware?: string; link_bytes_per_cycle: number };
  checkpoints: number;
  checkpoint_bytes: number;
  /** Primary time spent copying checkpoints. */
  checkpoint_pause_us: number;
  /** Heartbeats the first primary sent, at 0, H, 2H, …, up to its death (or to `now`): ⌊min(death, now) / H⌋ + 1. */
  heartbeats: number;
  failovers: number;
  /** From each death to the standby's first instruction, plus the time the service was down at the end. */
  downtime_us: number;
  redelivered: number;
  rolled_back: number;
  /** Results the receiver dropped because it had one for that id already (cluster 'dedupe', process pair). */
  deduplicated: number;
  hosts: HostStatus[];
  events: SystemEvent[];
}

/** What sets the two systems apart, read once from their settings (see the header). */
interface FailoverPolicy {
  /** Who checkpoints: the system every K instructions (cluster), or the application through the checkpoint device (process pair). */
  checkpoints: 'periodic' | 'application';
  /** The input queue never drops: a cluster-aware application's durable log, or a process pair's message system. */
  holdsEverything: boolean;
  /** Bytes each checkpoint adds for the log position it acknowledges. */
  logBytes: number;
  /** The receiver drops a result whose id it has already. */
  dedupe: boolean;
  /** Which of the records in flight at a death reach the new primary again. */
  redeliver: 'none' | 'all' | 'unanswered';
  backupName: 'standby' | 'backup';
}

function policyOf(s: FailoverSettings): FailoverPolicy {
  if (s.topology === 'process-pair') {
    return { checkpoints: 'application', holdsEverything: true, logBytes: 0, dedupe: true, redeliver: 'unanswered', backupName: 'backup' };
  }
  const aware = s.clusterAware !== 'off';
  return {
    checkpoints: 'periodic', holdsEverything: aware, logBytes: aware ? LOG_ACK_BYTES : 0,
    dedupe: s.clusterAware === 'dedupe', redeliver: aware ? 'all' : 'none', backupName: 'standby',
  };
}

type State =
  | { kind: 'serving' }
  | { kind: 'outage'; deathCycle: number; takeoverCycle: number }
  | { kind: 'down'; since: number; message: string };

export class FailoverSystem implements TransactionService {
  readonly events: SystemEvent[] = [];
  private serving = 0;
  private state: State = { kind: 'serving' };
  /** The system's clock while no host serves. */
  private clock = 0;
  /** Records accepted and waiting outside the serving host's FIFO, in order. */
  private inbox: TransactionRecord[] = [];
  /** Records pushed into the serving host's FIFO since it began serving, in order: its RX_POPs take them. */
  private fed: TransactionRecord[] = [];
  /** How many of `fed` the last checkpoint acknowledged (the serving host's consumed count then). */
  private acknowledged = 0;
  /** acceptedAt[id]: the position of accepted record `id` in acceptance order (ids are small integers: grown as they come). */
  private acceptedAt = new Int32Array(1024);
  private accepted = 0;
  private distinctConsumed = 0;
  /** How many of `fed` collect() has seen consumed. */
  private seenConsumed = 0;
  /** When host 0, the first primary, died (its heartbeats stop there). */
  private primaryDeath: number | undefined;
  /** answered[id] = 1: the receiver has a result for accepted record `id`. */
  private answered = new Uint8Array(1024);
  /** Ids of results that name no accepted record (a corrupted id) the receiver has seen. */
  private readonly strays = new Set<number>();
  private readonly rolled = new Set<number>();
  private results: TransactionResult[] = [];
  private depth = 1;
  private nextCheckpoint: number;
  /** Instructions retired by hosts that served before the current one. */
  private instretBefore = 0;
  /** The serving host's instret when it began serving. */
  private servingFrom = 0;
  private faults: (Fault & { module: number })[] = [];
  private readonly inactive: InactiveFault[] = [];
  private outageCycles = 0;
  private stats = { checkpoints: 0, checkpointBytes: 0, pauseCycles: 0, failovers: 0, redelivered: 0, deduplicated: 0 };
  private readonly policy: FailoverPolicy;

  /**
   * `hosts`: two simplex machines with the same program loaded (host 0 serves first).
   * Throws RangeError on a machine that is not simplex, or hosts of different RAM sizes.
   */
  constructor(readonly hosts: readonly [Machine, Machine], readonly settings: FailoverSettings) {
    for (const m of hosts) {
      if (m.topology !== 'simplex') throw new RangeError(`a ${settings.topology} is built of simplex machines, not ${m.topology}`);
    }
    if (hosts[0].ramSize !== hosts[1].ramSize) throw new RangeError('both hosts of a failover system need the same RAM size');
    this.nextCheckpoint = settings.checkpointEvery;
    this.policy = policyOf(settings);
    if (this.policy.checkpoints === 'application') hosts[0].checkpoints.onSend = (request) => this.pairCheckpoint(request.addr, request.length, request.consumed);
  }

  // ── TransactionService ─────────────────────────────────────────────────────────────

  get cycle(): number { return this.state.kind === 'serving' ? this.active.cycle : this.clock; }
  get instret(): number { return this.instretBefore + this.active.instret - this.servingFrom; }
  get down(): boolean { return this.state.kind === 'down'; }
  get capacity(): number { return this.active.port.capacity; }
  get consumed(): number { return this.distinctConsumed; }
  get queued(): number { return this.inbox.length + (this.state.kind === 'serving' ? this.active.port.queued : 0); }
  get rolledBack(): ReadonlySet<number> { return this.rolled; }

  /** The host serving now (after the service went down: the last one that served). */
  get active(): Machine { return this.hosts[this.serving]; }

  /** The halt of the host that ended the service, once it is down, told as the system's (`host 1 (the primary) stopped: killed; …`). */
  get halt(): Halt | undefined { return this.state.kind === 'down' ? { ...this.active.halt!, message: this.state.message } : undefined; }

  offer(record: TransactionRecord, depth: number): boolean {
    this.depth = depth;
    const serving = this.state.kind === 'serving';
    if (serving && this.inbox.length === 0 && this.active.port.push(record, depth)) {
      this.fed.push(record);
    } else {
      const inFifo = serving ? this.active.port.queued : 0;
      if (!this.policy.holdsEverything && this.inbox.length + inFifo >= depth) return false;
      this.inbox.push(record);
    }
    if (record.id >= this.acceptedAt.length) this.acceptedAt = grown(this.acceptedAt, record.id);
    this.acceptedAt[record.id] = this.accepted++;
    return true;
  }

  takeResults(): TransactionResult[] {
    const out = this.results;
    this.results = [];
    return out;
  }

  downtimeCycles(now: number): number {
    const open = this.state.kind === 'outage' ? now - this.state.deathCycle : this.state.kind === 'down' ? now - this.state.since : 0;
    return this.outageCycles + Math.max(0, open);
  }

  run(budget: number, untilCycle: number): RunResult {
    if (this.state.kind === 'down') return { stop: 'halted', executed: 0 };
    if (this.state.kind === 'outage') {
      this.clock = Math.max(this.clock, Math.min(untilCycle, this.state.takeoverCycle));
      if (this.clock < this.state.takeoverCycle) return { stop: 'cycle', executed: 0 };
      this.takeOver(this.state.deathCycle);
      return { stop: 'budget', executed: 0 };
    }
    const m = this.active;
    if (this.faults.length > 0) this.applyDueFaults();
    this.topUp();
    // The primary runs to its next checkpoint at most (a cluster's), and to the next fault.
    const toCheckpoint = this.hasStandby && this.policy.checkpoints === 'periodic' ? Math.max(0, this.nextCheckpoint - m.instret) : Infinity;
    let limit = Math.min(budget, toCheckpoint);
    if (this.faults.length > 0) limit = Math.min(limit, Math.max(0, this.faults[0].at - this.instret));
    const stopAt = this.inbox.length > 0 ? Math.min(untilCycle, m.cycle + TOP_UP_CYCLES) : untilCycle;
    const result = m.run(limit, stopAt);
    this.collect();
    if (!m.halt && result.executed >= toCheckpoint) this.clusterCheckpoint();
    if (m.halt) {
      this.hostDown(m.halt);
      return { stop: this.down ? 'halted' : 'budget', executed: result.executed };
    }
    return result.stop === 'cycle' && stopAt < untilCycle ? { stop: 'budget', executed: result.executed } : result;
  }

  // ── Faults ─────────────────────────────────────────────────────────────────────────

  /** Checks a fault against this system; returns a message naming the problem, or undefined. */
  checkFault(fault: Fault): string | undefined {
    if (!('module' in fault)) return `fault '${formatFault(fault)}': a ${this.settings.topology}'s hosts are not in lockstep and have no boards or checkers: name one host, module=0 (the primary) or module=1 (the ${this.policy.backupName})`;
    if (!(fault.module >= 0 && fault.module < HOSTS)) return `fault '${formatFault(fault)}': a ${this.settings.topology} has hosts 0 (the primary) and 1 (the ${this.policy.backupName})`;
    return this.hosts[fault.module].checkFault({ ...fault, module: 0 });
  }

  /** Schedules `fault` at system instruction `fault.at` (throws InputError as Machine.inject). */
  inject(fault: Fault): void {
    const problem = this.checkFault(fault);
    if (problem || !('module' in fault)) throw new InputError(problem);
    if (fault.at < this.instret) throw new InputError(`fault '${formatFault(fault)}' is at instruction ${fault.at}, but the system is already at ${this.instret}`);
    const index = this.faults.findIndex((f) => f.at > fault.at);
    this.faults.splice(index < 0 ? this.faults.length : index, 0, fault);
  }

  /** Faults that did not take effect: on a host that was already dead, or scheduled after the service ended. */
  notActivated(): InactiveFault[] {
    const unreached = this.down ? this.faults.map((f) => ({ fault: formatFault(f), reason: 'halted' as const })) : [];
    return [...this.inactive, ...unreached, ...this.hosts.flatMap((h) => h.notActivated())];
  }

  private applyDueFaults(): void {
    while (this.faults.length > 0 && this.faults[0].at <= this.instret) {
      const fault = this.faults.shift()!;
      const host = this.hosts[fault.module];
      if (host.halt) {
        this.inactive.push({ fault: formatFault(fault), reason: 'halted' });
        continue;
      }
      host.inject({ ...fault, module: 0, at: host.instret });
      this.events.push({ kind: 'inject', cycle: this.cycle, instret: this.instret, host: fault.module, fault: formatFault(fault) });
      if (host !== this.active) host.run(0); // lands in the state it holds now
    }
  }

  // ── Checkpoints ────────────────────────────────────────────────────────────────────

  private get hasStandby(): boolean { return this.serving === 0; }

  /**
   * The primary sends its context and the pages it wrote since the last checkpoint. A word it
   * cannot read (context.ts sendCheckpoint) stops it with the checkpoint unsent: the standby
   * takes over from the last one.
   */
  private clusterCheckpoint(): void {
    const [primary, standby] = this.hosts;
    const K = this.settings.checkpointEvery;
    const bytes = sendCheckpoint(primary, standby, takeDirtyPages(primary));
    if (bytes === undefined) return;
    this.checkpointDone(bytes + this.policy.logBytes, primary.port.consumed);
    this.nextCheckpoint = (Math.floor(primary.instret / K) + 1) * K;
  }

  /** The process pair's checkpoint device: the primary sends [addr, addr + length) and its context (unsent, as the cluster's, if it cannot read them). */
  private pairCheckpoint(addr: number, length: number, consumed: number): void {
    if (!this.hasStandby) return; // the backup has taken over: there is no one to send to
    const [primary, backup] = this.hosts;
    const bytes = sendCheckpoint(primary, backup, [[addr, length]]);
    if (bytes !== undefined) this.checkpointDone(bytes, consumed);
  }

  private checkpointDone(bytes: number, consumed: number): void {
    const primary = this.hosts[0];
    const pause = Math.ceil(bytes / this.settings.linkBytesPerCycle);
    this.events.push({ kind: 'checkpoint', cycle: primary.cycle, instret: this.instret, host: 0, bytes, pause_cycles: pause, acknowledged: consumed });
    primary.stall(pause);
    this.acknowledged = consumed;
    this.stats.checkpoints++;
    this.stats.checkpointBytes += bytes;
    this.stats.pauseCycles += pause;
  }

  // ── Queue ──────────────────────────────────────────────────────────────────────────

  /** Moves waiting records into the serving host's FIFO while it has room. */
  private topUp(): void {
    if (this.inbox.length === 0) return;
    const port = this.active.port;
    while (this.inbox.length > 0 && port.queued < this.depth) {
      const record = this.inbox.shift()!;
      port.push(record, this.depth);
      this.fed.push(record);
    }
  }

  private isAnswered(id: number): boolean { return id < this.answered.length ? this.answered[id] === 1 : this.strays.has(id); }

  /** Takes the serving host's results (through the receiver) and notes what it consumed. */
  private collect(): void {
    for (const r of this.active.port.takeResults()) {
      if (this.policy.dedupe && this.isAnswered(r.id)) {
        this.stats.deduplicated++;
        continue;
      }
      if (r.id >= this.acceptedAt.length) this.strays.add(r.id);
      else {
        if (r.id >= this.answered.length) this.answered = grown(this.answered, r.id);
        this.answered[r.id] = 1;
      }
      this.results.push(r);
    }
    const taken = Math.min(this.active.port.consumed, this.fed.length);
    for (; this.seenConsumed < taken; this.seenConsumed++) {
      const at = this.acceptedAt[this.fed[this.seenConsumed].id];
      this.distinctConsumed = Math.max(this.distinctConsumed, at + 1);
    }
  }

  // ── Failure and takeover ───────────────────────────────────────────────────────────

  private hostDown(halt: Halt): void {
    const m = this.active;
    const death = m.cycle;
    const cause = stopCause(halt);
    this.events.push({ kind: 'host-down', cycle: death, instret: this.instret, host: this.serving, reason: cause });
    if (this.serving === 0) this.primaryDeath = death;
    const crashed = !(halt.reason === 'exit' && halt.exitCode === 0);
    if (!crashed || !this.hasStandby || this.hosts[1].halt) {
      const stopped = `host ${this.serving} (the primary) stopped: ${cause}`;
      const reason = crashed ? `no ${this.policy.backupName} is left to take over` : 'the program exited';
      this.goDown(death, reason, crashed ? `${stopped}; ${reason}` : stopped);
      return;
    }
    const H = usToCycles(this.settings.heartbeatUs);
    const lastHeartbeat = Math.floor(death / H) * H;
    const declared = lastHeartbeat + this.settings.missed * H;
    this.events.push({ kind: 'declared-dead', cycle: declared, host: this.serving, last_heartbeat_cycle: lastHeartbeat });
    this.queueWorkInFlight(m.port.consumed);
    this.clock = death;
    this.state = { kind: 'outage', deathCycle: death, takeoverCycle: declared + usToCycles(this.settings.failoverTimeUs) };
  }

  /** Sorts the records the dead host consumed since the last checkpoint into re-delivered and rolled back. */
  private queueWorkInFlight(consumed: number): void {
    const inFlight = this.fed.slice(this.acknowledged, consumed);
    const waiting = this.fed.slice(consumed);
    const rule = this.policy.redeliver;
    const redeliver = rule === 'unanswered' ? inFlight.filter((r) => !this.isAnswered(r.id)) : rule === 'all' ? inFlight : [];
    const again = new Set(redeliver);
    for (const r of inFlight) if (!again.has(r)) this.rolled.add(r.id);
    this.stats.redelivered += redeliver.length;
    this.inbox = [...redeliver, ...waiting, ...this.inbox];
    this.fed = [];
    this.seenConsumed = 0;
  }

  private takeOver(deathCycle: number): void {
    const standby = this.hosts[1];
    const at = this.clock;
    this.instretBefore = this.instret;
    this.serving = 1;
    this.servingFrom = standby.instret;
    standby.stall(Math.max(0, at - standby.cycle));
    this.acknowledged = 0;
    this.outageCycles += at - deathCycle;
    this.stats.failovers++;
    this.state = { kind: 'serving' };
    this.events.push({
      kind: 'takeover', cycle: at, host: 1, checkpoint_instret: standby.instret,
      redelivered: this.stats.redelivered, rolled_back: this.rolled.size, outage_cycles: at - deathCycle,
    });
    if (standby.halt) this.hostDown(standby.halt);
  }

  /** The service ends at cycle `at`: `reason` for its event, `message` for its halt. */
  private goDown(at: number, reason: string, message: string): void {
    this.state = { kind: 'down', since: at, message };
    this.clock = at;
    this.events.push({ kind: 'service-down', cycle: at, reason });
  }

  // ── Report ─────────────────────────────────────────────────────────────────────────

  summary(now: number): FailoverSummary {
    const s = this.settings;
    const role = (host: number): HostRole => (this.hosts[host].halt ? 'dead' : host === this.serving ? 'primary' : 'standby');
    return {
      topology: s.topology,
      settings: {
        heartbeat_us: s.heartbeatUs, missed: s.missed, failover_time_us: s.failoverTimeUs,
        ...(s.topology === 'cluster' ? { checkpoint_every: s.checkpointEvery, cluster_aware: s.clusterAware } : {}),
        link_bytes_per_cycle: s.linkBytesPerCycle,
      },
      checkpoints: this.stats.checkpoints,
      checkpoint_bytes: this.stats.checkpointBytes,
      checkpoint_pause_us: cyclesToUs(this.stats.pauseCycles),
      heartbeats: Math.floor(Math.min(now, this.primaryDeath ?? now) / usToCycles(s.heartbeatUs)) + 1,
      failovers: this.stats.failovers,
      downtime_us: cyclesToUs(this.downtimeCycles(now)),
      redelivered: this.stats.redelivered,
      rolled_back: this.rolled.size,
      deduplicated: this.stats.deduplicated,
      hosts: this.hosts.map((m, host) => ({ host, role: role(host), instret: m.instret })),
      events: this.events,
    };
  }

  // ── Time travel (failover-state.ts) ────────────────────────────────────────────────

  /** Every field but the hosts and the settings, copied; the caller snapshots the hosts at the same moment. */
  saveState(): FailoverState {
    return saveFields(this, ['hosts', 'settings']);
  }

  /** Puts back a state saveState() gave, the hosts restored to the same moment. */
  restoreState(state: ServiceState): void {
    restoreFields(this, state as FailoverState);
  }
}

/**
 * Why a host stopped, in a failover system's words: its machine's halt message speaks of a
 * module that nothing else can replace, which the system's other host does.
 */
function stopCause(halt: Halt): string {
  switch (halt.reason) {
    case 'dead': return 'killed';
    case 'failstop': return 'it announced an uncorrectable error';
    default: return halt.message; // exit, trap, idle: what the program did, in words that name no module
  }
}

/** A copy of `array` long enough to hold index `index` (doubling). */
function grown<T extends Int32Array | Uint8Array>(array: T, index: number): T {
  let length = array.length;
  while (length <= index) length *= 2;
  const copy = new (array.constructor as new (n: number) => T)(length);
  copy.set(array);
  return copy;
}
