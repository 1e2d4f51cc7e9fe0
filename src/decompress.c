/* decompress.c - the decompression context, and whole-frame and byte-range decompression of a
 * frame in memory (decoded by the reader's code, reader_read.c). */
#include "contexts.h"
#include "frame.h"
#include "parallel.h"
#include "reader.h"

#include <stdlib.h>

emz_dctx *emz_dctx_create(void) {
    emz_dctx *d = calloc(1, sizeof *d);
    if (d) d->verify = true, d->threads = 1;
    return d;
}

void emz_dctx_free(emz_dctx *dctx) {
    if (!dctx) return;
    emz_chunk_scratch_release_set(&dctx->scratch, &dctx->scratch_count);
    free(dctx);
}

emz_status emz_dctx_set_progress(emz_dctx *dctx, emz_progress_fn fn, void *opaque) {
    if (!dctx) return EMZ_ERROR_INVALID_ARGUMENT;
    dctx->progress = fn, dctx->progress_opaque = opaque;
    return EMZ_OK;
}

const char *emz_dctx_error_detail(const emz_dctx *dctx) { return dctx ? dctx->detail : ""; }

emz_status emz_dctx_set_param(emz_dctx *dctx, emz_param param, int64_t value) {
    if (!dctx) return EMZ_ERROR_INVALID_ARGUMENT;
    if (param == EMZ_PARAM_IMPL) {
        emz_status st = emz_impl_param_check(value);
        if (st == EMZ_OK) dctx->impl = (emz_impl)value;
        return st;
    }
    if (param == EMZ_PARAM_THREADS) return emz_threads_param(value, &dctx->threads);
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

/* Original bytes [lo, hi) of a parsed frame, decoded in place by the reader's code (the chunks
 * in parallel, checksums per the context). */
static emz_status decode_range(emz_dctx *dctx, const uint8_t *src, size_t size,
                               const emz_frame *f, uint8_t *dst, uint64_t lo, uint64_t hi) {
    if (lo == hi) return EMZ_OK;
    emz_reader r = {0};
    emz_status st = emz_reader_init_frame(&r, f, src, size);
    if (st == EMZ_OK) st = emz_reader_read(&r, dctx, dst, (size_t)(hi - lo), lo, hi - lo);
    emz_reader_release(&r);
    return st;
}

emz_status emz_decompress(emz_dctx *dctx, void *dst, size_t dst_capacity, const void *src,
                          size_t src_size, size_t *dst_size) {
    emz_frame f;
    if (!src || !dst_size || (!dst && dst_capacity)) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_status st = emz_frame_parse(src, src_size, &f);
    if (st != EMZ_OK) return st;
    if (f.header.original_size > dst_capacity) return EMZ_ERROR_DST_TOO_SMALL;
    st = decode_range(dctx, src, src_size, &f, dst, 0, f.header.original_size);
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
    return decode_range(dctx, src, src_size, &f, dst, offset, offset + length);
}
