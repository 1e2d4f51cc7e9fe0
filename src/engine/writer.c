/* writer.c - frames and containers written from a source to a sink with bounded memory: the
 * engine behind emz_compress, emz_compress_stream and emz_compress_safetensors.
 *
 * Chunks of all segments are numbered in file order and run through emz_pipeline_run: workers
 * read a chunk from the source into their own buffer and encode it into its slot, the calling
 * thread writes the chunks in order (a bare frame: its header, payloads and index; a version 2
 * container: its header, its table set if table_plan.c found one that pays, every payload, then
 * directory, index and trailer), encoding too whenever the next chunk to write is not ready.
 * Memory: SLOTS_PER_WORKER slots plus a chunk buffer and scratch (6 chunks) per thread, about
 * (SLOTS_PER_WORKER + 7) x chunk size per thread, plus 8 bytes a chunk for a frame's index or at
 * most 9 bytes a chunk and 19 a segment for a container's directory and index (and, while a
 * container's table set is chosen before the first chunk, table_plan.c's statistics: under
 * 1 MB, and 12 bytes a stream of the small segments plus 4 a stream and candidate table, at most
 * 64 MB). A chunk's bytes depend only on the chunk (and, in a container, on the table set,
 * chosen before any chunk is written), so the output is the same for every thread count, a
 * bare frame is exactly what emz_compress produces, and a container's payloads are those of
 * the segments' frames but for their SHARED streams. */
#include "engine/writer.h"
#include "common/checksum.h"
#include "common/common.h"
#include "engine/dispatch.h"
#include "engine/pipeline.h"
#include "engine/table_plan.h"
#include "format/element_types.h"
#include "format/frame.h"

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

enum { SLOTS_PER_WORKER = 8 };

typedef struct writer {
    emz_context *c;
    const emz_kernels *k;
    const emz_source *src;
    const uint8_t *base; /* the source in memory (emz_compress): chunks encode in place */
    const emz_segment *seg;
    size_t n;
    uint64_t *first_chunk; /* per segment, and the total at [n] */
    uint8_t *log2;         /* per segment: its chunk size is 2^log2 */
    unsigned workers;
    size_t slot_size;
    uint8_t *input; /* one chunk buffer per worker, input_stride bytes each */
    size_t input_stride;
    uint8_t *slots; /* encoded chunks, slot_size bytes each */
    size_t *encoded;
    uint32_t *checksum;
    emz_table_set *set;           /* a container's table set (emz_table_plan), or NULL */
    const emz_source *delta_base; /* a delta container's base, or NULL */
    uint8_t *delta_room;          /* per worker: base chunk, difference, its encoding, LOW's */
    size_t delta_stride;
    bool *diff;              /* per slot: the chunk codes its difference from the base */
    emz_chunk_tables tables; /* set, for the encoder */
    /* writing */
    const emz_sink *dst;
    uint64_t written, frame_start, done, total;
    size_t out_seg;   /* the next segment whose frame starts */
    uint8_t *index;   /* a frame's chunk index; a container's directory and index so far */
    bool frame_short; /* the frame being written has the short header */
    uint32_t frame_header_check; /* and this checksum of it, folded into its check */
    size_t index_cap, index_len;
    bool container;
} writer;

static uint64_t chunks_of(const writer *w, size_t s) {
    if (w->seg[s].base_kind == EMZ_BASE_SAME) return 0;
    uint64_t mask = (UINT64_C(1) << w->log2[s]) - 1;
    return (w->seg[s].size >> w->log2[s]) + ((w->seg[s].size & mask) != 0);
}

static emz_status put(writer *w, const void *data, size_t size) {
    if (size && w->dst->write(w->dst->opaque, data, size) != 0) return EMZ_ERROR_IO;
    w->written += size;
    return EMZ_OK;
}

/* The segment of global chunk g: the last one whose first chunk is <= g. */
static size_t segment_of(const writer *w, uint64_t g) {
    size_t lo = 0, hi = w->n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->first_chunk[mid + 1] <= g)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

static void chunk_place(const writer *w, uint64_t g, size_t *s, uint64_t *chunk, uint64_t *at,
                        size_t *len) {
    *s = segment_of(w, g);
    *chunk = g - w->first_chunk[*s];
    uint64_t in = *chunk << w->log2[*s], size = (uint64_t)1 << w->log2[*s];
    *at = w->seg[*s].offset + in;
    *len = (size_t)(w->seg[*s].size - in < size ? w->seg[*s].size - in : size);
}

