/* decompress.c - the decompression context, whole-frame and byte-range decompression. */
#include "checksum.h"
#include "chunk_codec.h"
#include "common.h"
#include "frame.h"

#include <stdbool.h>
#include <stdlib.h>

struct emz_dctx {
    bool verify;
    emz_impl impl;
    emz_chunk_scratch scratch;
};

emz_dctx *emz_dctx_create(void) {
    emz_dctx *d = calloc(1, sizeof *d);
    if (d) d->verify = true;
    return d;
}

void emz_dctx_free(emz_dctx *dctx) {
    if (!dctx) return;
    emz_chunk_scratch_release(&dctx->scratch);
    free(dctx);
}

emz_status emz_dctx_set_param(emz_dctx *dctx, emz_param param, int64_t value) {
    if (!dctx) return EMZ_ERROR_INVALID_ARGUMENT;
    if (param == EMZ_PARAM_IMPL) {
        emz_status st = emz_impl_param_check(value);
        if (st == EMZ_OK) dctx->impl = (emz_impl)value;
        return st;
    }
    if (param != EMZ_PARAM_VERIFY_CHECKSUM || (value != 0 && value != 1))
        return EMZ_ERROR_INVALID_ARGUMENT;
    dctx->verify = value != 0;
    return EMZ_OK;
}

emz_status emz_frame_info_get(const void *src, size_t src_size, emz_frame_info *info) {
    emz_frame_header h;
    if (!src || !info) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_status st = emz_frame_header_read(src, src_size, &h);
    if (st != EMZ_OK) return st;
    info->type = h.type;
    info->format_version = EMZ_FORMAT_VERSION;
    info->element_count = h.element_count;
    info->original_size = h.original_size;
    info->chunk_size = UINT64_C(1) << h.chunk_log2;
    info->chunk_count = emz_frame_chunk_count(&h);
    return EMZ_OK;
}

/* Decodes chunks [first, last] whose original bytes start at dst_base + i * chunk_size,
 * except the parts outside [lo, hi) of original offsets, which are decoded aside and
 * dropped. */
static emz_status decode_chunks(emz_dctx *d, const emz_frame *f, uint8_t *dst, uint64_t lo,
                                uint64_t hi) {
    const emz_kernels *k;
    emz_status st = emz_kernels_resolve(d->impl, &k);
    if (st != EMZ_OK) return st;
    uint64_t chunk_size = UINT64_C(1) << f->header.chunk_log2;
    uint64_t first = lo / chunk_size, last = (hi - 1) / chunk_size;
    st = emz_chunk_scratch_reserve(
        &d->scratch, (size_t)(f->header.original_size < chunk_size ? f->header.original_size
                                                                    : chunk_size));
    if (st != EMZ_OK) return st;
    const uint8_t *payload = f->payloads;
    for (uint64_t i = 0; i < first; i++) payload += emz_load32(f->index + i * EMZ_INDEX_ENTRY_SIZE);
    for (uint64_t i = first; i <= last; i++) {
        uint64_t start = i * chunk_size;
        size_t len = (size_t)(f->header.original_size - start < chunk_size
                                  ? f->header.original_size - start
                                  : chunk_size);
        uint32_t size = emz_load32(f->index + i * EMZ_INDEX_ENTRY_SIZE);
        bool whole = start >= lo && start + len <= hi;
        uint8_t *out = whole ? dst + (start - lo) : d->scratch.chunk;
        st = emz_chunk_decode(k, f->header.type, payload, size, f->end, out, len, &d->scratch);
        if (st != EMZ_OK) return st;
        if (d->verify &&
            k->checksum32(out, len) != emz_load32(f->index + i * EMZ_INDEX_ENTRY_SIZE + 4))
            return EMZ_ERROR_CHECKSUM;
        if (!whole) {
            uint64_t from = start > lo ? start : lo, to = start + len < hi ? start + len : hi;
            memcpy(dst + (from - lo), out + (from - start), (size_t)(to - from));
        }
        payload += size;
    }
    return EMZ_OK;
}

static emz_status with_dctx(emz_dctx *dctx, const emz_frame *f, uint8_t *dst, uint64_t lo,
                            uint64_t hi) {
    if (lo == hi) return EMZ_OK;
    if (dctx) return decode_chunks(dctx, f, dst, lo, hi);
    emz_dctx temp = {true, EMZ_IMPL_AUTO, {0}};
    emz_status st = decode_chunks(&temp, f, dst, lo, hi);
    emz_chunk_scratch_release(&temp.scratch);
    return st;
}

emz_status emz_decompress(emz_dctx *dctx, void *dst, size_t dst_capacity, const void *src,
                          size_t src_size, size_t *dst_size) {
    emz_frame f;
    if (!src || !dst_size || (!dst && dst_capacity)) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_status st = emz_frame_parse(src, src_size, &f);
    if (st != EMZ_OK) return st;
    if (f.header.original_size > dst_capacity) return EMZ_ERROR_DST_TOO_SMALL;
    st = with_dctx(dctx, &f, dst, 0, f.header.original_size);
    if (st == EMZ_OK) *dst_size = (size_t)f.header.original_size;
    return st;
}

emz_status emz_decompress_range(emz_dctx *dctx, void *dst, size_t dst_capacity, const void *src,
                                size_t src_size, uint64_t offset, uint64_t length) {
    emz_frame f;
    if (!src || (!dst && dst_capacity)) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_status st = emz_frame_parse(src, src_size, &f);
    if (st != EMZ_OK) return st;
    if (offset > f.header.original_size || length > f.header.original_size - offset)
        return EMZ_ERROR_RANGE;
    if (length > dst_capacity) return EMZ_ERROR_DST_TOO_SMALL;
    return with_dctx(dctx, &f, dst, offset, offset + length);
}
