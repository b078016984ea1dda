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
 *
 * Lists and tables grow with the transactions (a record fed, an id accepted or answered), but
 * between two states only their newest part changes: they are kept in chunks of CHUNK items,
 * and a chunk equal to the same chunk of the state saved before is shared with it, as a
 * snapshot shares pages (src/machine/snapshot.ts). A state then costs what changed since.
 */
import type { ServiceState } from '../transactions/service.ts';

export interface FailoverState extends ServiceState {
  readonly fields: Readonly<Record<string, unknown>>;
}

/** Items a chunk of a kept list or table holds. */
const CHUNK = 4096;

type Table = Int8Array | Uint8Array | Uint8ClampedArray | Int16Array | Uint16Array | Int32Array | Uint32Array | Float32Array | Float64Array;

/** A list or table in chunks (items [k × CHUNK, (k + 1) × CHUNK) in chunk k), never changed once made. */
class Chunked {
  constructor(
    /** A new live list or table of `length` items from `chunks`. */
    readonly rebuild: (chunks: readonly ArrayLike<unknown>[], length: number) => unknown,
    readonly length: number,
    readonly chunks: readonly ArrayLike<unknown>[],
  ) {}
}

/** The last state each system saved: its chunks are shared by the next one where equal. */
const lastSaved = new WeakMap<object, FailoverState>();

/** The fields of `system` but `kept` (held by reference: the hosts, the settings), copied. */
export function saveFields(system: object, kept: readonly string[]): FailoverState {
  const before = lastSaved.get(system)?.fields;
  const fields: Record<string, unknown> = {};
  let slots = 0;
  for (const [name, value] of Object.entries(system)) {
    if (kept.includes(name)) continue;
    const [copy, copied] = copyField(name, value, before?.[name]);
    fields[name] = copy;
    slots += copied;
  }
  const state = { fields, slots };
  lastSaved.set(system, state);
  return state;
}

/** Puts the fields of `state` (saveFields of the same system) back into `system`, copied again so that `state` can be restored again. */
export function restoreFields(system: object, state: FailoverState): void {
  for (const [name, value] of Object.entries(state.fields)) {
    const live = value instanceof Chunked ? value.rebuild(value.chunks, value.length) : copyField(name, value)[0];
    Object.assign(system, { [name]: live });
  }
}

/** `value` copied one level deep (lists and tables in chunks, sharing those of `before` that are equal), and the 8-byte slots the copy takes. */
function copyField(name: string, value: unknown, before?: unknown): [unknown, number] {
  if (typeof value === 'function') throw new TypeError(`failover system field '${name}' holds a function: time travel keeps plain data only (failover-state.ts)`);
  if (value === null || typeof value !== 'object') return [value, 0];
  if (Array.isArray(value)) return chunked(value, before, (chunks) => chunks.flatMap((c) => Array.from(c)), 1);
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
    const table = value as Table;
    const make = table.constructor as new (length: number) => Table;
    return chunked(table, before, (chunks, length) => {
      const out = new make(length);
      chunks.forEach((c, k) => out.set(c as Table, k * CHUNK));
      return out;
    }, table.BYTES_PER_ELEMENT / 8);
  }
  if (value instanceof Set) return [new Set(value), value.size];
  if (value instanceof Map) return [new Map(value), 2 * value.size];
  if (Object.getPrototypeOf(value) === Object.prototype) return [{ ...value }, Object.keys(value).length];
  throw new TypeError(`failover system field '${name}' holds a ${value.constructor.name}: time travel keeps plain data only (failover-state.ts)`);
}

/** `list` in chunks, each shared with the same chunk of `before` when their items are the same; slots counts the new ones' items × `slotsPerItem`. */
function chunked(list: ArrayLike<unknown> & { slice(from: number, to: number): ArrayLike<unknown> }, before: unknown, rebuild: Chunked['rebuild'], slotsPerItem: number): [Chunked, number] {
  const previous = before instanceof Chunked ? before.chunks : [];
  const chunks: ArrayLike<unknown>[] = [];
  let fresh = 0;
  for (let from = 0, k = 0; from < list.length; from += CHUNK, k++) {
    const to = Math.min(list.length, from + CHUNK);
    const old = previous[k];
    if (old && old.length === to - from && sameItems(old, list, from)) {
      chunks.push(old);
    } else {
      chunks.push(list.slice(from, to));
      fresh += to - from;
    }
  }
  return [new Chunked(rebuild, list.length, chunks), Math.ceil(fresh * slotsPerItem)];
}

function sameItems(chunk: ArrayLike<unknown>, list: ArrayLike<unknown>, from: number): boolean {
  for (let i = 0; i < chunk.length; i++) if (chunk[i] !== list[from + i]) return false;
  return true;
}
