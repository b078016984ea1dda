/**
 * The failover systems (DESIGN §7): an active/standby cluster and an HP/Tandem
 * NonStop process pair, each two independent simplex machines (hosts 0 and 1) that are not
 * in lockstep. Their settings, defaults and checks.
 *
 * Virtual time is scaled down with the runs it serves (seconds, not hours): real clusters
 * send heartbeats every second and fail over in tens of seconds; the defaults here keep the
 * same proportions within a one-second run.
 */
import { InputError } from '../input-error.ts';

export const SYSTEM_TOPOLOGIES = ['cluster', 'process-pair'] as const;
export type SystemTopology = (typeof SYSTEM_TOPOLOGIES)[number];

export function isSystemTopology(name: string): name is SystemTopology {
  return (SYSTEM_TOPOLOGIES as readonly string[]).includes(name);
}

/** Hosts of a failover system: the primary (0) and the standby or backup (1). */
export const HOSTS = 2;

/**
 * What a cluster-aware application does about the work in flight at a failover:
 * - 'off': nothing (the application is unchanged): records consumed since the last
 *   checkpoint are gone, their effects rolled back;
 * - 'dedupe': its input is a durable log, acknowledged at each checkpoint and replayed to
 *   the standby after takeover, and the receiver drops results whose id it already has;
 * - 'replay': the log is replayed but nobody de-duplicates: replayed results are duplicates.
 */
export const CLUSTER_AWARE_MODES = ['off', 'dedupe', 'replay'] as const;
export type ClusterAware = (typeof CLUSTER_AWARE_MODES)[number];

export interface FailoverSettings {
  topology: SystemTopology;
  /** Heartbeat ("I'm alive") period H, virtual µs. */
  heartbeatUs: number;
  /** Missed heartbeats M after which the standby declares the primary dead. */
  missed: number;
  /** Failover time F: from the declaration to the standby's first instruction, virtual µs. */
  failoverTimeUs: number;
  /** Cluster: a checkpoint of the whole state every K instructions of the primary. */
  checkpointEvery: number;
  /** Cluster: what the application does about work in flight (CLUSTER_AWARE_MODES). */
  clusterAware: ClusterAware;
  /** Bandwidth of the link that carries checkpoints, bytes per 10 ns clock cycle (1.25 = 1 Gb/s). */
  linkBytesPerCycle: number;
}

export const DEFAULT_FAILOVER: Omit<FailoverSettings, 'topology'> = {
  heartbeatUs: 10_000,
  missed: 3,
  failoverTimeUs: 50_000,
  checkpointEvery: 100_000,
  clusterAware: 'off',
  linkBytesPerCycle: 1.25,
};

/** Settings with the defaults filled in; throws InputError naming the first bad one. */
export function failoverSettings(topology: SystemTopology, given: Partial<Omit<FailoverSettings, 'topology'>> = {}): FailoverSettings {
  const s: FailoverSettings = { topology, ...DEFAULT_FAILOVER, ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)) };
  if (!(Number.isFinite(s.heartbeatUs) && s.heartbeatUs >= 0.01)) throw new InputError(`heartbeat period ${s.heartbeatUs} µs must be at least one clock cycle (0.01 µs)`);
  if (!(Number.isInteger(s.missed) && s.missed >= 1 && s.missed <= 1000)) throw new InputError(`missed heartbeats ${s.missed} must be a whole number 1..1000`);
  if (!(Number.isFinite(s.failoverTimeUs) && s.failoverTimeUs >= 0)) throw new InputError(`failover time ${s.failoverTimeUs} µs must be 0 or more`);
  if (!(Number.isSafeInteger(s.checkpointEvery) && s.checkpointEvery >= 1)) throw new InputError(`checkpoint interval ${s.checkpointEvery} must be a whole number of instructions, 1 or more`);
  if (!(CLUSTER_AWARE_MODES as readonly string[]).includes(s.clusterAware)) throw new InputError(`cluster-aware mode '${s.clusterAware}' is not one of ${CLUSTER_AWARE_MODES.join(', ')}`);
  if (!(s.linkBytesPerCycle > 0 && Number.isFinite(s.linkBytesPerCycle))) throw new InputError(`link bandwidth ${s.linkBytesPerCycle} bytes per cycle must be positive`);
  if (topology === 'process-pair' && s.clusterAware !== 'off') throw new InputError('cluster-aware applies to the cluster: a process pair is made safe by checkpoints the application sends (a pair-aware workload such as card-auth-pair)');
  return s;
}

/**
 * The MachineConfig settings of a lockstep machine's modules and their comparison, which a
 * failover system's hosts, two simplex machines that nothing compares, have no use for.
 */
export const LOCKSTEP_SETTINGS = ['compare', 'resync', 'repairAfter', 'readmit', 'diagnoseTime', 'threshold', 'crossCheck'] as const;
export type LockstepSetting = (typeof LOCKSTEP_SETTINGS)[number];

/** What a topology may be given: the settings of ServiceConfig, each of any value (a CLI's option text, say). */
type GivenSettings = { topology: string; failover?: object } & { [S in LockstepSetting]?: unknown };

/**
 * Refuses what `config.topology` has no use for, naming the first such setting `config`
 * gives (one that is not undefined) as `name` spells it (the CLI: as its option): on a
 * failover system the lockstep settings (LOCKSTEP_SETTINGS), as its hosts are two simplex
 * machines that nothing compares; on a lockstep machine failover settings. Throws
 * InputError. The one check of this rule: createService and createFailoverSystem make it,
 * and the CLI makes it first to name its options.
 */
export function checkServiceSettings(config: GivenSettings, name: (setting: LockstepSetting | 'failover') => string = String): void {
  const { topology } = config;
  if (isSystemTopology(topology)) {
    const given = LOCKSTEP_SETTINGS.find((setting) => config[setting] !== undefined);
    if (given !== undefined) {
      throw new InputError(`${name(given)} is a setting of the lockstep topologies (dmr, pair-spare, tmr): a ${topology}'s hosts are two simplex machines, not in lockstep`);
    }
  } else if (config.failover && Object.values(config.failover).some((value) => value !== undefined)) {
    throw new InputError(`${name('failover')} settings apply to the failover systems (${SYSTEM_TOPOLOGIES.join(', ')}), not ${topology}`);
  }
}

/**
 * `config` without what `config.topology` has no use for (checkServiceSettings), for a
 * caller that keeps settings for every topology — a page's form, a scenario's machine with
 * its defaults — and builds the one chosen.
 */
export function settingsFor<T extends GivenSettings>(config: T): T {
  const unused: readonly string[] = isSystemTopology(config.topology) ? LOCKSTEP_SETTINGS : ['failover'];
  return Object.fromEntries(Object.entries(config).filter(([setting]) => !unused.includes(setting))) as T;
}
