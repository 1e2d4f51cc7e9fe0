/* emzip_bench.c - compression ratio, speed and entropy bounds of emzip on safetensors files,
 * against libdeflate and zstd. See bench/README.md.
 *
 * usage: emzip-bench [--json] [--json-file F] [--no-baselines] [--reps N] [--chunk BYTES] FILE...
 */
#include "emzip.h"
#include "safetensors_scan.h"
#include "stream_mode.h"

#include <errno.h>
#include <libdeflate.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zstd.h>

#define MIN_REP_SECONDS 0.02   /* a timed repetition loops until it takes at least this long */
#define SLOW_SECONDS 1.0       /* a warm-up longer than this is the only (single) run */
#define BUDGET_SECONDS 6.0     /* at most about this long per measurement (fewer reps) */
#define MAX_GROUPS 32

/* ---- small utilities ------------------------------------------------------------------- */

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void *xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    if (!p) {
        fprintf(stderr, "emzip-bench: out of memory (%zu bytes)\n", n);
        exit(2);
    }
    return p;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint8_t *read_file(const char *path, size_t *size)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    size_t cap = 1 << 20, n = 0;
    uint8_t *buf = xmalloc(cap);
    for (;;) {
        if (n == cap) {
            cap *= 2;
            uint8_t *nb = realloc(buf, cap);
            if (!nb) { free(buf); fclose(f); errno = ENOMEM; return NULL; }
            buf = nb;
        }
        size_t r = fread(buf + n, 1, cap - n, f);
        n += r;
        if (r == 0) break;
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) { free(buf); return NULL; }
    *size = n;
    return buf;
}

/* Bits needed by an order-0 code of n symbols with these counts: sum c * log2(n / c). */
static double entropy_bits(const uint64_t *hist, size_t k, uint64_t n)
{
    if (n == 0) return 0;
    double s = 0;
    for (size_t i = 0; i < k; i++)
        if (hist[i]) s += (double)hist[i] * log2((double)hist[i]);
    double r = (double)n * log2((double)n) - s;
    return r < 0 ? 0 : r;
}

/* ---- element types ------------------------------------------------------------------- */

typedef struct type_desc {
    unsigned elem_bytes; /* 0 for FP4 (two per byte) and bytes */
    unsigned E, M;       /* exponent bits, sign+mantissa bits */
    int whole_ok;        /* the WHOLE layout is allowed */
} type_desc;

static type_desc describe(emz_type t)
{
    switch (t) {
    case EMZ_TYPE_BF16: return (type_desc){2, 8, 8, 0};
    case EMZ_TYPE_FP16: return (type_desc){2, 5, 11, 0};
    case EMZ_TYPE_FP32: return (type_desc){4, 8, 24, 0};
    case EMZ_TYPE_FP8_E4M3: return (type_desc){1, 4, 4, 1};
    case EMZ_TYPE_FP8_E5M2: return (type_desc){1, 5, 3, 1};
    case EMZ_TYPE_FP4_E2M1: return (type_desc){0, 2, 2, 1};
    default: return (type_desc){0, 0, 0, 1};
    }
}

/* Element j of a buffer of type t (little-endian), split into exponent and sign+mantissa. */
static inline uint32_t load_elem(const uint8_t *p, emz_type t, size_t j)
{
    switch (t) {
    case EMZ_TYPE_BF16:
    case EMZ_TYPE_FP16: return (uint32_t)p[2 * j] | (uint32_t)p[2 * j + 1] << 8;
    case EMZ_TYPE_FP32:
        return (uint32_t)p[4 * j] | (uint32_t)p[4 * j + 1] << 8 | (uint32_t)p[4 * j + 2] << 16 |
               (uint32_t)p[4 * j + 3] << 24;
    case EMZ_TYPE_FP4_E2M1: return (p[j / 2] >> (4 * (j & 1))) & 0xF;
    default: return p[j];
    }
}

static inline void split_elem(uint32_t u, type_desc d, uint32_t *e, uint32_t *s)
{
    unsigned mp = d.M - 1; /* mantissa bits without the sign */
    *e = (u >> mp) & ((1u << d.E) - 1);
    *s = ((u >> (d.E + mp)) & 1u) << mp | (u & ((1u << mp) - 1));
}

/* emz type of a safetensors tensor, and the label it is grouped under. */
static emz_type map_dtype(const st_tensor *t, const char **label)
{
    static const struct { const char *st; emz_type t; } m[] = {
        {"BF16", EMZ_TYPE_BF16}, {"F16", EMZ_TYPE_FP16}, {"F32", EMZ_TYPE_FP32},
        {"F8_E4M3", EMZ_TYPE_FP8_E4M3}, {"F8_E5M2", EMZ_TYPE_FP8_E5M2},
    };
    for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
        if (strcmp(t->dtype, m[i].st) == 0) { *label = m[i].st; return m[i].t; }
    size_t n = strlen(t->name);
    if (strcmp(t->dtype, "U8") == 0 && n >= 7 && strcmp(t->name + n - 7, ".blocks") == 0) {
        *label = "FP4_E2M1";
        return EMZ_TYPE_FP4_E2M1;
    }
    *label = t->dtype; /* U8 scales, integers, ...: plain bytes */
    return EMZ_TYPE_BYTES;
}

/* ---- timing ---------------------------------------------------------------------------- */

typedef int (*run_fn)(void *arg); /* returns 0 on success */

typedef struct timing {
    double seconds; /* median seconds of one run */
    double best;    /* fastest repetition's seconds per run (less sensitive to other load) */
    int runs;       /* timed repetitions the median is over */
    long iters;     /* runs per repetition (small inputs are looped) */
    int ok;
} timing;

static timing measure(run_fn fn, void *arg, int reps)
{
    timing t = {0, 0, 0, 0, 0};
    double t0 = now_seconds();
    if (fn(arg)) return t; /* warm-up */
    double tw = now_seconds() - t0;
    if (tw >= SLOW_SECONDS) { /* slow (e.g. zstd -19 on a big file): the warm-up is the run */
        t.seconds = t.best = tw, t.runs = 1, t.iters = 1, t.ok = 1;
        return t;
    }
    long iters = 1;
    if (tw < MIN_REP_SECONDS) {
        double q = MIN_REP_SECONDS / (tw > 1e-7 ? tw : 1e-7);
        iters = q > 100000 ? 100000 : (long)ceil(q);
    }
    int r = reps;
    if (tw * (double)iters * r > BUDGET_SECONDS) {
        r = (int)(BUDGET_SECONDS / (tw * (double)iters));
        if (r < 1) r = 1;
    }
    double *s = xmalloc(sizeof(double) * (size_t)r);
    for (int i = 0; i < r; i++) {
        double a = now_seconds();
        for (long k = 0; k < iters; k++)
            if (fn(arg)) { free(s); return t; }
        s[i] = (now_seconds() - a) / (double)iters;
    }
    qsort(s, (size_t)r, sizeof(double), cmp_double);
    t.seconds = r % 2 ? s[r / 2] : 0.5 * (s[r / 2 - 1] + s[r / 2]);
    t.best = s[0];
    free(s);
    t.runs = r, t.iters = iters, t.ok = 1;
    return t;
}

