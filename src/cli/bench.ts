/**
 * `lockstep bench`: simulation speed on the shipped workloads (examples/bench), per
 * topology, as the median of several timed runs after a warm-up run. Ratios are taken
 * against simplex measured in the same invocation, since the machines are shared and noisy.
 */
import { readFileSync } from 'node:fs';
import { assemble, formatDiagnostics } from '../isa/index.ts';
import type { Program } from '../isa/program.ts';
import { Machine, NULL_CONSOLE } from '../machine/machine.ts';
import { TOPOLOGIES, type Topology } from '../machine/topology.ts';
import { UsageError } from './errors.ts';
import { parseCount, parseChoice } from './numbers.ts';

export const WORKLOADS = {
  'int-mix': 'integer and branch mix (LCG, mul/div, data-dependent branches)',
  memory: 'memory-heavy (word smoothing filter, byte histogram over 256 KiB)',
} as const;
type Workload = keyof typeof WORKLOADS;

export interface BenchOptions {
  json?: boolean;
  runs: string;
  topology?: string;
  workload?: string;
}

export interface BenchResult {
  workload: Workload;
  topology: Topology;
  instructions: number;
  /** Median logical MIPS over the timed runs. */
  mips: number;
  mips_runs: number[];
  /** mips / simplex mips on the same workload in the same invocation. */
  vs_simplex: number | null;
  /** Linear memory of the core instance (all modules' RAM and state), bytes. */
  wasm_memory_bytes: number;
}

function workloadProgram(name: Workload): Program {
  const url = new URL(`../../examples/bench/${name}.s`, import.meta.url);
  const result = assemble(readFileSync(url, 'utf8'), { file: `examples/bench/${name}.s` });
  if (!result.program) throw new Error(`bench workload ${name} does not assemble:\n${formatDiagnostics(result.diagnostics)}`);
  return result.program;
}

/** One complete run; returns instructions and wall milliseconds. */
async function timeRun(program: Program, topology: Topology): Promise<{ instructions: number; ms: number; memory: number }> {
  const machine = await Machine.create({ topology, console: NULL_CONSOLE });
  machine.load(program);
  const start = performance.now();
  while (!machine.halt) machine.run(2 ** 30);
  const ms = performance.now() - start;
  if (machine.halt.reason !== 'exit') throw new Error(`bench workload stopped with ${machine.halt.message}`);
  return { instructions: machine.instret, ms, memory: machine.core.memoryBytes };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function pick<T extends string>(list: string | undefined, all: readonly T[], what: string): T[] {
  if (list === undefined) return [...all];
  return list.split(',').map((name) => parseChoice(name.trim(), all, what));
}

export async function benchCommand(options: BenchOptions): Promise<number> {
  const runs = parseCount(options.runs, '--runs');
  if (runs < 1) throw new UsageError('--runs: at least 1');
  // simplex first: the other topologies' ratios are taken against it.
  const topologies = pick(options.topology, TOPOLOGIES, '--topology').sort((a, b) => Number(b === 'simplex') - Number(a === 'simplex'));
  const workloads = pick(options.workload, Object.keys(WORKLOADS) as Workload[], '--workload');
  const results: BenchResult[] = [];
  for (const workload of workloads) {
    const program = workloadProgram(workload);
    let simplex: number | undefined;
    for (const topology of topologies) {
      await timeRun(program, topology); // warm-up: V8 optimises the core's loops
      const timed = [];
      for (let k = 0; k < runs; k++) timed.push(await timeRun(program, topology));
      const mipsRuns = timed.map((t) => Math.round((t.instructions / t.ms / 1000) * 10) / 10);
      const mips = median(mipsRuns);
      if (topology === 'simplex') simplex = mips;
      results.push({
        workload, topology, instructions: timed[0].instructions, mips, mips_runs: mipsRuns,
        vs_simplex: simplex ? Math.round((mips / simplex) * 1000) / 1000 : null,
        wasm_memory_bytes: timed[0].memory,
      });
      if (!options.json) printRow(results.at(-1)!, results.length === 1);
    }
  }
  if (options.json) {
    process.stdout.write(JSON.stringify({ node: process.version, runs, workloads: WORKLOADS, results }, null, 2) + '\n');
  }
  return 0;
}

function printRow(r: BenchResult, header: boolean): void {
  if (header) {
    process.stdout.write(`${'workload'.padEnd(10)}${'topology'.padEnd(12)}${'instructions'.padStart(14)}${'MIPS'.padStart(9)}${'× simplex'.padStart(11)}${'memory'.padStart(10)}\n`);
  }
  const ratio = r.vs_simplex === null ? '-' : r.vs_simplex.toFixed(2);
  const memory = `${(r.wasm_memory_bytes / 2 ** 20).toFixed(1)} MiB`;
  process.stdout.write(
    `${r.workload.padEnd(10)}${r.topology.padEnd(12)}${r.instructions.toLocaleString('en-US').padStart(14)}${r.mips.toFixed(1).padStart(9)}${ratio.padStart(11)}${memory.padStart(10)}\n`,
  );
}
