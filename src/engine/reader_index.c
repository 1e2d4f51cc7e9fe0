/* reader_index.c - a reader's tables: the segments (one frame each, in a bare frame or a
 * version 1 container) and the chunks of all of them, numbered in file order; each frame's
 * header and chunk index are loaded the first time they are needed (a version 2 container's
 * index is read at open, reader_container.c). Every size read from the file is hostile until
 * checked against the file's real size.
 *
 * Frames are not read when the file is opened: on the 1.1 GiB tiled checkpoint (17,700
 * tensors) reading every frame's header and index took 95-105 ms of pread calls, 40x the
 * time of extracting one 2 MiB tensor; the directory tells all a reader needs beforehand. */
#include "common/checksum.h"
#include "common/common.h"
#include "engine/reader.h"

#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

emz_status emz_reader_get(const emz_reader *r, void *buf, size_t size, uint64_t at) {
    if (at > r->src.size || size > r->src.size - at) return EMZ_ERROR_TRUNCATED;
    return size == 0 || r->src.read(r->src.opaque, buf, size, at) == 0 ? EMZ_OK : EMZ_ERROR_IO;
}

static uint64_t chunks_for(uint64_t size, unsigned log2) {
    return (size >> log2) + ((size & ((UINT64_C(1) << log2) - 1)) != 0);
}

/* A short frame's one chunk (version 3, a bare frame only): the payload between header and
 * check, at most the expansion bound, its checksum unfolded from the check. */
static emz_status load_short(emz_reader *r, reader_segment *s, const emz_frame_header *h) {
    if (r->info.is_container) return EMZ_ERROR_CORRUPT; /* containers hold full frames */
    if (s->frame_size < (uint64_t)h->header_size + 1 + 4) return EMZ_ERROR_TRUNCATED;
    uint64_t payload = s->frame_size - h->header_size - 4;
    if (payload > EMZ_CHUNK_PAYLOAD_BOUND(h->original_size)) return EMZ_ERROR_CORRUPT;
    uint8_t check[4];
    emz_status st = emz_reader_get(r, check, 4, s->frame_offset + s->frame_size - 4);
    if (st != EMZ_OK) return st;
    r->chunk[s->first_chunk] =
        (reader_chunk){.payload = s->frame_offset + h->header_size,
                       .size = (uint32_t)payload,
                       .checksum = emz_short_frame_checksum(h, emz_load32(check))};
    return EMZ_OK;
}

emz_status emz_reader_frame_footer(const emz_reader *r, uint64_t frame_offset, uint64_t frame_size,
                                   emz_frame_header *h) {
    uint8_t footer[EMZ_FRAME_FOOTER_SIZE];
    if (frame_size < EMZ_FRAME_FIXED_OVERHEAD + EMZ_FRAME_FOOTER_SIZE) return EMZ_ERROR_TRUNCATED;
    emz_status st =
        emz_reader_get(r, footer, sizeof footer, frame_offset + frame_size - sizeof footer);
    return st == EMZ_OK ? emz_frame_footer_read(footer, h) : st;
}

/* Reads and checks segment s's frame header against what the directory said, then its chunk
 * index into the chunk table. */
