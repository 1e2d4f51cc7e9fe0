/* reader.h - an open compressed file (emz_reader): its segments and a table of all chunks, and
 * the engine's calls on it (the public emz_reader_* entry points are api/reader_calls.c).
 * Opening reads only the directory (and a checkpoint's header); a version 1 container's frame
 * header and chunk index are read the first time one of its chunks is needed
 * (emz_reader_load_segment, by whichever thread gets there first), a version 2 container's
 * index with the directory. One reader serves several threads at once, each with its own
 * dctx, and reading one tensor touches only that tensor's chunks. */
#ifndef EMZ_READER_H
#define EMZ_READER_H

#include "emzip.h"
#include "engine/context.h"
#include "format/chunk_codec.h"
#include "format/container.h"
#include "format/frame.h"
#include "format/safetensors_header.h"

#include <stdatomic.h>
#include <stdbool.h>

typedef struct reader_segment {
    uint64_t offset, size;             /* in the original file */
    uint64_t frame_offset, frame_size; /* in the compressed file (version 2 container: its
                                          payloads) */
    uint64_t first_chunk, chunk_count; /* in the reader's chunk table */
    emz_type type;
    unsigned log2;
    unsigned version; /* format version of its chunk payloads */
    atomic_int state; /* 0: index not read yet, <0: being read / read,
                         >0: the error reading it gave */
    /* a delta container's (FORMAT.md, "Delta segments"): EMZ_BASE_*, where its base bytes
     * start in the base and their digest; whether the base's bytes matched it (BASE_*) */
    unsigned base_kind;
    uint64_t base_offset, base_digest;
    atomic_int base_state;
} reader_segment;

/* reader_segment.base_state: the digest of the base's bytes not checked yet, matched, not. */
enum { EMZ_BASE_UNCHECKED = 0, EMZ_BASE_MATCHES = 1, EMZ_BASE_DIFFERS = 2 };

typedef struct reader_chunk {
    uint64_t payload;  /* where its payload starts in the compressed file */
    uint32_t size;     /* payload bytes */
    uint32_t checksum; /* of the original bytes */
    bool diff;         /* a delta container's: the payload codes the difference from the base */
} reader_chunk;

struct emz_reader {
    emz_source src;
    int fd;              /* emz_reader_open_file's file, else -1; closed with the reader */
    const uint8_t *base; /* the compressed file in memory, or NULL: read through src */
    emz_reader_info info;
    reader_segment *seg;
    reader_chunk *chunk;
    size_t largest_chunk;    /* original bytes of the largest chunk */
    unsigned bound_version;  /* whose payload bound (emz_chunk_payload_max) the chunks keep */
    emz_st_header st;        /* a checkpoint's tensors; empty otherwise */
    uint64_t *stored;        /* frame bytes per tensor */
    emz_frame_info frame;    /* a bare frame's header (its sizes from a streamed frame's footer) */
    emz_table_set *set;      /* a version 2 or 3 container's table set (checked at open), or NULL */
    size_t set_size;         /* its serialized bytes */
    emz_huff_dec *set_dec;   /* its tables' decoders, built at open */
    emz_chunk_tables tables; /* set and set_dec, for the chunk decoder (set NULL: none) */
    /* a delta container's base (emz_reader_set_base): a source, or its bytes in memory */
    bool tensors_pending; /* its safetensors header is stored against the base: read with it */
    bool diff_low;        /* version 5: its DIFF chunks may have the layout LOW */
    bool has_delta_base;
    emz_source delta_src;
    const uint8_t *delta_mem;
};

/* ---- reader_index.c: the segment and chunk tables ---- */

/* Reads size bytes at offset at of the compressed file; EMZ_ERROR_TRUNCATED past its end. */
emz_status emz_reader_get(const emz_reader *r, void *buf, size_t size, uint64_t at);

/* Reads and checks the footer of the streamed frame at [frame_offset, + frame_size) into h
 * (its sizes). */
emz_status emz_reader_frame_footer(const emz_reader *r, uint64_t frame_offset, uint64_t frame_size,
                                   emz_frame_header *h);

/* Segment states besides 0 (not read yet) and an error: one thread reads the frame's index,
 * the chunk table holds the segment's chunks. */
enum { EMZ_SEGMENT_LOADING = -2, EMZ_SEGMENT_LOADED = -1 };

/* The fewest compressed bytes a chunk takes: in a frame an 8-byte index entry and a payload of
 * at least one byte; in a version 2 container a 5-byte index entry and the payload. */
#define EMZ_FRAME_CHUNK_LEAST_BYTES 9
#define EMZ_CONTAINER2_CHUNK_LEAST_BYTES 6

/* Numbers the chunks of all segments (offset, size and log2 set) and allocates the chunk
 * table, which emz_reader_load_segment (or the container's index) fills; refuses more chunks
 * than the file could hold at least_bytes a chunk. */
