/* reader_read.c - decoding from an open reader: any byte range of the original file into a
 * caller buffer (all its chunks in parallel), and the whole file in order to a sink.
 *
 * Each worker reads a chunk's payload from the source into its own buffer and decodes it,
 * straight into the destination when the chunk lies wholly inside it. Chunks of all
 * segments are numbered in file order, so a range is a run of consecutive chunks whatever
 * tensors it spans, and the threads share one counter over it (no lock on the hot path;
 * workers write disjoint bytes). Decoding into L2 scratch and copying out with non-temporal
 * stores (no read-for-ownership of the destination) was measured on the 1.1 GiB tiled
 * checkpoint and rejected: 2.73-2.79 GB/s on one thread against 2.94-2.99 decoding in place,
 * and no better gain from a second thread (1.73-1.74x against 1.68-1.75x). */
#include "common/common.h"
#include "engine/dispatch.h"
#include "engine/parallel.h"
#include "engine/pipeline.h"
#include "engine/reader.h"
#include "format/element_types.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

enum { SLOTS_PER_WORKER = 8 };

typedef struct read_job {
    const emz_reader *r;
    emz_context *d;
    const emz_kernels *k;
    size_t input_stride; /* bytes of each worker's payload buffer (its scratch's input) */
    uint64_t first;      /* global index of item 0's chunk */
    /* emz_reader_read: original bytes [lo, hi) go to dst */
    uint8_t *dst;
    uint64_t lo, hi;
    /* emz_reader_decompress: item i goes to window + i * window_stride (NULL: verify only) */
    uint8_t *window;
    size_t window_stride;
    atomic_uint_fast64_t failed;              /* the first chunk that failed, UINT64_MAX if none */
    unsigned fault, fault_table, fault_width; /* its refused SHARED stream (EMZ_SHARED_FAULT_*) */
} read_job;

/* Records g as the failed chunk if it is the first, with why its SHARED stream was refused. */
static void record_failure(read_job *j, uint64_t g, const emz_chunk_scratch *s) {
    uint_fast64_t none = UINT64_MAX;
    if (!atomic_compare_exchange_strong(&j->failed, &none, g) || !s) return;
    j->fault = s->shared_fault, j->fault_table = s->shared_table, j->fault_width = s->shared_width;
}

/* The base bytes of a chunk that codes its difference from them. */
static emz_status base_of(read_job *j, unsigned worker, uint64_t g, size_t segment, size_t len,
                          const uint8_t **base) {
    const reader_segment *s = &j->r->seg[segment];
    return emz_reader_base_bytes(j->r, segment, (g - s->first_chunk) << s->log2, len,
                                 j->d->scratch[worker].shifted, base);
}

/* Decodes global chunk g, of segment `segment`, into out (len bytes); on failure records g. */
static emz_status decode_chunk(read_job *j, unsigned worker, uint64_t g, size_t segment,
                               uint8_t *out, size_t len) {
    const reader_segment *s = &j->r->seg[segment];
    emz_status loaded = emz_reader_load_segment(j->r, segment, NULL, 0);
    if (loaded != EMZ_OK) {
        record_failure(j, g, NULL);
        return loaded;
    }
    const reader_chunk *c = &j->r->chunk[g];
    /* In memory the payload decodes in place; else it is read into this worker's buffer. The
     * decoder may read ahead up to readable_end (the end of the memory or of the buffer), which
     * keeps it in its fast loop longer than stopping at the payload's end would. */
    const uint8_t *in, *readable_end;
    emz_status st = EMZ_OK;
    if (j->r->base) {
        in = j->r->base + c->payload;
        readable_end = j->r->base + j->r->src.size;
    } else {
        uint8_t *buf = j->d->scratch[worker].input;
        readable_end = buf + j->input_stride;
        /* the index loaders held every payload to the expansion bound, which the buffer holds */
        if (c->size > j->input_stride) return EMZ_ERROR_CORRUPT;
        if (j->r->src.read(j->r->src.opaque, buf, c->size, c->payload) != 0) st = EMZ_ERROR_IO;
        in = buf;
    }
    const uint8_t *base = NULL;
    if (st == EMZ_OK && c->diff) st = base_of(j, worker, g, segment, len, &base);
    if (st == EMZ_OK)
        st = emz_chunk_decode(j->k, s->type, s->version, base, c->diff && j->r->diff_low, in,
                              c->size, readable_end, out, len, &j->d->scratch[worker],
                              &j->r->tables);
    /* a chunk decoded against a base is always checked: only its checksum tells that the base
     * is the right one without reading all of the base tensor */
    if (st == EMZ_OK && (j->d->verify || c->diff) && j->k->checksum32(out, len) != c->checksum)
        st = c->diff && emz_reader_base_check(j->r, segment) != EMZ_OK ? EMZ_ERROR_WRONG_BASE
                                                                       : EMZ_ERROR_CHECKSUM;
    if (st != EMZ_OK) record_failure(j, g, st == EMZ_ERROR_CORRUPT ? &j->d->scratch[worker] : NULL);
    return st;
}

