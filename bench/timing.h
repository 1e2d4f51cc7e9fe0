/* timing.h - interleaved, repeated timing of several measurements (bench only).
 *
 * The benchmark runs on shared machines where other work comes and goes. Timing every
 * repetition of one measurement and then every repetition of the next would let a burst of
 * load land on one of them only, and the comparison (scalar against AVX2, emzip against
 * memcpy) would measure the load. time_interleaved() instead runs, in every repetition, each
 * measurement once in turn, so slow phases of the machine spread over all of them; the median
 * of the repetitions is then reported per measurement.
 */
#ifndef EMZIP_BENCH_TIMING_H
#define EMZIP_BENCH_TIMING_H

#include <stddef.h>
#include <stdint.h>

/* One run of the measured operation; returns 0 on success. */
typedef int (*run_fn)(void *arg);

typedef struct timing {
    double seconds; /* median seconds of one run */
    double best;    /* fastest repetition's seconds per run (less sensitive to other load) */
    int runs;       /* timed repetitions the median is over */
    long iters;     /* runs per repetition (short operations are looped) */
    int ok;         /* 0 if a run failed (or never ran) */
} timing;

typedef struct timed_run {
    run_fn fn;
    void *arg;
    timing t; /* the result */
} timed_run;

/* Times r[0..n): one untimed warm-up each, then up to reps repetitions, each running every
 * measurement in turn (the starting one rotates, so that none always follows the same other
 * one). A repetition loops an operation until it takes at least MIN_REP_SECONDS; an operation
 * whose warm-up takes SLOW_SECONDS or more is that single run; one that would take more than
 * BUDGET_SECONDS in all gets fewer repetitions (at least one). */
void time_interleaved(timed_run *r, size_t n, int reps);

#define MIN_REP_SECONDS 0.01
#define SLOW_SECONDS 1.0
#define BUDGET_SECONDS 4.0

/* 1e9 bytes per second from the median / the fastest repetition; 0 if the timing failed. */
double gbps(uint64_t bytes, timing t);
double best_gbps(uint64_t bytes, timing t);

#endif
