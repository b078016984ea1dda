// The instruction-level comparator. Contract: after every online module has executed the
// same instruction, two modules agree iff their retire records (32 bytes: pc, instruction,
// kind, rd value, address, data, next pc; layout.ts) are equal. A compare group is every
// online module (or, as the host sets M_COMPARE_GROUPS, each pair-and-spare board); its
// reference is its lowest-numbered checked module. Which module is faulty is not decided
// here: the host applies the topology's policy to the records.
//
// A failed checker (M_UNCHECKED, M_FORCED) changes only what the comparator reports, in
// differingModules(): the loops that raise A_DIVERGED compare records as always, and a
// difference the checker hides costs a settle() that finds nothing to report.

import {
  H_RETIRE, HARTS, HART_SIZE, K_STORE, K_DEVICE, K_HOSTCALL, COMPARE_STORE, COMPARE_IO, R_PC, R_INSN, R_KIND,
  R_VALUE, R_ADDR, R_DATA, R_NPC, MACHINE, M_COMPARE_GROUPS, M_UNCHECKED, M_FORCED, M_RAM_SIZE, H_RAM, H_PMPCFG,
  H_PMPADDR, PMP_ENTRIES,
} from '../layout';

/** Base pointer of module `m`'s hart block. */
// @ts-ignore: decorator
@inline export function hart(m: u32): usize { return HARTS + <usize>m * HART_SIZE; }

/**
 * Whether modules `a` and `b` (hart pointers) disagree on the last instruction: any of the
 * seven fields of their records differs. The fields are loaded one u32 each, as the step
 * stores them (or within one wider store), so the loads take their values from the store
 * buffer; a v128 load of fields just stored separately waits for them to reach the cache.
 */
// @ts-ignore: decorator
@inline export function recordsDiffer(a: usize, b: usize): bool {
  const ra = a + H_RETIRE;
  const rb = b + H_RETIRE;
  return ((load<u32>(ra, R_PC) ^ load<u32>(rb, R_PC))
    | (load<u32>(ra, R_INSN) ^ load<u32>(rb, R_INSN))
    | (load<u32>(ra, R_KIND) ^ load<u32>(rb, R_KIND))
    | (load<u32>(ra, R_VALUE) ^ load<u32>(rb, R_VALUE))
    | (load<u32>(ra, R_ADDR) ^ load<u32>(rb, R_ADDR))
    | (load<u32>(ra, R_DATA) ^ load<u32>(rb, R_DATA))
    | (load<u32>(ra, R_NPC) ^ load<u32>(rb, R_NPC))) != 0;
}

/**
 * Whether the last instruction is a compare point (`filter`: comparePointBits(); 0 = every
 * instruction) and the records of modules `reference` and `other` (hart pointers) differ.
 */
// @ts-ignore: decorator
@inline export function disagree(reference: usize, other: usize, filter: u32): bool {
  if (filter != 0 && ((load<u32>(reference + H_RETIRE, R_KIND) | load<u32>(other + H_RETIRE, R_KIND)) & filter) == 0) return false;
  return recordsDiffer(reference, other);
}

/** Modules in `members` whose record differs from the reference's (the lowest set bit). */
function differingFrom(members: u32): u32 {
  if (members == 0) return 0;
  const reference = hart(ctz(members));
  let others = members & (members - 1);
  let differ: u32 = 0;
  while (others != 0) {
    const m = ctz(others);
    others &= others - 1;
    if (recordsDiffer(reference, hart(m))) differ |= 1 << m;
  }
  return differ;
}

/**
 * Modules in `online` the checkers report as differing at this compare point: in each
 * compare group, the checked modules whose record differs from the group's reference, and
 * every module whose verdict is stuck at "disagree".
 */
export function differingModules(online: u32): u32 {
  const checked = online & ~load<u32>(MACHINE + M_UNCHECKED);
  let groups = load<u32>(MACHINE + M_COMPARE_GROUPS);
  let differ: u32 = 0;
  if (groups == 0) differ = differingFrom(checked);
  while (groups != 0) {
    differ |= differingFrom(checked & (groups & 0xFF));
    groups >>= 8;
  }
  return differ | (online & load<u32>(MACHINE + M_FORCED));
}

/** Whether a module's verdict stuck at "disagree" makes the last instruction a reported mismatch (`filter`: comparePointBits()). */
export function forcedMismatch(online: u32, reference: usize, filter: u32): bool {
  if ((online & load<u32>(MACHINE + M_FORCED)) == 0) return false;
  return filter == 0 || (load<u32>(reference + H_RETIRE, R_KIND) & filter) != 0;
}

/**
 * Retire-record kind bits that make an instruction a compare point, for a compare mode
 * (DESIGN §4): every instruction (0 = no filter), stores and I/O, or I/O only.
 */
export function comparePointBits(mode: u32): u32 {
  if (mode == COMPARE_STORE) return K_STORE | K_DEVICE | K_HOSTCALL;
  if (mode == COMPARE_IO) return K_DEVICE | K_HOSTCALL;
  return 0;
}

/** Whether the `length` bytes at linear addresses `x` and `y` are equal (`length` a multiple of 8). */
export function bytesEqual(x: usize, y: usize, length: usize): bool {
  let k: usize = 0;
  for (; k + 64 <= length; k += 64) {
    const differ = v128.or(
      v128.or(v128.xor(v128.load(x + k), v128.load(y + k)), v128.xor(v128.load(x + k, 16), v128.load(y + k, 16))),
      v128.or(v128.xor(v128.load(x + k, 32), v128.load(y + k, 32)), v128.xor(v128.load(x + k, 48), v128.load(y + k, 48))),
    );
    if (v128.any_true(differ)) return false;
  }
  for (; k + 16 <= length; k += 16) if (v128.any_true(v128.xor(v128.load(x + k), v128.load(y + k)))) return false;
  return k == length || load<u64>(x + k) == load<u64>(y + k);
}

/** Whether the `length` bytes at linear address `x` are all zero (`length` a multiple of 64). */
export function bytesZero(x: usize, length: usize): bool {
  for (let k: usize = 0; k < length; k += 64) {
    const any = v128.or(v128.or(v128.load(x + k), v128.load(x + k, 16)), v128.or(v128.load(x + k, 32), v128.load(x + k, 48)));
    if (v128.any_true(any)) return false;
  }
  return true;
}

/**
 * Whether modules `a` and `b` hold the same architectural state, all that decides what they
 * execute next: the hart block from x0 up to its RAM pointer (registers, pc, privilege,
 * CSRs, counter offsets) and its PMP entries (the host's architecturalRanges()), and, with
 * `withRam` (else the host knows their RAM to be equal), every byte of RAM. Persistent
 * faults, announced errors and the last retire record are not compared: the host handles
 * those modules apart.
 */
export function sameState(a: u32, b: u32, withRam: bool): bool {
  const ha = hart(a);
  const hb = hart(b);
  return bytesEqual(ha, hb, H_RAM)
    && bytesEqual(ha + H_PMPCFG, hb + H_PMPCFG, H_PMPADDR + 4 * PMP_ENTRIES - H_PMPCFG)
    && (!withRam || bytesEqual(load<usize>(ha, H_RAM), load<usize>(hb, H_RAM), load<u32>(MACHINE + M_RAM_SIZE)));
}
