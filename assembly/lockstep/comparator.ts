// The instruction-level comparator. Contract: after every online module has executed the
// same instruction, two modules agree iff their retire records (32 bytes: pc, instruction,
// kind, rd value, address, data, next pc; layout.ts) are equal. A compare group is
// every online module; the reference is the lowest-numbered one. Which module is faulty is
// not decided here: the host applies the topology's policy to the records.

import { H_RETIRE, HARTS, HART_SIZE, K_STORE, K_DEVICE, K_HOSTCALL, COMPARE_STORE, COMPARE_IO, R_KIND } from '../layout';

/** Base pointer of module `m`'s hart block. */
// @ts-ignore: decorator
@inline export function hart(m: u32): usize { return HARTS + <usize>m * HART_SIZE; }

/** Whether modules `a` and `b` (hart pointers) disagree on the last instruction. */
// @ts-ignore: decorator
@inline export function recordsDiffer(a: usize, b: usize): bool {
  const ra = a + H_RETIRE;
  const rb = b + H_RETIRE;
  const diff = v128.or(
    v128.xor(v128.load(ra), v128.load(rb)),
    v128.xor(v128.load(ra, 16), v128.load(rb, 16)),
  );
  return v128.any_true(diff);
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

/** The union of the online modules' record kinds for the last instruction. */
// @ts-ignore: decorator
@inline export function kindUnion(online: u32): u32 {
  let kinds: u32 = 0;
  let m = online;
  while (m != 0) {
    kinds |= load<u32>(hart(ctz(m)) + H_RETIRE, R_KIND);
    m &= m - 1;
  }
  return kinds;
}
