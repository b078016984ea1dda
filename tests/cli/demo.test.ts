/**
 * `lockstep demo`: one program (examples/ledger.s), one fault (bit 12 of s2 flipped just
 * before instruction 300), four machines. The expected table is worked out by hand from
 * ledger.s:
 *
 * - The balances after each of the 16 transactions, in cents: 102500, 101300, 131300,
 *   126701, 126826, 46826, 47825, 47826, 47825, 92825, 92575, 100352, 97019, 97119, 87119,
 *   99464.
 * - Instructions: 6 to set up (la is auipc + addi, li of 100000 is lui + addi), then per
 *   transaction lw, add, mv, call (auipc + jalr), print_cents (18 + 10 per digit of the
 *   units), addi, addi, bnez = 26 + 10d. The first five balances have 4 digits of units:
 *   66 instructions each, so the fifth transaction runs 270..335 and the sixth's add, the
 *   next read of s2, is instruction 6 + 5 × 66 + 1 = 337.
 * - At 300, s2 = 126826 = 0x1ef6a, bit 12 clear: the flip adds 4096. The sixth add then
 *   writes 126826 + 4096 − 80000 = 50922 = 0xc6ea on the faulty module, 46826 = 0xb6ea on
 *   the others. On simplex every balance from the sixth on is 40.96 too high: 11 of 16
 *   wrong; dmr stops at 337 after printing 5.
 * - With module=all every module computes what simplex did: they agree at every instruction,
 *   nothing is detected, and each topology prints the same 11 wrong balances.
 */
import { describe, expect, it } from 'vitest';
import { lines, lockstep } from './lockstep.ts';

const DIVERGED = '  → diverged at instruction 337: module 1 wrote x18 = 0x0000c6ea, module 0 wrote 0x0000b6ea';

describe('lockstep demo', () => {
  it('prints what each topology does with the same fault, then a repair', async () => {
    const run = await lockstep(['demo']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const printed = lines(run.stdout.toString());
    expect(printed.slice(0, 19)).toEqual([
      'Lockstep Lab — one program, one fault, four machines',
      '',
      'The program: examples/ledger.s applies 16 transactions to a bank balance and prints it.',
      'The fault:   just before instruction 300, bit 12 of the balance (register s2) flips',
      '             in one module — a cosmic ray. Every machine gets the same fault.',
      '',
      'simplex (1 module)',
      '  → silent data corruption: 11 of 16 balances printed wrong, and nothing noticed',
      'dmr (2 modules in lockstep)',
      DIVERGED,
      '  → it cannot tell which module is right, so it stops (fail-stop): 5 balances printed, none wrong, service down',
      'pair-spare (2 boards × 2 CPUs)',
      DIVERGED,
      '  → board 0 (modules 0, 1) goes offline; the rest carry on without a pause: all 16 balances right',
      'tmr (3 modules, voted)',
      DIVERGED,
      '  → module 1 is outvoted and goes offline; the rest carry on without a pause: all 16 balances right',
      '',
      'Repair: on pair-spare, board 0 is replaced at instruction 600 and brought back into lockstep by',
    ]);
    // Stop-and-copy moves the 1 MiB of RAM and the hart state at 8 bytes a cycle of the
    // 100 MHz clock (DESIGN §7): the pause is ⌈bytes / 8⌉ cycles, of 0.01 µs each.
    const copy = /^ {8}stop-and-copy \(([\d,]+) bytes, a pause of ([\d,]+) cycles = ([\d.]+) µs\);$/.exec(printed[19]);
    expect(copy, printed[19]).not.toBeNull();
    const [bytes, cycles, us] = copy!.slice(1).map((v) => Number(v.replace(/,/g, '')));
    expect(bytes).toBeGreaterThan(2 ** 20);
    expect(bytes).toBeLessThan(2 ** 20 + 4096);
    expect(cycles).toBe(Math.ceil(bytes / 8));
    expect(us).toBeCloseTo(cycles / 100, 2);
    const sdc = '→ silent data corruption: 11 of 16 balances printed wrong, and nothing noticed';
    expect(printed.slice(20, 32)).toEqual([
      '        the program finished with all four CPUs online: true.',
      '',
      'Common mode: the same flip in every module at once (module=all), as a design flaw would,',
      '             or a bug in the program, which every replica runs alike.',
      `simplex    ${sdc}`,
      `dmr        ${sdc}`,
      `pair-spare ${sdc}`,
      `tmr        ${sdc}`,
      'Redundancy catches only what makes the replicas differ: a fault they all share, or a',
      'software bug, gives every replica the same wrong answer, and no comparator or vote can see it.',
      '',
      'Try it yourself: lockstep run examples/ledger.s --topology tmr --inject at=300,module=1,kind=flip,target=s2,bit=12 --classify',
    ]);
  });

  it('ends with the comparison table: exactly what lockstep compare prints for the same workload, rate and faults', async () => {
    const demo = lines((await lockstep(['demo'])).stdout.toString());
    const compare = await lockstep(['compare', '--workload', 'card-auth', '--rate', '2000', '--duration', '1s', '--fault', 'hard@500ms', '--fault', 'transient@500ms']);
    expect(compare.status).toBe(0);
    const table = lines(compare.stdout.toString()).slice(1).filter((l) => l !== '' && !l.startsWith('Reproduce'));
    expect(table).toHaveLength(17); // the header and 8 topologies × 2 faults
    const start = demo.findIndex((l) => l.trim().startsWith('topology'));
    expect(demo.slice(start, start + 17).map((l) => l.trim())).toEqual(table.map((l) => l.trim()));
    expect(demo.at(-1)).toBe('Try it yourself: lockstep compare --workload card-auth --rate 2000 --json');
  });
});
