/** `lockstep asm FILE.s -o FILE.elf` and `lockstep disasm FILE.elf`. */
import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { assemble, disassembleListing, formatDiagnostics, writeElf } from '../isa/index.ts';
import { ProgramError } from '../isa/program.ts';
import { DiagnosticsError, UsageError } from './errors.ts';
import { parseAddress } from './numbers.ts';

function readFile(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`cannot read ${path}: ${code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'it is a directory' : (error as Error).message}`);
  }
}

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
  if (!result.ok) throw new DiagnosticsError(formatDiagnostics(result.diagnostics).trimEnd());
  if (result.diagnostics.length > 0) process.stderr.write(`${formatDiagnostics(result.diagnostics)}\n`);
  const output = options.output ?? path.replace(/\.(s|S|asm)$/, '') + '.elf';
  if (output === path) throw new UsageError(`refusing to overwrite the source ${path}: give an output name with -o`);
  try {
    writeFileSync(output, writeElf(result));
    chmodSync(output, 0o755); // runnable, as linkers leave executables (QEMU user mode needs it)
  } catch (error) {
    throw new UsageError(`cannot write ${output}: ${(error as Error).message}`);
  }
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
  process.stdout.write(listing.endsWith('\n') ? listing : listing + '\n');
  return 0;
}
