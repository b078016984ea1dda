// The batched run loop (DESIGN §2): run(budget) steps every online module one instruction,
// compares their retire records at each compare point, and repeats until the budget is spent
// or something needs the host. Interrupts, the timer and other events are handled between
// batches: a batch runs exactly up to the next timer edge, and an instruction that needs
// attention (a device store, a host call, a CSR write that may enable an interrupt, ...)
// ends its batch after it has executed on every module and been compared. A batch also
// ends at the host's next event cycle (M_STOP_CYCLE: a transaction arrival), where run()
// stops for the host to deliver it. The host is asked for console input for the receive
// interrupt (devices.ts) between batches too.
//
// The plain loops run their fast steps (stepFast, and the group step of lockstep) in
// functions without calls, simplexFast() and groupSteps(): V8 keeps a value that is live
// across a call on the stack, and stores it there on every iteration. They return to their
// driver for an instruction that needs the full step on each module.
//
// While the host has set breakpoints or watchpoints (debug.ts), every batch runs in the debug
// loops: the instrumented loops (below) with the debugger's checks around each instruction.
//
// V8 checks for interrupts at the head of every loop, and Chromium's V8 (unlike Node 20's)
// makes that check cost about a tenth of the simplex loop: the simplex and two-module loops
// take two steps a turn. The three- and four-module group steps are too big to copy: twice
// the code was no faster in Chromium and slower in Node.

import {
  MACHINE, M_INSTRET, M_CYCLE, M_ONLINE, M_COMPARE, M_STOP, M_DIVERGED, M_REFERENCE,
  M_ANNOUNCED, M_HALT, M_HALT_CODE, M_FAULTS_ARMED, M_TRACE_ON, M_TRACE_LEN, M_PENDING,
  M_UART_IER, M_INPUT_WANTED, H_RETIRE, H_PC, H_PRIV, H_MIE, H_MSTATUS, H_MTVEC, H_ERROR, PRIV_M,
  R_KIND, R_INSN, R_ADDR, R_DATA, R_PC, R_NPC, TRACE, TRACE_RECORD_SIZE, TRACE_CAPACITY, T_PRIV, T_CAUSE,
  T_INSTRET, RETIRE_SIZE, K_STORE, K_LOAD,
  K_DEVICE, K_HOSTCALL, K_TRAP_SHIFT, TRAP_ANNOUNCE, HALT_PASS, HALT_FAIL, STOP_BUDGET,
  STOP_HOSTCALL, STOP_HALT, STOP_DIVERGED, STOP_ANNOUNCED, STOP_TRAP, STOP_INPUT, STOP_OUTPUT,
  STOP_IDLE, STOP_TRACE, STOP_NO_MODULE, STOP_CYCLE, STOP_CHECKPOINT, STOP_ECC, M_STOP_CYCLE,
  STOP_BREAK, STOP_APART, DEBUG, D_ARMED,
} from '../layout';
import {
  g_attention, g_batchInstret, tohost, raise, clearAttention, loadCaches,
  A_SETTLE, A_ANNOUNCE, A_DIVERGED, A_WFI, A_INPUT, A_OUTPUT, A_HALT, A_TRACE, A_EVENT, A_CHECKPOINT, A_ECC,
  A_BREAK, A_APART,
} from '../cpu/signals';
import { debugBefore, debugAfter } from './debug';
import { stepFast, stepSlow, stepInstrumented, stepChecked, SLOW } from '../cpu/execute';
import { pmpChecked } from '../cpu/pmp';
import { stepGroup, groupSize, TwoModules, ThreeModules, FourModules } from './group';
import { WFI } from '../cpu/system';
import { interrupt, pendingInterrupt, IRQ_MTI, IRQ_MEI, INTERRUPT_BIT, MSTATUS_MIE } from '../cpu/trap';
import {
  deviceMip, instructionsUntilTimer, commitDeviceStore, commitDeviceLoad, inputCanArrive,
  receiveInterruptEnabled, receiveInterruptWaits, askForReceiveInterrupt, transactionInterruptEnabled,
} from '../cpu/devices';
import { hart, disagree, differingModules, comparePointBits, forcedMismatch } from './comparator';
import { translating, translatable, batchTranslated, newEpoch } from '../translate/dispatch';

