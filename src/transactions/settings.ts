/**
 * A workload run's settings as people write them in a scenario file or set them on the page
 * (`workload: { name, rate, duration, seed, fifo }`), the same options `lockstep run
 * --workload NAME --rate R --duration T --seed S --fifo N` takes, and their translation into
 * the feed's options.
 */
import { DEFAULT_RATE } from './arrivals.ts';
import { checkFeedOptions, DEFAULT_FIFO_DEPTH, DEFAULT_SEED, type FeedOptions } from './feed.ts';
import { parseDuration } from './time.ts';
import { WORKLOADS, workloadByName } from './workloads/index.ts';
import type { Workload } from './workloads/workload.ts';
import { InputError } from '../input-error.ts';

/** Virtual time a workload run lasts when no duration is given (as the CLI's --duration). */
export const DEFAULT_WORKLOAD_DURATION = '1s';

export interface WorkloadSettings {
  /** A workload's name (WORKLOADS). */
  name: string;
  /** Transactions per virtual second; for a periodic workload, one every 1 s / rate instead of its own period. */
  rate?: number;
  /** Virtual time the run lasts: `2s`, `500ms`, `250us` (default DEFAULT_WORKLOAD_DURATION). */
  duration?: string;
  /** Seed of the arrival times and payloads, a u32 (default 1). */
  seed?: number;
  /** FIFO depth in records, 1..1024 (default 64). */
  fifo?: number;
}

/** Settings with every default filled in, for display: what the run really uses. */
export interface ResolvedWorkloadSettings {
  name: string;
  /** Undefined for a periodic workload at its own period (periodUs). */
  rate?: number;
  periodUs?: number;
  duration: string;
  durationUs: number;
  seed: number;
  fifo: number;
}

/**
 * The feed options for `settings`. Throws InputError with one line naming the bad setting
 * (an unknown workload, a duration that is not a virtual time, a rate, seed or FIFO depth
 * out of range).
 */
export function feedOptionsFor(settings: WorkloadSettings, registry: ReadonlyMap<string, Workload> = WORKLOADS): FeedOptions {
  const workload = workloadByName(settings.name, registry);
  const durationUs = parseDuration(settings.duration ?? DEFAULT_WORKLOAD_DURATION);
  const options: FeedOptions = { workload, durationUs, rate: settings.rate, seed: settings.seed, fifo: settings.fifo };
  const problem = checkFeedOptions(options);
  if (problem) throw new InputError(`workload ${settings.name}: ${problem}`);
  return options;
}

/** What `settings` resolve to (throws as feedOptionsFor). */
export function resolveWorkloadSettings(settings: WorkloadSettings, registry: ReadonlyMap<string, Workload> = WORKLOADS): ResolvedWorkloadSettings {
  const options = feedOptionsFor(settings, registry);
  const arrivals = options.workload.arrivals;
  const ownPeriod = arrivals.kind === 'periodic' && options.rate === undefined;
  return {
    name: options.workload.name,
    ...(ownPeriod ? { periodUs: arrivals.periodUs } : { rate: options.rate ?? DEFAULT_RATE }),
    duration: settings.duration ?? DEFAULT_WORKLOAD_DURATION,
    durationUs: options.durationUs,
    seed: options.seed ?? DEFAULT_SEED,
    fifo: options.fifo ?? DEFAULT_FIFO_DEPTH,
  };
}
