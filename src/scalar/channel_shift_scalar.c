/* channel_shift_scalar.c - the channel shift (FORMAT.md, "Channel shift"), one element at a
 * time: the reference, and the SIMD kernels' tails. */
#include "common/common.h"
#include "kernels/channel_shift_rows.h"
#include "scalar/kernels_scalar.h"

static uint32_t load_word(const uint8_t *p, unsigned bytes) {
    return bytes == 1 ? p[0] : bytes == 2 ? emz_load16(p) : emz_load32(p);
}

static void store_word(uint8_t *p, uint32_t v, unsigned bytes) {
    if (bytes == 1)
        p[0] = (uint8_t)v;
    else if (bytes == 2)
        emz_store16(p, (uint16_t)v);
    else
        emz_store32(p, v);
}

void emz_channel_shift_segment_scalar(const uint8_t *src, uint8_t *dst, size_t count,
                                      unsigned bytes, const uint8_t *shift, const uint8_t *flip,
                                      uint32_t field, bool inverse) {
    for (size_t i = 0; i < count; i++) {
        size_t at = i * bytes;
        uint32_t v = load_word(src + at, bytes), s = load_word(shift + at, bytes);
        /* The field wraps within itself: bits above it are masked off, bits below are
         * untouched as shift has none there. */
        uint32_t e = inverse ? v + s : v - s;
        uint32_t x = flip ? load_word(flip + at, bytes) : 0;
        store_word(dst + at, ((v ^ x) & ~field) | (e & field), bytes);
    }
}

void emz_channel_shift_scalar(const uint8_t *src, uint8_t *dst, size_t n, unsigned bytes,
                              const uint8_t *shift, const uint8_t *flip, size_t channels,
                              uint32_t field, bool inverse) {
    emz_channel_shift_rows(emz_channel_shift_segment_scalar, src, dst, n, bytes, shift, flip,
                           channels, field, inverse);
}