static double gbps(size_t bytes, timing t)
{
    return t.ok && t.seconds > 0 ? (double)bytes / t.seconds / 1e9 : 0;
}

static double best_gbps(size_t bytes, timing t)
{
    return t.ok && t.best > 0 ? (double)bytes / t.best / 1e9 : 0;
}

/* ---- per-file state ------------------------------------------------------------------- */

typedef struct tensor_job {
    const uint8_t *src;
    size_t size;
    emz_type type;
    int group;
    size_t frame_off, frame_cap, frame_size;
    size_t out_off;
} tensor_job;

typedef struct bounds {
    int valid;
    double wf_exp_h, wf_sm_h;      /* whole-file bits per element of each field */
    double wf_split_bits;          /* (a): whole-file exponent H + sign+mantissa H */
    double wf_elem_bits;           /* whole-element order-0 (elements of <= 16 bits), -1 if n/a */
    double ck_exp_raw_bits;        /* (b): per chunk exponent H + M raw bits (+ tail bytes) */
    double ck_exp_sm_bits;         /* per chunk exponent H + sign+mantissa H (H only if M <= 8) */
    double ck_byte_bits;           /* per chunk whole-byte H (FP8 / FP4), -1 if n/a */
    double ck_best_bits;           /* per chunk min(split, whole) as the codec may choose */
    double model_bytes;            /* frames as the format allows at best with optimal
                                    * length-limited Huffman codes (see model_stream) */
    uint64_t elements;
} bounds;

typedef struct group {
    char label[16];
    emz_type type;
    size_t tensors;
    uint64_t bytes;
    uint64_t frame_bytes;
    uint64_t frame_fixed; /* header + index + index checksum of its frames: 36 + 8 per chunk */
    bounds b;
    /* emzip-stream, float groups only (a float label is exactly one emz type, so the group is
     * exactly one stream; bytes labels share the one bytes stream) */
    int has_stream;
    uint64_t stream_frame_bytes, stream_frame_fixed;
    bounds sb;            /* bounds of the concatenated buffer chunked as its one frame */
} group;

typedef struct stream_summary { /* one emzip-stream frame, for every emz type incl. bytes */
    emz_type type;
    size_t tensors;
    uint64_t bytes, frame_bytes;
} stream_summary;

typedef struct result_row {
    const char *codec;
    char level[16];
    double ratio_pct;
    double comp_gbps, decomp_gbps;
    double comp_best_gbps, decomp_best_gbps;
    int comp_runs, decomp_runs;
    uint64_t bytes; /* bytes the speeds are over */
} result_row;

#define MAX_ROWS 16

typedef struct file_result {
    const char *path;
    uint64_t file_size, tensor_bytes, header_raw, header_stored;
    size_t tensor_count;
    group groups[MAX_GROUPS];
    int ngroups, dominant;
    uint64_t frames_total;
    stream_summary streams[EMZ_TYPE_COUNT];
    int nstreams;
    uint64_t stream_frames_total;
    result_row rows[MAX_ROWS];
    int nrows;
    int ok;
    char error[256];
} file_result;

typedef struct bench_ctx {
    tensor_job *jobs;
    size_t njobs;
    uint8_t *frames, *out;
    emz_cctx *cctx;
    emz_dctx *dctx;
    /* baselines */
    const uint8_t *file;
    size_t file_size;
    uint8_t *cbuf, *dbuf;
    size_t cbuf_cap, csize;
    struct libdeflate_compressor *ldc;
    struct libdeflate_decompressor *ldd;
    ZSTD_CCtx *zc;
    ZSTD_DCtx *zd;
    int level;
    int failed_status;
} bench_ctx;

static int run_emz_compress(void *arg)
{
    bench_ctx *c = arg;
    for (size_t i = 0; i < c->njobs; i++) {
        tensor_job *j = &c->jobs[i];
        size_t fs = 0;
        emz_status st = emz_compress(c->cctx, c->frames + j->frame_off, j->frame_cap, j->src, j->size,
                                     j->type, &fs);
        if (st != EMZ_OK) { c->failed_status = (int)st; return -1; }
        j->frame_size = fs;
    }
    return 0;
}

static int run_emz_decompress(void *arg)
{
    bench_ctx *c = arg;
    for (size_t i = 0; i < c->njobs; i++) {
        tensor_job *j = &c->jobs[i];
        size_t ds = 0;
        emz_status st = emz_decompress(c->dctx, c->out + j->out_off, j->size,
                                       c->frames + j->frame_off, j->frame_size, &ds);
        if (st != EMZ_OK) { c->failed_status = (int)st; return -1; }
        if (ds != j->size) { c->failed_status = -1; return -1; }
    }
    return 0;
}

static int run_memcpy(void *arg)
{
    bench_ctx *c = arg;
    for (size_t i = 0; i < c->njobs; i++) memcpy(c->out + c->jobs[i].out_off, c->jobs[i].src, c->jobs[i].size);
    return 0;
}

static int run_deflate_c(void *arg)
{
    bench_ctx *c = arg;
    c->csize = libdeflate_deflate_compress(c->ldc, c->file, c->file_size, c->cbuf, c->cbuf_cap);
    return c->csize ? 0 : -1;
}

static int run_deflate_d(void *arg)
{
    bench_ctx *c = arg;
    size_t actual = 0;
    enum libdeflate_result r =
        libdeflate_deflate_decompress(c->ldd, c->cbuf, c->csize, c->dbuf, c->file_size, &actual);
    return r == LIBDEFLATE_SUCCESS && actual == c->file_size ? 0 : -1;
}

static int run_zstd_c(void *arg)
{
    bench_ctx *c = arg;
    size_t r = ZSTD_compressCCtx(c->zc, c->cbuf, c->cbuf_cap, c->file, c->file_size, c->level);
    if (ZSTD_isError(r)) return -1;
    c->csize = r;
    return 0;
}

static int run_zstd_d(void *arg)
{
    bench_ctx *c = arg;
    size_t r = ZSTD_decompressDCtx(c->zd, c->dbuf, c->file_size, c->cbuf, c->csize);
    return !ZSTD_isError(r) && r == c->file_size ? 0 : -1;
}

/* ---- entropy bounds ------------------------------------------------------------------- */

typedef struct wf_hist { /* whole-file histograms of one float group */
    uint64_t exp[256];
    uint64_t sm[1u << 11];    /* sign+mantissa, M <= 11 */
    uint64_t b0[256], b1[256], b2[256]; /* FP32: mantissa bytes as entropy.py splits them */
    uint64_t *elem;           /* whole element, <= 16 bits */
    uint64_t n;
} wf_hist;

/* Optimal code lengths of at most max_len bits (package-merge) for the symbols of hist[0..k)
 * that occur; len[] is zeroed first. Needs at least two symbols and k <= 256. */
