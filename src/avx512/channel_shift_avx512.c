/* channel_shift_avx512.c - the channel shift (FORMAT.md, "Channel shift"), 64 bytes at a time,
 * a run's last bytes under a byte mask (AVX-512BW). */
#include "avx512/kernels_avx512.h"
#include "kernels/channel_shift_rows.h"

#include <immintrin.h>

static inline __m512i shifted(__m512i v, __m512i s, unsigned bytes, bool inverse) {
    if (bytes == 1) return inverse ? _mm512_add_epi8(v, s) : _mm512_sub_epi8(v, s);
    if (bytes == 2) return inverse ? _mm512_add_epi16(v, s) : _mm512_sub_epi16(v, s);
    return inverse ? _mm512_add_epi32(v, s) : _mm512_sub_epi32(v, s);
}

/* field ? shifted : v ^ flip, bit by bit (0xCA: a ? b : c). */
static inline __m512i one(__m512i v, __m512i s, __m512i x, __m512i f, unsigned bytes,
                          bool inverse) {
    return _mm512_ternarylogic_epi32(f, shifted(v, s, bytes, inverse), _mm512_xor_si512(v, x),
                                     0xCA);
}

static void segment_avx512(const uint8_t *src, uint8_t *dst, size_t count, unsigned bytes,
                           const uint8_t *shift, const uint8_t *flip, uint32_t field,
                           bool inverse) {
    size_t total = count * bytes, i = 0;
    __m512i f = bytes == 1   ? _mm512_set1_epi8((char)field)
                : bytes == 2 ? _mm512_set1_epi16((short)field)
                             : _mm512_set1_epi32((int)field);
    const __m512i zero = _mm512_setzero_si512();
    if (!flip) /* the exponent alone: one load fewer */
        for (; i + 64 <= total; i += 64) {
            __m512i v = _mm512_loadu_si512(src + i), s = _mm512_loadu_si512(shift + i);
            _mm512_storeu_si512(dst + i, one(v, s, zero, f, bytes, inverse));
        }
    for (; i + 64 <= total; i += 64) {
        __m512i v = _mm512_loadu_si512(src + i);
        __m512i s = _mm512_loadu_si512(shift + i), x = _mm512_loadu_si512(flip + i);
        _mm512_storeu_si512(dst + i, one(v, s, x, f, bytes, inverse));
    }
    if (i < total) { /* whole elements: total - i is a multiple of bytes */
        __mmask64 m = _bzhi_u64(~UINT64_C(0), (unsigned)(total - i));
        __m512i v = _mm512_maskz_loadu_epi8(m, src + i), s = _mm512_maskz_loadu_epi8(m, shift + i);
        __m512i x = flip ? _mm512_maskz_loadu_epi8(m, flip + i) : zero;
        _mm512_mask_storeu_epi8(dst + i, m, one(v, s, x, f, bytes, inverse));
    }
}

void emz_channel_shift_avx512(const uint8_t *src, uint8_t *dst, size_t n, unsigned bytes,
                              const uint8_t *shift, const uint8_t *flip, size_t channels,
                              uint32_t field, bool inverse) {
    emz_channel_shift_rows(segment_avx512, src, dst, n, bytes, shift, flip, channels, field,
                           inverse);
}
