/**
 * A module's architectural state as the page's views show it: what the machine's worker
 * reads of its own modules and the fault-free runs' workers (fault-free.ts) read of theirs.
 */
import type { Machine } from '../machine/machine.ts';
import { knownCsr } from '../isa/csr.ts';

/** CSRs every view carries, by name. */
export const VIEW_CSRS: ReadonlyArray<readonly [string, number]> = ['mstatus', 'mie', 'mtvec', 'mscratch', 'mepc', 'mcause', 'mtval', 'mip']
  .map((name) => [name, knownCsr(name)] as const);

/** A module's architectural state as views show it. */
export interface Architectural {
  pc: number;
  privilege: number;
  /** x0..x31. */
  regs: number[];
  csrs: Record<string, number>;
}

/** Module `k` of `m`: pc, privilege, x0..x31 and the CSRs every view carries. */
export function architectural(m: Machine, k: number): Architectural {
  return {
    pc: m.pc(k),
    privilege: m.privilege(k),
    regs: Array.from({ length: 32 }, (_, n) => m.reg(k, n)),
    csrs: Object.fromEntries(VIEW_CSRS.map(([name, num]) => [name, m.csr(k, num) ?? 0])),
  };
}
