/**
 * The checkers of a machine (README "Checkers that fail"): the comparator of dmr and of each
 * pair-and-spare board, and tmr's voter; which modules they compare (the compare groups);
 * and what they report when they have failed. Each board has a verdict line: "this board
 * disagrees". A verdict stuck at "agree" hides the board's divergence (a latent fault); one
 * stuck at "disagree" reports a mismatch at the next compare point where there is none.
 *
 * What `board=B` of a checker fault names, per topology:
 * - dmr: the comparator of modules 0 and 1 (each module is a board). It has one comparison,
 *   so either board's verdict stuck at "agree" hides every divergence, and either stuck at
 *   "disagree" makes a mismatch that dmr cannot resolve: fail-stop.
 * - pair-spare: the comparator on board B, which checks B's two CPUs against each other. It
 *   goes with its board: replacing the board replaces it. With `--cross-check boards`, the
 *   comparison of the two boards' outputs is made by both boards and stays.
 * - tmr: the voter's verdict on module B: stuck at "agree", B is never voted out; stuck at
 *   "disagree", B is voted out although it is healthy.
 *
 * The core reports what the checkers report (M_UNCHECKED, M_FORCED, M_COMPARE_GROUPS;
 * assembly/lockstep/comparator.ts), so a hidden divergence costs no stop for the host; judge()
 * applies the same rules to the partition the host computes from the records.
 */
import type { Core } from './core.ts';
import {
  type Topology, type CrossCheck, type Resolution, compareGroups, resolveDisagreement, modulesOfBoard,
} from './topology.ts';
import type { Checker, CheckerFaultKind } from '../fault/spec.ts';
import type { DivergeEvent, MiscompareEvent } from './events.ts';
import { hex32, type Difference } from './records.ts';

/** A board's checker verdict stuck at one value, as a snapshot keeps it. */
export interface StuckVerdict {
  board: number;
  stuck: 'agree' | 'disagree';
}

/** A module the checkers report as differing from `reference` (whose side is `trusted` to be right, or neither is known). */
export interface MismatchReport {
  module: number;
  reference: number;
  trusted: boolean;
}

/** What the checkers report about a disagreement, and what the topology does about it. */
export interface Judgement {
  resolution: Resolution;
  reports: MismatchReport[];
}

/** What mismatchEvents() needs to know of the machine at the compare point. */
export interface MismatchContext {
  /** The instruction just compared. */
  instret: number;
  checker: Checker;
  pcOf(m: number): number;
  /** How `actual`'s record (or host call) differs from `expected`'s; undefined when they agree. */
  differ(expected: number, actual: number): Difference | undefined;
  /** Where the records first differed, when a replay found it earlier. */
  firstDiffered?: number;
  /** What the machine does: "fail-stop", "module 1 offline", ... */
  outcome: string;
}

/**
 * The event and the line for people of each reported mismatch: a `diverge` naming the
 * field and both values, or a `miscompare` where the two agree. A trusted reference's value
 * is `expected`; when neither side is known to be right (a fail-stop, a pair checked only
 * against itself), both are named by module, the reference first: "diverged at instruction
 * 2 (pc 0x80000008): module 0 wrote x7 = 0x0000000c, module 1 wrote 0x00000014 → fail-stop".
 */
export function mismatchEvents(reports: readonly MismatchReport[], ctx: MismatchContext): { event: DivergeEvent | MiscompareEvent; line: string }[] {
  const { instret, checker, outcome } = ctx;
  const at = instret.toLocaleString('en-US');
  return reports.map(({ module: m, reference, trusted }) => {
    const pc = ctx.pcOf(reference);
    const d = ctx.differ(reference, m);
    if (!d) {
      return {
        event: { instret, kind: 'miscompare', module: m, reference, pc, checker },
        line: `the ${checker} reported a mismatch at instruction ${at} (pc ${hex32(pc)}): module ${m} and module ${reference} agree → ${outcome}`,
      };
    }
    const base = { instret, kind: 'diverge' as const, module: m, reference, pc, field: d.field };
    const event: DivergeEvent = trusted
      ? { ...base, expected: d.expected, actual: d.actual }
      : { ...base, values: { [reference]: d.expected, [m]: d.actual } };
    if (ctx.firstDiffered !== undefined) event.first_differed = ctx.firstDiffered;
    const sides = trusted
      ? `module ${m} ${d.verb} ${d.actual}, module ${reference} ${d.verbAgain} ${d.expected}`
      : `module ${reference} ${d.verb} ${d.expected}, module ${m} ${d.verbAgain} ${d.actual}`;
    return { event, line: `diverged at instruction ${at} (pc ${hex32(pc)}): ${sides} → ${outcome}` };
  });
}

/** The checker of a topology: tmr votes, dmr and pair-spare compare; simplex has none. */
export function checkerOf(topology: Topology): Checker | undefined {
  if (topology === 'simplex') return undefined;
  return topology === 'tmr' ? 'voter' : 'comparator';
}

/**
 * The module whose verdict board `board`'s checker line gives: in pair-spare the board's
 * second CPU, which its comparator checks against the first (the board's output); else the
 * board's one module.
 */
function checkedModule(topology: Topology, board: number): number {
  return modulesOfBoard(topology, board).at(-1)!;
}

