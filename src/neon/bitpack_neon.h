/* bitpack_neon.h - NEON building blocks for RAW bit strings of narrow symbols (FORMAT.md:
 * symbol j of width w is bits [j*w, (j+1)*w), LSB-first), shared by bitpack_neon.c and the
 * split/merge kernels whose sign+mantissa stream is such a bit string.
 *
 * Packing doubles the field width three times: adjacent bytes merge into 16-bit lanes of 2w
 * bits, those into 32-bit lanes of 4w bits, those into 64-bit lanes of 8w bits, which are the
 * w bytes of the bit string for 8 symbols. Each merge is a shift and a shift-insert (SLI), so 16
 * symbols cost 6 instructions; one table lookup (TBL) then closes the gaps between the lanes.
 * Unpacking runs the same steps backwards. SLI and shift counts must be immediates even at -O0,
 * so the lane steps are stamped out per width by a macro; the rest takes the width as an
 * argument and is always inlined with a constant, which folds every switch on it away.
 * Every function here reads and writes exactly the bytes of the symbols it handles. */
#ifndef EMZ_BITPACK_NEON_H
#define EMZ_BITPACK_NEON_H

#include <arm_neon.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "kernels/table_macros.h"

#define EMZ_NEON_INLINE static inline __attribute__((always_inline))

/* Lane steps for width W: pack turns 16 symbols (bytes < 2^W) into two 64-bit lanes of 8W
 * bits; unpack turns two such lanes back into 16 bytes whose low W bits are the symbols. Unpack
 * leaves the neighbours' bits above bit W (masking at every step would cost 3 instructions
 * more; callers mask once, or ignore those bits). */
#define EMZ_NEON_LANE_STEPS(W)                                                                     \
    EMZ_NEON_INLINE uint8x16_t emz_neon_pack_lanes_w##W(uint8x16_t v) {                            \
        uint16x8_t x = vreinterpretq_u16_u8(v);                                                    \
        uint32x4_t y = vreinterpretq_u32_u16(vsliq_n_u16(x, vshrq_n_u16(x, 8), W));                \
        uint64x2_t z = vreinterpretq_u64_u32(vsliq_n_u32(y, vshrq_n_u32(y, 16), 2 * W));           \
        return vreinterpretq_u8_u64(vsliq_n_u64(z, vshrq_n_u64(z, 32), 4 * W));                    \
    }                                                                                              \
    EMZ_NEON_INLINE uint8x16_t emz_neon_unpack_lanes_w##W(uint8x16_t v) {                          \
        uint64x2_t z = vreinterpretq_u64_u8(v);                                                    \
        uint32x4_t y = vreinterpretq_u32_u64(vsliq_n_u64(z, vshrq_n_u64(z, 4 * W), 32));           \
        uint16x8_t x = vreinterpretq_u16_u32(vsliq_n_u32(y, vshrq_n_u32(y, 2 * W), 16));           \
        return vreinterpretq_u8_u16(vsliq_n_u16(x, vshrq_n_u16(x, W), 8));                         \
    }

EMZ_NEON_LANE_STEPS(1)
EMZ_NEON_LANE_STEPS(2)
EMZ_NEON_LANE_STEPS(3)
EMZ_NEON_LANE_STEPS(4)
EMZ_NEON_LANE_STEPS(5)
EMZ_NEON_LANE_STEPS(6)
EMZ_NEON_LANE_STEPS(7)

/* F(W) for the constant W that equals w (1..7): code built on immediates gets one copy per
 * width, and with w constant the choice folds away. */
#define EMZ_NEON_BY_WIDTH(w, F)                                                                    \
    ((w) == 1   ? F(1)                                                                             \
     : (w) == 2 ? F(2)                                                                             \
     : (w) == 3 ? F(3)                                                                             \
     : (w) == 4 ? F(4)                                                                             \
     : (w) == 5 ? F(5)                                                                             \
     : (w) == 6 ? F(6)                                                                             \
                : F(7))

EMZ_NEON_INLINE uint8x16_t emz_neon_pack_lanes(uint8x16_t v, const unsigned w) {
#define EMZ_PACK_AT(W) emz_neon_pack_lanes_w##W(v)
    return EMZ_NEON_BY_WIDTH(w, EMZ_PACK_AT);
#undef EMZ_PACK_AT
}

EMZ_NEON_INLINE uint8x16_t emz_neon_unpack_lanes(uint8x16_t v, const unsigned w) {
#define EMZ_UNPACK_AT(W) emz_neon_unpack_lanes_w##W(v)
    return EMZ_NEON_BY_WIDTH(w, EMZ_UNPACK_AT);
#undef EMZ_UNPACK_AT
}

/* 32-bit pieces through memcpy: vld1_lane_u32/vst1q_lane_u32 take a uint32_t pointer, which
 * would claim an alignment the bit string does not have. */
