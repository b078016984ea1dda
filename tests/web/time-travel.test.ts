/**
 * The page's side of time travel and the twin (web/state/time-travel.ts and the controller)
 * driving a real MachineSession over comlink: going back starts the page's events, console
 * and verdict over from the view there and makes the faults still to come pending again;
 * the twin's console text is checksum.s's fault-free output, derived from its algorithm
 * (tests/helpers/checksum.ts); the twin's register cell marks the bits a module differs in.
 *
 * checksum.s with bit 2 of s1 flipped on simplex before instruction 3 (tests/web/controller.test.ts
 * explains why s1 = 260 loops 4 turns too many): silent data corruption.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { TwinView } from '../../src/worker/session.ts';
import { controller, until } from '../helpers/session.ts';
import { registerRows } from '../../web/state/diff.ts';
import { landmarkMissing, twinBehind, twinCell, twinUnavailable } from '../../web/state/time-travel.ts';
import { CHECKSUM_OUTPUT } from '../helpers/checksum.ts';

const CHECKSUM = readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8');
const FAULT = 'at=3,module=0,kind=flip,target=x9,bit=2';

describe('time travel in the page', () => {
  it('goes back and forth: events, console, verdict and pending faults follow, and the twin prints the fault-free output', async () => {
    const c = controller();
    await c.configure({ topology: 'simplex' });
    await c.loadSource(CHECKSUM, 'checksum.s');
    await c.setTwin(true);
    await c.inject(FAULT);
    await c.setSpeed(Infinity);
    await c.run();
    await until(() => c.state.verdict?.kind === 'judged');
    expect(c.state.verdict).toMatchObject({ outcome: 'sdc' });
    const end = c.state.view!.instret;
    const printed = c.state.console;
    expect(printed).not.toBe(CHECKSUM_OUTPUT);
    expect(c.state.twinConsole).toBe(CHECKSUM_OUTPUT);
    expect(c.state.scheduled).toEqual([FAULT]);

    await c.travel(2);
    expect(c.state.view!.instret).toBe(2);
    expect([c.state.console, c.state.twinConsole, c.state.events, c.state.timeline, c.state.verdict]).toEqual(['', '', [], [], undefined]);
    expect(c.state.pending).toEqual([FAULT]);
    await c.step(2);
    expect(c.state.pending).toEqual([]);
    expect(c.state.timeline.map((e) => [e.stage, e.instret])).toEqual([['injected', 3]]);
    expect(c.state.view!.modules[0].regs[9]).toBe(260);
    expect(c.state.view!.twin!.regs[9]).toBe(256);

    await c.back(1);
    expect(c.state.view!.instret).toBe(3);
    await c.travel(end);
    await until(() => c.state.verdict?.kind === 'judged');
    expect(c.state.console).toBe(printed);
    expect(c.state.twinConsole).toBe(CHECKSUM_OUTPUT);
    expect(c.state.timeline.at(-1)?.title).toBe('Outcome: Silent data corruption');
  });

  it('marks in the twin\'s cell the bits each module differs in, and counts only online modules as differing', () => {
    const twin = { pc: 0x8000_0010, regs: Array.from({ length: 32 }, (_, n) => n), csrs: { mstatus: 0 } } as unknown as TwinView;
    const module = (id: number, x5: number, state: 'online' | 'offline') => ({
      id, state, pc: 0x8000_0010, regs: Array.from({ length: 32 }, (_, n) => (n === 5 ? x5 : n)), csrs: { mstatus: 0 },
    });
    const modules = [module(0, 5, 'online'), module(1, 5 ^ 0x90, 'offline'), module(2, 5, 'online')];
    const x5 = registerRows(modules).find((r) => r.target === 'x5')!;
    expect(twinCell(x5, twin, modules.map((m) => m.state))).toEqual({ value: 5, masks: [0, 0x90, 0], differs: false });
    modules[2] = module(2, 5 ^ 1, 'online');
    const again = registerRows(modules).find((r) => r.target === 'x5')!;
    expect(twinCell(again, twin, modules.map((m) => m.state))).toEqual({ value: 5, masks: [0, 0x90, 1], differs: true });
    // Behind (running free, not yet at the machine's instruction): shown, not compared.
    expect(twinCell(again, twin, modules.map((m) => m.state), false)).toEqual({ value: 5, masks: [0, 0, 0], differs: false });
  });

  it('compares the twin only at the machine\'s instruction, or where it halted short of it', () => {
    expect(twinBehind({ running: true, instret: 1000 }, { instret: 900 })).toBe(true);
    expect(twinBehind({ running: true, instret: 1000 }, { instret: 1000 })).toBe(false);
    expect(twinBehind({ running: false, instret: 1000 }, { instret: 900 })).toBe(false);
    expect(twinBehind({ running: true, instret: 1000 }, { instret: 900, halt: { reason: 'exit', exitCode: 0 } as never })).toBe(false);
  });

  it('says why a workload has no twin, and why a failover system has no first difference', () => {
    expect(twinUnavailable({ name: 'card-auth' })).toMatch(/^The twin is for plain programs: a transaction workload is judged by its reference model/);
    expect(twinUnavailable(undefined)).toBeUndefined();
    expect(landmarkMissing('difference', 'cluster')).toMatch(/^A cluster's hosts are not compared/);
    expect(landmarkMissing('difference', 'tmr')).toMatch(/^Nothing differs yet/);
    expect(landmarkMissing('detection', 'process-pair')).toBe('Nothing has been detected yet');
  });
});
