/* parallel.h - runs the items of a call on several threads (chunks are independent). */
#ifndef EMZ_PARALLEL_H
#define EMZ_PARALLEL_H

#include "emzip.h"

#include <stdatomic.h>
#include <stdint.h>

#define EMZ_MAX_THREADS 256

/* Runs task(ctx, worker, item) for every item in [0, items): worker is 0..workers-1 and no
 * two concurrent calls share one, so per-worker scratch needs no lock. Items are handed out
 * one at a time from an atomic counter (no global lock, and a slow chunk does not hold up a
 * whole share). The first error stops the hand-out and is returned. workers <= 1, or a
 * thread that cannot be created, runs the items on the calling thread. */
typedef emz_status (*emz_task_fn)(void *ctx, unsigned worker, uint64_t item);
emz_status emz_parallel_for(unsigned workers, uint64_t items, emz_task_fn task, void *ctx);

/* The items of one run, handed out from an atomic counter, one at a time or a few consecutive
 * ones (grain) at a time (no global lock, and a slow item does not hold up a whole share); the
 * first error stops the hand-out. Shared by emz_parallel_for and the persistent pool (pool.c). */
typedef struct emz_work {
    emz_task_fn task;
    void *ctx;
    uint64_t items;
    uint64_t grain; /* consecutive items taken at once */
    atomic_uint_fast64_t next;
    atomic_int status; /* EMZ_OK until the first failure */
} emz_work;

void emz_work_init(emz_work *w, uint64_t items, emz_task_fn task, void *ctx);
/* The same, items taken grain at a time (at least 1). */
void emz_work_init_grain(emz_work *w, uint64_t items, uint64_t grain, emz_task_fn task, void *ctx);
/* Runs items as worker until none is left or one failed. */
void emz_work_take(emz_work *w, unsigned worker);

/* Checks an EMZ_PARAM_THREADS value (0..EMZ_MAX_THREADS) and stores it as a count in
 * *threads; 0 ("all cores") becomes the number of online processors, at least 1. */
emz_status emz_threads_param(int64_t value, unsigned *threads);

#endif
