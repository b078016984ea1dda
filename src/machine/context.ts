/**
 * Copying a program's state from one machine to another that runs the same program: what a
 * checkpoint carries from a cluster's primary to its standby, or from a process pair's
 * primary to its backup (src/system/). Both machines are simplex (module 0); hardware
 * state stays where it is: the target keeps its own faults, clock owner, FIFO and devices'
 * host sides. The counts returned are bytes on the link, so that a caller can charge the
 * copy's time.
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
 * devices' software-visible state — and the host-call state from `from` to `to`.
 * Returns the bytes copied.
 */
export function copyContext(from: Machine, to: Machine): number {
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
  return bytes;
}

/**
 * Copies the RAM pages module 0 of `from` wrote since the last call (its dirty map) into
 * `to`, and clears the map. Returns the number of pages.
 */
export function copyDirtyPages(from: Machine, to: Machine): number {
  const L = from.core.layout;
  const pages = from.ramSize / L.PAGE_SIZE;
  const map = from.core.slice(L.DIRTY, pages);
  const base = from.ramAddress(0, L.RAM_BASE, from.ramSize)!;
  const targetBase = to.ramAddress(0, L.RAM_BASE, to.ramSize)!;
  let copied = 0;
  for (let p = 0; p < pages; p++) {
    if (map[p] === 0) continue;
    to.core.slice(targetBase + p * L.PAGE_SIZE, L.PAGE_SIZE).set(from.core.slice(base + p * L.PAGE_SIZE, L.PAGE_SIZE));
    copied++;
  }
  map.fill(0);
  return copied;
}

/** Copies `length` bytes of RAM at guest `addr` from module 0 of `from` to module 0 of `to` (a range in RAM). */
export function copyRange(from: Machine, to: Machine, addr: number, length: number): void {
  const source = from.ramAddress(0, addr, length);
  const target = to.ramAddress(0, addr, length);
  if (source === undefined || target === undefined) throw new Error(`range ${addr.toString(16)}+${length} lies outside RAM`);
  to.core.slice(target, length).set(from.core.slice(source, length));
}
