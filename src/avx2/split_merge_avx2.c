/* split_merge_avx2.c - split and merge of every element type with AVX2. A tail shorter than a
 * step goes to the scalar kernel, so the tail logic exists once. */
#include <immintrin.h>

#include "avx2/kernels_avx2.h"
#include "common/common.h"
#include "scalar/kernels_scalar.h"

/* ---- BF16 and FP32: symbols of whole bytes, 32 elements a step ---- */
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
    const __m256i pack_exp =
        _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0, 4, 8, 12,
                         -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    size_t j = 0;
    for (; j + 16 <= m; j += 8) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(src + 4 * j));
        __m256i e = _mm256_and_si256(_mm256_srli_epi32(v, 23), byte);
        __m256i s = _mm256_or_si256(_mm256_and_si256(v, mant),
                                    _mm256_and_si256(_mm256_srli_epi32(v, 8), sign));
        __m256i s3 = _mm256_shuffle_epi8(s, pack3), e1 = _mm256_shuffle_epi8(e, pack_exp);
        _mm_storeu_si128((__m128i *)(sm + 3 * j), _mm256_castsi256_si128(s3));
        _mm_storeu_si128((__m128i *)(sm + 3 * j + 12), _mm256_extracti128_si256(s3, 1));
        uint32_t lo = (uint32_t)_mm256_extract_epi32(e1, 0),
                 hi = (uint32_t)_mm256_extract_epi32(e1, 4);
        emz_store32(exps + j, lo);
        emz_store32(exps + j + 4, hi);
    }
    emz_split_fp32_scalar(src + 4 * j, m - j, exps + j, sm + 3 * j);
}

/* The 16-byte loads read 4 bytes beyond the 12 they use; the loop stops 8 elements early so
 * that those bytes are still inside the stream. */
void emz_merge_fp32_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    const __m256i mant = _mm256_set1_epi32(0x7FFFFF), sign = _mm256_set1_epi32(0x800000);
    const __m256i widen3 = _mm256_setr_epi8(0, 1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1, 0,
                                            1, 2, -1, 3, 4, 5, -1, 6, 7, 8, -1, 9, 10, 11, -1);
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

/* ---- FP16, FP8 (E4M3, E5M2) and FP4: the sign+mantissa symbols are narrower than a byte or not
 * byte aligned: splitting packs them with multiply-adds (vpmaddubsw, vpmaddwd) and 64-bit shifts
 * inside qwords and then moves the bytes together with in-lane byte shuffles; merging gathers each
 * symbol's bytes with a byte shuffle and shifts it down (variable dword shifts, or a multiply for
 * 16-bit words). Every step's output ends on a byte boundary of the stream, where the scalar kernel
 * resumes. Where a step stores or loads 16 bytes across its end, the loop stops early enough that
 * those bytes still belong to the stream (and are rewritten by the next step or the tail). */
/* Two 128-bit lanes of 16 bytes each, for in-lane shuffles. */
#define LANES(...) _mm256_setr_epi8(__VA_ARGS__, __VA_ARGS__)

/* ---- FP16: 5-bit exponent, 11-bit sign+mantissa packed at 11 bits a symbol ---- */

/* 16 elements -> their exponents (16-bit words) and, at the bottom of each lane, the 11
 * packed sign+mantissa bytes of its 8 elements. */
static inline __m256i fp16_pack_signmant(__m256i v) {
    const __m256i mant = _mm256_set1_epi16(0x3FF), sign = _mm256_set1_epi16(0x400);
    const __m256i pair = _mm256_set1_epi32(2048 << 16 | 1);   /* word0 + word1 * 2^11 */
    const __m256i move_d1 = _mm256_set1_epi64x(0xFFC00000ll); /* 2^32 - 2^22 */
    const __m256i left = _mm256_setr_epi64x(44, 64, 44, 64);
    const __m256i right = _mm256_setr_epi64x(0, 20, 0, 20);
    __m256i s =
        _mm256_or_si256(_mm256_and_si256(v, mant), _mm256_and_si256(_mm256_srli_epi16(v, 5), sign));
    __m256i d = _mm256_madd_epi16(s, pair); /* dword = s_even | s_odd << 11, 22 bits */
    /* g = d0 | d1 << 22 = d - d1 * (2^32 - 2^22), d1 being the high dword */
    __m256i g = _mm256_sub_epi64(d, _mm256_mul_epu32(_mm256_srli_epi64(d, 32), move_d1));
    /* 88 bits a lane: low qword g0 | g1 << 44, high qword g1 >> 20 (a count of 64 gives 0) */
    __m256i swapped = _mm256_shuffle_epi32(g, 0x4E);
    return _mm256_or_si256(_mm256_sllv_epi64(swapped, left), _mm256_srlv_epi64(g, right));
}

