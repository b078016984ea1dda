/**
 * Branch relaxation, as GNU as does it even with -mno-relax: a conditional branch whose target
 * is out of reach of its 13-bit offset ([-4096, 4094]) becomes the opposite branch over a jump,
 *
 *     beq a0, a1, far    →    bne a0, a1, .+8
 *                             j   far             (reaches ±1 MiB)
 *
 * GNU as also makes a branch long when its target is in another section. It does the same for
 * a constant address; we keep such a branch short when it reaches, so that a disassembly (which
 * writes targets as addresses) assembles back to the same words.
 *
 * A pass (context.ts) emits the branches in `longBranches` long and the others short. Changing
 * a branch's length moves everything after it, which may put other targets out of reach or
 * back in reach. After a pass, `branchLengths` decides every branch's length by replaying GNU
 * as's relaxation (write.c relax_segment, tc-riscv.c relaxed_branch_length) on the pass's
 * layout, cut as GNU cuts it into frags: each branch and each alignment ends a frag.
 *   1. Estimate, frag by frag: a branch is long if its target is out of reach, where a target
 *      in a later frag is taken at its offset in that frag (GNU has not placed those frags yet,
 *      so they are at address 0); an alignment pads as it must at its estimated address.
 *   2. Relax: again frag by frag, each with its new address; targets in later frags are where
 *      the previous round put them. Repeat until a round changes nothing.
 * When two layouts are both consistent (a branch in reach when short but not when long), this
 * makes the choice GNU makes. If the pass already had these lengths it is the result;
 * otherwise assemble.ts repeats the pass with them (also settling sizes that depend on
 * addresses in other ways, such as `.space end - start`), which makes two passes in practice.
 * The rounds and the passes are bounded: past a limit, branches only grow, which must end.
 */

import { DISCARDED, type Assembly, type Fixup, type LayoutItem } from './context.ts';
import type { Expression } from './expressions.ts';

const inReach = (offset: number) => offset >= -4096 && offset <= 4094;

/** Relaxation rounds in which a branch may also get shorter; later rounds only lengthen. */
const FREE_ROUNDS = 50;

/** Where a branch's target is. */
type Target =
  /** In the branch's section: after `index` layout items, at `offset` in this pass. */
  | { kind: 'local'; index: number; offset: number }
  /** `.` plus `addend`: moves with the branch. */
  | { kind: 'here'; addend: number }
  /** A fixed address. */
  | { kind: 'absolute'; address: number }
  /** A label in another section: the branch is always long. */
  | { kind: 'elsewhere' };

/**
 * The ordinals of the conditional branches to emit long, when they differ from `asm`'s pass
 * (`asm.longBranches`); undefined when the pass has the right lengths. The sections are placed
 * at `bases` (section name → address).
 */
export function branchLengths(asm: Assembly, bases: ReadonlyMap<string, bigint>): Set<number> | undefined {
  const long = new Set<number>();
  const bySection = new Map<Fixup['section'], Map<number, Target>>();
  for (const fixup of asm.fixups) {
    const { target: field, section } = fixup;
    if (field.kind !== 'field' || !field.branch || section.name === DISCARDED) continue;
    const target = targetOf(asm, fixup, bases);
    if (target === undefined) {
      // Its error is reported later; keep its length.
      if (field.branch.relaxed) long.add(field.branch.ordinal);
      continue;
    }
    let targets = bySection.get(section);
    if (!targets) bySection.set(section, (targets = new Map()));
    targets.set(field.branch.ordinal, target);
  }
  for (const [section, targets] of bySection) relax(section.layout, targets, Number(bases.get(section.name)!), long);
  const same = long.size === asm.longBranches.size && [...long].every((ordinal) => asm.longBranches.has(ordinal));
  return same ? undefined : long;
}

/**
 * Adds to `long` the branches of a section (layout `items`, placed at `base`) that GNU as
 * would make long; `targets` maps their ordinals to their targets.
 */
