/**
 * Applying a fault to one module of a core (DESIGN §5), at the instruction boundary the
 * machine stopped at. Transient faults change state once; persistent ones (stuck bits, ECC
 * poison) also arm masks that the core's instrumented loop re-applies (assembly/fault/).
 */
import type { Core } from '../machine/core.ts';
import { type Topology, moduleCount, boardCount, modulesOfBoard } from '../machine/topology.ts';
import { checkerOf } from '../machine/checkers.ts';
import { type Fault, type FaultSite, formatFault, describeTarget, isCheckerKind, faultBits } from './spec.ts';
import { csrNumber } from '../isa/csr.ts';

/** Counters a flip may hit: mcycle and minstret (their user aliases and high halves are the same registers). */
const COUNTERS = new Set(['mcycle', 'minstret', 'mcycleh', 'minstreth', 'cycle', 'instret', 'cycleh', 'instreth'].map((n) => csrNumber(n)!));

export interface FaultContext {
  topology: Topology;
  ramBase: number;
  ramSize: number;
  /** Whether a CSR is a register of its own in the hart (assembly: csrHasStorage). */
  csrHasStorage: (num: number) => boolean;
}

/** The modules a fault lands on: one, a board's, or (`module=all`) every module of `topology`. */
export function faultModules(site: FaultSite, topology: Topology): number[] {
  if ('board' in site) return modulesOfBoard(topology, site.board);
  if ('all' in site) return Array.from({ length: moduleCount(topology) }, (_, m) => m);
  return [site.module];
}

/** Returns a message naming what is wrong with `fault` on this machine, or undefined. */
export function checkFault(fault: Fault, ctx: FaultContext): string | undefined {
  const spec = formatFault(fault);
  const onChecker = fault.target?.type === 'checker';
  if (isCheckerKind(fault.kind) !== onChecker || (onChecker && !('board' in fault))) {
    return `fault '${spec}': stuck-agree and stuck-disagree are the faults of a checker, on board=B with target=comparator or target=voter, and only they`;
  }
  if (fault.target?.type === 'checker') {
    const checker = checkerOf(ctx.topology);
    if (!checker) return `fault '${spec}': simplex has no comparator or voter (nothing checks it): checker faults need dmr, pair-spare or tmr`;
    if (checker !== fault.target.checker) {
      return `fault '${spec}': ${ctx.topology} ${checker === 'voter' ? 'votes' : 'compares'}: use target=${checker}`;
    }
  }
  if ('board' in fault) {
    const boards = boardCount(ctx.topology);
    if (fault.board >= boards) return `fault '${spec}': board ${fault.board} does not exist: ${ctx.topology} has ${boards === 1 ? 'board 0' : `boards 0..${boards - 1}`}`;
  } else if (!('all' in fault)) {
    const modules = moduleCount(ctx.topology);
    if (fault.module >= modules) return `fault '${spec}': module ${fault.module} does not exist: ${ctx.topology} has ${modules === 1 ? 'module 0' : `modules 0..${modules - 1}`}`;
  }
  const target = fault.target;
  if (!target) return undefined;
  switch (target.type) {
    case 'mem': {
      const end = ctx.ramBase + ctx.ramSize;
      if (target.addr < ctx.ramBase || target.addr + 4 > end) {
        return `fault '${spec}': address 0x${target.addr.toString(16)} is outside RAM 0x${ctx.ramBase.toString(16)}..0x${(end - 1).toString(16)}`;
      }
      return undefined;
    }
    case 'pc':
      if (faultBits(fault).some((bit) => bit < 2)) return `fault '${spec}': pc bits 0 and 1 do not exist (instructions are word-aligned without the C extension): use bit 2..31`;
      return undefined;
    case 'csr': {
      const name = describeTarget(target);
      if (fault.kind === 'flip' && !ctx.csrHasStorage(target.csr) && !COUNTERS.has(target.csr)) {
        return `fault '${spec}': ${name} holds no state of its own in a module (a constant or a device register): pick a CSR such as mepc, mtvec, mstatus or mcycle`;
      }
      if ((fault.kind === 'stuck0' || fault.kind === 'stuck1') && !ctx.csrHasStorage(target.csr)) {
        return `fault '${spec}': stuck bits need a CSR register of its own (mstatus, mie, mtvec, mcounteren, mscratch, mepc, mcause, mtval), not ${name}`;
      }
      return undefined;
    }
    default:
      return undefined;
  }
}

/**
 * Returns a message if the persistent faults of `planned` (the plan so far and the new
 * fault last) would need more slots of a module's hart block than it has: RAM words that
 * carry stuck bits or ECC errors (with ECC, upsets too: an upset's word keeps its check
 * bits), and CSRs that carry stuck bits.
 */
