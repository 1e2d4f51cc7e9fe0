/* huffman_fast_x86_64.S - the four- and six-lane Huffman fast loops for x86-64 with BMI2, and
 * the eight-lane lockstep loop for streams of long codes (below).
 *
 * Why assembly: the loop needs 15 live registers (bits, count and out of four lanes, the
 * table, two temporaries), and compilers spill some of them, or turn the lane arithmetic
 * into vector code; either costs a third of the speed. Measured on Zen 5 (throwaway harness,
 * 256 KiB BF16 chunks of the corpus): 3.6 G symbols/s for the best C form, see the closing
 * note of issue 3 for this loop's figure.
 *
 * Each lookup takes its fields from the 8-byte table entry with separate loads (used bits
 * from byte 0, four symbols from bytes 1..4, count from byte 5): Zen 5 has more load ports
 * than shift units, and a variable shift by the loaded byte (shrx uses its low six bits)
 * keeps the dependency chain between a lane's lookups at and + load + shift.
 *
 * void emz_huff_fast4_x86_64(emz_huff_lanes4 *lanes, const uint8_t (*multi)[8], size_t rounds)
 * System V AMD64 ABI: rdi = lanes, rsi = multi, rdx = rounds >= 1. */
#if defined(__x86_64__) && defined(__ELF__)
#include "avx2/huffman_fast_x86_64.h"

    .text

/* A function's entry (symbol, and the callee-saved registers pushed) and exit (popped). */
.macro ENTER NAME
    .globl  \NAME
    .hidden \NAME
    .type   \NAME, @function
\NAME:
    .irp    r, rbx, rbp, r12, r13, r14, r15
    push    %\r
    .endr
.endm
.macro LEAVE NAME
    .irp    r, r15, r14, r13, r12, rbp, rbx
    pop     %\r
    .endr
    ret
    .size   \NAME, .-\NAME
.endm

/* Lane registers: bits B, count C (its low byte C8), output pointer O.
 * Temporaries: rax (table index), rcx (fields). Table: rdx. In pointers and the round
 * counter live on the stack: they are touched once per round. */
.macro LOOKUP B, C8, O
    mov     \B, %rax
    and     $EMZ_HUFF_INDEX_MASK, %eax
    movzbl  (%rdx,%rax,8), %ecx     /* bits used */
    shrx    %rcx, \B, \B
    .ifnb   \C8
    sub     %cl, \C8
    .endif
    mov     1(%rdx,%rax,8), %ecx    /* four symbols */
    mov     %ecx, (\O)
    movzbl  5(%rdx,%rax,8), %ecx    /* how many of them are real */
    add     %rcx, \O
.endm

/* bits |= load64(in) << count; in += (63 - count) / 8; count |= 56; and the lane's input two
 * lines ahead prefetched (its load address is known a round ahead, but a miss in L2 outlasts a
 * round: BF16 checkpoints decompressed 1-2% faster with it, throwaway A/B in one process). */
.macro REFILL K, B, C
    mov     \K*8(%rsp), %rcx
    prefetcht0 128(%rcx)
    shlx    \C, (%rcx), %rax
    or      %rax, \B
    mov     $63, %eax
    sub     \C, %rax
    shr     $3, %eax
    add     %rax, \K*8(%rsp)
    or      $56, \C
.endm

/* Struct fields to and from registers: LOADS P, OFF, regs... loads the 8-byte fields at P + OFF,
 * P + OFF + 8, ... into the registers in turn, STORES stores them back. */
.macro LOADS P, OFF, R:vararg
    .set    .Lfield, \OFF
    .irp    r, \R
    mov     .Lfield(\P), \r
    .set    .Lfield, .Lfield + 8
    .endr
.endm
.macro STORES P, OFF, R:vararg
    .set    .Lfield, \OFF
    .irp    r, \R
    mov     \r, .Lfield(\P)
    .set    .Lfield, .Lfield + 8
    .endr
.endm

/* The registers that hold the lanes' state through FAST4 (bits[4] at 32, count[4] at 64, out[4]
 * at 96 of emz_huff_lanes4; in[4] lives on the stack) and FAST6 (bits[6] at 48, out[6] at 96 of
 * emz_huff_lanes6), loaded and stored in this order: %rdi last, as it is the pointer until
 * then. */
