/* split_merge_avx512.c - split and merge of every element type with AVX-512 (BW, VBMI, VBMI2).
 * A tail shorter than a step goes to the scalar kernel, so the tail logic exists once. */
#include <immintrin.h>

#include "avx512/kernels_avx512.h"
#include "common/common.h"
#include "kernels/table_macros.h"
#include "scalar/kernels_scalar.h"

/* ---- BF16 and FP32: symbols of whole bytes, 64 elements a step ---- */
/* VBMI byte permutes gather the low and the high bytes of 64 elements (one permute each
 * across both input registers), then exps = high << 1 | low >> 7 and sm = (high & 0x80) |
 * (low & 0x7F) are one bit-select each: 10 instructions per 64 elements, where shifts, packs
 * and lane fix-ups took 16 (measured 0.49 x memcpy on 256 KiB before). */
void emz_split_bf16_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    uint8_t even[64], odd[64];
    for (unsigned i = 0; i < 64; i++)
        even[i] = (uint8_t)(2 * i), odd[i] = (uint8_t)(2 * i + 1);
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
        __m512i e =
            _mm512_ternarylogic_epi32(bit0, _mm512_srli_epi16(lo, 7), _mm512_slli_epi16(hi, 1),
                                      0xCA);                       /* bit0 ? lo>>7 : hi<<1 */
        __m512i s = _mm512_ternarylogic_epi32(bit7, hi, lo, 0xCA); /* bit7 ? hi : lo */
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
    for (int i = 0; i < 64; i++)
        idx3[i] = (uint8_t)(i < 48 ? (i / 3) * 4 + i % 3 : 0);
    for (int i = 0; i < 64; i++)
        idxe[i] = (uint8_t)(i < 16 ? i * 4 : 0);
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
    for (int i = 0; i < 64; i++)
        idx[i] = (uint8_t)((i / 4) * 3 + (i % 4 < 3 ? i % 4 : 0));
    const __m512i widen3 = _mm512_loadu_si512(idx);
    size_t j = 0;
    for (; j + 16 <= m; j += 16) {
        __m512i raw = _mm512_maskz_loadu_epi8((__mmask64)0xFFFFFFFFFFFFull, sm + 3 * j);
        __m512i s = _mm512_permutexvar_epi8(widen3, raw);
        __m512i e = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(exps + j)));
        __m512i v =
            _mm512_ternarylogic_epi32(s, mant, _mm512_slli_epi32(_mm512_and_si512(s, sign), 8),
                                      0xEA); /* (s & mant) | sign bit moved to 31 */
        _mm512_storeu_si512((void *)(dst + 4 * j), _mm512_or_si512(v, _mm512_slli_epi32(e, 23)));
    }
    emz_merge_fp32_scalar(exps + j, sm + 3 * j, m - j, dst + 4 * j);
}

/* ---- FP16, FP8 (E4M3, E5M2) and FP4: the sign+mantissa symbols are narrower than a byte or not
 * byte aligned, so the work is bit packing: multiply-adds (vpmaddubsw, vpmaddwd) and 64-bit shifts
 * pack symbols inside each qword, one vpermb moves the resulting bytes together, and masked stores
 * write exactly the stream's bytes. Unpacking is vpermb (bring each qword the bytes its
 * symbols lie in) then vpmultishiftqb (an 8-bit field at any bit offset of the qword per
 * byte). Every step's output ends on a byte boundary of the stream, where the scalar kernel
 * resumes. */

/* Byte i of a pair of vectors: every odd (high) byte, every even (low) byte. */
#define ODD_BYTE(a, i) (2 * (i) + 1) % 128
#define EVEN_BYTE(a, i) (2 * (i)) % 128
static const uint8_t odd_bytes[64] = {X64(ODD_BYTE, 0)};
static const uint8_t even_bytes[64] = {X64(EVEN_BYTE, 0)};

/* FP16 split: 11 bytes of packed symbols sit at the bottom of each 128-bit lane. */
#define LANE11(a, i) ((i) < 44 ? (i) / 11 * 16 + (i) % 11 : 0)
static const uint8_t lane11_bytes[64] = {X64(LANE11, 0)};