/** settle(): nothing needs the host, keep running. */
const CONTINUE: u32 = 0xFFFF_FFFF;

// ── Batches ───────────────────────────────────────────────────────────────────────────

/** Appends module `h`'s last instruction to the trace ring: record, privilege, number. */
function traceAppend(h: usize, priv: u32, i: u32): void {
  const count = load<u32>(MACHINE + M_TRACE_LEN);
  const entry = TRACE + <usize>count * TRACE_RECORD_SIZE;
  memory.copy(entry, h + H_RETIRE, RETIRE_SIZE);
  store<u32>(entry, priv, T_PRIV);
  store<u32>(entry, 0, T_CAUSE);
  store<u64>(entry, g_batchInstret + i, T_INSTRET);
  store<u32>(MACHINE + M_TRACE_LEN, count + 1);
  if (count + 1 == TRACE_CAPACITY) raise(A_TRACE);
}

/**
 * Appends interrupt `irq`, taken at `pc` in privilege `priv` before the batch's first
 * instruction, to the trace ring; the handler's pc is `handler`. Returns true when the ring
 * is full (the run loop stops before the batch, for the host to drain it).
 */
function traceInterrupt(pc: u32, handler: u32, priv: u32, irq: u32): bool {
  const count = load<u32>(MACHINE + M_TRACE_LEN);
  if (count >= TRACE_CAPACITY) return true;
  const entry = TRACE + <usize>count * TRACE_RECORD_SIZE;
  memory.fill(entry, 0, RETIRE_SIZE);
  store<u32>(entry, pc, R_PC);
  store<u32>(entry, handler, R_NPC);
  store<u32>(entry, priv, T_PRIV);
  store<u32>(entry, INTERRUPT_BIT | irq, T_CAUSE);
  store<u64>(entry, g_batchInstret, T_INSTRET);
  store<u32>(MACHINE + M_TRACE_LEN, count + 1);
  return count + 1 == TRACE_CAPACITY;
}

/**
 * Fast steps of module `h` from instruction `i` of the batch, until instruction `n` or one
 * that stepFast leaves to stepSlow; returns the index reached. The pc stays in a local
 * meanwhile (H_PC before and after). Two steps a turn (see above).
 */
// @ts-ignore: decorator
@inline function simplexSteps(h: usize, i: u32, n: u32): u32 {
  let pc = load<u32>(h, H_PC);
  let left = n - i; // instructions to the end of the batch, counted down: > 0 here
  while (true) {
    let next = stepFast(h, pc, n - left);
    if (next == SLOW) break;
    pc = next;
    if (--left == 0) break;
    next = stepFast(h, pc, n - left);
    if (next == SLOW) break;
    pc = next;
    if (--left == 0) break;
  }
  store<u32>(h, pc, H_PC);
  return n - left;
}

// The simplex topology runs module 0: its loop has the hart address as a literal, which V8
// folds into the memory operands (see group2() below).
function simplexFast(h: usize, i: u32, n: u32): u32 { return simplexSteps(h, i, n); }
function simplexFirst(h: usize, i: u32, n: u32): u32 { return simplexSteps(hart(0), i, n); }

/** One module, nothing to compare: up to `n` instructions; returns how many ran. */
function simplexPlain(h: usize, n: u32): u32 {
  let i: u32 = 0;
  while (true) {
    i = h == hart(0) ? simplexFirst(h, i, n) : simplexFast(h, i, n);
    if (i >= n) break;
    store<u32>(h, stepSlow(h, load<u32>(h, H_PC), i), H_PC);
    i++;
    if (g_attention != 0 || i >= n) break;
  }
  return i;
}

/**
 * simplexPlain with persistent faults re-applied (`instrumented`), and optionally traced;
 * both check PMP. Without `instrumented`, PMP-checked steps (`checked`), or plain ones
 * (stepOne). `debugged`: the debugger's checks (debug.ts) before and after each
 * instruction, which may end the batch.
 */
