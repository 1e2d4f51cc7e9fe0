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

/* The low bits of 32 elements from their 4k bytes (a masked load: nothing past them is read),
 * each in the low k bits of its byte, the bits above them not cleared. */
static inline __m256i spread32(const low_unpacker *u, const uint8_t *packed) {
    __m256i raw = _mm256_maskz_loadu_epi8(_bzhi_u32(~0u, 4 * u->k), packed);
    return _mm256_multishift_epi64_epi8(u->shifts, _mm256_permutexvar_epi8(u->spread, raw));
}

/* The same with the bits above cleared. */
static inline __m256i unpack32(const low_unpacker *u, const uint8_t *packed) {
    return _mm256_and_si256(spread32(u, packed), u->mask);
}

/* Width 2, 32 elements a step: z = high << k | low, and where high is 255, escape << k | low.
 * Escape values are checked as a vector: at least 255, and nothing shifted out. Without a base
 * (z itself is the output), or for shifts join2_base does not take. */
static size_t join2_plain(const uint8_t *low, const uint8_t *high, size_t m, unsigned k,
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

/* The 16-bit high values of elements i..i+31: each high symbol, or where it is 255 the next
 * escape (expanded into place); *over keeps the largest escape - 255 (wrapping: an escape below
 * 255 becomes one of the largest), checked once after the loop instead of two compares a step.
 * False, taking nothing, when fewer bytes than their escapes remain (the portable code then
 * reports it). */
static inline bool high_values(const uint8_t *high, size_t i, const uint8_t *esc, size_t esc_size,
                               size_t *used, __m512i *over, __m512i *v) {
    __m256i h8 = _mm256_loadu_si256((const __m256i *)(high + i));
    __mmask32 e = _mm256_cmpeq_epi8_mask(h8, _mm256_set1_epi8(-1));
    unsigned n = (unsigned)_mm_popcnt_u32(e);
    if (esc_size - *used < 2 * (size_t)n) return false;
    *v = _mm512_mask_expand_epi16(
        _mm512_cvtepu8_epi16(h8), e,
        _mm512_maskz_loadu_epi16((__mmask32)_bzhi_u32(~0u, n), esc + *used));
    *over = _mm512_max_epu16(*over, _mm512_maskz_sub_epi16(e, *v, _mm512_set1_epi16(255)));
    *used += 2 * (size_t)n;
    return true;
}

/* Whether an escape was out of range: below 255 or with bits shifted out by k. */
static inline bool escapes_bad(__m512i over, unsigned k) {
    __m512i room = _mm512_set1_epi16((short)((1u << (16 - k)) - 1 - 255));
    return _mm512_cmpgt_epu16_mask(over, room) != 0;
}

/* unzigzag of the k low bits of a width-2 element, as a byte to sign-extend: (low >> 1) when
 * low is even, else its complement, whose top bit sign-extends to the 16 ones of -(z & 1).
 * Periodic in 2^k over 64 entries, so vpermb (6 index bits) needs no mask for k <= 6. */
static __m512i unzigzag_low_table(unsigned k) {
    uint8_t t[64];
    for (unsigned x = 0; x < 64; x++) {
        unsigned low = x & ((1u << k) - 1);
        t[x] = (uint8_t)(low & 1 ? ~(low >> 1) : low >> 1);
    }
    return _mm512_loadu_si512((const void *)t);
}

/* Width 2 with a base, shifts 1 to 6, 32 elements a step: the output is base + unzigzag(z), and
 * unzigzag(high << k | low) = (high << (k - 1)) ^ t, t the sign-extended byte of
 * unzigzag_low_table: the low bits go through one vpermb instead of widening, shifting, or-ing
 * and unzigzagging z (a third fewer instructions a step). */
static size_t join2_base(const uint8_t *low, const uint8_t *high, size_t m, unsigned k,
                         const uint8_t *esc, size_t esc_size, const uint8_t *base, uint8_t *dst,
                         size_t *done) {
    const __m128i count = _mm_cvtsi32_si128((int)k - 1);
    const low_unpacker u = low_unpacker_of(k);
    const __m512i table = unzigzag_low_table(k);
    __m512i over = _mm512_setzero_si512();
    size_t used = 0, i = 0;
    for (; i + 32 <= m; i += 32) {
        __m512i v;
        if (!high_values(high, i, esc, esc_size, &used, &over, &v)) break;
        __m256i idx = spread32(&u, low); /* the table ignores the bits above k */
        low += 4 * k;
        __m256i t =
            _mm512_castsi512_si256(_mm512_permutexvar_epi8(_mm512_castsi256_si512(idx), table));
        __m512i d = _mm512_xor_si512(_mm512_cvtepi8_epi16(t), _mm512_sll_epi16(v, count));
        __m512i b = _mm512_loadu_si512((const void *)(base + 2 * i));
        _mm512_storeu_si512((void *)(dst + 2 * i), _mm512_add_epi16(b, d));
    }
    bool bad = escapes_bad(over, k);
    *done = bad ? 0 : i; /* the portable code finds the bad escape again */
    return bad ? 0 : used;
}

static size_t join2(const uint8_t *low, const uint8_t *high, size_t m, unsigned k,
                    const uint8_t *esc, size_t esc_size, const uint8_t *base, uint8_t *dst,
                    size_t *done) {
    if (base && k >= 1 && k <= 6)
        return join2_base(low, high, m, k, esc, esc_size, base, dst, done);
    return join2_plain(low, high, m, k, esc, esc_size, base, dst, done);
}

/* Width 4, 32 elements a step: the upper halves high << k | low as 32 words (escapes expanded
 * into the high values first), then each 16 elements' bytes 0 and 1 and upper half put
 * together by one vpermt2b; with a base, unzigzag as a rotate: r = z rotated right by one has
 * z's low bit on top, and unzigzag(z) = (r & 0x7FFFFFFF) ^ (r >> 31, arithmetic). */
static size_t join4(const uint8_t *const planes[4], size_t m, unsigned k, const uint8_t *esc,
                    size_t esc_size, const uint8_t *base, uint8_t *dst, size_t *done) {
    const uint8_t *b0 = planes[0], *b1 = planes[1], *low = planes[2], *high = planes[3];
    const __m128i count = _mm_cvtsi32_si128((int)k);
    const low_unpacker u = low_unpacker_of(k);
    const __m512i top_off = _mm512_set1_epi32(0x7FFFFFFF);
    /* element j of a half h: byte 0 from b0 (table bytes 0-31), byte 1 from b1 (32-63), bytes
     * 2 and 3 from the upper half's word (second table, 64 + 2j) */
    uint8_t at[2][64];
    for (unsigned h = 0; h < 2; h++)
        for (unsigned j = 0; j < 16; j++) {
            unsigned e = 16 * h + j;
            at[h][4 * j] = (uint8_t)e, at[h][4 * j + 1] = (uint8_t)(32 + e);
            at[h][4 * j + 2] = (uint8_t)(64 + 2 * e), at[h][4 * j + 3] = (uint8_t)(65 + 2 * e);
        }
    const __m512i pick[2] = {_mm512_loadu_si512((const void *)at[0]),
                             _mm512_loadu_si512((const void *)at[1])};
    __m512i over = _mm512_setzero_si512();
    size_t used = 0, i = 0;
    for (; i + 32 <= m; i += 32) {
        __m512i v;
        if (!high_values(high, i, esc, esc_size, &used, &over, &v)) break;
        __m512i upper = _mm512_sll_epi16(v, count);
        if (low)
            upper = _mm512_or_si512(upper, _mm512_cvtepu8_epi16(unpack32(&u, low + i / 8 * k)));
        __m512i lower = _mm512_inserti64x4(
            _mm512_castsi256_si512(_mm256_loadu_si256((const __m256i *)(b0 + i))),
            _mm256_loadu_si256((const __m256i *)(b1 + i)), 1);
        for (unsigned h = 0; h < 2; h++) {
            __m512i z = _mm512_permutex2var_epi8(lower, pick[h], upper);
            if (base) {
                __m512i r = _mm512_ror_epi32(z, 1);
                /* (r & 0x7FFFFFFF) ^ sign: ternary logic 0x6c on (r, sign, mask) */
                z = _mm512_add_epi32(
                    _mm512_loadu_si512((const void *)(base + 4 * (i + 16 * h))),
                    _mm512_ternarylogic_epi32(r, _mm512_srai_epi32(r, 31), top_off, 0x6c));
            }
            _mm512_storeu_si512((void *)(dst + 4 * (i + 16 * h)), z);
        }
    }
    bool bad = escapes_bad(over, k);
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
