/* frame.c - writes and validates the frame header (full or, version 3, short); locates and
 * validates the chunk index. */
#include "format/frame.h"

#include "common/checksum.h"
#include "common/common.h"
#include "format/chunk_codec.h"
#include "format/element_types.h"
#include "format/header32.h"

static const uint8_t magic[4] = {0x89, 'E', 'M', 'Z'};

/* The short header: the full header's first 8 bytes, then original_size as LEB128. */
static size_t write_short(const emz_frame_header *h, uint8_t *out) {
    memcpy(out, magic, 4);
    out[4] = (uint8_t)h->version;
    out[5] = (uint8_t)h->type;
    out[6] = (uint8_t)h->chunk_log2;
    out[7] = (uint8_t)(EMZ_FRAME_FLAG_SHORT | (h->element_count & 1 && h->type == EMZ_TYPE_FP4_E2M1
                                                   ? EMZ_FRAME_FLAG_FP4_ODD
                                                   : 0));
    return 8 + emz_leb128_write64(out + 8, h->original_size);
}

size_t emz_frame_header_write(emz_frame_header *h, uint8_t out[EMZ_FRAME_HEADER_SIZE]) {
    if (h->is_short) {
        h->header_size = (unsigned)write_short(h, out);
        h->header_check = emz_checksum32(out, h->header_size);
        return h->header_size;
    }
    bool streamed = h->streamed;
    emz_header32 raw = {
        (uint8_t)(streamed ? EMZ_FORMAT_VERSION_STREAMED : h->version),
        {(uint8_t)h->type, (uint8_t)h->chunk_log2, streamed ? (uint8_t)EMZ_FRAME_FLAG_STREAMED : 0},
        streamed ? 0 : h->original_size,
        streamed ? 0 : h->element_count,
        0};
    emz_header32_write(magic, &raw, out);
    h->header_size = EMZ_FRAME_HEADER_SIZE, h->header_check = 0;
    return EMZ_FRAME_HEADER_SIZE;
}

static bool element_count_valid(const emz_frame_header *h) {
    const emz_type_desc *d = emz_type_desc_get(h->type);
    uint64_t size = h->original_size;
    if (d->element_bits == 4)
        return h->element_count == 2 * size || (size > 0 && h->element_count == 2 * size - 1);
    return h->element_count == size / (d->element_bits / 8);
}

/* A version 3 short header (magic and version checked): flags, type, chunk size, a minimal
 * LEB128 size of one chunk. It has no checksum of its own: the frame's check covers it. */
static emz_status read_short(const uint8_t *src, size_t size, emz_frame_header *h) {
    unsigned flags = src[7];
    if (flags & ~(EMZ_FRAME_FLAG_SHORT | EMZ_FRAME_FLAG_FP4_ODD))
        return EMZ_ERROR_UNSUPPORTED_VERSION; /* flags of a later revision */
    if (size < EMZ_SHORT_HEADER_MIN) return EMZ_ERROR_TRUNCATED;
    if (src[5] >= EMZ_TYPE_COUNT || src[6] < EMZ_CHUNK_LOG2_MIN || src[6] > EMZ_CHUNK_LOG2_MAX)
        return EMZ_ERROR_CORRUPT;
    h->version = src[4];
    h->type = (emz_type)src[5];
    h->chunk_log2 = src[6];
    size_t avail = size - 8 < 4 ? size - 8 : 4, n;
    n = emz_leb128_read64(src + 8, avail, UINT64_C(1) << h->chunk_log2, &h->original_size);
    if (n == 0) {
        bool cut = avail < 4 && (src[8 + avail - 1] & 0x80);
        return cut ? EMZ_ERROR_TRUNCATED : EMZ_ERROR_CORRUPT;
    }
    bool odd = flags & EMZ_FRAME_FLAG_FP4_ODD, fp4 = h->type == EMZ_TYPE_FP4_E2M1;
    if (h->original_size == 0 || (odd && !fp4)) return EMZ_ERROR_CORRUPT;
    const emz_type_desc *d = emz_type_desc_get(h->type);
    h->element_count = fp4 ? 2 * h->original_size - odd : h->original_size / (d->element_bits / 8);
    h->is_short = true;
    h->streamed = false;
    h->header_size = (unsigned)(8 + n);
    h->header_check = emz_checksum32(src, h->header_size);
    return EMZ_OK;
}