// @ts-ignore: decorator
@inline function batchSimplex(h: usize, n: u32, instrumented: bool, traced: bool, checked: bool, debugged: bool): u32 {
  let i: u32 = 0;
  let pc = load<u32>(h, H_PC);
  while (true) {
    if (debugged && debugBefore(h, pc, i)) break;
    const priv = traced ? load<u32>(h, H_PRIV) : 0;
    if (instrumented) pc = stepInstrumented(h, pc, i);
    else if (checked) pc = stepChecked(h, pc, i);
    else {
      store<u32>(h, pc, H_PC);
      stepOne(h, i);
      pc = load<u32>(h, H_PC);
    }
    if (traced) traceAppend(h, priv, i);
    i++;
    if (debugged) debugAfter(h); // a change raises A_BREAK: the batch ends here
    if (g_attention != 0 || i >= n) break;
  }
  store<u32>(h, pc, H_PC);
  return i;
}

/** Module `h` executes instruction `i` of the batch at its pc (H_PC), fast or slow. */
function stepOne(h: usize, i: u32): void {
  const pc = load<u32>(h, H_PC);
  let next = stepFast(h, pc, i);
  if (next == SLOW) next = stepSlow(h, pc, i);
  store<u32>(h, next, H_PC);
}

/**
 * Instruction `i` of the batch on `count` (2..4) modules one by one, in order, the reference
 * (`a`) first, each at its own pc (H_PC): where a group step returned SLOW, or while the
 * modules are apart. Compares the records (raises A_DIVERGED if they differ at a compare
 * point).
 */
function stepEach(count: i32, a: usize, b: usize, c: usize, d: usize, i: u32, filter: u32): void {
  stepOne(a, i);
  stepOne(b, i);
  if (count > 2) stepOne(c, i);
  if (count > 3) stepOne(d, i);
  let differ = disagree(a, b, filter);
  if (count > 2) differ = differ || disagree(a, c, filter);
  if (count > 3) differ = differ || disagree(a, d, filter);
  if (differ) raise(A_DIVERGED); // settle() re-compares and names the modules
}

/**
 * Group steps (group.ts) of the G (TwoModules .. FourModules) modules a..d from instruction `i`
 * of the batch, until instruction `n` or one the group cannot take together; returns the
 * index reached. The modules' common pc stays in a local meanwhile; if their pcs differ (they
 * are apart, which only compare points other than every instruction allow), returns `i` at
 * once. `filter`: retire-record kind bits that make a compare point (0 = every instruction).
 */
// @ts-ignore: decorator
@inline function groupSteps<G>(
  a: usize, b: usize, c: usize, d: usize, i: u32, n: u32, filter: u32,
): u32 {
  const count = groupSize<G>();
  let pc = load<u32>(a, H_PC);
  if (load<u32>(b, H_PC) != pc || (count > 2 && load<u32>(c, H_PC) != pc) || (count > 3 && load<u32>(d, H_PC) != pc)) {
    return i;
  }
  let left = n - i; // instructions to the end of the batch, counted down: > 0 here
  while (true) {
    let next = stepGroup<G>(a, b, c, d, pc, filter);
    if (next == SLOW) break;
    pc = next;
    if (--left == 0) break;
    if (count == 2) { // two steps a turn (see above)
      next = stepGroup<G>(a, b, c, d, pc, filter);
      if (next == SLOW) break;
      pc = next;
      if (--left == 0) break;
    }
  }
  store<u32>(a, pc, H_PC);
  store<u32>(b, pc, H_PC);
  if (count > 2) store<u32>(c, pc, H_PC);
  if (count > 3) store<u32>(d, pc, H_PC);
  return n - left;
}

/** groupSteps() of one kind of group (module pointers as arguments, or literals), for lockstepPlain(). */
type GroupSteps = (a: usize, b: usize, c: usize, d: usize, i: u32, n: u32, filter: u32) => u32;

