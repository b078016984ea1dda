/**
 * A loadable program image: what the ELF loader, the flat-binary loader and the assembler
 * all produce, and what a machine loads. Addresses are guest physical addresses (u32).
 */
import { InputError } from '../input-error.ts';

/** One contiguous piece of the image: `bytes` at `address`, then zeros up to `memSize`. */
export interface Segment {
  address: number;
  bytes: Uint8Array;
  /** Bytes the segment occupies in memory (≥ bytes.length); the tail is zero-filled. */
  memSize: number;
}

/** Where an instruction came from, for traces and the browser's editor. */
export interface SourceLocation {
  file: string;
  /** 1-based. */
  line: number;
}

export interface Program {
  entry: number;
  segments: Segment[];
  /** Symbol name → address (labels, `tohost`, `_start`, ...). */
  symbols: Map<string, number>;
  /** Instruction address → source location, when the program came from our assembler. */
  sourceMap?: Map<number, SourceLocation>;
}

/**
 * Bad input that a user must fix: an unreadable or malformed program file, an option out of
 * range. The message is one line that names the problem and where it is; callers print it
 * without a stack trace.
 */
export class ProgramError extends InputError {
  override name = 'ProgramError';
}
