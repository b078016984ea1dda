/**
 * Starts a fault-free run's worker from the machine's Web Worker (a nested dedicated
 * worker: fault-free.ts). Where a worker cannot start one — no Worker constructor in
 * workers, a script that does not load — it rejects, and the session runs the fault-free
 * runs in the machine's worker instead (saying so in the twin's view).
 */
import { wrap } from 'comlink';
import type { FaultFreePort, FaultFreeRunner, FaultFreeSpawner } from './fault-free.ts';

export const spawnFaultFreeWorker: FaultFreeSpawner = async () => {
  if (typeof Worker === 'undefined') throw new Error('this browser cannot start a worker from a worker');
  const worker = new Worker(new URL('./fault-free-browser.ts', import.meta.url), { type: 'module', name: 'lockstep-fault-free' });
  const failed = new Promise<never>((_, reject) => {
    worker.addEventListener('error', (event) => reject(new Error(event.message || 'its script did not load')), { once: true });
  });
  const port = wrap<FaultFreeRunner>(worker) as unknown as FaultFreePort;
  try {
    await Promise.race([port.prepare(), failed]);
  } catch (error) {
    worker.terminate();
    throw error;
  }
  return { port, terminate: () => worker.terminate() };
};
