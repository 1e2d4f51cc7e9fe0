/* reader_open.c - opening a compressed file: a container's header (its directory is
 * reader_container.c) or a single frame's header into the reader's tables, and a checkpoint's
 * tensor list. */
#include "common/checksum.h"
#include "common/common.h"
#include "engine/reader.h"

#include <stdlib.h>

static emz_status open_frame(emz_reader *r) {
    r->info.segment_count = 1;
    r->seg = calloc(1, sizeof *r->seg);
    if (!r->seg) return EMZ_ERROR_NO_MEMORY;
    uint8_t head[EMZ_FRAME_HEADER_SIZE] = {0};
    emz_frame_header h;
    size_t have = r->src.size < sizeof head ? (size_t)r->src.size : sizeof head;
    emz_status st = emz_reader_get(r, head, have, 0);
    if (st == EMZ_OK) st = emz_frame_header_read(head, have, &h);
    if (st != EMZ_OK) return st;
    if (!h.is_short && r->src.size < EMZ_FRAME_FIXED_OVERHEAD) return EMZ_ERROR_TRUNCATED;
    if (h.streamed) st = emz_reader_frame_footer(r, 0, r->src.size, &h);
    if (st != EMZ_OK) return st;
    r->seg[0] = (reader_segment){.size = h.original_size,
                                 .frame_size = r->src.size,
                                 .type = h.type,
                                 .log2 = h.chunk_log2,
                                 .version = h.version};
    r->info.original_size = h.original_size;
    r->info.type = h.type;
    r->frame = (emz_frame_info){h.type,
                                h.version,
                                h.element_count,
                                h.original_size,
                                UINT64_C(1) << h.chunk_log2,
                                emz_frame_chunk_count(&h)};
    r->bound_version = h.version;
    st = emz_reader_number_chunks(r, EMZ_FRAME_CHUNK_LEAST_BYTES);
    /* a single frame is checked whole at once, as emz_decompress does */
    return st == EMZ_OK ? emz_reader_load_segment(r, 0, NULL, 0) : st;
}

static emz_status open_container(emz_reader *r, const uint8_t *head, char *detail) {
    emz_container_header c;
    emz_status st = emz_container_header_read(head, EMZ_CONTAINER_HEADER_SIZE, &c);
    if (st == EMZ_ERROR_UNSUPPORTED_VERSION && c.version >= 2 &&
        c.version <= EMZ_CONTAINER_VERSION_DELTA)
        emz_detail_set(
            detail,
            "container flags 0x%02x are not supported (bit 0, a table set, is the "
            "only one defined%s)",
            c.flags, c.version >= EMZ_CONTAINER_VERSION_DELTA_V4 ? " besides bit 1, a delta" : "");
    else if (st == EMZ_ERROR_UNSUPPORTED_VERSION)
        emz_detail_set(detail, "unsupported container version %u", c.version);
    else if (st == EMZ_ERROR_CORRUPT)
        emz_detail_set(detail, "container header is corrupt");
    if (st == EMZ_OK) st = emz_reader_open_container(r, &c, detail);
    if (st != EMZ_OK) return st;
    r->info.is_container = 1;
    r->info.is_safetensors = c.content == EMZ_CONTENT_SAFETENSORS;
    r->info.is_delta = (c.flags & EMZ_CONTAINER_FLAG_DELTA) != 0;
    r->diff_low = c.version >= EMZ_CONTAINER_VERSION_DELTA;
    r->info.original_size = c.original_size;
    r->info.type = EMZ_TYPE_BYTES;
    return EMZ_OK;
}

/* Original bytes [at, at + size) into dst; nothing to do for none. */
static emz_status read_bytes(const emz_reader *r, emz_context *c, uint8_t *dst, uint64_t at,
                             uint64_t size) {
    return size ? emz_reader_read_range(r, c, dst, at, at + size) : EMZ_OK;
}

/* Bytes at the start of the file that one read decodes anyway: the first chunk of the first
 * segment (the header's own segment in a container), at least the 8 length bytes. Reading the
 * length, then the JSON, decoded that chunk twice, a fifth of the open of a small checkpoint. */
static uint64_t first_read(const emz_reader *r) {
    uint64_t n = 8;
    if (r->info.segment_count && r->seg[0].offset == 0 && r->seg[0].log2 < 64) {
        n = UINT64_C(1) << r->seg[0].log2;
        if (n > r->seg[0].size) n = r->seg[0].size;
        if (n > 8 + EMZ_SAFETENSORS_HEADER_MAX) n = 8 + EMZ_SAFETENSORS_HEADER_MAX;
        if (n < 8) n = 8;
    }
    return n < r->info.original_size ? n : r->info.original_size;
}

