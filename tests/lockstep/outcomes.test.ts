/**
 * Outcomes against a fault-free reference (DESIGN §6) that the machine's own events do not
 * spell out — a hang, a fault that never took effect — and the JSON report, every field of
 * it. Instruction counts are worked out by hand from the programs (instructions count from
 * 0; `at=N` applies just before instruction N).
 */
import { describe, expect, it } from 'vitest';
import { machineFor, runProgram } from '../helpers/machine.ts';
import type { Machine } from '../../src/machine/machine.ts';
import { classify, HANG_FACTOR } from '../../src/fault/classify.ts';
import { buildReport } from '../../src/machine/report.ts';
import type { Topology } from '../../src/machine/topology.ts';

type Ran = { machine: Machine; stdout: Uint8Array };

function outcome(reference: Ran, faulty: Ran) {
  return classify(
    { halt: reference.machine.halt, output: reference.stdout, events: reference.machine.events },
    { halt: faulty.machine.halt, output: faulty.stdout, events: faulty.machine.events, notActivated: faulty.machine.notActivated() },
  );
}

async function classified(source: string, topology: Topology, faults: string[]) {
  const reference = await runProgram(source, { topology });
  const faulty = await runProgram(source, { topology, faults, limit: HANG_FACTOR * reference.machine.instret });
  return { reference, faulty, outcome: outcome(reference, faulty) };
}

// 0: li t0,1000  then 1000 turns of (addi, bnez) at 1..2000  2001: li a0,0  2002: li a7,93  2003: ecall.
const COUNTDOWN = `
  .globl _start
_start:
  li t0, 1000
loop:
  addi t0, t0, -1
  bnez t0, loop
  li a0, 0
  li a7, 93
  ecall
`;

// 0-1: la t0,handler  2: csrw mtvec  3: li t0,0x02004000  4: li t1,5  5-6: mtimecmp = 5  7: li t0,0x80
// 8: csrw mie (MTIE)  9: csrsi mstatus,8 (MIE)  10: wfi; the timer handler exits with 7.
const WAKE = `
  .globl _start
_start:
  la t0, handler
  csrw mtvec, t0
  li t0, 0x02004000
  li t1, 5
  sw t1, 0(t0)
  sw zero, 4(t0)
  li t0, 0x80
  csrw mie, t0
  csrsi mstatus, 8
sleep:
  wfi
  j sleep
  .align 2
handler:
  li t0, 0x00100000
  li t1, (7 << 16) | 0x3333
  sw t1, 0(t0)
`;

describe('hang', () => {
  it('a loop that no longer ends is a hang when it runs past 10× the fault-free count, not a crash', async () => {
    // t0 bit 31 set before the first addi: 0x800003e8 turns instead of 1000.
    const { reference, faulty, outcome: result } = await classified(COUNTDOWN, 'simplex', ['at=1,module=0,kind=flip,target=t0,bit=31']);
    expect(reference.machine.instret).toBe(2004);
    expect(faulty.machine.halt).toBeUndefined();
    expect(faulty.machine.instret).toBe(20_040);
    expect(result).toBe('hang');
  });

  it('a hart asleep with no interrupt enabled (MTIE cleared before wfi) is a hang, not a crash', async () => {
    const { reference, faulty, outcome: result } = await classified(WAKE, 'simplex', ['at=10,module=0,kind=flip,target=mie,bit=7']);
    expect(reference.machine.halt).toMatchObject({ reason: 'exit', exitCode: 7 });
    expect(faulty.machine.halt).toMatchObject({ reason: 'idle', exitCode: 124 });
    expect(result).toBe('hang');
  });
});

// 0: li t0,5  1: li t1,7  2: add t2,t0,t1  3: li t0,1  4: mv a0,t2  5: li a7,93  6: ecall (exit 12).
const ADD = '.globl _start\n_start:\n li t0, 5\n li t1, 7\n add t2, t0, t1\n li t0, 1\n mv a0, t2\n li a7, 93\n ecall\n';

