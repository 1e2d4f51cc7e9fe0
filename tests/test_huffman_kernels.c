/* test_huffman_kernels.c - the Huffman lane coders, and the byte histograms that feed them, of
 * every implementation this CPU runs, kernel to kernel against scalar. Histograms: skewed data
 * (the compare-count path, whichever values it picks) and flat data (its scalar fallback),
 * sizes around its thresholds and counter flushes, misaligned. Coders: identical lane bytes and
 * sizes from the encoder, identical symbols from the decoder, for codes over the whole byte
 * alphabet (symbols >= 128 take the other half of the AVX-512 lookup tables), skewed and flat, and
 * stream lengths around every lane-count boundary and SIMD step (64 symbols), at misaligned
 * addresses. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "emzip.h"
#include "engine/dispatch.h"
#include "format/huffman_build.h"
#include "test_util.h"

static uint64_t next(uint64_t *s) {
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* n symbols drawn from a distribution with weights ~ 1 / (1 + |s - center|^power) over the
 * symbols [lo, hi] of the 256-symbol alphabet. */
static void draw(uint8_t *syms, size_t n, unsigned lo, unsigned hi, unsigned center, unsigned power,
                 uint64_t seed) {
    double w[256] = {0}, total = 0;
    for (unsigned s = lo; s <= hi; s++) {
        double d = s > center ? s - center : center - s, p = 1;
        for (unsigned k = 0; k < power; k++)
            p *= 1 + d;
        total += w[s] = 1 / p;
    }
    for (size_t i = 0; i < n; i++) {
        double u = (double)next(&seed) / 2147483648.0 * total;
        unsigned s = lo;
        while (s < hi && u >= w[s])
            u -= w[s++];
        syms[i] = (uint8_t)s;
    }
}

static void check_stream(const uint8_t *syms, size_t n, const char *what) {
    uint32_t hist[256] = {0};
    for (size_t i = 0; i < n; i++)
        hist[syms[i]]++;
    unsigned distinct = 0;
    for (unsigned s = 0; s < 256; s++)
        distinct += hist[s] != 0;
    if (distinct < 2) return; /* a one-symbol stream is CONSTANT, never Huffman coded */
    uint8_t len[256];
    emz_huff_lengths(hist, 256, len);
    emz_huff_enc enc;
    emz_huff_enc_init(len, &enc);
    static emz_huff_dec dec;
    emz_huff_dec_init(len, n, &dec);

    size_t cap = 2 * n + 64;
    uint8_t *ref = tu_xmalloc(cap + 8), *buf = tu_xmalloc(cap + 8 + 7), *out = tu_xmalloc(n + 8);
    uint32_t ref_sizes[EMZ_HUFF_LANES], sizes[EMZ_HUFF_LANES];
    const emz_kernels *scalar = NULL;
    cr_assert(emz_kernels_resolve(EMZ_IMPL_SCALAR, &scalar) == EMZ_OK);
    size_t ref_bytes = scalar->huff_encode(syms, n, &enc, ref, cap, ref_sizes);
    cr_assert(ref_bytes != SIZE_MAX);
    unsigned lanes = emz_huff_lane_count(n);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        const emz_kernels *k = NULL;
        if (emz_kernels_resolve((emz_impl)impl, &k) != EMZ_OK) continue;
        for (unsigned off = 0; off < 8; off += 3) {
            uint8_t *dst = buf + off;
            size_t bytes = k->huff_encode(syms, n, &enc, dst, cap, sizes);
            cr_assert(bytes == ref_bytes && memcmp(sizes, ref_sizes, lanes * sizeof *sizes) == 0 &&
                          memcmp(dst, ref, bytes) == 0,
                      "%s: %s encode differs from scalar (n %zu, offset %u)", k->name, what, n,
                      off);
            memset(out, 0xA5, n + 8);
            cr_assert(k->huff_decode(dst, sizes, dst + bytes, &dec, out, n) == EMZ_OK,
                      "%s: %s decode failed (n %zu)", k->name, what, n);
            cr_assert(memcmp(out, syms, n) == 0 && out[n] == 0xA5, "%s: %s decode differs (n %zu)",
                      k->name, what, n);
        }
        /* A cap one byte short of the size must be refused, by every implementation. */
        if (ref_bytes > 0)
            cr_assert(k->huff_encode(syms, n, &enc, buf, ref_bytes - 1, sizes) == SIZE_MAX,
                      "%s: %s encode ignored its cap", k->name, what);
    }
    free(ref), free(buf), free(out);
}

