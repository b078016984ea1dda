/**
 * A session's verdict (DESIGN §6): every plain program's run ends with one, in the words of
 * src/fault/classify.ts, judged against the fault-free run of the same program and input
 * (reference.ts), which starts when the first fault is scheduled (expectFault). A run that
 * does not finish within HANG_FACTOR × the fault-free run's instructions is stopped there:
 * it hung.
 *
 * What is known of the fault-free run comes from three places: the machine itself until its
 * first deviation (it is the fault-free run until then), the twin (twin.ts) while it is
 * shown, and the verdict's own fault-free run, which runs in a runner the host gives
 * (fault-free.ts) only as far as the other two do not tell: while the twin runs in step it
 * need not run at all.
 *
 * The contract with the session (VerdictHost): before the machine runs, it asks how far it
 * may run (hangRoom), or waits until it may run to an instruction (faultFreeAhead); after
 * it ran, it calls settle(), which decides the verdict once the run has ended (or hung:
 * host.hung()), and sendAhead(), which sends the fault-free run on ahead of the next run.
 * A halted run with a fault applied is judged in the background while the fault-free run
 * goes on to its end (judging; host.notify() when it ends). reset() starts over for a new
 * machine, rewound() for a new position of the same one (time travel), and the console input
 * the machine received reaches the fault-free run through received() and newHistory().
 */
import type { Machine } from '../machine/machine.ts';
import type { Program } from '../isa/program.ts';
import { formatFault } from '../fault/spec.ts';
import { classify, firstDifference, HANG_FACTOR } from '../fault/classify.ts';
import type { MachineSetup } from './rig.ts';
import type { InputChunk } from './reference.ts';
import type { ByteLog } from './byte-log.ts';
import { FaultFreeRun, faultFreeSetup, type FaultFreePort, type FaultFreeReport } from './fault-free.ts';
import { deviation, nextDeviation, type Twin } from './twin.ts';
import { placeDifference, type Verdict } from './views.ts';
import { MAX_SLICE, SLICE_MS, yieldToEvents } from './time-slices.ts';

/** Instructions the fault-free run may take before the session gives up judging against it. */
const REFERENCE_LIMIT = 500_000_000;
/** Instructions the verdict's fault-free run runs per call while it is run to its end (between checks of the wall time, in this worker). */
const REFERENCE_CHUNK = 2_000_000;
/** At most this many instructions per advance it is sent ahead of the machine: a wait for the nearest need not wait for the farthest. */
const REFERENCE_STEP = 500_000;
/** Time slices' worth of instructions the verdict's fault-free run is sent ahead of the machine's need (a HANG_FACTOR-th of them). */
const REFERENCE_LEAD = 3;

/** The session as the verdict sees it. */
export interface VerdictHost {
  /** The lockstep machine judged (the session asks for a verdict only with one). */
  readonly machine: Machine;
  /** The loaded program and the setup it runs on: the fault-free run's (on one module, simplex). */
  readonly program: Program | undefined;
  readonly setup: MachineSetup;
  /** The name of the machine's fault-free run (program and simplex setup), undefined when there is none to share (a machine restored from a snapshot). */
  readonly history: string | undefined;
  /** The machine's whole console output. */
  readonly output: ByteLog;
  /** The fault-free twin, while it is shown: it reports the same fault-free run. */
  readonly twin: Twin | undefined;
  /** The runner for the verdict's fault-free run (started once, kept for every machine of the session). */
  port(): Promise<FaultFreePort>;
  /** The run passed the hang limit: free running stops. */
  hung(): void;
  /** Judging in the background has ended: tells changed() waiters. */
  notify(): void;
}

/** The fault-free run's end as known: its report there, and its output. */
interface FaultFreeEnd {
  report: FaultFreeReport;
  output: ByteLog;
}

