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

/* FP32: the sign+mantissa symbol is 24 bits, three bytes of the RAW stream. Each 128-bit half
 * turns four elements into 12 bytes; the 16-byte stores overlap by 4, and the loop leaves at
 * least 8 elements to the scalar tail, whose bytes cover the overhang. */
void emz_split_fp32_avx2(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const __m256i mant = _mm256_set1_epi32(0x7FFFFF), sign = _mm256_set1_epi32(0x800000);
    const __m256i byte = _mm256_set1_epi32(0xFF);
    const __m256i pack3 = _mm256_setr_epi8(0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1,
                                           0, 1, 2, 4, 5, 6, 8, 9, 10, 12, 13, 14, -1, -1, -1, -1);
    const __m256i pack_exp = _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                              -1, -1, 0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1,
                                              -1, -1, -1, -1);
    size_t j = 0;
    for (; j + 16 <= m; j += 8) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(src + 4 * j));
        __m256i e = _mm256_and_si256(_mm256_srli_epi32(v, 23), byte);
        __m256i s = _mm256_or_si256(_mm256_and_si256(v, mant),
                                    _mm256_and_si256(_mm256_srli_epi32(v, 8), sign));
        __m256i s3 = _mm256_shuffle_epi8(s, pack3), e1 = _mm256_shuffle_epi8(e, pack_exp);
        _mm_storeu_si128((__m128i *)(sm + 3 * j), _mm256_castsi256_si128(s3));
        _mm_storeu_si128((__m128i *)(sm + 3 * j + 12), _mm256_extracti128_si256(s3, 1));
        uint32_t lo = (uint32_t)_mm256_extract_epi32(e1, 0), hi = (uint32_t)_mm256_extract_epi32(e1, 4);
        emz_store32(exps + j, lo);
        emz_store32(exps + j + 4, hi);
    }
    emz_split_fp32_scalar(src + 4 * j, m - j, exps + j, sm + 3 * j);
}

/* The 16-byte loads read 4 bytes beyond the 12 they use; the loop stops 8 elements early so
 * that those bytes are still inside the stream. */
void emz_merge_fp32_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    const __m256i mant = _mm256_set1_epi32(0x7FFFFF), sign = _mm256_set1_epi32(0x800000);
    const __m256i widen3 = _mm256_setr_epi8(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1,
                                            0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
    size_t j = 0;
    for (; j + 16 <= m; j += 8) {
        __m256i raw = _mm256_set_m128i(_mm_loadu_si128((const __m128i *)(sm + 3 * j + 12)),
                                       _mm_loadu_si128((const __m128i *)(sm + 3 * j)));
        __m256i s = _mm256_shuffle_epi8(raw, widen3);
        __m256i e = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(exps + j)));
        __m256i v = _mm256_or_si256(_mm256_and_si256(s, mant),
                                    _mm256_slli_epi32(_mm256_and_si256(s, sign), 8));
        v = _mm256_or_si256(v, _mm256_slli_epi32(e, 23));
        _mm256_storeu_si256((__m256i *)(dst + 4 * j), v);
    }
    emz_merge_fp32_scalar(exps + j, sm + 3 * j, m - j, dst + 4 * j);
}
