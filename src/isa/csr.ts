/**
 * CSR names and numbers (RISC-V privileged ISA, version 20211203, Tables 2.2–2.6; the
 * debug specification 0.13 for the trigger and debug-mode CSRs). The assembler accepts every
 * name here; the disassembler prints the name for a known number and `0x…` otherwise, as
 * objdump does.
 */

const CSR_TABLE: Array<[string, number]> = [
  // Unprivileged floating-point and counter/timer CSRs.
  ['fflags', 0x001], ['frm', 0x002], ['fcsr', 0x003],
  ['cycle', 0xc00], ['time', 0xc01], ['instret', 0xc02],
  ['cycleh', 0xc80], ['timeh', 0xc81], ['instreth', 0xc82],
  // Supervisor-level CSRs.
  ['sstatus', 0x100], ['sie', 0x104], ['stvec', 0x105], ['scounteren', 0x106],
  ['senvcfg', 0x10a], ['sscratch', 0x140], ['sepc', 0x141], ['scause', 0x142],
  ['stval', 0x143], ['sip', 0x144], ['satp', 0x180], ['scontext', 0x5a8],
  // Machine information, trap setup and trap handling.
  ['mvendorid', 0xf11], ['marchid', 0xf12], ['mimpid', 0xf13], ['mhartid', 0xf14],
  ['mconfigptr', 0xf15],
  ['mstatus', 0x300], ['misa', 0x301], ['medeleg', 0x302], ['mideleg', 0x303],
  ['mie', 0x304], ['mtvec', 0x305], ['mcounteren', 0x306], ['menvcfg', 0x30a],
  ['mstatush', 0x310], ['menvcfgh', 0x31a], ['mcountinhibit', 0x320],
  ['mscratch', 0x340], ['mepc', 0x341], ['mcause', 0x342], ['mtval', 0x343],
  ['mip', 0x344], ['mtinst', 0x34a], ['mtval2', 0x34b],
  ['mseccfg', 0x747], ['mseccfgh', 0x757],
  // Machine counters.
  ['mcycle', 0xb00], ['minstret', 0xb02], ['mcycleh', 0xb80], ['minstreth', 0xb82],
  // Debug and trigger CSRs.
  ['tselect', 0x7a0], ['tdata1', 0x7a1], ['tdata2', 0x7a2], ['tdata3', 0x7a3],
  ['mcontext', 0x7a8], ['dcsr', 0x7b0], ['dpc', 0x7b1], ['dscratch0', 0x7b2],
  ['dscratch1', 0x7b3],
];
for (let n = 3; n <= 31; n++) {
  CSR_TABLE.push(
    [`hpmcounter${n}`, 0xc00 + n], [`hpmcounter${n}h`, 0xc80 + n],
    [`mhpmcounter${n}`, 0xb00 + n], [`mhpmcounter${n}h`, 0xb80 + n],
    [`mhpmevent${n}`, 0x320 + n],
  );
}
for (let n = 0; n < 16; n++) CSR_TABLE.push([`pmpcfg${n}`, 0x3a0 + n]);
for (let n = 0; n < 64; n++) CSR_TABLE.push([`pmpaddr${n}`, 0x3b0 + n]);

const csrByName = new Map<string, number>(CSR_TABLE);
const csrByNumber = new Map<number, string>(CSR_TABLE.map(([name, number]) => [number, name]));

/** Every CSR name, for suggestions. */
export const CSR_NAMES: readonly string[] = CSR_TABLE.map(([name]) => name);

/** The 12-bit CSR number for a CSR name, or undefined. */
export function csrNumber(name: string): number | undefined {
  return csrByName.get(name);
}

/** The number of a CSR our own code names: throws an Error for a name the table lacks (a typo of ours, not of a user's). */
export function knownCsr(name: string): number {
  const number = csrByName.get(name);
  if (number === undefined) throw new Error(`no CSR is named '${name}'`);
  return number;
}

/** The CSR name for a 12-bit CSR number, or undefined if it has none here. */
export function csrName(number: number): string | undefined {
  return csrByNumber.get(number);
}