/* FP16 merge: qword q gets the 8 stream bytes from byte 44q/8 on (its four symbols begin at bit
 * 44q, 0 or 4 bits into that byte); bytes 2k and 2k+1 of the qword take the 16 bits from
 * symbol k on. Bytes past the 44 loaded read as zero. */
#define FP16_SRC(a, i) (44 * ((i) / 8) / 8 + (i) % 8)
#define FP16_SHIFT(a, i) (44 * ((i) / 8) % 8 + 11 * ((i) % 8 / 2) + 8 * ((i) % 2))
static const uint8_t fp16_src[64] = {X64(FP16_SRC, 0)};
static const uint8_t fp16_shift[64] = {X64(FP16_SHIFT, 0)};

/* Eight 4-bit (resp. 3-bit) symbols a qword: byte k takes the bits from symbol k on. */
#define SHIFT_BY(w, i) ((w) * ((i) % 8))
static const uint8_t shift4[64] = {X64(SHIFT_BY, 4)};
static const uint8_t shift3[64] = {X64(SHIFT_BY, 3)};
/* E5M2 merge: qword q gets stream bytes 3q.. (its eight 3-bit symbols). */
#define SRC3(a, i) (3 * ((i) / 8) + (i) % 8)
static const uint8_t src3[64] = {X64(SRC3, 0)};
/* E5M2 split: the 3 low bytes of each qword of two vectors, in order (48 bytes). */
#define PACK3X2(a, i) ((i) < 48 ? (i) / 3 * 8 + (i) % 3 : 0)
static const uint8_t pack3x2[64] = {X64(PACK3X2, 0)};

/* Symbol (low 4 or 3 bits of a 6-bit index; higher bits belong to the next symbol) to the
 * element's sign and mantissa bits. E4M3: mantissa 0..2, sign 3 -> 7. E5M2: mantissa 0..1,
 * sign 2 -> 7. FP4 byte from its two 2-bit symbols: bits 0, 1, 2, 3 -> 0, 3, 4, 7. */
#define E4M3_BITS(a, i) (((i)&7) | ((i) >> 3 & 1) << 7)
#define E5M2_BITS(a, i) (((i)&3) | ((i) >> 2 & 1) << 7)
#define FP4_BITS(a, i) (((i)&1) | ((i) >> 1 & 1) << 3 | ((i) >> 2 & 1) << 4 | ((i) >> 3 & 1) << 7)
static const uint8_t e4m3_bits[64] = {X64(E4M3_BITS, 0)};
static const uint8_t e5m2_bits[64] = {X64(E5M2_BITS, 0)};
static const uint8_t fp4_bits[64] = {X64(FP4_BITS, 0)};

/* FP4 split. Exponents: byte i of the first (second) 64 of the 128 exponents from 64 source
 * bytes is that of source byte i/2 (i/2 + 32), low nibble for even i, high nibble for odd i.
 * Sign+mantissa: indexed by source byte >> 1 (bits 1..7), bits 3, 4, 7 of the byte become bits
 * 1, 2, 3 of its 4-bit symbol pair (bit 0 comes straight from the byte). */
#define FP4_PAIR(a, i) (((i) >> 2 & 1) << 1 | ((i) >> 3 & 1) << 2 | ((i) >> 6 & 1) << 3)
#define INTERLEAVE(half, i) ((i) % 2 * 64 + (half)*32 + (i) / 2)
static const uint8_t interleave_first[64] = {X64(INTERLEAVE, 0)};
static const uint8_t interleave_second[64] = {X64(INTERLEAVE, 1)};
static const uint8_t fp4_pair[128] = {
    X64(FP4_PAIR, 0),     X8(FP4_PAIR, 0, 64),  X8(FP4_PAIR, 0, 72),
    X8(FP4_PAIR, 0, 80),  X8(FP4_PAIR, 0, 88),  X8(FP4_PAIR, 0, 96),
    X8(FP4_PAIR, 0, 104), X8(FP4_PAIR, 0, 112), X8(FP4_PAIR, 0, 120)};

