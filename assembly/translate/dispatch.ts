// The translator tier, core side (DESIGN §2: it sits beside the interpreter, behind the same
// run(budget)). A page of guest code that the interpreter runs often is translated by the
// host (src/translate/) into a WebAssembly function over this instance's memory, and the
// run loop calls it through the core's function table. Contract of a translation, called
// as fn(pc, left, h) for any module `h` (a hart block pointer):
//   - it runs whole instructions of module h from `pc` on, at most `left` of them, each
//     exactly as stepFast() would (h's registers, RAM, dirty-page map, H_PC and the retire
//     record of the last one), and returns how many it ran (0 if the block at `pc` does not
//     fit in `left`), or NOT_AN_ENTRY, changing nothing, if no block of it starts at `pc`;
//   - it stops before any instruction stepFast() would leave to stepSlow() (a device or
//     misaligned access, tohost, a SYSTEM or illegal instruction, a misaligned jump), before
//     a store into a code granule (that store is interpreted, and invalidates the page), and
//     before a basic block that does not fit in `left`: so it never raises attention, and
//     a batch ends at exactly its instruction as in the interpreter.
//
// Lockstep: modules that hold the same state execute the same instructions with
// the same results, so that comparing their retire records after each one can find nothing.
// The host tells the core when it knows the online modules to be in that state
// (setSameState(): nothing has made them differ since power-on or since they were last
// found equal); only then does the run loop call translations for two or more modules, each
// translation on each module in turn, and it checks that every module ran as many
// instructions and reached the same pc, registers and retire record as the first (if not,
// the host was wrong: the run stops with STOP_APART). While the host knows of no such
// state (a fault has hit a module), the machine runs on the interpreter, which compares
// every instruction, so that a divergence is found at its instruction.
//
// Where it pays: the translated loop interprets what translations leave one instruction at
// a time, with the checks a translation needs (about three times what the interpreter's own
// loops take), and a call of a translation costs about what a few interpreted instructions
// do on each module. So code that leaves its translations often (device and CSR accesses
// between short stretches, calls between pages) runs slower in it than in the interpreter's
// loops, compiling included. So, adaptive (the `auto` engine), the run loop starts on the
// interpreter's loops and takes turns:
//   - an interpreted stretch (PROBE first, then as long as the last stretch's backoff says)
//     counts the instructions the interpreter had to leave to its full step (slowStep());
//     if more than one in SLOW_SHARE, translations would be left as often: another
//     stretch, twice as long (up to INTERPRET_MOST); else
//   - a window of PAY_WINDOW instructions on the translated loop, which paid if PAY_CALL ×
//     calls + PAY_INTERPRETED × instructions interpreted < instructions run translated
//     (weights measured on simplex, dmr and tmr): then the next window, else an
//     interpreted stretch, twice as long as the last (from INTERPRET_FIRST). A window
//     offers at most WINDOW_REQUESTS pages to the host for translation.
// Which loop runs never changes a result, only the speed.
//
// A translation is trusted only while its page's code is what was translated: stores the
// translated loop interprets invalidate a page whose code granules they hit, and a page is
// compared with its shadow copy before its first use in each epoch. An epoch begins at each
// run() (the host may have written RAM in between: a snapshot, a fault, a host call) and
// after each batch run by a loop that does not watch its stores (the interpreter's
// other loops). The host never has to tell the core what it wrote.

import {
  MACHINE, M_MODULE_COUNT, RAM_SLOTS, H_RAM, H_PC, H_X, H_RETIRE, R_KIND, R_ADDR, K_STORE, K_DEVICE,
  K_WIDTH_SHIFT, PAGE_SHIFT, PAGE_SIZE, X_EPOCH, X_TRANSLATED, X_PAGES, XP_FUNCTION, XP_EPOCH, XP_HEAT,
  XP_REQUESTS, XP_SIZE, CODE_GRANULE_SHIFT, HOT_PAGE_HEAT, MAX_HEAT_SHIFT, PROBE, SLOW_SHARE, PAY_WINDOW, PAY_CALL,
  PAY_INTERPRETED, INTERPRET_FIRST, INTERPRET_MOST, WINDOW_REQUESTS,
} from '../layout';
import { ramSize, ramOffset, g_attention, raise, A_DIVERGED, A_APART } from '../cpu/signals';
import { stepSlow } from '../cpu/execute';
import { hart, recordsDiffer, disagree } from '../lockstep/comparator';

/**
 * The host translates guest RAM page `page`, entered at `pc`, as module `h` holds it;
 * returns the translation's index in the function table (the page's existing one if it
 * adds nothing), or 0 if it declines. It marks the translated code granules before it returns.
 */
