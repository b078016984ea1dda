/** worker_threads entry: serves one CampaignWorker to the parent thread (bundled to build/worker/campaign.mjs). */
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { CampaignWorker } from './worker.ts';

if (!parentPort) throw new Error('src/campaign/worker-node.ts must run in a worker thread');
expose(new CampaignWorker(), nodeEndpoint(parentPort));
