// Persistent faults (DESIGN §5) as the core sees them. The host writes the masks and
// entries into the hart block (index.ts exports the entry points); the plain run loop never
// reads them. The instrumented loop, used while M_FAULTS_ARMED is set, calls these cold
// helpers. Transient faults (flip) need nothing here: the host flips the bit in the hart
// block or RAM slot at the scheduled instruction — except that with SEC-DED memory a
// flipped RAM word keeps a slot for its check bits until it is corrected or rewritten.

import {
  H_CSR_FAULTS, CSR_FAULT_SLOTS, CSR_FAULT_SIZE, H_MEM_FAULTS, MEM_FAULT_SLOTS,
  MEM_FAULT_SIZE, MEM_FAULT_NONE, MF_OFFSET, MF_AND, MF_OR, MF_POISON, MF_CHECK, MF_REPORT,
  H_RAM, H_ERROR, H_ERROR_WHERE, H_POISON_REGS, H_MSTATUS, H_MTVEC, H_MEPC, H_MCAUSE, H_MTVAL,
  H_MSCRATCH, H_MIE, H_MCOUNTEREN, ERROR_ECC, RAM_BASE, MACHINE, M_ECC, ECC_SECDED,
} from '../layout';
import { raise, A_ANNOUNCE, A_ECC } from '../cpu/signals';
import {
  secdedEncode, secdedErrorBit, decodeWord, takeRewritten, SECDED_CLEAN, WORD_CORRECTED, WORD_UNCORRECTABLE,
} from './ecc';

/** Hart-block field that holds CSR `num`, or 0 for CSRs without storage of their own. */
export function csrField(num: u32): usize {
  switch (num) {
    case 0x300: return H_MSTATUS;
    case 0x304: return H_MIE;
    case 0x305: return H_MTVEC;
    case 0x306: return H_MCOUNTEREN;
    case 0x340: return H_MSCRATCH;
    case 0x341: return H_MEPC;
    case 0x342: return H_MCAUSE;
    case 0x343: return H_MTVAL;
    default: return 0;
  }
}

/** Re-forces the stuck bits of the hart's CSRs; called after every CSR write and trap. */
export function applyCsrFaults(h: usize): void {
  for (let k: u32 = 0; k < CSR_FAULT_SLOTS; k++) {
    const entry = h + H_CSR_FAULTS + <usize>k * CSR_FAULT_SIZE;
    const field = csrField(load<u32>(entry));
    if (field == 0) continue;
    store<u32>(h + field, (load<u32>(h + field) & load<u32>(entry, 4)) | load<u32>(entry, 8));
  }
}

/** The RAM fault entry covering the word at RAM offset `off`, or 0 (free entries hold MEM_FAULT_NONE, never a word offset). */
export function memFaultAt(h: usize, off: u32): usize {
  const word = off & ~3;
  for (let k: u32 = 0; k < MEM_FAULT_SLOTS; k++) {
    const entry = h + H_MEM_FAULTS + <usize>k * MEM_FAULT_SIZE;
    if (load<u32>(entry, MF_OFFSET) == word) return entry;
  }
  return 0;
}

/** The module announces a local error (its ECC or parity check fired) at `where`. */
export function announce(h: usize, where: u32): void {
  store<u32>(h, ERROR_ECC, H_ERROR);
  store<u32>(h, where, H_ERROR_WHERE);
  raise(A_ANNOUNCE);
}

/** Whether the RAM has SEC-DED check bits (fault/ecc.ts). */
// @ts-ignore: decorator
@inline function secded(): bool { return load<u32>(MACHINE + M_ECC) == ECC_SECDED; }

/** Linear address of the RAM word of fault slot `entry` of module `h`. */
// @ts-ignore: decorator
@inline function wordOf(h: usize, entry: usize): usize { return load<usize>(h, H_RAM) + load<u32>(entry, MF_OFFSET); }

/**
 * Whether reading the word at RAM offset `off` hits an uncorrectable error (a poisoned word,
 * or with SEC-DED two or more flipped bits); announces if so. A single-bit error is
 * corrected on the way (fault/ecc.ts decodeWord), and the read then sees the right word.
 */
export function readHitsPoison(h: usize, off: u32): bool {
  const entry = memFaultAt(h, off);
  if (entry == 0) return false;
  if (load<u32>(entry, MF_POISON) == 0 && !(secded() && decodeWord(h, entry, true) == WORD_UNCORRECTABLE)) return false;
  announce(h, RAM_BASE + (off & ~3));
  return true;
}

