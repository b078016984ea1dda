# card-auth as the primary process of a NonStop process pair: the card issuer's authorisation
# host of examples/card-auth.s (the same accounts, rules and answers; its reference model is
# src/transactions/workloads/card-auth.ts), about to be made pair-aware. Nothing reaches
# the backup unless the program sends it through the checkpoint device:
#
#   CKPT_ADDR  +0x00  guest address of a range of RAM to send
#   CKPT_LEN   +0x04  its length in bytes
#   CKPT_SEND  +0x08  any write sends the range, the registers and CSRs (the pc is the next
#                     instruction's), and acknowledges every record consumed (RX_POP) so far
#   CKPT_COUNT +0x0C  checkpoints accepted so far
#   CKPT_STATUS +0x10 0: the last send was accepted; 1: its range lay outside RAM
#
# A backup that takes over restores the last checkpoint: the ranges sent, and the registers,
# so it goes on from the instruction after that CKPT_SEND. Records consumed after it are
# delivered again if they were not answered, and lost if they were.
#
# `checkpoint` below sends a range. YOUR TASK: call it where the TODO comments say, so that
# a kill of the primary loses nothing.
#
        .equ    ACCOUNTS, 4096
        .equ    MAX_AMOUNT, 10000000        # cents
        .equ    BALANCE_FLOOR, -0x40000000  # cents, -2^30

        .equ    OP_AUTHORISE, 0
        .equ    OP_CHECK, 1
        .equ    OP_REFUND, 2

        .equ    APPROVED, 0
        .equ    DECLINED, 1
        .equ    UNKNOWN_ACCOUNT, 2
        .equ    INVALID_AMOUNT, 3
        .equ    INVALID_OP, 4
        .equ    BALANCE_FLOOR_REACHED, 5

# The transaction port (README, memory map): word registers.
        .equ    RX_BASE, 0x10001000
        .equ    RX_COUNT, 0x00              # records waiting
        .equ    RX_ID, 0x04                 # head record's id
        .equ    RX_DATA0, 0x08              # head payload words 0..3 at +0x08 .. +0x14
        .equ    RX_POP, 0x1C                # any write consumes the head record
        .equ    RX_IE, 0x20                 # bit 0: mip.MEIP while records wait
        .equ    TX_BASE, 0x10002000
        .equ    TX_ID, 0x00                 # staging: the id answered
        .equ    TX_DATA0, 0x04              # staging: result words 0..3 at +0x04 .. +0x10
        .equ    TX_SEND, 0x14               # any write emits the staged result
        .equ    CKPT_BASE, 0x10003000       # the checkpoint device (above)
        .equ    CKPT_ADDR, 0x00
        .equ    CKPT_LEN, 0x04
        .equ    CKPT_SEND, 0x08

        .equ    MIE_MEIE, 0x800             # mie bit 11: machine external interrupt
        .equ    MSTATUS_MIE, 0x8
        .equ    MCAUSE_MEI, 0x8000000B      # interrupt, cause 11
        .equ    FINISHER, 0x00100000        # test finisher: (code << 16) | 0x3333 fails

        .text
        .globl  _start
_start:
        call    workload_init
        # TODO: the backup starts with nothing. Send it every account:
        # a4 = accounts, a5 = their size in bytes (16 * ACCOUNTS), then call checkpoint.
        la      t0, trap_handler
        csrw    mtvec, t0
        li      t0, RX_BASE
        li      t1, 1
        sw      t1, RX_IE(t0)
        li      t0, MIE_MEIE
        csrw    mie, t0
        csrsi   mstatus, MSTATUS_MIE
idle:   wfi
        j       idle

# Machine-mode trap handler (mtvec direct). On the port's interrupt: for each waiting record,
# read it, consume it (RX_POP), compute the answer, stage it and send it; then return. The
# interrupted context (the idle loop) is preserved. Any other trap is a program error: stop
# the machine through the test finisher with exit code 1.
trap_handler:
        addi    sp, sp, -64
        sw      ra, 0(sp)
        sw      s0, 4(sp)
        sw      s1, 8(sp)
        sw      s2, 12(sp)
        sw      a0, 16(sp)
        sw      a1, 20(sp)
        sw      a2, 24(sp)
        sw      a3, 28(sp)
        sw      t0, 32(sp)
        sw      t1, 36(sp)
        sw      t2, 40(sp)
        sw      t3, 44(sp)
        sw      t4, 48(sp)
        sw      a4, 52(sp)
        sw      a5, 56(sp)
        csrr    t0, mcause
        li      t1, MCAUSE_MEI
        bne     t0, t1, unexpected_trap
        li      s0, RX_BASE
        li      s1, TX_BASE