/* Where global chunk g lies in the original file, and its segment. */
static size_t chunk_span(const emz_reader *r, uint64_t g, uint64_t *start, size_t *len) {
    size_t segment = emz_reader_segment_of_chunk(r, g);
    const reader_segment *s = &r->seg[segment];
    uint64_t at = (g - s->first_chunk) << s->log2, chunk = UINT64_C(1) << s->log2;
    *start = s->offset + at;
    *len = (size_t)(s->size - at < chunk ? s->size - at : chunk);
    return segment;
}

static emz_status read_one(void *ctx, unsigned worker, uint64_t item) {
    read_job *j = ctx;
    uint64_t g = j->first + item, start;
    size_t len;
    size_t segment = chunk_span(j->r, g, &start, &len);
    bool whole = start >= j->lo && start + len <= j->hi;
    uint8_t *out = whole ? j->dst + (start - j->lo) : j->d->scratch[worker].chunk;
    emz_status st = decode_chunk(j, worker, g, segment, out, len);
    if (st == EMZ_OK && !whole) {
        uint64_t from = start > j->lo ? start : j->lo;
        uint64_t to = start + len < j->hi ? start + len : j->hi;
        memcpy(j->dst + (from - j->lo), out + (from - start), (size_t)(to - from));
    }
    return st;
}

/* Sets up a job on up to `chunks` workers, as many as the context's memory limit holds with
 * window_chunks chunks of output window each: kernels, scratch and payload buffers. */
static emz_status job_init(read_job *j, const emz_reader *r, emz_context *d, uint64_t chunks,
                           unsigned window_chunks, unsigned *workers) {
    *j = (read_job){.r = r, .d = d};
    atomic_init(&j->failed, UINT64_MAX);
    emz_status st = emz_kernels_resolve(d->impl, &j->k);
    if (st != EMZ_OK) return st;
    *workers = d->threads < chunks ? d->threads : (unsigned)(chunks ? chunks : 1);
    size_t largest = r->largest_chunk ? r->largest_chunk : 1;
    /* room for the largest payload the chunks may have (emz_chunk_payload_max) */
    j->input_stride = r->base                 ? 0
                      : r->bound_version >= 3 ? EMZ_CHUNK_OUT_ROOM(largest)
                                              : (size_t)emz_chunk_payload_max(2, largest) + 128;
    /* a delta's base read through a source: a chunk of it per worker */
    bool base_buffer = r->info.is_delta && r->has_delta_base && !r->delta_mem;
    uint64_t per_worker = emz_chunk_scratch_bytes(largest) + j->input_stride +
                          (uint64_t)window_chunks * largest + (base_buffer ? largest : 0);
    st =
        emz_context_fit_workers(d, 0, per_worker, workers, "decoding chunks of %zu bytes", largest);
    if (st != EMZ_OK) return st;
    st = emz_chunk_scratch_reserve_set(&d->scratch, &d->scratch_count, *workers, largest);
    for (unsigned w = 0; st == EMZ_OK && j->input_stride && w < *workers; w++)
        if (!emz_chunk_scratch_reserve_input(&d->scratch[w], j->input_stride))
            st = EMZ_ERROR_NO_MEMORY;
    for (unsigned w = 0; st == EMZ_OK && base_buffer && w < *workers; w++)
        if (!emz_chunk_scratch_reserve_shifted(&d->scratch[w], largest)) st = EMZ_ERROR_NO_MEMORY;
    return st;
}

