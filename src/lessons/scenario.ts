/**
 * Where a lesson step starts: a scenario file (src/scenario/scenario.ts) — its machine a
 * lockstep one, or one of the failover systems of src/system/ (`cluster`, `process-pair`,
 * with `machine.failover`) running a transaction workload, as `lockstep run --workload W
 * --topology cluster` does.
 */
import { ScenarioSchema, type Scenario, type ScenarioInput } from '../scenario/scenario.ts';

export const LessonScenarioSchema = ScenarioSchema;
export type LessonScenario = Scenario;
export type LessonScenarioInput = ScenarioInput;
/** The program of a scenario: assembly source, a shipped example, a file, or a binary inline. */
export type ScenarioProgram = Scenario['program'];
