/**
 * Time travel: a session's rig goes back to any instruction of its run so far and
 * forward again, and everything replays exactly — every module of a lockstep machine or
 * both hosts of a failover system, the fault-free twin (twin.ts), the console, the events,
 * and with a transaction workload its feed and ledger and the failover machinery.
 *
 * A history is the state it starts from (a program just loaded), the interventions made
 * since — faults and replacements scheduled, console input sent — each at the moment at
 * which it was made, and checkpoints (checkpoints.ts): the rig's whole state (rig-state.ts)
 * with the session's side (console output so far, input not yet taken) and the twin's
 * state. Going to instruction t restores the newest checkpoint at or before t and runs to
 * t, making the logged interventions again at their moments; the rig is deterministic
 * (DESIGN §2) — a workload's arrivals are a function of its seed, and the feed, a failover
 * system's heartbeats, checkpoints and takeover are functions of the virtual clock — so that
 * is the state the run had at t. Before the furthest point reached (the present), running
 * replays the recorded future, faults and input included; a new intervention there starts
 * a new history from that point, and the recorded future is dropped.
 *
 * Instruction t is the rig's instruction count: a lockstep machine's instret; a failover
 * system's instructions, those retired by every host that served, re-executions after a
 * takeover included (as a fault's `at` counts them: FailoverSystem.instret). The state at
 * instruction t is the rig as it is once t instructions have retired (instruction t − 1 the
 * last), with nothing after that: the scheduled actions due at t applied (a fault at=t shows
 * on its module; instruction t has not felt it yet), as run() leaves it, before any
 * intervention made at t. A workload's clock runs on while no instruction retires — its
 * service idle in wfi, down, or in a failover's outage (a death and its takeover fall on the
 * same instruction) — and stepping replays that time, but an instruction names only its
 * first moment: going to t lands there. The one exception is the present's instruction,
 * which is the present as the run left it, its clock wherever it stood (a workload's state
 * there is kept when the rig leaves it). A moment of the run is therefore the pair
 * (instructions, clock) — the workload's clock (TravelHost.clock), else the machine's — and
 * an intervention is made again at exactly the moment it was made at: the replay runs to its
 * instruction, then lets the clock run to its time with nothing retiring, as the run did.
 *
 * The interventions are always logged and the start always kept, so that the whole run can
 * be reached; `enabled` adds the periodic checkpoints that keep travel quick, at the cost of
 * a snapshot every checkpointInterval() instructions of the run. Off, the run is the rig's
 * own run in the same batches as without time travel.
 *
 * The twin runs in a worker of its own (twin.ts): a checkpoint's twin state arrives once the
 * twin has got there, a few time slices later at most, and counts from then on; until then that
 * checkpoint cannot start the twin (an older one does). The session waits for the twin
 * (Twin.settled) before it travels, so every state taken has arrived by then.
 *
 * Memory: the checkpoints kept, with the present's, weigh at most CHECKPOINT_BUDGET bytes,
 * as long as the start, the newest one and the present's fit in it together
 * (checkpoints.ts). Over a 100 M-instruction run on the interpreter 11 periodic ones are due,
 * of which at most 9 are kept (4 a level), with the start, at most 8 fine ones and the
 * present's; with the translator, 1.
 * - A lockstep machine with R MiB of RAM per module: a checkpoint holds at most modules × R
 *   MiB of RAM (pages equal to module 0's, or zero, cost a byte), the twin's R MiB and about
 *   0.2 MiB of device state — for 1 MiB machines at most 5.2 MiB, so the budget always
 *   holds. A workload's feed adds a few numbers: its lists are shared with the run.
 * - A failover system of two R MiB hosts: the hosts share no pages (the standby holds the
 *   last checkpoint, not the primary's RAM), at most 2 × (R MiB + 0.2 MiB), 2.4 MiB for 1
 *   MiB hosts; and the system's own lists and tables, of which a checkpoint holds what
 *   changed since the state saved before it (failover-state.ts): about 16 bytes per
 *   transaction that arrived in between.
 * Measured on the interpreter over 100 M instructions with 1 MiB modules (10 checkpoints kept; 19 after a travel
 * back, with its fine ones and the present's): int-mix on tmr 1.9 MiB (3.6 MiB); card-auth at
 * 20,000 transactions/s on tmr 2.5 MiB (4.8 MiB), and on a cluster, 1.2 M arrivals, 23.7 MiB
 * (30.8 MiB). Untouched RAM costs nothing.
 */
