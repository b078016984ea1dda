/**
 * The snapshot format: a machine's complete state in one ArrayBuffer.
 *
 *   u32 magic "LSLS"   u32 format version   u32 core ABI   u32 JSON length   u32 inner length
 *   JSON (UTF-8): the host side (config, modules, schedule, resyncs, events, ...)
 *   inner snapshot (may be empty): the machine's replay point, a snapshot of itself from
 *     before the first fault not yet detected (see Machine.firstDifference)
 *   core state region: machine block, hart blocks, console rings, dirty maps (linear
 *     memory MACHINE .. TRACE and DIRTY .. RAM_SLOTS; the trace ring is transient)
 *   RAM of every module, page by page: a tag byte per page — PAGE_ZERO, PAGE_SAME (equal
 *     to module 0's page), PAGE_BYTES (followed by the page's bytes)
 *
 * Lockstep modules hold the same RAM, so a snapshot of four modules costs about one, and
 * untouched RAM costs a byte a page.
 */
import type { Core, Layout } from './core.ts';
import type { Halt, InactiveFault, MachineEvent } from './events.ts';
import type { HostIOState } from './host-io.ts';
import type { ModuleRecord } from './machine.ts';
import type { MachineConfig } from './config.ts';
import type { ScheduledAction } from './schedule.ts';
import type { ResyncState } from './resync.ts';
import type { StuckVerdict } from './checkers.ts';
import type { ErrorHistory } from './diagnosis.ts';
import { InputError } from '../input-error.ts';

const MAGIC = 0x534C534C; // "LSLS"
const VERSION = 4;
const HEADER_BYTES = 20;
/** Page tags: the values the core's pageKind() returns (assembly/index.ts), written as they come. */
const PAGE_ZERO = 0;
const PAGE_SAME = 1;
const PAGE_BYTES = 2;

export interface HostSnapshot extends HostIOState {
  config: MachineConfig & { ramMiB: number };
  modules: ModuleRecord[];
  schedule: ScheduledAction[];
  seq: number;
  halted?: Halt;
  inactive: InactiveFault[];
  resyncs: ResyncState[];
  nextResyncId: number;
  /** Checker verdicts stuck by faults (absent in snapshots older than checker faults). */
  checkers?: StuckVerdict[];
  /** Error histories of modules, for the diagnosis threshold. */
  errors?: ErrorHistory;
  /** Scrubber passes made so far (machine/ecc.ts). */
  scrubPasses: number;
  programLoaded: boolean;
  tohost: number;
  events: MachineEvent[];
}

/** Linear-memory ranges of the core that hold machine state outside RAM. */
function stateRanges(L: Layout): [number, number][] {
  return [[L.MACHINE, L.TRACE], [L.DIRTY, L.RAM_SLOTS]];
}

export function encodeSnapshot(
  core: Core, moduleCount: number, ramSize: number, host: HostSnapshot, inner?: ArrayBuffer,
): ArrayBuffer {
  const L = core.layout;
  const json = new TextEncoder().encode(JSON.stringify(host));
  const innerBytes = new Uint8Array(inner ?? new ArrayBuffer(0));
  const parts: Uint8Array[] = [];
  const header = new Uint32Array([MAGIC, VERSION, core.coreAbi, json.length, innerBytes.length]);
  parts.push(new Uint8Array(header.buffer), json, innerBytes);
  // Views of the core's memory, copied once by joined() before anything runs.
  for (const [from, to] of stateRanges(L)) parts.push(core.slice(from, to - from));
  const page = L.PAGE_SIZE;
  const base = (m: number) => L.RAM_SLOTS + m * ramSize;
  for (let m = 0; m < moduleCount; m++) {
    for (let offset = 0; offset < ramSize; offset += page) {
      const kind = core.pageKind(base(m) + offset, m > 0 ? base(0) + offset : 0, page);
      if (kind === PAGE_BYTES) parts.push(Uint8Array.of(PAGE_BYTES), core.slice(base(m) + offset, page));
      else parts.push(Uint8Array.of(kind));
    }
  }
  return joined(parts);
}

/** `parts` one after another in one buffer. */
function joined(parts: readonly Uint8Array[]): ArrayBuffer {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out.buffer;
}

/**
 * Module `module` of the machine `snapshot` recorded, as a simplex machine of its own: that
 * module's hart, dirty map and RAM, with the devices, consoles and host side they share, under
 * the same configuration but the topology. A machine whose online modules hold the same
 * state and carry no faults (a fault-free run, src/worker/twin.ts) goes on exactly as each
 * of them would, at a fraction of the work. What only faults and recovery leave (resyncs,
 * inactive faults, checkers' verdicts, error histories, the replay point) is not carried.
 * `layout`: the core's that took the snapshot; `edit`: the solo machine's host side from the
 * one carried (a fault-free twin's drops the fault plan: src/worker/twin.ts).
 */
