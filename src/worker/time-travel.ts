/**
 * Time travel (issue 15): a session's machine goes back to any instruction of its run so far
 * and forward again, and everything replays exactly — every module, the fault-free twin
 * (twin.ts), the console and the events.
 *
 * A history is the state it starts from (a program just loaded), the interventions made
 * since — faults and replacements scheduled, console input sent — each at the instruction
 * count at which it was made, and checkpoints (checkpoints.ts): snapshots of the machine
 * with the session's side (console output so far, input not yet taken) and the twin's
 * state. Going to instruction t restores the newest checkpoint at or before t and runs to
 * t, making the logged interventions again at their instructions; the machine is
 * deterministic (DESIGN §2), so that is the state the run had at t. Before the furthest
 * instruction reached (the present), running replays the recorded future, faults and input
 * included; a new intervention there starts a new history from that instruction, and the
 * recorded future is dropped.
 *
 * The state at instruction t is the machine with t instructions retired and the scheduled
 * actions due at t applied (a fault at=t shows on its module; instruction t has not felt
 * it yet), as run() leaves it, before any intervention made at t.
 *
 * The interventions are always logged and the start always kept, so that the whole run can
 * be reached; `enabled` adds the periodic checkpoints that keep travel quick, at the cost of
 * a snapshot every CHECKPOINT_INTERVAL instructions of the run. Off, the run is the
 * machine's run(budget) in the same batches as without time travel.
 *
 * The twin runs in a worker of its own (twin.ts): a checkpoint's twin state arrives once the
 * twin has got there, at most a time slice later, and counts from then on; until then that
 * checkpoint cannot start the twin (an older one does). The session waits for the twin
 * (Twin.settled) before it travels, so every state taken has arrived by then.
 *
 * Memory: the checkpoints kept weigh at most CHECKPOINT_BUDGET bytes, as long as the start
 * and the newest one fit in it together (checkpoints.ts): a checkpoint of a machine with R
 * MiB of RAM per module holds at most modules × R MiB of RAM (pages equal to module 0's,
 * or zero, cost a byte), the twin's R MiB and about 0.2 MiB of device state — for 1 MiB
 * machines at most 5.2 MiB, so the budget always holds. Over a 100 M-instruction run 11
 * periodic ones are due, of which at most 9 are kept (4 a level), with the start and at
 * most 8 fine ones: typically a few MiB in all (untouched RAM costs nothing), never more
 * than the budget.
 */
import { Machine, type RunResult, type RunStop } from '../machine/machine.ts';
import type { MachineEvent } from '../machine/events.ts';
import { isDetection } from '../machine/events.ts';
import type { ConsoleIO } from '../machine/hostcalls.ts';
import { formatFault, type Fault } from '../fault/spec.ts';
import type { OutputDifference } from '../fault/classify.ts';
import { CheckpointStore, FINE_LIMIT } from './checkpoints.ts';
import type { InputChunk } from './reference.ts';
import type { ByteLog } from './byte-log.ts';
import { Twin, deviated, faultFreeSnapshot, nextDeviation, type TwinState } from './twin.ts';

/**
 * Instructions between periodic checkpoints (2^23): a checkpoint of a 1 MiB machine takes
 * 0.5 to 2.5 ms (a snapshot: device state, and a page scan per module), so the run keeps
 * about 97 % of its speed (measured in Node on int-mix, simplex and tmr, 600 M
 * instructions); and going back replays at most 2^23 instructions (a few hundredths of a
 * second on simplex, a tenth or two on pair-spare). Halving the interval doubles the cost;
 * doubling it doubles the worst replay.
 */
export const CHECKPOINT_INTERVAL = 2 ** 23;
/** Periodic checkpoints kept per level (checkpoints.ts): an instruction `age` back lies at most interval + (age + interval) / 3 instructions after one. */
export const CHECKPOINTS_PER_LEVEL = 4;
/** Bytes of checkpoints kept at most (see Memory above). */
export const CHECKPOINT_BUDGET = 48 * 2 ** 20;
/** A travel that replays more than this many instructions takes fine checkpoints on the way (FINE_LIMIT of them, evenly spaced). */
export const FINE_FROM = 2 ** 20;

/** Something done to the machine from outside, at instruction `at`: what a replay does again. */
export type Intervention =
  | { at: number; kind: 'fault'; fault: Fault }
  | { at: number; kind: 'replace'; site: { module: number } | { board: number }; when: number }
  | { at: number; kind: 'input'; bytes: Uint8Array };

