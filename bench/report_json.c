/* report_json.c - the JSON output of emzip-bench: everything the Markdown shows, and more
 * (fastest repetitions, repetition counts, byte counts) (bench only). */
#include "bench_util.h"
#include "bytegroup.h"
#include "report.h"
#include "targets.h"

#include <math.h>
#include <stdlib.h>

static void json_string(FILE *o, const char *s) {
    fputc('"', o);
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch == '"' || ch == '\\')
            fprintf(o, "\\%c", ch);
        else if (ch < 0x20)
            fprintf(o, "\\u%04x", ch);
        else
            fputc(ch, o);
    }
    fputc('"', o);
}

static void json_num(FILE *o, double v) {
    if (isfinite(v))
        fprintf(o, "%.6g", v);
    else
        fputs("null", o);
}

/* "key": number pairs, comma-separated, on one line: the sections below are long lists of
 * flat records. */
static void kv(FILE *o, const char *key, double v, int first) {
    fprintf(o, "%s\"%s\": ", first ? "" : ", ", key);
    json_num(o, v);
}

/* The percent a bound of bits amounts to, or NAN (written null) for a bound that does not
 * apply to the dtype (bits < 0). */
static double pct_or_nan(double bits, uint64_t bytes) {
    return bits >= 0 ? pct(bits, bytes) : NAN;
}

/* The entropy bounds and format model of a float group, and how far its emzip ratio (ours)
 * is from them. */
static void json_bounds_fields(FILE *o, const group *gr, double ours) {
    const bounds *b = &gr->b;
    double model = 100.0 * b->model_bytes / (double)gr->bytes;
    fprintf(o, ",\n         \"elements\": %llu", (unsigned long long)b->elements);
    kv(o, "wholefile_exp_H", b->wf_exp_h, 0);
    kv(o, "wholefile_signmant_H", b->wf_sm_h, 0);
    kv(o, "wholefile_split_pct", pct(b->wf_split_bits, gr->bytes), 0);
    kv(o, "wholefile_element_pct", pct_or_nan(b->wf_elem_bits, gr->bytes), 0);
    fprintf(o, ",\n         ");
    kv(o, "chunk_exp_rawM_pct", pct(b->ck_exp_raw_bits, gr->bytes), 1);
    kv(o, "chunk_exp_signmant_pct", pct(b->ck_exp_sm_bits, gr->bytes), 0);
    kv(o, "chunk_byte_pct", pct_or_nan(b->ck_byte_bits, gr->bytes), 0);
    kv(o, "chunk_best_pct", pct(b->ck_best_bits, gr->bytes), 0);
    fprintf(o, ", \"format_model_bytes\": %.0f", b->model_bytes);
    kv(o, "format_model_pct", model, 0);
    kv(o, "ours_minus_format_model_pts", ours - model, 0);
    fprintf(o, ",\n         ");
    kv(o, "ours_minus_chunk_exp_rawM_pts", ours - pct(b->ck_exp_raw_bits, gr->bytes), 1);
    kv(o, "ours_minus_chunk_best_pts", ours - pct(b->ck_best_bits, gr->bytes), 0);
    kv(o, "ours_minus_wholefile_split_pts", ours - pct(b->wf_split_bits, gr->bytes), 0);
}

/* The emzip-stream figures of a float group (its one frame and the bounds of that layout). */
static void json_stream_fields(FILE *o, const group *gr) {
    const bounds *sb = &gr->sb;
    double st = 100.0 * (double)gr->stream_frame_bytes / (double)gr->bytes;
    double bound = pct(sb->ck_exp_raw_bits, gr->bytes),
           model = 100.0 * sb->model_bytes / (double)gr->bytes;
    fprintf(o, ",\n         \"stream_frame_bytes\": %llu, \"stream_frame_fixed_bytes\": %llu",
            (unsigned long long)gr->stream_frame_bytes, (unsigned long long)gr->stream_frame_fixed);
    kv(o, "stream_ratio_pct", st, 0);
    kv(o, "stream_payload_ratio_pct",
       100.0 * ((double)gr->stream_frame_bytes - (double)gr->stream_frame_fixed) /
           (double)gr->bytes,
       0);
    fprintf(o, ",\n         ");
    kv(o, "stream_chunk_exp_rawM_pct", bound, 1);
    kv(o, "stream_minus_chunk_exp_rawM_pts", st - bound, 0);
    kv(o, "stream_minus_wholefile_split_pts", st - pct(gr->b.wf_split_bits, gr->bytes), 0);
    kv(o, "stream_minus_ours_pts", st - 100.0 * (double)gr->frame_bytes / (double)gr->bytes, 0);
    fprintf(o, ",\n         ");
    kv(o, "stream_chunk_best_pct", pct(sb->ck_best_bits, gr->bytes), 1);
    fprintf(o, ", \"stream_format_model_bytes\": %.0f", sb->model_bytes);
    kv(o, "stream_format_model_pct", model, 0);
    kv(o, "stream_minus_format_model_pts", st - model, 0);
}