static void pm_lengths(const uint64_t *hist, unsigned k, unsigned max_len, uint8_t *len)
{
    enum { MAXL = 16, CAP = 512 };
    static uint64_t weight[MAXL + 1][CAP];
    static uint8_t leafy[MAXL + 1][CAP];
    unsigned cnt[MAXL + 1], idx[256], n = 0;
    memset(len, 0, k);
    for (unsigned s = 0; s < k; s++)
        if (hist[s]) idx[n++] = s;
    for (unsigned i = 1; i < n; i++) { /* ascending weight */
        unsigned v = idx[i], j = i;
        while (j > 0 && hist[idx[j - 1]] > hist[v]) idx[j] = idx[j - 1], j--;
        idx[j] = v;
    }
    if (n < 2 || max_len > MAXL || (1u << max_len) < n) return;
    cnt[max_len] = n;
    for (unsigned i = 0; i < n; i++) weight[max_len][i] = hist[idx[i]], leafy[max_len][i] = 1;
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
        for (unsigned i = 0; i < take && i < cnt[lv]; i++) a += leafy[lv][i];
        for (unsigned r = 0; r < a; r++) len[idx[r]]++;
        take = 2 * (take - a);
    }
}

/* Bytes of the cheapest encoding docs/FORMAT.md allows for a stream of n symbols of w bits:
 * RAW, CONSTANT, or HUFFMAN (w <= 8) with optimal 11-bit-limited code lengths, its code table,
 * lane table (1, 4 or 16 LEB128 sizes by stream length) and the exact lane sizes. syms: the symbols, one a byte (w <= 8), else NULL;
 * constant: for w > 8, whether all symbols are equal. */
static double model_stream(const uint64_t *hist, unsigned w, size_t n, const uint8_t *syms, int constant)
{
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
        for (size_t i = lo; i < hi; i++) bits += len[syms[i]];
        uint64_t size = (bits + 7) / 8;
        unsigned leb = 1;
        for (uint64_t v = size >> 7; v; v >>= 7) leb++;
        bytes += (double)(size + leb);
    }
    return bytes < raw ? bytes : raw;
}

