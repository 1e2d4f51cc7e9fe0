/* delta_avx512.c - a checkpoint's differences from its base and back (kernels/delta_template.h,
 * compiled with this folder's flags), and the LOW layout's join with AVX-512: escapes are
 * expanded into place (VBMI2 vpexpandw) under the mask of high symbols equal to 255, without a
 * branch per escape (the scan of the portable join cost a fifth of a BF16 delta's decoding),
 * and the packed low bits unpacked in registers. */
#include <immintrin.h>

#include "avx512/kernels_avx512.h"
#include "kernels/delta_template.h"

void emz_delta_avx512(const uint8_t *src, const uint8_t *base, uint8_t *dst, size_t size,
                      unsigned width, bool undo) {
    emz_delta_run(src, base, dst, size, width, undo);
}

/* The low bits of a LOW chunk come packed, k bits an element (a RAW stream): unpacked in
 * registers inside the join (a separate unpacking pass cost about a tenth of a BF16 delta's
 * decoding). Eight elements take k bytes, which vpermb spreads to the eight bytes of a qword
 * and vpmultishiftqb shifts into place, as emz_unpack_bits_avx512 does. */
typedef struct low_unpacker {
    __m256i spread, shifts, mask;
    unsigned k;
} low_unpacker;

static low_unpacker low_unpacker_of(unsigned k) {
    uint8_t spread[32], shifts[32];
    for (unsigned i = 0; i < 32; i++)
        spread[i] = (uint8_t)(k * (i / 8) + i % 8), shifts[i] = (uint8_t)(k * (i % 8));
    low_unpacker u = {_mm256_loadu_si256((const __m256i *)spread),
                      _mm256_loadu_si256((const __m256i *)shifts),
                      _mm256_set1_epi8((char)((1u << k) - 1)), k};
    return u;
}

/* The low bits of 32 elements from their 4k bytes (a masked load: nothing past them is read). */
static inline __m256i unpack32(const low_unpacker *u, const uint8_t *packed) {
    __m256i raw = _mm256_maskz_loadu_epi8(_bzhi_u32(~0u, 4 * u->k), packed);
    __m256i x = _mm256_multishift_epi64_epi8(u->shifts, _mm256_permutexvar_epi8(u->spread, raw));
    return _mm256_and_si256(x, u->mask);
}

/* The same for 16 elements from 2k bytes. */
static inline __m128i unpack16(const low_unpacker *u, const uint8_t *packed) {
    __m128i raw = _mm_maskz_loadu_epi8((__mmask16)_bzhi_u32(~0u, 2 * u->k), packed);
    __m128i x =
        _mm_multishift_epi64_epi8(_mm256_castsi256_si128(u->shifts),
                                  _mm_permutexvar_epi8(_mm256_castsi256_si128(u->spread), raw));
    return _mm_and_si128(x, _mm256_castsi256_si128(u->mask));
}

/* Width 2, 32 elements a step: z = high << k | low, and where high is 255, escape << k | low.
 * Escape values are checked as a vector: at least 255, and nothing shifted out. */
static size_t join2(const uint8_t *low, const uint8_t *high, size_t m, unsigned k,
                    const uint8_t *esc, size_t esc_size, const uint8_t *base, uint8_t *dst,
                    size_t *done) {
    const __m128i count = _mm_cvtsi32_si128((int)k);
    const low_unpacker u = low_unpacker_of(k);
    const __m512i least = _mm512_set1_epi16(255);
    const __m512i limit = _mm512_set1_epi16((short)((1u << (16 - k)) - 1));
    size_t used = 0, i = 0;
    __mmask32 bad = 0;
    /* No branch on whether a step has escapes: a few percent of elements escape, so about
     * half the steps have one, and the branch mispredicted. */
    for (; i + 32 <= m; i += 32) {
        __m256i h8 = _mm256_loadu_si256((const __m256i *)(high + i));
        __m512i lo =
            low ? _mm512_cvtepu8_epi16(unpack32(&u, low + i / 8 * k)) : _mm512_setzero_si512();
        __m512i z = _mm512_or_si512(_mm512_sll_epi16(_mm512_cvtepu8_epi16(h8), count), lo);
        __mmask32 e = _mm256_cmpeq_epi8_mask(h8, _mm256_set1_epi8(-1));
        size_t n = (size_t)_mm_popcnt_u32(e);
        if (esc_size - used < 2 * n) break; /* the portable code reports it */
        __m512i v = _mm512_maskz_expand_epi16(
            e, _mm512_maskz_loadu_epi16((__mmask32)_bzhi_u32(~0u, (unsigned)n), esc + used));
        bad |=
            _mm512_mask_cmplt_epu16_mask(e, v, least) | _mm512_mask_cmpgt_epu16_mask(e, v, limit);
        z = _mm512_mask_mov_epi16(z, e, _mm512_or_si512(_mm512_sll_epi16(v, count), lo));
        used += 2 * n;
        if (base) { /* base + unzigzag(z) */
            __m512i d =
                _mm512_xor_si512(_mm512_srli_epi16(z, 1),
                                 _mm512_sub_epi16(_mm512_setzero_si512(),
                                                  _mm512_and_si512(z, _mm512_set1_epi16(1))));
            z = _mm512_add_epi16(_mm512_loadu_si512((const void *)(base + 2 * i)), d);
        }
        _mm512_storeu_si512((void *)(dst + 2 * i), z);
    }
    *done = bad ? 0 : i; /* the portable code finds the bad escape again */
    return bad ? 0 : used;
}

