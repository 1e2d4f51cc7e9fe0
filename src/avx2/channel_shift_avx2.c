/* channel_shift_avx2.c - the channel shift (FORMAT.md, "Channel shift"), 32 bytes at a time;
 * the last < 32 bytes of a run by the scalar segment. */
#include "avx2/kernels_avx2.h"
#include "kernels/channel_shift_rows.h"
#include "scalar/kernels_scalar.h"

#include <immintrin.h>

static inline __m256i shifted(__m256i v, __m256i s, unsigned bytes, bool inverse) {
    if (bytes == 1) return inverse ? _mm256_add_epi8(v, s) : _mm256_sub_epi8(v, s);
    if (bytes == 2) return inverse ? _mm256_add_epi16(v, s) : _mm256_sub_epi16(v, s);
    return inverse ? _mm256_add_epi32(v, s) : _mm256_sub_epi32(v, s);
}

static void segment_avx2(const uint8_t *src, uint8_t *dst, size_t count, unsigned bytes,
                         const uint8_t *shift, const uint8_t *flip, uint32_t field, bool inverse) {
    size_t total = count * bytes, i = 0;
    __m256i f = bytes == 1   ? _mm256_set1_epi8((char)field)
                : bytes == 2 ? _mm256_set1_epi16((short)field)
                             : _mm256_set1_epi32((int)field);
    for (; i + 32 <= total; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(src + i));
        __m256i s = _mm256_loadu_si256((const __m256i *)(shift + i));
        __m256i x = flip ? _mm256_loadu_si256((const __m256i *)(flip + i)) : _mm256_setzero_si256();
        __m256i e = _mm256_and_si256(f, shifted(v, s, bytes, inverse));
        _mm256_storeu_si256((__m256i *)(dst + i),
                            _mm256_or_si256(e, _mm256_andnot_si256(f, _mm256_xor_si256(v, x))));
    }
    emz_channel_shift_segment_scalar(src + i, dst + i, (total - i) / bytes, bytes, shift + i,
                                     flip ? flip + i : NULL, field, inverse);
}

void emz_channel_shift_avx2(const uint8_t *src, uint8_t *dst, size_t n, unsigned bytes,
                            const uint8_t *shift, const uint8_t *flip, size_t channels,
                            uint32_t field, bool inverse) {
    emz_channel_shift_rows(segment_avx2, src, dst, n, bytes, shift, flip, channels, field, inverse);
}
