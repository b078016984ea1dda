/**
 * The fault space of a campaign: every single fault `{ at, module, kind, target, bit }` it
 * may inject (DESIGN §5), its size, and the k-th fault of a campaign as a pure function of
 * (seed, k), so that any run can be reproduced alone with `lockstep run --inject SPEC`.
 *
 * The space is a product: an instruction in the window [from, to) times a site (module,
 * kind, target, bit). Sites come in blocks — one module, one kind, one list of targets of
 * one type, one range of bits — so that a space of millions of RAM words is a few numbers.
 * Faults are drawn uniformly from the whole product, with replacement (each run independent).
 */
import { Random } from '../fault/random.ts';
import { InputError } from '../input-error.ts';
import { FAULT_KINDS, FaultSpecError, formatFault, formatTarget, parseFault, type Fault, type FaultKind, type FaultTarget } from '../fault/spec.ts';
import { CSR_NAMES, csrNumber } from '../isa/csr.ts';
import { registerNumber } from '../isa/registers.ts';
import type { Segment } from '../isa/program.ts';

/** The target families `--targets` names, besides single registers, CSRs and RAM words. */
export const TARGET_FAMILIES = ['regs', 'pc', 'csr', 'mem', 'result'] as const;

/** The space a campaign draws from when none is named: single bit flips of every target family. */
export const DEFAULT_SPACE = { kinds: ['flip'], targets: [...TARGET_FAMILIES] } as const satisfies { kinds: readonly FaultKind[]; targets: readonly string[] };

/** A fault space as a user gives it (the campaign file's header records it resolved). */
export interface SpaceSpec {
  kinds: readonly FaultKind[];
  /** `regs`, `pc`, `csr`, `mem`, `result`, a register (`x5`, `a0`), a CSR (`mepc`), `mem:ADDR` or `mem:FROM..TO` (TO excluded). */
  targets: readonly string[];
  /** Instructions [from, to) at which a fault may apply (default: the whole fault-free run). */
  window?: readonly [number, number];
  /** Modules a fault may hit (default: all). */
  modules?: readonly number[];
}

/** What the space needs to know of the machine and program. */
export interface SpaceContext {
  moduleCount: number;
  /** The machine's check of a fault (Machine.checkFault): a message, or undefined if it can be injected. */
  check(fault: Fault): string | undefined;
  /** The program's segments: what the `mem` family covers. */
  segments: readonly Pick<Segment, 'address' | 'memSize'>[];
  /** Instructions of the fault-free run: the default window is [0, instructions). */
  instructions: number;
}

/** A space resolved against a machine, as the results file's header records it. */
export interface ResolvedSpace {
  kinds: FaultKind[];
  /** Canonical target list: families, then registers, CSRs and RAM ranges not in them. */
  targets: string[];
  window: [number, number];
  modules: number[];
  /** Faults in the space: window length × sites. */
  size: number;
}

/** A user's space that cannot be built; the message says what and how to fix it. */
export class SpaceError extends InputError {
  override name = 'SpaceError';
}

type Item = { type: 'reg'; regs: number[] } | { type: 'csr'; csrs: number[] } | { type: 'mem'; from: number; words: number } | { type: 'pc' } | { type: 'result' };

/** One block of sites: `items` targets × `bitCount` bits from `bitFrom`, on one module, for one kind. */
interface Block {
  module: number;
  kind: FaultKind;
  /** Absent for kill. */
  item?: Item;
  bitFrom: number;
  bitCount: number;
  size: number;
}

/** Targets a user named, sorted into lists (registers and CSRs by number; RAM as [from, to) word ranges). */
interface TargetSet {
  regs: Set<number>;
  csrs: Set<number>;
  mem: [number, number][];
  pc: boolean;
  result: boolean;
  /** Families named whole (for the canonical list). */
  families: Set<string>;
}

/** CSRs a fault may target: every named CSR but the read-only shadows 0xC00–0xCFF, which are the machine counters under another name. */
const CSR_CANDIDATES = [...new Set(CSR_NAMES.map((name) => csrNumber(name)!))].filter((n) => n < 0xC00 || n > 0xCFF).sort((a, b) => a - b);

