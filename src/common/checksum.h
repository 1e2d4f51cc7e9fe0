/* checksum.h - checksum32 of the format: the low 32 bits of XXH3-64 (xxHash 0.8, seed 0); and
 * the whole 64 bits, which name table sets. */
#ifndef EMZ_CHECKSUM_H
#define EMZ_CHECKSUM_H

#include <stddef.h>
#include <stdint.h>

uint32_t emz_checksum32(const void *data, size_t size);
uint64_t emz_hash64(const void *data, size_t size);

/* emz_hash64 of data given in pieces (a delta's base tensor, read a piece at a time): the
 * state is opaque storage for xxHash's, which needs 64-byte alignment. */
typedef struct emz_hash64_state {
    _Alignas(64) unsigned char opaque[640];
} emz_hash64_state;
void emz_hash64_begin(emz_hash64_state *s);
void emz_hash64_add(emz_hash64_state *s, const void *data, size_t size);
uint64_t emz_hash64_end(const emz_hash64_state *s);

#endif
