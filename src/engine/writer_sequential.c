/* writer_sequential.c - one frame written from an input read once, in order, whose size is not
 * known in advance (a pipe): the engine behind emz_compress_sequential.
 *
 * The input is read a window of chunks at a time into memory. An input that ends within the
 * first window (FIRST_WINDOW chunks, whatever the thread count, so that the output does not
 * depend on it) is handed to emz_write_frames from memory: the same bytes as emz_compress. A
 * longer one becomes a streamed frame (docs/FORMAT.md, "Streamed frame"): a header without
 * sizes, then each window's whole chunks encoded on the context's threads and written in order
 * (a part of a chunk waits for the next window), then the index and a footer holding the
 * sizes. Memory: a window of input and of encoded chunks (2 x max(FIRST_WINDOW + 1, 4 x
 * threads) chunks, the threads cut to fit the memory limit), scratch per thread, and 8 bytes a
 * chunk of index, whatever the input's size. Chunks are coded exactly as in any frame, so a
 * streamed frame's payloads are those of the frame emz_compress would write for the same bytes. */
#include "engine/writer_sequential.h"
#include "common/checksum.h"
#include "common/common.h"
#include "engine/dispatch.h"
#include "engine/parallel.h"
#include "engine/writer.h"
#include "format/element_types.h"
#include "format/frame.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FIRST_WINDOW = 16, WINDOW_PER_WORKER = 4 };

typedef struct seq_writer {
    emz_context *c;
    const emz_kernels *k;
    emz_type type;
    size_t chunk;         /* bytes per chunk */
    unsigned log2;        /* chunk = 2^log2 */
    size_t window_chunks; /* chunks the window holds */
    uint8_t *window;      /* input: window_chunks x chunk bytes */
    size_t filled;        /* bytes of the window read */
    uint8_t *slots;       /* encoded chunks, slot_size bytes each */
    size_t slot_size;
    size_t *encoded;    /* payload size per slot */
    uint32_t *checksum; /* checksum32 of each chunk's original bytes */
    uint8_t *index;     /* the frame's chunk index so far */
    size_t index_cap;
    uint64_t chunks, total; /* chunks and bytes written so far */
    const emz_sink *dst;
    uint64_t written;
} seq_writer;

static emz_status put(seq_writer *w, const void *data, size_t size) {
    if (size && w->dst->write(w->dst->opaque, data, size) != 0) return EMZ_ERROR_IO;
    w->written += size;
    return EMZ_OK;
}

/* Reads on from w->filled until the window holds room bytes or the input ends (*ended). */
static emz_status fill(seq_writer *w, emz_pull_fn pull, void *opaque, size_t room, bool *ended) {
    while (w->filled < room && !*ended) {
        int64_t got = pull(opaque, w->window + w->filled, room - w->filled);
        if (got < 0 || (uint64_t)got > room - w->filled) {
            emz_detail_set(w->c->detail, got < 0 ? "reading the input failed"
                                                 : "the input's read function returned more "
                                                   "bytes than asked for");
            return EMZ_ERROR_IO;
        }
        *ended = got == 0;
        w->filled += (size_t)got;
    }
    if (w->total + w->filled > (UINT64_C(1) << 62)) {
        emz_detail_set(w->c->detail, "the input exceeds 2^62 bytes");
        return EMZ_ERROR_INVALID_ARGUMENT;
    }
    return EMZ_OK;
}

static size_t chunk_len(const seq_writer *w, uint64_t item) {
    size_t at = (size_t)item * w->chunk;
    return w->filled - at < w->chunk ? w->filled - at : w->chunk;
}

static emz_status encode_item(void *ctx, unsigned worker, uint64_t item) {
    seq_writer *w = ctx;
    size_t len = chunk_len(w, item);
    const uint8_t *in = w->window + (size_t)item * w->chunk;
    emz_chunk_tables none = emz_chunk_tables_of(NULL, NULL);
    w->checksum[item] = w->k->checksum32(in, len);
    w->encoded[item] = emz_chunk_encode(w->k, w->type, in, len, w->slots + item * w->slot_size,
                                        &w->c->scratch[worker], &none, NULL);
    return EMZ_OK;
}

/* Encodes the window's whole chunks (and, at the end of the input, the last one) on the
 * workers, writes them and their index entries, and moves what is left of a chunk to the
 * window's start. */
static emz_status write_window(seq_writer *w, unsigned workers, bool ended) {
    uint64_t n = ended ? (w->filled + w->chunk - 1) / w->chunk : w->filled / w->chunk;
    if ((w->chunks + n) * EMZ_INDEX_ENTRY_SIZE > w->index_cap) {
        size_t cap = w->index_cap ? 2 * w->index_cap : 4096;
        while (cap < (w->chunks + n) * EMZ_INDEX_ENTRY_SIZE)
            cap *= 2;
        uint8_t *grown = realloc(w->index, cap);
        if (!grown) return EMZ_ERROR_NO_MEMORY;
        w->index = grown, w->index_cap = cap;
    }
    emz_status st =
        n ? emz_parallel_for(workers < n ? workers : (unsigned)n, n, encode_item, w) : EMZ_OK;
    for (uint64_t i = 0; st == EMZ_OK && i < n; i++) {
        st = put(w, w->slots + i * w->slot_size, w->encoded[i]);
        uint8_t *entry = w->index + (w->chunks + i) * EMZ_INDEX_ENTRY_SIZE;
        emz_store32(entry, (uint32_t)w->encoded[i]);
        emz_store32(entry + 4, w->checksum[i]);
    }
    size_t used = n * w->chunk < w->filled ? (size_t)n * w->chunk : w->filled;
    w->chunks += n, w->total += used;
    memmove(w->window, w->window + used, w->filled - used);
    w->filled -= used;
    if (st == EMZ_OK && w->c->progress && w->c->progress(w->c->progress_opaque, w->total, 0) != 0)
        st = EMZ_ERROR_CANCELLED;
    return st;
}

