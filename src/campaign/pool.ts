/**
 * Runs a campaign's runs on a pool of workers (DESIGN §2: comlink over worker_threads in
 * Node, node-pool.ts; Web Workers in the browser, browser-pool.ts). Every worker prepares the same engine (the
 * reference run is deterministic, so each has the same checkpoints), then takes batches of
 * runs from one queue until it is empty: a fast worker takes more. Batches grow or shrink
 * towards BATCH_MS of work, so that results stream out steadily and a call's cost (about
 * 55 µs) stays small. Which worker runs a fault changes nothing in its result.
 */
import type { CampaignSetup, EngineOptions, RunRecord } from './engine.ts';

/** What the pool needs of a worker: the CampaignWorker API, asynchronously. */
export interface PoolWorker {
  prepare(setup: CampaignSetup, options: EngineOptions): Promise<void>;
  run(ks: number[]): Promise<RunRecord[]>;
  terminate(): void;
}

/** Wall time a batch of runs should take, ms. */
const BATCH_MS = 100;
const MAX_BATCH = 4096;

export class WorkerPool {
  private constructor(private readonly workers: PoolWorker[]) {}

  /** Starts `count` workers from `create` and prepares each for the campaign. */
  static async start(count: number, create: () => PoolWorker, setup: CampaignSetup, options: EngineOptions = {}): Promise<WorkerPool> {
    const workers = Array.from({ length: count }, create);
    try {
      await Promise.all(workers.map((w) => w.prepare(setup, options)));
    } catch (error) {
      for (const w of workers) w.terminate();
      throw error;
    }
    return new WorkerPool(workers);
  }

  /**
   * Runs every k of `ks`, handing each batch's records to `done` as it finishes, until all
   * have run or `stopped()` turns true (batches already running still finish and are handed on).
   */
  async run(ks: readonly number[], done: (records: RunRecord[]) => void, stopped: () => boolean = () => false): Promise<void> {
    let next = 0;
    const loop = async (worker: PoolWorker) => {
      let size = 1;
      while (next < ks.length && !stopped()) {
        const batch = ks.slice(next, next + size);
        next += batch.length;
        const started = performance.now();
        done(await worker.run(batch));
        const perRun = Math.max(performance.now() - started, 0.01) / batch.length;
        size = Math.max(1, Math.min(MAX_BATCH, Math.round(BATCH_MS / perRun), size * 2));
      }
    };
    await Promise.all(this.workers.map(loop));
  }

  close(): void {
    for (const w of this.workers) w.terminate();
  }
}
