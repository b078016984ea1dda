/**
 * The page's breakpoints, watchpoints and run to cursor. The worker checks them
 * (src/worker/debugger.ts); this keeps what the page draws and sends it through the machine
 * controller's queue, so a breakpoint set before Run is armed before the run starts.
 *
 * Breakpoints are kept by address, with the source line each came from: loading the program
 * again moves each to the first instruction of its line — the line the editor's marker has
 * moved to with the edits (relocate()) — and drops one whose line no longer has an
 * instruction; a program loaded under another name starts with none.
 * The cursor is where run to cursor goes: the disassembly row or the editor line the reader
 * moved to last (an editor line is its first instruction).
 */
import type { DebugStop } from '../../src/worker/session.ts';
import type { MachineController, ProgramInfo } from './controller.ts';
import { hex32, count } from './format.ts';
import { describeWatch, parseWatch } from '../../src/debug/watch.ts';

export interface Breakpoint {
  address: number;
  /** Its 1-based source line in the loaded program, when it has one. */
  line?: number;
}

export interface DebugState {
  /** In address order. */
  breakpoints: Breakpoint[];
  /** Watchpoints as the worker names them (`x5`, `mem:0x80001000`). */
  watches: string[];
  cursor?: Breakpoint;
}

/** The first instruction of source line `line` (an instruction's line is the line it came from). */
function lineAddress(program: ProgramInfo | undefined, line: number): number | undefined {
  let first: number | undefined;
  for (const [address, at] of program?.lines ?? []) if (at === line && (first === undefined || address < first)) first = address;
  return first;
}

/** `address` with its line in `program`. */
function located(program: ProgramInfo | undefined, address: number): Breakpoint {
  const line = program?.lines.get(address);
  return line === undefined ? { address } : { address, line };
}

/** Where a breakpoint goes when `program` replaces the program it was set in (undefined: it goes). */
function moved(breakpoint: Breakpoint, program: ProgramInfo): Breakpoint | undefined {
  if (breakpoint.line === undefined) return breakpoint;
  const address = lineAddress(program, breakpoint.line);
  return address === undefined ? undefined : { address, line: breakpoint.line };
}

/** `0x80000008 (loop+0x4, line 3)`. */
export function placeText(program: ProgramInfo | undefined, place: Breakpoint): string {
  const symbol = program?.symbols.describe(place.address)?.slice(1, -1);
  const parts = [symbol, place.line !== undefined ? `line ${place.line}` : undefined].filter(Boolean);
  return `${hex32(place.address)}${parts.length > 0 ? ` (${parts.join(', ')})` : ''}`;
}

/** The stop in words: where, before which instruction, and for a watchpoint what changed and what changed it. */
export function stopText(stop: DebugStop, program: ProgramInfo | undefined): string {
  if (stop.kind === 'breakpoint') {
    return `Stopped at ${stop.temporary ? 'the cursor' : 'the breakpoint'} ${placeText(program, located(program, stop.pc))}, before instruction ${count(stop.instret)}.`;
  }
  const what = describeWatch(parseWatch(stop.target));
  const change = `${what} changed from ${hex32(stop.old)} to ${hex32(stop.value)}`;
  return stop.by
    ? `${change}: instruction ${count(stop.by.instret)} at ${placeText(program, located(program, stop.by.pc))} changed it.`
    : `${change} before instruction ${count(stop.instret)}, not by an instruction: a fault, a resync or the host changed it.`;
}

export class DebugController extends EventTarget {
  state: DebugState = { breakpoints: [], watches: [] };
  private program?: ProgramInfo;
  /** Where the editor's markers are now, for the load about to happen (relocate()). */
  private relocated?: readonly number[];

  constructor(readonly machine: MachineController) {
    super();
    machine.addEventListener('change', () => {
      this.programChanged();
      this.watchesChanged();
    });
  }

  private set(patch: Partial<DebugState>): void {
    this.state = { ...this.state, ...patch };
    this.dispatchEvent(new Event('change'));
  }

