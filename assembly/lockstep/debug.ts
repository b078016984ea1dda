// The debugger's checks (layout.ts, the DEBUG block): breakpoints and watchpoints, checked
// around every instruction by the debug loops (run.ts), which run() uses only while the host
// has armed any (D_ARMED); the other loops never read the block, so a run without them pays
// nothing.
//
// Contract, for instruction N (N = g_batchInstret + i) on the reference module (the
// lowest-numbered online one, whose records every other module's are compared with):
// - before N executes: a breakpoint stops the run when the pc is one of D_BREAKS, unless N
//   is D_SKIP_AT (the instruction a resumed run starts with, so that it can leave a
//   breakpoint);
// - after N has executed (on every module, and been compared): a watchpoint stops the run
//   when its register or RAM word no longer holds W_VALUE, the value seen at the last check;
//   N made the change (D_HIT_AFTER = 1);
// - before the first instruction of a batch: the same watchpoint check, for changes the host
//   made between two runs — a host call's result, a fault applied before N, a resync
//   (D_HIT_AFTER = 0).
// A run stops before the next instruction with STOP_BREAK, D_HIT and D_HIT_SLOT saying
// which; a watchpoint's W_VALUE takes the new value and D_HIT_OLD the one before. A
// breakpoint is found before a watchpoint when both hold.

import {
  DEBUG, D_BREAK_COUNT, D_WATCH_COUNT, D_HIT, D_HIT_SLOT, D_HIT_OLD, D_HIT_AFTER, D_SKIP_AT, D_BREAKS,
  D_WATCHES, WATCH_SIZE, W_KIND, W_WHERE, W_VALUE, WATCH_REGISTER, DEBUG_HIT_BREAK, DEBUG_HIT_WATCH, H_RAM,
} from '../layout';
import { g_batchInstret, raise, A_BREAK } from '../cpu/signals';

/** Whether the run stops before instruction `i` of the batch, the reference module `h` at `pc` (see above). */
export function debugBefore(h: usize, pc: u32, i: u32): bool {
  const breaks = load<u32>(DEBUG + D_BREAK_COUNT);
  if (breaks != 0 && g_batchInstret + i != load<u64>(DEBUG + D_SKIP_AT)) {
    for (let k: u32 = 0; k < breaks; k++) {
      if (load<u32>(DEBUG + D_BREAKS + (<usize>k << 2)) == pc) return hit(DEBUG_HIT_BREAK, k, 0, false);
    }
  }
  return i == 0 && watchChanged(h, false);
}

/** Whether the instruction the reference module `h` just executed changed a watched word (see above); no call without watchpoints. */
// @ts-ignore: decorator
@inline export function debugAfter(h: usize): bool {
  return load<u32>(DEBUG + D_WATCH_COUNT) != 0 && watchChanged(h, true);
}

function watchChanged(h: usize, after: bool): bool {
  const watches = load<u32>(DEBUG + D_WATCH_COUNT);
  for (let k: u32 = 0; k < watches; k++) {
    const entry = DEBUG + D_WATCHES + <usize>k * WATCH_SIZE;
    const where = <usize>load<u32>(entry, W_WHERE);
    const value = load<u32>(load<u32>(entry, W_KIND) == WATCH_REGISTER ? h + where : load<usize>(h, H_RAM) + where);
    const seen = load<u32>(entry, W_VALUE);
    if (value != seen) {
      store<u32>(entry, value, W_VALUE);
      return hit(DEBUG_HIT_WATCH, k, seen, after);
    }
  }
  return false;
}

function hit(kind: u32, slot: u32, old: u32, after: bool): bool {
  store<u32>(DEBUG + D_HIT, kind);
  store<u32>(DEBUG + D_HIT_SLOT, slot);
  store<u32>(DEBUG + D_HIT_OLD, old);
  store<u32>(DEBUG + D_HIT_AFTER, after ? 1 : 0);
  raise(A_BREAK);
  return true;
}
