/**
 * Lockstep Lab's library: the same operations as the CLI and the browser app, as typed
 * functions. Build a machine from a config, load a program, schedule faults and
 * replacements, run it in batches, read its modules, events and snapshots; check lessons.
 */
export { Machine, NULL_CONSOLE } from './machine/machine.ts';
export { trapName } from './machine/traps.ts';
export type {
  MachineConfig, ComparePoint, ModuleState, ModuleStatus, RunResult, RunStop, ScheduledAction,
} from './machine/machine.ts';
export type { MachineEvent, DivergeEvent, MiscompareEvent, EventKind, Halt, HaltReason, ResyncMode, InactiveFault } from './machine/events.ts';
export { divergenceValues, exitStatusOf, detectionLatency, EXIT_LIMIT, EXIT_FAILSTOP, EXIT_DEAD } from './machine/events.ts';
export { TOPOLOGIES, CROSS_CHECKS, isTopology, moduleCount, boardOf, boardCount, modulesOfBoard } from './machine/topology.ts';
export type { Topology, OfflineReason, CrossCheck } from './machine/topology.ts';
export { checkerOf } from './machine/checkers.ts';
export { READMIT_POLICIES, DEFAULT_DIAGNOSE_TIME, parseThreshold } from './machine/diagnosis.ts';
export type { ReadmitPolicy, Threshold, DiagnosisVerdict } from './machine/diagnosis.ts';
export type { ConsoleIO } from './machine/hostcalls.ts';
export type { RetireRecord } from './machine/records.ts';
export { formatTraceEntry, type TraceEntry } from './machine/trace.ts';
export { buildReport, type RunReport } from './machine/report.ts';
export { ECC_MODES, type EccMode, type CorrectedBy, type ScrubStats } from './machine/ecc.ts';

export { parseFault, formatFault, parseTarget, faultBits, FaultSpecError, FAULT_KINDS, MODULE_FAULT_KINDS, CHECKER_FAULT_KINDS, CHECKERS } from './fault/spec.ts';
export type { Fault, FaultKind, FaultTarget, FaultSite, Checker, CheckerFaultKind } from './fault/spec.ts';
export { classify, OUTCOMES, HANG_FACTOR, type Outcome } from './fault/classify.ts';
export { DebugPoints, type DebugHit } from './debug/points.ts';
export { parseWatch, formatWatch, WatchError, type WatchTarget } from './debug/watch.ts';
export { referenceCard, type ReferenceCard } from './machine/reference-card.ts';
export { HOST_CALLS, type HostCallInfo } from './machine/hostcalls.ts';
export { Random } from './fault/random.ts';
export { InputError } from './input-error.ts';

export * from './transactions/index.ts';
export { TransactionPort } from './machine/txport.ts';
export { CheckpointDevice, type CheckpointRequest } from './machine/checkpoint-device.ts';

export * from './isa/index.ts';

export { MachineSession } from './worker/session.ts';
export type { MachineSetup, MachineView, ModuleView, ProgramInput } from './worker/session.ts';
export { createNodeMachineWorker } from './worker/node-client.ts';

export * from './availability/index.ts';

export * from './lessons/index.ts';
export * from './system/index.ts';
export { compare, compareRun, compareFault, COMPARE_TOPOLOGIES, COMPARE_FAULTS, type CompareOptions, type CompareRow, type CompareRun, type CompareTopology, type CompareFault, type CompareFaultSpec, type ApplicationChanges } from './system/compare.ts';
