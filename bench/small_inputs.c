/* small_inputs.c - decompression speed of frames of 4 KiB, 64 KiB, 1 MiB and the whole group
 * (bench only). */
#include "small_inputs.h"

#include "bench_util.h"
#include "timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const size_t small_slices[SMALL_SLICE_COUNT] = {4096, 65536, 1048576};

/* One slice size: its frames back to back in one buffer. */
typedef struct slice_frames {
    size_t slice, count;
    uint8_t *frames;
    size_t *off, *size; /* each frame's offset and size in frames */
    uint64_t total;
} slice_frames;

/* One implementation decompressing one slice size: the timed operation. */
typedef struct slice_run {
    const slice_frames *sf;
    const uint8_t *src; /* the group's data, for the length of each slice */
    size_t size;
    uint8_t *out;
    emz_dctx *dctx;
    int failed_status;
} slice_run;

static int run_decompress_slices(void *arg) {
    slice_run *r = arg;
    const slice_frames *sf = r->sf;
    for (size_t i = 0; i < sf->count; i++) {
        size_t off = i * sf->slice, len = r->size - off < sf->slice ? r->size - off : sf->slice,
               ds = 0;
        emz_status st =
            emz_decompress(r->dctx, r->out + off, len, sf->frames + sf->off[i], sf->size[i], &ds);
        if (decompress_failed(st, ds, len, &r->failed_status)) return -1;
    }
    return 0;
}

static int build_frames(slice_frames *sf, size_t slice, const uint8_t *data, size_t size,
                        emz_type t, emz_cctx *cctx) {
    sf->slice = slice;
    sf->count = (size + slice - 1) / slice;
    sf->off = xmalloc(sizeof(size_t) * sf->count);
    sf->size = xmalloc(sizeof(size_t) * sf->count);
    size_t cap = 0;
    for (size_t i = 0; i < sf->count; i++) {
        size_t len = size - i * slice < slice ? size - i * slice : slice;
        sf->off[i] = cap;
        cap += emz_compress_bound(len);
    }
    sf->frames = xmalloc(cap);
    sf->total = 0;
    for (size_t i = 0; i < sf->count; i++) {
        size_t len = size - i * slice < slice ? size - i * slice : slice;
        size_t bound = emz_compress_bound(len);
        emz_status st = emz_compress(cctx, sf->frames + sf->off[i], bound, data + i * slice, len, t,
                                     &sf->size[i]);
        if (st != EMZ_OK) return (int)st;
        sf->total += sf->size[i];
    }
    return 0;
}

/* One group's measurement: its slice sizes (the whole group last), their frames, and per
 * implementation i and slice size c the timed operation and its timing at i * ncell + c. */
typedef struct small_group {
    const char *path, *label; /* for messages */
    const uint8_t *data;
    size_t size;
    const impl_set *is;
    int ncell;
    size_t slice_of[SMALL_CELLS];
    slice_frames sf[SMALL_CELLS];
    uint8_t *out; /* shared by every implementation */
    emz_dctx **dctx;
    slice_run *runs;
    timed_run *r;
} small_group;

static void small_group_init(small_group *g, const file_result *fr, int group, const uint8_t *data,
                             size_t size, const impl_set *is) {
    memset(g, 0, sizeof *g);
    g->path = fr->path, g->label = fr->groups[group].label;
    g->data = data, g->size = size, g->is = is;
    for (int c = 0; c < SMALL_SLICE_COUNT; c++)
        if (small_slices[c] < size) g->slice_of[g->ncell++] = small_slices[c];
    g->slice_of[g->ncell++] = size; /* the whole group: one frame */
    g->out = xmalloc(size);
    g->dctx = xcalloc((size_t)is->n, sizeof *g->dctx);
    g->runs = xcalloc((size_t)(is->n * g->ncell), sizeof *g->runs);
    g->r = xcalloc((size_t)(is->n * g->ncell), sizeof *g->r);
}

static void small_group_free(small_group *g) {
    for (int c = 0; c < g->ncell; c++) {
        free(g->sf[c].frames);
        free(g->sf[c].off);
        free(g->sf[c].size);
    }
    for (int i = 0; i < g->is->n; i++)
        emz_dctx_free(g->dctx[i]);
    free(g->dctx);
    free(g->runs);
    free(g->r);
    free(g->out);
}

/* Compresses the frames of every slice size, once: every implementation writes the same bytes
 * (checked for the per-tensor and stream frames), and decompression is what is measured
 * here. 0, or -1 after a message. */