next_record:
        lw      t0, RX_COUNT(s0)
        beqz    t0, drained
        lw      s2, RX_ID(s0)
        lw      a0, RX_DATA0(s0)
        lw      a1, RX_DATA0+4(s0)
        lw      a2, RX_DATA0+8(s0)
        lw      a3, RX_DATA0+12(s0)
        sw      zero, RX_POP(s0)
        call    workload_process
        # TODO: before answering, send the backup the account this record changed
        # (workload_process leaves its address in a4 and its length in a5).
        sw      s2, TX_ID(s1)
        sw      a0, TX_DATA0(s1)
        sw      a1, TX_DATA0+4(s1)
        sw      a2, TX_DATA0+8(s1)
        sw      a3, TX_DATA0+12(s1)
        sw      zero, TX_SEND(s1)
        j       next_record
drained:
        lw      ra, 0(sp)
        lw      s0, 4(sp)
        lw      s1, 8(sp)
        lw      s2, 12(sp)
        lw      a0, 16(sp)
        lw      a1, 20(sp)
        lw      a2, 24(sp)
        lw      a3, 28(sp)
        lw      t0, 32(sp)
        lw      t1, 36(sp)
        lw      t2, 40(sp)
        lw      t3, 44(sp)
        lw      t4, 48(sp)
        lw      a4, 52(sp)
        lw      a5, 56(sp)
        addi    sp, sp, 64
        mret
unexpected_trap:
        li      t0, FINISHER
        li      t1, (1 << 16) | 0x3333
        sw      t1, 0(t0)
1:      j       1b

# workload_init(): puts every account in its initial state. Clobbers t0..t6, a0, a1.
workload_init:
        la      t0, accounts
        li      t1, 0                       # i
        li      t2, ACCOUNTS
        li      t3, 7919
        li      t4, 50000
        li      t5, 10
        li      t6, 100000
1:      mul     a0, t1, t3                  # i * 7919 < 2^25: no overflow
        remu    a0, a0, t4
        sw      a0, 0(t0)                   # balance
        remu    a1, t1, t5
        addi    a1, a1, 1
        mul     a1, a1, t6
        sw      a1, 4(t0)                   # limit
        sw      zero, 8(t0)                 # applied
        sw      zero, 12(t0)
        addi    t0, t0, 16
        addi    t1, t1, 1
        bltu    t1, t2, 1b
        ret

# workload_process(a0 = op, a1 = account id, a2 = amount, a3 = ignored)
#   -> a0 = decision, a1 = balance, a2 = limit - balance, a3 = applied (the rules above);
#      a4 = the account's address, a5 = 16 (an unknown account: a5 = 0, nothing to send).
# A leaf routine: clobbers t0..t4 only.
workload_process:
        li      t0, ACCOUNTS
        bgeu    a1, t0, unknown_account
        la      t0, accounts
        slli    t1, a1, 4
        add     t0, t0, t1                  # t0 = the account
        lw      t1, 0(t0)                   # balance
        lw      t2, 4(t0)                   # limit
        lw      t3, 8(t0)                   # applied
        li      t4, OP_REFUND
        bgtu    a0, t4, invalid_op
        li      t4, MAX_AMOUNT
        bgtu    a2, t4, invalid_amount
        li      t4, OP_REFUND
        beq     a0, t4, refund
        sub     t4, t2, t1                  # available credit, >= 0
        bgtu    a2, t4, declined
        li      t4, OP_CHECK
        beq     a0, t4, approved
        add     t1, t1, a2                  # authorise: balance += amount
        j       applied
refund:
        sub     t4, t1, a2                  # balance - amount >= -2^30 - 10^7: no overflow
        li      a1, BALANCE_FLOOR
        blt     t4, a1, below_floor
        mv      t1, t4
applied:
        addi    t3, t3, 1
        sw      t1, 0(t0)
        sw      t3, 8(t0)
approved:
        li      a0, APPROVED
        j       reply
declined:
        li      a0, DECLINED
        j       reply
below_floor:
        li      a0, BALANCE_FLOOR_REACHED
        j       reply
invalid_amount:
        li      a0, INVALID_AMOUNT
        j       reply
invalid_op:
        li      a0, INVALID_OP
reply:  mv      a1, t1
        sub     a2, t2, t1
        mv      a3, t3
        mv      a4, t0
        li      a5, 16
        ret
unknown_account:
        li      a0, UNKNOWN_ACCOUNT
        li      a1, 0
        li      a2, 0
        li      a3, 0
        la      a4, accounts
        li      a5, 0
        ret

# checkpoint(a4 = address, a5 = length in bytes): sends that range of RAM and the registers
# to the backup. Clobbers t0. A backup taking over from this checkpoint resumes at the `ret`.
checkpoint:
        li      t0, CKPT_BASE
        sw      a4, CKPT_ADDR(t0)
        sw      a5, CKPT_LEN(t0)
        sw      zero, CKPT_SEND(t0)
        ret

        .bss
        .align  4
accounts:
        .zero   16 * ACCOUNTS
