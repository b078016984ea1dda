/**
 * The JSON report of a run (`--report FILE.json`): the machine, what happened to it, and
 * how it ended. Field names are snake_case; timing fields (wall_ms, mips) are the only ones
 * that differ between two runs of the same program, seed and fault plan.
 */
import type { Machine, ModuleStatus } from './machine.ts';
import { detectionLatency, type InactiveFault, type MachineEvent } from './events.ts';
import type { Outcome } from '../fault/classify.ts';
import type { Ledger } from '../transactions/ledger.ts';
import type { ScrubStats } from './ecc.ts';

export interface RunReport {
  topology: string;
  compare: string;
  ram_mib: number;
  /** The RAM's error-correcting code: none or secded. */
  ecc: string;
  /** With a scrubber (--scrub-every): its passes and what they cost (machine/ecc.ts). */
  scrub?: ScrubStats;
  /** With --classify: the outcome against the fault-free reference (DESIGN §6). */
  outcome?: Outcome;
  exit_code: number;
  /** exit, failstop, trap, idle, dead, max-instructions, or (a workload run whose machine is still up) duration. */
  stop_reason: string;
  /** One line for people about how the run ended. */
  message?: string;
  instret: number;
  /** Virtual clock cycles (instructions plus wfi stalls and resync pauses). */
  cycles: number;
  wall_ms: number;
  /** Logical instructions per second of wall time, in millions. */
  mips: number;
  stdout_bytes: number;
  modules: ModuleStatus[];
  events: MachineEvent[];
  /** Faults of the plan that took no effect, and why (Machine.notActivated()). */
  not_activated: InactiveFault[];
  /** Instructions from the first injected fault to its first detection, or null. */
  detection_latency: number | null;
  /** With --classify: the fault-free reference run. */
  reference?: { instret: number; exit_code: number; stdout_bytes: number };
  /** With a transaction workload: what became of its transactions (src/transactions/ledger.ts). */
  ledger?: Ledger;
}

export interface ReportInputs {
  exitCode: number;
  stopReason: string;
  wallMs: number;
  outcome?: Outcome;
  reference?: RunReport['reference'];
  ledger?: Ledger;
}

export function buildReport(machine: Machine, inputs: ReportInputs): RunReport {
  const report: RunReport = {
    topology: machine.topology,
    compare: machine.config.compare,
    ram_mib: machine.config.ramMiB,
    ecc: machine.config.ecc,
    scrub: machine.scrubStats(),
    outcome: inputs.outcome,
    exit_code: inputs.exitCode,
    stop_reason: inputs.stopReason,
    message: machine.halt?.message,
    instret: machine.instret,
    cycles: machine.cycle,
    wall_ms: Math.round(inputs.wallMs * 1000) / 1000,
    mips: inputs.wallMs > 0 ? Math.round((machine.instret / inputs.wallMs / 1000) * 10) / 10 : 0,
    stdout_bytes: machine.outputBytes,
    modules: machine.moduleStatus(),
    events: [...machine.events],
    not_activated: machine.notActivated(),
    detection_latency: detectionLatency(machine.events),
    reference: inputs.reference,
    ledger: inputs.ledger,
  };
  if (report.ledger === undefined) delete report.ledger;
  if (report.scrub === undefined) delete report.scrub;
  if (report.outcome === undefined) delete report.outcome;
  if (report.reference === undefined) delete report.reference;
  if (report.message === undefined) delete report.message;
  return report;
}
