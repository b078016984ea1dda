/**
 * Repair and resync (DESIGN §7): an offline module is replaced and brought into lockstep by
 * stop-and-copy or pre-copy; it is then bit-identical to the survivor, compared like the
 * others, and catches a fault injected after the resync.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { assembleOrThrow, machineFor } from '../helpers/machine.ts';
import { Machine } from '../../src/machine/machine.ts';
import type { MachineEvent, ResyncMode } from '../../src/machine/events.ts';
import { parseFault } from '../../src/fault/spec.ts';
import { CHECKSUM_OUTPUT as reference } from '../helpers/checksum.ts'; // examples/checksum.s's output, derived there

const program = assembleOrThrow(readFileSync(new URL('../../examples/checksum.s', import.meta.url), 'utf8'), 'checksum.s');

/**
 * Architectural state of module m as digests: its hart block up to the RAM pointers
 * (registers, pc, privilege, CSRs, counters), its PMP (pmpcfg bytes and pmpaddr words) and
 * all of RAM.
 */
function moduleState(machine: Machine, m: number): { hart: string; pmp: string; ram: string } {
  const L = machine.core.layout;
  const digest = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
  const hart = machine.core.hart(m);
  return {
    hart: digest(machine.core.slice(hart, L.H_RAM)),
    pmp: digest(machine.core.slice(hart + L.H_PMPCFG, L.PMP_ENTRIES + 4 * L.PMP_ENTRIES)),
    ram: digest(machine.readMemory(m, L.RAM_BASE, machine.ramSize)!),
  };
}

/** Runs to the first event that `done` accepts, without executing any instruction after it. */
function runUntil(machine: Machine, done: (e: MachineEvent) => boolean): void {
  while (!machine.halt && !machine.events.some(done)) {
    const next = machine.pending()[0]?.at ?? Infinity;
    machine.run(Math.min(next - machine.instret, 1_000_000)); // up to the next scheduled action ...
    machine.run(0); // ... which run() applies before executing anything
  }
}

const FAULT = 'at=1000,module=1,kind=flip,target=s1,bit=4'; // s1 (table size) is used in every loop test
/** Copy bandwidth for these tests, bytes per cycle: a pre-copy round of 1 MiB takes 16,384 instructions. */
const COPY = 64;

describe.each(['stop-copy', 'precopy'] as const)('resync by %s', (mode: ResyncMode) => {
  it('brings a replaced tmr module into lockstep, bit-identical, and it catches a later fault', async () => {
    const { machine, output } = await machineFor(program, { topology: 'tmr', resync: mode, faults: [FAULT], copyBytesPerCycle: COPY });
    machine.replace(3000, { module: 1 });
    runUntil(machine, (e) => e.kind === 'resync-done');
    const done = machine.events.find((e) => e.kind === 'resync-done')!;
    expect(machine.moduleStatus()[1].state).toBe('online');
    expect(moduleState(machine, 1)).toEqual(moduleState(machine, 0));

    const bytesPerCycle = machine.config.copyBytesPerCycle;
    // The hart state copied: the block up to the RAM pointer, and the PMP's 16 pmpcfg bytes and 16 pmpaddr words.
    const L = machine.core.layout;
    const hartState = L.H_RAM + L.PMP_ENTRIES + 4 * L.PMP_ENTRIES;
    if (mode === 'stop-copy') {
      // The machine pauses for (RAM + hart state) / bandwidth cycles; no instruction runs meanwhile.
      expect(done).toMatchObject({ instret: 3000, rounds: 0, bytes: machine.ramSize + hartState });
      expect(done).toMatchObject({ pause_instructions: Math.ceil((machine.ramSize + hartState) / bytesPerCycle) });
    } else {
      const rounds = machine.events.filter((e) => e.kind === 'resync-round');
      expect(rounds.length).toBeGreaterThanOrEqual(1);
      // Round 1 copies all of RAM while the machine runs: it lasts RAM / bandwidth instructions.
      const pages = machine.ramSize / machine.core.layout.PAGE_SIZE;
      expect(rounds[0]).toMatchObject({ round: 1, pages, instructions: Math.ceil(machine.ramSize / bytesPerCycle), instret: 3000 + Math.ceil(machine.ramSize / bytesPerCycle) });
      // The final pause copies only what the last round left dirty: far less than stop-copy's.
      expect((done as { pause_instructions: number }).pause_instructions).toBeLessThan(machine.ramSize / bytesPerCycle / 10);
      expect(done).toMatchObject({ rounds: rounds.length });
    }
    expect((done as { pause_us: number }).pause_us).toBeCloseTo((done as { pause_instructions: number }).pause_instructions / 100, 3);

    // A fault on the resynced module is caught like on any other.
    const after = machine.instret + 10;
    machine.inject(parseFault(`at=${after},module=1,kind=flip,target=s1,bit=3`));
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.events.filter((e) => e.kind === 'diverge' && e.module === 1 && e.instret >= after)).toHaveLength(1);
    expect(new TextDecoder().decode(output())).toBe(reference);
  });
});

