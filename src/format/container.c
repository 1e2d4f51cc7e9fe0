/* container.c - the container header (FORMAT.md, "Container"). */
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
    emz_header32 raw = {
        EMZ_CONTAINER_VERSION, {(uint8_t)h->content, 0, 0}, h->original_size, h->segment_count, 0};
    emz_header32_write(magic, &raw, out);
}

emz_status emz_container_header_read(const uint8_t *src, size_t size, emz_container_header *h) {
    emz_header32 raw;
    emz_status st = emz_header32_read(magic, 1, EMZ_CONTAINER_VERSION, src, size, &raw);
    if (st != EMZ_OK) return st;
    if (raw.own[0] != EMZ_CONTENT_SAFETENSORS || raw.own[1] || raw.own[2] || raw.reserved)
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
