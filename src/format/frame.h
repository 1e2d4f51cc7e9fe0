/* frame.h - the frame header and chunk index (FORMAT.md, "Frame"). */
#ifndef EMZ_FRAME_H
#define EMZ_FRAME_H

#include "emzip.h"
#include <stdint.h>

/* The version writers write; readers read every version from 1 up to it (FORMAT.md). */
#define EMZ_FORMAT_VERSION 2
#define EMZ_CHUNK_LOG2_MIN 12
#define EMZ_CHUNK_LOG2_MAX 24
/* Chunk sizes when the caller sets none: 128 KiB for the one-byte types (FP8, bytes), whose
 * whole-byte codes of up to 256 symbols adapt to changing statistics better in smaller chunks
 * (FP8 weights: 0.1-0.2 points of ratio against 256 KiB, at ~2% of decoding speed); 256 KiB
 * for the others (emz_default_chunk_size). */
#define EMZ_DEFAULT_CHUNK_SIZE ((size_t)256 * 1024)
#define EMZ_DEFAULT_CHUNK_SIZE_1BYTE ((size_t)128 * 1024)
#define EMZ_INDEX_ENTRY_SIZE 8
#define EMZ_FRAME_FIXED_OVERHEAD (EMZ_FRAME_HEADER_SIZE + 4) /* header + index checksum */

typedef struct emz_frame_header {
    unsigned version; /* of the chunk payloads' layout rules */
    emz_type type;
    unsigned chunk_log2;
    uint64_t original_size;
    uint64_t element_count;
} emz_frame_header;

static inline uint64_t emz_frame_chunk_count(const emz_frame_header *h) {
    return (h->original_size >> h->chunk_log2) +
           ((h->original_size & ((UINT64_C(1) << h->chunk_log2) - 1)) != 0);
}

static inline size_t emz_default_chunk_size(emz_type type) {
    return type == EMZ_TYPE_BYTES || type == EMZ_TYPE_FP8_E4M3 || type == EMZ_TYPE_FP8_E5M2
               ? EMZ_DEFAULT_CHUNK_SIZE_1BYTE
               : EMZ_DEFAULT_CHUNK_SIZE;
}

void emz_frame_header_write(const emz_frame_header *h, uint8_t out[EMZ_FRAME_HEADER_SIZE]);

/* Checks magic, version, header checksum and every field. */
emz_status emz_frame_header_read(const uint8_t *src, size_t size, emz_frame_header *h);

/* A parsed whole frame: header plus a checked index. */
typedef struct emz_frame {
    emz_frame_header header;
    uint64_t chunk_count;
    const uint8_t *payloads; /* chunk 0's payload */
    const uint8_t *index;    /* chunk_count entries */
    const uint8_t *end;      /* one past the frame */
} emz_frame;

/* Parses a frame of exactly size bytes, verifying the header and index checksums and that
 * the payload sizes add up. */
emz_status emz_frame_parse(const uint8_t *src, size_t size, emz_frame *f);

#endif