static void add_tensor_bounds(bounds *b, wf_hist *w, const uint8_t *p, size_t size, emz_type t,
                              size_t chunk)
{
    type_desc d = describe(t);
    size_t nslots = t == EMZ_TYPE_FP4_E2M1 ? 2 * size : size / d.elem_bytes;
    /* whole file */
    for (size_t j = 0; j < nslots; j++) {
        uint32_t u = load_elem(p, t, j), e, s;
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
    size_t slots_max = t == EMZ_TYPE_FP4_E2M1 ? 2 * chunk : chunk;
    uint8_t *se = xmalloc(slots_max), *ss = xmalloc(slots_max);
    b->model_bytes += 36; /* frame header, index checksum */
    for (size_t off = 0; off < size; off += chunk) {
        size_t len = size - off < chunk ? size - off : chunk;
        const uint8_t *c = p + off;
        size_t m = t == EMZ_TYPE_FP4_E2M1 ? 2 * len : len / d.elem_bytes;
        size_t tail = t == EMZ_TYPE_FP4_E2M1 ? 0 : len % d.elem_bytes;
        memset(he, 0, sizeof he);
        memset(hs, 0, sizeof hs);
        memset(hb, 0, sizeof hb);
        int sm_const = 1;
        uint32_t s0 = 0;
        for (size_t j = 0; j < m; j++) {
            uint32_t u = load_elem(c, t, j), e, s;
            split_elem(u, d, &e, &s);
            he[e]++;
            se[j] = (uint8_t)e;
            if (d.M <= 8) hs[s]++, ss[j] = (uint8_t)s;
            if (j == 0) s0 = s;
            else if (s != s0) sm_const = 0;
        }
        if (d.whole_ok)
            for (size_t j = 0; j < len; j++) hb[c[j]]++;
        double eh = entropy_bits(he, 256, m);
        double raw = (double)m * d.M + 8.0 * (double)tail;
        double smh = d.M <= 8 ? entropy_bits(hs, 256, m) + 8.0 * (double)tail : raw;
        b->ck_exp_raw_bits += eh + raw;
        b->ck_exp_sm_bits += eh + smh;
        double best = eh + smh;
        if (d.whole_ok) {
            double bh = entropy_bits(hb, 256, len);
            b->ck_byte_bits += bh;
            if (bh < best) best = bh;
        }
        b->ck_best_bits += best;
        /* the format model: index entry + layout byte + the cheaper allowed layout */
        double split = model_stream(he, d.E, m, se, 0) +
                       model_stream(d.M <= 8 ? hs : NULL, d.M, m, d.M <= 8 ? ss : NULL, sm_const) +
                       (double)tail;
        if (d.whole_ok) {
            double whole = model_stream(hb, 8, len, c, 0);
            if (whole < split) split = whole;
        }
        b->model_bytes += 8 + 1 + split;
    }
    free(se);
    free(ss);
}

static void finish_bounds(bounds *b, wf_hist *w, emz_type t)
{
    type_desc d = describe(t);
    if (w->n == 0) return;
    double n = (double)w->n;
    b->wf_exp_h = entropy_bits(w->exp, 256, w->n) / n;
    if (t == EMZ_TYPE_FP32)
        b->wf_sm_h = (entropy_bits(w->b0, 256, w->n) + entropy_bits(w->b1, 256, w->n) +
                      entropy_bits(w->b2, 256, w->n)) / n;
    else
        b->wf_sm_h = entropy_bits(w->sm, (size_t)1 << d.M, w->n) / n;
    b->wf_split_bits = (b->wf_exp_h + b->wf_sm_h) * n;
    b->wf_elem_bits = w->elem ? entropy_bits(w->elem, (size_t)1 << (d.E + d.M), w->n) : -1;
    if (!d.whole_ok) b->ck_byte_bits = -1;
    b->valid = 1;
}

/* ---- emzip-stream ---------------------------------------------------------------------- */

/* Bounds of one buffer cut into chunks as ONE frame cuts it (the emzip-stream layout): chunks
 * now straddle tensor boundaries. The whole-file histograms come along but equal the group's
 * own (a); the per-chunk figures and the format model are what differ. */
static int buffer_bounds(bounds *b, const uint8_t *p, size_t size, emz_type t, size_t chunk)
{
    wf_hist *w = calloc(1, sizeof *w);
    if (!w) return -1;
    add_tensor_bounds(b, w, p, size, t, chunk);
    finish_bounds(b, w, t);
    free(w);
    return 0;
}

/* Builds one buffer per emz type, compresses each as one frame with the (reused) contexts in
 * ss, checks the round trips and fills the stream figures of fr. Returns -1 with fr->error set
 * when the measurement can't run; a failed round trip only clears fr->ok. */
static int stream_setup(stream_set *ss, const st_file *sf, const tensor_job *jobs, size_t chunk,
                        const char *path, file_result *fr)
{
    emz_type *types = xmalloc(sizeof *types * (sf->count ? sf->count : 1));
    for (size_t i = 0; i < sf->count; i++) types[i] = jobs[i].type;
    int r = stream_build(ss, sf, types, fr->error, sizeof fr->error);
    free(types);
    if (r) return -1;
    if (stream_compress_all(ss)) {
        snprintf(fr->error, sizeof fr->error, "emz_compress failed (emzip-stream): %s",
                 emz_error_name((emz_status)ss->failed_status));
        return -1;
    }
    if (stream_check(ss, chunk, path)) fr->ok = 0;
    fr->stream_frames_total = stream_frame_total(ss);
    fr->nstreams = ss->n;
    for (int k = 0; k < ss->n; k++) {
        stream_group *sg = &ss->g[k];
        fr->streams[k] = (stream_summary){sg->type, sg->tensors, sg->size, sg->frame_size};
        for (int g = 0; g < fr->ngroups; g++) {
            group *gr = &fr->groups[g];
            if (gr->type != sg->type || gr->type == EMZ_TYPE_BYTES) continue;
            gr->has_stream = 1;
            gr->stream_frame_bytes = sg->frame_size;
            gr->stream_frame_fixed = stream_frame_fixed(sg, chunk);
            if (buffer_bounds(&gr->sb, sg->src, sg->size, sg->type, chunk)) {
                snprintf(fr->error, sizeof fr->error, "out of memory");
                return -1;
            }
        }
    }
    return 0;
}

/* ---- one file ------------------------------------------------------------------------ */

static void add_row(file_result *fr, const char *codec, const char *level, double ratio, timing ct,
                    timing dt, uint64_t bytes)
{
    if (fr->nrows >= MAX_ROWS) return;
    result_row *r = &fr->rows[fr->nrows++];
    r->codec = codec;
    snprintf(r->level, sizeof r->level, "%s", level);
    r->ratio_pct = ratio;
    r->comp_gbps = gbps(bytes, ct), r->decomp_gbps = gbps(bytes, dt);
    r->comp_best_gbps = best_gbps(bytes, ct), r->decomp_best_gbps = best_gbps(bytes, dt);
    r->comp_runs = ct.runs, r->decomp_runs = dt.runs, r->bytes = bytes;
}

static int bench_file(const char *path, int reps, size_t chunk, int baselines, file_result *fr)
{
    memset(fr, 0, sizeof *fr);
    fr->path = path;
    fr->dominant = -1;
    size_t fsize = 0;
    uint8_t *buf = read_file(path, &fsize);
    if (!buf) {
        snprintf(fr->error, sizeof fr->error, "cannot read: %s", strerror(errno));
        return -1;
    }
    fr->file_size = fsize;
    st_file sf;
    char err[200];
    if (st_scan(buf, fsize, &sf, err, sizeof err)) {
        snprintf(fr->error, sizeof fr->error, "not a safetensors file: %s", err);
        free(buf);
        return -1;
    }
    fr->header_raw = 8 + sf.header_len;
    fr->tensor_count = sf.count;

    /* the header as checkpoint mode would store it: 8 + zstd -19 of the JSON */
    {
        size_t cap = ZSTD_compressBound(sf.header_len);
        void *hb = xmalloc(cap);
        size_t r = ZSTD_compress(hb, cap, sf.header, sf.header_len, 19);
        fr->header_stored = 8 + (ZSTD_isError(r) ? sf.header_len : r);
        free(hb);
    }

    bench_ctx c;
    memset(&c, 0, sizeof c);
    stream_set ss;
    memset(&ss, 0, sizeof ss);
    c.njobs = sf.count;
    c.jobs = xmalloc(sizeof(tensor_job) * (sf.count ? sf.count : 1));
    size_t fcap = 0, ocap = 0;
    for (size_t i = 0; i < sf.count; i++) {
        const st_tensor *t = &sf.tensors[i];
        tensor_job *j = &c.jobs[i];
        const char *label;
        j->type = map_dtype(t, &label);
        j->src = sf.data + t->begin;
        j->size = (size_t)(t->end - t->begin);
        if (!t->shape_ok)
            fprintf(stderr, "emzip-bench: %s: tensor '%s': shape does not match %zu bytes of %s\n",
                    path, t->name, j->size, t->dtype);
        int g;
        for (g = 0; g < fr->ngroups; g++)
            if (strcmp(fr->groups[g].label, label) == 0 && fr->groups[g].type == j->type) break;
        if (g == fr->ngroups) {
            if (g == MAX_GROUPS) {
                snprintf(fr->error, sizeof fr->error, "more than %d dtypes", MAX_GROUPS);
                goto fail;
            }
            fr->ngroups++;
            snprintf(fr->groups[g].label, sizeof fr->groups[g].label, "%s", label);
            fr->groups[g].type = j->type;
        }
        j->group = g;
        fr->groups[g].tensors++;
        fr->groups[g].bytes += j->size;
        fr->tensor_bytes += j->size;
        j->frame_cap = emz_compress_bound(j->size);
        if (!j->frame_cap) { snprintf(fr->error, sizeof fr->error, "compress bound overflow"); goto fail; }
        j->frame_off = fcap;
        fcap += j->frame_cap;
        j->out_off = ocap;
        ocap += j->size;
    }
    /* dominant dtype: the float group with the most bytes, else the biggest group */
    for (int g = 0; g < fr->ngroups; g++) {
        int fl = fr->groups[g].type != EMZ_TYPE_BYTES;
        int dfl = fr->dominant >= 0 && fr->groups[fr->dominant].type != EMZ_TYPE_BYTES;
        if (fr->dominant < 0 || (fl && !dfl) ||
            (fl == dfl && fr->groups[g].bytes > fr->groups[fr->dominant].bytes))
            fr->dominant = g;
    }

    c.frames = xmalloc(fcap);
    c.out = xmalloc(ocap);
    c.cctx = emz_cctx_create();
    c.dctx = emz_dctx_create();
    if (!c.cctx || !c.dctx) { snprintf(fr->error, sizeof fr->error, "cannot create emzip contexts"); goto fail; }
    emz_status st = emz_cctx_set_param(c.cctx, EMZ_PARAM_CHUNK_SIZE, (int64_t)chunk);
    if (st != EMZ_OK) {
        snprintf(fr->error, sizeof fr->error, "chunk size %zu: %s", chunk, emz_error_message(st));
        goto fail;
    }

    /* -- emzip: compress once, check every frame, then time -- */
    fr->ok = 1;
    if (run_emz_compress(&c)) {
        snprintf(fr->error, sizeof fr->error, "emz_compress failed: %s",
                 emz_error_name((emz_status)c.failed_status));
        fr->ok = 0;
        goto fail;
    }
    for (size_t i = 0; i < c.njobs; i++) {
        tensor_job *j = &c.jobs[i];
        emz_frame_info fi;
        size_t ds = 0;
        st = emz_frame_info_get(c.frames + j->frame_off, j->frame_size, &fi);
        if (st != EMZ_OK || fi.type != j->type || fi.original_size != j->size ||
            (j->size && fi.chunk_size != chunk)) {
            fprintf(stderr, "emzip-bench: %s: tensor '%s': bad frame header (%s)\n", path,
                    sf.tensors[i].name, emz_error_name(st));
            fr->ok = 0;
        }
        for (int verify = 1; verify >= 0; verify--) {
            emz_dctx_set_param(c.dctx, EMZ_PARAM_VERIFY_CHECKSUM, verify);
            memset(c.out + j->out_off, 0xA5, j->size);
            st = emz_decompress(c.dctx, c.out + j->out_off, j->size, c.frames + j->frame_off,
                                j->frame_size, &ds);
            if (st != EMZ_OK || ds != j->size || memcmp(c.out + j->out_off, j->src, j->size) != 0) {
                fprintf(stderr, "emzip-bench: %s: tensor '%s' (%s, %zu bytes): round trip FAILED "
                        "(verify=%d, %s)\n", path, sf.tensors[i].name, sf.tensors[i].dtype, j->size,
                        verify, emz_error_name(st));
                fr->ok = 0;
            }
        }
        fr->groups[j->group].frame_bytes += j->frame_size;
        fr->groups[j->group].frame_fixed += 36 + 8 * ((j->size + chunk - 1) / chunk);
        fr->frames_total += j->frame_size;
    }

    /* -- bounds of every float group -- */
    for (int g = 0; g < fr->ngroups; g++) {
        group *gr = &fr->groups[g];
        if (gr->type == EMZ_TYPE_BYTES) continue;
        type_desc d = describe(gr->type);
        wf_hist *w = calloc(1, sizeof *w);
        if (!w) { snprintf(fr->error, sizeof fr->error, "out of memory"); goto fail; }
        if (d.E + d.M <= 16) w->elem = calloc((size_t)1 << (d.E + d.M), sizeof(uint64_t));
        for (size_t i = 0; i < c.njobs; i++)
            if (c.jobs[i].group == g)
                add_tensor_bounds(&gr->b, w, c.jobs[i].src, c.jobs[i].size, c.jobs[i].type, chunk);
        finish_bounds(&gr->b, w, gr->type);
        free(w->elem);
        free(w);
    }

    /* -- emzip-stream: one frame per emz type, the same contexts -- */
    ss.cctx = c.cctx, ss.dctx = c.dctx;
    if (stream_setup(&ss, &sf, c.jobs, chunk, path, fr)) goto fail;

    /* -- speeds -- */
    double ours_ratio = 100.0 * (double)(fr->frames_total + fr->header_stored) / (double)fsize;
    timing tc = measure(run_emz_compress, &c, reps);
    emz_dctx_set_param(c.dctx, EMZ_PARAM_VERIFY_CHECKSUM, 1);
    memset(c.out, 0, ocap);
    timing td1 = measure(run_emz_decompress, &c, reps);
    int bad_after = 0;
    for (size_t i = 0; i < c.njobs; i++)
        if (memcmp(c.out + c.jobs[i].out_off, c.jobs[i].src, c.jobs[i].size)) bad_after = 1;
    emz_dctx_set_param(c.dctx, EMZ_PARAM_VERIFY_CHECKSUM, 0);
    memset(c.out, 0, ocap);
    timing td0 = measure(run_emz_decompress, &c, reps);
    for (size_t i = 0; i < c.njobs; i++)
        if (memcmp(c.out + c.jobs[i].out_off, c.jobs[i].src, c.jobs[i].size)) bad_after = 1;
    if (!tc.ok || !td1.ok || !td0.ok || bad_after) {
        fprintf(stderr, "emzip-bench: %s: emzip failed during timing (%s)\n", path,
                emz_error_name((emz_status)c.failed_status));
        fr->ok = 0;
    }
    add_row(fr, "emzip", "verify", ours_ratio, tc, td1, fr->tensor_bytes);
    add_row(fr, "emzip", "noverify", ours_ratio, tc, td0, fr->tensor_bytes);
    /* emzip-stream decompresses with checksums verified, the library's default */
    double stream_ratio = 100.0 * (double)(fr->stream_frames_total + fr->header_stored) / (double)fsize;
    timing sc = measure(stream_compress_all, &ss, reps);
    emz_dctx_set_param(c.dctx, EMZ_PARAM_VERIFY_CHECKSUM, 1);
    for (int k = 0; k < ss.n; k++) memset(ss.g[k].out, 0, ss.g[k].size);
    timing sd = measure(stream_decompress_all, &ss, reps);
    if (!sc.ok || !sd.ok || !stream_outputs_match(&ss)) {
        fprintf(stderr, "emzip-bench: %s: emzip-stream failed during timing (%s)\n", path,
                emz_error_name((emz_status)ss.failed_status));
        fr->ok = 0;
    }
    add_row(fr, "emzip-stream", "verify", stream_ratio, sc, sd, fr->tensor_bytes);
    timing tm = measure(run_memcpy, &c, reps);
    add_row(fr, "memcpy", "-", 100.0, tm, tm, fr->tensor_bytes);

    /* -- baselines on the whole file, one shot -- */
    if (!baselines) goto done;
    c.file = buf;
    c.file_size = fsize;
    c.ldd = libdeflate_alloc_decompressor();
    c.zc = ZSTD_createCCtx();
    c.zd = ZSTD_createDCtx();
    c.dbuf = xmalloc(fsize);
    {
        size_t zb = ZSTD_compressBound(fsize);
        c.cbuf_cap = zb > fsize + fsize / 8 + 65536 ? zb : fsize + fsize / 8 + 65536;
        c.cbuf = xmalloc(c.cbuf_cap);
    }
    if (!c.ldd || !c.zc || !c.zd) { snprintf(fr->error, sizeof fr->error, "baseline init failed"); goto fail; }
    static const int dl[] = {1, 6, 12}, zl[] = {1, 3, 19};
    for (int k = 0; k < 3; k++) {
        char lv[16];
        c.ldc = libdeflate_alloc_compressor(dl[k]);
        if (!c.ldc) { snprintf(fr->error, sizeof fr->error, "libdeflate init failed"); goto fail; }
        timing a = measure(run_deflate_c, &c, reps);
        memset(c.dbuf, 0, fsize);
        timing b = measure(run_deflate_d, &c, reps);
        if (!a.ok || !b.ok || memcmp(c.dbuf, buf, fsize)) {
            fprintf(stderr, "emzip-bench: %s: libdeflate %d round trip FAILED\n", path, dl[k]);
            fr->ok = 0;
        }
        snprintf(lv, sizeof lv, "%d", dl[k]);
        add_row(fr, "libdeflate", lv, 100.0 * (double)c.csize / (double)fsize, a, b, fsize);
        libdeflate_free_compressor(c.ldc);
        c.ldc = NULL;
    }
    for (int k = 0; k < 3; k++) {
        char lv[16];
        c.level = zl[k];
        timing a = measure(run_zstd_c, &c, reps);
        memset(c.dbuf, 0, fsize);
        timing b = measure(run_zstd_d, &c, reps);
        if (!a.ok || !b.ok || memcmp(c.dbuf, buf, fsize)) {
            fprintf(stderr, "emzip-bench: %s: zstd %d round trip FAILED\n", path, zl[k]);
            fr->ok = 0;
        }
        snprintf(lv, sizeof lv, "%d", zl[k]);
        add_row(fr, "zstd", lv, 100.0 * (double)c.csize / (double)fsize, a, b, fsize);
    }

done:;
    int rc = fr->ok ? 0 : -1;
    if (0) {
fail:
        fr->ok = 0;
        rc = -1;
    }
    libdeflate_free_compressor(c.ldc);
    libdeflate_free_decompressor(c.ldd);
    ZSTD_freeCCtx(c.zc);
    ZSTD_freeDCtx(c.zd);
    stream_free(&ss);
    emz_cctx_free(c.cctx);
    emz_dctx_free(c.dctx);
    free(c.cbuf);
    free(c.dbuf);
    free(c.frames);
    free(c.out);
    free(c.jobs);
    st_free(&sf);
    free(buf);
    return rc;
}

/* ---- output ---------------------------------------------------------------------------- */

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

static double pct(double bits, uint64_t bytes) { return bytes ? 100.0 * bits / (8.0 * (double)bytes) : 0; }

static void json_string(FILE *o, const char *s)
{
    fputc('"', o);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\') fprintf(o, "\\%c", ch);
        else if (ch < 0x20) fprintf(o, "\\u%04x", ch);
        else fputc(ch, o);
    }
    fputc('"', o);
}

