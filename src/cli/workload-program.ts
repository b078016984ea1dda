/** A transaction workload's own program, examples/<source> of this package, as every command loads it. */
import { fileURLToPath } from 'node:url';
import type { Program } from '../isa/program.ts';
import type { Workload } from '../transactions/workloads/workload.ts';
import { readProgram } from './run.ts';

/** The path of `workload`'s own program source. */
export function workloadSourcePath(workload: Workload): string {
  return fileURLToPath(new URL(`../../examples/${workload.source}`, import.meta.url));
}

const programs = new Map<Workload, Program>();

/** `workload`'s own program, assembled once per process (a Program is not changed by the machines that load it). */
export function workloadProgram(workload: Workload): Program {
  let program = programs.get(workload);
  if (!program) programs.set(workload, (program = readProgram(workloadSourcePath(workload))));
  return program;
}
