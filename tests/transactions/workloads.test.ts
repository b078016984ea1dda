/**
 * The workload registry and what every workload promises (TXPORT.md): its guest program
 * assembles cleanly with our assembler and exports the routines the port loop calls; its
 * payloads are u32 words and a pure function of the seed; its model starts afresh.
 */
import { describe, expect, it } from 'vitest';
import { Random } from '../../src/fault/random.ts';
import { assemble } from '../../src/isa/index.ts';
import { WORKLOADS, workloadByName, type Workload } from '../../src/transactions/workloads/index.ts';
import { exampleSource, seededPayloads } from './routine.ts';

const ALL = [...WORKLOADS.values()];

describe('workload registry', () => {
  it('names the three workloads of issue 10 and their pair-aware rewrites (issue 11), each under its own name', () => {
    expect([...WORKLOADS.keys()]).toEqual(['card-auth', 'telco-hlr', 'process-control', 'card-auth-pair', 'telco-hlr-pair', 'process-control-pair']);
    for (const [name, workload] of WORKLOADS) {
      expect(workload.name).toBe(name);
      expect(workload.source).toBe(`${name}.s`);
      expect(workloadByName(name)).toBe(workload);
    }
  });

  it('rejects an unknown name with the known ones', () => {
    expect(() => workloadByName('card_auth')).toThrow("unknown workload 'card_auth': known workloads are card-auth, telco-hlr, process-control, card-auth-pair, telco-hlr-pair, process-control-pair");
  });

  it('process-control samples every 1000 µs with a deadline of the next sample; the others are Poisson', () => {
    expect(workloadByName('process-control')).toMatchObject({ arrivals: { kind: 'periodic', periodUs: 1000 }, deadlineUs: 1000 });
    for (const name of ['card-auth', 'telco-hlr']) {
      expect(workloadByName(name).arrivals).toEqual({ kind: 'poisson' });
      expect(workloadByName(name).deadlineUs).toBeUndefined();
    }
  });
});

describe.each(ALL.map((w) => [w.name, w] as [string, Workload]))('%s', (_name, workload) => {
  it('its program assembles with no error or warning and defines _start, workload_init and workload_process', () => {
    const result = assemble(exampleSource(workload), { file: workload.source });
    expect(result.diagnostics).toEqual([]);
    const symbols = result.program!.symbols;
    for (const name of ['_start', 'workload_init', 'workload_process']) expect(symbols.has(name), name).toBe(true);
    expect(result.program!.entry).toBe(symbols.get('_start'));
  });

  it('payloads are four u32 words, the same for the same seed', () => {
    const payloads = seededPayloads(workload, 7, 2000);
    for (const p of payloads) {
      expect(p).toHaveLength(4);
      for (const w of p) expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32, `${w} is a u32`).toBe(true);
    }
    expect(seededPayloads(workload, 7, 2000)).toEqual(payloads);
    expect(seededPayloads(workload, 8, 2000)).not.toEqual(payloads);
  });

  it('each model starts in the initial state, independent of other models', () => {
    const payloads = seededPayloads(workload, 11, 500);
    const first = workload.createModel();
    const results = payloads.map((p) => first.apply(p));
    const second = workload.createModel();
    expect(payloads.map((p) => second.apply(p))).toEqual(results);
    for (const r of results) for (const w of r) expect(Number.isInteger(w) && w >= 0 && w < 2 ** 32, `${w} is a u32`).toBe(true);
  });
});

it('payload draws only from the Random it is given', () => {
  const a = new Random(5);
  const b = new Random(5);
  for (const w of ALL) expect(w.payload(a)).toEqual(w.payload(b));
});
