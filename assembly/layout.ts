// The memory map of the core's linear memory, drawn once. Every offset the host needs is
// exported from index.ts as a WASM global; the host never copies these numbers by hand.
//
//   0x0000_0000 ┌────────────────────────────────────────────┐
//               │ AssemblyScript static data (checked < 64K) │
//   MACHINE     ├────────────────────────────────────────────┤ 0x0001_0000
//               │ machine block: clock, devices, setup       │ 4 KiB
//   HARTS       ├────────────────────────────────────────────┤
//               │ hart block of module 0                     │ HART_SIZE each,
//               │ ...                                        │ MAX_MODULES of them
//   CONSOLE_IN  ├────────────────────────────────────────────┤
//               │ UART receive ring (host → guest)           │ CONSOLE_IN_SIZE
//   CONSOLE_OUT ├────────────────────────────────────────────┤
//               │ UART transmit buffer (guest → host)        │ CONSOLE_OUT_SIZE
//   TXP_FIFO    ├────────────────────────────────────────────┤
//               │ transaction input FIFO (host → guest)      │ TXP_FIFO_CAPACITY records
//   TXP_RESULTS ├────────────────────────────────────────────┤
//               │ transaction result ring (guest → host)     │ TXP_RESULT_CAPACITY records
//   TRACE       ├────────────────────────────────────────────┤
//               │ trace ring: TRACE_CAPACITY records         │ TRACE_RECORD_SIZE each
//   DEBUG       ├────────────────────────────────────────────┤
//               │ debugger: breakpoints, watchpoints         │ DEBUG_SIZE
//   DIRTY       ├────────────────────────────────────────────┤
//               │ dirty-page map of module 0 (a byte a page) │ DIRTY_MAP_SIZE each,
//               │ ...                                        │ MAX_MODULES of them
//   RAM_SLOTS   ├────────────────────────────────────────────┤ (64 KiB aligned)
//               │ guest RAM of module 0                      │ ram size each (set by init)
//               │ ...                                        │
//   translatorBase() ─────────────────────────────────────────┤ (only once enableTranslation() ran)
//               │ translator: page table, code granules,     │ X_PAGES + ram size / 4096 × XP_SIZE
//               │ shadow copy of translated code             │ + ram size / 16 + ram size
//               └────────────────────────────────────────────┘
//
// All multi-byte fields are little-endian; u64 fields are 8-aligned.

/** Replica slots in one instance (pair-and-spare needs 4; the rest is headroom). */
export const MAX_MODULES: u32 = 8;
/** Largest guest RAM a module may have, in bytes. */
export const MAX_RAM_SIZE: u32 = 64 << 20;
/** Dirty tracking granule, in bytes (log2 in PAGE_SHIFT). */
export const PAGE_SHIFT: u32 = 12;
export const PAGE_SIZE: u32 = 1 << PAGE_SHIFT;

// ── Guest physical address map (DESIGN §3, QEMU `virt` compatible) ─────────────────────
export const RAM_BASE: u32 = 0x8000_0000;
export const CLINT_BASE: u32 = 0x0200_0000;
export const CLINT_SIZE: u32 = 0x0001_0000;
/** CLINT register offsets (SiFive CLINT, hart 0): msip (u32), mtimecmp and mtime (u64). */
export const CLINT_MSIP: u32 = 0x0000;
export const CLINT_MTIMECMP: u32 = 0x4000;
export const CLINT_MTIME: u32 = 0xBFF8;
export const UART_BASE: u32 = 0x1000_0000;
export const UART_SIZE: u32 = 0x0000_0100;
/** 16550 register offsets (byte registers; LCR bit 7, DLAB, puts the divisor latch at +0/+1). */
export const UART_RBR_THR: u32 = 0;
export const UART_IER: u32 = 1;
export const UART_IIR_FCR: u32 = 2;
export const UART_LCR: u32 = 3;
export const UART_MCR: u32 = 4;
export const UART_LSR: u32 = 5;
export const UART_SCR: u32 = 7;
export const FINISHER_BASE: u32 = 0x0010_0000;
export const FINISHER_SIZE: u32 = 0x0000_1000;
/** Test finisher (SiFive test device): a word written at +0 whose low half is one of these commands. */
export const FINISHER_PASS: u32 = 0x5555;
export const FINISHER_FAIL: u32 = 0x3333;
/** Transaction input port (TXPORT.md): RX_* registers at these offsets, word access only. */
export const TXP_IN_BASE: u32 = 0x1000_1000;
/** Transaction output port: TX_* registers, word access only. */
export const TXP_OUT_BASE: u32 = 0x1000_2000;
export const TXP_PORT_SIZE: u32 = 0x0000_1000;
export const TXP_RX_COUNT: u32 = 0x00;
export const TXP_RX_ID: u32 = 0x04;
export const TXP_RX_DATA: u32 = 0x08; // four words
export const TXP_RX_TIME: u32 = 0x18;
export const TXP_RX_POP: u32 = 0x1C;
export const TXP_RX_IE: u32 = 0x20;
export const TXP_TX_ID: u32 = 0x00;
export const TXP_TX_DATA: u32 = 0x04; // four words
export const TXP_TX_SEND: u32 = 0x14;
/**
 * Checkpoint device (README's memory map): the guest names a range of its RAM and sends it,
 * with its process context, to a backup (a NonStop process pair's; the host decides where
 * it goes). Word registers, word access only.
 */
