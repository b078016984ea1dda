/**
 * Traps that end a run: a trap taken while the program has installed no handler (mtvec = 0)
 * stops the machine, reported from the trap CSRs as the RISC-V privileged spec names the
 * causes.
 */
import { knownCsr } from '../isa/csr.ts';
import { hex32 } from './records.ts';

/** Exception causes by mcause code (privileged spec, table 3.6). */
const TRAP_NAMES = [
  'instruction address misaligned', 'instruction access fault', 'illegal instruction', 'breakpoint',
  'load address misaligned', 'load access fault', 'store address misaligned', 'store access fault',
  'environment call from U-mode', '', '', 'environment call from M-mode',
];

export function trapName(cause: number): string {
  return TRAP_NAMES[cause] || `exception ${cause}`;
}

const [MEPC, MCAUSE, MTVAL] = ['mepc', 'mcause', 'mtval'].map(knownCsr);

/** The trap a module took without a handler, read from its trap CSRs (`csr` reads one by number), and one line for people. */
export function unhandledTrap(csr: (num: number) => number | undefined): { cause: number; pc: number; tval: number; message: string } {
  const cause = csr(MCAUSE) ?? 0;
  const pc = csr(MEPC) ?? 0;
  const tval = csr(MTVAL) ?? 0;
  return { cause, pc, tval, message: `unhandled ${trapName(cause)} at pc ${hex32(pc)} (mtval ${hex32(tval)}): the program installed no trap handler (mtvec = 0)` };
}
