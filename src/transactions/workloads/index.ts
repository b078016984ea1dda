/**
 * The transaction workloads (issue 10) by the name users type (`--workload NAME`): each a
 * guest program in examples/ and its reference model. A new workload plugs in with one entry.
 */
import { cardAuth } from './card-auth.ts';
import { processControl } from './process-control.ts';
import { telcoHlr } from './telco-hlr.ts';
import type { Workload } from './workload.ts';

export type { Payload, ReferenceModel, Result, Workload, WorkloadName } from './workload.ts';
export { cardAuth, processControl, telcoHlr };

export const WORKLOADS: ReadonlyMap<string, Workload> = new Map<string, Workload>(
  [cardAuth, telcoHlr, processControl].map((w) => [w.name, w]),
);

/** The workload called `name`, or a RangeError listing the known ones. */
export function workloadByName(name: string, registry: ReadonlyMap<string, Workload> = WORKLOADS): Workload {
  const workload = registry.get(name);
  if (workload) return workload;
  const known = [...registry.keys()];
  throw new RangeError(`unknown workload '${name}': ${known.length > 0 ? `known workloads are ${known.join(', ')}` : 'no workloads are installed'}`);
}
