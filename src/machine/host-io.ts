/**
 * The machine's console and host-call service: where guest output goes (the UART's
 * transmit buffer and the write calls), where input comes from (the UART's receive ring,
 * then the console), and the state the host-served calls keep between them (hostcalls.ts).
 * Machine decides when a call is served (once the modules agree on it) and applies its
 * result to every online module.
 */
import type { Core } from './core.ts';
import { ConsoleUart } from './uart.ts';
import { serveCall, type ConsoleIO, type HostCall, type HostCallOutcome, type HostCallState } from './hostcalls.ts';

/** The host-call part of a machine snapshot (snapshot.ts). */
export interface HostIOState {
  hostCalls: HostCallState;
  waitingCall?: Omit<HostCall, 'payload'> & { payload?: number[] };
  stdoutBytes: number;
}

export class HostIO {
  console: ConsoleIO;
  private readonly uart: ConsoleUart;
  private calls: HostCallState = { brk: 0, start: 0, pendingLine: [] };
  /** A host call that waits for input (already retired by the modules). */
  private waitingCall?: HostCall;
  private stdoutBytes = 0;
  /** What serveCall() talks to: the receive ring's bytes come before the console's. */
  private readonly io: ConsoleIO;

  /** `ramEnd`: the first address past guest RAM (the program break's limit). */
  constructor(core: Core, console: ConsoleIO, private readonly ramEnd: number) {
    this.uart = new ConsoleUart(core);
    this.console = console;
    this.io = {
      write: (fd, bytes) => this.write(fd, bytes),
      read: (max) => {
        const received = this.uart.take(max);
        return received.length > 0 ? received : this.console.read(max);
      },
    };
  }

  /** Bytes the guest has written to stdout (UART and host calls). */
  get outputBytes(): number { return this.stdoutBytes; }

  /** A host call waits for input. */
  get waiting(): HostCall | undefined { return this.waitingCall; }

  /** Whether the console may block (the UART then waits for input when the guest finds it empty). */
  set inputOpen(open: boolean) { this.uart.inputOpen = open; }

  /** A new program's run starts; its loaded bytes end at `programEnd` (the initial break). */
  start(programEnd: number): void {
    this.calls = { brk: programEnd, start: programEnd, pendingLine: [] };
    this.waitingCall = undefined;
    this.stdoutBytes = 0;
  }

  /** Takes `source`'s program state (break, pending console line): see context.ts. */
  adopt(source: HostIO): void {
    const { brk, start, pendingLine } = source.calls;
    this.calls = { brk, start, pendingLine: [...pendingLine] };
  }

  write(fd: 1 | 2, bytes: Uint8Array): void {
    if (fd === 1) this.stdoutBytes += bytes.length;
    this.console.write(fd, bytes);
  }

  /** Passes on what the guest transmitted through the UART. */
  drainOutput(): void {
    const bytes = this.uart.drainTransmitted();
    if (bytes) this.write(1, bytes);
  }

  /** Puts bytes into the UART receive ring (as far as they fit); returns how many were taken. */
  pushInput(bytes: Uint8Array): number {
    return this.uart.push(bytes);
  }

  /** The guest found the UART empty: read the console; false if nothing is available yet. */
  feedInput(): boolean {
    this.uart.clearInputWanted();
    const room = this.uart.room;
    if (room === 0) return true;
    const bytes = this.console.read(room);
    if (bytes === null) {
      this.uart.inputOpen = false;
      return true;
    }
    if (bytes.length === 0) return false;
    this.uart.push(bytes);
    return true;
  }

  /** Serves `call` once; a call that must wait for input is kept (waiting) until served again. */
  serve(call: HostCall): HostCallOutcome {
    const outcome = serveCall(call, this.io, this.calls, this.ramEnd);
    this.waitingCall = outcome.kind === 'wait-input' ? call : undefined;
    return outcome;
  }

  state(): HostIOState {
    const waiting = this.waitingCall;
    return {
      hostCalls: this.calls,
      waitingCall: waiting && { ...waiting, payload: waiting.payload && Array.from(waiting.payload) },
      stdoutBytes: this.stdoutBytes,
    };
  }

  restore(state: HostIOState): void {
    this.calls = state.hostCalls;
    const waiting = state.waitingCall;
    this.waitingCall = waiting && { ...waiting, payload: waiting.payload && Uint8Array.from(waiting.payload) };
    this.stdoutBytes = state.stdoutBytes;
  }
}