import type { Machine, RunResult, RunStop } from '../machine/machine.ts';
import type { Engine } from '../machine/core.ts';
import { formatFault, type Fault } from '../fault/spec.ts';
import type { OutputDifference } from '../fault/classify.ts';
import { CheckpointStore, FINE_LIMIT } from './checkpoints.ts';
import type { InputChunk } from './reference.ts';
import type { ByteLog } from './byte-log.ts';
import { Twin, deviated, faultFreeSnapshot, nextDeviation, type TwinState } from './twin.ts';
import type { Landmarks, Rig } from './rig.ts';
import type { RigState } from './rig-state.ts';
import { InputError } from '../input-error.ts';

/**
 * Instructions between periodic checkpoints (2^23): a checkpoint of a 1 MiB machine takes
 * 0.5 to 1 ms, 2 to 4 the first after a long run (a snapshot: device state, and a page scan
 * per module in the core), so the run keeps about 97 % of its speed (measured in Node on
 * int-mix, simplex and tmr, 600 M instructions); and going back replays at most 2^23
 * instructions (a few hundredths of a second on simplex, a tenth or two on pair-spare).
 * Halving the interval doubles the cost; doubling it doubles the worst replay.
 */
export const CHECKPOINT_INTERVAL = 2 ** 23;
/**
 * Instructions between periodic checkpoints of a rig with the translator (engine translate
 * or auto, 2^26): translated code runs about 8 times as many instructions a second as the
 * interpreter (`lockstep bench`), so that a checkpoint costs it the same share of the run,
 * and going back replays in about the same time (code that auto leaves to the interpreter
 * replays up to 8 times as long).
 */
export const TRANSLATED_CHECKPOINT_INTERVAL = 2 ** 26;

/** The periodic checkpoints' interval for a rig whose machines run on `engine`. */
export function checkpointInterval(engine: Engine): number {
  return engine === 'interp' ? CHECKPOINT_INTERVAL : TRANSLATED_CHECKPOINT_INTERVAL;
}
/** Periodic checkpoints kept per level (checkpoints.ts): an instruction `age` back lies at most interval + (age + interval) / 3 instructions after one. */
export const CHECKPOINTS_PER_LEVEL = 4;
/** Bytes of checkpoints kept at most (see Memory above). */
export const CHECKPOINT_BUDGET = 48 * 2 ** 20;
/** A travel that replays more than this many instructions takes fine checkpoints on the way (FINE_LIMIT of them, evenly spaced). */
export const FINE_FROM = 2 ** 20;

/** A point of the run: instructions retired, and the clock then (TravelHost.clock), cycles. */
export interface Moment {
  instret: number;
  clock: number;
}

/** Whether moment `a` comes before `b`. */
function before(a: Moment, b: Moment): boolean {
  return a.instret < b.instret || (a.instret === b.instret && a.clock < b.clock);
}

/** Something done to the rig from outside, at instruction `at` when the clock read `cycle`: what a replay does again there. */
export type Intervention = { at: number; cycle: number } & (
  | { kind: 'fault'; fault: Fault }
  | { kind: 'replace'; site: { module: number } | { board: number }; when: number }
  | { kind: 'input'; bytes: Uint8Array });

/** The session's side of a state: what lies outside the machine. */
export interface SessionState {
  /** Bytes of console output so far. */
  outputLength: number;
  /** Console input sent that neither the UART nor a read has taken yet. */
  input: number[];
  waitingForInput: boolean;
}

