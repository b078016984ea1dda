/**
 * Early stopping (DESIGN §8): the state of the fault-free reference at a checkpoint, and
 * the test that a faulty run, at the same instruction, will go on exactly as the reference
 * did from there — so its outcome is known without running it to the end.
 *
 * The state that decides how a machine goes on is everything a snapshot holds but its
 * history: the machine block (clock, instruction count, CLINT, UART registers, transaction
 * port), the console rings and transaction FIFO and result ring, and, for every module
 * still online, its hart block (registers, pc, CSRs, privilege, armed stuck bits and ECC
 * poison, the last retire record), its dirty-page map and its RAM; on the host side the
 * pending actions (faults, repairs, resync rounds), host-call state, a host call waiting for
 * input, and resyncs. Left out, because nothing reads them to decide what happens next: the
 * events so far, the output so far and its byte count, the faults each module carries (a
 * record), the schedule's sequence numbers (only their order counts), and the core's report
 * of its last stop (M_STOP, M_DIVERGED, M_REFERENCE, M_ANNOUNCED, rewritten at every stop).
 *
 * A module the faulty run took offline may differ: with nothing scheduled (no repair) it
 * never executes again, and the machine's online modules, equal to the reference's, go on
 * as the reference's did, only with fewer modules compared. So a run whose fault was
 * detected and isolated stops early too, as `recovered`.
 *
 * Both states are in this process's memory, so they are compared byte for byte at once
 * (a hash would cost the same pass, and a second one on a match): the small parts first,
 * then RAM, page by page from the page that differed at the run's last checkpoint, and
 * only the pages that can differ: a store marks its page dirty in the core, so a page
 * left clean in both runs since the checkpoint they started from holds what it held there.
 */
import type { Machine, ScheduledAction } from '../machine/machine.ts';
import type { HostSnapshot } from '../machine/snapshot.ts';

/** Node's memcmp when there is one (Buffer.compare takes any Uint8Array); a word loop otherwise (browsers). */
const nativeCompare = (globalThis as { Buffer?: { compare(a: Uint8Array, b: Uint8Array): number } }).Buffer?.compare;

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  if (nativeCompare) return nativeCompare(a, b) === 0;
  if (a.byteOffset % 4 === 0 && b.byteOffset % 4 === 0 && a.length % 4 === 0) {
    const x = new Uint32Array(a.buffer, a.byteOffset, a.length >>> 2);
    const y = new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2);
    for (let k = 0; k < x.length; k++) if (x[k] !== y[k]) return false;
    return true;
  }
  for (let k = 0; k < a.length; k++) if (a[k] !== b[k]) return false;
  return true;
}

/** Per faulty run: where its RAM differed from the reference's at its last checkpoint, to look there first. */
export interface MatchHint {
  module?: number;
  page?: number;
}

/** A RAM page of a module changed by other means than a store (a fault applied to a RAM word). */
export interface TouchedPage {
  module: number;
  page: number;
}

/** The host side that decides the future, as one string (module records are compared per module). */
function hostKey(host: HostSnapshot): string {
  const schedule = host.schedule.map(({ seq: _seq, ...action }: ScheduledAction) => action);
  return JSON.stringify([schedule, host.halted ?? null, host.hostCalls, host.waitingCall ?? null, host.resyncs, host.nextResyncId, host.tohost]);
}

interface ModuleImage {
  online: boolean;
  dead: boolean;
  persistent: boolean;
  hart: Uint8Array;
  /** Its dirty-page map (a byte a page of RAM). */
  dirty: Uint8Array;
  /** Its RAM, page by page. */
  pages: Uint8Array[];
}

export class StateImage {
  private constructor(
    readonly instret: number,
    private readonly machineBlock: Uint32Array,
    private readonly modules: ModuleImage[],
    /** Console rings, transaction FIFO and result ring. */
    private readonly devices: Uint8Array,
    private readonly host: string,
  ) {}