export function soloSnapshot(snapshot: ArrayBuffer, module: number, layout: Layout, edit = (host: HostSnapshot) => host): ArrayBuffer {
  const L = layout;
  const { host } = decodeSnapshot(snapshot);
  if (!Number.isInteger(module) || module < 0 || module >= host.modules.length) throw new RangeError(`the snapshot's machine has no module ${module}`);
  const bytes = new Uint8Array(snapshot);
  const [, , , jsonLength, innerLength] = new Uint32Array(snapshot.slice(0, HEADER_BYTES));
  let at = HEADER_BYTES + jsonLength + innerLength;
  // The core state region, with module `module`'s hart block and dirty map in module 0's places.
  const [[machine, trace], [dirty, ramSlots]] = stateRanges(L);
  const region = bytes.slice(at, at + (trace - machine) + (ramSlots - dirty));
  at += region.length;
  const dirtyAt = trace - machine - dirty; // + a linear address in the second range
  const hart0 = new DataView(region.buffer, L.HARTS - machine);
  const own = [L.H_RAM, L.H_DIRTY].map((field) => [field, hart0.getUint32(field, true)] as const); // where module 0's RAM and dirty map lie
  region.copyWithin(L.HARTS - machine, L.HARTS - machine + module * L.HART_SIZE, L.HARTS - machine + (module + 1) * L.HART_SIZE);
  for (const [field, address] of own) hart0.setUint32(field, address, true);
  region.copyWithin(dirtyAt + L.DIRTY, dirtyAt + L.DIRTY + module * L.DIRTY_MAP_SIZE, dirtyAt + L.DIRTY + (module + 1) * L.DIRTY_MAP_SIZE);
  // The online mask and what else the core derives from the modules: the restore's (Machine.restoreDecoded).
  new DataView(region.buffer, L.MACHINE - machine).setUint32(L.M_MODULE_COUNT, 1, true);
  // The module's pages, each whole: one equal to module 0's is module 0's.
  const page = L.PAGE_SIZE;
  const pages = (host.config.ramMiB * 2 ** 20) / page;
  const first: (Uint8Array | undefined)[] = [];
  const ram: Uint8Array[] = [];
  for (let m = 0; m <= module; m++) {
    for (let p = 0; p < pages; p++) {
      const tag = bytes[at++];
      const content = tag === PAGE_BYTES ? bytes.subarray(at, at + page) : tag === PAGE_SAME ? first[p] : undefined;
      if (tag === PAGE_BYTES) at += page;
      if (m === 0) first[p] = content;
      if (m === module) ram.push(...(content ? [Uint8Array.of(PAGE_BYTES), content] : [Uint8Array.of(PAGE_ZERO)]));
    }
  }
  const record = host.modules[module];
  const solo: HostSnapshot = edit({
    ...host,
    config: { ...host.config, topology: 'simplex' },
    modules: [{ ...record, faults: [], persistent: false }],
    inactive: [], resyncs: [], checkers: [], errors: undefined,
  });
  const json = new TextEncoder().encode(JSON.stringify(solo));
  const header = new Uint32Array(snapshot.slice(0, HEADER_BYTES));
  header[3] = json.length;
  header[4] = 0;
  return joined([new Uint8Array(header.buffer), json, region, ...ram]);
}

/**
 * Reads a snapshot's host side and inner snapshot (if any); restoreCore() then writes its
 * core state into a fresh core of the same shape, and returns for each module whether its
 * RAM equals module 0's (what the page tags say, at no cost).
 */
export function decodeSnapshot(buffer: ArrayBuffer): { host: HostSnapshot; inner?: ArrayBuffer; restoreCore(core: Core): boolean[] } {
  const bytes = new Uint8Array(buffer);
  if (bytes.length < 8) throw new InputError('not a Lockstep Lab snapshot: too short');
  const [magic, version] = new Uint32Array(buffer.slice(0, 8));
  if (magic !== MAGIC) throw new InputError('not a Lockstep Lab snapshot (bad magic)');
  if (version !== VERSION) throw new InputError(`snapshot format ${version} is not supported (this build reads ${VERSION})`);
  if (bytes.length < HEADER_BYTES) throw new InputError('corrupt snapshot: too short');
  const [, , abi, jsonLength, innerLength] = new Uint32Array(buffer.slice(0, HEADER_BYTES));
  const host = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER_BYTES, HEADER_BYTES + jsonLength))) as HostSnapshot;
  const innerAt = HEADER_BYTES + jsonLength;
  return {
    host,
    inner: innerLength > 0 ? buffer.slice(innerAt, innerAt + innerLength) : undefined,
    restoreCore(core: Core) {
      if (abi !== core.coreAbi) throw new InputError(`snapshot of core ABI ${abi} cannot be restored into core ABI ${core.coreAbi}`);
      const L = core.layout;
      let at = innerAt + innerLength;
      for (const [from, to] of stateRanges(L)) {
        core.slice(from, to - from).set(bytes.subarray(at, at + (to - from)));
        at += to - from;
      }
      core.setU32(L.MACHINE + L.M_TRACE_LEN, 0);
      const ramSize = host.config.ramMiB * 2 ** 20;
      const page = L.PAGE_SIZE;
      const pages = ramSize / page;
      const firstZero = new Uint8Array(pages); // module 0's pages that are zero
      const likeFirst = host.modules.map(() => true);
      for (let m = 0; m < host.modules.length; m++) {
        for (let p = 0; p < pages; p++) {
          const target = core.slice(L.RAM_SLOTS + m * ramSize + p * page, page);
          const tag = bytes[at++];
          if (tag === PAGE_ZERO) target.fill(0);
          else if (tag === PAGE_SAME) target.set(core.slice(L.RAM_SLOTS + p * page, page));
          else if (tag === PAGE_BYTES) { target.set(bytes.subarray(at, at + page)); at += page; }
          else throw new InputError('corrupt snapshot: bad page tag');
          // The encoder tags a zero page PAGE_ZERO first, and a page equal to module 0's PAGE_SAME.
          if (m === 0) firstZero[p] = tag === PAGE_ZERO ? 1 : 0;
          else if (tag === PAGE_BYTES || (tag === PAGE_ZERO && firstZero[p] === 0)) likeFirst[m] = false;
        }
      }
      return likeFirst;
    },
  };
}