static void json_kernels(FILE *o, const file_result *f) {
    fprintf(o, "      \"kernels\": [");
    for (int k = 0; k < f->nkrows; k++) {
        const kernel_row *x = &f->krows[k];
        double m = x->memcpy_gbps > 0 ? x->memcpy_gbps : NAN;
        fprintf(o, "%s\n        {\"dtype\": ", k ? "," : "");
        json_string(o, f->groups[x->group].label);
        fprintf(o,
                ", \"emz_type\": \"%s\", \"impl\": \"%s\", \"buffer\": \"%s\", \"bytes\": %llu, "
                "\"runs\": %d,\n         ",
                emz_type_name(f->groups[x->group].type), emz_impl_name(x->impl),
                x->whole ? "whole" : "l2", (unsigned long long)x->bytes, x->runs);
        kv(o, "split_gbps", x->split_gbps, 1);
        kv(o, "merge_gbps", x->merge_gbps, 0);
        kv(o, "checksum_gbps", x->checksum_gbps, 0);
        kv(o, "memcpy_gbps", x->memcpy_gbps, 0);
        kv(o, "split_vs_memcpy", x->split_gbps / m, 0);
        kv(o, "merge_vs_memcpy", x->merge_gbps / m, 0);
        kv(o, "checksum_vs_memcpy", x->checksum_gbps / m, 0);
        fprintf(o, ",\n         ");
        kv(o, "split_best_gbps", x->split_best, 1);
        kv(o, "merge_best_gbps", x->merge_best, 0);
        kv(o, "checksum_best_gbps", x->checksum_best, 0);
        kv(o, "memcpy_best_gbps", x->memcpy_best, 0);
        fputc('}', o);
    }
    fprintf(o, "%s],\n", f->nkrows ? "\n      " : "");
}

static void json_small(FILE *o, const file_result *f) {
    fprintf(o, "      \"small_inputs\": [");
    for (int k = 0; k < f->nsrows; k++) {
        const small_row *x = &f->srows[k];
        fprintf(o, "%s\n        {\"dtype\": ", k ? "," : "");
        json_string(o, f->groups[x->group].label);
        fprintf(o, ", \"emz_type\": \"%s\", \"impl\": \"%s\", \"bytes\": %llu, \"slices\": [",
                emz_type_name(f->groups[x->group].type), emz_impl_name(x->impl),
                (unsigned long long)x->bytes);
        int first = 1;
        for (int c = 0; c < SMALL_CELLS; c++) {
            const small_cell *e = &x->cell[c];
            if (!e->present) continue;
            fprintf(o,
                    "%s\n          {\"slice_bytes\": %llu, \"whole\": %s, \"frames\": %zu, "
                    "\"frame_bytes\": %llu, ",
                    first ? "" : ",", (unsigned long long)e->slice,
                    c == SMALL_SLICE_COUNT ? "true" : "false", e->frames,
                    (unsigned long long)e->frame_bytes);
            kv(o, "ratio_pct", x->bytes ? 100.0 * (double)e->frame_bytes / (double)x->bytes : 0, 1);
            kv(o, "decomp_gbps", e->gbps, 0);
            kv(o, "decomp_best_gbps", e->best_gbps, 0);
            kv(o, "us_per_call", e->us_per_call, 0);
            kv(o, "vs_large", e->vs_large, 0);
            fprintf(o, ", \"runs\": %d}", e->runs);
            first = 0;
        }
        fprintf(o, "]}");
    }
    fprintf(o, "%s]\n", f->nsrows ? "\n      " : "");
}

/* A measured value and its bar; met is null when no bar applies. */
static void json_target(FILE *o, const char *key, double v, double bar) {
    int met = target_met(v, bar);
    fprintf(o, ", \"%s\": ", key);
    if (v < 0)
        fputs("null", o);
    else
        json_num(o, v);
    fprintf(o, ", \"%s_bar\": ", key);
    if (bar > 0)
        json_num(o, bar);
    else
        fputs("null", o);
    fprintf(o, ", \"%s_met\": %s", key, met < 0 ? "null" : met ? "true" : "false");
}