export class VerdictJudge {
  /**
   * The verdict's fault-free run, started when the first fault is scheduled, and the name of
   * the history it runs (VerdictHost.history). A new machine of the same name keeps it
   * (reset()): its fault-free run is the same.
   */
  private reference?: FaultFreeRun;
  private referenceHistory?: string;
  /** The verdict once it is known (see Verdict); never changes after, until reset() or rewound(). */
  private final?: Verdict;
  /** The fault-free run is being run to its end in the background. */
  private background = false;
  /** The machine came from a snapshot: the output before it is unknown, so no verdict. */
  private restored = false;
  /** Console input as the machine received it, for the fault-free run. */
  private inputLog: InputChunk[] = [];
  /** Machines judged, and travels made on the last one: a verdict judged in the background is for the machine and position it was started at. */
  private machines = 0;
  private rewinds = 0;

  constructor(private readonly host: VerdictHost) {}

  /** The verdict once it is known. */
  get verdict(): Verdict | undefined { return this.final; }

  /** A halted run is being judged in the background. */
  get judging(): boolean { return this.background; }

  /** The verdict as views show it: the known one, or `pending` while judged in the background. */
  get shown(): Verdict | undefined {
    if (this.final) return this.final;
    return this.background ? { kind: 'pending', referenceInstret: this.reference?.latest?.instret ?? 0 } : undefined;
  }

  /**
   * A new machine: no verdict, no input. Its fault-free run is the last machine's when the
   * program and setup are the same (a reset, or a change of topology only): what that run
   * found stays known, unless it took input, which the new machine has not received, or
   * failed. A machine `restored` from a snapshot gets none.
   */
  reset(restored: boolean): void {
    this.machines++;
    this.final = undefined;
    this.background = false;
    this.restored = restored;
    const same = this.host.history !== undefined && this.host.history === this.referenceHistory;
    if (restored || !same || this.reference?.failed) this.reference = undefined;
    this.newHistory([]);
  }

  /** The session is done with: judging in the background stops, and the fault-free run goes. */
  close(): void {
    this.machines++;
    this.background = false;
    this.reference = undefined;
  }

  /** The machine travelled: the verdict is the new position's (settle() decides it). */
  rewound(): void {
    this.rewinds++;
    this.final = undefined;
    this.background = false;
  }

  /** Console input the machine received. */
  received(chunk: InputChunk): void {
    this.inputLog.push(chunk);
  }

  /** A new history whose input is `inputs`: a fault-free run that took input beyond it goes. */
  newHistory(inputs: InputChunk[]): void {
    this.inputLog = inputs;
    if (this.reference && this.reference.at.delivered > this.inputLog.length) this.reference = undefined;
  }

  /** A fault is being scheduled: starts the fault-free run the verdict is judged against, unless it runs or there can be none. */
  expectFault(): void {
    if (!this.reference && !this.restored && this.host.program) this.reference = this.startReference(this.host.program);
  }

  /**
   * What is known of the fault-free run's end, along this history's input: that it ended
   * (`end`: its report there and its output), that it waits for input this history does not
   * hold, or that it had not ended after `after` instructions. The machine tells it until its
   * first deviation (it is the fault-free run until then), and the twin and the verdict's
   * run report it: one fault-free run serves both, so while the twin runs in step the
   * verdict's need not run at all.
   */
  private faultFreeKnown(): { after: number; end?: FaultFreeEnd; waiting: boolean } {
    const m = this.host.machine;
    // Until it deviates at its first scheduled fault or replacement, the machine is the fault-free run: had it halted before, it would not run on.
    let after = deviation(m.events)?.instret ?? Math.max(m.instret, nextDeviation(m) ?? 0);
    let end: FaultFreeEnd | undefined;
    let waiting = false;
    const twin = this.host.twin;
    const runs = [this.reference, twin && { latest: twin.report, output: twin.output!, gave: (inputs: readonly InputChunk[]) => twin.gave(inputs) }];
    for (const run of runs) {
      const report = run?.latest;
      if (!run || !report || report.delivered > this.inputLog.length) continue;
      if (report.halt) end = { report, output: run.output };
      else if (report.waiting && run.gave(this.inputLog)) waiting = true;
      after = Math.max(after, report.runningAt);
    }
    return { after, ...(end ? { end } : {}), waiting };
  }

