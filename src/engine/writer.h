/* writer.h - the frame writer: frames (bare, or inside a container) written from a source to
 * a sink in bounded memory, chunks encoded on the context's threads (writer.c). */
#ifndef EMZ_WRITER_H
#define EMZ_WRITER_H

#include "emzip.h"
#include "engine/context.h"
#include "format/container.h"

/* Tensors smaller than this share the bytes segment around them (api/compress_stream.c says
 * why); the others get a segment of their own. */
#define EMZ_SMALL_TENSOR 64

/* One segment of the original file: bytes [offset, offset + size), stored as one frame. */
typedef struct emz_segment {
    uint64_t offset, size, element_count;
    emz_type type;
    /* in a delta container: how it uses the base (EMZ_BASE_*), and for DIFF and SAME where its
     * base bytes start in the base and their XXH3-64 */
    unsigned base_kind;
    uint64_t base_offset, base_digest;
} emz_segment;

/* Writes the frames of segments (in order, covering the source without gaps) to dst: with
 * container non-NULL inside a container, else as one bare frame (then n must be 1). Chunks
 * are read from src (or taken from in_memory, the whole source, when that is not NULL) and
 * encoded on the context's threads while the calling thread writes them in order. With base
 * (a delta container: container's flags have EMZ_CONTAINER_FLAG_DELTA), the chunks of DIFF
 * segments are coded alone and as differences from base's bytes, the smaller kept; SAME
 * segments have no chunks. */
emz_status emz_write_frames(emz_context *c, const emz_source *src, const uint8_t *in_memory,
                            const emz_segment *segments, size_t n,
                            const emz_container_header *container, const emz_source *base,
                            const emz_sink *dst, uint64_t *written);

#endif