/** The session's side of a state: what lies outside the machine. */
export interface SessionState {
  /** Bytes of console output so far. */
  outputLength: number;
  /** Console input sent that neither the UART nor a read has taken yet. */
  input: number[];
  waitingForInput: boolean;
}

interface Checkpoint {
  instret: number;
  /** Interventions made before it was taken: a replay from it makes those after. */
  logged: number;
  machine: ArrayBuffer;
  session: SessionState;
  /** The machine had not deviated (twin.ts): its state is also the fault-free run's. */
  faultFree: boolean;
  /** The twin's state, when it ran on its own (not mirroring) in step with the machine. */
  twin?: TwinState;
  bytes: number;
}

/** What time travel needs of the session it serves. */
export interface TravelHost {
  readonly machine: Machine;
  readonly console: ConsoleIO;
  /** The session's console output (both streams, as the page shows it). */
  readonly output: ByteLog;
  /** The session's side now. */
  capture(): SessionState;
  /** Puts `machine`, restored from a checkpoint, in the session, with the session's side as `state` had it. */
  install(machine: Machine, state: SessionState): void;
  /** Makes an intervention on the machine and the session again (without logging it). */
  perform(intervention: Intervention): void;
  /** A new fault-free twin, mirroring. */
  twin(): Twin;
}

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
  /** Where the present's first fault took effect, its first detection, and where the modules' records first differed (the divergence's first_differed, or its instruction). */
  injection?: number;
  detection?: number;
  divergence?: number;
}

export class TimeTravel {
  private readonly log: Intervention[] = [];
  /** Interventions made so far on the way to the machine's instruction (the rest are its recorded future). */
  private cursor = 0;
  private readonly store: CheckpointStore<Checkpoint>;
  private present: number;
  /** The events of the present (the machine's, while it is there). */
  private presentEvents: readonly MachineEvent[];
  private enabled: boolean;
  private readonly fineFrom: number;
  /** The fault-free twin, when the page shows it. */
  twin?: Twin;

  constructor(private readonly host: TravelHost, options: Partial<TimeTravelOptions> = {}) {
    const { enabled = true, interval = CHECKPOINT_INTERVAL, perLevel = CHECKPOINTS_PER_LEVEL, maxBytes = CHECKPOINT_BUDGET, fineFrom = FINE_FROM } = options;
    this.enabled = enabled;
    this.fineFrom = fineFrom;
    this.store = new CheckpointStore(this.checkpoint(false), interval, perLevel, maxBytes);
    this.present = host.machine.instret;
    this.presentEvents = host.machine.events;
  }

  /** Keeps periodic checkpoints from now on (true), or none (false: the run goes at full speed; travel replays from older states). */
  setEnabled(enabled: boolean): void {
    this.enabled = enabled;
  }