  /**
   * Instructions the machine may run before it might pass HANG_FACTOR × the fault-free run's
   * instructions unnoticed: up to there once that run is known to exit, and while all that is
   * known is that it had not ended after `after` instructions, HANG_FACTOR × (after + 1).
   */
  hangRoom(): number {
    if (!this.reference || this.final) return Infinity;
    const known = this.faultFreeKnown();
    if (known.end) return known.end.report.halt?.reason === 'exit' ? HANG_FACTOR * known.end.report.instret - this.host.machine.instret : Infinity;
    return known.waiting ? Infinity : HANG_FACTOR * (known.after + 1) - this.host.machine.instret;
  }

  /**
   * Waits until a run of the machine to instruction `until` cannot pass HANG_FACTOR × the
   * fault-free run's instructions unnoticed (hangRoom), sending the verdict's run on when the
   * twin does not tell it.
   */
  async faultFreeAhead(until: number): Promise<void> {
    for (;;) {
      const reference = this.reference;
      if (!reference || this.final) return;
      const known = this.faultFreeKnown();
      if (known.end || known.waiting || HANG_FACTOR * (known.after + 1) > until) return;
      this.sendReferenceAhead(until - this.host.machine.instret);
      await reference.answer();
      if (reference.unanswered > 0) continue;
      await reference.settled();
      const report = reference.current;
      if (reference === this.reference && report && !report.halt && !report.waiting && HANG_FACTOR * (report.instret + 1) <= until) {
        throw new Error(`the verdict's fault-free run stopped at instruction ${report.instret} without a reason`);
      }
    }
  }

  /**
   * After a run of `budget` instructions: sends the verdict's fault-free run on for the next
   * REFERENCE_LEAD such runs, and at least for the largest time slice (running free, slices
   * grow from 100,000 instructions to tens of millions within a few).
   */
  sendAhead(budget: number): void {
    this.sendReferenceAhead(Math.max(REFERENCE_LEAD * budget, MAX_SLICE));
  }

  /**
   * Sends the verdict's fault-free run on to a HANG_FACTOR-th of the way to `ahead`
   * instructions after the machine's, unless what is known, or what it was sent, goes that far.
   */
  private sendReferenceAhead(ahead: number): void {
    const reference = this.reference;
    if (!reference || this.final) return;
    const target = Math.floor((this.host.machine.instret + ahead) / HANG_FACTOR);
    const known = this.faultFreeKnown();
    if (known.end || known.waiting || known.after >= target) return;
    if (!reference.gave(this.inputLog)) {
      reference.advance(target, this.inputLog);
      return;
    }
    // In pieces, so that a wait for the first (faultFreeAhead) need not wait for the last.
    for (let at = reference.at.instret; at < target;) {
      at = Math.min(target, at + REFERENCE_STEP);
      reference.advance(at, this.inputLog);
    }
  }

  /**
   * The verdict's fault-free run of `program` from its start, in its own runner: on one
   * module, a simplex machine, which runs as each module of a fault-free lockstep machine
   * does (twin.ts, faultFreeSnapshot) at a half to a quarter of the work.
   */
  private startReference(program: Program): FaultFreeRun {
    const reference = new FaultFreeRun(this.host.port());
    reference.start(faultFreeSetup(this.host.setup), program);
    this.referenceHistory = this.host.history;
    return reference;
  }

