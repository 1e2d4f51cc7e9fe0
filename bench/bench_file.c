/* bench_file.c - everything measured on one safetensors file (bench only): per-tensor and
 * stream emzip with every implementation, memcpy and the baselines (interleaved), the entropy
 * bounds, then the kernel and small-input sections. See bench/README.md. */
#include "baselines.h"
#include "bench_util.h"
#include "bytegroup_file.h"
#include "common/common.h"
#include "format/safetensors_header.h"
#include "kernel_bench.h"
#include "per_tensor.h"
#include "results.h"
#include "small_inputs.h"
#include "stream_mode.h"
#include "table1.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

/* The label a tensor's results are grouped under: its safetensors dtype, except for tensors
 * emzip stores as FP4 (MXFP4 U8 "*.blocks"), which must not share the U8 group of the scales
 * stored as bytes. */
static const char *group_label(const emz_st_tensor *t) {
    return t->type == EMZ_TYPE_FP4_E2M1 ? "FP4_E2M1" : t->dtype;
}

/* Tensors -> jobs and dtype groups, each tensor of the type the library stores it as; the
 * dominant group is the float group with the most bytes, else the biggest group. */
static int build_jobs(const emz_st_header *h, const uint8_t *data, tensor_set *ts,
                      file_result *fr) {
    ts->n = h->count;
    ts->jobs = xcalloc(h->count ? h->count : 1, sizeof(tensor_job));
    for (size_t i = 0; i < h->count; i++) {
        const emz_st_tensor *t = &h->tensors[i];
        tensor_job *j = &ts->jobs[i];
        const char *label = group_label(t);
        j->type = t->type;
        j->src = data + t->begin;
        j->size = (size_t)(t->end - t->begin);
        int g;
        for (g = 0; g < fr->ngroups; g++)
            if (strcmp(fr->groups[g].label, label) == 0 && fr->groups[g].type == j->type) break;
        if (g == fr->ngroups) {
            if (g == MAX_GROUPS) {
                snprintf(fr->error, sizeof fr->error, "more than %d dtypes", MAX_GROUPS);
                return -1;
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
        if (!j->frame_cap) {
            snprintf(fr->error, sizeof fr->error, "compress bound overflow");
            return -1;
        }
        j->frame_off = ts->frames_cap;
        ts->frames_cap += j->frame_cap;
        j->out_off = ts->out_size;
        ts->out_size += j->size;
    }
    for (int g = 0; g < fr->ngroups; g++) {
        int fl = fr->groups[g].type != EMZ_TYPE_BYTES;
        int dfl = fr->dominant >= 0 && fr->groups[fr->dominant].type != EMZ_TYPE_BYTES;
        if (fr->dominant < 0 || (fl && !dfl) ||
            (fl == dfl && fr->groups[g].bytes > fr->groups[fr->dominant].bytes))
            fr->dominant = g;
    }
    tensor_set_alloc(ts);
    return 0;
}

/* Compresses every tensor with implementation ic, checks that the frames equal those of the
 * first implementation, ref (NULL: ic is the first; all must write identical bytes), checks
 * every header once, and round-trips every frame with verification on and off. Failures are
 * printed; returns -1 when frames could not be made at all. */
static int check_per_tensor(tensor_set *ts, impl_ctx *ic, const impl_ctx *ref,
                            const emz_st_header *h, size_t chunk, file_result *fr) {
    int first = ref == NULL;
    const char *in = emz_impl_name(ic->impl);
    if (tensor_compress_all(&ic->tc)) {
        snprintf(fr->error, sizeof fr->error, "emz_compress failed (%s): %s", in,
                 emz_error_name((emz_status)ic->tc.failed_status));
        return -1;
    }
    if (first)
        tensor_snapshot(ts);
    else if (!tensor_same_as_snapshot(ts)) {
        fprintf(stderr, "emzip-bench: %s: %s frames differ from %s's\n", fr->path, in,
                emz_impl_name(ref->impl));
        fr->ok = 0;
    }
    for (size_t i = 0; i < ts->n; i++) {
        tensor_job *j = &ts->jobs[i];
        emz_frame_info fi;
        emz_status st = emz_frame_info_get(ts->frames + j->frame_off, j->frame_size, &fi);
        if (first && (st != EMZ_OK || fi.type != j->type || fi.original_size != j->size ||
                      (j->size && fi.chunk_size != bench_chunk_of(chunk, j->type)))) {
            fprintf(stderr, "emzip-bench: %s: tensor '%s': bad frame header (%s)\n", fr->path,
                    h->tensors[i].name, emz_error_name(st));
            fr->ok = 0;
        }
        for (int v = 1; v >= 0; v--) {
            size_t ds = 0;
            memset(ts->out + j->out_off, 0xA5,
                   j->size); /* stale bytes must not pass for decoded ones */
            st = emz_decompress(v ? ic->verify : ic->noverify, ts->out + j->out_off, j->size,
                                ts->frames + j->frame_off, j->frame_size, &ds);
            if (st != EMZ_OK || ds != j->size ||
                memcmp(ts->out + j->out_off, j->src, j->size) != 0) {
                fprintf(stderr,
                        "emzip-bench: %s: tensor '%s' (%s, %zu bytes): %s round trip FAILED "
                        "(verify=%d, %s)\n",
                        fr->path, h->tensors[i].name, h->tensors[i].dtype, j->size, in, v,
                        emz_error_name(st));
                fr->ok = 0;
            }
        }
    }
    return 0;
}

/* Builds one buffer per emz type and compresses each as one frame with every implementation
 * (checking that they agree and round-trip), then fills the stream figures of fr. Returns -1
 * with fr->error set when the measurement can't run; a failed check only clears fr->ok. */
static int stream_setup(stream_set *ss, impl_ctx *ic, int nimpl, const emz_st_header *h,
                        const uint8_t *data, size_t chunk, file_result *fr) {
    if (stream_build(ss, h, data, fr->error, sizeof fr->error)) return -1;
    for (int i = 0; i < nimpl; i++) {
        const char *in = emz_impl_name(ic[i].impl);
        if (stream_compress_all(&ic[i].sc)) {
            snprintf(fr->error, sizeof fr->error, "emz_compress failed (emzip-stream, %s): %s", in,
                     emz_error_name((emz_status)ic[i].sc.failed_status));
            return -1;
        }
        if (i == 0)
            stream_snapshot(ss);
        else if (!stream_same_as_snapshot(ss)) {
            fprintf(stderr, "emzip-bench: %s: emzip-stream: %s frames differ from %s's\n", fr->path,
                    in, emz_impl_name(ic[0].impl));
            fr->ok = 0;
        }
        if (stream_check(ss, ic[i].verify, ic[i].noverify, chunk, fr->path, in)) fr->ok = 0;
    }
    fr->stream_frames_total = stream_frame_total(ss);
    fr->nstreams = ss->n;
    for (int k = 0; k < ss->n; k++) {
        stream_group *sg = &ss->g[k];
        fr->streams[k] = (stream_summary){sg->type, sg->tensors, sg->size, sg->frame_size, 0};
        for (int g = 0; g < fr->ngroups; g++) {
            group *gr = &fr->groups[g];
            if (gr->type != sg->type || gr->type == EMZ_TYPE_BYTES) continue;
            gr->has_stream = 1;
            gr->stream_frame_bytes = sg->frame_size;
            size_t c = bench_chunk_of(chunk, sg->type);
            gr->stream_frame_fixed = stream_frame_fixed(sg, c);
            if (buffer_bounds(&gr->sb, sg->src, sg->size, sg->type, c)) {
                snprintf(fr->error, sizeof fr->error, "out of memory");
                return -1;
            }
        }
    }
    return 0;
}

/* The bounds of every float group, over its tensors as the per-tensor frames chunk them. */
static int group_bounds(const tensor_set *ts, size_t chunk, file_result *fr) {
    for (int g = 0; g < fr->ngroups; g++) {
        group *gr = &fr->groups[g];
        if (gr->type == EMZ_TYPE_BYTES) continue;
        bounds_acc *w = bounds_begin(gr->type);
        if (!w) {
            snprintf(fr->error, sizeof fr->error, "out of memory");
            return -1;
        }
        for (size_t i = 0; i < ts->n; i++)
            if (ts->jobs[i].group == g)
                bounds_add(&gr->b, w, ts->jobs[i].src, ts->jobs[i].size, ts->jobs[i].type,
                           bench_chunk_of(chunk, ts->jobs[i].type));
        bounds_finish(&gr->b, w, gr->type);
    }
    return 0;
}

/* Parses the header of the file image buf with the library's parser (the one emzip compress
 * uses, so the bench measures the files emzip accepts) and fills the header sizes of fr: raw
 * (8 + JSON) and as checkpoint mode would store it (8 + zstd -19 of the JSON). */
static int read_header(const uint8_t *buf, size_t size, emz_st_header *h, file_result *fr) {
    emz_status st = EMZ_ERROR_BAD_SAFETENSORS;
    char why[200];
    uint64_t n = 0;
    if (size < 8)
        snprintf(why, sizeof why, "shorter than 8 bytes");
    else if ((n = emz_load64(buf)) > size - 8 || n > EMZ_ST_MAX_HEADER)
        snprintf(why, sizeof why, "header length %llu is beyond the file or above 100 MB",
                 (unsigned long long)n);
    else
        st = emz_st_parse(buf + 8, (size_t)n, size - 8 - n, h, why, sizeof why);
    if (st != EMZ_OK) {
        snprintf(fr->error, sizeof fr->error, "not a safetensors file: %s", why);
        return -1;
    }
    fr->header_raw = h->data_start;
    fr->tensor_count = h->count;
    size_t cap = ZSTD_compressBound((size_t)n);
    void *hb = xmalloc(cap);
    size_t r = ZSTD_compress(hb, cap, buf + 8, (size_t)n, 19);
    fr->header_stored = 8 + (ZSTD_isError(r) ? n : r);
    free(hb);
    return 0;
}

/* The contexts of implementation impl (its chunk size, checksum verification on and off) and
 * its runs over the shared buffers. */
static int impl_setup(impl_ctx *x, emz_impl impl, tensor_set *ts, stream_set *ss, size_t chunk,
                      file_result *fr) {
    x->impl = impl;
    x->cctx = bench_cctx(impl, chunk, fr->error, sizeof fr->error);
    x->verify = x->cctx ? bench_dctx(impl, 1, fr->error, sizeof fr->error) : NULL;
    x->noverify = x->verify ? bench_dctx(impl, 0, fr->error, sizeof fr->error) : NULL;
    if (!x->noverify) return -1;
    x->tc = (tensor_run){ts, x->cctx, NULL, 0};
    x->tv = (tensor_run){ts, NULL, x->verify, 0};
    x->tn = (tensor_run){ts, NULL, x->noverify, 0};
    x->sc = (stream_run){ss, x->cctx, NULL, 0};
    x->sv = (stream_run){ss, NULL, x->verify, 0};
    return 0;
}

/* emzip per tensor with every implementation (every frame checked), the entropy bounds of
 * each group, and emzip-stream. -1 with fr->error set when they can't run. */
static int measure_emzip(tensor_set *ts, stream_set *ss, impl_ctx *ic, int nimpl,
                         const emz_st_header *h, const uint8_t *data, size_t chunk,
                         file_result *fr) {
    for (int i = 0; i < nimpl; i++)
        if (check_per_tensor(ts, &ic[i], i ? &ic[0] : NULL, h, chunk, fr)) return -1;
    for (size_t i = 0; i < ts->n; i++) {
        tensor_job *j = &ts->jobs[i];
        fr->groups[j->group].frame_bytes += j->frame_size;
        size_t c = bench_chunk_of(chunk, j->type);
        fr->groups[j->group].frame_fixed += 36 + 8 * ((j->size + c - 1) / c);
        fr->frames_total += j->frame_size;
    }
    if (group_bounds(ts, chunk, fr)) return -1;
    return stream_setup(ss, ic, nimpl, h, data, chunk, fr);
}

/* Byte-group Huffman per tensor, per stream and for the checkpoint, and emzip's container,
 * each round-tripped; a failure is reported and fails the run (fr->ok), and leaves
 * fr->bg_tensor_bytes 0 so that the baseline is not timed. */
static void measure_bytegroup(bg_file *bg, const uint8_t *buf, size_t size, const emz_st_header *h,
                              const stream_set *ss, impl_ctx *ic, file_result *fr) {
    char why[256];
    if (bg_file_setup(bg, buf, size, h, ss, fr, why, sizeof why)) {
        fprintf(stderr, "emzip-bench: %s: %s\n", fr->path, why);
        fr->bg_tensor_bytes = 0;
        fr->ok = 0;
    }
    if (container_measure(ic[0].cctx, ic[0].verify, buf, size, fr, why, sizeof why)) {
        fprintf(stderr, "emzip-bench: %s: %s\n", fr->path, why);
        fr->ok = 0;
    }
}

/* The kernel and small-input sections, on each float group's concatenated tensors. */
static void run_sections(stream_set *ss, const bench_opts *o, file_result *fr) {
    for (int g = 0; g < fr->ngroups && (o->kernels || o->small); g++) {
        group *gr = &fr->groups[g];
        stream_group *sg = gr->type == EMZ_TYPE_BYTES ? NULL : stream_find(ss, gr->type);
        if (!sg || sg->size < SECTION_MIN_BYTES) continue;
        fprintf(stderr, "emzip-bench:   %s%s%s\n", gr->label, o->kernels ? " kernels" : "",
                o->small ? " small inputs" : "");
        if (o->kernels && kernel_bench_group(fr, g, sg->src, sg->size, gr->type, o)) fr->ok = 0;
        if (o->small && small_bench_group(fr, g, sg->src, sg->size, gr->type, o)) fr->ok = 0;
    }
}

int bench_file(const char *path, const bench_opts *o, file_result *fr) {
    memset(fr, 0, sizeof *fr);
    fr->path = path;
    fr->dominant = -1;
    size_t fsize = 0;
    uint8_t *buf = read_whole_file(path, &fsize);
    if (!buf) {
        snprintf(fr->error, sizeof fr->error, "cannot read: %s", strerror(errno));
        return -1;
    }
    fr->file_size = fsize;
    emz_st_header h;
    if (read_header(buf, fsize, &h, fr)) {
        free(buf);
        return -1;
    }
    const uint8_t *data = buf + h.data_start;

    int nimpl = o->impls.n, rc = -1;
    tensor_set ts;
    stream_set ss;
    baseline bl[BASELINE_COUNT];
    bg_file bg;
    memset(&ts, 0, sizeof ts);
    memset(&ss, 0, sizeof ss);
    memset(bl, 0, sizeof bl);
    memset(&bg, 0, sizeof bg);
    impl_ctx *ic = xcalloc((size_t)nimpl, sizeof *ic);
    fr->ok = 1;
    if (build_jobs(&h, data, &ts, fr)) goto fail;
    for (int i = 0; i < nimpl; i++)
        if (impl_setup(&ic[i], o->impls.impl[i], &ts, &ss, o->chunk, fr)) goto fail;

    if (measure_emzip(&ts, &ss, ic, nimpl, &h, data, o->chunk, fr)) goto fail;
    measure_bytegroup(&bg, buf, fsize, &h, &ss, ic, fr);
    if (o->baselines && baselines_init(bl, buf, fsize, fr->error, sizeof fr->error)) goto fail;

    fprintf(stderr, "emzip-bench:   ratio and speed\n");
    table1_baselines tb = {bl, o->baselines ? BASELINE_COUNT : 0,
                           o->baselines && fr->bg_tensor_bytes ? &bg : NULL};
    time_table1(ic, nimpl, &ts, &ss, &tb, o, fr);
    run_sections(&ss, o, fr);
    rc = fr->ok ? 0 : -1;
    goto done;

fail:
    fr->ok = 0;
    rc = -1;
done:
    baselines_free(bl);
    bg_file_free(&bg);
    stream_free(&ss);
    for (int i = 0; i < nimpl; i++) {
        emz_cctx_free(ic[i].cctx);
        emz_dctx_free(ic[i].verify);
        emz_dctx_free(ic[i].noverify);
    }
    free(ic);
    tensor_set_free(&ts);
    emz_st_free(&h);
    free(buf);
    return rc;
}

void file_result_free(file_result *fr) {
    free(fr->krows);
    free(fr->srows);
    fr->krows = NULL, fr->srows = NULL;
    fr->nkrows = fr->nsrows = 0;
}
