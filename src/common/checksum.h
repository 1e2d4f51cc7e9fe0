/* checksum.h - checksum32 of the format: the low 32 bits of XXH3-64 (xxHash 0.8, seed 0); and
 * the whole 64 bits, which name table sets. */
#ifndef EMZ_CHECKSUM_H
#define EMZ_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

uint32_t emz_checksum32(const void *data, size_t size);
uint64_t emz_hash64(const void *data, size_t size);

#endif
