/** Campaign workers in Node: a CampaignWorker in a worker_threads Worker, through comlink's Node adapter. */
import { Worker } from 'node:worker_threads';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { wrap } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { PoolWorker } from './pool.ts';
import type { CampaignWorker } from './worker.ts';

const WORKER_BUNDLE = new URL('../../build/worker/campaign.mjs', import.meta.url);

/** A CampaignWorker in a worker thread (the bundle `npm run build:cli` writes). */
export function nodeCampaignWorker(): PoolWorker {
  const path = fileURLToPath(WORKER_BUNDLE);
  if (!existsSync(path)) throw new Error(`the campaign worker is not built (${path}): run npm run build:cli`);
  const worker = new Worker(path);
  const api = wrap<CampaignWorker>(nodeEndpoint(worker));
  return {
    prepare: (setup, options) => api.prepare(setup, options),
    run: (ks) => api.run(ks),
    terminate: () => void worker.terminate(),
  };
}