interface Checkpoint extends Moment {
  /** Interventions made before it was taken: a replay from it makes those after. */
  logged: number;
  rig: RigState;
  session: SessionState;
  /** The machine had not deviated (twin.ts): its state is also the fault-free run's. */
  faultFree: boolean;
  /** The twin's state, when it ran on its own (not mirroring): at the checkpoint's instruction, or before it after a lazy advance. */
  twin?: TwinState;
  bytes: number;
}

/** What time travel needs of the session it serves. */
export interface TravelHost {
  /** What runs: a lockstep machine or a failover system (its instret is the history's instruction count). */
  readonly rig: Rig;
  /** The session's console output (both streams, as the page shows it). */
  readonly output: ByteLog;
  /** The virtual clock, cycles: a workload's feed's (it runs on while the service idles or is down), else the machine's. */
  readonly clock: number;
  /** The run is over: the machine halted (a plain program), or a workload's run reached its end. */
  readonly finished: boolean;
  /** The rig's whole state now (rig-state.ts), with a workload's. */
  save(): RigState;
  /** The session's side now. */
  capture(): SessionState;
  /** Puts the rig back in `rig` (restoreRig) and the session's side as `state` had it. */
  restore(rig: RigState, state: SessionState): void;
  /** Makes an intervention on the rig and the session again (without logging it). */
  perform(intervention: Intervention): void;
  /**
   * Runs the rig for at most `budget` instructions, and a workload until its clock reaches
   * `untilCycle` (Machine.run for a plain program, which ignores it; WorkloadRun.run).
   */
  run(budget: number, untilCycle: number): RunResult;
  /** A new fault-free twin, mirroring. */
  twin(): Twin;
}

/** How the twin follows a run (TimeTravel.advance): to the rig's instruction; lazily, while the machine runs flat out (Twin.advance); not at all. */
export type TwinFollows = 'in step' | 'lazily' | 'not';

export interface TimeTravelOptions {
  /** Keep periodic checkpoints (default true). */
  enabled: boolean;
  interval: number;
  perLevel: number;
  maxBytes: number;
  /** A travel replaying more than this many instructions leaves fine checkpoints. */
  fineFrom: number;
}

/** What the page shows of the history. */
export interface HistoryStatus {
  /** Periodic checkpoints are kept: travel is quick. */
  enabled: boolean;
  /** The first instruction the history holds. */
  start: number;
  /** The furthest instruction this history has reached. Before it, running replays what happened. */
  present: number;
  /** Instructions between periodic checkpoints. */
  interval: number;
  checkpoints: number;
  bytes: number;
  /** The faults scheduled in this history (DESIGN §5 text), those of its recorded future too. */
  faults: string[];
  /** The present's landmarks (Rig.landmarks): where its first fault took effect, its first detection, where the modules' records first differed. */
  injection?: number;
  detection?: number;
  divergence?: number;
}

export class TimeTravel {
  private readonly log: Intervention[] = [];
  /** Interventions made so far on the way to the rig's moment (the rest are its recorded future). */
  private cursor = 0;
  private readonly store: CheckpointStore<Checkpoint>;
  /** The furthest moment this history has reached. */
  private present: Moment;
  private presentLandmarks: Landmarks;
  /** The present's state, kept when the rig left it (travel), and as long as the rig is not there: a workload's clock may stand after its instruction's first moment. */
  private presentState?: Checkpoint;
  private enabled: boolean;
  private readonly fineFrom: number;
  /** The fault-free twin, when the page shows it. */
  twin?: Twin;

  constructor(private readonly host: TravelHost, options: Partial<TimeTravelOptions> = {}) {
    const { enabled = true, interval = checkpointInterval(host.rig.machines[0].core.engine), perLevel = CHECKPOINTS_PER_LEVEL, maxBytes = CHECKPOINT_BUDGET, fineFrom = FINE_FROM } = options;
    this.enabled = enabled;
    this.fineFrom = fineFrom;
    this.store = new CheckpointStore(this.checkpoint(false), interval, perLevel, maxBytes);
    this.present = this.moment();
    this.presentLandmarks = host.rig.landmarks();
  }