EMZ_NEON_INLINE uint8x8_t emz_neon_load4(const uint8_t *p) {
    uint32_t t;
    memcpy(&t, p, 4);
    return vcreate_u8(t);
}

EMZ_NEON_INLINE void emz_neon_store4(uint8_t *p, uint8x16_t v, const int lane) {
    uint32_t t = lane == 0 ? vgetq_lane_u32(vreinterpretq_u32_u8(v), 0)
                           : vgetq_lane_u32(vreinterpretq_u32_u8(v), 2);
    memcpy(p, &t, 4);
}

/* n bytes (4, 8, 12 or 16) into a vector, zeros after them; reads exactly those bytes. */
EMZ_NEON_INLINE uint8x16_t emz_neon_load_upto16(const uint8_t *p, const size_t n) {
    if (n == 16) return vld1q_u8(p);
    if (n == 12) return vcombine_u8(vld1_u8(p), emz_neon_load4(p + 8));
    if (n == 8) return vcombine_u8(vld1_u8(p), vdup_n_u8(0));
    return vcombine_u8(emz_neon_load4(p), vdup_n_u8(0));
}

/* Stores the first n bytes (4..32, a multiple of 4) of lo:hi; writes exactly those bytes. */
EMZ_NEON_INLINE void emz_neon_store_bytes(uint8_t *out, uint8x16_t lo, uint8x16_t hi,
                                          const size_t n) {
    size_t done = 0;
    if (n >= 16) {
        vst1q_u8(out, lo);
        lo = hi;
        done = 16;
    }
    if (n - done >= 8) {
        vst1_u8(out + done, vget_low_u8(lo));
        if (n - done >= 12) emz_neon_store4(out + done + 8, lo, 2);
    } else if (n - done >= 4) {
        emz_neon_store4(out + done, lo, 0);
    }
}

/* Packs 32 symbols (a: 0..15, b: 16..31, each < 2^w, 1 <= w <= 7) into the 4w bytes at out.
 * The lanes hold 8 symbols in their first w bytes; the gather table picks those bytes. */
EMZ_NEON_INLINE void emz_neon_pack32(uint8x16_t a, uint8x16_t b, const unsigned w, uint8_t *out) {
/* Output byte i is byte i % w of lane i / w (lanes 8 bytes apart); 0xFF reads as zero. */
#define EMZ_G(w, i) ((i) < 4 * (w) ? 8 * ((i) / (w)) + (i) % (w) : 0xFF)
    static const uint8_t gather[8][32] = WIDTH_ROWS(X32, EMZ_G);
#undef EMZ_G
    uint8x16x2_t lanes = {{emz_neon_pack_lanes(a, w), emz_neon_pack_lanes(b, w)}};
    uint8x16_t lo = vqtbl2q_u8(lanes, vld1q_u8(gather[w]));
    uint8x16_t hi = w > 4 ? vqtbl2q_u8(lanes, vld1q_u8(gather[w] + 16)) : lo;
    emz_neon_store_bytes(out, lo, hi, 4 * w);
}

/* Unpacks 32 symbols of w bits (1 <= w <= 7) from the 4w bytes at in: symbols 0..15 in val[0],
 * 16..31 in val[1], in the low w bits of each byte (the bits above are not cleared). */
EMZ_NEON_INLINE uint8x16x2_t emz_neon_unpack32(const uint8_t *in, const unsigned w) {
/* Lane k (8 bytes) of the two outputs gets input bytes [k*w, (k+1)*w); 0xFF reads as zero. */
#define EMZ_S(w, i) ((i) % 8 < (w) ? (i) / 8 * (w) + (i) % 8 : 0xFF)
    static const uint8_t spread[8][32] = WIDTH_ROWS(X32, EMZ_S);
#undef EMZ_S
    uint8x16_t i0 = vld1q_u8(spread[w]), i1 = vld1q_u8(spread[w] + 16);
    uint8x16_t lanes0, lanes1;
    if (w <= 4) { /* 4w <= 16 bytes: one table register */
        uint8x16_t bytes = emz_neon_load_upto16(in, 4 * w);
        lanes0 = vqtbl1q_u8(bytes, i0);
        lanes1 = vqtbl1q_u8(bytes, i1);
    } else {
        uint8x16x2_t bytes = {{vld1q_u8(in), emz_neon_load_upto16(in + 16, 4 * w - 16)}};
        lanes0 = vqtbl2q_u8(bytes, i0);
        lanes1 = vqtbl2q_u8(bytes, i1);
    }
    uint8x16x2_t r = {{emz_neon_unpack_lanes(lanes0, w), emz_neon_unpack_lanes(lanes1, w)}};
    return r;
}

#endif
