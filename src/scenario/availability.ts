/**
 * A scenario's `availability` field: opens the page's availability view with
 * these parameters of the Markov models (src/availability/models.ts); the ones left out keep
 * their defaults. Rates are per hour, as `lockstep availability` takes them.
 */
import { z } from 'zod';

const rate = (what: string) => z.number().positive().finite().optional().describe(`${what}, per hour`);
const probability = (what: string) => z.number().min(0).max(1).optional().describe(what);

export const AvailabilityScenario = z.strictObject({
  lambda: rate('λ: failure rate of one module or host (1 / MTBF)'),
  mu: rate('μ: repair rate (1 / MTTR)'),
  coverage: probability('c: probability that a duplex failure is detected, attributed and survived'),
  rho: rate('ρ: restart rate after an uncovered failure'),
  pairCoverage: probability('c_p: coverage of a self-checking pair'),
  standbyLambda: z.number().nonnegative().finite().optional().describe('λ_s: failure rate of the cluster standby, per hour (0: it does not fail)'),
  failoverRate: rate('δ: failover rate (1 / failover time)'),
  failoverCoverage: probability('c_fo: probability that a failover succeeds'),
  manualRate: rate('ρ_m: manual recovery rate after a failed failover'),
  resyncPause: z.number().nonnegative().finite().optional().describe('Resync pause after each repair of a lockstep model, hours'),
}).describe('Open the availability view with these model parameters (the others keep their defaults)');
