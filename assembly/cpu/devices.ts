// The devices of the logical machine (DESIGN §3): CLINT, console UART (16550 subset) and
// test finisher, at QEMU `virt` addresses, the transaction input and output ports
// (TXPORT.md, README's memory map) and the checkpoint device. There is one set for the whole machine, not one
// per module. A device read during a step has no side effects, so every online module
// reads the same value at the same instruction (inputs are replicated); the side effects
// of reads (taking a byte from the receive buffer, asking the host for input) and all
// device writes are committed once, by the run loop, from the reference module's retire
// record after the comparator has agreed (outputs are gated, and a faulty module cannot
// consume input).
//
// Console input is asked of the host (which may block on it: the CLI's stdin) only when the
// guest is clearly waiting for it: it reads RBR with the receive ring empty, or reads LSR
// and finds the ring empty twice in a row with no UART write between (a receive poll; a
// transmit poll reads LSR once per byte it writes), or it could take the receive interrupt
// (receiveInterruptWaits(), asked by the run loop).

import {
  MACHINE, M_MSIP, M_MTIMECMP, M_MTIME_OFFSET, M_CYCLES_PER_TICK, M_UART_IER, M_UART_LCR,
  M_UART_MCR, M_UART_SCR, M_UART_DLL, M_UART_DLM, M_RX_HEAD, M_RX_TAIL, M_TX_LEN,
  M_INPUT_OPEN, M_INPUT_WANTED, M_RX_POLLS, M_RX_ASKED, M_HALT,
  M_HALT_CODE, CONSOLE_IN, CONSOLE_IN_SIZE, CONSOLE_OUT, CONSOLE_OUT_SIZE, CLINT_BASE,
  CLINT_SIZE, UART_BASE, UART_SIZE, FINISHER_BASE, FINISHER_SIZE, HALT_PASS, HALT_FAIL,
  TXP_IN_BASE, TXP_OUT_BASE, TXP_PORT_SIZE, TXP_RX_COUNT, TXP_RX_ID, TXP_RX_TIME, TXP_RX_POP,
  TXP_RX_IE, TXP_TX_SEND, TXP_FIFO, TXP_FIFO_CAPACITY, TXP_RECORD_SIZE, TXP_REC_ID, TXP_RESULTS,
  TXP_RESULT_CAPACITY, TXP_RES_CYCLE,
  M_TXP_HEAD, M_TXP_TAIL, M_TXP_IE, M_TXP_POPPED, M_TXP_STAGE, M_TXP_RESULTS,
  CKPT_BASE, CKPT_SIZE, CKPT_ADDR, CKPT_LEN, CKPT_SEND, CKPT_COUNT, CKPT_STATUS,
  M_CKPT_ADDR, M_CKPT_LEN, M_CKPT_COUNT, M_CKPT_STATUS,
  CLINT_MSIP, CLINT_MTIMECMP, CLINT_MTIME, UART_RBR_THR, UART_IER, UART_IIR_FCR, UART_LCR, UART_MCR,
  UART_LSR, UART_SCR, FINISHER_PASS, FINISHER_FAIL,
} from '../layout';
import {
  raise, g_batchCycle, A_EVENT, A_INPUT, A_OUTPUT, A_HALT, A_SETTLE, A_CHECKPOINT,
} from './signals';
import { IRQ_MSI, IRQ_MTI, IRQ_MEI } from './trap';

// 16550 register bits.
const LCR_DLAB: u32 = 0x80;
const LSR_DATA_READY: u32 = 0x01;
const LSR_THR_EMPTY: u32 = 0x20;
const LSR_IDLE: u32 = 0x40;
const IER_RX_AVAILABLE: u32 = 0x01;

// ── Time ──────────────────────────────────────────────────────────────────────────────

/** mtime (10 MHz ticks) during instruction `i` of the current batch. */
export function mtimeAt(i: u32): u64 {
  const cycle = g_batchCycle + i;
  return cycle / <u64>load<u32>(MACHINE + M_CYCLES_PER_TICK) + load<u64>(MACHINE + M_MTIME_OFFSET);
}

/**
 * Instructions from the start of the batch until mtime reaches mtimecmp (so that MTIP
 * rises before that instruction), or u64.MAX_VALUE when it has already risen or never will.
 */
