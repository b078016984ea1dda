/**
 * Runs a workload's record-processing routine on our machine without the transaction port:
 * the workload's examples/<name>.s with tests/fixtures/workloads/driver.s appended, entered
 * at driver_start, which calls workload_init and then workload_process on each payload.
 */
import { readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { Random } from '../../src/fault/random.ts';
import type { Payload, Result, Workload } from '../../src/transactions/workloads/index.ts';
import { assembleOrThrow, machineFor } from '../helpers/machine.ts';

const DRIVER = readFileSync(new URL('../fixtures/workloads/driver.s', import.meta.url), 'utf8');
const CAPACITY = 4096;

export function exampleSource(workload: Workload): string {
  return readFileSync(new URL(`../../examples/${workload.source}`, import.meta.url), 'utf8');
}

/** The results the guest's workload_process gives for `payloads`, in order, from a fresh workload_init. */
export async function guestResults(workload: Workload, payloads: readonly Payload[]): Promise<Result[]> {
  if (payloads.length > CAPACITY) throw new Error(`the driver holds ${CAPACITY} records`);
  const program = assembleOrThrow(`${exampleSource(workload)}\n${DRIVER}`, workload.source);
  const symbol = (name: string) => {
    const address = program.symbols.get(name);
    if (address === undefined) throw new Error(`no ${name} in ${workload.source} + driver`);
    return address;
  };
  const { machine } = await machineFor(program, { ramMiB: 2 });
  const input = new DataView(new ArrayBuffer(4 + 16 * payloads.length));
  input.setUint32(0, payloads.length, true);
  payloads.forEach((p, i) => p.forEach((w, j) => input.setUint32(4 + 16 * i + 4 * j, w, true)));
  machine.writeMemory(0, symbol('driver_count'), new Uint8Array(input.buffer, 0, 4));
  machine.writeMemory(0, symbol('driver_in'), new Uint8Array(input.buffer, 4));
  machine.setPc(0, symbol('driver_start'));
  while (!machine.halt) machine.run(10_000_000);
  expect(machine.halt, 'the driver exits with 0: sp preserved, no trap').toMatchObject({ reason: 'exit', exitCode: 0 });
  const bytes = machine.readMemory(0, symbol('driver_out'), 16 * payloads.length)!;
  const out = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return payloads.map((_, i) => [0, 1, 2, 3].map((j) => out.getUint32(16 * i + 4 * j, true)) as Result);
}

/** `count` payloads from the workload's generator with `seed`. */
export function seededPayloads(workload: Workload, seed: number, count: number): Payload[] {
  const random = new Random(seed);
  return Array.from({ length: count }, () => workload.payload(random));
}

/** Compares the guest with a fresh reference model over `payloads`; returns the mismatches (at most 5). */
export async function mismatches(workload: Workload, payloads: readonly Payload[]): Promise<string[]> {
  const guest = await guestResults(workload, payloads);
  const model = workload.createModel();
  const found: string[] = [];
  const hex = (r: readonly number[]) => r.map((w) => `0x${w.toString(16)}`).join(', ');
  payloads.forEach((payload, i) => {
    const expected = model.apply(payload);
    if (found.length < 5 && expected.some((w, j) => w !== guest[i][j])) {
      found.push(`record ${i} [${hex(payload)}]: model [${hex(expected)}], guest [${hex(guest[i])}]`);
    }
  });
  return found;
}
