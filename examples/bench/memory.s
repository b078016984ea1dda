# Memory-heavy: passes over a 256 KiB array of words with loads, stores and byte
# accesses (a smoothing filter and a byte histogram). About 108 million instructions.
# Prints the histogram's checksum as 8 hex digits and a newline on the UART and exits
# with status 0.
        .text
        .globl _start
_start:
        la      s0, array
        li      s1, 65536           # words in the array
        # fill: a[i] = i * 2654435761
        li      t0, 0
        li      t2, 0x9E3779B1
        mv      t3, s0
fill:
        mul     t1, t0, t2
        sw      t1, 0(t3)
        addi    t3, t3, 4
        addi    t0, t0, 1
        blt     t0, s1, fill
        li      s2, 150             # passes
pass:
        # smoothing: a[i] = (a[i-1] + a[i+1]) >> 1 ^ a[i]
        addi    t3, s0, 4
        slli    t4, s1, 2
        add     t4, s0, t4
        addi    t4, t4, -4
smooth:
        lw      t0, -4(t3)
        lw      t1, 4(t3)
        lw      t5, 0(t3)
        add     t0, t0, t1
        srli    t0, t0, 1
        xor     t0, t0, t5
        sw      t0, 0(t3)
        addi    t3, t3, 4
        bltu    t3, t4, smooth
        # byte histogram of the first 16 KiB into 256 counters
        la      t6, histogram
        mv      t3, s0
        li      t5, 16384
        add     t5, s0, t5
bytes:
        lbu     t0, 0(t3)
        slli    t0, t0, 2
        add     t0, t6, t0
        lw      t1, 0(t0)
        addi    t1, t1, 1
        sw      t1, 0(t0)
        addi    t3, t3, 1
        bltu    t3, t5, bytes
        addi    s2, s2, -1
        bnez    s2, pass
        # checksum of the histogram
        la      t6, histogram
        li      t0, 0
        li      a0, 0
sum:
        slli    t1, t0, 2
        add     t1, t6, t1
        lw      t1, 0(t1)
        mul     t1, t1, t0
        add     a0, a0, t1
        addi    t0, t0, 1
        li      t2, 256
        blt     t0, t2, sum
        li      t0, 0x10000000      # UART
        li      t1, 28              # print the checksum as 8 hex digits, most significant first
hex:    srl     t2, a0, t1
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

        .bss
        .align  4
histogram:
        .zero   1024
array:
        .zero   262144
