/* decode_file_timer.c - times in-memory, single-thread emz_decompress of one frame file.
 *
 * usage: decode_file_timer [-i IMPL] [-r REPS] [-m MIN_MS] [-c RAW] FILE.emz
 *   Reads FILE.emz (one frame, as 'emzip compress -t TYPE' writes) into memory, decodes it
 *   once (output pages, the context's scratch), doubles a batch of decodes until it lasts at
 *   least MIN_MS milliseconds (default 20; this warms up caches and branch predictors), then
 *   REPS times (default 11) runs that batch and takes its seconds per decode. Prints one line:
 *     FILE type=T version=V bytes=N chunks=K impl=I iters=B reps=R median_gbps=X min_gbps=Y
 *     max_gbps=Z
 *   where GB/s are 1e9 original (decoded) bytes a second. IMPL: auto (default), scalar, avx2,
 *   avx512, neon. -c RAW: the decoded bytes must equal the file RAW (exit status 1 if not).
 *   Checksums are verified (the default of both contexts); one thread (EMZ_PARAM_THREADS 1).
 *
 * Only calls that emzip 0.1.0's emzip.h already has, so that the same source builds against
 * a release and against the tree (bench/compare-decoders.sh). */
#define _POSIX_C_SOURCE 200809L
#include <emzip.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double now_seconds(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *what, const char *detail) {
    fprintf(stderr, "decode_file_timer: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

static uint8_t *read_file(const char *path, size_t *size) {
    FILE *f = fopen(path, "rb");
    if (!f) die("cannot open", path);
    if (fseek(f, 0, SEEK_END) != 0) die("cannot seek", path);
    long n = ftell(f);
    if (n < 0 || fseek(f, 0, SEEK_SET) != 0) die("cannot size", path);
    uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
    if (!buf) die("out of memory reading", path);
    if (fread(buf, 1, (size_t)n, f) != (size_t)n) die("cannot read", path);
    fclose(f);
    *size = (size_t)n;
    return buf;
}

static emz_impl impl_from_name(const char *name) {
    for (int i = 0; i < EMZ_IMPL_COUNT; i++) {
        const char *n = emz_impl_name((emz_impl)i);
        if (n && strcmp(n, name) == 0) return (emz_impl)i;
    }
    die("unknown implementation", name);
    return EMZ_IMPL_AUTO;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static void decode(emz_dctx *dctx, uint8_t *dst, size_t cap, const uint8_t *src, size_t size) {
    size_t out = 0;
    emz_status st = emz_decompress(dctx, dst, cap, src, size, &out);
    if (st != EMZ_OK) die("emz_decompress failed", emz_error_message(st));
    if (out != cap) die("emz_decompress", "wrong output size");
}

static void check_raw(const char *raw_path, const uint8_t *dst, size_t cap, const char *path) {
    size_t raw_size;
    uint8_t *raw = read_file(raw_path, &raw_size);
    if (raw_size != cap || memcmp(raw, dst, cap) != 0) {
        fprintf(stderr, "decode_file_timer: %s does not decode to %s\n", path, raw_path);
        exit(1);
    }
    free(raw);
}

/* The batch is doubled until it lasts min_ms (which also warms up); then reps batches, each
 * giving seconds per decode. */
static double *time_decodes(emz_dctx *dctx, uint8_t *dst, size_t cap, const uint8_t *src,
                            size_t size, int reps, double min_ms, long *iters_out) {
    long iters = 1;
    for (;;) {
        double a = now_seconds();
        for (long i = 0; i < iters; i++)
            decode(dctx, dst, cap, src, size);
        if ((now_seconds() - a) * 1e3 >= min_ms || iters >= (1L << 24)) break;
        iters *= 2;
    }
    double *sec = malloc(sizeof(double) * (size_t)reps);
    if (!sec) die("out of memory", 0);
    for (int r = 0; r < reps; r++) {
        double a = now_seconds();
        for (long i = 0; i < iters; i++)
            decode(dctx, dst, cap, src, size);
        sec[r] = (now_seconds() - a) / (double)iters;
    }
    *iters_out = iters;
    return sec;
}

int main(int argc, char **argv) {
    const char *impl_name = "auto", *raw_path = NULL;
    int reps = 11;
    double min_ms = 20;
    int opt;
    while ((opt = getopt(argc, argv, "i:r:m:c:")) != -1) {
        switch (opt) {
        case 'i':
            impl_name = optarg;
            break;
        case 'r':
            reps = atoi(optarg);
            break;
        case 'm':
            min_ms = atof(optarg);
            break;
        case 'c':
            raw_path = optarg;
            break;
        default:
            die("usage: decode_file_timer [-i IMPL] [-r REPS] [-m MIN_MS] [-c RAW] FILE", 0);
        }
    }
    if (optind + 1 != argc || reps < 1 || min_ms < 0)
        die("usage: decode_file_timer [-i IMPL] [-r REPS] [-m MIN_MS] [-c RAW] FILE", 0);
    const char *path = argv[optind];
    size_t size;
    uint8_t *src = read_file(path, &size);
    emz_frame_info info;
    emz_status st = emz_frame_info_get(src, size, &info);
    if (st != EMZ_OK) die("not a frame", emz_error_message(st));
    size_t cap = (size_t)info.original_size;
    uint8_t *dst = malloc(cap > 0 ? cap : 1);
    if (!dst) die("out of memory", 0);

    emz_impl impl = impl_from_name(impl_name);
    emz_dctx *dctx = emz_dctx_create();
    if (!dctx) die("out of memory", 0);
    st = emz_dctx_set_param(dctx, EMZ_PARAM_IMPL, impl);
    if (st != EMZ_OK) die("implementation unavailable", emz_error_message(st));
    st = emz_dctx_set_param(dctx, EMZ_PARAM_THREADS, 1);
    if (st != EMZ_OK) die("cannot set one thread", emz_error_message(st));

    decode(dctx, dst, cap, src, size); /* faults in dst, sizes the context's scratch */
    if (raw_path) check_raw(raw_path, dst, cap, path);
    long iters;
    double *sec = time_decodes(dctx, dst, cap, src, size, reps, min_ms, &iters);
    qsort(sec, (size_t)reps, sizeof *sec, cmp_double);
    double gb = (double)info.original_size * 1e-9;
    const char *used = emz_impl_name(impl == EMZ_IMPL_AUTO ? emz_impl_default() : impl);
    printf("%s type=%s version=%u bytes=%llu chunks=%llu impl=%s iters=%ld reps=%d "
           "median_gbps=%.4f min_gbps=%.4f max_gbps=%.4f\n",
           path, emz_type_name(info.type), info.format_version,
           (unsigned long long)info.original_size, (unsigned long long)info.chunk_count, used,
           iters, reps, gb / sec[reps / 2], gb / sec[reps - 1], gb / sec[0]);
    free(sec);
    emz_dctx_free(dctx);
    free(dst);
    free(src);
    return 0;
}
