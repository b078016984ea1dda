/**
 * `lockstep bench`: simulation speed on the shipped workloads (examples/bench), per
 * topology and engine, as the median of several timed runs after a warm-up run. Ratios are
 * taken against simplex and against the topology's interpreter measured in the same
 * invocation, since the machines are shared and noisy.
 * The `assembler` workload times assembling a 10,000-line program (the browser re-assembles
 * on every keystroke): the first call in the process, and the median of warm ones (after a
 * warm-up).
 */
import { readFileSync } from 'node:fs';
import { median } from '../campaign/stats.ts';
import { assemble, formatDiagnostics } from '../isa/index.ts';
import type { Program } from '../isa/program.ts';
import { Machine, NULL_CONSOLE } from '../machine/machine.ts';
import type { Topology } from '../machine/topology.ts';
import { isSystemTopology, SERVICE_TOPOLOGIES } from '../system/index.ts';
import { ECC_MODES, type EccMode } from '../machine/ecc.ts';
import { ENGINES, type Engine } from '../machine/core.ts';
import { forgetCompiledPages } from '../translate/compiled-pages.ts';
import { UsageError } from './errors.ts';
import { out } from './io.ts';
import { parseCount, parseChoice } from './numbers.ts';
import { benchMonteCarlo, formatMonteCarloBench } from './bench-availability.ts';
import { WORKLOADS as TRANSACTION_WORKLOADS } from '../transactions/workloads/index.ts';
import { benchTransactions } from './bench-transactions.ts';
import { benchCampaigns } from './bench-campaign.ts';

export const WORKLOADS = {
  'int-mix': 'integer and branch mix (LCG, mul/div, data-dependent branches)',
  memory: 'memory-heavy (word smoothing filter, byte histogram over 256 KiB)',
  assembler: 'assembling a 10,000-line program (functions, calls, loads, CSRs, data), in ms',
  availability: 'Monte Carlo availability simulation of every model, in million events per CPU second',
  campaign: 'a fault-injection campaign on a 1,000,000-instruction program, in runs per second (1 and 2 workers, and from the start)',
} as const;
type Workload = keyof typeof WORKLOADS;
type MachineWorkload = Exclude<Workload, 'assembler' | 'availability' | 'campaign'>;

export const ASSEMBLER_LINES = 10_000;

export interface BenchOptions {
  json?: boolean;
  runs: string;
  topology?: string;
  workload?: string;
  ecc?: string;
  /** Runs of each benchmark campaign. */
  campaignRuns?: string;
  /** Comma-separated engines to measure (default all). */
  engine?: string;
}

export interface BenchResult {
  workload: Workload;
  topology: Topology;
  /** The core's engine. */
  engine: Engine;
  instructions: number;
  /** Median logical MIPS over the timed runs. */
  mips: number;
  mips_runs: number[];
  /** mips / simplex mips (interpreter) on the same workload in the same invocation. */
  vs_simplex: number | null;
  /** mips / this topology's interpreter mips in the same invocation (null for the interpreter itself, or if it was not measured). */
  vs_interp: number | null;
  /** translate and auto: median time spent translating and compiling per run, ms (included in mips). */
  translation_ms: number | null;
  /**
   * Median wall time of a run's first FIRST_INSTRUCTIONS instructions, ms, on a new machine
   * (its translating included): against the interpreter's, whether translation
   * has paid for itself by then.
   */
  first_million_ms: number;
  /** first_million_ms / this topology's interpreter first_million_ms (null for the interpreter itself, or if it was not measured). */
  first_million_vs_interp: number | null;
  /** Linear memory of the core instance (all modules' RAM and state), bytes. */
  wasm_memory_bytes: number;
}

export interface AssemblerResult {
  lines: number;
  /** The first assembly in this process (cold code), ms. */
  first_ms: number;
  /** Median of the timed runs after it, ms. */
  ms: number;
  ms_runs: number[];
}

/**
 * A program of `lines` lines in 20-line blocks: a function that saves ra, loads from and
 * stores to its data word, reads a CSR, branches to a local label and calls the next one.
 */
