/* scaling_control.h - what the machine itself gives a second thread (bench only): work that
 * shares nothing between its threads, timed beside a measurement of emzip on 1 and 2 threads.
 * On a shared machine (a VM's two vCPUs beside other tenants) a second thread may get much less
 * than a core; these controls tell that apart from what the code does. */
#ifndef EMZIP_BENCH_SCALING_CONTROL_H
#define EMZIP_BENCH_SCALING_CONTROL_H

#include <stddef.h>
#include <stdint.h>

enum {
    SCALING_SPIN,  /* one chain of multiply-adds in registers: a core mostly idle */
    SCALING_CHURN, /* eight chains of shifts and xors in registers: a core's ALUs busy */
    SCALING_COPY   /* memcpy */
};

typedef struct scaling_control {
    int threads; /* 1 or 2: the work is cut in that many equal parts, the caller runs the first */
    int kind;    /* SCALING_* */
    uint64_t iters; /* SPIN and CHURN: iterations in all */
    uint8_t *dst;   /* COPY: bytes from src to dst */
    const uint8_t *src;
    size_t bytes;
    volatile uint64_t result[2]; /* each part's, kept so that no compiler drops the work */
} scaling_control;

/* One run of c (a run_fn of timing.h); 0, or -1 when the second thread cannot start. */
int scaling_control_run(void *c);

/* Iterations of a SPIN or CHURN control that take about `seconds` on one thread here. */
uint64_t scaling_control_iters(int kind, double seconds);

#endif
