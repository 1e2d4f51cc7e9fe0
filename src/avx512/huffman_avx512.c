/* huffman_avx512.c - the Huffman lane encoder with its code lookups and joins in AVX-512.
 *
 * VBMI byte permutes look up 64 codes at once (the 256-entry code table is two byte tables
 * of four registers each: vpermi2b reaches 128 entries, the symbol's top bit picks the half);
 * then variable shifts join codes pairwise in 32-bit lanes and again in 64-bit lanes, so the
 * scalar bit writer appends one string of four codes where it appended four codes. The
 * output is the bit string the scalar encoder writes: the join only regroups the same bits.
 * Code lengths for the lane sizes come from the same lookup, summed by vpsadbw. */
#include <immintrin.h>

#include "common/common.h"
#include "kernels/kernels.h"
#include "scalar/kernels_scalar.h"

typedef struct simd_tables {
    __m512i lo[4];  /* code bits 0..7, entries 0..255 in four registers */
    __m512i hi[4];  /* code bits 8..10 | length << 3 */
    __m512i len[4]; /* length */
    const uint8_t *len_bytes;
} simd_tables;

static void simd_tables_init(simd_tables *t, const emz_huff_enc *enc) {
    uint8_t lo[256], hi[256];
    for (unsigned s = 0; s < 256; s++) {
        lo[s] = (uint8_t)enc->code[s];
        hi[s] = (uint8_t)(enc->code[s] >> 8 | enc->len[s] << 3);
    }
    for (unsigned r = 0; r < 4; r++) {
        t->lo[r] = _mm512_loadu_si512((const void *)(lo + 64 * r));
        t->hi[r] = _mm512_loadu_si512((const void *)(hi + 64 * r));
        t->len[r] = _mm512_loadu_si512((const void *)(enc->len + 64 * r));
    }
    t->len_bytes = enc->len;
}

/* table[s] for the 64 symbols of s. */
static inline __m512i lookup256(const __m512i table[4], __m512i s) {
    __m512i low = _mm512_permutex2var_epi8(table[0], s, table[1]);
    __m512i high = _mm512_permutex2var_epi8(table[2], s, table[3]);
    return _mm512_mask_blend_epi8(_mm512_movepi8_mask(s), low, high);
}

/* 16-bit code | length << 11 in each word -> (two codes) | length << 27 in each dword. */
static inline __m512i join_pairs(__m512i w) {
    const __m512i code11 = _mm512_set1_epi32(0x7FF), len4 = _mm512_set1_epi32(0xF);
    __m512i first = _mm512_and_si512(w, code11);
    __m512i first_len = _mm512_and_si512(_mm512_srli_epi32(w, 11), len4);
    __m512i second = _mm512_and_si512(_mm512_srli_epi32(w, 16), code11);
    __m512i second_len = _mm512_srli_epi32(w, 27);
    __m512i code = _mm512_or_si512(first, _mm512_sllv_epi32(second, first_len));
    return _mm512_or_si512(code, _mm512_slli_epi32(_mm512_add_epi32(first_len, second_len), 27));
}

/* Pairs in dwords -> four codes in each qword (at most 44 bits), and their length. */
static inline __m512i join_quads(__m512i p, __m512i *bits) {
    const __m512i code22 = _mm512_set1_epi64(0x3FFFFF), len5 = _mm512_set1_epi64(0x1F);
    __m512i first = _mm512_and_si512(p, code22);
    __m512i first_len = _mm512_and_si512(_mm512_srli_epi64(p, 27), len5);
    __m512i second = _mm512_and_si512(_mm512_srli_epi64(p, 32), code22);
    __m512i second_len = _mm512_srli_epi64(p, 59);
    *bits = _mm512_add_epi64(first_len, second_len);
    return _mm512_or_si512(first, _mm512_sllv_epi64(second, first_len));
}