export function assemblerWorkload(lines: number): string {
  const blocks = Math.ceil(lines / 20);
  const out: string[] = [];
  for (let k = 0; k < blocks; k++) {
    out.push(
      `f${k}:                        # function ${k}`, '  addi sp, sp, -16', '  sw ra, 12(sp)',
      `  li t0, ${(k * 7919) % 100_000}`, `  la a0, d${k}`, '  lw t1, 0(a0)', '  add t2, t0, t1',
      '  slli t2, t2, 2', '  beqz t2, 1f', `  call f${(k + 1) % blocks}`, '1: csrr t3, mcycle',
      '  mul t4, t3, t2', '  andi t4, t4, 0xff', '  sw t4, 4(a0)', '  lw ra, 12(sp)', '  addi sp, sp, 16',
      '  ret', `  .data`, `d${k}: .word ${k}, 0\n  .text`,
    );
  }
  return out.join('\n') + '\n';
}

function timeAssembler(runs: number): AssemblerResult {
  const source = assemblerWorkload(ASSEMBLER_LINES);
  const once = () => {
    const start = performance.now();
    const result = assemble(source, { file: 'bench.s' });
    const ms = performance.now() - start;
    if (!result.program) throw new Error(`the assembler workload does not assemble:\n${formatDiagnostics(result.diagnostics)}`);
    return Math.round(ms * 100) / 100;
  };
  const first = once();
  for (let k = 0; k < 5; k++) once(); // warm-up: V8 optimises the assembler
  const timed = Array.from({ length: Math.max(runs, 10) }, once);
  return { lines: source.split('\n').length - 1, first_ms: first, ms: median(timed), ms_runs: timed };
}

function workloadProgram(name: MachineWorkload): Program {
  const url = new URL(`../../examples/bench/${name}.s`, import.meta.url);
  const result = assemble(readFileSync(url, 'utf8'), { file: `examples/bench/${name}.s` });
  if (!result.program) throw new Error(`bench workload ${name} does not assemble:\n${formatDiagnostics(result.diagnostics)}`);
  return result.program;
}

/** The start of a run over which the bench tells whether translating paid for itself. */
const FIRST_INSTRUCTIONS = 1_000_000;

/**
 * One complete run; returns instructions, wall milliseconds (all, and the first
 * FIRST_INSTRUCTIONS') and those spent translating. Every run translates its pages anew, as
 * a new program's run would: the pages earlier runs compiled are forgotten.
 */
async function timeRun(program: Program, topology: Topology, ecc: EccMode, engine: Engine): Promise<{ instructions: number; ms: number; firstMs: number; memory: number; translationMs: number }> {
  forgetCompiledPages();
  const machine = await Machine.create({ topology, ecc, engine, console: NULL_CONSOLE });
  machine.load(program);
  const start = performance.now();
  while (!machine.halt && machine.instret < FIRST_INSTRUCTIONS) machine.run(FIRST_INSTRUCTIONS - machine.instret);
  const firstMs = performance.now() - start;
  while (!machine.halt) machine.run(2 ** 30);
  const ms = performance.now() - start;
  if (machine.halt.reason !== 'exit') throw new Error(`bench workload stopped with ${machine.halt.message}`);
  return { instructions: machine.instret, ms, firstMs, memory: machine.core.memoryBytes, translationMs: machine.core.translation?.milliseconds ?? 0 };
}

function pick<T extends string>(list: string | undefined, all: readonly T[], what: string): T[] {
  if (list === undefined) return [...all];
  return list.split(',').map((name) => parseChoice(name.trim(), all, what));
}