function parseAddress(text: string, token: string): number {
  const clean = text.replace(/_/g, '').toLowerCase();
  const value = /^0x[0-9a-f]+$/.test(clean) ? Number.parseInt(clean, 16) : /^\d+$/.test(clean) ? Number(clean) : NaN;
  if (!Number.isSafeInteger(value) || value > 0x1_0000_0000) throw new SpaceError(`--targets: '${token}': '${text}' is not an address (such as 0x80001000)`);
  if (value % 4 !== 0) throw new SpaceError(`--targets: '${token}': ${text} is not word-aligned (use a multiple of 4)`);
  return value;
}

function parseTargets(tokens: readonly string[], segments: SpaceContext['segments']): TargetSet {
  const set: TargetSet = { regs: new Set(), csrs: new Set(), mem: [], pc: false, result: false, families: new Set() };
  if (tokens.length === 0) throw new SpaceError(`--targets: name at least one target: ${TARGET_FAMILIES.join(', ')}, a register, a CSR or mem:FROM..TO`);
  for (const raw of tokens) {
    const token = raw.trim().toLowerCase();
    if (token === 'regs') {
      for (let r = 1; r < 32; r++) set.regs.add(r);
      set.families.add(token);
    } else if (token === 'pc') {
      set.pc = true;
      set.families.add(token);
    } else if (token === 'result') {
      set.result = true;
      set.families.add(token);
    } else if (token === 'csr') {
      for (const n of CSR_CANDIDATES) set.csrs.add(n);
      set.families.add(token);
    } else if (token === 'mem') {
      for (const s of segments) set.mem.push(segmentWords(s));
      set.families.add(token);
    } else if (token.startsWith('mem:')) {
      const [fromText, toText, extra] = token.slice(4).split('..');
      if (extra !== undefined) throw new SpaceError(`--targets: '${raw}': expected mem:ADDR or mem:FROM..TO`);
      const from = parseAddress(fromText, raw);
      const to = toText === undefined ? from + 4 : parseAddress(toText, raw);
      if (to <= from) throw new SpaceError(`--targets: '${raw}': the range is empty (TO is excluded and must lie above FROM)`);
      set.mem.push([from, to]);
    } else if (registerNumber(token) !== undefined) {
      const reg = registerNumber(token)!;
      if (reg === 0) throw new SpaceError(`--targets: x0 is hard-wired to zero and cannot hold a fault; use x1..x31`);
      set.regs.add(reg);
    } else if (csrNumber(token) !== undefined) {
      set.csrs.add(csrNumber(token)!);
    } else {
      throw new SpaceError(`--targets: unknown target '${raw}': use ${TARGET_FAMILIES.join(', ')}, a register (x5, a0), a CSR (mepc) or mem:FROM..TO`);
    }
  }
  set.mem = mergeRanges(set.mem);
  return set;
}

/** The words a segment touches, as a [from, to) range of byte addresses. */
function segmentWords(s: Pick<Segment, 'address' | 'memSize'>): [number, number] {
  const end = s.address + s.memSize;
  return [s.address - (s.address % 4), end + ((4 - (end % 4)) % 4)];
}

/** Sorted, disjoint ranges covering `ranges`. */
function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0]);
  const merged: [number, number][] = [];
  for (const [from, to] of sorted) {
    const last = merged.at(-1);
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else merged.push([from, to]);
  }
  return merged;
}

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** The canonical target list of a set: families first, then what they do not cover. */
function canonicalTargets(set: TargetSet, segments: SpaceContext['segments']): string[] {
  const out = TARGET_FAMILIES.filter((f) => set.families.has(f)) as string[];
  if (!set.families.has('regs')) out.push(...[...set.regs].sort((a, b) => a - b).map((r) => `x${r}`));
  if (!set.families.has('csr')) out.push(...[...set.csrs].sort((a, b) => a - b).map((n) => formatTarget({ type: 'csr', csr: n })));
  const covered = set.families.has('mem') ? mergeRanges(segments.map(segmentWords)) : [];
  for (const [from, to] of set.mem) {
    if (covered.some(([a, b]) => a <= from && to <= b)) continue;
    out.push(`mem:${hex(from)}..${hex(to)}`);
  }
  return out;
}

