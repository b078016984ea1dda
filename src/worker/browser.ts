/** Web Worker entry: serves one MachineSession to the page; its fault-free runs get workers of their own. */
import { expose } from 'comlink';
import { MachineSession } from './session.ts';
import { spawnFaultFreeWorker } from './fault-free-client.ts';

expose(new MachineSession({}, spawnFaultFreeWorker));
