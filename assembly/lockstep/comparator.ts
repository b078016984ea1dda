// The instruction-level comparator. Contract: after every online module has executed the
// same instruction, two modules agree iff their retire records (32 bytes: pc, instruction,
// kind, rd value, address, data, next pc; layout.ts) are equal. A compare group is
// every online module; the reference is the lowest-numbered one. Which module is faulty is
// not decided here: the host applies the topology's policy to the records.

import {
  H_RETIRE, HARTS, HART_SIZE, K_STORE, K_DEVICE, K_HOSTCALL, COMPARE_STORE, COMPARE_IO, R_PC, R_INSN, R_KIND,
  R_VALUE, R_ADDR, R_DATA, R_NPC,
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

/** Modules in `online` whose record differs from the reference's (the lowest set bit). */
export function differingModules(online: u32): u32 {
  const reference = hart(ctz(online));
  let others = online & (online - 1);
  let differ: u32 = 0;
  while (others != 0) {
    const m = ctz(others);
    others &= others - 1;
    if (recordsDiffer(reference, hart(m))) differ |= 1 << m;
  }
  return differ;
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
