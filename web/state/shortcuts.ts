/**
 * Keyboard shortcuts: one table, used by the key handler and listed in the help overlay.
 * Shortcuts are single keys without Ctrl/Alt/Meta, and never fire while the user types in
 * the editor or a text field (those keys belong to the field).
 */
export type Action =
  | 'run-pause' | 'step' | 'step-n' | 'reset' | 'faster' | 'slower' | 'flat-out'
  | 'assemble' | 'focus-editor' | 'focus-registers' | 'focus-timeline' | 'theme' | 'help' | 'close'
  | 'embed-code' | 'toggle-breakpoint' | 'run-to-cursor' | 'reference-card' | 'back' | 'back-n';

export interface Shortcut {
  keys: string[];
  action: Action;
  label: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['r', ' '], action: 'run-pause', label: 'Run / pause' },
  { keys: ['s', '.'], action: 'step', label: 'Step one instruction' },
  { keys: ['n'], action: 'step-n', label: 'Step N instructions' },
  { keys: [','], action: 'back', label: 'Step back one instruction (time travel)' },
  { keys: ['<'], action: 'back-n', label: 'Step back N instructions (time travel)' },
  { keys: ['x'], action: 'reset', label: 'Reset the machine (program start, no faults)' },
  { keys: ['+', '='], action: 'faster', label: 'Faster' },
  { keys: ['-'], action: 'slower', label: 'Slower' },
  { keys: ['f'], action: 'flat-out', label: 'Flat out' },
  { keys: ['a'], action: 'assemble', label: 'Assemble and load the editor’s program (Ctrl+Enter in the editor)' },
  { keys: ['e'], action: 'focus-editor', label: 'Go to the editor (Escape leaves it)' },
  { keys: ['g'], action: 'focus-registers', label: 'Go to the registers (Enter on a value picks a bit to break)' },
  { keys: ['l'], action: 'focus-timeline', label: 'Go to the event timeline' },
  { keys: ['t'], action: 'theme', label: 'Light / dark theme' },
  { keys: ['c'], action: 'embed-code', label: 'Copy embed code' },
  { keys: ['b'], action: 'toggle-breakpoint', label: 'Set or clear a breakpoint at the cursor (the disassembly row or editor line chosen last; F9 in the editor)' },
  { keys: ['u'], action: 'run-to-cursor', label: 'Run to the cursor' },
  { keys: ['k'], action: 'reference-card', label: 'Reference card: host calls and device registers' },
  { keys: ['?', 'h'], action: 'help', label: 'This help' },
  { keys: ['Escape'], action: 'close', label: 'Close a dialog or the bit picker' },
];

export interface KeyLike {
  key: string;
  ctrlKey?: boolean;
  altKey?: boolean;
  metaKey?: boolean;
  /** The key went to something that takes text (editor, input, select, textarea). */
  editable?: boolean;
}

export function actionFor(event: KeyLike): Action | undefined {
  if (event.ctrlKey || event.altKey || event.metaKey) return undefined;
  if (event.editable && event.key !== 'Escape') return undefined;
  const key = event.key.length === 1 ? event.key.toLowerCase() : event.key;
  return SHORTCUTS.find((s) => s.keys.includes(key))?.action;
}

/** How a key is written in the help: "Space", "Esc", "R". */
export function keyLabel(key: string): string {
  if (key === ' ') return 'Space';
  if (key === 'Escape') return 'Esc';
  return key.length === 1 ? key.toUpperCase() : key;
}