/* Joins the codes of 64 symbols into bit strings for the scalar writer, in stream order:
 * eight strings of eight codes when every one fits in 56 bits (the writer appends a string
 * after at most 7 pending bits, and its count must stay below 64), else sixteen strings of
 * four codes (44 bits at most). With 2-3 bit exponent codes the eights nearly always fit,
 * which halves the writer's work. Returns the number of strings; *total: their bits. */
static inline unsigned join64(const simd_tables *t, const uint8_t *sym, uint64_t code[16],
                              uint64_t bits[16], uint64_t *total) {
    __m512i s = _mm512_loadu_si512((const void *)sym);
    __m512i lo = lookup256(t->lo, s), hi = lookup256(t->hi, s);
    /* unpack works within 128-bit lanes: words of symbols 0-7, 16-23, 32-39, 48-55 and of
     * 8-15, 24-31, 40-47, 56-63; the qword permutes below restore stream order. */
    __m512i ba, bb;
    __m512i qa = join_quads(join_pairs(_mm512_unpacklo_epi8(lo, hi)), &ba);
    __m512i qb = join_quads(join_pairs(_mm512_unpackhi_epi8(lo, hi)), &bb);
    /* Quads 0..15 in stream order are qa0 qa1 qb0 qb1 qa2 qa3 qb2 qb3 ...: so the octs are
     * (qa0 qa1), (qb0 qb1), (qa2 qa3), ...; gather the first and second quad of each. */
    const __m512i first = _mm512_setr_epi64(0, 8, 2, 10, 4, 12, 6, 14);
    const __m512i second = _mm512_setr_epi64(1, 9, 3, 11, 5, 13, 7, 15);
    __m512i f_code = _mm512_permutex2var_epi64(qa, first, qb);
    __m512i f_bits = _mm512_permutex2var_epi64(ba, first, bb);
    __m512i s_code = _mm512_permutex2var_epi64(qa, second, qb);
    __m512i s_bits = _mm512_permutex2var_epi64(ba, second, bb);
    __m512i o_bits = _mm512_add_epi64(f_bits, s_bits);
    *total = (uint64_t)_mm512_reduce_add_epi64(o_bits);
    if (!_mm512_cmpgt_epu64_mask(o_bits, _mm512_set1_epi64(56))) {
        _mm512_storeu_si512((void *)code,
                            _mm512_or_si512(f_code, _mm512_sllv_epi64(s_code, f_bits)));
        _mm512_storeu_si512((void *)bits, o_bits);
        return 8;
    }
    const __m512i low = _mm512_setr_epi64(0, 8, 1, 9, 2, 10, 3, 11);
    const __m512i high = _mm512_setr_epi64(4, 12, 5, 13, 6, 14, 7, 15);
    _mm512_storeu_si512((void *)code, _mm512_permutex2var_epi64(f_code, low, s_code));
    _mm512_storeu_si512((void *)(code + 8), _mm512_permutex2var_epi64(f_code, high, s_code));
    _mm512_storeu_si512((void *)bits, _mm512_permutex2var_epi64(f_bits, low, s_bits));
    _mm512_storeu_si512((void *)(bits + 8), _mm512_permutex2var_epi64(f_bits, high, s_bits));
    return 16;
}

static uint64_t lane_bits(const uint8_t *sym, const uint8_t *end, const uint8_t *len);

static uint64_t simd_lane_bits(const simd_tables *t, const uint8_t *sym, const uint8_t *end) {
    __m512i sum = _mm512_setzero_si512();
    for (; end - sym >= 64; sym += 64) {
        __m512i l = lookup256(t->len, _mm512_loadu_si512((const void *)sym));
        sum = _mm512_add_epi64(sum, _mm512_sad_epu8(l, _mm512_setzero_si512()));
    }
    return (uint64_t)_mm512_reduce_add_epi64(sum) + lane_bits(sym, end, t->len_bytes);
}

#define EMZ_HUFF_SIMD_JOIN 1
#define EMZ_HUFF_ENCODE emz_huff_encode_avx512
#include "kernels/huffman_encode_template.h"
