/**
 * Physical memory protection, privileged spec v1.12 §3.7: 16 entries (pmpcfg0..3,
 * pmpaddr0..15), granularity 4 bytes. Every expected value below is derived by hand from
 * the spec's rules:
 * - pmpcfg entry (figure 3.31): R bit 0, W bit 1, X bit 2, A bits 4:3 (0 OFF, 1 TOR, 2 NA4,
 *   3 NAPOT), bits 6:5 reserved (read 0), L bit 7. R = 0 with W = 1 is reserved: this hart
 *   maps it to R = 0, W = 0 (X, A and L kept).
 * - pmpaddr holds address bits 33:2. TOR entry i matches pmpaddr[i-1]·4 ≤ a < pmpaddr[i]·4
 *   (0 for i = 0); NA4 the 4 bytes at pmpaddr·4; NAPOT with t trailing ones the 2^(t+3)
 *   bytes at (pmpaddr with those ones cleared)·4.
 * - The lowest-numbered entry that matches any byte of an access decides; it must match all
 *   of them or the access fails. M-mode needs the permission only from a locked entry; an
 *   access no entry matches succeeds in M-mode and fails in U-mode. Loads and stores in
 *   M-mode with mstatus.MPRV = 1 are checked with the privilege in MPP (§3.1.6.3).
 * - A locked entry ignores writes to its pmpcfg byte and pmpaddr; a locked TOR entry i also
 *   locks pmpaddr i-1.
 * - Failures are access faults (fetch 1, load 5, store 7) with mtval = the access's address.
 */
import { describe, expect, it } from 'vitest';
import { csr, CSR, runFor, words, FINISH, INSTRUMENTED } from './guest.ts';
import { CAUSE, PRIV, MSTATUS, hex } from './reference.ts';
import type { RunSetup } from '../helpers/machine.ts';

const SENTINEL = 0xEEEE_EEEE;

/**
 * Trap handler: appends (mcause, mtval) to the log at s1 and resumes after the faulting
 * instruction, or at ra after a fetch fault (the test reached the target with jal/jalr);
 * an ecall from U-mode ends the program. Uses t0 and t1.
 */
const HANDLER = `
handler:
  csrr t0, mcause
  li t1, ${CAUSE.ECALL_U}
  beq t0, t1, finish
  sw t0, 0(s1)
  csrr t1, mtval
  sw t1, 4(s1)
  addi s1, s1, 8
  li t1, ${CAUSE.FETCH_ACCESS}
  beq t0, t1, fetch_fault
  csrr t0, mepc
  addi t0, t0, 4
  csrw mepc, t0
  mret
fetch_fault:
  csrw mepc, ra
  mret
finish:
${FINISH}
`;

/** M-mode start: handler installed, s1 = log, then `setup`, then `body`. */
function program(setup: string, body: string, data = ''): string {
  return `
_start:
  la t0, handler
  csrw mtvec, t0
  la s1, log
${setup}
${body}
${HANDLER}
  .data
${data}
  .align 2
log: .space 64, 0xEE
out: .space 16, 0xEE
`;
}

/** mret to U-mode at `label` with mstatus = 0 (MPP = U), leaving PMP as it is. */
const TO_USER = (label: string) => `
  la t0, ${label}
  csrw mepc, t0
  csrw mstatus, zero
  mret
`;

/** The (mcause, mtval) pairs the handler logged, up to the first unused slot. */
function faults(ran: Awaited<ReturnType<typeof runFor>>, module = 0): string[][] {
  const log = ran.machine.readMemory(module, ran.sym('log'), 64)!;
  const view = new DataView(log.buffer, log.byteOffset, log.byteLength);
  const pairs: string[][] = [];
  for (let k = 0; k < 8 && view.getUint32(8 * k, true) !== SENTINEL; k++) {
    pairs.push([String(view.getUint32(8 * k, true)), hex(view.getUint32(8 * k + 4, true))]);
  }
  return pairs;
}
const fault = (cause: number, tval: number) => [String(cause), hex(tval)];

/** Writes each (csr, value), reads the CSR back and stores what it read at s2, s2 + 4, ... */
function writeThenRead(ops: [string, number][]): string {
  return ops.map(([name, value]) => `
  li t1, ${value | 0}
  csrw ${name}, t1
  csrr t2, ${name}
  sw t2, 0(s2)
  addi s2, s2, 4`).join('\n');
}

