/* delta_bench.c - emzip-delta-bench: a checkpoint stored against its base (emzip compress
 * --base) beside the same checkpoint stored alone: ratio, and whole-file decompression speed in
 * memory on one thread (emz_reader_read, base in memory), timed interleaved (timing.h).
 *
 *   emzip-delta-bench NEW.safetensors BASE.safetensors [REPS [alone|base]]
 *
 * With alone or base, only that decompression runs, REPS times, untimed: a loop for perf
 * record to profile without the other one's samples.
 *
 * Issue 17's bar: decompression with the base at least 0.8 x the speed without it. */
#include "bench_util.h"
#include "timing.h"

#include <emzip.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct mem {
    uint8_t *data;
    size_t size, cap;
} mem;

static int mem_read(void *opaque, void *buf, size_t size, uint64_t offset) {
    const mem *m = opaque;
    if (offset > m->size || size > m->size - offset) return -1;
    memcpy(buf, m->data + offset, size);
    return 0;
}

static int mem_write(void *opaque, const void *buf, size_t size) {
    mem *m = opaque;
    if (m->size + size > m->cap) {
        m->cap = (m->size + size) * 2;
        m->data = realloc(m->data, m->cap);
        if (!m->data) return -1;
    }
    memcpy(m->data + m->size, buf, size);
    m->size += size;
    return 0;
}

static mem compress(const mem *file, const mem *base, emz_delta_summary *summary) {
    emz_cctx *c = emz_cctx_create();
    emz_source src = {mem_read, (void *)file, file->size};
    emz_source bsrc = {mem_read, (void *)base, base ? base->size : 0};
    mem out = {0};
    emz_sink sink = {mem_write, &out};
    emz_status st = base ? emz_compress_safetensors_delta(c, &src, &bsrc, &sink, NULL, summary)
                         : emz_compress_safetensors(c, &src, &sink, NULL);
    if (st != EMZ_OK) {
        fprintf(stderr, "compress: %s: %s\n", emz_error_message(st), emz_cctx_error_detail(c));
        exit(1);
    }
    emz_cctx_free(c);
    return out;
}

typedef struct load {
    emz_reader *reader;
    emz_dctx *dctx;
    uint8_t *out;
    size_t size;
} load;

static int run_load(void *arg) {
    load *l = arg;
    return emz_reader_read(l->reader, l->dctx, l->out, l->size, 0, l->size) != EMZ_OK;
}

static void open_load(load *l, const mem *c, const mem *base, size_t size) {
    l->dctx = emz_dctx_create();
    emz_dctx_set_param(l->dctx, EMZ_PARAM_THREADS, 1);
    if (emz_reader_open_memory(l->dctx, c->data, c->size, &l->reader) != EMZ_OK) exit(1);
    if (base && emz_reader_set_base_memory(l->reader, base->data, base->size) != EMZ_OK) exit(1);
    l->out = xmalloc(size);
    memset(l->out, 0, size); /* faulted in before timing */
    l->size = size;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s NEW.safetensors BASE.safetensors [REPS [alone|base]]\n",
                argv[0]);
        return 2;
    }
    long long reps = 15;
    if (argc > 3 && parse_ll(argv[3], 1, 1000000, &reps) != 0) return 2;
    mem file = {0}, base = {0};
    file.data = read_whole_file(argv[1], &file.size);
    base.data = read_whole_file(argv[2], &base.size);
    emz_delta_summary sum;
    mem alone = compress(&file, NULL, NULL), delta = compress(&file, &base, &sum);
    load a, d;
    open_load(&a, &alone, NULL, file.size);
    open_load(&d, &delta, &base, file.size);
    if (run_load(&d) || memcmp(d.out, file.data, file.size) != 0) {
        fprintf(stderr, "the delta does not restore %s\n", argv[1]);
        return 1;
    }
    if (argc > 4) { /* one of them only, for a profile */
        int only_base = strcmp(argv[4], "base") == 0;
        if (!only_base && strcmp(argv[4], "alone") != 0) return 2;
        for (long long i = 0; i < reps; i++)
            if (run_load(only_base ? &d : &a)) return 1;
        return 0;
    }
    timed_run r[2] = {{.fn = run_load, .arg = &a}, {.fn = run_load, .arg = &d}};
    time_interleaved(r, 2, (int)reps);
    printf("%s against %s: %llu tensors, %llu against the base (%llu unchanged), %llu alone\n",
           base_name(argv[1]), base_name(argv[2]), (unsigned long long)sum.tensors,
           (unsigned long long)(sum.diff + sum.same), (unsigned long long)sum.same,
           (unsigned long long)sum.alone);
    printf("%-22s %12s %8s %12s %12s\n", "", "bytes", "ratio", "dec GB/s", "best GB/s");
    printf("%-22s %12zu %8.4f %12.3f %12.3f\n", "alone", alone.size,
           (double)alone.size / (double)file.size, gbps(file.size, r[0].t),
           best_gbps(file.size, r[0].t));
    printf("%-22s %12zu %8.4f %12.3f %12.3f\n", "--base", delta.size,
           (double)delta.size / (double)file.size, gbps(file.size, r[1].t),
           best_gbps(file.size, r[1].t));
    printf("decompression with the base / without: %.3f (median of %d interleaved repetitions, "
           "1 thread, in memory)\n",
           r[0].t.seconds / r[1].t.seconds, r[1].t.runs);
    emz_reader_close(a.reader), emz_reader_close(d.reader);
    emz_dctx_free(a.dctx), emz_dctx_free(d.dctx);
    free(a.out), free(d.out), free(file.data), free(base.data), free(alone.data), free(delta.data);
    return 0;
}
