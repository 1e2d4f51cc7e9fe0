/* planes_avx512.c - version 2 byte planes with AVX-512 (BW, VBMI), 64 elements a step: VBMI
 * byte permutes and in-lane unpacks, then a 4x4 transpose of 128-bit lanes, move elements and
 * byte planes; the FP16 / FP32 symbols are bit selects (vpternlogd). Tails go to scalar. */
#include <immintrin.h>

#include "avx512/kernels_avx512.h"
#include "kernels/histogram_count.h"
#include "kernels/table_macros.h"
#include "scalar/kernels_scalar.h"

#include <string.h>

#define LOAD(p) _mm512_loadu_si512((const void *)(p))
#define STORE(p, v) _mm512_storeu_si512((void *)(p), (v))
#define SET8(x) _mm512_set1_epi8((char)(x))
#define SELECT 0xCA /* vpternlogd: a ? b : c, bit by bit */

/* Byte i of a pair of vectors: every even (low) byte, every odd (high) byte; byte k of each of
 * 16 elements of 4 bytes into 128-bit lane k. */
#define EVEN_BYTE(a, i) (2 * (i)) % 128
#define ODD_BYTE(a, i) (2 * (i) + 1) % 128
#define LANE_PLANE(a, i) ((i) % 16 * 4 + (i) / 16)
static const uint8_t even_bytes[64] = {X64(EVEN_BYTE, 0)};
static const uint8_t odd_bytes[64] = {X64(ODD_BYTE, 0)};
static const uint8_t lane_planes[64] = {X64(LANE_PLANE, 0)};

/* out[k] lane i = in[i] lane k. */
static inline void transpose_lanes(const __m512i in[4], __m512i out[4]) {
    __m512i u0 = _mm512_shuffle_i32x4(in[0], in[1], 0x44),
            u1 = _mm512_shuffle_i32x4(in[0], in[1], 0xEE);
    __m512i u2 = _mm512_shuffle_i32x4(in[2], in[3], 0x44),
            u3 = _mm512_shuffle_i32x4(in[2], in[3], 0xEE);
    out[0] = _mm512_shuffle_i32x4(u0, u2, 0x88);
    out[1] = _mm512_shuffle_i32x4(u0, u2, 0xDD);
    out[2] = _mm512_shuffle_i32x4(u1, u3, 0x88);
    out[3] = _mm512_shuffle_i32x4(u1, u3, 0xDD);
}

void emz_fp16_planes_split_avx512(const uint8_t *src, size_t m, uint8_t *const out[6],
                                  uint32_t *hist) {
    uint32_t tables[4][256];
    memset(tables, 0, sizeof tables);
    const __m512i lo_idx = LOAD(even_bytes), hi_idx = LOAD(odd_bytes);
    size_t j = 0, counted = 0;
    for (; j + 64 <= m; j += 64) {
        __m512i a = LOAD(src + 2 * j), b = LOAD(src + 2 * j + 64);
        __m512i hi = _mm512_permutex2var_epi8(a, hi_idx, b);
        STORE(out[0] + j, _mm512_permutex2var_epi8(a, lo_idx, b));
        STORE(out[1] + j, hi);
        /* exponent = hi >> 2 & 0x1F; top = (hi >> 5 & 4) | (hi & 3); 16-bit shifts, the bits
         * carried across bytes fall under the masks */
        STORE(out[2] + j, _mm512_and_si512(_mm512_srli_epi16(hi, 2), SET8(0x1F)));
        STORE(out[3] + j,
              _mm512_ternarylogic_epi32(
                  SET8(3), hi, _mm512_and_si512(_mm512_srli_epi16(hi, 5), SET8(4)), SELECT));
        if (j + 64 - counted >= EMZ_HIST_PLANE_BLOCK) {
            emz_hist_count4(out[1] + counted, j + 64 - counted, tables);
            counted = j + 64;
        }
    }
    emz_hist_count4(out[1] + counted, j - counted, tables);
    uint8_t *const rest[6] = {out[0] + j, out[1] + j, out[2] + j, out[3] + j};
    emz_fp16_planes_split_scalar(src + 2 * j, m - j, rest, hist);
    emz_hist_add_tables((const uint32_t *)tables, 256, hist);
}

