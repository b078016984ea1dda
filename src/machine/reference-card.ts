/**
 * The reference card: the host-served calls and the device registers, built from
 * what the machine itself uses — the calls from HOST_CALLS, the table hostcalls.ts serves
 * from; the devices' addresses, register offsets and command values from the core's layout
 * exports (assembly/layout.ts), which this file names and never copies. The page shows the
 * card; the README documents the same rows, and a test holds it to them.
 */
import { HOST_CALLS, type HostCallInfo } from './hostcalls.ts';
import type { Layout, LayoutName } from './core.ts';

/** One register of a device, its offset a layout export (or 0, the device's only register). */
interface RegisterInfo {
  name: string;
  offset: LayoutName | 0;
  /** Consecutive words it spans (RX_DATA0..3: 4). */
  words?: number;
  access: 'r' | 'w' | 'r/w';
  /** What it holds or does; `L` gives the layout's values to quote. */
  effect: (L: Layout) => string;
}

interface DeviceInfo {
  name: string;
  base: LayoutName;
  /** How the guest may access it. */
  access: string;
  registers: readonly RegisterInfo[];
}

const hex = (n: number) => `0x${n.toString(16).toUpperCase()}`;

const DEVICES: readonly DeviceInfo[] = [
  {
    name: 'CLINT (timer and software interrupt)', base: 'CLINT_BASE', access: 'word accesses',
    registers: [
      { name: 'msip', offset: 'CLINT_MSIP', access: 'r/w', effect: () => 'bit 0 raises the machine software interrupt' },
      { name: 'mtimecmp', offset: 'CLINT_MTIMECMP', words: 2, access: 'r/w', effect: () => 'the machine timer interrupt is pending while mtime ≥ mtimecmp (64 bits)' },
      { name: 'mtime', offset: 'CLINT_MTIME', words: 2, access: 'r/w', effect: () => 'time at 10 MHz: one tick every 10 instructions (64 bits)' },
    ],
  },
  {
    name: 'console UART (16550 subset)', base: 'UART_BASE', access: 'byte registers',
    registers: [
      { name: 'THR/RBR', offset: 'UART_RBR_THR', access: 'r/w', effect: () => 'write: send a byte to the console; read: the next byte received' },
      { name: 'IER', offset: 'UART_IER', access: 'r/w', effect: () => 'bit 0: the receive interrupt (machine external) while data waits' },
      { name: 'IIR', offset: 'UART_IIR_FCR', access: 'r', effect: () => '0x04 when received data raises the interrupt, else 0x01' },
      { name: 'LCR', offset: 'UART_LCR', access: 'r/w', effect: () => 'line control; bit 7 puts the divisor latch at +0/+1' },
      { name: 'MCR', offset: 'UART_MCR', access: 'r/w', effect: () => 'modem control (kept, no effect)' },
      { name: 'LSR', offset: 'UART_LSR', access: 'r', effect: () => 'bit 0 data ready, bit 5 transmitter empty' },
      { name: 'SCR', offset: 'UART_SCR', access: 'r/w', effect: () => 'scratch byte' },
    ],
  },
  {
    name: 'test finisher', base: 'FINISHER_BASE', access: 'word write',
    registers: [
      { name: 'status', offset: 0, access: 'w', effect: (L) => `${hex(L.FINISHER_PASS)} ends the run passed; (code << 16) | ${hex(L.FINISHER_FAIL)} fails it with exit code code` },
    ],
  },
  {
    name: 'transaction input port', base: 'TXP_IN_BASE', access: 'word accesses',
    registers: [
      { name: 'RX_COUNT', offset: 'TXP_RX_COUNT', access: 'r', effect: () => 'records waiting' },
      { name: 'RX_ID', offset: 'TXP_RX_ID', access: 'r', effect: () => 'the head record\'s id (0 when empty)' },
      { name: 'RX_DATA0..3', offset: 'TXP_RX_DATA', words: 4, access: 'r', effect: () => 'the head record\'s four payload words' },
      { name: 'RX_TIME', offset: 'TXP_RX_TIME', access: 'r', effect: () => 'its arrival time, virtual µs (low 32 bits)' },
      { name: 'RX_POP', offset: 'TXP_RX_POP', access: 'w', effect: () => 'removes the head record' },
      { name: 'RX_IE', offset: 'TXP_RX_IE', access: 'r/w', effect: () => 'bit 0 raises the machine external interrupt while records wait' },
    ],
  },
  {
    name: 'transaction output port', base: 'TXP_OUT_BASE', access: 'word accesses',
    registers: [
      { name: 'TX_ID', offset: 'TXP_TX_ID', access: 'r/w', effect: () => 'staging: the id answered' },
      { name: 'TX_DATA0..3', offset: 'TXP_TX_DATA', words: 4, access: 'r/w', effect: () => 'staging: four result words' },
      { name: 'TX_SEND', offset: 'TXP_TX_SEND', access: 'w', effect: () => 'emits the staged id and words as one result' },
    ],
  },
  {
    name: 'checkpoint device', base: 'CKPT_BASE', access: 'word accesses',
    registers: [
      { name: 'CKPT_ADDR', offset: 'CKPT_ADDR', access: 'r/w', effect: () => 'guest address of the range to send' },
      { name: 'CKPT_LEN', offset: 'CKPT_LEN', access: 'r/w', effect: () => 'its length in bytes' },
      { name: 'CKPT_SEND', offset: 'CKPT_SEND', access: 'w', effect: () => 'sends a checkpoint of the range and the process context (reads 0)' },
      { name: 'CKPT_COUNT', offset: 'CKPT_COUNT', access: 'r', effect: () => 'checkpoints accepted since power-on' },
      { name: 'CKPT_STATUS', offset: 'CKPT_STATUS', access: 'r', effect: (L) => `${L.CKPT_ACCEPTED}: the last send was accepted; ${L.CKPT_REFUSED}: its range was refused` },
    ],
  },
];

export interface CardRegister {
  name: string;
  /** Offset from the device's base, bytes. */
  offset: number;
  /** Its guest address. */
  address: number;
  words: number;
  access: string;
  effect: string;
}

export interface CardDevice {
  name: string;
  base: number;
  access: string;
  registers: CardRegister[];
}

export interface ReferenceCard {
  calls: readonly HostCallInfo[];
  devices: CardDevice[];
  /** Where RAM starts, and the top of the stack sp starts at is its end. */
  ramBase: number;
}

/** The card for the core whose layout is `L`. */
export function referenceCard(L: Layout): ReferenceCard {
  return {
    calls: HOST_CALLS,
    ramBase: L.RAM_BASE,
    devices: DEVICES.map((device) => ({
      name: device.name,
      base: L[device.base],
      access: device.access,
      registers: device.registers.map((r) => {
        const offset = r.offset === 0 ? 0 : L[r.offset];
        return { name: r.name, offset, address: L[device.base] + offset, words: r.words ?? 1, access: r.access, effect: r.effect(L) };
      }),
    })),
  };
}