emz_status emz_frame_header_read(const uint8_t *src, size_t size, emz_frame_header *h) {
    if (size >= 8 && memcmp(src, magic, 4) == 0 && src[4] >= 3 &&
        src[4] <= EMZ_FORMAT_VERSION_MAX && (src[7] & EMZ_FRAME_FLAG_SHORT))
        return read_short(src, size, h);
    emz_header32 raw;
    emz_status st = emz_header32_read(magic, 1, EMZ_FORMAT_VERSION_MAX, src, size, &raw);
    if (st != EMZ_OK) return st;
    h->streamed =
        raw.own[2] == EMZ_FRAME_FLAG_STREAMED && raw.version >= EMZ_FORMAT_VERSION_STREAMED;
    if (raw.own[2] != 0 && !h->streamed)
        return EMZ_ERROR_UNSUPPORTED_VERSION; /* flags of a later revision */
    if (h->streamed && (raw.first != 0 || raw.second != 0)) return EMZ_ERROR_CORRUPT;
    if (raw.own[0] >= EMZ_TYPE_COUNT || raw.own[1] < EMZ_CHUNK_LOG2_MIN ||
        raw.own[1] > EMZ_CHUNK_LOG2_MAX || raw.reserved != 0)
        return EMZ_ERROR_CORRUPT;
    h->version = raw.version;
    h->type = (emz_type)raw.own[0];
    h->chunk_log2 = raw.own[1];
    h->original_size = raw.first;
    h->element_count = raw.second;
    h->is_short = false;
    h->header_size = EMZ_FRAME_HEADER_SIZE, h->header_check = 0;
    /* Sizes up to 2^62 keep every later size computation free of overflow. */
    if (h->original_size > (UINT64_C(1) << 62) || !element_count_valid(h)) return EMZ_ERROR_CORRUPT;
    return EMZ_OK;
}

emz_status emz_frame_footer_read(const uint8_t footer[EMZ_FRAME_FOOTER_SIZE], emz_frame_header *h) {
    if (emz_load32(footer + 16) != emz_checksum32(footer, 16)) return EMZ_ERROR_CORRUPT;
    h->original_size = emz_load64(footer);
    h->element_count = emz_load64(footer + 8);
    if (h->original_size > (UINT64_C(1) << 62) || !element_count_valid(h)) return EMZ_ERROR_CORRUPT;
    return EMZ_OK;
}

void emz_frame_footer_write(uint64_t original_size, uint64_t element_count,
                            uint8_t out[EMZ_FRAME_FOOTER_SIZE]) {
    emz_store64(out, original_size);
    emz_store64(out + 8, element_count);
    emz_store32(out + 16, emz_checksum32(out, 16));
}

/* A short frame: its header, one payload of at most the expansion bound (len + 5) and the
 * 4-byte check. */
static emz_status parse_short(const uint8_t *src, size_t size, emz_frame *f) {
    const emz_frame_header *h = &f->header;
    if (size < (size_t)h->header_size + 1 + 4) return EMZ_ERROR_TRUNCATED;
    size_t payload = size - h->header_size - 4;
    if (payload > EMZ_CHUNK_PAYLOAD_BOUND(h->original_size)) return EMZ_ERROR_CORRUPT;
    f->chunk_count = 1;
    f->payloads = src + h->header_size;
    f->index = NULL;
    f->end = src + size;
    f->short_payload = (uint32_t)payload;
    f->short_checksum = emz_short_frame_checksum(h, emz_load32(f->end - 4));
    return EMZ_OK;
}

emz_status emz_frame_parse(const uint8_t *src, size_t size, emz_frame *f) {
    emz_status st = emz_frame_header_read(src, size, &f->header);
    if (st != EMZ_OK) return st;
    if (f->header.is_short) return parse_short(src, size, f);
    if (f->header.streamed) { /* the sizes first, from the footer; the rest as in any frame */
        if (size < EMZ_FRAME_FIXED_OVERHEAD + EMZ_FRAME_FOOTER_SIZE) return EMZ_ERROR_TRUNCATED;
        size -= EMZ_FRAME_FOOTER_SIZE;
        st = emz_frame_footer_read(src + size, &f->header);
        if (st != EMZ_OK) return st;
    }
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
    /* every payload within the expansion bound of its chunk's length (and at least its layout
     * byte), so that no decoder allocates or reads more than the format allows */
    uint64_t total = 0, chunk = UINT64_C(1) << f->header.chunk_log2;
    for (uint64_t i = 0; i < f->chunk_count; i++) {
        uint64_t size = emz_load32(f->index + i * EMZ_INDEX_ENTRY_SIZE);
        uint64_t len = i + 1 < f->chunk_count ? chunk : f->header.original_size - i * chunk;
        if (size == 0 || size > emz_chunk_payload_max(f->header.version, len))
            return EMZ_ERROR_CORRUPT;
        total += size;
    }
    if (total != (uint64_t)(f->index - f->payloads)) return EMZ_ERROR_CORRUPT;
    return EMZ_OK;
}

void emz_frame_chunk(const emz_frame *f, uint64_t i, uint32_t *payload_size, uint32_t *checksum) {
    if (f->header.is_short) {
        *payload_size = f->short_payload, *checksum = f->short_checksum;
        return;
    }
    *payload_size = emz_load32(f->index + i * EMZ_INDEX_ENTRY_SIZE);
    *checksum = emz_load32(f->index + i * EMZ_INDEX_ENTRY_SIZE + 4);
}