// Compare after every instruction (filter 0, a literal), or at compare points only. The
// topologies start, and run while healthy, with modules 0..count-1 online: their loops have
// the hart addresses as literals, which V8 folds into the memory operands, so that the
// modules take no registers (with four modules in registers, V8 spills some of them).
function group2(a: usize, b: usize, c: usize, d: usize, i: u32, n: u32, filter: u32): u32 {
  return groupSteps<TwoModules>(a, b, 0, 0, i, n, 0);
}
function group3(a: usize, b: usize, c: usize, d: usize, i: u32, n: u32, filter: u32): u32 {
  return groupSteps<ThreeModules>(a, b, c, 0, i, n, 0);
}
function group4(a: usize, b: usize, c: usize, d: usize, i: u32, n: u32, filter: u32): u32 {
  return groupSteps<FourModules>(a, b, c, d, i, n, 0);
}
function groupFirst2(a: usize, b: usize, c: usize, d: usize, i: u32, n: u32, filter: u32): u32 {
  return groupSteps<TwoModules>(hart(0), hart(1), 0, 0, i, n, 0);
}
function groupFirst3(a: usize, b: usize, c: usize, d: usize, i: u32, n: u32, filter: u32): u32 {
  return groupSteps<ThreeModules>(hart(0), hart(1), hart(2), 0, i, n, 0);
}
function groupFirst4(a: usize, b: usize, c: usize, d: usize, i: u32, n: u32, filter: u32): u32 {
  return groupSteps<FourModules>(hart(0), hart(1), hart(2), hart(3), i, n, 0);
}
function group2Filtered(a: usize, b: usize, c: usize, d: usize, i: u32, n: u32, filter: u32): u32 {
  return groupSteps<TwoModules>(a, b, 0, 0, i, n, filter);
}
function group3Filtered(a: usize, b: usize, c: usize, d: usize, i: u32, n: u32, filter: u32): u32 {
  return groupSteps<ThreeModules>(a, b, c, 0, i, n, filter);
}
function group4Filtered(a: usize, b: usize, c: usize, d: usize, i: u32, n: u32, filter: u32): u32 {
  return groupSteps<FourModules>(a, b, c, d, i, n, filter);
}

/**
 * `count` (2..4) online modules a..d in lockstep: the loop of dmr, tmr and pair-spare.
 * Group steps (`steps`, the kind for these modules) while the modules can take them, and
 * stepEach() for the instructions between.
 */
function lockstepPlain(
  steps: GroupSteps, count: i32, a: usize, b: usize, c: usize, d: usize, n: u32, filter: u32,
): u32 {
  let i: u32 = 0;
  while (true) {
    i = steps(a, b, c, d, i, n, filter);
    if (i >= n) break;
    stepEach(count, a, b, c, d, i, filter);
    i++;
    if (g_attention != 0 || i >= n) break;
  }
  return i;
}

/**
 * Any number of online modules in lockstep, pcs in the hart blocks, stepped by calls: the
 * instrumented and traced loops (which check PMP, and report checker verdicts stuck at
 * "disagree"), the PMP-checked one (`checked`), and the plain one beyond four modules.
 * `debugged`: the debugger's checks (debug.ts) on the reference module around each instruction.
 */
// @ts-ignore: decorator
@inline function batchLockstep(online: u32, n: u32, filter: u32, instrumented: bool, traced: bool, checked: bool, debugged: bool): u32 {
  const reference = hart(ctz(online));
  const others = online & (online - 1);
  let i: u32 = 0;
  while (true) {
    if (debugged && debugBefore(reference, load<u32>(reference, H_PC), i)) break;
    const priv = traced ? load<u32>(reference, H_PRIV) : 0;
    let pending = online;
    while (pending != 0) {
      const h = hart(ctz(pending));
      if (instrumented) store<u32>(h, stepInstrumented(h, load<u32>(h, H_PC), i), H_PC);
      else if (checked) store<u32>(h, stepChecked(h, load<u32>(h, H_PC), i), H_PC);
      else stepOne(h, i);
      pending &= pending - 1;
    }
    let differ: bool = instrumented && forcedMismatch(online, reference, filter);
    pending = others;
    while (pending != 0) {
      differ = differ || disagree(reference, hart(ctz(pending)), filter);
      pending &= pending - 1;
    }
    if (differ) raise(A_DIVERGED); // settle() re-compares and names the modules
    if (traced) traceAppend(reference, priv, i);
    i++;
    if (debugged) debugAfter(reference); // a change raises A_BREAK: the batch ends here
    if (g_attention != 0 || i >= n) break;
  }
  return i;
}