describe('PMP CSRs (§3.7.1): WARL fields', () => {
  it('pmpcfg keeps A, L, X, W, R; reserved bits read 0; W without R reads W = 0; pmpaddr keeps 32 bits', async () => {
    const ops: [string, number][] = [
      // bytes 0x62, 0x7F, 0x0E, 0x13 → 0x00 (bits 6:5 cleared, then W without R cleared),
      // 0x1F (NAPOT RWX), 0x0C (TOR X: W without R cleared), 0x13 (NA4 W R).
      ['pmpcfg0', 0x130E_7F62],
      ['pmpcfg1', 0x0101_0203], // bytes W R, W alone (→ 0), R, R
      ['pmpaddr0', -1],
      ['pmpaddr7', 0x1234_5678],
      ['pmpaddr15', 0x8000_0001],
      ['pmpcfg4', -1], ['pmpcfg15', -1], ['pmpaddr16', -1], ['pmpaddr63', -1], // not implemented: 0
      ['pmpcfg3', -1], // every field set: L, A = NAPOT, X, W, R in each byte
    ];
    const ran = await runFor(program('  la s2, results', writeThenRead(ops) + FINISH, `results: .space ${4 * ops.length}, 0xEE`), 500);
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    const expected = [0x130C_1F00, 0x0101_0003, 0xFFFF_FFFF, 0x1234_5678, 0x8000_0001, 0, 0, 0, 0, 0x9F9F_9F9F];
    expect(words(ran.machine, ran.sym('results'), ops.length).map(hex)).toEqual(expected.map(hex));
  });

  it('locked entries ignore writes to their pmpcfg byte and pmpaddr; a locked TOR entry also locks the pmpaddr below', async () => {
    // Entry 1: L | TOR | R over [0x2000_0000, 0x2000_1000); entry 3: L | NA4 at 0x2000_2000
    // (outside RAM, so the M-mode program itself is not affected).
    const setup = `
  li t0, 0x08000000
  csrw pmpaddr0, t0
  li t0, 0x08000400
  csrw pmpaddr1, t0
  li t0, 0x08000800
  csrw pmpaddr3, t0
  li t0, 0x90008900
  csrw pmpcfg0, t0
  li t0, -1
  csrw pmpaddr0, t0
  csrw pmpaddr1, t0
  csrw pmpaddr2, t0
  csrw pmpaddr3, t0
  li t0, 0x1F
  csrw pmpcfg0, t0
  la s2, results
${['pmpaddr0', 'pmpaddr1', 'pmpaddr2', 'pmpaddr3', 'pmpcfg0'].map((n) => `  csrr t2, ${n}\n  sw t2, 0(s2)\n  addi s2, s2, 4`).join('\n')}
`;
    const ran = await runFor(program(setup, FINISH, 'results: .space 20, 0xEE'), 500);
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    // pmpaddr0 (below the locked TOR entry 1) and pmpaddr1, pmpaddr3 (locked) keep their
    // values; pmpaddr2 is below a locked NA4 entry, which does not lock it. In pmpcfg0 only
    // the unlocked bytes 0 and 2 change (to 0x1F and 0).
    expect(words(ran.machine, ran.sym('results'), 5).map(hex)).toEqual(
      [0x0800_0000, 0x0800_0400, 0xFFFF_FFFF, 0x0800_0800, 0x9000_891F].map(hex),
    );
  });
});

/**
 * U-mode accesses to `area` (64 bytes, 64-aligned) under
 *   entry 0: NA4 at area, no permissions;
 *   entry 1: TOR [area, area + 16), R;
 *   entry 2: NAPOT [area, area + 64), R W;
 *   entry 15: NAPOT over everything (pmpaddr all ones), R W X.
 */
const MATCHING = program(`
  la t2, area
  srli t2, t2, 2
  csrw pmpaddr0, t2
  addi t0, t2, 4
  csrw pmpaddr1, t0
  ori t0, t2, 0b111
  csrw pmpaddr2, t0
  li t0, -1
  csrw pmpaddr15, t0
  li t0, 0x1B0910
  csrw pmpcfg0, t0
  li t0, 0x1F000000
  csrw pmpcfg3, t0
`, `${TO_USER('user')}
user:
  la a0, area
  la a1, out
  lw a2, 0(a0)
  lw a2, 4(a0)
  sw a2, 0(a1)
  sw a2, 4(a0)
  lw a2, 16(a0)
  sw a2, 4(a1)
  li a3, 0x5A5A
  sw a3, 16(a0)
  addi a4, a0, 32
  jalr ra, 0(a4)
  lb a2, 3(a0)
  sw a3, 60(a0)
  lw a2, 64(a0)
  sw a2, 8(a1)
  ecall
`, `
  .align 6
area: .word 0xA0, 0xA4, 0xA8, 0xAC, 0xB0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
after: .word 0xC0
`);

