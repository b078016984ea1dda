/** Web Worker entry: serves a Grader (grader.ts) to the page. */
import { expose } from 'comlink';
import { Grader } from './grader.ts';

expose(new Grader());