export const CKPT_BASE: u32 = 0x1000_3000;
export const CKPT_SIZE: u32 = 0x0000_1000;
export const CKPT_ADDR: u32 = 0x00; // r/w: guest address of the range
export const CKPT_LEN: u32 = 0x04; // r/w: its length, bytes
export const CKPT_SEND: u32 = 0x08; // w: send a checkpoint (STOP_CHECKPOINT); reads 0
export const CKPT_COUNT: u32 = 0x0C; // r: checkpoints accepted since power-on (u32, wraps)
export const CKPT_STATUS: u32 = 0x10; // r: CKPT_ACCEPTED or CKPT_REFUSED, of the last send

// ── Regions of linear memory ───────────────────────────────────────────────────────────
export const MACHINE: usize = 0x0001_0000;
export const MACHINE_SIZE: usize = 0x1000;
export const HARTS: usize = MACHINE + MACHINE_SIZE;
export const HART_SIZE: usize = 0x400;
export const CONSOLE_IN: usize = HARTS + HART_SIZE * MAX_MODULES;
export const CONSOLE_IN_SIZE: u32 = 0x1000; // power of two: a ring
export const CONSOLE_OUT: usize = CONSOLE_IN + CONSOLE_IN_SIZE;
export const CONSOLE_OUT_SIZE: u32 = 0x1000;
/**
 * Transaction input FIFO: a ring of TXP_FIFO_CAPACITY records (a power of two, the largest
 * depth the host may set) indexed by M_TXP_HEAD / M_TXP_TAIL. A record is TXP_RECORD_SIZE
 * bytes: +0 id, +4..+16 four payload words, +20 arrival time (virtual µs, low 32 bits).
 * The host appends at the tail and enforces the depth it chose; the guest's RX_POP moves the head.
 */
export const TXP_FIFO: usize = CONSOLE_OUT + CONSOLE_OUT_SIZE;
export const TXP_FIFO_CAPACITY: u32 = 1024;
export const TXP_RECORD_SIZE: usize = 32;
export const TXP_REC_ID: usize = 0;
export const TXP_REC_DATA: usize = 4;
export const TXP_REC_TIME: usize = 20;
/**
 * Transaction result ring: M_TXP_RESULTS records emitted by TX_SEND since the host last
 * drained it (reset to 0 by the host). A result is TXP_RECORD_SIZE bytes: +0 id, +4..+16
 * four result words, +24 (u64) the machine cycle of the TX_SEND store. When it holds
 * TXP_RESULT_CAPACITY records the run stops with STOP_OUTPUT.
 */
export const TXP_RESULTS: usize = TXP_FIFO + <usize>TXP_FIFO_CAPACITY * TXP_RECORD_SIZE;
export const TXP_RESULT_CAPACITY: u32 = 256;
export const TXP_RES_CYCLE: usize = 24;
export const TRACE: usize = TXP_RESULTS + <usize>TXP_RESULT_CAPACITY * TXP_RECORD_SIZE;
export const TRACE_RECORD_SIZE: usize = 48;
export const TRACE_CAPACITY: u32 = 4096;
/**
 * A trace record: +0 the reference module's retire record (RETIRE_SIZE bytes); then
 * T_PRIV the privilege it executed in; T_CAUSE 0 for an instruction, or the mcause of an
 * interrupt taken before instruction T_INSTRET (the record then holds only R_PC, the
 * interrupted pc, and R_NPC, the handler's); T_INSTRET (u64) the instruction's number.
 */