static void json_targets(FILE *o, const file_result *fr, int n) {
    target_row *t;
    int nt = targets_collect(fr, n, &t);
    fprintf(o, "  \"targets\": [");
    for (int i = 0; i < nt; i++) {
        const target_row *x = &t[i];
        const file_result *f = &fr[x->file];
        fprintf(o, "%s\n    {\"name\": ", i ? "," : "");
        json_string(o, base_name(f->path));
        fprintf(o, ", \"dtype\": ");
        json_string(o, f->groups[x->group].label);
        fprintf(o, ", \"impl\": \"%s\"", emz_impl_name(x->impl));
        json_target(o, "decomp_gbps", x->decomp, x->decomp_bar);
        json_target(o, "comp_gbps", x->comp, x->comp_bar);
        json_target(o, "split_vs_memcpy", x->split_x, x->kernel_bar);
        json_target(o, "merge_vs_memcpy", x->merge_x, x->kernel_bar);
        json_target(o, "small64_vs_large", x->small64, x->small_bar);
        fputc('}', o);
    }
    fprintf(o, "%s]\n", nt ? "\n  " : "");
    free(t);
}

/* The run's settings and units, up to the opening of the file list. */
static void json_preamble(FILE *o, const bench_opts *opt, int all_ok) {
    fprintf(o, "{\n  \"emzip_version\": \"%s\",\n  \"chunk_size\": %zu,\n  \"reps\": %d,\n",
            emz_version_string(), opt->chunk, opt->reps);
    fprintf(o, "  \"impls\": [");
    for (int i = 0; i < opt->impls.n; i++)
        fprintf(o, "%s\"%s\"", i ? ", " : "", emz_impl_name(opt->impls.impl[i]));
    fprintf(o, "],\n  \"kernel_l2_bytes\": %zu,\n  \"small_slices\": [", KERNEL_L2_BYTES);
    for (int c = 0; c < SMALL_SLICE_COUNT; c++)
        fprintf(o, "%s%zu", c ? ", " : "", small_slices[c]);
    fprintf(o, "],\n  \"section_min_bytes\": %zu,\n", SECTION_MIN_BYTES);
    fprintf(o, "  \"header_accounting\": \"8 + zstd -19 size of the JSON header\",\n");
    fprintf(o,
            "  \"bytegroup\": {\"method\": \"ZipNN byte grouping + Huff0 (zstd)\", "
            "\"chunk\": %zu, \"chunk_1byte\": %zu, \"raw_threshold\": %.2f, "
            "\"size_bytes_per_chunk_group\": %d},\n",
            BG_CHUNK, BG_CHUNK_1BYTE, BG_RAW_THRESHOLD, BG_SIZE_BYTES);
    fprintf(o, "  \"speed_unit\": \"1e9 bytes of uncompressed data per second, single thread, "
               "median\",\n");
    fprintf(o, "  \"all_roundtrips_ok\": %s,\n  \"files\": [\n", all_ok ? "true" : "false");
}

/* A file's name, status and sizes: the fields before its lists. */
static void json_file_head(FILE *o, const file_result *f) {
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
    fprintf(o,
            "      \"header_raw_bytes\": %llu, \"header_stored_bytes\": %llu, \"frame_bytes\": "
            "%llu,\n",
            (unsigned long long)f->header_raw, (unsigned long long)f->header_stored,
            (unsigned long long)f->frames_total);
    /* checkpoint mode: emzip's container against byte-group Huffman per tensor + header */
    fprintf(o,
            "      \"container_bytes\": %llu, \"bytegroup_checkpoint_bytes\": %llu, "
            "\"bytegroup_tensor_bytes\": %llu, \"bytegroup_stream_bytes\": %llu",
            (unsigned long long)f->container_bytes, (unsigned long long)f->bg_checkpoint_bytes,
            (unsigned long long)f->bg_tensor_bytes, (unsigned long long)f->bg_stream_bytes);
    double fs = f->file_size ? (double)f->file_size : NAN;
    kv(o, "container_ratio_pct", f->container_bytes ? 100.0 * (double)f->container_bytes / fs : NAN,
       0);
    kv(o, "bytegroup_checkpoint_ratio_pct",
       f->bg_checkpoint_bytes ? 100.0 * (double)f->bg_checkpoint_bytes / fs : NAN, 0);
    fprintf(o, ",\n");
}