// @ts-ignore: decorator
@external("translator", "translate")
declare function hostTranslate(page: u32, pc: u32, h: usize): u32;

/**
 * Most instructions one call of a translation may run. V8 compiles a new module for a
 * quick start first and swaps in optimised code only between calls: a translation that
 * ran a whole long batch in one call would run it all unoptimised.
 */
const TRANSLATED_SLICE: u32 = 1 << 16;

/** What a translation returns when no block of it starts at the pc it is called at (src/translate/rv32.ts). */
const NOT_AN_ENTRY: u32 = 0xFFFF_FFFF;

/** Whether the run loop uses translations: between enableTranslation() and the next init(). */
let g_translating: bool = false;

/** Whether the host knows the online modules to hold the same state (setSameState()). */
let g_sameState: bool = false;

/** Whether the run loop judges where translation pays (below), or runs translated code wherever it may. */
let g_adaptive: bool = false;

/** The current window: instructions the translated loop ran, of them translated, and calls of translations. */
let g_windowRun: u32 = 0;
let g_windowTranslated: u32 = 0;
let g_windowCalls: u32 = 0;
/** Pages offered to the host for translation in the current window. */
let g_windowRequests: u32 = 0;
/** Instructions the interpreter's loops still run before the translated loop may be tried (0: it is in use). */
let g_interpretFor: u32 = PROBE;
/** The current interpreted stretch: instructions run, and those left to the full step. */
let g_stretchRun: u32 = 0;
let g_slowSteps: u32 = 0;
/** The length of the next interpreted stretch that a stretch or a window which did not pay starts. */
let g_interpretNext: u32 = INTERPRET_FIRST;

/** Linear address of the translator's region (layout.ts). */
export function translatorBase(): usize {
  return RAM_SLOTS + <usize>load<u32>(MACHINE + M_MODULE_COUNT) * <usize>ramSize();
}

/** Linear address of the code-granule map. */
export function translationGranules(): usize {
  return translatorBase() + X_PAGES + <usize>(ramSize() >> PAGE_SHIFT) * XP_SIZE;
}

/** Linear address of the shadow copy of translated pages. */
export function translationShadow(): usize {
  return translationGranules() + <usize>(ramSize() >> CODE_GRANULE_SHIFT);
}

/**
 * Makes room for the translator's region and turns the tier on, `adaptive` (1: translated
 * code where it pays, see "Where it pays") or not (0: wherever it may run). Returns 0, or 2
 * if memory cannot grow.
 */
export function enableTranslation(adaptive: u32): u32 {
  const base = translatorBase();
  const end = translationShadow() + <usize>ramSize();
  const have = <usize>memory.size() << 16;
  if (end > have && memory.grow(<i32>((end - have + 0xFFFF) >> 16)) < 0) return 2;
  memory.fill(base, 0, end - base);
  g_translating = true;
  g_sameState = false;
  g_adaptive = adaptive != 0;
  g_windowRun = 0;
  g_windowTranslated = 0;
  g_windowCalls = 0;
  g_windowRequests = 0;
  g_interpretFor = g_adaptive ? PROBE : 0;
  g_stretchRun = 0;
  g_slowSteps = 0;
  g_interpretNext = INTERPRET_FIRST;
  return 0;
}

/** Turns the tier off (init() drops the region; the host may enable it again). */
export function disableTranslation(): void {
  g_translating = false;
}

/**
 * The host says whether the online modules hold the same state (1) or may not (0): whether
 * the run loop may run translations on two or more of them. It says so again whenever the
 * online modules change or one of them is changed alone (a fault, a write by the host).
 */
export function setSameState(same: u32): void {
  g_sameState = same != 0;
}

/** Whether a batch of the `count` online modules may run translated code (the host's other conditions aside). */
// @ts-ignore: decorator
@inline export function translatable(count: i32): bool { return g_translating && (count == 1 || g_sameState); }

/**
 * Instructions the next batch of translatable modules runs on the interpreter's loops
 * because the translated loop has not paid lately (0: it runs translated).
 */
// @ts-ignore: decorator
@inline export function interpretFor(): u32 { return g_interpretFor; }

/** The interpreter's plain loops left an instruction to the full step (counted in an interpreted stretch). */
// @ts-ignore: decorator
@inline export function slowStep(): void { g_slowSteps++; }

/**
 * The interpreter's loops ran `done` instructions of a translatable batch instead of the
 * translated loop: at the end of the stretch, the translated loop is tried if few of its
 * instructions needed the full step, else another stretch runs.
 */