static inline __m512i table(const uint8_t *t) {
    return _mm512_loadu_si512((const void *)t);
}

/* Ternary-logic immediates: bit select with the mask last (c ? b : a), a | (b & c), (a & b) | c.
 * vpternlog overwrites its first operand; with a temporary there (never a constant mask) the
 * compiler needs no register copy, which measured 5-10% faster. */
enum { BLEND = 0xD8, OR_AND = 0xF8, AND_OR = 0xEA };

/* ---- FP16: 5-bit exponent, 11-bit sign+mantissa packed at 11 bits a symbol ---- */

/* 32 elements -> their 44 packed sign+mantissa bytes at the bottom of the result. */
static inline __m512i fp16_pack_signmant(__m512i v) {
    const __m512i mant = _mm512_set1_epi16(0x3FF);
    const __m512i pair = _mm512_set1_epi32(2048 << 16 | 1); /* word0 + word1 * 2^11 */
    /* Qword stage: even qwords become (s0..s3) << 20, odd ones (s4..s7) at bit 0, ready for
     * one funnel shift. Every field is given by a mask: A where keep, else B. */
    const __m512i a_shift = _mm512_setr_epi64(20, 0, 20, 0, 20, 0, 20, 0);
    const __m512i b_rot = _mm512_setr_epi64(10, 54, 10, 54, 10, 54, 10, 54);
    const long long keep_even = (1ll << 42) - 1, keep_odd = ((1ll << 22) - 1) | ~((1ll << 54) - 1);
    const __m512i keep = _mm512_setr_epi64(keep_even, keep_odd, keep_even, keep_odd, keep_even,
                                           keep_odd, keep_even, keep_odd);
    /* s = sign (bit 15 -> 10) | mantissa: the shift fills bits 11..15 with zeros. */
    __m512i s = _mm512_ternarylogic_epi32(_mm512_srli_epi16(v, 5), v, mant, BLEND);
    __m512i d = _mm512_madd_epi16(s, pair); /* dword = s_even | s_odd << 11, 22 bits */
    /* A qword holds d0 at bit 0 and d1 at bit 32; the 44-bit group is d0 | d1 << 22. Even
     * qwords: d << 20 gives d0 at 20..41, rotl 10 gives d1 at 42..63. Odd qwords: d gives d0
     * at 0..21 and zeros at 54..63, rotr 10 gives d1 at 22..43 and zeros above. */
    __m512i q = _mm512_ternarylogic_epi32(_mm512_rolv_epi64(d, b_rot),
                                          _mm512_sllv_epi64(d, a_shift), keep, BLEND);
    /* 88 bits a lane: low qword = g0 | g1 << 44, high qword = g1 >> 20, i.e. the 128-bit
     * (next:this) >> 20 with next = g1 for the even qword and 0 for the odd one. */
    __m512i next = _mm512_maskz_shuffle_epi32((__mmask16)0x3333, q, _MM_PERM_BADC);
    __m512i lanes = _mm512_shrdi_epi64(q, next, 20);
    return _mm512_permutexvar_epi8(table(lane11_bytes), lanes);
}

void emz_split_fp16_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const __m512i hi_bytes = table(odd_bytes), exp5 = _mm512_set1_epi8(0x1F);
    const __mmask64 bytes44 = (1ull << 44) - 1;
    size_t j = 0;
    for (; j + 64 <= m; j += 64) {
        __m512i a = _mm512_loadu_si512((const void *)(src + 2 * j));
        __m512i b = _mm512_loadu_si512((const void *)(src + 2 * j + 64));
        /* The exponent is bits 2..6 of each element's high byte. */
        __m512i hi = _mm512_permutex2var_epi8(a, hi_bytes, b);
        _mm512_storeu_si512((void *)(exps + j), _mm512_and_si512(_mm512_srli_epi16(hi, 2), exp5));
        _mm512_mask_storeu_epi8(sm + 11 * j / 8, bytes44, fp16_pack_signmant(a));
        _mm512_mask_storeu_epi8(sm + 11 * j / 8 + 44, bytes44, fp16_pack_signmant(b));
    }
    emz_split_fp16_scalar(src + 2 * j, m - j, exps + j, sm + 11 * j / 8);
}