export function instructionsUntilTimer(): u64 {
  const now = mtimeAt(0);
  const cmp = load<u64>(MACHINE + M_MTIMECMP);
  if (now >= cmp) return u64.MAX_VALUE;
  const ticks = cmp - now;
  if (ticks > (<u64>1 << 56)) return u64.MAX_VALUE;
  const perTick = <u64>load<u32>(MACHINE + M_CYCLES_PER_TICK);
  return ticks * perTick - g_batchCycle % perTick;
}

// ── Interrupt lines ───────────────────────────────────────────────────────────────────

// @ts-ignore: decorator
@inline function rxCount(): u32 {
  return load<u32>(MACHINE + M_RX_TAIL) - load<u32>(MACHINE + M_RX_HEAD);
}

/** The device-driven bits of mip (MSIP, MTIP, MEIP) at instruction `i` of the batch. */
export function deviceMip(i: u32): u32 {
  let mip: u32 = 0;
  if (load<u32>(MACHINE + M_MSIP) & 1) mip |= 1 << IRQ_MSI;
  if (mtimeAt(i) >= load<u64>(MACHINE + M_MTIMECMP)) mip |= 1 << IRQ_MTI;
  if ((load<u32>(MACHINE + M_UART_IER) & IER_RX_AVAILABLE) != 0 && rxCount() != 0) mip |= 1 << IRQ_MEI;
  if ((load<u32>(MACHINE + M_TXP_IE) & 1) != 0 && txpCount() != 0) mip |= 1 << IRQ_MEI;
  return mip;
}

/** Whether an arrival on the transaction port would raise MEIP (RX_IE bit 0). */
export function transactionInterruptEnabled(): bool {
  return (load<u32>(MACHINE + M_TXP_IE) & 1) != 0;
}

/** True while the UART could still raise MEIP: input is waiting or the host may supply more. */
export function inputCanArrive(): bool {
  return rxCount() != 0 || load<u32>(MACHINE + M_INPUT_OPEN) != 0;
}

/**
 * Whether the guest may be waiting for the receive interrupt and the host should be asked
 * for input now: IER enables it, `mie` (the mie of the online modules that could take it,
 * ORed) has MEIE, the ring is empty, input is open, and the run loop has not asked since the
 * guest last took a byte. Only then: asking cannot repeat unless the guest takes input or
 * the host closes it.
 */
export function receiveInterruptWaits(mie: u32): bool {
  return (load<u32>(MACHINE + M_UART_IER) & IER_RX_AVAILABLE) != 0 && (mie & (1 << IRQ_MEI)) != 0
    && rxCount() == 0 && load<u32>(MACHINE + M_INPUT_OPEN) != 0 && load<u32>(MACHINE + M_RX_ASKED) == 0;
}

/** Asks the host for console input for the receive interrupt (see receiveInterruptWaits). */
export function askForReceiveInterrupt(): void {
  store<u32>(MACHINE + M_RX_ASKED, 1);
  store<u32>(MACHINE + M_INPUT_WANTED, 1);
}

/** The UART's receive enable (IER bit 0): cheap first test of the run loop's receiveInterruptWaits(). */
// @ts-ignore: decorator
@inline export function receiveInterruptEnabled(): bool {
  return (load<u32>(MACHINE + M_UART_IER) & IER_RX_AVAILABLE) != 0;
}

// @ts-ignore: decorator
@inline function txpCount(): u32 {
  return load<u32>(MACHINE + M_TXP_TAIL) - load<u32>(MACHINE + M_TXP_HEAD);
}

// ── Reads (inputs, replicated) ────────────────────────────────────────────────────────

