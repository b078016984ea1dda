# Integer and branch mix: a linear congruential generator feeding shifts, multiplies,
# divisions and data-dependent branches, 6 million turns of 19 or 20 instructions: about
# 120 million instructions. Prints the accumulator y as 8 hex digits and a newline on the
# UART and exits with status 0.
        .text
        .globl _start
_start:
        li      s0, 6000000         # iterations
        li      s1, 12345           # x: generator state
        li      s2, 0               # y: accumulator
        li      s3, 1103515245      # multiplier
        li      s4, 7
        li      s5, 0               # i
loop:
        mul     s1, s1, s3
        addi    s1, s1, 1234
        srli    t0, s1, 7
        xor     s2, s2, t0
        andi    t1, s1, 1
        beqz    t1, even
        add     s2, s2, s5
        j       next
even:
        sub     s2, s2, s5
next:
        remu    t2, s2, s4
        slli    t2, t2, 3
        or      s2, s2, t2
        sltu    t3, s2, s1
        add     s2, s2, t3
        divu    t4, s1, s4
        xor     s2, s2, t4
        srai    t5, s2, 3
        and     t5, t5, s1
        add     s2, s2, t5
        addi    s5, s5, 1
        blt     s5, s0, loop
        li      t0, 0x10000000      # UART
        li      t1, 28              # print y as 8 hex digits, most significant first
hex:    srl     t2, s2, t1
        andi    t2, t2, 15
        li      t3, 10
        blt     t2, t3, 1f
        addi    t2, t2, 87          # 'a' - 10
        j       2f
1:      addi    t2, t2, 48          # '0'
2:      sb      t2, 0(t0)
        addi    t1, t1, -4
        bgez    t1, hex
        li      t2, 10              # newline
        sb      t2, 0(t0)
        li      a0, 0
        li      a7, 93
        ecall
