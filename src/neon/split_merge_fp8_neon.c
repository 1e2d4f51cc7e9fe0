/* split_merge_fp8_neon.c - FP8 E4M3 and E5M2 split and merge, 32 elements a step.
 * E4M3's 4-bit sign+mantissa symbols pair up into bytes (LD2/ST2 separate and rejoin the even
 * and odd elements); E5M2's 3-bit ones go through the lane steps of bitpack_neon.h, 12 bytes a
 * step. A tail shorter than a step (it starts on a byte boundary) goes to the scalar kernel,
 * so the tail logic exists once. */
#include "bitpack_neon.h"

#include "simd_kernels.h"
#include "scalar/split_merge_scalar.h"

/* ---- E4M3: sign (bit 7) | exponent (3..6) | mantissa (0..2); symbol = sign << 3 | mantissa */

void emz_split_e4m3_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const uint8x16_t top = vdupq_n_u8(0x80);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        uint8x16x2_t v = vld2q_u8(src + j); /* even, odd elements */
        /* exponent = (v & 0x7F) >> 3: shifting left first drops the sign. */
        uint8x16x2_t e = {{vshrq_n_u8(vshlq_n_u8(v.val[0], 1), 4), vshrq_n_u8(vshlq_n_u8(v.val[1], 1), 4)}};
        vst2q_u8(exps + j, e);
        /* Byte k = even symbol | odd symbol << 4. The even symbol: sign >> 4 inserted above the
         * mantissa; the odd one: the element shifted into the high nibble, whose top bit then
         * takes the element's own sign (bit select). */
        uint8x16_t even_sym = vsliq_n_u8(v.val[0], vshrq_n_u8(v.val[0], 7), 3);
        vst1q_u8(sm + j / 2, vbslq_u8(top, v.val[1], vsliq_n_u8(even_sym, v.val[1], 4)));
    }
    emz_split_e4m3_scalar(src + j, m - j, exps + j, sm + j / 2);
}

void emz_merge_e4m3_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    const uint8x16_t top = vdupq_n_u8(0x80);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        uint8x16_t b = vld1q_u8(sm + j / 2); /* even symbol in the low nibble, odd in the high */
        uint8x16x2_t e = vld2q_u8(exps + j);
        uint8x16x2_t v;
        /* e << 3 | mantissa (shift left and insert); then the sign: the even one is b bit 3,
         * inserted at bit 7; the odd one already sits at bit 7 of b (bit select). */
        v.val[0] = vsliq_n_u8(vsliq_n_u8(b, e.val[0], 3), vshrq_n_u8(b, 3), 7);
        v.val[1] = vbslq_u8(top, b, vsliq_n_u8(vshrq_n_u8(b, 4), e.val[1], 3));
        vst2q_u8(dst + j, v);
    }
    emz_merge_e4m3_scalar(exps + j, sm + j / 2, m - j, dst + j);
}

/* ---- E5M2: sign (bit 7) | exponent (2..6) | mantissa (0..1); symbol = sign << 2 | mantissa */

static inline uint8x16_t e5m2_exponent(uint8x16_t v) { return vshrq_n_u8(vshlq_n_u8(v, 1), 3); }
static inline uint8x16_t e5m2_symbol(uint8x16_t v) { return vsliq_n_u8(v, vshrq_n_u8(v, 7), 2); }

void emz_split_e5m2_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        uint8x16_t a = vld1q_u8(src + j), b = vld1q_u8(src + j + 16);
        vst1q_u8(exps + j, e5m2_exponent(a));
        vst1q_u8(exps + j + 16, e5m2_exponent(b));
        emz_neon_pack32(e5m2_symbol(a), e5m2_symbol(b), 3, sm + j / 8 * 3);
    }
    emz_split_e5m2_scalar(src + j, m - j, exps + j, sm + j / 8 * 3);
}

/* e << 2 | mantissa (shift left and insert), then bit 7 = symbol bit 2: both inserts ignore
 * the bits above the symbol that unpacking leaves. */
static inline uint8x16_t e5m2_element(uint8x16_t s, uint8x16_t e) {
    return vsliq_n_u8(vsliq_n_u8(s, e, 2), vshrq_n_u8(s, 2), 7);
}

void emz_merge_e5m2_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        uint8x16x2_t s = emz_neon_unpack32(sm + j / 8 * 3, 3);
        vst1q_u8(dst + j, e5m2_element(s.val[0], vld1q_u8(exps + j)));
        vst1q_u8(dst + j + 16, e5m2_element(s.val[1], vld1q_u8(exps + j + 16)));
    }
    emz_merge_e5m2_scalar(exps + j, sm + j / 8 * 3, m - j, dst + j);
}