void emz_fp32_planes_split_avx512(const uint8_t *src, size_t m, uint8_t *const out[6],
                                  uint32_t *hist) {
    uint32_t tables[4][512];
    memset(tables, 0, sizeof tables);
    const __m512i gather = LOAD(lane_planes);
    const __m512i bit0 = SET8(1), low7 = SET8(0x7F);
    size_t j = 0, counted = 0;
    for (; j + 64 <= m; j += 64) {
        __m512i t[4], p[4];
        for (unsigned i = 0; i < 4; i++)
            t[i] = _mm512_permutexvar_epi8(gather, LOAD(src + 4 * j + 64 * i));
        transpose_lanes(t, p);
        for (unsigned k = 0; k < 4; k++)
            STORE(out[k] + j, p[k]);
        /* exponent = b3 << 1 | b2 >> 7; top = (b3 & 0x80) | (b2 & 0x7F) */
        STORE(out[4] + j, _mm512_ternarylogic_epi32(bit0, _mm512_srli_epi16(p[2], 7),
                                                    _mm512_slli_epi16(p[3], 1), SELECT));
        STORE(out[5] + j, _mm512_ternarylogic_epi32(low7, p[2], p[3], SELECT));
        if (j + 64 - counted >= EMZ_HIST_PLANE_BLOCK) {
            emz_hist_count_sign_b2(out[2] + counted, out[3] + counted, j + 64 - counted, tables);
            counted = j + 64;
        }
    }
    emz_hist_count_sign_b2(out[2] + counted, out[3] + counted, j - counted, tables);
    uint8_t *const rest[6] = {out[0] + j, out[1] + j, out[2] + j,
                              out[3] + j, out[4] + j, out[5] + j};
    emz_fp32_planes_split_scalar(src + 4 * j, m - j, rest, hist);
    emz_hist_add_tables((const uint32_t *)tables, 512, hist);
}

/* Interleaving byte planes: vpermt2b picks any byte of two vectors, so two planes interleave
 * with one permute per 64 output bytes, and four with two (pairs of planes, then pairs of
 * pairs): half the shuffles of unpacks followed by lane moves (measured 0.90x the
 * compiler-vectorized plain loop for four planes with those; L1-resident). Pairs: byte i of the
 * low (high) half is byte i % 2 of element i / 2 (32 + i / 2); quads: byte i of quarter q is
 * byte i % 4 of element 16q + i / 4, taken from the pairs of its half. */
#define PAIR_LO(a, i) ((i) % 2 * 64 + (i) / 2)
#define PAIR_HI(a, i) ((i) % 2 * 64 + 32 + (i) / 2)
#define QUAD(q, i) ((i) % 4 / 2 * 64 + 2 * (16 * ((q) % 2) + (i) / 4) + (i) % 2)
static const uint8_t pair_lo[64] = {X64(PAIR_LO, 0)};
static const uint8_t pair_hi[64] = {X64(PAIR_HI, 0)};
static const uint8_t quad_even[64] = {X64(QUAD, 0)};
static const uint8_t quad_odd[64] = {X64(QUAD, 1)};

/* The merges first hand scalar the elements before the first 64-byte boundary of dst (when dst
 * is a multiple of the element size apart from one), so that no vector store splits a cache
 * line: the merges are store-bound, and split stores cost them 5-10%. */
static inline size_t aligning_head(const uint8_t *dst, unsigned B, size_t m) {
    size_t to_line = (size_t)(-(uintptr_t)dst & 63), head = to_line / B;
    return to_line % B == 0 && head < m ? head : 0;
}

/* 64 elements of two byte planes -> 128 bytes. */
static inline void interleave2(__m512i p0, __m512i p1, uint8_t *dst) {
    STORE(dst, _mm512_permutex2var_epi8(p0, LOAD(pair_lo), p1));
    STORE(dst + 64, _mm512_permutex2var_epi8(p0, LOAD(pair_hi), p1));
}

