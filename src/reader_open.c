/* reader_open.c - opening a compressed file: a container's header and directory (or a single
 * frame's header), a checkpoint's tensor list, and the per-segment loading of frame indexes.
 * Every size read from the file is hostile until checked against the file's real size.
 *
 * Frames are not read when the file is opened: on the 1.1 GiB tiled checkpoint (17,700
 * tensors) reading every frame's header and index took 95-105 ms of pread calls, 40x the
 * time of extracting one 2 MiB tensor; the directory tells all a reader needs beforehand. */
#include "checksum.h"
#include "common.h"
#include "contexts.h"
#include "frame.h"
#include "reader.h"

#include <inttypes.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

static emz_status get(const emz_reader *r, void *buf, size_t size, uint64_t at) {
    if (at > r->src.size || size > r->src.size - at) return EMZ_ERROR_TRUNCATED;
    return size == 0 || r->src.read(r->src.opaque, buf, size, at) == 0 ? EMZ_OK : EMZ_ERROR_IO;
}

static uint64_t chunks_for(uint64_t size, unsigned log2) {
    return (size >> log2) + ((size & ((UINT64_C(1) << log2) - 1)) != 0);
}

/* Reads and checks segment s's frame header against what the directory said, then its chunk
 * index into the chunk table. */
static emz_status load(emz_reader *r, const reader_segment *s) {
    uint8_t head[EMZ_FRAME_HEADER_SIZE];
    emz_frame_header h;
    if (s->frame_size < EMZ_FRAME_FIXED_OVERHEAD) return EMZ_ERROR_CORRUPT;
    emz_status st = get(r, head, sizeof head, s->frame_offset);
    if (st == EMZ_OK) st = emz_frame_header_read(head, sizeof head, &h);
    if (st != EMZ_OK) return st == EMZ_ERROR_NOT_EMZIP ? EMZ_ERROR_CORRUPT : st;
    if (h.original_size != s->size || h.type != s->type || h.chunk_log2 != s->log2)
        return EMZ_ERROR_CORRUPT;
    /* each chunk has an 8-byte entry and a payload of at least one byte */
    if ((s->frame_size - EMZ_FRAME_FIXED_OVERHEAD) / (EMZ_INDEX_ENTRY_SIZE + 1) < s->chunk_count)
        return EMZ_ERROR_CORRUPT;
    size_t index_size = (size_t)s->chunk_count * EMZ_INDEX_ENTRY_SIZE;
    uint8_t *index = malloc(index_size + 4);
    if (!index) return EMZ_ERROR_NO_MEMORY;
    uint64_t index_at = s->frame_offset + s->frame_size - index_size - 4;
    st = get(r, index, index_size + 4, index_at);
    if (st == EMZ_OK && emz_load32(index + index_size) != emz_checksum32(index, index_size))
        st = EMZ_ERROR_CORRUPT;
    uint64_t at = s->frame_offset + EMZ_FRAME_HEADER_SIZE;
    for (uint64_t i = 0; st == EMZ_OK && i < s->chunk_count; i++) {
        uint32_t size = emz_load32(index + i * EMZ_INDEX_ENTRY_SIZE);
        if (size == 0) st = EMZ_ERROR_CORRUPT; /* every payload has its layout byte */
        r->chunk[s->first_chunk + i] =
            (reader_chunk){at, size, emz_load32(index + i * EMZ_INDEX_ENTRY_SIZE + 4)};
        at += size;
    }
    if (st == EMZ_OK && at != index_at) st = EMZ_ERROR_CORRUPT;
    free(index);
    return st;
}

/* Segment states: 0 not read yet, LOADING while one thread reads it, LOADED, or the error. */
enum { LOADING = -2, LOADED = -1 };