function simplexInstrumented(h: usize, n: u32): u32 { return batchSimplex(h, n, true, false, true, false); }
function simplexTraced(h: usize, n: u32): u32 { return batchSimplex(h, n, true, true, true, false); }
function simplexChecked(h: usize, n: u32): u32 { return batchSimplex(h, n, false, false, true, false); }
function lockstepGeneric(online: u32, n: u32, filter: u32): u32 { return batchLockstep(online, n, filter, false, false, false, false); }
function lockstepInstrumented(online: u32, n: u32, filter: u32): u32 { return batchLockstep(online, n, filter, true, false, true, false); }
function lockstepTraced(online: u32, n: u32, filter: u32): u32 { return batchLockstep(online, n, filter, true, true, true, false); }
function lockstepChecked(online: u32, n: u32, filter: u32): u32 { return batchLockstep(online, n, filter, false, false, true, false); }
// The debug loops: plain steps while nothing else asks for more, else instrumented (which
// serve any machine: with persistent faults, under PMP, traced or not).
function simplexDebuggedPlain(h: usize, n: u32): u32 { return batchSimplex(h, n, false, false, false, true); }
function lockstepDebuggedPlain(online: u32, n: u32, filter: u32): u32 { return batchLockstep(online, n, filter, false, false, false, true); }
function simplexDebugged(h: usize, n: u32, traced: bool): u32 { return batchSimplex(h, n, true, traced, true, true); }
function lockstepDebugged(online: u32, n: u32, filter: u32, traced: bool): u32 { return batchLockstep(online, n, filter, true, traced, true, true); }

/**
 * Whether any online module needs PMP checks on every access (pmp.ts pmpChecked()). What
 * can turn the answer to true ends its batch: mret and writes to mstatus, pmpcfg and
 * pmpaddr raise A_EVENT. A trap or interrupt only enters M-mode, where checks never allow
 * what they should not, so the batch may go on in the checked loop.
 */
function anyPmpChecked(online: u32): bool {
  let m = online;
  while (m != 0) {
    if (pmpChecked(hart(ctz(m)))) return true;
    m &= m - 1;
  }
  return false;
}

/** One batch of up to `n` instructions in the debug loops, while breakpoints or watchpoints are set (D_ARMED). */
function debugBatch(online: u32, n: u32): u32 {
  if (translating()) newEpoch(); // these loops do not watch for stores into translated code
  const traced = load<u32>(MACHINE + M_TRACE_ON) != 0;
  const plain = !traced && load<u32>(MACHINE + M_FAULTS_ARMED) == 0 && !anyPmpChecked(online);
  const filter = comparePointBits(load<u32>(MACHINE + M_COMPARE));
  if ((online & (online - 1)) == 0) return plain ? simplexDebuggedPlain(hart(ctz(online)), n) : simplexDebugged(hart(ctz(online)), n, traced);
  return plain ? lockstepDebuggedPlain(online, n, filter) : lockstepDebugged(online, n, filter, traced);
}

/**
 * Runs one batch of up to `n` instructions on the `online` modules with the right loop:
 * translated code where the tier may run them (translate/dispatch.ts), else the interpreter.
 */