static void json_num(FILE *o, double v)
{
    if (isfinite(v)) fprintf(o, "%.6g", v);
    else fputs("null", o);
}

/* The emzip-stream figures of a float group (its one frame and the bounds of that layout). */
static void json_stream_fields(FILE *o, const group *gr)
{
    const bounds *sb = &gr->sb;
    double st = 100.0 * (double)gr->stream_frame_bytes / (double)gr->bytes;
    double bound = pct(sb->ck_exp_raw_bits, gr->bytes), model = 100.0 * sb->model_bytes / (double)gr->bytes;
    fprintf(o, ",\n         \"stream_frame_bytes\": %llu, \"stream_frame_fixed_bytes\": %llu, "
            "\"stream_ratio_pct\": ", (unsigned long long)gr->stream_frame_bytes,
            (unsigned long long)gr->stream_frame_fixed);
    json_num(o, st);
    fprintf(o, ", \"stream_payload_ratio_pct\": ");
    json_num(o, 100.0 * ((double)gr->stream_frame_bytes - (double)gr->stream_frame_fixed) / (double)gr->bytes);
    fprintf(o, ",\n         \"stream_chunk_exp_rawM_pct\": ");
    json_num(o, bound);
    fprintf(o, ", \"stream_minus_chunk_exp_rawM_pts\": ");
    json_num(o, st - bound);
    fprintf(o, ", \"stream_minus_wholefile_split_pts\": ");
    json_num(o, st - pct(gr->b.wf_split_bits, gr->bytes));
    fprintf(o, ", \"stream_minus_ours_pts\": ");
    json_num(o, st - 100.0 * (double)gr->frame_bytes / (double)gr->bytes);
    fprintf(o, ",\n         \"stream_chunk_best_pct\": ");
    json_num(o, pct(sb->ck_best_bits, gr->bytes));
    fprintf(o, ", \"stream_format_model_bytes\": %.0f, \"stream_format_model_pct\": ", sb->model_bytes);
    json_num(o, model);
    fprintf(o, ", \"stream_minus_format_model_pts\": ");
    json_num(o, st - model);
}

