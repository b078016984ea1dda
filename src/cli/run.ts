/**
 * `lockstep run PROGRAM`: runs a program on a machine, stdout carrying exactly the guest's
 * output and the exit status its exit code (DESIGN §9). The other exit statuses are listed
 * in errors.ts (EXIT_STATUSES); a halt's is exitStatusOf() in machine/events.ts.
 *
 * Everything is checked before anything runs (options, the program, the fault plan, the
 * trace and report paths). The report is written once, at the end; a run that fails leaves
 * an existing report as it was, and one interrupted by SIGINT or SIGTERM writes the report
 * of the run so far.
 */
import { Machine, type ComparePoint } from '../machine/machine.ts';
import { EXIT_LIMIT, type ResyncMode } from '../machine/events.ts';
import type { ConsoleIO } from '../machine/hostcalls.ts';
import { type Topology, type CrossCheck, CROSS_CHECKS } from '../machine/topology.ts';
import { READMIT_POLICIES, parseThreshold, type ReadmitPolicy, type Threshold } from '../machine/diagnosis.ts';
import { isSystemTopology, SERVICE_TOPOLOGIES, type ServiceTopology } from '../system/index.ts';
import { checkEccSettings, ECC_MODES, type EccMode } from '../machine/ecc.ts';
import { DEFAULT_ENGINE, ENGINES, type Engine } from '../machine/core.ts';
import { formatOf, loadProgram, type ProgramFormat, PROGRAM_FORMATS } from '../isa/load.ts';
import { ProgramError, type Program } from '../isa/program.ts';
import { formatFault, parseFault, isCheckerKind, type Fault } from '../fault/spec.ts';
import { classify, HANG_FACTOR, type Outcome } from '../fault/classify.ts';
import { formatTraceEntry } from '../machine/trace.ts';
import { buildReport } from '../machine/report.ts';
import { type InputSource, processConsole, Stdin } from './console.ts';
import { asUsage, DiagnosticsError, UsageError } from './errors.ts';
import { checkOutputPath, err, openOutputFile, out, readInputFile, writeWholeFile, type OutputFile } from './io.ts';
import { parseChoice, parseCount, parseMiB } from './numbers.ts';
import { describeOutcome } from './outcome.ts';
import { runWorkloadCommand, type WorkloadRunOptions } from './workload-run.ts';

/** The signals that interrupt a run, and their numbers (exit status 128 + n, as a shell reports it). */
const INTERRUPTS = { SIGINT: 2, SIGTERM: 15 } as const;
type Interrupt = keyof typeof INTERRUPTS;

export interface RunOptions {
  ram?: string;
  maxInstructions?: string;
  trace?: string | true;
  report?: string;
  topology?: string;
  compare?: string;
  inject: string[];
  replace: string[];
  repairAfter?: string;
  resync?: string;
  readmit?: string;
  diagnoseTime?: string;
  threshold?: string;
  crossCheck?: string;
  ecc?: string;
  scrubEvery?: string;
  engine?: string;
  classify?: boolean;
  format?: string;
}

/** A replacement: `at=N,module=M` or `at=N,board=B`. */
function parseReplace(spec: string): { at: number; site: { module: number } | { board: number } } {
  const fields = new Map<string, string>();
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value, extra] = part.split('=');
    if (value === undefined || extra !== undefined || !['at', 'module', 'board'].includes(key)) {
      throw new UsageError(`--replace '${spec}': expected at=N,module=M or at=N,board=B`);
    }
    fields.set(key, value);
  }
  if (!fields.has('at') || fields.has('module') === fields.has('board')) {
    throw new UsageError(`--replace '${spec}': expected at=N,module=M or at=N,board=B`);
  }
  const at = parseCount(fields.get('at')!, `--replace '${spec}': at`);
  const site = fields.has('board')
    ? { board: parseCount(fields.get('board')!, `--replace '${spec}': board`) }
    : { module: parseCount(fields.get('module')!, `--replace '${spec}': module`) };
  return { at, site };
}

interface Settings<T extends ServiceTopology = ServiceTopology> {
  topology: T;
  compare: ComparePoint;
  ramMiB: number;
  resync: ResyncMode;
  repairAfter?: number;
  readmit: ReadmitPolicy;
  diagnoseTime?: number;
  threshold?: Threshold;
  crossCheck: CrossCheck;
  ecc: EccMode;
  scrubEvery?: number;
  engine: Engine;
  maxInstructions?: number;
  faults: Fault[];
  replacements: ReturnType<typeof parseReplace>[];
}

/**
 * Only pair-spare has boards (board b holds modules 2b and 2b+1), and simplex has no module
 * to copy a replacement from: sites and repairs that name what the topology lacks are refused.
 * A checker fault's board=B names the board whose verdict is stuck, on any topology with a
 * checker (each dmr and tmr module is a board of its own). Diagnosis options need
 * re-admission, and the compare scope needs boards.
 */
