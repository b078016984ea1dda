/** worker_threads entry: serves one FaultFreeRunner (fault-free.ts) to the thread that started it. */
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { FaultFreeRunner } from './fault-free.ts';

if (!parentPort) throw new Error('src/worker/fault-free-node.ts must run in a worker thread');
expose(new FaultFreeRunner(), nodeEndpoint(parentPort));
