/* compress.c - emz_compress_bound and emz_compress (one frame, written by the frame writer of
 * engine/writer.c into the caller's buffer). */
#include "common/common.h"
#include "engine/writer.h"
#include "format/element_types.h"
#include "format/frame.h"

#include <stdbool.h>
#include <stdlib.h>

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

/* One frame through the frame writer (engine/writer.c), chunks encoded in place from
 * src: the same code, threads and bytes as emz_compress_stream. */
static emz_status compress_frame(emz_context *c, uint8_t *dst, size_t cap, const uint8_t *src,
                                 size_t size, emz_type type, uint64_t element_count,
                                 size_t *dst_size) {
    emz_segment whole = {.size = size, .element_count = element_count, .type = type};
    emz_source in = {NULL, NULL, size};
    buffer_out out = {dst, cap, 0, false};
    emz_sink sink = {put_buffer, &out};
    emz_status st = emz_write_frames(c, &in, src, &whole, 1, NULL, NULL, &sink, NULL);
    if (st == EMZ_ERROR_IO && out.full) st = EMZ_ERROR_DST_TOO_SMALL;
    if (st == EMZ_OK) *dst_size = out.used;
    return st;
}

static emz_status compress_with(emz_cctx *cctx, void *dst, size_t cap, const void *src, size_t size,
                                emz_type type, uint64_t element_count, size_t *dst_size) {
    if (!dst_size || (!src && size) || (!dst && cap) || !emz_type_desc_get(type))
        return EMZ_ERROR_INVALID_ARGUMENT;
    if (size > (SIZE_MAX >> 2)) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_context local, *c = emz_context_begin(emz_cctx_core(cctx), &local);
    emz_status st = compress_frame(c, dst, cap, src, size, type, element_count, dst_size);
    emz_context_end(c, &local);
    return st;
}

emz_status emz_compress(emz_cctx *cctx, void *dst, size_t dst_capacity, const void *src,
                        size_t src_size, emz_type type, size_t *dst_size) {
    uint64_t count = emz_elements_in(type, src_size);
    return compress_with(cctx, dst, dst_capacity, src, src_size, type, count, dst_size);
}

emz_status emz_compress_elements(emz_cctx *cctx, void *dst, size_t dst_capacity, const void *src,
                                 uint64_t element_count, emz_type type, size_t *dst_size) {
    unsigned bits = emz_type_bits(type);
    if (!bits || element_count > (UINT64_MAX >> 6)) return EMZ_ERROR_INVALID_ARGUMENT;
    uint64_t size = (element_count * bits + 7) / 8;
    if (size > SIZE_MAX) return EMZ_ERROR_INVALID_ARGUMENT;
    return compress_with(cctx, dst, dst_capacity, src, (size_t)size, type, element_count, dst_size);
}
