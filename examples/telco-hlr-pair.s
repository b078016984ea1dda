# telco-hlr-pair: telco-hlr (telco-hlr.s) rewritten Tandem style, as the primary process of
# a NonStop process pair. The same service with the same answers (the reference model is
# src/transactions/workloads/telco-hlr.ts); the program also checkpoints its state to its
# backup through the checkpoint device (README, "The checkpoint device"). What changed:
#   - after workload_init, one checkpoint of the whole table: the backup's starting state;
#   - workload_process also returns the subscriber record it found: a4 = its slot's address,
#     a5 = 16 (no record — an invalid op, key 0, an unknown key: a5 = 0, an empty range);
#   - for each record, after workload_process has updated the subscriber and before the
#     answer is sent (TX_SEND), a checkpoint of that subscriber record. It carries the
#     record and the context (the id in s2, the answer in a0..a3), and acknowledges the
#     transaction record, consumed (RX_POP) before it.
# So CKPT_COUNT = 1 + the records answered (+ 1 while a record is between its checkpoint and
# its TX_SEND). A backup that takes over from the last checkpoint resumes right before the
# TX_SEND of the record it acknowledged, with the table as that checkpoint left it: the
# records after it are not acknowledged, and are delivered again. Each send names its range,
# so nothing depends on the device's registers across a takeover.
#
# A mobile operator's home location register, an in-memory subscriber database: each
# transaction attaches or detaches a subscriber, updates its location, meters its usage or
# looks it up, and is answered with the subscriber record's new state.
#
# The program sleeps in `wfi`; the transaction port's interrupt (RX_IE, mip.MEIP) wakes it
# into trap_handler, which answers every waiting record and returns to the sleep loop.
#
# The database is an open-addressing hash table of SLOTS = 2^SLOTS_LOG2 slots, 16 bytes each
# at table + 16 * slot:
#   +0 key (0: empty slot)   +4 status (0 DETACHED, 1 ATTACHED)   +8 location (cell id)
#   +12 usage (kB, saturates at 2^32 - 1)
# A key's home slot is (key * HASH_MULTIPLIER mod 2^32) >> (32 - SLOTS_LOG2); a search
# examines the home slot, then the next ones (wrapping at the end), until it finds the key or
# an empty slot; `probes` counts the slots examined.
# workload_init clears the table and inserts subscribers k = 0 .. SUBSCRIBERS-1, in order,
# each into the empty slot that ends its search:
#   key = KEY_BASE + KEY_STEP * k,  status = DETACHED if k mod 4 = 0 else ATTACHED,
#   location = 1 + k mod 1000,  usage = 1000 * k
#
# Record payload (RX_DATA0..3): op, key, argument, ignored.
#   OP_LOOKUP    no change
#   OP_ATTACH    status = ATTACHED, location = argument
#   OP_DETACH    status = DETACHED
#   OP_LOCATION  if ATTACHED: location = argument; else NOT_ATTACHED, no change
#   OP_USAGE     if ATTACHED: usage = min(usage + argument, 2^32 - 1); else NOT_ATTACHED
# Result (TX_DATA0..3): code | probes << 16, status, location, usage (the record after the
# op). An op above OP_USAGE answers INVALID_OP, 0, 0, 0 and key 0 answers NOT_FOUND, 0, 0, 0,
# both without a search; an unknown key answers NOT_FOUND | probes << 16, 0, 0, 0.

        .equ    SLOTS_LOG2, 14
        .equ    SLOTS, 1 << SLOTS_LOG2
        .equ    SUBSCRIBERS, 12000
        .equ    KEY_BASE, 100000000
        .equ    KEY_STEP, 37
        .equ    HASH_MULTIPLIER, 0x9E3779B1

        .equ    OP_LOOKUP, 0
        .equ    OP_ATTACH, 1
        .equ    OP_DETACH, 2
        .equ    OP_LOCATION, 3
        .equ    OP_USAGE, 4

        .equ    DETACHED, 0
        .equ    ATTACHED, 1

        .equ    OK, 0
        .equ    NOT_FOUND, 1
        .equ    NOT_ATTACHED, 2
        .equ    INVALID_OP, 3

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
        .equ    MSTATUS_MIE, 0x8
        .equ    MCAUSE_MEI, 0x8000000B      # interrupt, cause 11
        .equ    FINISHER, 0x00100000        # test finisher: (code << 16) | 0x3333 fails

        .text
        .globl  _start
