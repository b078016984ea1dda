/**
 * Topologies (DESIGN §4): how many modules a machine has, how they are grouped on boards,
 * and what the machine does when the comparator finds that they disagree.
 */
import { InputError } from '../input-error.ts';

export const TOPOLOGIES = ['simplex', 'dmr', 'pair-spare', 'tmr'] as const;
export type Topology = (typeof TOPOLOGIES)[number];

export function isTopology(name: string): name is Topology {
  return (TOPOLOGIES as readonly string[]).includes(name);
}

/** Modules of each topology. */
export function moduleCount(topology: Topology): number {
  switch (topology) {
    case 'simplex': return 1;
    case 'dmr': return 2;
    case 'pair-spare': return 4;
    case 'tmr': return 3;
  }
}

/**
 * The board that holds module `m`. In `pair-spare` board b holds modules 2b and 2b+1 (a
 * self-checking pair); in the other topologies every module is a board of its own.
 */
export function boardOf(topology: Topology, m: number): number {
  return topology === 'pair-spare' ? m >> 1 : m;
}

export function boardCount(topology: Topology): number {
  return topology === 'pair-spare' ? 2 : moduleCount(topology);
}

export function modulesOfBoard(topology: Topology, board: number): number[] {
  return topology === 'pair-spare' ? [2 * board, 2 * board + 1] : [board];
}

/** The modules of board `board` of `topology`; throws InputError naming the boards there are when it has none such. */
export function boardModules(topology: Topology, board: number): number[] {
  const boards = boardCount(topology);
  if (!Number.isInteger(board) || board < 0 || board >= boards) throw new InputError(`board ${board} does not exist: ${topology} has boards 0..${boards - 1}`);
  return modulesOfBoard(topology, board);
}

/** The units `modules` belong to, each once, as lists of modules: their boards (a pair-and-spare board is the unit of self-test and replacement). */
export function unitsOf(topology: Topology, modules: readonly number[]): number[][] {
  return [...new Set(modules.map((m) => boardOf(topology, m)))].map((b) => modulesOfBoard(topology, b));
}

/**
 * What pair-and-spare compares (README "Pair-and-spare compare scope"): `within`, each
 * board's comparator checks its own two CPUs and nothing compares the boards with each
 * other, as Stratus's self-checking boards do (the default); `boards`, the boards' outputs
 * are also compared with each other, and two boards that each agree internally but differ
 * from each other fail-stop.
 */
export const CROSS_CHECKS = ['within', 'boards'] as const;
export type CrossCheck = (typeof CROSS_CHECKS)[number];

/**
 * The compare groups: sets of modules whose retire records are compared with each other.
 * One group of every module, except pair-spare `within`, where each board is a group.
 */
export function compareGroups(topology: Topology, crossCheck: CrossCheck): number[][] {
  if (topology === 'pair-spare' && crossCheck === 'within') return [modulesOfBoard(topology, 0), modulesOfBoard(topology, 1)];
  return [Array.from({ length: moduleCount(topology) }, (_, m) => m)];
}

/** Why a module was taken offline. */
export type OfflineReason =
  | 'outvoted' // tmr: the other two agreed
  | 'pair-disagreed' // pair-spare: the two CPUs of its board disagreed
  | 'announced' // the module reported a local error (ECC, parity)
  | 'dead' // the module stopped retiring (kill)
  | 'partner-lost' // pair-spare: its board partner went offline, the pair can no longer check
  | 'removed'; // pulled for replacement while it was still online

/** What the machine does about a disagreement: modules to take offline, or stop. */
export type Resolution =
  | { failstop: false; offline: { module: number; reason: OfflineReason }[] }
  | { failstop: true; reason: string };

/**
 * How the checkers see a disagreement: what pair-and-spare compares, and the modules whose
 * checker verdict is stuck at "agree" (they never go offline for a disagreement, and a
 * pair-and-spare board whose checked CPU is one of them passes its own check).
 */
export interface CheckScope {
  crossCheck: CrossCheck;
  unchecked: ReadonlySet<number>;
}

const FULL_SCOPE: CheckScope = { crossCheck: 'boards', unchecked: new Set() };

/**
 * Resolves a disagreement among the online modules. `groups` partitions them by equal
 * behaviour as the checkers report it (each group agrees internally; no group spans two
 * compare groups). Announced errors and dead modules are resolved before this is called:
 * here nobody has said which module is faulty, so the topology must tell by comparison
 * alone (claim 2 of DESIGN §1): dmr cannot, tmr votes, pair-and-spare trusts a board whose
 * pair agrees.
 */
export function resolveDisagreement(topology: Topology, groups: number[][], scope: CheckScope = FULL_SCOPE): Resolution {
  const online = groups.flat();
  if (topology === 'pair-spare') return resolvePairSpare(groups, scope);
  if (online.length >= 3) {
    const largest = groups.reduce((a, b) => (b.length > a.length ? b : a));
    const majority = largest.length * 2 > online.length;
    if (!majority) return { failstop: true, reason: `no majority among modules ${online.join(', ')}` };
    return {
      failstop: false,
      offline: online.filter((m) => !largest.includes(m) && !scope.unchecked.has(m)).map((module) => ({ module, reason: 'outvoted' as const })),
    };
  }
  return {
    failstop: true,
    reason: `modules ${online.join(' and ')} disagree and neither announced an error: the machine cannot tell which is faulty`,
  };
}

/**
 * A board whose two CPUs agree (or whose comparator says so) is trusted, the others go
 * offline. With `boards`, trusted boards whose outputs (their first CPUs') differ cannot be
 * told apart: fail-stop.
 */
function resolvePairSpare(groups: number[][], scope: CheckScope): Resolution {
  const groupOf = new Map<number, number>();
  groups.forEach((g, index) => g.forEach((m) => groupOf.set(m, index)));
  const offline: { module: number; reason: OfflineReason }[] = [];
  const outputs: number[] = [];
  for (const board of new Set([...groupOf.keys()].map((m) => m >> 1))) {
    const pair = [2 * board, 2 * board + 1].filter((m) => groupOf.has(m));
    const agree = pair.length === 2 && (groupOf.get(pair[0]) === groupOf.get(pair[1]) || pair.some((m) => scope.unchecked.has(m)));
    if (agree) outputs.push(groupOf.get(pair[0])!);
    else pair.forEach((module) => offline.push({ module, reason: 'pair-disagreed' }));
  }
  if (outputs.length === 0) return { failstop: true, reason: 'no board has a pair that agrees' };
  if (scope.crossCheck === 'boards' && new Set(outputs).size > 1) {
    return { failstop: true, reason: 'both boards check internally but disagree with each other' };
  }
  return { failstop: false, offline };
}

/**
 * Modules that must go offline with module `m` because it failed on its own (announced an
 * error or died): in pair-and-spare its board partner can no longer be checked.
 */
export function companionsOf(topology: Topology, m: number): number[] {
  return topology === 'pair-spare' ? [m ^ 1] : [];
}

/** How a verdict names modules going offline: "module 1 offline", "board 0 (modules 0, 1) offline", "no module offline". */
export function describeOffline(topology: Topology, modules: number[]): string {
  if (modules.length === 0) return 'no module offline';
  if (topology === 'pair-spare') {
    const boards = [...new Set(modules.map((m) => boardOf(topology, m)))];
    return boards.map((b) => `board ${b} (modules ${modulesOfBoard(topology, b).join(', ')})`).join(' and ') + ' offline';
  }
  return `${modules.length > 1 ? 'modules' : 'module'} ${modules.join(', ')} offline`;
}
