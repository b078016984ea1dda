/**
 * `lockstep run PROGRAM`: runs a program on a machine, stdout carrying exactly the guest's
 * output and the exit status its exit code (DESIGN §9).
 *
 * Exit statuses: the guest's exit code (& 0xff); 124 when --max-instructions runs out, or
 * the hart waits in wfi for an interrupt nothing can raise; 125 on a fail-stop; 128 + the
 * signal a Linux process would get for an unhandled exception (132 illegal instruction,
 * 133 breakpoint, 135 misaligned access, 139 access fault); 137 when no module is left
 * running (killed); 2 for bad input.
 */
import { readFileSync, writeFileSync, openSync, closeSync } from 'node:fs';
import { Machine, type ComparePoint } from '../machine/machine.ts';
import { EXIT_LIMIT } from '../machine/events.ts';
import type { ConsoleIO } from '../machine/hostcalls.ts';
import { type Topology, TOPOLOGIES } from '../machine/topology.ts';
import type { ResyncMode } from '../machine/events.ts';
import { formatOf, loadProgram, type ProgramFormat, PROGRAM_FORMATS } from '../isa/load.ts';
import { ProgramError, type Program } from '../isa/program.ts';
import { parseFault, type Fault } from '../fault/spec.ts';
import { classify, HANG_FACTOR, type Outcome } from '../fault/classify.ts';
import { formatTraceEntry } from '../machine/trace.ts';
import { buildReport } from '../machine/report.ts';
import { processConsole, writeAll } from './console.ts';
import { DiagnosticsError, UsageError } from './errors.ts';
import { parseChoice, parseCount } from './numbers.ts';
import { runWorkloadCommand, type WorkloadRunOptions } from './workload-run.ts';

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
  classify?: boolean;
  format?: string;
}

/** A replacement: `at=N,module=M` or `at=N,board=B`. */
export function parseReplace(spec: string): { at: number; site: { module: number } | { board: number } } {
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

interface Settings {
  topology: Topology;
  compare: ComparePoint;
  ramMiB: number;
  resync: ResyncMode;
  repairAfter?: number;
  maxInstructions?: number;
  faults: Fault[];
  replacements: ReturnType<typeof parseReplace>[];
}

export function settingsFrom(options: RunOptions): Settings {
  const ramMiB = options.ram === undefined ? 1 : parseCount(options.ram, '--ram');
  if (ramMiB < 1 || ramMiB > 64) throw new UsageError(`--ram: ${ramMiB} MiB is out of range: use 1..64`);
  return {
    topology: parseChoice(options.topology ?? 'simplex', TOPOLOGIES, '--topology'),
    compare: parseChoice(options.compare ?? 'every', ['every', 'store', 'io'] as const, '--compare'),
    ramMiB,
    resync: parseChoice(options.resync ?? 'precopy', ['stop-copy', 'precopy'] as const, '--resync'),
    repairAfter: options.repairAfter === undefined ? undefined : parseCount(options.repairAfter, '--repair-after'),
    maxInstructions: options.maxInstructions === undefined ? undefined : parseCount(options.maxInstructions, '--max-instructions'),
    faults: options.inject.map(parseFault),
    replacements: options.replace.map(parseReplace),
  };
}

export function readProgram(path: string, format?: string): Program {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    throw new UsageError(`cannot read ${path}: ${why}`);
  }
  const chosen = format === undefined ? undefined : parseChoice(format, PROGRAM_FORMATS, '--format') as ProgramFormat;
  try {
    return loadProgram(bytes, path, chosen, (warnings) => process.stderr.write(warnings));
  } catch (error) {
    if (error instanceof ProgramError && (chosen ?? formatOf(path)) === 'asm') throw new DiagnosticsError(error.message);
    throw error;
  }
}

/** Runs `machine` until it halts or has executed `limit` instructions in all. */
function runToEnd(machine: Machine, limit = Infinity): void {
  while (!machine.halt && machine.instret < limit) {
    const result = machine.run(Math.min(limit - machine.instret, 2 ** 30));
    if (result.stop === 'input') throw new Error('the machine waits for input that the console cannot give');
  }
}

