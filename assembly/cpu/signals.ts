// Signals from the cold paths of a step to the run loop, the few values the cold paths keep
// in WASM globals instead of memory, and the machine constants the hot loops read. The
// globals are caches and scratch: the run loop loads them from the machine block when it
// starts and writes back what changed, so machine state stays in linear memory (where a
// snapshot finds it). The hot loops read no globals: V8 would hold the base of the instance's
// globals in a register as well as the memory base.

import { MACHINE, M_INSTRET, M_CYCLE, M_RAM_SIZE, M_TOHOST, RAM_BASE } from '../layout';

/** Attention bits: after the current instruction, the run loop must leave the batch and settle. */
export const A_SETTLE: u32 = 1 << 0; // a record needs settling: device store, host call, tohost, unhandled trap
export const A_EVENT: u32 = 1 << 1; // interrupt-relevant state changed: re-check interrupts and the timer horizon
export const A_ANNOUNCE: u32 = 1 << 2; // a module announced a local error
export const A_DIVERGED: u32 = 1 << 3; // the comparator found a mismatch
export const A_WFI: u32 = 1 << 4; // a module executed wfi
export const A_INPUT: u32 = 1 << 5; // the guest found the console input empty while input is open
export const A_OUTPUT: u32 = 1 << 6; // the console output buffer is full
export const A_HALT: u32 = 1 << 7; // the guest finished (test finisher or tohost)
export const A_TRACE: u32 = 1 << 8; // the trace ring is full
export const A_CHECKPOINT: u32 = 1 << 9; // the guest sent a checkpoint (CKPT_SEND)
export const A_ECC: u32 = 1 << 10; // a RAM ECC correction to report, or a RAM fault slot freed (fault/ecc.ts)
export const A_BREAK: u32 = 1 << 11; // the debugger stops before the next instruction (lockstep/debug.ts)
export const A_APART: u32 = 1 << 12; // translated code ran modules the host said hold the same state apart (translate/dispatch.ts)

/** Pending attention bits, set by cold paths; the batch ends after an instruction that sets any. */
export let g_attention: u32 = 0;
// @ts-ignore: decorator
@inline export function raise(bits: u32): void { g_attention |= bits; }
// @ts-ignore: decorator
@inline export function clearAttention(): u32 { const a = g_attention; g_attention = 0; return a; }

/**
 * Guest RAM size per module, in bytes (M_RAM_SIZE), and the address whose store halts the
 * machine (M_TOHOST, 0 = none): neither changes while run() runs.
 */
// @ts-ignore: decorator
@inline export function ramSize(): u32 { return load<u32>(MACHINE + M_RAM_SIZE); }
// @ts-ignore: decorator
@inline export function tohost(): u32 { return load<u32>(MACHINE + M_TOHOST); }

/**
 * RAM_BASE in a word of static data (below MACHINE, not machine state), to subtract as a
 * memory operand: V8 never encodes INT32_MIN (0x8000_0000) as an immediate, and would hold it
 * in a register across the loops.
 */
const RAM_BASE_WORD: usize = memory.data<u32>([RAM_BASE]);

/** Offset of guest address `addr` in a module's RAM (addr - RAM_BASE, wrapping). */
// @ts-ignore: decorator
@inline export function ramOffset(addr: u32): u32 { return addr - load<u32>(RAM_BASE_WORD); }

/** Machine instret and cycle when the current batch began; instruction i of the batch is number g_batchInstret + i. */
export let g_batchInstret: u64 = 0;
export let g_batchCycle: u64 = 0;

/** Load the caches from the machine block (start of a batch). */
export function loadCaches(): void {
  g_batchInstret = load<u64>(MACHINE + M_INSTRET);
  g_batchCycle = load<u64>(MACHINE + M_CYCLE);
}

/**
 * Exception raised by a cold path of the current step, as cause + 1 (0 = none), and its
 * mtval. The step takes it right after the cold call.
 */
export let g_trap: u32 = 0;
export let g_trapValue: u32 = 0;
// @ts-ignore: decorator
@inline export function raiseException(cause: u32, tval: u32): void {
  g_trap = cause + 1;
  g_trapValue = tval;
}
// @ts-ignore: decorator
@inline export function takeRaisedException(): u32 { const cause = g_trap - 1; g_trap = 0; return cause; }

/** Result of the cold SYSTEM path: retire-record kind bits (rd, K_HOSTCALL) and the value for rd. */
export let g_coldKind: u32 = 0;
export let g_coldValue: u32 = 0;
// @ts-ignore: decorator
@inline export function setColdResult(kind: u32, value: u32): void {
  g_coldKind = kind;
  g_coldValue = value;
}
