/** Web Worker entry: serves one MachineSession to the page. */
import { expose } from 'comlink';
import { MachineSession } from './session.ts';

expose(new MachineSession());
