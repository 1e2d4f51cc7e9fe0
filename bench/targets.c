/* targets.c - the speed bars emzip must show (single core), against a run's measurements. */
#include "targets.h"

#include <stdlib.h>
#include <string.h>

/* Decompression bars in GB/s: BF16 8 with AVX-512 and 6 with AVX2; FP8 4; FP16 and FP32 8.
 * The FP8/FP16/FP32 bars name no instruction set, so they apply to every SIMD implementation.
 * Scalar is the portable reference and has no bar. */
static double decomp_bar(emz_type t, emz_impl impl) {
    if (impl == EMZ_IMPL_SCALAR) return 0;
    switch (t) {
    case EMZ_TYPE_BF16:
        return impl == EMZ_IMPL_AVX512 ? 8 : impl == EMZ_IMPL_AVX2 ? 6 : 0;
    case EMZ_TYPE_FP8_E4M3:
    case EMZ_TYPE_FP8_E5M2:
        return 4;
    case EMZ_TYPE_FP16:
    case EMZ_TYPE_FP32:
        return 8;
    default:
        return 0;
    }
}

/* "compression >= 3 GB/s" is stated among the BF16 bars, so it is read as a BF16 bar. */
static double comp_bar(emz_type t, emz_impl impl) {
    return impl != EMZ_IMPL_SCALAR && t == EMZ_TYPE_BF16 ? 3 : 0;
}

/* Split and merge alone >= 0.7 x memcpy for buffers that fit in L2: every float type. */
static double kernel_bar(emz_impl impl) {
    return impl != EMZ_IMPL_SCALAR ? 0.7 : 0;
}

/* A 64 KiB BF16 input decompresses at >= half the large-input speed. */
static double small_bar(emz_type t, emz_impl impl) {
    return impl != EMZ_IMPL_SCALAR && t == EMZ_TYPE_BF16 ? 0.5 : 0;
}

int target_met(double value, double bar) {
    if (bar <= 0 || value < 0) return -1;
    return value >= bar;
}

static const result_row *stream_row(const file_result *f, const char *impl) {
    for (int r = 0; r < f->nrows; r++)
        if (strcmp(f->rows[r].codec, "emzip-stream") == 0 && strcmp(f->rows[r].impl, impl) == 0)
            return &f->rows[r];
    return NULL;
}

static void fill(target_row *t, const file_result *f) {
    const group *g = &f->groups[t->group];
    const result_row *r = stream_row(f, emz_impl_name(t->impl));
    t->decomp = r ? r->decomp_gbps : -1;
    t->comp = r ? r->comp_gbps : -1;
    t->decomp_best = r ? r->decomp_best_gbps : -1;
    t->comp_best = r ? r->comp_best_gbps : -1;
    t->decomp_bar = decomp_bar(g->type, t->impl);
    t->comp_bar = comp_bar(g->type, t->impl);
    t->split_x = t->merge_x = -1;
    for (int k = 0; k < f->nkrows; k++) {
        const kernel_row *kr = &f->krows[k];
        if (kr->group == t->group && kr->impl == t->impl && !kr->whole && kr->memcpy_gbps > 0) {
            t->split_x = kr->split_gbps / kr->memcpy_gbps;
            t->merge_x = kr->merge_gbps / kr->memcpy_gbps;
        }
    }
    t->kernel_bar = kernel_bar(t->impl);
    t->small64 = -1;
    for (int k = 0; k < f->nsrows; k++) {
        const small_row *sr = &f->srows[k];
        if (sr->group == t->group && sr->impl == t->impl && sr->cell[1].present)
            t->small64 = sr->cell[1].vs_large;
    }
    t->small_bar = small_bar(g->type, t->impl);
}

int targets_collect(const file_result *fr, int n, target_row **rows) {
    *rows = NULL;
    int count = 0, cap = 0;
    for (int i = 0; i < n; i++) {
        const file_result *f = &fr[i];
        if (f->dominant < 0 || !f->nrows) continue;
        const group *g = &f->groups[f->dominant];
        if (g->type == EMZ_TYPE_BYTES || g->bytes < TARGET_MIN_BYTES) continue;
        /* the implementations of this run, in its order, from its emzip-stream rows */
        int simd = 0;
        for (int r = 0; r < f->nrows; r++)
            if (strcmp(f->rows[r].codec, "emzip-stream") == 0 &&
                strcmp(f->rows[r].impl, "scalar") != 0)
                simd = 1;
        for (int r = 0; r < f->nrows; r++) {
            const result_row *x = &f->rows[r];
            if (strcmp(x->codec, "emzip-stream") != 0 || (simd && strcmp(x->impl, "scalar") == 0))
                continue;
            emz_impl impl = EMZ_IMPL_AUTO;
            for (int k = EMZ_IMPL_SCALAR; k < EMZ_IMPL_COUNT; k++)
                if (strcmp(emz_impl_name((emz_impl)k), x->impl) == 0) impl = (emz_impl)k;
            if (count == cap) {
                cap = cap ? 2 * cap : 16;
                target_row *nr = realloc(*rows, sizeof **rows * (size_t)cap);
                if (!nr) {
                    free(*rows);
                    *rows = NULL;
                    return 0;
                }
                *rows = nr;
            }
            target_row *t = &(*rows)[count++];
            memset(t, 0, sizeof *t);
            t->file = i, t->group = f->dominant, t->impl = impl;
            fill(t, f);
        }
    }
    return count;
}
