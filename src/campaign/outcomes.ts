/**
 * The outcomes a campaign counts (DESIGN §6): classify()'s (src/fault/classify.ts), and
 * failover, which only a cluster's runs can have (none on a lockstep machine). Every summary
 * lists all of them, in this order, with count 0 where none occurred.
 */
import type { Outcome } from '../fault/classify.ts';

export type CampaignOutcome = Outcome | 'failover';

export const CAMPAIGN_OUTCOMES: readonly CampaignOutcome[] = ['masked', 'recovered', 'failstop', 'sdc', 'hang', 'crash', 'failover', 'not-activated'];
