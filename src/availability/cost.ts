/**
 * The expected cost of each architecture: downtime and interruptions turned into
 * money per year, and a simple total cost of ownership — the hardware bought once plus the
 * expected yearly cost over the years of service. The same for `lockstep availability` and
 * the browser's availability view.
 */
import { MODULES, type Assessment } from './models.ts';

export interface CostBasis {
  /** Cost of one hour of downtime. */
  downtimePerHour: number;
  /** Cost of one visible interruption. */
  perInterruption: number;
  /** Hardware cost of one module (or host). */
  hardwarePerModule: number;
  /** Years of service the total covers. */
  years: number;
}

export interface Costs {
  downtime_per_year: number;
  interruptions_per_year: number;
  per_year: number;
  hardware: number;
  total: number;
}

/** The expected costs of the assessed model on `basis`. */
export function costOf(row: Assessment, basis: CostBasis): Costs {
  const downtime = (row.downtime_min_per_year / 60) * basis.downtimePerHour;
  const interruptions = row.interruptions_per_year * basis.perInterruption;
  const hardware = MODULES[row.model] * basis.hardwarePerModule;
  return { downtime_per_year: downtime, interruptions_per_year: interruptions, per_year: downtime + interruptions, hardware, total: hardware + basis.years * (downtime + interruptions) };
}