/* Why chunk g's SHARED stream was refused, into why (empty when it was not). */
static void describe_fault(const read_job *j, uint64_t g, char *why, size_t size) {
    const emz_table_set *set = j->r->set;
    unsigned t = j->fault_table;
    why[0] = '\0';
    if (j->fault == EMZ_SHARED_FAULT_NO_SET)
        snprintf(why, size, ": chunk %" PRIu64 ": SHARED stream (table %u) in a %s", g, t,
                 j->r->info.is_container ? "container without a table set" : "bare frame");
    else if (j->fault == EMZ_SHARED_FAULT_NO_TABLE)
        snprintf(why, size,
                 ": chunk %" PRIu64 ": SHARED stream refers to table %u, but table set %016" PRIx64
                 " has %u tables",
                 g, t, set->id, set->count);
    else if (j->fault == EMZ_SHARED_FAULT_WIDTH)
        snprintf(why, size,
                 ": chunk %" PRIu64 ": SHARED stream of %u-bit symbols refers to table %u of "
                 "table set %016" PRIx64 ", a table for %u-bit symbols",
                 g, j->fault_width, t, set->id, set->width[t]);
}

/* Says in the context which chunk failed and what it belongs to. */
static emz_status job_end(read_job *j, emz_status st) {
    uint64_t g = atomic_load(&j->failed);
    if (st == EMZ_ERROR_WRONG_BASE && g != UINT64_MAX) {
        emz_reader_base_describe(j->r, emz_reader_segment_of_chunk(j->r, g), j->d->detail,
                                 EMZ_DETAIL_SIZE);
    } else if (st != EMZ_OK && g != UINT64_MAX) {
        uint64_t start;
        size_t len;
        char what[EMZ_DETAIL_SIZE / 2], why[EMZ_DETAIL_SIZE / 2];
        chunk_span(j->r, g, &start, &len);
        emz_reader_describe(j->r, start, what, sizeof what);
        describe_fault(j, g, why, sizeof why);
        emz_detail_set(j->d->detail, "in %s (original bytes %" PRIu64 "..%" PRIu64 ")%s", what,
                       start, start + len, why);
    }
    return st;
}

emz_status emz_reader_read_range(const emz_reader *r, emz_context *d, uint8_t *dst, uint64_t lo,
                                 uint64_t hi) {
    size_t s0 = emz_reader_segment_at(r, lo), s1 = emz_reader_segment_at(r, hi - 1);
    const reader_segment *a = &r->seg[s0], *b = &r->seg[s1];
    /* the chunks of [lo, hi): a delta's unchanged (SAME) segments have none, and come from the
     * base */
    uint64_t first = a->first_chunk + (a->chunk_count ? (lo - a->offset) >> a->log2 : 0);
    uint64_t end = b->first_chunk + (b->chunk_count ? ((hi - 1 - b->offset) >> b->log2) + 1 : 0);
    emz_status st = EMZ_OK;
    if (r->info.is_delta) st = emz_reader_copy_same(r, dst, lo, lo, hi, d->detail);
    if (st != EMZ_OK || end <= first) return st;
    read_job j;
    unsigned workers;
    st = job_init(&j, r, d, end - first, 0, &workers);
    if (st == EMZ_OK) {
        j.first = first, j.dst = dst, j.lo = lo, j.hi = hi;
        st = emz_parallel_for(workers, end - first, read_one, &j);
    }
    return job_end(&j, st);
}

/* ---- the whole file, in order -------------------------------------------------------- */

typedef struct stream_job {
    read_job *j;
    const emz_sink *dst;
    uint64_t done;
    uint8_t *same; /* a delta's unchanged bytes on their way to dst */
} stream_job;

enum { SAME_PIECE = 1 << 20 };