  /**
   * The state of `machine` now. Pages equal to the same page of `previous` (an earlier
   * image of the same machine) or of module 0 are shared, not copied.
   */
  static capture(machine: Machine, previous?: StateImage): StateImage {
    const core = machine.core;
    const L = core.layout;
    const host = machine.hostSnapshot();
    const pageCount = machine.ramSize / L.PAGE_SIZE;
    const modules: ModuleImage[] = [];
    host.modules.forEach((record, m) => {
      const pages: Uint8Array[] = [];
      for (let p = 0; p < pageCount; p++) {
        const live = core.slice(L.RAM_SLOTS + m * machine.ramSize + p * L.PAGE_SIZE, L.PAGE_SIZE);
        const before = previous?.modules[m].pages[p];
        const first = modules[0]?.pages[p];
        if (before && bytesEqual(before, live)) pages.push(before);
        else if (first && bytesEqual(first, live)) pages.push(first);
        else pages.push(live.slice());
      }
      modules.push({
        online: record.state === 'online', dead: record.dead, persistent: record.persistent,
        hart: core.slice(core.hart(m), L.HART_SIZE).slice(),
        dirty: core.slice(L.DIRTY + m * L.DIRTY_MAP_SIZE, pageCount).slice(),
        pages,
      });
    });
    const block = words(core.slice(L.MACHINE, L.HARTS - L.MACHINE).slice());
    return new StateImage(machine.instret, block, modules, core.slice(L.CONSOLE_IN, L.TRACE - L.CONSOLE_IN).slice(), hostKey(host));
  }

  /**
   * Whether `machine` (of the reference's configuration, at this image's instruction) will
   * go on exactly as the reference did from here. Precondition: `machine` was restored from
   * a checkpoint of the same reference run, at or before this one, and since then its RAM
   * changed only through stores and host calls, which mark pages dirty, and in `touched`.
   * So only dirty pages (whose maps must be equal) and touched ones can differ: the rest of
   * RAM is not compared. `hint` carries where the last comparison of the same run failed.
   */
  matches(machine: Machine, touched: readonly TouchedPage[] = [], hint: MatchHint = {}): boolean {
    const core = machine.core;
    const L = core.layout;
    if (machine.instret !== this.instret || machine.halt) return false;
    const host = machine.hostSnapshot();
    const online = host.modules.flatMap((record, m) => (record.state === 'online' ? [m] : []));
    if (online.length === 0) return false;
    for (const m of online) {
      const mine = host.modules[m];
      const theirs = this.modules[m];
      if (!theirs.online || mine.dead !== theirs.dead || mine.persistent !== theirs.persistent) return false;
    }
    if (hostKey(host) !== this.host) return false;
    const block = words(core.slice(L.MACHINE, L.HARTS - L.MACHINE));
    for (let w = 0; w < block.length; w++) {
      if (block[w] !== this.machineBlock[w] && !unread(L, w * 4)) return false;
    }
    for (const m of online) {
      if (!bytesEqual(core.slice(core.hart(m), L.HART_SIZE), this.modules[m].hart)) return false;
    }
    if (!bytesEqual(core.slice(L.CONSOLE_IN, L.TRACE - L.CONSOLE_IN), this.devices)) return false;
    const pageCount = machine.ramSize / L.PAGE_SIZE;
    for (const m of online) {
      if (!bytesEqual(core.slice(L.DIRTY + m * L.DIRTY_MAP_SIZE, pageCount), this.modules[m].dirty)) return false;
    }
    const page = (m: number, p: number) => bytesEqual(core.slice(L.RAM_SLOTS + m * machine.ramSize + p * L.PAGE_SIZE, L.PAGE_SIZE), this.modules[m].pages[p]);
    const differs = (m: number, p: number) => {
      if (page(m, p)) return false;
      hint.module = m;
      hint.page = p;
      return true;
    };
    if (hint.module !== undefined && online.includes(hint.module) && !page(hint.module, hint.page!)) return false;
    for (const t of touched) if (online.includes(t.module) && differs(t.module, t.page)) return false;
    for (const m of online) {
      const dirty = this.modules[m].dirty;
      for (let p = 0; p < pageCount; p++) if (dirty[p] !== 0 && differs(m, p)) return false;
    }
    return true;
  }
}

/** The 32-bit words of a 4-aligned byte range. */
function words(bytes: Uint8Array): Uint32Array {
  return new Uint32Array(bytes.buffer, bytes.byteOffset, bytes.length >>> 2);
}

/**
 * Machine-block words nothing reads to decide what happens next: the online mask (the
 * online modules are compared one by one instead) and the core's report of its last stop.
 */
function unread(L: Machine['core']['layout'], offset: number): boolean {
  return offset === L.M_ONLINE || offset === L.M_STOP || offset === L.M_DIVERGED || offset === L.M_REFERENCE || offset === L.M_ANNOUNCED;
}
