/**
 * Bringing replaced modules into lockstep (DESIGN §7), as Stratus and NEC ft servers do:
 *
 * - stop-copy: the machine pauses while all of RAM and the hart state are copied from a
 *   survivor; the pause is (RAM size + hart state) / copy bandwidth.
 * - precopy: RAM is copied while the machine runs. A round copies its pages in
 *   pages × page size / bandwidth cycles, during which the machine executes that many
 *   instructions (one per cycle) and the core marks the pages the survivor writes; the next
 *   round copies those. When a round leaves few dirty pages (or stops shrinking, or after
 *   MAX_ROUNDS), a final pause copies the rest and the hart state.
 *
 * Copies are made at the end of each round from the survivor's current contents; the
 * model's timing is that of the copy, and the final state is exact either way.
 */
import { architecturalRanges, type Core } from './core.ts';
import type { MachineEvent, ResyncMode } from './events.ts';

export interface ResyncSettings {
  mode: ResyncMode;
  /** Copy bandwidth in bytes per cycle. */
  bytesPerCycle: number;
}

/** What a resync needs of its machine. */
export interface ResyncHost {
  core: Core;
  ramSize: number;
  instret(): number;
  /** The module to copy from (an online one), or undefined if none is left. */
  source(): number | undefined;
  online(m: number): boolean;
  /**
   * Adds the pages each resync's source wrote since the last harvest to that resync's
   * written pages (absorb()), for every resync in progress, and starts counting afresh.
   */
  harvestDirty(): void;
  /** Calls roundEnded() when the machine reaches instruction `at`. */
  schedule(at: number): void;
  /** Stops the machine for `cycles` cycles of virtual time (instret does not advance). */
  pause(cycles: number): void;
  event(e: MachineEvent): void;
  /** After pages of RAM were copied from `source` to `target`: the check bits go along (ecc.ts copyCodewords). */
  copyCodewords(source: number, target: number): void;
  /** The targets are in lockstep with the survivors: put them online. */
  done(): void;
}

/** End the precopy when a round leaves at most this many dirty pages. */
const FINAL_PAGES = 16;
const MAX_ROUNDS = 8;
/** Virtual clock, for pauses in microseconds. */
export const CLOCK_HZ = 100_000_000;

/** A resync in progress, as a snapshot keeps it. */
export interface ResyncState {
  id: number;
  targets: number[];
  round: number;
  pages: number[];
  bytes: number;
  source: number;
  /** Pages the source wrote during the current round. */
  written: number[];
}

export class Resync {
  private round = 0;
  private pages: number[] = [];
  private bytes = 0;
  private _source = -1;
  /** A byte a page: the source wrote it during the current round (see absorb()). */
  private written: Uint8Array;

  constructor(
    readonly id: number,
    readonly targets: number[],
    readonly settings: ResyncSettings,
    private readonly host: ResyncHost,
    state?: ResyncState,
  ) {
    this.written = new Uint8Array(this.pageCount);
    if (state) {
      ({ round: this.round, pages: this.pages, bytes: this.bytes, source: this._source } = state);
      for (const p of state.written) this.written[p] = 1;
    }
  }

  /**
   * Target `m` went offline before it was brought in: copy to it no more. Returns whether
   * any target is left (if none, the resync is over, with no resync-done).
   */
  drop(m: number): boolean {
    const k = this.targets.indexOf(m);
    if (k >= 0) this.targets.splice(k, 1);
    return this.targets.length > 0;
  }

  /** The module copied from (-1 before start()). */
  get source(): number { return this._source; }

  state(): ResyncState {
    return {
      id: this.id, targets: [...this.targets], round: this.round, pages: [...this.pages], bytes: this.bytes,
      source: this._source, written: this.writtenPages(),
    };
  }

  /** Marks the pages set in `map` (a byte a page, the source's dirty map) as written. */
  absorb(map: Uint8Array): void {
    for (let p = 0; p < map.length; p++) this.written[p] |= map[p];
  }

  private get pageSize(): number { return this.host.core.layout.PAGE_SIZE; }
  private get pageCount(): number { return this.host.ramSize / this.pageSize; }

  /** Cycles to copy `bytes`. */
  private cycles(bytes: number): number { return Math.ceil(bytes / this.settings.bytesPerCycle); }

  /** Bytes of architectural hart state copied in the final pause (core.ts architecturalRanges). */
  private get hartStateBytes(): number {
    return architecturalRanges(this.host.core.layout).reduce((sum, [, length]) => sum + length, 0);
  }

  start(): void {
    const source = this.host.source();
    if (source === undefined) return; // nothing to copy from: the machine has stopped
    this._source = source;
    this.round = 0;
    this.bytes = 0;
    if (this.settings.mode === 'stop-copy') {
      this.finish(Array.from({ length: this.pageCount }, (_, p) => p));
      return;
    }
    this.beginRound(Array.from({ length: this.pageCount }, (_, p) => p));
  }

  private beginRound(pages: number[]): void {
    this.round++;
    this.pages = pages;
    this.host.harvestDirty();
    this.written.fill(0);
    this.host.schedule(this.host.instret() + this.cycles(pages.length * this.pageSize));
  }