/* A piece of a SAME segment to the sink, counted and reported as progress. */
static emz_status put_same(void *opaque, const uint8_t *data, size_t size) {
    stream_job *sj = opaque;
    emz_context *d = sj->j->d;
    if (sj->dst && sj->dst->write(sj->dst->opaque, data, size) != 0) return EMZ_ERROR_IO;
    sj->done += size;
    if (d->progress && d->progress(d->progress_opaque, sj->done, sj->j->r->info.original_size) != 0)
        return EMZ_ERROR_CANCELLED;
    return EMZ_OK;
}

/* A delta's unchanged (SAME) segments, which have no chunks, from the bytes written so far to
 * `until`: from the base to the sink, hashed on the way (one read of the base). */
static emz_status write_same(stream_job *sj, uint64_t until) {
    read_job *j = sj->j;
    while (sj->done < until) {
        size_t s = emz_reader_segment_at(j->r, sj->done);
        emz_status st =
            j->r->seg[s].base_kind == EMZ_BASE_SAME
                ? emz_reader_base_stream(j->r, s, sj->same, SAME_PIECE, put_same, sj, j->d->detail)
                : EMZ_ERROR_CORRUPT; /* not reached: chunks cover the others */
        if (st != EMZ_OK) return st;
    }
    return EMZ_OK;
}

static emz_status decode_item(void *ctx, unsigned worker, uint64_t item, unsigned slot) {
    read_job *j = ((stream_job *)ctx)->j;
    uint64_t start;
    size_t len;
    size_t segment = chunk_span(j->r, item, &start, &len);
    uint8_t *out = j->window ? j->window + slot * j->window_stride : j->d->scratch[worker].chunk;
    return decode_chunk(j, worker, item, segment, out, len);
}

static emz_status write_item(void *ctx, uint64_t item, unsigned slot) {
    stream_job *sj = ctx;
    read_job *j = sj->j;
    uint64_t start;
    size_t len;
    chunk_span(j->r, item, &start, &len);
    emz_status st = sj->same ? write_same(sj, start) : EMZ_OK;
    if (st != EMZ_OK) return st;
    if (sj->dst && sj->dst->write(sj->dst->opaque, j->window + slot * j->window_stride, len) != 0)
        return EMZ_ERROR_IO;
    sj->done += len;
    emz_context *d = j->d;
    if (d->progress && d->progress(d->progress_opaque, sj->done, j->r->info.original_size) != 0)
        return EMZ_ERROR_CANCELLED;
    return EMZ_OK;
}

/* Chunks decoded by the workers into SLOTS_PER_WORKER slots per thread, written in order by
 * the calling thread (emz_pipeline_run). */
emz_status emz_reader_decompress_all(const emz_reader *r, emz_context *d, const emz_sink *dst,
                                     uint64_t *done) {
    read_job j;
    unsigned workers;
    emz_status st = job_init(&j, r, d, r->info.chunk_count, dst ? SLOTS_PER_WORKER : 0, &workers);
    unsigned slots = workers * SLOTS_PER_WORKER;
    j.window_stride = r->largest_chunk;
    j.window = dst && st == EMZ_OK ? malloc(slots * j.window_stride + 1) : NULL;
    if (st == EMZ_OK && dst && !j.window) st = EMZ_ERROR_NO_MEMORY;
    stream_job sj = {&j, dst, 0, NULL};
    if (st == EMZ_OK && r->info.is_delta && !(sj.same = malloc(SAME_PIECE)))
        st = EMZ_ERROR_NO_MEMORY;
    if (st == EMZ_OK)
        st = emz_pipeline_run(workers, r->info.chunk_count, slots, decode_item, write_item, &sj);
    if (st == EMZ_OK && sj.same) st = write_same(&sj, r->info.original_size);
    *done = sj.done;
    free(j.window), free(sj.same);
    return job_end(&j, st);
}

int emz_reader_source_read(void *opaque, void *buf, size_t size, uint64_t offset) {
    const emz_reader *r = opaque;
    if (offset > r->info.original_size || size > r->info.original_size - offset) return -1;
    if (size == 0) return 0;
    emz_context local, *c = emz_context_begin(NULL, &local);
    emz_status st = emz_reader_read_range(r, c, buf, offset, offset + size);
    emz_context_end(c, &local);
    return st != EMZ_OK;
}
