/* report_compare.c - the summary per dtype and the table against byte-group Huffman
 * (bench only). */
#include "report_compare.h"

#include "bench_util.h"

#include <string.h>

/* ---- summary ---- */

/* Totals of one codec over some files: ratio = compressed / original bytes, speed = bytes /
 * time, so that large files weigh by their size as in a checkpoint. */
typedef struct total {
    double orig, comp, bytes, seconds;
    int missing; /* a file lacks the row or its speed */
} total;

static const result_row *find_row(const file_result *f, const char *codec, const char *level,
                                  const char *impl) {
    for (int r = 0; r < f->nrows; r++) {
        const result_row *x = &f->rows[r];
        if (!strcmp(x->codec, codec) && !strcmp(x->level, level) && !strcmp(x->impl, impl))
            return x;
    }
    return NULL;
}

static void total_add(total *t, const file_result *f, const result_row *r) {
    if (!r || r->decomp_gbps <= 0) {
        t->missing = 1;
        return;
    }
    t->orig += (double)f->file_size;
    t->comp += r->ratio_pct / 100.0 * (double)f->file_size;
    t->bytes += (double)r->bytes;
    t->seconds += (double)r->bytes / (r->decomp_gbps * 1e9);
}

static double total_gbps(const total *t) {
    return t->seconds > 0 ? t->bytes / t->seconds / 1e9 : 0;
}

static void total_cells(FILE *o, const total *t, const char *impl) {
    if (t->missing || t->orig <= 0) {
        fputs(" – | – |", o);
        return;
    }
    fprintf(o, " %.2f | %.2f%s%s%s |", 100.0 * t->comp / t->orig, total_gbps(t), impl ? " (" : "",
            impl ? impl : "", impl ? ")" : "");
}

static const char *dominant_label(const file_result *f) {
    return f->dominant >= 0 && f->nrows ? f->groups[f->dominant].label : NULL;
}

/* One summary row: the files whose dominant dtype is label. */
static void summary_row(FILE *o, const file_result *fr, int n, const char *label) {
    total emz[EMZ_IMPL_COUNT], zs, ld, bg;
    const char *impl[EMZ_IMPL_COUNT];
    int nimpl = 0, files = 0;
    double mb = 0;
    memset(emz, 0, sizeof emz), memset(&zs, 0, sizeof zs), memset(&ld, 0, sizeof ld);
    memset(&bg, 0, sizeof bg);
    for (int i = 0; i < n; i++) {
        const file_result *f = &fr[i];
        if (!dominant_label(f) || strcmp(dominant_label(f), label)) continue;
        files++, mb += (double)f->file_size / 1e6;
        for (int r = 0; r < f->nrows; r++) /* the implementations, in the order measured */
            if (!strcmp(f->rows[r].codec, "emzip") && !strcmp(f->rows[r].level, "verify")) {
                int k = 0;
                while (k < nimpl && strcmp(impl[k], f->rows[r].impl))
                    k++;
                if (k == nimpl && nimpl < EMZ_IMPL_COUNT) impl[nimpl++] = f->rows[r].impl;
            }
        for (int k = 0; k < nimpl; k++)
            total_add(&emz[k], f, find_row(f, "emzip", "verify", impl[k]));
        total_add(&zs, f, find_row(f, "zstd", "19", "-"));
        total_add(&ld, f, find_row(f, "libdeflate", "12", "-"));
        total_add(&bg, f, find_row(f, "bytegroup-huf", "-", "-"));
    }
    int best = 0;
    for (int k = 1; k < nimpl; k++)
        if (!emz[k].missing && total_gbps(&emz[k]) > total_gbps(&emz[best])) best = k;
    fprintf(o, "| %s | %d | %.1f |", strcmp(label, "FP4_E2M1") ? label : "FP4 (MXFP4)", files, mb);
    if (nimpl)
        total_cells(o, &emz[best], impl[best]);
    else
        fputs(" – | – |", o);
    total_cells(o, &zs, NULL);
    total_cells(o, &ld, NULL);
    total_cells(o, &bg, NULL);
    fputc('\n', o);
}

