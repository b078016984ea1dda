/**
 * Instruction traces in Spike's commit-log format, so they diff against Spike and other
 * tools: one line per retired instruction of the reference module,
 *
 *   core   0: 3 0x80000124 (0x00a28293) x5  0x00000040
 *   core   0: 3 0x80000128 (0x00b52023) mem 0x80001000 0x00000040
 *   core   0: 3 0x8000012c (0x00052283) x5  0x00000001 mem 0x80001000
 *
 * (privilege, pc, instruction, register written, memory access), for an exception
 *
 *   core   0: exception trap_illegal_instruction, epc 0x80000130
 *   core   0:           tval 0x00000000
 *
 * and for an interrupt taken before the instruction at epc (Spike names it by its mcause
 * code, riscv/trap.cc trap_t::name(), and prints no tval for it)
 *
 *   core   0: exception interrupt #7, epc 0x80000140
 */
import type { Core } from './core.ts';
import { decodeRecord, hex32, type RetireRecord } from './records.ts';

/**
 * One trace entry: a retire record, the privilege it executed in, and its number; or an
 * interrupt (`interrupt` set), taken before instruction `instret` at `record.pc` in
 * `privilege`, going to the handler at `record.npc`.
 */
export interface TraceEntry {
  record: RetireRecord;
  privilege: number;
  instret: number;
  /** The interrupt's number (mcause without the interrupt bit): 3 software, 7 timer, 11 external. */
  interrupt?: number;
}

/** Spike's names for the exception causes (riscv/encoding.h CAUSE_*). */
const SPIKE_CAUSES = [
  'trap_instruction_address_misaligned', 'trap_instruction_access_fault', 'trap_illegal_instruction',
  'trap_breakpoint', 'trap_load_address_misaligned', 'trap_load_access_fault',
  'trap_store_address_misaligned', 'trap_store_access_fault', 'trap_user_ecall', 'trap_supervisor_ecall',
  'trap_virtual_supervisor_ecall', 'trap_machine_ecall',
];

/** Reads the `count` entries of the core's trace ring. */
export function readTrace(core: Core, count: number): TraceEntry[] {
  const L = core.layout;
  const entries: TraceEntry[] = [];
  for (let k = 0; k < count; k++) {
    const at = L.TRACE + k * L.TRACE_RECORD_SIZE;
    const entry: TraceEntry = {
      record: decodeRecord(core, at),
      privilege: core.u32(at + L.T_PRIV),
      instret: core.count(at + L.T_INSTRET),
    };
    const cause = core.u32(at + L.T_CAUSE);
    if (cause !== 0) entry.interrupt = cause & 0x7FFF_FFFF;
    entries.push(entry);
  }
  return entries;
}

const hexWidth = (v: number, bytes: number) => `0x${(v >>> 0).toString(16).padStart(bytes * 2, '0')}`;

/** The commit-log line(s) for one entry of module `core` (Spike's hart number). */
export function formatTraceEntry(entry: TraceEntry, hart = 0): string {
  const r = entry.record;
  const prefix = `core ${String(hart).padStart(3)}:`;
  if (entry.interrupt !== undefined) return `${prefix} exception interrupt #${entry.interrupt}, epc ${hex32(r.pc)}`;
  if (r.trap !== undefined) {
    const name = r.trap === 'announce' ? 'machine_check (module announced an error)' : SPIKE_CAUSES[r.trap] ?? `trap_${r.trap}`;
    return `${prefix} exception ${name}, epc ${hex32(r.pc)}\n${prefix}           tval ${hex32(r.addr)}`;
  }
  let line = `${prefix} ${entry.privilege} ${hex32(r.pc)} (${hex32(r.insn)})`;
  if (r.rd !== 0) line += ` x${String(r.rd).padEnd(2)} ${hex32(r.value)}`;
  if (r.store) line += ` mem ${hex32(r.addr)} ${hexWidth(r.data, r.width)}`;
  else if (r.load) line += ` mem ${hex32(r.addr)}`;
  return line;
}

/** The core's trace ring as a machine records it: drained into a sink, in order (Machine.setTrace). */
export class TraceTap {
  private sink?: (entries: TraceEntry[]) => void;

  constructor(private readonly core: Core) {}

  /** Sends what the ring holds to the sink in force, then records into `sink` (undefined: off). */
  set(sink: ((entries: TraceEntry[]) => void) | undefined): void {
    this.drain();
    this.sink = sink;
    this.tellCore();
  }

  /** Tells the core whether to record (a fresh or restored core). */
  tellCore(): void {
    const L = this.core.layout;
    this.core.setU32(L.MACHINE + L.M_TRACE_ON, this.sink ? 1 : 0);
  }

  /** Sends what the ring holds to the sink and empties it. */
  drain(): void {
    const L = this.core.layout;
    const count = this.core.u32(L.MACHINE + L.M_TRACE_LEN);
    if (count === 0) return;
    this.sink?.(readTrace(this.core, count));
    this.core.setU32(L.MACHINE + L.M_TRACE_LEN, 0);
  }
}