emz_status emz_reader_load_segment(const emz_reader *reader, size_t s, char *detail,
                                   size_t size) {
    emz_reader *r = (emz_reader *)reader; /* the lazily filled parts: state, chunk table */
    reader_segment *seg = &r->seg[s];
    int state = atomic_load_explicit(&seg->state, memory_order_acquire);
    /* The thread that moves the state from 0 reads the frame, without a lock (it writes only
     * this segment's entries of the chunk table); any other that needs it meanwhile waits.
     * A lock around the reads made two threads wait on each other 35,000 times in one pass
     * over the 17,700-tensor checkpoint. */
    if (state == 0 && atomic_compare_exchange_strong_explicit(&seg->state, &state, LOADING,
                                                              memory_order_acquire,
                                                              memory_order_acquire)) {
        emz_status st = load(r, seg);
        state = st == EMZ_OK ? LOADED : (int)st;
        atomic_store_explicit(&seg->state, state, memory_order_release);
    }
    while (state == LOADING) {
        sched_yield();
        state = atomic_load_explicit(&seg->state, memory_order_acquire);
    }
    if (state == LOADED) return EMZ_OK;
    if (detail) {
        char what[EMZ_DETAIL_SIZE / 2];
        emz_reader_describe(r, seg->offset, what, sizeof what);
        snprintf(detail, size, "in %s (the frame of original bytes %" PRIu64 "..%" PRIu64 ")",
                 what, seg->offset, seg->offset + seg->size);
    }
    return (emz_status)state;
}

/* Numbers the chunks of all segments and allocates the chunk table (filled by load). */
static emz_status number_chunks(emz_reader *r) {
    uint64_t chunks = 0;
    for (uint64_t i = 0; i < r->info.segment_count; i++) {
        reader_segment *s = &r->seg[i];
        s->chunk_count = chunks_for(s->size, s->log2);
        s->first_chunk = chunks;
        chunks += s->chunk_count;
        /* at least 9 compressed bytes a chunk: bounds the table by the file size */
        if (chunks > r->src.size / 9) return EMZ_ERROR_CORRUPT;
        uint64_t largest = s->size < (UINT64_C(1) << s->log2) ? s->size : UINT64_C(1) << s->log2;
        if (largest > r->largest_chunk) r->largest_chunk = (size_t)largest;
    }
    r->info.chunk_count = chunks;
    r->chunk = malloc((chunks ? chunks : 1) * sizeof *r->chunk);
    return r->chunk ? EMZ_OK : EMZ_ERROR_NO_MEMORY;
}

static emz_status open_frame(emz_reader *r) {
    r->info.segment_count = 1;
    r->seg = calloc(1, sizeof *r->seg);
    if (!r->seg) return EMZ_ERROR_NO_MEMORY;
    uint8_t head[EMZ_FRAME_HEADER_SIZE] = {0};
    emz_frame_header h;
    size_t have = r->src.size < sizeof head ? (size_t)r->src.size : sizeof head;
    emz_status st = get(r, head, have, 0);
    if (st == EMZ_OK) st = emz_frame_header_read(head, have, &h);
    if (st != EMZ_OK) return st;
    if (r->src.size < EMZ_FRAME_FIXED_OVERHEAD) return EMZ_ERROR_TRUNCATED;
    r->seg[0] = (reader_segment){.size = h.original_size, .frame_size = r->src.size,
                                 .type = h.type, .log2 = h.chunk_log2};
    r->info.original_size = h.original_size;
    r->info.type = h.type;
    st = number_chunks(r);
    /* a single frame is checked whole at once, as emz_decompress does */
    return st == EMZ_OK ? emz_reader_load_segment(r, 0, NULL, 0) : st;
}

