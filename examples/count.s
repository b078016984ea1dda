# Counts from 1 to 20 on the console, one number a line, with a delay loop between lines
# so that there is time to watch the modules in lockstep and to break one of them.
# About 400,000 instructions; exits through the test finisher with code 0.
        .text
        .globl _start
_start:
        li      s0, 0               # the count
        li      s1, 20              # last number
        li      s2, 0x10000000      # UART transmit holding register
        li      s3, 10
next:   addi    s0, s0, 1
        divu    t0, s0, s3          # tens digit
        remu    t1, s0, s3          # ones digit
        beqz    t0, ones
        addi    t0, t0, 48          # '0'
        sb      t0, 0(s2)
ones:   addi    t1, t1, 48
        sb      t1, 0(s2)
        sb      s3, 0(s2)           # newline (10)
        li      t2, 10000           # delay: 2 instructions per turn
delay:  addi    t2, t2, -1
        bnez    t2, delay
        blt     s0, s1, next
        li      t0, 0x00100000      # test finisher: pass
        li      t1, 0x5555
        sw      t1, 0(t0)
halt:   j       halt
