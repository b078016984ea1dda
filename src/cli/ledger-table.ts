/** The transaction ledger as a short table for people (stderr of `lockstep run --workload`). */
import type { Ledger } from '../transactions/ledger.ts';
import { count, us } from './format.ts';

/** `title` heads the table, e.g. "card-auth on tmr, 2s at 1000/s, seed 1". */
export function formatLedger(ledger: Ledger, title: string): string {
  const rows: [string, string][] = [
    ['arrived', count(ledger.arrived)],
    ['correct', count(ledger.correct)],
    ['wrong', count(ledger.wrong)],
    ['lost', `${count(ledger.lost)} (dropped at the full FIFO: ${count(ledger.dropped)}${ledger.rolled_back > 0 ? `; rolled back by a failover: ${count(ledger.rolled_back)}` : ''})`],
    ['duplicated', count(ledger.duplicated)],
    ['queued', count(ledger.queued)],
    ['deadline misses', count(ledger.deadline_misses)],
    ['downtime', us(ledger.downtime_us)],
    ['latency', `p50 ${us(ledger.latency_us.p50)}, p99 ${us(ledger.latency_us.p99)}, max ${us(ledger.latency_us.max)}`],
  ];
  return `ledger: ${title}\n${rows.map(([name, value]) => `  ${name.padEnd(16)}${value}`).join('\n')}\n`;
}
