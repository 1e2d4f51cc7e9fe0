/* split_merge_avx2.c - BF16 split and merge, 32 elements a step. A tail shorter than a
 * step goes to the scalar kernel, so the tail logic exists once. */
#include <immintrin.h>

#include "common.h"
#include "simd_kernels.h"
#include "scalar/split_merge_scalar.h"

void emz_split_bf16_avx2(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const __m256i low7 = _mm256_set1_epi16(0x7F), sign = _mm256_set1_epi16(0x80);
    const __m256i byte = _mm256_set1_epi16(0xFF);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(src + 2 * j));
        __m256i b = _mm256_loadu_si256((const __m256i *)(src + 2 * j + 32));
        __m256i ea = _mm256_and_si256(_mm256_srli_epi16(a, 7), byte);
        __m256i eb = _mm256_and_si256(_mm256_srli_epi16(b, 7), byte);
        __m256i sa = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(a, 8), sign),
                                     _mm256_and_si256(a, low7));
        __m256i sb = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(b, 8), sign),
                                     _mm256_and_si256(b, low7));
        /* packus interleaves 128-bit halves; the permute restores element order. */
        __m256i e = _mm256_permute4x64_epi64(_mm256_packus_epi16(ea, eb), 0xD8);
        __m256i s = _mm256_permute4x64_epi64(_mm256_packus_epi16(sa, sb), 0xD8);
        _mm256_storeu_si256((__m256i *)(exps + j), e);
        _mm256_storeu_si256((__m256i *)(sm + j), s);
    }
    emz_split_bf16_scalar(src + 2 * j, m - j, exps + j, sm + j);
}

void emz_merge_bf16_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    const __m256i low7 = _mm256_set1_epi8(0x7F), top = _mm256_set1_epi8((char)0x80);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        __m256i e = _mm256_loadu_si256((const __m256i *)(exps + j));
        __m256i s = _mm256_loadu_si256((const __m256i *)(sm + j));
        /* low byte: exponent bit 0 above 7 mantissa bits; high byte: sign above exponent 7..1.
         * 16-bit shifts move bits across bytes; the byte masks drop them. */
        __m256i lo = _mm256_or_si256(_mm256_and_si256(s, low7),
                                     _mm256_and_si256(_mm256_slli_epi16(e, 7), top));
        __m256i hi = _mm256_or_si256(_mm256_and_si256(s, top),
                                     _mm256_and_si256(_mm256_srli_epi16(e, 1), low7));
        __m256i a = _mm256_unpacklo_epi8(lo, hi), b = _mm256_unpackhi_epi8(lo, hi);
        _mm256_storeu_si256((__m256i *)(dst + 2 * j), _mm256_permute2x128_si256(a, b, 0x20));
        _mm256_storeu_si256((__m256i *)(dst + 2 * j + 32), _mm256_permute2x128_si256(a, b, 0x31));
    }
    emz_merge_bf16_scalar(exps + j, sm + j, m - j, dst + 2 * j);
}
