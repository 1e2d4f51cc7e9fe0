/* checksum_neon.c - checksum32 with xxHash's own NEON code path (XXH3 selects it on AArch64,
 * where Advanced SIMD is baseline); same value as every other build by xxHash's design. */
#include "neon/kernels_neon.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

uint32_t emz_checksum32_neon(const void *data, size_t size) {
    return (uint32_t)XXH3_64bits(data, size);
}
