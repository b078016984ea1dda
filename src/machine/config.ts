/**
 * A machine's configuration: the settings Machine.create() takes, their checks, and their
 * defaults.
 */
import type { Topology, CrossCheck } from './topology.ts';
import type { ResyncMode } from './events.ts';
import type { ConsoleIO } from './hostcalls.ts';
import { DEFAULT_DIAGNOSE_TIME, checkDiagnosisSettings, type ReadmitPolicy, type Threshold } from './diagnosis.ts';
import { checkEccSettings, type EccMode } from './ecc.ts';
import type { Engine } from './core.ts';
import { InputError } from '../input-error.ts';

export type ComparePoint = 'every' | 'store' | 'io';

export interface MachineConfig {
  topology?: Topology;
  /** Guest RAM per module in MiB (1..64; default 1). */
  ramMiB?: number;
  compare?: ComparePoint;
  /** How a replaced module is brought into lockstep (default precopy). */
  resync?: ResyncMode;
  /** Replace an offline module (or board) automatically this many instructions after it went offline. */
  repairAfter?: number;
  /** Copy bandwidth during resync, in bytes per cycle of the 100 MHz clock (default 8, i.e. 800 MB/s). */
  copyBytesPerCycle?: number;
  /** Whether a module taken offline whose self-test finds only transient faults comes back (default never; diagnosis.ts). */
  readmit?: ReadmitPolicy;
  /** Instructions from going offline to re-admission (default 10,000). */
  diagnoseTime?: number;
  /** Retire a module for good after this many errors within this many instructions (with readmit transient). */
  threshold?: Threshold;
  /** pair-spare: compare each board's two CPUs only (default, as Stratus does), or the boards with each other too. */
  crossCheck?: CrossCheck;
  /** The RAM's error-correcting code (default none; ecc.ts). */
  ecc?: EccMode;
  /** A scrubber pass over RAM every this many instructions (needs ecc secded; default none). */
  scrubEvery?: number;
  /** How the core runs guest code (default translate: core.ts DEFAULT_ENGINE). Not machine state: a snapshot neither records nor restores it. */
  engine?: Engine;
  console?: ConsoleIO;
  /**
   * Whether the console's input may block (CLI stdin): the UART then waits for input when a
   * program finds it empty. Off (the browser), input arrives whenever it is pushed.
   */
  blockingInput?: boolean;
}

/** A configuration with its defaults filled in (the console and the engine apart: they are not part of the state). */
export type ResolvedConfig = Required<Omit<MachineConfig, 'console' | 'engine' | 'repairAfter' | 'threshold' | 'scrubEvery'>>
  & { repairAfter?: number; threshold?: Threshold; scrubEvery?: number };

/** Throws InputError naming the first bad setting of `config`. */
export function checkMachineConfig(config: MachineConfig): void {
  const ram = config.ramMiB ?? 1;
  if (!Number.isInteger(ram) || ram < 1 || ram > 64) throw new InputError(`RAM size ${ram} MiB is out of range: use 1..64`);
  if (config.repairAfter !== undefined && (!Number.isSafeInteger(config.repairAfter) || config.repairAfter < 0)) {
    throw new InputError(`repair time ${config.repairAfter} must be a non-negative number of instructions`);
  }
  const bw = config.copyBytesPerCycle ?? 8;
  if (!(bw > 0)) throw new InputError(`copy bandwidth ${bw} must be positive`);
  checkDiagnosisSettings(config);
  checkEccSettings(config.ecc, config.scrubEvery);
}

export function resolveMachineConfig(config: MachineConfig): ResolvedConfig {
  return {
    topology: config.topology ?? 'simplex',
    ramMiB: config.ramMiB ?? 1,
    compare: config.compare ?? 'every',
    resync: config.resync ?? 'precopy',
    repairAfter: config.repairAfter,
    copyBytesPerCycle: config.copyBytesPerCycle ?? 8,
    blockingInput: config.blockingInput ?? false,
    readmit: config.readmit ?? 'never',
    diagnoseTime: config.diagnoseTime ?? DEFAULT_DIAGNOSE_TIME,
    threshold: config.threshold,
    crossCheck: config.crossCheck ?? 'within',
    ecc: config.ecc ?? 'none',
    scrubEvery: config.scrubEvery,
  };
}