  /** Keeps `state` as the present's (undefined: the rig is at the present, or it moved on), within the store's budget. */
  private keepPresent(state: Checkpoint | undefined): void {
    this.presentState = state;
    this.store.reserve(state?.bytes ?? 0);
  }

  /** Where the rig is now. */
  private moment(): Moment {
    return { instret: this.host.rig.instret, clock: this.host.clock };
  }

  /** The rig has got to the present or beyond it (`here`): a later present's state is that of the rig itself. */
  private reached(here: Moment): void {
    if (before(this.present, here)) this.keepPresent(undefined);
    this.present = here;
    this.presentLandmarks = this.host.rig.landmarks();
  }

  /** Keeps periodic checkpoints from now on (true), or none (false: the run goes at full speed; travel replays from older states). */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  /** Shows the fault-free twin (true) or stops running it. Throws InputError when the history holds no fault-free state to start it from. */
  setTwin(on: boolean): void {
    if (on === (this.twin !== undefined)) return;
    if (!on) this.twin!.forget();
    this.twin = on ? this.host.twin() : undefined;
    try {
      this.placeTwin();
    } catch (error) {
      this.twin = undefined;
      throw error;
    }
  }

  /** The console input of this history, in order, as the fault-free runs take it (reference.ts). */
  inputChunks(): InputChunk[] {
    return this.log.flatMap((i) => (i.kind === 'input' ? [{ at: i.at, bytes: i.bytes }] : []));
  }

  /** Input chunks among the first `n` interventions. */
  private inputsAmong(n: number): number {
    return this.log.slice(0, n).filter((i) => i.kind === 'input').length;
  }

  /**
   * Logs `intervention`, just made on the machine at its instruction. Made before the
   * present, it starts a new history there: the recorded future goes (returns true).
   */
  record(intervention: Intervention): boolean {
    const here = this.moment();
    const branches = this.cursor < this.log.length || before(here, this.present);
    if (branches) {
      const inputs = this.inputChunks().length;
      this.log.length = this.cursor;
      this.store.dropAfter(here.instret);
      this.host.output.dropAhead();
      this.keepPresent(undefined);
      this.present = here;
      if (this.inputChunks().length < inputs) this.forgetTwinStates();
    }
    this.log.push(intervention);
    this.cursor++;
    if (branches) this.presentLandmarks = this.host.rig.landmarks();
    return branches;
  }

  /** The history's input changed: the fault-free run does too, from where it first took the input now gone. */
  private forgetTwinStates(): void {
    for (const c of this.store.all()) delete c.twin;
    this.twin?.forget();
    this.placeTwin();
  }

  /**
   * Runs the rig to instruction `until`, and a workload until its clock reaches
   * `untilCycle`, making the recorded interventions again at their moments on the way and
   * taking the periodic checkpoints that fall due; the twin follows as `twin` says.
   * It stops earlier where the rig's run does for anything else (see TravelHost.run: a halt,
   * a plain program waiting for console input, a breakpoint, a workload's end).
   */
  advance(until: number, untilCycle = Infinity, twin: TwinFollows = 'in step'): RunResult {
    const host = this.host;
    const begin = host.rig.instret;
    let stop: RunStop = 'budget';
    for (;;) {
      if (host.finished) {
        stop = 'halted';
        break;
      }
      const here = this.moment();
      if (here.instret >= until) break;
      if (here.clock >= untilCycle) {
        stop = 'cycle';
        break;
      }
      const next = this.log[this.cursor];
      if (next && next.at <= here.instret && next.cycle <= here.clock) {
        host.perform(next);
        this.cursor++;
        stop = 'budget';
        continue;
      }
      let end = Math.min(until, next?.at ?? Infinity, this.enabled ? this.store.nextAfter(here.instret) : Infinity);
      if (this.twin?.mirroring) end = Math.min(end, this.forkPoint(host.rig.machine!));
      // A workload may reach an intervention's instruction before its clock: then only the clock runs on.
      const result = host.run(end - here.instret, Math.min(untilCycle, next?.cycle ?? Infinity));
      stop = result.stop;
      const now = this.moment();
      if (now.instret === here.instret && now.clock === here.clock && (stop === 'budget' || stop === 'cycle')) {
        throw new Error(`time travel: the run makes no progress at instruction ${here.instret} (clock ${here.clock}) towards ${next ? `the intervention recorded at instruction ${next.at} (clock ${next.cycle})` : `instruction ${end}`}`);
      }
      if (stop === 'halted') break;
      if (stop === 'input') {
        // Replaying, the input comes at its instruction; before it a guest polling the UART runs on.
        if (next?.at === now.instret || (next && result.executed > 0)) continue;
        break;
      }
      if (stop === 'cycle') continue; // the caller's clock (seen above), or the next intervention's
      if (stop !== 'budget') break; // any other reason the rig stopped for is the caller's
      if (this.enabled && this.store.due(now.instret)) {
        this.placeTwin(twin === 'lazily');
        this.store.add(this.checkpoint(true));
      }
    }
    const here = this.moment();
    if (!before(here, this.present)) this.reached(here);
    if (twin !== 'not') this.placeTwin(twin === 'lazily');
    return { stop, executed: host.rig.instret - begin };
  }

