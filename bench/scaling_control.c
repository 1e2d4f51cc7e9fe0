/* scaling_control.c - the controls of scaling_control.h. The second thread is started per
 * run (about 50 us, under 1% of a run of 10 ms): the controls must not share a pool or
 * counters with what they control. */
#include "scaling_control.h"

#include "bench_util.h"

#include <pthread.h>
#include <string.h>

typedef struct part {
    scaling_control *c;
    int index;
} part;

/* A dependent chain: one multiply-add an iteration, which no unit can run ahead of (a core
 * mostly idle: a second hardware thread on the same core would run it as fast). */
static uint64_t spin(uint64_t iters, uint64_t x) {
    for (uint64_t i = 0; i < iters; i++)
        x = x * 6364136223846793005u + 1442695040888963407u;
    return x;
}

/* Eight independent xorshift chains: six ALU operations each an iteration, enough to keep a
 * core's integer units busy as a Huffman decoder does (a second hardware thread on the same
 * core would share them). */
static uint64_t churn(uint64_t iters, uint64_t seed) {
    uint64_t x[8];
    for (unsigned k = 0; k < 8; k++)
        x[k] = seed * 8 + k + 1;
    for (uint64_t i = 0; i < iters; i++)
        for (unsigned k = 0; k < 8; k++) {
            x[k] ^= x[k] << 13;
            x[k] ^= x[k] >> 7;
            x[k] ^= x[k] << 17;
        }
    return x[0] ^ x[1] ^ x[2] ^ x[3] ^ x[4] ^ x[5] ^ x[6] ^ x[7];
}

static uint64_t compute(int kind, uint64_t iters, uint64_t seed) {
    return kind == SCALING_CHURN ? churn(iters, seed) : spin(iters, seed);
}

static void *run_part(void *arg) {
    part *p = arg;
    scaling_control *c = p->c;
    if (c->kind != SCALING_COPY) {
        c->result[p->index] = compute(c->kind, c->iters / (uint64_t)c->threads, (uint64_t)p->index);
    } else {
        size_t per = c->bytes / (size_t)c->threads, at = per * (size_t)p->index;
        size_t n = p->index == c->threads - 1 ? c->bytes - at : per;
        memcpy(c->dst + at, c->src + at, n);
        c->result[p->index] = c->dst[at];
    }
    return NULL;
}

int scaling_control_run(void *arg) {
    scaling_control *c = arg;
    part parts[2] = {{c, 0}, {c, 1}};
    pthread_t second;
    if (c->threads == 2 && pthread_create(&second, NULL, run_part, &parts[1]) != 0) return -1;
    run_part(&parts[0]);
    if (c->threads == 2) pthread_join(second, NULL);
    return 0;
}

uint64_t scaling_control_iters(int kind, double seconds) {
    enum { PROBE = 1 << 22 };
    double best = 1e9;
    volatile uint64_t sink = 0;
    for (int r = 0; r < 5; r++) {
        double t0 = now_seconds();
        sink += compute(kind, PROBE, (uint64_t)r);
        double t = now_seconds() - t0;
        best = t < best ? t : best;
    }
    (void)sink;
    return (uint64_t)(seconds / best * PROBE);
}
