/* bounds.c - order-0 entropy bounds and the format model (bench only). See bounds.h and
 * bench/README.md, "Table 2". */
#include "bounds.h"

#include "bench_util.h"
#include "common/common.h"
#include "format/element_types.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Element j of a buffer of elements of d->element_bits bits (little-endian; FP4: the low nibble
 * first). */
static inline uint32_t load_elem(const uint8_t *p, const emz_type_desc *d, size_t j) {
    switch (d->element_bits) {
    case 4:
        return (p[j / 2] >> (4 * (j & 1))) & 0xF;
    case 16:
        return emz_load16(p + 2 * j);
    case 32:
        return emz_load32(p + 4 * j);
    default:
        return p[j];
    }
}

/* An element split into its exponent field e and its sign+mantissa field s (the sign above the
 * mantissa bits), as docs/FORMAT.md splits it: read here element by element, independently of
 * the library's split kernels. */
static inline void split_elem(uint32_t u, const emz_type_desc *d, uint32_t *e, uint32_t *s) {
    unsigned mp = d->signmant_bits - 1; /* mantissa bits without the sign */
    *e = (u >> mp) & ((1u << d->exp_bits) - 1);
    *s = ((u >> (d->exp_bits + mp)) & 1u) << mp | (u & ((1u << mp) - 1));
}

/* Bits needed by an order-0 code of n symbols with these counts: sum c * log2(n / c). */
static double entropy_bits(const uint64_t *hist, size_t k, uint64_t n) {
    if (n == 0) return 0;
    double s = 0;
    for (size_t i = 0; i < k; i++)
        if (hist[i]) s += (double)hist[i] * log2((double)hist[i]);
    double r = (double)n * log2((double)n) - s;
    return r < 0 ? 0 : r;
}

struct bounds_acc { /* whole-file histograms of one float group */
    uint64_t exp[256];
    uint64_t sm[1u << 11];              /* sign+mantissa, M <= 11 */
    uint64_t b0[256], b1[256], b2[256]; /* FP32: mantissa bytes as entropy.py splits them */
    uint64_t *elem;                     /* whole element, <= 16 bits */
    uint64_t n;
};

/* Optimal code lengths of at most max_len bits (package-merge) for the symbols of hist[0..k)
 * that occur; len[] is zeroed first. Needs at least two symbols and k <= 256. */
static void pm_lengths(const uint64_t *hist, unsigned k, unsigned max_len, uint8_t *len) {
    enum { MAXL = 16, CAP = 512 };
    static uint64_t weight[MAXL + 1][CAP];
    static uint8_t leafy[MAXL + 1][CAP];
    unsigned cnt[MAXL + 1], idx[256], n = 0;
    memset(len, 0, k);
    for (unsigned s = 0; s < k; s++)
        if (hist[s]) idx[n++] = s;
    for (unsigned i = 1; i < n; i++) { /* ascending weight */
        unsigned v = idx[i], j = i;
        while (j > 0 && hist[idx[j - 1]] > hist[v])
            idx[j] = idx[j - 1], j--;
        idx[j] = v;
    }
    if (n < 2 || max_len > MAXL || (1u << max_len) < n) return;
    cnt[max_len] = n;
    for (unsigned i = 0; i < n; i++)
        weight[max_len][i] = hist[idx[i]], leafy[max_len][i] = 1;
    for (unsigned lv = max_len - 1; lv >= 1; lv--) {
        unsigned np = cnt[lv + 1] / 2, li = 0, pi = 0, o = 0;
        while (li < n || pi < np) {
            uint64_t pw = pi < np ? weight[lv + 1][2 * pi] + weight[lv + 1][2 * pi + 1] : 0;
            if (li < n && (pi >= np || hist[idx[li]] <= pw))
                weight[lv][o] = hist[idx[li++]], leafy[lv][o++] = 1;
            else
                weight[lv][o] = pw, leafy[lv][o++] = 0, pi++;
        }
        cnt[lv] = o;
    }
    unsigned take = 2 * n - 2;
    for (unsigned lv = 1; lv <= max_len && take; lv++) {
        unsigned a = 0;
        for (unsigned i = 0; i < take && i < cnt[lv]; i++)
            a += leafy[lv][i];
        for (unsigned r = 0; r < a; r++)
            len[idx[r]]++;
        take = 2 * (take - a);
    }
}