export const T_PRIV: usize = 32;
export const T_CAUSE: usize = 36;
export const T_INSTRET: usize = 40;
/**
 * The debugger's block (lockstep/debug.ts): the host's breakpoints and watchpoints. Not
 * machine state: a snapshot neither holds nor restores it, and the host arms it anew on
 * every machine it debugs.
 */
export const DEBUG: usize = TRACE + TRACE_RECORD_SIZE * TRACE_CAPACITY;
/** u32: nonzero while any breakpoint or watchpoint is set: run() then runs the debug loops. */
export const D_ARMED: usize = 0x00;
/** u32: breakpoints in D_BREAKS (at most BREAKPOINT_SLOTS). */
export const D_BREAK_COUNT: usize = 0x04;
/** u32: watchpoints in D_WATCHES (at most WATCH_SLOTS). */
export const D_WATCH_COUNT: usize = 0x08;
/** u32: what the last STOP_BREAK hit: DEBUG_HIT_BREAK or DEBUG_HIT_WATCH (0 = nothing since the host cleared it). */
export const D_HIT: usize = 0x0C;
/** u32: the slot of the breakpoint or watchpoint hit. */
export const D_HIT_SLOT: usize = 0x10;
/** u32: a watchpoint hit: the value its word held before (its slot now holds the new one). */
export const D_HIT_OLD: usize = 0x14;
/** u32: a watchpoint hit: 1 if found after an instruction (which made the change), 0 before a batch's first (the host made it). */
export const D_HIT_AFTER: usize = 0x1C;
/** u64: the number of the instruction a resumed run starts with: a breakpoint does not stop it there. */
export const D_SKIP_AT: usize = 0x20;
/** u32 × BREAKPOINT_SLOTS: breakpoint pcs; the run stops before executing an instruction at one. */
export const D_BREAKS: usize = 0x28;
export const BREAKPOINT_SLOTS: u32 = 64;
/**
 * WATCH_SLOTS watchpoints of WATCH_SIZE bytes: +0 W_KIND (WATCH_REGISTER: W_WHERE is the
 * register's byte offset in the hart block; WATCH_RAM: the word's offset in the module's
 * RAM, 4-aligned), +8 W_VALUE the value the reference module's word held at the last check.
 */
export const D_WATCHES: usize = D_BREAKS + 4 * <usize>BREAKPOINT_SLOTS;
export const WATCH_SLOTS: u32 = 8;
export const WATCH_SIZE: usize = 12;
export const W_KIND: usize = 0;
export const W_WHERE: usize = 4;
export const W_VALUE: usize = 8;
export const WATCH_REGISTER: u32 = 1;
export const WATCH_RAM: u32 = 2;
export const DEBUG_HIT_BREAK: u32 = 1;
export const DEBUG_HIT_WATCH: u32 = 2;
export const DEBUG_SIZE: usize = 0x400;
export const DIRTY: usize = DEBUG + DEBUG_SIZE;
export const DIRTY_MAP_SIZE: usize = MAX_RAM_SIZE >> PAGE_SHIFT;
export const RAM_SLOTS: usize = (DIRTY + DIRTY_MAP_SIZE * MAX_MODULES + 0xFFFF) & ~0xFFFF;

