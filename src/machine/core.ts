/**
 * The WASM core as the host sees it: compiled once per process, instantiated once per
 * machine. The memory map comes from the core's exported globals (assembly/layout.ts); its
 * names are typed from the bindings asc generates, so nothing here copies an offset by hand.
 */
import { instantiate } from '../../build/core.js';

type CoreExports = Awaited<ReturnType<typeof instantiate>>;

/** Every exported constant of the core (offsets, sizes, codes), by name. */
export type LayoutName = {
  [K in keyof CoreExports]: CoreExports[K] extends { readonly value: number } ? K : never;
}[keyof CoreExports];
export type Layout = Readonly<Record<LayoutName, number>>;

/** The core ABI this host understands (assembly/index.ts CORE_ABI_VERSION). */
const ABI_VERSION = 1;

const WASM_URL = new URL('../../build/core.wasm', import.meta.url);

let compiled: Promise<WebAssembly.Module> | undefined;

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
  compiled ??= wasmBytes().then((bytes) => WebAssembly.compile(bytes as BufferSource));
  return compiled;
}

/** One instance of the core: one machine's modules, devices and RAM. */
export class Core {
  readonly layout: Layout;
  private bytes!: Uint8Array;
  private words!: Uint32Array;
  private view!: DataView;

  private constructor(private readonly exports: CoreExports) {
    const layout: Record<string, number> = {};
    for (const [name, value] of Object.entries(exports as object)) {
      if (typeof value === 'object' && value !== null && typeof value.value === 'number') layout[name] = value.value;
    }
    this.layout = Object.freeze(layout) as Layout;
    if (exports.CORE_ABI_VERSION.value !== ABI_VERSION) {
      throw new Error(`machine core ABI ${exports.CORE_ABI_VERSION.value}, host expects ${ABI_VERSION}: rebuild with npm run build:wasm`);
    }
    this.refreshViews();
  }

  static async create(): Promise<Core> {
    const exports = await instantiate(await compileCore(), {});
    return new Core(exports);
  }

  /** Views over linear memory; memory.grow detaches the old buffer. */
  private refreshViews(): void {
    const buffer = this.exports.memory.buffer;
    this.bytes = new Uint8Array(buffer);
    this.words = new Uint32Array(buffer);
    this.view = new DataView(buffer);
  }

  init(moduleCount: number, ramSize: number): void {
    const status = this.exports.init(moduleCount, ramSize);
    if (status !== 0) throw new RangeError(`cannot set up ${moduleCount} modules of ${ramSize} bytes (status ${status})`);
    this.refreshViews();
  }

  /** Runs at most `budget` instructions (< 2^32); returns the stop reason (STOP_*). */
  run(budget: number): number {
    return this.exports.run(budget);
  }

  resetModule(m: number): void { this.exports.resetModule(m); }
  csrHasStorage(num: number): boolean { return this.exports.csrHasStorage(num); }
  clearFaults(m: number): void { this.exports.clearFaults(m); }

  /** CSR `num` of module `m`, or undefined if it does not exist. */
  csrPeek(m: number, num: number): number | undefined {
    const v = this.exports.csrPeek(m, num);
    return v === 0xFFFF_FFFF_FFFF_FFFFn ? undefined : Number(v);
  }

  csrPoke(m: number, num: number, value: number): boolean {
    return this.exports.csrPoke(m, num, value >>> 0);
  }

  // ── Raw memory access (linear-memory addresses, not guest addresses) ──
  u8(addr: number): number { return this.bytes[addr]; }
  u32(addr: number): number { return this.words[addr >>> 2]; }
  setU32(addr: number, value: number): void { this.words[addr >>> 2] = value >>> 0; }
  setU8(addr: number, value: number): void { this.bytes[addr] = value; }
  u64(addr: number): bigint { return this.view.getBigUint64(addr, true); }
  setU64(addr: number, value: bigint): void { this.view.setBigUint64(addr, BigInt.asUintN(64, value), true); }
  /** A live view of `length` bytes at `addr` (invalid after init grows memory). */
  slice(addr: number, length: number): Uint8Array { return this.bytes.subarray(addr, addr + length); }

  /** Size of the instance's linear memory, bytes. */
  get memoryBytes(): number { return this.bytes.byteLength; }

  /** Linear address of module `m`'s hart block. */
  hart(m: number): number { return this.layout.HARTS + m * this.layout.HART_SIZE; }
}
