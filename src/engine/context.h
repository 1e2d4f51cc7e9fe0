/* context.h - what a call runs with: the settings and scratch memory that emz_cctx and emz_dctx
 * share (one core, two public faces), and the temporary context a call without one uses. */
#ifndef EMZ_CONTEXT_H
#define EMZ_CONTEXT_H

#include "emzip.h"
#include "format/chunk_codec.h"

#include <stdarg.h>
#include <stdbool.h>

#define EMZ_DETAIL_SIZE 512

typedef struct emz_context {
    emz_impl impl;
    unsigned threads;           /* workers a call may use */
    size_t chunk_size;          /* compression; 0: emz_default_chunk_size of each type */
    bool verify;                /* decompression: check chunk checksums */
    uint64_t memory_limit;      /* EMZ_PARAM_MEMORY_LIMIT; 0: emz_default_memory_limit() */
    uint64_t max_output;        /* EMZ_PARAM_MAX_OUTPUT; 0: none */
    emz_chunk_scratch *scratch; /* one per worker, kept between calls; the caller is worker 0 */
    unsigned scratch_count;
    emz_progress_fn progress;
    void *progress_opaque;
    char detail[EMZ_DETAIL_SIZE]; /* emz_cctx_error_detail, emz_dctx_error_detail */
} emz_context;

/* The public contexts are the core under two names, so that each accepts only its own
 * parameters and a compression context cannot be passed where a decompression one belongs. */
struct emz_cctx {
    emz_context core;
};
struct emz_dctx {
    emz_context core;
};

/* Sets the defaults: chunks of emz_default_chunk_size (frame.h), one thread, checksums verified,
 * the process's kernels. */
void emz_context_init(emz_context *c);
/* Frees the scratch memory. */
void emz_context_release(emz_context *c);
/* Sets any parameter (the public setters decide which ones their context accepts). */
emz_status emz_context_set_param(emz_context *c, emz_param param, int64_t value);

/* The memory a call of this context may use for its threads' buffers: its limit, or the
 * default (min(1 GiB, physical memory / 4)). */
uint64_t emz_context_memory_limit(const emz_context *c);

/* Cuts *workers so that fixed + *workers x per_worker bytes fit the context's memory limit;
 * EMZ_ERROR_LIMIT, with a detail naming what the buffers are for (chunk_bytes formatted into
 * what_format, e.g. "decoding chunks of %zu bytes", only then: formatting it on every call cost
 * 70 ns per small frame) and the figures, when not even one worker fits. */
emz_status emz_context_fit_workers(emz_context *c, uint64_t fixed, uint64_t per_worker,
                                   unsigned *workers, const char *what_format, size_t chunk_bytes);

/* EMZ_ERROR_LIMIT, with a detail, when original_size exceeds the context's EMZ_PARAM_MAX_OUTPUT. */
emz_status emz_context_check_output(emz_context *c, uint64_t original_size);

/* The context a call runs with: the caller's (given), or local set up with the defaults when
 * the caller passed none; its detail message is cleared. Every call that began must end with
 * emz_context_end, which frees local's scratch when it was used. */
emz_context *emz_context_begin(emz_context *given, emz_context *local);
void emz_context_end(emz_context *used, emz_context *local);

/* The cores of the public contexts, NULL for NULL. */
static inline emz_context *emz_cctx_core(emz_cctx *c) {
    return c ? &c->core : NULL;
}
static inline emz_context *emz_dctx_core(emz_dctx *d) {
    return d ? &d->core : NULL;
}

/* Writes a printf-style detail message into a context's buffer (truncated to fit). */
void emz_detail_set(char detail[EMZ_DETAIL_SIZE], const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

#endif
