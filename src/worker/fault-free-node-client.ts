/**
 * Starts a fault-free run's worker in Node (worker_threads: fault-free.ts), from the
 * machine's worker thread or any other. It runs the bundle that `npm run build:cli` writes
 * (build/worker/fault-free.mjs); without it, it rejects, and the session runs the
 * fault-free runs in its own thread.
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { FaultFreePort, FaultFreeRunner, FaultFreeSpawner } from './fault-free.ts';

const WORKER_BUNDLE = new URL('../../build/worker/fault-free.mjs', import.meta.url);

export const spawnFaultFreeNodeWorker: FaultFreeSpawner = async () => {
  const path = fileURLToPath(WORKER_BUNDLE);
  if (!existsSync(path)) throw new Error(`the fault-free worker is not built (${path}): run npm run build:cli`);
  const worker = new Worker(path);
  worker.unref();
  const failed = new Promise<never>((_, reject) => worker.once('error', reject));
  const port = wrap<FaultFreeRunner>(nodeEndpoint(worker)) as unknown as FaultFreePort;
  try {
    await Promise.race([port.prepare(), failed]);
  } catch (error) {
    void worker.terminate();
    throw error;
  }
  return { port, terminate: () => void worker.terminate() };
};
