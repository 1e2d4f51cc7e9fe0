/* frame.h - the frame header and chunk index (FORMAT.md, "Frame"). */
#ifndef EMZ_FRAME_H
#define EMZ_FRAME_H

#include "emzip.h"
#include <stdbool.h>
#include <stdint.h>

/* The version writers write; readers read every version from 1 up to EMZ_FORMAT_VERSION_MAX
 * (FORMAT.md). Version 4 is version 3 plus the streamed frame, and only streamed frames are
 * written as version 4, so that every other output stays what version 3 writers made. */
#define EMZ_FORMAT_VERSION 3
#define EMZ_FORMAT_VERSION_STREAMED 4
#define EMZ_FORMAT_VERSION_MAX 4
#define EMZ_CHUNK_LOG2_MIN 12
#define EMZ_CHUNK_LOG2_MAX 24
/* Chunk sizes when the caller sets none (emz_default_chunk_size): 128 KiB for the one-byte
 * types (FP8, bytes), whose whole-byte codes of up to 256 symbols adapt to changing statistics
 * better in smaller chunks (FP8 weights: 0.1-0.2 points of ratio against 256 KiB, at ~2% of
 * decoding speed); 1 MiB for BF16 and FP32, whose exponents decode through a multi-code table
 * built for each chunk (about 5 us: against 256 KiB, 1 MiB chunks decoded the corpus's larger
 * BF16 files 8-9% and its larger FP32 file 17% faster, at the same size within 0.03%, and
 * checkpoint deltas 15-20% faster); 256 KiB for the others (FP16's high bytes decode without
 * that table, and decoded 7% slower in 1 MiB chunks). */
#define EMZ_DEFAULT_CHUNK_SIZE ((size_t)256 * 1024)
#define EMZ_DEFAULT_CHUNK_SIZE_1BYTE ((size_t)128 * 1024)
#define EMZ_DEFAULT_CHUNK_SIZE_MULTI ((size_t)1024 * 1024)
#define EMZ_INDEX_ENTRY_SIZE 8
#define EMZ_FRAME_FIXED_OVERHEAD (EMZ_FRAME_HEADER_SIZE + 4) /* header + index checksum */
/* Version 3 header flags: a single-chunk frame with the short header (FORMAT.md, "Short
 * frame"), and in it an odd FP4 element count (2 x original_size - 1). */
#define EMZ_FRAME_FLAG_SHORT 1u
#define EMZ_FRAME_FLAG_FP4_ODD 2u
/* Version 4, full header: a streamed frame, whose sizes are in its footer (FORMAT.md,
 * "Streamed frame"): written when the input's size is not known before its chunks are. */
#define EMZ_FRAME_FLAG_STREAMED 2u
#define EMZ_FRAME_FOOTER_SIZE 20 /* original_size, element_count, checksum32 of the two */
#define EMZ_SHORT_HEADER_MIN 9   /* 8 fixed bytes and a 1-byte size */
#define EMZ_SHORT_HEADER_MAX 12  /* sizes up to 2^24 take at most 4 LEB128 bytes */
#define EMZ_SHORT_FRAME_MIN (EMZ_SHORT_HEADER_MIN + 1 + 4) /* a 1-byte payload and the check */

typedef struct emz_frame_header {
    unsigned version; /* of the chunk payloads' layout rules */
    emz_type type;
    unsigned chunk_log2;
    uint64_t original_size;
    uint64_t element_count;
    bool is_short;         /* version 3: one chunk behind a short header, no index */
    bool streamed;         /* version 4: sizes in the footer (0 here until it is read) */
    unsigned header_size;  /* 32, or the short header's 9..12 */
    uint32_t header_check; /* short header: checksum32 of its bytes (see emz_frame_chunk) */
} emz_frame_header;

static inline uint64_t emz_frame_chunk_count(const emz_frame_header *h) {
    return (h->original_size >> h->chunk_log2) +
           ((h->original_size & ((UINT64_C(1) << h->chunk_log2) - 1)) != 0);
}

static inline size_t emz_default_chunk_size(emz_type type) {
    if (type == EMZ_TYPE_BYTES || type == EMZ_TYPE_FP8_E4M3 || type == EMZ_TYPE_FP8_E5M2)
        return EMZ_DEFAULT_CHUNK_SIZE_1BYTE;
    return type == EMZ_TYPE_BF16 || type == EMZ_TYPE_FP32 ? EMZ_DEFAULT_CHUNK_SIZE_MULTI
                                                          : EMZ_DEFAULT_CHUNK_SIZE;
}

/* Whether a writer of the current version gives a frame of this size the short header: exactly
 * when it has one chunk. */
static inline bool emz_frame_is_short(uint64_t original_size, unsigned chunk_log2) {
    return original_size > 0 && original_size <= UINT64_C(1) << chunk_log2;
}

/* Writes h's header (the short one when h->is_short; a streamed one, sizes 0 and version 4,
 * when h->streamed) and returns its size (at most EMZ_FRAME_HEADER_SIZE); sets h->header_size
 * and h->header_check. */
size_t emz_frame_header_write(emz_frame_header *h, uint8_t out[EMZ_FRAME_HEADER_SIZE]);

/* Checks magic, version, header checksum (full header) and every field, from the size bytes at
 * src (a full header needs 32, a short one its own 9..12). A streamed frame's sizes are 0 until
 * emz_frame_footer_read fills them. */
emz_status emz_frame_header_read(const uint8_t *src, size_t size, emz_frame_header *h);

/* A streamed frame's footer (its last EMZ_FRAME_FOOTER_SIZE bytes): checks its checksum and
 * the sizes (as a full header's) and puts them into h, whose header said streamed. */
emz_status emz_frame_footer_read(const uint8_t footer[EMZ_FRAME_FOOTER_SIZE], emz_frame_header *h);

/* Writes a streamed frame's footer for these sizes. */
void emz_frame_footer_write(uint64_t original_size, uint64_t element_count,
                            uint8_t out[EMZ_FRAME_FOOTER_SIZE]);

/* Bytes after a full frame's index: its checksum, and a streamed frame's footer. */
static inline unsigned emz_frame_tail_size(const emz_frame_header *h) {
    return 4 + (h->streamed ? EMZ_FRAME_FOOTER_SIZE : 0);
}

/* A parsed whole frame: header plus a checked index. */
typedef struct emz_frame {
    emz_frame_header header;
    uint64_t chunk_count;
    const uint8_t *payloads; /* chunk 0's payload */
    const uint8_t *index;    /* chunk_count entries (NULL for a short frame) */
    const uint8_t *end;      /* one past the frame */
    uint32_t short_payload;  /* short frame: its one payload's size */
    uint32_t short_checksum; /* and checksum32 of its original bytes */
} emz_frame;

/* Parses a frame of exactly size bytes, verifying the header and index checksums (and a
 * streamed frame's footer) and that the payload sizes add up. */
emz_status emz_frame_parse(const uint8_t *src, size_t size, emz_frame *f);

/* Chunk i's payload size and the checksum32 of its original bytes, from the index, or for a
 * short frame from its size and check (which holds that checksum XOR the header's). */
void emz_frame_chunk(const emz_frame *f, uint64_t i, uint32_t *payload_size, uint32_t *checksum);

/* A short frame's chunk, from the frame size and the 4 bytes of its check. */
static inline uint32_t emz_short_frame_checksum(const emz_frame_header *h, uint32_t check) {
    return check ^ h->header_check;
}

#endif