void emz_split_fp16_avx2(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const __m256i exp5 = _mm256_set1_epi16(0x1F);
    size_t j = 0;
    /* The four 16-byte stores of a step end 5 bytes past its 44; 4 more elements fill them. */
    for (; j + 32 + 4 <= m; j += 32) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(src + 2 * j));
        __m256i b = _mm256_loadu_si256((const __m256i *)(src + 2 * j + 32));
        __m256i ea = _mm256_and_si256(_mm256_srli_epi16(a, 10), exp5);
        __m256i eb = _mm256_and_si256(_mm256_srli_epi16(b, 10), exp5);
        /* packus interleaves 128-bit halves; the permute restores element order. */
        _mm256_storeu_si256((__m256i *)(exps + j),
                            _mm256_permute4x64_epi64(_mm256_packus_epi16(ea, eb), 0xD8));
        uint8_t *out = sm + 11 * j / 8;
        __m256i pa = fp16_pack_signmant(a), pb = fp16_pack_signmant(b);
        _mm_storeu_si128((__m128i *)out, _mm256_castsi256_si128(pa));
        _mm_storeu_si128((__m128i *)(out + 11), _mm256_extracti128_si256(pa, 1));
        _mm_storeu_si128((__m128i *)(out + 22), _mm256_castsi256_si128(pb));
        _mm_storeu_si128((__m128i *)(out + 33), _mm256_extracti128_si256(pb, 1));
    }
    emz_split_fp16_scalar(src + 2 * j, m - j, exps + j, sm + 11 * j / 8);
}

void emz_merge_fp16_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    /* Each lane holds 8 symbols (11 bytes). Dword p takes the 4 bytes its symbol pair (22 bits
     * from bit 22p) lies in, shifted down by the pair's offset in its first byte. */
    const __m256i gather = LANES(0, 1, 2, 3, 2, 3, 4, 5, 5, 6, 7, 8, 8, 9, 10, 11);
    const __m256i shifts = _mm256_setr_epi32(0, 6, 4, 2, 0, 6, 4, 2);
    const __m256i mant = _mm256_set1_epi16(0x3FF), sign = _mm256_set1_epi16((short)0x8000);
    size_t j = 0;
    /* The second 16-byte load ends 27 bytes into the step's 22; 20 elements cover that. */
    for (; j + 20 <= m; j += 16) {
        const uint8_t *in = sm + 11 * j / 8;
        __m256i raw = _mm256_loadu2_m128i((const __m128i *)(in + 11), (const __m128i *)in);
        __m256i x = _mm256_srlv_epi32(_mm256_shuffle_epi8(raw, gather), shifts);
        /* low word: even symbol in bits 0..10; high word: odd symbol (bits 11..21 moved up 5) */
        __m256i w = _mm256_blend_epi16(x, _mm256_slli_epi32(x, 5), 0xAA);
        __m256i e = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(exps + j)));
        /* mantissa, sign (bit 10) to 15, exponent << 10 truncated as by the scalar 16-bit store */
        __m256i v = _mm256_or_si256(_mm256_and_si256(w, mant),
                                    _mm256_and_si256(_mm256_slli_epi16(w, 5), sign));
        v = _mm256_or_si256(v, _mm256_slli_epi16(e, 10));
        _mm256_storeu_si256((__m256i *)(dst + 2 * j), v);
    }
    emz_merge_fp16_scalar(exps + j, sm + 11 * j / 8, m - j, dst + 2 * j);
}

/* ---- FP8 E4M3: 4-bit exponent (bits 3..6), sign+mantissa = sign << 3 | bits 0..2 ---- */