emz_status emz_reader_number_chunks(emz_reader *r, unsigned least_bytes);

/* Makes sure segment s's frame header and chunk index are read and checked (once; later
 * calls only look at its state). On failure writes what failed into detail (may be NULL). */
emz_status emz_reader_load_segment(const emz_reader *r, size_t s, char *detail, size_t size);

/* Sets up r (zeroed by the caller) as a reader of a single frame already parsed and checked
 * by emz_frame_parse, decoded in place from its memory (emz_decompress, emz_decompress_range).
 * emz_reader_release frees what it allocated. */
emz_status emz_reader_init_frame(emz_reader *r, const emz_frame *f, const uint8_t *src,
                                 size_t size);
/* Frees what a reader holds and closes its file, but does not free the reader itself. */
void emz_reader_release(emz_reader *r);

/* The segment holding global chunk g, and the one holding original byte offset at. */
size_t emz_reader_segment_of_chunk(const emz_reader *r, uint64_t g);
size_t emz_reader_segment_at(const emz_reader *r, uint64_t at);

/* Writes into detail where original bytes [at, ...) belong: a tensor, the header, or none. */
void emz_reader_describe(const emz_reader *r, uint64_t at, char *detail, size_t size);

/* ---- reader_container.c ---- */

/* Reads a container's directory (version 1) or table set, directory and index (version 2, all
 * checked here: its segments come out loaded) into r's tables; head is its checked header. On
 * failure says what is wrong in detail. */
emz_status emz_reader_open_container(emz_reader *r, const emz_container_header *head, char *detail);

/* ---- reader_base.c: a delta container's base ---- */

/* Base bytes of segment s (DIFF or SAME) for its original bytes [at, at + len) (at counted
 * from the segment's start): *out points at them, in the base's memory or read into buf (len
 * bytes). EMZ_ERROR_WRONG_BASE without a base or when the base is too short. */
emz_status emz_reader_base_bytes(const emz_reader *r, size_t s, uint64_t at, size_t len,
                                 uint8_t *buf, const uint8_t **out);
/* Checks segment s's base bytes against their digest (once: the answer is kept in the
 * segment; emz_reader_base_stream with nothing to put); EMZ_ERROR_WRONG_BASE when they differ
 * or there is no base. */
emz_status emz_reader_base_check(const emz_reader *r, size_t s);
/* Says in detail which base segment s needs and why it was refused. */
void emz_reader_base_describe(const emz_reader *r, size_t s, char *detail, size_t size);
/* Original bytes [lo, hi) of SAME segments, which the base holds, into dst (dst holds bytes
 * [dst_lo, ...)): a whole segment checked against its digest on the bytes copied, a part of one
 * against the whole segment's digest first. */
emz_status emz_reader_copy_same(const emz_reader *r, uint8_t *dst, uint64_t dst_lo, uint64_t lo,
                                uint64_t hi, char *detail);
/* Segment s's base bytes to put (may be NULL), size bytes at a time (through buf when the base
 * is read through a source), hashed on the way, the answer kept as emz_reader_base_check's:
 * EMZ_ERROR_WRONG_BASE after the last piece when they do not match the digest (the pieces given
 * to put are then wrong: the caller's output fails), said in detail (may be NULL). */
typedef emz_status (*emz_same_put_fn)(void *opaque, const uint8_t *data, size_t size);
emz_status emz_reader_base_stream(const emz_reader *r, size_t s, uint8_t *buf, size_t size,
                                  emz_same_put_fn put, void *opaque, char *detail);

/* ---- reader_open.c ---- */

/* Decodes the stored safetensors header and lists the tensors (emz_reader_create does, or, for
 * a delta whose header is stored against its base, emz_reader_set_base). */
emz_status emz_reader_load_tensors(emz_reader *r, emz_context *c);

/* Opens a bare frame or a container read through src (which must outlive the reader) and,
 * for a checkpoint, decodes its tensor list with c; a new reader in *out. */
emz_status emz_reader_create(emz_context *c, const emz_source *src, emz_reader **out);

/* ---- reader_read.c ---- */

/* Original bytes [lo, hi) (lo < hi, within the file) into dst, all their chunks in parallel
 * on c's threads; a failure names its chunk in c's detail. */
emz_status emz_reader_read_range(const emz_reader *r, emz_context *c, uint8_t *dst, uint64_t lo,
                                 uint64_t hi);

/* emz_reader_source's read function (opaque: the reader): original bytes, decoded on one thread
 * with a temporary context. */
int emz_reader_source_read(void *opaque, void *buf, size_t size, uint64_t offset);

/* The whole original file in order to dst (NULL: decode and verify only); *done receives the
 * bytes written. */
emz_status emz_reader_decompress_all(const emz_reader *r, emz_context *c, const emz_sink *dst,
                                     uint64_t *done);

#endif
