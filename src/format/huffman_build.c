/* huffman_build.c - package-merge code lengths, canonical codes, decoder tables (the code
 * table's serialization: code_table.c). */
#include "format/huffman_build.h"

#include "common/common.h"

#include <string.h>

/* Stable LSD radix sort of (weight, symbol) pairs by weight: symbols enter in increasing
 * order, so equal weights stay ordered by symbol, which makes the code deterministic. */
static void sort_by_weight(uint32_t *weight, uint8_t *symbol, unsigned n) {
    uint32_t w2[256];
    uint8_t s2[256];
    uint32_t *wa = weight, *wb = w2;
    uint8_t *sa = symbol, *sb = s2;
    for (unsigned shift = 0; shift < 32; shift += 8) {
        unsigned count[257] = {0};
        for (unsigned i = 0; i < n; i++)
            count[(wa[i] >> shift & 0xFF) + 1]++;
        if (count[1] == n) continue; /* this digit is 0 everywhere */
        for (unsigned d = 0; d < 256; d++)
            count[d + 1] += count[d];
        for (unsigned i = 0; i < n; i++) {
            unsigned at = count[wa[i] >> shift & 0xFF]++;
            wb[at] = wa[i], sb[at] = sa[i];
        }
        uint32_t *wt = wa;
        wa = wb, wb = wt;
        uint8_t *st = sa;
        sa = sb, sb = st;
    }
    if (wa != weight) memcpy(weight, wa, n * sizeof *weight), memcpy(symbol, sa, n);
}

/* Optimal (unlimited) Huffman code lengths in place, Moffat & Katajainen (1995): a[] holds
 * n >= 2 weights in increasing order and receives the lengths, longest first. Sums are
 * 64-bit, so that any 256 counts of up to 2^25 each fit (a chunk has at most 2^25 symbols). */
static void huffman_lengths_in_place(uint64_t *a, int n) {
    int root = 0, leaf = 2, next;
    a[0] += a[1];
    for (next = 1; next < n - 1; next++) {
        if (leaf >= n || a[root] < a[leaf])
            a[next] = a[root], a[root++] = (uint64_t)next;
        else
            a[next] = a[leaf++];
        if (leaf >= n || (root < next && a[root] < a[leaf]))
            a[next] += a[root], a[root++] = (uint64_t)next;
        else
            a[next] += a[leaf++];
    }
    a[n - 2] = 0;
    for (next = n - 3; next >= 0; next--)
        a[next] = a[a[next]] + 1;
    int avail = 1, used = 0, depth = 0;
    root = n - 2, next = n - 1;
    while (avail > 0) {
        while (root >= 0 && (int)a[root] == depth)
            used++, root--;
        while (avail > used)
            a[next--] = (uint64_t)depth, avail--;
        avail = 2 * used, depth++, used = 0;
    }
}

/* Optimal lengths limited to EMZ_HUFF_MAX_LEN by package-merge (Larmore & Hirschberg, 1990),
 * for n in [2, 256] weights w[] in increasing order; len[i] receives the length of w[i].
 * List d (1..11, in is_package[d - 1]) holds the leaves merged with the pairs (packages) of
 * list d + 1, list 11 being the leaves alone; the first 2n - 2 items of list 1 form the
 * optimal code (each taken leaf adds one to its symbol's length). Each list is cut to 2n - 2
 * items, as no more of it can be taken. A list is kept only as a bit per item, leaf
 * or package: the leaves of a list come in weight order, so the items taken from it are a
 * prefix holding a prefix of the leaves, a symbol's length is the number of lists whose taken
 * prefix holds its leaf, and lighter symbols never get shorter codes. On equal weights the
 * leaf goes before the package: the result is a function of the sorted weights alone (integer
 * only, the same on every ISA). Sums are 64-bit: up to 256 weights of up to 2^25 each, and a
 * package weighs at most their total. No allocation: ~14 KiB of stack. */
