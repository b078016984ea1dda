// The core's export surface: the only file the host's WASM loader knows. The memory map
// (layout.ts) is exported as immutable globals; the host reads and writes machine state
// through the exported memory at those offsets.

import {
  MACHINE, MACHINE_SIZE, HARTS, HART_SIZE, MAX_MODULES, MAX_RAM_SIZE, RAM_SLOTS, DIRTY,
  DIRTY_MAP_SIZE, PAGE_SHIFT, H_RAM, H_DIRTY, H_PRIV, H_PC, H_REG_AND, H_PC_AND, H_RESULT_AND,
  H_MEM_FAULTS, MEM_FAULT_SLOTS, MEM_FAULT_SIZE, MEM_FAULT_NONE, MF_OFFSET, MF_AND, H_CSR_FAULTS, CSR_FAULT_SLOTS, CSR_FAULT_SIZE, M_RAM_SIZE, M_MODULE_COUNT,
  M_MTIMECMP, M_CYCLES_PER_TICK, M_ONLINE, M_STOP_CYCLE, PRIV_M, RAM_BASE,
} from './layout';
import { loadCaches } from './cpu/signals';
import { csrRead, writeCounter, CSR_ILLEGAL } from './cpu/csr';
import { csrField, scrubWords, hostAccess, hostRead, hostWritten, releaseEmptySlots } from './fault/persistent';
import { hart, bytesEqual, bytesZero } from './lockstep/comparator';
import { disableTranslation } from './translate/dispatch';

export * from './layout';
export { run } from './lockstep/run';
export { enableTranslation, disableTranslation, setSameState, translatorBase, translationGranules } from './translate/dispatch';
export { sameState } from './lockstep/comparator';
export { secdedEncode, secdedErrorBit, SECDED_CLEAN, SECDED_UNCORRECTABLE } from './fault/ecc';

/** Version of the memory map and record formats; the host refuses a core it does not know. */
export const CORE_ABI_VERSION: u32 = 6;

// @ts-ignore: the stub runtime's end of static data
const STATIC_END: usize = __heap_base;

/** Puts module `m`'s hart block in its reset state (M-mode, pc at the start of RAM, no faults). */
export function resetModule(m: u32): void {
  const h = hart(m);
  memory.fill(h, 0, HART_SIZE);
  const ramSize = load<u32>(MACHINE + M_RAM_SIZE);
  store<usize>(h, RAM_SLOTS + <usize>m * <usize>ramSize, H_RAM);
  store<usize>(h, DIRTY + <usize>m * DIRTY_MAP_SIZE, H_DIRTY);
  store<u32>(h, PRIV_M, H_PRIV);
  store<u32>(h, RAM_BASE, H_PC);
  clearFaults(m);
}

/** Removes module `m`'s persistent faults: identity masks, no poisoned words or registers. */
export function clearFaults(m: u32): void {
  const h = hart(m);
  memory.fill(h + H_REG_AND, 0xFF, 32 * 4); // AND masks all ones; OR masks (next) zero
  memory.fill(h + H_REG_AND + 32 * 4, 0, 32 * 4);
  store<u32>(h, 0xFFFF_FFFF, H_PC_AND);
  store<u32>(h, 0, H_PC_AND + 4);
  store<u32>(h, 0, H_RESULT_AND - 4); // H_RESULT_XOR
  store<u32>(h, 0xFFFF_FFFF, H_RESULT_AND);
  store<u32>(h, 0, H_RESULT_AND + 4); // H_RESULT_OR
  store<u32>(h, 0, H_RESULT_AND + 8); // H_POISON_REGS
  for (let k: u32 = 0; k < MEM_FAULT_SLOTS; k++) clearMemFaultSlot(h + H_MEM_FAULTS + <usize>k * MEM_FAULT_SIZE);
  memory.fill(h + H_CSR_FAULTS, 0, <usize>CSR_FAULT_SLOTS * CSR_FAULT_SIZE);
}

/** Frees the RAM fault slot at linear address `entry` (one of a hart's H_MEM_FAULTS): no word, identity masks, no poison, check bits or report. */
export function clearMemFaultSlot(entry: usize): void {
  memory.fill(entry, 0, MEM_FAULT_SIZE);
  store<u32>(entry, MEM_FAULT_NONE, MF_OFFSET);
  store<u32>(entry, 0xFFFF_FFFF, MF_AND);
}

/**
 * Sets up a machine of `moduleCount` module slots with `ramSize` bytes of guest RAM each
 * (a multiple of 64 KiB, at most MAX_RAM_SIZE), all in reset state, all zero RAM, no module
 * online. Returns 0, or 1 if the arguments are out of range, 2 if memory cannot grow.
 */