Test(huffman_kernels, every_implementation_matches_scalar, .timeout = 600) {
    static const size_t lengths[] = {2,     3,     63,    64,    65,    127,   128,
                                     129,   1000,  4095,  4096,  4097,  4160,  16383,
                                     16384, 16385, 16448, 16449, 70001, 131072};
    static const struct {
        unsigned lo, hi, center, power;
        const char *what;
    } shapes[] = {
        {0, 255, 127, 2, "bf16-like exponents"}, {0, 255, 200, 1, "skew above 128"},
        {120, 136, 128, 3, "straddling 128"},    {0, 255, 0, 0, "flat bytes"},
        {0, 15, 6, 1, "4-bit symbols"},          {250, 255, 255, 4, "top of the alphabet"},
    };
    size_t maxn = 131072;
    uint8_t *syms = tu_xmalloc(maxn + 64);
    for (size_t s = 0; s < sizeof shapes / sizeof shapes[0]; s++)
        for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
            draw(syms, lengths[i], shapes[s].lo, shapes[s].hi, shapes[s].center, shapes[s].power,
                 1000 * s + i);
            check_stream(syms, lengths[i], shapes[s].what);
        }
    free(syms);
}

/* Codes of every length 1..11: a geometric distribution that the length limit must clip. */
Test(huffman_kernels, longest_codes) {
    size_t n = 50000;
    uint8_t *syms = tu_xmalloc(n + 64);
    uint64_t seed = 5;
    for (size_t i = 0; i < n; i++) {
        unsigned s = 0;
        while (s < 255 && (next(&seed) & 1))
            s++;
        syms[i] = (uint8_t)(s * 7 % 256);
    }
    check_stream(syms, n, "geometric");
    free(syms);
}

Test(huffman_kernels, histograms_match_scalar) {
    static const size_t sizes[] = {0,     1,     63,    64,         8191,   8192,       8193,
                                   16320, 16321, 16384, 65536 + 17, 262144, 1048576 + 3};
    size_t maxn = 1048576 + 3 + 8;
    uint8_t *data = tu_xmalloc(maxn);
    const emz_kernels *scalar = NULL;
    cr_assert(emz_kernels_resolve(EMZ_IMPL_SCALAR, &scalar) == EMZ_OK);
    /* skew: a few values carry almost everything (or all: one value), flat: none does */
    static const struct {
        unsigned lo, hi, center, power;
    } shapes[] = {{0, 255, 127, 3}, {100, 140, 120, 2}, {0, 255, 0, 0},
                  {7, 7, 7, 1},     {250, 255, 255, 1}, {0, 9, 3, 1}};
    for (size_t sh = 0; sh < sizeof shapes / sizeof shapes[0]; sh++) {
        draw(data, maxn, shapes[sh].lo, shapes[sh].hi, shapes[sh].center, shapes[sh].power,
             77 + sh);
        /* one block with every value, so rare values meet the scalar rest path */
        for (unsigned v = 0; v < 256; v++)
            data[300000 + v] = (uint8_t)v;
        for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
            const emz_kernels *k = NULL;
            if (emz_kernels_resolve((emz_impl)impl, &k) != EMZ_OK) continue;
            for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
                for (unsigned off = 0; off < 8; off += 5) {
                    uint32_t want[256], got[256];
                    scalar->histogram(data + off, sizes[i], want);
                    memset(got, 0xA5, sizeof got);
                    k->histogram(data + off, sizes[i], got);
                    cr_assert(memcmp(want, got, sizeof want) == 0,
                              "%s: histogram differs (shape %zu, %zu bytes, offset %u)", k->name,
                              sh, sizes[i], off);
                }
        }
    }
    free(data);
}
