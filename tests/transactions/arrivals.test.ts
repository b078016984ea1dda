/**
 * Arrival processes, durations and trace files (issue 10): durations in virtual time on
 * the 100 MHz clock, the trace format with line-numbered errors, and the seeded streams
 * (Poisson counts against the closed-form mean and variance, periodic times exactly).
 */
import { describe, expect, test } from 'vitest';
import { parseDuration, parseTrace, arrivalStream, TraceError, checkRate } from '../../src/transactions/index.ts';
import { echoWorkload } from '../helpers/echo-workload.ts';
import type { Workload } from '../../src/transactions/workloads/workload.ts';

describe('parseDuration', () => {
  test.each([
    ['2s', 2_000_000], ['500ms', 500_000], ['250us', 250], ['250µs', 250], ['1.5ms', 1500], ['0.01us', 0.01], ['86400s', 86_400e6],
  ])('%s is %d µs', (text, us) => {
    expect(parseDuration(text)).toBe(us);
  });

  test.each([
    ['2', /number and a unit/], ['2 h', /number and a unit/], ['-1s', /number and a unit/], ['0s', /longer than 0/],
    ['0.001us', /whole number of 10 ns/], ['86401s', /virtual day/], ['1e3ms', /number and a unit/],
  ])('%s is refused', (text, message) => {
    expect(() => parseDuration(text)).toThrow(message);
  });
});

describe('parseTrace', () => {
  test('times in µs to the cycle, words decimal or hex, missing words 0, comments and blank lines skipped', () => {
    const text = '# time,payload\n\n0,1,2,3,4\n 12.5 , 0xFFFFFFFF \n12.5,4294967295,0x0,7\r\n100.01,5\n';
    expect(parseTrace(text, 't.csv', 1000)).toEqual([
      { cycle: 0, payload: [1, 2, 3, 4] },
      { cycle: 1250, payload: [0xFFFF_FFFF, 0, 0, 0] },
      { cycle: 1250, payload: [0xFFFF_FFFF, 0, 7, 0] },
      { cycle: 10001, payload: [5, 0, 0, 0] },
    ]);
  });

  test.each([
    ['5\n', 1, /expected TIME,W0.*found 1 field/],
    ['1,1\n2,1,2,3,4,5\n', 2, /found 6 fields/],
    ['1,1\nabc,1\n', 2, /time 'abc' is not a number of µs/],
    ['1.234,1\n', 1, /at most two after the point/],
    ['-1,1\n', 1, /time '-1'/],
    ['5,1\n# c\n4,1\n', 3, /earlier than the line before \(5 µs\)/],
    ['1,1\n1000,1\n', 2, /not before the end of the run \(1000 µs\)/],
    ['1,4294967296\n', 1, /payload word 0 '4294967296'/],
    ['1,1,0x123456789\n', 1, /payload word 1 '0x123456789'/],
    ['1,1,,3\n', 1, /payload word 1 ''/],
  ])('%j: an error on line %d', (text, line, message) => {
    let error: unknown;
    try { parseTrace(text, 'arrivals.csv', 1000); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(TraceError);
    expect((error as Error).message).toMatch(new RegExp(`^arrivals\\.csv:${line}: `));
    expect((error as Error).message).toMatch(message);
  });
});

describe('arrivalStream', () => {
  const all = (settings: Parameters<typeof arrivalStream>[0]) => [...arrivalStream(settings)];

  test('Poisson: the count in 1 s at 10,000/s is within 5 standard deviations (√10000 = 100) of 10,000; ids count from 1; times in order before the end', () => {
    for (const seed of [1, 2, 3]) {
      const arrivals = all({ workload: echoWorkload, endCycle: 100_000_000, rate: 10_000, seed });
      expect(Math.abs(arrivals.length - 10_000)).toBeLessThan(500);
      const misplaced = arrivals.filter((a, k) => a.id !== k + 1 || (k > 0 && a.cycle < arrivals[k - 1].cycle) || a.cycle >= 100_000_000);
      expect(misplaced).toEqual([]);
      // Exponential gaps: mean 1/rate = 10,000 cycles, and the coefficient of variation is 1.
      const gaps = arrivals.slice(1).map((a, k) => a.cycle - arrivals[k].cycle);
      const mean = gaps.reduce((s, g) => s + g, 0) / gaps.length;
      const sd = Math.sqrt(gaps.reduce((s, g) => s + (g - mean) ** 2, 0) / gaps.length);
      expect(mean).toBeGreaterThan(9_500);
      expect(mean).toBeLessThan(10_500);
      expect(sd / mean).toBeGreaterThan(0.9);
      expect(sd / mean).toBeLessThan(1.1);
    }
  });

  test('the same seed gives the same stream; another seed another; payloads do not depend on the rate', () => {
    const a = all({ workload: echoWorkload, endCycle: 10_000_000, rate: 5000, seed: 7 });
    expect(all({ workload: echoWorkload, endCycle: 10_000_000, rate: 5000, seed: 7 })).toEqual(a);
    expect(all({ workload: echoWorkload, endCycle: 10_000_000, rate: 5000, seed: 8 })).not.toEqual(a);
    const faster = all({ workload: echoWorkload, endCycle: 10_000_000, rate: 20_000, seed: 7 });
    expect(faster.slice(0, 20).map((x) => x.payload)).toEqual(a.slice(0, 20).map((x) => x.payload));
  });

  test('periodic: arrival k at (k + 1) periods, the end excluded; a rate replaces the period', () => {
    const periodic: Workload = { ...echoWorkload, arrivals: { kind: 'periodic', periodUs: 250 } };
    expect(all({ workload: periodic, endCycle: 100_000, seed: 1 }).map((a) => a.cycle)).toEqual([25_000, 50_000, 75_000]);
    expect(all({ workload: periodic, endCycle: 100_000, rate: 2000, seed: 1 }).map((a) => a.cycle)).toEqual([50_000]);
  });

  test('a trace replaces times and payloads; arrivals at or after the end are left out', () => {
    const trace = [{ cycle: 0, payload: [1, 2, 3, 4] as [number, number, number, number] }, { cycle: 500, payload: [5, 6, 7, 8] as [number, number, number, number] }];
    expect(all({ workload: echoWorkload, endCycle: 500, seed: 1, trace })).toEqual([{ id: 1, cycle: 0, payload: [1, 2, 3, 4] }]);
  });

  test('rates: positive, at most one per cycle', () => {
    expect(() => checkRate(0)).toThrow(/positive/);
    expect(() => checkRate(Number.NaN)).toThrow(/positive/);
    expect(() => checkRate(1e8 + 1)).toThrow(/one transaction per clock cycle/);
    expect(() => checkRate(1e8)).not.toThrow();
  });
});
