/**
 * Host-served ecalls (DESIGN §3): while mtvec is zero, `ecall` is served by the machine,
 * with the number in a7: Linux RISC-V `64` write, `63` read, `93`/`94` exit, `57` close,
 * `214` brk; RARS/SPIM console calls `1` print int, `4` print string, `5` read int,
 * `10` exit, `11` print char, `17` exit with code, `34` print hex.
 *
 * A call is decoded from each online module (decodeCall) and served once (serveCall), only
 * when the modules agree on it: arguments and any output payload are part of the call.
 */

/** What the machine needs of one module to decode its call. */
export interface ModuleAccess {
  reg(n: number): number;
  /** `length` bytes of guest memory at `addr`, or undefined if any lies outside RAM. */
  read(addr: number, length: number): Uint8Array | undefined;
}

/** The console the machine talks to (stdin/stdout of the CLI, a panel in the browser). */
export interface ConsoleIO {
  /** Guest output: fd 1 (stdout, also the UART) or 2 (stderr). */
  write(fd: 1 | 2, bytes: Uint8Array): void;
  /**
   * Up to `max` bytes of input: null at end of input; an empty array when nothing is
   * available now but more may come (the machine then waits for input).
   */
  read(max: number): Uint8Array | null;
}

/** A call as one module asks for it: comparable across modules. */
export interface HostCall {
  number: number;
  /** The argument registers the call reads (a0..a2), as unsigned 32-bit values. */
  args: number[];
  /** Bytes the call would output (write, print string), read from the module's memory. */
  payload?: Uint8Array;
}

export type HostCallOutcome =
  | { kind: 'return'; a0: number; memory?: { addr: number; bytes: Uint8Array } }
  | { kind: 'exit'; code: number }
  | { kind: 'wait-input' };

/** State the calls keep between them (part of the machine state). */
export interface HostCallState {
  /** Current program break (brk). */
  brk: number;
  /** Initial program break, the end of the loaded program: the break never moves below it. */
  start: number;
  /** Input read for `read int` that did not yet end in a newline. */
  pendingLine: number[];
}

const A0 = 10;
const A7 = 17;
const MAX_STRING = 1 << 20;

const EBADF = 9;
const EFAULT = 14;
const ENOSYS = 38;

/** A host-served call as people look it up: the page's reference card and the README list these. */
export interface HostCallInfo {
  /** Its number, in a7. */
  number: number;
  name: string;
  /** Whose numbering: Linux RISC-V, or the RARS/SPIM console calls. */
  family: 'Linux' | 'RARS';
  /** The argument registers it reads, a0 first, by what they hold. */
  args: readonly string[];
  /** What it does and returns (in a0), in a sentence. */
  effect: string;
}

/** Every call the machine serves (serveCall); any other number returns -38 (ENOSYS). */
export const HOST_CALLS: readonly HostCallInfo[] = [
  { number: 64, name: 'write', family: 'Linux', args: ['fd', 'buf', 'count'], effect: 'writes count bytes at buf to stdout (fd 1) or stderr (fd 2); returns count' },
  { number: 63, name: 'read', family: 'Linux', args: ['fd', 'buf', 'count'], effect: 'reads up to count bytes of console input (fd 0) into buf; returns the bytes read, 0 at end of input' },
  { number: 93, name: 'exit', family: 'Linux', args: ['code'], effect: 'ends the program with exit code code & 0xff' },
  { number: 94, name: 'exit', family: 'Linux', args: ['code'], effect: 'exit_group: ends the program as 93 does' },
  { number: 57, name: 'close', family: 'Linux', args: ['fd'], effect: 'returns 0' },
  { number: 214, name: 'brk', family: 'Linux', args: ['addr'], effect: 'moves the program break to addr (between the end of the program and the end of RAM); returns the break' },
  { number: 1, name: 'print int', family: 'RARS', args: ['value'], effect: 'prints value as a signed decimal' },
  { number: 4, name: 'print string', family: 'RARS', args: ['addr'], effect: 'prints the NUL-terminated string at addr' },
  { number: 5, name: 'read int', family: 'RARS', args: [], effect: 'reads a line of console input; returns it as a decimal integer (0 if it is none)' },
  { number: 10, name: 'exit', family: 'RARS', args: [], effect: 'ends the program with exit code 0' },
  { number: 11, name: 'print char', family: 'RARS', args: ['char'], effect: 'prints the byte char & 0xff' },
  { number: 17, name: 'exit with code', family: 'RARS', args: ['code'], effect: 'ends the program with exit code code & 0xff' },
  { number: 34, name: 'print hex', family: 'RARS', args: ['value'], effect: 'prints value as 0x and 8 hex digits' },
];

/** Numbers of the calls, and how many argument registers each reads. */
const ARITY: ReadonlyMap<number, number> = new Map(HOST_CALLS.map((call) => [call.number, call.args.length]));

