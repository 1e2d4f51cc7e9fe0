/* header32.c - writing and reading the 32-byte header layout of header32.h. */
#include "format/header32.h"

#include "common/checksum.h"
#include "common/common.h"

void emz_header32_write(const uint8_t magic[4], const emz_header32 *h,
                        uint8_t out[EMZ_HEADER32_SIZE]) {
    memcpy(out, magic, 4);
    out[4] = h->version;
    memcpy(out + 5, h->own, 3);
    emz_store64(out + 8, h->first);
    emz_store64(out + 16, h->second);
    emz_store32(out + 24, h->reserved);
    emz_store32(out + 28, emz_checksum32(out, 28));
}

emz_status emz_header32_read(const uint8_t magic[4], unsigned oldest, unsigned newest,
                             const uint8_t *src, size_t size, emz_header32 *h) {
    if (memcmp(src, magic, size < 4 ? size : 4) != 0) return EMZ_ERROR_NOT_EMZIP;
    if (size < 5) return EMZ_ERROR_TRUNCATED;
    if (src[4] < oldest || src[4] > newest) return EMZ_ERROR_UNSUPPORTED_VERSION;
    if (size < EMZ_HEADER32_SIZE) return EMZ_ERROR_TRUNCATED;
    if (emz_load32(src + 28) != emz_checksum32(src, 28)) return EMZ_ERROR_CORRUPT;
    h->version = src[4];
    memcpy(h->own, src + 5, 3);
    h->first = emz_load64(src + 8);
    h->second = emz_load64(src + 16);
    h->reserved = emz_load32(src + 24);
    return EMZ_OK;
}