function relax(items: readonly LayoutItem[], targets: ReadonlyMap<number, Target>, base: number, long: Set<number>): void {
  const n = items.length;
  // Frag i holds fixed[i] bytes, then item i (none for frag n). start[i]: where frag i starts
  // in the pass; address[i]: where it starts now; size[i]: item i's size now.
  const start = new Float64Array(n + 1);
  const fixed = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const item = items[i];
    fixed[i] = item.offset - start[i];
    start[i + 1] = item.offset + (item.kind === 'branch' ? (item.long ? 8 : 4) : item.padding);
  }
  const address = new Float64Array(n + 1);
  const size = new Float64Array(n);
  const sizeAt = (i: number, at: number, round: number): number => {
    const item = items[i];
    if (item.kind === 'align') {
      const padding = (item.alignment - (at % item.alignment)) % item.alignment;
      return item.maxSkip !== undefined && padding > item.maxSkip ? 0 : padding;
    }
    const target = targets.get(item.ordinal);
    if (target === undefined) return size[i] || (item.long ? 8 : 4);
    const destination =
      target.kind === 'local' ? address[target.index] + target.offset - start[target.index]
      : target.kind === 'here' ? at + target.addend
      : target.kind === 'absolute' ? target.address - base
      : NaN;
    const length = Number.isNaN(destination) || !inReach(destination - at) ? 8 : 4;
    return round >= FREE_ROUNDS && size[i] === 8 ? 8 : length;
  };
  let at = 0;
  for (let i = 0; i < n; i++) {
    address[i] = at;
    at += fixed[i];
    size[i] = sizeAt(i, at, 0);
    at += size[i];
  }
  address[n] = at;
  for (let round = 1; ; round++) {
    let changed = false;
    let stretch = 0;
    for (let i = 0; i < n; i++) {
      address[i] += stretch;
      const next = sizeAt(i, address[i] + fixed[i], round);
      if (next !== size[i]) changed = true;
      stretch += next - size[i];
      size[i] = next;
    }
    address[n] += stretch;
    if (!changed) break;
  }
  for (let i = 0; i < n; i++) {
    const item = items[i];
    if (item.kind === 'branch' && size[i] === 8) long.add(item.ordinal);
  }
}

/** Where the target of the branch `fixup` is; undefined when it has no value (its error is reported later). */
function targetOf(asm: Assembly, fixup: Fixup, bases: ReadonlyMap<string, bigint>): Target | undefined {
  const section = fixup.section.name;
  const result = asm.evaluateNow(fixup.expression, fixup.here);
  if (result.kind === 'value' && result.section === section) return anchored(asm, fixup, Number(result.value));
  if (result.kind === 'value' && result.section !== null) return { kind: 'elsewhere' };
  if (result.kind !== 'value' && result.kind !== 'unknown') return undefined;
  const placed = result.kind === 'value' ? result : asm.evaluatePlaced(fixup.expression, fixup.here, bases);
  return placed.kind === 'value' && placed.section === null ? { kind: 'absolute', address: Number(placed.value) } : undefined;
}

/**
 * The target at `offset` in the section of the branch `fixup`, tied to what it is written
 * relative to: for `label` or `label ± n`, the label's place in the layout (exact even for a
 * label at an alignment that pads nothing in this pass); for `.` or `. ± n`, the branch itself;
 * otherwise, after the layout items before `offset`.
 */
function anchored(asm: Assembly, fixup: Fixup, offset: number): Target {
  const { expression, section } = fixup;
  let base: Expression = expression;
  if (expression.kind === 'binary' && (expression.operator === '+' || expression.operator === '-')) {
    const constant = (side: Expression) => {
      const value = asm.evaluateNow(side);
      return value.kind === 'value' && value.section === null;
    };
    if (constant(expression.right)) base = expression.left;
    else if (expression.operator === '+' && constant(expression.left)) base = expression.right;
  }
  if (base.kind === 'here') return { kind: 'here', addend: offset - Number(fixup.here.value) };
  const symbol = base.kind === 'symbol' ? asm.symbols.get(base.name) : undefined;
  if (symbol?.kind === 'label' && symbol.value?.section === section.name) return { kind: 'local', index: symbol.layoutIndex!, offset };
  // The first layout item at or after `offset`.
  const items = section.layout;
  let low = 0;
  let high = items.length;
  while (low < high) {
    const mid = (low + high) >> 1;
    if (items[mid].offset < offset) low = mid + 1;
    else high = mid;
  }
  return { kind: 'local', index: low, offset };
}
