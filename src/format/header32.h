/* header32.h - the 32-byte layout that frame and container headers share (FORMAT.md): a magic
 * number, a version byte, three bytes of their own, two 64-bit fields, a reserved word and a
 * checksum of the first 28 bytes. */
#ifndef EMZ_HEADER32_H
#define EMZ_HEADER32_H

#include "emzip.h"

#include <stddef.h>
#include <stdint.h>

#define EMZ_HEADER32_SIZE 32

typedef struct emz_header32 {
    uint8_t version;
    uint8_t own[3];    /* bytes 5..7, the header's own fields */
    uint64_t first;    /* bytes 8..15 */
    uint64_t second;   /* bytes 16..23 */
    uint32_t reserved; /* bytes 24..27, zero in every version so far */
} emz_header32;

/* Writes h behind magic and seals it with the checksum. */
void emz_header32_write(const uint8_t magic[4], const emz_header32 *h,
                        uint8_t out[EMZ_HEADER32_SIZE]);

/* Reads the size bytes at src in the order that gives each failure its status: another magic
 * (EMZ_ERROR_NOT_EMZIP), too short for the version (TRUNCATED), a version outside
 * [oldest, newest] (UNSUPPORTED_VERSION; read before the checksum, since a later version may lay
 * the header out anew), too short for the header (TRUNCATED), a wrong checksum (CORRUPT). The
 * fields are the caller's to check. */
emz_status emz_header32_read(const uint8_t magic[4], unsigned oldest, unsigned newest,
                             const uint8_t *src, size_t size, emz_header32 *h);

#endif