void emz_merge_fp16_avx512(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    const __m512i src_bytes = table(fp16_src), shifts = table(fp16_shift);
    const __m512i mant = _mm512_set1_epi16(0x3FF), keep = _mm512_set1_epi16((short)0x83FF);
    const __mmask64 bytes44 = (1ull << 44) - 1;
    size_t j = 0;
    for (; j + 32 <= m; j += 32) {
        __m512i raw = _mm512_maskz_loadu_epi8(bytes44, sm + 11 * j / 8);
        /* word k = the 16 stream bits from symbol k on: symbol in bits 0..10 */
        __m512i w = _mm512_multishift_epi64_epi8(shifts, _mm512_permutexvar_epi8(src_bytes, raw));
        __m512i e = _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(exps + j)));
        /* mantissa from w, sign (bit 10) shifted to 15; then exponent << 10 as the scalar
         * kernel's 16-bit store truncates it */
        __m512i u = _mm512_ternarylogic_epi32(_mm512_slli_epi16(w, 5), w, mant, BLEND);
        __m512i v = _mm512_ternarylogic_epi32(u, keep, _mm512_slli_epi16(e, 10), AND_OR);
        _mm512_storeu_si512((void *)(dst + 2 * j), v);
    }
    emz_merge_fp16_scalar(exps + j, sm + 11 * j / 8, m - j, dst + 2 * j);
}

/* ---- FP8 E4M3: 4-bit exponent (bits 3..6), sign+mantissa = sign << 3 | bits 0..2 ---- */

/* 64 elements -> their 32 packed symbol bytes, in the even bytes of the result. */
static inline __m512i e4m3_pack_signmant(__m512i v) {
    const __m512i mant = _mm512_set1_epi8(7), low_nibble = _mm512_set1_epi16(0x0F);
    /* bits 0..2 mantissa, bit 3 sign (16-bit shift: bits 4..7 are junk from other bits) */
    __m512i s = _mm512_ternarylogic_epi32(_mm512_srli_epi16(v, 4), v, mant, BLEND);
    /* low byte of each word: its two symbols, first in the low nibble */
    return _mm512_ternarylogic_epi32(_mm512_srli_epi16(s, 4), s, low_nibble, BLEND);
}

/* FP8 with mb mantissa bits (E4M3: 3, E5M2: 2): the exponents of the 128 elements at src to
 * exps; the elements are returned in v[0], v[1]. */
static inline void fp8_exponents128(const uint8_t *src, int mb, uint8_t *exps, __m512i v[2]) {
    const __m512i exp = _mm512_set1_epi8((char)(0x7F >> mb));
    for (int h = 0; h < 2; h++) {
        v[h] = _mm512_loadu_si512((const void *)(src + 64 * h));
        _mm512_storeu_si512((void *)(exps + 64 * h),
                            _mm512_and_si512(_mm512_srli_epi16(v[h], mb), exp));
    }
}

void emz_split_e4m3_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const __m512i lo_bytes = table(even_bytes);
    size_t j = 0;
    for (; j + 128 <= m; j += 128) {
        __m512i v[2];
        fp8_exponents128(src + j, 3, exps + j, v);
        _mm512_storeu_si512(
            (void *)(sm + j / 2),
            _mm512_permutex2var_epi8(e4m3_pack_signmant(v[0]), lo_bytes, e4m3_pack_signmant(v[1])));
    }
    emz_split_e4m3_scalar(src + j, m - j, exps + j, sm + j / 2);
}

