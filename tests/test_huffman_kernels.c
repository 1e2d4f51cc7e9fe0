/* test_huffman_kernels.c - the Huffman lane coders, and the byte histograms that feed them, of
 * every implementation this CPU runs, kernel to kernel against scalar. Histograms: skewed data
 * (the compare-count path, whichever values it picks) and flat data (its scalar fallback),
 * sizes around its thresholds and counter flushes, misaligned. Coders: identical lane bytes and
 * sizes from the encoder, identical symbols from the decoder, for codes over the whole byte
 * alphabet (symbols >= 128 take the other half of the AVX-512 lookup tables), skewed and flat, and
 * stream lengths around every lane-count boundary and SIMD step (64 symbols), at misaligned
 * addresses. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emzip.h"
#include "engine/dispatch.h"
#include "format/entropy_estimate.h"
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
    static emz_huff_dec dec[2]; /* without and with the multi-code table: both decode paths */
    emz_huff_dec_init(len, n, false, &dec[0]);
    emz_huff_dec_init(len, n, true, &dec[1]);

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
            /* without and with bytes to prefetch (a DIFF chunk's base: the x86-64 loops have
             * variants that prefetch them, which must decode the same) */
            const emz_warm warm = {syms, n};
            for (unsigned m = 0; m < 4; m++) {
                memset(out, 0xA5, n + 8);
                cr_assert(k->huff_decode(dst, sizes, dst + bytes, &dec[m % 2], out, n,
                                         m < 2 ? NULL : &warm) == EMZ_OK,
                          "%s: %s decode failed (n %zu, multi %u, warm %u)", k->name, what, n,
                          m % 2, m / 2);
                cr_assert(memcmp(out, syms, n) == 0 && out[n] == 0xA5,
                          "%s: %s decode differs (n %zu, multi %u, warm %u)", k->name, what, n,
                          m % 2, m / 2);
            }
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

/* Lanes whose parts of the stream code at very different lengths, so that they end their fast
 * rounds at very different times: the x86-64 decoder gives a finished lane's place to the next
 * lane (huffman_decode_template.h, decode_sixteen), and finishes the last ones four at a time.
 * Each lane of 16 is drawn from one of three distributions: nearly constant (1-bit codes),
 * flat (8 bits) or geometric (codes up to 11 bits), in patterns that put the long lanes first,
 * last and alternating; the last leaves five long lanes and a stand-in in the six places for
 * most of the stream (a stand-in that is not set afresh before each call of the loop overruns
 * its scratch there). */
Test(huffman_kernels, lanes_of_unlike_lengths, .timeout = 120) {
    static const char *patterns[] = {"SSSSSSSSLLLLLLLL", "LLLLLLLLSSSSSSSS", "SLSLSLSLSLSLSLSL",
                                     "GSSSSSSSSSSSSSSG", "SSSSSSSSSSSSSSSL", "LFFFFFFFFFFFFFFS",
                                     "SSSSSSSSSSLLLLLS"};
    static const size_t lengths[] = {16384, 16384 + 17, 65536, 131072 + 5};
    size_t maxn = 131072 + 5;
    uint8_t *syms = tu_xmalloc(maxn + 64);
    uint64_t seed = 11;
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; p++)
        for (size_t i = 0; i < sizeof lengths / sizeof lengths[0]; i++) {
            size_t n = lengths[i], per_lane = (n + 15) / 16;
            for (size_t j = 0; j < n; j++) {
                char kind = patterns[p][j / per_lane];
                unsigned s = 0;
                if (kind == 'S') s = (next(&seed) & 63) == 0 ? 1 : 0;
                if (kind == 'L' || kind == 'F') s = next(&seed) & 255;
                if (kind == 'G')
                    while (s < 255 && (next(&seed) & 1))
                        s++;
                syms[j] = (uint8_t)s;
            }
            check_stream(syms, n, patterns[p]);
        }
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

