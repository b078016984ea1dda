/**
 * A campaign worker's API: one engine (the reference run and its checkpoints, prepared once),
 * and runs asked for in batches. The same code serves Node's worker_threads (worker-node.ts)
 * and, for the browser, a Web Worker; calls are coarse (a batch of runs), as DESIGN §2 asks.
 */
import { CampaignEngine, type CampaignSetup, type EngineOptions, type RunRecord } from './engine.ts';

export class CampaignWorker {
  private engine?: CampaignEngine;

  /** Runs the fault-free reference and takes its checkpoints (throws what CampaignEngine.prepare throws). */
  async prepare(setup: CampaignSetup, options: EngineOptions = {}): Promise<void> {
    this.engine = await CampaignEngine.prepare(setup, options);
  }

  /** Runs k of the campaign for each k of `ks`, in order. */
  run(ks: number[]): RunRecord[] {
    const engine = this.engine;
    if (!engine) throw new Error('prepare the campaign worker before running it');
    return ks.map((k) => engine.run(k));
  }
}