// ── The translator's region (translate/): a cache, not machine state ─────────────────
// It lies after the last RAM slot, at translatorBase() = RAM_SLOTS + module count × RAM
// size (64 KiB aligned), and exists once the host has called enableTranslation(); init()
// drops it. A snapshot neither holds nor restores it: translations are checked against
// RAM before use (translate/dispatch.ts), so any RAM a host restores or writes is safe.
//
//   +0         header (X_HEADER_SIZE)
//   X_PAGES    one entry of XP_SIZE bytes per page of guest RAM (PAGE_SIZE)
//   granules   translationGranules(): a byte per CODE_GRANULE bytes of RAM, 1 = holds a
//              translated instruction (a store there invalidates the page's translation)
//   shadow     translationShadow(): RAM size bytes: each translated page as it was translated
/** u32: epochs since translation was enabled (a page is checked against RAM once an epoch: translate/dispatch.ts). */
export const X_EPOCH: usize = 0x00;
/** u64: instructions of the machine run in translated code since translation was enabled. */
export const X_TRANSLATED: usize = 0x08;
export const X_HEADER_SIZE: usize = 0x40;
export const X_PAGES: usize = X_HEADER_SIZE;
/** Page entry: u32 XP_FUNCTION the page's translation (index in the core's function table, 0 = none). */
export const XP_FUNCTION: usize = 0x0;
/** u32: the epoch in which the translation was last checked against RAM. */
export const XP_EPOCH: usize = 0x4;
/** u32: instructions interpreted in the page since it was last translated or invalidated. */
export const XP_HEAT: usize = 0x8;
export const XP_SIZE: usize = 0x10;
/** Granularity of the code map, bytes (log2 in CODE_GRANULE_SHIFT). */
export const CODE_GRANULE_SHIFT: u32 = 4;
export const CODE_GRANULE: u32 = 1 << CODE_GRANULE_SHIFT;
/** Interpreted instructions in a page that make it hot: the run loop then asks the host to translate it. */
export const HOT_PAGE_HEAT: u32 = 256;

// ── Machine block: state of the logical machine (one per instance) ─────────────────────
// Everything here and in the hart blocks is machine state: a snapshot is a copy of the
// machine block, the hart blocks, the console rings and the RAM slots.
/** u64: instructions executed by the logical machine = number of the next instruction. */
export const M_INSTRET: usize = 0x00;
/** u64: virtual clock in cycles: one per instruction, plus cycles spent stalled in `wfi`. */
export const M_CYCLE: usize = 0x08;
/** u64: CLINT mtimecmp. */
export const M_MTIMECMP: usize = 0x10;
/** u64: mtime − cycle / CYCLES_PER_TICK (mtime is writable), two's complement. */
export const M_MTIME_OFFSET: usize = 0x18;
/** u32: CLINT msip bit 0. */
export const M_MSIP: usize = 0x20;
/** u32: guest RAM per module, in bytes (multiple of 64 KiB). */
export const M_RAM_SIZE: usize = 0x24;
/** u32: module slots with RAM allocated. */
export const M_MODULE_COUNT: usize = 0x28;
/** u32: bit m set = module m executes and is compared (online). */
export const M_ONLINE: usize = 0x2C;
/** u32: compare point: COMPARE_EVERY, COMPARE_STORE or COMPARE_IO. */
export const M_COMPARE: usize = 0x30;
/** u32: guest address whose store halts the machine (`tohost`), 0 = none. */
export const M_TOHOST: usize = 0x34;
/** u32: stop reason of the last run (STOP_*). */
export const M_STOP: usize = 0x38;
/** u32: modules whose retire record differed from the reference module's at the stop. */
export const M_DIVERGED: usize = 0x3C;
/** u32: module whose record was the reference at the last compare. */
export const M_REFERENCE: usize = 0x40;
/** u32: modules that announced a local error (ECC) during the last instruction. */
export const M_ANNOUNCED: usize = 0x44;
/** u32: HALT_PASS / HALT_FAIL once the guest has finished, else 0. */
export const M_HALT: usize = 0x48;
/** u32: exit code that goes with M_HALT. */
export const M_HALT_CODE: usize = 0x4C;
/** u32: 1 while the host may still supply console input (stdin not at end of file). */
export const M_INPUT_OPEN: usize = 0x50;
/** u32: 1 when any module has a persistent fault (stuck bit, ECC poison): run instrumented. */
export const M_FAULTS_ARMED: usize = 0x54;
/** u32: 1 to record every instruction of the reference module in the trace ring. */
export const M_TRACE_ON: usize = 0x58;
/** u32: trace records held in the ring. */
export const M_TRACE_LEN: usize = 0x5C;
/**
 * The checkers (lockstep/comparator.ts). u32 M_COMPARE_GROUPS: byte k = the modules of
 * compare group k, whose records are compared with each other; 0 = one group of every
 * module. u32 M_UNCHECKED: modules whose checker verdict is stuck at "agree" (never
 * reported differing, nor used as a group's reference). u32 M_FORCED: modules whose verdict
 * is stuck at "disagree" (reported differing at every compare point; the host runs the
 * instrumented loop while one is online, which looks for them).
 */