/**
 * Before a store of `width` bytes at RAM offset `off`: a partial-word store into a faulty
 * word must read it first (read-modify-write of the ECC word), which corrects a single-bit
 * error or announces an uncorrectable one; returns true if it announced (the store is not
 * performed).
 */
export function storeHitsPoison(h: usize, off: u32, width: u32): bool {
  if (width == 4) return false;
  return readHitsPoison(h, off);
}

/**
 * After a store at RAM offset `off`: the write encodes the word's check bits (a full word
 * write also clears its poison), stuck bits re-assert, and a slot left with nothing to
 * hold is freed (A_ECC tells the host, which may then run the module uninstrumented).
 */
export function afterStore(h: usize, off: u32, width: u32): void {
  const entry = memFaultAt(h, off);
  if (entry == 0) return;
  if (width == 4) store<u32>(entry, 0, MF_POISON);
  if (secded()) store<u8>(entry, <u8>secdedEncode(load<u32>(wordOf(h, entry))), MF_CHECK);
  forceStuck(h, entry);
  if (releaseIfEmpty(h, entry)) raise(A_ECC);
}

/** Re-asserts the stuck bits of the word of fault slot `entry`. */
function forceStuck(h: usize, entry: usize): void {
  const p = wordOf(h, entry);
  store<u32>(p, (load<u32>(p) & load<u32>(entry, MF_AND)) | load<u32>(entry, MF_OR));
}

/**
 * After an instruction whose ECC corrections wrote words back (fault/ecc.ts takeRewritten()):
 * the stuck bits of module `h`'s faulty words re-assert, as the cells hold them.
 */
export function reassertStuckWords(h: usize): void {
  for (let k: u32 = 0; k < MEM_FAULT_SLOTS; k++) {
    const entry = h + H_MEM_FAULTS + <usize>k * MEM_FAULT_SIZE;
    if (load<u32>(entry, MF_OFFSET) != MEM_FAULT_NONE) forceStuck(h, entry);
  }
}

/**
 * Frees fault slot `entry` if it holds nothing any more: no stuck bits, no poison, no
 * correction waiting to be reported and, with SEC-DED, a word that decodes clean (as an
 * unfaulted word does). Returns whether it did.
 */
function releaseIfEmpty(h: usize, entry: usize): bool {
  if (load<u32>(entry, MF_AND) != 0xFFFF_FFFF || load<u32>(entry, MF_OR) != 0) return false;
  if (load<u32>(entry, MF_POISON) != 0 || load<u8>(entry, MF_REPORT) != 0) return false;
  if (secded() && secdedErrorBit(load<u32>(wordOf(h, entry)), load<u8>(entry, MF_CHECK)) != SECDED_CLEAN) return false;
  store<u32>(entry, MEM_FAULT_NONE, MF_OFFSET);
  store<u32>(entry, 0, MF_CHECK); // check bits, report and reported
  return true;
}

// ── Host entry points (index.ts): the scrubber and host calls' memory accesses ────────

/** Frees the fault slots of module `h` that hold nothing any more (after the host took their reports). */
export function releaseEmptySlots(h: usize): void {
  for (let k: u32 = 0; k < MEM_FAULT_SLOTS; k++) {
    const entry = h + H_MEM_FAULTS + <usize>k * MEM_FAULT_SIZE;
    if (load<u32>(entry, MF_OFFSET) != MEM_FAULT_NONE) releaseIfEmpty(h, entry);
  }
}

/**
 * One scrubber pass over module `h`'s RAM (SEC-DED only): every word read through the
 * ECC, a single-bit error corrected and written back (stuck bits then re-assert), an
 * uncorrectable one left for the module to announce when it is read. Only faulty words
 * can hold an error (fault/ecc.ts), so only their slots are read. Returns the words
 * corrected plus 65,536 × the uncorrectable words found.
 */
