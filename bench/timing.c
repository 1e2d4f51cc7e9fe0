/* timing.c - interleaved, repeated timing of several measurements (bench only). */
#include "timing.h"

#include "bench_util.h"

#include <math.h>
#include <stdlib.h>

typedef struct run_state {
    long iters;
    int reps;    /* repetitions this measurement takes part in */
    int active;  /* still being repeated */
    double *sec; /* seconds per run of each repetition */
} run_state;

void time_interleaved(timed_run *r, size_t n, int reps) {
    run_state *st = xcalloc(n, sizeof *st);
    int max_reps = 0;
    for (size_t k = 0; k < n; k++) {
        r[k].t = (timing){0, 0, 0, 0, 0};
        /* the warm-up faults in output pages and fills caches and context scratch */
        double t0 = now_seconds();
        if (r[k].fn(r[k].arg)) continue;
        double tw = now_seconds() - t0;
        if (tw >= SLOW_SECONDS) { /* e.g. zstd -19 on a large file: the warm-up is the run */
            r[k].t = (timing){tw, tw, 1, 1, 1};
            continue;
        }
        long iters = 1;
        if (tw < MIN_REP_SECONDS) {
            /* loop short operations so that timer resolution and call overhead vanish */
            double q = MIN_REP_SECONDS / (tw > 1e-7 ? tw : 1e-7);
            iters = q > 1e6 ? 1000000 : (long)ceil(q);
        }
        int rk = reps;
        if (tw * (double)iters * rk > BUDGET_SECONDS) {
            rk = (int)(BUDGET_SECONDS / (tw * (double)iters));
            if (rk < 1) rk = 1;
        }
        st[k] = (run_state){iters, rk, 1, xmalloc(sizeof(double) * (size_t)rk)};
        if (rk > max_reps) max_reps = rk;
    }
    for (int i = 0; i < max_reps; i++) {
        for (size_t j = 0; j < n; j++) {
            size_t k = ((size_t)i + j) % n;
            if (!st[k].active || i >= st[k].reps) continue;
            double a = now_seconds();
            for (long it = 0; it < st[k].iters; it++)
                if (r[k].fn(r[k].arg)) {
                    st[k].active = 0;
                    break;
                }
            if (!st[k].active) {
                st[k].reps = 0;
                continue;
            } /* failed: ok stays 0 */
            st[k].sec[i] = (now_seconds() - a) / (double)st[k].iters;
        }
    }
    for (size_t k = 0; k < n; k++) {
        if (st[k].active) {
            double med = sort_median(st[k].sec, st[k].reps);
            r[k].t = (timing){med, st[k].sec[0], st[k].reps, st[k].iters, 1};
        }
        free(st[k].sec);
    }
    free(st);
}

double gbps(uint64_t bytes, timing t) {
    return t.ok && t.seconds > 0 ? (double)bytes / t.seconds / 1e9 : 0;
}

double best_gbps(uint64_t bytes, timing t) {
    return t.ok && t.best > 0 ? (double)bytes / t.best / 1e9 : 0;
}