/* FP8 with mb mantissa bits (E4M3: 3, E5M2: 2): the exponents of the 64 elements at src to
 * exps, and their sign+mantissa symbols (sign << mb | mantissa, a byte each) in s[0], s[1]. */
static inline void fp8_split64(const uint8_t *src, int mb, uint8_t *exps, __m256i s[2]) {
    const __m256i exp = _mm256_set1_epi8((char)(0x7F >> mb));
    const __m256i mant = _mm256_set1_epi8((char)((1 << mb) - 1));
    const __m256i sign = _mm256_set1_epi8((char)(1 << mb));
    for (int h = 0; h < 2; h++) {
        __m256i v = _mm256_loadu_si256((const __m256i *)(src + 32 * h));
        _mm256_storeu_si256((__m256i *)(exps + 32 * h),
                            _mm256_and_si256(_mm256_srli_epi16(v, mb), exp));
        s[h] = _mm256_or_si256(_mm256_and_si256(v, mant),
                               _mm256_and_si256(_mm256_srli_epi16(v, 7 - mb), sign));
    }
}

void emz_split_e4m3_avx2(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const __m256i mul_pair = _mm256_set1_epi16(16 << 8 | 1);
    size_t j = 0;
    for (; j + 64 <= m; j += 64) {
        __m256i s[2];
        fp8_split64(src + j, 3, exps + j, s);
        __m256i sa = s[0], sb = s[1];
        /* word = first symbol | second << 4, below 256 for packus */
        __m256i pa = _mm256_maddubs_epi16(sa, mul_pair), pb = _mm256_maddubs_epi16(sb, mul_pair);
        _mm256_storeu_si256((__m256i *)(sm + j / 2),
                            _mm256_permute4x64_epi64(_mm256_packus_epi16(pa, pb), 0xD8));
    }
    emz_split_e4m3_scalar(src + j, m - j, exps + j, sm + j / 2);
}

/* 16 stream bytes -> 32 bytes, the low nibble of each byte first. */
static inline __m256i spread_nibbles(const uint8_t *in) {
    __m256i x = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)in));
    return _mm256_or_si256(_mm256_and_si256(x, _mm256_set1_epi16(0x0F)),
                           _mm256_and_si256(_mm256_slli_epi16(x, 4), _mm256_set1_epi16(0x0F00)));
}

void emz_merge_e4m3_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    /* symbol -> element's sign and mantissa bits: mantissa 0..2, sign 3 -> 7 */
    const __m256i bits =
        LANES(0, 1, 2, 3, 4, 5, 6, 7, -128, -127, -126, -125, -124, -123, -122, -121);
    const __m256i exp_mask = _mm256_set1_epi8((char)0xF8);
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        __m256i s = _mm256_shuffle_epi8(bits, spread_nibbles(sm + j / 2));
        __m256i e = _mm256_slli_epi16(_mm256_loadu_si256((const __m256i *)(exps + j)), 3);
        /* exponent << 3 truncated to the byte, as the scalar kernel does */
        _mm256_storeu_si256((__m256i *)(dst + j),
                            _mm256_or_si256(s, _mm256_and_si256(e, exp_mask)));
    }
    emz_merge_e4m3_scalar(exps + j, sm + j / 2, m - j, dst + j);
}

/* ---- FP8 E5M2: 5-bit exponent (bits 2..6), sign+mantissa = sign << 2 | bits 0..1 ---- */

/* 32 symbols of 3 bits -> 4 qwords with eight symbols each in bits 0..23. */
static inline __m256i pack3_qwords(__m256i s) {
    const __m256i mul_pair = _mm256_set1_epi16(8 << 8 | 1);   /* byte0 + byte1 * 2^3 */
    const __m256i mul_quad = _mm256_set1_epi32(64 << 16 | 1); /* word0 + word1 * 2^6 */
    __m256i d = _mm256_madd_epi16(_mm256_maddubs_epi16(s, mul_pair), mul_quad);
    return _mm256_or_si256(d, _mm256_srli_epi64(d, 20)); /* d0 | d1 << 12; d0 >> 20 is 0 */
}

