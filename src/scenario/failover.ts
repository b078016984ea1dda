/**
 * `machine.failover` of a scenario: the settings of a failover cluster or a
 * process pair as people write them — durations as text, like the workload's `duration` —
 * the same options `lockstep run --workload W --topology cluster|process-pair` takes
 * (`--heartbeat`, `--missed`, `--failover-time`, `--checkpoint-every`, `--cluster-aware`),
 * and their translation into the library's FailoverSettings. Those left out keep the
 * library's defaults (DEFAULT_FAILOVER).
 */
import { z } from 'zod';
import { parseDuration } from '../transactions/time.ts';
import { CLUSTER_AWARE_MODES, type FailoverSettings } from '../system/settings.ts';

/** A virtual time as text: `10ms`, `1.5ms`, `250us`. */
const VirtualTime = z.string().regex(/^\d+(\.\d+)?(s|ms|us|µs)$/, 'a virtual time: a number and a unit, e.g. 10ms or 250us').superRefine((text, ctx) => {
  try {
    parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

export const FailoverScenario = z.strictObject({
  heartbeat: VirtualTime.optional().describe("Heartbeat period H, e.g. '10ms' (default 10ms)"),
  missed: z.number().int().min(1).max(1000).optional().describe('Missed heartbeats M before the standby declares the primary dead (default 3)'),
  failoverTime: VirtualTime.optional().describe("Failover time F from the declaration to the standby's first instruction, e.g. '50ms' (default 50ms)"),
  checkpointEvery: z.number().int().min(1).optional().describe('Cluster only: a checkpoint of the whole state every K instructions of the primary (default 100,000)'),
  clusterAware: z.enum(CLUSTER_AWARE_MODES).optional()
    .describe("Cluster only: 'off' (the application as it is), 'dedupe' (input log replayed, the receiver drops duplicates) or 'replay' (replayed, duplicates reach the receiver)"),
}).describe('Settings of a cluster or process pair (machine.topology cluster or process-pair), as `lockstep run --topology cluster` takes them');

export type FailoverScenarioSettings = z.output<typeof FailoverScenario>;

/** The library's settings for `given` (only those given; parseDuration throws InputError for a bad time). */
export function failoverOptionsOf(given: FailoverScenarioSettings): Partial<Omit<FailoverSettings, 'topology'>> {
  return {
    ...(given.heartbeat !== undefined ? { heartbeatUs: parseDuration(given.heartbeat) } : {}),
    ...(given.missed !== undefined ? { missed: given.missed } : {}),
    ...(given.failoverTime !== undefined ? { failoverTimeUs: parseDuration(given.failoverTime) } : {}),
    ...(given.checkpointEvery !== undefined ? { checkpointEvery: given.checkpointEvery } : {}),
    ...(given.clusterAware !== undefined ? { clusterAware: given.clusterAware } : {}),
  };
}
