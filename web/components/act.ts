/**
 * Runs what a button or a click asks of the controller. A failed action is already shown in
 * the page (the controller puts it in state.message) and re-thrown for callers that answer
 * for it (the embed's postMessage bridge); a click has no one to answer, so it ends here.
 */
export function act(action: unknown): void {
  if (action instanceof Promise) action.catch(() => undefined);
}