/** A UART register read, without side effects (see commitDeviceLoad). */
function uartRead(reg: u32): u32 {
  const lcr = load<u32>(MACHINE + M_UART_LCR);
  switch (reg) {
    case UART_RBR_THR: {
      if (lcr & LCR_DLAB) return load<u32>(MACHINE + M_UART_DLL);
      raise(A_SETTLE); // the byte is taken, or input asked for, when the read commits
      if (rxCount() == 0) return 0;
      return <u32>load<u8>(CONSOLE_IN + (load<u32>(MACHINE + M_RX_HEAD) & (CONSOLE_IN_SIZE - 1)));
    }
    case UART_IER: return lcr & LCR_DLAB ? load<u32>(MACHINE + M_UART_DLM) : load<u32>(MACHINE + M_UART_IER);
    case UART_IIR_FCR: {
      // Only the receive interrupt exists (it drives MEIP); transmission is instant, so
      // there is no transmitter-empty interrupt to report.
      const ier = load<u32>(MACHINE + M_UART_IER);
      const iir: u32 = (ier & IER_RX_AVAILABLE) != 0 && rxCount() != 0 ? 0x04 : 0x01;
      return iir | 0xC0; // FIFOs enabled
    }
    case UART_LCR: return lcr;
    case UART_MCR: return load<u32>(MACHINE + M_UART_MCR);
    case UART_LSR: {
      if (rxCount() == 0) {
        raise(A_SETTLE); // counts a poll, and may ask the host for input, when the read commits
        return LSR_THR_EMPTY | LSR_IDLE;
      }
      return LSR_THR_EMPTY | LSR_IDLE | LSR_DATA_READY;
    }
    case UART_SCR: return load<u32>(MACHINE + M_UART_SCR);
    default: return 0;
  }
}

function clintRead(offset: u32, i: u32): u32 {
  switch (offset) {
    case CLINT_MSIP: return load<u32>(MACHINE + M_MSIP);
    case CLINT_MTIMECMP: return <u32>load<u64>(MACHINE + M_MTIMECMP);
    case CLINT_MTIMECMP + 4: return <u32>(load<u64>(MACHINE + M_MTIMECMP) >> 32);
    case CLINT_MTIME: return <u32>mtimeAt(i);
    case CLINT_MTIME + 4: return <u32>(mtimeAt(i) >> 32);
    default: return 0;
  }
}

/** A transaction input port register (RX_*); offsets without a register read 0. */
function txpInRead(offset: u32): u32 {
  if (offset == TXP_RX_COUNT) return txpCount();
  if (offset == TXP_RX_IE) return load<u32>(MACHINE + M_TXP_IE);
  if (offset < TXP_RX_ID || offset > TXP_RX_TIME || txpCount() == 0) return 0;
  const head = TXP_FIFO + <usize>(load<u32>(MACHINE + M_TXP_HEAD) & (TXP_FIFO_CAPACITY - 1)) * TXP_RECORD_SIZE;
  return load<u32>(head + <usize>(offset - TXP_RX_ID) + TXP_REC_ID); // id, data0..3, time in record order
}

/** A transaction output port register: the staging registers read back; TX_SEND reads 0. */
function txpOutRead(offset: u32): u32 {
  return offset < TXP_TX_SEND ? load<u32>(MACHINE + M_TXP_STAGE + <usize>offset) : 0;
}

/** A checkpoint device register; CKPT_SEND and offsets without a register read 0. */
function ckptRead(offset: u32): u32 {
  switch (offset) {
    case CKPT_ADDR: return load<u32>(MACHINE + M_CKPT_ADDR);
    case CKPT_LEN: return load<u32>(MACHINE + M_CKPT_LEN);
    case CKPT_COUNT: return load<u32>(MACHINE + M_CKPT_COUNT);
    case CKPT_STATUS: return load<u32>(MACHINE + M_CKPT_STATUS);
    default: return 0;
  }
}

/**
 * Whether a device claims an access of `width` bytes at `addr` (else it is an access fault).
 * CLINT, finisher, transaction port and checkpoint device registers are word-wide; the UART
 * takes any width (its low byte).
 */
export function deviceAccessible(addr: u32, width: u32): bool {
  if (addr - CLINT_BASE < CLINT_SIZE || addr - FINISHER_BASE < FINISHER_SIZE
    || addr - TXP_IN_BASE < TXP_PORT_SIZE || addr - TXP_OUT_BASE < TXP_PORT_SIZE
    || addr - CKPT_BASE < CKPT_SIZE) {
    return width == 4 && (addr & 3) == 0;
  }
  return addr - UART_BASE < UART_SIZE;
}

/**
 * A load from a device during instruction `i` of the batch; the caller has checked
 * deviceAccessible(). Has no side effects: every module gets the same value.
 */