describe('PMP address matching and priority (§3.7.1.1), U-mode', () => {
  const check = async (setup: RunSetup, modules: number) => {
    const ran = await runFor(MATCHING, 2000, setup);
    const { machine } = ran;
    expect(machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(machine.events.filter((e) => e.kind !== 'halt' && e.kind !== 'inject')).toEqual([]);
    const area = ran.sym('area');
    for (let m = 0; m < modules; m++) {
      expect(faults(ran, m), `module ${m}`).toEqual([
        fault(CAUSE.LOAD_ACCESS, area), // entry 0 (NA4, no R) matches before entries 1, 2, 15
        fault(CAUSE.STORE_ACCESS, area + 4), // entry 1 (TOR, R only)
        fault(CAUSE.FETCH_ACCESS, area + 32), // entry 2 (NAPOT, no X)
        fault(CAUSE.LOAD_ACCESS, area + 3), // last byte of entry 0
      ]);
    }
    // Loaded: area + 4 (entry 1), area + 16 (entry 2), area + 64 (entry 15, past the NAPOT 64 bytes).
    expect(words(machine, ran.sym('out'), 3).map(hex)).toEqual([0xA4, 0xB0, 0xC0].map(hex));
    // Stored: area + 16 and area + 60 (entry 2, W); area + 4 kept its value.
    expect(words(machine, area, 16).map(hex)).toEqual(
      [0xA0, 0xA4, 0xA8, 0xAC, 0x5A5A, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x5A5A].map(hex),
    );
  };
  it('NA4, TOR and NAPOT entries, the lowest-numbered match deciding', () => check({}, 1));
  it('the same with persistent faults armed (instrumented loop)', () => check(INSTRUMENTED, 1));
  it('dmr: both modules take the same PMP faults, with no divergence', () => check({ topology: 'dmr' }, 2));
  it('tmr: all three modules agree', () => check({ topology: 'tmr' }, 3));
});

describe('PMP default deny for U-mode (§3.7.1)', () => {
  it('with every entry OFF, the first U-mode fetch faults (mcause 1, mtval = mepc = its pc)', async () => {
    const ran = await runFor(`
_start:
  la t0, spin
  csrw mtvec, t0
${TO_USER('user')}
user:
  nop
spin:
  j spin
`, 100);
    const { machine } = ran;
    expect(csr(machine, CSR.mcause)).toBe(CAUSE.FETCH_ACCESS);
    expect(csr(machine, CSR.mtval)).toBe(ran.sym('user'));
    expect(csr(machine, CSR.mepc)).toBe(ran.sym('user'));
    expect(machine.privilege(0)).toBe(PRIV.M);
    expect(csr(machine, CSR.mstatus) & MSTATUS.MPP).toBe(PRIV.U);
    expect(machine.pc(0)).toBe(ran.sym('spin'));
  });

  it('a U-mode load or store that no entry matches faults; TOR excludes its top address', async () => {
    // Entry 0: TOR [0, data), R W X: the code and everything below data.
    const ran = await runFor(program(`
  la t0, data
  srli t0, t0, 2
  csrw pmpaddr0, t0
  li t0, 0x0F
  csrw pmpcfg0, t0
`, `${TO_USER('user')}
user:
  la a0, data
  lw a2, -4(a0)
  lw a3, 0(a0)
  sw a2, 4(a0)
  ecall
`, `
  .align 4
  .word 0x1234
data: .word 0x77, 0x88
`), 200);
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    const data = ran.sym('data');
    expect(faults(ran)).toEqual([fault(CAUSE.LOAD_ACCESS, data), fault(CAUSE.STORE_ACCESS, data + 4)]);
    expect(ran.machine.reg(0, 12)).toBe(0x1234); // a2: the word below data, inside the entry
    expect(words(ran.machine, data, 2).map(hex)).toEqual([0x77, 0x88].map(hex));
  });
});

describe('an entry over all of memory', () => {
  it('R W X opens everything to U-mode (the set-up QEMU firmware uses); without X, a U-mode fetch faults', async () => {
    // Entry 0: NAPOT with pmpaddr all ones; pmpcfg0 0x1F (R W X), then 0x1B (R W).
    const run = (cfg: number) => runFor(program(`
  li t0, -1
  csrw pmpaddr0, t0
  li t0, ${cfg}
  csrw pmpcfg0, t0
`, `${TO_USER('user')}
user:
  la a0, out
  li a2, 0x55
  sw a2, 0(a0)
  lw a3, 0(a0)
  ecall
`), 500);
    const open = await run(0x1F);
    expect(open.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(faults(open)).toEqual([]);
    expect(open.machine.reg(0, 13)).toBe(0x55);
    const noExecute = await run(0x1B);
    expect(faults(noExecute).slice(0, 1)).toEqual([fault(CAUSE.FETCH_ACCESS, noExecute.sym('user'))]);
  });

  it('a pmpaddr write that narrows it applies from the next access (MPRV loads and stores as U-mode)', async () => {
    // Entry 0 opens everything; MPRV = 1 with MPP = U; then pmpaddr0 = word / 4 (bit 0 clear,
    // word being 8-aligned): NAPOT over the 8 bytes at word only.
    const ran = await runFor(program(`
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1F
  csrw pmpcfg0, t0
`, `
  la a0, word
  la a1, word2
  li t0, ${MSTATUS.MPRV}
  csrw mstatus, t0
  lw a2, 0(a1)
  srli t0, a0, 2
  csrw pmpaddr0, t0
  lw a3, 0(a0)
  lw a4, 0(a1)
  csrw mstatus, zero
${FINISH}
`, `
  .align 3
word: .word 0x11, 0
word2: .word 0x22
`), 500);
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(faults(ran)).toEqual([fault(CAUSE.LOAD_ACCESS, ran.sym('word2'))]);
    expect([ran.machine.reg(0, 12), ran.machine.reg(0, 13), ran.machine.reg(0, 14)]).toEqual([0x22, 0x11, 0]);
  });
});

describe('PMP and M-mode (§3.7.1.2)', () => {
  it('an unlocked entry does not restrict M-mode; a locked one does, for loads, stores and fetches', async () => {
    // Entry 0: NA4 at word, no permissions; entry 1: NA4 at word2, R; entry 2: NA4 at mfunc, R.
    const ran = await runFor(program(`
  la t0, word
  srli t0, t0, 2
  csrw pmpaddr0, t0
  la t0, word2
  srli t0, t0, 2
  csrw pmpaddr1, t0
  la t0, mfunc
  srli t0, t0, 2
  csrw pmpaddr2, t0
  li t0, 0x10
  csrw pmpcfg0, t0
`, `
  la a0, word
  la a1, out
  lw a2, 0(a0)
  sw a2, 0(a1)
  li a3, 0x66
  sw a3, 0(a0)
  li t0, 0x919190
  csrw pmpcfg0, t0
  lw a2, 0(a0)
  sw a3, 0(a0)
  la a0, word2
  lw a2, 0(a0)
  sw a2, 4(a1)
  sw a3, 0(a0)
  jal ra, mfunc
${FINISH}
mfunc:
  ret
`, `
word: .word 0x11
word2: .word 0x22
`), 500);
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    const word = ran.sym('word');
    const word2 = ran.sym('word2');
    expect(faults(ran)).toEqual([
      fault(CAUSE.LOAD_ACCESS, word), fault(CAUSE.STORE_ACCESS, word),
      fault(CAUSE.STORE_ACCESS, word2), fault(CAUSE.FETCH_ACCESS, ran.sym('mfunc')),
    ]);
    // Before the lock: the load read 0x11, the store wrote 0x66. Locked: word2 readable only.
    expect(words(ran.machine, ran.sym('out'), 2).map(hex)).toEqual([0x11, 0x22].map(hex));
    expect(words(ran.machine, word, 2).map(hex)).toEqual([0x66, 0x22].map(hex));
  });

  it('with mstatus.MPRV = 1 and MPP = U, M-mode loads and stores are checked as U-mode ones; fetches are not', async () => {
    // Entry 0: NA4 at word, R. Nothing covers the code, which M-mode fetches regardless.
    const ran = await runFor(program(`
  la t0, word
  srli t0, t0, 2
  csrw pmpaddr0, t0
  li t0, 0x11
  csrw pmpcfg0, t0
`, `
  la a0, word
  la a1, word2
  li t0, ${MSTATUS.MPRV}
  csrw mstatus, t0
  lw a2, 0(a0)
  sw a2, 0(a0)
  lw a3, 0(a1)
  li t0, ${MSTATUS.MPP}
  csrs mstatus, t0
  lw a4, 0(a1)
${FINISH}
`, `
word: .word 0x11
word2: .word 0x22
`), 500);
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    // The handler's own accesses run with MPP = M (trap entry), and its mret sets MPP = U again.
    expect(faults(ran)).toEqual([fault(CAUSE.STORE_ACCESS, ran.sym('word')), fault(CAUSE.LOAD_ACCESS, ran.sym('word2'))]);
    expect(ran.machine.reg(0, 12)).toBe(0x11); // a2: allowed by entry 0's R
    expect(ran.machine.reg(0, 13)).toBe(0); // a3: the load faulted
    expect(ran.machine.reg(0, 14)).toBe(0x22); // a4: MPP = M, no check
    expect(ran.machine.privilege(0)).toBe(PRIV.M);
  });
});

describe('an access that straddles an entry boundary (§3.7.1.1: all bytes must match one entry)', () => {
  // Entry 0: NA4 at pair + 4, R; entry 15: everything, R W X.
  const setup = `
  la t0, pair
  srli t0, t0, 2
  addi t0, t0, 1
  csrw pmpaddr0, t0
  li t0, 0x11
  csrw pmpcfg0, t0
  li t0, -1
  csrw pmpaddr15, t0
  li t0, 0x1F000000
  csrw pmpcfg3, t0
`;
  const data = `
  .align 3
pair: .word 0x03020100, 0x07060504, 0x0B0A0908
`;
  it('U-mode: a misaligned access partly in entry 0 fails though entry 15 covers it all', async () => {
    const ran = await runFor(program(setup, `${TO_USER('user')}
user:
  la a0, pair
  lw a2, 2(a0)
  lw a2, 6(a0)
  lh a3, 5(a0)
  sh a3, 5(a0)
  lw a4, 8(a0)
  ecall
`, data), 500);
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    const pair = ran.sym('pair');
    expect(faults(ran)).toEqual([
      fault(CAUSE.LOAD_ACCESS, pair + 2), fault(CAUSE.LOAD_ACCESS, pair + 6), fault(CAUSE.STORE_ACCESS, pair + 5),
    ]);
    expect(ran.machine.reg(0, 12)).toBe(0); // a2: both loads faulted
    expect(ran.machine.reg(0, 13)).toBe(0x0605); // a3: bytes pair + 5, + 6, all in entry 0
    expect(ran.machine.reg(0, 14)).toBe(0x0B0A_0908);
  });

  // PMP decides before the access reads memory: a denied access faults (§3.7.1), it never
  // reads the word, so an ECC error there is not found (the module announces nothing).
  it('U-mode: a denied misaligned load or store over an ECC-poisoned word is an access fault, not an announced error', async () => {
    const body = `${TO_USER('user')}
user:
  la a0, pair
  lw a2, 2(a0)
  li a3, 0x5A5A
  sh a3, 5(a0)
  ecall
`;
    const pair = (await runFor(program(setup, body, data), 500)).sym('pair');
    const ran = await runFor(program(setup, body, data), 500, { faults: [`at=0,module=0,kind=ecc,target=mem:${hex(pair + 4)},bit=3`] });
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(faults(ran)).toEqual([fault(CAUSE.LOAD_ACCESS, pair + 2), fault(CAUSE.STORE_ACCESS, pair + 5)]);
    expect(ran.machine.events.filter((e) => e.kind === 'error' || e.kind === 'failstop')).toEqual([]);
  });

  it('M-mode: it fails too, although entry 0 is not locked', async () => {
    const ran = await runFor(program(setup, `
  la a0, pair
  lw a2, 2(a0)
  lw a3, 4(a0)
${FINISH}
`, data), 500);
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(faults(ran)).toEqual([fault(CAUSE.LOAD_ACCESS, ran.sym('pair') + 2)]);
    expect(ran.machine.reg(0, 13)).toBe(0x0706_0504);
  });
});

describe('PMP CSRs from U-mode', () => {
  it('are M-mode CSRs: csrr pmpaddr0 in U-mode is an illegal instruction', async () => {
    const ran = await runFor(program(`
  li t0, -1
  csrw pmpaddr0, t0
  li t0, 0x1F
  csrw pmpcfg0, t0
`, `${TO_USER('user')}
user:
  csrr a2, pmpaddr0
  ecall
`), 200);
    expect(ran.machine.halt).toMatchObject({ reason: 'exit', exitCode: 0 });
    expect(faults(ran)).toEqual([fault(CAUSE.ILLEGAL, 0x3B00_2673)]); // csrrs a2, pmpaddr0, x0
  });
});