/* Bytes of the cheapest encoding docs/FORMAT.md allows for a stream of n symbols of w bits:
 * RAW, CONSTANT, or HUFFMAN (w <= 8) with optimal 11-bit-limited code lengths, its code table,
 * lane table (1, 4 or 16 LEB128 sizes by stream length) and the exact lane sizes. syms: the
 * symbols, one a byte (w <= 8), else NULL; constant: for w > 8, whether all symbols are equal. */
static double model_stream(const uint64_t *hist, unsigned w, size_t n, const uint8_t *syms,
                           int constant) {
    double raw = 1.0 + (double)(((uint64_t)n * w + 7) / 8);
    if (n == 0) return raw;
    if (w > 8) return constant ? 1.0 + (w + 7) / 8 : raw;
    unsigned k = 1u << w, distinct = 0, first = k, last = 0;
    for (unsigned s = 0; s < k; s++)
        if (hist[s]) {
            distinct++;
            if (first == k) first = s;
            last = s;
        }
    if (distinct == 1) return 1.0 + 1;
    uint8_t len[256];
    pm_lengths(hist, k, 11, len);
    /* L lanes by stream size; each lane's byte size is an LEB128 number in the lane table */
    size_t lanes = n < 4096 ? 1 : n < 16384 ? 4 : 16;
    size_t per = (n + lanes - 1) / lanes;
    double bytes = 1 + 2 + (last - first + 2) / 2;
    for (size_t l = 0; l < lanes; l++) {
        size_t lo = l * per < n ? l * per : n, hi = lo + per < n ? lo + per : n;
        uint64_t bits = 0;
        for (size_t i = lo; i < hi; i++)
            bits += len[syms[i]];
        uint64_t size = (bits + 7) / 8;
        unsigned leb = 1;
        for (uint64_t v = size >> 7; v; v >>= 7)
            leb++;
        bytes += (double)(size + leb);
    }
    return bytes < raw ? bytes : raw;
}