/* Decodes the stored safetensors header and lists its tensors. Checksums passed, so a header
 * that does not parse means the container was built wrong: corrupt. */
emz_status emz_reader_load_tensors(emz_reader *r, emz_context *c) {
    if (r->info.original_size < 8) {
        emz_detail_set(c->detail, "the stored safetensors header length is invalid");
        return EMZ_ERROR_CORRUPT;
    }
    uint64_t have = first_read(r);
    uint8_t *head = malloc((size_t)have);
    if (!head) return EMZ_ERROR_NO_MEMORY;
    emz_status st = read_bytes(r, c, head, 0, have);
    uint64_t n = st == EMZ_OK ? emz_load64(head) : 0;
    if (st == EMZ_OK && (n > EMZ_SAFETENSORS_HEADER_MAX || n > r->info.original_size - 8)) {
        emz_detail_set(c->detail, "the stored safetensors header length is invalid");
        st = EMZ_ERROR_CORRUPT;
    }
    if (st == EMZ_OK && 8 + n > have) { /* the rest of a header longer than the first read */
        uint8_t *all = realloc(head, (size_t)(8 + n));
        if (!all)
            st = EMZ_ERROR_NO_MEMORY;
        else
            head = all, st = read_bytes(r, c, head + have, have, 8 + n - have);
    }
    if (st != EMZ_OK) return free(head), st;
    char why[EMZ_DETAIL_SIZE - 64];
    st = emz_st_parse(head + 8, (size_t)n, r->info.original_size - 8 - n, &r->st, why, sizeof why);
    if (st == EMZ_ERROR_BAD_SAFETENSORS) {
        emz_detail_set(c->detail, "stored safetensors header: %s", why);
        st = EMZ_ERROR_CORRUPT;
    }
    free(head);
    if (st != EMZ_OK) return st;
    r->info.tensor_count = r->st.count;
    r->stored = calloc(r->st.count ? r->st.count : 1, sizeof *r->stored);
    if (!r->stored) return EMZ_ERROR_NO_MEMORY;
    /* A tensor's stored bytes: the frames (version 2: payloads) of the segments that lie inside
     * its data; its type: that of the segment holding its first byte (a small tensor shares a
     * bytes segment). */
    for (size_t t = 0; t < r->st.count; t++) {
        uint64_t lo = r->st.data_start + r->st.tensors[t].begin;
        uint64_t hi = r->st.data_start + r->st.tensors[t].end;
        if (lo == hi) continue;
        size_t first = emz_reader_segment_at(r, lo);
        r->st.tensors[t].type = r->seg[first].type;
        for (size_t s = first; s < r->info.segment_count && r->seg[s].offset < hi; s++)
            if (r->seg[s].offset >= lo && r->seg[s].offset + r->seg[s].size <= hi)
                r->stored[t] += r->seg[s].frame_size;
    }
    return EMZ_OK;
}

emz_status emz_reader_create(emz_context *c, const emz_source *src, emz_reader **out) {
    emz_reader *r = calloc(1, sizeof *r);
    if (!r) return EMZ_ERROR_NO_MEMORY;
    r->src = *src, r->fd = -1;
    r->info.compressed_size = src->size;
    uint8_t head[EMZ_CONTAINER_HEADER_SIZE] = {0};
    size_t have = src->size < sizeof head ? (size_t)src->size : sizeof head;
    emz_status st = emz_reader_get(r, head, have, 0);
    if (st == EMZ_OK) {
        if (emz_container_magic(head, have))
            st = have < sizeof head ? EMZ_ERROR_TRUNCATED : open_container(r, head, c->detail);
        else
            st = open_frame(r);
    }
    if (st == EMZ_OK) st = emz_context_check_output(c, r->info.original_size);
    /* a delta's header stored against its base waits for the base (emz_reader_set_base) */
    r->tensors_pending = st == EMZ_OK && r->info.is_delta && r->info.segment_count > 0 &&
                         r->seg[0].base_kind != EMZ_BASE_NONE;
    r->info.tensors_need_base = r->tensors_pending;
    if (st == EMZ_OK && r->info.is_safetensors && !r->tensors_pending)
        st = emz_reader_load_tensors(r, c);
    if (st != EMZ_OK) {
        emz_reader_release(r);
        free(r);
        return st;
    }
    *out = r;
    return EMZ_OK;
}
