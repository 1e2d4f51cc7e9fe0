/* kv_bench.c - emzip-kv-bench: pages of K/V caches coded one by one with tables trained once
 * per model (emz_tables_train, emz_block_*), against the bars of issue 14 and the codecs an
 * engine would otherwise use per page (zstd -1, lz4).
 *
 *   emzip-kv-bench [--impl NAME] [--reps N] [--batch N] [--profile compress|decompress] DIR
 *
 * DIR holds the caches bench/kv/make_kv_caches.py dumps for one dtype: prompt_*.safetensors,
 * each tensor one layer in vLLM's paged layout (2, num_blocks, block_size, heads, head_dim),
 * and "split":"train" or "test" in the metadata. Tables are trained on the train prompts; every
 * figure is measured on the test prompts. A page is one block of K or of V of one layer
 * (block_size x heads x head_dim elements); group = 2 x layer + (0: K, 1: V), layers in the
 * order of their data in the file.
 *
 * Printed (markdown): the ratio of the pages coded one by one with the trained tables, with
 * tables trained without the layout (so without channel shifts), with
 * tables of their own, as one large frame, with zstd -1 and lz4 per page, beside the order-0
 * entropy bound of emzip's split over each prompt's whole cache of a layer and K/V; speeds of
 * one call per page against one large frame of the same bytes (one thread), per-call latency
 * percentiles (beside those of memcpy of a page repeated to last about as long as a page's
 * decoding, timed alike: what the machine's own interruptions do to a call of that length),
 * and a batch of pages on 1 and 2 threads, beside controls of what the machine gives a second
 * thread. */
#include "bench_util.h"
#include "kv_pages.h"
#include "scaling_control.h"
#include "timing.h"

#include <lz4.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

typedef struct options {
    emz_impl impl;
    int reps;
    size_t batch;
    const char *profile; /* "compress" / "decompress": pages in a loop only, for perf */
    const char *dir;
} options;

static int usage(void) {
    fprintf(stderr, "usage: emzip-kv-bench [--impl NAME] [--reps N] [--batch N] [--profile "
                    "compress|decompress] DIR\n");
    return 2;
}

static int parse_args(int argc, char **argv, options *o) {
    *o = (options){EMZ_IMPL_AUTO, 9, 1024, NULL, NULL};
    for (int i = 1; i < argc; i++) {
        long long v = 0;
        if (!strcmp(argv[i], "--impl") && i + 1 < argc) {
            const char *name = argv[++i];
            int found = 0;
            for (int m = 0; m < EMZ_IMPL_COUNT; m++)
                if (!strcmp(name, emz_impl_name((emz_impl)m))) o->impl = (emz_impl)m, found = 1;
            if (!found) return usage();
        } else if (!strcmp(argv[i], "--reps") && i + 1 < argc &&
                   !parse_ll(argv[++i], 1, 1000, &v)) {
            o->reps = (int)v;
        } else if (!strcmp(argv[i], "--batch") && i + 1 < argc &&
                   !parse_ll(argv[++i], 1, 1 << 20, &v)) {
            o->batch = (size_t)v;
        } else if (!strcmp(argv[i], "--profile") && i + 1 < argc) {
            o->profile = argv[++i];
        } else if (argv[i][0] != '-' && !o->dir) {
            o->dir = argv[i];
        } else {
            return usage();
        }
    }
    return o->dir ? 0 : usage();
}

/* ---- ratios ------------------------------------------------------------------------------ */

typedef struct ratios {
    uint64_t original, tables, unshifted, own, frame, zstd, lz4;
    double bound_bits;
    uint64_t *group; /* per group: original bytes, trained tables, zstd -1 (3 each) */
} ratios;

