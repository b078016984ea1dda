/**
 * A failover system's own state for time travel (src/system/failover-state.ts): restoring a
 * saved state gives back every field as it was — checked against a deep copy the platform
 * makes (structuredClone) at the same moment — before and after a takeover, more than once;
 * a state saved again with nothing changed shares every chunk of the lists and tables; a
 * field that is not plain data is refused by name.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createService, type FailoverSystem } from '../../src/system/index.ts';
import { TransactionFeed } from '../../src/transactions/feed.ts';
import { WORKLOADS } from '../../src/transactions/workloads/index.ts';
import { parseFault } from '../../src/fault/spec.ts';
import { assemble } from '../../src/isa/index.ts';

const PROGRAM = assemble(readFileSync(new URL('../../examples/card-auth.s', import.meta.url), 'utf8'), { file: 'card-auth.s' }).program!;
const FAILOVER = { heartbeatUs: 1000, missed: 3, failoverTimeUs: 2000, checkpointEvery: 20_000 };

/** A cluster running card-auth at 50,000/s for `durationUs`, with its primary killed at 8 ms if `kill`. */
async function cluster(durationUs = 20_000, kill = true) {
  const { service, system } = await createService(PROGRAM, { topology: 'cluster', failover: FAILOVER });
  const feed = new TransactionFeed(service, {
    workload: WORKLOADS.get('card-auth')!, durationUs, rate: 50_000, seed: 3, fifo: 32, timedFaults: kill ? [parseFault('at=8ms,module=0,kind=kill')] : [],
  });
  return { system: system as FailoverSystem, feed };
}

/** Every field of the system but its hosts and settings, deep-copied by the platform. */
function fields(system: FailoverSystem): unknown {
  const { hosts: _, settings: __, ...rest } = system as unknown as Record<string, unknown>;
  return structuredClone(rest);
}

describe('a failover system\'s state for time travel', () => {
  it('restores every field as it was, before and after the takeover, again and again', async () => {
    const { system, feed } = await cluster();
    feed.advance(Infinity, 600_000); // 6 ms: serving, several checkpoints taken
    const serving = { state: system.saveState(), fields: fields(system) };
    feed.advance(Infinity, 1_500_000); // 15 ms: host 0 died at 8 ms, host 1 took over at 13 ms
    expect(system.events.map((e) => e.kind)).toContain('takeover');
    const takenOver = { state: system.saveState(), fields: fields(system) };
    expect(takenOver.fields).not.toEqual(serving.fields);

    for (const saved of [serving, takenOver, serving, takenOver]) {
      system.restoreState(saved.state);
      expect(fields(system)).toEqual(saved.fields);
    }
    // The restored fields are the system's own copies: running on leaves the state saved as it was.
    system.restoreState(serving.state);
    feed.advance(Infinity, 1_600_000);
    system.restoreState(serving.state);
    expect(fields(system)).toEqual(serving.fields);
  });

  it('shares the chunks of its lists and tables with the state saved before while they are unchanged', async () => {
    const { system, feed } = await cluster(200_000, false);
    feed.advance();
    const first = system.saveState();
    const again = system.saveState();
    // About 10,000 arrivals: the first copies a slot for every record fed and, in its tables, for every 2 to 8 ids; the second only its flat objects.
    expect(first.slots).toBeGreaterThan(10_000);
    expect(again.slots).toBeLessThan(100);
    system.restoreState(again);
    expect(system.saveState().slots).toBe(again.slots);
  });

  it('refuses a field that is not plain data, naming it', async () => {
    const { system } = await cluster();
    class Ring {}
    Object.assign(system, { ring: new Ring() });
    expect(() => system.saveState()).toThrow(/failover system field 'ring' holds a Ring: time travel keeps plain data only/);
    Object.assign(system, { ring: () => 0 });
    expect(() => system.saveState()).toThrow(/failover system field 'ring' holds a function/);
  });
});