static void print_json(FILE *o, file_result *fr, int n, size_t chunk, int reps, int all_ok)
{
    fprintf(o, "{\n  \"emzip_version\": \"%s\",\n  \"chunk_size\": %zu,\n  \"reps\": %d,\n", emz_version_string(),
            chunk, reps);
    fprintf(o, "  \"header_accounting\": \"8 + zstd -19 size of the JSON header\",\n");
    fprintf(o, "  \"speed_unit\": \"1e9 bytes of uncompressed data per second, single thread, median\",\n");
    fprintf(o, "  \"all_roundtrips_ok\": %s,\n  \"files\": [\n", all_ok ? "true" : "false");
    for (int i = 0; i < n; i++) {
        file_result *f = &fr[i];
        fprintf(o, "    {\n      \"file\": ");
        json_string(o, f->path);
        fprintf(o, ",\n      \"name\": ");
        json_string(o, base_name(f->path));
        fprintf(o, ",\n      \"ok\": %s,\n", f->ok ? "true" : "false");
        if (f->error[0]) {
            fprintf(o, "      \"error\": ");
            json_string(o, f->error);
            fprintf(o, ",\n");
        }
        fprintf(o, "      \"file_size\": %llu, \"tensor_count\": %zu, \"tensor_bytes\": %llu,\n",
                (unsigned long long)f->file_size, f->tensor_count, (unsigned long long)f->tensor_bytes);
        fprintf(o, "      \"header_raw_bytes\": %llu, \"header_stored_bytes\": %llu, \"frame_bytes\": %llu,\n",
                (unsigned long long)f->header_raw, (unsigned long long)f->header_stored,
                (unsigned long long)f->frames_total);
        fprintf(o, "      \"stream_frame_bytes\": %llu, \"streams\": [",
                (unsigned long long)f->stream_frames_total);
        for (int k = 0; k < f->nstreams; k++) {
            stream_summary *sm = &f->streams[k];
            fprintf(o, "%s{\"emz_type\": \"%s\", \"tensors\": %zu, \"bytes\": %llu, \"frame_bytes\": %llu, "
                    "\"ratio_pct\": ", k ? ", " : "", emz_type_name(sm->type), sm->tensors,
                    (unsigned long long)sm->bytes, (unsigned long long)sm->frame_bytes);
            json_num(o, sm->bytes ? 100.0 * (double)sm->frame_bytes / (double)sm->bytes : 0);
            fputc('}', o);
        }
        fprintf(o, "],\n");
        fprintf(o, "      \"dominant_dtype\": ");
        json_string(o, f->dominant >= 0 ? f->groups[f->dominant].label : "");
        fprintf(o, ",\n      \"dtypes\": [\n");
        for (int g = 0; g < f->ngroups; g++) {
            group *gr = &f->groups[g];
            bounds *b = &gr->b;
            double ours = gr->bytes ? 100.0 * (double)gr->frame_bytes / (double)gr->bytes : 0;
            fprintf(o, "        {\"dtype\": ");
            json_string(o, gr->label);
            fprintf(o, ", \"emz_type\": \"%s\", \"tensors\": %zu, \"bytes\": %llu, \"frame_bytes\": %llu, "
                    "\"frame_fixed_bytes\": %llu, \"ratio_pct\": ", emz_type_name(gr->type), gr->tensors,
                    (unsigned long long)gr->bytes, (unsigned long long)gr->frame_bytes,
                    (unsigned long long)gr->frame_fixed);
            json_num(o, ours);
            fprintf(o, ", \"payload_ratio_pct\": ");
            json_num(o, gr->bytes ? 100.0 * ((double)gr->frame_bytes - (double)gr->frame_fixed) / (double)gr->bytes : 0);
            if (b->valid) {
                fprintf(o, ",\n         \"elements\": %llu, \"wholefile_exp_H\": ", (unsigned long long)b->elements);
                json_num(o, b->wf_exp_h);
                fprintf(o, ", \"wholefile_signmant_H\": ");
                json_num(o, b->wf_sm_h);
                fprintf(o, ", \"wholefile_split_pct\": ");
                json_num(o, pct(b->wf_split_bits, gr->bytes));
                fprintf(o, ", \"wholefile_element_pct\": ");
                if (b->wf_elem_bits >= 0) json_num(o, pct(b->wf_elem_bits, gr->bytes));
                else fputs("null", o);
                fprintf(o, ",\n         \"chunk_exp_rawM_pct\": ");
                json_num(o, pct(b->ck_exp_raw_bits, gr->bytes));
                fprintf(o, ", \"chunk_exp_signmant_pct\": ");
                json_num(o, pct(b->ck_exp_sm_bits, gr->bytes));
                fprintf(o, ", \"chunk_byte_pct\": ");
                if (b->ck_byte_bits >= 0) json_num(o, pct(b->ck_byte_bits, gr->bytes));
                else fputs("null", o);
                fprintf(o, ", \"chunk_best_pct\": ");
                json_num(o, pct(b->ck_best_bits, gr->bytes));
                fprintf(o, ", \"format_model_bytes\": %.0f, \"format_model_pct\": ", b->model_bytes);
                json_num(o, 100.0 * b->model_bytes / (double)gr->bytes);
                fprintf(o, ", \"ours_minus_format_model_pts\": ");
                json_num(o, ours - 100.0 * b->model_bytes / (double)gr->bytes);
                fprintf(o, ",\n         \"ours_minus_chunk_exp_rawM_pts\": ");
                json_num(o, ours - pct(b->ck_exp_raw_bits, gr->bytes));
                fprintf(o, ", \"ours_minus_chunk_best_pts\": ");
                json_num(o, ours - pct(b->ck_best_bits, gr->bytes));
                fprintf(o, ", \"ours_minus_wholefile_split_pts\": ");
                json_num(o, ours - pct(b->wf_split_bits, gr->bytes));
            }
            if (b->valid && gr->has_stream) json_stream_fields(o, gr);
            fprintf(o, "}%s\n", g + 1 < f->ngroups ? "," : "");
        }
        fprintf(o, "      ],\n      \"results\": [\n");
        for (int r = 0; r < f->nrows; r++) {
            result_row *x = &f->rows[r];
            fprintf(o, "        {\"codec\": \"%s\", \"level\": \"%s\", \"ratio_pct\": ", x->codec, x->level);
            json_num(o, x->ratio_pct);
            fprintf(o, ", \"comp_gbps\": ");
            json_num(o, x->comp_gbps);
            fprintf(o, ", \"decomp_gbps\": ");
            json_num(o, x->decomp_gbps);
            fprintf(o, ", \"comp_best_gbps\": ");
            json_num(o, x->comp_best_gbps);
            fprintf(o, ", \"decomp_best_gbps\": ");
            json_num(o, x->decomp_best_gbps);
            fprintf(o, ", \"comp_runs\": %d, \"decomp_runs\": %d, \"bytes\": %llu}%s\n", x->comp_runs,
                    x->decomp_runs, (unsigned long long)x->bytes, r + 1 < f->nrows ? "," : "");
        }
        fprintf(o, "      ]\n    }%s\n", i + 1 < n ? "," : "");
    }
    fprintf(o, "  ]\n}\n");
}

