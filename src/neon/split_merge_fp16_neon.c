/* split_merge_fp16_neon.c - FP16 split and merge, 32 elements a step. The 11-bit
 * sign+mantissa symbols form a bit string: 8 symbols are 11 bytes, so a step writes or reads
 * 44 bytes exactly. A tail shorter than a step (it starts on a byte boundary: 32 * 11 bits is
 * 44 bytes) goes to the scalar kernel, so the tail logic exists once. */
#include <arm_neon.h>
#include <string.h>

#include "simd_kernels.h"
#include "scalar/split_merge_scalar.h"

#define Z 0xFF /* a TBL index that reads as zero */

/* ---- split ---- */

/* Element v: sign (bit 15) | exponent (10..14) | mantissa (0..9). The symbol moves the sign
 * to bit 10; then, as in bitpack_neon.h, shift-inserts merge neighbours into wider lanes:
 * 2 symbols (22 bits) per 32-bit lane, 4 symbols (44 bits) per 64-bit lane. */
static inline uint64x2_t symbol_quads(uint16x8_t v) {
    uint32x4_t x = vreinterpretq_u32_u16(vsliq_n_u16(v, vshrq_n_u16(v, 15), 10));
    uint64x2_t y = vreinterpretq_u64_u32(vsliq_n_u32(x, vshrq_n_u32(x, 16), 11));
    return vsliq_n_u64(y, vshrq_n_u64(y, 32), 22);
}

/* 16 symbols as two 88-bit groups (8 symbols each, 11 bytes of the bit string): lo holds the
 * first 64 bits of each group, hi the other 24. A vector cannot shift across its 64-bit
 * halves, so the even and odd quads meet in separate vectors (UZP) instead. */
static inline void symbol_octets(uint16x8_t v0, uint16x8_t v1, uint8x16_t *lo, uint8x16_t *hi) {
    uint64x2_t q0 = symbol_quads(v0), q1 = symbol_quads(v1);
    uint64x2_t first = vuzp1q_u64(q0, q1), second = vuzp2q_u64(q0, q1);
    *lo = vreinterpretq_u8_u64(vsliq_n_u64(first, second, 44));
    *hi = vreinterpretq_u8_u64(vshrq_n_u64(second, 20));
}

/* The 44 output bytes are groups g0..g3 of 11 bytes, g = lo (8 bytes) then hi (3 bytes);
 * table {lo01, hi01, lo23, hi23} has g0.lo at 0, g1.lo at 8, g0.hi at 16, g1.hi at 24, then
 * the same for g2, g3 from 32. Bytes 0..15 and 32..43 need only half of the table. */
static const uint8_t octets_to_bytes[3][16] = {
    {0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 8, 9, 10, 11, 12},         /* from {lo01, hi01} */
    {13, 14, 15, 24, 25, 26, 32, 33, 34, 35, 36, 37, 38, 39, 48, 49}, /* from all four */
    {18, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, Z, Z, Z, Z},     /* from {lo23, hi23} */
};

static inline uint8x16_t high_bytes(uint16x8_t a, uint16x8_t b) {
    return vuzp2q_u8(vreinterpretq_u8_u16(a), vreinterpretq_u8_u16(b));
}

void emz_split_fp16_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const uint8x16_t idx0 = vld1q_u8(octets_to_bytes[0]), idx1 = vld1q_u8(octets_to_bytes[1]),
                     idx2 = vld1q_u8(octets_to_bytes[2]);
    const uint8x16_t exp_mask = vdupq_n_u8(0x1F);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        const uint8_t *p = src + 2 * j;
        uint16x8_t v0 = vreinterpretq_u16_u8(vld1q_u8(p)), v1 = vreinterpretq_u16_u8(vld1q_u8(p + 16)),
                   v2 = vreinterpretq_u16_u8(vld1q_u8(p + 32)), v3 = vreinterpretq_u16_u8(vld1q_u8(p + 48));
        /* exponent = (high byte >> 2) & 0x1F; UZP2 collects the high bytes in element order. */
        vst1q_u8(exps + j, vandq_u8(vshrq_n_u8(high_bytes(v0, v1), 2), exp_mask));
        vst1q_u8(exps + j + 16, vandq_u8(vshrq_n_u8(high_bytes(v2, v3), 2), exp_mask));
        uint8x16x4_t t;
        symbol_octets(v0, v1, &t.val[0], &t.val[1]);
        symbol_octets(v2, v3, &t.val[2], &t.val[3]);
        uint8_t *out = sm + j / 8 * 11;
        uint8x16x2_t first = {{t.val[0], t.val[1]}}, last = {{t.val[2], t.val[3]}};
        vst1q_u8(out, vqtbl2q_u8(first, idx0));
        vst1q_u8(out + 16, vqtbl4q_u8(t, idx1));
        uint8x16_t tail = vqtbl2q_u8(last, idx2);
        vst1_u8(out + 32, vget_low_u8(tail));
        uint32_t tail4 = vgetq_lane_u32(vreinterpretq_u32_u8(tail), 2);
        memcpy(out + 40, &tail4, 4);
    }
    emz_split_fp16_scalar(src + 2 * j, m - j, exps + j, sm + j / 8 * 11);
}

