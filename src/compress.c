/* compress.c - the compression context, emz_compress_bound and emz_compress (one frame, written
 * by the streaming writer of stream_compress.c into the caller's buffer). */
#include "common.h"
#include "container.h"
#include "contexts.h"
#include "frame.h"
#include "parallel.h"

#include <stdbool.h>
#include <stdlib.h>

emz_cctx *emz_cctx_create(void) {
    emz_cctx *c = calloc(1, sizeof *c);
    if (c) c->chunk_size = EMZ_DEFAULT_CHUNK_SIZE, c->threads = 1;
    return c;
}

void emz_cctx_free(emz_cctx *cctx) {
    if (!cctx) return;
    emz_chunk_scratch_release_set(&cctx->scratch, &cctx->scratch_count);
    free(cctx);
}

emz_status emz_cctx_set_progress(emz_cctx *cctx, emz_progress_fn fn, void *opaque) {
    if (!cctx) return EMZ_ERROR_INVALID_ARGUMENT;
    cctx->progress = fn, cctx->progress_opaque = opaque;
    return EMZ_OK;
}

const char *emz_cctx_error_detail(const emz_cctx *cctx) { return cctx ? cctx->detail : ""; }

emz_status emz_cctx_set_param(emz_cctx *cctx, emz_param param, int64_t value) {
    if (!cctx) return EMZ_ERROR_INVALID_ARGUMENT;
    if (param == EMZ_PARAM_IMPL) {
        emz_status st = emz_impl_param_check(value);
        if (st == EMZ_OK) cctx->impl = (emz_impl)value;
        return st;
    }
    if (param == EMZ_PARAM_THREADS) return emz_threads_param(value, &cctx->threads);
    if (param != EMZ_PARAM_CHUNK_SIZE) return EMZ_ERROR_INVALID_ARGUMENT;
    if (value < (INT64_C(1) << EMZ_CHUNK_LOG2_MIN) || value > (INT64_C(1) << EMZ_CHUNK_LOG2_MAX) ||
        (value & (value - 1)))
        return EMZ_ERROR_INVALID_ARGUMENT;
    cctx->chunk_size = (size_t)value;
    return EMZ_OK;
}

size_t emz_compress_bound(size_t src_size) {
    size_t chunks = emz_div_ceil(src_size, (size_t)1 << EMZ_CHUNK_LOG2_MIN);
    size_t overhead = EMZ_FRAME_FIXED_OVERHEAD + 13 * chunks;
    return src_size > SIZE_MAX - overhead ? 0 : src_size + overhead;
}

/* emz_compress's destination: a buffer that refuses what does not fit. */
typedef struct buffer_out {
    uint8_t *dst;
    size_t cap, used;
    bool full;
} buffer_out;

static int put_buffer(void *opaque, const void *data, size_t size) {
    buffer_out *o = opaque;
    if (size > o->cap - o->used) {
        o->full = true;
        return -1;
    }
    memcpy(o->dst + o->used, data, size);
    o->used += size;
    return 0;
}

/* One frame through the streaming writer (stream_compress.c), chunks encoded in place from
 * src: the same code, threads and bytes as emz_compress_stream. */
static emz_status compress_frame(emz_cctx *c, uint8_t *dst, size_t cap, const uint8_t *src,
                                 size_t size, emz_type type, uint64_t element_count,
                                 size_t *dst_size) {
    emz_segment whole = {0, size, element_count, type};
    emz_source in = {NULL, NULL, size};
    buffer_out out = {dst, cap, 0, false};
    emz_sink sink = {put_buffer, &out};
    emz_status st = emz_write_frames(c, &in, src, &whole, 1, NULL, &sink, NULL);
    if (st == EMZ_ERROR_IO && out.full) st = EMZ_ERROR_DST_TOO_SMALL;
    if (st == EMZ_OK) *dst_size = out.used;
    return st;
}

static emz_status compress_with(emz_cctx *cctx, void *dst, size_t cap, const void *src,
                                size_t size, emz_type type, uint64_t element_count,
                                size_t *dst_size) {
    if (!dst_size || (!src && size) || (!dst && cap) || !emz_type_desc_get(type))
        return EMZ_ERROR_INVALID_ARGUMENT;
    if (size > (SIZE_MAX >> 2)) return EMZ_ERROR_INVALID_ARGUMENT;
    if (cctx) return compress_frame(cctx, dst, cap, src, size, type, element_count, dst_size);
    emz_cctx *temp = emz_cctx_create();
    if (!temp) return EMZ_ERROR_NO_MEMORY;
    emz_status st = compress_frame(temp, dst, cap, src, size, type, element_count, dst_size);
    emz_cctx_free(temp);
    return st;
}

emz_status emz_compress(emz_cctx *cctx, void *dst, size_t dst_capacity, const void *src,
                        size_t src_size, emz_type type, size_t *dst_size) {
    unsigned bits = emz_type_bits(type);
    uint64_t count = bits == 4 ? 2 * (uint64_t)src_size : bits ? src_size / (bits / 8) : 0;
    return compress_with(cctx, dst, dst_capacity, src, src_size, type, count, dst_size);
}

emz_status emz_compress_elements(emz_cctx *cctx, void *dst, size_t dst_capacity,
                                 const void *src, uint64_t element_count, emz_type type,
                                 size_t *dst_size) {
    unsigned bits = emz_type_bits(type);
    if (!bits || element_count > (UINT64_MAX >> 6)) return EMZ_ERROR_INVALID_ARGUMENT;
    uint64_t size = (element_count * bits + 7) / 8;
    if (size > SIZE_MAX) return EMZ_ERROR_INVALID_ARGUMENT;
    return compress_with(cctx, dst, dst_capacity, src, (size_t)size, type, element_count, dst_size);
}