static emz_status end_frame(seq_writer *w) {
    size_t index_size = (size_t)w->chunks * EMZ_INDEX_ENTRY_SIZE;
    uint8_t tail[4 + EMZ_FRAME_FOOTER_SIZE];
    emz_store32(tail, emz_checksum32(w->index, index_size));
    emz_frame_footer_write(w->total, emz_elements_in(w->type, w->total), tail + 4);
    emz_status st = put(w, w->index, index_size);
    return st == EMZ_OK ? put(w, tail, sizeof tail) : st;
}

/* An input within the first window: the frame emz_compress writes, encoded from the window
 * in place. The window's encoded slots are freed first, and emz_write_frames fits its own
 * buffers into what the window leaves of the memory limit. */
static emz_status write_whole(seq_writer *w, uint64_t *written) {
    free(w->slots), w->slots = NULL;
    emz_context *c = w->c;
    uint64_t limit = c->memory_limit, window = (uint64_t)w->window_chunks * w->chunk;
    uint64_t total = emz_context_memory_limit(c);
    c->memory_limit = total > window ? total - window : 1;
    emz_source src = {NULL, NULL, w->filled};
    emz_segment whole = {
        .size = w->filled, .element_count = emz_elements_in(w->type, w->filled), .type = w->type};
    emz_status st = emz_write_frames(c, &src, w->window, &whole, 1, NULL, NULL, w->dst, written);
    c->memory_limit = limit;
    return st;
}

static emz_status stream(seq_writer *w, emz_pull_fn pull, void *opaque, unsigned workers) {
    emz_frame_header h = {.version = EMZ_FORMAT_VERSION_STREAMED,
                          .type = w->type,
                          .chunk_log2 = w->log2,
                          .streamed = true};
    uint8_t header[EMZ_FRAME_HEADER_SIZE];
    emz_status st = put(w, header, emz_frame_header_write(&h, header));
    bool ended = false;
    while (st == EMZ_OK) {
        st = fill(w, pull, opaque, w->window_chunks * w->chunk, &ended);
        if (st == EMZ_OK) st = write_window(w, workers, ended);
        if (ended) break;
    }
    return st == EMZ_OK ? end_frame(w) : st;
}

/* Sizes the window and buffers for the context's threads within its memory limit: the first
 * window (FIRST_WINDOW chunks and one byte, to see whether the input goes on) in any case, and
 * WINDOW_PER_WORKER chunks of window and encoded slots a worker beyond it, so that the threads
 * are cut, not the call refused, when a large thread count would not fit. */
static emz_status allocate(seq_writer *w, unsigned *workers) {
    emz_context *c = w->c;
    w->chunk = c->chunk_size ? c->chunk_size : emz_default_chunk_size(w->type);
    while (((size_t)1 << w->log2) < w->chunk)
        w->log2++;
    w->slot_size = EMZ_CHUNK_OUT_ROOM(w->chunk);
    uint64_t unit = (uint64_t)w->chunk + w->slot_size; /* a chunk of window and its slot */
    *workers = c->threads;
    emz_status st = emz_context_fit_workers(
        c, (FIRST_WINDOW + 1) * unit, emz_chunk_scratch_bytes(w->chunk) + WINDOW_PER_WORKER * unit,
        workers, "a window of chunks of %zu bytes", w->chunk);
    if (st != EMZ_OK) return st;
    w->window_chunks = *workers * WINDOW_PER_WORKER > FIRST_WINDOW
                           ? (size_t)*workers * WINDOW_PER_WORKER
                           : FIRST_WINDOW + 1;
    st = emz_chunk_scratch_reserve_set(&c->scratch, &c->scratch_count, *workers, w->chunk);
    if (st != EMZ_OK) return st;
    w->window = malloc(w->window_chunks * w->chunk);
    w->slots = malloc(w->window_chunks * w->slot_size);
    w->encoded = malloc(w->window_chunks * sizeof *w->encoded);
    w->checksum = malloc(w->window_chunks * sizeof *w->checksum);
    return w->window && w->slots && w->encoded && w->checksum ? EMZ_OK : EMZ_ERROR_NO_MEMORY;
}

emz_status emz_write_sequential(emz_context *c, emz_pull_fn pull, void *opaque, emz_type type,
                                const emz_sink *dst, uint64_t *written) {
    seq_writer w = {.c = c, .type = type, .dst = dst};
    unsigned workers = c->threads;
    emz_status st = emz_kernels_resolve(c->impl, &w.k);
    if (st == EMZ_OK) st = allocate(&w, &workers);
    bool ended = false; /* the first window and one byte more decide: whole or streamed */
    if (st == EMZ_OK) st = fill(&w, pull, opaque, FIRST_WINDOW * w.chunk + 1, &ended);
    if (st == EMZ_OK && ended) {
        st = write_whole(&w, written);
    } else if (st == EMZ_OK) {
        st = stream(&w, pull, opaque, workers);
        if (st == EMZ_OK && written) *written = w.written;
    }
    free(w.window), free(w.slots), free(w.encoded), free(w.checksum), free(w.index);
    return st;
}