void bounds_add(bounds *b, bounds_acc *w, const uint8_t *p, size_t size, emz_type t, size_t chunk) {
    const emz_type_desc *d = emz_type_desc_get(t);
    const unsigned M = d->signmant_bits;
    size_t nslots = emz_chunk_slots(d, size);
    /* whole file */
    for (size_t j = 0; j < nslots; j++) {
        uint32_t u = load_elem(p, d, j), e, s;
        split_elem(u, d, &e, &s);
        w->exp[e]++;
        if (t == EMZ_TYPE_FP32) {
            w->b0[u & 0xFF]++;
            w->b1[(u >> 8) & 0xFF]++;
            w->b2[((u >> 16) & 0x7F) | ((u >> 24) & 0x80)]++;
        } else {
            w->sm[s]++;
            if (w->elem) w->elem[u]++;
        }
    }
    w->n += nslots;
    b->elements += nslots;
    /* per chunk, chunked as the codec chunks the tensor */
    uint64_t he[256], hs[256], hb[256];
    size_t slots_max = emz_chunk_slots(d, chunk);
    uint8_t *se = xmalloc(slots_max), *ss = xmalloc(slots_max);
    b->model_bytes += 36; /* frame header, index checksum */
    for (size_t off = 0; off < size; off += chunk) {
        size_t len = size - off < chunk ? size - off : chunk;
        const uint8_t *c = p + off;
        size_t m = emz_chunk_slots(d, len), tail = emz_chunk_tail(d, len);
        memset(he, 0, sizeof he);
        memset(hs, 0, sizeof hs);
        memset(hb, 0, sizeof hb);
        int sm_const = 1;
        uint32_t s0 = 0;
        for (size_t j = 0; j < m; j++) {
            uint32_t u = load_elem(c, d, j), e, s;
            split_elem(u, d, &e, &s);
            he[e]++;
            se[j] = (uint8_t)e;
            if (M <= 8) hs[s]++, ss[j] = (uint8_t)s;
            if (j == 0)
                s0 = s;
            else if (s != s0)
                sm_const = 0;
        }
        if (d->can_whole)
            for (size_t j = 0; j < len; j++)
                hb[c[j]]++;
        double eh = entropy_bits(he, 256, m);
        double raw = (double)m * M + 8.0 * (double)tail;
        double smh = M <= 8 ? entropy_bits(hs, 256, m) + 8.0 * (double)tail : raw;
        b->ck_exp_raw_bits += eh + raw;
        b->ck_exp_sm_bits += eh + smh;
        double best = eh + smh;
        if (d->can_whole) {
            double bh = entropy_bits(hb, 256, len);
            b->ck_byte_bits += bh;
            if (bh < best) best = bh;
        }
        b->ck_best_bits += best;
        /* the format model: index entry + layout byte + the cheaper allowed layout */
        double split = model_stream(he, d->exp_bits, m, se, 0) +
                       model_stream(M <= 8 ? hs : NULL, M, m, M <= 8 ? ss : NULL, sm_const) +
                       (double)tail;
        if (d->can_whole) {
            double whole = model_stream(hb, 8, len, c, 0);
            if (whole < split) split = whole;
        }
        b->model_bytes += 8 + 1 + split;
    }
    free(se);
    free(ss);
}

static void finish_figures(bounds *b, const bounds_acc *w, emz_type t, const emz_type_desc *d) {
    double n = (double)w->n;
    b->wf_exp_h = entropy_bits(w->exp, 256, w->n) / n;
    if (t == EMZ_TYPE_FP32)
        b->wf_sm_h = (entropy_bits(w->b0, 256, w->n) + entropy_bits(w->b1, 256, w->n) +
                      entropy_bits(w->b2, 256, w->n)) /
                     n;
    else
        b->wf_sm_h = entropy_bits(w->sm, (size_t)1 << d->signmant_bits, w->n) / n;
    b->wf_split_bits = (b->wf_exp_h + b->wf_sm_h) * n;
    b->wf_elem_bits = w->elem ? entropy_bits(w->elem, (size_t)1 << d->element_bits, w->n) : -1;
    if (!d->can_whole) b->ck_byte_bits = -1;
    b->valid = 1;
}

bounds_acc *bounds_begin(emz_type t) {
    const emz_type_desc *d = emz_type_desc_get(t);
    bounds_acc *w = calloc(1, sizeof *w);
    if (!w) return NULL;
    if (d->element_bits <= 16) {
        w->elem = calloc((size_t)1 << d->element_bits, sizeof(uint64_t));
        if (!w->elem) {
            free(w);
            return NULL;
        }
    }
    return w;
}

void bounds_finish(bounds *b, bounds_acc *w, emz_type t) {
    if (w->n) finish_figures(b, w, t, emz_type_desc_get(t));
    free(w->elem);
    free(w);
}

/* Bounds of one buffer cut into chunks as ONE frame cuts it (the emzip-stream layout): chunks
 * now straddle tensor boundaries. The whole-file histograms come along but equal the group's
 * own (a); the per-chunk figures and the format model are what differ. */
int buffer_bounds(bounds *b, const uint8_t *p, size_t size, emz_type t, size_t chunk) {
    bounds_acc *w = bounds_begin(t);
    if (!w) return -1;
    bounds_add(b, w, p, size, t, chunk);
    bounds_finish(b, w, t);
    return 0;
}
