/**
 * The WASM core as the host sees it: compiled once per process, instantiated once per
 * machine. The memory map comes from the core's exported globals (assembly/layout.ts); its
 * names are typed from the bindings asc generates, so nothing here copies an offset by hand.
 */
import type { instantiate } from '../../build/core.js';
import { Translator, type TranslationStats } from '../translate/translator.ts';

/** The core's exports as asc's bindings type them (used for the layout's names only). */
type CoreExports = Awaited<ReturnType<typeof instantiate>>;

/** The raw WebAssembly exports: i32 results are signed, u64 ones signed BigInts. */
interface RawExports {
  memory: WebAssembly.Memory;
  table: WebAssembly.Table;
  init(moduleCount: number, ramSize: number): number;
  run(budget: number): number;
  resetModule(m: number): void;
  clearFaults(m: number): void;
  csrPeek(m: number, num: number): bigint;
  csrPoke(m: number, num: number, value: number): number;
  csrHasStorage(num: number): number;
  secdedEncode(data: number): number;
  secdedErrorBit(data: number, check: number): number;
  scrub(m: number): number;
  hostRamAccess(m: number, offset: number, length: number, write: number): number;
  hostRamRead(m: number): void;
  hostRamWritten(m: number, offset: number, length: number): void;
  releaseMemFaults(m: number): void;
  enableTranslation(adaptive: number): number;
  disableTranslation(): void;
  setSameState(same: number): void;
  sameState(a: number, b: number, withRam: number): number;
  pageKind(page: number, reference: number, size: number): number;
  translatorBase(): number;
  translationGranules(): number;
  clearMemFaultSlot(entry: number): void;
  [name: string]: unknown;
}

/** Every exported constant of the core (offsets, sizes, codes), by name. */
export type LayoutName = {
  [K in keyof CoreExports]: CoreExports[K] extends { readonly value: number } ? K : never;
}[keyof CoreExports];
export type Layout = Readonly<Record<LayoutName, number>>;

/**
 * A module's architectural hart state, as [offset in the hart block, length in bytes]
 * ranges: registers, pc, privilege, CSRs and counter offsets (everything before the RAM and
 * dirty-map pointers), and the PMP's pmpcfg bytes and pmpaddr words. What moves a program
 * from one module (or machine) to another; the rest of the block is that module's hardware
 * (its pointers, announced errors, persistent faults) or comparator scratch.
 */
export function architecturalRanges(L: Layout): readonly (readonly [number, number])[] {
  return [
    [0, L.H_RAM],
    [L.H_PMPCFG, L.H_PMPADDR + 4 * L.PMP_ENTRIES - L.H_PMPCFG],
  ];
}

/** The core ABI this host understands (assembly/index.ts CORE_ABI_VERSION). */
const ABI_VERSION = 6;

const WASM_URL = new URL('../../build/core.wasm', import.meta.url);

let compiling: Promise<WebAssembly.Module> | undefined;
let compiled: WebAssembly.Module | undefined;

async function wasmBytes(): Promise<ArrayBuffer | Uint8Array> {
  if (WASM_URL.protocol === 'file:') {
    const { readFile } = await import(/* @vite-ignore */ 'node:fs/promises');
    return readFile(WASM_URL);
  }
  const response = await fetch(WASM_URL);
  if (!response.ok) throw new Error(`cannot load the machine core ${WASM_URL.href}: HTTP ${response.status}`);
  return response.arrayBuffer();
}

/** The compiled core module, shared by every machine in this process or worker. */
export function compileCore(): Promise<WebAssembly.Module> {
  compiling ??= wasmBytes().then(async (bytes) => (compiled = await WebAssembly.compile(bytes as BufferSource)));
  return compiling;
}

/**
 * How the core runs guest code: `interp`, the interpreter alone; `translate`, hot pages
 * translated into WebAssembly (src/translate/) and run on the online modules while they
 * are one or hold the same state (assembly/translate/dispatch.ts), the interpreter for the
 * rest and for anything traced, debugged, checked by PMP or carrying a persistent fault;
 * `auto`, as `translate` where it pays and the interpreter's own loops elsewhere (the run
 * loop judges as it runs). The engine changes the speed, never a result.
 */
export type Engine = 'interp' | 'translate' | 'auto';
export const ENGINES: readonly Engine[] = ['interp', 'translate', 'auto'];
/** The engine of a machine that names none. */
export const DEFAULT_ENGINE: Engine = 'auto';

/**
 * The JavaScript engine would not grow the core's memory to what a machine needs (its
 * modules' RAM, and the translator's region beside it): a limit of the environment the
 * machine runs in, not a bug and not bad input.
 */
