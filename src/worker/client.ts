/**
 * The page's handle on a machine worker: a comlink proxy of MachineSession running in a
 * Web Worker. Every call is asynchronous; snapshots arrive transferred.
 */
import { wrap, type Remote } from 'comlink';
import type { MachineSession } from './session.ts';

export interface MachineClient {
  session: Remote<MachineSession>;
  terminate(): void;
}

export function createMachineWorker(): MachineClient {
  const worker = new Worker(new URL('./browser.ts', import.meta.url), { type: 'module', name: 'lockstep-machine' });
  return { session: wrap<MachineSession>(worker), terminate: () => worker.terminate() };
}