export function scrubWords(h: usize): u32 {
  let corrected: u32 = 0;
  let uncorrectable: u32 = 0;
  for (let k: u32 = 0; k < MEM_FAULT_SLOTS; k++) {
    const entry = h + H_MEM_FAULTS + <usize>k * MEM_FAULT_SIZE;
    if (load<u32>(entry, MF_OFFSET) == MEM_FAULT_NONE) continue;
    const result = load<u32>(entry, MF_POISON) != 0 ? WORD_UNCORRECTABLE : decodeWord(h, entry, false);
    if (result == WORD_CORRECTED) corrected++;
    else if (result == WORD_UNCORRECTABLE) uncorrectable++;
    forceStuck(h, entry);
  }
  takeRewritten(); // each word's stuck bits re-asserted above
  return corrected | (uncorrectable << 16);
}

/**
 * Before the host reads (or, with `write`, writes) RAM bytes [off, off + length) of module
 * `h` (a host call's buffer): each faulty word they touch is read through the module's ECC,
 * as a load would — a write reads only the words it covers in part, to merge its bytes.
 * Corrected words stay in RAM as corrected until the access is done (hostRead(),
 * hostWritten() re-assert stuck bits). Returns the guest address of the first word with an
 * uncorrectable error, which the module announces, or 0.
 */
export function hostAccess(h: usize, off: u32, length: u32, write: bool): u32 {
  let failed: u32 = 0;
  for (let k: u32 = 0; k < MEM_FAULT_SLOTS; k++) {
    const entry = h + H_MEM_FAULTS + <usize>k * MEM_FAULT_SIZE;
    const word = load<u32>(entry, MF_OFFSET);
    if (word == MEM_FAULT_NONE || word + 4 <= off || word >= off + length) continue;
    if (write && word >= off && word + 4 <= off + length) continue; // wholly overwritten: not read
    const bad = load<u32>(entry, MF_POISON) != 0 || (secded() && decodeWord(h, entry, false) == WORD_UNCORRECTABLE);
    if (bad && failed == 0) failed = RAM_BASE + word;
  }
  takeRewritten(); // the access's end re-asserts stuck bits
  return failed;
}

/** After the host read RAM of module `h` (see hostAccess()): stuck bits re-assert. */
export function hostRead(h: usize): void {
  reassertStuckWords(h);
}

/**
 * After the host wrote RAM bytes [off, off + length) of module `h`: each faulty word they
 * touch is encoded anew (a wholly written one also loses its poison), its stuck bits
 * re-assert, and a slot left with nothing to hold is freed.
 */
export function hostWritten(h: usize, off: u32, length: u32): void {
  for (let k: u32 = 0; k < MEM_FAULT_SLOTS; k++) {
    const entry = h + H_MEM_FAULTS + <usize>k * MEM_FAULT_SIZE;
    const word = load<u32>(entry, MF_OFFSET);
    if (word == MEM_FAULT_NONE || word + 4 <= off || word >= off + length) continue;
    if (word >= off && word + 4 <= off + length) store<u32>(entry, 0, MF_POISON);
    if (secded()) store<u8>(entry, <u8>secdedEncode(load<u32>(wordOf(h, entry))), MF_CHECK);
    forceStuck(h, entry);
    releaseIfEmpty(h, entry);
  }
}

/**
 * Source registers an instruction reads (a bit per register), by format, for parity faults
 * on registers: R, I, S, B formats read rs1; R, S, B also rs2. U and J formats read none.
 */
export function sourceRegisters(insn: u32): u32 {
  const op = insn & 0x7F;
  const rs1: u32 = 1 << ((insn >> 15) & 0x1F);
  const rs2: u32 = 1 << ((insn >> 20) & 0x1F);
  switch (op) {
    case 0x33: case 0x23: case 0x63: return (rs1 | rs2) & ~1;
    case 0x13: case 0x03: case 0x67: return rs1 & ~1;
    case 0x73: return ((insn >> 12) & 4) == 0 && ((insn >> 12) & 3) != 0 ? rs1 & ~1 : 0; // csrrw/s/c
    default: return 0;
  }
}

/** Whether the instruction reads a register with a parity error; announces if so. */
export function readsPoisonedRegister(h: usize, insn: u32): bool {
  const hit = sourceRegisters(insn) & load<u32>(h, H_POISON_REGS);
  if (hit == 0) return false;
  announce(h, ctz(hit));
  return true;
}

/** Clears the parity error of register `rd` once it is written (the write re-encodes parity). */
export function registerWritten(h: usize, rd: u32): void {
  store<u32>(h, load<u32>(h, H_POISON_REGS) & ~(1 << rd), H_POISON_REGS);
}

