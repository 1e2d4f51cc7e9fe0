/* container.c - the container header, version 1 directory entries and version 2 directory and
 * index entries (FORMAT.md, "Container"). */
#include "format/container.h"

#include "common/checksum.h"
#include "common/common.h"
#include "format/frame.h"
#include "format/header32.h"

static const uint8_t magic[4] = {0x89, 'E', 'M', 'C'};

bool emz_container_magic(const uint8_t *src, size_t size) {
    return size >= 4 && memcmp(src, magic, 4) == 0;
}

void emz_container_header_write(const emz_container_header *h,
                                uint8_t out[EMZ_CONTAINER_HEADER_SIZE]) {
    emz_header32 raw = {(uint8_t)h->version,
                        {(uint8_t)h->content, (uint8_t)h->flags, 0},
                        h->original_size,
                        h->segment_count,
                        0};
    emz_header32_write(magic, &raw, out);
}

emz_status emz_container_header_read(const uint8_t *src, size_t size, emz_container_header *h) {
    emz_header32 raw;
    emz_status st = emz_header32_read(magic, 1, EMZ_CONTAINER_VERSION_DELTA, src, size, &raw);
    if (st == EMZ_ERROR_UNSUPPORTED_VERSION) h->version = src[4], h->flags = 0;
    if (st != EMZ_OK) return st;
    h->version = raw.version;
    h->flags = raw.version >= 2 ? raw.own[1] : 0;
    unsigned allowed = EMZ_CONTAINER_FLAG_TABLE_SET;
    if (raw.version >= EMZ_CONTAINER_VERSION_DELTA_V4) {
        allowed |= EMZ_CONTAINER_FLAG_DELTA;
        if (!(h->flags & EMZ_CONTAINER_FLAG_DELTA)) return EMZ_ERROR_CORRUPT;
    }
    if (h->flags & ~allowed) return EMZ_ERROR_UNSUPPORTED_VERSION;
    if (raw.own[0] != EMZ_CONTENT_SAFETENSORS || (raw.version < 2 && raw.own[1]) || raw.own[2] ||
        raw.reserved)
        return EMZ_ERROR_CORRUPT;
    h->content = raw.own[0];
    h->original_size = raw.first;
    h->segment_count = raw.second;
    if (h->original_size > (UINT64_C(1) << 62) || h->segment_count > (UINT64_C(1) << 40))
        return EMZ_ERROR_CORRUPT;
    return EMZ_OK;
}

void emz_directory_entry_write(const emz_directory_entry *e,
                               uint8_t out[EMZ_DIRECTORY_ENTRY_SIZE]) {
    emz_store64(out, e->original_size);
    emz_store64(out + 8, e->frame_size);
    memset(out + 16, 0, 8);
    out[16] = (uint8_t)e->type;
    out[17] = (uint8_t)e->chunk_log2;
}

/* An entry with nonzero reserved bytes reads as one with an impossible type. */
void emz_directory_entry_read(const uint8_t in[EMZ_DIRECTORY_ENTRY_SIZE], emz_directory_entry *e) {
    static const uint8_t zero[6];
    e->original_size = emz_load64(in);
    e->frame_size = emz_load64(in + 8);
    e->type = memcmp(in + 18, zero, 6) == 0 ? (emz_type)in[16] : (emz_type)EMZ_TYPE_COUNT;
    e->chunk_log2 = in[17];
}

bool emz_directory_entry_valid(const emz_directory_entry *e) {
    return (unsigned)e->type < EMZ_TYPE_COUNT && e->chunk_log2 >= EMZ_CHUNK_LOG2_MIN &&
           e->chunk_log2 <= EMZ_CHUNK_LOG2_MAX && e->original_size <= (UINT64_C(1) << 62);
}

size_t emz_dir2_entry_write(const emz_directory_entry *e, uint8_t out[EMZ_DIR2_ENTRY_MAX]) {
    size_t n = emz_leb128_write64(out, e->original_size);
    out[n] = (uint8_t)e->type;
    out[n + 1] = (uint8_t)e->chunk_log2;
    return n + 2;
}

size_t emz_dir2_entry_read(const uint8_t *in, size_t avail, emz_directory_entry *e) {
    uint64_t size;
    size_t n = emz_leb128_read64(in, avail, EMZ_SEGMENT_SIZE_LIMIT - 1, &size);
    if (n == 0 || avail - n < 2) return 0;
    *e = (emz_directory_entry){
        .original_size = size, .type = (emz_type)in[n], .chunk_log2 = in[n + 1]};
    return n + 2;
}

size_t emz_dir4_entry_write(const emz_directory_entry *e, uint8_t out[EMZ_DIR4_ENTRY_MAX]) {
    size_t n = emz_dir2_entry_write(e, out);
    out[n++] = (uint8_t)e->base_kind;
    if (e->base_kind == EMZ_BASE_NONE) return n;
    n += emz_leb128_write64(out + n, e->base_offset);
    emz_store64(out + n, e->base_digest);
    return n + 8;
}

size_t emz_dir4_entry_read(const uint8_t *in, size_t avail, emz_directory_entry *e) {
    size_t n = emz_dir2_entry_read(in, avail, e);
    if (n == 0 || avail - n < 1) return 0;
    e->base_kind = in[n++];
    if (e->base_kind == EMZ_BASE_NONE) return n;
    size_t m = emz_leb128_read64(in + n, avail - n, EMZ_SEGMENT_SIZE_LIMIT - 1, &e->base_offset);
    if (m == 0 || avail - n - m < 8) return 0;
    e->base_digest = emz_load64(in + n + m);
    return n + m + 8;
}

size_t emz_index2_entry_write(uint32_t payload_size, bool diff, uint32_t checksum,
                              bool in_diff_segment, uint8_t out[EMZ_INDEX2_ENTRY_MAX]) {
    uint64_t number = in_diff_segment ? 2 * (uint64_t)payload_size + diff : payload_size;
    size_t n = emz_leb128_write64(out, number);
    emz_store32(out + n, checksum);
    return n + 4;
}

size_t emz_index2_entry_read(const uint8_t *in, size_t avail, bool in_diff_segment,
                             uint32_t *payload_size, bool *diff, uint32_t *checksum) {
    uint64_t number;
    uint64_t most = in_diff_segment ? (UINT64_C(1) << 33) - 1 : UINT32_MAX;
    size_t n = emz_leb128_read64(in, avail, most, &number);
    if (n == 0 || avail - n < 4) return 0;
    *payload_size = (uint32_t)(in_diff_segment ? number >> 1 : number);
    *diff = in_diff_segment && (number & 1);
    *checksum = emz_load32(in + n);
    return n + 4;
}
