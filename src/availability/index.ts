/**
 * Availability models (DESIGN §8): Markov chains of each architecture, their closed forms,
 * a general CTMC solver, a Monte Carlo simulator, and coverage from a campaign summary.
 * Needs no machine.
 */
export {
  HOURS_PER_YEAR, MINUTES_PER_YEAR, steadyState, meanTimeToAbsorption, chainMeasures, nines, downtimeMinutesPerYear,
} from './ctmc.ts';
export type { Chain, ChainState, Transition, ChainMeasures } from './ctmc.ts';
export {
  MODELS, MODULES, LOCKSTEP_MODELS, DEFAULT_PARAMETERS, isModel, checkParameters, modelChain, closedForm, solveChain, assess,
} from './models.ts';
export type { Model, Parameters, ClosedForm, Assessment } from './models.ts';
export { simulate, simulation, inside, studentT995, RARE_ENTRIES } from './simulate.ts';
export type { SimulationOptions, SimulationResult, Interval } from './simulate.ts';
export { CampaignSummarySchema, coverageFromCampaign, withCoverage, wilson95, ESTIMATES } from './campaign.ts';
export type { CampaignSummary, MeasuredCoverage, Estimate } from './campaign.ts';
export { costOf } from './cost.ts';
export type { CostBasis, Costs } from './cost.ts';
export { formatDowntime, formatAvailability } from './format.ts';
