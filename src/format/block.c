/* block.c - writing and reading the block header (docs/FORMAT.md, "Block"). */
#include "format/block.h"

#include "common/common.h"

/* Byte 1: bits 0-2 the type, bit 3 checksum, bit 4 tagged, bits 5-7 the version minus 1. */
enum { FLAG_CHECKSUM = 1u << 3, FLAG_TAGGED = 1u << 4, VERSION_SHIFT = 5 };

size_t emz_block_header_write(const emz_block_header *h, uint8_t *out) {
    size_t at = 0;
    out[at++] = EMZ_BLOCK_MARK;
    out[at++] = (uint8_t)((unsigned)h->type | (h->checksum ? FLAG_CHECKSUM : 0) |
                          (h->tagged ? FLAG_TAGGED : 0) | (h->version - 1) << VERSION_SHIFT);
    if (h->tagged) emz_store32(out + at, h->tag), at += 4;
    return at + emz_leb128_write(out + at, h->size);
}

emz_status emz_block_header_read(const uint8_t *in, size_t avail, emz_block_header *h,
                                 size_t *used) {
    if (avail < 1) return EMZ_ERROR_TRUNCATED;
    if (in[0] != EMZ_BLOCK_MARK) return EMZ_ERROR_NOT_EMZIP;
    if (avail < 2) return EMZ_ERROR_TRUNCATED;
    unsigned flags = in[1];
    h->version = (flags >> VERSION_SHIFT) + 1;
    if (h->version > EMZ_BLOCK_VERSION) return EMZ_ERROR_UNSUPPORTED_VERSION;
    if ((flags & 7) >= EMZ_TYPE_COUNT) return EMZ_ERROR_CORRUPT;
    h->type = (emz_type)(flags & 7);
    h->checksum = flags & FLAG_CHECKSUM;
    h->tagged = flags & FLAG_TAGGED;
    size_t at = 2;
    h->tag = 0;
    if (h->tagged) {
        if (avail - at < 4) return EMZ_ERROR_TRUNCATED;
        h->tag = emz_load32(in + at), at += 4;
    } else if (h->version >= 2) {
        return EMZ_ERROR_CORRUPT; /* a channel shift or clusters come from a table set */
    }
    uint32_t size = 0;
    size_t n = emz_leb128_read(in + at, avail - at, &size);
    if (n == 0) {
        /* Cut short inside a number whose bytes so far were valid: truncated. */
        bool open = avail - at < 5;
        for (size_t i = at; i < avail && open; i++)
            open = in[i] & 0x80;
        return open ? EMZ_ERROR_TRUNCATED : EMZ_ERROR_CORRUPT;
    }
    if (size == 0 || size > EMZ_BLOCK_SIZE_MAX) return EMZ_ERROR_CORRUPT;
    h->size = size;
    *used = at + n;
    return EMZ_OK;
}
