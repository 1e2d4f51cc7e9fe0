/* huffman_fast_x86_64.h - the Huffman fast loops in x86-64 assembly (BMI2). */
#ifndef EMZ_HUFFMAN_FAST_X86_64_H
#define EMZ_HUFFMAN_FAST_X86_64_H

#define EMZ_HUFF_TILE_STRIDE 1040
#define EMZ_HUFF_INDEX_MASK 2047 /* EMZ_HUFF_TABLE_SIZE - 1: the loops' table index */
#define EMZ_HUFF_LANES4_WARM 128 /* offsetof(emz_huff_lanes4, warm) */
#define EMZ_HUFF_LANES8_WARM 136 /* offsetof(emz_huff_lanes8, warm) */
#define EMZ_HUFF_LANES6_WARM 144 /* offsetof(emz_huff_lanes6, warm) */

#ifndef __ASSEMBLER__
#include <stddef.h>
#include <stdint.h>

/* Four lanes' decoder state, laid out as huffman_fast_x86_64.S reads it. */
typedef struct emz_huff_lanes4 {
    const uint8_t *in[4]; /* next byte not yet in bits */
    uint64_t bits[4];     /* stream bits, next one lowest */
    uint64_t count[4];    /* valid bits in bits (0..63) */
    uint8_t *out[4];      /* next symbol's place */
    const uint8_t *warm;  /* the _warm loop's next prefetch, moved on 128 bytes a round */
} emz_huff_lanes4;
_Static_assert(offsetof(emz_huff_lanes4, warm) == EMZ_HUFF_LANES4_WARM, "the assembly's offset");

/* Runs rounds >= 1 rounds (a refill of each lane, then five lookups in each), exactly as
 * the C loop in kernels/huffman_decode_template.h does; the caller has checked that no round
 * reads or writes out of bounds. */
void emz_huff_fast4_x86_64(emz_huff_lanes4 *lanes, const uint8_t (*multi)[8], size_t rounds);
/* The same, and two cache lines prefetched from warm on each round (emz_huff_decode_kernel's
 * warm bytes: they arrive while the loop computes). */
void emz_huff_fast4_warm_x86_64(emz_huff_lanes4 *lanes, const uint8_t (*multi)[8], size_t rounds);

/* Six lanes' decoder state in the marked form of the lockstep loops (huffman_decode_template.h,
 * decode_lockstep): each lane's bits from byte in[k] on, shifted right by those used, with a 1
 * above the valid ones. */
typedef struct emz_huff_lanes6 {
    const uint8_t *in[6];
    uint64_t bits[6];
    uint8_t *out[6];
    const uint8_t *warm; /* the _warm loop's next prefetch, moved on 192 bytes a round */
} emz_huff_lanes6;
_Static_assert(offsetof(emz_huff_lanes6, warm) == EMZ_HUFF_LANES6_WARM, "the assembly's offset");

/* Runs rounds >= 1 rounds of a refill of each lane and five multi-code lookups in each, as
 * FAST4 but with the bits marked; the caller has checked that no round reads or writes out of
 * bounds. Needs LZCNT. */
void emz_huff_fast6_x86_64(emz_huff_lanes6 *lanes, const uint8_t (*multi)[8], size_t rounds);
/* The same, and three cache lines prefetched from warm on each round. */
void emz_huff_fast6_warm_x86_64(emz_huff_lanes6 *lanes, const uint8_t (*multi)[8], size_t rounds);

/* Eight lanes in lockstep (huffman_decode_template.h, decode_lockstep): each lane's bits in
 * the marked form, from byte in[k] on; lane k's next symbol goes to out + k *
 * EMZ_HUFF_TILE_STRIDE (the template's TILE_STRIDE: the assembly addresses each lane with it as
 * an immediate). */
typedef struct emz_huff_lanes8 {
    const uint8_t *in[8];
    uint64_t bits[8];
    uint8_t *out;
    const uint8_t *warm; /* the _warm loop's next prefetch, moved on 128 bytes a round */
} emz_huff_lanes8;
_Static_assert(offsetof(emz_huff_lanes8, warm) == EMZ_HUFF_LANES8_WARM, "the assembly's offset");

/* Runs rounds >= 1 rounds (a refill of each lane, then five single-code lookups in each), as
 * the C loop lockstep_rounds does; single[] entries are length | symbol << 8. The caller has
 * checked that no round reads or writes out of bounds. Needs LZCNT (every AVX2 + BMI2 CPU has
 * it; the folder is built with -mlzcnt). Leaves in[] and bits[] updated, not out. */
void emz_huff_lockstep8_x86_64(emz_huff_lanes8 *lanes, const uint16_t *single, size_t rounds);
/* The same, and two cache lines prefetched from warm on each round. */
void emz_huff_lockstep8_warm_x86_64(emz_huff_lanes8 *lanes, const uint16_t *single, size_t rounds);

#endif /* __ASSEMBLER__ */

#endif
