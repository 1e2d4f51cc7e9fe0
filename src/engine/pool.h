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
 * and the caller's (a NULL pool: the caller's alone). One run at a time per pool. */
emz_status emz_pool_run(emz_pool *pool, uint64_t items, emz_task_fn task, void *ctx);

#endif