function checkSites(settings: Settings, options: RunOptions): void {
  const { topology } = settings;
  const noBoards = `${topology} has no boards (board=B is for pair-spare, whose board b holds modules 2b and 2b+1)`;
  if (topology !== 'pair-spare') {
    for (const fault of settings.faults) {
      if ('board' in fault && !isCheckerKind(fault.kind)) throw new UsageError(`fault '${formatFault(fault)}': ${noBoards}: name a module with module=M`);
    }
    for (const r of settings.replacements) {
      if ('board' in r.site) throw new UsageError(`--replace 'at=${r.at},board=${r.site.board}': ${noBoards}: replace a module with at=N,module=M`);
    }
  }
  if (topology === 'simplex' && settings.repairAfter !== undefined) {
    throw new UsageError('--repair-after: simplex has no other module to copy a replacement from: repair modules of dmr, pair-spare or tmr');
  }
  for (const [option, given] of [['--diagnose-time', options.diagnoseTime], ['--threshold', options.threshold]] as const) {
    if (given !== undefined && settings.readmit !== 'transient') {
      throw new UsageError(`${option} applies to re-admitted modules: add --readmit transient`);
    }
  }
  if (options.crossCheck !== undefined && options.crossCheck !== 'within' && topology !== 'pair-spare') {
    throw new UsageError(`--cross-check: ${topology} has no boards to compare across: it is a pair-spare setting`);
  }
}

export function settingsFrom(options: RunOptions): Settings {
  const settings: Settings = {
    topology: parseChoice(options.topology ?? 'simplex', SERVICE_TOPOLOGIES, '--topology'),
    compare: parseChoice(options.compare ?? 'every', ['every', 'store', 'io'] as const, '--compare'),
    ramMiB: options.ram === undefined ? 1 : parseMiB(options.ram, '--ram'),
    resync: parseChoice(options.resync ?? 'precopy', ['stop-copy', 'precopy'] as const, '--resync'),
    repairAfter: options.repairAfter === undefined ? undefined : parseCount(options.repairAfter, '--repair-after'),
    readmit: parseChoice(options.readmit ?? 'never', READMIT_POLICIES, '--readmit'),
    diagnoseTime: options.diagnoseTime === undefined ? undefined : parseCount(options.diagnoseTime, '--diagnose-time'),
    threshold: options.threshold === undefined ? undefined : asUsage(() => parseThreshold(options.threshold!), '--threshold'),
    crossCheck: parseChoice(options.crossCheck ?? 'within', CROSS_CHECKS, '--cross-check'),
    ecc: parseChoice(options.ecc ?? 'none', ECC_MODES, '--ecc'),
    scrubEvery: options.scrubEvery === undefined ? undefined : parseCount(options.scrubEvery, '--scrub-every'),
    engine: parseChoice(options.engine ?? DEFAULT_ENGINE, ENGINES, '--engine'),
    maxInstructions: options.maxInstructions === undefined ? undefined : parseCount(options.maxInstructions, '--max-instructions'),
    faults: options.inject.map(parseFault),
    replacements: options.replace.map(parseReplace),
  };
  checkSites(settings, options);
  // --ecc is one of ECC_MODES already: what is left to refuse is the scrubber.
  asUsage(() => checkEccSettings(settings.ecc, settings.scrubEvery), '--scrub-every');
  return settings;
}

/** Settings of a run without a workload, whose topology must be a machine's. */
function lockstepSettings(settings: Settings): Settings<Topology> {
  const { topology } = settings;
  if (isSystemTopology(topology)) throw new UsageError(`--topology ${topology} runs transaction workloads: add --workload NAME (e.g. lockstep run --workload card-auth --topology ${topology})`);
  return { ...settings, topology };
}

/** The machine settings among `settings` (MachineConfig without the console; the topology may be a failover system's). */
export function machineConfig<T extends ServiceTopology>(settings: Settings<T>) {
  const { topology, ramMiB, compare, resync, repairAfter, readmit, diagnoseTime, threshold, crossCheck, ecc, scrubEvery, engine } = settings;
  return { topology, ramMiB, compare, resync, repairAfter, readmit, diagnoseTime, threshold, crossCheck, ecc, scrubEvery, engine };
}

export function readProgram(path: string, format?: string): Program {
  const bytes = readInputFile(path);
  const chosen = format === undefined ? undefined : parseChoice(format, PROGRAM_FORMATS, '--format') as ProgramFormat;
  try {
    return loadProgram(bytes, path, chosen, err);
  } catch (error) {
    if (error instanceof ProgramError && (chosen ?? formatOf(path)) === 'asm') throw new DiagnosticsError(error.message);
    throw error;
  }
}

