/**
 * The ISA toolchain: assembler, disassembler, ELF and flat-binary loading. Runs in the browser
 * and in Node (no Node-only dependencies).
 */

export { assemble, DEFAULT_TEXT_BASE, nothingToRun } from './assembler/assemble.ts';
export type { AssembledSection, AssembledSymbol, AssemblyOptions, AssemblyResult } from './assembler/assemble.ts';
export type { SectionName, SymbolType } from './assembler/context.ts';
export { formatDiagnostic, formatDiagnostics } from './diagnostics.ts';
export type { Diagnostic, Severity } from './diagnostics.ts';
export { disassemble, disassembleListing, SymbolIndex } from './disassembler.ts';
export type { Symbols } from './disassembler.ts';
export { flatProgram, readElf, writeElf } from './elf.ts';
export { ProgramError } from './program.ts';
export type { Program, Segment, SourceLocation } from './program.ts';
export { loadProgram, formatOf, PROGRAM_FORMATS } from './load.ts';
export type { ProgramFormat, WarningSink } from './load.ts';