  /**
   * Where a run must stop for the mirroring twin to fork before the machine deviates: the
   * instruction before the first scheduled fault or replacement; the twin forks at once
   * when that is the next instruction or this one.
   */
  private forkPoint(m: Machine): number {
    const at = nextDeviation(m);
    if (at === undefined) return Infinity;
    if (at > m.instret + 1) return at - 1;
    if (!deviated(m.events)) {
      const snapshot = faultFreeSnapshot(m.snapshot(), m.core.layout);
      const session = this.host.capture();
      this.twin!.resume(
        { snapshot, queue: session.input, delivered: this.inputsAmong(this.cursor), outputLength: session.outputLength, instret: m.instret },
        this.host.output.bytes(),
        m,
      );
    }
    return Infinity;
  }

  /**
   * Puts the twin at the machine's instruction: mirroring while the machine has not
   * deviated, else running on, or going on from the newest fault-free state at or before it.
   * `lazy`: the machine runs flat out, and the twin may stop short of it (Twin.advance).
   */
  private placeTwin(lazy = false): void {
    const twin = this.twin;
    if (!twin) return;
    const m = this.host.rig.machine!;
    if (!deviated(m.events)) {
      twin.mirror();
      return;
    }
    const inputs = this.inputChunks();
    if (!twin.canReach(m.instret, inputs.length)) {
      const usable = (c: Checkpoint) => c.faultFree || (c.twin !== undefined && c.twin.instret <= m.instret && c.twin.delivered <= inputs.length);
      const from = this.store.latest(m.instret, usable);
      if (!usable(from)) throw new InputError('the history holds no fault-free state to start the twin from: it began from a snapshot of a faulty machine');
      if (from.faultFree) {
        const { state, output } = this.faultFreeState(from);
        twin.resume(state, output);
      } else {
        twin.resume(from.twin!);
      }
    }
    twin.advance(m.instret, inputs, lazy);
  }

  /** The fault-free run's state at checkpoint `c`, one of a machine that had not deviated, and the output before it. */
  private faultFreeState(c: Checkpoint): { state: TwinState; output: Uint8Array } {
    const state = {
      snapshot: faultFreeSnapshot(c.rig.machines[0], this.host.rig.machine!.core.layout), queue: c.session.input, delivered: this.inputsAmong(c.logged),
      outputLength: c.session.outputLength, instret: c.instret,
    };
    return { state, output: this.host.output.bytes(0, c.session.outputLength) };
  }

  /**
   * While the machine is idle: the twin's runner runs the history ahead from its start, when
   * that is a fault-free state (Twin.scout). The caller holds it while the machine runs.
   */
  scoutTwin(): void {
    const start = this.store.start;
    if (this.twin && start.faultFree) this.twin.scout(() => this.faultFreeState(start));
  }

