/* reader_container.c - a container's directory into a reader's tables. Version 1: 24-byte
 * entries, a frame a segment, whose header and index are read later (reader_index.c). Version
 * 2: the table set (when the header's flag says one follows it), the directory and the index
 * are read and checked whole when the container is opened, every size against the
 * container's real size, and fill the reader's table set, segment and chunk tables at once. */
#include "common/checksum.h"
#include "common/common.h"
#include "engine/reader.h"
#include "format/huffman_build.h"

#include <inttypes.h>
#include <stdlib.h>

static emz_status open_v1(emz_reader *r, const emz_container_header *c, char *detail) {
    uint64_t room = r->src.size - EMZ_CONTAINER_HEADER_SIZE;
    if (room < 4 ||
        (room - 4) / (EMZ_DIRECTORY_ENTRY_SIZE + EMZ_FRAME_FIXED_OVERHEAD) < c->segment_count) {
        emz_detail_set(detail, "container: %" PRIu64 " segments do not fit in %" PRIu64 " bytes",
                       c->segment_count, r->src.size);
        return EMZ_ERROR_TRUNCATED;
    }
    size_t dir_size = (size_t)c->segment_count * EMZ_DIRECTORY_ENTRY_SIZE;
    uint8_t *dir = malloc(dir_size + 4);
    r->seg = calloc(c->segment_count ? (size_t)c->segment_count : 1, sizeof *r->seg);
    if (!dir || !r->seg) {
        free(dir);
        return EMZ_ERROR_NO_MEMORY;
    }
    emz_status st = emz_reader_get(r, dir, dir_size + 4, r->src.size - dir_size - 4);
    if (st == EMZ_OK && emz_load32(dir + dir_size) != emz_checksum32(dir, dir_size))
        st = EMZ_ERROR_CORRUPT;
    uint64_t offset = 0, frame = EMZ_CONTAINER_HEADER_SIZE;
    uint64_t frames_end = r->src.size - dir_size - 4;
    for (uint64_t i = 0; st == EMZ_OK && i < c->segment_count; i++) {
        emz_directory_entry e;
        emz_directory_entry_read(dir + i * EMZ_DIRECTORY_ENTRY_SIZE, &e);
        if (!emz_directory_entry_valid(&e) || e.original_size > c->original_size - offset ||
            e.frame_size > frames_end - frame) {
            st = EMZ_ERROR_CORRUPT;
            break;
        }
        r->seg[i] = (reader_segment){.offset = offset,
                                     .size = e.original_size,
                                     .frame_offset = frame,
                                     .frame_size = e.frame_size,
                                     .type = e.type,
                                     .log2 = e.chunk_log2,
                                     .version = 0}; /* each frame's header says its own */
        offset += e.original_size, frame += e.frame_size;
    }
    free(dir);
    if (st == EMZ_OK && (offset != c->original_size || frame != frames_end)) st = EMZ_ERROR_CORRUPT;
    if (st == EMZ_ERROR_CORRUPT)
        emz_detail_set(detail, "container directory (version 1) is invalid");
    return st == EMZ_OK ? emz_reader_number_chunks(r, EMZ_FRAME_CHUNK_LEAST_BYTES) : st;
}

/* The version 2 directory (segment_count entries at p, at most end - p bytes) into r->seg;
 * *used receives its length. */
static emz_status read_directory(emz_reader *r, const emz_container_header *c, const uint8_t *p,
                                 size_t avail, size_t *used, char *detail) {
    size_t at = 0;
    uint64_t offset = 0;
    bool delta = c->flags & EMZ_CONTAINER_FLAG_DELTA;
    for (uint64_t i = 0; i < c->segment_count; i++) {
        emz_directory_entry e = {0};
        size_t n = delta ? emz_dir4_entry_read(p + at, avail - at, &e)
                         : emz_dir2_entry_read(p + at, avail - at, &e);
        if (n == 0) {
            emz_detail_set(detail,
                           "container directory: segment %" PRIu64 ": entry truncated, or its "
                           "size or base offset is not a minimal LEB128 number below 2^62",
                           i);
            return EMZ_ERROR_CORRUPT;
        }
        if (e.base_kind >= EMZ_BASE_KIND_COUNT ||
            e.base_offset > EMZ_SEGMENT_SIZE_LIMIT - e.original_size) {
            emz_detail_set(detail,
                           "container directory: segment %" PRIu64 ": base kind %u or base "
                           "bytes from %" PRIu64 " out of range",
                           i, e.base_kind, e.base_offset);
            return EMZ_ERROR_CORRUPT;
        }
        if ((unsigned)e.type >= EMZ_TYPE_COUNT || e.chunk_log2 < EMZ_CHUNK_LOG2_MIN ||
            e.chunk_log2 > EMZ_CHUNK_LOG2_MAX) {
            emz_detail_set(detail,
                           "container directory: segment %" PRIu64 ": element type %u or "
                           "chunk_log2 %u out of range",
                           i, (unsigned)e.type, e.chunk_log2);
            return EMZ_ERROR_CORRUPT;
        }
        if (e.original_size > c->original_size - offset) {
            emz_detail_set(detail,
                           "container directory: segments up to %" PRIu64 " exceed the original "
                           "size %" PRIu64,
                           i, c->original_size);
            return EMZ_ERROR_CORRUPT;
        }
        r->seg[i] = (reader_segment){
            .offset = offset,
            .size = e.original_size,
            .type = e.type,
            .log2 = e.chunk_log2,
            .version = c->version >= EMZ_CONTAINER_VERSION_DELTA_V4 ? 3 : c->version,
            .base_kind = e.base_kind,
            .base_offset = e.base_offset,
            .base_digest = e.base_digest}; /* its chunks follow the rules of its version's frames */
        offset += e.original_size, at += n;
    }
    if (offset != c->original_size) {
        emz_detail_set(detail,
                       "container directory: segment sizes add up to %" PRIu64
                       ", the header says %" PRIu64,
                       offset, c->original_size);
        return EMZ_ERROR_CORRUPT;
    }
    *used = at;
    return EMZ_OK;
}

