/* parallel.h - runs the items of a call on several threads (chunks are independent). */
#ifndef EMZ_PARALLEL_H
#define EMZ_PARALLEL_H

#include "emzip.h"

#include <pthread.h>
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

/* emz_parallel_for in two halves, so that the calling thread can do something else (write
 * the previous batch) while workers 1..workers-1 start on the items: emz_parallel_start
 * starts them, emz_parallel_finish makes the calling thread worker 0 for the items still left,
 * joins the others and returns the first error. Every start needs its finish. */
typedef struct emz_parallel_worker {
    struct emz_parallel *run;
    unsigned worker;
    pthread_t thread;
} emz_parallel_worker;

typedef struct emz_parallel {
    emz_task_fn task;
    void *ctx;
    uint64_t items;
    atomic_uint_fast64_t next;
    atomic_int status; /* EMZ_OK until the first failure */
    unsigned started;
    emz_parallel_worker workers[EMZ_MAX_THREADS];
} emz_parallel;

void emz_parallel_start(emz_parallel *run, unsigned workers, uint64_t items, emz_task_fn task,
                        void *ctx);
emz_status emz_parallel_finish(emz_parallel *run);

/* Checks an EMZ_PARAM_THREADS value (0..EMZ_MAX_THREADS) and stores it as a count in
 * *threads; 0 ("all cores") becomes the number of online processors, at least 1. */
emz_status emz_threads_param(int64_t value, unsigned *threads);

#endif