static size_t compress_pages(emz_block_ctx *c, const kv_pages *p, uint8_t *buf, size_t cap,
                             uint8_t **blobs, size_t *sizes) {
    size_t total = 0;
    for (size_t i = 0; i < p->count; i++) {
        size_t w = 0;
        emz_status st = emz_block_compress(c, p->type, p->page[i].group, p->page[i].data,
                                           p->page_bytes, buf, cap, &w);
        if (st != EMZ_OK) {
            fprintf(stderr, "emzip-kv-bench: page %zu: %s (%s)\n", i, emz_error_name(st),
                    emz_block_ctx_error_detail(c));
            exit(1);
        }
        if (blobs) {
            blobs[i] = xmalloc(w);
            memcpy(blobs[i], buf, w);
        }
        if (sizes) sizes[i] = w;
        total += w;
    }
    return total;
}

static void measure_ratios(const kv_pages *test, emz_block_ctx *with, emz_block_ctx *unshifted,
                           emz_block_ctx *own, const uint8_t *joined, ratios *r) {
    size_t cap = emz_block_bound(test->page_bytes) + 256;
    size_t zcap = ZSTD_compressBound(test->page_bytes), lcap = LZ4_compressBound((int)cap);
    uint8_t *buf = xmalloc(cap > zcap ? (cap > lcap ? cap : lcap) : (zcap > lcap ? zcap : lcap));
    memset(r, 0, sizeof *r);
    r->original = (uint64_t)test->count * test->page_bytes;
    size_t *sizes = xmalloc(test->count * sizeof *sizes);
    r->group = xmalloc(3 * (size_t)test->groups * sizeof *r->group);
    memset(r->group, 0, 3 * (size_t)test->groups * sizeof *r->group);
    r->tables = compress_pages(with, test, buf, cap, NULL, sizes);
    r->unshifted = compress_pages(unshifted, test, buf, cap, NULL, NULL);
    r->own = compress_pages(own, test, buf, cap, NULL, NULL);
    for (size_t i = 0; i < test->count; i++) {
        size_t z = ZSTD_compress(buf, zcap, test->page[i].data, test->page_bytes, 1);
        uint64_t *g = r->group + 3 * (size_t)test->page[i].group;
        g[0] += test->page_bytes, g[1] += sizes[i], g[2] += z;
        r->zstd += z;
        r->lz4 += (uint64_t)LZ4_compress_default((const char *)test->page[i].data, (char *)buf,
                                                 (int)test->page_bytes, (int)lcap);
    }
    size_t fcap = emz_compress_bound(r->original);
    uint8_t *frame = xmalloc(fcap);
    size_t fsize = 0;
    if (emz_compress(NULL, frame, fcap, joined, r->original, test->type, &fsize) != EMZ_OK) exit(1);
    r->frame = fsize;
    r->bound_bits = kv_pages_bound_bits(test);
    free(frame), free(buf), free(sizes);
}

/* The same pages group by group (2 x layer + K/V): emzip's pages with the trained tables beside
 * zstd -1 per page, which a group's repeats from one token to the next favour
 * (bench/kv/analyze_repeats.py). */
static void print_group_ratios(const kv_pages *test, const ratios *r) {
    printf("| group | emzip blocks, trained tables | zstd -1 per page |\n|---|---|---|\n");
    for (uint32_t g = 0; g < test->groups; g++) {
        const uint64_t *s = r->group + 3 * (size_t)g;
        if (s[0])
            printf("| layer %u %c | %.4f | %.4f |\n", g / 2, g % 2 ? 'V' : 'K',
                   (double)s[1] / (double)s[0], (double)s[2] / (double)s[0]);
    }
    printf("\n");
}

static void print_ratios(const kv_pages *test, const ratios *r) {
    double o = (double)r->original, bound = r->bound_bits / 8 / o;
    printf("| coding (%zu test pages of %zu bytes) | ratio | vs bound (points) |\n", test->count,
           test->page_bytes);
    printf("|---|---|---|\n");
    printf("| order-0 bound of the split, each prompt's whole cache per layer and K/V | %.4f | |\n",
           bound);
    const struct {
        const char *name;
        uint64_t bytes;
    } rows[] = {{"emzip blocks, trained tables", r->tables},
                {"emzip blocks, trained without the layout (no channel shifts)", r->unshifted},
                {"emzip blocks, own tables", r->own},
                {"emzip one frame of all test pages", r->frame},
                {"zstd -1 per page", r->zstd},
                {"lz4 per page", r->lz4}};
    for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++)
        printf("| %s | %.4f | %+.2f |\n", rows[i].name, rows[i].bytes / o,
               100 * (rows[i].bytes / o - bound));
    printf("\n");
}

