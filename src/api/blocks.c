/* blocks.c - the block calls of emzip.h: block contexts, one block, batches of blocks (coded by
 * engine/block_codec.c). */
#include "common/common.h"
#include "engine/block_codec.h"
#include "engine/dispatch.h"
#include "format/block.h"

#include <inttypes.h>
#include <stdlib.h>

emz_block_ctx *emz_block_ctx_create(const emz_tables *tables) {
    emz_block_ctx *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->tables = tables, c->impl = EMZ_IMPL_AUTO, c->threads = 1, c->verify = true;
    c->worker_detail = calloc(1, sizeof *c->worker_detail);
    /* An EMZIP_IMPL that cannot run here leaves no kernels: every call then fails with
     * EMZ_ERROR_IMPL_UNAVAILABLE, as frame calls do (engine/block_codec.c), until
     * EMZ_PARAM_IMPL names one that can. */
    if (emz_kernels_resolve(EMZ_IMPL_AUTO, &c->k) != EMZ_OK) c->k = NULL;
    if (!c->worker_detail ||
        emz_chunk_scratch_reserve_set(&c->scratch, &c->scratch_count, 1, 0) != EMZ_OK) {
        emz_block_ctx_free(c);
        return NULL;
    }
    return c;
}

void emz_block_ctx_free(emz_block_ctx *c) {
    if (!c) return;
    emz_pool_free(c->pool);
    emz_chunk_scratch_release_set(&c->scratch, &c->scratch_count);
    free(c->worker_detail);
    free(c);
}

/* A new pool and a scratch and message buffer per worker; the old pool is stopped first. */
static emz_status set_threads(emz_block_ctx *c, int64_t value) {
    unsigned threads = 0;
    emz_status st = emz_threads_param(value, &threads);
    if (st != EMZ_OK) return st;
    char(*detail)[EMZ_DETAIL_SIZE] = calloc(threads, sizeof *detail);
    if (!detail) return EMZ_ERROR_NO_MEMORY;
    size_t size = c->scratch_count ? c->scratch[0].chunk_size : 0;
    st = emz_block_scratch_reserve(c, threads, size);
    if (st != EMZ_OK) {
        free(detail);
        return st;
    }
    emz_pool_free(c->pool), c->pool = NULL;
    free(c->worker_detail), c->worker_detail = detail;
    c->threads = threads;
    return emz_pool_create(threads, &c->pool);
}

static emz_status reserve(emz_block_ctx *c, int64_t value) {
    if (value < 4096 || value > (int64_t)EMZ_BLOCK_SIZE_MAX) return EMZ_ERROR_INVALID_ARGUMENT;
    return emz_block_scratch_reserve(c, c->threads, (size_t)value);
}

emz_status emz_block_ctx_set_param(emz_block_ctx *c, emz_param param, int64_t value) {
    if (!c) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_status st = EMZ_ERROR_INVALID_ARGUMENT;
    switch (param) {
    case EMZ_PARAM_IMPL:
        st = emz_impl_param_check(value);
        if (st == EMZ_OK) st = emz_kernels_resolve((emz_impl)value, &c->k);
        if (st == EMZ_OK) c->impl = (emz_impl)value;
        return st;
    case EMZ_PARAM_THREADS:
        return set_threads(c, value);
    case EMZ_PARAM_VERIFY_CHECKSUM:
    case EMZ_PARAM_BLOCK_CHECKSUM:
        if (value != 0 && value != 1) return EMZ_ERROR_INVALID_ARGUMENT;
        *(param == EMZ_PARAM_VERIFY_CHECKSUM ? &c->verify : &c->checksum) = value != 0;
        return EMZ_OK;
    case EMZ_PARAM_BLOCK_SIZE:
        return reserve(c, value);
    case EMZ_PARAM_CHUNK_SIZE:
    case EMZ_PARAM_MEMORY_LIMIT:
    case EMZ_PARAM_MAX_OUTPUT:
        break;
    }
    return st;
}

const char *emz_block_ctx_error_detail(const emz_block_ctx *c) {
    return c ? c->detail : "";
}

size_t emz_block_bound(size_t src_size) {
    if (src_size > EMZ_BLOCK_SIZE_MAX) return 0;
    return src_size + 6 + 4 + 5 + EMZ_BLOCK_CHECKSUM_SIZE;
}

emz_status emz_block_compress(emz_block_ctx *c, emz_type type, uint32_t group, const void *src,
                              size_t src_size, void *dst, size_t dst_capacity, size_t *written) {
    if (!c || !src || !written || (!dst && dst_capacity)) return EMZ_ERROR_INVALID_ARGUMENT;
    c->detail[0] = 0;
    return emz_block_encode(c, 0, type, group, src, src_size, dst, dst_capacity, written,
                            c->detail);
}

emz_status emz_block_decompress(emz_block_ctx *c, const void *src, size_t src_size, void *dst,
                                size_t dst_capacity, size_t *written) {
    if (!c || !src || !written || (!dst && dst_capacity)) return EMZ_ERROR_INVALID_ARGUMENT;
    c->detail[0] = 0;
    return emz_block_decode(c, 0, src, src_size, dst, dst_capacity, written, c->detail);
}

emz_status emz_block_info_get(const void *src, size_t src_size, emz_block_info *info) {
    emz_block_header h;
    size_t used = 0;
    if (!src || !info) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_status st = emz_block_header_read(src, src_size, &h, &used);
    if (st != EMZ_OK) return st;
    *info = (emz_block_info){h.type, h.size, h.tag, h.tagged, h.checksum};
    return EMZ_OK;
}

emz_status emz_block_compress_batch(emz_block_ctx *c, emz_type type, emz_block_job *jobs,
                                    size_t count) {
    if (!c || (!jobs && count)) return EMZ_ERROR_INVALID_ARGUMENT;
    c->detail[0] = 0;
    return emz_block_batch(c, true, type, jobs, count);
}

emz_status emz_block_decompress_batch(emz_block_ctx *c, emz_block_job *jobs, size_t count) {
    if (!c || (!jobs && count)) return EMZ_ERROR_INVALID_ARGUMENT;
    c->detail[0] = 0;
    return emz_block_batch(c, false, EMZ_TYPE_BYTES, jobs, count);
}
