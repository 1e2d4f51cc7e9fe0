/* pool.h - a pool of worker threads started once and kept (block contexts): a batch of small
 * items must not pay a thread start per call. */
#ifndef EMZ_POOL_H
#define EMZ_POOL_H

#include "engine/parallel.h"

typedef struct emz_pool emz_pool;

/* Starts workers - 1 threads (the caller of emz_pool_run is worker 0). Fewer start when the
 * system refuses more; *pool is NULL (and EMZ_OK) for workers <= 1. */
emz_status emz_pool_create(unsigned workers, emz_pool **pool);
/* Stops and joins the threads. NULL does nothing. */
void emz_pool_free(emz_pool *pool);

/* Runs task(ctx, worker, item) for every item as emz_parallel_for does, on the pool's threads
 * and the caller's (a NULL pool: the caller's alone), but a worker takes emz_pool_grain
 * consecutive items at a time. One run at a time per pool. */
emz_status emz_pool_run(emz_pool *pool, uint64_t items, emz_task_fn task, void *ctx);

/* How many consecutive items a worker takes at once: items / (64 x workers), 1 to 8. The pool's
 * items are small (K/V pages of a few microseconds): taken one at a time, the workers took
 * neighbours in turn and wrote the same cache lines (the caller's job entries, the ends of
 * adjacent output pages) and the counter's, and a batch of 1,024 32 KiB BF16 pages ran 1.40-1.56
 * times faster on two threads than on one; 8 at a time, 1.83-1.92 (emzip-kv-bench, one build
 * taking 1 or 8 at a time, four runs of each, alternating). A worker then ends at most 8 items,
 * about 1/64 of its share, after the other. */
uint64_t emz_pool_grain(uint64_t items, unsigned workers);

#endif