_start:
        call    workload_init
        li      t1, CKPT_BASE               # the backup starts from the whole table
        la      t0, table
        sw      t0, CKPT_ADDR(t1)
        li      t0, 16 * SLOTS
        sw      t0, CKPT_LEN(t1)
        sw      zero, CKPT_SEND(t1)
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
# read it, consume it (RX_POP), compute the answer, checkpoint the subscriber record, stage
# the answer and send it; then return. The interrupted context (the idle loop) is preserved.
# Any other trap is a program error: stop the machine through the test finisher with exit
# code 1.
trap_handler:
        addi    sp, sp, -80
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
        sw      t5, 52(sp)
        sw      t6, 56(sp)
        sw      s3, 60(sp)
        sw      a4, 64(sp)
        sw      a5, 68(sp)
        csrr    t0, mcause
        li      t1, MCAUSE_MEI
        bne     t0, t1, unexpected_trap
        li      s0, RX_BASE
        li      s1, TX_BASE
        li      s3, CKPT_BASE
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
        sw      a4, CKPT_ADDR(s3)           # the subscriber, and the record acknowledged
        sw      a5, CKPT_LEN(s3)
        sw      zero, CKPT_SEND(s3)
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
        lw      t5, 52(sp)
        lw      t6, 56(sp)
        lw      s3, 60(sp)
        lw      a4, 64(sp)
        lw      a5, 68(sp)
        addi    sp, sp, 80
        mret
unexpected_trap:
        li      t0, FINISHER
        li      t1, (1 << 16) | 0x3333
        sw      t1, 0(t0)
1:      j       1b

# find_slot(a0 = key) -> a0 = the slot holding key, or the empty slot that ends its search;
# a1 = probes. A leaf routine: clobbers t0..t3.
find_slot:
        li      t0, HASH_MULTIPLIER
        mul     t0, a0, t0
        srli    t0, t0, 32 - SLOTS_LOG2     # home slot index
        la      t1, table
        li      t2, SLOTS - 1
        li      a1, 0
1:      addi    a1, a1, 1
        slli    t3, t0, 4
        add     t3, t1, t3                  # the slot's address
        lw      t3, 0(t3)                   # its key
        beq     t3, a0, 2f
        beqz    t3, 2f
        addi    t0, t0, 1
        and     t0, t0, t2
        j       1b
2:      slli    t3, t0, 4
        add     a0, t1, t3
        ret

# workload_init(): clears the table (key 0 marks an empty slot; an insert writes the whole
# record) and inserts the subscribers k = 0, 1, ... in order (rule above). Keys are distinct,
# so an insert's search ends at the first empty slot. Start-up time matters, as transactions
# arriving meanwhile wait in the input FIFO: the key, its product with HASH_MULTIPLIER, the
# location and the usage are carried from one k to the next by addition (product(k + 1) =
# product(k) + KEY_STEP * HASH_MULTIPLIER, mod 2^32). Clobbers t0..t6, a0..a5.
workload_init:
        la      a0, table
        li      t0, SLOTS * 16
        add     t0, a0, t0
        mv      t1, a0
