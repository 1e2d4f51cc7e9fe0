/* parallel.c - the thread runner of parallel.h (POSIX threads, started per call). */
#include "engine/parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct emz_parallel_worker {
    struct emz_parallel *run;
    unsigned worker;
    pthread_t thread;
} emz_parallel_worker;

typedef struct emz_parallel {
    emz_work work;
    unsigned started;
    emz_parallel_worker workers[EMZ_MAX_THREADS];
} emz_parallel;

void emz_work_init_grain(emz_work *w, uint64_t items, uint64_t grain, emz_task_fn task, void *ctx) {
    w->task = task, w->ctx = ctx, w->items = items, w->grain = grain ? grain : 1;
    atomic_init(&w->next, 0);
    atomic_init(&w->status, EMZ_OK);
}

void emz_work_init(emz_work *w, uint64_t items, emz_task_fn task, void *ctx) {
    emz_work_init_grain(w, items, 1, task, ctx);
}

void emz_work_take(emz_work *w, unsigned worker) {
    for (;;) {
        if (atomic_load_explicit(&w->status, memory_order_relaxed) != EMZ_OK) return;
        uint64_t first = atomic_fetch_add_explicit(&w->next, w->grain, memory_order_relaxed);
        for (uint64_t item = first; item < first + w->grain; item++) {
            if (item >= w->items) return;
            emz_status st = w->task(w->ctx, worker, item);
            if (st != EMZ_OK) {
                int ok = EMZ_OK;
                atomic_compare_exchange_strong(&w->status, &ok, (int)st);
                return;
            }
        }
    }
}

static void *thread_main(void *arg) {
    emz_parallel_worker *w = arg;
    emz_work_take(&w->run->work, w->worker);
    return NULL;
}

static void start(emz_parallel *r, unsigned workers, uint64_t items, emz_task_fn task, void *ctx) {
    emz_work_init(&r->work, items, task, ctx);
    r->started = 0;
    if (workers > items) workers = (unsigned)items;
    for (unsigned w = 1; w < workers && w < EMZ_MAX_THREADS; w++) {
        emz_parallel_worker *slot = &r->workers[r->started];
        slot->run = r, slot->worker = w;
        if (pthread_create(&slot->thread, NULL, thread_main, slot) != 0) break;
        r->started++;
    }
}

static emz_status finish(emz_parallel *r) {
    emz_work_take(&r->work, 0);
    for (unsigned t = 0; t < r->started; t++)
        pthread_join(r->workers[t].thread, NULL);
    r->started = 0;
    return (emz_status)atomic_load(&r->work.status);
}

emz_status emz_parallel_for(unsigned workers, uint64_t items, emz_task_fn task, void *ctx) {
    if (workers <= 1 || items <= 1) { /* no threads, no allocation: small calls stay cheap */
        for (uint64_t i = 0; i < items; i++) {
            emz_status st = task(ctx, 0, i);
            if (st != EMZ_OK) return st;
        }
        return EMZ_OK;
    }
    emz_parallel *r = malloc(sizeof *r); /* ~10 KB: kept off the caller's stack */
    if (!r) return EMZ_ERROR_NO_MEMORY;
    start(r, workers, items, task, ctx);
    emz_status st = finish(r);
    free(r);
    return st;
}

emz_status emz_threads_param(int64_t value, unsigned *threads) {
    if (value < 0 || value > EMZ_MAX_THREADS) return EMZ_ERROR_INVALID_ARGUMENT;
    if (value > 0) {
        *threads = (unsigned)value;
        return EMZ_OK;
    }
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    *threads = n < 1 ? 1 : n > EMZ_MAX_THREADS ? EMZ_MAX_THREADS : (unsigned)n;
    return EMZ_OK;
}
