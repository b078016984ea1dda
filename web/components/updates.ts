/**
 * Which parts of the page's state a component draws: it re-renders only when one of them
 * changed (by identity — the controller replaces what changes and keeps what does not).
 * While the machine runs flat out most views change only the instruction count and speed,
 * and re-rendering every table for them would take the worker's CPU on a small machine.
 */
import type { MachineView } from '../../src/worker/session.ts';
import type { UiState } from '../state/controller.ts';

export function stateChanged(
  previous: UiState | undefined, next: UiState,
  keys: readonly (keyof UiState)[], viewKeys: readonly (keyof MachineView)[] = ['modules'],
): boolean {
  if (!previous) return true;
  if (keys.some((k) => previous[k] !== next[k])) return true;
  if (!previous.view || !next.view) return previous.view !== next.view;
  return viewKeys.some((k) => previous.view![k] !== next.view![k]);
}
