# process-control-pair: process-control (process-control.s) rewritten Tandem style, as the
# primary process of a NonStop process pair. The same controller with the same answers (the
# reference model is src/transactions/workloads/process-control.ts); the program also
# checkpoints its state to its backup through the checkpoint device (README, "The
# checkpoint device"). What changed:
#   - after workload_init, one checkpoint of the controller's state: the backup's start;
#   - for each sample, after workload_process has updated the state (the integral and the
#     previous error, 8 bytes) and before the command is sent (TX_SEND), a checkpoint of the
#     state. It carries the state and the context (the id in s2, the answer in a0..a3), and
#     acknowledges the sample, consumed (RX_POP) before it.
# So CKPT_COUNT = 1 + the samples answered (+ 1 while a sample is between its checkpoint and
# its TX_SEND). A backup that takes over from the last checkpoint resumes right before the
# TX_SEND of the sample it acknowledged, with the state as that checkpoint left it: the
# samples after it are not acknowledged, and are delivered again. Each send names its range,
# so nothing depends on the device's registers across a takeover.
#
# One loop of a digital controller: a sensor sample arrives every 1000 µs of virtual time;
# each is answered with the actuator command of one PID step, which is due before the next
# sample.
#
# The program polls the input port and sleeps in `wfi` between samples, with no trap
# handler: the port's interrupt is enabled in mie (RX_IE, mie.MEIE) but masked globally
# (mstatus.MIE = 0), so a waiting record ends the wfi (RISC-V privileged spec §3.3.3) and
# the loop goes on to poll RX_COUNT; no trap is taken. Without the wfi it is a plain
# polling loop with the same results.
#
# Fixed point: signals are Q16.16 signed words (value / 2^16), gains Q8.8 (value / 2^8).
#   mulq(k, x)   = sat32(floor((k * x + 2^7) / 2^8))  exact 64-bit product, rounded half up
#   satadd(a, b) = sat32(a + b)                       exact sum, saturated
#   sat32(v)     = min(max(v, -2^31), 2^31 - 1)
# One step, for payload (RX_DATA0..3) measurement, setpoint, ignored, ignored:
#   pv = clamp(measurement, INPUT_MIN, INPUT_MAX);  sp = clamp(setpoint, INPUT_MIN, INPUT_MAX)
#   e = sp - pv                                         |e| < 2^30
#   integral = clamp(satadd(integral, mulq(KI, e)), -INTEGRAL_MAX, INTEGRAL_MAX)
#   d = mulq(KD, e - previous_error)                    |e - previous_error| < 2^31
#   raw = satadd(satadd(mulq(KP, e), integral), d)
#   command = clamp(raw, COMMAND_MIN, COMMAND_MAX);  previous_error = e
# Result (TX_DATA0..3): command, e, integral, flags (bit 0: raw > COMMAND_MAX, bit 1:
# raw < COMMAND_MIN, bit 2: the integral was clamped). The state starts at zero.

        .equ    KP, 704                     # 2.75 in Q8.8
        .equ    KI, 48                      # 0.1875
        .equ    KD, 160                     # 0.625
        .equ    INPUT_MIN, -0x20000000      # -8192.0 in Q16.16
        .equ    INPUT_MAX, 0x1FFFFFFF       #  8192.0 - 2^-16
        .equ    INTEGRAL_MAX, 50 << 16      #  50.0
        .equ    COMMAND_MIN, -(100 << 16)   # -100.0
        .equ    COMMAND_MAX, 100 << 16      #  100.0

        .equ    STATE_INTEGRAL, 0           # state: the integral, Q16.16
        .equ    STATE_PREVIOUS_ERROR, 4     # state: the previous step's e, Q16.16

        .equ    SATURATED_HIGH, 1
        .equ    SATURATED_LOW, 2
        .equ    INTEGRAL_CLAMPED, 4

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
# The checkpoint device (README, memory map): word registers.
        .equ    CKPT_BASE, 0x10003000
        .equ    CKPT_ADDR, 0x00             # guest address of the range to send
        .equ    CKPT_LEN, 0x04              # its length, bytes
        .equ    CKPT_SEND, 0x08             # any write sends the range and the context

        .equ    MIE_MEIE, 0x800             # mie bit 11: machine external interrupt

        .text
        .globl  _start
_start:
        call    workload_init
        li      s0, RX_BASE
        li      s1, TX_BASE
        li      s3, CKPT_BASE
        la      s4, state                   # the range of every checkpoint: the state
        li      s5, 8
        sw      s4, CKPT_ADDR(s3)           # the backup starts from the initial state
        sw      s5, CKPT_LEN(s3)
        sw      zero, CKPT_SEND(s3)
        li      t0, 1
        sw      t0, RX_IE(s0)
        li      t0, MIE_MEIE
        csrw    mie, t0                     # wakes wfi; mstatus.MIE stays 0
poll:   lw      t0, RX_COUNT(s0)
        bnez    t0, sample
        wfi
        j       poll
