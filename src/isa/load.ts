/**
 * A program from the bytes of a file, whatever its kind: an ELF executable, assembly source
 * (`.s`, `.S`, `.asm`) or a flat binary (`.bin`, loaded at the start of RAM). Used by the
 * CLI and by the browser when a user opens a file.
 */
import { assemble, nothingToRun } from './assembler/assemble.ts';
import { formatDiagnostics } from './diagnostics.ts';
import { compressedWarning, flatProgram, parseElf } from './elf.ts';
import { ProgramError, type Program } from './program.ts';

export type ProgramFormat = 'elf' | 'asm' | 'bin';
export const PROGRAM_FORMATS: readonly ProgramFormat[] = ['elf', 'asm', 'bin'];

/** The format a file name implies: assembly and binaries by extension, anything else must be ELF. */
export function formatOf(name: string): ProgramFormat {
  if (/\.(s|S|asm)$/.test(name)) return 'asm';
  if (/\.bin$/i.test(name)) return 'bin';
  return 'elf';
}

/**
 * Where assembler warnings go, as compiler-style text (`prog.s:3:5: warning: ...`, the source
 * line and a caret line, newline-terminated).
 */
export type WarningSink = (text: string) => void;

/**
 * Loads `bytes` read from the file `name`; bad input throws ProgramError naming the file.
 * Warnings (assembly's, and an ELF that may hold compressed instructions) go to `warn` (by
 * default nowhere: the CLI prints them, the browser shows the assembler's diagnostics in its
 * editor).
 */
export function loadProgram(bytes: Uint8Array, name: string, format: ProgramFormat = formatOf(name), warn: WarningSink = () => {}): Program {
  switch (format) {
    case 'asm': {
      const result = assemble(new TextDecoder().decode(bytes), { file: name });
      if (!result.program) throw new ProgramError(formatDiagnostics(result.diagnostics).trimEnd());
      const empty = nothingToRun(result, name);
      if (empty) throw new ProgramError(formatDiagnostics([...result.diagnostics, empty]).trimEnd());
      if (result.diagnostics.length > 0) warn(`${formatDiagnostics(result.diagnostics)}\n`);
      return result.program;
    }
    case 'bin':
      try {
        return flatProgram(bytes);
      } catch (error) {
        if (error instanceof ProgramError) throw new ProgramError(`${name}: ${error.message}`);
        throw error;
      }
    case 'elf': {
      const isElf = bytes.length >= 4 && bytes[0] === 0x7F && bytes[1] === 0x45 && bytes[2] === 0x4C && bytes[3] === 0x46;
      if (!isElf) {
        throw new ProgramError(
          `${name}: not an ELF file; give assembly source a .s name, or load a raw binary with a .bin name (or --format bin)`,
        );
      }
      let elf;
      try {
        elf = parseElf(bytes);
      } catch (error) {
        if (error instanceof ProgramError) throw new ProgramError(`${name}: ${error.message}`);
        throw error;
      }
      const warning = compressedWarning(elf.compressedFlags);
      if (warning !== undefined) warn(`${name}: ${warning}\n`);
      return elf.program;
    }
  }
}
