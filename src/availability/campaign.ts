/**
 * Coverage measured by a fault-injection campaign (DESIGN §8; the contract for the campaign
 * issue, described in the README under "Availability"): the summary a campaign writes, and
 * the coverage parameter it gives the availability models.
 */
import { z } from 'zod';
import { CAMPAIGN_OUTCOMES, type CampaignOutcome } from '../campaign/outcomes.ts';
import { wilson } from '../campaign/stats.ts';
import type { Parameters } from './models.ts';
import { InputError } from '../input-error.ts';

const CAMPAIGN_TOPOLOGIES = ['simplex', 'dmr', 'pair-spare', 'tmr', 'cluster'] as const;

const Fraction = z.number().min(0).max(1);
const OutcomeSummary = z.object({
  count: z.number().int().nonnegative(),
  /** Wilson 95 % interval of count / runs (the campaign's; not used here). */
  ci95: z.tuple([Fraction, Fraction]).optional(),
});

export const CampaignSummarySchema = z.object({
  topology: z.enum(CAMPAIGN_TOPOLOGIES),
  runs: z.number().int().positive(),
  outcomes: z.strictObject(Object.fromEntries(CAMPAIGN_OUTCOMES.map((o) => [o, OutcomeSummary.optional()])) as Record<CampaignOutcome, z.ZodOptional<typeof OutcomeSummary>>),
}).superRefine((summary, ctx) => {
  const total = Object.values(summary.outcomes).reduce((sum, o) => sum + (o?.count ?? 0), 0);
  if (total !== summary.runs) ctx.addIssue({ code: 'custom', path: ['outcomes'], message: `the outcome counts add up to ${total}, not to runs (${summary.runs})` });
});
export type CampaignSummary = z.output<typeof CampaignSummarySchema>;

/** Which end of the coverage's 95 % interval to use. */
export const ESTIMATES = ['lower', 'point', 'upper'] as const;
export type Estimate = (typeof ESTIMATES)[number];

/** Wilson score interval (95 %) for k successes in n trials (src/campaign/stats.ts). */
export function wilson95(k: number, n: number): [number, number] {
  return wilson(k, n, 0.95);
}

export interface MeasuredCoverage {
  /** The parameter it sets. */
  parameter: 'coverage' | 'pairCoverage' | 'failoverCoverage';
  value: number;
  /** recovered / effective faults, and its Wilson 95 % interval. */
  point: number;
  ci95: [number, number];
  recovered: number;
  /** Faults that took effect and were not masked: recovered + failstop + sdc + hang + crash. */
  effective: number;
}

/** The parameter a campaign on `topology` measures. */
const PARAMETER: Partial<Record<CampaignSummary['topology'], MeasuredCoverage['parameter']>> = {
  dmr: 'coverage', 'pair-spare': 'pairCoverage', cluster: 'failoverCoverage',
};

/**
 * Validates a parsed summary (`source` names it in errors) and returns the coverage it
 * measures: recovered / (activated faults that were not masked), taking `estimate` of its
 * Wilson 95 % interval.
 */
export function coverageFromCampaign(json: unknown, source: string, estimate: Estimate = 'lower'): MeasuredCoverage {
  const parsed = CampaignSummarySchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : 'the summary'}: ${issue.message}`);
    throw new InputError(`${source}: not a campaign summary: ${problems.join('; ')}`);
  }
  const summary = parsed.data;
  const parameter = PARAMETER[summary.topology];
  if (!parameter) throw new InputError(`${source}: a ${summary.topology} campaign measures no coverage parameter (use a dmr, pair-spare or cluster campaign)`);
  const count = (o: CampaignOutcome) => summary.outcomes[o]?.count ?? 0;
  const recovered = count('recovered');
  const effective = recovered + count('failstop') + count('sdc') + count('hang') + count('crash');
  if (effective === 0) throw new InputError(`${source}: no injected fault took effect unmasked, so the campaign measures no coverage`);
  const point = recovered / effective;
  const ci95 = wilson95(recovered, effective);
  const value = estimate === 'lower' ? ci95[0] : estimate === 'upper' ? ci95[1] : point;
  return { parameter, value, point, ci95, recovered, effective };
}

/** The parameters with the measured coverage in place. */
export const withCoverage = (p: Parameters, measured: MeasuredCoverage): Parameters => ({ ...p, [measured.parameter]: measured.value });
