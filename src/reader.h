/* reader.h - an open compressed file (emz_reader): its segments and a table of all chunks.
 * Opening reads only the directory (and a checkpoint's header); a frame's header and chunk
 * index are read the first time one of its chunks is needed (emz_reader_load_segment, by
 * whichever thread gets there first), so one reader serves several threads at once, each with
 * its own dctx, and reading one tensor touches only that tensor's frame. */
#ifndef EMZ_READER_H
#define EMZ_READER_H

#include "container.h"
#include "emzip.h"
#include "frame.h"
#include "safetensors_header.h"

#include <stdatomic.h>
#include <stdbool.h>

typedef struct reader_segment {
    uint64_t offset, size;             /* in the original file */
    uint64_t frame_offset, frame_size; /* in the compressed file */
    uint64_t first_chunk, chunk_count; /* in the reader's chunk table */
    emz_type type;
    unsigned log2;
    atomic_int state;                  /* 0: index not read yet, <0: being read / read,
                                          >0: the error reading it gave */
} reader_segment;

typedef struct reader_chunk {
    uint64_t payload;   /* where its payload starts in the compressed file */
    uint32_t size;      /* payload bytes */
    uint32_t checksum;  /* of the original bytes */
} reader_chunk;

struct emz_reader {
    emz_source src;
    int fd;                  /* emz_reader_open_file's file, else -1 */
    const uint8_t *base;     /* the compressed file in memory, or NULL: read through src */
    emz_reader_info info;
    reader_segment *seg;
    reader_chunk *chunk;
    size_t largest_chunk;    /* original bytes of the largest chunk */
    emz_st_header st;        /* a checkpoint's tensors; empty otherwise */
    uint64_t *stored;        /* frame bytes per tensor */
};

/* Makes sure segment s's frame header and chunk index are read and checked (once; later
 * calls only look at its state). On failure writes what failed into detail (may be NULL). */
emz_status emz_reader_load_segment(const emz_reader *r, size_t s, char *detail, size_t size);

/* Sets up r (zeroed by the caller) as a reader of a single frame already parsed and checked
 * by emz_frame_parse, decoded in place from its memory (emz_decompress, emz_decompress_range).
 * emz_reader_release frees what it allocated. */
emz_status emz_reader_init_frame(emz_reader *r, const emz_frame *f, const uint8_t *src,
                                 size_t size);
/* Frees what a reader holds, but not the reader itself (emz_reader_close does both). */
void emz_reader_release(emz_reader *r);

/* The segment holding global chunk g, and the one holding original byte offset at. */
size_t emz_reader_segment_of_chunk(const emz_reader *r, uint64_t g);
size_t emz_reader_segment_at(const emz_reader *r, uint64_t at);

/* Closes emz_reader_open_file's file, if any. */
void emz_reader_close_file(emz_reader *r);

/* Writes into detail where original bytes [at, ...) belong: a tensor, the header, or none. */
void emz_reader_describe(const emz_reader *r, uint64_t at, char *detail, size_t size);

#endif
