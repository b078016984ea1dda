/**
 * What a worker session runs (DESIGN §2, §7): one lockstep machine, or a failover system of
 * two simplex hosts (src/system), built by createService as `lockstep run --workload` builds
 * it. The page sees either as a list of modules — a machine's own modules, or the hosts,
 * host h as module h — each with its registers, memory and status; a workload's feed drives
 * either through `service` (TransactionService).
 */
import { Machine, type ModuleStatus } from '../machine/machine.ts';
import type { ConsoleIO } from '../machine/hostcalls.ts';
import { isDetection, type Halt, type MachineEvent } from '../machine/events.ts';
import type { Program } from '../isa/program.ts';
import { createService, type ServiceConfig } from '../system/index.ts';
import type { FailoverSystem, SystemEvent } from '../system/failover.ts';
import { isSystemTopology } from '../system/settings.ts';
import { MachineService, type TransactionService } from '../transactions/service.ts';
import { InputError } from '../input-error.ts';

/** Settings a session is created with: a machine's or a failover system's, everything but the console (ServiceConfig). */
export type MachineSetup = Omit<ServiceConfig, 'console' | 'blockingInput'>;

/** Module `module` of `machine`: where one module of the page's view lives. */
export interface ModuleSite {
  machine: Machine;
  module: number;
}

export class Rig {
  /** The page's modules, in order: module k of the view is modules[k]. */
  readonly modules: readonly ModuleSite[];

  private constructor(readonly service: TransactionService, readonly machine?: Machine, readonly system?: FailoverSystem) {
    this.modules = system
      ? system.hosts.map((host) => ({ machine: host, module: 0 }))
      : Array.from({ length: machine!.moduleCount }, (_, module) => ({ machine: machine!, module }));
  }

  /**
   * Builds `setup` with `program` loaded (a lockstep machine may have none yet). Throws
   * InputError for a failover system without a program (it runs a workload's), and as
   * createService for bad settings or a program that does not load.
   */
  static async build(setup: MachineSetup, program: Program | undefined, console: ConsoleIO): Promise<Rig> {
    const { topology } = setup;
    if (!program) {
      if (isSystemTopology(topology)) throw new InputError(`a ${topology} runs a transaction workload's program: load one first`);
      return Rig.of(await Machine.create({ ...setup, topology, console }));
    }
    const { service, machine, system } = await createService(program, { ...setup, console });
    return new Rig(service, machine, system);
  }

  /** A machine as it is (restored from a snapshot, say). */
  static of(machine: Machine): Rig {
    return new Rig(new MachineService(machine), machine);
  }

  get topology(): string { return this.system ? this.system.settings.topology : this.machine!.topology; }
  get instret(): number { return this.service.instret; }
  get cycle(): number { return this.service.cycle; }
  /** The machine's halt; a system's once no host is left to serve. */
  get halt(): Halt | undefined { return this.system ? this.system.halt : this.machine!.halt; }

  /** The modules' status; a system's hosts as modules 0 and 1 (a dead host offline). */
  moduleStatus(): ModuleStatus[] {
    if (!this.system) return this.machine!.moduleStatus();
    return this.system.hosts.map((host, id) => ({ ...host.moduleStatus()[0], id, board: id }));
  }

  /** What happened, in order: a machine's events, or a system's (its hosts' own are its business). */
  get events(): readonly MachineEvent[] { return this.machine?.events ?? []; }
  get systemEvents(): readonly SystemEvent[] { return this.system?.events ?? []; }

  /** Every machine of the rig: the lockstep machine, or hosts 0 and 1. */
  get machines(): readonly Machine[] { return this.system ? this.system.hosts : [this.machine!]; }

  /**
   * Where the run's first fault took effect, its first detection, and where the modules'
   * records first differed (the divergence's first_differed, or its instruction), in the
   * rig's instructions. A failover system compares nothing: its detection is the death of a
   * host that serves (the instruction at which its heartbeats stop).
   */
  landmarks(): Landmarks {
    if (this.system) {
      const events = this.system.events;
      return {
        injection: events.find((e) => e.kind === 'inject')?.instret,
        detection: events.find((e) => e.kind === 'host-down')?.instret,
      };
    }
    const events = this.machine!.events;
    const diverge = events.find((e) => e.kind === 'diverge');
    return {
      injection: events.find((e) => e.kind === 'inject')?.instret,
      detection: events.find(isDetection)?.instret,
      divergence: diverge && (diverge.first_differed ?? diverge.instret),
    };
  }
}

/** The run's landmarks (Rig.landmarks), instructions. */
export interface Landmarks {
  injection?: number;
  detection?: number;
  divergence?: number;
}