/**
 * Opens PMP entry 0 over all memory (NAPOT, pmpaddr0 all ones, R W X: priv spec §3.7.1),
 * drops to U-mode, and there adds 1..N into the word \`sum\` (a load and a store an
 * iteration), then writes that word to stdout (host-served: no trap handler) and exits.
 * In U-mode every fetch, load and store needs a matching PMP entry.
 */
const USER_SUM_N = 100_000;
const USER_SUM = assembleOrThrow(`
  .globl _start
_start:
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1F
  csrw pmpcfg0, t0
  la t0, user
  csrw mepc, t0
  csrw mstatus, zero           # MPP = U
  mret
user:
  la a1, sum
  li t0, ${USER_SUM_N}
1:
  lw t1, 0(a1)
  add t1, t1, t0
  sw t1, 0(a1)
  addi t0, t0, -1
  bnez t0, 1b
  li a0, 1
  li a2, 4
  li a7, 64
  ecall
  li a0, 0
  li a7, 93
  ecall
  .data
sum: .word 0
`, 'user-sum.s');

describe.each(['stop-copy', 'precopy'] as const)('resync by %s of a module running in U-mode under PMP', (mode: ResyncMode) => {
  it('copies the PMP with the hart state: the replaced module votes on, and the output is the fault-free one', async () => {
    // 1 + 2 + ... + N mod 2^32, little-endian.
    const expected = new Uint8Array(new Uint32Array([(USER_SUM_N * (USER_SUM_N + 1) / 2) % 2 ** 32]).buffer);
    const clean = await machineFor(USER_SUM, { topology: 'tmr' });
    while (!clean.machine.halt) clean.machine.run(1_000_000);
    expect(clean.output()).toEqual(expected);

    // Module 2 dies before PMP is set and is replaced in U-mode, at instruction 20 (a precopy
    // round of 1 MiB at 64 bytes a cycle lasts 16,384 instructions, within the loop).
    const { machine, output } = await machineFor(USER_SUM, {
      topology: 'tmr', resync: mode, copyBytesPerCycle: COPY, faults: ['at=2,module=2,kind=kill'],
    });
    machine.replace(20, { module: 2 });
    runUntil(machine, (e) => e.kind === 'resync-done');
    expect(moduleState(machine, 2)).toEqual(moduleState(machine, 0));
    const logged = machine.events.length;
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.events.slice(logged).map((e) => e.kind)).toEqual(['halt']);
    expect(machine.moduleStatus().map((m) => m.state)).toEqual(['online', 'online', 'online']);
    expect(machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(output()).toEqual(expected);
  });
});

describe('repair', () => {
  it('--repair-after replaces an offline module automatically, then resyncs it', async () => {
    const { machine, output } = await machineFor(program, { topology: 'dmr', faults: ['at=2000,module=1,kind=kill'], repairAfter: 500, resync: 'stop-copy' });
    while (!machine.halt) machine.run(1_000_000);
    const kinds = machine.events.map((e) => `${e.kind}@${e.instret}`);
    expect(kinds.slice(0, 4)).toEqual(['inject@2000', 'offline@2000', 'replace@2501', 'resync-done@2501']);
    expect(machine.moduleStatus().map((m) => m.state)).toEqual(['online', 'online']);
    expect(new TextDecoder().decode(output())).toBe(reference);
  });

  it('replaces a pair-and-spare board whole', async () => {
    const { machine, output } = await machineFor(program, { topology: 'pair-spare', faults: [FAULT.replace('module=1', 'module=3')], copyBytesPerCycle: COPY });
    machine.replace(5000, { board: 1 });
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.events.filter((e) => e.kind === 'replace').map((e) => e.module)).toEqual([2, 3]);
    expect(machine.events.find((e) => e.kind === 'resync-done')).toMatchObject({ modules: [2, 3] });
    expect(machine.moduleStatus().map((m) => m.state)).toEqual(['online', 'online', 'online', 'online']);
    expect(moduleState(machine, 3)).toEqual(moduleState(machine, 0));
    expect(new TextDecoder().decode(output())).toBe(reference);
  });
});

