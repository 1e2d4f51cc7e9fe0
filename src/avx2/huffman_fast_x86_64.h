/* huffman_fast_x86_64.h - the four-lane Huffman fast loop in x86-64 assembly (BMI2). */
#ifndef EMZ_HUFFMAN_FAST_X86_64_H
#define EMZ_HUFFMAN_FAST_X86_64_H

#include <stddef.h>
#include <stdint.h>

/* Four lanes' decoder state, laid out as huffman_fast_x86_64.S reads it. */
typedef struct emz_huff_lanes4 {
    const uint8_t *in[4]; /* next byte not yet in bits */
    uint64_t bits[4];     /* stream bits, next one lowest */
    uint64_t count[4];    /* valid bits in bits (0..63) */
    uint8_t *out[4];      /* next symbol's place */
} emz_huff_lanes4;

/* Runs rounds >= 1 rounds (a refill of each lane, then five lookups in each), exactly as
 * the C loop in kernels/huffman_decode_template.h does; the caller has checked that no round
 * reads or writes out of bounds. */
void emz_huff_fast4_x86_64(emz_huff_lanes4 *lanes, const uint8_t (*multi)[8], size_t rounds);

#endif