static void package_merge_lengths(const uint32_t *w, unsigned n, uint8_t *len) {
    enum { L = EMZ_HUFF_MAX_LEN };
    uint64_t cur[2 * 256], nxt[2 * 256];
    uint8_t is_package[L][2 * 256];
    unsigned keep = 2 * n - 2, size = n; /* n <= keep as n >= 2 */
    for (unsigned i = 0; i < n; i++)
        cur[i] = w[i], is_package[L - 1][i] = 0;
    for (unsigned level = L - 1; level-- > 0;) { /* list level + 1 from list level + 2 */
        unsigned packages = size / 2, leaf = 0, pkg = 0, out = 0;
        /* Branch-free: which list the next item comes from is data, and mispredicting it cost
         * emz_huff_lengths a third of its time on a 32 KiB K/V page's streams (2.4 -> 1.9 us
         * for the exponents, 3.5 -> 2.3-2.9 us for the sign+mantissa bytes). An exhausted side
         * weighs UINT64_MAX; indexes are clamped to stay inside. */
        while (out < keep && (leaf < n || pkg < packages)) {
            unsigned pi = pkg < packages ? pkg : 0, li = leaf < n ? leaf : 0;
            uint64_t pw = pkg < packages ? cur[2 * pi] + cur[2 * pi + 1] : UINT64_MAX;
            uint64_t lw = leaf < n ? w[li] : UINT64_MAX;
            unsigned take_leaf = lw <= pw;
            nxt[out] = take_leaf ? lw : pw;
            is_package[level][out++] = (uint8_t)!take_leaf;
            leaf += take_leaf, pkg += !take_leaf;
        }
        memcpy(cur, nxt, out * sizeof *cur);
        size = out;
    }
    memset(len, 0, n);
    unsigned take = keep; /* items taken from the current list */
    for (unsigned level = 0; level < L && take > 0; level++) {
        unsigned packages = 0;
        for (unsigned i = 0; i < take; i++)
            packages += is_package[level][i];
        for (unsigned i = 0; i < take - packages; i++) /* the lightest take - packages leaves */
            len[i]++;
        take = 2 * packages;
    }
}

/* Optimal lengths by Moffat-Katajainen; if the longest exceeds the limit, optimal lengths
 * under the limit by package-merge instead. Package-merge replaced the length-limiting
 * adjustment of JPEG (ITU T.81, Annex K.3), a heuristic on the count of codes per length that
 * lost ~0.5% on FP8 whole-byte streams; chunks whose optimal code fits in 11 bits are coded
 * as before. Lengths go to symbols by weight, most frequent shortest, ties by symbol. */
uint64_t emz_huff_lengths(const uint32_t *hist, unsigned alphabet, uint8_t len[256]) {
    uint32_t a[256];
    uint8_t symbol[256];
    unsigned n = 0;
    for (unsigned s = 0; s < alphabet; s++)
        if (hist[s]) a[n] = hist[s], symbol[n++] = (uint8_t)s;
    memset(len, 0, 256);
    sort_by_weight(a, symbol, n);
    uint64_t depth[256]; /* weights, then code lengths */
    if (n < 2) return 0; /* not a Huffman code: the caller codes it as CONSTANT */
    for (unsigned i = 0; i < n; i++)
        depth[i] = a[i];
    huffman_lengths_in_place(depth, (int)n);

    unsigned count[256] = {0}, max_len = 0;
    for (unsigned i = 0; i < n; i++) {
        count[depth[i]]++;
        if (depth[i] > max_len) max_len = (unsigned)depth[i];
    }
    uint64_t bits = 0;
    if (max_len > EMZ_HUFF_MAX_LEN) {
        uint8_t limited[256];
        package_merge_lengths(a, n, limited);
        for (unsigned i = 0; i < n; i++) {
            len[symbol[i]] = limited[i];
            bits += (uint64_t)a[i] * limited[i];
        }
        return bits;
    }
    unsigned i = n; /* weights ascend, so hand lengths out from the heaviest down */
    for (unsigned l = 1; l <= EMZ_HUFF_MAX_LEN; l++)
        for (unsigned c = 0; c < count[l]; c++) {
            i--;
            len[symbol[i]] = (uint8_t)l;
            bits += (uint64_t)a[i] * l;
        }
    return bits;
}

/* Bit reversal of an 8-bit value, for turning canonical codes into LSB-first ones. */
static const uint8_t reversed_byte[256] = {
#define R2(n) n, n + 2 * 64, n + 1 * 64, n + 3 * 64
#define R4(n) R2(n), R2(n + 2 * 16), R2(n + 1 * 16), R2(n + 3 * 16)
#define R6(n) R4(n), R4(n + 2 * 4), R4(n + 1 * 4), R4(n + 3 * 4)
    R6(0), R6(2), R6(1), R6(3)
#undef R2
#undef R4
#undef R6
};

static uint32_t reverse_bits(uint32_t code, unsigned n) {
    uint32_t r = (uint32_t)reversed_byte[code & 0xFF] << 8 | reversed_byte[code >> 8 & 0xFF];
    return r >> (16 - n);
}

void emz_huff_enc_init(const uint8_t len[256], emz_huff_enc *enc) {
    /* Four counters a length: one would make a chain of dependent increments through memory
     * wherever lengths repeat (the 200-odd unused symbols of an exponent alphabet all have
     * length 0), about 1 ns a symbol; this table is built for every coded stream, so for small
     * frames it showed in profiles. */
    unsigned counts[4][EMZ_HUFF_MAX_LEN + 1] = {{0}};
    for (unsigned s = 0; s < 256; s += 4) {
        counts[0][len[s]]++;
        counts[1][len[s + 1]]++;
        counts[2][len[s + 2]]++;
        counts[3][len[s + 3]]++;
    }
    uint32_t next_code[EMZ_HUFF_MAX_LEN + 1], code = 0;
    for (unsigned l = 1; l <= EMZ_HUFF_MAX_LEN; l++) {
        unsigned below =
            l == 1 ? 0 : counts[0][l - 1] + counts[1][l - 1] + counts[2][l - 1] + counts[3][l - 1];
        code = (code + below) << 1;
        next_code[l] = code;
    }
    memcpy(enc->len, len, 256);
    for (unsigned s = 0; s < 256; s++)
        enc->code[s] = len[s] ? (uint16_t)reverse_bits(next_code[len[s]]++, len[s]) : 0;
}