export function interpretedInstead(done: u32): void {
  g_stretchRun += done;
  g_interpretFor = done < g_interpretFor ? g_interpretFor - done : 0;
  if (g_interpretFor != 0) return;
  if (<u64>g_slowSteps * SLOW_SHARE > <u64>g_stretchRun) backOff();
  g_stretchRun = 0;
  g_slowSteps = 0;
}

/** Translation did not pay, or would not: the next interpreted stretch, each twice as long as the one before. */
function backOff(): void {
  g_interpretFor = g_interpretNext;
  g_interpretNext = min(g_interpretNext << 1, INTERPRET_MOST);
}

/** The translated loop ran `run` instructions, `translated` of them in `calls` calls of translations: judge the window once it is full. */
function countWindow(run: u32, translated: u32, calls: u32): void {
  if (!g_adaptive) return;
  g_windowRun += run;
  g_windowTranslated += translated;
  g_windowCalls += calls;
  if (g_windowRun < PAY_WINDOW) return;
  const cost = <u64>PAY_CALL * g_windowCalls + <u64>PAY_INTERPRETED * (g_windowRun - g_windowTranslated);
  if (cost < <u64>g_windowTranslated) g_interpretNext = INTERPRET_FIRST;
  else backOff();
  g_windowRun = 0;
  g_windowTranslated = 0;
  g_windowCalls = 0;
  g_windowRequests = 0;
}

/** Whether the tier is on (translations are kept and checked). */
// @ts-ignore: decorator
@inline export function translating(): bool { return g_translating; }

/** A new epoch: every translation is checked against RAM again before its next use. */
export function newEpoch(): void {
  const base = translatorBase();
  store<u32>(base, load<u32>(base, X_EPOCH) + 1, X_EPOCH);
}

/** Forgets page `page`'s translation and its code granules. */
function invalidatePage(page: u32): void {
  const entry = translatorBase() + X_PAGES + <usize>page * XP_SIZE;
  store<u32>(entry, 0, XP_FUNCTION);
  store<u32>(entry, 0, XP_HEAT);
  const granulesPerPage: usize = PAGE_SIZE >> CODE_GRANULE_SHIFT;
  memory.fill(translationGranules() + <usize>page * granulesPerPage, 0, granulesPerPage);
}

/** Whether the translated granules of page `page` still hold what the shadow copy holds. */
function pageUnchanged(page: u32, ram: usize): bool {
  const granulesPerPage: u32 = PAGE_SIZE >> CODE_GRANULE_SHIFT;
  const granules = translationGranules() + <usize>page * granulesPerPage;
  const shadow = translationShadow();
  for (let g: u32 = 0; g < granulesPerPage; g++) {
    if (load<u8>(granules + g) == 0) continue;
    const at = (<usize>page << PAGE_SHIFT) + (<usize>g << CODE_GRANULE_SHIFT);
    if ((load<u64>(ram + at) ^ load<u64>(shadow + at)) | (load<u64>(ram + at, 8) ^ load<u64>(shadow + at, 8))) return false;
  }
  return true;
}

/** Module `h` executed a store (its retire record says so) in the interpreter: invalidate the pages whose code it hit. */
function codeStored(h: usize): void {
  const kind = load<u32>(h + H_RETIRE, R_KIND);
  if ((kind & (K_STORE | K_DEVICE)) != K_STORE) return;
  const offset = ramOffset(load<u32>(h + H_RETIRE, R_ADDR));
  const width = (kind >> K_WIDTH_SHIFT) & 7;
  const granules = translationGranules();
  const first = offset >> CODE_GRANULE_SHIFT;
  const last = (offset + width - 1) >> CODE_GRANULE_SHIFT;
  for (let g = first; g <= last; g++) {
    if (load<u8>(granules + g) != 0) invalidatePage(g >> (PAGE_SHIFT - CODE_GRANULE_SHIFT));
  }
}

/**
 * Page `page`'s translation at its entry `entry`, checked against RAM at `ram` once an
 * epoch, or 0.
 */
function translationOf(page: u32, entry: usize, ram: usize, epoch: u32): u32 {
  const fn = load<u32>(entry, XP_FUNCTION);
  if (fn == 0 || load<u32>(entry, XP_EPOCH) == epoch) return fn;
  if (pageUnchanged(page, ram)) {
    store<u32>(entry, epoch, XP_EPOCH);
    return fn;
  }
  invalidatePage(page);
  return 0;
}

