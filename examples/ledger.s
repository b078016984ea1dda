# A tiny bank ledger: applies 16 transactions (deposits and withdrawals, in cents) to an
# account and prints the balance after each, as decimal, on the console UART. Exits with
# status 0 through an ecall. Used by `lockstep demo` and the examples in the browser.
        .text
        .globl _start
_start:
        la      s0, transactions
        li      s1, 16              # transactions to apply
        li      s2, 100000          # opening balance: 1000.00
        li      s3, 0x10000000      # UART
next:   lw      t0, 0(s0)           # amount (signed cents)
        add     s2, s2, t0          # the balance: the value a fault must not corrupt
        mv      a0, s2
        call    print_cents
        addi    s0, s0, 4
        addi    s1, s1, -1
        bnez    s1, next
        li      a0, 0
        li      a7, 93              # exit(0)
        ecall

# print_cents(a0): prints a0/100 "." a0%100 and a newline (a0 ≥ 0).
print_cents:
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
        sb      t6, 0(s3)
        bne     t4, sp, 2b
        li      t6, '.'
        sb      t6, 0(s3)
        divu    t6, t3, t5
        addi    t6, t6, '0'
        sb      t6, 0(s3)
        remu    t6, t3, t5
        addi    t6, t6, '0'
        sb      t6, 0(s3)
        li      t6, '\n'
        sb      t6, 0(s3)
        addi    sp, sp, 16
        ret

        .data
transactions:
        .word   2500, -1200, 30000, -4599, 125, -80000, 999, 1
        .word   -1, 45000, -250, 7777, -3333, 100, -10000, 12345