static emz_status open_container(emz_reader *r, const uint8_t *head) {
    emz_container_header c;
    emz_status st = emz_container_header_read(head, EMZ_CONTAINER_HEADER_SIZE, &c);
    if (st != EMZ_OK) return st;
    uint64_t room = r->src.size - EMZ_CONTAINER_HEADER_SIZE;
    if (room < 4 || (room - 4) / (EMZ_DIRECTORY_ENTRY_SIZE + EMZ_FRAME_FIXED_OVERHEAD) <
                        c.segment_count)
        return EMZ_ERROR_TRUNCATED;
    size_t dir_size = (size_t)c.segment_count * EMZ_DIRECTORY_ENTRY_SIZE;
    uint8_t *dir = malloc(dir_size + 4);
    r->seg = calloc(c.segment_count ? (size_t)c.segment_count : 1, sizeof *r->seg);
    if (!dir || !r->seg) {
        free(dir);
        return EMZ_ERROR_NO_MEMORY;
    }
    st = get(r, dir, dir_size + 4, r->src.size - dir_size - 4);
    if (st == EMZ_OK && emz_load32(dir + dir_size) != emz_checksum32(dir, dir_size))
        st = EMZ_ERROR_CORRUPT;
    uint64_t offset = 0, frame = EMZ_CONTAINER_HEADER_SIZE;
    uint64_t frames_end = r->src.size - dir_size - 4;
    for (uint64_t i = 0; st == EMZ_OK && i < c.segment_count; i++) {
        emz_directory_entry e;
        emz_directory_entry_read(dir + i * EMZ_DIRECTORY_ENTRY_SIZE, &e);
        if (!emz_directory_entry_valid(&e) || e.original_size > c.original_size - offset ||
            e.frame_size > frames_end - frame) {
            st = EMZ_ERROR_CORRUPT;
            break;
        }
        r->seg[i] = (reader_segment){.offset = offset, .size = e.original_size,
                                     .frame_offset = frame, .frame_size = e.frame_size,
                                     .type = e.type, .log2 = e.chunk_log2};
        offset += e.original_size, frame += e.frame_size;
    }
    free(dir);
    if (st == EMZ_OK && (offset != c.original_size || frame != frames_end)) st = EMZ_ERROR_CORRUPT;
    if (st != EMZ_OK) return st;
    r->info.is_container = 1;
    r->info.is_safetensors = c.content == EMZ_CONTENT_SAFETENSORS;
    r->info.segment_count = c.segment_count;
    r->info.original_size = c.original_size;
    r->info.type = EMZ_TYPE_BYTES;
    return number_chunks(r);
}
/* Decodes the stored safetensors header and lists its tensors. Checksums passed, so a header
 * that does not parse means the container was built wrong: corrupt. */
static emz_status load_tensors(emz_reader *r, emz_dctx *d) {
    uint8_t length[8];
    emz_status st = emz_reader_read(r, d, length, 8, 0, r->info.original_size < 8 ? 0 : 8);
    if (st != EMZ_OK) return st;
    uint64_t n = r->info.original_size < 8 ? UINT64_MAX : emz_load64(length);
    if (n > EMZ_SAFETENSORS_HEADER_MAX || n > r->info.original_size - 8) {
        if (d) emz_detail_set(d->detail, "the stored safetensors header length is invalid");
        return EMZ_ERROR_CORRUPT;
    }
    uint8_t *json = malloc(n ? (size_t)n : 1);
    if (!json) return EMZ_ERROR_NO_MEMORY;
    st = emz_reader_read(r, d, json, (size_t)n, 8, n);
    char why[EMZ_DETAIL_SIZE - 64];
    if (st == EMZ_OK) {
        st = emz_st_parse(json, (size_t)n, r->info.original_size - 8 - n, &r->st, why, sizeof why);
        if (st == EMZ_ERROR_BAD_SAFETENSORS) {
            if (d) emz_detail_set(d->detail, "stored safetensors header: %s", why);
            st = EMZ_ERROR_CORRUPT;
        }
    }
    free(json);
    if (st != EMZ_OK) return st;
    r->info.tensor_count = r->st.count;
    r->stored = calloc(r->st.count ? r->st.count : 1, sizeof *r->stored);
    if (!r->stored) return EMZ_ERROR_NO_MEMORY;
    /* A tensor's stored bytes: the frames of the segments that lie inside its data; its type:
     * that of the segment holding its first byte (a small tensor shares a bytes frame). */
    for (size_t t = 0; t < r->st.count; t++) {
        uint64_t lo = r->st.data_start + r->st.tensors[t].begin;
        uint64_t hi = r->st.data_start + r->st.tensors[t].end;
        if (lo == hi) continue;
        r->st.tensors[t].type = r->seg[emz_reader_segment_at(r, lo)].type;
        for (size_t s = emz_reader_segment_at(r, lo);
             s < r->info.segment_count && r->seg[s].offset < hi; s++)
            if (r->seg[s].offset >= lo && r->seg[s].offset + r->seg[s].size <= hi)
                r->stored[t] += r->seg[s].frame_size;
    }
    return EMZ_OK;
}

