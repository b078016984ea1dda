/**
 * Fault specs (DESIGN §5 text) built from clicks: a register bit, a RAM word's bit, a
 * module's (or host's) "pull" button or a board's checker menu, with the kind and the time
 * chosen in the fault bar. Without an instruction count or a virtual time the session
 * schedules the fault before the next instruction ("now"); a virtual time (`at=5ms`) is for
 * workload runs, which have a clock. A clicked bit can hit every module alike (common-mode).
 */
import { parseFault, formatTime, FaultSpecError, type Checker, type CheckerFaultKind } from '../../src/fault/spec.ts';
import type { MachineStatus } from '../../src/worker/session.ts';

export type ClickKind = 'flip' | 'stuck0' | 'stuck1' | 'ecc';
export const CLICK_KINDS: readonly { kind: ClickKind; label: string }[] = [
  { kind: 'flip', label: 'flip (transient)' },
  { kind: 'stuck0', label: 'stuck at 0' },
  { kind: 'stuck1', label: 'stuck at 1' },
  { kind: 'ecc', label: 'ECC error (announced)' },
];

/** When a clicked fault applies: before the next instruction, before instruction `at`, or at virtual time `atUs` (µs). */
export type When = { now: true } | { now: false; at: number } | { now: false; atUs: number };

/** The thing clicked: `target` is a fault target (`x5`, `pc`, `mepc`, `mem:0x80001000`). */
export interface BitClick {
  module: number;
  target: string;
  bit: number;
}

function withWhen(parts: string[], when: When): string {
  if (when.now) return parts.join(',');
  return [`at=${'at' in when ? when.at : formatTime(when.atUs)}`, ...parts].join(',');
}

/**
 * Whether a scheduled fault (as the session returned it, with its `at`) is still to come in
 * `view`: before its instruction, or before its virtual time on the workload's clock.
 */
export function stillPending(spec: string, view: MachineStatus): boolean {
  const fault = parseFault(spec);
  if (fault.atUs === undefined) return fault.at >= view.instret;
  return view.workload !== undefined && !view.workload.progress.done && view.workload.progress.nowUs < fault.atUs;
}

/** Checks the spec's shape as the session will (an `at` is supplied for the check). */
function checked(spec: string): string {
  parseFault(/(^|,)at=/.test(spec) ? spec : `at=0,${spec}`);
  return spec;
}

/**
 * The fault for a clicked bit: on the clicked module, or with `everyModule` the same on every
 * module. Throws FaultSpecError when the kind does not fit the target.
 */
export function bitFault(click: BitClick, kind: ClickKind, when: When, everyModule = false): string {
  if (kind === 'ecc' && !/^(x\d+|mem:)/.test(click.target)) {
    throw new FaultSpecError(`an ECC error needs a RAM word or a register, not ${click.target}: choose another kind`);
  }
  return checked(withWhen([`module=${everyModule ? 'all' : click.module}`, `kind=${kind}`, `target=${click.target}`, `bit=${click.bit}`], when));
}

/** A checker's verdict on board `board` stuck (the comparator of dmr and pair-spare, tmr's voter). */
export function checkerFault(board: number, checker: Checker, kind: CheckerFaultKind, when: When): string {
  return checked(withWhen([`board=${board}`, `kind=${kind}`, `target=${checker}`], when));
}

/** Pulling a module (or a whole board) out of the machine: a kill. */
export function pullFault(site: { module: number } | { board: number }, when: When): string {
  const where = 'board' in site ? `board=${site.board}` : `module=${site.module}`;
  return checked(withWhen([where, 'kind=kill'], when));
}

export { FaultSpecError };