static emz_status encode_item(void *ctx, unsigned worker, uint64_t item, unsigned slot) {
    writer *w = ctx;
    size_t s, len;
    uint64_t chunk, at;
    chunk_place(w, item, &s, &chunk, &at, &len);
    const uint8_t *in;
    if (w->base) {
        in = w->base + at;
    } else {
        uint8_t *buf = w->input + (size_t)worker * w->input_stride;
        if (w->src->read(w->src->opaque, buf, len, at) != 0) return EMZ_ERROR_IO;
        in = buf;
    }
    w->checksum[slot] = w->k->checksum32(in, len);
    uint8_t *out = w->slots + slot * w->slot_size;
    emz_chunk_scratch *scratch = &w->c->scratch[worker];
    w->encoded[slot] =
        emz_chunk_encode(w->k, w->seg[s].type, in, len, out, scratch, &w->tables, NULL);
    w->diff[slot] = false;
    if (w->seg[s].base_kind != EMZ_BASE_DIFF) return EMZ_OK;
    /* the difference from the base, kept when it codes smaller */
    uint8_t *base = w->delta_room + (size_t)worker * w->delta_stride,
            *diff = base + w->input_stride;
    uint8_t *coded = diff + w->input_stride, *room = coded + w->slot_size;
    uint64_t from = w->seg[s].base_offset + (chunk << w->log2[s]);
    if (w->delta_base->read(w->delta_base->opaque, base, len, from) != 0) return EMZ_ERROR_IO;
    w->k->delta(in, base, diff, len, emz_delta_width(w->seg[s].type), false);
    size_t size =
        emz_chunk_encode_diff(w->k, w->seg[s].type, diff, len, coded, room, scratch, &w->tables);
    if (size < w->encoded[slot]) {
        memcpy(out, coded, size);
        w->encoded[slot] = size, w->diff[slot] = true;
    }
    return EMZ_OK;
}

static emz_status begin_frame(writer *w, size_t s) {
    const emz_segment *seg = &w->seg[s];
    uint64_t chunks = chunks_of(w, s);
    if (chunks * EMZ_INDEX_ENTRY_SIZE > w->index_cap) {
        size_t cap = (size_t)chunks * EMZ_INDEX_ENTRY_SIZE;
        uint8_t *grown = realloc(w->index, cap);
        if (!grown) return EMZ_ERROR_NO_MEMORY;
        w->index = grown, w->index_cap = cap;
    }
    emz_frame_header h = {.version = EMZ_FORMAT_VERSION,
                          .type = seg->type,
                          .chunk_log2 = w->log2[s],
                          .original_size = seg->size,
                          .element_count = seg->element_count,
                          .is_short = emz_frame_is_short(seg->size, w->log2[s])};
    uint8_t header[EMZ_FRAME_HEADER_SIZE];
    size_t size = emz_frame_header_write(&h, header);
    w->frame_start = w->written;
    w->frame_short = h.is_short, w->frame_header_check = h.header_check;
    return put(w, header, size);
}

static emz_status end_frame(writer *w, size_t s) {
    size_t index_size = (size_t)chunks_of(w, s) * EMZ_INDEX_ENTRY_SIZE;
    uint8_t check[4];
    emz_store32(check, emz_checksum32(w->index, index_size));
    emz_status st = put(w, w->index, index_size);
    return st == EMZ_OK ? put(w, check, 4) : st;
}

/* Frames of segments before `until` that have no chunks (only an empty input has one). */
static emz_status empty_frames(writer *w, size_t until) {
    emz_status st = EMZ_OK;
    for (; st == EMZ_OK && w->out_seg < until; w->out_seg++) {
        st = begin_frame(w, w->out_seg);
        if (st == EMZ_OK) st = end_frame(w, w->out_seg);
    }
    return st;
}