1:      sw      zero, 0(t1)
        addi    t1, t1, 16
        bltu    t1, t0, 1b
        li      a1, KEY_BASE                                    # key(k)
        li      a2, (KEY_BASE * HASH_MULTIPLIER) & 0xFFFFFFFF   # key(k) * HASH_MULTIPLIER mod 2^32
        li      a3, (KEY_STEP * HASH_MULTIPLIER) & 0xFFFFFFFF
        li      a4, 0                       # k
        li      a5, 1                       # location(k) = 1 + k mod 1000
        li      t6, 0                       # usage(k) = 1000 * k
        li      t5, SUBSCRIBERS
        li      t4, SLOTS - 1
2:      srli    t0, a2, 32 - SLOTS_LOG2     # home slot index
3:      slli    t1, t0, 4
        add     t1, a0, t1                  # the slot's address
        lw      t2, 0(t1)
        beqz    t2, 4f
        addi    t0, t0, 1                   # taken: try the next slot
        and     t0, t0, t4
        j       3b
4:      sw      a1, 0(t1)                   # key
        andi    t2, a4, 3
        snez    t2, t2                      # DETACHED (0) if k mod 4 = 0, else ATTACHED (1)
        sw      t2, 4(t1)
        sw      a5, 8(t1)                   # location
        sw      t6, 12(t1)                  # usage
        addi    a1, a1, KEY_STEP
        add     a2, a2, a3
        addi    t6, t6, 1000
        addi    a5, a5, 1
        li      t2, 1000
        ble     a5, t2, 5f
        li      a5, 1
5:      addi    a4, a4, 1
        bltu    a4, t5, 2b
        ret

# workload_process(a0 = op, a1 = key, a2 = argument, a3 = ignored)
#   -> a0 = code | probes << 16, a1 = status, a2 = location, a3 = usage (the rules above);
#      a4 = the subscriber record's address, a5 = 16 (no record: a4 = table, a5 = 0).
# Clobbers t0..t6.
workload_process:
        li      t0, OP_USAGE
        bgtu    a0, t0, invalid_op
        beqz    a1, key_zero
        addi    sp, sp, -16
        sw      ra, 0(sp)
        mv      t4, a0                      # op
        mv      t5, a2                      # argument
        mv      a0, a1
        call    find_slot
        lw      ra, 0(sp)
        addi    sp, sp, 16
        mv      t6, a1                      # probes
        lw      t0, 0(a0)
        beqz    t0, not_found
        mv      t0, a0                      # the record
        li      a0, OK
        lw      a1, 4(t0)                   # status
        lw      a2, 8(t0)                   # location
        lw      a3, 12(t0)                  # usage
        li      t1, OP_ATTACH
        beq     t4, t1, attach
        li      t1, OP_DETACH
        beq     t4, t1, detach
        li      t1, OP_LOCATION
        beq     t4, t1, location_update
        li      t1, OP_USAGE
        beq     t4, t1, usage
        j       reply                       # OP_LOOKUP
attach:
        li      a1, ATTACHED
        mv      a2, t5
        j       store
detach:
        li      a1, DETACHED
        j       store
location_update:
        li      t1, ATTACHED
        bne     a1, t1, not_attached
        mv      a2, t5
        j       store
usage:
        li      t1, ATTACHED
        bne     a1, t1, not_attached
        add     t1, a3, t5
        bgeu    t1, a3, 1f                  # no carry out of 32 bits
        li      t1, -1                      # saturate at 2^32 - 1
1:      mv      a3, t1
store:
        sw      a1, 4(t0)
        sw      a2, 8(t0)
        sw      a3, 12(t0)
        j       reply
not_attached:
        li      a0, NOT_ATTACHED
reply:  slli    t6, t6, 16
        or      a0, a0, t6
        mv      a4, t0
        li      a5, 16
        ret
not_found:
        slli    a0, t6, 16
        ori     a0, a0, NOT_FOUND
        j       no_record
invalid_op:
        li      a0, INVALID_OP
        j       no_record
key_zero:
        li      a0, NOT_FOUND
no_record:
        li      a1, 0
        li      a2, 0
        li      a3, 0
        la      a4, table
        li      a5, 0
        ret

        .bss
        .align  4
table:
        .zero   16 * SLOTS
