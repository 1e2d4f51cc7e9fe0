/* pipeline.c - the ordered producer/consumer run of pipeline.h (POSIX threads).
 *
 * No lock on the hot path, so that it keeps scaling with cores: items are claimed from an
 * atomic counter, a produced item is published by storing its number + 1 into its slot's
 * ready word (release), and the consumer advances an atomic count that frees slots. A
 * thread that must wait spins briefly, then sleeps on a condition variable; the mutex is
 * taken only to sleep and to wake sleepers, and publishers look at a sleeper count first, so
 * with nobody asleep a hand-off is a few atomic operations. */
#include "engine/pipeline.h"

#include "engine/parallel.h"

#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdlib.h>

enum { SPINS = 4096 }; /* polls before sleeping: a few microseconds, a fraction of a chunk */

/* The two counters every thread touches sit on cache lines of their own, and so does each
 * slot's ready word (written by whichever worker produced into it). */
typedef struct ready_word {
    alignas(64) atomic_uint_fast64_t item; /* the number + 1 of the item produced into it */
} ready_word;

typedef struct pipe {
    uint64_t items;
    unsigned slots;
    alignas(64) atomic_uint_fast64_t next; /* the next item to claim */
    alignas(64)
        atomic_uint_fast64_t consumed; /* item i may be produced once i < consumed + slots */
    alignas(64) ready_word *ready;
    atomic_int status; /* EMZ_OK until the first failure */
    atomic_int sleepers;
    pthread_mutex_t lock; /* only to sleep and to wake */
    pthread_cond_t wake;
    emz_produce_fn produce;
    emz_consume_fn consume;
    void *ctx;
} pipe;

typedef struct pipe_worker {
    pipe *p;
    unsigned worker;
    pthread_t thread;
} pipe_worker;

static void fail(pipe *p, emz_status st) {
    int ok = EMZ_OK;
    atomic_compare_exchange_strong(&p->status, &ok, (int)st);
}

/* Wakes sleepers after a change was published (seq_cst: a sleeper either sees the change
 * when it rechecks, or is counted here). */
static void notify(pipe *p) {
    if (atomic_load(&p->sleepers) > 0) {
        pthread_mutex_lock(&p->lock);
        pthread_cond_broadcast(&p->wake);
        pthread_mutex_unlock(&p->lock);
    }
}

typedef bool (*ready_fn)(pipe *p, uint64_t arg);

/* Waits until done(p, arg) or a failure: spins, then sleeps until notified. */
static void wait_until(pipe *p, ready_fn done, uint64_t arg) {
    for (unsigned spin = 0; spin < SPINS; spin++)
        if (done(p, arg) || atomic_load_explicit(&p->status, memory_order_relaxed) != EMZ_OK)
            return;
    pthread_mutex_lock(&p->lock);
    atomic_fetch_add(&p->sleepers, 1);
    /* Pairs with the publisher's store and sleeper check: one of the two sees the other. */
    atomic_thread_fence(memory_order_seq_cst);
    while (!done(p, arg) && atomic_load(&p->status) == EMZ_OK)
        pthread_cond_wait(&p->wake, &p->lock);
    atomic_fetch_sub(&p->sleepers, 1);
    pthread_mutex_unlock(&p->lock);
}

static bool has_room(pipe *p, uint64_t item) {
    return item < atomic_load(&p->consumed) + p->slots;
}

static bool is_ready(pipe *p, uint64_t item) {
    return atomic_load_explicit(&p->ready[item % p->slots].item, memory_order_acquire) == item + 1;
}

static void produce(pipe *p, unsigned worker, uint64_t item) {
    unsigned slot = (unsigned)(item % p->slots);
    emz_status st = p->produce(p->ctx, worker, item, slot);
    if (st != EMZ_OK) fail(p, st);
    atomic_store(&p->ready[slot].item, item + 1);
    notify(p);
}

static void *worker_main(void *arg) {
    pipe_worker *w = arg;
    pipe *p = w->p;
    while (atomic_load_explicit(&p->status, memory_order_relaxed) == EMZ_OK) {
        uint64_t item = atomic_fetch_add(&p->next, 1);
        if (item >= p->items) break;
        if (!has_room(p, item)) wait_until(p, has_room, item);
        if (atomic_load(&p->status) != EMZ_OK) break;
        produce(p, w->worker, item);
    }
    return NULL;
}

/* The calling thread consumes in order; while the next item is not ready it produces one
 * itself, claiming only items that fit the slots (it must never wait for room: freeing room
 * is its own job). */
static void consumer_main(pipe *p) {
    for (uint64_t item = 0; item < p->items; item++) {
        while (!is_ready(p, item) && atomic_load(&p->status) == EMZ_OK) {
            uint64_t claim = atomic_load(&p->next);
            if (claim < p->items && claim < item + p->slots &&
                atomic_compare_exchange_weak(&p->next, &claim, claim + 1))
                produce(p, 0, claim);
            else if (claim >= p->items || claim >= item + p->slots)
                wait_until(p, is_ready, item);
        }
        if (atomic_load(&p->status) != EMZ_OK) break;
        emz_status st = p->consume(p->ctx, item, (unsigned)(item % p->slots));
        if (st != EMZ_OK) fail(p, st);
        atomic_store(&p->consumed, item + 1);
        notify(p);
    }
    notify(p); /* a failure releases the waiting workers */
}

emz_status emz_pipeline_run(unsigned workers, uint64_t items, unsigned slots,
                            emz_produce_fn produce_fn, emz_consume_fn consume_fn, void *ctx) {
    if (workers < 1) workers = 1;
    if (workers > EMZ_MAX_THREADS) workers = EMZ_MAX_THREADS;
    if (slots < 1) slots = 1;
    pipe p = {
        .items = items, .slots = slots, .produce = produce_fn, .consume = consume_fn, .ctx = ctx};
    atomic_init(&p.next, 0);
    atomic_init(&p.consumed, 0);
    atomic_init(&p.status, EMZ_OK);
    atomic_init(&p.sleepers, 0);
    p.ready = aligned_alloc(64, slots * sizeof *p.ready);
    pipe_worker *w = calloc(workers, sizeof *w);
    if (!p.ready || !w) {
        free(p.ready), free(w);
        return EMZ_ERROR_NO_MEMORY;
    }
    for (unsigned s = 0; s < slots; s++)
        atomic_init(&p.ready[s].item, 0);
    pthread_mutex_init(&p.lock, NULL);
    pthread_cond_init(&p.wake, NULL);
    unsigned started = 0;
    for (unsigned i = 1; i < workers && i < items; i++) {
        w[started] = (pipe_worker){&p, i, 0};
        if (pthread_create(&w[started].thread, NULL, worker_main, &w[started]) != 0) break;
        started++;
    }
    consumer_main(&p);
    for (unsigned i = 0; i < started; i++)
        pthread_join(w[i].thread, NULL);
    pthread_cond_destroy(&p.wake);
    pthread_mutex_destroy(&p.lock);
    free(p.ready), free(w);
    return (emz_status)atomic_load(&p.status);
}