export const M_COMPARE_GROUPS: usize = 0x60;
export const M_UNCHECKED: usize = 0x64;
export const M_FORCED: usize = 0x68;
/** u32: virtual clock cycles per mtime tick (100 MHz clock, 10 MHz mtime → 10). */
export const M_CYCLES_PER_TICK: usize = 0x70;
// UART 16550 subset registers (one byte each, stored as u32).
export const M_UART_IER: usize = 0x80;
export const M_UART_LCR: usize = 0x84;
export const M_UART_MCR: usize = 0x88;
export const M_UART_SCR: usize = 0x8C;
export const M_UART_DLL: usize = 0x90;
export const M_UART_DLM: usize = 0x94;
/** u32: receive ring read index and write index (free-running, mod CONSOLE_IN_SIZE). */
export const M_RX_HEAD: usize = 0x98;
export const M_RX_TAIL: usize = 0x9C;
/** u32: bytes waiting in CONSOLE_OUT. */
export const M_TX_LEN: usize = 0xA0;
/** u32: 1 when the machine asks the host for console input (it stopped with STOP_INPUT). */
export const M_INPUT_WANTED: usize = 0xA4;
/** u32: attention bits (cpu/signals.ts) raised by the last instruction and not yet settled. */
export const M_PENDING: usize = 0xA8;
/**
 * u32: consecutive LSR reads that found the receive ring empty with no UART write between
 * them (saturates at 2). One is a status read (a transmit poll reads LSR once per byte it
 * writes); two are a receive poll, which asks the host for input.
 */
export const M_RX_POLLS: usize = 0xAC;
/**
 * u32: 1 when the run loop asked the host for input for the UART's receive interrupt (the
 * guest may be waiting for one), so that it does not ask again until the guest has taken a
 * byte from the ring.
 */
export const M_RX_ASKED: usize = 0xB0;
/**
 * u64: the host's next event on the virtual clock (a transaction arrival), in cycles:
 * run() stops with STOP_CYCLE once M_CYCLE reaches it, and a wfi stall ends there.
 * u64.MAX_VALUE = none (set by init; the host sets it before every run()).
 */
export const M_STOP_CYCLE: usize = 0xB8;
/** u32: transaction FIFO read index and write index (free-running, mod TXP_FIFO_CAPACITY). */
export const M_TXP_HEAD: usize = 0xC0;
export const M_TXP_TAIL: usize = 0xC4;
/** u32: RX_IE (bit 0: MEIP while records wait). */
export const M_TXP_IE: usize = 0xC8;
/** u32: records the guest consumed (RX_POP on a non-empty FIFO) since power-on. */
export const M_TXP_POPPED: usize = 0xCC;
/** u32 × 5: the output port's staging registers TX_ID, TX_DATA0..3. */
export const M_TXP_STAGE: usize = 0xD0;
/** u32: results waiting in TXP_RESULTS for the host. */
export const M_TXP_RESULTS: usize = 0xE4;
/** u32: the checkpoint device's CKPT_ADDR and CKPT_LEN, as the guest last wrote them. */
export const M_CKPT_ADDR: usize = 0xE8;
export const M_CKPT_LEN: usize = 0xEC;
/**
 * u32: checkpoints the host accepted since power-on (CKPT_COUNT), and the outcome of the
 * last CKPT_SEND (CKPT_STATUS). The host writes both when it serves STOP_CHECKPOINT.
 */
export const M_CKPT_COUNT: usize = 0xF0;
export const M_CKPT_STATUS: usize = 0xF4;
/** u32: the RAM's error-correcting code: ECC_NONE or ECC_SECDED (fault/ecc.ts). */
export const M_ECC: usize = 0xF8;

