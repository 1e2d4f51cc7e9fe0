/* impls.h - which emzip implementations a run measures, and contexts forced to each
 * (bench only). */
#ifndef EMZIP_BENCH_IMPLS_H
#define EMZIP_BENCH_IMPLS_H

#include "emzip.h"

#include <stddef.h>

typedef struct impl_set {
    emz_impl impl[EMZ_IMPL_COUNT];
    int n;
} impl_set;

/* Parses "all" (every implementation available here, in enum order) or a comma-separated
 * list of names ("scalar,avx512"). Returns 0, or -1 with a message in err for an unknown name
 * or one this build or CPU cannot run: a benchmark must never quietly measure something other
 * than what it was asked for. */
int impl_set_parse(impl_set *s, const char *arg, char *err, size_t errlen);

/* "scalar,avx2,avx512" */
void impl_set_format(const impl_set *s, char *buf, size_t len);

/* A compression context forced to impl with the given chunk size, and a decompression context
 * forced to impl with checksum verification on or off. NULL on failure (message in err). */
emz_cctx *bench_cctx(emz_impl impl, size_t chunk, char *err, size_t errlen);
/* The chunk size emzip uses for type t when the bench asks for chunk (0: emzip's default for
 * t, which bench_cctx then leaves unset). */
size_t bench_chunk_of(size_t chunk, emz_type t);
emz_dctx *bench_dctx(emz_impl impl, int verify, char *err, size_t errlen);

#endif