sample: lw      s2, RX_ID(s0)
        lw      a0, RX_DATA0(s0)
        lw      a1, RX_DATA0+4(s0)
        lw      a2, RX_DATA0+8(s0)
        lw      a3, RX_DATA0+12(s0)
        sw      zero, RX_POP(s0)
        call    workload_process
        sw      s4, CKPT_ADDR(s3)           # the state, and the sample acknowledged
        sw      s5, CKPT_LEN(s3)
        sw      zero, CKPT_SEND(s3)
        sw      s2, TX_ID(s1)
        sw      a0, TX_DATA0(s1)
        sw      a1, TX_DATA0+4(s1)
        sw      a2, TX_DATA0+8(s1)
        sw      a3, TX_DATA0+12(s1)
        sw      zero, TX_SEND(s1)
        j       poll

# workload_init(): the controller's state starts at zero.
workload_init:
        la      t0, state
        sw      zero, STATE_INTEGRAL(t0)
        sw      zero, STATE_PREVIOUS_ERROR(t0)
        ret

# workload_process(a0 = measurement, a1 = setpoint, a2, a3 = ignored)
#   -> a0 = command, a1 = e, a2 = integral, a3 = flags (one PID step, above).
# Clobbers t0..t3, a4..a7.
workload_process:
        addi    sp, sp, -16
        sw      ra, 0(sp)
        li      t0, INPUT_MIN
        li      t1, INPUT_MAX
        bge     a0, t0, 1f                  # pv = clamp(measurement)
        mv      a0, t0
1:      ble     a0, t1, 2f
        mv      a0, t1
2:      bge     a1, t0, 3f                  # sp = clamp(setpoint)
        mv      a1, t0
3:      ble     a1, t1, 4f
        mv      a1, t1
4:      sub     a4, a1, a0                  # a4 = e
        li      a5, 0                       # a5 = flags
        la      a6, state

        li      a0, KI                      # integral
        mv      a1, a4
        call    mulq
        lw      a1, STATE_INTEGRAL(a6)
        call    satadd
        li      t0, INTEGRAL_MAX
        li      t1, -INTEGRAL_MAX
        ble     a0, t0, 5f
        mv      a0, t0
        ori     a5, a5, INTEGRAL_CLAMPED
5:      bge     a0, t1, 6f
        mv      a0, t1
        ori     a5, a5, INTEGRAL_CLAMPED
6:      sw      a0, STATE_INTEGRAL(a6)

        lw      t0, STATE_PREVIOUS_ERROR(a6)  # derivative
        sw      a4, STATE_PREVIOUS_ERROR(a6)
        li      a0, KD
        sub     a1, a4, t0
        call    mulq
        mv      a7, a0                      # a7 = d

        li      a0, KP                      # proportional
        mv      a1, a4
        call    mulq
        lw      a1, STATE_INTEGRAL(a6)
        call    satadd
        mv      a1, a7
        call    satadd                      # a0 = raw

        li      t0, COMMAND_MAX
        li      t1, COMMAND_MIN
        ble     a0, t0, 7f
        mv      a0, t0
        ori     a5, a5, SATURATED_HIGH
7:      bge     a0, t1, 8f
        mv      a0, t1
        ori     a5, a5, SATURATED_LOW
8:      mv      a1, a4
        lw      a2, STATE_INTEGRAL(a6)
        mv      a3, a5
        lw      ra, 0(sp)
        addi    sp, sp, 16
        ret

# mulq(a0 = k, a1 = x) -> a0 = sat32(floor((k * x + 2^7) / 2^8)). Clobbers t0..t3.
mulq:
        mul     t0, a0, a1                  # the 64-bit product: t1:t0
        mulh    t1, a0, a1
        addi    t2, t0, 128                 # + 2^7, carrying into the high word
        sltu    t3, t2, t0
        add     t1, t1, t3                  # t1:t2 = k * x + 2^7
        srai    t0, t1, 7                   # >> 8 fits in 32 bits iff t1 is in [-2^7, 2^7),
        srai    t3, t1, 31                  # i.e. t1 >> 7 is all sign bits
        bne     t0, t3, 1f
        slli    t1, t1, 24
        srli    t2, t2, 8
        or      a0, t1, t2
        ret
1:      li      a0, 0x7FFFFFFF
        bgez    t1, 2f
        li      a0, 0x80000000
2:      ret

# satadd(a0, a1) -> a0 = sat32(a0 + a1). Clobbers t0, t1, a1.
satadd:
        add     t0, a0, a1
        xor     t1, a0, t0                  # overflow iff both operands' signs differ
        xor     a1, a1, t0                  # from the sum's
        and     t1, t1, a1
        bltz    t1, 1f
        mv      a0, t0
        ret
1:      li      t0, 0x7FFFFFFF
        bgez    a0, 2f
        li      t0, 0x80000000
2:      mv      a0, t0
        ret

        .bss
        .align  4
state:  .zero   8
