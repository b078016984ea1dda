/**
 * The JSON report of a failover system's run: the report of a machine run (machine/report.ts)
 * for the system as a whole — its topology, its instructions and clock, one entry per host in
 * `modules` — and what the failover machinery did (`failover`).
 */
import { buildReport, type ReportInputs, type RunReport } from '../machine/report.ts';
import type { FailoverSystem, FailoverSummary } from './failover.ts';

export interface SystemReport extends RunReport {
  failover: FailoverSummary;
}

/** `now`: the cycle the run ended at (the feed's clock). */
export function buildSystemReport(system: FailoverSystem, inputs: ReportInputs, now: number): SystemReport {
  const report = buildReport(system.active, inputs);
  const hosts = system.hosts.map((m, host) => ({ ...m.moduleStatus()[0], id: host, board: host, state: m.halt ? 'offline' as const : 'online' as const, dead: m.halt !== undefined }));
  return {
    ...report,
    topology: system.settings.topology,
    message: system.halt?.message,
    instret: system.instret,
    cycles: now,
    mips: inputs.wallMs > 0 ? Math.round((system.instret / inputs.wallMs / 1000) * 10) / 10 : 0,
    modules: hosts,
    not_activated: system.notActivated(),
    failover: system.summary(now),
  };
}
