# The campaign benchmark (lockstep bench --workload campaign): examples/checksum.s with 264
# passes instead of 8, about 1,000,000 instructions. Fills a 1 KiB table, mixes it in each
# pass with loads, stores, multiplies and branches, and prints the pass's checksum as 8 hex
# digits and a newline on the UART; exits through the test finisher with code 0.
        .text
        .globl _start
_start:
        la      s0, table
        li      s1, 256             # words in the table
        li      s2, 0               # pass
        li      s3, 0x10000000      # UART
        li      t0, 0
        li      t1, 0x9E3779B9
fill:   slli    t2, t0, 2
        add     t2, s0, t2
        mul     t3, t0, t1
        sw      t3, 0(t2)
        addi    t0, t0, 1
        blt     t0, s1, fill
pass:   li      t0, 0
        li      a0, 0               # checksum
mix:    slli    t2, t0, 2
        add     t2, s0, t2
        lw      t3, 0(t2)
        xor     t3, t3, a0
        slli    t4, t3, 5
        srli    t5, t3, 27
        or      t3, t4, t5
        addi    t3, t3, 17
        sw      t3, 0(t2)
        add     a0, a0, t3
        andi    t4, t3, 1
        beqz    t4, 1f
        xori    a0, a0, 0x55
1:      addi    t0, t0, 1
        blt     t0, s1, mix
        # print a0 as 8 hex digits
        li      t0, 28
hex:    srl     t1, a0, t0
        andi    t1, t1, 15
        li      t2, 10
        blt     t1, t2, 2f
        addi    t1, t1, 87          # 'a' - 10
        j       3f
2:      addi    t1, t1, 48          # '0'
3:      sb      t1, 0(s3)
        addi    t0, t0, -4
        bgez    t0, hex
        li      t1, 10
        sb      t1, 0(s3)
        addi    s2, s2, 1
        li      t0, 264
        blt     s2, t0, pass
        li      t0, 0x00100000      # test finisher: pass
        li      t1, 0x5555
        sw      t1, 0(t0)
4:      j       4b

        .data
        .align  4
table:  .zero   1024