/* ---- speed ------------------------------------------------------------------------------- */

typedef struct speed_arg {
    emz_block_ctx *c;
    emz_dctx *dctx;
    emz_cctx *cctx;
    const kv_pages *p;
    uint8_t **blobs;
    size_t *sizes;
    uint8_t *out, *frame, *scratch;
    const uint8_t *joined;
    size_t frame_size, total, cap;
    emz_block_job *jobs;
    size_t jobs_count;
    int control_copies; /* the latency control: memcpy of a page this many times a call */
} speed_arg;

static int run_pages_decompress(void *v) {
    speed_arg *a = v;
    for (size_t i = 0; i < a->p->count; i++) {
        size_t w = 0;
        if (emz_block_decompress(a->c, a->blobs[i], a->sizes[i], a->out + i * a->p->page_bytes,
                                 a->p->page_bytes, &w) != EMZ_OK)
            return -1;
    }
    return 0;
}

static int run_pages_compress(void *v) {
    speed_arg *a = v;
    for (size_t i = 0; i < a->p->count; i++) {
        size_t w = 0;
        if (emz_block_compress(a->c, a->p->type, a->p->page[i].group, a->p->page[i].data,
                               a->p->page_bytes, a->scratch, a->cap, &w) != EMZ_OK)
            return -1;
    }
    return 0;
}

static int run_frame_decompress(void *v) {
    speed_arg *a = v;
    size_t w = 0;
    return emz_decompress(a->dctx, a->out, a->total, a->frame, a->frame_size, &w) == EMZ_OK ? 0
                                                                                            : -1;
}

static int run_frame_compress(void *v) {
    speed_arg *a = v;
    size_t w = 0;
    return emz_compress(a->cctx, a->scratch, a->cap, a->joined, a->total, a->p->type, &w) == EMZ_OK
               ? 0
               : -1;
}

static int run_memcpy(void *v) {
    speed_arg *a = v;
    for (size_t i = 0; i < a->p->count; i++)
        memcpy(a->out + i * a->p->page_bytes, a->p->page[i].data, a->p->page_bytes);
    return 0;
}

static int run_batch(void *v) {
    speed_arg *a = v;
    return emz_block_decompress_batch(a->c, a->jobs, a->jobs_count) == EMZ_OK ? 0 : -1;
}

/* Per-call latency of every page, reps times: percentiles of all calls, in microseconds, and
 * (best, may be NULL) of each page's fastest call: the pages' own spread, without what
 * interrupts and cache evictions add to some calls. compress: 0 decompress, 1 compress, 2 the
 * control (memcpy of a->control_copies pages). */
static void latency(speed_arg *a, int reps, int compress, double *p50, double *p99,
                    double best[2]) {
    size_t n = a->p->count * (size_t)reps, k = 0;
    double *t = xmalloc(n * sizeof *t);
    for (int r = 0; r < reps; r++)
        for (size_t i = 0; i < a->p->count; i++) {
            size_t w = 0;
            double t0 = now_seconds();
            if (compress == 2)
                for (int k = 0; k < a->control_copies; k++) /* other pages: not in cache */
                    memcpy(a->out + i * a->p->page_bytes,
                           a->p->page[(i + (size_t)k * 97) % a->p->count].data, a->p->page_bytes);
            else if (compress)
                emz_block_compress(a->c, a->p->type, a->p->page[i].group, a->p->page[i].data,
                                   a->p->page_bytes, a->scratch, a->cap, &w);
            else
                emz_block_decompress(a->c, a->blobs[i], a->sizes[i], a->out + i * a->p->page_bytes,
                                     a->p->page_bytes, &w);
            t[k++] = (now_seconds() - t0) * 1e6;
        }
    if (best) {
        size_t pages = a->p->count;
        double *b = xmalloc(pages * sizeof *b);
        for (size_t i = 0; i < pages; i++) {
            b[i] = t[i];
            for (int r = 1; r < reps; r++)
                b[i] = t[(size_t)r * pages + i] < b[i] ? t[(size_t)r * pages + i] : b[i];
        }
        sort_median(b, (int)pages);
        best[0] = b[pages / 2], best[1] = b[(size_t)((double)pages * 0.99)];
        free(b);
    }
    sort_median(t, (int)n);
    *p50 = t[n / 2], *p99 = t[(size_t)((double)n * 0.99)];
    free(t);
}

