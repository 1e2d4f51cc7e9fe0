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

#define EMZ_NEON_INLINE static inline __attribute__((always_inline))

/* Lane steps for width W: pack turns 16 symbols (bytes < 2^W) into two 64-bit lanes of 8W
 * bits; unpack turns two such lanes back into 16 bytes whose low W bits are the symbols. Unpack
 * leaves the neighbours' bits above bit W (masking at every step would cost 3 instructions
 * more; callers mask once, or ignore those bits). */
#define EMZ_NEON_LANE_STEPS(W)                                                                    \
    EMZ_NEON_INLINE uint8x16_t emz_neon_pack_lanes_w##W(uint8x16_t v) {                           \
        uint16x8_t x = vreinterpretq_u16_u8(v);                                                   \
        uint32x4_t y = vreinterpretq_u32_u16(vsliq_n_u16(x, vshrq_n_u16(x, 8), W));               \
        uint64x2_t z = vreinterpretq_u64_u32(vsliq_n_u32(y, vshrq_n_u32(y, 16), 2 * W));          \
        return vreinterpretq_u8_u64(vsliq_n_u64(z, vshrq_n_u64(z, 32), 4 * W));                   \
    }                                                                                             \
    EMZ_NEON_INLINE uint8x16_t emz_neon_unpack_lanes_w##W(uint8x16_t v) {                         \
        uint64x2_t z = vreinterpretq_u64_u8(v);                                                   \
        uint32x4_t y = vreinterpretq_u32_u64(vsliq_n_u64(z, vshrq_n_u64(z, 4 * W), 32));          \
        uint16x8_t x = vreinterpretq_u16_u32(vsliq_n_u32(y, vshrq_n_u32(y, 2 * W), 16));          \
        return vreinterpretq_u8_u16(vsliq_n_u16(x, vshrq_n_u16(x, W), 8));                        \
    }

EMZ_NEON_LANE_STEPS(1)
EMZ_NEON_LANE_STEPS(2)
EMZ_NEON_LANE_STEPS(3)
EMZ_NEON_LANE_STEPS(4)
EMZ_NEON_LANE_STEPS(5)
EMZ_NEON_LANE_STEPS(6)
EMZ_NEON_LANE_STEPS(7)

EMZ_NEON_INLINE uint8x16_t emz_neon_pack_lanes(uint8x16_t v, const unsigned w) {
    switch (w) {
    case 1: return emz_neon_pack_lanes_w1(v);
    case 2: return emz_neon_pack_lanes_w2(v);
    case 3: return emz_neon_pack_lanes_w3(v);
    case 4: return emz_neon_pack_lanes_w4(v);
    case 5: return emz_neon_pack_lanes_w5(v);
    case 6: return emz_neon_pack_lanes_w6(v);
    default: return emz_neon_pack_lanes_w7(v);
    }
}

EMZ_NEON_INLINE uint8x16_t emz_neon_unpack_lanes(uint8x16_t v, const unsigned w) {
    switch (w) {
    case 1: return emz_neon_unpack_lanes_w1(v);
    case 2: return emz_neon_unpack_lanes_w2(v);
    case 3: return emz_neon_unpack_lanes_w3(v);
    case 4: return emz_neon_unpack_lanes_w4(v);
    case 5: return emz_neon_unpack_lanes_w5(v);
    case 6: return emz_neon_unpack_lanes_w6(v);
    default: return emz_neon_unpack_lanes_w7(v);
    }
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
EMZ_NEON_INLINE void emz_neon_pack32(uint8x16_t a, uint8x16_t b, const unsigned w,
                                     uint8_t *out) {
/* Output byte i is byte i % w of lane i / w (lanes 8 bytes apart); 0xFF reads as zero. */
#define EMZ_G(w, i) ((i) < 4 * (w) ? 8 * ((i) / (w)) + (i) % (w) : 0xFF)
#define EMZ_GROW(w)                                                                               \
    {EMZ_G(w, 0),  EMZ_G(w, 1),  EMZ_G(w, 2),  EMZ_G(w, 3),  EMZ_G(w, 4),  EMZ_G(w, 5),          \
     EMZ_G(w, 6),  EMZ_G(w, 7),  EMZ_G(w, 8),  EMZ_G(w, 9),  EMZ_G(w, 10), EMZ_G(w, 11),         \
     EMZ_G(w, 12), EMZ_G(w, 13), EMZ_G(w, 14), EMZ_G(w, 15), EMZ_G(w, 16), EMZ_G(w, 17),         \
     EMZ_G(w, 18), EMZ_G(w, 19), EMZ_G(w, 20), EMZ_G(w, 21), EMZ_G(w, 22), EMZ_G(w, 23),         \
     EMZ_G(w, 24), EMZ_G(w, 25), EMZ_G(w, 26), EMZ_G(w, 27), EMZ_G(w, 28), EMZ_G(w, 29),         \
     EMZ_G(w, 30), EMZ_G(w, 31)}
    static const uint8_t gather[8][32] = {{0},         EMZ_GROW(1), EMZ_GROW(2), EMZ_GROW(3),
                                          EMZ_GROW(4), EMZ_GROW(5), EMZ_GROW(6), EMZ_GROW(7)};
#undef EMZ_GROW
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
#define EMZ_SROW(w)                                                                               \
    {EMZ_S(w, 0),  EMZ_S(w, 1),  EMZ_S(w, 2),  EMZ_S(w, 3),  EMZ_S(w, 4),  EMZ_S(w, 5),          \
     EMZ_S(w, 6),  EMZ_S(w, 7),  EMZ_S(w, 8),  EMZ_S(w, 9),  EMZ_S(w, 10), EMZ_S(w, 11),         \
     EMZ_S(w, 12), EMZ_S(w, 13), EMZ_S(w, 14), EMZ_S(w, 15), EMZ_S(w, 16), EMZ_S(w, 17),         \
     EMZ_S(w, 18), EMZ_S(w, 19), EMZ_S(w, 20), EMZ_S(w, 21), EMZ_S(w, 22), EMZ_S(w, 23),         \
     EMZ_S(w, 24), EMZ_S(w, 25), EMZ_S(w, 26), EMZ_S(w, 27), EMZ_S(w, 28), EMZ_S(w, 29),         \
     EMZ_S(w, 30), EMZ_S(w, 31)}
    static const uint8_t spread[8][32] = {{0},         EMZ_SROW(1), EMZ_SROW(2), EMZ_SROW(3),
                                          EMZ_SROW(4), EMZ_SROW(5), EMZ_SROW(6), EMZ_SROW(7)};
#undef EMZ_SROW
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
