/* test_threads.c - contexts used concurrently from several threads give the single-threaded bytes. */
#include <pthread.h>

#include "test_util.h"

#define NTHREADS 4
#define N (3 * 65536 + 123)

static uint8_t *inputs[EMZ_TYPE_COUNT];
static uint8_t *frames[EMZ_TYPE_COUNT];
static size_t frame_sizes[EMZ_TYPE_COUNT];

typedef struct {
    int id;
    int failures;
} worker_t;

static void *worker(void *arg)
{
    worker_t *w = arg;
    emz_cctx *c = emz_cctx_create();
    emz_dctx *d = emz_dctx_create();
    size_t cap = emz_compress_bound(N);
    uint8_t *f = malloc(cap), *out = malloc(N);
    if (!c || !d || !f || !out) { w->failures++; return NULL; }
    for (int round = 0; round < 6; round++) {
        for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
            int t = (k + w->id + round) % EMZ_TYPE_COUNT;
            size_t fs = 0, os = 0;
            emz_cctx *cc = (round + w->id) & 1 ? c : NULL;  /* own context, or a temporary one */
            if (emz_compress(cc, f, cap, inputs[t], N, (emz_type)t, &fs) != EMZ_OK) w->failures++;
            else if (fs != frame_sizes[t] || memcmp(f, frames[t], fs) != 0) w->failures++;
            if (emz_decompress(round & 1 ? d : NULL, out, N, frames[t], frame_sizes[t], &os) != EMZ_OK || os != N ||
                memcmp(out, inputs[t], N) != 0)
                w->failures++;
            if (emz_decompress_range(d, out, N, frames[t], frame_sizes[t], 65530, 70000) != EMZ_OK ||
                memcmp(out, inputs[t] + 65530, 70000) != 0)
                w->failures++;
        }
    }
    free(f);
    free(out);
    emz_cctx_free(c);
    emz_dctx_free(d);
    return NULL;
}

Test(threads, concurrent_contexts_are_independent, .timeout = 300)
{
    for (int t = 0; t < EMZ_TYPE_COUNT; t++) {
        inputs[t] = tu_xmalloc(N);
        tu_fill_smooth(inputs[t], N, (emz_type)t, 40 + (uint64_t)t);
        frames[t] = tu_xmalloc(emz_compress_bound(N));
        cr_assert(emz_compress(NULL, frames[t], emz_compress_bound(N), inputs[t], N, (emz_type)t, &frame_sizes[t]) == EMZ_OK);
    }
    pthread_t th[NTHREADS];
    worker_t w[NTHREADS];
    for (int i = 0; i < NTHREADS; i++) {
        w[i] = (worker_t){i, 0};
        cr_assert(pthread_create(&th[i], NULL, worker, &w[i]) == 0);
    }
    for (int i = 0; i < NTHREADS; i++) {
        pthread_join(th[i], NULL);
        cr_assert(w[i].failures == 0, "thread %d: %d mismatches or errors", i, w[i].failures);
    }
    for (int t = 0; t < EMZ_TYPE_COUNT; t++) {
        free(inputs[t]);
        free(frames[t]);
    }
}