static emz_status write_item(void *ctx, uint64_t item, unsigned slot) {
    writer *w = ctx;
    size_t s, len;
    uint64_t chunk, at;
    chunk_place(w, item, &s, &chunk, &at, &len);
    emz_status st = EMZ_OK;
    if (w->container) {
        st = put(w, w->slots + slot * w->slot_size, w->encoded[slot]);
        w->index_len +=
            emz_index2_entry_write((uint32_t)w->encoded[slot], w->diff[slot], w->checksum[slot],
                                   w->seg[s].base_kind == EMZ_BASE_DIFF, w->index + w->index_len);
    } else if (chunk == 0) {
        st = empty_frames(w, s);
        if (st == EMZ_OK) st = begin_frame(w, s);
        w->out_seg = s + 1;
    }
    if (!w->container) {
        if (st == EMZ_OK) st = put(w, w->slots + slot * w->slot_size, w->encoded[slot]);
        if (st != EMZ_OK) return st;
        if (w->frame_short) { /* one chunk: its checksum folded with the header's, no index */
            uint8_t check[4];
            emz_store32(check, w->checksum[slot] ^ w->frame_header_check);
            st = put(w, check, 4);
        } else {
            emz_store32(w->index + chunk * EMZ_INDEX_ENTRY_SIZE, (uint32_t)w->encoded[slot]);
            emz_store32(w->index + chunk * EMZ_INDEX_ENTRY_SIZE + 4, w->checksum[slot]);
            if (chunk + 1 == chunks_of(w, s)) st = end_frame(w, s);
        }
    }
    w->done += len;
    if (st == EMZ_OK && w->c->progress &&
        w->c->progress(w->c->progress_opaque, w->done, w->total) != 0)
        st = EMZ_ERROR_CANCELLED;
    return st;
}

/* A container's header and, into w->index, its directory, which the index will follow. */
static emz_status begin_container(writer *w, const emz_container_header *container) {
    uint64_t entry = w->delta_base ? EMZ_DIR4_ENTRY_MAX : EMZ_DIR2_ENTRY_MAX;
    uint64_t most = (uint64_t)w->n * entry + w->first_chunk[w->n] * EMZ_INDEX2_ENTRY_MAX;
    if (most > UINT32_MAX) { /* the trailer's u32 size: some hundred million chunks */
        emz_detail_set(w->c->detail,
                       "%" PRIu64 " chunks in %zu segments: the container's index "
                       "could exceed 4 GiB (use a larger chunk size)",
                       w->first_chunk[w->n], w->n);
        return EMZ_ERROR_INVALID_ARGUMENT;
    }
    w->index = malloc(most ? (size_t)most : 1);
    if (!w->index) return EMZ_ERROR_NO_MEMORY;
    for (size_t s = 0; s < w->n; s++) {
        const emz_segment *g = &w->seg[s];
        emz_directory_entry e = {.original_size = g->size,
                                 .type = g->type,
                                 .chunk_log2 = w->log2[s],
                                 .base_kind = g->base_kind,
                                 .base_offset = g->base_offset,
                                 .base_digest = g->base_digest};
        w->index_len += w->delta_base ? emz_dir4_entry_write(&e, w->index + w->index_len)
                                      : emz_dir2_entry_write(&e, w->index + w->index_len);
    }
    emz_container_header h = *container;
    h.version = w->delta_base ? EMZ_CONTAINER_VERSION_DELTA : EMZ_CONTAINER_VERSION;
    h.flags = (w->set ? EMZ_CONTAINER_FLAG_TABLE_SET : 0) |
              (w->delta_base ? EMZ_CONTAINER_FLAG_DELTA : 0);
    uint8_t header[EMZ_CONTAINER_HEADER_SIZE];
    emz_container_header_write(&h, header);
    emz_status st = put(w, header, sizeof header);
    if (st != EMZ_OK || !w->set) return st;
    uint8_t *bytes = malloc(emz_table_set_size(w->set));
    if (!bytes) return EMZ_ERROR_NO_MEMORY;
    st = put(w, bytes, emz_table_set_write(w->set, bytes));
    free(bytes);
    return st;
}

/* A container's table set, when one pays (table_plan.c): the source is read twice, which
 * emz_source allows (reads at any offset, any number of times). */
static emz_status plan_tables(writer *w) {
    emz_table_plan_input in = {w->k, &w->c->scratch[0], w->src, w->base, w->seg, w->log2, w->n};
    bool use = false;
    w->set = malloc(sizeof *w->set);
    if (!w->set) return EMZ_ERROR_NO_MEMORY;
    emz_status st = emz_table_plan(&in, w->set, &use);
    if (!use) free(w->set), w->set = NULL;
    w->tables = emz_chunk_tables_of(w->set, NULL);
    return st;
}