function batch(online: u32, n: u32): u32 {
  const instrumented = load<u32>(MACHINE + M_FAULTS_ARMED) != 0;
  const traced = load<u32>(MACHINE + M_TRACE_ON) != 0;
  const count = popcnt(online);
  const filter = comparePointBits(load<u32>(MACHINE + M_COMPARE));
  if (translating()) {
    if (!traced && !instrumented && translatable(count) && !anyPmpChecked(online)) return batchTranslated(online, n, filter);
    newEpoch(); // the interpreter's loops do not watch for stores into translated code
  }
  if (count == 1) {
    const h = hart(ctz(online));
    if (traced) return simplexTraced(h, n);
    if (instrumented) return simplexInstrumented(h, n);
    if (anyPmpChecked(online)) return simplexChecked(h, n);
    return simplexPlain(h, n);
  }
  if (traced) return lockstepTraced(online, n, filter);
  if (instrumented) return lockstepInstrumented(online, n, filter);
  if (anyPmpChecked(online)) return lockstepChecked(online, n, filter);
  if (count > 4) return lockstepGeneric(online, n, filter);
  let rest = online;
  const a = hart(ctz(rest)); rest &= rest - 1;
  const b = hart(ctz(rest)); rest &= rest - 1;
  const c = count > 2 ? hart(ctz(rest)) : 0; rest &= rest - 1;
  const d = count > 3 ? hart(ctz(rest)) : 0;
  let steps: GroupSteps;
  if (filter != 0) steps = count == 2 ? group2Filtered : count == 3 ? group3Filtered : group4Filtered;
  else if (online == (<u32>1 << count) - 1) steps = count == 2 ? groupFirst2 : count == 3 ? groupFirst3 : groupFirst4;
  else steps = count == 2 ? group2 : count == 3 ? group3 : group4;
  return lockstepPlain(steps, count, a, b, c, d, n, filter);
}

// ── Between batches ──────────────────────────────────────────────────────────────────

/**
 * Every online module takes the interrupt it has pending and enabled, if any; with tracing
 * on, the reference module's goes into the trace ring. Returns true if that filled the ring.
 */
function takeInterrupts(online: u32): bool {
  const mip = deviceMip(0);
  if (mip == 0) return false;
  const traced = load<u32>(MACHINE + M_TRACE_ON) != 0;
  let full: bool = false;
  let m = online;
  while (m != 0) {
    const h = hart(ctz(m));
    const irq = pendingInterrupt(h, mip);
    if (irq != 0xFFFF_FFFF) {
      const pc = load<u32>(h, H_PC);
      const priv = load<u32>(h, H_PRIV);
      interrupt(h, irq);
      if (traced && m == online) full = traceInterrupt(pc, load<u32>(h, H_PC), priv, irq);
    }
    m &= m - 1;
  }
  return full;
}

/**
 * The online modules' mie, ORed: the interrupts any of them enabled (that would wake it
 * from wfi). With `now`, only those of modules that would take them now: in U-mode, or in
 * M-mode with mstatus.MIE set.
 */
function onlineMie(online: u32, now: bool): u32 {
  let mie: u32 = 0;
  let m = online;
  while (m != 0) {
    const h = hart(ctz(m));
    if (!now || load<u32>(h, H_PRIV) != PRIV_M || (load<u32>(h, H_MSTATUS) & MSTATUS_MIE) != 0) mie |= load<u32>(h, H_MIE);
    m &= m - 1;
  }
  return mie;
}

/**
 * After the online modules executed wfi: stall until an interrupt is pending that any of
 * them enabled (a module whose mie differs wakes with the others and then diverges). The
 * host is asked for input before the clock skips ahead to the timer, if the receive
 * interrupt could wake the hart (receiveInterruptWaits), so that input arrives at this
 * instruction however far away the timer is.
 */
function sleep(online: u32): u32 {
  loadCaches();
  const mie = onlineMie(online, false);
  if ((deviceMip(0) & mie) != 0) return CONTINUE;
  if (receiveInterruptWaits(mie)) {
    askForReceiveInterrupt();
    return STOP_INPUT;
  }
  const timer = (mie & (1 << IRQ_MTI)) != 0 ? instructionsUntilTimer() : u64.MAX_VALUE;
  // The host's next event (a transaction arrival) ends the stall first if it comes before
  // the timer, or if it is the only thing that could wake the hart: the run stops there
  // with the stall still pending (settle() resumes it), and the host may deliver the wakeup.
  const cycle = load<u64>(MACHINE + M_CYCLE);
  const stopAt = load<u64>(MACHINE + M_STOP_CYCLE);
  const hostEventWakes = (mie & (1 << IRQ_MEI)) != 0 && transactionInterruptEnabled();
  if (stopAt != u64.MAX_VALUE && (timer != u64.MAX_VALUE || hostEventWakes)
    && (stopAt <= cycle || stopAt - cycle <= timer)) {
    if (stopAt > cycle) store<u64>(MACHINE + M_CYCLE, stopAt);
    return STOP_CYCLE;
  }
  if (timer != u64.MAX_VALUE) {
    store<u64>(MACHINE + M_CYCLE, cycle + timer);
    return CONTINUE;
  }
  if ((mie & (1 << IRQ_MEI)) != 0 && (load<u32>(MACHINE + M_UART_IER) & 1) != 0 && inputCanArrive()) {
    store<u32>(MACHINE + M_INPUT_WANTED, 1);
    return STOP_INPUT;
  }
  return STOP_IDLE;
}

