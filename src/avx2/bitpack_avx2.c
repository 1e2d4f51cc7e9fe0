/* bitpack_avx2.c - RAW bit packing of symbols of 1..7 bits with AVX2. Packing joins
 * neighbours with multiply-adds inside words and dwords and the dwords of a qword with a
 * shift, then gathers the bytes with in-lane shuffles (widths 2 and 4 by saturating packs,
 * width 1 by the byte sign mask). Unpacking shuffles into each 16-bit word the two bytes its
 * symbol starts in, multiplies the symbol to the top of the word and shifts it down (widths 2
 * and 4, whose symbols never straddle a byte, with plain shifts and masks).
 * Every step ends on a byte boundary of the stream, where the scalar kernel takes the tail;
 * where a step stores or loads 16 bytes across its end, the loop stops early enough that
 * those bytes still belong to the stream (stores are rewritten by the next step or the tail). */
#include <immintrin.h>
#include <string.h>

#include "avx2/kernels_avx2.h"
#include "common/common.h"
#include "scalar/kernels_scalar.h"

/* 32 symbols of w bits (w <= 7) -> 4 qwords, each with its 8 symbols in bits 0..8w-1. */
static inline __m256i pack_qwords(__m256i v, unsigned w) {
    /* vpmaddubsw takes the multipliers unsigned so that 2^7 fits; symbols < 2^7 are the
     * signed operand. */
    const __m256i mul_pair = _mm256_set1_epi16((short)(1 << w << 8 | 1));
    const __m256i mul_quad = _mm256_set1_epi32(1 << 2 * w << 16 | 1);
    __m256i d = _mm256_madd_epi16(_mm256_maddubs_epi16(mul_pair, v), mul_quad);
    if (w <= 4) /* d1 (at bit 32) >> (32 - 4w) lands at 4w; d0 >> (32 - 4w) is 0 */
        return _mm256_or_si256(d, _mm256_srli_epi64(d, 32 - 4 * w));
    /* d0 | d1 << 4w = d - d1 * (2^32 - 2^4w), d1 being the high dword */
    const __m256i move_d1 = _mm256_set1_epi64x((1ll << 32) - (1ll << 4 * w));
    return _mm256_sub_epi64(d, _mm256_mul_epu32(_mm256_srli_epi64(d, 32), move_d1));
}

/* Widths 3, 5, 6, 7: 32 symbols a step, 4w bytes, written as two 16-byte stores (each lane's
 * 2w bytes at its bottom) that reach 16 - 2w bytes past the step. */
static size_t pack_generic(const uint8_t *syms, size_t n, unsigned w, uint8_t *out) {
    uint8_t idx[32];
    for (unsigned i = 0; i < 32; i++) {
        unsigned k = i % 16; /* lane byte k: byte k % w of qword k / w */
        idx[i] = (uint8_t)(k < 2 * w ? k / w * 8 + k % w : 0x80);
    }
    const __m256i gather = _mm256_loadu_si256((const __m256i *)idx);
    const size_t bytes = emz_div_ceil(n * w, 8);
    size_t i = 0;
    for (; i + 32 <= n && i / 8 * w + 2 * w + 16 <= bytes; i += 32) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(syms + i));
        __m256i p = _mm256_shuffle_epi8(pack_qwords(v, w), gather);
        _mm_storeu_si128((__m128i *)(out + i / 8 * w), _mm256_castsi256_si128(p));
        _mm_storeu_si128((__m128i *)(out + i / 8 * w + 2 * w), _mm256_extracti128_si256(p, 1));
    }
    return i;
}

void emz_pack_bits_avx2(const uint8_t *syms, size_t n, unsigned width, uint8_t *out) {
    if (width == 8) {
        memcpy(out, syms, n);
        return;
    }
    size_t i = 0;
    if (width == 1) {
        /* bit 0 moved to the sign bit: the byte sign mask is the packed stream */
        for (; i + 32 <= n; i += 32) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(syms + i));
            emz_store32(out + i / 8, (uint32_t)_mm256_movemask_epi8(_mm256_slli_epi16(v, 7)));
        }
    } else if (width == 2) {
        /* a dword holds 4 symbols in its low byte; two saturating packs gather the bytes of
         * 64 symbols, the permute orders their dwords */
        const __m256i mul_pair = _mm256_set1_epi16(4 << 8 | 1);
        const __m256i mul_quad = _mm256_set1_epi32(16 << 16 | 1);
        const __m256i order = _mm256_setr_epi32(0, 4, 1, 5, 0, 0, 0, 0);
        for (; i + 64 <= n; i += 64) {
            __m256i a = _mm256_loadu_si256((const __m256i *)(syms + i));
            __m256i b = _mm256_loadu_si256((const __m256i *)(syms + i + 32));
            a = _mm256_madd_epi16(_mm256_maddubs_epi16(a, mul_pair), mul_quad);
            b = _mm256_madd_epi16(_mm256_maddubs_epi16(b, mul_pair), mul_quad);
            __m256i w16 = _mm256_packus_epi32(a, b);
            __m256i p = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(w16, w16), order);
            _mm_storeu_si128((__m128i *)(out + i / 4), _mm256_castsi256_si128(p));
        }
    } else if (width == 4) {
        const __m256i mul_pair = _mm256_set1_epi16(16 << 8 | 1);
        for (; i + 64 <= n; i += 64) {
            __m256i a = _mm256_loadu_si256((const __m256i *)(syms + i));
            __m256i b = _mm256_loadu_si256((const __m256i *)(syms + i + 32));
            a = _mm256_maddubs_epi16(a, mul_pair), b = _mm256_maddubs_epi16(b, mul_pair);
            /* packus interleaves 128-bit halves; the permute restores symbol order. */
            _mm256_storeu_si256((__m256i *)(out + i / 2),
                                _mm256_permute4x64_epi64(_mm256_packus_epi16(a, b), 0xD8));
        }
    } else {
        i = pack_generic(syms, n, width, out);
    }
    emz_pack_bits_scalar(syms + i, n - i, width, out + i / 8 * width);
}

