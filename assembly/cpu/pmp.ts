// Physical memory protection (privileged spec v1.12 §3.7): 16 entries, pmpcfg0..3 and
// pmpaddr0..15, granularity G = 0 (4 bytes; NA4 is selectable). pmpcfg4..15 and
// pmpaddr16..63 read 0 and ignore writes (csr.ts). Cold code: the plain run loops never call
// it. A batch runs checked (every fetch, load and store goes through pmpAllows) while any
// online module needs it (pmpChecked); otherwise only the slow load/store path checks, for
// a misaligned access that straddles an entry's boundary.

import { H_PMPCFG, H_PMPADDR, H_PRIV, H_MSTATUS, PMP_ENTRIES, PRIV_M } from '../layout';
import { MSTATUS_MPRV, MSTATUS_MPP, MSTATUS_MPP_SHIFT } from './trap';

/** pmpcfg entry fields (§3.7.1, figure 3.31). */
export const PMP_R: u32 = 1 << 0;
export const PMP_W: u32 = 1 << 1;
export const PMP_X: u32 = 1 << 2;
export const PMP_A_SHIFT: u32 = 3;
export const PMP_A: u32 = 3 << PMP_A_SHIFT;
export const PMP_L: u32 = 1 << 7;
/** Address-matching modes (field A; 0 is OFF, which matches nothing). */
export const PMP_TOR: u32 = 1;
export const PMP_NA4: u32 = 2;
export const PMP_NAPOT: u32 = 3;

/**
 * The legal value of a pmpcfg entry written with `value` (WARL): bits 6:5 are reserved and
 * read 0; R = 0 with W = 1 is reserved, and is mapped to R = 0, W = 0 (X, A and L kept), an
 * entry that grants no data access.
 */
export function pmpLegalConfig(value: u32): u32 {
  let cfg = value & (PMP_L | PMP_A | PMP_X | PMP_W | PMP_R);
  if ((cfg & (PMP_R | PMP_W)) == PMP_W) cfg &= ~PMP_W;
  return cfg;
}

/** Configuration byte of entry `k`. */
// @ts-ignore: decorator
@inline function config(h: usize, k: u32): u32 { return <u32>load<u8>(h + H_PMPCFG + k); }

/** Writes pmpcfg register `index` (0..3: entries 4·index .. 4·index+3); a locked entry keeps its byte. */
export function writePmpConfig(h: usize, index: u32, value: u32): void {
  for (let byte: u32 = 0; byte < 4; byte++) {
    const k = index * 4 + byte;
    if ((config(h, k) & PMP_L) != 0) continue;
    store<u8>(h + H_PMPCFG + k, <u8>pmpLegalConfig((value >> (byte * 8)) & 0xFF));
  }
}

/**
 * Writes pmpaddr`k`. Ignored when entry k is locked, or when entry k+1 is locked in TOR
 * mode (pmpaddr k is its lower bound, §3.7.1.3 "Locking and Privilege Mode").
 */
export function writePmpAddress(h: usize, k: u32, value: u32): void {
  if ((config(h, k) & PMP_L) != 0) return;
  if (k + 1 < PMP_ENTRIES) {
    const next = config(h, k + 1);
    if ((next & PMP_L) != 0 && ((next & PMP_A) >> PMP_A_SHIFT) == PMP_TOR) return;
  }
  store<u32>(h + H_PMPADDR + (<usize>k << 2), value);
}

/** Whether any entry is locked (locked entries apply to M-mode too). */
// @ts-ignore: decorator
@inline function anyLocked(h: usize): bool {
  return ((load<u64>(h, H_PMPCFG) | load<u64>(h, H_PMPCFG + 8)) & 0x8080_8080_8080_8080) != 0;
}

/** The privilege loads and stores are checked with: MPP while in M-mode with mstatus.MPRV set (§3.1.6.3). */
export function dataPrivilege(h: usize): u32 {
  const priv = load<u32>(h, H_PRIV);
  const status = load<u32>(h, H_MSTATUS);
  if (priv == PRIV_M && (status & MSTATUS_MPRV) != 0) return (status & MSTATUS_MPP) >> MSTATUS_MPP_SHIFT;
  return priv;
}