/* Which decoder loop is faster, from costs measured on Zen 5 (x86-64 assembly loops, a stream
 * of each size decoded 3000 times, fastest run): the lockstep loop (no multi-code table) takes
 * 0.40 ns a symbol with 16 lanes and 0.76 ns with 4 (its C form), whatever the code lengths;
 * the multi-code loops take about 0.077 ns per bit of average code length a symbol four lanes
 * at a time (3 bits: 0.23 ns, 4: 0.30, 5.1: 0.40, 6.8: 0.70; a lookup yields about 11 / bits
 * symbols) and about 0.062 ns with 16 lanes six at a time (2.8 bits: 0.17 ns, 3.7: 0.22, 5.8:
 * 0.36, 8: 0.59; the x86-64 assembly only, costed as in kernels.h: huff_multi16_ps_per_bit),
 * plus ~4 us to build the multi-code table. So the table pays for short codes in long
 * streams: BF16 and FP32 exponents (2-4 bits), not FP8 whole bytes (6.7 bits) or FP16 high
 * bytes (5.8). All in picoseconds; a symbol's bits are 8 * lane_bytes / n. */
#define LOCKSTEP16_PS 400
#define LOCKSTEP4_PS 760
#define MULTI_PS_PER_BIT EMZ_HUFF_MULTI_PS_PER_BIT
#define MULTI_BUILD_PS 4000000
bool emz_huff_dec_wants_multi(size_t n, uint64_t lane_bytes, unsigned multi16_ps_per_bit) {
    unsigned lanes = emz_huff_lane_count(n);
    if (lanes == 1) return false; /* no multi-code table for one lane (emz_huff_dec_init) */
    uint64_t lockstep = (uint64_t)n * (lanes == 16 ? LOCKSTEP16_PS : LOCKSTEP4_PS);
    uint64_t per_bit = lanes == 16 ? multi16_ps_per_bit : MULTI_PS_PER_BIT;
    uint64_t multi = 8 * per_bit * lane_bytes + MULTI_BUILD_PS;
    return multi < lockstep;
}

bool emz_huff_dec_multi_pays(const uint8_t len[256]) {
    /* The code's own mean length (each symbol weighted 2^-len), in 1/2048 bits. */
    uint64_t mean = 0;
    for (unsigned s = 0; s < 256; s++)
        if (len[s]) mean += (uint64_t)len[s] << (EMZ_HUFF_MAX_LEN - len[s]);
    return mean * MULTI_PS_PER_BIT < (uint64_t)LOCKSTEP16_PS << EMZ_HUFF_MAX_LEN;
}

void emz_huff_dec_init(const uint8_t len[256], size_t n, bool multi, emz_huff_dec *dec) {
    emz_huff_enc enc;
    emz_huff_enc_init(len, &enc);
    for (unsigned s = 0; s < 256; s++) {
        unsigned l = len[s];
        if (!l) continue;
        uint16_t entry = (uint16_t)(l | s << 8);
        for (uint32_t i = enc.code[s]; i < EMZ_HUFF_TABLE_SIZE; i += 1u << l)
            dec->single[i] = entry;
    }
    dec->has_multi = multi && emz_huff_lane_count(n) > 1;
    if (!dec->has_multi) return;
    /* A lookup of the next 11 bits yields every code that lies wholly inside them, up to
     * four. A code found at the shifted index i >> used is valid only if it fits in the bits
     * that remain, because the high bits of the shifted index are zeros, not stream bits.
     * Measured slower, both: a branch-free walk (its dependent loads did not overlap), and
     * building entry i from entry i >> l1 cut to the remaining bits (1.7x slower). */
    for (uint32_t i = 0; i < EMZ_HUFF_TABLE_SIZE; i++) {
        uint8_t *e = dec->multi[i];
        uint32_t used = 0, n = 0;
        memset(e, 0, 8);
        while (n < EMZ_HUFF_MULTI_CODES) {
            uint32_t u = dec->single[i >> used], l = u & 0xFF;
            if (used + l > EMZ_HUFF_MAX_LEN) break;
            e[1 + n++] = (uint8_t)(u >> 8);
            used += l;
        }
        e[0] = (uint8_t)used;
        e[5] = (uint8_t)n;
    }
}