export function checkFaultSlots(planned: readonly Fault[], core: Core, topology: Topology, eccSlotsUpsets: boolean): string | undefined {
  const L = core.layout;
  const fault = planned[planned.length - 1];
  for (const m of faultModules(fault, topology)) {
    const onModule = planned.filter((f) => faultModules(f, topology).includes(m));
    const slotted = (f: Fault) => f.kind !== 'flip' || eccSlotsUpsets;
    const words = new Set(onModule.flatMap((f) => (f.target?.type === 'mem' && slotted(f) ? [f.target.addr] : [])));
    const csrs = new Set(onModule.flatMap((f) => (f.target?.type === 'csr' && f.kind !== 'flip' ? [f.target.csr] : [])));
    if (words.size > L.MEM_FAULT_SLOTS) return `fault '${formatFault(fault)}': at most ${L.MEM_FAULT_SLOTS} RAM words per module can carry stuck bits or ECC errors${eccSlotsUpsets ? ' (with ECC secded, upsets too)' : ''}`;
    if (csrs.size > L.CSR_FAULT_SLOTS) return `fault '${formatFault(fault)}': at most ${L.CSR_FAULT_SLOTS} CSRs per module can carry stuck bits`;
  }
  return undefined;
}

/**
 * Whether module `m` carries a persistent fault the core must re-apply (stuck bits, poisoned
 * registers, a pending result flip, RAM words with stuck bits or ECC errors): it then runs
 * in the instrumented loop.
 */
export function carriesPersistentFault(core: Core, m: number): boolean {
  const L = core.layout;
  const h = core.hart(m);
  if (core.u32(h + L.H_RESULT_XOR) !== 0) return true;
  if (core.u32(h + L.H_RESULT_AND) !== 0xFFFF_FFFF || core.u32(h + L.H_RESULT_OR) !== 0) return true;
  if (core.u32(h + L.H_PC_AND) !== 0xFFFF_FFFF || core.u32(h + L.H_PC_OR) !== 0) return true;
  if (core.u32(h + L.H_POISON_REGS) !== 0) return true;
  for (let r = 0; r < 32; r++) {
    if (core.u32(h + L.H_REG_AND + 4 * r) !== 0xFFFF_FFFF || core.u32(h + L.H_REG_OR + 4 * r) !== 0) return true;
  }
  for (let k = 0; k < L.MEM_FAULT_SLOTS; k++) {
    if (core.u32(h + L.H_MEM_FAULTS + k * L.MEM_FAULT_SIZE + L.MF_OFFSET) !== L.MEM_FAULT_NONE) return true;
  }
  return false;
}

/**
 * After the host wrote module `m`'s whole process context — registers, pc, CSRs — from
 * outside its pipeline (a checkpoint restored into a standby, src/machine/context.ts): every
 * register written has fresh parity, so its parity error (kind=ecc) is gone, and the stuck
 * bits of the registers, the pc and the CSRs force their values again, as after a write by
 * an instruction. The hardware's faults stay; the upsets it held are overwritten.
 */
export function rewriteContext(core: Core, m: number): void {
  const L = core.layout;
  const h = core.hart(m);
  const force = (at: number, andAt: number, orAt: number) => core.setU32(at, ((core.u32(at) & core.u32(andAt)) | core.u32(orAt)) >>> 0);
  core.setU32(h + L.H_POISON_REGS, 0);
  for (let r = 1; r < 32; r++) force(h + L.H_X + 4 * r, h + L.H_REG_AND + 4 * r, h + L.H_REG_OR + 4 * r);
  force(h + L.H_PC, h + L.H_PC_AND, h + L.H_PC_OR);
  for (let k = 0; k < L.CSR_FAULT_SLOTS; k++) {
    const entry = h + L.H_CSR_FAULTS + k * L.CSR_FAULT_SIZE;
    const csr = core.u32(entry);
    if (csr === 0) continue;
    core.csrPoke(m, csr, (((core.csrPeek(m, csr) ?? 0) & core.u32(entry + 4)) | core.u32(entry + 8)) >>> 0);
  }
}

/** What the machine must do after applying a fault. */
export interface FaultEffects {
  /** The module died. */
  kill?: boolean;
  /** The fault lasts one instruction (a flipped result): clear it after the next one. */
  oneShot?: boolean;
}

/**
 * Applies `fault` (already checked; a module's fault, not a checker's) to module `m`.
 * Persistent masks accumulate with earlier faults; the bits of a multi-bit fault are applied
 * together, as one mask.
 */
