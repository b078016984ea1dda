/**
 * Node's handle on a machine worker: MachineSession in a worker_threads Worker, through
 * comlink's Node adapter — the same API the browser client has. The worker runs the bundle
 * that `npm run build:cli` writes (build/worker/node.mjs).
 */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { MachineSession } from './session.ts';
import type { MachineClient } from './client.ts';

const WORKER_BUNDLE = new URL('../../build/worker/node.mjs', import.meta.url);

export function createNodeMachineWorker(): MachineClient {
  const path = fileURLToPath(WORKER_BUNDLE);
  if (!existsSync(path)) throw new Error(`the machine worker is not built (${path}): run npm run build:cli`);
  const worker = new Worker(path);
  worker.unref();
  return { session: wrap<MachineSession>(nodeEndpoint(worker)), terminate: () => void worker.terminate() };
}
