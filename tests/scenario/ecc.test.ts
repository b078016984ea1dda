/** Scenario files' `machine.ecc` and `machine.scrubEvery`, and multi-bit faults in a plan. */
import { describe, expect, it } from 'vitest';
import { validateScenario, scenarioJsonSchema } from '../../src/scenario/index.ts';

const program = { example: 'hello' };

describe('machine.ecc and machine.scrubEvery', () => {
  it('take SEC-DED with a scrubber, and a multi-bit fault', () => {
    const result = validateScenario({
      program, machine: { topology: 'dmr', ecc: 'secded', scrubEvery: 50_000 },
      faults: ['at=100,module=1,kind=flip,target=mem:0x80001000,bit=3+17'],
    });
    expect(result.ok && result.scenario.machine).toEqual({ topology: 'dmr', compare: 'every', ramMiB: 1, resync: 'precopy', ecc: 'secded', scrubEvery: 50_000 });
  });

  it.each([
    ['a scrubber without ECC', { ecc: 'none', scrubEvery: 1000 }, /machine\.scrubEvery: a scrubber corrects errors with the RAM's check bits: give the machine ECC secded/],
    ['an unknown code', { ecc: 'parity' }, /machine\.ecc: .*none.*secded/],
    ['a zero interval', { ecc: 'secded', scrubEvery: 0 }, /machine\.scrubEvery/],
  ])('reject %s with the path of the problem', (_what, machine, message) => {
    const result = validateScenario({ program, machine });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it('rejects a malformed multi-bit fault with the fault spec\'s message', () => {
    const result = validateScenario({ program, faults: ['at=1,module=0,kind=flip,target=x5,bit=3+3'] });
    expect(!result.ok && result.error).toMatch(/faults\.0: .*names bit 3 twice/);
  });

  it('are in the published JSON Schema', () => {
    const machine = (scenarioJsonSchema() as { properties: { machine: { properties: Record<string, { enum?: string[]; type?: string; minimum?: number }> } } }).properties.machine;
    expect(machine.properties.ecc.enum).toEqual(['none', 'secded']);
    expect(machine.properties.scrubEvery).toMatchObject({ type: 'integer', minimum: 1 });
  });
});