export function applyFault(core: Core, m: number, fault: Fault, ramSize: number): FaultEffects {
  const L = core.layout;
  const h = core.hart(m);
  if (fault.kind === 'kill') return { kill: true };
  const target = fault.target!;
  if (target.type === 'checker') throw new Error(`applyFault: '${formatFault(fault)}' is a checker's fault, not a module's`);
  const mask = faultBits(fault).reduce((bits, bit) => (bits | (1 << bit)) >>> 0, 0);
  const stuck = fault.kind === 'stuck0' || fault.kind === 'stuck1';
  /** Forces the stuck bit into a value. */
  const force = (v: number) => (fault.kind === 'stuck0' ? v & ~mask : v | mask) >>> 0;
  /** Adds the stuck bit to an AND/OR mask pair at linear addresses. */
  const arm = (andAt: number, orAt: number) => {
    if (fault.kind === 'stuck0') {
      core.setU32(andAt, core.u32(andAt) & ~mask);
      core.setU32(orAt, core.u32(orAt) & ~mask);
    } else {
      core.setU32(orAt, core.u32(orAt) | mask);
    }
  };
  switch (target.type) {
    case 'reg': {
      const at = h + L.H_X + 4 * target.reg;
      if (stuck) {
        arm(h + L.H_REG_AND + 4 * target.reg, h + L.H_REG_OR + 4 * target.reg);
        core.setU32(at, force(core.u32(at)));
      } else {
        core.setU32(at, core.u32(at) ^ mask);
        if (fault.kind === 'ecc') core.setU32(h + L.H_POISON_REGS, core.u32(h + L.H_POISON_REGS) | (1 << target.reg));
      }
      return {};
    }
    case 'pc': {
      const at = h + L.H_PC;
      if (stuck) {
        arm(h + L.H_PC_AND, h + L.H_PC_OR);
        core.setU32(at, force(core.u32(at)));
      } else {
        core.setU32(at, core.u32(at) ^ mask);
      }
      return {};
    }
    case 'csr': {
      const value = core.csrPeek(m, target.csr) ?? 0;
      if (stuck) {
        const slot = csrSlot(core, h, target.csr);
        arm(slot + 4, slot + 8);
        core.csrPoke(m, target.csr, force(value));
      } else {
        core.csrPoke(m, target.csr, (value ^ mask) >>> 0);
      }
      return {};
    }
    case 'mem': {
      const offset = target.addr - L.RAM_BASE;
      const at = L.RAM_SLOTS + m * ramSize + offset;
      // With SEC-DED check bits every upset needs a slot: it keeps the word's check bits.
      const secded = core.u32(L.MACHINE + L.M_ECC) === L.ECC_SECDED;
      const entry = stuck || fault.kind === 'ecc' || secded ? memSlot(core, h, offset, at) : undefined;
      if (stuck) {
        arm(entry! + L.MF_AND, entry! + L.MF_OR);
        core.setU32(at, force(core.u32(at)));
      } else {
        core.setU32(at, core.u32(at) ^ mask);
        if (fault.kind === 'ecc') core.setU32(entry! + L.MF_POISON, 1);
      }
      return {};
    }
    case 'result': {
      if (stuck) {
        arm(h + L.H_RESULT_AND, h + L.H_RESULT_OR);
        return {};
      }
      core.setU32(h + L.H_RESULT_XOR, core.u32(h + L.H_RESULT_XOR) ^ mask);
      return { oneShot: true };
    }
  }
}

/** The CSR fault slot for `csr` in hart `h` (reused, or a free one set to identity masks). */
function csrSlot(core: Core, h: number, csr: number): number {
  const L = core.layout;
  let free = -1;
  for (let k = 0; k < L.CSR_FAULT_SLOTS; k++) {
    const entry = h + L.H_CSR_FAULTS + k * L.CSR_FAULT_SIZE;
    const num = core.u32(entry);
    if (num === csr) return entry;
    if (num === 0 && free < 0) free = entry;
  }
  if (free < 0) throw new RangeError(`too many CSRs with stuck bits on one module (at most ${L.CSR_FAULT_SLOTS})`);
  core.setU32(free, csr);
  core.setU32(free + 4, 0xFFFF_FFFF);
  core.setU32(free + 8, 0);
  return free;
}

/**
 * The RAM fault slot for the word at RAM offset `offset` (linear address `at`) in hart `h`.
 * A new slot takes the word's check bits as they are (assembly/fault/ecc.ts: a word
 * without a slot holds exactly the data they encode), before the fault changes it.
 */
function memSlot(core: Core, h: number, offset: number, at: number): number {
  const L = core.layout;
  let free = -1;
  for (let k = 0; k < L.MEM_FAULT_SLOTS; k++) {
    const entry = h + L.H_MEM_FAULTS + k * L.MEM_FAULT_SIZE;
    const word = core.u32(entry + L.MF_OFFSET);
    if (word === offset) return entry;
    if (word === L.MEM_FAULT_NONE && free < 0) free = entry;
  }
  if (free < 0) throw new RangeError(`too many faulty RAM words on one module (at most ${L.MEM_FAULT_SLOTS})`);
  core.setU32(free + L.MF_OFFSET, offset);
  core.setU32(free + L.MF_AND, 0xFFFF_FFFF);
  core.setU32(free + L.MF_OR, 0);
  core.setU32(free + L.MF_POISON, 0);
  core.setU32(free + L.MF_CHECK, core.secdedEncode(core.u32(at))); // no report pending or made
  return free;
}