void emz_merge_e4m3_avx512(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    const __m512i shifts = table(shift4), bits = table(e4m3_bits);
    const __m512i exp_mask = _mm512_set1_epi8((char)0xF8);
    size_t j = 0;
    for (; j + 64 <= m; j += 64) {
        /* 4 stream bytes a qword, then each byte's symbol into its low nibble */
        __m512i x = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(sm + j / 2)));
        __m512i s = _mm512_permutexvar_epi8(_mm512_multishift_epi64_epi8(shifts, x), bits);
        __m512i e = _mm512_slli_epi16(_mm512_loadu_si512((const void *)(exps + j)), 3);
        /* exponent << 3 truncated to the byte, as the scalar kernel does */
        _mm512_storeu_si512((void *)(dst + j), _mm512_ternarylogic_epi32(s, e, exp_mask, OR_AND));
    }
    emz_merge_e4m3_scalar(exps + j, sm + j / 2, m - j, dst + j);
}

/* ---- FP8 E5M2: 5-bit exponent (bits 2..6), sign+mantissa = sign << 2 | bits 0..1 ---- */

/* 64 elements -> 8 qwords, each with its eight 3-bit symbols in bits 0..23. */
static inline __m512i e5m2_pack_signmant(__m512i v) {
    const __m512i mant = _mm512_set1_epi8(3), sign = _mm512_set1_epi8(4);
    const __m512i mul_pair = _mm512_set1_epi16(8 << 8 | 1);   /* byte0 + byte1 * 2^3 */
    const __m512i mul_quad = _mm512_set1_epi32(64 << 16 | 1); /* word0 + word1 * 2^6 */
    __m512i sign_bit = _mm512_and_si512(_mm512_srli_epi16(v, 5), sign);
    __m512i s = _mm512_ternarylogic_epi32(sign_bit, v, mant, BLEND);
    __m512i d = _mm512_madd_epi16(_mm512_maddubs_epi16(s, mul_pair), mul_quad); /* 12 bits */
    /* d0 | d1 << 12: d1 sits at bit 32, and d0 >> 20 is 0 */
    return _mm512_or_si512(d, _mm512_srli_epi64(d, 20));
}

void emz_split_e5m2_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    const __m512i pack = table(pack3x2);
    const __mmask64 bytes48 = (1ull << 48) - 1;
    size_t j = 0;
    for (; j + 128 <= m; j += 128) {
        __m512i v[2];
        fp8_exponents128(src + j, 2, exps + j, v);
        __m512i s =
            _mm512_permutex2var_epi8(e5m2_pack_signmant(v[0]), pack, e5m2_pack_signmant(v[1]));
        _mm512_mask_storeu_epi8(sm + 3 * j / 8, bytes48, s);
    }
    emz_split_e5m2_scalar(src + j, m - j, exps + j, sm + 3 * j / 8);
}

void emz_merge_e5m2_avx512(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    const __m512i src_bytes = table(src3), shifts = table(shift3), bits = table(e5m2_bits);
    const __m512i exp_mask = _mm512_set1_epi8((char)0xFC);
    const __mmask64 bytes24 = (1ull << 24) - 1;
    size_t j = 0;
    for (; j + 64 <= m; j += 64) {
        __m512i raw = _mm512_maskz_loadu_epi8(bytes24, sm + 3 * j / 8);
        __m512i x = _mm512_permutexvar_epi8(src_bytes, raw);
        __m512i s = _mm512_permutexvar_epi8(_mm512_multishift_epi64_epi8(shifts, x), bits);
        /* exponent << 2 truncated to the byte, as the scalar kernel does */
        __m512i e = _mm512_slli_epi16(_mm512_loadu_si512((const void *)(exps + j)), 2);
        _mm512_storeu_si512((void *)(dst + j), _mm512_ternarylogic_epi32(s, e, exp_mask, OR_AND));
    }
    emz_merge_e5m2_scalar(exps + j, sm + 3 * j / 8, m - j, dst + j);
}

/* ---- FP4 E2M1: two nibbles a byte, low first; exponent bits 1..2, sign+mantissa bits 3, 0 ---- */

