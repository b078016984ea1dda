/**
 * The pair-aware workloads (issue 11: examples/<name>-pair.s, card-auth rewritten Tandem
 * style for a NonStop process pair): each is its original's rewrite, sharing its arrivals,
 * payloads and reference model; it answers exactly as the original does on the same
 * arrivals; and it checkpoints as its program says — first all of its data, then for each
 * record, before answering it, the state the record addressed as the reference model has it
 * after the record, acknowledging one more consumed record each time.
 */
import { describe, expect, it, test } from 'vitest';
import { assembleOrThrow, machineFor } from '../helpers/machine.ts';
import type { Machine } from '../../src/machine/machine.ts';
import type { Topology } from '../../src/machine/topology.ts';
import {
  arrivalStream, runWorkload, usToCycles, variantOf, rewritten, workloadByName, WORKLOADS,
  type Ledger, type Payload, type TransactionResult, type Workload,
} from '../../src/transactions/index.ts';
import { CARD_AUTH, CardAuthModel } from '../../src/transactions/workloads/card-auth.ts';
import { HlrOp, TelcoHlrModel, TELCO_HLR } from '../../src/transactions/workloads/telco-hlr.ts';
import { ProcessControlModel } from '../../src/transactions/workloads/process-control.ts';
import { exampleSource, mismatches, seededPayloads } from './routine.ts';

const ORIGINALS = ['card-auth', 'telco-hlr', 'process-control'];

describe('the registry', () => {
  test.each(ORIGINALS)('%s-pair is its original rewritten pair-aware, sharing its arrivals, payloads, deadline and model', (name) => {
    const original = workloadByName(name);
    const pair = workloadByName(`${name}-pair`);
    expect([original.applicationChanges, original.original]).toEqual(['none', undefined]);
    expect(pair).toMatchObject({ name: `${name}-pair`, source: `${name}-pair.s`, applicationChanges: 'pair-aware', original });
    expect(pair.payload).toBe(original.payload);
    expect(pair.createModel).toBe(original.createModel);
    expect(pair.arrivals).toEqual(original.arrivals);
    expect(pair.deadlineUs).toBe(original.deadlineUs);
    expect(variantOf(original, 'pair-aware')).toBe(pair);
    expect(variantOf(pair, 'pair-aware')).toBe(pair);
    expect(variantOf(pair, 'none')).toBe(original);
    expect(variantOf(original, 'none')).toBe(original);
  });

  it('has one pair-aware rewrite of each workload as written, and none of a workload it does not hold', () => {
    const rewrites = [...WORKLOADS.values()].filter((w) => w.applicationChanges === 'pair-aware').map((w) => w.original!.name);
    expect(rewrites).toEqual(ORIGINALS);
    const stranger: Workload = { ...workloadByName('card-auth'), name: 'stranger' };
    expect(variantOf(stranger, 'pair-aware')).toBeUndefined();
  });

  it('refuses to rewrite a rewrite', () => {
    expect(() => rewritten(workloadByName('card-auth-pair'), 'pair-aware')).toThrow(/card-auth-pair is already rewritten \(pair-aware\): rewrite card-auth instead/);
  });
});

describe.each(ORIGINALS)('%s-pair: workload_process', (name) => {
  it('agrees with the reference model on 3000 seeded records', async () => {
    const pair = workloadByName(`${name}-pair`);
    expect(await mismatches(pair, seededPayloads(pair, 5, 3000))).toEqual([]);
  });
});

/** The state a checkpoint of one record must carry: its guest address, length and words. */
interface Expected { addr: number; length: number; words: number[] }

/**
 * What each pair program checkpoints (its header says): first `dataBytes` at the label
 * `data`; then for each record, applied in order to a fresh reference model (`next`, given
 * the data's guest address), the state the record addressed as the model has it after it.
 */
const CHECKPOINTS: Record<string, { data: string; dataBytes: number; next(base: number): (payload: Payload) => Expected }> = {
  'card-auth': {
    data: 'accounts',
    dataBytes: 16 * CARD_AUTH.accounts,
    next(base) {
      const model = new CardAuthModel();
      return (payload) => {
        model.apply(payload);
        const id = payload[1] >>> 0;
        if (id >= CARD_AUTH.accounts) return { addr: base, length: 0, words: [] };
        const a = model.accounts[id];
        return { addr: base + 16 * id, length: 16, words: [a.balance >>> 0, a.limit, a.applied, 0] };
      };
    },
  },
  'telco-hlr': {
    data: 'table',
    dataBytes: 16 * 2 ** TELCO_HLR.slotsLog2,
    next(base) {
      const model = new TelcoHlrModel();
      return (payload) => {
        model.apply(payload);
        const [op, key] = payload;
        const slot = op >>> 0 > HlrOp.USAGE || key === 0 ? undefined : model.search(key >>> 0).slot;
        const s = slot === undefined ? undefined : model.slots[slot];
        return s ? { addr: base + 16 * slot!, length: 16, words: [s.key, s.status, s.location, s.usage] } : { addr: base, length: 0, words: [] };
      };
    },
  },
  'process-control': {
    data: 'state',
    dataBytes: 8,
    next(base) {
      const model = new ProcessControlModel();
      return (payload) => {
        model.apply(payload);
        return { addr: base, length: 8, words: [model.integral >>> 0, model.previousError >>> 0] };
      };
    },
  },
};