#define LANE_REGS %rbx, %rbp, %r8, %r9, %r10, %r11, %r12, %r13, %r14, %r15, %rsi, %rdi

/* A round's prefetch in the _warm loops: LINES cache lines (two, or three for FAST6) from the
 * pointer at SLOT(%rsp), which moves on by as many bytes (rax is free at the top of a round).
 * Nothing when WARM is 0. */
.macro WARM_STEP WARM, SLOT, LINES=2
    .if \WARM
    mov     \SLOT(%rsp), %rax
    prefetcht1 (%rax)
    prefetcht1 64(%rax)
    .if \LINES == 3
    prefetcht1 128(%rax)
    .endif
    addq    $64*\LINES, \SLOT(%rsp)
    .endif
.endm

/* The frame of FAST4 and FAST6, for N lanes: in[N] at 0, the round counter at 8N, the lanes
 * pointer at 8N + 8, the warm pointer at 8N + 16. FRAME_IN copies in[] and warm (lanes at
 * WARMOFF) to it, moves the table to rdx and loads LANE_REGS from the lanes' state at STATE;
 * FRAME_OUT stores all of them back. */
.macro FRAME_IN N, WARM, WARMOFF, STATE
    sub     $8*\N+24, %rsp
    mov     %rdi, 8*\N+8(%rsp)
    mov     %rdx, 8*\N(%rsp)
    mov     %rsi, %rdx
    .set    .Lk, 0
    .rept   \N
    mov     .Lk(%rdi), %rax
    mov     %rax, .Lk(%rsp)
    .set    .Lk, .Lk + 8
    .endr
    .if \WARM
    mov     \WARMOFF(%rdi), %rax
    mov     %rax, 8*\N+16(%rsp)
    .endif
    LOADS   %rdi, \STATE, LANE_REGS
.endm
.macro FRAME_OUT N, WARM, WARMOFF, STATE
    mov     8*\N+8(%rsp), %rax
    .set    .Lk, 0
    .rept   \N
    mov     .Lk(%rsp), %rcx
    mov     %rcx, .Lk(%rax)
    .set    .Lk, .Lk + 8
    .endr
    .if \WARM
    mov     8*\N+16(%rsp), %rcx
    mov     %rcx, \WARMOFF(%rax)
    .endif
    STORES  %rax, \STATE, LANE_REGS
    add     $8*\N+24, %rsp
.endm

/* The loop, once plain and once with WARM = 1: then each round also prefetches two cache lines
 * from lanes->warm on (slot 48 of the frame) and moves it on by 128 bytes, and the pointer is
 * stored back at the end (emz_huff_fast4_warm_x86_64). */
.macro FAST4 NAME, WARM
    ENTER   \NAME
    FRAME_IN 4, \WARM, EMZ_HUFF_LANES4_WARM, 32 /* 0..31 in[4], 32 rounds, 40 lanes, 48 warm */
    .p2align 5
1:
    WARM_STEP \WARM, 48
    REFILL  0, %rbx, %r10
    REFILL  1, %rbp, %r11
    REFILL  2, %r8, %r12
    REFILL  3, %r9, %r13
    .rept 5
    LOOKUP  %rbx, %r10b, %r14
    LOOKUP  %rbp, %r11b, %r15
    LOOKUP  %r8, %r12b, %rsi
    LOOKUP  %r9, %r13b, %rdi
    .endr
    decq    32(%rsp)
    jnz     1b

    FRAME_OUT 4, \WARM, EMZ_HUFF_LANES4_WARM, 32
    LEAVE   \NAME
.endm

    FAST4   emz_huff_fast4_x86_64, 0
    FAST4   emz_huff_fast4_warm_x86_64, 1