/* Width 4, 16 elements a step: z = byte0 | byte1 << 8 | low << 16 | high << (16 + k), the
 * escapes expanded as 16-bit values and widened. */
static size_t join4(const uint8_t *const planes[4], size_t m, unsigned k, const uint8_t *esc,
                    size_t esc_size, const uint8_t *base, uint8_t *dst, size_t *done) {
    const uint8_t *b0 = planes[0], *b1 = planes[1], *low = planes[2], *high = planes[3];
    const __m128i count = _mm_cvtsi32_si128((int)(16 + k));
    const low_unpacker u = low_unpacker_of(k);
    const __m256i least = _mm256_set1_epi16(255);
    const __m256i limit = _mm256_set1_epi16((short)((1u << (16 - k)) - 1));
    size_t used = 0, i = 0;
    __mmask16 bad = 0;
    for (; i + 16 <= m; i += 16) {
        __m128i h8 = _mm_loadu_si128((const __m128i *)(high + i));
        __m512i part = _mm512_or_si512(
            _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(b0 + i))),
            _mm512_slli_epi32(_mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(b1 + i))), 8));
        if (low)
            part = _mm512_or_si512(
                part, _mm512_slli_epi32(_mm512_cvtepu8_epi32(unpack16(&u, low + i / 8 * k)), 16));
        __m512i z = _mm512_or_si512(part, _mm512_sll_epi32(_mm512_cvtepu8_epi32(h8), count));
        __mmask16 e = _mm_cmpeq_epi8_mask(h8, _mm_set1_epi8(-1));
        size_t n = (size_t)_mm_popcnt_u32(e);
        if (esc_size - used < 2 * n) break;
        __m256i v = _mm256_maskz_expand_epi16(
            e, _mm256_maskz_loadu_epi16((__mmask16)_bzhi_u32(~0u, (unsigned)n), esc + used));
        bad |=
            _mm256_mask_cmplt_epu16_mask(e, v, least) | _mm256_mask_cmpgt_epu16_mask(e, v, limit);
        z = _mm512_mask_or_epi32(z, e, _mm512_sll_epi32(_mm512_cvtepu16_epi32(v), count), part);
        used += 2 * n;
        if (base) {
            __m512i d =
                _mm512_xor_si512(_mm512_srli_epi32(z, 1),
                                 _mm512_sub_epi32(_mm512_setzero_si512(),
                                                  _mm512_and_si512(z, _mm512_set1_epi32(1))));
            z = _mm512_add_epi32(_mm512_loadu_si512((const void *)(base + 4 * i)), d);
        }
        _mm512_storeu_si512((void *)(dst + 4 * i), z);
    }
    *done = bad ? 0 : i;
    return bad ? 0 : used;
}

size_t emz_low_join_avx512(const uint8_t *const planes[4], size_t m, unsigned width, unsigned k,
                           const uint8_t *esc, size_t esc_size, const uint8_t *base, uint8_t *dst) {
    size_t done, used = width == 2
                            ? join2(planes[0], planes[1], m, k, esc, esc_size, base, dst, &done)
                            : join4(planes, m, k, esc, esc_size, base, dst, &done);
    size_t rest = emz_low_join_run(planes, done, m, width, k, esc + used, esc_size - used, base,
                                   dst, emz_unpack_bits_avx512);
    return rest == SIZE_MAX ? SIZE_MAX : used + rest;
}