  /**
   * The machine and the session's side now; with `withTwin`, the twin's state once it
   * arrives (the twin has been placed at the machine's instruction, or lazily short of it).
   */
  private checkpoint(withTwin: boolean): Checkpoint {
    const rig = this.host.save(); // flushes the UART's output to the session first
    const session = this.host.capture();
    const m = this.host.rig.machine;
    const checkpoint: Checkpoint = {
      ...this.moment(), logged: this.cursor, rig, session, faultFree: m !== undefined && !deviated(m.events),
      bytes: rig.bytes + 8 * session.input.length,
    };
    void (withTwin ? this.twin?.state() : undefined)?.then((twin) => {
      if (!twin) return;
      checkpoint.twin = twin;
      this.store.grow(checkpoint, twin.snapshot.byteLength + 8 * twin.queue.length);
    });
    return checkpoint;
  }

  /**
   * Goes to instruction `target` (clamped to the history's span): restores the newest
   * checkpoint at or before it — the present's own state for the present's instruction — and
   * replays; a long replay leaves fine checkpoints on the way, so that stepping back again
   * nearby is quick. Returns how the replay's last run stopped (`input`: the machine waits
   * for input there).
   */
  travel(target: number): RunResult {
    const t = Math.max(this.store.start.instret, Math.min(this.present.instret, Math.floor(target)));
    const atPresent = !before(this.moment(), this.present);
    if (atPresent && t === this.present.instret) return { stop: 'budget', executed: 0 };
    if (atPresent) this.keepPresent(this.checkpoint(false));
    const from = t === this.present.instret && this.presentState ? this.presentState : this.store.latest(t);
    this.host.restore(from.rig, from.session);
    this.cursor = from.logged;
    this.twin?.machineOutputCut(from.session.outputLength);
    const distance = t - from.instret;
    if (distance > this.fineFrom) {
      const every = Math.ceil(distance / (FINE_LIMIT + 1));
      const fine: Checkpoint[] = [];
      for (let at = from.instret + every; at < t; at += every) {
        this.advance(at, Infinity, 'not');
        if (this.host.rig.instret !== at) break;
        fine.push(this.checkpoint(false));
      }
      this.store.setFine(fine);
    }
    return this.advance(t);
  }

  /** The first byte at which the machine's output differs from the twin's, both as far as they have run (Twin.parting). */
  parting(): OutputDifference | undefined {
    return this.twin?.parting(this.host.output);
  }

  /**
   * Goes to the first instruction at which the console output is longer than `bytes` bytes
   * (the instruction that wrote byte number `bytes` is the one before it), or to the present
   * if the output never gets that long; see travel().
   */
  whenOutputExceeds(bytes: number): RunResult {
    const kept = this.store.all();
    if (kept[0].session.outputLength > bytes) return this.travel(kept[0].instret);
    let low = [...kept].reverse().find((c) => c.session.outputLength <= bytes)!.instret;
    let high = kept.find((c) => c.session.outputLength > bytes)?.instret ?? this.present.instret;
    const longer = (t: number) => {
      this.travel(t);
      return this.host.output.length > bytes;
    };
    if (!longer(high)) return this.travel(high);
    while (high - low > 1) {
      const middle = Math.floor((low + high) / 2);
      if (longer(middle)) high = middle;
      else low = middle;
    }
    return this.travel(high);
  }

  status(): HistoryStatus {
    const { injection, detection, divergence } = this.presentLandmarks;
    const present = this.presentState;
    return {
      enabled: this.enabled, start: this.store.start.instret, present: this.present.instret, interval: this.store.interval,
      checkpoints: this.store.count + (present ? 1 : 0), bytes: this.store.bytes + (present?.bytes ?? 0),
      faults: this.log.flatMap((i) => (i.kind === 'fault' ? [formatFault(i.fault)] : [])),
      ...(injection !== undefined ? { injection } : {}),
      ...(detection !== undefined ? { detection } : {}),
      ...(divergence !== undefined ? { divergence } : {}),
    };
  }
}
