/**
 * Topologies (DESIGN §4): how many modules a machine has, how they are grouped on boards,
 * and what the machine does when the comparator finds that they disagree.
 */

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
 * Resolves a disagreement among the online modules. `groups` partitions them by equal
 * behaviour (each group agrees internally; the first group holds the reference module).
 * Announced errors and dead modules are resolved before this is called: here nobody has
 * said which module is faulty, so the topology must tell by comparison alone (claim 2 of
 * DESIGN §1): dmr cannot, tmr votes, pair-and-spare trusts a board whose pair agrees.
 */
export function resolveDisagreement(topology: Topology, groups: number[][]): Resolution {
  const online = groups.flat();
  if (topology === 'pair-spare') return resolvePairSpare(groups);
  if (online.length >= 3) {
    const largest = groups.reduce((a, b) => (b.length > a.length ? b : a));
    const majority = largest.length * 2 > online.length;
    if (!majority) return { failstop: true, reason: `no majority among modules ${online.join(', ')}` };
    return {
      failstop: false,
      offline: online.filter((m) => !largest.includes(m)).map((module) => ({ module, reason: 'outvoted' as const })),
    };
  }
  return {
    failstop: true,
    reason: `modules ${online.join(' and ')} disagree and neither announced an error: the machine cannot tell which is faulty`,
  };
}

function resolvePairSpare(groups: number[][]): Resolution {
  const groupOf = new Map<number, number>();
  groups.forEach((g, index) => g.forEach((m) => groupOf.set(m, index)));
  const offline: { module: number; reason: OfflineReason }[] = [];
  const trusted: number[] = [];
  for (const board of new Set([...groupOf.keys()].map((m) => m >> 1))) {
    const pair = [2 * board, 2 * board + 1].filter((m) => groupOf.has(m));
    if (pair.length === 2 && groupOf.get(pair[0]) === groupOf.get(pair[1])) trusted.push(...pair);
    else pair.forEach((module) => offline.push({ module, reason: 'pair-disagreed' }));
  }
  if (trusted.length === 0) return { failstop: true, reason: 'no board has a pair that agrees' };
  if (new Set(trusted.map((m) => groupOf.get(m))).size > 1) {
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