// ── Hart block: one module's architectural state ───────────────────────────────────────
/** x0..x31, u32 each (x0 reads as 0: it is reset to 0 after every write). */
export const H_X: usize = 0x000;
export const H_PC: usize = 0x080;
/** Privilege: PRIV_U or PRIV_M. */
export const H_PRIV: usize = 0x084;
export const H_MSTATUS: usize = 0x088;
export const H_MTVEC: usize = 0x08C;
export const H_MEPC: usize = 0x090;
export const H_MCAUSE: usize = 0x094;
export const H_MTVAL: usize = 0x098;
export const H_MSCRATCH: usize = 0x09C;
export const H_MIE: usize = 0x0A0;
export const H_MCOUNTEREN: usize = 0x0A4;
/** u64: mcycle − machine cycle (mcycle is writable). */
export const H_MCYCLE_OFFSET: usize = 0x0A8;
/** u64: minstret − machine instret (writes, and instructions that trapped, move it). */
export const H_MINSTRET_OFFSET: usize = 0x0B0;
/** usize: linear address of this module's guest RAM. */
export const H_RAM: usize = 0x0B8;
/** usize: linear address of this module's dirty-page map. */
export const H_DIRTY: usize = 0x0BC;
/** u32: local error this module announced (ERROR_*), 0 = none. */
export const H_ERROR: usize = 0x0C0;
/** u32: guest address (RAM) or register number of the announced error. */
export const H_ERROR_WHERE: usize = 0x0C4;

/**
 * The retire record (32 bytes, 16-aligned), written by every step of this module; the
 * comparator compares it byte for byte across the online modules. Contract for one step:
 *   +0  R_PC     pc of the instruction
 *   +4  R_INSN   instruction word as fetched (0 if the fetch itself faulted)
 *   +8  R_KIND   bits 0-4 rd written (0 = none); bits 8-10 access width in bytes;
 *                K_LOAD, K_STORE, K_DEVICE (the access went to a device), K_HOSTCALL
 *                (an ecall the host serves); bits 16-23 trap: exception cause + 1, or
 *                TRAP_ANNOUNCE when the module announced a local error instead of executing
 *   +12 R_VALUE  value written to rd (0 when rd = 0)
 *   +16 R_ADDR   guest address of the load or store; for a trap, the value put in mtval
 *   +20 R_DATA   data loaded (after extension) or stored (as written, low bytes)
 *   +24 R_NPC    pc of the next instruction (a trap handler's, after a trap)
 *   +28          zero: keeps the record two SIMD lanes wide
 */
export const H_RETIRE: usize = 0x0E0;
export const R_PC: usize = 0;
export const R_INSN: usize = 4;
export const R_KIND: usize = 8;
export const R_VALUE: usize = 12;
export const R_ADDR: usize = 16;
export const R_DATA: usize = 20;
export const R_NPC: usize = 24;
export const RETIRE_SIZE: usize = 32;

// Persistent faults (DESIGN §5), read only by the instrumented loop and the cold paths.
/** u32 × 32: a register's written value is ANDed with this ... */
export const H_REG_AND: usize = 0x100;
/** u32 × 32: ... then ORed with this (stuck0 clears a bit of AND, stuck1 sets it in OR). */
export const H_REG_OR: usize = 0x180;
export const H_PC_AND: usize = 0x200;
export const H_PC_OR: usize = 0x204;
/** The next written result is XORed (one-shot flip) then ANDed and ORed (stuck). */
export const H_RESULT_XOR: usize = 0x208;
export const H_RESULT_AND: usize = 0x20C;
export const H_RESULT_OR: usize = 0x210;
/** u32: bit r set = register xr holds an uncorrectable parity error (ECC fault). */
export const H_POISON_REGS: usize = 0x214;
/** u32: single-bit errors this module's RAM ECC corrected (on reads and scrubs) since reset. */
export const H_CORRECTED: usize = 0x218;
/**
 * Word-sized RAM faults: MEM_FAULT_SLOTS entries of MEM_FAULT_SIZE bytes, one for each word
 * that carries a stuck bit, a poisoned (kind=ecc) error or, with ECC_SECDED, any injected
 * upset; every other word is fault-free.
 */
export const H_MEM_FAULTS: usize = 0x220;
export const MEM_FAULT_SLOTS: u32 = 8;
export const MEM_FAULT_SIZE: usize = 20;
/**
 * Entry: +0 RAM offset of the word (MEM_FAULT_NONE = unused), +4 AND mask, +8 OR mask
 * (u32 each), +12 poisoned (u32, kind=ecc); with ECC_SECDED, +16 the word's stored check
 * bits (u8, fault/ecc.ts), +17 a correction for the host to report (u8: 0 none, else the
 * corrected bit + 1), +18 1 once a correction in this word has been reported (u8).
 */