emz_status emz_reader_open(emz_dctx *dctx, const emz_source *src, emz_reader **reader) {
    if (!src || !src->read || !reader) return EMZ_ERROR_INVALID_ARGUMENT;
    *reader = NULL;
    if (dctx) dctx->detail[0] = '\0';
    emz_reader *r = calloc(1, sizeof *r);
    if (!r) return EMZ_ERROR_NO_MEMORY;
    r->src = *src, r->fd = -1;
    r->info.compressed_size = src->size;
    uint8_t head[EMZ_CONTAINER_HEADER_SIZE] = {0};
    size_t have = src->size < sizeof head ? (size_t)src->size : sizeof head;
    emz_status st = get(r, head, have, 0);
    if (st == EMZ_OK) {
        if (emz_container_magic(head, have))
            st = have < sizeof head ? EMZ_ERROR_TRUNCATED : open_container(r, head);
        else
            st = open_frame(r);
    }
    if (st == EMZ_OK && r->info.is_safetensors) st = load_tensors(r, dctx);
    if (st != EMZ_OK) {
        emz_reader_close(r);
        return st;
    }
    *reader = r;
    return EMZ_OK;
}

void emz_reader_release(emz_reader *r) {
    emz_reader_close_file(r);
    free(r->seg), free(r->chunk), free(r->stored);
    emz_st_free(&r->st);
}

void emz_reader_close(emz_reader *r) {
    if (!r) return;
    emz_reader_release(r);
    free(r);
}

emz_status emz_reader_init_frame(emz_reader *r, const emz_frame *f, const uint8_t *src,
                                 size_t size) {
    r->fd = -1;
    r->base = src;
    r->src = (emz_source){NULL, NULL, size};
    r->info = (emz_reader_info){.original_size = f->header.original_size,
                                .compressed_size = size, .segment_count = 1,
                                .type = f->header.type};
    r->seg = calloc(1, sizeof *r->seg);
    if (!r->seg) return EMZ_ERROR_NO_MEMORY;
    r->seg[0] = (reader_segment){.size = f->header.original_size, .frame_size = size,
                                 .type = f->header.type, .log2 = f->header.chunk_log2};
    emz_status st = number_chunks(r);
    if (st != EMZ_OK) return st;
    /* the index is checked already: just the running sum of payload sizes */
    uint64_t at = EMZ_FRAME_HEADER_SIZE;
    for (uint64_t i = 0; i < f->chunk_count; i++) {
        uint32_t bytes = emz_load32(f->index + i * EMZ_INDEX_ENTRY_SIZE);
        r->chunk[i] = (reader_chunk){at, bytes, emz_load32(f->index + i * EMZ_INDEX_ENTRY_SIZE + 4)};
        at += bytes;
    }
    atomic_init(&r->seg[0].state, LOADED);
    return EMZ_OK;
}

emz_status emz_reader_info_get(const emz_reader *r, emz_reader_info *info) {
    if (!r || !info) return EMZ_ERROR_INVALID_ARGUMENT;
    *info = r->info;
    return EMZ_OK;
}

emz_status emz_reader_tensor(const emz_reader *r, uint64_t index, emz_tensor_info *info) {
    if (!r || !info) return EMZ_ERROR_INVALID_ARGUMENT;
    if (index >= r->st.count) return EMZ_ERROR_RANGE;
    const emz_st_tensor *t = &r->st.tensors[index];
    *info = (emz_tensor_info){t->name, t->dtype, t->type, t->dims, t->shape,
                              r->st.data_start + t->begin, t->end - t->begin, r->stored[index]};
    return EMZ_OK;
}

emz_status emz_reader_find_tensor(const emz_reader *r, const char *name, uint64_t *index) {
    if (!r || !name || !index) return EMZ_ERROR_INVALID_ARGUMENT;
    for (size_t t = 0; t < r->st.count; t++)
        if (strcmp(r->st.tensors[t].name, name) == 0) {
            *index = t;
            return EMZ_OK;
        }
    return EMZ_ERROR_RANGE;
}

size_t emz_reader_segment_at(const emz_reader *r, uint64_t at) {
    size_t lo = 0, hi = (size_t)r->info.segment_count; /* first segment ending after at */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->seg[mid].offset + r->seg[mid].size <= at) lo = mid + 1;
        else hi = mid;
    }
    return lo;
}

size_t emz_reader_segment_of_chunk(const emz_reader *r, uint64_t g) {
    size_t lo = 0, hi = (size_t)r->info.segment_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->seg[mid].first_chunk + r->seg[mid].chunk_count <= g) lo = mid + 1;
        else hi = mid;
    }
    return lo;
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
