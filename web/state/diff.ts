/**
 * What differs between modules: registers, pc, CSRs and RAM words, compared against a
 * reference value: the value a strict majority of the online modules hold (with no module
 * online, the same vote over every module). Without a majority — two modules that
 * disagree, as in dmr — nothing says which value is right, so there is no reference and
 * every module that differs from another is marked (DESIGN §1, claim 2). A module that is
 * resyncing is never compared: its state is being copied and differs by design.
 */
import type { ModuleState } from '../../src/machine/machine.ts';
import { ABI_NAMES } from '../../src/isa/registers.ts';

export interface ModuleLike {
  id: number;
  state: ModuleState;
  pc: number;
  regs: number[];
  csrs: Record<string, number>;
}

/** One compared value across modules. */
export interface Comparison {
  /** The majority's value; undefined when the voters have no strict majority. */
  reference?: number;
  /** Per module: its value differs from the reference, or without one from another voter's (always false for a resyncing module). */
  differs: boolean[];
  /** Per module: the bits that differ from the reference, or without one from any other voter's (0 when equal). */
  masks: number[];
  /** Some online module differs: a latent error the comparator has not seen yet (or is about to). */
  latent: boolean;
}

export function compareValues(values: readonly number[], states: readonly ModuleState[]): Comparison {
  const online = values.flatMap((_, m) => (states[m] === 'online' ? [m] : []));
  const voters = online.length > 0 ? online : values.flatMap((_, m) => (states[m] !== 'resyncing' ? [m] : []));
  const tally = new Map<number, number>();
  for (const m of voters) tally.set(values[m] >>> 0, (tally.get(values[m] >>> 0) ?? 0) + 1);
  const reference = [...tally].find(([, n]) => 2 * n > voters.length)?.[0];
  const masks = values.map((v, m) => {
    if (states[m] === 'resyncing') return 0;
    if (reference !== undefined || voters.length === 0) return ((v >>> 0) ^ (reference ?? v)) >>> 0;
    return voters.reduce((mask, o) => (mask | ((v ^ values[o]) >>> 0)) >>> 0, 0);
  });
  const differs = masks.map((mask) => mask !== 0);
  return { ...(reference !== undefined ? { reference } : {}), differs, masks, latent: differs.some((d, m) => d && states[m] === 'online') };
}

/** Bit numbers set in `mask`, most significant first. */
export function bitsOf(mask: number): number[] {
  const bits: number[] = [];
  for (let b = 31; b >= 0; b--) if ((mask >>> b) & 1) bits.push(b);
  return bits;
}

/** A row of the register table. `target` is the fault target text (DESIGN §5). */
export interface RegisterRow extends Comparison {
  /** `pc`, `x5`, `mepc`. */
  target: string;
  /** What people call it: `pc`, `x5 t0`, `mepc`. */
  label: string;
  values: number[];
}

/** The register table: pc, x1..x31 (x0 is always zero), then the view's CSRs. */
export function registerRows(modules: readonly ModuleLike[]): RegisterRow[] {
  const states = modules.map((m) => m.state);
  const row = (target: string, label: string, values: number[]): RegisterRow =>
    ({ target, label, values, ...compareValues(values, states) });
  const rows = [row('pc', 'pc', modules.map((m) => m.pc))];
  for (let r = 1; r < 32; r++) rows.push(row(`x${r}`, `x${r} ${ABI_NAMES[r]}`, modules.map((m) => m.regs[r] ?? 0)));
  const csrNames = modules.length > 0 ? Object.keys(modules[0].csrs) : [];
  for (const name of csrNames) rows.push(row(name, name, modules.map((m) => m.csrs[name] ?? 0)));
  return rows;
}

/** Little-endian 32-bit words of a module's RAM window. */
export function wordsOf(bytes: Uint8Array): number[] {
  const words: number[] = [];
  for (let k = 0; k + 4 <= bytes.length; k += 4) {
    words.push((bytes[k] | (bytes[k + 1] << 8) | (bytes[k + 2] << 16) | (bytes[k + 3] << 24)) >>> 0);
  }
  return words;
}

export interface MemoryRow extends Comparison {
  address: number;
  values: number[];
}

/** Memory rows of a window at `address` read from every module (an empty read means outside RAM). */
export function memoryRows(address: number, perModule: readonly Uint8Array[], states: readonly ModuleState[]): MemoryRow[] {
  const words = perModule.map(wordsOf);
  const length = Math.max(0, ...words.map((w) => w.length));
  return Array.from({ length }, (_, k) => {
    const values = words.map((w) => w[k] ?? 0);
    return { address: (address + 4 * k) >>> 0, values, ...compareValues(values, states) };
  });
}
