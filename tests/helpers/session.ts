/**
 * Test helpers for the worker's session and the page's controller: a MachineSession exposed
 * over a MessageChannel in this thread (comlink's Node adapter), as the browser reaches it
 * in a worker, and a MachineController driving one.
 */
import { expose, wrap, type Remote } from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { MessageChannel as NodeMessageChannel } from 'node:worker_threads';
import { MachineSession } from '../../src/worker/session.ts';
import { MachineController, type SessionPort } from '../../web/state/controller.ts';

/** A fresh MachineSession behind comlink, in this thread. */
export function sessionInThread(): Remote<MachineSession> {
  const { port1, port2 } = new NodeMessageChannel();
  expose(new MachineSession(), nodeEndpoint(port1));
  return wrap<MachineSession>(nodeEndpoint(port2));
}

/** The page's controller over a fresh in-thread session, its animation frames every 5 ms. */
export function controller(): MachineController {
  return new MachineController(sessionInThread() as unknown as SessionPort, { frame: (cb) => setTimeout(() => cb(performance.now()), 5) });
}

/** Waits until `done()` holds, polling every 10 ms; throws after `ms` milliseconds. */
export async function until(done: () => boolean, ms = 30_000): Promise<void> {
  const start = Date.now();
  while (!done()) {
    if (Date.now() - start > ms) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
