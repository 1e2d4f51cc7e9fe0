/* load_checkpoint.c - emzip-load: how fast a compressed checkpoint loads, per thread count.
 *
 * usage: emzip-load FILE.emz [REPS] [THREADS,...]
 *
 * Opens FILE.emz once (emz_reader_open_file) and, for every thread count (default 1,2), times
 *  - "load": emz_reader_read of the whole file into one buffer allocated and touched once
 *    beforehand (the "load a checkpoint into host memory" call: page faults are not timed);
 *  - "stream": emz_reader_decompress to a sink that drops the bytes (decode + checksum only,
 *    the work of `emzip test` and of a decompression to a fast disk).
 * All measurements run interleaved, one after the other in every repetition (timing.h), so
 * load on this shared machine lands on all of them alike; prints the median GB/s of original
 * data, and the speed-up of each thread count over the first. The compressed file should be
 * in the page cache (run it twice, or cat it to /dev/null first): this measures the codec. */
#include "emzip.h"
#include "timing.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct load_arg {
    emz_reader *r;
    emz_dctx *d;
    uint8_t *buf;
    uint64_t size;
    int stream;
} load_arg;

static int drop(void *opaque, const void *buf, size_t size) {
    (void)opaque, (void)buf, (void)size;
    return 0;
}

static int run(void *p) {
    load_arg *a = p;
    if (a->stream) {
        emz_sink sink = {drop, NULL};
        return emz_reader_decompress(a->r, a->d, &sink, NULL) != EMZ_OK;
    }
    return emz_reader_read(a->r, a->d, a->buf, a->size, 0, a->size) != EMZ_OK;
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 4) {
        fprintf(stderr, "usage: emzip-load FILE.emz [REPS] [THREADS,...]\n");
        return 2;
    }
    int reps = argc > 2 ? atoi(argv[2]) : 7;
    int threads[16], nt = 0;
    for (char *t = strtok(argc > 3 ? argv[3] : (char[]){"1,2"}, ","); t && nt < 16;
         t = strtok(NULL, ","))
        threads[nt++] = atoi(t);
    emz_reader *r;
    emz_status st = emz_reader_open_file(NULL, argv[1], &r);
    if (st != EMZ_OK) {
        fprintf(stderr, "emzip-load: %s: %s\n", argv[1], emz_error_message(st));
        return 1;
    }
    emz_reader_info info;
    emz_reader_info_get(r, &info);
    uint8_t *buf = malloc(info.original_size ? info.original_size : 1);
    if (!buf) return 1;
    memset(buf, 0, info.original_size); /* fault the pages in before timing */
    load_arg args[32];
    timed_run runs[32];
    for (int i = 0; i < nt; i++)
        for (int stream = 0; stream < 2; stream++) {
            load_arg *a = &args[2 * i + stream];
            *a = (load_arg){r, emz_dctx_create(), buf, info.original_size, stream};
            emz_dctx_set_param(a->d, EMZ_PARAM_THREADS, threads[i]);
            runs[2 * i + stream] = (timed_run){.fn = run, .arg = a};
        }
    time_interleaved(runs, (size_t)(2 * nt), reps);
    printf("%s: %llu bytes original, %llu compressed, %llu tensors, %llu chunks\n", argv[1],
           (unsigned long long)info.original_size, (unsigned long long)info.compressed_size,
           (unsigned long long)info.tensor_count, (unsigned long long)info.chunk_count);
    printf("%-8s %-7s %10s %8s %6s\n", "threads", "call", "GB/s", "speedup", "reps");
    for (int stream = 0; stream < 2; stream++)
        for (int i = 0; i < nt; i++) {
            timing t = runs[2 * i + stream].t, t0 = runs[stream].t;
            printf("%-8d %-7s %10.2f %7.2fx %6d%s\n", threads[i], stream ? "stream" : "load",
                   gbps(info.original_size, t), t0.seconds / t.seconds, t.runs,
                   t.ok ? "" : "  FAILED");
        }
    for (int i = 0; i < 2 * nt; i++)
        emz_dctx_free(args[i].d);
    emz_reader_close(r);
    free(buf);
    return 0;
}