/* 64 3-bit symbols, packed as 4 qwords each in a and b, -> their 24 stream bytes. */
static inline void store_pack3(__m256i a, __m256i b, uint8_t *out) {
    /* Lane 0 gathers the 12 bytes of symbols 0..31, lane 1 those of 32..63, then the
     * dword permute closes the gap between the lanes. */
    const __m256i first = LANES(0, 1, 2, 8, 9, 10, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
    const __m256i second = LANES(-1, -1, -1, -1, -1, -1, 0, 1, 2, 8, 9, 10, -1, -1, -1, -1);
    const __m256i close = _mm256_setr_epi32(0, 1, 2, 4, 5, 6, 7, 7);
    __m256i x = _mm256_permute2x128_si256(a, b, 0x20), y = _mm256_permute2x128_si256(a, b, 0x31);
    __m256i p = _mm256_or_si256(_mm256_shuffle_epi8(x, first), _mm256_shuffle_epi8(y, second));
    p = _mm256_permutevar8x32_epi32(p, close);
    _mm_storeu_si128((__m128i *)out, _mm256_castsi256_si128(p));
    _mm_storel_epi64((__m128i *)(out + 16), _mm256_extracti128_si256(p, 1));
}

void emz_split_e5m2_avx2(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    size_t j = 0;
    for (; j + 64 <= m; j += 64) {
        __m256i s[2];
        fp8_split64(src + j, 2, exps + j, s);
        store_pack3(pack3_qwords(s[0]), pack3_qwords(s[1]), sm + 3 * j / 8);
    }
    emz_split_e5m2_scalar(src + j, m - j, exps + j, sm + 3 * j / 8);
}

/* 16 symbols of w bits from the 2w bytes at in (16 bytes are read) -> 16 words. Word k takes
 * the two bytes its symbol starts in; the multiply moves the symbol to the top of the word
 * (bits 16-w..15) and the shift brings it down, clean. Both lanes see the same 16 bytes. */
static inline __m256i unpack16_words(const uint8_t *in, __m256i gather, __m256i mul, int w) {
    __m256i raw = _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)in));
    __m256i words = _mm256_mullo_epi16(_mm256_shuffle_epi8(raw, gather), mul);
    return _mm256_srl_epi16(words, _mm_cvtsi32_si128(16 - w));
}

void emz_merge_e5m2_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    /* word k: bytes 3k/8 and the next; multiplier 2^(13 - 3k%8) */
    const __m256i gather = _mm256_setr_epi8(0, 1, 0, 1, 0, 1, 1, 2, 1, 2, 1, 2, 2, 3, 2, 3, 3, 4, 3,
                                            4, 3, 4, 4, 5, 4, 5, 4, 5, 5, 6, 5, 6);
    const __m256i mul =
        _mm256_setr_epi16(1 << 13, 1 << 10, 1 << 7, 1 << 12, 1 << 9, 1 << 6, 1 << 11, 1 << 8,
                          1 << 13, 1 << 10, 1 << 7, 1 << 12, 1 << 9, 1 << 6, 1 << 11, 1 << 8);
    /* symbol -> element's sign and mantissa bits: mantissa 0..1, sign 2 -> 7 */
    const __m256i bits = LANES(0, 1, 2, 3, -128, -127, -126, -125, 0, 0, 0, 0, 0, 0, 0, 0);
    const __m256i exp_mask = _mm256_set1_epi8((char)0xFC);
    const size_t bytes = emz_div_ceil(m * 3, 8);
    size_t j = 0;
    /* the second 16-byte load starts 6 bytes into the step's 12 */
    for (; j + 32 <= m && 3 * j / 8 + 6 + 16 <= bytes; j += 32) {
        const uint8_t *in = sm + 3 * j / 8;
        __m256i lo = unpack16_words(in, gather, mul, 3);
        __m256i hi = unpack16_words(in + 6, gather, mul, 3);
        __m256i s = _mm256_permute4x64_epi64(_mm256_packus_epi16(lo, hi), 0xD8);
        s = _mm256_shuffle_epi8(bits, s);
        __m256i e = _mm256_slli_epi16(_mm256_loadu_si256((const __m256i *)(exps + j)), 2);
        _mm256_storeu_si256((__m256i *)(dst + j),
                            _mm256_or_si256(s, _mm256_and_si256(e, exp_mask)));
    }
    emz_merge_e5m2_scalar(exps + j, sm + 3 * j / 8, m - j, dst + j);
}

