/**
 * The translator tier's host side: the core asks for a hot page (assembly/translate/
 * dispatch.ts, the `translator.translate` import); this translates it (rv32.ts), compiles
 * the module with the engine (or takes it as this thread compiled it before:
 * compiled-pages.ts), puts its function into the core's table and marks the code
 * granules it covers. One per core instance. It remembers the entries the core asked for
 * in each page, so a page retranslated after its code changed keeps them.
 */
import { decode, type TranslatorLayout } from './rv32.ts';
import { compiledPage } from './compiled-pages.ts';

/** What the translator reads and writes in the core (src/machine/core.ts provides it). */
export interface TranslatorHost {
  readonly memory: WebAssembly.Memory;
  readonly table: WebAssembly.Table;
  readonly layout: TranslatorLayout & {
    MACHINE: number; M_TOHOST: number; M_RAM_SIZE: number; X_PAGES: number; XP_SIZE: number; XP_FUNCTION: number; PAGE_SIZE: number;
  };
  translatorBase(): number;
  translationGranules(): number;
}

/** What the translator did (Core.translation adds what the core counts). */
export interface TranslatorStats {
  /** Translations put in the core's table (a page is translated again when the core enters it somewhere new, or its code changed). */
  compiles: number;
  /** Of those, how many this thread had compiled before, for this core or another (compiled-pages.ts): neither translated nor compiled again. */
  reused: number;
  /** Pages with a translation made since the core was set up. */
  pages: number;
  /** Time spent translating and compiling (or finding the compiled page), ms (host time: for `lockstep bench`, never in the simulation). */
  milliseconds: number;
}

export interface TranslationStats extends TranslatorStats {
  /** Instructions of the machine run in translated code (once for all its online modules). */
  instructions: number;
}

/** Compiles of one page beyond which the core's requests for it are declined (self-modifying code, scattered entries). */
const MAX_COMPILES_PER_PAGE = 64;

export class Translator {
  /** Word indices the core entered each page at. */
  private readonly entries = new Map<number, Set<number>>();
  /** Each page's function-table slot, reused by its later translations. */
  private readonly slots = new Map<number, number>();
  private readonly compiles = new Map<number, number>();
  readonly stats: TranslatorStats = { compiles: 0, reused: 0, pages: 0, milliseconds: 0 };

  constructor(private readonly host: TranslatorHost) {}

  /** Forgets every page (the core was set up anew); table slots are kept for reuse. */
  reset(): void {
    this.entries.clear();
    this.compiles.clear();
    Object.assign(this.stats, { compiles: 0, reused: 0, pages: 0, milliseconds: 0 });
  }

  /**
   * The `translator.translate` import: page `page` of guest RAM, entered at `pc`, as the
   * module whose hart block is at `hart` holds it; returns a table index or 0. The
   * translation serves every module (rv32.ts).
   */
  translate(page: number, pc: number, hart: number): number {
    const { host } = this;
    const L = host.layout;
    const words32 = new Uint32Array(host.memory.buffer);
    const u32 = (addr: number) => words32[addr >>> 2];
    const base = host.translatorBase();
    const entryAddr = base + L.X_PAGES + page * L.XP_SIZE + L.XP_FUNCTION;
    const existing = u32(entryAddr);
    const word = ((pc - L.RAM_BASE) >>> 2) & (L.PAGE_SIZE / 4 - 1);
    const known = this.entries.get(page) ?? new Set<number>();
    this.entries.set(page, known);
    const ram = u32(hart + L.H_RAM);
    const pageAt = ram + page * L.PAGE_SIZE;
    // A valid translation gains nothing from an entry already asked for or not translatable.
    if (existing !== 0 && (known.has(word) || !decode(u32(pageAt + 4 * word), pc))) return existing;
    const compiles = this.compiles.get(page) ?? 0;
    if (compiles >= MAX_COMPILES_PER_PAGE) return existing;
    known.add(word);

    const started = performance.now();
    const translation = compiledPage({
      words: words32.slice(pageAt >>> 2, (pageAt >>> 2) + L.PAGE_SIZE / 4), pageBase: (L.RAM_BASE + page * L.PAGE_SIZE) >>> 0, entries: known,
      granules: host.translationGranules(), tohost: L.MACHINE + L.M_TOHOST, ramSize: u32(L.MACHINE + L.M_RAM_SIZE), layout: L,
    });
    if (!translation) return existing;
    const instance = new WebAssembly.Instance(translation.module, { core: { memory: host.memory } });
    let slot = this.slots.get(page);
    if (slot === undefined) {
      slot = host.table.grow(1);
      this.slots.set(page, slot);
    }
    host.table.set(slot, instance.exports.run as WebAssembly.ExportValue);

    const bytes = new Uint8Array(host.memory.buffer);
    const granulesPerPage = L.PAGE_SIZE >> L.CODE_GRANULE_SHIFT;
    const granules = host.translationGranules() + page * granulesPerPage;
    bytes.fill(0, granules, granules + granulesPerPage);
    for (const w of translation.words) bytes[granules + ((w * 4) >> L.CODE_GRANULE_SHIFT)] = 1;

    this.compiles.set(page, compiles + 1);
    this.stats.compiles++;
    if (translation.reused) this.stats.reused++;
    if (compiles === 0) this.stats.pages++;
    this.stats.milliseconds += performance.now() - started;
    return slot;
  }
}
