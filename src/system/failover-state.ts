/**
 * A failover system's own state, for time travel (src/worker/rig-state.ts): every field of
 * the FailoverSystem but the hosts and the settings it was built with — its phase (serving,
 * outage, down), the network's queue, the records fed to the serving host and acknowledged,
 * the receiver's tables, the faults to come, its events and counters. The hosts' snapshots,
 * taken by the caller at the same moment, hold their machines, the standby's holding the
 * checkpoint copy it would take over from.
 *
 * Every field is kept without naming it here, so that a field added to the system is kept
 * too. Fields must hold plain data that the system replaces, appends to, or changes in place
 * at most one level down: numbers, flat objects (its phase, its counters), arrays and sets of
 * items it never changes (records, events, faults), typed arrays (its per-id tables). They
 * are copied one level deep, items shared. Anything else (an instance of a class, a
 * function) throws, so that a field this cannot keep fails the first test that travels on a
 * failover system rather than replaying wrongly.
 */
import type { ServiceState } from '../transactions/service.ts';

export interface FailoverState extends ServiceState {
  readonly fields: Readonly<Record<string, unknown>>;
}

/** The fields of `system` but `kept` (held by reference: the hosts, the settings), copied. */
export function saveFields(system: object, kept: readonly string[]): FailoverState {
  const fields: Record<string, unknown> = {};
  let slots = 0;
  for (const [name, value] of Object.entries(system)) {
    if (kept.includes(name)) continue;
    const [copy, copied] = copyField(name, value);
    fields[name] = copy;
    slots += copied;
  }
  return { fields, slots };
}

/** Puts the fields of `state` (saveFields of the same system) back into `system`, copied again so that `state` can be restored again. */
export function restoreFields(system: object, state: FailoverState): void {
  for (const [name, value] of Object.entries(state.fields)) Object.assign(system, { [name]: copyField(name, value)[0] });
}

/** `value` copied one level deep, and the 8-byte slots the copy takes. */
function copyField(name: string, value: unknown): [unknown, number] {
  if (typeof value === 'function') throw new TypeError(`failover system field '${name}' holds a function: time travel keeps plain data only (failover-state.ts)`);
  if (value === null || typeof value !== 'object') return [value, 0];
  if (Array.isArray(value)) return [value.slice(), value.length];
  if (ArrayBuffer.isView(value)) return [(value as Uint8Array).slice(), Math.ceil(value.byteLength / 8)];
  if (value instanceof Set) return [new Set(value), value.size];
  if (value instanceof Map) return [new Map(value), 2 * value.size];
  if (Object.getPrototypeOf(value) === Object.prototype) return [{ ...value }, Object.keys(value).length];
  throw new TypeError(`failover system field '${name}' holds a ${value.constructor.name}: time travel keeps plain data only (failover-state.ts)`);
}