/**
 * A fault space resolved against a machine: every (module, kind, target, bit) the machine
 * accepts, in blocks, and the window.
 */
export class FaultSpace {
  private readonly blocks: Block[];
  /** starts[b]: the index of block b's first site. */
  private readonly starts: number[];
  readonly sites: number;
  readonly window: [number, number];
  readonly resolved: ResolvedSpace;

  /** Throws SpaceError for a space that cannot be built (bad names, ranges, or nothing left). */
  constructor(spec: SpaceSpec, ctx: SpaceContext) {
    const kinds = FAULT_KINDS.filter((k) => spec.kinds.includes(k));
    if (kinds.length === 0) throw new SpaceError(`--kinds: name at least one kind: ${FAULT_KINDS.join(', ')}`);
    const modules = [...new Set(spec.modules ?? Array.from({ length: ctx.moduleCount }, (_, m) => m))].sort((a, b) => a - b);
    for (const m of modules) {
      if (!Number.isInteger(m) || m < 0 || m >= ctx.moduleCount) {
        throw new SpaceError(`--modules: module ${m} does not exist: the machine has ${ctx.moduleCount === 1 ? 'module 0' : `modules 0..${ctx.moduleCount - 1}`}`);
      }
    }
    if (modules.length === 0) throw new SpaceError('--modules: name at least one module');
    const window = spec.window ? [spec.window[0], spec.window[1]] as [number, number] : [0, ctx.instructions] as [number, number];
    if (!(window[0] < window[1])) throw new SpaceError(`--window: ${window[0]}..${window[1]} holds no instruction (the end is excluded)`);
    if (window[1] > ctx.instructions) {
      throw new SpaceError(`--window: ${window[0]}..${window[1]} ends after the fault-free run's ${ctx.instructions.toLocaleString('en-US')} instructions: a fault there would never apply`);
    }
    const targets = parseTargets(spec.targets, ctx.segments);
    for (const [from, to] of targets.mem) {
      for (const addr of [from, to - 4]) {
        const problem = ctx.check({ at: 0, module: 0, kind: 'flip', target: { type: 'mem', addr }, bit: 0 });
        if (problem) throw new SpaceError(`--targets: ${problem.replace(/^fault '[^']*': /, '')}`);
      }
    }
    this.window = window;
    this.blocks = [];
    // Which targets and bits take a kind does not depend on the module: resolved once, on the first.
    const perKind = kinds.map((kind) => ({ kind, sites: kind === 'kill' ? [] : itemsOf(targets).flatMap((item) => sitesOf(modules[0], kind, item, ctx)) }));
    for (const module of modules) {
      for (const { kind, sites } of perKind) {
        if (kind === 'kill') {
          if (ctx.check({ at: 0, module, kind }) === undefined) this.blocks.push({ module, kind, bitFrom: 0, bitCount: 1, size: 1 });
          continue;
        }
        for (const site of sites) this.blocks.push({ ...site, module });
      }
    }
    this.starts = [];
    let sites = 0;
    for (const b of this.blocks) {
      this.starts.push(sites);
      sites += b.size;
    }
    this.sites = sites;
    if (sites === 0) {
      throw new SpaceError(`the fault space is empty: no target of --targets ${spec.targets.join(',')} takes a fault of --kinds ${kinds.join(',')} (ecc applies to registers and RAM words, stuck bits to CSRs with a register of their own)`);
    }
    const size = sites * (window[1] - window[0]);
    if (!Number.isSafeInteger(size)) throw new SpaceError(`the fault space holds more than 2^53 faults: narrow --window or --targets`);
    this.resolved = { kinds, targets: canonicalTargets(targets, ctx.segments), window, modules, size };
  }

  /** Faults in the space. */
  get size(): number { return this.resolved.size; }

