/**
 * The worker's time slices: work that runs long in a session's worker (free running, the
 * verdict's fault-free run run to its end) runs for about SLICE_MS of wall time, then yields
 * so that the calls waiting (pause(), inject(), view()) are served between slices.
 */

/** Wall time a slice aims at, ms. */
export const SLICE_MS = 12;
/** Instructions a free-running slice runs at most. */
export const MAX_SLICE = 50_000_000;

/** Yields to the worker's event loop without the 4 ms clamp of nested timers. */
export function yieldToEvents(): Promise<void> {
  return new Promise((resolve) => {
    const channel = new MessageChannel();
    channel.port1.onmessage = () => {
      channel.port1.close();
      resolve();
    };
    channel.port2.postMessage(null);
  });
}
