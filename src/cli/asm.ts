/** `lockstep asm FILE.s -o FILE.elf` and `lockstep disasm FILE.elf`. */
import { assemble, disassembleListing, formatDiagnostics, nothingToRun, writeElf } from '../isa/index.ts';
import { ProgramError } from '../isa/program.ts';
import { DiagnosticsError, UsageError } from './errors.ts';
import { checkOutputPath, err, out, readInputFile as readFile, writeWholeFile } from './io.ts';
import { parseAddress } from './numbers.ts';

export interface AsmOptions {
  output?: string;
  textBase?: string;
  dataBase?: string;
}

/** Assembles `path` into an ELF executable; warnings go to stderr, errors make it fail. */
export function asmCommand(path: string, options: AsmOptions): number {
  const source = new TextDecoder().decode(readFile(path));
  const result = assemble(source, {
    file: path,
    textBase: options.textBase === undefined ? undefined : parseAddress(options.textBase, '--text-base'),
    dataBase: options.dataBase === undefined ? undefined : parseAddress(options.dataBase, '--data-base'),
  });
  const empty = result.ok ? nothingToRun(result, path) : undefined;
  if (!result.ok || empty) throw new DiagnosticsError(formatDiagnostics([...result.diagnostics, ...(empty ? [empty] : [])]).trimEnd());
  if (result.diagnostics.length > 0) err(`${formatDiagnostics(result.diagnostics)}\n`);
  const output = options.output ?? path.replace(/\.(s|S|asm)$/, '') + '.elf';
  if (output === path) throw new UsageError(`refusing to overwrite the source ${path}: give an output name with -o`);
  const what = `the executable to ${output}`;
  checkOutputPath(output, what);
  // Runnable, as linkers leave executables (QEMU user mode needs it).
  writeWholeFile(output, writeElf(result), what, 0o755);
  return 0;
}

export function disasmCommand(path: string): number {
  let listing: string;
  try {
    listing = disassembleListing(readFile(path));
  } catch (error) {
    if (error instanceof ProgramError) throw new ProgramError(`${path}: ${error.message}`);
    throw error;
  }
  out(listing.endsWith('\n') ? listing : listing + '\n');
  return 0;
}
