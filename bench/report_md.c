/* report_md.c - the Markdown tables of emzip-bench (bench only). */
#include "bench_util.h"
#include "report.h"
#include "report_compare.h"
#include "targets.h"

#include <stdlib.h>

/* A median whose fastest repetition is this much faster was disturbed by other load during
 * part of the run; the Markdown marks it so that it is not read as a property of the code. */
#define NOISY 1.25

/* A speed with 2 or 3 decimals, and " †" when it is noisy. */
static void speed(FILE *o, double median, double best, int decimals) {
    fprintf(o, " %.*f%s |", decimals, median, median > 0 && best > NOISY * median ? " †" : "");
}

static void print_header(FILE *o, const bench_opts *opt, int all_ok) {
    char impls[64];
    impl_set_format(&opt->impls, impls, sizeof impls);
    char chunk[64] = "emzip's default chunk size per type";
    if (opt->chunk) snprintf(chunk, sizeof chunk, "chunk %zu bytes", opt->chunk);
    fprintf(o, "# emzip-bench (emzip %s, %s, median of up to %d runs, single thread)\n\n",
            emz_version_string(), chunk, opt->reps);
    fprintf(
        o,
        "Implementations: %s (each forced per context; in every repetition each implementation, "
        "memcpy and each baseline run once in turn, and the median over the repetitions is "
        "reported). GB/s = 1e9 bytes of uncompressed data per second. † = the fastest repetition "
        "was more than %.0f%% faster than the median: other load disturbed that measurement. "
        "Round trips: %s.\n\n",
        impls, (NOISY - 1) * 100, all_ok ? "all byte-identical" : "**SOME FAILED (see stderr)**");
}

/* A value, or "–" when it was not measured (< 0). */
static void cell(FILE *o, double v) {
    if (v < 0)
        fputs(" – |", o);
    else
        fprintf(o, " %.2f |", v);
}

static void bar_cell(FILE *o, double v, double bar) {
    int met = target_met(v, bar);
    if (met < 0)
        fputs(" – |", o);
    else
        fprintf(o, " ≥ %g %s |", bar, met ? "✓" : "✗");
}

static void print_targets(FILE *o, const file_result *fr, int n) {
    target_row *t;
    int nt = targets_collect(fr, n, &t);
    if (!nt) return;
    fprintf(
        o,
        "## Targets\n\nFiles whose main dtype has at least 1 MiB; decompression and compression "
        "are emzip-stream (one frame per dtype, checksums verified); kernels on a 256 KiB "
        "buffer (fits in L2); 64 KiB = frames of 64 KiB slices against the one whole-group frame. "
        "– = no bar applies or not measured.\n\n"
        "| file | dtype | impl | decomp GB/s | bar | comp GB/s | bar | split / memcpy | merge / "
        "memcpy | bar | "
        "64 KiB vs large | bar |\n|---|---|---|---:|---|---:|---|---:|---:|---|---:|---|\n");
    for (int i = 0; i < nt; i++) {
        const target_row *x = &t[i];
        const file_result *f = &fr[x->file];
        fprintf(o, "| %s | %s | %s |", base_name(f->path), f->groups[x->group].label,
                emz_impl_name(x->impl));
        if (x->decomp < 0)
            cell(o, x->decomp);
        else
            speed(o, x->decomp, x->decomp_best, 2);
        bar_cell(o, x->decomp, x->decomp_bar);
        if (x->comp < 0)
            cell(o, x->comp);
        else
            speed(o, x->comp, x->comp_best, 2);
        bar_cell(o, x->comp, x->comp_bar);
        cell(o, x->split_x);
        cell(o, x->merge_x);
        /* one bar for both kernels: met only when both are */
        double worst = x->split_x < x->merge_x ? x->split_x : x->merge_x;
        bar_cell(o, worst, x->kernel_bar);
        cell(o, x->small64);
        bar_cell(o, x->small64, x->small_bar);
        fputc('\n', o);
    }
    fputc('\n', o);
    free(t);
}

static void print_speed(FILE *o, const file_result *fr, int n) {
    fprintf(o,
            "## Ratio and speed\n\n"
            "emzip: each tensor compressed as its own frame; its ratio counts all frames plus the "
            "safetensors header stored as 8 + zstd -19 of the JSON, over the file size. "
            "emzip-stream: the tensors of each emzip type concatenated in data-offset order and "
            "compressed as one frame per type (decompression verifies checksums); ratio counted "
            "the same way. libdeflate (raw DEFLATE) and zstd compress the whole file in one shot. "
            "bytegroup-huf: byte-group Huffman (ZipNN's method: exponent byte, byte groups, "
            "Huff0 per 256 KiB chunk) on each tensor; bytegroup-huf-stream: the same on each "
            "emzip-stream buffer; ratios counted as emzip's. Bytes per second are tensor bytes "
            "for emzip, emzip-stream, byte-group Huffman and memcpy, file bytes for libdeflate "
            "and zstd.\n\n"
            "| file | codec | level | impl | ratio %% | comp GB/s | decomp GB/s |\n"
            "|---|---|---|---|---:|---:|---:|\n");
    for (int i = 0; i < n; i++) {
        const file_result *f = &fr[i];
        if (f->error[0] && !f->nrows) {
            fprintf(o, "| %s | ERROR: %s | | | | | |\n", base_name(f->path), f->error);
            continue;
        }
        for (int r = 0; r < f->nrows; r++) {
            const result_row *x = &f->rows[r];
            fprintf(o, "| %s | %s | %s | %s | %.2f |", base_name(f->path), x->codec, x->level,
                    x->impl, x->ratio_pct);
            speed(o, x->comp_gbps, x->comp_best_gbps, 3);
            speed(o, x->decomp_gbps, x->decomp_best_gbps, 3);
            fputc('\n', o);
        }
    }
    fputc('\n', o);
}

