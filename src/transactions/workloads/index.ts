/** The transaction workloads by name (issue 10): each a guest program and its reference model. */
import { cardAuth } from './card-auth.ts';
import { processControl } from './process-control.ts';
import { telcoHlr } from './telco-hlr.ts';
import type { Workload, WorkloadName } from './workload.ts';

export type { Payload, ReferenceModel, Result, Workload, WorkloadName } from './workload.ts';
export { cardAuth, processControl, telcoHlr };

export const WORKLOADS: Readonly<Record<WorkloadName, Workload>> = {
  'card-auth': cardAuth,
  'telco-hlr': telcoHlr,
  'process-control': processControl,
};

export const WORKLOAD_NAMES = Object.keys(WORKLOADS) as WorkloadName[];

/** The workload called `name`, or undefined. */
export function workloadByName(name: string): Workload | undefined {
  return Object.hasOwn(WORKLOADS, name) ? WORKLOADS[name as WorkloadName] : undefined;
}
