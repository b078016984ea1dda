/**
 * Systems of machines above src/machine/ (DESIGN §2, §7): the failover cluster and the
 * process pair, each two simplex machines that are not in lockstep.
 */
import { Machine, type MachineConfig } from '../machine/machine.ts';
import { moduleCount, TOPOLOGIES, type Topology } from '../machine/topology.ts';
import type { Program } from '../isa/program.ts';
import { MachineService, type TransactionService } from '../transactions/service.ts';
import { FailoverSystem } from './failover.ts';
import {
  checkServiceSettings, failoverSettings, HOSTS, isSystemTopology, SYSTEM_TOPOLOGIES, type FailoverSettings, type LockstepSetting, type SystemTopology,
} from './settings.ts';

export { FailoverSystem, type FailoverSummary, type SystemEvent, type HostStatus, type HostRole } from './failover.ts';
export {
  SYSTEM_TOPOLOGIES, CLUSTER_AWARE_MODES, DEFAULT_FAILOVER, HOSTS, LOCKSTEP_SETTINGS, failoverSettings, isSystemTopology, checkServiceSettings, settingsFor,
  type SystemTopology, type ClusterAware, type FailoverSettings, type LockstepSetting,
} from './settings.ts';

/**
 * The settings of each host of a failover system: its RAM and ECC, the scrubber and its
 * bandwidth (copyBytesPerCycle), the console (both hosts write there; the serving one does).
 */
export type SystemConfig = Omit<MachineConfig, 'topology' | LockstepSetting>;

/**
 * Two simplex machines of `config` with `program` loaded, as a failover system. Throws
 * InputError for a lockstep setting in `config` (checkServiceSettings), and as
 * Machine.create and load.
 */
export async function createFailoverSystem(program: Program, settings: FailoverSettings, config: SystemConfig = {}): Promise<FailoverSystem> {
  checkServiceSettings({ ...config, topology: settings.topology });
  const host = async () => {
    const m = await Machine.create({ ...config, topology: 'simplex' });
    m.load(program);
    return m;
  };
  return new FailoverSystem([await host(), await host()], settings);
}

/** Every topology a transaction workload can run on: the lockstep machines and the failover systems. */
export const SERVICE_TOPOLOGIES = [...TOPOLOGIES, ...SYSTEM_TOPOLOGIES] as const;
export type ServiceTopology = Topology | SystemTopology;

/** Hardware modules (CPUs) each topology pays for. */
export function modulesOf(topology: ServiceTopology): number {
  return isSystemTopology(topology) ? HOSTS : moduleCount(topology);
}

/**
 * A lockstep topology takes every MachineConfig setting; a failover system gives its hosts
 * SystemConfig's, and `failover`. Each refuses the other's (checkServiceSettings).
 */
export interface ServiceConfig extends Omit<MachineConfig, 'topology'> {
  topology: ServiceTopology;
  /** Failover systems: their settings (defaults: DEFAULT_FAILOVER). */
  failover?: Partial<Omit<FailoverSettings, 'topology'>>;
}

/** A transaction service of `config.topology` with `program` loaded: one machine, or a failover system. */
export interface Service {
  service: TransactionService;
  /** The machine, for a lockstep topology. */
  machine?: Machine;
  /** The system, for a failover topology. */
  system?: FailoverSystem;
}

/**
 * Builds the service; throws InputError on a bad setting or one the topology has no use for
 * (checkServiceSettings), and ProgramError on a program that cannot load.
 */
export async function createService(program: Program, config: ServiceConfig): Promise<Service> {
  checkServiceSettings(config);
  const { topology, failover, ...machineConfig } = config;
  if (isSystemTopology(topology)) {
    const system = await createFailoverSystem(program, failoverSettings(topology, failover), machineConfig);
    return { service: system, system };
  }
  const machine = await Machine.create({ ...machineConfig, topology });
  machine.load(program);
  return { service: new MachineService(machine), machine };
}
