/**
 * Systems of machines above src/machine/ (DESIGN §2, §7): the failover cluster and the
 * process pair, each two simplex machines that are not in lockstep.
 */
import { Machine, type MachineConfig } from '../machine/machine.ts';
import { moduleCount, TOPOLOGIES, type Topology } from '../machine/topology.ts';
import type { Program } from '../isa/program.ts';
import { MachineService, type TransactionService } from '../transactions/service.ts';
import { FailoverSystem } from './failover.ts';
import { failoverSettings, HOSTS, isSystemTopology, SYSTEM_TOPOLOGIES, type FailoverSettings, type SystemTopology } from './settings.ts';

export { FailoverSystem, type FailoverSummary, type SystemEvent, type HostStatus, type HostRole } from './failover.ts';
export {
  SYSTEM_TOPOLOGIES, CLUSTER_AWARE_MODES, DEFAULT_FAILOVER, HOSTS, failoverSettings, isSystemTopology,
  type SystemTopology, type ClusterAware, type FailoverSettings,
} from './settings.ts';

/**
 * The MachineConfig settings of a lockstep machine's modules and their comparison, which a
 * failover system's hosts, two simplex machines that nothing compares, have no use for.
 */
export const LOCKSTEP_SETTINGS = ['compare', 'resync', 'repairAfter', 'readmit', 'diagnoseTime', 'threshold', 'crossCheck'] as const;
type LockstepSetting = (typeof LOCKSTEP_SETTINGS)[number];

/**
 * The settings of each host of a failover system: its RAM and ECC, the scrubber and its
 * bandwidth (copyBytesPerCycle), the console (both hosts write there; the serving one does).
 */
export type SystemConfig = Omit<MachineConfig, 'topology' | LockstepSetting>;

/** Two simplex machines of `config` with `program` loaded, as a failover system. Throws as Machine.create and load. */
export async function createFailoverSystem(program: Program, settings: FailoverSettings, config: SystemConfig = {}): Promise<FailoverSystem> {
  const host = async () => {
    const m = await Machine.create({ ...config, topology: 'simplex' });
    m.load(program);
    return m;
  };
  return new FailoverSystem([await host(), await host()], settings);
}

/** `config` without the lockstep settings (LOCKSTEP_SETTINGS). */
function systemConfig(config: Omit<MachineConfig, 'topology'>): SystemConfig {
  const hostConfig: Omit<MachineConfig, 'topology'> = { ...config };
  for (const setting of LOCKSTEP_SETTINGS) delete hostConfig[setting];
  return hostConfig;
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
 * SystemConfig's and has no use for the lockstep settings (LOCKSTEP_SETTINGS), as a simplex
 * machine has none: they are ignored (the CLI refuses them).
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

/** Builds the service; throws InputError on a bad setting and ProgramError on a program that cannot load. */
export async function createService(program: Program, config: ServiceConfig): Promise<Service> {
  const { topology, failover, ...machineConfig } = config;
  if (isSystemTopology(topology)) {
    const system = await createFailoverSystem(program, failoverSettings(topology, failover), systemConfig(machineConfig));
    return { service: system, system };
  }
  const machine = await Machine.create({ ...machineConfig, topology });
  machine.load(program);
  return { service: new MachineService(machine), machine };
}