  /**
   * Decides the verdict once the run has ended (see Verdict): halted, or past HANG_FACTOR ×
   * the fault-free run's instructions. A halted run with a fault applied is judged in the
   * background when the fault-free run must go on first.
   */
  settle(): void {
    const m = this.host.machine;
    if (this.final || this.background) return;
    if (!m.halt) {
      const end = this.reference && this.faultFreeKnown().end;
      if (end?.report.halt?.reason === 'exit' && m.instret >= HANG_FACTOR * end.report.instret) {
        this.final = this.judged(end);
        this.host.hung();
      }
      return;
    }
    if (!m.events.some((e) => e.kind === 'inject')) {
      const notApplied = m.pending().flatMap((a) => (a.type === 'fault' ? [formatFault(a.fault)] : []));
      this.final = { kind: 'fault-free', notApplied };
    } else if (this.restored) {
      this.final = { kind: 'unjudged', reason: 'the machine was restored from a snapshot, so the output before it is unknown' };
    } else {
      void this.judge();
    }
  }

  /**
   * Runs the fault-free run to its end (or REFERENCE_LIMIT) unless its end is known, then
   * sets the verdict and tells changed() waiters.
   */
  private async judge(): Promise<void> {
    const { machines, rewinds } = this;
    // The run judged is still this one, where it ended: not another machine, not gone back (a travel keeps the machine object).
    const current = () => this.machines === machines && this.rewinds === rewinds;
    this.background = true;
    try {
      await this.host.twin?.settled(); // in step, the twin may know the end already
      const end = this.faultFreeKnown().end ?? await this.referenceToEnd(machines);
      if (!end || !current()) return;
      const { halt, instret } = end.report;
      this.final = halt?.reason === 'exit' ? this.judged(end)
        : {
          kind: 'unjudged',
          reason: halt ? `the fault-free run does not exit either: ${halt.message}`
            : instret >= REFERENCE_LIMIT ? `the fault-free run had not finished after ${REFERENCE_LIMIT.toLocaleString('en-US')} instructions`
            : 'the fault-free run waits for console input that this run never received',
        };
    } catch (error) {
      if (this.machines === machines) this.final = { kind: 'unjudged', reason: `the fault-free run failed: ${error instanceof Error ? error.message : String(error)}` };
    } finally {
      if (current()) {
        this.background = false;
        this.host.notify();
      }
    }
  }

  /**
   * Runs the verdict's fault-free run on until it halts, waits for input this history does
   * not hold, or reaches REFERENCE_LIMIT; from the twin's state when the twin is further
   * along the same run (at the machine's instruction count: often far). Undefined when the
   * machine is no longer the `machines`-th meanwhile.
   */
  private async referenceToEnd(machines: number): Promise<FaultFreeEnd | undefined> {
    const reference = this.reference ??= this.startReference(this.host.program!);
    const twin = this.host.twin;
    const along = twin?.report;
    if (along && along.delivered <= this.inputLog.length && along.instret > reference.at.instret) {
      const state = await twin!.state();
      if (state && twin!.output) reference.resume(state, twin!.output.bytes(0, state.outputLength));
    }
    let sliceStart = performance.now();
    for (;;) {
      await reference.settled();
      if (this.machines !== machines || reference !== this.reference) return undefined;
      const report = reference.current;
      if (report && (report.halt || (report.waiting && reference.gave(this.inputLog)) || report.instret >= REFERENCE_LIMIT)) return { report, output: reference.output };
      reference.advance(Math.min(REFERENCE_LIMIT, reference.at.instret + REFERENCE_CHUNK), this.inputLog);
      if (performance.now() - sliceStart >= SLICE_MS) {
        await yieldToEvents();
        sliceStart = performance.now();
      }
    }
  }

  /** The verdict against a fault-free run that exited. */
  private judged(end: FaultFreeEnd): Verdict {
    const m = this.host.machine;
    const output = this.host.output.bytes();
    const expected = end.output.bytes();
    const { halt, instret } = end.report;
    const outcome = classify(
      { halt, output: expected, events: [] }, // classify reads the faulty run's events only
      { halt: m.halt, output, events: m.events, notActivated: m.notActivated() },
    );
    const difference = firstDifference(expected, output);
    return {
      kind: 'judged', outcome,
      reference: { instret, exitCode: halt!.exitCode, outputBytes: expected.length },
      ...(difference ? { difference: placeDifference(difference, output) } : {}),
    };
  }
}
