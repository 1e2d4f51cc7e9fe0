/* compress.c - the compression context and emz_compress: header, chunks, index. */
#include "checksum.h"
#include "chunk_codec.h"
#include "common.h"
#include "frame.h"

#include <stdlib.h>

struct emz_cctx {
    size_t chunk_size;
    emz_impl impl;
    emz_chunk_scratch scratch;
};

emz_cctx *emz_cctx_create(void) {
    emz_cctx *c = calloc(1, sizeof *c);
    if (c) c->chunk_size = EMZ_DEFAULT_CHUNK_SIZE;
    return c;
}

void emz_cctx_free(emz_cctx *cctx) {
    if (!cctx) return;
    emz_chunk_scratch_release(&cctx->scratch);
    free(cctx);
}

emz_status emz_cctx_set_param(emz_cctx *cctx, emz_param param, int64_t value) {
    if (!cctx) return EMZ_ERROR_INVALID_ARGUMENT;
    if (param == EMZ_PARAM_IMPL) {
        emz_status st = emz_impl_param_check(value);
        if (st == EMZ_OK) cctx->impl = (emz_impl)value;
        return st;
    }
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

static unsigned log2_exact(size_t v) {
    unsigned l = 0;
    while (((size_t)1 << l) < v) l++;
    return l;
}

static emz_status compress_frame(emz_cctx *c, uint8_t *dst, size_t cap, const uint8_t *src,
                                 size_t size, emz_type type, uint64_t element_count,
                                 size_t *dst_size) {
    const emz_kernels *k;
    emz_status st = emz_kernels_resolve(c->impl, &k);
    if (st != EMZ_OK) return st;
    emz_frame_header h = {type, log2_exact(c->chunk_size), size, element_count};
    uint64_t chunks = emz_frame_chunk_count(&h);
    if (cap < EMZ_FRAME_FIXED_OVERHEAD || (cap - EMZ_FRAME_FIXED_OVERHEAD) / 9 < chunks)
        return EMZ_ERROR_DST_TOO_SMALL;
    size_t index_size = (size_t)chunks * EMZ_INDEX_ENTRY_SIZE;
    /* Payload sizes are known only after encoding, and the index follows the payloads. */
    uint8_t *index = malloc(index_size ? index_size : 1);
    if (!index) return EMZ_ERROR_NO_MEMORY;
    st = emz_chunk_scratch_reserve(&c->scratch, size < c->chunk_size ? size : c->chunk_size);
    size_t pos = EMZ_FRAME_HEADER_SIZE, payload_cap = cap - index_size - 4;
    for (uint64_t i = 0; st == EMZ_OK && i < chunks; i++) {
        size_t off = (size_t)i * c->chunk_size;
        size_t len = size - off < c->chunk_size ? size - off : c->chunk_size;
        size_t room = payload_cap - pos, n;
        if (room >= EMZ_CHUNK_OUT_ROOM(len)) {
            n = emz_chunk_encode(k, type, src + off, len, dst + pos, &c->scratch);
        } else {
            /* Near the end of a tight dst, encode aside and copy only if it fits. */
            n = emz_chunk_encode(k, type, src + off, len, c->scratch.chunk, &c->scratch);
            if (n > room) {
                st = EMZ_ERROR_DST_TOO_SMALL;
                break;
            }
            memcpy(dst + pos, c->scratch.chunk, n);
        }
        emz_store32(index + i * EMZ_INDEX_ENTRY_SIZE, (uint32_t)n);
        emz_store32(index + i * EMZ_INDEX_ENTRY_SIZE + 4, k->checksum32(src + off, len));
        pos += n;
    }
    if (st == EMZ_OK) {
        emz_frame_header_write(&h, dst);
        memcpy(dst + pos, index, index_size);
        emz_store32(dst + pos + index_size, emz_checksum32(index, index_size));
        *dst_size = pos + index_size + 4;
    }
    free(index);
    return st;
}

static emz_status compress_with(emz_cctx *cctx, void *dst, size_t cap, const void *src,
                                size_t size, emz_type type, uint64_t element_count,
                                size_t *dst_size) {
    if (!dst_size || (!src && size) || (!dst && cap) || !emz_type_desc_get(type))
        return EMZ_ERROR_INVALID_ARGUMENT;
    if (size > (SIZE_MAX >> 2)) return EMZ_ERROR_INVALID_ARGUMENT;
    if (cctx) return compress_frame(cctx, dst, cap, src, size, type, element_count, dst_size);
    emz_cctx temp = {EMZ_DEFAULT_CHUNK_SIZE, EMZ_IMPL_AUTO, {0}};
    emz_status st = compress_frame(&temp, dst, cap, src, size, type, element_count, dst_size);
    emz_chunk_scratch_release(&temp.scratch);
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