/* References for emz_huff_lengths, written independently of it. */
enum { MAXLEN = EMZ_HUFF_MAX_LEN };

/* Weights of the used symbols, heaviest first. */
static unsigned used_desc(const uint32_t *hist, uint64_t *w) {
    unsigned n = 0;
    for (unsigned s = 0; s < 256; s++)
        if (hist[s]) w[n++] = hist[s];
    for (unsigned i = 1; i < n; i++) /* insertion sort, descending */
        for (unsigned j = i; j > 0 && w[j - 1] < w[j]; j--) {
            uint64_t t = w[j];
            w[j] = w[j - 1], w[j - 1] = t;
        }
    return n;
}

/* The optimal cost of a complete prefix code with lengths <= MAXLEN, by dynamic programming
 * over the code tree level by level: some optimal code gives the heaviest symbols the
 * shortest codes, so a state is (depth d, symbols 0..i-1 placed, a free nodes at depth d);
 * a free node either takes symbol i as a leaf, or all free nodes split, charging every
 * symbol not yet placed one more bit. A free node must end with a leaf below it, so
 * a <= n - i. */
static uint64_t dp_optimum(const uint32_t *hist) {
    uint64_t w[256], suffix[257];
    unsigned n = used_desc(hist, w);
    suffix[n] = 0;
    for (unsigned i = n; i-- > 0;)
        suffix[i] = suffix[i + 1] + w[i];
    static uint64_t f[2][257][257]; /* f[d & 1][i][a] */
    const uint64_t inf = UINT64_MAX;
    for (int d = MAXLEN; d >= 0; d--) {
        uint64_t(*cur)[257] = f[d & 1], (*deeper)[257] = f[(d + 1) & 1];
        for (unsigned i = n + 1; i-- > 0;)
            for (unsigned a = 0; a <= n - i; a++) {
                uint64_t best = inf;
                if (a == 0)
                    best = i == n ? 0 : inf;
                else {
                    if (d > 0 && cur[i + 1][a - 1] < best) best = cur[i + 1][a - 1];
                    if (d < MAXLEN && 2 * a <= n - i && deeper[i][2 * a] != inf &&
                        suffix[i] + deeper[i][2 * a] < best)
                        best = suffix[i] + deeper[i][2 * a];
                }
                cur[i][a] = best;
            }
    }
    return f[0][0][1];
}

/* Unlimited Huffman lengths by repeatedly joining the two lightest nodes (O(n^2)), then the
 * JPEG (T.81 Annex K.3) limit on the counts per length: the cost of the former limiter. Sets
 * *deepest to the unlimited code's longest length. */
static uint64_t jpeg_cost(const uint32_t *hist, unsigned *deepest) {
    uint64_t w[256], node[511];
    unsigned n = used_desc(hist, w), parent[511], alive[511], nodes = n;
    for (unsigned i = 0; i < n; i++)
        node[i] = w[i], alive[i] = 1;
    for (unsigned k = 0; k + 1 < n; k++) {
        unsigned lo[2];
        for (unsigned t = 0; t < 2; t++) {
            unsigned b = UINT32_MAX;
            for (unsigned j = 0; j < nodes; j++)
                if (alive[j] && (b == UINT32_MAX || node[j] < node[b])) b = j;
            alive[b] = 0, lo[t] = b;
        }
        node[nodes] = node[lo[0]] + node[lo[1]], alive[nodes] = 1;
        parent[lo[0]] = parent[lo[1]] = nodes++;
    }
    unsigned count[256] = {0}, max_len = 0;
    for (unsigned i = 0; i < n; i++) {
        unsigned l = 0;
        for (unsigned j = i; j != nodes - 1; j = parent[j])
            l++;
        count[l]++;
        if (l > max_len) max_len = l;
    }
    *deepest = max_len;
    for (unsigned l = max_len; l > MAXLEN; l--)
        while (count[l] > 0) {
            unsigned j = l - 2;
            while (count[j] == 0)
                j--;
            count[l] -= 2, count[l - 1]++;
            count[j + 1] += 2, count[j]--;
        }
    uint64_t bits = 0;
    unsigned i = 0;
    for (unsigned l = 1; l <= MAXLEN; l++)
        for (unsigned c = 0; c < count[l]; c++)
            bits += w[i++] * l;
    return bits;
}

