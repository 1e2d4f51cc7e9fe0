/* huffman_fast_x86_64.S - the four-lane Huffman fast loop for x86-64 with BMI2.
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

    .text
    .globl  emz_huff_fast4_x86_64
    .hidden emz_huff_fast4_x86_64
    .type   emz_huff_fast4_x86_64, @function

/* Lane registers: bits B, count C (its low byte C8), output pointer O.
 * Temporaries: rax (table index), rcx (fields). Table: rdx. In pointers and the round
 * counter live on the stack: they are touched once per round. */
.macro LOOKUP B, C8, O
    mov     \B, %rax
    and     $2047, %eax
    movzbl  (%rdx,%rax,8), %ecx     /* bits used */
    shrx    %rcx, \B, \B
    sub     %cl, \C8
    mov     1(%rdx,%rax,8), %ecx    /* four symbols */
    mov     %ecx, (\O)
    movzbl  5(%rdx,%rax,8), %ecx    /* how many of them are real */
    add     %rcx, \O
.endm

/* bits |= load64(in) << count; in += (63 - count) / 8; count |= 56 */
.macro REFILL K, B, C
    mov     \K*8(%rsp), %rcx
    shlx    \C, (%rcx), %rax
    or      %rax, \B
    mov     $63, %eax
    sub     \C, %rax
    shr     $3, %eax
    add     %rax, \K*8(%rsp)
    or      $56, \C
.endm

emz_huff_fast4_x86_64:
    push    %rbx
    push    %rbp
    push    %r12
    push    %r13
    push    %r14
    push    %r15
    sub     $56, %rsp               /* 0..31 in[4], 32 rounds, 40 lanes */
    mov     %rdi, 40(%rsp)
    mov     %rdx, 32(%rsp)
    mov     %rsi, %rdx
    mov     0(%rdi), %rax
    mov     %rax, 0(%rsp)
    mov     8(%rdi), %rax
    mov     %rax, 8(%rsp)
    mov     16(%rdi), %rax
    mov     %rax, 16(%rsp)
    mov     24(%rdi), %rax
    mov     %rax, 24(%rsp)
    mov     32(%rdi), %rbx          /* bits */
    mov     40(%rdi), %rbp
    mov     48(%rdi), %r8
    mov     56(%rdi), %r9
    mov     64(%rdi), %r10          /* counts */
    mov     72(%rdi), %r11
    mov     80(%rdi), %r12
    mov     88(%rdi), %r13
    mov     96(%rdi), %r14          /* outs */
    mov     104(%rdi), %r15
    mov     112(%rdi), %rsi
    mov     120(%rdi), %rdi
    .p2align 5
1:
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

    mov     40(%rsp), %rax
    mov     0(%rsp), %rcx
    mov     %rcx, 0(%rax)
    mov     8(%rsp), %rcx
    mov     %rcx, 8(%rax)
    mov     16(%rsp), %rcx
    mov     %rcx, 16(%rax)
    mov     24(%rsp), %rcx
    mov     %rcx, 24(%rax)
    mov     %rbx, 32(%rax)
    mov     %rbp, 40(%rax)
    mov     %r8, 48(%rax)
    mov     %r9, 56(%rax)
    mov     %r10, 64(%rax)
    mov     %r11, 72(%rax)
    mov     %r12, 80(%rax)
    mov     %r13, 88(%rax)
    mov     %r14, 96(%rax)
    mov     %r15, 104(%rax)
    mov     %rsi, 112(%rax)
    mov     %rdi, 120(%rax)
    add     $56, %rsp
    pop     %r15
    pop     %r14
    pop     %r13
    pop     %r12
    pop     %rbp
    pop     %rbx
    ret
    .size   emz_huff_fast4_x86_64, .-emz_huff_fast4_x86_64

#endif
    .section .note.GNU-stack,"",@progbits
