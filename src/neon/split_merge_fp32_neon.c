/* split_merge_fp32_neon.c - FP32 split and merge, 32 elements a step. LD4 puts byte k of 16
 * elements in one vector, and the 24-bit sign+mantissa symbol is bytes 0, 1 and a third byte,
 * stored by ST3, so the whole split is two byte-wise instructions; the merge mirrors it.
 * A tail shorter than a step goes to the scalar kernel, so the tail logic exists once. */
#include <arm_neon.h>

#include "simd_kernels.h"
#include "scalar/split_merge_scalar.h"

/* Element v = b0 | b1 << 8 | b2 << 16 | b3 << 24 (b3 = sign | exponent >> 1).
 * exponent = v >> 23 & 0xFF = b3 << 1 | b2 >> 7 (shift right and insert);
 * sign+mantissa = b0 | b1 << 8 | ((b3 & 0x80) | (b2 & 0x7F)) << 16 (bit select). */
static inline void split16(const uint8_t *src, uint8_t *exps, uint8_t *sm, uint8x16_t top) {
    uint8x16x4_t v = vld4q_u8(src);
    vst1q_u8(exps, vsriq_n_u8(vshlq_n_u8(v.val[3], 1), v.val[2], 7));
    uint8x16x3_t s = {{v.val[0], v.val[1], vbslq_u8(top, v.val[3], v.val[2])}};
    vst3q_u8(sm, s);
}

void emz_split_fp32_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const uint8x16_t top = vdupq_n_u8(0x80);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        split16(src + 4 * j, exps + j, sm + 3 * j, top);
        split16(src + 4 * j + 64, exps + j + 16, sm + 3 * j + 48, top);
    }
    emz_split_fp32_scalar(src + 4 * j, m - j, exps + j, sm + 3 * j);
}

/* b2 = e << 7 | (s2 & 0x7F) (shift left and insert); b3 = (s2 & 0x80) | e >> 1 (shift right
 * and insert), where s2 is the symbol's third byte. */
static inline void merge16(const uint8_t *exps, const uint8_t *sm, uint8_t *dst) {
    uint8x16x3_t s = vld3q_u8(sm);
    uint8x16_t e = vld1q_u8(exps);
    uint8x16x4_t v = {{s.val[0], s.val[1], vsliq_n_u8(s.val[2], e, 7), vsriq_n_u8(s.val[2], e, 1)}};
    vst4q_u8(dst, v);
}

void emz_merge_fp32_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        merge16(exps + j, sm + 3 * j, dst + 4 * j);
        merge16(exps + j + 16, sm + 3 * j + 48, dst + 4 * j + 64);
    }
    emz_merge_fp32_scalar(exps + j, sm + 3 * j, m - j, dst + 4 * j);
}
