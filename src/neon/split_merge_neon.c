/* split_merge_neon.c - BF16 split and merge, 32 elements a step. vld2q/vst2q (de)interleave
 * the low and high bytes of 16 elements, so each symbol is a few byte-wise shift-inserts.
 * A tail shorter than a step goes to the scalar kernel, so the tail logic exists once. */
#include <arm_neon.h>

#include "common.h"
#include "simd_kernels.h"
#include "scalar/split_merge_scalar.h"

/* Element v = lo | hi << 8 (little-endian, as vld2q_u8 sees it).
 * exponent = v >> 7 & 0xFF = hi << 1 | lo >> 7; sign+mantissa = (hi & 0x80) | (lo & 0x7F). */
static inline void split16(const uint8_t *src, uint8_t *exps, uint8_t *sm, uint8x16_t top) {
    uint8x16x2_t v = vld2q_u8(src);
    vst1q_u8(exps, vsriq_n_u8(vshlq_n_u8(v.val[1], 1), v.val[0], 7));
    vst1q_u8(sm, vbslq_u8(top, v.val[1], v.val[0]));
}

void emz_split_bf16_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const uint8x16_t top = vdupq_n_u8(0x80);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        split16(src + 2 * j, exps + j, sm + j, top);
        split16(src + 2 * j + 32, exps + j + 16, sm + j + 16, top);
    }
    emz_split_bf16_scalar(src + 2 * j, m - j, exps + j, sm + j);
}

/* lo = e << 7 | (s & 0x7F) (shift left and insert); hi = (s & 0x80) | e >> 1 (shift right
 * and insert). */
static inline void merge16(const uint8_t *exps, const uint8_t *sm, uint8_t *dst) {
    uint8x16_t e = vld1q_u8(exps), s = vld1q_u8(sm);
    uint8x16x2_t v;
    v.val[0] = vsliq_n_u8(s, e, 7);
    v.val[1] = vsriq_n_u8(s, e, 1);
    vst2q_u8(dst, v);
}

void emz_merge_bf16_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        merge16(exps + j, sm + j, dst + 2 * j);
        merge16(exps + j + 16, sm + j + 16, dst + 2 * j + 32);
    }
    emz_merge_bf16_scalar(exps + j, sm + j, m - j, dst + 2 * j);
}