  /** Shows the fault-free twin (true) or stops running it. Throws RangeError when the history holds no fault-free state to start it from. */
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
    const m = this.host.machine;
    const branches = this.cursor < this.log.length || m.instret < this.present;
    if (branches) {
      const inputs = this.inputChunks().length;
      this.log.length = this.cursor;
      this.store.dropAfter(m.instret);
      this.host.output.dropAhead();
      this.present = m.instret;
      this.presentEvents = m.events;
      if (this.inputChunks().length < inputs) this.forgetTwinStates();
    }
    this.log.push(intervention);
    this.cursor++;
    return branches;
  }

  /** The history's input changed: the fault-free run does too, from where it first took the input now gone. */
  private forgetTwinStates(): void {
    for (const c of this.store.all()) delete c.twin;
    this.twin?.forget();
    this.placeTwin();
  }

  /**
   * Runs the machine to instruction `until` (see Machine.run: it stops earlier at a halt,
   * or to wait for console input), making the recorded interventions again on the way and
   * taking the periodic checkpoints that fall due; the twin follows (unless not `withTwin`).
   */
  advance(until: number, withTwin = true): RunResult {
    const begin = this.host.machine.instret;
    let stop: RunStop = 'budget';
    for (;;) {
      const m = this.host.machine;
      if (m.halt) {
        stop = 'halted';
        break;
      }
      if (m.instret >= until) break;
      const next = this.log[this.cursor];
      if (next && next.at <= m.instret) {
        this.host.perform(next);
        this.cursor++;
        stop = 'budget';
        continue;
      }
      let end = Math.min(until, next?.at ?? Infinity, this.enabled ? this.store.nextAfter(m.instret) : Infinity);
      if (this.twin?.mirroring) end = Math.min(end, this.forkPoint(m));
      const result = m.run(end - m.instret);
      stop = result.stop;
      if (stop === 'halted') break;
      if (stop === 'input') {
        // Replaying, the input comes at its instruction; before it a guest polling the UART runs on.
        if (next?.at === m.instret || (next && result.executed > 0)) continue;
        break;
      }
      if (stop !== 'budget') break; // any other reason the machine stopped for is the caller's
      if (this.enabled && this.store.due(m.instret)) {
        this.placeTwin();
        this.store.add(this.checkpoint(true));
      }
    }
    const m = this.host.machine;
    if (m.instret >= this.present) {
      this.present = m.instret;
      this.presentEvents = m.events;
    }
    if (withTwin) this.placeTwin();
    return { stop, executed: m.instret - begin };
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
      const snapshot = faultFreeSnapshot(m.snapshot());
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
   */
  private placeTwin(): void {
    const twin = this.twin;
    if (!twin) return;
    const m = this.host.machine;
    if (!deviated(m.events)) {
      twin.mirror();
      return;
    }
    const inputs = this.inputChunks();
    if (!twin.canReach(m.instret, inputs.length)) {
      const usable = (c: Checkpoint) => c.faultFree || (c.twin !== undefined && c.twin.instret <= m.instret && c.twin.delivered <= inputs.length);
      const from = this.store.latest(m.instret, usable);
      if (!usable(from)) throw new RangeError('the history holds no fault-free state to start the twin from: it began from a snapshot of a faulty machine');
      if (from.faultFree) {
        twin.resume({
          snapshot: faultFreeSnapshot(from.machine), queue: from.session.input, delivered: this.inputsAmong(from.logged),
          outputLength: from.session.outputLength, instret: from.instret,
        }, this.host.output.bytes(0, from.session.outputLength));
      } else {
        twin.resume(from.twin!);
      }
    }
    twin.advance(m.instret, inputs);
  }

  /**
   * The machine and the session's side now; with `withTwin`, the twin's state there once it
   * arrives (the twin has been placed at the machine's instruction).
   */
  private checkpoint(withTwin: boolean): Checkpoint {
    const m = this.host.machine;
    const machine = m.snapshot(); // flushes the UART's output to the session first
    const session = this.host.capture();
    const checkpoint: Checkpoint = {
      instret: m.instret, logged: this.cursor, machine, session, faultFree: !deviated(m.events),
      bytes: machine.byteLength + 8 * session.input.length,
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
   * checkpoint at or before it and replays; a long replay leaves fine checkpoints on the
   * way, so that stepping back again nearby is quick. Returns how the replay's last run
   * stopped (`input`: the machine waits for input there).
   */
  travel(target: number): RunResult {
    const t = Math.max(this.store.start.instret, Math.min(this.present, Math.floor(target)));
    const from = this.store.latest(t);
    this.host.install(Machine.fromSnapshotSync(from.machine, this.host.console), from.session);
    this.cursor = from.logged;
    this.twin?.machineOutputCut(from.session.outputLength);
    const distance = t - from.instret;
    if (distance > this.fineFrom) {
      const every = Math.ceil(distance / (FINE_LIMIT + 1));
      const fine: Checkpoint[] = [];
      for (let at = from.instret + every; at < t; at += every) {
        if (this.advance(at, false).stop !== 'budget') break;
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
    let high = kept.find((c) => c.session.outputLength > bytes)?.instret ?? this.present;
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
    const events = this.presentEvents;
    const injection = events.find((e) => e.kind === 'inject')?.instret;
    const detection = events.find(isDetection)?.instret;
    const diverge = events.find((e) => e.kind === 'diverge');
    return {
      enabled: this.enabled, start: this.store.start.instret, present: this.present, interval: this.store.interval,
      checkpoints: this.store.count, bytes: this.store.bytes,
      faults: this.log.flatMap((i) => (i.kind === 'fault' ? [formatFault(i.fault)] : [])),
      ...(injection !== undefined ? { injection } : {}),
      ...(detection !== undefined ? { detection } : {}),
      ...(diverge ? { divergence: diverge.first_differed ?? diverge.instret } : {}),
    };
  }
}
