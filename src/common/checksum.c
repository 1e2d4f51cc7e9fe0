/* checksum.c - the one place xxHash is compiled in; inlined so there is no run-time dependency. */
#include "common/checksum.h"

#define XXH_INLINE_ALL
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>

uint32_t emz_checksum32(const void *data, size_t size) {
    return (uint32_t)XXH3_64bits(data, size);
}

uint64_t emz_hash64(const void *data, size_t size) {
    return (uint64_t)XXH3_64bits(data, size);
}
