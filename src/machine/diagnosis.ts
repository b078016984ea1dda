/**
 * Diagnosis and re-admission (README "Diagnosis and re-admission"), as fault-tolerant
 * servers do it: a module (in pair-spare, a board) taken offline for an error runs a
 * self-test while the others go on. The self-test finds what the module carries at that
 * moment: a transient upset (`flip`, `ecc`) has left nothing behind, a permanent fault
 * (`stuck0`, `stuck1`, `kill`, a failed comparator on the board) is still there. With
 * re-admission `transient`, a module found clean is brought back through the normal resync
 * once the diagnosis time has passed; a permanent one stays offline until it is replaced.
 *
 * Every error that takes a module offline is counted. With a threshold of K errors within N
 * instructions (ftServer's fault thresholds), a module whose K-th error comes less than N
 * instructions after the first of those K is retired: it is not re-admitted again, whatever
 * the self-test says, and waits for its replacement, which starts a fresh count.
 */
import type { Fault, FaultKind } from '../fault/spec.ts';
import type { MachineEvent } from './events.ts';
import { InputError } from '../input-error.ts';

export const READMIT_POLICIES = ['never', 'transient'] as const;
export type ReadmitPolicy = (typeof READMIT_POLICIES)[number];

/** K errors within N instructions. */
export interface Threshold {
  errors: number;
  /** N, in instructions. */
  within: number;
}

export interface DiagnosisSettings {
  readmit: ReadmitPolicy;
  /** Instructions from going offline to re-admission (the self-test's duration). */
  diagnoseTime: number;
  threshold?: Threshold;
}

export const DEFAULT_DIAGNOSE_TIME = 10_000;

/** What the self-test finds, and what follows: `transient` is re-admitted, `permanent` and `retired` wait for a replacement. */
export type DiagnosisVerdict = 'transient' | 'permanent' | 'retired';

/** Fault kinds a self-test finds still present. */
const PERMANENT_KINDS: ReadonlySet<FaultKind> = new Set(['stuck0', 'stuck1', 'kill', 'stuck-agree', 'stuck-disagree']);

/** Whether a module carrying `faults` still has one a self-test finds. */
function carriesPermanentFault(faults: readonly Fault[]): boolean {
  return faults.some((fault) => PERMANENT_KINDS.has(fault.kind));
}

/** "3/1000000" → 3 errors within 1,000,000 instructions; InputError naming the problem. */
export function parseThreshold(text: string): Threshold {
  const match = /^\s*(\d[\d_]*)\s*\/\s*(\d[\d_]*)\s*$/.exec(text);
  if (!match) throw new InputError(`threshold '${text}' is not K/N (K errors within N instructions, e.g. 3/1000000)`);
  return checkThreshold({ errors: Number(match[1].replace(/_/g, '')), within: Number(match[2].replace(/_/g, '')) });
}

/** Throws InputError naming a diagnosis setting that is out of range. */
export function checkDiagnosisSettings(settings: { diagnoseTime?: number; threshold?: Threshold }): void {
  const time = settings.diagnoseTime;
  if (time !== undefined && (!Number.isSafeInteger(time) || time < 0)) {
    throw new InputError(`diagnosis time ${time} must be a non-negative number of instructions`);
  }
  if (settings.threshold) checkThreshold(settings.threshold);
}

function checkThreshold(threshold: Threshold): Threshold {
  const { errors, within } = threshold;
  if (!Number.isSafeInteger(errors) || errors < 1) throw new InputError(`threshold: K = ${errors} must be 1 or more errors`);
  if (!Number.isSafeInteger(within) || within < 1) throw new InputError(`threshold: N = ${within} must be 1 or more instructions`);
  return threshold;
}

/** The modules' error histories, as a snapshot keeps them: module → instructions of its errors. */
export type ErrorHistory = [number, number[]][];

export class Diagnosis {
  private readonly errors = new Map<number, number[]>();

  constructor(readonly settings: DiagnosisSettings) {}

  get active(): boolean { return this.settings.readmit === 'transient'; }

  /**
   * Unit `modules` (a module, or a pair-spare board's two) went offline at instruction
   * `instret` for an error, carrying `faults` (with a failed on-board checker). Counts the
   * error and says what the self-test finds; `errors` is the count within the threshold's
   * window (all of them without a threshold).
   */
  diagnose(modules: readonly number[], faults: readonly Fault[], instret: number): { verdict: DiagnosisVerdict; errors: number } {
    const history = [...(this.errors.get(modules[0]) ?? []), instret];
    for (const m of modules) this.errors.set(m, history);
    const threshold = this.settings.threshold;
    const errors = threshold ? history.filter((at) => instret - at < threshold.within).length : history.length;
    if (threshold && errors >= threshold.errors) return { verdict: 'retired', errors };
    return { verdict: carriesPermanentFault(faults) ? 'permanent' : 'transient', errors };
  }

  /**
   * Self-tests `units` (each a module, or a pair-spare board's modules), just taken offline
   * at `instret` for errors, carrying `faultsOf` them: a `diagnose` event each, the units to
   * re-admit at readmitAt(instret), and the modules left for repair.
   */
  selfTest(units: readonly number[][], faultsOf: (m: number) => readonly Fault[], instret: number) {
    const events: MachineEvent[] = [];
    const readmit: number[][] = [];
    const repair: number[] = [];
    for (const unit of units) {
      const { verdict, errors } = this.diagnose(unit, unit.flatMap(faultsOf), instret);
      const transient = verdict === 'transient';
      events.push({ instret, kind: 'diagnose', module: unit[0], modules: [...unit], verdict, errors, ...(transient ? { readmit_at: this.readmitAt(instret) } : {}) });
      if (transient) readmit.push([...unit]);
      else repair.push(...unit);
    }
    return { events, readmit, repair };
  }

  /** The instruction before which a module diagnosed at `instret` is re-admitted. */
  readmitAt(instret: number): number {
    return instret + 1 + this.settings.diagnoseTime;
  }

  /** New modules replaced `modules`: their count starts afresh. */
  replaced(modules: readonly number[]): void {
    for (const m of modules) this.errors.delete(m);
  }

  clear(): void { this.errors.clear(); }

  state(): ErrorHistory {
    return [...this.errors].map(([m, history]) => [m, [...history]]);
  }

  restore(state: ErrorHistory = []): void {
    this.errors.clear();
    for (const [m, history] of state) this.errors.set(m, [...history]);
  }
}