/* The version 2 index (after the directory, to end) into r->chunk: payload sizes in range and
 * within the expansion bound, the payloads filling [payloads, payloads_end) exactly. */
static emz_status read_index(emz_reader *r, const uint8_t *p, size_t avail, uint64_t payloads,
                             uint64_t payloads_end, char *detail) {
    size_t at = 0;
    uint64_t g = 0;
    for (uint64_t s = 0; s < r->info.segment_count; s++) {
        reader_segment *seg = &r->seg[s];
        seg->frame_offset = payloads;
        for (uint64_t i = 0; i < seg->chunk_count; i++, g++) {
            uint64_t in = i << seg->log2, chunk = UINT64_C(1) << seg->log2;
            uint64_t len = seg->size - in < chunk ? seg->size - in : chunk;
            uint32_t size, checksum;
            bool diff;
            size_t n = emz_index2_entry_read(p + at, avail - at, seg->base_kind == EMZ_BASE_DIFF,
                                             &size, &diff, &checksum);
            if (n == 0 || size == 0 || size > len + 5) {
                if (n == 0)
                    emz_detail_set(detail,
                                   "container index: chunk %" PRIu64 ": entry truncated, or "
                                   "its payload size is not a minimal LEB128 number below 2^32",
                                   g);
                else
                    emz_detail_set(detail,
                                   "container index: chunk %" PRIu64 " payload size %" PRIu32
                                   " %s for %" PRIu64 "-byte chunk",
                                   g, size, size ? "exceeds bound" : "is zero", len);
                return EMZ_ERROR_CORRUPT;
            }
            if (size > payloads_end - payloads) {
                emz_detail_set(detail,
                               "container index: chunk %" PRIu64 "'s payload runs past the "
                               "directory at %" PRIu64,
                               g, payloads_end);
                return EMZ_ERROR_CORRUPT;
            }
            r->chunk[g] = (reader_chunk){payloads, size, checksum, diff};
            payloads += size, at += n;
        }
        seg->frame_size = payloads - seg->frame_offset;
        atomic_init(&seg->state, EMZ_SEGMENT_LOADED);
    }
    if (at != avail || payloads != payloads_end) {
        emz_detail_set(detail,
                       "container index: %zu bytes left after the index, payloads end at "
                       "%" PRIu64 " but the directory starts at %" PRIu64,
                       avail - at, payloads, payloads_end);
        return EMZ_ERROR_CORRUPT;
    }
    return EMZ_OK;
}

/* What a table set that emz_table_set_read refused is, inside a container. */
static emz_status table_set_refused(emz_status st, uint64_t room, char *detail) {
    if (st == EMZ_ERROR_NOT_EMZIP)
        emz_detail_set(detail, "container table set: the header's flag says one follows the "
                               "header, but its magic is missing");
    else if (st == EMZ_ERROR_UNSUPPORTED_VERSION)
        emz_detail_set(detail, "container table set: unsupported table set version");
    else if (st == EMZ_ERROR_TRUNCATED)
        emz_detail_set(detail,
                       "container table set: runs past the directory (%" PRIu64
                       " bytes between header and directory)",
                       room);
    else if (st == EMZ_ERROR_CHECKSUM)
        emz_detail_set(detail, "container table set: checksum mismatch");
    else if (st == EMZ_ERROR_CORRUPT)
        emz_detail_set(detail, "container table set: invalid table count, reserved bytes, "
                               "symbol width or code table");
    if (st == EMZ_ERROR_UNSUPPORTED_VERSION || st == EMZ_ERROR_NO_MEMORY || st == EMZ_ERROR_IO)
        return st;
    return EMZ_ERROR_CORRUPT;
}

/* Reads the set at the start of the room between header and directory: first 512 bytes, then
 * twice as many while the set runs past what was read, never more than the room or the largest
 * set, so that little more than the set itself is read. */
