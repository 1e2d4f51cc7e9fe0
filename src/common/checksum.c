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

_Static_assert(sizeof(XXH3_state_t) <= sizeof(emz_hash64_state), "emz_hash64_state too small");
_Static_assert(_Alignof(XXH3_state_t) <= 64, "emz_hash64_state not aligned enough");

void emz_hash64_begin(emz_hash64_state *s) {
    XXH3_INITSTATE((XXH3_state_t *)s->opaque);
    XXH3_64bits_reset((XXH3_state_t *)s->opaque);
}

void emz_hash64_add(emz_hash64_state *s, const void *data, size_t size) {
    XXH3_64bits_update((XXH3_state_t *)s->opaque, data, size);
}

uint64_t emz_hash64_end(const emz_hash64_state *s) {
    return (uint64_t)XXH3_64bits_digest((const XXH3_state_t *)s->opaque);
}