describe('a fault that never takes effect', () => {
  it('scheduled before the last instruction is activated (a0 bit 0 before the ecall: exit 13, a crash)', async () => {
    const { faulty, outcome: result } = await classified(ADD, 'simplex', ['at=6,module=0,kind=flip,target=a0,bit=0']);
    expect(faulty.machine.halt).toMatchObject({ reason: 'exit', exitCode: 13 });
    expect(faulty.machine.notActivated()).toEqual([]);
    expect(result).toBe('crash');
  });

  it('scheduled after the program halted is not activated, not masked', async () => {
    const { faulty, outcome: result } = await classified(ADD, 'tmr', ['at=7,module=1,kind=flip,target=a0,bit=0']);
    expect(faulty.machine.events.map((e) => e.kind)).toEqual(['halt']);
    expect(faulty.machine.notActivated()).toEqual([{ fault: 'at=7,module=1,kind=flip,target=x10,bit=0', reason: 'halted' }]);
    expect(result).toBe('not-activated');
  });

  it('aimed at a module that is resyncing is not activated; one that took effect decides the outcome', async () => {
    // Module 1 is replaced at 1 and resyncs by precopy (a 1 MiB round takes 131,072 instructions): ADD ends first.
    const reference = await runProgram(ADD, { topology: 'tmr' });
    const run = async (faults: string[]) => {
      const { machine, output } = await machineFor(ADD, { topology: 'tmr', faults });
      machine.replace(1, { module: 1 });
      while (!machine.halt) machine.run(1000);
      return { machine, stdout: output() };
    };
    const missed = await run(['at=3,module=1,kind=flip,target=a0,bit=0']);
    expect(missed.machine.notActivated()).toEqual([{ fault: 'at=3,module=1,kind=flip,target=x10,bit=0', reason: 'resyncing' }]);
    expect(outcome(reference, missed)).toBe('not-activated');
    // With module 1 resyncing, modules 0 and 2 are online; module 2's t2 flipped before mv a0,t2
    // at 4: two modules disagree, and neither announced it: fail-stop.
    const hit = await run(['at=3,module=1,kind=flip,target=a0,bit=0', 'at=4,module=2,kind=flip,target=t2,bit=0']);
    expect(hit.machine.notActivated()).toHaveLength(1);
    expect(outcome(reference, hit)).toBe('failstop');
  });
});

describe('the report', () => {
  // 0: li a0,1  1-2: la a1,msg  3: li a2,3  4: li a7,64  5: ecall (write "ok\n")  6: li t0,5  7: li t1,7
  // 8: add a0,t0,t1 (pc 0x80000020)  9: li a7,93  10: ecall (exit 12). 11 instructions, 11 cycles.
  const PRINT = `
  .globl _start
_start:
  li a0, 1
  la a1, msg
  li a2, 3
  li a7, 64
  ecall
  li t0, 5
  li t1, 7
  add a0, t0, t1
  li a7, 93
  ecall
  .data
msg: .ascii "ok\\n"
`;

  it('has every field, each with the value worked out by hand', async () => {
    const faults = ['at=8,module=1,kind=flip,target=t0,bit=3', 'at=50,module=2,kind=flip,target=t0,bit=3'];
    const { reference, faulty, outcome: result } = await classified(PRINT, 'tmr', faults);
    expect(faulty.text).toBe('ok\n');
    const report = buildReport(faulty.machine, {
      exitCode: faulty.machine.halt!.exitCode, stopReason: faulty.machine.halt!.reason, wallMs: 0.002, outcome: result,
      reference: { instret: reference.machine.instret, exit_code: reference.machine.halt!.exitCode, stdout_bytes: reference.stdout.length },
    });
    const flip = 'at=8,module=1,kind=flip,target=x5,bit=3';
    expect(report).toEqual({
      topology: 'tmr',
      compare: 'every',
      ram_mib: 1,
      ecc: 'none',
      outcome: 'recovered',
      exit_code: 12,
      stop_reason: 'exit',
      message: 'the guest exited with code 12',
      instret: 11,
      cycles: 11,
      wall_ms: 0.002,
      mips: 5.5, // 11 instructions in 2 µs
      stdout_bytes: 3,
      modules: [
        { id: 0, board: 0, state: 'online', dead: false, faults: [], corrected: 0 },
        { id: 1, board: 1, state: 'offline', dead: false, faults: [flip], corrected: 0 },
        { id: 2, board: 2, state: 'online', dead: false, faults: [], corrected: 0 },
      ],
      events: [
        { instret: 8, kind: 'inject', module: 1, fault: flip },
        // t0 = 5 ^ 8 = 13 in module 1: a0 = 20, where modules 0 and 2 write 12.
        { instret: 8, kind: 'diverge', module: 1, reference: 0, pc: 0x8000_0020, field: 'x10', expected: '0x0000000c', actual: '0x00000014' },
        { instret: 8, kind: 'offline', module: 1, reason: 'outvoted' },
        { instret: 10, kind: 'halt', reason: 'exit', exit_code: 12 },
      ],
      not_activated: [{ fault: 'at=50,module=2,kind=flip,target=x5,bit=3', reason: 'halted' }],
      detection_latency: 0,
      reference: { instret: 11, exit_code: 12, stdout_bytes: 3 },
    });
  });
});