const byLowest = (a: number[], b: number[]) => a[0] - b[0];

export class Checkers {
  readonly groups: number[][];
  private readonly stuck = new Map<number, StuckVerdict['stuck']>();

  constructor(readonly topology: Topology, readonly crossCheck: CrossCheck) {
    this.groups = compareGroups(topology, crossCheck);
  }

  get checker(): Checker | undefined { return checkerOf(this.topology); }

  /** M_COMPARE_GROUPS: byte k the modules of compare group k; 0 for one group of every module. */
  get groupsWord(): number {
    if (this.groups.length === 1) return 0;
    return this.groups.reduce((word, group, k) => word | (group.reduce((mask, m) => mask | (1 << m), 0) << (8 * k)), 0) >>> 0;
  }

  /** Board `board`'s verdict is stuck from now on. */
  stick(board: number, kind: CheckerFaultKind): void {
    this.stuck.set(board, kind === 'stuck-agree' ? 'agree' : 'disagree');
  }

  /** Board `board` was replaced: a pair-and-spare board's comparator with it (the others' checkers stay). */
  boardReplaced(board: number): void {
    if (this.topology === 'pair-spare') this.stuck.delete(board);
  }

  private modulesStuckAt(value: StuckVerdict['stuck']): Set<number> {
    return new Set([...this.stuck].flatMap(([board, stuck]) => (stuck === value ? [checkedModule(this.topology, board)] : [])));
  }

  /** Modules whose verdict is stuck at "agree". */
  get unchecked(): Set<number> { return this.modulesStuckAt('agree'); }
  /** Modules whose verdict is stuck at "disagree". */
  get forced(): Set<number> { return this.modulesStuckAt('disagree'); }

  /** Tells the core the compare groups and the stuck verdicts; returns whether a module of `online` has a verdict stuck at "disagree" (run instrumented). */
  sync(core: Core, online: number): boolean {
    const L = core.layout;
    const mask = (modules: Set<number>) => [...modules].reduce((m, k) => m | (1 << k), 0);
    const forced = mask(this.forced);
    core.setU32(L.MACHINE + L.M_COMPARE_GROUPS, this.groupsWord);
    core.setU32(L.MACHINE + L.M_UNCHECKED, mask(this.unchecked));
    core.setU32(L.MACHINE + L.M_FORCED, forced);
    return (forced & online) !== 0;
  }

  /** `online` partitioned by `key` within each compare group: classes of equal behaviour, each and all in module order. */
  partition(online: number[], key: (m: number) => string): number[][] {
    const classes = new Map<string, number[]>();
    for (const m of online) {
      const k = `${this.groups.findIndex((g) => g.includes(m))}:${key(m)}`;
      classes.set(k, [...(classes.get(k) ?? []), m]);
    }
    return [...classes.values()].sort(byLowest);
  }

  /**
   * What the checkers report about `classes` (partition()) at a compare point: a module
   * whose verdict is stuck at "disagree" is reported apart from its class, one stuck at
   * "agree" is never reported. Undefined when nothing is reported; else the topology's
   * resolution, and each module reported against its compare group's reference: the
   * class most of whose modules stay online (its side trusted), or, when none is trusted,
   * the lowest class holding a checked module.
   */
  judge(classes: number[][]): Judgement | undefined {
    const unchecked = this.unchecked;
    const forced = this.forced;
    const split = classes.flatMap((c) => {
      const rest = c.filter((m) => !forced.has(m));
      return [...(rest.length > 0 ? [rest] : []), ...c.filter((m) => forced.has(m)).map((m) => [m])];
    }).sort(byLowest);
    const inGroup = (g: number[]) => split.filter((c) => g.includes(c[0]));
    const checked = (c: number[]) => c.some((m) => !unchecked.has(m));
    const reported = split.some((c) => c.some((m) => forced.has(m))) || this.groups.some((g) => inGroup(g).filter(checked).length > 1);
    if (!reported) return undefined;
    const resolution = resolveDisagreement(this.topology, split, { crossCheck: this.crossCheck, unchecked });
    const offline = new Set(resolution.failstop ? [] : resolution.offline.map((o) => o.module));
    const survivors = (c: number[]) => c.filter((m) => !offline.has(m)).length;
    const reports: MismatchReport[] = [];
    for (const group of this.groups) {
      const own = inGroup(group);
      if (own.length < 2) continue;
      const winner = resolution.failstop ? undefined : own.reduce<number[] | undefined>((best, c) => (survivors(c) > (best ? survivors(best) : 0) ? c : best), undefined);
      const base = winner ?? own.find(checked) ?? own[0];
      for (const c of own) {
        if (c === base) continue;
        for (const module of c) {
          if (unchecked.has(module)) continue;
          reports.push({ module, reference: base[0], trusted: winner !== undefined });
        }
      }
    }
    return { resolution, reports };
  }

  clear(): void { this.stuck.clear(); }

  state(): StuckVerdict[] {
    return [...this.stuck].map(([board, stuck]) => ({ board, stuck }));
  }

  restore(state: readonly StuckVerdict[] = []): void {
    this.stuck.clear();
    for (const { board, stuck } of state) this.stuck.set(board, stuck);
  }
}
