/* split_merge_neon.c - split and merge of every element type with AArch64 Advanced SIMD, 32
 * elements (FP4: 64) a step. A tail shorter than a step (it always starts on a byte boundary)
 * goes to the scalar kernel, so the tail logic exists once. */
#include <arm_neon.h>
#include <string.h>

#include "common/common.h"
#include "neon/bitpack_neon.h"
#include "neon/kernels_neon.h"
#include "scalar/kernels_scalar.h"

/* ---- BF16 split and merge, 32 elements a step. vld2q/vst2q (de)interleave
 * the low and high bytes of 16 elements, so each symbol is a few byte-wise shift-inserts.
 * A tail shorter than a step goes to the scalar kernel, so the tail logic exists once. */
/* Element v = lo | hi << 8 (little-endian, as vld2q_u8 sees it).
 * exponent = v >> 7 & 0xFF = hi << 1 | lo >> 7; sign+mantissa = (hi & 0x80) | (lo & 0x7F). */
static inline void split16_bf16(const uint8_t *src, uint8_t *exps, uint8_t *sm, uint8x16_t top) {
    uint8x16x2_t v = vld2q_u8(src);
    vst1q_u8(exps, vsriq_n_u8(vshlq_n_u8(v.val[1], 1), v.val[0], 7));
    vst1q_u8(sm, vbslq_u8(top, v.val[1], v.val[0]));
}

void emz_split_bf16_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const uint8x16_t top = vdupq_n_u8(0x80);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        split16_bf16(src + 2 * j, exps + j, sm + j, top);
        split16_bf16(src + 2 * j + 32, exps + j + 16, sm + j + 16, top);
    }
    emz_split_bf16_scalar(src + 2 * j, m - j, exps + j, sm + j);
}

/* lo = e << 7 | (s & 0x7F) (shift left and insert); hi = (s & 0x80) | e >> 1 (shift right
 * and insert). */
static inline void merge16_bf16(const uint8_t *exps, const uint8_t *sm, uint8_t *dst) {
    uint8x16_t e = vld1q_u8(exps), s = vld1q_u8(sm);
    uint8x16x2_t v;
    v.val[0] = vsliq_n_u8(s, e, 7);
    v.val[1] = vsriq_n_u8(s, e, 1);
    vst2q_u8(dst, v);
}

void emz_merge_bf16_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        merge16_bf16(exps + j, sm + j, dst + 2 * j);
        merge16_bf16(exps + j + 16, sm + j + 16, dst + 2 * j + 32);
    }
    emz_merge_bf16_scalar(exps + j, sm + j, m - j, dst + 2 * j);
}

