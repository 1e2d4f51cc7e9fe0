/* permute_avx512.c - rows through a fixed byte permutation, 64 output bytes at a time: each
 * input pair of vectors (128 bytes) is one VBMI two-table lookup (vpermi2b) with the output's
 * low 7 index bits, merged under the mask of the bytes that come from that pair. A 1,024-byte
 * row (8 K/V heads x head_dim 128 of FP8) takes 8 lookups an output vector, against a load and
 * a store a byte one at a time. Rows the plan has no vector form for go byte by byte. */
#include "avx512/kernels_avx512.h"
#include "scalar/kernels_scalar.h"

#include <immintrin.h>

void emz_permute_rows_avx512(const uint8_t *in, uint8_t *out, size_t rows, const emz_byte_perm *p) {
    if (!p->masks) {
        emz_permute_rows_scalar(in, out, rows, p);
        return;
    }
    size_t width = p->width, vectors = width / 64;
    unsigned pairs = p->pairs;
    for (size_t r = 0; r < rows; r++, in += width, out += width) {
        for (size_t o = 0; o < vectors; o++) {
            const uint64_t *m = p->masks + o * pairs;
            __m512i idx = _mm512_loadu_si512(p->low7 + 64 * o), acc = _mm512_setzero_si512();
            for (unsigned q = 0; q < pairs; q++) {
                if (!m[q]) continue;
                /* the pair's second vector is past the row when width is an odd number of 64s:
                 * no index then reaches it (its mask bits are those of the first vector) */
                __m512i a = _mm512_loadu_si512(in + 128 * q);
                __m512i b = 128 * q + 64 < width ? _mm512_loadu_si512(in + 128 * q + 64) : a;
                acc = _mm512_mask_mov_epi8(acc, m[q], _mm512_permutex2var_epi8(a, idx, b));
            }
            _mm512_storeu_si512(out + 64 * o, acc);
        }
    }
}
