/* split_merge_fp4_neon.c - FP4 E2M1 split and merge, 64 elements (32 source bytes) a step.
 * Element (a nibble, the low one first): sign (bit 3) | exponent (1..2) | mantissa (bit 0);
 * symbol = sign << 1 | mantissa, 2 bits, so one byte of the sign+mantissa bit string holds
 * the symbols of two source bytes. LD2 separates the even and odd source bytes, which end up
 * in the low and high nibble of each output byte; ST4/LD4 put the four exponents of a byte
 * pair in place. m (nibbles) is even, as for the scalar kernel; a tail shorter than a step
 * (it starts on a byte boundary) goes to the scalar kernel, so the tail logic exists once. */
#include <arm_neon.h>

#include "simd_kernels.h"
#include "scalar/split_merge_scalar.h"

/* The two symbols of each byte x (bits 0, 3 and 4, 7) as a nibble: low symbol | high << 2.
 * Bit select moves bits 3 and 7 down by two next to bits 0 and 4 (the mask 0x33 clears the
 * rest); shift right and accumulate then adds bits 4..5 into 2..3 (they do not overlap). */
static inline uint8x16_t symbol_nibbles(uint8x16_t x, uint8x16_t bits_0_4, uint8x16_t low_pairs) {
    uint8x16_t q = vandq_u8(vbslq_u8(bits_0_4, x, vshrq_n_u8(x, 2)), low_pairs);
    return vsraq_n_u8(q, q, 2);
}

void emz_split_fp4_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const uint8x16_t bits_0_4 = vdupq_n_u8(0x11), low_pairs = vdupq_n_u8(0x33), low2 = vdupq_n_u8(3);
    size_t j = 0;
    for (; j + 64 <= m; j += 64) {
        uint8x16x2_t b = vld2q_u8(src + j / 2); /* b.val[0]: bytes 2k, b.val[1]: bytes 2k + 1 */
        /* Nibbles 4k, 4k+1 come from byte 2k; 4k+2, 4k+3 from byte 2k+1. */
        uint8x16x4_t e = {{vandq_u8(vshrq_n_u8(b.val[0], 1), low2), vandq_u8(vshrq_n_u8(b.val[0], 5), low2),
                           vandq_u8(vshrq_n_u8(b.val[1], 1), low2), vandq_u8(vshrq_n_u8(b.val[1], 5), low2)}};
        vst4q_u8(exps + j, e);
        uint8x16_t even = symbol_nibbles(b.val[0], bits_0_4, low_pairs);
        uint8x16_t odd = symbol_nibbles(b.val[1], bits_0_4, low_pairs);
        vst1q_u8(sm + j / 4, vsliq_n_u8(even, odd, 4));
    }
    emz_split_fp4_scalar(src + j / 2, m - j, exps + j, sm + j / 4);
}

void emz_merge_fp4_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    /* Nibble n = low symbol | high symbol << 2 -> its bits at the element positions of a
     * byte: low symbol to bits 0 and 3, high symbol to bits 4 and 7. */
    static const uint8_t spread[16] = {0x00, 0x01, 0x08, 0x09, 0x10, 0x11, 0x18, 0x19,
                                       0x80, 0x81, 0x88, 0x89, 0x90, 0x91, 0x98, 0x99};
    const uint8x16_t spread_tbl = vld1q_u8(spread), low4 = vdupq_n_u8(0x0F);
    size_t j = 0;
    for (; j + 64 <= m; j += 64) {
        uint8x16_t s = vld1q_u8(sm + j / 4);
        uint8x16x4_t e = vld4q_u8(exps + j);
        uint8x16x2_t v;
        /* Exponents: the low element's at bits 1..2, the high one's at 5..6, i.e.
         * (e_low | e_high << 4) << 1 (shift left and insert, then shift). */
        v.val[0] = vorrq_u8(vqtbl1q_u8(spread_tbl, vandq_u8(s, low4)),
                            vshlq_n_u8(vsliq_n_u8(e.val[0], e.val[1], 4), 1));
        v.val[1] = vorrq_u8(vqtbl1q_u8(spread_tbl, vshrq_n_u8(s, 4)),
                            vshlq_n_u8(vsliq_n_u8(e.val[2], e.val[3], 4), 1));
        vst2q_u8(dst + j / 2, v);
    }
    emz_merge_fp4_scalar(exps + j, sm + j / 4, m - j, dst + j / 2);
}
