/**
 * Bits shared by the register and memory views: the bit picker (32 buttons, one per bit,
 * most significant first) and the bits-that-differ row, which marks each differing bit with
 * ▲ under it and lists them, so the difference never depends on colour alone.
 */
import { html, css, nothing } from 'lit';
import { bitsOf } from '../state/diff.ts';
import { hex32 } from '../state/format.ts';
import type { ClickKind } from '../state/faults.ts';
import type { Selection } from '../state/controller.ts';

export const bitPickerStyles = css`
  .picker { border: 2px solid var(--ls-accent); border-radius: 8px; padding: 0.5rem; margin-bottom: 0.6rem; background: var(--ls-surface); }
  .picker header { display: flex; justify-content: space-between; align-items: center; gap: 0.5rem; flex-wrap: wrap; }
  .picker .bits { display: grid; grid-template-columns: repeat(16, minmax(2.1rem, 1fr)); gap: 3px; margin-top: 0.4rem; }
  .picker .bits button { font-family: var(--ls-mono); padding: 0; min-height: 2.6rem; display: grid; line-height: 1.1; }
  .picker .bits button small { font-size: 0.62em; color: var(--ls-muted); }
  .picker .bits button.one { background: var(--ls-selection); font-weight: 700; }
  .bitsdiff { font-family: var(--ls-mono); font-size: 0.9em; display: grid; grid-template-columns: auto auto 1fr; gap: 0 0.8rem; align-items: baseline; }
  .bitsdiff .digits span.d { color: var(--ls-bad-text); font-weight: 800; text-decoration: underline wavy; }
  .bitsdiff .carets { color: var(--ls-bad-text); white-space: pre; }
  .bitsdiff .digits { white-space: pre; }
`;

const KIND_VERB: Record<ClickKind, string> = { flip: 'Flip', stuck0: 'Stick at 0', stuck1: 'Stick at 1', ecc: 'ECC error in' };

export function bitPicker(o: { title: string; value: number; kind: ClickKind; onBit: (bit: number) => void; onClose: () => void }) {
  const bits = Array.from({ length: 32 }, (_, k) => 31 - k);
  return html`
    <div class="picker" role="group" aria-label="Bits of ${o.title}" id="bit-picker"
      @keydown=${(e: KeyboardEvent) => { if (e.key === 'Escape') { e.stopPropagation(); o.onClose(); } }}>
      <header>
        <strong>${KIND_VERB[o.kind]} a bit of ${o.title} <span class="mono">${hex32(o.value)}</span></strong>
        <button @click=${o.onClose} aria-label="Close the bit picker">✕ Close</button>
      </header>
      <div class="bits">
        ${bits.map((b) => {
          const one = (o.value >>> b) & 1;
          return html`<button class=${one ? 'one' : 'zero'} data-bit=${b} @click=${() => o.onBit(b)}
            aria-label="${KIND_VERB[o.kind]} bit ${b} of ${o.title} (now ${one})">${one}<small>${b}</small></button>`;
        })}
      </div>
    </div>`;
}

/** The value button that opened a component's picker, to focus again when it closes. */
const openers = new WeakMap<ShadowRoot, HTMLElement>();

/**
 * Keyboard focus for a component's bit picker (call from updated()): when the selection
 * opens the picker, focus moves to its first bit (the picker is drawn above the table, out
 * of the tab order's way); when it closes, back to the value that opened it.
 */
export function followPicker(root: ShadowRoot, before: Selection | undefined, now: Selection | undefined): void {
  if (before === now) return;
  const picker = root.querySelector<HTMLElement>('#bit-picker .bits button');
  if (now && picker) {
    if (root.activeElement instanceof HTMLElement) openers.set(root, root.activeElement);
    picker.focus();
  } else if (!now) {
    const opener = openers.get(root);
    openers.delete(root);
    if (opener?.isConnected) opener.focus();
  }
}

/**
 * Each differing module's value in binary, differing digits marked, with ▲ under them,
 * under the reference value when there is one: the majority's (see compareValues), or the
 * fault-free twin's (`against`).
 */
export function bitsDetail(reference: number | undefined, rows: { module: number; value: number; mask: number }[], against = 'majority') {
  // Runs of digits, marked or not, as few nodes (the nibbles' spaces never marked): a redraw with the same marks changes text only.
  const digits = (value: number, mask: number) => {
    const runs: { marked: boolean; text: string }[] = [];
    const add = (marked: boolean, text: string) => {
      const last = runs[runs.length - 1];
      if (last?.marked === marked) last.text += text;
      else runs.push({ marked, text });
    };
    for (let b = 31; b >= 0; b--) {
      add(((mask >>> b) & 1) === 1, String((value >>> b) & 1));
      if (b % 4 === 0 && b > 0) add(false, ' ');
    }
    return runs.map((r) => (r.marked ? html`<span class="d">${r.text}</span>` : r.text));
  };
  const carets = (mask: number) => {
    let s = '';
    for (let b = 31; b >= 0; b--) {
      s += (mask >>> b) & 1 ? '▲' : ' ';
      if (b % 4 === 0 && b > 0) s += ' ';
    }
    return s;
  };
  return html`<div class="bitsdiff" role="note">
    ${reference !== undefined ? html`<span>${against}</span><span class="digits">${digits(reference, 0)}</span><span>${hex32(reference)}</span>` : nothing}
    ${rows.map((r) => html`
      <span>module ${r.module}</span><span class="digits">${digits(r.value, r.mask)}</span>
      <span>${hex32(r.value)} — bit${bitsOf(r.mask).length === 1 ? '' : 's'} ${bitsOf(r.mask).join(', ')} differ${bitsOf(r.mask).length === 1 ? 's' : ''}</span>
      <span></span><span class="carets" aria-hidden="true">${carets(r.mask)}</span><span></span>`)}
  </div>`;
}
