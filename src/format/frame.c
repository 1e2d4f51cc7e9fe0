/* frame.c - writes and validates the frame header; locates and validates the chunk index. */
#include "format/frame.h"

#include "common/checksum.h"
#include "common/common.h"
#include "format/element_types.h"
#include "format/header32.h"

static const uint8_t magic[4] = {0x89, 'E', 'M', 'Z'};

void emz_frame_header_write(const emz_frame_header *h, uint8_t out[EMZ_FRAME_HEADER_SIZE]) {
    emz_header32 raw = {(uint8_t)h->version,
                        {(uint8_t)h->type, (uint8_t)h->chunk_log2, 0},
                        h->original_size,
                        h->element_count,
                        0};
    emz_header32_write(magic, &raw, out);
}

static bool element_count_valid(const emz_frame_header *h) {
    const emz_type_desc *d = emz_type_desc_get(h->type);
    uint64_t size = h->original_size;
    if (d->element_bits == 4)
        return h->element_count == 2 * size || (size > 0 && h->element_count == 2 * size - 1);
    return h->element_count == size / (d->element_bits / 8);
}

emz_status emz_frame_header_read(const uint8_t *src, size_t size, emz_frame_header *h) {
    emz_header32 raw;
    emz_status st = emz_header32_read(magic, 1, EMZ_FORMAT_VERSION, src, size, &raw);
    if (st != EMZ_OK) return st;
    if (raw.own[2] != 0) return EMZ_ERROR_UNSUPPORTED_VERSION; /* flags of a later revision */
    if (raw.own[0] >= EMZ_TYPE_COUNT || raw.own[1] < EMZ_CHUNK_LOG2_MIN ||
        raw.own[1] > EMZ_CHUNK_LOG2_MAX || raw.reserved != 0)
        return EMZ_ERROR_CORRUPT;
    h->version = raw.version;
    h->type = (emz_type)raw.own[0];
    h->chunk_log2 = raw.own[1];
    h->original_size = raw.first;
    h->element_count = raw.second;
    /* Sizes up to 2^62 keep every later size computation free of overflow. */
    if (h->original_size > (UINT64_C(1) << 62) || !element_count_valid(h)) return EMZ_ERROR_CORRUPT;
    return EMZ_OK;
}

emz_status emz_frame_parse(const uint8_t *src, size_t size, emz_frame *f) {
    emz_status st = emz_frame_header_read(src, size, &f->header);
    if (st != EMZ_OK) return st;
    f->chunk_count = emz_frame_chunk_count(&f->header);
    uint64_t rest = size - EMZ_FRAME_HEADER_SIZE;
    /* Each chunk takes at least a one-byte payload and its 8-byte index entry. */
    if (rest < 4 || (rest - 4) / (EMZ_INDEX_ENTRY_SIZE + 1) < f->chunk_count)
        return EMZ_ERROR_TRUNCATED;
    uint64_t index_size = f->chunk_count * EMZ_INDEX_ENTRY_SIZE;
    f->end = src + size;
    f->index = f->end - 4 - index_size;
    f->payloads = src + EMZ_FRAME_HEADER_SIZE;
    if (emz_load32(f->end - 4) != emz_checksum32(f->index, (size_t)index_size))
        return EMZ_ERROR_CORRUPT;
    uint64_t total = 0;
    for (uint64_t i = 0; i < f->chunk_count; i++)
        total += emz_load32(f->index + i * EMZ_INDEX_ENTRY_SIZE);
    if (total != (uint64_t)(f->index - f->payloads)) return EMZ_ERROR_CORRUPT;
    return EMZ_OK;
}
