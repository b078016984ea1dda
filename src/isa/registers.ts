/** Integer register names (unprivileged spec, "RISC-V calling convention", ABI names). */

export const ABI_NAMES: readonly string[] = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

const NUMBERS = new Map<string, number>([
  ...ABI_NAMES.map((name, n) => [name, n] as const),
  ...ABI_NAMES.map((_, n) => [`x${n}`, n] as const),
  ['fp', 8],
]);

/** Register number for `x0`..`x31`, an ABI name or `fp`; undefined otherwise. */
export function registerNumber(name: string): number | undefined {
  return NUMBERS.get(name);
}

/** Every accepted register name (for suggestions). */
export const REGISTER_NAMES: readonly string[] = [...NUMBERS.keys()];