static void print_markdown(FILE *o, file_result *fr, int n, size_t chunk, int reps, int all_ok)
{
    fprintf(o, "# emzip-bench (emzip %s, chunk %zu bytes, median of up to %d runs, single thread)\n\n",
            emz_version_string(), chunk, reps);
    fprintf(o, "emzip: each tensor compressed as its own frame; its ratio counts all frames plus the "
               "safetensors header stored as 8 + zstd -19 of the JSON, over the file size. "
               "emzip-stream: the tensors of each emzip type concatenated in data-offset order and "
               "compressed as one frame per type (decompression verifies checksums); ratio counted "
               "the same way. "
               "libdeflate (raw DEFLATE) and zstd compress the whole file in one shot. "
               "GB/s = 1e9 bytes of uncompressed data (tensor bytes for emzip, emzip-stream and memcpy, file bytes "
               "for the baselines) per second. Round trips: %s.\n\n",
            all_ok ? "all byte-identical" : "**SOME FAILED (see stderr)**");

    fprintf(o, "## Ratio and speed\n\n| file | codec | level | ratio %% | comp GB/s | decomp GB/s |\n"
               "|---|---|---|---:|---:|---:|\n");
    for (int i = 0; i < n; i++) {
        file_result *f = &fr[i];
        if (f->error[0] && !f->nrows) {
            fprintf(o, "| %s | ERROR: %s | | | | |\n", base_name(f->path), f->error);
            continue;
        }
        for (int r = 0; r < f->nrows; r++) {
            result_row *x = &f->rows[r];
            fprintf(o, "| %s | %s | %s | %.2f | %.3f | %.3f |\n", base_name(f->path), x->codec, x->level,
                    x->ratio_pct, x->comp_gbps, x->decomp_gbps);
        }
    }

    fprintf(o, "\n## Ratio against entropy bounds (%% of the tensor bytes of each float dtype)\n\n"
               "(a) = whole-file order-0 exponent H + sign+mantissa H (as corpus entropy.py); "
               "(b) = per chunk: exponent order-0 H + M raw sign+mantissa bits; "
               "chunk exp+sm H = per chunk exponent H + sign+mantissa H (H only when M <= 8); "
               "chunk byte H = per chunk whole-byte order-0 H (FP8/FP4); best = per chunk the "
               "smaller of the layouts the format allows. payload = emzip without the fixed 36 + 8 × chunks "
               "bytes of each frame (header, index). model = the smallest frames the format allows with "
               "optimal 11-bit-limited Huffman codes per stream (cheapest of RAW / CONSTANT / HUFFMAN per "
               "stream, of SPLIT / WHOLE per chunk, all table, lane and index bytes counted). "
               "stream = emzip-stream, the dtype's tensors concatenated in data-offset order as one "
               "frame; stream bound = (b) for that layout (the concatenated buffer cut into chunks of "
               "the chunk size, so chunks straddle tensors). * = dominant dtype.\n\n"
               "| file | dtype | tensors | bytes | emzip %% | payload %% | (a) whole-file split H %% | "
               "whole-file element H %% | (b) chunk expH + raw M %% | emzip − (b) pts | "
               "chunk exp+sm H %% | chunk byte H %% | chunk best %% | emzip − best pts | model %% | emzip − model pts | "
               "stream %% | stream bound %% | stream − bound pts | stream − (a) pts |\n"
               "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < n; i++) {
        file_result *f = &fr[i];
        for (int g = 0; g < f->ngroups; g++) {
            group *gr = &f->groups[g];
            bounds *b = &gr->b;
            if (!b->valid) continue;
            double ours = 100.0 * (double)gr->frame_bytes / (double)gr->bytes;
            char eh[32] = "–", bh[32] = "–";
            if (b->wf_elem_bits >= 0) snprintf(eh, sizeof eh, "%.2f", pct(b->wf_elem_bits, gr->bytes));
            if (b->ck_byte_bits >= 0) snprintf(bh, sizeof bh, "%.2f", pct(b->ck_byte_bits, gr->bytes));
            double pay = 100.0 * ((double)gr->frame_bytes - (double)gr->frame_fixed) / (double)gr->bytes;
            fprintf(o, "| %s | %s%s | %zu | %llu | %.2f | %.2f | %.2f | %s | %.2f | %+.2f | %.2f | %s | %.2f | %+.2f | %.2f | %+.2f | ",
                    base_name(f->path), gr->label, g == f->dominant ? "*" : "", gr->tensors,
                    (unsigned long long)gr->bytes, ours, pay, pct(b->wf_split_bits, gr->bytes), eh,
                    pct(b->ck_exp_raw_bits, gr->bytes), ours - pct(b->ck_exp_raw_bits, gr->bytes),
                    pct(b->ck_exp_sm_bits, gr->bytes), bh, pct(b->ck_best_bits, gr->bytes),
                    ours - pct(b->ck_best_bits, gr->bytes), 100.0 * b->model_bytes / (double)gr->bytes,
                    ours - 100.0 * b->model_bytes / (double)gr->bytes);
            if (gr->has_stream) {
                double st = 100.0 * (double)gr->stream_frame_bytes / (double)gr->bytes;
                double bound = pct(gr->sb.ck_exp_raw_bits, gr->bytes);
                fprintf(o, "%.2f | %.2f | %+.2f | %+.2f |\n", st, bound, st - bound,
                        st - pct(b->wf_split_bits, gr->bytes));
            } else {
                fprintf(o, "– | – | – | – |\n");
            }
        }
    }

    fprintf(o, "\n## Per-dtype emzip ratio and header\n\n| file | file bytes | header raw | header stored "
               "(8 + zstd -19) | dtype: tensors, emzip %% of its bytes | emzip-stream: emz type, tensors, %% of its bytes |\n"
               "|---|---:|---:|---:|---|---|\n");
    for (int i = 0; i < n; i++) {
        file_result *f = &fr[i];
        fprintf(o, "| %s | %llu | %llu | %llu | ", base_name(f->path), (unsigned long long)f->file_size,
                (unsigned long long)f->header_raw, (unsigned long long)f->header_stored);
        for (int g = 0; g < f->ngroups; g++) {
            group *gr = &f->groups[g];
            fprintf(o, "%s%s%s: %zu, %.2f%%", g ? "; " : "", gr->label, g == f->dominant ? "*" : "",
                    gr->tensors, gr->bytes ? 100.0 * (double)gr->frame_bytes / (double)gr->bytes : 0.0);
        }
        fprintf(o, " | ");
        for (int k = 0; k < f->nstreams; k++) {
            stream_summary *sm = &f->streams[k];
            fprintf(o, "%s%s: %zu, %.2f%%", k ? "; " : "", emz_type_name(sm->type), sm->tensors,
                    sm->bytes ? 100.0 * (double)sm->frame_bytes / (double)sm->bytes : 0.0);
        }
        fprintf(o, " |\n");
    }
}