export function init(moduleCount: u32, ramSize: u32): u32 {
  if (STATIC_END > MACHINE) unreachable(); // the memory map would overlap static data
  disableTranslation(); // its region moves with the RAM slots: the host enables it again
  if (moduleCount == 0 || moduleCount > MAX_MODULES) return 1;
  if (ramSize == 0 || ramSize > MAX_RAM_SIZE || (ramSize & 0xFFFF) != 0) return 1;
  const end = RAM_SLOTS + <usize>moduleCount * <usize>ramSize;
  const have = <usize>memory.size() << 16;
  if (end > have && memory.grow(<i32>((end - have + 0xFFFF) >> 16)) < 0) return 2;
  memory.fill(MACHINE, 0, RAM_SLOTS - MACHINE);
  memory.fill(RAM_SLOTS, 0, end - RAM_SLOTS);
  store<u32>(MACHINE + M_RAM_SIZE, ramSize);
  store<u32>(MACHINE + M_MODULE_COUNT, moduleCount);
  store<u32>(MACHINE + M_CYCLES_PER_TICK, 10);
  store<u64>(MACHINE + M_MTIMECMP, u64.MAX_VALUE);
  store<u64>(MACHINE + M_STOP_CYCLE, u64.MAX_VALUE);
  store<u32>(MACHINE + M_ONLINE, 0);
  for (let m: u32 = 0; m < moduleCount; m++) resetModule(m);
  return 0;
}

/** CSR `num` of module `m` as M-mode software would read it, or 0xFFFF_FFFF_FFFF_FFFF if it does not exist. */
export function csrPeek(m: u32, num: u32): u64 {
  loadCaches();
  const value = csrRead(hart(m), num, PRIV_M, 0);
  return value == CSR_ILLEGAL ? u64.MAX_VALUE : value;
}

/**
 * Sets CSR `num` of module `m` (fault injection and debuggers): CSRs with storage of their
 * own take the raw value; counters are set as M-mode software would. Returns false if the
 * CSR does not exist or is read-only.
 */
export function csrPoke(m: u32, num: u32, value: u32): bool {
  loadCaches();
  const h = hart(m);
  if (csrRead(h, num, PRIV_M, 0) == CSR_ILLEGAL) return false;
  const field = csrField(num);
  if (field != 0) { store<u32>(h + field, value); return true; }
  if ((num & 0xF60) != 0xB00) return false; // no storage and not a machine counter: read-only
  writeCounter(h, num, value, 0); // the next instruction reads `value`
  return true;
}


/** Whether CSR `num` is a register of its own in the hart (so a stuck bit can hold in it). */
export function csrHasStorage(num: u32): bool {
  return csrField(num) != 0;
}

// ── Memory ECC (fault/ecc.ts) ──────────────────────────────────────────────────────────

/**
 * One scrubber pass over module `m`'s RAM: single-bit errors corrected, uncorrectable ones
 * counted. Returns the words corrected plus 65,536 × the uncorrectable words found.
 */
export function scrub(m: u32): u32 {
  return scrubWords(hart(m));
}

/**
 * Before the host reads (or, with `write`, writes) guest RAM bytes [offset, offset + length)
 * of module `m`: faulty words read through its ECC. Returns the guest address of an
 * uncorrectable word, or 0.
 */
export function hostRamAccess(m: u32, offset: u32, length: u32, write: bool): u32 {
  return hostAccess(hart(m), offset, length, write);
}

/** After the host read guest RAM of module `m` (hostRamAccess() first): stuck cells hold their bits again. */
export function hostRamRead(m: u32): void {
  hostRead(hart(m));
}

/** After the host wrote guest RAM bytes [offset, offset + length) of module `m`: faulty words encoded anew. */
export function hostRamWritten(m: u32, offset: u32, length: u32): void {
  hostWritten(hart(m), offset, length);
}

/** Frees module `m`'s RAM fault slots that hold nothing any more. */
export function releaseMemFaults(m: u32): void {
  releaseEmptySlots(hart(m));
}

/**
 * How a snapshot records the `size` bytes of RAM at linear address `page` (a multiple of 64
 * bytes; src/machine/snapshot.ts's page tags): 0 all zero, 1 equal to the bytes at
 * `reference` (0: none to compare with), 2 neither.
 */
export function pageKind(page: usize, reference: usize, size: usize): u32 {
  if (bytesZero(page, size)) return 0;
  return reference != 0 && bytesEqual(page, reference, size) ? 1 : 2;
}
