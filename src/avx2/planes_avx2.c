/* planes_avx2.c - version 2 byte planes with AVX2, 32 elements a step: in-lane byte shuffles
 * (vpshufb) and unpacks, then 64/128-bit lane moves, transpose elements and byte planes; the
 * FP16 / FP32 symbols are byte-wise shifts and masks. Tails go to the scalar kernels. */
#include <immintrin.h>

#include "avx2/kernels_avx2.h"
#include "kernels/histogram_count.h"
#include "scalar/kernels_scalar.h"

#include <string.h>

#define LOAD(p) _mm256_loadu_si256((const __m256i *)(p))
#define STORE(p, v) _mm256_storeu_si256((__m256i *)(p), (v))
#define SET8(x) _mm256_set1_epi8((char)(x))

/* The bits of a where mask is set, those of b elsewhere. */
static inline __m256i bitselect(__m256i mask, __m256i a, __m256i b) {
    return _mm256_or_si256(_mm256_and_si256(mask, a), _mm256_andnot_si256(mask, b));
}

/* FP16 high byte -> exponent (bits 6..2) and top plane (bit 7 -> bit 2, bits 1..0). 16-bit
 * shifts: the bits a shift carries across bytes fall under the masks. */
static inline void fp16_high_symbols(__m256i hi, uint8_t *exps, uint8_t *top) {
    STORE(exps, _mm256_and_si256(_mm256_srli_epi16(hi, 2), SET8(0x1F)));
    STORE(top, _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(hi, 5), SET8(4)),
                               _mm256_and_si256(hi, SET8(3))));
}

void emz_fp16_planes_split_avx2(const uint8_t *src, size_t m, uint8_t *const out[6],
                                uint32_t *hist) {
    uint32_t tables[4][256];
    memset(tables, 0, sizeof tables);
    /* per 128-bit lane: the 8 low bytes, then the 8 high bytes */
    const __m256i deint = _mm256_setr_epi8(0, 2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15, 0,
                                           2, 4, 6, 8, 10, 12, 14, 1, 3, 5, 7, 9, 11, 13, 15);
    size_t j = 0, counted = 0;
    for (; j + 32 <= m; j += 32) {
        /* qwords 0..3: lo 0-3, hi 0-3, lo 4-7, hi 4-7 -> lo 0-7 | hi 0-7 */
        __m256i x = _mm256_permute4x64_epi64(_mm256_shuffle_epi8(LOAD(src + 2 * j), deint), 0xD8);
        __m256i y =
            _mm256_permute4x64_epi64(_mm256_shuffle_epi8(LOAD(src + 2 * j + 32), deint), 0xD8);
        __m256i lo = _mm256_permute2x128_si256(x, y, 0x20),
                hi = _mm256_permute2x128_si256(x, y, 0x31);
        STORE(out[0] + j, lo);
        STORE(out[1] + j, hi);
        fp16_high_symbols(hi, out[2] + j, out[3] + j);
        if (j + 32 - counted >= EMZ_HIST_PLANE_BLOCK) {
            emz_hist_count4(out[1] + counted, j + 32 - counted, tables);
            counted = j + 32;
        }
    }
    emz_hist_count4(out[1] + counted, j - counted, tables);
    uint8_t *const rest[6] = {out[0] + j, out[1] + j, out[2] + j, out[3] + j};
    emz_fp16_planes_split_scalar(src + 2 * j, m - j, rest, hist);
    emz_hist_add_tables((const uint32_t *)tables, 256, hist);
}

void emz_fp32_planes_split_avx2(const uint8_t *src, size_t m, uint8_t *const out[6],
                                uint32_t *hist) {
    uint32_t tables[4][512];
    memset(tables, 0, sizeof tables);
    /* per lane: byte k of its 4 elements in dword k; then dwords to qwords of 8 elements */
    const __m256i gather = _mm256_setr_epi8(0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15, 0,
                                            4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15);
    const __m256i pairs = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
    const __m256i low7 = SET8(0x7F);
    size_t j = 0, counted = 0;
    for (; j + 32 <= m; j += 32) {
        __m256i t[4];
        for (unsigned i = 0; i < 4; i++)
            t[i] = _mm256_permutevar8x32_epi32(
                _mm256_shuffle_epi8(LOAD(src + 4 * j + 32 * i), gather), pairs);
        /* t[i] qword k = byte k of elements 8i..8i+7: transpose the 4x4 qwords */
        __m256i a = _mm256_unpacklo_epi64(t[0], t[1]), b = _mm256_unpackhi_epi64(t[0], t[1]);
        __m256i c = _mm256_unpacklo_epi64(t[2], t[3]), d = _mm256_unpackhi_epi64(t[2], t[3]);
        __m256i b2 = _mm256_permute2x128_si256(a, c, 0x31),
                b3 = _mm256_permute2x128_si256(b, d, 0x31);
        STORE(out[0] + j, _mm256_permute2x128_si256(a, c, 0x20));
        STORE(out[1] + j, _mm256_permute2x128_si256(b, d, 0x20));
        STORE(out[2] + j, b2);
        STORE(out[3] + j, b3);
        /* exponent = b3 << 1 | b2 >> 7; top = (b3 & 0x80) | (b2 & 0x7F) */
        STORE(out[4] + j, _mm256_or_si256(_mm256_andnot_si256(SET8(1), _mm256_slli_epi16(b3, 1)),
                                          _mm256_and_si256(SET8(1), _mm256_srli_epi16(b2, 7))));
        STORE(out[5] + j, bitselect(low7, b2, b3));
        if (j + 32 - counted >= EMZ_HIST_PLANE_BLOCK) {
            emz_hist_count_sign_b2(out[2] + counted, out[3] + counted, j + 32 - counted, tables);
            counted = j + 32;
        }
    }
    emz_hist_count_sign_b2(out[2] + counted, out[3] + counted, j - counted, tables);
    uint8_t *const rest[6] = {out[0] + j, out[1] + j, out[2] + j,
                              out[3] + j, out[4] + j, out[5] + j};
    emz_fp32_planes_split_scalar(src + 4 * j, m - j, rest, hist);
    emz_hist_add_tables((const uint32_t *)tables, 512, hist);
}

