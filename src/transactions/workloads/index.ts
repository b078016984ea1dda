/**
 * The workloads `lockstep run --workload NAME` and `lockstep bench` know, by name. A new
 * workload plugs in with one entry here.
 */
import type { Workload } from '../workload.ts';

export const WORKLOADS: ReadonlyMap<string, Workload> = new Map<string, Workload>([]);

/** The workload called `name`, or a RangeError listing the known ones. */
export function workloadByName(name: string, registry: ReadonlyMap<string, Workload> = WORKLOADS): Workload {
  const workload = registry.get(name);
  if (workload) return workload;
  const known = [...registry.keys()];
  throw new RangeError(`unknown workload '${name}': ${known.length > 0 ? `known workloads are ${known.join(', ')}` : 'no workloads are installed'}`);
}