/* ---- FP16 split and merge, 32 elements a step. The 11-bit
 * sign+mantissa symbols form a bit string: 8 symbols are 11 bytes, so a step writes or reads
 * 44 bytes exactly. A tail shorter than a step (it starts on a byte boundary: 32 * 11 bits is
 * 44 bytes) goes to the scalar kernel, so the tail logic exists once. */
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
    {0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 8, 9, 10, 11, 12},           /* from {lo01, hi01} */
    {13, 14, 15, 24, 25, 26, 32, 33, 34, 35, 36, 37, 38, 39, 48, 49}, /* from all four */
    {18, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, Z, Z, Z, Z},       /* from {lo23, hi23} */
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
        uint16x8_t v0 = vreinterpretq_u16_u8(vld1q_u8(p)),
                   v1 = vreinterpretq_u16_u8(vld1q_u8(p + 16)),
                   v2 = vreinterpretq_u16_u8(vld1q_u8(p + 32)),
                   v3 = vreinterpretq_u16_u8(vld1q_u8(p + 48));
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
    const uint8x16_t at0_first = vld1q_u8(group_to_lanes[0]),
                     at0_second = vld1q_u8(group_to_lanes[1]),
                     at5_first = vld1q_u8(group_to_lanes[2]),
                     at5_second = vld1q_u8(group_to_lanes[3]);
    const int32x4_t shift_first = vld1q_s32(group_shifts[0]),
                    shift_second = vld1q_s32(group_shifts[1]);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        /* Groups start at bytes 0, 11, 22 and 33 of the step's 44; the last is read from byte
         * 28 so that no load passes byte 43. */
        const uint8_t *in = sm + j / 8 * 11;
        uint16x8_t s0 =
            group_symbols(vld1q_u8(in), at0_first, at0_second, shift_first, shift_second);
        uint16x8_t s1 =
            group_symbols(vld1q_u8(in + 11), at0_first, at0_second, shift_first, shift_second);
        uint16x8_t s2 =
            group_symbols(vld1q_u8(in + 22), at0_first, at0_second, shift_first, shift_second);
        uint16x8_t s3 =
            group_symbols(vld1q_u8(in + 28), at5_first, at5_second, shift_first, shift_second);
        uint8x16_t e0 = vld1q_u8(exps + j), e1 = vld1q_u8(exps + j + 16);
        uint8_t *out = dst + 2 * j;
        vst1q_u8(out, elements8(s0, vmovl_u8(vget_low_u8(e0))));
        vst1q_u8(out + 16, elements8(s1, vmovl_high_u8(e0)));
        vst1q_u8(out + 32, elements8(s2, vmovl_u8(vget_low_u8(e1))));
        vst1q_u8(out + 48, elements8(s3, vmovl_high_u8(e1)));
    }
    emz_merge_fp16_scalar(exps + j, sm + j / 8 * 11, m - j, dst + 2 * j);
}

/* ---- FP32 split and merge, 32 elements a step. LD4 puts byte k of 16
 * elements in one vector, and the 24-bit sign+mantissa symbol is bytes 0, 1 and a third byte,
 * stored by ST3, so the whole split is two byte-wise instructions; the merge mirrors it.
 * A tail shorter than a step goes to the scalar kernel, so the tail logic exists once. */
/* Element v = b0 | b1 << 8 | b2 << 16 | b3 << 24 (b3 = sign | exponent >> 1).
 * exponent = v >> 23 & 0xFF = b3 << 1 | b2 >> 7 (shift right and insert);
 * sign+mantissa = b0 | b1 << 8 | ((b3 & 0x80) | (b2 & 0x7F)) << 16 (bit select). */
static inline void split16_fp32(const uint8_t *src, uint8_t *exps, uint8_t *sm, uint8x16_t top) {
    uint8x16x4_t v = vld4q_u8(src);
    vst1q_u8(exps, vsriq_n_u8(vshlq_n_u8(v.val[3], 1), v.val[2], 7));
    uint8x16x3_t s = {{v.val[0], v.val[1], vbslq_u8(top, v.val[3], v.val[2])}};
    vst3q_u8(sm, s);
}

void emz_split_fp32_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const uint8x16_t top = vdupq_n_u8(0x80);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        split16_fp32(src + 4 * j, exps + j, sm + 3 * j, top);
        split16_fp32(src + 4 * j + 64, exps + j + 16, sm + 3 * j + 48, top);
    }
    emz_split_fp32_scalar(src + 4 * j, m - j, exps + j, sm + 3 * j);
}

/* b2 = e << 7 | (s2 & 0x7F) (shift left and insert); b3 = (s2 & 0x80) | e >> 1 (shift right
 * and insert), where s2 is the symbol's third byte. */
static inline void merge16_fp32(const uint8_t *exps, const uint8_t *sm, uint8_t *dst) {
    uint8x16x3_t s = vld3q_u8(sm);
    uint8x16_t e = vld1q_u8(exps);
    uint8x16x4_t v = {{s.val[0], s.val[1], vsliq_n_u8(s.val[2], e, 7), vsriq_n_u8(s.val[2], e, 1)}};
    vst4q_u8(dst, v);
}

