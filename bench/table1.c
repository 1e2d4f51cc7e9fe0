/* table1.c - the "Ratio and speed" measurements of one file (bench only). */
#include "table1.h"

#include "bench_util.h"
#include "timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The two interleaved sets. Compression: [tensor per impl][stream per impl][baselines]
 * [byte-group tensor, stream]; decompression: [verify per impl][noverify per impl][stream per
 * impl][memcpy][baselines][byte-group tensor, stream]. */
typedef struct table1_runs {
    timed_run *c, *d;
    size_t nc, nd;
    int nimpl, nbl, nbg;
} table1_runs;

#define RUN(fn, arg) ((timed_run){(fn), (arg), {0, 0, 0, 0, 0}})

static void runs_build(table1_runs *r, impl_ctx *ic, int nimpl, tensor_set *ts,
                       const table1_baselines *b) {
    r->nimpl = nimpl, r->nbl = b->nbl, r->nbg = b->bg ? 2 : 0;
    r->nc = (size_t)(2 * nimpl + r->nbl + r->nbg);
    r->nd = (size_t)(3 * nimpl + 1 + r->nbl + r->nbg);
    r->c = xcalloc(r->nc, sizeof *r->c), r->d = xcalloc(r->nd, sizeof *r->d);
    for (int i = 0; i < nimpl; i++) {
        r->c[i] = RUN(tensor_compress_all, &ic[i].tc);
        r->c[nimpl + i] = RUN(stream_compress_all, &ic[i].sc);
        r->d[i] = RUN(tensor_decompress_all, &ic[i].tv);
        r->d[nimpl + i] = RUN(tensor_decompress_all, &ic[i].tn);
        r->d[2 * nimpl + i] = RUN(stream_decompress_all, &ic[i].sv);
    }
    r->d[3 * nimpl] = RUN(tensor_memcpy_all, ts);
    for (int k = 0; k < r->nbl; k++) {
        r->c[2 * nimpl + k] = RUN(baseline_compress, &b->bl[k]);
        r->d[3 * nimpl + 1 + k] = RUN(baseline_decompress, &b->bl[k]);
    }
    if (b->bg) {
        size_t c0 = (size_t)(2 * nimpl + r->nbl), d0 = (size_t)(3 * nimpl + 1 + r->nbl);
        r->c[c0] = RUN(bg_compress_all, &b->bg->tensors);
        r->c[c0 + 1] = RUN(bg_compress_all, &b->bg->streams);
        r->d[d0] = RUN(bg_decompress_all, &b->bg->tensors);
        r->d[d0 + 1] = RUN(bg_decompress_all, &b->bg->streams);
    }
}

static void add_row(file_result *fr, const char *codec, const char *level, const char *impl,
                    double ratio, timing ct, timing dt, uint64_t bytes) {
    if (fr->nrows >= MAX_ROWS) return;
    result_row *r = &fr->rows[fr->nrows++];
    r->codec = codec;
    snprintf(r->level, sizeof r->level, "%s", level);
    r->impl = impl;
    r->ratio_pct = ratio;
    r->comp_gbps = gbps(bytes, ct), r->decomp_gbps = gbps(bytes, dt);
    r->comp_best_gbps = best_gbps(bytes, ct), r->decomp_best_gbps = best_gbps(bytes, dt);
    r->comp_runs = ct.runs, r->decomp_runs = dt.runs, r->bytes = bytes;
}

/* Every emzip run succeeded and left the frames and outputs it must. */
static void check_emzip(const table1_runs *r, tensor_set *ts, stream_set *ss, file_result *fr) {
    int bad = !tensor_outputs_match(ts) || !stream_outputs_match(ss) ||
              !tensor_same_as_snapshot(ts) || !stream_same_as_snapshot(ss);
    for (int i = 0; i < r->nimpl; i++)
        bad |= !r->c[i].t.ok || !r->c[r->nimpl + i].t.ok || !r->d[i].t.ok ||
               !r->d[r->nimpl + i].t.ok || !r->d[2 * r->nimpl + i].t.ok;
    if (bad) {
        fprintf(stderr, "emzip-bench: %s: emzip failed during timing\n", fr->path);
        fr->ok = 0;
    }
}

