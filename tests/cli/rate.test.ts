/**
 * `--rate`, transactions per virtual second, as `lockstep run --workload`, `lockstep compare`
 * and `lockstep campaign --workload` read it (numbers.ts parseArrivalRate): a positive
 * decimal of at most one transaction per 10 ns clock cycle, 10^8 per second.
 */
import { describe, expect, it } from 'vitest';
import { parseArrivalRate } from '../../src/cli/numbers.ts';
import { UsageError } from '../../src/cli/errors.ts';
import { expectUsageError, lockstep } from './lockstep.ts';

const NOT_A_RATE = (text: string) => `--rate: '${text}' is not a positive number of transactions per virtual second`;
const ABOVE = (rate: string) => `--rate: rate ${rate} is above one transaction per clock cycle (100000000 per second)`;

describe('parseArrivalRate', () => {
  it.each([
    ['2000', 2000],
    ['2_000', 2000],
    [' 2000 ', 2000],
    ['0.5', 0.5],
    ['.5', 0.5],
    ['1e4', 10_000],
    ['2.5E3', 2500],
    ['100000000', 1e8], // one per 10 ns cycle: the most there can be
  ])('%j is %d per second', (text, rate) => {
    expect(parseArrivalRate(text, '--rate')).toBe(rate);
  });

  it.each([
    ['', NOT_A_RATE('')],
    ['fast', NOT_A_RATE('fast')],
    ['0', NOT_A_RATE('0')],
    ['-5', NOT_A_RATE('-5')],
    ['0x10', NOT_A_RATE('0x10')],
    ['5k', NOT_A_RATE('5k')],
    ['Infinity', NOT_A_RATE('Infinity')],
    ['100000001', ABOVE('100000001')],
    ['1e9', ABOVE('1000000000')],
  ])('%j is refused: %s', (text, message) => {
    expect(() => parseArrivalRate(text, '--rate')).toThrow(new UsageError(message));
  });
});

describe('every command that takes --rate refuses it the same way', () => {
  const commands = [
    ['run', '--workload', 'card-auth'],
    ['compare', '--workload', 'card-auth'],
    ['campaign', '--workload', 'card-auth'],
  ];
  it.for(commands.flatMap((command) => [[command, 'fast', NOT_A_RATE('fast')], [command, '2e8', ABOVE('200000000')]] as const))(
    '%j --rate %s',
    async ([command, text, message]) => {
      const result = await lockstep([...command, '--rate', text]);
      expectUsageError(result, []);
      expect(result.stderr).toBe(`lockstep: ${message}\n`);
    },
  );
});