/** A store to `tohost` (riscv-tests): 1 = pass, (n << 1) | 1 = fail with test n; even values are ignored. */
function tohostWrite(value: u32): void {
  if ((value & 1) == 0) return;
  store<u32>(MACHINE + M_HALT, value == 1 ? HALT_PASS : HALT_FAIL);
  store<u32>(MACHINE + M_HALT_CODE, value >> 1);
  raise(A_HALT);
}

/**
 * Settles the attention bits left by the last instruction (M_PENDING), in order: modules run
 * apart by translated code (a bug), announced errors, divergence, then the reference module's record (unhandled trap, host call, device
 * store or load side effects, tohost), then halts, checkpoints, full or empty console buffers,
 * wfi, and last ECC reports, which any stop gives the host. Returns
 * the first reason to stop, leaving the rest pending for the next run(), or CONTINUE.
 *
 * The machine acts on the reference's record only when every online module agrees on it:
 * an instruction the machine acts on (A_SETTLE, A_WFI) is a compare point whatever the
 * compare mode, so that a fault in the reference cannot stop, feed or put to sleep the others.
 */
function settle(): u32 {
  let pending = load<u32>(MACHINE + M_PENDING);
  if (pending == 0) return CONTINUE;
  let reason = CONTINUE;
  const online = load<u32>(MACHINE + M_ONLINE);
  if (pending & A_APART) {
    pending &= ~A_APART;
    reason = STOP_APART;
  }
  if (reason == CONTINUE && (pending & A_ANNOUNCE)) {
    pending &= ~A_ANNOUNCE;
    let announced: u32 = 0;
    let m = online;
    while (m != 0) {
      const k = ctz(m);
      if (load<u32>(hart(k), H_ERROR) != 0) announced |= 1 << k;
      m &= m - 1;
    }
    store<u32>(MACHINE + M_ANNOUNCED, announced);
    if (announced != 0) reason = STOP_ANNOUNCED;
  }
  if (reason == CONTINUE && (pending & (A_DIVERGED | A_SETTLE | A_WFI))) {
    // Re-compared with the modules still online: the host may have taken some offline.
    pending &= ~A_DIVERGED;
    if ((online & (online - 1)) != 0) {
      const differ = differingModules(online);
      store<u32>(MACHINE + M_DIVERGED, differ);
      store<u32>(MACHINE + M_REFERENCE, ctz(online));
      if (differ != 0) reason = STOP_DIVERGED;
    }
  }
  if (reason == CONTINUE && online == 0) reason = STOP_NO_MODULE;
  if (reason == CONTINUE && (pending & A_SETTLE)) {
    pending &= ~A_SETTLE;
    const reference = hart(ctz(online));
    const record = reference + H_RETIRE;
    const kind = load<u32>(record, R_KIND);
    const trap = (kind >> K_TRAP_SHIFT) & 0xFF;
    if (trap != 0 && trap != TRAP_ANNOUNCE && load<u32>(reference, H_MTVEC) == 0) {
      reason = STOP_TRAP;
    } else if (kind & K_HOSTCALL) {
      reason = STOP_HOSTCALL;
    } else if ((kind & (K_STORE | K_DEVICE)) == (K_STORE | K_DEVICE)) {
      commitDeviceStore(load<u32>(record, R_ADDR), load<u32>(record, R_DATA), load<u64>(MACHINE + M_CYCLE) - 1);
    } else if ((kind & (K_LOAD | K_DEVICE)) == (K_LOAD | K_DEVICE)) {
      commitDeviceLoad(load<u32>(record, R_ADDR));
    } else if ((kind & K_STORE) != 0 && load<u32>(record, R_ADDR) == tohost()) {
      tohostWrite(load<u32>(record, R_DATA));
    }
    pending |= clearAttention();
  }
  if (reason == CONTINUE) {
    if (pending & A_BREAK) { pending &= ~A_BREAK; reason = STOP_BREAK; } // what else the instruction raised waits for the next run
    else if (pending & A_HALT) { pending &= ~A_HALT; reason = STOP_HALT; }
    else if (pending & A_CHECKPOINT) { pending &= ~A_CHECKPOINT; reason = STOP_CHECKPOINT; }
    else if (pending & A_OUTPUT) { pending &= ~A_OUTPUT; reason = STOP_OUTPUT; }
    else if (pending & A_INPUT) { pending &= ~A_INPUT; reason = STOP_INPUT; }
    else if (pending & A_TRACE) { pending &= ~A_TRACE; reason = STOP_TRACE; }
    else if (pending & A_WFI) {
      // The modules that executed wfi may have gone offline meanwhile.
      pending &= ~A_WFI;
      if (load<u32>(hart(ctz(online)) + H_RETIRE, R_INSN) == WFI) {
        reason = sleep(online);
        if (reason == STOP_INPUT || reason == STOP_CYCLE) pending |= A_WFI; // sleep on once the host has answered
      }
    }
  }
  if (pending & A_ECC) { // the host takes ECC reports and freed fault slots at any stop
    pending &= ~A_ECC;
    if (reason == CONTINUE) reason = STOP_ECC;
  }
  if (reason == CONTINUE) pending &= ~A_EVENT;
  store<u32>(MACHINE + M_PENDING, pending);
  return reason;
}