export function deviceLoad(addr: u32, i: u32): u32 {
  if (addr - CLINT_BASE < CLINT_SIZE) return clintRead(addr - CLINT_BASE, i);
  if (addr - UART_BASE < UART_SIZE) return uartRead(addr - UART_BASE);
  if (addr - TXP_IN_BASE < TXP_PORT_SIZE) return txpInRead(addr - TXP_IN_BASE);
  if (addr - TXP_OUT_BASE < TXP_PORT_SIZE) return txpOutRead(addr - TXP_OUT_BASE);
  if (addr - CKPT_BASE < CKPT_SIZE) return ckptRead(addr - CKPT_BASE);
  return 0;
}

/** The guest waits for console input: ask the host (STOP_INPUT) if it may have more. */
function askForInput(): void {
  if (load<u32>(MACHINE + M_INPUT_OPEN) != 0) {
    store<u32>(MACHINE + M_INPUT_WANTED, 1);
    raise(A_INPUT);
  }
}

/**
 * Commits the side effects of a device load the online modules agreed on: reading the
 * UART's RBR takes the byte, or with the ring empty asks the host for input; reading LSR
 * with the ring empty counts a poll (M_RX_POLLS), and the second in a row asks for input.
 */
export function commitDeviceLoad(addr: u32): void {
  if (addr - UART_BASE >= UART_SIZE) return;
  const reg = addr - UART_BASE;
  if (reg == UART_RBR_THR) {
    if ((load<u32>(MACHINE + M_UART_LCR) & LCR_DLAB) != 0) return; // the divisor latch
    if (rxCount() == 0) {
      askForInput();
      return;
    }
    store<u32>(MACHINE + M_RX_HEAD, load<u32>(MACHINE + M_RX_HEAD) + 1);
    store<u32>(MACHINE + M_RX_POLLS, 0);
    store<u32>(MACHINE + M_RX_ASKED, 0);
    raise(A_EVENT); // MEIP may fall, and the run loop may ask for more input
  } else if (reg == UART_LSR && rxCount() == 0) {
    const polls = load<u32>(MACHINE + M_RX_POLLS);
    if (polls < 2) store<u32>(MACHINE + M_RX_POLLS, polls + 1);
    if (polls >= 1) askForInput();
  }
}

// ── Writes (outputs, gated) ───────────────────────────────────────────────────────────

function uartWrite(reg: u32, byte: u32): void {
  store<u32>(MACHINE + M_RX_POLLS, 0); // an LSR read after a write is a transmit poll
  const lcr = load<u32>(MACHINE + M_UART_LCR);
  switch (reg) {
    case UART_RBR_THR: {
      if (lcr & LCR_DLAB) { store<u32>(MACHINE + M_UART_DLL, byte); return; }
      const len = load<u32>(MACHINE + M_TX_LEN);
      store<u8>(CONSOLE_OUT + len, <u8>byte);
      store<u32>(MACHINE + M_TX_LEN, len + 1);
      if (len + 1 == CONSOLE_OUT_SIZE) raise(A_OUTPUT);
      return;
    }
    case UART_IER: {
      if (lcr & LCR_DLAB) store<u32>(MACHINE + M_UART_DLM, byte);
      else { store<u32>(MACHINE + M_UART_IER, byte & 0x0F); raise(A_EVENT); }
      return;
    }
    case UART_LCR: store<u32>(MACHINE + M_UART_LCR, byte); return;
    case UART_MCR: store<u32>(MACHINE + M_UART_MCR, byte & 0x1F); return;
    case UART_SCR: store<u32>(MACHINE + M_UART_SCR, byte); return;
    default: return; // FCR and the read-only registers: no effect
  }
}

function clintWrite(offset: u32, value: u32, cycle: u64): void {
  const cmp = load<u64>(MACHINE + M_MTIMECMP);
  switch (offset) {
    case CLINT_MSIP: store<u32>(MACHINE + M_MSIP, value & 1); break;
    case CLINT_MTIMECMP: store<u64>(MACHINE + M_MTIMECMP, (cmp & 0xFFFF_FFFF_0000_0000) | <u64>value); break;
    case CLINT_MTIMECMP + 4: store<u64>(MACHINE + M_MTIMECMP, (cmp & 0xFFFF_FFFF) | (<u64>value << 32)); break;
    case CLINT_MTIME:
    case CLINT_MTIME + 4: {
      const ticks = cycle / <u64>load<u32>(MACHINE + M_CYCLES_PER_TICK);
      const now = ticks + load<u64>(MACHINE + M_MTIME_OFFSET);
      const next = offset == CLINT_MTIME
        ? (now & 0xFFFF_FFFF_0000_0000) | <u64>value
        : (now & 0xFFFF_FFFF) | (<u64>value << 32);
      store<u64>(MACHINE + M_MTIME_OFFSET, next - ticks);
      break;
    }
    default: return;
  }
  raise(A_EVENT);
}

