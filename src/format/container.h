/* container.h - the container of a compressed file of several segments (FORMAT.md,
 * "Container"): a header, then version 2: the chunk payloads back to back, a directory and an
 * index of LEB128 entries and a trailer; version 1: a frame a segment and a directory of
 * 24-byte entries. */
#ifndef EMZ_CONTAINER_H
#define EMZ_CONTAINER_H

#include "emzip.h"

#include <stdbool.h>
#include <stdint.h>

#define EMZ_CONTAINER_HEADER_SIZE 32
#define EMZ_CONTAINER_VERSION 3 /* written without a base; readers read 1 to 5 */
/* Written with a base (flag EMZ_CONTAINER_FLAG_DELTA): version 5, whose DIFF chunks may have the
 * layout LOW; version 4, the first delta containers, is still read. */
#define EMZ_CONTAINER_VERSION_DELTA 5
#define EMZ_CONTAINER_VERSION_DELTA_V4 4
#define EMZ_DIRECTORY_ENTRY_SIZE 24  /* version 1 */
#define EMZ_CONTAINER_TRAILER_SIZE 8 /* version 2: size and checksum of directory + index */
#define EMZ_CONTAINER_FLAG_TABLE_SET 1u
#define EMZ_CONTAINER_FLAG_DELTA 2u /* versions 4, 5: entries say how each uses a base */
#define EMZ_SEGMENT_SIZE_LIMIT (UINT64_C(1) << 62) /* version 2 segment sizes are below it */
#define EMZ_DIR2_ENTRY_MAX 11 /* LEB128 size (up to 9 bytes), type, chunk_log2 */
#define EMZ_DIR2_ENTRY_MIN 3
/* a delta container's: + base kind, LEB128 base offset (up to 9 bytes), base digest */
#define EMZ_DIR4_ENTRY_MAX (EMZ_DIR2_ENTRY_MAX + 1 + 9 + 8)
#define EMZ_INDEX2_ENTRY_MAX 9 /* LEB128 payload size (up to 5 bytes), checksum */
#define EMZ_INDEX2_ENTRY_MIN 5
/* Safetensors headers are at most 100 MB (the format's own limit): a bound on what a reader
 * holds in memory for a checkpoint, whatever the file claims. */
#define EMZ_SAFETENSORS_HEADER_MAX ((uint64_t)100 << 20)

enum { EMZ_CONTENT_SAFETENSORS = 1 };

/* How a segment of a delta container uses the base (FORMAT.md, "Delta segments"). */
enum {
    EMZ_BASE_NONE = 0, /* stored alone, as in any container */
    EMZ_BASE_DIFF = 1, /* each chunk says whether it codes the bytes or their difference */
    EMZ_BASE_SAME = 2, /* no chunks: the base's bytes, unchanged */
    EMZ_BASE_KIND_COUNT
};

typedef struct emz_container_header {
    unsigned version;       /* 1 to 4 */
    unsigned flags;         /* version 2: EMZ_CONTAINER_FLAG_* */
    unsigned content;       /* EMZ_CONTENT_* */
    uint64_t original_size; /* bytes of the original file: the sum of the segments */
    uint64_t segment_count;
} emz_container_header;

/* A directory entry: what a reader needs to know of a frame without reading it. */
typedef struct emz_directory_entry {
    uint64_t original_size, frame_size;
    emz_type type;
    unsigned chunk_log2;
    /* a delta container's: EMZ_BASE_*, and for DIFF and SAME where the segment's base bytes
     * start in the base's original file and their XXH3-64 */
    unsigned base_kind;
    uint64_t base_offset, base_digest;
} emz_directory_entry;

void emz_directory_entry_write(const emz_directory_entry *e, uint8_t out[EMZ_DIRECTORY_ENTRY_SIZE]);
void emz_directory_entry_read(const uint8_t in[EMZ_DIRECTORY_ENTRY_SIZE], emz_directory_entry *e);
/* Type and chunk size in range, reserved bytes zero (checked by the caller on read). */
bool emz_directory_entry_valid(const emz_directory_entry *e);

/* Version 2 directory entries (frame_size unused) and index entries. Writers return the
 * length; readers return it, or 0 for an entry that is truncated or whose LEB128 number is
 * not minimal or out of range (size >= 2^62, payload size >= 2^32). The fields' ranges (type,
 * chunk_log2, payload size >= 1) are the caller's to check. */
size_t emz_dir2_entry_write(const emz_directory_entry *e, uint8_t out[EMZ_DIR2_ENTRY_MAX]);
size_t emz_dir2_entry_read(const uint8_t *in, size_t avail, emz_directory_entry *e);
/* A delta container's entries: a version 2 entry, then the base kind and, for DIFF and SAME,
 * the LEB128 base offset (< 2^62) and the 8-byte digest. The kind's range is the caller's to
 * check. */
size_t emz_dir4_entry_write(const emz_directory_entry *e, uint8_t out[EMZ_DIR4_ENTRY_MAX]);
size_t emz_dir4_entry_read(const uint8_t *in, size_t avail, emz_directory_entry *e);
/* Index entries. In a DIFF segment the LEB128 number is 2 x payload_size + diff (diff 1: the
 * payload codes the chunk's difference from the base); elsewhere it is the payload size and
 * diff must be 0 (read: receives 0). */
size_t emz_index2_entry_write(uint32_t payload_size, bool diff, uint32_t checksum,
                              bool in_diff_segment, uint8_t out[EMZ_INDEX2_ENTRY_MAX]);
size_t emz_index2_entry_read(const uint8_t *in, size_t avail, bool in_diff_segment,
                             uint32_t *payload_size, bool *diff, uint32_t *checksum);

void emz_container_header_write(const emz_container_header *h,
                                uint8_t out[EMZ_CONTAINER_HEADER_SIZE]);
/* Checks magic, version, checksum and fields; EMZ_ERROR_NOT_EMZIP without the magic,
 * EMZ_ERROR_UNSUPPORTED_VERSION for a version other than 1 to 5 or flags other than
 * EMZ_CONTAINER_FLAG_TABLE_SET (versions 2 and 3) or than it and EMZ_CONTAINER_FLAG_DELTA
 * (versions 4 and 5, where the delta flag is required) (h->version and h->flags are then set, for
 * the caller's message). */
emz_status emz_container_header_read(const uint8_t *src, size_t size, emz_container_header *h);
bool emz_container_magic(const uint8_t *src, size_t size);

#endif
