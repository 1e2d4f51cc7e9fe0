/* profile_loop.c - emzip-profile-loop: one operation in a loop, for profilers.
 *
 * usage: emzip-profile-loop compress|decompress|memcpy TYPE|checkpoint FILE [ITERATIONS]
 *                            [IMPL|auto] [THREADS]
 *
 * Reads FILE (all of it, whatever it holds: a .safetensors file is compressed header and all),
 * compresses it as one frame of TYPE, or with TYPE "checkpoint" (FILE a safetensors file) as
 * checkpoint mode does, into a container of one segment per tensor (emz_compress_safetensors;
 * decompression: emz_reader_open_memory and emz_reader_read of the whole file), then repeats
 * the chosen operation (memcpy: a memcpy of FILE, the floor) ITERATIONS times
 * (default 100) into buffers allocated once, so that a profile shows the codec and not page
 * faults or I/O (THREADS: EMZ_PARAM_THREADS, default 1):  perf record -e cpu-clock
 * build/bench/emzip-profile-loop decompress bf16 F Prints the median time of one operation and its
 * GB/s of uncompressed data. */
#include "emzip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* A safetensors file in memory as the container source, and a sink into a buffer. */
typedef struct memory {
    uint8_t *data;
    size_t size, cap;
} memory;

static int memory_read(void *opaque, void *buf, size_t size, uint64_t offset) {
    const memory *m = opaque;
    if (offset > m->size || size > m->size - offset) return -1;
    memcpy(buf, m->data + offset, size);
    return 0;
}

static int memory_write(void *opaque, const void *buf, size_t size) {
    memory *m = opaque;
    if (size > m->cap - m->size) return -1;
    memcpy(m->data + m->size, buf, size);
    m->size += size;
    return 0;
}

/* One operation on the whole checkpoint; *size is the container's size. */
static emz_status checkpoint_op(int decompress, emz_cctx *c, emz_dctx *d, memory *src,
                                memory *container, uint8_t *out, size_t *size) {
    if (!decompress) {
        emz_source in = {memory_read, src, src->size};
        emz_sink sink = {memory_write, container};
        uint64_t written = 0;
        container->size = 0;
        emz_status st = emz_compress_safetensors(c, &in, &sink, &written);
        *size = (size_t)written;
        return st;
    }
    emz_reader *r;
    emz_status st = emz_reader_open_memory(d, container->data, container->size, &r);
    if (st != EMZ_OK) return st;
    st = emz_reader_read(r, d, out, src->size, 0, src->size);
    emz_reader_close(r);
    return st;
}

int main(int argc, char **argv) {
    emz_type type = EMZ_TYPE_BYTES;
    int checkpoint = argc > 2 && strcmp(argv[2], "checkpoint") == 0;
    int copy = argc > 1 && strcmp(argv[1], "memcpy") == 0; /* the floor: memcpy of FILE */
    if (argc < 4 || argc > 7 ||
        (strcmp(argv[1], "compress") && strcmp(argv[1], "decompress") && !copy) ||
        (!checkpoint && emz_type_from_name(argv[2], &type) != EMZ_OK)) {
        fprintf(stderr, "usage: emzip-profile-loop compress|decompress|memcpy TYPE|checkpoint FILE "
                        "[ITERATIONS] [IMPL|auto] [THREADS]\n");
        return 2;
    }
    int decompress = strcmp(argv[1], "decompress") == 0;
    long iterations = argc > 4 ? strtol(argv[4], NULL, 10) : 100;
    if (iterations < 1) iterations = 1;
    emz_impl impl = EMZ_IMPL_AUTO;
    long threads = argc > 6 ? strtol(argv[6], NULL, 10) : 1;
    if (argc > 5 && strcmp(argv[5], "auto") != 0) {
        for (int i = EMZ_IMPL_SCALAR; i < EMZ_IMPL_COUNT; i++)
            if (strcmp(argv[5], emz_impl_name((emz_impl)i)) == 0) impl = (emz_impl)i;
        if (impl == EMZ_IMPL_AUTO) {
            fprintf(stderr, "emzip-profile-loop: unknown implementation '%s'\n", argv[5]);
            return 2;
        }
    }
    FILE *f = fopen(argv[3], "rb");
    if (!f || fseek(f, 0, SEEK_END) || ftell(f) < 0) {
        fprintf(stderr, "emzip-profile-loop: cannot read %s\n", argv[3]);
        return 2;
    }
    size_t n = (size_t)ftell(f);
    rewind(f);
    uint8_t *src = malloc(n ? n : 1), *out = malloc(n ? n : 1);
    size_t cap = emz_compress_bound(n), size = 0, got = 0;
    uint8_t *frame = malloc(cap);
    if (!src || !out || !frame || fread(src, 1, n, f) != n) {
        fprintf(stderr, "emzip-profile-loop: cannot read %s\n", argv[3]);
        return 2;
    }
    fclose(f);
    emz_cctx *c = emz_cctx_create();
    emz_dctx *d = emz_dctx_create();
    if (!c || !d || emz_cctx_set_param(c, EMZ_PARAM_IMPL, impl) != EMZ_OK ||
        emz_dctx_set_param(d, EMZ_PARAM_IMPL, impl) != EMZ_OK ||
        emz_cctx_set_param(c, EMZ_PARAM_THREADS, threads) != EMZ_OK ||
        emz_dctx_set_param(d, EMZ_PARAM_THREADS, threads) != EMZ_OK) {
        fprintf(stderr, "emzip-profile-loop: implementation or thread count not available\n");
        return 2;
    }
    memory in = {src, n, n}, container = {frame, 0, cap};
    emz_status st = checkpoint ? checkpoint_op(0, c, d, &in, &container, out, &size)
                               : emz_compress(c, frame, cap, src, n, type, &size);
    double *t = malloc((size_t)iterations * sizeof *t);
    for (long i = 0; st == EMZ_OK && i < iterations; i++) {
        double t0 = now();
        if (copy)
            memcpy(out, src, n), got = n;
        else if (checkpoint)
            st = checkpoint_op(decompress, c, d, &in, &container, out, &size), got = n;
        else if (decompress)
            st = emz_decompress(d, out, n, frame, size, &got);
        else
            st = emz_compress(c, frame, cap, src, n, type, &size);
        t[i] = now() - t0;
    }
    if (st != EMZ_OK || ((decompress || copy) && (got != n || memcmp(out, src, n) != 0))) {
        fprintf(stderr, "emzip-profile-loop: %s\n",
                st != EMZ_OK ? emz_error_message(st) : "round trip differs");
        return 1;
    }
    qsort(t, (size_t)iterations, sizeof *t, cmp_double);
    double median = t[iterations / 2];
    printf("%s %s %s (%s, %ld threads): %zu bytes, ratio %.2f%%, median %.3f ms, %.2f GB/s\n",
           argv[1], argv[2], argv[3],
           emz_impl_name(impl == EMZ_IMPL_AUTO ? emz_impl_default() : impl), threads, n,
           n ? 100.0 * (double)size / (double)n : 0.0, median * 1e3, (double)n / median * 1e-9);
    emz_cctx_free(c), emz_dctx_free(d);
    free(src), free(out), free(frame), free(t);
    return 0;
}
