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
/* Bytes of the smaller code table form of version 2 (docs/FORMAT.md, "Code table"): first and
 * last, then 4-bit lengths, or 4 bits for the first length and a delta code per further symbol
 * (1 bit same, 3 bits +-1, 4 bits +-2, 7 bits otherwise). */
static size_t model_table(const uint8_t *len, unsigned first, unsigned last) {
    size_t nibbles = (last - first + 2) / 2, bits = 4;
    for (unsigned s = first + 1; s <= last; s++) {
        int d = len[s] - len[s - 1];
        bits += d == 0 ? 1 : d * d == 1 ? 3 : d * d == 4 ? 4 : 7;
    }
    size_t compact = (bits + 7) / 8;
    return 2 + (compact < nibbles ? compact : nibbles);
}

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
    double bytes = 1 + (double)model_table(len, first, last);
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

/* One chunk's streams in each layout docs/FORMAT.md (version 2) allows: the exponent, the
 * sign+mantissa (M <= 8) or its 8-bit planes (M > 8), the whole bytes, and byte k of every
 * element (2- and 4-byte types). Histograms and symbols (one a byte) of each. */
typedef struct chunk_streams {
    unsigned planes, nbytes; /* sign+mantissa streams (1 when M <= 8); BYTES streams (0: none) */
    unsigned width[3];       /* bits of each sign+mantissa stream */
    uint64_t he[256], hs[3][256], hb[256], hk[4][256];
    uint8_t *se, *ss[3], *sk[4];
} chunk_streams;

static void chunk_streams_fill(chunk_streams *cs, const uint8_t *c, size_t len, size_t m,
                               const emz_type_desc *d) {
    memset(cs->he, 0, sizeof cs->he);
    memset(cs->hs, 0, sizeof cs->hs);
    memset(cs->hb, 0, sizeof cs->hb);
    memset(cs->hk, 0, sizeof cs->hk);
    for (size_t j = 0; j < m; j++) {
        uint32_t u = load_elem(c, d, j), e, s;
        split_elem(u, d, &e, &s);
        cs->he[e]++;
        cs->se[j] = (uint8_t)e;
        for (unsigned k = 0; k < cs->planes; k++) {
            uint8_t v = (uint8_t)((s >> (8 * k)) & ((1u << cs->width[k]) - 1));
            cs->hs[k][v]++;
            cs->ss[k][j] = v;
        }
        for (unsigned k = 0; k < cs->nbytes; k++) {
            uint8_t v = (uint8_t)(u >> (8 * k));
            cs->hk[k][v]++;
            cs->sk[k][j] = v;
        }
    }
    for (size_t j = 0; j < len; j++)
        cs->hb[c[j]]++;
}

/* Adds one chunk's entropy figures to b, and its model size (index entry, layout byte and the
 * cheapest layout with the cheapest mode per stream). */
static void chunk_bounds_add(bounds *b, const chunk_streams *cs, const uint8_t *c, size_t len,
                             size_t m, size_t tail, const emz_type_desc *d) {
    double eh = entropy_bits(cs->he, 256, m), smh = 0, bytes_h = 0;
    double split = model_stream(cs->he, d->exp_bits, m, cs->se, 0) + (double)tail;
    for (unsigned k = 0; k < cs->planes; k++) {
        smh += entropy_bits(cs->hs[k], 256, m);
        split += model_stream(cs->hs[k], cs->width[k], m, cs->ss[k], 0);
    }
    b->ck_exp_raw_bits += eh + (double)m * d->signmant_bits + 8.0 * (double)tail;
    b->ck_exp_sm_bits += eh + smh + 8.0 * (double)tail;
    double whole_h = entropy_bits(cs->hb, 256, len);
    b->ck_byte_bits += whole_h;
    double best = eh + smh + 8.0 * (double)tail, model = split;
    if (whole_h < best) best = whole_h;
    double whole = model_stream(cs->hb, 8, len, c, 0);
    if (whole < model) model = whole;
    if (cs->nbytes) {
        double by = (double)tail;
        for (unsigned k = 0; k < cs->nbytes; k++) {
            bytes_h += entropy_bits(cs->hk[k], 256, m);
            by += model_stream(cs->hk[k], 8, m, cs->sk[k], 0);
        }
        if (bytes_h + 8.0 * (double)tail < best) best = bytes_h + 8.0 * (double)tail;
        if (by < model) model = by;
    }
    b->ck_best_bits += best;
    b->model_bytes += 8 + 1 + model;
}

void bounds_add(bounds *b, bounds_acc *w, const uint8_t *p, size_t size, emz_type t, size_t chunk) {
    const emz_type_desc *d = emz_type_desc_get(t);
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
    chunk_streams cs;
    const unsigned M = d->signmant_bits;
    cs.planes = (M + 7) / 8;
    for (unsigned k = 0; k < cs.planes; k++)
        cs.width[k] = M - 8 * k < 8 ? M - 8 * k : 8;
    cs.nbytes = d->element_bits >= 16 ? d->element_bits / 8 : 0;
    size_t slots_max = emz_chunk_slots(d, chunk);
    uint8_t *sym = xmalloc(8 * (slots_max ? slots_max : 1));
    cs.se = sym;
    for (unsigned k = 0; k < 3; k++)
        cs.ss[k] = sym + (1 + k) * slots_max;
    for (unsigned k = 0; k < 4; k++)
        cs.sk[k] = sym + (4 + k) * slots_max;
    b->model_bytes += 36; /* frame header, index checksum */
    for (size_t off = 0; off < size; off += chunk) {
        size_t len = size - off < chunk ? size - off : chunk;
        size_t m = emz_chunk_slots(d, len), tail = emz_chunk_tail(d, len);
        chunk_streams_fill(&cs, p + off, len, m, d);
        chunk_bounds_add(b, &cs, p + off, len, m, tail, d);
    }
    free(sym);
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