static emz_status load(emz_reader *r, reader_segment *s) {
    uint8_t head[EMZ_FRAME_HEADER_SIZE];
    emz_frame_header h;
    size_t have = s->frame_size < sizeof head ? (size_t)s->frame_size : sizeof head;
    emz_status st = emz_reader_get(r, head, have, s->frame_offset);
    if (st == EMZ_OK) st = emz_frame_header_read(head, have, &h);
    if (st == EMZ_OK && h.streamed) /* only bare frames are streamed; containers know sizes */
        st = r->info.is_container ? EMZ_ERROR_CORRUPT
                                  : emz_reader_frame_footer(r, s->frame_offset, s->frame_size, &h);
    if (st != EMZ_OK) return st == EMZ_ERROR_NOT_EMZIP ? EMZ_ERROR_CORRUPT : st;
    if (h.original_size != s->size || h.type != s->type || h.chunk_log2 != s->log2 ||
        (s->version && h.version != s->version))
        return EMZ_ERROR_CORRUPT;
    s->version =
        h.version; /* published to other threads by the EMZ_SEGMENT_LOADED state's release */
    if (h.is_short) return load_short(r, s, &h);
    uint64_t fixed = EMZ_FRAME_HEADER_SIZE + emz_frame_tail_size(&h);
    if (s->frame_size < fixed) return EMZ_ERROR_CORRUPT;
    /* each chunk has an 8-byte entry and a payload of at least one byte */
    if ((s->frame_size - fixed) / (EMZ_INDEX_ENTRY_SIZE + 1) < s->chunk_count)
        return EMZ_ERROR_CORRUPT;
    size_t index_size = (size_t)s->chunk_count * EMZ_INDEX_ENTRY_SIZE;
    uint8_t *index = malloc(index_size + 4);
    if (!index) return EMZ_ERROR_NO_MEMORY;
    uint64_t index_at =
        s->frame_offset + s->frame_size - (fixed - EMZ_FRAME_HEADER_SIZE) - index_size;
    st = emz_reader_get(r, index, index_size + 4, index_at);
    if (st == EMZ_OK && emz_load32(index + index_size) != emz_checksum32(index, index_size))
        st = EMZ_ERROR_CORRUPT;
    uint64_t at = s->frame_offset + EMZ_FRAME_HEADER_SIZE, chunk = UINT64_C(1) << s->log2;
    for (uint64_t i = 0; st == EMZ_OK && i < s->chunk_count; i++) {
        uint32_t size = emz_load32(index + i * EMZ_INDEX_ENTRY_SIZE);
        uint64_t len = i + 1 < s->chunk_count ? chunk : s->size - i * chunk;
        /* every payload has its layout byte and stays within the expansion bound: a forged
         * size is refused here, before anything is allocated or read by it */
        if (size == 0 || size > emz_chunk_payload_max(h.version, len)) st = EMZ_ERROR_CORRUPT;
        r->chunk[s->first_chunk + i] =
            (reader_chunk){.payload = at,
                           .size = size,
                           .checksum = emz_load32(index + i * EMZ_INDEX_ENTRY_SIZE + 4)};
        at += size;
    }
    if (st == EMZ_OK && at != index_at) st = EMZ_ERROR_CORRUPT;
    free(index);
    return st;
}

emz_status emz_reader_load_segment(const emz_reader *reader, size_t s, char *detail, size_t size) {
    emz_reader *r = (emz_reader *)reader; /* the lazily filled parts: state, chunk table */
    reader_segment *seg = &r->seg[s];
    /* The thread that moves the state from 0 reads the frame, without a lock (it writes only
     * this segment's entries of the chunk table); any other that needs it meanwhile waits.
     * A lock around the reads made two threads wait on each other 35,000 times in one pass
     * over the 17,700-tensor checkpoint. A frame found invalid stays so; a read that failed
     * (EMZ_ERROR_IO: a network file system's hiccup) puts the state back to 0, so that the
     * next call, or a thread that was waiting, reads it again. */
    int state;
    for (;;) {
        state = atomic_load_explicit(&seg->state, memory_order_acquire);
        if (state == 0 &&
            atomic_compare_exchange_strong_explicit(&seg->state, &state, EMZ_SEGMENT_LOADING,
                                                    memory_order_acquire, memory_order_acquire)) {
            emz_status st = load(r, seg);
            state = st == EMZ_OK ? EMZ_SEGMENT_LOADED : (int)st;
            atomic_store_explicit(&seg->state, st == EMZ_ERROR_IO ? 0 : state,
                                  memory_order_release);
            break;
        }
        if (state != EMZ_SEGMENT_LOADING && state != 0) break;
        sched_yield();
    }
    if (state == EMZ_SEGMENT_LOADED) return EMZ_OK;
    if (detail) {
        char what[EMZ_DETAIL_SIZE / 2];
        emz_reader_describe(r, seg->offset, what, sizeof what);
        snprintf(detail, size, "in %s (the frame of original bytes %" PRIu64 "..%" PRIu64 ")", what,
                 seg->offset, seg->offset + seg->size);
    }
    return (emz_status)state;
}

