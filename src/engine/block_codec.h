/* block_codec.h - struct emz_block_ctx and coding one block (format/block.h) with it: the
 * chunk codec on one buffer, with the table set of the block's group, on a worker's scratch. */
#ifndef EMZ_BLOCK_CODEC_H
#define EMZ_BLOCK_CODEC_H

#include "emzip.h"
#include "engine/context.h"
#include "engine/kv_tables.h"
#include "engine/pool.h"

struct emz_block_ctx {
    const emz_tables *tables; /* may be NULL */
    emz_impl impl;
    const emz_kernels *k;
    unsigned threads;
    emz_pool *pool;                         /* threads - 1 workers, or NULL */
    bool verify;                            /* check a block's checksum when it has one */
    bool checksum;                          /* write one */
    emz_chunk_scratch *scratch;             /* one per worker */
    char (*worker_detail)[EMZ_DETAIL_SIZE]; /* one per worker: batch jobs' messages */
    unsigned scratch_count;
    char detail[EMZ_DETAIL_SIZE];
};

/* Codes one block on worker w's scratch (grown to the block's size if needed); detail
 * (EMZ_DETAIL_SIZE bytes) receives why it failed. */
emz_status emz_block_encode(emz_block_ctx *c, unsigned w, emz_type type, uint32_t group,
                            const uint8_t *src, size_t size, uint8_t *dst, size_t cap,
                            size_t *written, char *detail);
emz_status emz_block_decode(emz_block_ctx *c, unsigned w, const uint8_t *src, size_t size,
                            uint8_t *dst, size_t cap, size_t *written, char *detail);

/* The first workers' scratch made large enough for blocks of size bytes, with room for their
 * channel shift when the context's tables have any: no block up to that size allocates. */
emz_status emz_block_scratch_reserve(emz_block_ctx *c, unsigned workers, size_t size);

/* Runs every job of a batch on the context's pool (compress: type, decompress: type ignored). */
emz_status emz_block_batch(emz_block_ctx *c, bool compress, emz_type type, emz_block_job *jobs,
                           size_t count);

#endif
