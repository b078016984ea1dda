/**
 * The fault-free run a session's faulty run is judged against (DESIGN §6), as `lockstep run
 * --classify` does in the CLI: a second machine with the same setup and program and no
 * faults or replacements, given the same console input. Input reaches it at the
 * instruction count at which the session's machine got it, or sooner when it waits for
 * input that the session's machine only got later (its clock does not run while it waits).
 *
 * For the verdict it runs behind the session's machine, only as far as a verdict needs: a
 * tenth of the faulty run's instructions while that runs (enough to see a hang), and to its
 * end once the faulty run has ended. The fault-free twin (twin.ts) is one too, kept in step
 * with the machine, and goes back in time from its states (state(), resume()).
 */
import { Machine, type MachineConfig } from '../machine/machine.ts';
import { InputError } from '../input-error.ts';
import type { Program } from '../isa/program.ts';
import { ByteLog } from './byte-log.ts';

/** Console input as the session's machine received it: `bytes`, sent when it had retired `at` instructions. */
export interface InputChunk {
  at: number;
  bytes: Uint8Array;
}

/** Where a fault-free run is: its machine's snapshot, and its console's side of the input log. */
export interface ReferenceState {
  snapshot: ArrayBuffer;
  /** Input bytes delivered that neither the UART nor a read has taken yet. */
  queue: number[];
  /** Chunks of the input log delivered. */
  delivered: number;
  /** Bytes of console output so far. */
  outputLength: number;
}

export class ReferenceRun {
  private queue: number[] = [];
  /** Chunks of the input log delivered so far. */
  private delivered = 0;

  /** Its console output so far. */
  readonly log = new ByteLog();

  private constructor(readonly machine: Machine) {
    machine.console = {
      write: (_fd, bytes) => this.log.append(bytes),
      read: (max) => Uint8Array.from(this.queue.splice(0, max)),
    };
  }

  static async start(setup: Omit<MachineConfig, 'console' | 'blockingInput'>, program: Program): Promise<ReferenceRun> {
    const run = new ReferenceRun(await Machine.create(setup));
    run.machine.load(program);
    return run;
  }

  /**
   * A fault-free run going on from `state` (a machine's fault-free state, or its own
   * state()), whose console printed `output` before it (its first state.outputLength bytes).
   * The core must be compiled (any machine has been created). `reuse`: a machine no run uses
   * any more (the one a run that ended had), restored into when it has the state's
   * configuration — a tenth of the time of setting up a new core, and no new memory.
   */
  static resume(state: ReferenceState, output: Uint8Array, reuse?: Machine): ReferenceRun {
    if (output.length < state.outputLength) throw new Error(`the output before this state has ${state.outputLength} bytes, not ${output.length}`);
    const run = new ReferenceRun(restoredInto(reuse, state.snapshot));
    run.log.append(output.subarray(0, state.outputLength));
    run.queue = [...state.queue];
    run.delivered = state.delivered;
    return run;
  }

  /** Where it is now, for resume(). */
  state(): ReferenceState {
    const snapshot = this.machine.snapshot(); // flushes the UART's output into the log first
    return { snapshot, queue: [...this.queue], delivered: this.delivered, outputLength: this.log.length };
  }

  get instret(): number { return this.machine.instret; }

  /** Chunks of the input log it has been given. */
  get inputsDelivered(): number { return this.delivered; }

  /** It exited (the only ending a faulty run can be classified against). */
  get exited(): boolean { return this.machine.halt?.reason === 'exit'; }

  /** Its console output so far. */
  output(): Uint8Array {
    return this.log.bytes();
  }

  /**
   * Runs until it has retired `until` instructions, halts, or waits for input that `log`
   * (the session's input so far, in order) does not hold yet. Returns false when it halted
   * or waits for input: it cannot go on now.
   */
  advance(until: number, log: readonly InputChunk[]): boolean {
    const m = this.machine;
    while (!m.halt && m.instret < until) {
      const next = log[this.delivered];
      if (next && next.at <= m.instret) {
        this.deliver(next);
        continue;
      }
      const end = next ? Math.min(until, next.at) : until;
      if (m.run(end - m.instret).stop === 'input') {
        if (!next) return false;
        this.deliver(next);
      }
    }
    return !m.halt;
  }

  /** Gives a chunk to the machine as MachineSession.sendInput does: into the UART, the rest for `read`. */
  private deliver(chunk: InputChunk): void {
    this.delivered++;
    for (const b of chunk.bytes) this.queue.push(b);
    this.queue.splice(0, this.machine.pushInput(Uint8Array.from(this.queue)));
  }
}

/** `snapshot` restored into `machine` when that is a machine of the snapshot's configuration, else a new machine from it. */
function restoredInto(machine: Machine | undefined, snapshot: ArrayBuffer): Machine {
  if (machine) {
    try {
      machine.restore(snapshot);
      return machine;
    } catch (error) {
      if (!(error instanceof InputError)) throw error; // another configuration: restore() changed nothing
    }
  }
  return Machine.fromSnapshotSync(snapshot);
}
