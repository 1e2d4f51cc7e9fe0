/* pool.c - the persistent thread pool of pool.h (POSIX threads). A run publishes its task
 * under the lock and bumps the generation; idle workers wake, take runs of items from an atomic
 * counter, and the last one to finish wakes the caller. */
#include "engine/pool.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct emz_pool_thread {
    struct emz_pool *pool;
    unsigned worker;
    pthread_t thread;
} emz_pool_thread;

struct emz_pool {
    pthread_mutex_t lock;
    pthread_cond_t wake, done;
    uint64_t generation; /* bumped by each run; guarded by lock */
    unsigned busy;       /* workers still in the current run; guarded by lock */
    bool stop;
    emz_work work; /* the current run's items */
    unsigned started;
    emz_pool_thread threads[EMZ_MAX_THREADS];
};

static void *thread_main(void *arg) {
    emz_pool_thread *t = arg;
    emz_pool *p = t->pool;
    uint64_t seen = 0;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->stop && p->generation == seen)
            pthread_cond_wait(&p->wake, &p->lock);
        if (p->stop) break;
        seen = p->generation;
        pthread_mutex_unlock(&p->lock);
        emz_work_take(&p->work, t->worker);
        pthread_mutex_lock(&p->lock);
        if (--p->busy == 0) pthread_cond_signal(&p->done);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

emz_status emz_pool_create(unsigned workers, emz_pool **pool) {
    *pool = NULL;
    if (workers <= 1) return EMZ_OK;
    emz_pool *p = calloc(1, sizeof *p);
    if (!p) return EMZ_ERROR_NO_MEMORY;
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->wake, NULL);
    pthread_cond_init(&p->done, NULL);
    for (unsigned w = 1; w < workers && w < EMZ_MAX_THREADS; w++) {
        emz_pool_thread *t = &p->threads[p->started];
        t->pool = p, t->worker = w;
        if (pthread_create(&t->thread, NULL, thread_main, t) != 0) break;
        p->started++;
    }
    *pool = p;
    return EMZ_OK;
}

void emz_pool_free(emz_pool *p) {
    if (!p) return;
    pthread_mutex_lock(&p->lock);
    p->stop = true;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    for (unsigned t = 0; t < p->started; t++)
        pthread_join(p->threads[t].thread, NULL);
    pthread_cond_destroy(&p->done);
    pthread_cond_destroy(&p->wake);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

uint64_t emz_pool_grain(uint64_t items, unsigned workers) {
    uint64_t grain = items / ((uint64_t)workers * 64);
    return grain < 1 ? 1 : grain > 8 ? 8 : grain;
}

emz_status emz_pool_run(emz_pool *p, uint64_t items, emz_task_fn task, void *ctx) {
    if (!p || p->started == 0 || items <= 1) return emz_parallel_for(1, items, task, ctx);
    pthread_mutex_lock(&p->lock);
    emz_work_init_grain(&p->work, items, emz_pool_grain(items, p->started + 1), task, ctx);
    p->busy = p->started;
    p->generation++;
    pthread_cond_broadcast(&p->wake);
    pthread_mutex_unlock(&p->lock);
    emz_work_take(&p->work, 0);
    pthread_mutex_lock(&p->lock);
    while (p->busy > 0)
        pthread_cond_wait(&p->done, &p->lock);
    pthread_mutex_unlock(&p->lock);
    return (emz_status)atomic_load(&p->work.status);
}