static int build_all_frames(small_group *g, emz_type t, size_t chunk) {
    char err[256];
    emz_cctx *cctx = bench_cctx(g->is->impl[g->is->n - 1], chunk, err, sizeof err);
    if (!cctx) {
        fprintf(stderr, "emzip-bench: %s: %s\n", g->path, err);
        return -1;
    }
    int rc = 0;
    for (int c = 0; c < g->ncell && !rc; c++) {
        int st = build_frames(&g->sf[c], g->slice_of[c], g->data, g->size, t, cctx);
        if (st) {
            fprintf(stderr, "emzip-bench: %s: %s: compressing %zu-byte slices failed (%s)\n",
                    g->path, g->label, g->slice_of[c], emz_error_name((emz_status)st));
            rc = -1;
        }
    }
    emz_cctx_free(cctx);
    return rc;
}

/* Checks every implementation's round trip of every slice size and sets up its timed run.
 * 0, or -1 after a message. */
static int prepare_runs(small_group *g) {
    const impl_set *is = g->is;
    char err[256];
    for (int i = 0; i < is->n; i++) {
        g->dctx[i] = bench_dctx(is->impl[i], 1, err, sizeof err);
        if (!g->dctx[i]) {
            fprintf(stderr, "emzip-bench: %s: %s\n", g->path, err);
            return -1;
        }
        for (int c = 0; c < g->ncell; c++) {
            slice_run *x = &g->runs[i * g->ncell + c];
            *x = (slice_run){&g->sf[c], g->data, g->size, g->out, g->dctx[i], 0};
            memset(g->out, 0xA5, g->size); /* stale bytes must not pass for decoded ones */
            if (run_decompress_slices(x) || memcmp(g->out, g->data, g->size)) {
                fprintf(stderr,
                        "emzip-bench: %s: %s: %s round trip of %zu-byte slices FAILED (%s)\n",
                        g->path, g->label, emz_impl_name(is->impl[i]), g->slice_of[c],
                        emz_error_name((emz_status)x->failed_status));
                return -1;
            }
            g->r[i * g->ncell + c] = (timed_run){run_decompress_slices, x, {0, 0, 0, 0, 0}};
        }
    }
    return 0;
}

/* Implementation i's row from its timings. 0, or -1 when one of them failed. */
static int fill_row(small_row *row, const small_group *g, int group, int i) {
    int rc = 0, ncell = g->ncell;
    memset(row, 0, sizeof *row);
    row->group = group, row->impl = g->is->impl[i], row->bytes = g->size;
    const timing *whole = &g->r[i * ncell + ncell - 1].t;
    if (!whole->ok) rc = -1;
    for (int c = 0; c < ncell; c++) {
        const timing *tm = &g->r[i * ncell + c].t;
        if (!tm->ok) rc = -1;
        /* cells by slice size: the whole group always goes last */
        int slot = c == ncell - 1 ? SMALL_SLICE_COUNT : c;
        small_cell *cell = &row->cell[slot];
        cell->present = 1;
        cell->slice = g->slice_of[c];
        cell->frames = g->sf[c].count;
        cell->frame_bytes = g->sf[c].total;
        cell->gbps = gbps(g->size, *tm);
        cell->best_gbps = best_gbps(g->size, *tm);
        cell->us_per_call = tm->ok ? tm->seconds / (double)g->sf[c].count * 1e6 : 0;
        cell->runs = tm->runs;
    }
    double large = row->cell[SMALL_SLICE_COUNT].gbps;
    for (int c = 0; c < SMALL_CELLS; c++)
        if (row->cell[c].present && large > 0) row->cell[c].vs_large = row->cell[c].gbps / large;
    return rc;
}

/* Appends one small_row per implementation to fr->srows. 0, or -1 when a timing failed. */
static int append_rows(file_result *fr, int group, const small_group *g) {
    int rc = 0;
    fr->srows = realloc(fr->srows, sizeof(small_row) * (size_t)(fr->nsrows + g->is->n));
    if (!fr->srows) {
        fprintf(stderr, "emzip-bench: out of memory\n");
        exit(2);
    }
    for (int i = 0; i < g->is->n; i++)
        if (fill_row(&fr->srows[fr->nsrows++], g, group, i)) rc = -1;
    return rc;
}

int small_bench_group(file_result *fr, int group, const uint8_t *data, size_t size, emz_type t,
                      const bench_opts *o) {
    small_group g;
    small_group_init(&g, fr, group, data, size, &o->impls);
    int rc = build_all_frames(&g, t, o->chunk);
    if (!rc) rc = prepare_runs(&g);
    if (!rc) {
        time_interleaved(g.r, (size_t)(g.is->n * g.ncell), o->reps);
        if (memcmp(g.out, data, size)) {
            fprintf(stderr, "emzip-bench: %s: %s: small-input output differs after timing\n",
                    g.path, g.label);
            rc = -1;
        }
        if (append_rows(fr, group, &g)) rc = -1;
    }
    small_group_free(&g);
    return rc;
}