export class OutOfMemoryError extends Error {
  override name = 'OutOfMemoryError';
}

/** One instance of the core: one machine's modules, devices and RAM. */
export class Core {
  readonly layout: Layout;
  private readonly exports: RawExports;
  private bytes!: Uint8Array;
  private words!: Uint32Array;
  private view!: DataView;
  /** The engine init() sets up (the translator's region lives after the RAM slots). */
  engine: Engine = DEFAULT_ENGINE;
  private translator?: Translator;

  private constructor(module: WebAssembly.Module) {
    const imports = { translator: { translate: (page: number, pc: number, hart: number) => this.translator?.translate(page >>> 0, pc >>> 0, hart >>> 0) ?? 0 } };
    const instance = new WebAssembly.Instance(module, imports);
    this.exports = instance.exports as unknown as RawExports;
    const layout: Record<string, number> = {};
    for (const [name, value] of Object.entries(this.exports)) {
      if (value instanceof WebAssembly.Global && typeof value.value === 'number') layout[name] = value.value >>> 0;
    }
    this.layout = Object.freeze(layout) as Layout;
    if (this.layout.CORE_ABI_VERSION !== ABI_VERSION) {
      throw new Error(`machine core ABI ${this.layout.CORE_ABI_VERSION}, host expects ${ABI_VERSION}: rebuild with npm run build:wasm`);
    }
    this.refreshViews();
  }

  static async create(): Promise<Core> {
    return Core.createSync(await compileCore());
  }

  /** A new instance of an already compiled core (compileCore() has resolved). */
  static createSync(module: WebAssembly.Module | undefined = compiled): Core {
    if (!module) throw new Error('the machine core is not compiled yet: await compileCore() first');
    return new Core(module);
  }

  /** Views over linear memory; memory.grow detaches the old buffer. */
  private refreshViews(): void {
    const buffer = this.exports.memory.buffer;
    this.bytes = new Uint8Array(buffer);
    this.words = new Uint32Array(buffer);
    this.view = new DataView(buffer);
  }

  init(moduleCount: number, ramSize: number): void {
    // The core's statuses: 1, arguments out of range (checked by the callers); 2, memory could not grow.
    const status = this.exports.init(moduleCount, ramSize) >>> 0;
    const ram = `${moduleCount} module${moduleCount === 1 ? '' : 's'} of ${ramSize / 2 ** 20} MiB RAM`;
    if (status === 2) throw new OutOfMemoryError(`the JavaScript engine would not allocate the memory of ${ram}: give the machine less RAM, or run fewer machines at once`);
    if (status !== 0) throw new RangeError(`cannot set up ${moduleCount} modules of ${ramSize} bytes (status ${status})`);
    if (this.translates) {
      if (this.exports.enableTranslation(this.engine === 'auto' ? 1 : 0) !== 0) {
        throw new OutOfMemoryError(`the JavaScript engine would not allocate the translator's memory beside ${ram}: run on the interpreter (engine interp), or give the machine less RAM`);
      }
      const exports = this.exports;
      this.translator ??= new Translator({
        memory: exports.memory, table: exports.table, layout: this.layout,
        translatorBase: () => exports.translatorBase() >>> 0, translationGranules: () => exports.translationGranules() >>> 0,
      });
      this.translator.reset();
    }
    this.refreshViews();
  }

  /** Whether the engine has the translator tier (translate or auto). */
  get translates(): boolean { return this.engine !== 'interp'; }

  /** What the translator has done since init() (undefined with the interpreter alone). */
  get translation(): Readonly<TranslationStats> | undefined {
    if (!this.translates || !this.translator) return undefined;
    return { ...this.translator.stats, instructions: this.count((this.exports.translatorBase() >>> 0) + this.layout.X_TRANSLATED) };
  }

  /** Runs at most `budget` instructions (< 2^32); returns the stop reason (STOP_*). */
  run(budget: number): number {
    return this.exports.run(budget) >>> 0;
  }

  resetModule(m: number): void { this.exports.resetModule(m); }

  /**
   * Whether modules `a` and `b` hold the same architectural state: registers, pc, CSRs,
   * counters, PMP and, unless `ramKnownEqual`, every byte of RAM (assembly/lockstep/
   * comparator.ts sameState()).
   */
  sameState(a: number, b: number, ramKnownEqual = false): boolean { return this.exports.sameState(a, b, ramKnownEqual ? 0 : 1) !== 0; }

  /**
   * How a snapshot records the `size` bytes (a multiple of 64) at linear address `page`:
   * 0 all zero, 1 equal to those at `reference` (0: none), 2 neither (assembly/index.ts).
   */
  pageKind(page: number, reference: number, size: number): number { return this.exports.pageKind(page, reference, size); }