export async function benchCommand(options: BenchOptions): Promise<number> {
  const runs = parseCount(options.runs, '--runs');
  if (runs < 1) throw new UsageError('--runs: at least 1');
  const ecc = parseChoice(options.ecc ?? 'none', ECC_MODES, '--ecc');
  const campaignRuns = parseCount(options.campaignRuns ?? '1000', '--campaign-runs');
  if (campaignRuns < 1) throw new UsageError('--campaign-runs: at least 1');
  // simplex first: the other topologies' ratios are taken against it.
  const topologies = pick(options.topology, SERVICE_TOPOLOGIES, '--topology').sort((a, b) => Number(b === 'simplex') - Number(a === 'simplex'));
  const engines = pick(options.engine, ENGINES, '--engine');
  const workloads = pick(options.workload, [...Object.keys(WORKLOADS), ...TRANSACTION_WORKLOADS.keys()], '--workload') as Workload[];
  const results: BenchResult[] = [];
  for (const workload of workloads) {
    if (workload === 'assembler' || workload === 'availability' || workload === 'campaign' || TRANSACTION_WORKLOADS.has(workload)) continue;
    const program = workloadProgram(workload);
    let simplex: number | undefined;
    for (const topology of topologies) {
      if (isSystemTopology(topology)) continue; // they serve transactions: measured below
      let interp: number | undefined;
      let interpFirstMs: number | undefined;
      for (const engine of engines) {
        await timeRun(program, topology, ecc, engine); // warm-up: V8 optimises the core's loops
        const timed = [];
        for (let k = 0; k < runs; k++) timed.push(await timeRun(program, topology, ecc, engine));
        const mipsRuns = timed.map((t) => Math.round((t.instructions / t.ms / 1000) * 10) / 10);
        const mips = median(mipsRuns);
        const firstMs = median(timed.map((t) => t.firstMs));
        if (engine === 'interp') {
          interp = mips;
          interpFirstMs = firstMs;
        }
        if (topology === 'simplex' && engine === 'interp') simplex = mips;
        const ratio = (base: number | undefined) => (base ? Math.round((mips / base) * 1000) / 1000 : null);
        results.push({
          workload, topology, engine, instructions: timed[0].instructions, mips, mips_runs: mipsRuns,
          vs_simplex: ratio(simplex), vs_interp: engine === 'interp' ? null : ratio(interp),
          translation_ms: engine !== 'interp' ? Math.round(median(timed.map((t) => t.translationMs)) * 100) / 100 : null,
          first_million_ms: Math.round(firstMs * 100) / 100,
          first_million_vs_interp: engine === 'interp' || !interpFirstMs ? null : Math.round((firstMs / interpFirstMs) * 1000) / 1000,
          wasm_memory_bytes: timed[0].memory,
        });
        if (!options.json) printRow(results.at(-1)!, results.length === 1);
      }
    }
  }
  const transactions = await benchTransactions(
    workloads.flatMap((w) => TRANSACTION_WORKLOADS.get(w) ?? []), topologies, runs, !options.json,
  );
  const assembler = workloads.includes('assembler') ? timeAssembler(runs) : undefined;
  if (assembler && !options.json) {
    out(`assembler: ${assembler.lines.toLocaleString('en-US')} lines in ${assembler.ms.toFixed(1)} ms (median of ${assembler.ms_runs.length}; the first call in this process took ${assembler.first_ms.toFixed(1)} ms)\n`);
  }
  const availability = workloads.includes('availability') ? benchMonteCarlo(runs) : undefined;
  if (availability && !options.json) out(formatMonteCarloBench(availability));
  const campaign = workloads.includes('campaign') ? await benchCampaigns(topologies.filter((t): t is Topology => !isSystemTopology(t)), campaignRuns, Math.min(runs, 3), !options.json) : undefined;
  if (options.json) {
    out(JSON.stringify({ node: process.version, runs, ecc, workloads: WORKLOADS, results, transactions, assembler, availability, campaign }, null, 2) + '\n');
  }
  return 0;
}

function printRow(r: BenchResult, header: boolean): void {
  if (header) {
    out(`${'workload'.padEnd(10)}${'topology'.padEnd(12)}${'engine'.padEnd(11)}${'instructions'.padStart(14)}${'MIPS'.padStart(9)}${'× simplex'.padStart(11)}${'× interp'.padStart(10)}${'translation'.padStart(13)}${'first 1M'.padStart(11)}${'memory'.padStart(10)}\n`);
  }
  const ratio = (value: number | null) => (value === null ? '-' : value.toFixed(2));
  const translation = r.translation_ms === null ? '-' : `${r.translation_ms.toFixed(1)} ms`;
  const memory = `${(r.wasm_memory_bytes / 2 ** 20).toFixed(1)} MiB`;
  out(
    `${r.workload.padEnd(10)}${r.topology.padEnd(12)}${r.engine.padEnd(11)}${r.instructions.toLocaleString('en-US').padStart(14)}${r.mips.toFixed(1).padStart(9)}`
    + `${ratio(r.vs_simplex).padStart(11)}${ratio(r.vs_interp).padStart(10)}${translation.padStart(13)}${`${r.first_million_ms.toFixed(1)} ms`.padStart(11)}${memory.padStart(10)}\n`,
  );
}
