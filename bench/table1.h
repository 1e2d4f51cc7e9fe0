/* table1.h - the "Ratio and speed" measurements of one file: every emzip implementation (per
 * tensor and per stream), memcpy and the baselines, timed interleaved (bench only). */
#ifndef EMZIP_BENCH_TABLE1_H
#define EMZIP_BENCH_TABLE1_H

#include "baselines.h"
#include "bytegroup_file.h"
#include "per_tensor.h"
#include "results.h"
#include "stream_mode.h"

/* Contexts of one implementation: checksum verification on and off are two contexts, so that
 * both can be timed in the same interleaved set. */
typedef struct impl_ctx {
    emz_impl impl;
    emz_cctx *cctx;
    emz_dctx *verify, *noverify;
    tensor_run tc, tv, tn; /* compress, decompress verified, decompress unverified */
    stream_run sc, sv;     /* the same for emzip-stream (verified only) */
} impl_ctx;

/* The baselines timed beside emzip: nbl libdeflate / zstd codecs on the whole file, and
 * byte-group Huffman per tensor and per stream (bg NULL: not timed). */
typedef struct table1_baselines {
    baseline *bl;
    int nbl;
    bg_file *bg;
} table1_baselines;

/* Compression of every implementation (per tensor and stream) and of the baselines in one
 * interleaved set; then decompression of every implementation (verified, unverified, stream),
 * memcpy and the baselines in another; then the rows of fr. A failure clears fr->ok. */
void time_table1(impl_ctx *ic, int nimpl, tensor_set *ts, stream_set *ss, const table1_baselines *b,
                 const bench_opts *o, file_result *fr);

#endif
