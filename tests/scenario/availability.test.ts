/**
 * The scenario's `availability` field (issue 14): the model parameters that open the page's
 * availability view, checked as `lockstep availability` checks its flags, and published in
 * the JSON Schema.
 */
import { describe, expect, it } from 'vitest';
import { scenarioJsonSchema, validateScenario } from '../../src/scenario/scenario.ts';
import { DEFAULT_PARAMETERS } from '../../src/availability/index.ts';
import { presetParameters } from '../../web/state/availability.ts';

const base = { program: { example: 'count' } };

describe('availability scenarios (issue 14)', () => {
  it('takes any subset of the parameters; the others keep their defaults in the view', () => {
    const result = validateScenario({ ...base, availability: { lambda: 1e-4, coverage: 0.999, standbyLambda: 0, resyncPause: 0.001 } });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.scenario.availability).toEqual({ lambda: 1e-4, coverage: 0.999, standbyLambda: 0, resyncPause: 0.001 });
    expect(presetParameters(result.scenario.availability)).toEqual({ ...DEFAULT_PARAMETERS, lambda: 1e-4, coverage: 0.999, standbyLambda: 0, resyncPause: 0.001 });
  });

  it('leaves the view closed without the field', () => {
    const result = validateScenario(base);
    expect(result.ok && result.scenario.availability).toBeUndefined();
  });

  it.each([
    ['a zero failure rate', { lambda: 0 }, /availability\.lambda/],
    ['a negative repair rate', { mu: -1 }, /availability\.mu/],
    ['a coverage above 1', { coverage: 1.2 }, /availability\.coverage/],
    ['a failover coverage below 0', { failoverCoverage: -0.1 }, /availability\.failoverCoverage/],
    ['a negative resync pause', { resyncPause: -1 }, /availability\.resyncPause/],
    ['a CLI flag name instead of a parameter', { mtbf: 100000 }, /availability: .*mtbf/],
  ])('rejects %s with the path of the problem', (_what, availability, message) => {
    const result = validateScenario({ ...base, availability });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toMatch(message);
  });

  it('publishes the field in the JSON Schema', () => {
    type Node = { properties: Record<string, Node>; required?: string[]; additionalProperties?: boolean; exclusiveMinimum?: number; minimum?: number; maximum?: number };
    const availability = (scenarioJsonSchema() as unknown as Node).properties.availability;
    expect(Object.keys(availability.properties)).toEqual(Object.keys(DEFAULT_PARAMETERS));
    expect(availability.required ?? []).toEqual([]);
    expect(availability.additionalProperties).toBe(false);
    expect(availability.properties.lambda.exclusiveMinimum).toBe(0);
    expect([availability.properties.coverage.minimum, availability.properties.coverage.maximum]).toEqual([0, 1]);
  });
});