/**
 * Reads stdin 16 bytes at a time into a page of its own (host-served read), and between
 * reads writes a word in each of 32 other pages, so that pre-copy takes several rounds;
 * prints the last block.
 */
const READER = assembleOrThrow(`
  .globl _start
_start:
  li a0, 0
  la a1, buf
  li a2, 16
  li a7, 63
  ecall                        # n = read(0, buf, 16): the host writes buf
  beqz a0, done
  la t1, scratch
  li t0, 32
  li t2, 4096
1:
  sw t0, 0(t1)
  add t1, t1, t2
  addi t0, t0, -1
  bnez t0, 1b
  j _start
done:
  li a0, 1
  la a1, buf
  li a2, 16
  li a7, 64
  ecall
  li a0, 0
  li a7, 93
  ecall
  .bss
  .align 12
buf:
  .zero 4096
scratch:
  .zero 32 * 4096
`, 'reader.s');

describe('pre-copy resync', () => {
  it('copies the pages the host wrote for the guest (read calls) during the rounds', async () => {
    const input = Array.from({ length: 200 }, (_, k) => `block ${String(k).padStart(9, '0')}\n`).join('');
    const { machine, output } = await machineFor(READER, {
      topology: 'dmr', resync: 'precopy', input, copyBytesPerCycle: 256, faults: ['at=500,module=1,kind=kill'],
    });
    machine.replace(1000, { module: 1 });
    runUntil(machine, (e) => e.kind === 'resync-done');
    expect(machine.events.filter((e) => e.kind === 'resync-round').length).toBeGreaterThan(1);
    expect(moduleState(machine, 1)).toEqual(moduleState(machine, 0));
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.halt?.reason).toBe('exit');
    expect(new TextDecoder().decode(output())).toBe('block 000000199\n');
  });

  it('keeps overlapping resyncs from one source apart: each copies every page written during its rounds', async () => {
    const { machine, output } = await machineFor(program, {
      topology: 'tmr', resync: 'precopy', copyBytesPerCycle: 256,
      faults: ['at=500,module=1,kind=kill', 'at=600,module=2,kind=kill'],
    });
    machine.replace(1000, { module: 1 });
    machine.replace(3000, { module: 2 });
    runUntil(machine, (e) => e.kind === 'resync-done' && e.module === 2);
    expect(machine.moduleStatus().map((m) => m.state)).toEqual(['online', 'online', 'online']);
    expect(moduleState(machine, 1)).toEqual(moduleState(machine, 0));
    expect(moduleState(machine, 2)).toEqual(moduleState(machine, 0));
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.events.filter((e) => e.kind === 'diverge')).toEqual([]);
    expect(new TextDecoder().decode(output())).toBe(reference);
  });
});

describe('repair, edge cases', () => {
  it('--repair-after on pair-spare replaces the disagreeing board once, as one resync whose rounds add up', async () => {
    const { machine, output } = await machineFor(program, { topology: 'pair-spare', faults: [FAULT], repairAfter: 2000, resync: 'precopy', copyBytesPerCycle: COPY });
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.events.filter((e) => e.kind === 'replace').map((e) => e.module)).toEqual([0, 1]);
    const dones = machine.events.filter((e) => e.kind === 'resync-done');
    expect(dones).toHaveLength(1);
    const rounds = machine.events.filter((e) => e.kind === 'resync-round');
    expect(rounds.every((r) => r.kind === 'resync-round' && r.modules.join() === '0,1')).toBe(true);
    expect(dones[0]).toMatchObject({ modules: [0, 1], rounds: rounds.length });
    const copied = rounds.reduce((n, r) => n + (r.kind === 'resync-round' ? r.bytes : 0), 0);
    expect((dones[0] as { bytes: number }).bytes).toBeGreaterThan(copied);
    expect(machine.moduleStatus().map((m) => m.state)).toEqual(['online', 'online', 'online', 'online']);
    expect(new TextDecoder().decode(output())).toBe(reference);
  });

  it('logs nothing after the machine halts when a replacement takes its last module', async () => {
    const { machine } = await machineFor(program, { topology: 'dmr', faults: ['at=5,module=1,kind=kill'] });
    machine.replace(10, { module: 0 });
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.events.at(-1)).toMatchObject({ kind: 'halt', instret: 10 });
    expect(machine.events.some((e) => e.kind === 'replace')).toBe(false);
  });

  it('rejects replacing the module of a simplex machine before anything runs', async () => {
    const { machine } = await machineFor(program, { topology: 'simplex' });
    expect(() => machine.replace(5, { module: 0 })).toThrow(/simplex has no other module/);
  });

  it('does not list a fault injected into an offline module as applied', async () => {
    const { machine } = await machineFor(program, { topology: 'tmr', faults: ['at=2,module=1,kind=kill', 'at=4,module=1,kind=flip,target=s1,bit=3'] });
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.moduleStatus()[1].faults).toEqual(['at=2,module=1,kind=kill']);
    expect(machine.events.filter((e) => e.kind === 'inject').map((e) => e.instret)).toEqual([2]);
  });
});

