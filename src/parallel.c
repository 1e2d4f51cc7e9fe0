/* parallel.c - the thread runner of parallel.h (POSIX threads, started per call). */
#include "parallel.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <unistd.h>

typedef struct run {
    emz_task_fn task;
    void *ctx;
    uint64_t items;
    atomic_uint_fast64_t next;
    atomic_int status; /* EMZ_OK until the first failure */
} run;

typedef struct worker_arg {
    run *r;
    unsigned worker;
} worker_arg;

static void work(run *r, unsigned worker) {
    for (;;) {
        if (atomic_load_explicit(&r->status, memory_order_relaxed) != EMZ_OK) return;
        uint64_t item = atomic_fetch_add_explicit(&r->next, 1, memory_order_relaxed);
        if (item >= r->items) return;
        emz_status st = r->task(r->ctx, worker, item);
        if (st != EMZ_OK) {
            int ok = EMZ_OK;
            atomic_compare_exchange_strong(&r->status, &ok, (int)st);
            return;
        }
    }
}

static void *thread_main(void *arg) {
    worker_arg *a = arg;
    work(a->r, a->worker);
    return NULL;
}

emz_status emz_parallel_for(unsigned workers, uint64_t items, emz_task_fn task, void *ctx) {
    run r = {task, ctx, items, 0, EMZ_OK};
    if (workers > items) workers = (unsigned)items;
    pthread_t threads[EMZ_MAX_THREADS];
    worker_arg args[EMZ_MAX_THREADS];
    unsigned started = 0;
    for (unsigned w = 1; w < workers && w < EMZ_MAX_THREADS; w++) {
        args[w] = (worker_arg){&r, w};
        if (pthread_create(&threads[started], NULL, thread_main, &args[w]) != 0) break;
        started++;
    }
    work(&r, 0);
    for (unsigned t = 0; t < started; t++) pthread_join(threads[t], NULL);
    return (emz_status)atomic_load(&r.status);
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