/** SIGINT and SIGTERM, caught for the duration of a run: the first one received stops it. */
export class Interruption {
  signal?: Interrupt;
  /** Settles when a signal arrives. */
  readonly arrived: Promise<void>;
  private readonly listeners: [Interrupt, () => void][] = [];

  constructor() {
    let arrive!: () => void;
    this.arrived = new Promise((resolve) => { arrive = resolve; });
    for (const signal of Object.keys(INTERRUPTS) as Interrupt[]) {
      const listener = () => {
        this.signal ??= signal;
        arrive();
      };
      process.on(signal, listener);
      this.listeners.push([signal, listener]);
    }
  }

  get status(): number { return 128 + INTERRUPTS[this.signal!]; }

  dispose(): void {
    for (const [signal, listener] of this.listeners) process.off(signal, listener);
  }
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Wall time a slice of the run may take before the loop lets signals and input in (ms). */
const SLICE_MS = 20;

/**
 * Runs `machine` until it halts, has executed `limit` instructions in all, or a signal
 * arrives. It runs in slices that take about SLICE_MS each (how many instructions a slice
 * holds changes nothing in the run), and between them — and whenever the guest waits for
 * input — lets the event loop deliver signals and stdin. Input that a waiting UART asked for
 * is pushed into its receive ring, as far as it fits (a waiting host call takes its own).
 */
async function runToEnd(machine: Machine, limit: number, input: InputSource, interruption: Interruption): Promise<void> {
  let slice = 1 << 16;
  while (!machine.halt && machine.instret < limit && !interruption.signal) {
    const started = performance.now();
    const result = machine.run(Math.min(limit - machine.instret, slice));
    if (result.stop === 'input') {
      await Promise.race([input.ready(), interruption.arrived]);
      if (!machine.callWaitsForInput && input.available()) {
        const bytes = input.take(Number.MAX_SAFE_INTEGER)!;
        input.putBack(bytes.subarray(machine.pushInput(bytes)));
      }
      continue;
    }
    const ms = performance.now() - started;
    if (ms < SLICE_MS / 2) slice = Math.min(slice * 2, 2 ** 30);
    else if (ms > SLICE_MS * 2) slice = Math.max(slice >> 1, 1024);
    await nextTurn();
  }
}

export async function runCommand(path: string | undefined, options: RunOptions & WorkloadRunOptions): Promise<number> {
  if (options.workload !== undefined) return runWorkloadCommand(path, options);
  if (path === undefined) throw new UsageError("missing required argument 'program': lockstep run PROGRAM, or lockstep run --workload NAME");
  const settings = lockstepSettings(settingsFrom(options));
  const program = readProgram(path, options.format);
  const config = machineConfig(settings);
  if (options.report === '') throw new UsageError('--report needs a file name: --report FILE.json');
  const reportName = options.report && `the report to ${options.report}`;
  if (options.report) checkOutputPath(options.report, reportName!);

  // With --classify both runs read the same input: what the reference consumed is given again.
  const stdin = new Stdin();
  const recorded = options.classify ? recordedInput(stdin) : undefined;
  const faultyInput = recorded?.again ?? stdin;
  const output: Uint8Array[] = []; // with --classify, what the run prints, to compare
  const terminal = processConsole((max) => faultyInput.take(max), (bytes) => {
    if (options.classify) output.push(bytes.slice());
    out(bytes);
  });
  const machine = await Machine.create({ ...config, console: terminal, blockingInput: true });
  try {
    machine.load(program);
  } catch (error) {
    if (error instanceof ProgramError) throw new ProgramError(`${path}: ${error.message}`);
    throw error;
  }
  for (const fault of settings.faults) machine.inject(fault);
  for (const r of settings.replacements) machine.replace(r.at, r.site);
  const trace = openTrace(options.trace);

  const interruption = new Interruption();
  try {
    let reference: { machine: Machine; output: Uint8Array } | undefined;
    let limit = settings.maxInstructions ?? Infinity;
    if (options.classify) {
      const chunks: Uint8Array[] = [];
      // Its stdout is kept for the comparison (the faulty run's stderr is printed, this one's dropped).
      const keepStdout: ConsoleIO['write'] = (fd, bytes) => { if (fd === 1) chunks.push(bytes.slice()); };
      const refMachine = await Machine.create({ ...config, console: { write: keepStdout, read: (max) => recorded!.first.take(max) }, blockingInput: true });
      refMachine.load(program);
      await runToEnd(refMachine, limit, recorded!.first, interruption);
      if (interruption.signal) {
        err(`lockstep: interrupted by ${interruption.signal} during the fault-free reference run (--classify), at instruction ${refMachine.instret.toLocaleString('en-US')}${options.report ? `; ${options.report} was not written` : ''}\n`);
        return interruption.status;
      }
      if (refMachine.halt?.reason !== 'exit') {
        throw new UsageError(`cannot classify: the fault-free run did not exit (${refMachine.halt?.message ?? `still running after ${refMachine.instret} instructions`})`);
      }
      reference = { machine: refMachine, output: concat(chunks) };
      limit = Math.min(limit, HANG_FACTOR * refMachine.instret);
    }

    machine.onDivergence = (_event, line) => err(`${line}\n`);
    if (trace) machine.setTrace((entries) => trace.write(entries.map((e) => formatTraceEntry(e)).join('\n') + '\n'));

    const started = performance.now();
    await runToEnd(machine, limit, faultyInput, interruption);
    const wallMs = performance.now() - started;
    trace?.close();

    const halt = machine.halt;
    let status: number;
    let stopReason: string;
    let message: string | undefined;
    if (interruption.signal) {
      status = interruption.status;
      stopReason = 'interrupted';
      message = `interrupted by ${interruption.signal} at instruction ${machine.instret.toLocaleString('en-US')}`;
      err(`lockstep: ${message}${options.report ? `; the report in ${options.report} is of the run so far` : ''}\n`);
    } else if (halt) {
      status = halt.exitCode; // the process's exit status (exitStatusOf in machine/events.ts)
      stopReason = halt.reason;
      if (halt.reason !== 'exit') err(`lockstep: ${halt.message}\n`);
    } else {
      status = EXIT_LIMIT;
      stopReason = 'max-instructions';
      const why = reference && limit === HANG_FACTOR * reference.machine.instret
        ? `${HANG_FACTOR}× the fault-free run's ${reference.machine.instret.toLocaleString('en-US')}`
        : '--max-instructions';
      err(`lockstep: stopped after ${machine.instret.toLocaleString('en-US')} instructions (${why}) without finishing\n`);
    }

    let outcome: Outcome | undefined;
    if (reference && !interruption.signal) {
      const faulty = { halt, output: concat(output), events: machine.events, instret: machine.instret, notActivated: machine.notActivated() };
      const faultFree = { halt: reference.machine.halt, output: reference.output, events: reference.machine.events, instret: reference.machine.instret };
      outcome = classify(faultFree, faulty);
      err(`${describeOutcome(outcome, faultFree, faulty)}\n`);
    }
    if (options.report) {
      const report = buildReport(machine, {
        exitCode: status, stopReason, wallMs, outcome,
        reference: reference && { instret: reference.machine.instret, exit_code: reference.machine.halt!.exitCode, stdout_bytes: reference.output.length },
      });
      if (message) report.message = message;
      writeReport(options.report, report);
    }
    return status;
  } finally {
    interruption.dispose();
  }
}

/**
 * stdin for two runs of the same program (--classify): `first` reads stdin and keeps what
 * its machine consumed; `again` gives the second machine the same bytes, then reads on.
 */
function recordedInput(stdin: Stdin): { first: InputSource; again: InputSource } {
  const kept: Uint8Array[] = [];
  let end = false;
  const first: InputSource = {
    take(max) {
      const bytes = stdin.take(max);
      if (bytes === null) end = true;
      else if (bytes.length > 0) kept.push(bytes.slice());
      return bytes;
    },
    putBack(bytes) {
      if (bytes.length === 0) return;
      const last = kept.pop()!;
      if (last.length > bytes.length) kept.push(last.subarray(0, last.length - bytes.length));
      stdin.putBack(bytes);
    },
    available: () => stdin.available(),
    ready: () => stdin.ready(),
  };
  const again: InputSource = {
    take(max) {
      while (kept.length > 0 && kept[0].length === 0) kept.shift();
      if (kept.length === 0) return end ? null : stdin.take(max);
      const bytes = kept[0].subarray(0, max);
      kept[0] = kept[0].subarray(bytes.length);
      return bytes;
    },
    putBack: (bytes) => { if (bytes.length > 0) kept.unshift(bytes); },
    available: () => kept.some((k) => k.length > 0) || stdin.available(),
    ready: () => (kept.some((k) => k.length > 0) ? Promise.resolve() : stdin.ready()),
  };
  return { first, again };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  return all;
}

/**
 * Writes `report` as JSON to `path` in one piece, at the end of a run: a temporary file
 * renamed into place, so that a run that fails before leaves an existing report as it was.
 */
export function writeReport(path: string, report: object): void {
  writeWholeFile(path, JSON.stringify(report, null, 2) + '\n', `the report to ${path}`);
}

/** --trace goes to stderr, --trace=FILE to a file (main.ts passes a bare --trace as ''). */
function openTrace(option: string | true | undefined): OutputFile | undefined {
  if (option === undefined) return undefined;
  if (option === true || option === '') return { write: err, close() {} };
  return openOutputFile(option, `the trace file ${option}`);
}