/* void emz_huff_fast6_x86_64(emz_huff_lanes6 *lanes, const uint8_t (*multi)[8], size_t rounds)
 * rdi = lanes, rsi = multi, rdx = rounds >= 1.
 *
 * Six lanes of multi-code lookups, for the lanes of 16-lane streams (decode_sixteen in
 * huffman_decode_template.h). Four lanes leave the core waiting on each lane's chain of and,
 * load and shift (FAST4 ran at ~5.3 instructions a cycle on Zen 5, which issues 8); six lanes
 * fit in the registers only with bits and output pointer each, so the counts give way to
 * markers (as in LOCKSTEP8), which also makes a lookup one instruction shorter. Throwaway
 * harness (emz_huff_decode_avx2 on 131,072 symbols of the corpus, fastest of 2,000 calls):
 * movenet BF16 exponents 0.215 -> 0.169 ns a symbol, faceres FP32 exponents 0.295 -> 0.219,
 * FP16 high bytes 0.459 -> 0.362.
 * Registers: bits of lanes 0..5 in rbx, rbp, r8..r11; outputs in r12..r15, rsi, rdi; table rdx;
 * temporaries rax, rcx; in pointers and the round counter on the stack. Its lookups are
 * LOOKUP's without a count (C8 left blank). */

/* used = leading zeros; in += used / 8; bits = (load64(in) | marker) >> used % 8, with the in
 * pointer in slot K of the stack (FAST6, and LOCKSTEP8's lanes 2..7), the marker from register
 * MARK or, where no register is free for it (FAST6), set by bts $63. Unlike FAST4's refill,
 * whose load address is known a round ahead, this load waits for the lane's last shift, so a
 * cache miss on it stalls the lane: each refill prefetches its lane's input two lines ahead.
 * Without that, FP32 checkpoints (their chunks read from memory once) decompressed 3-8% slower
 * with FAST6 than with FAST4 alone, with it 4-7% faster (throwaway A/B of the two paths
 * alternating in one process, emzip-profile-loop's checkpoint decompression of faceres_deep.f32
 * and the BF16 files; 64 and 128 bytes ahead did alike, 192 and 512 worse); in LOCKSTEP8 it
 * made FP16 checkpoint decompression 1-2% faster and E4M3 1.5-5%, E5M2 the same. */
.macro REFILLM K, B, MARK
    lzcnt   \B, %rcx
    mov     %ecx, %eax
    shr     $3, %eax
    add     \K*8(%rsp), %rax
    mov     %rax, \K*8(%rsp)
    prefetcht0 128(%rax)
    mov     (%rax), %rax
    .ifb    \MARK
    bts     $63, %rax
    .else
    or      \MARK, %rax
    .endif
    and     $7, %ecx
    shrx    %rcx, %rax, \B
.endm

/* Once plain and once with WARM = 1: then each round also prefetches three cache lines from
 * lanes->warm on (a round of six lanes decodes half as much again as one of four). */
.macro FAST6 NAME, WARM
    ENTER   \NAME
    FRAME_IN 6, \WARM, EMZ_HUFF_LANES6_WARM, 48 /* 0..47 in[6], 48 rounds, 56 lanes, 64 warm */
    .p2align 5
4:
    WARM_STEP \WARM, 64, 3
    REFILLM 0, %rbx
    REFILLM 1, %rbp
    REFILLM 2, %r8
    REFILLM 3, %r9
    REFILLM 4, %r10
    REFILLM 5, %r11
    .rept 5
    LOOKUP  %rbx, , %r12
    LOOKUP  %rbp, , %r13
    LOOKUP  %r8, , %r14
    LOOKUP  %r9, , %r15
    LOOKUP  %r10, , %rsi
    LOOKUP  %r11, , %rdi
    .endr
    decq    48(%rsp)
    jnz     4b

    FRAME_OUT 6, \WARM, EMZ_HUFF_LANES6_WARM, 48
    LEAVE   \NAME
.endm

    FAST6   emz_huff_fast6_x86_64, 0
    FAST6   emz_huff_fast6_warm_x86_64, 1

/* void emz_huff_lockstep8_x86_64(emz_huff_lanes8 *lanes, const uint16_t *single, size_t rounds)
 * rdi = lanes, rsi = single, rdx = rounds >= 1.
 *
 * Eight lanes in lockstep, one single-code lookup each a step: for streams of long codes
 * (whole bytes: ~6.7 bits a symbol, so a multi-code lookup yields one symbol anyway). A lookup
 * is five instructions: and, one 16-bit load of length | symbol << 8, a shift by it (shrx
 * takes the low six bits: the length), and a store of the symbol from the second byte
 * register, %ch (which forbids a REX prefix: the address register must be a legacy one). No
 * count to update: the bits carry a marker (huffman_decode_template.h). Lane k's symbols go to
 * row k of the tile, EMZ_HUFF_TILE_STRIDE bytes apart, so one register (rsi) and an immediate
 * address every lane.
 * Registers: bits of lanes 0..7 in r8..r15; table rdx; rsi the tile column; rbp the marker
 * bit; in pointers of lanes 0 and 1 in rdi and rbx, of the others on the stack with the round
 * counter; temporaries rax, rcx. */
