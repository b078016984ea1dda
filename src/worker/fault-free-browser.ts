/** Web Worker entry: serves one FaultFreeRunner (fault-free.ts) to the machine's worker that started it. */
import { expose } from 'comlink';
import { FaultFreeRunner } from './fault-free.ts';

expose(new FaultFreeRunner());
