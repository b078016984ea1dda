/**
 * Whether a program can be loaded into a machine's RAM: every segment inside it, and an entry
 * point that is a word-aligned address among the program's loaded bytes.
 */
import { ProgramError, type Program } from '../isa/program.ts';
import { hex32 } from './records.ts';

/** Checks `program` against RAM [ramBase, ramEnd); returns the end of its highest segment. Throws ProgramError naming the problem. */
export function checkPlacement(program: Program, ramBase: number, ramEnd: number): number {
  let highest = ramBase;
  for (const s of program.segments) {
    const end = s.address + s.memSize;
    if (s.address < ramBase || end > ramEnd) {
      throw new ProgramError(
        `segment at ${hex32(s.address)}..${hex32(end - 1)} (${s.memSize} bytes) lies outside RAM ${hex32(ramBase)}..${hex32(ramEnd - 1)}` +
        (s.address >= ramBase ? `: give the machine more RAM (--ram MiB, up to 64)` : `: link the program at ${hex32(ramBase)}`),
      );
    }
    highest = Math.max(highest, end);
  }
  if (program.entry < ramBase || program.entry >= ramEnd || program.entry % 4 !== 0) {
    throw new ProgramError(`entry point ${hex32(program.entry)} is not a word-aligned address in RAM ${hex32(ramBase)}..${hex32(ramEnd - 1)}`);
  }
  if (!program.segments.some((s) => program.entry >= s.address && program.entry < s.address + s.bytes.length)) {
    throw new ProgramError(`nothing to run: the entry point ${hex32(program.entry)} is not in any of the program's loaded bytes (is the program empty?)`);
  }
  return highest;
}