.macro LOOKUP8 B, K, D
    mov     \B, %rax
    and     $EMZ_HUFF_INDEX_MASK, %eax
    movzwl  (%rdx,%rax,2), %ecx
    shrx    %rcx, \B, \B
    mov     %ch, \K*EMZ_HUFF_TILE_STRIDE+\D(%rsi)
.endm

.macro STEP8 D
    LOOKUP8 %r8, 0, \D
    LOOKUP8 %r9, 1, \D
    LOOKUP8 %r10, 2, \D
    LOOKUP8 %r11, 3, \D
    LOOKUP8 %r12, 4, \D
    LOOKUP8 %r13, 5, \D
    LOOKUP8 %r14, 6, \D
    LOOKUP8 %r15, 7, \D
.endm

/* used = leading zeros; in += used / 8; bits = (load64(in) | marker) >> used % 8, with the in
 * pointer in a register (REFILL8R; on the stack: REFILLM), prefetching as REFILLM does. */
.macro REFILL8R IN, B
    lzcnt   \B, %rcx
    mov     %rcx, %rax
    shr     $3, %eax
    add     %rax, \IN
    prefetcht0 128(\IN)
    mov     (\IN), %rax
    or      %rbp, %rax
    and     $7, %ecx
    shrx    %rcx, %rax, \B
.endm

/* Once plain and once with WARM = 1, as FAST4: two lines prefetched a round from lanes->warm,
 * kept at 8(%rsp) (free after the push of the lanes pointer). */
.macro LOCKSTEP8 NAME, WARM
    ENTER   \NAME
    sub     $72, %rsp               /* 16..63 in[2..7], 64 rounds; then the lanes pointer */
    mov     %rdx, 64(%rsp)
    mov     %rsi, %rdx
    push    %rdi                    /* at 0; every other offset moves up by 8 */
    .irp    k, 16, 24, 32, 40, 48, 56
    mov     \k(%rdi), %rax
    mov     %rax, \k+8(%rsp)
    .endr
    LOADS   %rdi, 64, %r8, %r9, %r10, %r11, %r12, %r13, %r14, %r15
    .if \WARM
    mov     EMZ_HUFF_LANES8_WARM(%rdi), %rax
    mov     %rax, 8(%rsp)
    .endif
    mov     128(%rdi), %rsi         /* the tile */
    mov     8(%rdi), %rbx
    mov     (%rdi), %rdi
    mov     $1, %ebp
    shl     $63, %rbp
    .p2align 5
3:
    WARM_STEP \WARM, 8
    REFILL8R %rdi, %r8
    REFILL8R %rbx, %r9
    REFILLM 3, %r10, %rbp
    REFILLM 4, %r11, %rbp
    REFILLM 5, %r12, %rbp
    REFILLM 6, %r13, %rbp
    REFILLM 7, %r14, %rbp
    REFILLM 8, %r15, %rbp
    STEP8   0
    STEP8   1
    STEP8   2
    STEP8   3
    STEP8   4
    add     $5, %rsi
    decq    72(%rsp)
    jnz     3b

    mov     (%rsp), %rax
    mov     %rdi, (%rax)
    mov     %rbx, 8(%rax)
    .irp    k, 16, 24, 32, 40, 48, 56
    mov     \k+8(%rsp), %rcx
    mov     %rcx, \k(%rax)
    .endr
    STORES  %rax, 64, %r8, %r9, %r10, %r11, %r12, %r13, %r14, %r15
    .if \WARM
    mov     8(%rsp), %rcx
    mov     %rcx, EMZ_HUFF_LANES8_WARM(%rax)
    .endif
    add     $80, %rsp
    LEAVE   \NAME
.endm

    LOCKSTEP8 emz_huff_lockstep8_x86_64, 0
    LOCKSTEP8 emz_huff_lockstep8_warm_x86_64, 1

#endif
    .section .note.GNU-stack,"",@progbits
