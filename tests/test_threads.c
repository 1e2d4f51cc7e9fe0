/* test_threads.c - contexts used concurrently from several threads give the single-threaded bytes.
 */
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

static void *worker(void *arg) {
    worker_t *w = arg;
    emz_cctx *c = emz_cctx_create();
    emz_dctx *d = emz_dctx_create();
    size_t cap = emz_compress_bound(N);
    uint8_t *f = malloc(cap), *out = malloc(N);
    if (!c || !d || !f || !out) {
        w->failures++;
        return NULL;
    }
    for (int round = 0; round < 6; round++) {
        for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
            int t = (k + w->id + round) % EMZ_TYPE_COUNT;
            size_t fs = 0, os = 0;
            emz_cctx *cc = (round + w->id) & 1 ? c : NULL; /* own context, or a temporary one */
            if (emz_compress(cc, f, cap, inputs[t], N, (emz_type)t, &fs) != EMZ_OK)
                w->failures++;
            else if (fs != frame_sizes[t] || memcmp(f, frames[t], fs) != 0)
                w->failures++;
            if (emz_decompress(round & 1 ? d : NULL, out, N, frames[t], frame_sizes[t], &os) !=
                    EMZ_OK ||
                os != N || memcmp(out, inputs[t], N) != 0)
                w->failures++;
            if (emz_decompress_range(d, out, N, frames[t], frame_sizes[t], 65530, 70000) !=
                    EMZ_OK ||
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

Test(threads, concurrent_contexts_are_independent, .timeout = 300) {
    for (int t = 0; t < EMZ_TYPE_COUNT; t++) {
        inputs[t] = tu_xmalloc(N);
        tu_fill_smooth(inputs[t], N, (emz_type)t, 40 + (uint64_t)t);
        frames[t] = tu_xmalloc(emz_compress_bound(N));
        cr_assert(emz_compress(NULL, frames[t], emz_compress_bound(N), inputs[t], N, (emz_type)t,
                               &frame_sizes[t]) == EMZ_OK);
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

/* EMZ_PARAM_THREADS: any thread count writes the single-threaded frame and decodes it (whole,
 * ranges straddling chunks, corrupted) with the single-threaded result. */
Test(threads, thread_count_changes_no_byte, .timeout = 300) {
    static const int64_t counts[] = {1, 2, 3, 8, 0};
    size_t n = 9 * 65536 + 777, cap = emz_compress_bound(n);
    uint8_t *src = tu_xmalloc(n), *ref = tu_xmalloc(cap), *f = tu_xmalloc(cap),
            *out = tu_xmalloc(n);
    for (int t = 0; t < EMZ_TYPE_COUNT; t++) {
        tu_fill_smooth(src, n, (emz_type)t, 90 + (uint64_t)t);
        emz_cctx *c = emz_cctx_create();
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 65536) == EMZ_OK);
        size_t ref_size, size, got;
        cr_assert(emz_compress(c, ref, cap, src, n, (emz_type)t, &ref_size) == EMZ_OK);
        for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
            cr_assert(emz_cctx_set_param(c, EMZ_PARAM_THREADS, counts[i]) == EMZ_OK);
            cr_assert(emz_compress(c, f, cap, src, n, (emz_type)t, &size) == EMZ_OK);
            cr_assert(size == ref_size && memcmp(f, ref, size) == 0,
                      "type %d, %lld threads: frame differs", t, (long long)counts[i]);
            /* a capacity one byte short fails, whatever the thread count */
            cr_assert(emz_compress(c, f, ref_size - 1, src, n, (emz_type)t, &size) ==
                      EMZ_ERROR_DST_TOO_SMALL);
            emz_dctx *d = emz_dctx_create();
            cr_assert(emz_dctx_set_param(d, EMZ_PARAM_THREADS, counts[i]) == EMZ_OK);
            memset(out, 0, n);
            cr_assert(emz_decompress(d, out, n, ref, ref_size, &got) == EMZ_OK && got == n);
            cr_assert(memcmp(out, src, n) == 0, "type %d, %lld threads: decode differs", t,
                      (long long)counts[i]);
            cr_assert(emz_decompress_range(d, out, n, ref, ref_size, 65000, 4 * 65536 + 3) ==
                      EMZ_OK);
            cr_assert(memcmp(out, src + 65000, 4 * 65536 + 3) == 0);
            /* a flipped byte in the last chunk's payload: an error, not a crash or a hang */
            memcpy(f, ref, ref_size);
            f[ref_size - 10 * 8 - 40] ^= 0x40;
            cr_assert(emz_decompress(d, out, n, f, ref_size, &got) != EMZ_OK);
            emz_dctx_free(d);
        }
        emz_cctx_free(c);
    }
    emz_cctx *c = emz_cctx_create();
    emz_dctx *d = emz_dctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_THREADS, -1) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_THREADS, 257) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_THREADS, -1) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_dctx_set_param(d, EMZ_PARAM_THREADS, 256) == EMZ_OK);
    emz_cctx_free(c);
    emz_dctx_free(d);
    free(src), free(ref), free(f), free(out);
}
