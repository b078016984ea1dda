/**
 * Compiled page translations, shared by every translator in this thread (a worker, the
 * CLI's process): a page translated again with the same inputs — the same instruction
 * words, entries, addresses and layout — takes the module compiled the first time instead
 * of translating and compiling anew. New machines often run the same code: every machine
 * of a session (Reset), and the fault-free runs beside it (the twin's, the verdict's). A
 * module shared keeps what the engine did for it, so a new core also starts on code the
 * engine has already optimised rather than on its baseline tier.
 */
import { translatePage, type PageContext } from './rv32.ts';

/** A page's translation, compiled. */
export interface CompiledPage {
  module: WebAssembly.Module;
  /** Word indices of the instructions translated (their code granules must be marked). */
  words: readonly number[];
  /** It was compiled before, for an earlier call. */
  reused: boolean;
}

interface Entry extends Omit<CompiledPage, 'reused'> {
  /** The page's instruction words it was made from (a key's hash alone could collide). */
  source: Uint32Array;
}

/** Compiled pages kept, the least recently used dropped first: each holds a module (its code, tens of KiB) and its 4 KiB of words, and a program runs in a few pages. */
export const COMPILED_PAGES_KEPT = 64;
const kept = new Map<string, Entry>();
const layoutKeys = new WeakMap<object, string>();

/** The translation of the page `context` describes, compiled (from the thread's cache when made before); undefined when nothing there translates. */
export function compiledPage(context: PageContext): CompiledPage | undefined {
  const key = keyOf(context);
  const hit = kept.get(key);
  if (hit && equalWords(hit.source, context.words)) {
    kept.delete(key);
    kept.set(key, hit);
    return { module: hit.module, words: hit.words, reused: true };
  }
  const translation = translatePage(context);
  if (!translation) return undefined;
  const module = new WebAssembly.Module(translation.bytes as BufferSource);
  kept.delete(key);
  kept.set(key, { module, words: translation.words, source: context.words.slice() });
  if (kept.size > COMPILED_PAGES_KEPT) kept.delete(kept.keys().next().value!);
  return { module, words: translation.words, reused: false };
}

/** Everything translatePage reads but the words themselves, and a hash of those (FNV-1a over the words). */
function keyOf({ words, pageBase, entries, granules, tohost, ramSize, layout }: PageContext): string {
  let layoutKey = layoutKeys.get(layout);
  if (layoutKey === undefined) {
    layoutKey = JSON.stringify(layout);
    layoutKeys.set(layout, layoutKey);
  }
  let hash = 0x811c9dc5;
  for (let k = 0; k < words.length; k++) hash = Math.imul(hash ^ words[k], 0x01000193);
  return `${layoutKey} ${pageBase} ${granules} ${tohost} ${ramSize} ${[...entries].sort((a, b) => a - b).join(',')} ${hash >>> 0}`;
}

function equalWords(a: Uint32Array, b: Uint32Array): boolean {
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** Drops every compiled page this thread keeps: the next translation of any page is made and compiled anew (`lockstep bench` times a new program's). */
export function forgetCompiledPages(): void {
  kept.clear();
}
