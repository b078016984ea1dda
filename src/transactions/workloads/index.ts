/**
 * The transaction workloads by the name users type (`--workload NAME`): each a
 * guest program in examples/ and its reference model, as written and rewritten pair-aware
 * (card-auth-pair, ...). A new workload plugs in with one entry.
 */
import { cardAuth } from './card-auth.ts';
import { processControl } from './process-control.ts';
import { telcoHlr } from './telco-hlr.ts';
import { rewritten, type ApplicationChanges, type Workload } from './workload.ts';
import { InputError } from '../../input-error.ts';

export type { ApplicationChanges, Payload, ReferenceModel, Result, Workload, WorkloadName } from './workload.ts';
export { rewritten } from './workload.ts';
export { cardAuth, processControl, telcoHlr };

const AS_WRITTEN = [cardAuth, telcoHlr, processControl];

export const WORKLOADS: ReadonlyMap<string, Workload> = new Map<string, Workload>(
  [...AS_WRITTEN, ...AS_WRITTEN.map((w) => rewritten(w, 'pair-aware'))].map((w) => [w.name, w]),
);

/**
 * The workload of `registry` that runs `workload`'s application with `changes`: for 'none'
 * the application as written, for a rewrite its rewrite of the same original (card-auth ↔
 * card-auth-pair); undefined when the registry has none.
 */
export function variantOf(workload: Workload, changes: ApplicationChanges, registry: ReadonlyMap<string, Workload> = WORKLOADS): Workload | undefined {
  const original = workload.original ?? workload;
  if (changes === 'none') return original;
  return [...registry.values()].find((w) => w.original === original && w.applicationChanges === changes);
}

/** The workload called `name`, or an InputError listing the known ones. */
export function workloadByName(name: string, registry: ReadonlyMap<string, Workload> = WORKLOADS): Workload {
  const workload = registry.get(name);
  if (workload) return workload;
  const known = [...registry.keys()];
  throw new InputError(`unknown workload '${name}': ${known.length > 0 ? `known workloads are ${known.join(', ')}` : 'no workloads are installed'}`);
}
