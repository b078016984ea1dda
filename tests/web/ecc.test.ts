/**
 * Memory ECC in the page's state: the machine settings reach the session, corrections and
 * scrubber passes become timeline entries, and the module cards' counters follow the machine.
 */
import { describe, expect, it } from 'vitest';
import { controller } from '../helpers/session.ts';
import { buildTimeline, describeFaultText } from '../../web/state/timeline.ts';

// 0-1 la s0,word  2 nop  3 lw a0,0(s0)  4 li a7,93  5 ecall
const LOAD = 'la s0, word\n nop\n lw a0, 0(s0)\n li a7, 93\n ecall\n .data\nword: .word 42\n';

describe('memory ECC in the page', () => {
  it('corrects a flip on dmr with SEC-DED: a good timeline entry, the module\'s counter, and the setting in the scenario', async () => {
    const c = controller();
    await c.configure({ topology: 'dmr', ecc: 'secded' });
    await c.loadSource(LOAD, 'load.s');
    await c.step(2);
    await c.inject('at=2,module=1,kind=flip,target=mem:0x80001000,bit=6');
    await c.step(10);
    expect(c.state.view?.halt?.exitCode).toBe(42);
    const corrected = c.state.timeline.find((e) => e.stage === 'corrected');
    expect(corrected).toMatchObject({
      instret: 3, modules: [1], title: 'Error corrected', tone: 'good',
      text: "Module 1's ECC corrected bit 6 of RAM word 0x80001000 when it was read at instruction 3; it stays in lockstep",
    });
    expect(c.state.view?.modules.map((m) => [m.state, m.corrected])).toEqual([['online', 0], ['online', 1]]);
    expect(c.scenario().machine).toMatchObject({ topology: 'dmr', ecc: 'secded' });
  });

  it('without ECC, the same flip fail-stops dmr', async () => {
    const c = controller();
    await c.configure({ topology: 'dmr' });
    await c.loadSource(LOAD, 'load.s');
    await c.inject('at=2,module=1,kind=flip,target=mem:0x80001000,bit=6');
    await c.step(10);
    expect(c.state.view?.halt?.reason).toBe('failstop');
  });
});

describe('ECC timeline entries', () => {
  it('name a corrected check bit and a scrubber pass that found an error it cannot correct', () => {
    const entries = buildTimeline([
      { instret: 5000, kind: 'scrub', module: 0, corrected: 1, uncorrectable: 1 },
      { instret: 5000, kind: 'corrected', module: 0, address: 0x8000_1000, bit: 34, by: 'scrub' },
    ], 'simplex');
    expect(entries.map((e) => [e.stage, e.tone, e.text])).toEqual([
      ['scrub', 'warn', "A scrubber pass over module 0's RAM corrected 1 word and found 1 it cannot correct (announced when read)"],
      ['corrected', 'good', "Module 0's ECC corrected check bit c2 of RAM word 0x80001000 in a scrubber pass before instruction 5,000; it stays in lockstep"],
    ]);
  });

  it('describe a multi-bit fault by all its bits', () => {
    expect(describeFaultText('at=1,module=0,kind=flip,target=mem:0x80001000,bit=3+17')).toBe('bit flip in RAM word 0x80001000 bits 3 and 17');
    expect(describeFaultText('at=1,module=0,kind=stuck1,target=x5,bit=0+1+2')).toBe('stuck-at-1 in x5 (t0) bits 0, 1 and 2');
  });
});