/* ---- merge ---- */

/* Symbol i of a group of 8 starts at bit 11 * i: byte (11 * i) / 8, shift (11 * i) % 8,
 * spanning 2 or 3 bytes. TBL copies those bytes into a 32-bit lane, USHL shifts the symbol
 * down to bit 0 (bits above bit 10 then belong to the next symbol and are ignored later).
 * Rows: symbols 0..3 and 4..7 of a group at byte 0 of the vector, and the same at byte 5. */
static const uint8_t group_to_lanes[4][16] = {
    {0, 1, Z, Z, 1, 2, Z, Z, 2, 3, 4, Z, 4, 5, Z, Z},
    {5, 6, Z, Z, 6, 7, 8, Z, 8, 9, Z, Z, 9, 10, Z, Z},
    {5, 6, Z, Z, 6, 7, Z, Z, 7, 8, 9, Z, 9, 10, Z, Z},
    {10, 11, Z, Z, 11, 12, 13, Z, 13, 14, Z, Z, 14, 15, Z, Z},
};
static const int32_t group_shifts[2][4] = {{0, -3, -6, -1}, {-4, -7, -2, -5}};

/* 8 symbols (a group) from the bytes in b, as 16-bit lanes: the low 11 bits are the symbol. */
static inline uint16x8_t group_symbols(uint8x16_t b, uint8x16_t idx_first, uint8x16_t idx_second,
                                       int32x4_t shift_first, int32x4_t shift_second) {
    uint32x4_t x = vshlq_u32(vreinterpretq_u32_u8(vqtbl1q_u8(b, idx_first)), shift_first);
    uint32x4_t y = vshlq_u32(vreinterpretq_u32_u8(vqtbl1q_u8(b, idx_second)), shift_second);
    return vuzp1q_u16(vreinterpretq_u16_u32(x), vreinterpretq_u16_u32(y));
}

/* v = e << 10 | (s & 0x3FF) (shift left and insert), then bit 15 = s bit 10 (the sign: shift
 * left and insert of s >> 10, which also drops the neighbour's bits above). */
static inline uint8x16_t elements8(uint16x8_t s, uint16x8_t e) {
    uint16x8_t v = vsliq_n_u16(s, e, 10);
    return vreinterpretq_u8_u16(vsliq_n_u16(v, vshrq_n_u16(s, 10), 15));
}

void emz_merge_fp16_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    const uint8x16_t at0_first = vld1q_u8(group_to_lanes[0]), at0_second = vld1q_u8(group_to_lanes[1]),
                     at5_first = vld1q_u8(group_to_lanes[2]), at5_second = vld1q_u8(group_to_lanes[3]);
    const int32x4_t shift_first = vld1q_s32(group_shifts[0]), shift_second = vld1q_s32(group_shifts[1]);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        /* Groups start at bytes 0, 11, 22 and 33 of the step's 44; the last is read from byte
         * 28 so that no load passes byte 43. */
        const uint8_t *in = sm + j / 8 * 11;
        uint16x8_t s0 = group_symbols(vld1q_u8(in), at0_first, at0_second, shift_first, shift_second);
        uint16x8_t s1 = group_symbols(vld1q_u8(in + 11), at0_first, at0_second, shift_first, shift_second);
        uint16x8_t s2 = group_symbols(vld1q_u8(in + 22), at0_first, at0_second, shift_first, shift_second);
        uint16x8_t s3 = group_symbols(vld1q_u8(in + 28), at5_first, at5_second, shift_first, shift_second);
        uint8x16_t e0 = vld1q_u8(exps + j), e1 = vld1q_u8(exps + j + 16);
        uint8_t *out = dst + 2 * j;
        vst1q_u8(out, elements8(s0, vmovl_u8(vget_low_u8(e0))));
        vst1q_u8(out + 16, elements8(s1, vmovl_high_u8(e0)));
        vst1q_u8(out + 32, elements8(s2, vmovl_u8(vget_low_u8(e1))));
        vst1q_u8(out + 48, elements8(s3, vmovl_high_u8(e1)));
    }
    emz_merge_fp16_scalar(exps + j, sm + j / 8 * 11, m - j, dst + 2 * j);
}
