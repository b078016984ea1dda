/** Web Worker entry: serves one CampaignWorker to the page. */
import { expose } from 'comlink';
import { CampaignWorker } from './worker.ts';

expose(new CampaignWorker());
