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
        if (st != EMZ_OK) {
            r->failed_status = (int)st;
            return -1;
        }
        if (ds != len) {
            r->failed_status = -1;
            return -1;
        }
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

int small_bench_group(file_result *fr, int group, const uint8_t *data, size_t size, emz_type t,
                      const bench_opts *o) {
    const impl_set *is = &o->impls;
    const char *label = fr->groups[group].label;
    char err[256];
    int rc = 0, ncell = 0;
    size_t slice_of[SMALL_CELLS];
    for (int c = 0; c < SMALL_SLICE_COUNT; c++)
        if (small_slices[c] < size) slice_of[ncell++] = small_slices[c];
    slice_of[ncell++] = size; /* the whole group: one frame */

    /* frames are built once: every implementation writes the same bytes (checked for the
     * per-tensor and stream frames), and decompression is what is measured here */
    slice_frames sf[SMALL_CELLS];
    memset(sf, 0, sizeof sf);
    emz_cctx *cctx = bench_cctx(is->impl[is->n - 1], o->chunk, err, sizeof err);
    if (!cctx) {
        fprintf(stderr, "emzip-bench: %s: %s\n", fr->path, err);
        return -1;
    }
    uint8_t *out = xmalloc(size);
    emz_dctx **dctx = xcalloc((size_t)is->n, sizeof *dctx);
    slice_run *runs = xcalloc((size_t)(is->n * ncell), sizeof *runs);
    timed_run *r = xcalloc((size_t)(is->n * ncell), sizeof *r);
    for (int c = 0; c < ncell; c++) {
        int st = build_frames(&sf[c], slice_of[c], data, size, t, cctx);
        if (st) {
            fprintf(stderr, "emzip-bench: %s: %s: compressing %zu-byte slices failed (%s)\n",
                    fr->path, label, slice_of[c], emz_error_name((emz_status)st));
            rc = -1;
            goto done;
        }
    }
    for (int i = 0; i < is->n; i++) {
        dctx[i] = bench_dctx(is->impl[i], 1, err, sizeof err);
        if (!dctx[i]) {
            fprintf(stderr, "emzip-bench: %s: %s\n", fr->path, err);
            rc = -1;
            goto done;
        }
        for (int c = 0; c < ncell; c++) {
            slice_run *x = &runs[i * ncell + c];
            *x = (slice_run){&sf[c], data, size, out, dctx[i], 0};
            memset(out, 0xA5, size); /* stale bytes must not pass for decoded ones */
            if (run_decompress_slices(x) || memcmp(out, data, size)) {
                fprintf(stderr,
                        "emzip-bench: %s: %s: %s round trip of %zu-byte slices FAILED (%s)\n",
                        fr->path, label, emz_impl_name(is->impl[i]), slice_of[c],
                        emz_error_name((emz_status)x->failed_status));
                rc = -1;
                goto done;
            }
            r[i * ncell + c] = (timed_run){run_decompress_slices, x, {0, 0, 0, 0, 0}};
        }
    }
    time_interleaved(r, (size_t)(is->n * ncell), o->reps);
    if (memcmp(out, data, size)) {
        fprintf(stderr, "emzip-bench: %s: %s: small-input output differs after timing\n", fr->path,
                label);
        rc = -1;
    }

    fr->srows = realloc(fr->srows, sizeof(small_row) * (size_t)(fr->nsrows + is->n));
    if (!fr->srows) {
        fprintf(stderr, "emzip-bench: out of memory\n");
        exit(2);
    }
    for (int i = 0; i < is->n; i++) {
        small_row *row = &fr->srows[fr->nsrows++];
        memset(row, 0, sizeof *row);
        row->group = group, row->impl = is->impl[i], row->bytes = size;
        const timing *whole = &r[i * ncell + ncell - 1].t;
        if (!whole->ok) rc = -1;
        for (int c = 0; c < ncell; c++) {
            const timing *tm = &r[i * ncell + c].t;
            if (!tm->ok) rc = -1;
            /* cells by slice size: the whole group always goes last */
            int slot = c == ncell - 1 ? SMALL_SLICE_COUNT : c;
            small_cell *cell = &row->cell[slot];
            cell->present = 1;
            cell->slice = slice_of[c];
            cell->frames = sf[c].count;
            cell->frame_bytes = sf[c].total;
            cell->gbps = gbps(size, *tm);
            cell->best_gbps = best_gbps(size, *tm);
            cell->us_per_call = tm->ok ? tm->seconds / (double)sf[c].count * 1e6 : 0;
            cell->runs = tm->runs;
        }
        double large = row->cell[SMALL_SLICE_COUNT].gbps;
        for (int c = 0; c < SMALL_CELLS; c++)
            if (row->cell[c].present && large > 0)
                row->cell[c].vs_large = row->cell[c].gbps / large;
    }

done:
    for (int c = 0; c < ncell; c++) {
        free(sf[c].frames);
        free(sf[c].off);
        free(sf[c].size);
    }
    for (int i = 0; i < is->n; i++)
        emz_dctx_free(dctx[i]);
    emz_cctx_free(cctx);
    free(dctx);
    free(runs);
    free(r);
    free(out);
    return rc;
}