  /**
   * Tells the core whether the online modules hold the same state, so that it may run
   * translated code on them (with the `translate` engine; see assembly/translate/dispatch.ts).
   */
  setSameState(same: boolean): void {
    if (this.translates) this.exports.setSameState(same ? 1 : 0);
  }

  // ── Memory ECC (assembly/fault/ecc.ts) ──
  /** SEC-DED (39,32) check bits of a word: bits 0-5 c0..c5, bit 6 overall parity. */
  secdedEncode(data: number): number { return this.exports.secdedEncode(data | 0) >>> 0; }
  /** The bit in error of `data` stored with `check` (0..31 data, 32..38 check bits), or SECDED_CLEAN / SECDED_UNCORRECTABLE. */
  secdedErrorBit(data: number, check: number): number { return this.exports.secdedErrorBit(data | 0, check) >>> 0; }
  /** A scrubber pass over module `m`'s RAM: words corrected, and uncorrectable words found. */
  scrub(m: number): { corrected: number; uncorrectable: number } {
    const found = this.exports.scrub(m) >>> 0;
    return { corrected: found & 0xFFFF, uncorrectable: found >>> 16 };
  }
  /** Before the host reads (or writes) RAM bytes [offset, offset + length) of module `m`: the guest address of an uncorrectable word it must read there, or 0. */
  hostRamAccess(m: number, offset: number, length: number, write: boolean): number {
    return this.exports.hostRamAccess(m, offset, length, write ? 1 : 0) >>> 0;
  }
  /** After the host read RAM of module `m` (hostRamAccess() first). */
  hostRamRead(m: number): void { this.exports.hostRamRead(m); }
  /** After the host wrote RAM bytes [offset, offset + length) of module `m` (hostRamAccess() first). */
  hostRamWritten(m: number, offset: number, length: number): void { this.exports.hostRamWritten(m, offset, length); }
  /** Frees module `m`'s RAM fault slots that hold nothing any more. */
  releaseMemFaults(m: number): void { this.exports.releaseMemFaults(m); }
  /** Frees the RAM fault slot at linear address `entry` (one of a hart's H_MEM_FAULTS): no word, identity masks, nothing else. */
  clearMemFaultSlot(entry: number): void { this.exports.clearMemFaultSlot(entry); }
  csrHasStorage(num: number): boolean { return this.exports.csrHasStorage(num) !== 0; }
  clearFaults(m: number): void { this.exports.clearFaults(m); }

  /** CSR `num` of module `m`, or undefined if it does not exist. */
  csrPeek(m: number, num: number): number | undefined {
    const v = BigInt.asUintN(64, this.exports.csrPeek(m, num));
    return v === 0xFFFF_FFFF_FFFF_FFFFn ? undefined : Number(v);
  }

  csrPoke(m: number, num: number, value: number): boolean {
    return this.exports.csrPoke(m, num, value | 0) !== 0;
  }

  // ── Raw memory access (linear-memory addresses, not guest addresses) ──
  u8(addr: number): number { return this.bytes[addr]; }
  u32(addr: number): number { return this.words[addr >>> 2]; }
  setU32(addr: number, value: number): void { this.words[addr >>> 2] = value >>> 0; }
  setU8(addr: number, value: number): void { this.bytes[addr] = value; }
  u64(addr: number): bigint { return this.view.getBigUint64(addr, true); }
  setU64(addr: number, value: bigint): void { this.view.setBigUint64(addr, BigInt.asUintN(64, value), true); }
  /** A 64-bit counter (instret, a cycle) as a number: exact below 2^53, without a BigInt. */
  count(addr: number): number { return this.words[(addr >>> 2) + 1] * 0x1_0000_0000 + this.words[addr >>> 2]; }
  /** Sets a 64-bit counter to `value`, a whole number from 0 to 2^53. */
  setCount(addr: number, value: number): void {
    this.words[addr >>> 2] = value >>> 0;
    this.words[(addr >>> 2) + 1] = Math.floor(value / 0x1_0000_0000);
  }
  /** A live view of `length` bytes at `addr` (invalid after init grows memory). */
  slice(addr: number, length: number): Uint8Array { return this.bytes.subarray(addr, addr + length); }

  get coreAbi(): number { return this.layout.CORE_ABI_VERSION; }

  /** Size of the instance's linear memory, bytes. */
  get memoryBytes(): number { return this.bytes.byteLength; }

  /** Linear address of module `m`'s hart block. */
  hart(m: number): number { return this.layout.HARTS + m * this.layout.HART_SIZE; }
}