/* Checks emz_huff_lengths on hist: complete code, lengths <= 11, the returned size is the
 * size of the lengths, heavier symbols no longer, cost equal to the reference optimum and no
 * more than JPEG's. Returns whether the cost beat JPEG's; *deepest as in jpeg_cost. */
static bool check_lengths(const uint32_t *hist, const char *what, unsigned *deepest) {
    uint8_t len[256];
    memset(len, 0xEE, sizeof len);
    uint64_t bits = emz_huff_lengths(hist, 256, len), sum = 0;
    uint32_t kraft = 0;
    for (unsigned s = 0; s < 256; s++) {
        if (!hist[s]) {
            cr_assert(len[s] == 0, "%s: unused symbol %u has length %u", what, s, len[s]);
            continue;
        }
        cr_assert(len[s] >= 1 && len[s] <= MAXLEN, "%s: symbol %u has length %u", what, s, len[s]);
        kraft += 1u << (MAXLEN - len[s]);
        sum += (uint64_t)hist[s] * len[s];
        for (unsigned t = 0; t < 256; t++)
            cr_assert(!(hist[t] > hist[s] && len[t] > len[s]),
                      "%s: symbol %u (weight %u) longer than %u (weight %u)", what, t, hist[t], s,
                      hist[s]);
    }
    cr_assert(kraft == 1u << MAXLEN, "%s: Kraft sum %u, want %u", what, kraft, 1u << MAXLEN);
    cr_assert(bits == sum, "%s: returned %llu bits, lengths give %llu", what,
              (unsigned long long)bits, (unsigned long long)sum);
    uint64_t best = dp_optimum(hist), jpeg = jpeg_cost(hist, deepest);
    cr_assert(bits == best, "%s: %llu bits, optimum %llu", what, (unsigned long long)bits,
              (unsigned long long)best);
    cr_assert(bits <= jpeg, "%s: %llu bits, more than JPEG's %llu", what, (unsigned long long)bits,
              (unsigned long long)jpeg);
    return bits < jpeg;
}

/* Optimal length-limited codes (package-merge) where the optimal code is deeper than 11 bits,
 * and the optimal code itself elsewhere, on skewed histograms. */