const DURATION_US = 30_000;
/** Rates the programs serve without dropping a record (undefined: process-control's own period). */
const RATE: Record<string, number | undefined> = { 'card-auth': 20_000, 'telco-hlr': 10_000, 'process-control': undefined };
const SEED = 3;

/** A checkpoint as the hook saw it, with the range's words and the results emitted before it. */
interface Sent { addr: number; length: number; consumed: number; words: number[]; answeredBefore: number }

async function run(workload: Workload, topology: Topology): Promise<{ ledger: Ledger; machine: Machine; sent: Sent[]; data: number }> {
  const program = assembleOrThrow(exampleSource(workload), workload.source);
  const { machine } = await machineFor(program, { topology });
  // The port has collected every result emitted before the core stopped for a checkpoint;
  // the feed takes them after the run returns. Count them as they pass, for the hook.
  const port = machine.port;
  const taken: TransactionResult[] = [];
  const take = port.takeResults.bind(port);
  let answered = 0;
  port.takeResults = () => {
    const results = [...taken.splice(0), ...take()];
    answered += results.length;
    return results;
  };
  const sent: Sent[] = [];
  machine.checkpoints.onSend = ({ addr, length, consumed }) => {
    taken.push(...take());
    const bytes = length <= 16 ? machine.readMemory(machine.referenceModule()!, addr, length)! : new Uint8Array();
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const words = Array.from({ length: bytes.length / 4 }, (_, k) => view.getUint32(4 * k, true));
    sent.push({ addr, length, consumed, words, answeredBefore: answered + taken.length });
  };
  const { ledger } = runWorkload(machine, { workload, durationUs: DURATION_US, rate: RATE[workload.original?.name ?? workload.name], seed: SEED });
  return { ledger, machine, sent, data: program.symbols.get(CHECKPOINTS[workload.original?.name ?? workload.name].data) ?? NaN };
}

const counts = (l: Ledger) => ({
  arrived: l.arrived, dropped: l.dropped, correct: l.correct, wrong: l.wrong, lost: l.lost,
  duplicated: l.duplicated, queued: l.queued, deadline_misses: l.deadline_misses,
});

describe.each(ORIGINALS.flatMap((name) => (['simplex', 'tmr'] as const).map((t) => [name, t] as const)))('%s-pair on %s', (name, topology) => {
  it('answers every arrival as the original does, and checkpoints each record\'s state after its update, before its answer', async () => {
    const original = await run(workloadByName(name), topology);
    const pair = await run(workloadByName(`${name}-pair`), topology);
    const ledger = pair.ledger;
    expect(ledger.arrived).toBeGreaterThan(25);
    expect({ wrong: ledger.wrong, lost: ledger.lost, dropped: ledger.dropped, duplicated: ledger.duplicated }).toEqual({ wrong: 0, lost: 0, dropped: 0, duplicated: 0 });
    expect(counts(ledger)).toEqual(counts(original.ledger));
    expect(original.sent).toEqual([]);
    expect(pair.machine.events.filter((e) => e.kind !== 'halt')).toEqual([]);

    // First all of the data, acknowledging nothing; then record k (k = 1, 2, ...) acknowledging k records.
    const spec = CHECKPOINTS[name];
    const [first, ...records] = pair.sent;
    expect(first).toMatchObject({ addr: pair.data, length: spec.dataBytes, consumed: 0, answeredBefore: 0 });
    const answered = ledger.correct;
    expect(records.length === answered || records.length === answered + 1, `${records.length} record checkpoints, ${answered} answers`).toBe(true);
    expect(pair.machine.checkpoints.count).toBe(pair.sent.length);
    // No record was dropped, so the k-th consumed is the k-th arrival.
    const payloads = [...arrivalStream({ workload: workloadByName(name), endCycle: usToCycles(DURATION_US), rate: RATE[name], seed: SEED })].map((a) => a.payload);
    const next = spec.next(pair.data);
    // Checkpoint k comes after record k's update and before its answer: k - 1 answers before it.
    const expected = records.map((_, k) => ({ ...next(payloads[k]), consumed: k + 1, answeredBefore: k }));
    expect(records).toEqual(expected);
  });
});

describe('the cost of checkpointing', () => {
  // process-control-pair adds, once, li s3 (lui), la s4 (auipc, addi), li s5 and three stores
  // (7 instructions), and for each sample three stores; the loop is otherwise the same, and
  // each sample is served before the next arrives, so the instruction streams differ by
  // exactly that.
  test.each(['simplex', 'tmr'] as const)('process-control-pair executes 7 + 3 instructions per sample checkpointed more than process-control (%s)', async (topology) => {
    const original = await run(workloadByName('process-control'), topology);
    const pair = await run(workloadByName('process-control-pair'), topology);
    const samples = pair.sent.length - 1;
    expect(pair.machine.instret - original.machine.instret).toBe(7 + 3 * samples);
  });
});
