/* bitpack_avx512.c - RAW bit packing of symbols of 1..7 bits with AVX-512 BW/VBMI, 64 symbols
 * a step, whose 8*width bits end on a byte boundary where the scalar kernel takes the tail.
 * Packing: multiply-adds join neighbours inside words and dwords, one shift and bit select
 * joins the dwords of each qword, vpermb gathers the width low bytes of each qword, and a
 * masked store writes exactly those bytes. Unpacking is the reverse gather (vpermb, then
 * vpmultishiftqb to pull each symbol's bits to the bottom of its byte). */
#include <immintrin.h>
#include <string.h>

#include "avx512/kernels_avx512.h"
#include "common/common.h"
#include "kernels/table_macros.h"
#include "scalar/kernels_scalar.h"

/* Per width w: pack_src[w][i] = which byte of the packed qwords is output byte i (the w low
 * bytes of each qword in turn); unpack_src[w][i] = the stream byte for byte i of qword i/8,
 * whose eight symbols start in stream byte w*(i/8); unpack_shift[w][i] = bit offset of
 * symbol i%8 in that qword. */
/* "& 63" changes no value (all are below 64) but keeps clang from warning about the branch
 * not taken. */
#define PACK_SRC(w, i) ((i) < 8 * (w) ? ((i) / (w)*8 + (i) % (w)) & 63 : 0)
#define UNPACK_SRC(w, i) ((w) * ((i) / 8) + (i) % 8)
#define UNPACK_SHIFT(w, i) ((w) * ((i) % 8))
static const uint8_t pack_src[8][64] = WIDTH_ROWS(X64, PACK_SRC);
static const uint8_t unpack_src[8][64] = WIDTH_ROWS(X64, UNPACK_SRC);
static const uint8_t unpack_shift[8][64] = WIDTH_ROWS(X64, UNPACK_SHIFT);

void emz_pack_bits_avx512(const uint8_t *syms, size_t n, unsigned width, uint8_t *out) {
    if (width == 8) {
        memcpy(out, syms, n);
        return;
    }
    size_t i = 0;
    if (width == 1) {
        /* one bit a byte: the byte mask of bit 0 is the packed stream */
        const __m512i one = _mm512_set1_epi8(1);
        for (; i + 64 <= n; i += 64) {
            __m512i v = _mm512_loadu_si512((const void *)(syms + i));
            emz_store64(out + i / 8, (uint64_t)_mm512_test_epi8_mask(v, one));
        }
    } else {
        const unsigned w = width;
        /* vpmaddubsw takes the multipliers unsigned so that 2^7 fits; symbols < 2^7 are the
         * signed operand. */
        const __m512i mul_pair = _mm512_set1_epi16((short)(1 << w << 8 | 1));
        const __m512i mul_quad = _mm512_set1_epi32(1 << 2 * w << 16 | 1);
        const __m512i low = _mm512_set1_epi64((1ll << 4 * w) - 1);
        const __m512i gather = _mm512_loadu_si512((const void *)pack_src[w]);
        const __mmask64 bytes = (1ull << 8 * w) - 1;
        for (; i + 64 <= n; i += 64) {
            __m512i v = _mm512_loadu_si512((const void *)(syms + i));
            __m512i d = _mm512_madd_epi16(_mm512_maddubs_epi16(mul_pair, v), mul_quad);
            /* qword = d0 | d1 << 4w: d1 sits at bit 32, so a right shift by 32 - 4w puts it
             * there; below bit 4w the shift leaves junk from d0, replaced by d0 itself. */
            __m512i q = _mm512_ternarylogic_epi32(_mm512_srli_epi64(d, 32 - 4 * w), d, low,
                                                  0xD8 /* low ? d : shifted */);
            _mm512_mask_storeu_epi8(out + i / 8 * w, bytes, _mm512_permutexvar_epi8(gather, q));
        }
    }
    emz_pack_bits_scalar(syms + i, n - i, width, out + i / 8 * width);
}

void emz_unpack_bits_avx512(const uint8_t *in, size_t n, unsigned width, uint8_t *syms) {
    if (width == 8) {
        memcpy(syms, in, n);
        return;
    }
    const unsigned w = width;
    const __m512i spread = _mm512_loadu_si512((const void *)unpack_src[w]);
    const __m512i shifts = _mm512_loadu_si512((const void *)unpack_shift[w]);
    const __m512i mask = _mm512_set1_epi8((char)((1u << w) - 1));
    const __mmask64 bytes = (1ull << 8 * w) - 1;
    size_t i = 0;
    for (; i + 64 <= n; i += 64) {
        __m512i raw = _mm512_maskz_loadu_epi8(bytes, in + i / 8 * w);
        __m512i x = _mm512_multishift_epi64_epi8(shifts, _mm512_permutexvar_epi8(spread, raw));
        _mm512_storeu_si512((void *)(syms + i), _mm512_and_si512(x, mask));
    }
    emz_unpack_bits_scalar(in + i / 8 * w, n - i, width, syms + i);
}