  /** The machine reached the end of the current precopy round. */
  roundEnded(): void {
    const source = this._source;
    if (!this.host.online(source)) {
      this.start(); // the source went offline meanwhile: begin again from another module
      return;
    }
    const copied = this.pages.length * this.pageSize;
    this.copyPages(this.pages);
    this.bytes += copied;
    this.host.event({
      instret: this.host.instret(), kind: 'resync-round', module: this.targets[0], modules: [...this.targets],
      source, round: this.round, pages: this.pages.length, bytes: copied, instructions: this.cycles(copied),
    });
    this.host.harvestDirty();
    const dirty = this.writtenPages();
    const converged = dirty.length <= FINAL_PAGES || this.round >= MAX_ROUNDS || dirty.length >= this.pages.length;
    if (converged) this.finish(dirty);
    else this.beginRound(dirty);
  }

  /** The final pause: copy `pages` and the hart state, then the targets are online. */
  private finish(pages: number[]): void {
    const bytes = pages.length * this.pageSize + this.hartStateBytes;
    const pause = this.cycles(bytes);
    this.copyPages(pages);
    this.copyHartState();
    this.bytes += bytes;
    this.host.pause(pause);
    this.host.event({
      instret: this.host.instret(), kind: 'resync-done', module: this.targets[0], modules: [...this.targets], source: this._source,
      mode: this.settings.mode, rounds: this.round, bytes: this.bytes, pause_instructions: pause,
      pause_us: Math.round((pause / CLOCK_HZ) * 1e6 * 1000) / 1000,
    });
    this.host.done();
  }

  private ramOf(m: number): number { return this.host.core.layout.RAM_SLOTS + m * this.host.ramSize; }

  private copyPages(pages: number[]): void {
    const core = this.host.core;
    const size = this.pageSize;
    const from = this.ramOf(this._source);
    for (const t of this.targets) {
      const to = this.ramOf(t);
      for (const p of pages) core.slice(to + p * size, size).set(core.slice(from + p * size, size));
      this.host.copyCodewords(this._source, t);
    }
  }

  /**
   * The architectural hart state (architecturalRanges), and the last retire record, which the
   * comparator keeps, not the program (not counted in the bytes copied).
   */
  private copyHartState(): void {
    const core = this.host.core;
    const from = core.hart(this._source);
    const ranges = architecturalRanges(core.layout);
    for (const t of this.targets) {
      const to = core.hart(t);
      for (const [offset, length] of ranges) core.slice(to + offset, length).set(core.slice(from + offset, length));
      const record = core.layout.H_RETIRE;
      core.slice(to + record, core.layout.RETIRE_SIZE).set(core.slice(from + record, core.layout.RETIRE_SIZE));
    }
  }

  private writtenPages(): number[] {
    const pages: number[] = [];
    for (let p = 0; p < this.written.length; p++) if (this.written[p] !== 0) pages.push(p);
    return pages;
  }
}

/** What the resyncs of a machine need of it (ResyncHost, less what Resyncs provides itself). */
export interface ResyncsHost extends Omit<ResyncHost, 'harvestDirty' | 'schedule' | 'done'> {
  /** Calls roundEnded(id) when the machine reaches instruction `at`. */
  schedule(at: number, id: number): void;
  /** Resync `targets` finished: put those still resyncing online. */
  finished(targets: readonly number[]): void;
}

/**
 * The resyncs in progress on one machine, by id. It harvests the sources' dirty pages for
 * them: each resync keeps its own set of written pages, so that resyncs copying from one
 * source never take each other's pages.
 */
export class Resyncs {
  private readonly byId = new Map<number, Resync>();
  private nextId = 1;

  constructor(private readonly settings: ResyncSettings, private readonly host: ResyncsHost) {}

  /** Starts copying a survivor's state into `targets`. */
  start(targets: number[]): void {
    this.create(this.nextId++, targets).start();
  }

  roundEnded(id: number): void {
    this.byId.get(id)?.roundEnded();
  }

  /** Module `m` no longer resyncs (it went offline): a resync left without targets ends. */
  leave(m: number): void {
    for (const [id, resync] of this.byId) {
      if (resync.targets.includes(m) && !resync.drop(m)) this.byId.delete(id);
    }
  }

  clear(): void {
    this.byId.clear();
    this.nextId = 1;
  }

  /** What a snapshot keeps: every resync's state, and the next id. */
  state(): { resyncs: ResyncState[]; nextResyncId: number } {
    return { resyncs: [...this.byId.values()].map((r) => r.state()), nextResyncId: this.nextId };
  }

  restore(state: { resyncs: ResyncState[]; nextResyncId: number }): void {
    this.clear();
    for (const r of state.resyncs) this.create(r.id, r.targets, r);
    this.nextId = state.nextResyncId;
  }

  private create(id: number, targets: number[], state?: ResyncState): Resync {
    const host = this.host;
    const resync = new Resync(id, targets, this.settings, {
      ...host,
      harvestDirty: () => this.harvestDirty(),
      schedule: (at) => host.schedule(at, id),
      done: () => {
        this.byId.delete(id);
        host.finished(targets);
      },
    }, state);
    this.byId.set(id, resync);
    return resync;
  }

  /** Moves the pages each source wrote since the last harvest (the core's dirty maps) into its resyncs, and clears those maps. */
  private harvestDirty(): void {
    const L = this.host.core.layout;
    const pages = this.host.ramSize / L.PAGE_SIZE;
    for (const source of new Set([...this.byId.values()].map((r) => r.source))) {
      if (source < 0) continue;
      const map = this.host.core.slice(L.DIRTY + source * L.DIRTY_MAP_SIZE, pages);
      for (const r of this.byId.values()) if (r.source === source) r.absorb(map);
      map.fill(0);
    }
  }
}