  /** A new program was loaded: breakpoints follow their lines, or go with a program of another name. */
  private programChanged(): void {
    const program = this.machine.state.program;
    if (program === this.program) return;
    const before = this.program;
    this.program = program;
    if (!program) return;
    const lines = this.relocated;
    const previous = lines === undefined ? this.state.breakpoints
      : [...this.state.breakpoints.filter((b) => b.line === undefined), ...lines.map((line) => ({ address: 0, line }))];
    const kept = before?.name === program.name ? previous.flatMap((b) => moved(b, program) ?? []) : [];
    this.set({ cursor: undefined });
    if (kept.length > 0 || this.state.breakpoints.length > 0) void this.send(kept).catch(() => undefined);
  }

  /**
   * The source lines the editor shows breakpoints on now (they moved with its edits): the
   * program loaded next under the same name gets its breakpoints there. undefined: back to
   * the lines they were set on.
   */
  relocate(lines: readonly number[] | undefined): void {
    this.relocated = lines;
  }

  /** The worker keeps the watchpoints a new machine can take (a RAM word beyond a smaller RAM goes): the list follows. */
  private watchesChanged(): void {
    const view = this.machine.state.view;
    if (!view) return;
    const targets = (view.watches ?? []).map((w) => w.target);
    if (targets.length !== this.state.watches.length || targets.some((t, k) => t !== this.state.watches[k])) this.set({ watches: targets });
  }

  private async send(breakpoints: Breakpoint[]): Promise<void> {
    const unique = [...new Map(breakpoints.map((b) => [b.address, b])).values()].sort((a, b) => a.address - b.address);
    await this.machine.call((session) => session.setBreakpoints(unique.map((b) => b.address)));
    this.set({ breakpoints: unique });
  }

  has(address: number): boolean {
    return this.state.breakpoints.some((b) => b.address === address);
  }

  /** Sets or clears the breakpoint at an instruction's address. */
  toggle(address: number): Promise<void> {
    const rest = this.state.breakpoints.filter((b) => b.address !== address);
    return this.send(rest.length < this.state.breakpoints.length ? rest : [...rest, located(this.program, address)]);
  }

  /** Sets or clears the breakpoint on source line `line` (its first instruction); false if the line has none. */
  toggleLine(line: number): Promise<boolean> {
    const onLine = this.state.breakpoints.filter((b) => b.line === line);
    if (onLine.length > 0) return this.send(this.state.breakpoints.filter((b) => b.line !== line)).then(() => true);
    const address = lineAddress(this.program, line);
    if (address === undefined) return Promise.resolve(false);
    return this.toggle(address).then(() => true);
  }

  remove(address: number): Promise<void> {
    return this.send(this.state.breakpoints.filter((b) => b.address !== address));
  }

  clear(): Promise<void> {
    return this.send([]);
  }

  /** The disassembly row at `address` is the cursor. */
  setCursor(address: number): void {
    if (this.state.cursor?.address !== address) this.set({ cursor: located(this.program, address) });
  }

  /** The editor's cursor is on `line`: its first instruction is the cursor (none if it has none). */
  setCursorLine(line: number): void {
    const address = lineAddress(this.program, line);
    const cursor = address === undefined ? undefined : { address, line };
    if (cursor?.address !== this.state.cursor?.address) this.set({ cursor });
  }

  toggleAtCursor(): Promise<void> {
    return this.state.cursor ? this.toggle(this.state.cursor.address) : Promise.resolve();
  }

  runToCursor(): Promise<void> {
    return this.state.cursor ? this.machine.runTo(this.state.cursor.address) : Promise.resolve();
  }

  /**
   * Watches `text`: a register (`t0`, `x5`), a RAM word (`mem:0x80001000`, `0x80001000`) or a
   * data label of the program (its word). A target the worker refuses becomes the page's
   * error message.
   */
  addWatch(text: string): Promise<void> {
    const symbol = this.program?.symbolList.find(([name]) => name === text.trim());
    const target = symbol ? `mem:${hex32(symbol[1] & ~3)}` : text;
    return this.setWatches([...this.state.watches, target]);
  }

  removeWatch(target: string): Promise<void> {
    return this.setWatches(this.state.watches.filter((w) => w !== target));
  }

  private async setWatches(targets: string[]): Promise<void> {
    const named = await this.machine.call((session) => session.setWatches(targets));
    this.set({ watches: named });
  }
}
