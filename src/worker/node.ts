/** worker_threads entry: serves one MachineSession to the parent thread; its fault-free runs get workers of their own. */
import { parentPort } from 'node:worker_threads';
import { expose } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { MachineSession } from './session.ts';
import { spawnFaultFreeNodeWorker } from './fault-free-node-client.ts';

if (!parentPort) throw new Error('src/worker/node.ts must run in a worker thread');
expose(new MachineSession({}, spawnFaultFreeNodeWorker), nodeEndpoint(parentPort));
