/* pipeline.c - the ordered producer/consumer run of pipeline.h (POSIX threads). */
#include "pipeline.h"

#include "parallel.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

typedef struct pipe {
    pthread_mutex_t lock;
    pthread_cond_t changed; /* an item was produced or consumed, or the run failed */
    uint64_t items, claimed, consumed;
    unsigned slots;
    bool *ready;            /* per slot: its item is produced and not yet consumed */
    emz_status status;
    emz_produce_fn produce;
    emz_consume_fn consume;
    void *ctx;
} pipe;

typedef struct pipe_worker {
    pipe *p;
    unsigned worker;
    pthread_t thread;
} pipe_worker;

/* With the lock held: produce the next item if the slots allow; false if none could be. */
static bool produce_next(pipe *p, unsigned worker) {
    if (p->status != EMZ_OK || p->claimed >= p->items || p->claimed - p->consumed >= p->slots)
        return false;
    uint64_t item = p->claimed++;
    unsigned slot = (unsigned)(item % p->slots);
    pthread_mutex_unlock(&p->lock);
    emz_status st = p->produce(p->ctx, worker, item, slot);
    pthread_mutex_lock(&p->lock);
    if (st != EMZ_OK && p->status == EMZ_OK) p->status = st;
    p->ready[slot] = true;
    pthread_cond_broadcast(&p->changed);
    return true;
}

static void *worker_main(void *arg) {
    pipe_worker *w = arg;
    pipe *p = w->p;
    pthread_mutex_lock(&p->lock);
    while (p->status == EMZ_OK && p->claimed < p->items)
        if (!produce_next(p, w->worker)) pthread_cond_wait(&p->changed, &p->lock);
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

/* The calling thread: consume the next item when it is ready, else produce one, else wait. */
static void writer_main(pipe *p) {
    pthread_mutex_lock(&p->lock);
    while (p->status == EMZ_OK && p->consumed < p->items) {
        unsigned slot = (unsigned)(p->consumed % p->slots);
        if (p->ready[slot]) {
            pthread_mutex_unlock(&p->lock);
            emz_status st = p->consume(p->ctx, p->consumed, slot);
            pthread_mutex_lock(&p->lock);
            p->ready[slot] = false;
            p->consumed++;
            if (st != EMZ_OK && p->status == EMZ_OK) p->status = st;
            pthread_cond_broadcast(&p->changed);
        } else if (!produce_next(p, 0)) {
            pthread_cond_wait(&p->changed, &p->lock);
        }
    }
    pthread_cond_broadcast(&p->changed); /* a failure releases the waiting workers */
    pthread_mutex_unlock(&p->lock);
}

emz_status emz_pipeline_run(unsigned workers, uint64_t items, unsigned slots,
                            emz_produce_fn produce, emz_consume_fn consume, void *ctx) {
    if (workers < 1) workers = 1;
    if (workers > EMZ_MAX_THREADS) workers = EMZ_MAX_THREADS;
    if (slots < 1) slots = 1;
    pipe p = {.items = items, .slots = slots, .status = EMZ_OK, .produce = produce,
              .consume = consume, .ctx = ctx};
    p.ready = calloc(slots, sizeof *p.ready);
    pipe_worker *w = calloc(workers, sizeof *w);
    if (!p.ready || !w) {
        free(p.ready), free(w);
        return EMZ_ERROR_NO_MEMORY;
    }
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.changed, NULL);
    unsigned started = 0;
    for (unsigned i = 1; i < workers && i < items; i++) {
        w[started] = (pipe_worker){&p, i, 0};
        if (pthread_create(&w[started].thread, NULL, worker_main, &w[started]) != 0) break;
        started++;
    }
    writer_main(&p);
    for (unsigned i = 0; i < started; i++) pthread_join(w[i].thread, NULL);
    pthread_cond_destroy(&p.changed);
    pthread_mutex_destroy(&p.lock);
    free(p.ready), free(w);
    return p.status;
}
