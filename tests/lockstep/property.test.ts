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
import { type Fault, MODULE_FAULT_KINDS, type FaultTarget } from '../../src/fault/spec.ts';
import { moduleCount, type Topology } from '../../src/machine/topology.ts';

const checksum = assembleOrThrow(readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8'), 'checksum.s');

/**
 * Timer interrupts, wfi and a vectored handler that prints through the UART, around a loop
 * that computes: the machine's decisions (sleeping, taking interrupts, device stores) are
 * where a fault in the reference module must not lead the others astray.
 */
const ticker = assembleOrThrow(`
  .globl _start
_start:
  la t0, vectors + 1
  csrw mtvec, t0               # vectored
  li s0, 0x02004000            # mtimecmp
  li s1, 0x0200bff8            # mtime
  li s2, 0x10000000            # UART
  li s3, 0                     # ticks
  li s4, 8                     # ticks to run
  li s5, 0                     # running sum
  lw t1, 0(s1)
  addi t1, t1, 300
  sw t1, 0(s0)
  sw zero, 4(s0)
  li t0, 0x80
  csrw mie, t0                 # MTIE
  csrsi mstatus, 8             # MIE
work:
  li t2, 40
1:
  add s5, s5, t2
  xor s5, s5, s3
  addi t2, t2, -1
  bnez t2, 1b
  wfi
  blt s3, s4, work
  andi a0, s5, 0xff            # exit code, through the test finisher
  j finish
  .align 2
vectors:
  j fail                       # exceptions
  j fail
  j fail
  j fail
  j fail
  j fail
  j fail
  j tick                       # 7: machine timer
fail:
  li a0, 99
finish:
  slli a0, a0, 16
  li t0, 0x3333
  or a0, a0, t0
  li t0, 0x00100000
  sw a0, 0(t0)
tick:
  addi s3, s3, 1
  addi t3, s3, 'a' - 1
  sb t3, 0(s2)
  lw t1, 0(s1)
  addi t1, t1, 300
  sw t1, 0(s0)
  mret
`, 'ticker.s');
const CSRS = [0x300, 0x304, 0x305, 0x340, 0x341, 0x342, 0x343, 0xB00, 0xB02];

function randomFault(random: Random, topology: Topology, length: number): Fault {
  const kind = random.pick(MODULE_FAULT_KINDS);
  const module = random.below(moduleCount(topology));
  const at = random.below(length);
  if (kind === 'kill') return { at, module, kind };
  const targets: (() => FaultTarget)[] = [
    () => ({ type: 'reg', reg: 1 + random.below(31) }),
    () => ({ type: 'mem', addr: 0x8000_0000 + 4 * random.below(0x1400 / 4) }), // code and data of both programs
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
    ['tmr', 'every', 'checksum', 1, 120],
    ['pair-spare', 'every', 'checksum', 2, 120],
    ['dmr', 'every', 'checksum', 3, 120],
    ['tmr', 'store', 'ticker', 4, 60],
    ['pair-spare', 'io', 'ticker', 5, 60],
    ['dmr', 'store', 'ticker', 6, 60],
    ['tmr', 'io', 'checksum', 7, 60],
    ['pair-spare', 'store', 'checksum', 8, 60],
    ['tmr', 'every', 'ticker', 9, 60],
  ] as const)('%s, compare %s, %s (seed %i, %i faults)', async (topology, compare, name, seed, count) => {
    const program = { checksum, ticker }[name];
    const reference = await runProgram(program, { topology, compare });
    expect(reference.machine.halt?.reason).toBe('exit');
    const random = new Random(seed);
    const outcomes: Record<string, number> = {};
    for (let k = 0; k < count; k++) {
      const fault = randomFault(random, topology, reference.machine.instret);
      const faulty = await runProgram(program, { topology, compare, faults: [fault], limit: 10 * reference.machine.instret });
      const outcome = classify(
        { halt: reference.machine.halt, output: reference.stdout, events: reference.machine.events },
        { halt: faulty.machine.halt, output: faulty.stdout, events: faulty.machine.events },
      );
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
      const context = `${topology} ${JSON.stringify(fault)} → ${outcome}`;
      if (topology === 'dmr') {
        expect(outcome, context).not.toBe('sdc');
        expect(['masked', 'recovered', 'failstop'], context).toContain(outcome);
        expect(reference.text.startsWith(faulty.text), context).toBe(true); // gated: never a wrong byte
      } else {
        expect(['masked', 'recovered'], context).toContain(outcome);
        expect(faulty.text, context).toBe(reference.text);
      }
    }
    // The sample must exercise detection, not only masking.
    expect((outcomes.recovered ?? 0) + (outcomes.failstop ?? 0)).toBeGreaterThan(count / 10);
  });
});