/* What the machine itself does to a call's latency: a thread that only reads the clock for
 * `seconds`, and the gaps of more than 2 us between two readings (interrupts, the hypervisor).
 * A call of d us is hit by one with probability about rate * d; once that passes 1%, p99 is
 * at least p50 plus a typical gap, whatever the code does. */
static void interruptions(double seconds, double *per_second, double *median_us) {
    enum { MAX_GAPS = 1 << 16 };
    double *gap = xmalloc(MAX_GAPS * sizeof *gap);
    int n = 0;
    double start = now_seconds(), last = start;
    for (double t = start; t - start < seconds; last = t) {
        t = now_seconds();
        if (t - last > 2e-6 && n < MAX_GAPS) gap[n++] = (t - last) * 1e6;
    }
    *per_second = n / seconds;
    *median_us = n ? sort_median(gap, n) : 0;
    free(gap);
}

static void print_speed(const char *name, uint64_t bytes, timing t, double base) {
    double g = gbps(bytes, t);
    printf("| %s | %.3f | %.3f | %.2f |\n", name, g, best_gbps(bytes, t), base > 0 ? g / base : 1);
}

static void measure_speed(speed_arg *a, const options *o) {
    timed_run r[5] = {{.fn = run_frame_decompress, .arg = a},
                      {.fn = run_pages_decompress, .arg = a},
                      {.fn = run_frame_compress, .arg = a},
                      {.fn = run_pages_compress, .arg = a},
                      {.fn = run_memcpy, .arg = a}};
    time_interleaved(r, 5, o->reps);
    uint64_t b = a->total;
    double frame_d = gbps(b, r[0].t), frame_c = gbps(b, r[2].t);
    printf("| one thread, %s (GB/s of original bytes) | median | best | vs one frame |\n",
           emz_impl_name(o->impl == EMZ_IMPL_AUTO ? emz_impl_default() : o->impl));
    printf("|---|---|---|---|\n");
    print_speed("decompress: one large frame", b, r[0].t, frame_d);
    print_speed("decompress: one call per page", b, r[1].t, frame_d);
    print_speed("compress: one large frame", b, r[2].t, frame_c);
    print_speed("compress: one call per page", b, r[3].t, frame_c);
    print_speed("memcpy of the pages", b, r[4].t, frame_d);
    double d50, d99, c50, c99, m50, m99, best[2];
    latency(a, o->reps, 0, &d50, &d99, best);
    latency(a, o->reps, 1, &c50, &c99, NULL);
    a->control_copies = 1;
    latency(a, 1, 2, &m50, &m99, NULL);
    /* twice: a copy of one page alone is not a quarter of four copies (fixed costs, caches) */
    for (int step = 0; step < 2; step++) {
        double per = m50 / a->control_copies;
        a->control_copies = per > 0 && d50 / per > 1 ? (int)(d50 / per + 0.5) : 1;
        if (step == 0) latency(a, 1, 2, &m50, &m99, NULL);
    }
    latency(a, o->reps, 2, &m50, &m99, NULL);
    printf("\n| per call (us, %zu calls) | p50 | p99 | p99 / p50 |\n|---|---|---|---|\n",
           a->p->count * (size_t)o->reps);
    printf("| decompress one page | %.2f | %.2f | %.2f |\n", d50, d99, d99 / d50);
    printf("| decompress one page, each page's fastest of %d calls | %.2f | %.2f | %.2f |\n",
           o->reps, best[0], best[1], best[1] / best[0]);
    printf("| compress one page | %.2f | %.2f | %.2f |\n", c50, c99, c99 / c50);
    printf("| control: memcpy of %d pages | %.2f | %.2f | %.2f |\n\n", a->control_copies, m50, m99,
           m99 / m50);
    double rate, gap;
    interruptions(0.5, &rate, &gap);
    printf("A thread reading the clock for 0.5 s was interrupted %.0f times a second, %.1f us "
           "each (median): a %.1f us call is hit with probability %.2f%%.\n\n",
           rate, gap, d50, rate * d50 * 1e-4);
}

