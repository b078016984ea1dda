/**
 * The page's handle on a machine worker: a comlink proxy of MachineSession running in a
 * Web Worker. Every call is asynchronous; snapshots arrive transferred. The lesson player
 * grades programs in a second worker (createGraderWorker).
 */
import { wrap, type Remote } from 'comlink';
import type { MachineSession } from './session.ts';
import type { Grader } from './grader.ts';

export interface MachineClient {
  session: Remote<MachineSession>;
  terminate(): void;
}

export function createMachineWorker(): MachineClient {
  const worker = new Worker(new URL('./browser.ts', import.meta.url), { type: 'module', name: 'lockstep-machine' });
  return { session: wrap<MachineSession>(worker), terminate: () => worker.terminate() };
}

export interface GraderClient {
  grader: Remote<Grader>;
  terminate(): void;
}

/** A worker that runs lesson program tests (grader.ts), beside the machine's. */
export function createGraderWorker(): GraderClient {
  const worker = new Worker(new URL('./grader-browser.ts', import.meta.url), { type: 'module', name: 'lockstep-grader' });
  return { grader: wrap<Grader>(worker), terminate: () => worker.terminate() };
}
