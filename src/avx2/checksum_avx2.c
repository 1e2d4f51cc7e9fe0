/* checksum_avx2.c - checksum32 with xxHash's own avx2 code path (selected by the compiler
 * flags of this folder); same value as every other build by xxHash's design. */
#include "avx2/kernels_avx2.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

uint32_t emz_checksum32_avx2(const void *data, size_t size) {
    return (uint32_t)XXH3_64bits(data, size);
}
