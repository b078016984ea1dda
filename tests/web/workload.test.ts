/**
 * The page's side of transaction workloads (issue 10): canRun, the example → workload rule,
 * the strip's number formats, and the controller running card-auth from the examples through
 * a real MachineSession to the end of its duration, past a killed machine.
 */
import { describe, expect, it } from 'vitest';
import type { MachineStatus } from '../../src/worker/session.ts';
import { controller, until } from '../helpers/session.ts';
import { canRun, exampleWorkload, defaultWorkloadSettings, virtualTime, ledgerValue, LEDGER_CLASSES } from '../../web/state/workload.ts';
import { EXAMPLES } from '../../web/state/examples.ts';
import { validateScenario } from '../../src/scenario/scenario.ts';
import { WORKLOADS } from '../../src/transactions/workloads/index.ts';
import type { WorkloadStatus } from '../../src/worker/workload-run.ts';
import { machineState } from '../../web/embed-bridge.ts';
import type { LockstepMachine } from '../../web/components/lockstep-machine.ts';

const status = (patch: Partial<MachineStatus>): MachineStatus => ({
  topology: 'simplex', instret: 0, cycle: 0, running: false, ips: 0, waitingForInput: false, modules: [], events: [], output: new Uint8Array(), ...patch,
});
const workload = (done: boolean): WorkloadStatus => ({
  settings: { name: 'card-auth', rate: 1, duration: '1s', durationUs: 1e6, seed: 1, fifo: 64 },
  progress: { nowUs: 0, arrived: 0, dropped: 0, fifo: 0, results: 0, down: true, done },
  ledger: { arrived: 0, dropped: 0, correct: 0, wrong: 0, lost: 0, rolled_back: 0, duplicated: 0, queued: 0, deadline_misses: 0, downtime_us: 0, latency_us: { p50: 0, p99: 0, max: 0 } },
});
const KILLED = { reason: 'dead' as const, exitCode: 137, message: 'every module is dead' };

describe('workload state', () => {
  it('canRun: a plain program until it halts, a workload until the end of its duration even when the machine is down', () => {
    expect(canRun(undefined)).toBe(false);
    expect(canRun(status({}))).toBe(true);
    expect(canRun(status({ halt: KILLED }))).toBe(false);
    expect(canRun(status({ halt: KILLED, workload: workload(false) }))).toBe(true);
    expect(canRun(status({ workload: workload(true) }))).toBe(false);
  });

  it('offers each workload in the examples, and an example runs as its workload or none', () => {
    expect(EXAMPLES.filter((e) => e.workload).map((e) => [e.id, e.file, e.workload])).toEqual(
      [...WORKLOADS.values()].map((w) => [w.name, w.source, w.name]));
    const card = EXAMPLES.find((e) => e.id === 'card-auth')!;
    expect(card.source).toContain('trap_handler');
    expect(exampleWorkload(card, undefined)).toEqual(defaultWorkloadSettings('card-auth'));
    const mine = { name: 'card-auth', rate: 5 };
    expect(exampleWorkload(card, mine)).toBe(mine);
    expect(exampleWorkload(EXAMPLES.find((e) => e.id === 'telco-hlr')!, mine)).toEqual(defaultWorkloadSettings('telco-hlr'));
    expect(exampleWorkload(EXAMPLES.find((e) => e.id === 'count')!, mine)).toBeUndefined();
    // The page's defaults are valid workload settings for every workload.
    for (const name of WORKLOADS.keys()) expect(validateScenario({ program: { example: name }, workload: defaultWorkloadSettings(name) }).ok).toBe(true);
  });

  it('formats virtual time and ledger values', () => {
    expect([virtualTime(0), virtualTime(12.5), virtualTime(999.99), virtualTime(1000), virtualTime(19_799.62), virtualTime(2e6)])
      .toEqual(['0 µs', '12.5 µs', '999.99 µs', '1.00 ms', '19.80 ms', '2.000 s']);
    const ledger = { ...workload(true).ledger, correct: 12_345, downtime_us: 250 };
    expect(ledgerValue(ledger, 'correct')).toBe('12,345');
    expect(ledgerValue(ledger, 'downtime_us')).toBe('250 µs');
    expect(LEDGER_CLASSES.map((c) => c.field)).toEqual(['correct', 'wrong', 'lost', 'dropped', 'rolled_back', 'duplicated', 'queued', 'deadline_misses', 'downtime_us']);
    expect(LEDGER_CLASSES.filter((c) => c.alarm).map((c) => c.field)).toEqual(['wrong', 'lost', 'duplicated']);
  });
});

describe('MachineController with a workload', () => {
  it('runs card-auth from the examples to the end of its duration, past a kill, and exports it in the embed scenario', async () => {
    const c = controller();
    await c.configure({ topology: 'simplex' });
    await c.setSpeed(Infinity);
    await c.loadExample('card-auth');
    expect(c.state.workload).toEqual(defaultWorkloadSettings('card-auth'));
    expect(c.state.view?.workload?.progress).toMatchObject({ nowUs: 0, arrived: 0, done: false });
    await c.setWorkload({ name: 'card-auth', rate: 20_000, duration: '5ms', seed: 2, fifo: 8 });
    await c.inject('at=55000,module=0,kind=kill');
    await c.run();
    await until(() => c.state.view?.running === false && !!c.state.view.workload?.progress.done);
    const w = c.state.view!.workload!;
    expect(c.state.view!.halt?.reason).toBe('dead');
    expect(w.progress.nowUs).toBe(5000);
    expect(w.ledger.lost).toBeGreaterThan(0);
    expect(w.ledger.correct + w.ledger.wrong + w.ledger.lost + w.ledger.queued).toBe(w.ledger.arrived);
    await expect(c.run()).rejects.toThrow(/the machine has stopped \(.*\): reset it to run again/);
    // A course page reads the same through the postMessage API's state.
    const shared = machineState({ controller: c } as unknown as LockstepMachine).workload!;
    expect(shared.progress).toMatchObject({ nowUs: 5000, done: true, down: true, arrived: w.ledger.arrived });
    expect(shared.ledger).toEqual(w.ledger);
    const scenario = c.scenario('lesson');
    expect(scenario.workload).toEqual({ name: 'card-auth', rate: 20_000, duration: '5ms', seed: 2, fifo: 8 });
    expect(scenario.faults).toEqual(['at=55000,module=0,kind=kill']);
    expect(validateScenario(scenario).ok).toBe(true);

    await c.reset();
    expect(c.state.view?.workload?.progress).toMatchObject({ nowUs: 0, done: false });
    await expect(c.setWorkload({ name: 'card-auth', duration: 'soon' })).rejects.toThrow(/duration 'soon' is not a virtual time/);
    expect(c.state.message).toMatchObject({ kind: 'error' });
    expect(c.state.workload?.duration).toBe('5ms');

    await c.loadExample('count');
    expect(c.state.workload).toBeUndefined();
    expect(c.state.view?.workload).toBeUndefined();
    expect(c.scenario().workload).toBeUndefined();
    expect(machineState({ controller: c } as unknown as LockstepMachine).workload).toBeNull();
  });
});