/* 16 symbols of w bits from the 2w bytes at in (16 bytes are read) -> 16 words. */
static inline __m256i unpack16_words(const uint8_t *in, __m256i gather, __m256i mul, __m128i down) {
    __m256i raw = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)in));
    return _mm256_srl_epi16(_mm256_mullo_epi16(_mm256_shuffle_epi8(raw, gather), mul), down);
}

void emz_unpack_bits_avx2(const uint8_t *in, size_t n, unsigned width, uint8_t *syms) {
    if (width == 8) {
        memcpy(syms, in, n);
        return;
    }
    const unsigned w = width;
    size_t i = 0;
    if (w == 4) {
        const __m256i nibble = _mm256_set1_epi16(0x0F), high = _mm256_set1_epi16(0x0F00);
        for (; i + 32 <= n; i += 32) {
            __m256i x = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(in + i / 2)));
            __m256i v = _mm256_or_si256(_mm256_and_si256(x, nibble),
                                        _mm256_and_si256(_mm256_slli_epi16(x, 4), high));
            _mm256_storeu_si256((__m256i *)(syms + i), v);
        }
    } else if (w == 2) {
        /* No symbol straddles a byte: word k holds stream byte k/2 twice; odd words are
         * shifted down a nibble, then the low byte keeps bits 0..1 and the high byte bits 2..3. */
        const __m256i dup = _mm256_setr_epi8(0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4,
                                             4, 4, 5, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7, 7);
        const __m256i low2 = _mm256_set1_epi16(3), high2 = _mm256_set1_epi16(0x300);
        for (; i + 32 <= n; i += 32) {
            __m256i x = _mm256_set1_epi64x((long long)emz_load64(in + i / 4));
            x = _mm256_shuffle_epi8(x, dup);
            x = _mm256_blend_epi16(x, _mm256_srli_epi16(x, 4), 0xAA);
            __m256i v = _mm256_or_si256(_mm256_and_si256(x, low2),
                                        _mm256_and_si256(_mm256_srli_epi16(x, 2), high2));
            _mm256_storeu_si256((__m256i *)(syms + i), v);
        }
    } else {
        /* Word k (of 16) takes bytes wk/8 and the next, shifted left so that its symbol's
         * top bit lands on bit 15. */
        uint8_t idx[32];
        uint16_t mul[16];
        for (unsigned k = 0; k < 16; k++) {
            idx[2 * k] = (uint8_t)(w * k / 8);
            idx[2 * k + 1] = (uint8_t)(w * k / 8 + 1);
            mul[k] = (uint16_t)(1u << (16 - w - w * k % 8));
        }
        const __m256i gather = _mm256_loadu_si256((const __m256i *)idx);
        const __m256i mulv = _mm256_loadu_si256((const __m256i *)mul);
        const __m128i down = _mm_cvtsi32_si128((int)(16 - w));
        const size_t bytes = emz_div_ceil(n * w, 8);
        /* the second 16-byte load starts 2w bytes into the step's 4w */
        for (; i + 32 <= n && i / 8 * w + 2 * w + 16 <= bytes; i += 32) {
            const uint8_t *p = in + i / 8 * w;
            __m256i lo = unpack16_words(p, gather, mulv, down);
            __m256i hi = unpack16_words(p + 2 * w, gather, mulv, down);
            /* packus interleaves 128-bit halves; the permute restores symbol order. */
            _mm256_storeu_si256((__m256i *)(syms + i),
                                _mm256_permute4x64_epi64(_mm256_packus_epi16(lo, hi), 0xD8));
        }
    }
    emz_unpack_bits_scalar(in + i / 8 * w, n - i, width, syms + i);
}
