/**
 * A tiny transaction workload for the port and ledger tests: "echo". For a record with
 * payload (d0, d1, d2, d3) the result is (d0 + 1, NOT d1, d2 + d3, S) where S is the sum of
 * d0 over every record consumed so far, this one included (mod 2^32): the guest keeps S in
 * register s1, so a fault there corrupts every later result. Each record also costs a delay
 * loop of ECHO_DELAY iterations (two instructions each), so that a high rate overloads it.
 *
 * Two guest programs serve it: one polls RX_COUNT, the other sleeps in wfi and takes the
 * machine external interrupt (RX_IE) and drains the FIFO in its handler. A third polls and
 * keeps S in RAM instead, in the word `sum`, loaded and stored back for each record; a
 * fourth, for a process pair, is that one made pair-aware.
 */
import type { Random } from '../../src/fault/random.ts';
import type { ReferenceModel, Workload, Result } from '../../src/transactions/workloads/workload.ts';

export const ECHO_DELAY = 100;

/** The guest's handling of one record, by the contract's registers (TXPORT.md): pop, then send; `state` adds t2 to S in s1. */
const serve = (state: string) => `
serve:  lw      t1, 4(s0)           # RX_ID
        lw      t2, 8(s0)           # RX_DATA0..3
        lw      t3, 12(s0)
        lw      t4, 16(s0)
        lw      t5, 20(s0)
        sw      zero, 0x1C(s0)      # RX_POP: consumed
        li      t6, ${ECHO_DELAY}
1:      addi    t6, t6, -1
        bnez    t6, 1b
        addi    a0, t2, 1
        not     a1, t3
        add     a2, t4, t5
${state}
        sw      t1, 0(s2)           # TX_ID
        sw      a0, 4(s2)           # TX_DATA0..3
        sw      a1, 8(s2)
        sw      a2, 12(s2)
        sw      s1, 16(s2)
        sw      zero, 20(s2)        # TX_SEND
        ret
`;

const PORTS = `
        li      s0, 0x10001000      # input port
        li      s2, 0x10002000      # output port
        li      s1, 0
`;

const SERVE = serve(`
        add     s1, s1, t2          # the state: sum of word 0`);

export const ECHO_POLLING = `
        .text
        .globl _start
_start:
${PORTS}
poll:   lw      t0, 0(s0)           # RX_COUNT
        beqz    t0, poll
        call    serve
        j       poll
${SERVE}`;

/** ECHO_POLLING with S in the RAM word `sum` (alone in its page). */
export const ECHO_POLLING_RAM = `${ECHO_POLLING.replace(SERVE, serve(`
        la      t0, sum             # the state: sum of word 0, in RAM
        lw      s1, 0(t0)
        add     s1, s1, t2
        sw      s1, 0(t0)`))}
        .data
        .balign 4096
sum:    .word   0
`;

/**
 * ECHO_POLLING_RAM made pair-aware (card-auth-pair.s's scheme): after storing S into `sum`
 * and before the answer's TX_SEND, it checkpoints `sum` (4 bytes) and its context through
 * the checkpoint device, which acknowledges the record it consumed. Labels: `stored` is the
 * instruction after the store of `sum`, `sent` the CKPT_SEND store; nothing between them
 * reads or writes `sum`, so a checkpoint is the first to read what that store left.
 */
export const ECHO_PAIR_RAM = `${ECHO_POLLING.replace(SERVE, serve(`
        la      t0, sum             # the state: sum of word 0, in RAM
        lw      s1, 0(t0)
        add     s1, s1, t2
        sw      s1, 0(t0)
stored: li      t6, 0x10003000      # the checkpoint device
        sw      t0, 0(t6)           # CKPT_ADDR: sum
        li      t2, 4
        sw      t2, 4(t6)           # CKPT_LEN
sent:   sw      zero, 8(t6)         # CKPT_SEND: sum, the context, and the record consumed`))}
        .data
        .balign 4096
sum:    .word   0
`;

export const ECHO_WFI = `
        .text
        .globl _start
_start:
        la      t0, handler
        csrw    mtvec, t0
${PORTS}
        li      t0, 1
        sw      t0, 0x20(s0)        # RX_IE
        li      t0, 0x800
        csrs    mie, t0             # MEIE
        csrsi   mstatus, 8          # MIE
idle:   wfi
        j       idle

handler:
        lw      t0, 0(s0)           # RX_COUNT
        beqz    t0, 2f
        call    serve
        j       handler
2:      mret
${SERVE}`;

export class EchoModel implements ReferenceModel {
  private sum = 0;
  apply(p: readonly [number, number, number, number]): Result {
    this.sum = (this.sum + p[0]) >>> 0;
    return [(p[0] + 1) >>> 0, ~p[1] >>> 0, (p[2] + p[3]) >>> 0, this.sum];
  }
}

export const echoWorkload: Workload = {
  name: 'echo',
  source: 'echo.s',
  arrivals: { kind: 'poisson' },
  payload: (random: Random): Result => [random.nextU32(), random.nextU32(), random.nextU32(), random.nextU32()],
  createModel: () => new EchoModel(),
  applicationChanges: 'none',
};

/** echo with a deadline (as process-control has), for the deadline-miss count. */
export function echoWithDeadline(deadlineUs: number): Workload {
  return { ...echoWorkload, deadlineUs };
}
