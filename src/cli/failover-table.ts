/** What a failover system did, as a short table for people (stderr of `lockstep run --workload --topology cluster|process-pair`). */
import type { FailoverSummary } from '../system/failover.ts';
import { cyclesToUs } from '../transactions/time.ts';
import { count, us } from './format.ts';

export function formatFailover(s: FailoverSummary): string {
  const takeovers = s.events.flatMap((e) => (e.kind === 'takeover' ? [e] : []));
  const downs = s.events.flatMap((e) => (e.kind === 'host-down' ? [e] : []));
  const rows: [string, string][] = [
    ['checkpoints', `${count(s.checkpoints)} (${count(s.checkpoint_bytes)} bytes, primary paused ${us(s.checkpoint_pause_us)})`],
    ['heartbeats', `${count(s.heartbeats)} every ${us(s.settings.heartbeat_us)}; dead after ${s.settings.missed} missed, failover ${us(s.settings.failover_time_us)}`],
    ...downs.map((e): [string, string] => [`host ${e.host} down`, `at ${us(cyclesToUs(e.cycle))}: ${e.reason}`]),
    ...takeovers.map((e): [string, string] => [`takeover`, `host ${e.host} at ${us(cyclesToUs(e.cycle))}, from its checkpoint of instruction ${count(e.checkpoint_instret)}; outage ${us(cyclesToUs(e.outage_cycles))}`]),
    ['in flight', `re-delivered ${count(s.redelivered)}, rolled back ${count(s.rolled_back)}${s.deduplicated > 0 ? `, duplicates dropped by the receiver ${count(s.deduplicated)}` : ''}`],
  ];
  return `failover: ${s.topology}${s.settings.cluster_aware && s.settings.cluster_aware !== 'off' ? ` (cluster-aware: ${s.settings.cluster_aware})` : ''}\n${rows.map(([name, value]) => `  ${name.padEnd(16)}${value}`).join('\n')}\n`;
}
