/* bench_util.h - small helpers shared by the parts of emzip-bench (bench only). */
#ifndef EMZIP_BENCH_UTIL_H
#define EMZIP_BENCH_UTIL_H

#include "emzip.h"

#include <stddef.h>
#include <stdint.h>

/* Seconds on CLOCK_MONOTONIC: immune to wall-clock steps during a run. */
double now_seconds(void);

/* malloc / calloc that exit(2) with a message when memory is exhausted: the benchmark has no
 * useful way to continue without its buffers, and every caller would print the same thing. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);

/* The whole file in a malloc'd buffer (size in *size), or NULL with errno set. */
uint8_t *read_whole_file(const char *path, size_t *size);

/* The part of a path after its last '/'. */
const char *base_name(const char *path);

/* Parses a whole decimal/hex/octal integer in [lo, hi]; 0 on success, -1 otherwise. */
int parse_ll(const char *s, long long lo, long long hi, long long *v);

/* Sorts v[0..n) ascending and returns its median (0 for n == 0). */
double sort_median(double *v, int n);

/* "4 KiB", "1 MiB", "300 B", ...: sizes in output are read by people. */
void format_size(char *buf, size_t len, uint64_t bytes);

/* For the timed operations, which stop at the first emz_compress / emz_decompress call that
 * fails and keep why in their failed_status: 0 when st is EMZ_OK; otherwise -1 with
 * *failed_status = st. */
static inline int call_failed(emz_status st, int *failed_status) {
    if (st == EMZ_OK) return 0;
    *failed_status = (int)st;
    return -1;
}

/* The same for a decompression, which must also have written want bytes (got): -1 with
 * *failed_status = -1 on a size mismatch. */
static inline int decompress_failed(emz_status st, size_t got, size_t want, int *failed_status) {
    if (call_failed(st, failed_status)) return -1;
    if (got == want) return 0;
    *failed_status = -1;
    return -1;
}

#endif
