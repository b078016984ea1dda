/**
 * Copying a program's state from one machine to another that runs the same program: what a
 * checkpoint carries from a cluster's primary to its standby, or from a process pair's
 * primary to its backup (src/system/). Both machines are simplex (module 0); hardware
 * state stays where it is: the target keeps its own stuck bits, clock owner, FIFO and
 * devices' host sides. The counts returned are bytes on the link, so that a caller can
 * charge the copy's time.
 */
import { architecturalRanges, type Core, type LayoutName } from './core.ts';
import type { Machine } from './machine.ts';

/**
 * Software-visible device state in the machine block, by field and byte size: the clock
 * and its counters (so that mcycle/minstret and mtime go on from the checkpoint), the
 * CLINT, the UART's registers and the transaction port's interrupt enable and staging
 * registers. Not the FIFO (the network delivers records to whichever host serves) and not
 * transient run state.
 */
const DEVICE_FIELDS: readonly [LayoutName, number][] = [
  ['M_INSTRET', 8], ['M_CYCLE', 8], ['M_MTIMECMP', 8], ['M_MTIME_OFFSET', 8], ['M_MSIP', 4],
  ['M_UART_IER', 4], ['M_UART_LCR', 4], ['M_UART_MCR', 4], ['M_UART_SCR', 4], ['M_UART_DLL', 4], ['M_UART_DLM', 4],
  ['M_TXP_IE', 4], ['M_TXP_STAGE', 20],
];

/** Copies the `bytes` (a multiple of 4) at linear address `at` of `from` to the same address of `to`, a word at a time: no views made. */
function copyWords(from: Core, to: Core, at: number, bytes: number): void {
  for (let k = 0; k < bytes; k += 4) to.setU32(at + k, from.u32(at + k));
}

/**
 * Copies the process context of module 0 — registers, pc, privilege, CSRs, PMP, and the
 * devices' software-visible state — and the host-call state from `from` to `to`, as `to`
 * takes it (Machine.contextWritten: fresh parity, stuck bits forced again). Returns the
 * bytes copied.
 */
function copyContext(from: Machine, to: Machine): number {
  const L = from.core.layout;
  const hartFrom = from.core.hart(0);
  const hartTo = to.core.hart(0);
  let bytes = 0;
  for (const [offset, length] of architecturalRanges(L)) {
    to.core.slice(hartTo + offset, length).set(from.core.slice(hartFrom + offset, length));
    bytes += length;
  }
  for (const [field, size] of DEVICE_FIELDS) {
    copyWords(from.core, to.core, L.MACHINE + L[field], size);
    bytes += size;
  }
  to.adoptHostState(from);
  to.contextWritten(0);
  return bytes;
}

/**
 * The RAM pages module 0 of `from` wrote since the last call (its dirty map), as [guest
 * address, bytes] ranges of adjacent pages; clears the map.
 */
export function takeDirtyPages(from: Machine): [number, number][] {
  const L = from.core.layout;
  const pages = from.ramSize / L.PAGE_SIZE;
  const map = from.core.slice(L.DIRTY, pages);
  const ranges: [number, number][] = [];
  for (let p = 0; p < pages; p++) {
    if (map[p] === 0) continue;
    const last = ranges[ranges.length - 1];
    const addr = L.RAM_BASE + p * L.PAGE_SIZE;
    if (last && last[0] + last[1] === addr) last[1] += L.PAGE_SIZE;
    else ranges.push([addr, L.PAGE_SIZE]);
  }
  map.fill(0);
  return ranges;
}

/**
 * Sends a checkpoint from module 0 of `from` to module 0 of `to`: the process context and
 * the RAM `ranges` ([guest address, bytes], each inside RAM). Returns the bytes on the link,
 * or undefined if `from` could not read its state.
 *
 * A checkpoint carries data, not codewords: `from` reads its registers and RAM through its
 * checks, as its CPU would to send them, and `to` writes them as stores would.
 * - Read: a single-bit RAM error is corrected on the way (the copy, and `from`'s RAM, hold
 *   the right word); a word its ECC cannot correct (poisoned, or two bits flipped), or a
 *   register with a parity error, makes `from` announce the error, as a load would — a
 *   simplex host fail-stops — and nothing is sent: `to` keeps the last checkpoint whole.
 *   An upset the ECC does not see (a flip without ECC) is data like any other and travels.
 * - Write: every word and register written gets check bits (parity) for its new data, so an
 *   upset or poison `to` held there is gone; a stuck cell or register bit is `to`'s
 *   hardware and forces its value again (ecc.ts, fault/inject.ts), as when a resync copies
 *   pages (ecc.ts copyCodewords: stuck cells stay with the module that has them).
 */
export function sendCheckpoint(from: Machine, to: Machine, ranges: readonly (readonly [number, number])[]): number | undefined {
  const images: Uint8Array[] = [];
  for (const [addr, length] of ranges) {
    const bytes = from.readMemoryChecked(0, addr, length); // throws RangeError outside RAM
    if (bytes === undefined) return undefined;
    images.push(bytes);
  }
  if (!from.readContextChecked(0)) return undefined;
  ranges.forEach(([addr], k) => to.writeMemory(0, addr, images[k]));
  return copyContext(from, to) + images.reduce((sum, image) => sum + image.length, 0);
}