static void print_kernels(FILE *o, const file_result *fr, int n) {
    char l2[32];
    format_size(l2, sizeof l2, KERNEL_L2_BYTES);
    fprintf(o,
            "## Kernels alone\n\n"
            "Split (elements -> exponent bytes + packed sign+mantissa) and merge (the inverse) of "
            "each implementation's kernel table, and the chunk checksum32, called once on the "
            "buffer; memcpy copies the same element bytes. Buffer L2 = the first %s of the "
            "dtype's tensors concatenated (fits in L2 with its streams); whole = all of them. "
            "GB/s = element bytes per second; × memcpy = kernel GB/s / memcpy GB/s.\n\n"
            "| file | dtype | impl | buffer | bytes | split GB/s | merge GB/s | checksum32 GB/s | "
            "memcpy GB/s | split × memcpy | merge × memcpy | checksum × memcpy |\n"
            "|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
            l2);
    for (int i = 0; i < n; i++) {
        const file_result *f = &fr[i];
        for (int k = 0; k < f->nkrows; k++) {
            const kernel_row *x = &f->krows[k];
            double m = x->memcpy_gbps > 0 ? x->memcpy_gbps : 1;
            fprintf(o, "| %s | %s | %s | %s | %llu |", base_name(f->path),
                    f->groups[x->group].label, emz_impl_name(x->impl), x->whole ? "whole" : "L2",
                    (unsigned long long)x->bytes);
            speed(o, x->split_gbps, x->split_best, 2);
            speed(o, x->merge_gbps, x->merge_best, 2);
            speed(o, x->checksum_gbps, x->checksum_best, 2);
            speed(o, x->memcpy_gbps, x->memcpy_best, 2);
            fprintf(o, " %.2f | %.2f | %.2f |\n", x->split_gbps / m, x->merge_gbps / m,
                    x->checksum_gbps / m);
        }
    }
    fputc('\n', o);
}

static void small_cells(FILE *o, const small_cell *c, int with_us) {
    if (!c->present) {
        fputs(with_us ? " – | – | – |" : " – | – |", o);
        return;
    }
    speed(o, c->gbps, c->best_gbps, 2);
    fprintf(o, " %.2f |", c->vs_large);
    if (with_us) fprintf(o, " %.2f |", c->us_per_call);
}

static void print_small(FILE *o, const file_result *fr, int n) {
    fprintf(o,
            "## Small inputs\n\n"
            "Each dtype's tensors concatenated, cut into consecutive slices of 4 KiB, 64 KiB and "
            "1 MiB, each slice compressed as its own frame; decompression (checksums verified) of "
            "all of them, one emz_decompress call per frame, against one frame of the whole "
            "group. GB/s over the group's bytes; vs large = slice GB/s / whole-group GB/s; µs/call "
            "= median time of one call. – = slice not smaller than the group.\n\n"
            "| file | dtype | impl | bytes | whole GB/s | 1 MiB GB/s | vs large | 64 KiB GB/s | vs "
            "large | "
            "64 KiB µs/call | 4 KiB GB/s | vs large | 4 KiB µs/call |\n"
            "|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int i = 0; i < n; i++) {
        const file_result *f = &fr[i];
        for (int k = 0; k < f->nsrows; k++) {
            const small_row *x = &f->srows[k];
            const small_cell *w = &x->cell[SMALL_SLICE_COUNT];
            fprintf(o, "| %s | %s | %s | %llu |", base_name(f->path), f->groups[x->group].label,
                    emz_impl_name(x->impl), (unsigned long long)x->bytes);
            speed(o, w->gbps, w->best_gbps, 2);
            small_cells(o, &x->cell[2], 0);
            small_cells(o, &x->cell[1], 1);
            small_cells(o, &x->cell[0], 1);
            fputc('\n', o);
        }
    }
    fputc('\n', o);
}