function finisherWrite(value: u32): void {
  const command = value & 0xFFFF;
  if (command == FINISHER_PASS) {
    store<u32>(MACHINE + M_HALT, HALT_PASS);
    store<u32>(MACHINE + M_HALT_CODE, 0);
    raise(A_HALT);
  } else if (command == FINISHER_FAIL) {
    store<u32>(MACHINE + M_HALT, HALT_FAIL);
    store<u32>(MACHINE + M_HALT_CODE, value >> 16);
    raise(A_HALT);
  }
}

/** RX_POP removes the head record (consumed) when there is one; RX_IE sets the interrupt enable. */
function txpInWrite(offset: u32, value: u32): void {
  if (offset == TXP_RX_POP) {
    if (txpCount() == 0) return;
    store<u32>(MACHINE + M_TXP_HEAD, load<u32>(MACHINE + M_TXP_HEAD) + 1);
    store<u32>(MACHINE + M_TXP_POPPED, load<u32>(MACHINE + M_TXP_POPPED) + 1);
    raise(A_EVENT); // MEIP may fall
  } else if (offset == TXP_RX_IE) {
    store<u32>(MACHINE + M_TXP_IE, value & 1);
    raise(A_EVENT); // MEIP may rise
  }
}

/**
 * The staging registers take the value; TX_SEND appends them as one result record, stamped
 * with `cycle`, to the result ring (STOP_OUTPUT when that fills it).
 */
function txpOutWrite(offset: u32, value: u32, cycle: u64): void {
  if (offset < TXP_TX_SEND) {
    store<u32>(MACHINE + M_TXP_STAGE + <usize>offset, value);
  } else if (offset == TXP_TX_SEND) {
    const count = load<u32>(MACHINE + M_TXP_RESULTS);
    const entry = TXP_RESULTS + <usize>count * TXP_RECORD_SIZE;
    memory.copy(entry, MACHINE + M_TXP_STAGE, 20); // id and four words
    store<u64>(entry, cycle, TXP_RES_CYCLE);
    store<u32>(MACHINE + M_TXP_RESULTS, count + 1);
    if (count + 1 == TXP_RESULT_CAPACITY) raise(A_OUTPUT);
  }
}

/**
 * CKPT_ADDR and CKPT_LEN take the value; CKPT_SEND asks the host to send the checkpoint
 * (STOP_CHECKPOINT once the store has settled): the host checks the range and writes
 * M_CKPT_COUNT and M_CKPT_STATUS before the guest's next instruction.
 */
function ckptWrite(offset: u32, value: u32): void {
  if (offset == CKPT_ADDR) store<u32>(MACHINE + M_CKPT_ADDR, value);
  else if (offset == CKPT_LEN) store<u32>(MACHINE + M_CKPT_LEN, value);
  else if (offset == CKPT_SEND) raise(A_CHECKPOINT);
}

/** Commits a device store agreed by the online modules; `cycle` is the storing instruction's. */
export function commitDeviceStore(addr: u32, data: u32, cycle: u64): void {
  if (addr - CLINT_BASE < CLINT_SIZE) clintWrite(addr - CLINT_BASE, data, cycle);
  else if (addr - UART_BASE < UART_SIZE) uartWrite(addr - UART_BASE, data & 0xFF);
  else if (addr - FINISHER_BASE < FINISHER_SIZE) finisherWrite(data);
  else if (addr - TXP_IN_BASE < TXP_PORT_SIZE) txpInWrite(addr - TXP_IN_BASE, data);
  else if (addr - TXP_OUT_BASE < TXP_PORT_SIZE) txpOutWrite(addr - TXP_OUT_BASE, data, cycle);
  else if (addr - CKPT_BASE < CKPT_SIZE) ckptWrite(addr - CKPT_BASE, data);
}
