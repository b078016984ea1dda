/**
 * Where a lesson step starts: a scenario file (src/scenario/scenario.ts) whose machine may
 * also be one of the failover systems of src/system/ — `cluster` or `process-pair`, with
 * their settings — running a transaction workload, as `lockstep run --workload W --topology
 * cluster` does. Every other field is the scenario's own, taken from its zod schema, so a
 * lockstep scenario is a valid lesson start as it is.
 *
 * Scenario files are to accept the failover systems too (issue 11); once they do, this is
 * the scenario itself.
 */
import { z } from 'zod';
import { ScenarioSchema } from '../scenario/scenario.ts';
import { CLUSTER_AWARE_MODES, isSystemTopology } from '../system/settings.ts';
import { SERVICE_TOPOLOGIES } from '../system/index.ts';
import { parseDuration } from '../transactions/time.ts';

const VirtualTime = z.string().superRefine((text, ctx) => {
  try {
    parseDuration(text);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
}).describe("A virtual time: a number and a unit, e.g. '10ms', '50ms', '250us'");

/** The failover settings, named and written as `lockstep run`'s options. */
const FailoverSettingsSchema = z.strictObject({
  checkpointEvery: z.number().int().min(1).optional()
    .describe('cluster: copy the primary\'s state to the standby every this many instructions (default 100,000)'),
  heartbeat: VirtualTime.optional().describe('Heartbeat period (default 10ms)'),
  missed: z.number().int().min(1).max(1000).optional().describe('Missed heartbeats before the standby declares the primary dead (default 3)'),
  failoverTime: VirtualTime.optional().describe('From that declaration to the standby\'s first instruction (default 50ms)'),
  clusterAware: z.enum(CLUSTER_AWARE_MODES).optional()
    .describe("cluster: 'dedupe' logs the input and drops duplicate results; 'replay' logs without de-duplication (default 'off')"),
}).describe('Settings of a failover system (cluster, process-pair)');

const ScenarioMachine = ScenarioSchema.shape.machine.unwrap();

const LessonMachine = ScenarioMachine.extend({
  topology: z.enum(SERVICE_TOPOLOGIES).default('pair-spare')
    .describe('A lockstep machine, or a failover system of two simplex hosts (cluster, process-pair: with a workload only)'),
  failover: FailoverSettingsSchema.optional(),
});

export const LessonScenarioSchema = z.strictObject({
  ...ScenarioSchema.shape,
  machine: LessonMachine.default({ topology: 'pair-spare', compare: 'every', ramMiB: 1, resync: 'precopy' }),
}).superRefine((scenario, ctx) => {
  if (scenario.expect?.ledger && !scenario.workload) ctx.addIssue({ code: 'custom', path: ['expect', 'ledger'], message: 'a ledger needs a workload: add workload: { name, … }' });
  const { topology, failover } = scenario.machine;
  if (isSystemTopology(topology)) {
    if (!scenario.workload) ctx.addIssue({ code: 'custom', path: ['machine', 'topology'], message: `a ${topology} runs transaction workloads: add workload: { name, … }` });
    if (scenario.replacements.length > 0) ctx.addIssue({ code: 'custom', path: ['replacements'], message: `a ${topology}'s hosts are not replaced during a run; replacement is for dmr, pair-spare and tmr` });
    if (scenario.machine.repairAfter !== undefined) ctx.addIssue({ code: 'custom', path: ['machine', 'repairAfter'], message: `a ${topology}'s dead host is not repaired during a run` });
    if (topology === 'process-pair' && (failover?.checkpointEvery !== undefined || failover?.clusterAware !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['machine', 'failover'], message: 'checkpointEvery and clusterAware apply to the cluster: a process pair checkpoints when its application says so' });
    }
  } else if (failover) {
    ctx.addIssue({ code: 'custom', path: ['machine', 'failover'], message: `failover settings apply to cluster and process-pair, not ${topology}` });
  }
}).describe('A scenario (scenario.schema.json) whose machine may also be a failover system running a workload');

export type LessonScenario = z.output<typeof LessonScenarioSchema>;
export type LessonScenarioInput = z.input<typeof LessonScenarioSchema>;
/** The program of a scenario: assembly source, a shipped example, a file, or a binary inline. */
export type ScenarioProgram = LessonScenario['program'];
export type FailoverSettingsInput = z.output<typeof FailoverSettingsSchema>;
