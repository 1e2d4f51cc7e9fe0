/* split_merge_avx512.c - BF16 split and merge, 64 elements a step (AVX-512 BW, VBMI). A tail
 * shorter than a step goes to the scalar kernel, so the tail logic exists once. */
#include <immintrin.h>

#include "common.h"
#include "simd_kernels.h"
#include "scalar/split_merge_scalar.h"

/* VBMI byte permutes gather the low and the high bytes of 64 elements (one permute each
 * across both input registers), then exps = high << 1 | low >> 7 and sm = (high & 0x80) |
 * (low & 0x7F) are one bit-select each: 10 instructions per 64 elements, where shifts, packs
 * and lane fix-ups took 16 (measured 0.49 x memcpy on 256 KiB before). */
void emz_split_bf16_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    uint8_t even[64], odd[64];
    for (unsigned i = 0; i < 64; i++) even[i] = (uint8_t)(2 * i), odd[i] = (uint8_t)(2 * i + 1);
    const __m512i low_bytes = _mm512_loadu_si512((const void *)even);
    const __m512i high_bytes = _mm512_loadu_si512((const void *)odd);
    const __m512i bit0 = _mm512_set1_epi8(1), bit7 = _mm512_set1_epi8((char)0x80);
    size_t j = 0;
    for (; j + 64 <= m; j += 64) {
        __m512i a = _mm512_loadu_si512((const void *)(src + 2 * j));
        __m512i b = _mm512_loadu_si512((const void *)(src + 2 * j + 64));
        __m512i lo = _mm512_permutex2var_epi8(a, low_bytes, b);
        __m512i hi = _mm512_permutex2var_epi8(a, high_bytes, b);
        /* 16-bit shifts: each byte's bit 0 comes from lo >> 7 (its own bit 7), the bits a
         * shift carries across bytes fall under the mask. */
        __m512i e = _mm512_ternarylogic_epi32(bit0, _mm512_srli_epi16(lo, 7),
                                              _mm512_slli_epi16(hi, 1), 0xCA); /* bit0 ? lo>>7 : hi<<1 */
        __m512i s = _mm512_ternarylogic_epi32(bit7, hi, lo, 0xCA);            /* bit7 ? hi : lo */
        _mm512_storeu_si512((void *)(exps + j), e);
        _mm512_storeu_si512((void *)(sm + j), s);
    }
    emz_split_bf16_scalar(src + 2 * j, m - j, exps + j, sm + j);
}

void emz_merge_bf16_avx512(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    const __m512i low7 = _mm512_set1_epi8(0x7F), top = _mm512_set1_epi8((char)0x80);
    const __m512i first = _mm512_setr_epi64(0, 1, 8, 9, 2, 3, 10, 11);
    const __m512i second = _mm512_setr_epi64(4, 5, 12, 13, 6, 7, 14, 15);
    size_t j = 0;
    for (; j + 64 <= m; j += 64) {
        __m512i e = _mm512_loadu_si512((const void *)(exps + j));
        __m512i s = _mm512_loadu_si512((const void *)(sm + j));
        /* bit select: low byte = s where low7, else e << 7; high byte = s where top, else e >> 1 */
        __m512i lo = _mm512_ternarylogic_epi32(low7, s, _mm512_slli_epi16(e, 7), 0xCA);
        __m512i hi = _mm512_ternarylogic_epi32(top, s, _mm512_srli_epi16(e, 1), 0xCA);
        __m512i a = _mm512_unpacklo_epi8(lo, hi), b = _mm512_unpackhi_epi8(lo, hi);
        _mm512_storeu_si512((void *)(dst + 2 * j), _mm512_permutex2var_epi64(a, first, b));
        _mm512_storeu_si512((void *)(dst + 2 * j + 64), _mm512_permutex2var_epi64(a, second, b));
    }
    emz_merge_bf16_scalar(exps + j, sm + j, m - j, dst + 2 * j);
}

/* FP32: VBMI byte permutes move the three sign+mantissa bytes of 16 elements into 48
 * contiguous bytes and back; masked loads and stores touch exactly those bytes. */
void emz_split_fp32_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const __m512i mant = _mm512_set1_epi32(0x7FFFFF), sign = _mm512_set1_epi32(0x800000);
    uint8_t idx3[64], idxe[64];
    for (int i = 0; i < 64; i++) idx3[i] = (uint8_t)(i < 48 ? (i / 3) * 4 + i % 3 : 0);
    for (int i = 0; i < 64; i++) idxe[i] = (uint8_t)(i < 16 ? i * 4 : 0);
    const __m512i pack3 = _mm512_loadu_si512(idx3), pack_exp = _mm512_loadu_si512(idxe);
    size_t j = 0;
    for (; j + 16 <= m; j += 16) {
        __m512i v = _mm512_loadu_si512((const void *)(src + 4 * j));
        __m512i e = _mm512_srli_epi32(v, 23);
        __m512i s = _mm512_ternarylogic_epi32(_mm512_srli_epi32(v, 8), sign,
                                              _mm512_and_si512(v, mant), 0xEA); /* (x&y)|z */
        _mm512_mask_storeu_epi8(sm + 3 * j, (__mmask64)0xFFFFFFFFFFFFull,
                                _mm512_permutexvar_epi8(pack3, s));
        _mm_storeu_si128((__m128i *)(exps + j),
                         _mm512_castsi512_si128(_mm512_permutexvar_epi8(pack_exp, e)));
    }
    emz_split_fp32_scalar(src + 4 * j, m - j, exps + j, sm + 3 * j);
}

void emz_merge_fp32_avx512(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    const __m512i mant = _mm512_set1_epi32(0x7FFFFF), sign = _mm512_set1_epi32(0x800000);
    uint8_t idx[64];
    for (int i = 0; i < 64; i++) idx[i] = (uint8_t)((i / 4) * 3 + (i % 4 < 3 ? i % 4 : 0));
    const __m512i widen3 = _mm512_loadu_si512(idx);
    size_t j = 0;
    for (; j + 16 <= m; j += 16) {
        __m512i raw = _mm512_maskz_loadu_epi8((__mmask64)0xFFFFFFFFFFFFull, sm + 3 * j);
        __m512i s = _mm512_permutexvar_epi8(widen3, raw);
        __m512i e = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(exps + j)));
        __m512i v = _mm512_ternarylogic_epi32(s, mant, _mm512_slli_epi32(_mm512_and_si512(s, sign), 8),
                                              0xEA); /* (s & mant) | sign bit moved to 31 */
        _mm512_storeu_si512((void *)(dst + 4 * j), _mm512_or_si512(v, _mm512_slli_epi32(e, 23)));
    }
    emz_merge_fp32_scalar(exps + j, sm + 3 * j, m - j, dst + 4 * j);
}
