/**
 * Property: any single fault in one module (seeded random kind, target, bit, time) leaves
 * pair-and-spare and TMR with the reference's output and a masked or recovered outcome,
 * and never makes duplex (dmr) silently corrupt its output (DESIGN §1, claims 1 and 2).
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleOrThrow, runProgram } from '../helpers/machine.ts';
import { classify } from '../../src/fault/classify.ts';
import { Random } from '../../src/fault/random.ts';
import { type Fault, FAULT_KINDS, type FaultTarget } from '../../src/fault/spec.ts';
import { moduleCount, type Topology } from '../../src/machine/topology.ts';

const program = assembleOrThrow(readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8'), 'checksum.s');
const CSRS = [0x300, 0x304, 0x305, 0x340, 0x341, 0x342, 0x343, 0xB00, 0xB02];

function randomFault(random: Random, topology: Topology, length: number): Fault {
  const kind = random.pick(FAULT_KINDS);
  const module = random.below(moduleCount(topology));
  const at = random.below(length);
  if (kind === 'kill') return { at, module, kind };
  const targets: (() => FaultTarget)[] = [
    () => ({ type: 'reg', reg: 1 + random.below(31) }),
    () => ({ type: 'mem', addr: 0x8000_0000 + 4 * random.below(0x1400 / 4) }), // code, data and the table
    ...(kind === 'ecc' ? [] : [
      () => ({ type: 'pc' }) as FaultTarget,
      () => ({ type: 'result' }) as FaultTarget,
      () => ({ type: 'csr', csr: random.pick(CSRS.filter((c) => kind === 'flip' || c < 0xB00)) }) as FaultTarget,
    ]),
  ];
  const target = random.pick(targets)();
  const bit = target.type === 'pc' ? 2 + random.below(30) : random.below(32);
  return { at, module, kind, target, bit };
}

describe('single random faults', () => {
  it.each([
    ['tmr', 1, 120],
    ['pair-spare', 2, 120],
    ['dmr', 3, 120],
  ] as const)('%s (seed %i, %i faults)', async (topology, seed, count) => {
    const reference = await runProgram(program, { topology });
    expect(reference.machine.halt?.reason).toBe('exit');
    const random = new Random(seed);
    const outcomes: Record<string, number> = {};
    for (let k = 0; k < count; k++) {
      const fault = randomFault(random, topology, reference.machine.instret);
      const faulty = await runProgram(program, { topology, faults: [fault], limit: 10 * reference.machine.instret });
      const outcome = classify(
        { halt: reference.machine.halt, output: reference.stdout, events: reference.machine.events },
        { halt: faulty.machine.halt, output: faulty.stdout, events: faulty.machine.events },
      );
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      const context = `${topology} ${JSON.stringify(fault)} → ${outcome}`;
      if (topology === 'dmr') {
        expect(outcome, context).not.toBe('sdc');
        expect(['masked', 'recovered', 'failstop'], context).toContain(outcome);
      } else {
        expect(['masked', 'recovered'], context).toContain(outcome);
        expect(faulty.text, context).toBe(reference.text);
      }
    }
    // The sample must exercise detection, not only masking.
    expect((outcomes.recovered ?? 0) + (outcomes.failstop ?? 0)).toBeGreaterThan(count / 10);
  });
});