/* 32 elements of two byte planes -> 64 bytes. */
static inline void interleave2(__m256i p0, __m256i p1, uint8_t *dst) {
    __m256i a = _mm256_unpacklo_epi8(p0, p1), b = _mm256_unpackhi_epi8(p0, p1);
    STORE(dst, _mm256_permute2x128_si256(a, b, 0x20));
    STORE(dst + 32, _mm256_permute2x128_si256(a, b, 0x31));
}

/* 32 elements of four byte planes -> 128 bytes. */
static inline void interleave4(__m256i p0, __m256i p1, __m256i p2, __m256i p3, uint8_t *dst) {
    __m256i l01 = _mm256_unpacklo_epi8(p0, p1), h01 = _mm256_unpackhi_epi8(p0, p1);
    __m256i l23 = _mm256_unpacklo_epi8(p2, p3), h23 = _mm256_unpackhi_epi8(p2, p3);
    __m256i w0 = _mm256_unpacklo_epi16(l01, l23), w1 = _mm256_unpackhi_epi16(l01, l23);
    __m256i w2 = _mm256_unpacklo_epi16(h01, h23), w3 = _mm256_unpackhi_epi16(h01, h23);
    STORE(dst, _mm256_permute2x128_si256(w0, w1, 0x20));
    STORE(dst + 32, _mm256_permute2x128_si256(w2, w3, 0x20));
    STORE(dst + 64, _mm256_permute2x128_si256(w0, w1, 0x31));
    STORE(dst + 96, _mm256_permute2x128_si256(w2, w3, 0x31));
}

void emz_bytes2_merge_avx2(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    size_t j = 0;
    for (; j + 32 <= m; j += 32)
        interleave2(LOAD(in[0] + j), LOAD(in[1] + j), dst + 2 * j);
    const uint8_t *const rest[4] = {in[0] + j, in[1] + j};
    emz_bytes2_merge_scalar(rest, m - j, dst + 2 * j);
}

void emz_bytes4_merge_avx2(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    size_t j = 0;
    for (; j + 32 <= m; j += 32)
        interleave4(LOAD(in[0] + j), LOAD(in[1] + j), LOAD(in[2] + j), LOAD(in[3] + j),
                    dst + 4 * j);
    const uint8_t *const rest[4] = {in[0] + j, in[1] + j, in[2] + j, in[3] + j};
    emz_bytes4_merge_scalar(rest, m - j, dst + 4 * j);
}

void emz_fp16_planes_merge_avx2(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        __m256i e = LOAD(in[0] + j), t = LOAD(in[2] + j);
        /* (t & 4) << 5 | e << 2 | (t & 3), byte-wise */
        __m256i hi = _mm256_or_si256(_mm256_and_si256(_mm256_slli_epi16(t, 5), SET8(0x80)),
                                     _mm256_and_si256(t, SET8(3)));
        hi = _mm256_or_si256(hi, _mm256_and_si256(_mm256_slli_epi16(e, 2), SET8(0xFC)));
        interleave2(LOAD(in[1] + j), hi, dst + 2 * j);
    }
    const uint8_t *const rest[4] = {in[0] + j, in[1] + j, in[2] + j};
    emz_fp16_planes_merge_scalar(rest, m - j, dst + 2 * j);
}

void emz_fp32_planes_merge_avx2(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    const __m256i low7 = SET8(0x7F);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        __m256i e = LOAD(in[0] + j), t = LOAD(in[3] + j);
        /* byte 2 = (e & 1) << 7 | (t & 0x7F); byte 3 = (t & 0x80) | e >> 1 */
        __m256i b2 = bitselect(low7, t, _mm256_slli_epi16(e, 7));
        __m256i b3 = bitselect(low7, _mm256_srli_epi16(e, 1), t);
        interleave4(LOAD(in[1] + j), LOAD(in[2] + j), b2, b3, dst + 4 * j);
    }
    const uint8_t *const rest[4] = {in[0] + j, in[1] + j, in[2] + j, in[3] + j};
    emz_fp32_planes_merge_scalar(rest, m - j, dst + 4 * j);
}