function stop(reason: u32): u32 {
  store<u32>(MACHINE + M_STOP, reason);
  return reason;
}

/**
 * Runs the machine for at most `budget` instructions (per module). Returns the stop reason
 * (layout.ts STOP_*); M_INSTRET says how far the machine got. The host must call it again
 * to go on after any stop; a stop never leaves an instruction half done.
 */
export function run(budget: u32): u32 {
  loadCaches();
  if (translating()) newEpoch(); // the host may have written RAM since the last run()
  let reason = settle();
  if (reason != CONTINUE) return stop(reason);
  let left = budget;
  while (left > 0) {
    const online = load<u32>(MACHINE + M_ONLINE);
    if (online == 0) return stop(STOP_NO_MODULE);
    const cycle = load<u64>(MACHINE + M_CYCLE);
    const stopAt = load<u64>(MACHINE + M_STOP_CYCLE);
    if (cycle >= stopAt) return stop(STOP_CYCLE);
    loadCaches();
    if (receiveInterruptEnabled() && receiveInterruptWaits(onlineMie(online, true))) {
      // The guest may be waiting for the receive interrupt, which it would take now (not
      // in its handler, say): input arrives before this instruction, or the host closes
      // input. Whatever enabled the interrupt, or emptied the ring, ended the last batch.
      askForReceiveInterrupt();
      return stop(STOP_INPUT);
    }
    if (takeInterrupts(online)) return stop(STOP_TRACE);
    let n = left;
    const untilTimer = instructionsUntilTimer();
    if (untilTimer < <u64>n) n = <u32>untilTimer;
    if (stopAt - cycle < <u64>n) n = <u32>(stopAt - cycle); // a batch ends at the host's next event
    const done = load<u32>(DEBUG + D_ARMED) != 0 ? debugBatch(online, n) : batch(online, n);
    store<u64>(MACHINE + M_INSTRET, load<u64>(MACHINE + M_INSTRET) + done);
    store<u64>(MACHINE + M_CYCLE, load<u64>(MACHINE + M_CYCLE) + done);
    left -= done;
    if (g_attention != 0) {
      store<u32>(MACHINE + M_PENDING, load<u32>(MACHINE + M_PENDING) | clearAttention());
      loadCaches();
      reason = settle();
      if (reason != CONTINUE) return stop(reason);
    }
  }
  return stop(STOP_BUDGET);
}