function nulTerminated(module: ModuleAccess, addr: number): Uint8Array | undefined {
  const bytes: number[] = [];
  for (let a = addr; bytes.length < MAX_STRING; a = (a + 1) >>> 0) {
    const b = module.read(a, 1);
    if (b === undefined) return undefined;
    if (b[0] === 0) break;
    bytes.push(b[0]);
  }
  return Uint8Array.from(bytes);
}

export function decodeCall(module: ModuleAccess): HostCall {
  const number = module.reg(A7);
  const args = Array.from({ length: ARITY.get(number) ?? 0 }, (_, k) => module.reg(A0 + k) >>> 0);
  let payload: Uint8Array | undefined;
  if (number === 64 && (args[0] === 1 || args[0] === 2)) payload = module.read(args[1], args[2]);
  if (number === 4) payload = nulTerminated(module, args[0]);
  return { number, args, payload };
}

/** The first difference between two modules' calls, as a field name and both values, or undefined if they agree. */
export function callDifference(a: HostCall, b: HostCall): { field: string; expected: string; actual: string } | undefined {
  if (a.number !== b.number) return { field: 'a7', expected: hex(a.number), actual: hex(b.number) };
  for (let k = 0; k < a.args.length; k++) {
    if (a.args[k] !== b.args[k]) return { field: `a${k}`, expected: hex(a.args[k]), actual: hex(b.args[k]) };
  }
  const pa = a.payload ?? new Uint8Array();
  const pb = b.payload ?? new Uint8Array();
  if (pa.length !== pb.length || pa.some((v, k) => v !== pb[k])) {
    return { field: 'output', expected: JSON.stringify(new TextDecoder().decode(pa)), actual: JSON.stringify(new TextDecoder().decode(pb)) };
  }
  return undefined;
}

function hex(v: number): string {
  return `0x${(v >>> 0).toString(16).padStart(8, '0')}`;
}

function text(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Reads a line of input for `read int`; undefined while it is incomplete and more may come. */
function readLine(io: ConsoleIO, state: HostCallState): string | undefined {
  for (;;) {
    const chunk = io.read(1);
    if (chunk === null) break;
    if (chunk.length === 0) return undefined;
    if (chunk[0] === 0x0A) break;
    state.pendingLine.push(chunk[0]);
  }
  const line = new TextDecoder().decode(Uint8Array.from(state.pendingLine));
  state.pendingLine = [];
  return line;
}

/**
 * Serves `call` on the console. `ramEnd` is the first address past guest RAM (brk's limit).
 * Results are returned, not applied: the machine writes them into every online module.
 */
export function serveCall(call: HostCall, io: ConsoleIO, state: HostCallState, ramEnd: number): HostCallOutcome {
  const [a0 = 0, a1 = 0, a2 = 0] = call.args;
  switch (call.number) {
    case 64: { // write(fd, buf, count)
      if (a0 !== 1 && a0 !== 2) return { kind: 'return', a0: -EBADF >>> 0 };
      if (call.payload === undefined) return { kind: 'return', a0: -EFAULT >>> 0 };
      io.write(a0, call.payload);
      return { kind: 'return', a0: a2 };
    }
    case 63: { // read(fd, buf, count)
      if (a0 !== 0) return { kind: 'return', a0: -EBADF >>> 0 };
      if (a2 === 0) return { kind: 'return', a0: 0 };
      if (a1 < 0x8000_0000 || a1 + a2 > ramEnd) return { kind: 'return', a0: -EFAULT >>> 0 };
      const bytes = io.read(a2);
      if (bytes === null) return { kind: 'return', a0: 0 };
      if (bytes.length === 0) return { kind: 'wait-input' };
      return { kind: 'return', a0: bytes.length, memory: { addr: a1, bytes } };
    }
    case 93: case 94: return { kind: 'exit', code: a0 & 0xFF };
    case 57: return { kind: 'return', a0: 0 };
    case 214: { // brk(addr): as Linux, moves the break anywhere in [initial break, end of RAM]; returns the break
      if (a0 >= state.start && a0 <= ramEnd) state.brk = a0;
      return { kind: 'return', a0: state.brk };
    }
    case 1: io.write(1, text(String(a0 | 0))); return { kind: 'return', a0 };
    case 4: {
      if (call.payload !== undefined) io.write(1, call.payload);
      return { kind: 'return', a0 };
    }
    case 5: {
      const line = readLine(io, state);
      if (line === undefined) return { kind: 'wait-input' };
      const value = Number.parseInt(line.trim(), 10);
      return { kind: 'return', a0: Number.isNaN(value) ? 0 : value >>> 0 };
    }
    case 10: return { kind: 'exit', code: 0 };
    case 11: io.write(1, Uint8Array.of(a0 & 0xFF)); return { kind: 'return', a0 };
    case 17: return { kind: 'exit', code: a0 & 0xFF };
    case 34: io.write(1, text(hex(a0))); return { kind: 'return', a0 };
    default: return { kind: 'return', a0: -ENOSYS >>> 0 };
  }
}
