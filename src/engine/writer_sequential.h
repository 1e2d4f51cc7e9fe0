/* writer_sequential.h - one frame from an input read once, in order, of unknown size
 * (writer_sequential.c): the engine of emz_compress_sequential. */
#ifndef EMZ_WRITER_SEQUENTIAL_H
#define EMZ_WRITER_SEQUENTIAL_H

#include "emzip.h"
#include "engine/context.h"

/* Pulls the input through pull until it ends and writes one frame of type to dst: the frame
 * emz_compress writes when the input fits the first window, else a streamed frame. *written
 * receives the frame's size. */
emz_status emz_write_sequential(emz_context *c, emz_pull_fn pull, void *opaque, emz_type type,
                                const emz_sink *dst, uint64_t *written);

#endif