export const MF_OFFSET: usize = 0;
export const MF_AND: usize = 4;
export const MF_OR: usize = 8;
export const MF_POISON: usize = 12;
export const MF_CHECK: usize = 16;
export const MF_REPORT: usize = 17;
export const MF_REPORTED: usize = 18;
export const MEM_FAULT_NONE: u32 = 0xFFFF_FFFF;
/** CSR stuck bits: CSR_FAULT_SLOTS entries of (csr number, AND, OR), number 0 = unused. */
export const H_CSR_FAULTS: usize = 0x2C0;
export const CSR_FAULT_SLOTS: u32 = 4;
export const CSR_FAULT_SIZE: usize = 12;
/**
 * Physical memory protection (cpu/pmp.ts): PMP_ENTRIES pmpNcfg bytes (entry k at byte k,
 * so pmpcfg0..3 are the four u32 words), then PMP_ENTRIES pmpaddr words (address bits 33:2).
 */
export const H_PMPCFG: usize = 0x300;
export const H_PMPADDR: usize = 0x310;
export const PMP_ENTRIES: u32 = 16;

// ── Constants shared with the host ────────────────────────────────────────────────────
export const PRIV_U: u32 = 0;
export const PRIV_M: u32 = 3;

export const K_RD_MASK: u32 = 0x1F;
export const K_WIDTH_SHIFT: u32 = 8;
export const K_LOAD: u32 = 1 << 11;
export const K_STORE: u32 = 1 << 12;
export const K_DEVICE: u32 = 1 << 13;
export const K_HOSTCALL: u32 = 1 << 14;
export const K_TRAP_SHIFT: u32 = 16;
/** Trap field value for a module that announced a local error. */
export const TRAP_ANNOUNCE: u32 = 0xFF;

export const COMPARE_EVERY: u32 = 0;
export const COMPARE_STORE: u32 = 1;
export const COMPARE_IO: u32 = 2;

export const ERROR_ECC: u32 = 1;

/** CKPT_STATUS values. */
export const CKPT_ACCEPTED: u32 = 0;
export const CKPT_REFUSED: u32 = 1; // the range is not inside RAM
export const ECC_NONE: u32 = 0;
export const ECC_SECDED: u32 = 1;

export const HALT_PASS: u32 = 1;
export const HALT_FAIL: u32 = 2;

/** Why run() returned. */
export const STOP_BUDGET: u32 = 0; // the budget is spent
export const STOP_HOSTCALL: u32 = 1; // an ecall for the host (mtvec = 0); all online modules executed it
export const STOP_HALT: u32 = 2; // test finisher or tohost written: M_HALT, M_HALT_CODE
export const STOP_DIVERGED: u32 = 3; // retire records differ: M_DIVERGED, M_REFERENCE
export const STOP_ANNOUNCED: u32 = 4; // a module announced a local error: M_ANNOUNCED
export const STOP_TRAP: u32 = 5; // an exception with no handler (mtvec = 0): the hart's mcause
export const STOP_INPUT: u32 = 6; // the guest waits for console input and the host may have more (M_INPUT_WANTED)
export const STOP_OUTPUT: u32 = 7; // an output buffer is full: the console's, or the transaction result ring
export const STOP_IDLE: u32 = 8; // wfi with nothing that could ever wake the hart
export const STOP_TRACE: u32 = 9; // the trace ring is full
export const STOP_NO_MODULE: u32 = 10; // no module is online
export const STOP_CYCLE: u32 = 11; // the virtual clock reached M_STOP_CYCLE
export const STOP_CHECKPOINT: u32 = 12; // the guest wrote CKPT_SEND (the store has retired on every online module)
export const STOP_ECC: u32 = 13; // a module's ECC corrected an error to report, or a RAM fault slot was freed
export const STOP_BREAK: u32 = 14; // before an instruction at a breakpoint, or after a watched word changed: DEBUG's D_HIT
export const STOP_APART: u32 = 15; // translated code ran the online modules apart, which the host said hold the same state: a bug