void emz_split_fp4_avx512(const uint8_t *src, size_t m, uint8_t *exps, uint8_t *sm) {
    /* Byte-wise work and few shuffles (measured to be what limits these loops): exponents of
     * the low and of the high nibbles, interleaved by two vpermt2b; symbol pairs looked up per
     * byte, joined in pairs by vpmaddubsw, and the low bytes of two vectors gathered at once. */
    const __m512i exp2 = _mm512_set1_epi8(3), bit0 = _mm512_set1_epi8(1);
    const __m512i first = table(interleave_first), second = table(interleave_second);
    const __m512i pair_lo = table(fp4_pair), pair_hi = table(fp4_pair + 64);
    const __m512i mul_pair = _mm512_set1_epi16(16 << 8 | 1), lo_bytes = table(even_bytes);
    size_t j = 0;
    for (; j + 256 <= m; j += 256) { /* 128 source bytes */
        __m512i pairs[2];
        for (int h = 0; h < 2; h++) {
            __m512i v = _mm512_loadu_si512((const void *)(src + j / 2 + 64 * h));
            __m512i v1 = _mm512_srli_epi16(v, 1);
            __m512i lo = _mm512_and_si512(v1, exp2);
            __m512i hi = _mm512_and_si512(_mm512_srli_epi16(v, 5), exp2);
            _mm512_storeu_si512((void *)(exps + j + 128 * h),
                                _mm512_permutex2var_epi8(lo, first, hi));
            _mm512_storeu_si512((void *)(exps + j + 128 * h + 64),
                                _mm512_permutex2var_epi8(lo, second, hi));
            /* per source byte its two symbols: bit 0 | (bits 3, 4, 7 looked up by bits 1..7) */
            __m512i q = _mm512_permutex2var_epi8(pair_lo, v1, pair_hi);
            q = _mm512_ternarylogic_epi32(v, bit0, q, AND_OR);
            pairs[h] = _mm512_maddubs_epi16(q, mul_pair); /* word = the byte pair's 8 bits */
        }
        _mm512_storeu_si512((void *)(sm + j / 4),
                            _mm512_permutex2var_epi8(pairs[0], lo_bytes, pairs[1]));
    }
    emz_split_fp4_scalar(src + j / 2, m - j, exps + j, sm + j / 4);
}

void emz_merge_fp4_avx512(const uint8_t *exps, const uint8_t *sm, size_t m, uint8_t *dst) {
    const __m512i shifts = table(shift4), bits = table(fp4_bits);
    const __m512i lo_bytes = table(even_bytes), hi_bytes = table(odd_bytes);
    const __m512i bits1_7 = _mm512_set1_epi8((char)0xFE), bits5_7 = _mm512_set1_epi8((char)0xE0);
    size_t j = 0;
    for (; j + 128 <= m; j += 128) { /* 64 output bytes */
        __m512i x = _mm512_cvtepu32_epi64(_mm256_loadu_si256((const __m256i *)(sm + j / 4)));
        __m512i s = _mm512_permutexvar_epi8(_mm512_multishift_epi64_epi8(shifts, x), bits);
        /* first and second exponent of each output byte, then e0 << 1 | e1 << 5 truncated
         * to the byte like the scalar kernel's store (16-bit shifts, the masks drop what
         * crosses into the next byte) */
        __m512i ea = _mm512_loadu_si512((const void *)(exps + j));
        __m512i eb = _mm512_loadu_si512((const void *)(exps + j + 64));
        __m512i e0 = _mm512_permutex2var_epi8(ea, lo_bytes, eb);
        __m512i e1 = _mm512_permutex2var_epi8(ea, hi_bytes, eb);
        s = _mm512_ternarylogic_epi32(_mm512_slli_epi16(e0, 1), bits1_7, s, AND_OR);
        s = _mm512_ternarylogic_epi32(_mm512_slli_epi16(e1, 5), bits5_7, s, AND_OR);
        _mm512_storeu_si512((void *)(dst + j / 2), s);
    }
    emz_merge_fp4_scalar(exps + j, sm + j / 4, m - j, dst + j / 2);
}
