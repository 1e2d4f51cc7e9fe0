/* block.h - the block header of docs/FORMAT.md ("Block"): one page of a K/V cache (or any
 * buffer) coded alone, as one chunk payload, with the table set its tag names. */
#ifndef EMZ_BLOCK_H
#define EMZ_BLOCK_H

#include "emzip.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EMZ_BLOCK_MARK 0xEB
/* Written: 1 without a channel shift, 2 with one, 3 with channel clusters; all are read. */
#define EMZ_BLOCK_VERSION 3
#define EMZ_BLOCK_SIZE_MAX (UINT32_C(1) << 24)
/* Mark, flags, tag, a size of at most 4 LEB128 bytes (2^24 needs 4). */
#define EMZ_BLOCK_HEADER_MAX 10
#define EMZ_BLOCK_CHECKSUM_SIZE 4
/* The chunk payload follows the rules of this frame format version. */
#define EMZ_BLOCK_CHUNK_VERSION 3

typedef struct emz_block_header {
    unsigned version; /* 1; 2: the payload codes the bytes after the set's channel shift; 3: it
                         is one payload per channel cluster of the set (after its shift, if any) */
    emz_type type;
    bool checksum; /* a checksum32 of the original bytes ends the block */
    bool tagged;   /* a table set's tag follows the flags */
    uint32_t tag;  /* the low 32 bits of the set's id */
    uint32_t size; /* original bytes, 1 .. EMZ_BLOCK_SIZE_MAX */
} emz_block_header;

/* Writes the header (at most EMZ_BLOCK_HEADER_MAX bytes); returns its size. */
size_t emz_block_header_write(const emz_block_header *h, uint8_t *out);

/* Reads and checks a header from the first avail bytes: EMZ_ERROR_NOT_EMZIP (mark),
 * EMZ_ERROR_UNSUPPORTED_VERSION, EMZ_ERROR_TRUNCATED, EMZ_ERROR_CORRUPT (type, size, version 2
 * or 3 untagged). *used
 * receives its size. */
emz_status emz_block_header_read(const uint8_t *in, size_t avail, emz_block_header *h,
                                 size_t *used);

#endif