/* ---- main ---------------------------------------------------------------------------- */

static void usage(FILE *o)
{
    fprintf(o, "usage: emzip-bench [--json] [--json-file F] [--no-baselines] [--reps N] [--chunk BYTES] FILE.safetensors...\n"
               "  --json         machine-readable output instead of Markdown tables\n"
               "  --json-file F  also write the JSON output to file F\n"
               "  --no-baselines skip libdeflate and zstd (emzip and memcpy only)\n"
               "  --reps N       timed repetitions per measurement, median taken (default 11)\n"
               "  --chunk BYTES  emzip chunk size, a power of two from 4096 to 16777216 (default 262144)\n");
}

static int parse_long(const char *s, long long lo, long long hi, long long *v)
{
    char *end;
    errno = 0;
    long long x = strtoll(s, &end, 0);
    if (errno || end == s || *end || x < lo || x > hi) return -1;
    *v = x;
    return 0;
}

int main(int argc, char **argv)
{
    int json = 0, baselines = 1;
    const char *json_path = NULL;
    long long reps = 11, chunk = 256 * 1024;
    int nfiles = 0;
    const char **files = xmalloc(sizeof(char *) * (size_t)(argc > 0 ? argc : 1));
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "--json") == 0) json = 1;
        else if (strcmp(a, "--reps") == 0 && i + 1 < argc) {
            if (parse_long(argv[++i], 1, 1000, &reps)) { fprintf(stderr, "emzip-bench: bad --reps\n"); return 2; }
        } else if (strcmp(a, "--chunk") == 0 && i + 1 < argc) {
            if (parse_long(argv[++i], 4096, 16 << 20, &chunk) || (chunk & (chunk - 1))) {
                fprintf(stderr, "emzip-bench: --chunk must be a power of two from 4096 to 16777216\n");
                return 2;
            }
        } else if (strcmp(a, "--no-baselines") == 0) {
            baselines = 0;
        } else if (strcmp(a, "--json-file") == 0 && i + 1 < argc) {
            json_path = argv[++i];
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (strcmp(a, "--") == 0) {
            while (++i < argc) files[nfiles++] = argv[i];
        } else if (a[0] == '-' && a[1]) {
            fprintf(stderr, "emzip-bench: unknown or incomplete option '%s'\n", a);
            usage(stderr);
            return 2;
        } else files[nfiles++] = a;
    }
    if (!nfiles) { usage(stderr); return 2; }

    file_result *fr = calloc((size_t)nfiles, sizeof *fr);
    if (!fr) return 2;
    int all_ok = 1, io_error = 0;
    for (int i = 0; i < nfiles; i++) {
        fprintf(stderr, "emzip-bench: %s ...\n", files[i]);
        if (bench_file(files[i], (int)reps, (size_t)chunk, baselines, &fr[i])) {
            all_ok = 0;
            if (fr[i].error[0]) {
                fprintf(stderr, "emzip-bench: %s: %s\n", files[i], fr[i].error);
                io_error = 1;
            }
        }
    }
    if (json_path) {
        FILE *jf = fopen(json_path, "w");
        if (!jf) {
            fprintf(stderr, "emzip-bench: cannot write %s: %s\n", json_path, strerror(errno));
            all_ok = 0, io_error = 1;
        } else {
            print_json(jf, fr, nfiles, (size_t)chunk, (int)reps, all_ok);
            if (fclose(jf)) all_ok = 0, io_error = 1;
        }
    }
    if (json) print_json(stdout, fr, nfiles, (size_t)chunk, (int)reps, all_ok);
    else print_markdown(stdout, fr, nfiles, (size_t)chunk, (int)reps, all_ok);
    free(fr);
    free(files);
    if (!all_ok) return io_error ? 2 : 1;
    return 0;
}
