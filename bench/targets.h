/* targets.h - the speed bars emzip must show, checked against a run's measurements (bench
 * only). One row per large file and implementation; the bars themselves are in targets.c,
 * in one table, with the reasons for reading them as they are read. */
#ifndef EMZIP_BENCH_TARGETS_H
#define EMZIP_BENCH_TARGETS_H

#include "results.h"

/* A file takes part when its dominant dtype is a float type with at least this many bytes:
 * the bars are about large inputs (small ones have their own bar, "64 KiB vs large"). */
#define TARGET_MIN_BYTES ((uint64_t)1 << 20)

typedef struct target_row {
    int file;  /* index into the run's file results */
    int group; /* that file's dominant group */
    emz_impl impl;
    /* measured value and its bar; a bar of 0 means none applies; a value < 0 was not measured */
    double decomp, decomp_bar;           /* emzip-stream decompression GB/s (verified) */
    double comp, comp_bar;               /* emzip-stream compression GB/s */
    double decomp_best, comp_best;       /* their fastest repetitions */
    double split_x, merge_x, kernel_bar; /* split / merge GB/s over memcpy, L2-sized buffer */
    double small64, small_bar;           /* 64 KiB frames' GB/s over the whole group's */
} target_row;

/* The rows for results fr[0..n) (malloc'd in *rows, NULL when there are none); returns their
 * count. Scalar rows only when scalar is all that was measured: the bars are for SIMD. */
int targets_collect(const file_result *fr, int n, target_row **rows);

/* 1 if value meets bar, 0 if not, -1 when there is no bar or no value. */
int target_met(double value, double bar);

#endif