/**
 * The byte range [low, high) entry `k` matches (empty for OFF), as the u64 lanes [low, high]
 * of a v128 (rangeLow, rangeHigh); `previous` is pmpaddr k-1 as a byte address.
 */
function entryRange(h: usize, k: u32, previous: u64): v128 {
  const word = load<u32>(h + H_PMPADDR + (<usize>k << 2));
  const bound = <u64>word << 2;
  let low: u64 = 0;
  let high: u64 = 0;
  switch ((config(h, k) & PMP_A) >> PMP_A_SHIFT) {
    case PMP_TOR: low = previous; high = bound; break;
    case PMP_NA4: low = bound; high = bound + 4; break;
    case PMP_NAPOT: {
      // pmpaddr = base[33:t+3] followed by a 0 and t ones: 2^(t+3) bytes (t = 32: all of it).
      const ones = <u64>ctz(~word);
      low = (<u64>word & ~((<u64>1 << ones) - 1)) << 2;
      high = low + (<u64>8 << ones);
      break;
    }
    default: break; // OFF: matches nothing
  }
  return i64x2.replace_lane(i64x2.splat(low), 1, high);
}

// @ts-ignore: decorator
@inline function rangeLow(range: v128): u64 { return <u64>i64x2.extract_lane(range, 0); }
// @ts-ignore: decorator
@inline function rangeHigh(range: v128): u64 { return <u64>i64x2.extract_lane(range, 1); }

/**
 * Whether the lowest-numbered entry that is not OFF covers all 2^32 addresses with R, W and
 * X (as firmware that opens everything sets entry 0): it then decides every access, and
 * allows it.
 */
function allOpen(h: usize): bool {
  let previous: u64 = 0;
  for (let k: u32 = 0; k < PMP_ENTRIES; k++) {
    const range = entryRange(h, k, previous);
    const low = rangeLow(range);
    const high = rangeHigh(range);
    previous = <u64>load<u32>(h + H_PMPADDR + (<usize>k << 2)) << 2;
    if (low >= high) continue;
    return low == 0 && high >= 0x1_0000_0000 && (config(h, k) & (PMP_R | PMP_W | PMP_X)) == (PMP_R | PMP_W | PMP_X);
  }
  return false;
}

/**
 * Whether module `h` must check its aligned fetches, loads and stores: it runs in U-mode,
 * or its loads and stores are checked as U-mode (MPRV), or an entry is locked; and the
 * entries do not simply allow everything (allOpen). Otherwise every access that stays within
 * one 4-byte granule succeeds: no entry can match part of it, and a matching unlocked entry
 * grants M-mode everything.
 */
export function pmpChecked(h: usize): bool {
  return (load<u32>(h, H_PRIV) != PRIV_M || dataPrivilege(h) != PRIV_M || anyLocked(h)) && !allOpen(h);
}

/**
 * Whether an access of `width` bytes at `addr` by privilege `priv` is allowed, `access`
 * being PMP_R (load), PMP_W (store) or PMP_X (fetch) (§3.7.1): the lowest-numbered entry
 * that matches any byte decides; it must match every byte, or the access fails whatever its
 * permissions; an M-mode access needs the permission only if the entry is locked. An access
 * no entry matches succeeds in M-mode and fails in U-mode (16 entries are implemented).
 */
export function pmpAllows(h: usize, addr: u32, width: u32, access: u32, priv: u32): bool {
  if (priv == PRIV_M && (addr & 3) + width <= 4 && !anyLocked(h)) return true;
  const first = <u64>addr; // byte addresses as u64: regions reach 2^34 and beyond
  const last = first + width - 1;
  let previous: u64 = 0; // pmpaddr k-1 as a byte address: the lower bound of a TOR entry k
  for (let k: u32 = 0; k < PMP_ENTRIES; k++) {
    const range = entryRange(h, k, previous);
    const low = rangeLow(range);
    const high = rangeHigh(range);
    previous = <u64>load<u32>(h + H_PMPADDR + (<usize>k << 2)) << 2;
    if (low >= high || last < low || first >= high) continue;
    if (first < low || last >= high) return false; // matches only some of the bytes
    const cfg = config(h, k);
    if (priv == PRIV_M && (cfg & PMP_L) == 0) return true;
    return (cfg & access) != 0;
  }
  return priv == PRIV_M;
}