static emz_status get_table_set(emz_reader *r, uint64_t room, size_t *used) {
    size_t most = room < EMZ_TABLE_SET_SIZE_MAX ? (size_t)room : EMZ_TABLE_SET_SIZE_MAX;
    uint8_t *bytes = malloc(most ? most : 1);
    if (!bytes) return EMZ_ERROR_NO_MEMORY;
    emz_status st = EMZ_ERROR_TRUNCATED;
    for (size_t want = 512, have = 0; st == EMZ_ERROR_TRUNCATED && have < most; want *= 2) {
        want = want < most ? want : most;
        st = emz_reader_get(r, bytes + have, want - have, EMZ_CONTAINER_HEADER_SIZE + have);
        if (st == EMZ_OK) st = emz_table_set_read(bytes, want, r->set, used);
        have = want;
    }
    free(bytes);
    return st;
}

/* The table set between the header and the payloads (header flag bit 0): at most the bytes up
 * to the directory are read and checked, and the decoders of its tables built; *payloads
 * receives where the payloads start. */
static emz_status read_table_set(emz_reader *r, uint64_t dir_at, uint64_t *payloads, char *detail) {
    uint64_t room = dir_at - EMZ_CONTAINER_HEADER_SIZE;
    size_t used = 0;
    r->set = malloc(sizeof *r->set);
    emz_status st = r->set ? get_table_set(r, room, &used) : EMZ_ERROR_NO_MEMORY;
    if (st != EMZ_OK) return table_set_refused(st, room, detail);
    r->set_dec = malloc(r->set->count * sizeof *r->set_dec);
    if (!r->set_dec) return EMZ_ERROR_NO_MEMORY;
    for (unsigned i = 0; i < r->set->count; i++)
        emz_huff_dec_init(r->set->len[i], SIZE_MAX, true, &r->set_dec[i]);
    r->tables = emz_chunk_tables_of(r->set, r->set_dec);
    r->set_size = used;
    *payloads = EMZ_CONTAINER_HEADER_SIZE + used;
    return EMZ_OK;
}

static emz_status open_v2(emz_reader *r, const emz_container_header *c, char *detail) {
    uint8_t trailer[EMZ_CONTAINER_TRAILER_SIZE];
    uint64_t fixed = EMZ_CONTAINER_HEADER_SIZE + EMZ_CONTAINER_TRAILER_SIZE;
    if (r->src.size < fixed) {
        emz_detail_set(detail, "container of %" PRIu64 " bytes has no room for its trailer",
                       r->src.size);
        return EMZ_ERROR_TRUNCATED;
    }
    emz_status st = emz_reader_get(r, trailer, sizeof trailer, r->src.size - sizeof trailer);
    if (st != EMZ_OK) return st;
    uint32_t size = emz_load32(trailer), checksum = emz_load32(trailer + 4);
    if (size > r->src.size - fixed || c->segment_count > size / EMZ_DIR2_ENTRY_MIN) {
        emz_detail_set(detail,
                       "container trailer: directory and index of %" PRIu32 " bytes (%" PRIu64
                       " segments) do not fit in %" PRIu64 " bytes",
                       size, c->segment_count, r->src.size);
        return EMZ_ERROR_CORRUPT;
    }
    uint64_t dir_at = r->src.size - EMZ_CONTAINER_TRAILER_SIZE - size;
    uint8_t *meta = malloc(size ? size : 1);
    r->seg = calloc(c->segment_count ? (size_t)c->segment_count : 1, sizeof *r->seg);
    if (!meta || !r->seg) {
        free(meta);
        return EMZ_ERROR_NO_MEMORY;
    }
    st = emz_reader_get(r, meta, size, dir_at);
    if (st == EMZ_OK && emz_checksum32(meta, size) != checksum) {
        emz_detail_set(detail, "container directory and index: checksum mismatch");
        st = EMZ_ERROR_CORRUPT;
    }
    uint64_t payloads = EMZ_CONTAINER_HEADER_SIZE;
    if (st == EMZ_OK && c->flags & EMZ_CONTAINER_FLAG_TABLE_SET)
        st = read_table_set(r, dir_at, &payloads, detail);
    size_t dir_size = 0;
    if (st == EMZ_OK) st = read_directory(r, c, meta, size, &dir_size, detail);
    r->info.segment_count = c->segment_count;
    if (st == EMZ_OK) {
        st = emz_reader_number_chunks(r, EMZ_CONTAINER2_CHUNK_LEAST_BYTES);
        if (st == EMZ_ERROR_CORRUPT)
            emz_detail_set(detail, "container directory: more chunks than the file can hold");
    }
    if (st == EMZ_OK)
        st = read_index(r, meta + dir_size, size - dir_size, payloads, dir_at, detail);
    free(meta);
    return st;
}

emz_status emz_reader_open_container(emz_reader *r, const emz_container_header *c, char *detail) {
    r->info.segment_count = c->segment_count;
    /* version 1 containers hold frames of versions 1 and 2; later ones bound every payload */
    r->bound_version = c->version == 1 ? 2 : 3;
    return c->version == 1 ? open_v1(r, c, detail) : open_v2(r, c, detail);
}