Test(huffman_kernels, length_limited_optimum, .timeout = 120) {
    uint32_t hist[256];
    unsigned deepest, deep = 0, better = 0;
    char what[64];

    /* Fibonacci weights: the unlimited code is a chain, 29 or 36 deep. */
    memset(hist, 0, sizeof hist);
    uint64_t a = 1, b = 1;
    for (unsigned i = 0; i < 30; i++, b += a, a = b - a)
        hist[i * 7 % 256] = (uint32_t)a;
    better += check_lengths(hist, "fibonacci 30", &deepest);
    deep += deepest > MAXLEN;
    cr_assert(deepest == 29, "fibonacci 30: unlimited depth %u", deepest);
    /* ...and with 200 more symbols of weight 1, and near-ties */
    a = b = 1;
    for (unsigned i = 0; i < 37; i++, b += a, a = b - a)
        hist[i] = (uint32_t)a;
    for (unsigned s = 37; s < 237; s++)
        hist[s] = 1 + (s & 1);
    better += check_lengths(hist, "fibonacci 37 + 200 light", &deepest);
    deep += deepest > MAXLEN;

    /* Geometric weights 2^25 >> k, with ones below: a deep code at maximal weights. */
    for (unsigned s = 0; s < 256; s++)
        hist[s] = (1u << 25 >> (s < 25 ? s : 25));
    better += check_lengths(hist, "geometric 256", &deepest);
    deep += deepest > MAXLEN;
    for (unsigned k = 0; k < 5; k++) { /* ratios 2, 3/2, 4/3, ... */
        memset(hist, 0, sizeof hist);
        uint64_t x = 1u << 25;
        for (unsigned s = 0; s < 256 && x; s++, x = x * (k + 1) / (k + 2))
            hist[(s * 37 + k) % 256] = (uint32_t)x;
        snprintf(what, sizeof what, "geometric ratio %u/%u", k + 2, k + 1);
        better += check_lengths(hist, what, &deepest);
        deep += deepest > MAXLEN;
    }

    /* Sums above 2^32: 200 symbols at 2^25 and a Fibonacci tail. */
    memset(hist, 0, sizeof hist);
    for (unsigned s = 0; s < 200; s++)
        hist[s] = 1u << 25;
    a = b = 1;
    for (unsigned i = 0; i < 56; i++, b += a, a = b - a)
        hist[200 + i] = a < (1u << 25) ? (uint32_t)a : 1u << 25;
    better += check_lengths(hist, "heavy + fibonacci", &deepest);
    deep += deepest > MAXLEN;

    /* Log-uniform weights from a fixed LCG, over 256 symbols and over random subsets. */
    uint64_t seed = 12345;
    for (unsigned t = 0; t < 40; t++) {
        memset(hist, 0, sizeof hist);
        unsigned keep = t < 20 ? 256 : 2 + (unsigned)(next(&seed) % 255);
        for (unsigned s = 0; s < 256; s++) {
            uint32_t r = (uint32_t)(next(&seed) & ((1u << 25) - 1)),
                     shift = (uint32_t)(next(&seed) % 26);
            if (next(&seed) % 256 < keep) hist[s] = (r >> shift) + 1;
        }
        hist[t] = hist[t] ? hist[t] : 1, hist[255 - t] = hist[255 - t] ? hist[255 - t] : 3;
        snprintf(what, sizeof what, "LCG %u", t);
        better += check_lengths(hist, what, &deepest);
        deep += deepest > MAXLEN;
    }

    /* Two symbols, and the largest ratio. */
    memset(hist, 0, sizeof hist);
    hist[0] = 1, hist[255] = 1u << 25;
    check_lengths(hist, "two symbols", &deepest);
    hist[0] = 5, hist[255] = 5;
    check_lengths(hist, "two equal symbols", &deepest);

    /* Flat: the code is 8 bits everywhere. */
    for (unsigned s = 0; s < 256; s++)
        hist[s] = 1000;
    check_lengths(hist, "flat", &deepest);

    /* The cases must exercise the limit, and it must pay off somewhere. */
    cr_assert(deep >= 20, "only %u histograms needed the length limit", deep);
    cr_assert(better >= 5, "package-merge beat JPEG on only %u histograms", better);
}

/* emz_entropy_bits_floor is a floor of every code's cost (the encoder skips building a code on
 * it): below the optimal lengths' cost, and within 2% of a bit a symbol of the true entropy, on
 * histograms flat, skewed, geometric, two-symbol, one heavy symbol with a tail, of every size. */
