/** Campaign workers in the browser: a CampaignWorker in a Web Worker, through comlink. */
import { wrap } from 'comlink';
import type { PoolWorker } from './pool.ts';
import type { CampaignWorker } from './worker.ts';

export function browserCampaignWorker(): PoolWorker {
  const worker = new Worker(new URL('./worker-browser.ts', import.meta.url), { type: 'module', name: 'lockstep-campaign' });
  const api = wrap<CampaignWorker>(worker);
  return {
    prepare: (setup, options) => api.prepare(setup, options),
    run: (ks) => api.run(ks),
    terminate: () => worker.terminate(),
  };
}
