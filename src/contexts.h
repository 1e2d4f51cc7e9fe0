/* contexts.h - the compression and decompression contexts, shared by the whole-buffer calls
 * (compress.c, decompress.c) and the streaming and container calls (stream_*.c, reader*.c). */
#ifndef EMZ_CONTEXTS_H
#define EMZ_CONTEXTS_H

#include "chunk_codec.h"
#include "emzip.h"

#include <stdarg.h>
#include <stdbool.h>

#define EMZ_DETAIL_SIZE 512

struct emz_cctx {
    size_t chunk_size;
    emz_impl impl;
    unsigned threads;
    emz_chunk_scratch *scratch;  /* one per worker; the calling thread is worker 0 */
    unsigned scratch_count;
    emz_progress_fn progress;
    void *progress_opaque;
    char detail[EMZ_DETAIL_SIZE]; /* emz_cctx_error_detail */
};

struct emz_dctx {
    bool verify;
    emz_impl impl;
    unsigned threads;            /* workers a call may use */
    emz_chunk_scratch *scratch;  /* one per worker, kept between calls */
    unsigned scratch_count;
    emz_progress_fn progress;
    void *progress_opaque;
    char detail[EMZ_DETAIL_SIZE]; /* emz_dctx_error_detail */
};

/* Writes a printf-style detail message into a context's buffer (truncated to fit). */
void emz_detail_set(char detail[EMZ_DETAIL_SIZE], const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
