/**
 * Retire records as the host reads them (the layout and contract are in
 * assembly/layout.ts, H_RETIRE), and how two of them differ, in words.
 */
import type { Core } from './core.ts';

export interface RetireRecord {
  pc: number;
  insn: number;
  /** Destination register written, 0 = none. */
  rd: number;
  value: number;
  /** Access width in bytes (0 = no memory access). */
  width: number;
  load: boolean;
  store: boolean;
  /** The access went to a device. */
  device: boolean;
  hostcall: boolean;
  /** Exception cause, or undefined; 'announce' when the module announced a local error. */
  trap: number | 'announce' | undefined;
  addr: number;
  data: number;
  /** pc after the instruction. */
  npc: number;
}

/** Decodes the retire record at linear address `at`. */
export function decodeRecord(core: Core, at: number): RetireRecord {
  const L = core.layout;
  const kind = core.u32(at + L.R_KIND);
  const trapField = (kind >>> L.K_TRAP_SHIFT) & 0xFF;
  return {
    pc: core.u32(at + L.R_PC),
    insn: core.u32(at + L.R_INSN),
    rd: kind & L.K_RD_MASK,
    value: core.u32(at + L.R_VALUE),
    width: (kind >>> L.K_WIDTH_SHIFT) & 7,
    load: (kind & L.K_LOAD) !== 0,
    store: (kind & L.K_STORE) !== 0,
    device: (kind & L.K_DEVICE) !== 0,
    hostcall: (kind & L.K_HOSTCALL) !== 0,
    trap: trapField === 0 ? undefined : trapField === L.TRAP_ANNOUNCE ? 'announce' : trapField - 1,
    addr: core.u32(at + L.R_ADDR),
    data: core.u32(at + L.R_DATA),
    npc: core.u32(at + L.R_NPC),
  };
}

/** Module `m`'s record of its last instruction. */
export function moduleRecord(core: Core, m: number): RetireRecord {
  return decodeRecord(core, core.hart(m) + core.layout.H_RETIRE);
}

/** A key equal for two records iff the comparator would find them equal. */
export function recordKey(core: Core, m: number): string {
  const r = core.hart(m) + core.layout.H_RETIRE;
  const words = [];
  for (let k = 0; k < core.layout.RETIRE_SIZE; k += 4) words.push(core.u32(r + k));
  return words.join(',');
}

export const hex32 = (v: number): string => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** The first field in which `actual` differs from `expected`, with both values, in words. */
export interface Difference {
  field: string;
  expected: string;
  actual: string;
  /** The words before each side's value: "module 1 wrote x5 = 0x00000040, module 0 wrote 0x00000048". */
  verb: string;
  verbAgain: string;
}

export function recordDifference(expected: RetireRecord, actual: RetireRecord): Difference | undefined {
  const d = (field: string, e: string, a: string, verb: string, verbAgain = verb): Difference =>
    ({ field, expected: e, actual: a, verb, verbAgain });
  const trap = (r: RetireRecord) => (r.trap === undefined ? 'none' : r.trap === 'announce' ? 'announced error' : `cause ${r.trap}`);
  const access = (r: RetireRecord) => (r.store ? `store of ${r.width}` : r.load ? `load of ${r.width}` : 'no access') + (r.device ? ' (device)' : '');
  if (expected.pc !== actual.pc) return d('pc', hex32(expected.pc), hex32(actual.pc), 'executed at');
  if (expected.insn !== actual.insn) return d('instruction', hex32(expected.insn), hex32(actual.insn), 'fetched');
  if (expected.trap !== actual.trap) return d('trap', trap(expected), trap(actual), 'trapped with');
  if (expected.rd !== actual.rd) return d('rd', `x${expected.rd}`, `x${actual.rd}`, 'wrote');
  if (expected.value !== actual.value) return d(`x${actual.rd}`, hex32(expected.value), hex32(actual.value), `wrote x${actual.rd} =`, 'wrote');
  if (expected.store !== actual.store || expected.load !== actual.load || expected.width !== actual.width || expected.device !== actual.device) {
    return d('access', access(expected), access(actual), 'made a');
  }
  if (expected.addr !== actual.addr) return d('address', hex32(expected.addr), hex32(actual.addr), actual.store ? 'stored to' : 'loaded from');
  if (expected.data !== actual.data) {
    const at = hex32(actual.addr);
    return actual.store
      ? d('store data', hex32(expected.data), hex32(actual.data), `stored at ${at}`, 'stored')
      : d('load data', hex32(expected.data), hex32(actual.data), `loaded from ${at}`, 'loaded');
  }
  if (expected.npc !== actual.npc) return d('next pc', hex32(expected.npc), hex32(actual.npc), 'went on to');
  return undefined;
}