/* A batch of o->batch pages (the test pages over again) on 1 and 2 threads, timed interleaved
 * with controls on 1 and 2 threads (scaling_control.h) that share nothing between their
 * threads: two kinds of computing in registers, as long as the batch on one thread, and memcpy
 * of the batch's bytes. */
static void measure_batch(speed_arg *a, const options *o, emz_block_ctx *two) {
    size_t n = o->batch, pb = a->p->page_bytes;
    uint8_t *out = xmalloc(n * pb), *copy = xmalloc(n * pb);
    emz_block_job *jobs = xmalloc(n * sizeof *jobs);
    for (size_t i = 0; i < n; i++) {
        size_t k = i % a->p->count;
        jobs[i] = (emz_block_job){a->blobs[k], a->sizes[k], out + i * pb, pb, 0, 0, EMZ_OK};
    }
    speed_arg one = *a, both = *a;
    one.jobs = both.jobs = jobs, one.jobs_count = both.jobs_count = n;
    both.c = two;
    memset(copy, 1, n * pb);
    if (run_batch(&one) != 0) exit(1); /* its time sets the compute control's length */
    double t0 = now_seconds();
    run_batch(&one);
    double batch = now_seconds() - t0;
    uint64_t spin = scaling_control_iters(SCALING_SPIN, batch);
    uint64_t churn = scaling_control_iters(SCALING_CHURN, batch);
    scaling_control ctl[6] = {{1, SCALING_SPIN, spin, NULL, NULL, 0, {0, 0}},
                              {2, SCALING_SPIN, spin, NULL, NULL, 0, {0, 0}},
                              {1, SCALING_CHURN, churn, NULL, NULL, 0, {0, 0}},
                              {2, SCALING_CHURN, churn, NULL, NULL, 0, {0, 0}},
                              {1, SCALING_COPY, 0, out, copy, n * pb, {0, 0}},
                              {2, SCALING_COPY, 0, out, copy, n * pb, {0, 0}}};
    timed_run r[8] = {{.fn = run_batch, .arg = &one}, {.fn = run_batch, .arg = &both}};
    for (int k = 0; k < 6; k++)
        r[2 + k] = (timed_run){.fn = scaling_control_run, .arg = &ctl[k]};
    time_interleaved(r, 8, o->reps);
    uint64_t bytes = (uint64_t)n * pb;
    printf("| batch of %zu pages, decompress | GB/s median | best | vs 1 thread |\n", n);
    printf("|---|---|---|---|\n");
    print_speed("1 thread", bytes, r[0].t, gbps(bytes, r[0].t));
    print_speed("2 threads", bytes, r[1].t, gbps(bytes, r[0].t));
    static const char *const names[3] = {
        "one chain of multiply-adds in registers (a core mostly idle)",
        "eight chains of shifts and xors in registers (a core's ALUs busy)",
        "memcpy of the batch's bytes"};
    printf("\nControls timed with it (the machine's own scaling, bench/scaling_control.h; the two "
           "in registers as long as the batch on one thread):\n\n");
    printf("| control | 2 threads / 1 (median) | best |\n|---|---|---|\n");
    for (int k = 0; k < 3; k++)
        printf("| %s | %.2f | %.2f |\n", names[k], r[2 + 2 * k].t.seconds / r[3 + 2 * k].t.seconds,
               r[2 + 2 * k].t.best / r[3 + 2 * k].t.best);
    printf("\n");
    free(jobs), free(out), free(copy);
}

