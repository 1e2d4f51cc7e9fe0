/* bitpack_neon.c - RAW bit packing of narrow symbols (kernel table: pack_bits, unpack_bits).
 * Widths 2 and 4 split a byte evenly, so structured loads and stores (LD4/ST4, LD2/ST2) do
 * the (de)interleaving and a few shift-inserts the rest; the other widths go through the lane
 * steps of bitpack_neon.h, 32 symbols a step. Symbols are < 2^width, as the kernel table
 * requires. A tail shorter than a step (it starts on a byte boundary, since every step is a
 * multiple of 8 symbols) goes to the scalar kernel, and so does width 8 (a memcpy). */
#include "neon/bitpack_neon.h"

#include <stdbool.h>

#include "neon/kernels_neon.h"
#include "scalar/kernels_scalar.h"

/* Width 2, 64 symbols a step: LD4 gathers symbols 4k..4k+3 of byte k into four vectors. */
static size_t pack_w2(const uint8_t *syms, size_t n, uint8_t *out) {
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        uint8x16x4_t s = vld4q_u8(syms + i);
        uint8x16_t b = vsliq_n_u8(s.val[0], s.val[1], 2);
        b = vsliq_n_u8(b, s.val[2], 4);
        vst1q_u8(out + i / 4, vsliq_n_u8(b, s.val[3], 6));
    }
    return i;
}

static size_t unpack_w2(const uint8_t *in, size_t n, uint8_t *syms) {
    const uint8x16_t low2 = vdupq_n_u8(3);
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        uint8x16_t b = vld1q_u8(in + i / 4);
        uint8x16x4_t s = {{vandq_u8(b, low2), vandq_u8(vshrq_n_u8(b, 2), low2),
                           vandq_u8(vshrq_n_u8(b, 4), low2), vshrq_n_u8(b, 6)}};
        vst4q_u8(syms + i, s);
    }
    return i;
}

/* Width 4, 32 symbols a step: LD2 separates the low-nibble (even) and high-nibble symbols. */
static size_t pack_w4(const uint8_t *syms, size_t n, uint8_t *out) {
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint8x16x2_t s = vld2q_u8(syms + i);
        vst1q_u8(out + i / 2, vsliq_n_u8(s.val[0], s.val[1], 4));
    }
    return i;
}

static size_t unpack_w4(const uint8_t *in, size_t n, uint8_t *syms) {
    const uint8x16_t low4 = vdupq_n_u8(0x0F);
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint8x16_t b = vld1q_u8(in + i / 2);
        uint8x16x2_t s = {{vandq_u8(b, low4), vshrq_n_u8(b, 4)}};
        vst2q_u8(syms + i, s);
    }
    return i;
}

/* Any other width below 8, 32 symbols (4w bytes) a step. */
EMZ_NEON_INLINE size_t pack_lanes(const uint8_t *syms, size_t n, const unsigned w, uint8_t *out) {
    size_t i = 0;
    for (; i + 32 <= n; i += 32)
        emz_neon_pack32(vld1q_u8(syms + i), vld1q_u8(syms + i + 16), w, out + i / 8 * w);
    return i;
}

EMZ_NEON_INLINE size_t unpack_lanes(const uint8_t *in, size_t n, const unsigned w, uint8_t *syms) {
    const uint8x16_t mask = vdupq_n_u8((uint8_t)((1u << w) - 1));
    size_t i = 0;
    for (; i + 32 <= n; i += 32) {
        uint8x16x2_t s = emz_neon_unpack32(in + i / 8 * w, w);
        vst1q_u8(syms + i, vandq_u8(s.val[0], mask));
        vst1q_u8(syms + i + 16, vandq_u8(s.val[1], mask));
    }
    return i;
}

/* The symbols of n that the NEON steps pack or unpack (a multiple of 8; the scalar kernel does
 * the rest). Widths 2 and 4 have structured loads of their own; 8 is the scalar kernel's memcpy.
 * Always inlined with `pack` constant, so each caller keeps only its own direction. */
EMZ_NEON_INLINE size_t neon_steps(const uint8_t *in, size_t n, unsigned width, uint8_t *out,
                                  const bool pack) {
#define LANES_AT(W) (pack ? pack_lanes(in, n, W, out) : unpack_lanes(in, n, W, out))
    return width == 2                 ? (pack ? pack_w2(in, n, out) : unpack_w2(in, n, out))
           : width == 4               ? (pack ? pack_w4(in, n, out) : unpack_w4(in, n, out))
           : width >= 1 && width <= 7 ? EMZ_NEON_BY_WIDTH(width, LANES_AT)
                                      : 0;
#undef LANES_AT
}

void emz_pack_bits_neon(const uint8_t *syms, size_t n, unsigned width, uint8_t *out) {
    size_t i = neon_steps(syms, n, width, out, true);
    emz_pack_bits_scalar(syms + i, n - i, width, out + i / 8 * width);
}

void emz_unpack_bits_neon(const uint8_t *in, size_t n, unsigned width, uint8_t *syms) {
    size_t i = neon_steps(in, n, width, syms, false);
    emz_unpack_bits_scalar(in + i / 8 * width, n - i, width, syms + i);
}
