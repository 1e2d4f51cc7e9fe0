/* container.h - the container of a compressed file of several frames (FORMAT.md, "Container"):
 * a header, the frames back to back, and a directory of their sizes at the end. */
#ifndef EMZ_CONTAINER_H
#define EMZ_CONTAINER_H

#include "emzip.h"

#include <stdbool.h>
#include <stdint.h>

#define EMZ_CONTAINER_HEADER_SIZE 32
#define EMZ_CONTAINER_VERSION 1
#define EMZ_DIRECTORY_ENTRY_SIZE 24
/* Safetensors headers are at most 100 MB (the format's own limit): a bound on what a reader
 * holds in memory for a checkpoint, whatever the file claims. */
#define EMZ_SAFETENSORS_HEADER_MAX ((uint64_t)100 << 20)

enum { EMZ_CONTENT_SAFETENSORS = 1 };

typedef struct emz_container_header {
    unsigned content;       /* EMZ_CONTENT_* */
    uint64_t original_size; /* bytes of the original file: the sum of the segments */
    uint64_t segment_count;
} emz_container_header;

/* A directory entry: what a reader needs to know of a frame without reading it. */
typedef struct emz_directory_entry {
    uint64_t original_size, frame_size;
    emz_type type;
    unsigned chunk_log2;
} emz_directory_entry;

void emz_directory_entry_write(const emz_directory_entry *e, uint8_t out[EMZ_DIRECTORY_ENTRY_SIZE]);
void emz_directory_entry_read(const uint8_t in[EMZ_DIRECTORY_ENTRY_SIZE], emz_directory_entry *e);
/* Type and chunk size in range, reserved bytes zero (checked by the caller on read). */
bool emz_directory_entry_valid(const emz_directory_entry *e);

void emz_container_header_write(const emz_container_header *h,
                                uint8_t out[EMZ_CONTAINER_HEADER_SIZE]);
/* Checks magic, version, checksum and fields; EMZ_ERROR_NOT_EMZIP without the magic. */
emz_status emz_container_header_read(const uint8_t *src, size_t size, emz_container_header *h);
bool emz_container_magic(const uint8_t *src, size_t size);

#endif