static emz_status end_container(writer *w) {
    uint8_t trailer[EMZ_CONTAINER_TRAILER_SIZE];
    emz_store32(trailer, (uint32_t)w->index_len);
    emz_store32(trailer + 4, emz_checksum32(w->index, w->index_len));
    emz_status st = put(w, w->index, w->index_len);
    return st == EMZ_OK ? put(w, trailer, sizeof trailer) : st;
}

/* Picks each segment's chunk size (the context's, or its type's default), counts the chunks,
 * sizes the buffers for `workers` threads; false if one is missing. */
static bool allocate(writer *w, emz_context *c, emz_status *st) {
    w->first_chunk = malloc((w->n + 1) * sizeof *w->first_chunk);
    w->log2 = malloc(w->n ? w->n : 1);
    if (!w->first_chunk || !w->log2) return false;
    w->first_chunk[0] = 0;
    size_t need = 0; /* the largest chunk */
    for (size_t s = 0; s < w->n; s++) {
        size_t chunk = c->chunk_size ? c->chunk_size : emz_default_chunk_size(w->seg[s].type);
        uint8_t log2 = 0;
        while (((size_t)1 << log2) < chunk)
            log2++;
        w->log2[s] = log2;
        if (w->seg[s].base_kind != EMZ_BASE_SAME) w->total += w->seg[s].size; /* coded bytes */
        if (w->seg[s].size < chunk) chunk = (size_t)w->seg[s].size;
        need = chunk > need ? chunk : need;
        w->first_chunk[s + 1] = w->first_chunk[s] + chunks_of(w, s);
    }
    uint64_t chunks = w->first_chunk[w->n];
    w->workers = c->threads < chunks ? c->threads : (unsigned)(chunks ? chunks : 1);
    w->slot_size = EMZ_CHUNK_OUT_ROOM(need);
    w->input_stride = need ? need : 1;
    w->delta_stride = w->delta_base
                          ? 2 * w->input_stride + w->slot_size + EMZ_CHUNK_LOW_ROOM(w->input_stride)
                          : 0;
    uint64_t per_worker = emz_chunk_scratch_bytes(need) + (w->base ? 0 : w->input_stride) +
                          (uint64_t)SLOTS_PER_WORKER * w->slot_size + w->delta_stride;
    *st = emz_context_fit_workers(c, 0, per_worker, &w->workers, "encoding chunks of %zu bytes",
                                  need);
    if (*st != EMZ_OK) return false;
    unsigned slots = w->workers * SLOTS_PER_WORKER;
    *st = emz_chunk_scratch_reserve_set(&c->scratch, &c->scratch_count, w->workers, need);
    w->input = malloc(w->base ? 1 : (size_t)w->workers * w->input_stride);
    w->slots = malloc(slots * w->slot_size);
    w->encoded = malloc(slots * sizeof *w->encoded);
    w->checksum = malloc(slots * sizeof *w->checksum);
    w->diff = malloc(slots * sizeof *w->diff);
    w->delta_room = malloc(w->delta_stride ? (size_t)w->workers * w->delta_stride : 1);
    return w->input && w->slots && w->encoded && w->checksum && w->diff && w->delta_room;
}

emz_status emz_write_frames(emz_context *c, const emz_source *src, const uint8_t *in_memory,
                            const emz_segment *segments, size_t n,
                            const emz_container_header *container, const emz_source *base,
                            const emz_sink *dst, uint64_t *written) {
    writer w = {.c = c, .src = src, .base = in_memory, .seg = segments, .n = n, .dst = dst};
    w.delta_base = container ? base : NULL;
    w.container = container != NULL;
    emz_status st = emz_kernels_resolve(c->impl, &w.k);
    if (st != EMZ_OK) return st;
    if (!allocate(&w, c, &st) && st == EMZ_OK) st = EMZ_ERROR_NO_MEMORY;
    if (st == EMZ_OK && container) st = plan_tables(&w);
    if (st == EMZ_OK && container) st = begin_container(&w, container);
    uint64_t chunks = w.first_chunk ? w.first_chunk[n] : 0;
    if (st == EMZ_OK)
        st = emz_pipeline_run(w.workers, chunks, w.workers * SLOTS_PER_WORKER, encode_item,
                              write_item, &w);
    if (st == EMZ_OK) st = container ? end_container(&w) : empty_frames(&w, n);
    if (st == EMZ_OK && written) *written = w.written;
    free(w.input), free(w.index), free(w.first_chunk), free(w.log2);
    free(w.slots), free(w.encoded), free(w.checksum), free(w.set);
    free(w.diff), free(w.delta_room);
    return st;
}