/**
 * Module `h` (RAM at `ram`) interprets an instruction of page `page` at `pc`: count it, and
 * have the page translated once it is hot.
 */
function heat(page: u32, entry: usize, pc: u32, h: usize, ram: usize, epoch: u32): void {
  const heat = load<u32>(entry, XP_HEAT) + 1;
  const requests = load<u32>(entry, XP_REQUESTS);
  if (heat < HOT_PAGE_HEAT << min(requests, MAX_HEAT_SHIFT)) {
    store<u32>(entry, heat, XP_HEAT);
    return;
  }
  if (g_adaptive && g_windowRequests >= WINDOW_REQUESTS) return; // hot: offered in a later window
  g_windowRequests++;
  store<u32>(entry, 0, XP_HEAT);
  store<u32>(entry, requests + 1, XP_REQUESTS);
  const fn = hostTranslate(page, pc, h);
  store<u32>(entry, fn, XP_FUNCTION);
  if (fn == 0) return;
  const at = <usize>page << PAGE_SHIFT;
  memory.copy(translationShadow() + at, ram + at, PAGE_SIZE);
  store<u32>(entry, epoch, XP_EPOCH);
}

/** Whether module `b` ended a translated call where module `a` did: pc, registers and retire record. */
function sameAfterCall(a: usize, b: usize): bool {
  if (load<u32>(a, H_PC) != load<u32>(b, H_PC) || recordsDiffer(a, b)) return false;
  let differ = v128.xor(v128.load(a + H_X), v128.load(b + H_X));
  for (let k: usize = 16; k < 128; k += 16) differ = v128.or(differ, v128.xor(v128.load(a + H_X + k), v128.load(b + H_X + k)));
  return !v128.any_true(differ);
}

/**
 * The `online` modules (the host knows them to hold the same state, or there is one), up to
 * `n` instructions (ending early, after a call of a translation, once the current window is
 * full: see "Where it pays"): translated where the reference module's page has a translation that
 * starts at its pc (called on each module in turn), else interpreted one by one on each
 * module (stepSlow: the same results as the fast step) and their records compared at
 * compare points (`filter`: comparePointBits()), as the interpreter's lockstep loops do.
 * Returns how many instructions ran. The batch ends after an interpreted instruction that
 * raised attention, as in the interpreter's loops.
 */
export function batchTranslated(online: u32, n: u32, filter: u32): u32 {
  const base = translatorBase();
  const epoch = load<u32>(base, X_EPOCH);
  const reference = hart(ctz(online));
  const others = online & (online - 1);
  const ram = load<usize>(reference, H_RAM);
  const size = ramSize();
  let translated: u32 = 0;
  let calls: u32 = 0;
  let i: u32 = 0;
  while (true) {
    const pc = load<u32>(reference, H_PC);
    const offset = ramOffset(pc);
    if (offset < size) {
      const page = offset >> PAGE_SHIFT;
      const entry = base + X_PAGES + <usize>page * XP_SIZE;
      const fn = translationOf(page, entry, ram, epoch);
      const left = min(n - i, TRANSLATED_SLICE);
      const done = fn != 0 ? call_indirect<u32>(fn, pc, left, reference) : NOT_AN_ENTRY;
      if (done != NOT_AN_ENTRY) {
        let pending = others;
        while (pending != 0) {
          const h = hart(ctz(pending));
          if (call_indirect<u32>(fn, pc, left, h) != done || !sameAfterCall(reference, h)) raise(A_APART);
          pending &= pending - 1;
        }
        i += done;
        translated += done;
        calls++;
        if (g_attention != 0 || i >= n || (g_adaptive && g_windowRun + i >= PAY_WINDOW)) break;
        if (done != 0) continue; // it stopped before something it leaves to the interpreter, or left its page
        // The block at the pc does not fit in what is left of the batch: interpreted, not counted as heat.
      } else {
        heat(page, entry, pc, reference, ram, epoch);
      }
    }
    let pending = online;
    while (pending != 0) {
      const h = hart(ctz(pending));
      store<u32>(h, stepSlow(h, load<u32>(h, H_PC), i), H_PC);
      codeStored(h);
      pending &= pending - 1;
    }
    pending = others;
    while (pending != 0) {
      if (disagree(reference, hart(ctz(pending)), filter)) raise(A_DIVERGED); // settle() re-compares and names the modules
      pending &= pending - 1;
    }
    i++;
    if (g_attention != 0 || i >= n) break;
  }
  store<u64>(base, load<u64>(base, X_TRANSLATED) + translated, X_TRANSLATED);
  countWindow(i, translated, calls);
  return i;
}