void print_summary(FILE *o, const file_result *fr, int n) {
    static const char *const order[] = {"BF16", "F16", "F32", "F8_E4M3", "F8_E5M2", "FP4_E2M1"};
    const int norder = (int)(sizeof order / sizeof order[0]);
    fprintf(o, "## Summary\n\n"
               "| dominant dtype | files | MB | emzip ratio %% | emzip decomp GB/s (impl) | zstd "
               "-19 ratio %% | zstd -19 GB/s | libdeflate -12 ratio %% | libdeflate -12 GB/s | "
               "byte-group Huffman ratio %% | byte-group Huffman GB/s |\n"
               "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (int k = 0; k < norder; k++)
        summary_row(o, fr, n, order[k]);
    for (int i = 0; i < n; i++) { /* any other dominant dtype, once, in file order */
        const char *l = dominant_label(&fr[i]);
        int seen = !l;
        for (int k = 0; k < norder && !seen; k++)
            seen = !strcmp(l, order[k]);
        for (int j = 0; j < i && !seen; j++)
            seen = dominant_label(&fr[j]) && !strcmp(l, dominant_label(&fr[j]));
        if (!seen) summary_row(o, fr, n, l);
    }
    fprintf(o, "\nTotals over the files of each dominant dtype (the FP8 files also hold their F32 "
               "scales, the MXFP4 files their U8 scales): ratio = compressed / original bytes "
               "(lower is smaller), GB/s = original bytes / decompression time, one thread. emzip: "
               "a frame per tensor, as checkpoint mode stores them, checksums verified, the "
               "implementation that decompressed fastest; zstd and libdeflate at their "
               "smallest-output levels, on the whole file (their decompression speed hardly "
               "depends on the level); byte-group Huffman (ZipNN's method) per tensor. All other "
               "levels, emzip-stream and compression speeds are in \"Ratio and speed\".\n\n");
}

/* ---- emzip against byte-group Huffman ---- */

typedef struct bar_count {
    int checks, over;
} bar_count;

static void compare_row(FILE *o, const file_result *f, const char *mode, const char *data,
                        uint64_t bytes, uint64_t ours, uint64_t theirs, bar_count *c) {
    fprintf(o, "| %s | %s | %s | %llu |", base_name(f->path), mode, data,
            (unsigned long long)bytes);
    if (!bytes || !ours || !theirs) {
        fputs(" – | – | – | – |\n", o);
        return;
    }
    double e = 100.0 * (double)ours / (double)bytes, b = 100.0 * (double)theirs / (double)bytes;
    int ok = e <= b + BG_BAR_PTS;
    c->checks++, c->over += !ok;
    fprintf(o, " %.2f | %.2f | %+.2f | %s |\n", e, b, e - b, ok ? "✓" : "✗ over");
}

void print_bytegroup(FILE *o, const file_result *fr, int n) {
    fprintf(o,
            "## emzip against byte-group Huffman (ZipNN's method)\n\n"
            "checkpoint: the whole file; emzip = the container `emzip compress FILE` writes "
            "(read back and compared), byte-group Huffman = every tensor coded on its own as "
            "its dtype, the header and any untyped bytes as bytes. raw: one emzip type's "
            "tensors concatenated in data-offset order; emzip = its emzip-stream frame, "
            "byte-group Huffman on the same buffer. %% of the bytes in the bytes column; "
            "byte-group Huffman counts 4 bytes per chunk and group for its sizes. The bar is "
            "emzip ≤ byte-group Huffman + %.1f points (ratio + 0.002).\n\n"
            "| file | mode | data | bytes | emzip %% | byte-group Huffman %% | emzip − BGH pts | "
            "bar |\n|---|---|---|---:|---:|---:|---:|---|\n",
            BG_BAR_PTS);
    bar_count c = {0, 0};
    for (int i = 0; i < n; i++) {
        const file_result *f = &fr[i];
        if (!f->nrows) continue;
        compare_row(o, f, "checkpoint", "whole file", f->file_size, f->container_bytes,
                    f->bg_checkpoint_bytes, &c);
        for (int k = 0; k < f->nstreams; k++) {
            const stream_summary *s = &f->streams[k];
            char data[48];
            snprintf(data, sizeof data, "%s, %zu tensor%s", emz_type_name(s->type), s->tensors,
                     s->tensors == 1 ? "" : "s");
            compare_row(o, f, "raw", data, s->bytes, s->frame_bytes, s->bg_bytes, &c);
        }
    }
    fprintf(o, "\nWithin the bar: %d of %d; over it: %d.\n\n", c.checks - c.over, c.checks, c.over);
}