/* ---- FP4 E2M1: two nibbles a byte, low first; exponent bits 1..2, sign+mantissa bits 3, 0 ---- */

void emz_split_fp4_avx2(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const __m256i exp2 = _mm256_set1_epi8(3), nibble = _mm256_set1_epi8(0x0F);
    /* the byte's 4 symbol bits by nibble: bits 0, 3 -> 0, 1 (low); bits 4, 7 -> 2, 3 (high) */
    const __m256i lo_bits = LANES(0, 1, 0, 1, 0, 1, 0, 1, 2, 3, 2, 3, 2, 3, 2, 3);
    const __m256i hi_bits = LANES(0, 4, 0, 4, 0, 4, 0, 4, 8, 12, 8, 12, 8, 12, 8, 12);
    const __m256i mul_pair = _mm256_set1_epi16(16 << 8 | 1);
    size_t j = 0;
    for (; j + 128 <= m; j += 128) { /* 64 source bytes */
        __m256i p[2];
        for (int h = 0; h < 2; h++) {
            __m256i v = _mm256_loadu_si256((const __m256i *)(src + j / 2 + 32 * h));
            __m256i lo_e = _mm256_and_si256(_mm256_srli_epi16(v, 1), exp2);
            __m256i hi_e = _mm256_and_si256(_mm256_srli_epi16(v, 5), exp2);
            /* unpack interleaves within lanes; the lane permutes restore element order */
            __m256i u0 = _mm256_unpacklo_epi8(lo_e, hi_e), u1 = _mm256_unpackhi_epi8(lo_e, hi_e);
            _mm256_storeu_si256((__m256i *)(exps + j + 64 * h),
                                _mm256_permute2x128_si256(u0, u1, 0x20));
            _mm256_storeu_si256((__m256i *)(exps + j + 64 * h + 32),
                                _mm256_permute2x128_si256(u0, u1, 0x31));
            __m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble);
            __m256i q = _mm256_or_si256(_mm256_shuffle_epi8(lo_bits, _mm256_and_si256(v, nibble)),
                                        _mm256_shuffle_epi8(hi_bits, hi));
            p[h] = _mm256_maddubs_epi16(q, mul_pair); /* word = byte pair's 8 stream bits */
        }
        _mm256_storeu_si256((__m256i *)(sm + j / 4),
                            _mm256_permute4x64_epi64(_mm256_packus_epi16(p[0], p[1]), 0xD8));
    }
    emz_split_fp4_scalar(src + j / 2, m - j, exps + j, sm + j / 4);
}

void emz_merge_fp4_avx2(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    /* 4 symbol bits of an output byte (two 2-bit symbols) -> its bits 0, 3, 4, 7 */
    const __m256i bits = LANES(0x00, 0x01, 0x08, 0x09, 0x10, 0x11, 0x18, 0x19, -128, -127, -120,
                               -119, -112, -111, -104, -103);
    const __m256i byte = _mm256_set1_epi16(0xFF), top3 = _mm256_set1_epi16(0xE0);
    size_t j = 0;
    for (; j + 64 <= m; j += 64) { /* 32 output bytes */
        __m256i s = _mm256_shuffle_epi8(bits, spread_nibbles(sm + j / 4));
        /* exponent pair e0 | e1 << 8 -> (e0 << 1 | e1 << 5) truncated to a byte, like the
         * scalar kernel's byte store */
        __m256i z[2];
        for (int h = 0; h < 2; h++) {
            __m256i e = _mm256_loadu_si256((const __m256i *)(exps + j + 32 * h));
            z[h] = _mm256_or_si256(_mm256_and_si256(_mm256_slli_epi16(e, 1), byte),
                                   _mm256_and_si256(_mm256_srli_epi16(e, 3), top3));
        }
        __m256i e = _mm256_permute4x64_epi64(_mm256_packus_epi16(z[0], z[1]), 0xD8);
        _mm256_storeu_si256((__m256i *)(dst + j / 2), _mm256_or_si256(s, e));
    }
    emz_merge_fp4_scalar(exps + j, sm + j / 4, m - j, dst + j / 2);
}