export async function runCommand(path: string | undefined, options: RunOptions & WorkloadRunOptions): Promise<number> {
  if (options.workload !== undefined) return runWorkloadCommand(path, options);
  if (path === undefined) throw new UsageError("missing required argument 'program': lockstep run PROGRAM, or lockstep run --workload NAME");
  const settings = settingsFrom(options);
  const program = readProgram(path, options.format);
  const config = {
    topology: settings.topology, ramMiB: settings.ramMiB, compare: settings.compare,
    resync: settings.resync, repairAfter: settings.repairAfter,
  };

  // Everything is checked before anything runs.
  if (options.report === '') throw new UsageError('--report needs a file name: --report FILE.json');
  const machine = await Machine.create({ ...config, console: processConsole(), blockingInput: true });
  try {
    machine.load(program);
  } catch (error) {
    if (error instanceof ProgramError) throw new ProgramError(`${path}: ${error.message}`);
    throw error;
  }
  for (const fault of settings.faults) machine.inject(fault);
  for (const r of settings.replacements) machine.replace(r.at, r.site);
  if (options.report) writeReport(options.report, {}); // can it be written at all?

  let reference: { machine: Machine; output: Uint8Array } | undefined;
  let limit = settings.maxInstructions ?? Infinity;
  // With --classify both runs read the same input: the reference's reads are kept for the faulty run.
  const stdin = recordingStdin();
  if (options.classify) {
    const chunks: Uint8Array[] = [];
    const refMachine = await Machine.create({ ...config, console: { write: (_fd, b) => chunks.push(b), read: stdin.read }, blockingInput: true });
    refMachine.load(program);
    runToEnd(refMachine, limit);
    if (refMachine.halt?.reason !== 'exit') {
      throw new UsageError(`cannot classify: the fault-free run did not exit (${refMachine.halt?.message ?? `still running after ${refMachine.instret} instructions`})`);
    }
    reference = { machine: refMachine, output: concat(chunks) };
    limit = Math.min(limit, HANG_FACTOR * refMachine.instret);
  }

  const output: Uint8Array[] = [];
  const terminal = processConsole((bytes) => {
    if (reference) output.push(bytes.slice());
    writeAll(1, bytes);
  });
  machine.console = { write: terminal.write, read: stdin.replay };
  machine.onDivergence = (_event, line) => process.stderr.write(`${line}\n`);
  const trace = openTrace(options.trace);
  if (trace) machine.setTrace((entries) => trace.write(entries.map((e) => formatTraceEntry(e)).join('\n') + '\n'));

  const started = performance.now();
  runToEnd(machine, limit);
  const wallMs = performance.now() - started;
  trace?.close();

  const halt = machine.halt;
  let status: number;
  let stopReason: string;
  if (halt) {
    status = halt.exitCode; // the exit status (exitStatusOf in machine/events.ts)
    stopReason = halt.reason;
    if (halt.reason !== 'exit') process.stderr.write(`lockstep: ${halt.message}\n`);
  } else {
    status = EXIT_LIMIT;
    stopReason = 'max-instructions';
    const why = reference && limit === HANG_FACTOR * reference.machine.instret
      ? `${HANG_FACTOR}× the fault-free run's ${reference.machine.instret.toLocaleString('en-US')}`
      : '--max-instructions';
    process.stderr.write(`lockstep: stopped after ${machine.instret.toLocaleString('en-US')} instructions (${why}) without finishing\n`);
  }

  let outcome: Outcome | undefined;
  if (reference) {
    outcome = classify(
      { halt: reference.machine.halt, output: reference.output, events: reference.machine.events },
      { halt, output: concat(output), events: machine.events, notActivated: machine.notActivated() },
    );
  }
  if (options.report) {
    const report = buildReport(machine, {
      exitCode: status, stopReason, wallMs, outcome,
      reference: reference && { instret: reference.machine.instret, exit_code: reference.machine.halt!.exitCode, stdout_bytes: reference.output.length },
    });
    writeReport(options.report, report);
  }
  return status;
}

export function writeReport(path: string, report: object): void {
  try {
    writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
  } catch (error) {
    throw new UsageError(`cannot write the report to ${path}: ${(error as Error).message}`);
  }
}

/**
 * The process's stdin, read through `read` by the first run and kept, then given again by
 * `replay` to the second run before it reads on from stdin.
 */
function recordingStdin(): { read: ConsoleIO['read']; replay: ConsoleIO['read'] } {
  const stdin = processConsole();
  const kept: Uint8Array[] = [];
  let ended = false;
  return {
    read(max) {
      const bytes = stdin.read(max);
      if (bytes === null) ended = true;
      else kept.push(bytes.slice());
      return bytes;
    },
    replay(max) {
      while (kept.length > 0 && kept[0].length === 0) kept.shift();
      if (kept.length === 0) return ended ? null : stdin.read(max);
      const bytes = kept[0].subarray(0, max);
      kept[0] = kept[0].subarray(bytes.length);
      return bytes;
    },
  };
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) { all.set(c, at); at += c.length; }
  return all;
}

/** --trace goes to stderr, --trace=FILE to a file (main.ts passes a bare --trace as ''). */
function openTrace(option: string | true | undefined): { write(text: string): void; close(): void } | undefined {
  if (option === undefined) return undefined;
  if (option === true || option === '') return { write: (text) => writeAll(2, new TextEncoder().encode(text)), close() {} };
  let fd: number;
  try {
    fd = openSync(option, 'w');
  } catch (error) {
    throw new UsageError(`cannot write the trace to ${option}: ${(error as Error).message}`);
  }
  return { write: (text) => writeAll(fd, new TextEncoder().encode(text)), close: () => closeSync(fd) };
}
