/**
 * The fault-free run a session's faulty run is judged against (DESIGN §6), as `lockstep run
 * --classify` does in the CLI: a second machine with the same setup and program and no
 * faults or replacements, given the same console input. Input reaches it at the
 * instruction count at which the session's machine got it, or sooner when it waits for
 * input that the session's machine only got later (its clock does not run while it waits).
 *
 * It runs behind the session's machine, only as far as a verdict needs: a tenth of the
 * faulty run's instructions while that runs (enough to see a hang), and to its end once the
 * faulty run has ended.
 */
import { Machine, type MachineConfig } from '../machine/machine.ts';
import type { Program } from '../isa/program.ts';

/** Console input as the session's machine received it: `bytes`, sent when it had retired `at` instructions. */
export interface InputChunk {
  at: number;
  bytes: Uint8Array;
}

export class ReferenceRun {
  private readonly chunks: Uint8Array[] = [];
  private readonly queue: number[] = [];
  /** Chunks of the input log delivered so far. */
  private delivered = 0;

  private constructor(readonly machine: Machine) {}

  static async start(setup: Omit<MachineConfig, 'console' | 'blockingInput'>, program: Program): Promise<ReferenceRun> {
    const sink: { run?: ReferenceRun } = {};
    const machine = await Machine.create({
      ...setup,
      console: {
        write: (_fd, bytes) => { sink.run!.chunks.push(bytes.slice()); },
        read: (max) => Uint8Array.from(sink.run!.queue.splice(0, max)),
      },
    });
    sink.run = new ReferenceRun(machine);
    machine.load(program);
    return sink.run;
  }

  get instret(): number { return this.machine.instret; }

  /** It exited (the only ending a faulty run can be classified against). */
  get exited(): boolean { return this.machine.halt?.reason === 'exit'; }

  /** Its console output so far. */
  output(): Uint8Array {
    const out = new Uint8Array(this.chunks.reduce((n, c) => n + c.length, 0));
    let at = 0;
    for (const c of this.chunks) {
      out.set(c, at);
      at += c.length;
    }
    return out;
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