Test(huffman_kernels, entropy_floor_below_every_code, .timeout = 120) {
    uint64_t seed = 77;
    unsigned below = 0;
    for (unsigned trial = 0; trial < 3000; trial++) {
        uint32_t hist[256] = {0};
        unsigned alphabet = trial % 3 == 0 ? 256 : trial % 3 == 1 ? 32 : 16, kind = trial % 5;
        uint64_t total = 0;
        for (unsigned s = 0; s < alphabet; s++) {
            uint64_t r = tu_rand(&seed);
            uint32_t v = kind == 0   ? (uint32_t)(r % 1000)
                         : kind == 1 ? (uint32_t)(r % 3 == 0 ? r % 100000 : r % 3)
                         : kind == 2 ? (s < 20 ? 1u << (20 - s) : 0)
                         : kind == 3 ? (s < 2 ? 1 + (uint32_t)(r % 50000) : 0)
                                     : (s == 0 ? 1u << 24 : (uint32_t)(r % 4));
            hist[s] = v, total += v;
        }
        uint8_t len[256];
        uint64_t cost = emz_huff_lengths(hist, alphabet, len), floor_bits = 0;
        unsigned seen = 0;
        double h = 0;
        for (unsigned s = 0; s < alphabet; s++)
            if (hist[s]) seen++, h += hist[s] * log2((double)total / hist[s]);
        floor_bits = emz_entropy_bits_floor(hist, alphabet);
        if (seen < 2) continue; /* no code: a CONSTANT stream */
        cr_assert(floor_bits <= cost, "trial %u: floor %llu bits above the code's %llu", trial,
                  (unsigned long long)floor_bits, (unsigned long long)cost);
        cr_assert(floor_bits <= h + 1e-6 && floor_bits + 1 >= h - 0.02 * (double)total,
                  "trial %u: floor %llu bits, entropy %.1f of %llu symbols", trial,
                  (unsigned long long)floor_bits, h, (unsigned long long)total);
        below += floor_bits < cost;
    }
    cr_assert(below > 0);
}

/* Hostile lane tables: lanes first..15 of 0 or 1 byte, so that each starts fewer than 15 bytes
 * before readable_end (decode_sixteen's fill_slot finishes such a lane in the tail before it
 * takes a slot; with first 0 no lane takes one, and the four-lane loop gets only padding).
 * Every implementation refuses them and leaves the same symbols as scalar. */
Test(huffman_kernels, lanes_at_the_end_of_the_input) {
    size_t n = 16384;
    uint8_t *syms = tu_xmalloc(n + 64), *ref = tu_xmalloc(n), *out = tu_xmalloc(n);
    draw(syms, n, 0, 255, 127, 2, 77); /* bf16-like: short codes, a multi-code table */
    uint32_t hist[256] = {0};
    for (size_t i = 0; i < n; i++)
        hist[syms[i]]++;
    uint8_t len[256];
    emz_huff_lengths(hist, 256, len);
    emz_huff_enc enc;
    emz_huff_enc_init(len, &enc);
    static emz_huff_dec dec;
    emz_huff_dec_init(len, n, true, &dec);
    const emz_kernels *scalar = NULL;
    cr_assert(emz_kernels_resolve(EMZ_IMPL_SCALAR, &scalar) == EMZ_OK);
    size_t cap = 2 * n + 64;
    uint8_t *lanes = tu_xmalloc(cap + 8);
    uint32_t sizes[EMZ_HUFF_LANES];
    size_t bytes = scalar->huff_encode(syms, n, &enc, lanes, cap, sizes);
    cr_assert(bytes != SIZE_MAX && emz_huff_lane_count(n) == 16);
    for (unsigned first = 0; first < 16; first++) {
        uint32_t s2[EMZ_HUFF_LANES];
        size_t total = 0;
        for (unsigned k = 0; k < 16; k++)
            total += s2[k] = k < first ? sizes[k] : k % 2;
        /* the lanes end exactly at readable_end: a read past it is out of bounds */
        uint8_t *in = tu_xmalloc(total);
        memcpy(in, lanes, total);
        memset(ref, 0xA5, n);
        emz_status want = scalar->huff_decode(in, s2, in + total, &dec, ref, n, NULL);
        for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
            const emz_kernels *k = NULL;
            if (emz_kernels_resolve((emz_impl)impl, &k) != EMZ_OK) continue;
            memset(out, 0xA5, n);
            emz_status got = k->huff_decode(in, s2, in + total, &dec, out, n, NULL);
            cr_assert(got == EMZ_ERROR_CORRUPT && got == want && memcmp(out, ref, n) == 0,
                      "%s: lanes %u.. at the end of the input", k->name, first);
        }
        free(in);
    }
    free(syms), free(lanes), free(ref), free(out);
}