  /** The site with index `index` (0 ≤ index < sites), as a fault at instruction `at`. */
  siteFault(index: number, at: number): Fault {
    let lo = 0;
    let hi = this.blocks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= index) lo = mid;
      else hi = mid - 1;
    }
    const block = this.blocks[lo];
    const local = index - this.starts[lo];
    if (block.kind === 'kill') return { at, module: block.module, kind: 'kill' };
    const which = Math.floor(local / block.bitCount);
    const bit = block.bitFrom + (local % block.bitCount);
    const item = block.item!;
    const target: FaultTarget = item.type === 'reg' ? { type: 'reg', reg: item.regs[which] }
      : item.type === 'csr' ? { type: 'csr', csr: item.csrs[which] }
        : item.type === 'mem' ? { type: 'mem', addr: item.from + 4 * which }
          : { type: item.type };
    return { at, module: block.module, kind: block.kind, target, bit };
  }

  /** The k-th fault of a campaign with `seed` (0 ≤ k < 2^32): uniform over the space, drawn from the seed's k-th stream. */
  fault(seed: number, k: number): Fault {
    const random = new Random(seed, k);
    const at = this.window[0] + uniformBelow(random, this.window[1] - this.window[0]);
    return this.siteFault(uniformBelow(random, this.sites), at);
  }
}

/** The target lists of a set, one Item per block-able group: all registers, all CSRs, each RAM range, pc, result. */
function itemsOf(set: TargetSet): Item[] {
  const items: Item[] = [];
  if (set.regs.size > 0) items.push({ type: 'reg', regs: [...set.regs].sort((a, b) => a - b) });
  if (set.pc) items.push({ type: 'pc' });
  if (set.csrs.size > 0) items.push({ type: 'csr', csrs: [...set.csrs].sort((a, b) => a - b) });
  for (const [from, to] of set.mem) items.push({ type: 'mem', from, words: (to - from) / 4 });
  if (set.result) items.push({ type: 'result' });
  return items;
}

/**
 * The sites of `item` for `kind` on `module`: the targets and bits that the fault spec and
 * the machine accept (pc has no bits 0 and 1; ecc applies to registers and RAM words; a
 * CSR must hold state of its own), as one block, or none.
 */
function sitesOf(module: number, kind: FaultKind, item: Item, ctx: SpaceContext): Block[] {
  const valid = (target: FaultTarget, bit: number) => {
    const fault: Fault = { at: 0, module, kind, target, bit };
    try {
      parseFault(formatFault(fault));
    } catch (error) {
      if (error instanceof FaultSpecError) return false;
      throw error;
    }
    return ctx.check(fault) === undefined;
  };
  // Which CSRs take the kind does not depend on the bit: bit 2 exists in every target (pc's start there).
  let narrowed = item;
  if (item.type === 'csr') narrowed = { type: 'csr', csrs: item.csrs.filter((csr) => valid({ type: 'csr', csr }, 2)) };
  const first: FaultTarget | undefined = narrowed.type === 'reg' ? { type: 'reg', reg: narrowed.regs[0] }
    : narrowed.type === 'csr' ? (narrowed.csrs.length > 0 ? { type: 'csr', csr: narrowed.csrs[0] } : undefined)
      : narrowed.type === 'mem' ? { type: 'mem', addr: narrowed.from }
        : { type: narrowed.type };
  if (!first) return [];
  const bits = Array.from({ length: 32 }, (_, b) => b).filter((b) => valid(first, b));
  if (bits.length === 0) return [];
  const bitFrom = bits[0];
  const bitCount = bits.length;
  if (bits.some((b, k) => b !== bitFrom + k)) throw new Error(`the bits of ${formatTarget(first)} that take a fault are not one range`);
  const count = narrowed.type === 'reg' ? narrowed.regs.length : narrowed.type === 'csr' ? narrowed.csrs.length : narrowed.type === 'mem' ? narrowed.words : 1;
  return [{ module, kind, item: narrowed, bitFrom, bitCount, size: count * bitCount }];
}

/** A uniform integer in [0, n), 1 ≤ n ≤ 2^53, without bias: one draw up to 2^32, two (53 bits) above. */
function uniformBelow(random: Random, n: number): number {
  if (n <= 2 ** 32) return random.below(n);
  const limit = 2 ** 53 - (2 ** 53 % n);
  for (;;) {
    const v = (random.nextU32() >>> 11) * 2 ** 32 + random.nextU32();
    if (v < limit) return v % n;
  }
}
