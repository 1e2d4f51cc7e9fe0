/* kernel_bench.c - split / merge / checksum32 alone against memcpy (bench only). */
#include "kernel_bench.h"

#include "bench_util.h"
#include "engine/dispatch.h"
#include "format/element_types.h"
#include "timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Slack after each kernel buffer: the chunk scratch of the library has it too (SIMD tails
 * may store whole vectors), and the kernels are timed as the library calls them. */
#define SLACK 64

typedef struct kernel_job {
    const emz_kernels *k;
    emz_type type;
    const uint8_t *src;
    size_t m, bytes; /* element slots and their bytes */
    uint8_t *exps, *sm, *dst;
    uint32_t sum; /* checksum results land here, so the calls have an effect */
} kernel_job;

static int run_split(void *arg) {
    kernel_job *j = arg;
    j->k->split[j->type](j->src, j->m, j->exps, j->sm);
    return 0;
}

static int run_merge(void *arg) {
    kernel_job *j = arg;
    j->k->merge[j->type](j->exps, j->sm, j->m, j->dst);
    return 0;
}

static int run_checksum(void *arg) {
    kernel_job *j = arg;
    j->sum ^= j->k->checksum32(j->src, j->bytes);
    return 0;
}

static int run_memcpy(void *arg) {
    kernel_job *j = arg;
    memcpy(j->dst, j->src, j->bytes);
    return 0;
}

/* Every implementation against scalar on this buffer: split streams equal, merge restores the
 * input, checksum equal. The timed runs then share the stream buffers safely. */
static int check_kernels(const kernel_job *jobs, int n, const char *path, const char *label) {
    const emz_kernels *ref;
    if (emz_kernels_resolve(EMZ_IMPL_SCALAR, &ref) != EMZ_OK) return -1;
    const kernel_job *j0 = &jobs[0];
    size_t smb = (j0->m * emz_type_desc_get(j0->type)->signmant_bits + 7) / 8;
    uint8_t *e0 = xmalloc(j0->m + SLACK), *s0 = xmalloc(smb + SLACK);
    ref->split[j0->type](j0->src, j0->m, e0, s0);
    uint32_t c0 = ref->checksum32(j0->src, j0->bytes);
    int bad = 0;
    for (int i = 0; i < n; i++) {
        const kernel_job *j = &jobs[i];
        j->k->split[j->type](j->src, j->m, j->exps, j->sm);
        memset(j->dst, 0xA5, j->bytes);
        j->k->merge[j->type](j->exps, j->sm, j->m, j->dst);
        const char *what =
            memcmp(j->exps, e0, j->m) || memcmp(j->sm, s0, smb) ? "split differs from scalar"
            : memcmp(j->dst, j->src, j->bytes)                  ? "merge does not restore the input"
            : j->k->checksum32(j->src, j->bytes) != c0          ? "checksum32 differs from scalar"
                                                                : NULL;
        if (what) {
            fprintf(stderr, "emzip-bench: %s: %s kernels (%s, %zu bytes): %s\n", path, j->k->name,
                    label, j->bytes, what);
            bad = 1;
        }
    }
    free(e0);
    free(s0);
    return bad ? -1 : 0;
}

int kernel_bench_group(file_result *fr, int group, const uint8_t *data, size_t size, emz_type t,
                       const bench_opts *o) {
    const impl_set *is = &o->impls;
    const emz_type_desc *d = emz_type_desc_get(t);
    size_t all_bytes = size - emz_chunk_tail(d, size); /* whole elements only */
    int rc = 0;
    fr->krows = realloc(fr->krows, sizeof(kernel_row) * (size_t)(fr->nkrows + 2 * is->n));
    if (!fr->krows) {
        fprintf(stderr, "emzip-bench: out of memory\n");
        exit(2);
    }
    for (int whole = 0; whole <= 1; whole++) {
        size_t bytes = whole || all_bytes <= KERNEL_L2_BYTES ? all_bytes : KERNEL_L2_BYTES;
        if (whole && all_bytes <= KERNEL_L2_BYTES)
            break; /* the L2 row already is the whole group */
        bytes -= emz_chunk_tail(d, bytes);
        size_t m = emz_chunk_slots(d, bytes), smb = (m * d->signmant_bits + 7) / 8;
        uint8_t *exps = xmalloc(m + SLACK), *sm = xmalloc(smb + SLACK),
                *dst = xmalloc(bytes + SLACK);
        kernel_job *jobs = xcalloc((size_t)is->n, sizeof *jobs);
        for (int i = 0; i < is->n; i++) {
            const emz_kernels *k;
            if (emz_kernels_resolve(is->impl[i], &k) != EMZ_OK) {
                fprintf(stderr, "emzip-bench: no kernel table for %s\n",
                        emz_impl_name(is->impl[i]));
                exit(2);
            }
            jobs[i] = (kernel_job){k, t, data, m, bytes, exps, sm, dst, 0};
        }
        if (check_kernels(jobs, is->n, fr->path, fr->groups[group].label)) rc = -1;
        /* one memcpy, then split, merge, checksum of every implementation, interleaved */
        kernel_job cp = jobs[0];
        size_t nr = 1 + 3 * (size_t)is->n;
        timed_run *r = xcalloc(nr, sizeof *r);
        r[0] = (timed_run){run_memcpy, &cp, {0, 0, 0, 0, 0}};
        for (int i = 0; i < is->n; i++) {
            r[1 + 3 * i] = (timed_run){run_split, &jobs[i], {0, 0, 0, 0, 0}};
            r[2 + 3 * i] = (timed_run){run_merge, &jobs[i], {0, 0, 0, 0, 0}};
            r[3 + 3 * i] = (timed_run){run_checksum, &jobs[i], {0, 0, 0, 0, 0}};
        }
        time_interleaved(r, nr, o->reps);
        for (int i = 0; i < is->n; i++) {
            timing ts = r[1 + 3 * i].t, tm = r[2 + 3 * i].t, tc = r[3 + 3 * i].t, tcp = r[0].t;
            int runs = ts.runs;
            if (tm.runs < runs) runs = tm.runs;
            if (tc.runs < runs) runs = tc.runs;
            if (tcp.runs < runs) runs = tcp.runs;
            fr->krows[fr->nkrows++] = (kernel_row){
                group,
                is->impl[i],
                whole,
                bytes,
                gbps(bytes, ts),
                gbps(bytes, tm),
                gbps(bytes, tc),
                gbps(bytes, tcp),
                best_gbps(bytes, ts),
                best_gbps(bytes, tm),
                best_gbps(bytes, tc),
                best_gbps(bytes, tcp),
                runs,
            };
        }
        free(r);
        free(jobs);
        free(exps);
        free(sm);
        free(dst);
    }
    return rc;
}