static emz_block_ctx *block_ctx(const emz_tables *t, emz_impl impl, int threads) {
    emz_block_ctx *c = emz_block_ctx_create(t);
    if (!c || emz_block_ctx_set_param(c, EMZ_PARAM_IMPL, impl) != EMZ_OK ||
        emz_block_ctx_set_param(c, EMZ_PARAM_THREADS, threads) != EMZ_OK) {
        fprintf(stderr, "emzip-kv-bench: cannot make a block context (%s)\n", emz_impl_name(impl));
        exit(1);
    }
    return c;
}

int main(int argc, char **argv) {
    options o;
    if (parse_args(argc, argv, &o)) return 2;
    kv_pages train, test;
    if (kv_pages_load(o.dir, "train", &train) || kv_pages_load(o.dir, "test", &test)) return 1;
    emz_tables *tables = kv_pages_train(&train, 1), *unshifted = kv_pages_train(&train, 0);
    emz_tables_info info;
    emz_tables_info_get(tables, &info);
    printf("# emzip-kv-bench %s: %s, %zu train pages, %zu test pages of %zu bytes, %u groups, "
           "tables %zu bytes\n\n",
           o.dir, emz_type_name(test.type), train.count, test.count, test.page_bytes, info.groups,
           info.serialized_size);
    emz_block_ctx *with = block_ctx(tables, o.impl, 1), *own = block_ctx(NULL, o.impl, 1);
    emz_block_ctx *plain = block_ctx(unshifted, o.impl, 1);
    emz_block_ctx *two = block_ctx(tables, o.impl, 2);
    speed_arg a = {.c = with, .p = &test};
    a.total = test.count * test.page_bytes;
    uint8_t *joined = kv_pages_join(&test);
    ratios r;
    measure_ratios(&test, with, plain, own, joined, &r);
    print_ratios(&test, &r);
    print_group_ratios(&test, &r);
    free(r.group);
    a.cap = emz_compress_bound(a.total) + 256;
    a.scratch = xmalloc(a.cap), a.out = xmalloc(a.total), a.frame = xmalloc(a.cap);
    a.joined = joined;
    a.blobs = xmalloc(test.count * sizeof *a.blobs), a.sizes = xmalloc(test.count * sizeof(size_t));
    compress_pages(with, &test, a.scratch, a.cap, a.blobs, a.sizes);
    a.cctx = emz_cctx_create(), a.dctx = emz_dctx_create();
    emz_cctx_set_param(a.cctx, EMZ_PARAM_IMPL, o.impl);
    emz_dctx_set_param(a.dctx, EMZ_PARAM_IMPL, o.impl);
    if (emz_compress(a.cctx, a.frame, a.cap, joined, a.total, test.type, &a.frame_size) != EMZ_OK)
        return 1;
    if (o.profile) { /* reps x 100 passes over the test pages, nothing else: for perf record */
        int compress = !strcmp(o.profile, "compress");
        for (int r = 0; r < o.reps * 100; r++)
            if (compress ? run_pages_compress(&a) : run_pages_decompress(&a)) return 1;
        return 0;
    }
    measure_speed(&a, &o);
    measure_batch(&a, &o, two);
    memset(a.out, 0, a.total);
    if (run_pages_decompress(&a) || memcmp(a.out, joined, a.total) != 0) {
        fprintf(stderr, "emzip-kv-bench: decoded pages differ from the originals\n");
        return 1;
    }
    for (size_t i = 0; i < test.count; i++)
        free(a.blobs[i]);
    free(a.blobs), free(a.sizes), free(a.scratch), free(a.out), free(a.frame), free(joined);
    emz_cctx_free(a.cctx), emz_dctx_free(a.dctx);
    emz_block_ctx_free(with), emz_block_ctx_free(own), emz_block_ctx_free(two);
    emz_block_ctx_free(plain);
    emz_tables_free(tables), emz_tables_free(unshifted);
    kv_pages_free(&train), kv_pages_free(&test);
    return 0;
}