describe('a kill aimed at a module that is not online', () => {
  // The reproduction from issue 9: module 1 outvoted (FAULT), replaced at 3000 and resyncing by
  // precopy (a 1 MiB round at 64 bytes a cycle takes 16,384 instructions) when the kill comes at 4000.
  it('has no effect on a resyncing module: it is not listed, the resync completes, and the module votes again', async () => {
    const { machine, output } = await machineFor(program, {
      topology: 'tmr', resync: 'precopy', copyBytesPerCycle: COPY, faults: [FAULT, 'at=4000,module=1,kind=kill'],
    });
    machine.replace(3000, { module: 1 });
    runUntil(machine, (e) => e.kind === 'resync-done');
    expect(machine.events.filter((e) => e.kind === 'inject').map((e) => e.instret)).toEqual([1000]);
    expect(machine.moduleStatus()[1]).toEqual({ id: 1, board: 1, state: 'online', dead: false, faults: [], corrected: 0 });
    expect(moduleState(machine, 1)).toEqual(moduleState(machine, 0));
    expect(machine.notActivated()).toEqual([{ fault: 'at=4000,module=1,kind=kill', reason: 'resyncing' }]);
    expect(Machine.fromSnapshotSync(machine.snapshot()).notActivated()).toEqual(machine.notActivated());

    // Three modules vote again: a fault on module 0 is outvoted, not a fail-stop.
    const at = machine.instret + 10;
    machine.inject(parseFault(`at=${at},module=0,kind=flip,target=s1,bit=3`));
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.events.filter((e) => e.kind === 'offline' && e.instret >= at)).toEqual([
      expect.objectContaining({ kind: 'offline', module: 0, reason: 'outvoted' }),
    ]);
    expect(machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(new TextDecoder().decode(output())).toBe(reference);
  });

  it('has no effect on an offline module: it is not listed nor dead, and is replaced as usual', async () => {
    const { machine, output } = await machineFor(program, {
      topology: 'tmr', resync: 'stop-copy', faults: [FAULT, 'at=2000,module=1,kind=kill'],
    });
    machine.replace(3000, { module: 1 });
    runUntil(machine, (e) => e.kind === 'resync-done');
    expect(machine.events.map((e) => e.kind)).toEqual(['inject', 'diverge', 'offline', 'replace', 'resync-done']);
    expect(machine.moduleStatus()[1]).toEqual({ id: 1, board: 1, state: 'online', dead: false, faults: [], corrected: 0 });
    expect(machine.notActivated()).toEqual([{ fault: 'at=2000,module=1,kind=kill', reason: 'offline' }]);
    while (!machine.halt) machine.run(1_000_000);
    expect(new TextDecoder().decode(output())).toBe(reference);
  });
});

describe('a module taken offline while it resyncs', () => {
  it('leaves its resync: it is listed offline, and no resync-done is logged for it', async () => {
    // Module 0 alone is replaced at 3000 (precopy, 16,384 instructions a round); its board
    // partner dies at 4000, so the pair can no longer check itself: board 1 carries on.
    const { machine, output } = await machineFor(program, { topology: 'pair-spare', resync: 'precopy', copyBytesPerCycle: COPY, faults: ['at=4000,module=1,kind=kill'] });
    machine.replace(3000, { module: 0 });
    while (!machine.halt) machine.run(1_000_000);
    expect(machine.events.slice(0, -1)).toEqual([
      { instret: 3000, kind: 'offline', module: 0, reason: 'removed' },
      { instret: 3000, kind: 'replace', module: 0 },
      { instret: 4000, kind: 'inject', module: 1, fault: 'at=4000,module=1,kind=kill' },
      { instret: 4000, kind: 'offline', module: 1, reason: 'dead' },
      { instret: 4000, kind: 'offline', module: 0, reason: 'partner-lost' },
    ]);
    expect(machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(machine.moduleStatus().map((m) => m.state)).toEqual(['offline', 'offline', 'online', 'online']);
    expect(new TextDecoder().decode(output())).toBe(reference);
  });
});