void emz_merge_fp32_neon(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        merge16_fp32(exps + j, sm + 3 * j, dst + 4 * j);
        merge16_fp32(exps + j + 16, sm + 3 * j + 48, dst + 4 * j + 64);
    }
    emz_merge_fp32_scalar(exps + j, sm + 3 * j, m - j, dst + 4 * j);
}

/* ---- FP8 E4M3 and E5M2 split and merge, 32 elements a step.
 * E4M3's 4-bit sign+mantissa symbols pair up into bytes (LD2/ST2 separate and rejoin the even
 * and odd elements); E5M2's 3-bit ones go through the lane steps of bitpack_neon.h, 12 bytes a
 * step. A tail shorter than a step (it starts on a byte boundary) goes to the scalar kernel,
 * so the tail logic exists once. */
/* ---- E4M3: sign (bit 7) | exponent (3..6) | mantissa (0..2); symbol = sign << 3 | mantissa */

void emz_split_e4m3_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const uint8x16_t top = vdupq_n_u8(0x80);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        uint8x16x2_t v = vld2q_u8(src + j); /* even, odd elements */
        /* exponent = (v & 0x7F) >> 3: shifting left first drops the sign. */
        uint8x16x2_t e = {
            {vshrq_n_u8(vshlq_n_u8(v.val[0], 1), 4), vshrq_n_u8(vshlq_n_u8(v.val[1], 1), 4)}};
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

static inline uint8x16_t e5m2_exponent(uint8x16_t v) {
    return vshrq_n_u8(vshlq_n_u8(v, 1), 3);
}
static inline uint8x16_t e5m2_symbol(uint8x16_t v) {
    return vsliq_n_u8(v, vshrq_n_u8(v, 7), 2);
}

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

/* ---- FP4 E2M1 split and merge, 64 elements (32 source bytes) a step.
 * Element (a nibble, the low one first): sign (bit 3) | exponent (1..2) | mantissa (bit 0);
 * symbol = sign << 1 | mantissa, 2 bits, so one byte of the sign+mantissa bit string holds
 * the symbols of two source bytes. LD2 separates the even and odd source bytes, which end up
 * in the low and high nibble of each output byte; ST4/LD4 put the four exponents of a byte
 * pair in place. m (nibbles) is even, as for the scalar kernel; a tail shorter than a step
 * (it starts on a byte boundary) goes to the scalar kernel, so the tail logic exists once. */
/* The two symbols of each byte x (bits 0, 3 and 4, 7) as a nibble: low symbol | high << 2.
 * Bit select moves bits 3 and 7 down by two next to bits 0 and 4 (the mask 0x33 clears the
 * rest); shift right and accumulate then adds bits 4..5 into 2..3 (they do not overlap). */
static inline uint8x16_t symbol_nibbles(uint8x16_t x, uint8x16_t bits_0_4, uint8x16_t low_pairs) {
    uint8x16_t q = vandq_u8(vbslq_u8(bits_0_4, x, vshrq_n_u8(x, 2)), low_pairs);
    return vsraq_n_u8(q, q, 2);
}

void emz_split_fp4_neon(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const uint8x16_t bits_0_4 = vdupq_n_u8(0x11), low_pairs = vdupq_n_u8(0x33),
                     low2 = vdupq_n_u8(3);
    size_t j = 0;
    for (; j + 64 <= m; j += 64) {
        uint8x16x2_t b = vld2q_u8(src + j / 2); /* b.val[0]: bytes 2k, b.val[1]: bytes 2k + 1 */
        /* Nibbles 4k, 4k+1 come from byte 2k; 4k+2, 4k+3 from byte 2k+1. */
        uint8x16x4_t e = {
            {vandq_u8(vshrq_n_u8(b.val[0], 1), low2), vandq_u8(vshrq_n_u8(b.val[0], 5), low2),
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