/* Numbers the chunks of all segments and allocates the chunk table (filled by load). */
emz_status emz_reader_number_chunks(emz_reader *r, unsigned least_bytes) {
    uint64_t chunks = 0;
    for (uint64_t i = 0; i < r->info.segment_count; i++) {
        reader_segment *s = &r->seg[i];
        /* a delta's unchanged segment has none: its bytes are the base's */
        s->chunk_count = s->base_kind == EMZ_BASE_SAME ? 0 : chunks_for(s->size, s->log2);
        s->first_chunk = chunks;
        chunks += s->chunk_count;
        /* at least least_bytes compressed bytes a chunk: bounds the table by the file size */
        if (chunks > r->src.size / least_bytes) return EMZ_ERROR_CORRUPT;
        uint64_t largest = s->size < (UINT64_C(1) << s->log2) ? s->size : UINT64_C(1) << s->log2;
        if (largest > r->largest_chunk) r->largest_chunk = (size_t)largest;
    }
    r->info.chunk_count = chunks;
    r->chunk = malloc((chunks ? chunks : 1) * sizeof *r->chunk);
    return r->chunk ? EMZ_OK : EMZ_ERROR_NO_MEMORY;
}

emz_status emz_reader_init_frame(emz_reader *r, const emz_frame *f, const uint8_t *src,
                                 size_t size) {
    r->fd = -1;
    r->base = src;
    r->src = (emz_source){NULL, NULL, size};
    r->info = (emz_reader_info){.original_size = f->header.original_size,
                                .compressed_size = size,
                                .segment_count = 1,
                                .type = f->header.type};
    r->seg = calloc(1, sizeof *r->seg);
    if (!r->seg) return EMZ_ERROR_NO_MEMORY;
    r->seg[0] = (reader_segment){.version = f->header.version,
                                 .size = f->header.original_size,
                                 .frame_size = size,
                                 .type = f->header.type,
                                 .log2 = f->header.chunk_log2};
    emz_status st = emz_reader_number_chunks(r, EMZ_FRAME_CHUNK_LEAST_BYTES);
    if (st != EMZ_OK) return st;
    /* the index is checked already: just the running sum of payload sizes */
    uint64_t at = f->header.header_size;
    for (uint64_t i = 0; i < f->chunk_count; i++) {
        uint32_t bytes, checksum;
        emz_frame_chunk(f, i, &bytes, &checksum);
        r->chunk[i] = (reader_chunk){.payload = at, .size = bytes, .checksum = checksum};
        at += bytes;
    }
    atomic_init(&r->seg[0].state, EMZ_SEGMENT_LOADED);
    return EMZ_OK;
}

void emz_reader_release(emz_reader *r) {
    if (r->fd >= 0) close(r->fd);
    r->fd = -1;
    free(r->seg), free(r->chunk), free(r->stored);
    free(r->set), free(r->set_dec);
    r->set = NULL, r->set_dec = NULL, r->tables = emz_chunk_tables_of(NULL, NULL);
    emz_st_free(&r->st);
}

/* The first segment that ends after key: by original offset, or by chunk number. */
static size_t first_ending_after(const emz_reader *r, uint64_t key, bool by_chunk) {
    size_t lo = 0, hi = (size_t)r->info.segment_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        const reader_segment *s = &r->seg[mid];
        uint64_t end = by_chunk ? s->first_chunk + s->chunk_count : s->offset + s->size;
        if (end <= key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

size_t emz_reader_segment_at(const emz_reader *r, uint64_t at) {
    return first_ending_after(r, at, false);
}

size_t emz_reader_segment_of_chunk(const emz_reader *r, uint64_t g) {
    return first_ending_after(r, g, true);
}

void emz_reader_describe(const emz_reader *r, uint64_t at, char *detail, size_t size) {
    for (size_t t = 0; t < r->st.count; t++) {
        const emz_st_tensor *x = &r->st.tensors[t];
        if (at >= r->st.data_start + x->begin && at < r->st.data_start + x->end) {
            snprintf(detail, size, "tensor \"%s\"", x->name);
            return;
        }
    }
    if (r->info.is_safetensors && (r->st.count == 0 || at < r->st.data_start))
        snprintf(detail, size, "the safetensors header");
    else if (r->info.is_safetensors)
        snprintf(detail, size, "bytes outside every tensor");
    else
        snprintf(detail, size, "the data");
    /* callers append " (original bytes A..B)" */
}
