/**
 * The worker's time slices: work that runs long in a session's worker (free running, the
 * verdict's fault-free run run to its end) runs for about SLICE_MS of wall time, then yields
 * so that the calls waiting (pause(), inject(), view()) are served between slices.
 */

/**
 * Wall time a slice aims at, ms. Each yield costs the machine's thread the calls served in
 * it and the round trip; 20 ms keeps that to a few per cent, while a pause, or a view the
 * page asks for at 30 per second, waits at most one slice.
 */
export const SLICE_MS = 20;
/** Instructions a free-running slice runs at most. */
export const MAX_SLICE = 50_000_000;

/**
 * Yields to the worker's event loop without the 4 ms clamp of nested timers. A channel per
 * yield: Node serves up to 1,000 messages of one port before any other's, so yields on a
 * shared channel would starve the session's calls.
 */
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
