# vote.s: three copies of an account balance (in cents), as three modules of a TMR machine
# would hold it, voted into one and printed. The voter is yours to write.
#
# The copies are loaded into a0, a1 and a2 (instructions 0 to 4); instruction 5 calls vote.
# A fault may flip bits in any one copy — or in two copies, at different bits — before the
# call. vote must return in a0 the value most copies agree on, bit by bit.
        .text
        .globl  _start
_start:
        la      t0, copies
        lw      a0, 0(t0)
        lw      a1, 4(t0)
        lw      a2, 8(t0)
        call    vote
        call    print_cents
        li      a0, 0
        li      a7, 93              # exit(0)
        ecall

# vote(a0, a1, a2) -> a0: each bit of the result is the value that bit has in at least two
# of the three copies. May clobber t0..t6, a1, a2.
vote:
        # Write the voter here. As it stands it trusts the first copy.
        ret

# print_cents(a0): prints a0/100 "." a0%100 and a newline (a0 ≥ 0) on the console UART.
print_cents:
        li      t0, 0x10000000      # UART
        li      t1, 100
        divu    t2, a0, t1          # units
        remu    t3, a0, t1          # cents
        addi    sp, sp, -16
        mv      t4, sp              # digits of the units, least significant first
        li      t5, 10
1:      remu    t6, t2, t5
        addi    t6, t6, '0'
        sb      t6, 0(t4)
        addi    t4, t4, 1
        divu    t2, t2, t5
        bnez    t2, 1b
2:      addi    t4, t4, -1          # print them most significant first
        lbu     t6, 0(t4)
        sb      t6, 0(t0)
        bne     t4, sp, 2b
        li      t6, '.'
        sb      t6, 0(t0)
        divu    t6, t3, t5
        addi    t6, t6, '0'
        sb      t6, 0(t0)
        remu    t6, t3, t5
        addi    t6, t6, '0'
        sb      t6, 0(t0)
        li      t6, '\n'
        sb      t6, 0(t0)
        addi    sp, sp, 16
        ret

        .data
copies: .word   99464, 99464, 99464