static void print_bounds(FILE *o, const file_result *fr, int n) {
    fprintf(
        o,
        "## Ratio against entropy bounds (%% of the tensor bytes of each float dtype)\n\n"
        "(a) = whole-file order-0 exponent H + sign+mantissa H (as corpus entropy.py); "
        "(b) = per chunk: exponent order-0 H + M raw sign+mantissa bits; "
        "chunk exp+sm H = per chunk exponent H + sign+mantissa H (FP16/FP32: its byte planes); "
        "chunk byte H = per chunk whole-byte order-0 H (WHOLE); best = per chunk the "
        "smallest of the layouts format version 2 allows (SPLIT, WHOLE, BYTES). payload = emzip "
        "without the fixed 36 + 8 × "
        "chunks "
        "bytes of each frame (header, index). model = the smallest frames the format allows with "
        "optimal 11-bit-limited Huffman codes per stream (cheapest of RAW / CONSTANT / HUFFMAN per "
        "stream, of SPLIT / WHOLE / BYTES per chunk, all table, lane and index bytes counted). "
        "stream = emzip-stream, the dtype's tensors concatenated in data-offset order as one "
        "frame; stream bound = (b) for that layout (the concatenated buffer cut into chunks of "
        "the chunk size, so chunks straddle tensors). * = dominant dtype.\n\n"
        "| file | dtype | tensors | bytes | emzip %% | payload %% | (a) whole-file split H %% | "
        "whole-file element H %% | (b) chunk expH + raw M %% | emzip − (b) pts | "
        "chunk exp+sm H %% | chunk byte H %% | chunk best %% | emzip − best pts | model %% | emzip "
        "− model pts | "
        "stream %% | stream bound %% | stream − bound pts | stream − (a) pts |\n"
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|-"
        "--:|---:|\n");
    for (int i = 0; i < n; i++) {
        const file_result *f = &fr[i];
        for (int g = 0; g < f->ngroups; g++) {
            const group *gr = &f->groups[g];
            const bounds *b = &gr->b;
            if (!b->valid) continue;
            double ours = 100.0 * (double)gr->frame_bytes / (double)gr->bytes;
            char eh[32] = "–", bh[32] = "–";
            if (b->wf_elem_bits >= 0)
                snprintf(eh, sizeof eh, "%.2f", pct(b->wf_elem_bits, gr->bytes));
            if (b->ck_byte_bits >= 0)
                snprintf(bh, sizeof bh, "%.2f", pct(b->ck_byte_bits, gr->bytes));
            double pay =
                100.0 * ((double)gr->frame_bytes - (double)gr->frame_fixed) / (double)gr->bytes;
            fprintf(o,
                    "| %s | %s%s | %zu | %llu | %.2f | %.2f | %.2f | %s | %.2f | %+.2f | %.2f | %s "
                    "| %.2f | %+.2f | %.2f | %+.2f | ",
                    base_name(f->path), gr->label, g == f->dominant ? "*" : "", gr->tensors,
                    (unsigned long long)gr->bytes, ours, pay, pct(b->wf_split_bits, gr->bytes), eh,
                    pct(b->ck_exp_raw_bits, gr->bytes), ours - pct(b->ck_exp_raw_bits, gr->bytes),
                    pct(b->ck_exp_sm_bits, gr->bytes), bh, pct(b->ck_best_bits, gr->bytes),
                    ours - pct(b->ck_best_bits, gr->bytes),
                    100.0 * b->model_bytes / (double)gr->bytes,
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
}

static void print_dtypes(FILE *o, const file_result *fr, int n) {
    fprintf(
        o,
        "\n## Per-dtype emzip ratio and header\n\n| file | file bytes | header raw | header stored "
        "(8 + zstd -19) | dtype: tensors, emzip %% of its bytes | emzip-stream: emz type, tensors, "
        "%% of its bytes |\n"
        "|---|---:|---:|---:|---|---|\n");
    for (int i = 0; i < n; i++) {
        const file_result *f = &fr[i];
        fprintf(o, "| %s | %llu | %llu | %llu | ", base_name(f->path),
                (unsigned long long)f->file_size, (unsigned long long)f->header_raw,
                (unsigned long long)f->header_stored);
        for (int g = 0; g < f->ngroups; g++) {
            const group *gr = &f->groups[g];
            fprintf(o, "%s%s%s: %zu, %.2f%%", g ? "; " : "", gr->label, g == f->dominant ? "*" : "",
                    gr->tensors,
                    gr->bytes ? 100.0 * (double)gr->frame_bytes / (double)gr->bytes : 0.0);
        }
        fprintf(o, " | ");
        for (int k = 0; k < f->nstreams; k++) {
            const stream_summary *sm = &f->streams[k];
            fprintf(o, "%s%s: %zu, %.2f%%", k ? "; " : "", emz_type_name(sm->type), sm->tensors,
                    sm->bytes ? 100.0 * (double)sm->frame_bytes / (double)sm->bytes : 0.0);
        }
        fprintf(o, " |\n");
    }
}

void print_markdown(FILE *o, const file_result *fr, int n, const bench_opts *opt, int all_ok) {
    print_header(o, opt, all_ok);
    print_summary(o, fr, n);
    print_targets(o, fr, n);
    print_speed(o, fr, n);
    print_bytegroup(o, fr, n);
    if (opt->kernels) print_kernels(o, fr, n);
    if (opt->small) print_small(o, fr, n);
    print_bounds(o, fr, n);
    print_dtypes(o, fr, n);
}