/* 64 elements of four byte planes -> 256 bytes. */
static inline void interleave4(__m512i p0, __m512i p1, __m512i p2, __m512i p3, uint8_t *dst) {
    const __m512i lo = LOAD(pair_lo), hi = LOAD(pair_hi);
    const __m512i even = LOAD(quad_even), odd = LOAD(quad_odd);
    __m512i l01 = _mm512_permutex2var_epi8(p0, lo, p1), h01 = _mm512_permutex2var_epi8(p0, hi, p1);
    __m512i l23 = _mm512_permutex2var_epi8(p2, lo, p3), h23 = _mm512_permutex2var_epi8(p2, hi, p3);
    STORE(dst, _mm512_permutex2var_epi8(l01, even, l23));
    STORE(dst + 64, _mm512_permutex2var_epi8(l01, odd, l23));
    STORE(dst + 128, _mm512_permutex2var_epi8(h01, even, h23));
    STORE(dst + 192, _mm512_permutex2var_epi8(h01, odd, h23));
}

void emz_bytes2_merge_avx512(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    size_t j = aligning_head(dst, 2, m);
    emz_bytes2_merge_scalar(in, j, dst);
    for (; j + 64 <= m; j += 64)
        interleave2(LOAD(in[0] + j), LOAD(in[1] + j), dst + 2 * j);
    const uint8_t *const rest[4] = {in[0] + j, in[1] + j};
    emz_bytes2_merge_scalar(rest, m - j, dst + 2 * j);
}

void emz_bytes4_merge_avx512(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    size_t j = aligning_head(dst, 4, m);
    emz_bytes4_merge_scalar(in, j, dst);
    for (; j + 64 <= m; j += 64)
        interleave4(LOAD(in[0] + j), LOAD(in[1] + j), LOAD(in[2] + j), LOAD(in[3] + j),
                    dst + 4 * j);
    const uint8_t *const rest[4] = {in[0] + j, in[1] + j, in[2] + j, in[3] + j};
    emz_bytes4_merge_scalar(rest, m - j, dst + 4 * j);
}

void emz_fp16_planes_merge_avx512(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    const __m512i m3 = SET8(3), sign = SET8(0x80), mfc = SET8(0xFC);
    size_t j = aligning_head(dst, 2, m);
    emz_fp16_planes_merge_scalar(in, j, dst);
    for (; j + 64 <= m; j += 64) {
        __m512i e = LOAD(in[0] + j), t = LOAD(in[2] + j);
        /* (t & 4) << 5 | e << 2 | (t & 3), byte-wise */
        __m512i s = _mm512_ternarylogic_epi32(
            m3, t, _mm512_and_si512(_mm512_slli_epi16(t, 5), sign), SELECT);
        __m512i hi = _mm512_ternarylogic_epi32(mfc, _mm512_slli_epi16(e, 2), s, 0xEA); /* a&b|c */
        interleave2(LOAD(in[1] + j), hi, dst + 2 * j);
    }
    const uint8_t *const rest[4] = {in[0] + j, in[1] + j, in[2] + j};
    emz_fp16_planes_merge_scalar(rest, m - j, dst + 2 * j);
}

void emz_fp32_planes_merge_avx512(const uint8_t *const in[4], size_t m, uint8_t *dst) {
    const __m512i low7 = SET8(0x7F);
    size_t j = aligning_head(dst, 4, m);
    emz_fp32_planes_merge_scalar(in, j, dst);
    for (; j + 64 <= m; j += 64) {
        __m512i e = LOAD(in[0] + j), t = LOAD(in[3] + j);
        /* byte 2 = (e & 1) << 7 | (t & 0x7F); byte 3 = (t & 0x80) | e >> 1 */
        __m512i b2 = _mm512_ternarylogic_epi32(low7, t, _mm512_slli_epi16(e, 7), SELECT);
        __m512i b3 = _mm512_ternarylogic_epi32(low7, _mm512_srli_epi16(e, 1), t, SELECT);
        interleave4(LOAD(in[1] + j), LOAD(in[2] + j), b2, b3, dst + 4 * j);
    }
    const uint8_t *const rest[4] = {in[0] + j, in[1] + j, in[2] + j, in[3] + j};
    emz_fp32_planes_merge_scalar(rest, m - j, dst + 4 * j);
}