static void add_emzip_rows(const table1_runs *r, const impl_ctx *ic, file_result *fr) {
    int n = r->nimpl;
    double ours = 100.0 * (double)(fr->frames_total + fr->header_stored) / (double)fr->file_size;
    double stream =
        100.0 * (double)(fr->stream_frames_total + fr->header_stored) / (double)fr->file_size;
    for (int i = 0; i < n; i++)
        add_row(fr, "emzip", "verify", emz_impl_name(ic[i].impl), ours, r->c[i].t, r->d[i].t,
                fr->tensor_bytes);
    for (int i = 0; i < n; i++)
        add_row(fr, "emzip", "noverify", emz_impl_name(ic[i].impl), ours, r->c[i].t, r->d[n + i].t,
                fr->tensor_bytes);
    for (int i = 0; i < n; i++)
        add_row(fr, "emzip-stream", "verify", emz_impl_name(ic[i].impl), stream, r->c[n + i].t,
                r->d[2 * n + i].t, fr->tensor_bytes);
    add_row(fr, "memcpy", "-", "-", 100.0, r->d[3 * n].t, r->d[3 * n].t, fr->tensor_bytes);
}

static void add_baseline_rows(const table1_runs *r, const baseline *bl, file_result *fr) {
    for (int k = 0; k < r->nbl; k++) {
        timing tc = r->c[2 * r->nimpl + k].t, td = r->d[3 * r->nimpl + 1 + k].t;
        if (tc.ok && (!td.ok || !baseline_roundtrip_ok(&bl[k]))) {
            fprintf(stderr, "emzip-bench: %s: %s %d round trip FAILED\n", fr->path, bl[k].codec,
                    bl[k].level);
            fr->ok = 0;
        }
        add_row(fr, bl[k].codec, bl[k].level_str, "-",
                100.0 * (double)bl[k].csize / (double)fr->file_size, tc, td, fr->file_size);
    }
}

/* Byte-group Huffman: both sets decoded byte-identically during timing and coded to the same
 * sizes as in the untimed round trip. Its ratios count the header as the emzip rows do. */
static void add_bg_rows(const table1_runs *r, bg_file *bg, file_result *fr) {
    size_t c0 = (size_t)(2 * r->nimpl + r->nbl), d0 = (size_t)(3 * r->nimpl + 1 + r->nbl);
    bg_set *set[2] = {&bg->tensors, &bg->streams};
    uint64_t want[2] = {fr->bg_tensor_bytes, fr->bg_stream_bytes};
    const char *codec[2] = {"bytegroup-huf", "bytegroup-huf-stream"};
    for (int k = 0; k < 2; k++) {
        timing tc = r->c[c0 + (size_t)k].t, td = r->d[d0 + (size_t)k].t;
        if (!tc.ok || !td.ok || !bg_outputs_match(set[k]) || bg_set_bytes(set[k]) != want[k]) {
            fprintf(stderr, "emzip-bench: %s: %s round trip FAILED (%s)\n", fr->path, codec[k],
                    set[k]->error ? set[k]->error : "output differs");
            fr->ok = 0;
        }
        double ratio = 100.0 * (double)(want[k] + fr->header_stored) / (double)fr->file_size;
        add_row(fr, codec[k], "-", "-", ratio, tc, td, fr->tensor_bytes);
    }
}

void time_table1(impl_ctx *ic, int nimpl, tensor_set *ts, stream_set *ss, const table1_baselines *b,
                 const bench_opts *o, file_result *fr) {
    table1_runs r;
    runs_build(&r, ic, nimpl, ts, b);
    time_interleaved(r.c, r.nc, o->reps);
    /* the baselines' decompression needs their compressed files: check them first */
    for (int k = 0; k < r.nbl + r.nbg; k++)
        if (!r.c[2 * nimpl + k].t.ok) {
            const char *what = k < r.nbl ? b->bl[k].codec : "bytegroup-huf";
            const char *level = k < r.nbl ? b->bl[k].level_str : k == r.nbl ? "tensor" : "stream";
            fprintf(stderr, "emzip-bench: %s: %s %s compression FAILED\n", fr->path, what, level);
            fr->ok = 0;
        }
    memset(ts->out, 0, ts->out_size);
    for (int k = 0; k < ss->n; k++)
        memset(ss->g[k].out, 0, ss->g[k].size);
    if (b->bg) {
        memset(b->bg->tensors.out, 0, b->bg->tensors.out_size);
        memset(b->bg->streams.out, 0, b->bg->streams.out_size);
    }
    time_interleaved(r.d, r.nd, o->reps);

    check_emzip(&r, ts, ss, fr);
    add_emzip_rows(&r, ic, fr);
    add_baseline_rows(&r, b->bl, fr);
    if (b->bg) add_bg_rows(&r, b->bg, fr);
    free(r.c);
    free(r.d);
}
