/* channel_shift_neon.c - the channel shift (FORMAT.md, "Channel shift"), 16 bytes at a time;
 * the last < 16 bytes of a run by the scalar segment. */
#include "kernels/channel_shift_rows.h"
#include "neon/kernels_neon.h"
#include "scalar/kernels_scalar.h"

#include <arm_neon.h>

static inline uint8x16_t shifted(uint8x16_t v, uint8x16_t s, unsigned bytes, bool inverse) {
    if (bytes == 1) return inverse ? vaddq_u8(v, s) : vsubq_u8(v, s);
    if (bytes == 2) {
        uint16x8_t a = vreinterpretq_u16_u8(v), b = vreinterpretq_u16_u8(s);
        return vreinterpretq_u8_u16(inverse ? vaddq_u16(a, b) : vsubq_u16(a, b));
    }
    uint32x4_t a = vreinterpretq_u32_u8(v), b = vreinterpretq_u32_u8(s);
    return vreinterpretq_u8_u32(inverse ? vaddq_u32(a, b) : vsubq_u32(a, b));
}

static void segment_neon(const uint8_t *src, uint8_t *dst, size_t count, unsigned bytes,
                         const uint8_t *shift, const uint8_t *flip, uint32_t field, bool inverse) {
    size_t total = count * bytes, i = 0;
    uint8x16_t f = bytes == 1   ? vdupq_n_u8((uint8_t)field)
                   : bytes == 2 ? vreinterpretq_u8_u16(vdupq_n_u16((uint16_t)field))
                                : vreinterpretq_u8_u32(vdupq_n_u32(field));
    for (; i + 16 <= total; i += 16) {
        uint8x16_t v = vld1q_u8(src + i), s = vld1q_u8(shift + i);
        uint8x16_t x = flip ? vld1q_u8(flip + i) : vdupq_n_u8(0);
        vst1q_u8(dst + i, vbslq_u8(f, shifted(v, s, bytes, inverse), veorq_u8(v, x)));
    }
    emz_channel_shift_segment_scalar(src + i, dst + i, (total - i) / bytes, bytes, shift + i,
                                     flip ? flip + i : NULL, field, inverse);
}

void emz_channel_shift_neon(const uint8_t *src, uint8_t *dst, size_t n, unsigned bytes,
                            const uint8_t *shift, const uint8_t *flip, size_t channels,
                            uint32_t field, bool inverse) {
    emz_channel_shift_rows(segment_neon, src, dst, n, bytes, shift, flip, channels, field, inverse);
}