/* The emzip-stream frames of a file, one per emz type. */
static void json_streams(FILE *o, const file_result *f) {
    fprintf(o, "      \"stream_frame_bytes\": %llu, \"streams\": [",
            (unsigned long long)f->stream_frames_total);
    for (int k = 0; k < f->nstreams; k++) {
        const stream_summary *sm = &f->streams[k];
        fprintf(o,
                "%s{\"emz_type\": \"%s\", \"tensors\": %zu, \"bytes\": %llu, \"frame_bytes\": "
                "%llu",
                k ? ", " : "", emz_type_name(sm->type), sm->tensors, (unsigned long long)sm->bytes,
                (unsigned long long)sm->frame_bytes);
        kv(o, "ratio_pct", sm->bytes ? 100.0 * (double)sm->frame_bytes / (double)sm->bytes : 0, 0);
        fprintf(o, ", \"bytegroup_bytes\": %llu", (unsigned long long)sm->bg_bytes);
        kv(o, "bytegroup_ratio_pct",
           sm->bytes && sm->bg_bytes ? 100.0 * (double)sm->bg_bytes / (double)sm->bytes : NAN, 0);
        fputc('}', o);
    }
    fprintf(o, "],\n");
}

/* One dtype group of a file: its emzip ratio, and for a float group its bounds and stream. */
static void json_dtype(FILE *o, const group *gr, int last) {
    double ours = gr->bytes ? 100.0 * (double)gr->frame_bytes / (double)gr->bytes : 0;
    fprintf(o, "        {\"dtype\": ");
    json_string(o, gr->label);
    fprintf(o,
            ", \"emz_type\": \"%s\", \"tensors\": %zu, \"bytes\": %llu, \"frame_bytes\": %llu, "
            "\"frame_fixed_bytes\": %llu",
            emz_type_name(gr->type), gr->tensors, (unsigned long long)gr->bytes,
            (unsigned long long)gr->frame_bytes, (unsigned long long)gr->frame_fixed);
    kv(o, "ratio_pct", ours, 0);
    kv(o, "payload_ratio_pct",
       gr->bytes ? 100.0 * ((double)gr->frame_bytes - (double)gr->frame_fixed) / (double)gr->bytes
                 : 0,
       0);
    if (gr->b.valid) json_bounds_fields(o, gr, ours);
    if (gr->b.valid && gr->has_stream) json_stream_fields(o, gr);
    fprintf(o, "}%s\n", last ? "" : ",");
}

/* The dominant dtype of a file and each of its dtype groups. */
static void json_dtypes(FILE *o, const file_result *f) {
    fprintf(o, "      \"dominant_dtype\": ");
    json_string(o, f->dominant >= 0 ? f->groups[f->dominant].label : "");
    fprintf(o, ",\n      \"dtypes\": [\n");
    for (int g = 0; g < f->ngroups; g++)
        json_dtype(o, &f->groups[g], g + 1 == f->ngroups);
    fprintf(o, "      ],\n");
}

/* Table 1 of a file: emzip, emzip-stream, memcpy and the baselines. */
static void json_results(FILE *o, const file_result *f) {
    fprintf(o, "      \"results\": [\n");
    for (int r = 0; r < f->nrows; r++) {
        const result_row *x = &f->rows[r];
        fprintf(o, "        {\"codec\": \"%s\", \"level\": \"%s\", \"impl\": \"%s\"", x->codec,
                x->level, x->impl);
        kv(o, "ratio_pct", x->ratio_pct, 0);
        kv(o, "comp_gbps", x->comp_gbps, 0);
        kv(o, "decomp_gbps", x->decomp_gbps, 0);
        kv(o, "comp_best_gbps", x->comp_best_gbps, 0);
        kv(o, "decomp_best_gbps", x->decomp_best_gbps, 0);
        fprintf(o, ", \"comp_runs\": %d, \"decomp_runs\": %d, \"bytes\": %llu}%s\n", x->comp_runs,
                x->decomp_runs, (unsigned long long)x->bytes, r + 1 < f->nrows ? "," : "");
    }
    fprintf(o, "      ],\n");
}

/* One file's object in the "files" list (last: the list's last, no comma after it). */
static void json_file(FILE *o, const file_result *f, int last) {
    json_file_head(o, f);
    json_streams(o, f);
    json_dtypes(o, f);
    json_results(o, f);
    json_kernels(o, f);
    json_small(o, f);
    fprintf(o, "    }%s\n", last ? "" : ",");
}

void print_json(FILE *o, const file_result *fr, int n, const bench_opts *opt, int all_ok) {
    json_preamble(o, opt, all_ok);
    for (int i = 0; i < n; i++)
        json_file(o, &fr[i], i + 1 == n);
    fprintf(o, "  ],\n");
    json_targets(o, fr, n);
    fprintf(o, "}\n");
}
