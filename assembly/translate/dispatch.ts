// The translator tier, core side (DESIGN §2: it sits beside the interpreter, behind the same
// run(budget)). A page of guest code that the interpreter runs often is translated by the
// host (src/translate/) into a WebAssembly function over this instance's memory, and the
// simplex run loop calls it through the core's function table. Contract of a translation,
// called as fn(pc, left) for the module it was made from:
//   - it runs whole instructions from `pc` on, at most `left` of them, each exactly as
//     stepFast() would (registers, RAM, the dirty-page map, H_PC and the retire record of
//     the last one), and returns how many it ran (0 if it does not start at `pc`);
//   - it stops before any instruction stepFast() would leave to stepSlow() (a device or
//     misaligned access, tohost, a SYSTEM or illegal instruction, a misaligned jump), before
//     a store into a code granule (that store is interpreted, and invalidates the page), and
//     before a basic block that does not fit in `left`: so it never raises attention, and
//     a batch ends at exactly its instruction as in the interpreter.
//
// A translation is trusted only while its page's code is what was translated: stores the
// interpreter executes invalidate a page whose code granules they hit, and once each run()
// (the host may have written RAM in between: a snapshot, a fault, a host call) a page is
// compared with its shadow copy before its first use. The host never has to tell the core
// what it wrote.

import {
  MACHINE, M_MODULE_COUNT, RAM_SLOTS, HARTS, HART_SIZE, H_RAM, H_PC, H_RETIRE, R_KIND, R_ADDR, K_STORE, K_DEVICE,
  K_WIDTH_SHIFT, PAGE_SHIFT, PAGE_SIZE, X_EPOCH, X_MODULE, X_NO_MODULE, X_PAGES, XP_FUNCTION, XP_EPOCH, XP_HEAT,
  XP_SIZE, CODE_GRANULE_SHIFT, HOT_PAGE_HEAT,
} from '../layout';
import { ramSize, ramOffset, g_attention } from '../cpu/signals';
import { stepSlow } from '../cpu/execute';

/**
 * The host translates guest RAM page `page` of module X_MODULE, entered at `pc`; returns
 * the translation's index in the function table (the page's existing one if it adds
 * nothing), or 0 if it declines. It marks the translated code granules before it returns.
 */
// @ts-ignore: decorator
@external("translator", "translate")
declare function hostTranslate(page: u32, pc: u32): u32;

/**
 * Most instructions one call of a translation may run. V8 compiles a new module for a
 * quick start first and swaps in optimised code only between calls: a translation that
 * ran a whole long batch in one call would run it all unoptimised.
 */
const TRANSLATED_SLICE: u32 = 1 << 16;

/** Whether the simplex loop uses translations: between enableTranslation() and the next init(). */
let g_translating: bool = false;

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

/** Makes room for the translator's region and turns the tier on. Returns 0, or 2 if memory cannot grow. */
export function enableTranslation(): u32 {
  const base = translatorBase();
  const end = translationShadow() + <usize>ramSize();
  const have = <usize>memory.size() << 16;
  if (end > have && memory.grow(<i32>((end - have + 0xFFFF) >> 16)) < 0) return 2;
  memory.fill(base, 0, end - base);
  store<u32>(base, X_NO_MODULE, X_MODULE);
  g_translating = true;
  return 0;
}

/** Turns the tier off (init() drops the region; the host may enable it again). */
export function disableTranslation(): void {
  g_translating = false;
}

/** Whether run() should use the translated simplex loop. */
// @ts-ignore: decorator
@inline export function translating(): bool { return g_translating; }

/** run() starts: every translation is checked against RAM again before its next use. */
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

/** Forgets every translation (they were made from another module's RAM). */
function invalidateAll(): void {
  const pages = ramSize() >> PAGE_SHIFT;
  for (let p: u32 = 0; p < pages; p++) invalidatePage(p);
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

/** A store of `width` bytes at RAM offset `offset` was interpreted: invalidate the pages whose code it hit. */
function codeStored(offset: u32, width: u32): void {
  const granules = translationGranules();
  const first = offset >> CODE_GRANULE_SHIFT;
  const last = (offset + width - 1) >> CODE_GRANULE_SHIFT;
  for (let g = first; g <= last; g++) {
    if (load<u8>(granules + g) != 0) invalidatePage(g >> (PAGE_SHIFT - CODE_GRANULE_SHIFT));
  }
}

/**
 * Page `page`'s translation at its entry `entry`, checked against RAM once an epoch, or 0.
 * A page the interpreter runs often (XP_HEAT) is offered to the host for translation.
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

/** The interpreter runs an instruction of page `page` at `pc`: count it, and have the page translated once it is hot. */
function heat(page: u32, entry: usize, pc: u32, ram: usize, epoch: u32): void {
  const heat = load<u32>(entry, XP_HEAT) + 1;
  if (heat < HOT_PAGE_HEAT) {
    store<u32>(entry, heat, XP_HEAT);
    return;
  }
  store<u32>(entry, 0, XP_HEAT);
  const fn = hostTranslate(page, pc);
  store<u32>(entry, fn, XP_FUNCTION);
  if (fn == 0) return;
  const at = <usize>page << PAGE_SHIFT;
  memory.copy(translationShadow() + at, ram + at, PAGE_SIZE);
  store<u32>(entry, epoch, XP_EPOCH);
}

/**
 * One module `h`, nothing to compare: up to `n` instructions, translated where a page has a
 * translation that starts at the pc, else interpreted one by one (stepSlow: the same
 * results as the fast step); returns how many ran. The batch ends after an interpreted
 * instruction that raised attention, as in simplexPlain().
 */
export function simplexTranslated(h: usize, n: u32): u32 {
  const base = translatorBase();
  const module = <u32>((h - HARTS) / HART_SIZE);
  if (load<u32>(base, X_MODULE) != module) {
    invalidateAll();
    store<u32>(base, module, X_MODULE);
  }
  const epoch = load<u32>(base, X_EPOCH);
  const ram = load<usize>(h, H_RAM);
  const size = ramSize();
  let i: u32 = 0;
  while (true) {
    const pc = load<u32>(h, H_PC);
    const offset = ramOffset(pc);
    if (offset < size) {
      const page = offset >> PAGE_SHIFT;
      const entry = base + X_PAGES + <usize>page * XP_SIZE;
      const fn = translationOf(page, entry, ram, epoch);
      if (fn != 0) {
        const done = call_indirect<u32>(fn, pc, min(n - i, TRANSLATED_SLICE));
        i += done;
        if (i >= n) break;
        if (done != 0) continue; // it stopped before something it leaves to the interpreter, or left its page
      }
      heat(page, entry, pc, ram, epoch);
    }
    store<u32>(h, stepSlow(h, pc, i), H_PC);
    const kind = load<u32>(h + H_RETIRE, R_KIND);
    if ((kind & (K_STORE | K_DEVICE)) == K_STORE) {
      codeStored(ramOffset(load<u32>(h + H_RETIRE, R_ADDR)), (kind >> K_WIDTH_SHIFT) & 7);
    }
    i++;
    if (g_attention != 0 || i >= n) break;
  }
  return i;
}
