/**
 * What a session's views show of a plain program's fault-free run: the twin (twin.ts) as a
 * TwinView — its module, and its console output since the previous view, of which the page
 * keeps a copy — and where the machine's console output parts from the fault-free run's:
 * the verdict's difference once the run is judged (verdict.ts), else the twin's, found as
 * far as both have printed. The parting is placed in the machine's output (line, column)
 * for the twin's console, and the one last found at the present is kept for
 * jump('difference') until the history starts over.
 *
 * The session tells it what invalidates its copies: resend() when the page's copy of the
 * twin's output starts over, outputMoved() when the machine's output changed under a
 * placement made on it, forgetParting() when the history the parting was found on ends.
 */
import type { Machine } from '../machine/machine.ts';
import type { OutputDifference } from '../fault/classify.ts';
import type { ByteLog } from './byte-log.ts';
import type { FaultFreePlace } from './fault-free.ts';
import type { TimeTravel } from './time-travel.ts';
import { architectural } from './architectural.ts';
import { deviated } from './twin.ts';
import { placeDifference, type MachineStatus, type OutputDifferenceAt, type TwinView, type Verdict } from './views.ts';

/** The session as its twin's views see it. */
export interface TwinViewHost {
  /** The lockstep machine that runs the plain program. */
  readonly machine: Machine;
  /** The machine's whole console output. */
  readonly output: ByteLog;
  /** The verdict once it is known. */
  readonly verdict: Verdict | undefined;
  /** Where the twin runs. */
  readonly twinPlace: FaultFreePlace;
}

export class TwinViews {
  /** Bytes of the twin's output the page has. */
  private twinSent = 0;
  /** The twin's output the page's copy is of (views start it over when this changes). */
  private twinLog?: ByteLog;
  /** Where the run's output parts from the fault-free run's, as last found at the present. */
  private found?: OutputDifference;
  private placed?: { offset: number; placed: OutputDifferenceAt };

  constructor(private readonly host: TwinViewHost) {}

  /** Where the run's output was last found to part from the fault-free run's (the verdict's, or the twin's at the present). */
  get parting(): OutputDifference | undefined { return this.found; }

  /** The page's copy of the twin's output starts over: the next view carries all of it. */
  resend(): void {
    this.twinSent = 0;
  }

  /** The machine's output moved (travel, a new history): a parting placed in it is placed again. */
  outputMoved(): void {
    this.placed = undefined;
  }

  /** The history the parting was found on has ended. */
  forgetParting(): void {
    this.found = undefined;
  }

  /** The twin, and where the output parts from the fault-free run's, for status() of a plain program's `travel` (whose present is `present`). */
  status(travel: TimeTravel, present: number): Pick<MachineStatus, 'twin' | 'parting'> {
    const twin = travel.twin && this.twinView(travel);
    const atPresent = this.host.machine.instret === present;
    const verdict = this.host.verdict;
    const found = verdict?.kind === 'judged' ? verdict.difference : atPresent ? twin?.parting : undefined;
    if (found) {
      const { offset, actual, expected } = found;
      this.found = { offset, ...(actual !== undefined ? { actual } : {}), ...(expected !== undefined ? { expected } : {}) };
    }
    return { ...(twin ? { twin } : {}), ...(this.found ? { parting: this.found } : {}) };
  }

  /**
   * The twin: what it last reported (or its fork) once it runs beside the machine, else
   * (mirroring) the machine's reference module and output; undefined while it has nothing
   * to show (it started over on new input, and has not reported yet).
   */
  private twinView(travel: TimeTravel): TwinView | undefined {
    const m = this.host.machine;
    const twin = travel.twin!;
    const shown = twin.mirroring ? { instret: m.instret, halt: m.halt, module: architectural(m, m.referenceModule() ?? 0) } : twin.shown;
    if (!shown) return undefined;
    const output = twin.output ?? this.host.output;
    if (output !== this.twinLog || output.length < this.twinSent) this.twinSent = 0;
    this.twinLog = output;
    const outputFrom = this.twinSent;
    this.twinSent = output.length;
    const verdict = this.host.verdict;
    const found = verdict?.kind === 'judged' ? verdict.difference : travel.parting();
    if (found && this.placed?.offset !== found.offset) this.placed = { offset: found.offset, placed: placeDifference(found, this.host.output.bytes()) };
    const parting = found && this.placed!.placed;
    const place = this.host.twinPlace;
    return {
      same: !deviated(m.events),
      instret: shown.instret,
      ...(shown.halt ? { halt: shown.halt } : {}),
      ...shown.module,
      ...(place.where === 'thread' ? { sharedThread: place.why } : {}),
      outputFrom,
      output: output.bytes(outputFrom),
      ...(parting ? { parting } : {}),
    };
  }
}
