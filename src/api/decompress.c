/* decompress.c - frame information, and whole-frame and byte-range decompression of a frame in
 * memory (decoded by the engine's reader, engine/reader_read.c). */
#include "engine/reader.h"
#include "format/frame.h"

#include <stdlib.h>

emz_status emz_frame_info_get(const void *src, size_t src_size, emz_frame_info *info) {
    emz_frame_header h;
    if (!src || !info) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_status st = emz_frame_header_read(src, src_size, &h);
    if (st == EMZ_OK && h.streamed) { /* its sizes are in its footer: src is the whole frame */
        if (src_size < EMZ_FRAME_FIXED_OVERHEAD + EMZ_FRAME_FOOTER_SIZE) return EMZ_ERROR_TRUNCATED;
        st = emz_frame_footer_read((const uint8_t *)src + src_size - EMZ_FRAME_FOOTER_SIZE, &h);
    }
    if (st != EMZ_OK) return st;
    info->type = h.type;
    info->format_version = h.version;
    info->element_count = h.element_count;
    info->original_size = h.original_size;
    info->chunk_size = UINT64_C(1) << h.chunk_log2;
    info->chunk_count = emz_frame_chunk_count(&h);
    return EMZ_OK;
}

/* Original bytes [lo, hi) of a parsed frame, decoded in place by the reader's code (the chunks
 * in parallel, checksums per the context). */
static emz_status decode_range(emz_dctx *dctx, const uint8_t *src, size_t size, const emz_frame *f,
                               uint8_t *dst, uint64_t lo, uint64_t hi) {
    if (lo == hi) return EMZ_OK;
    emz_reader r = {0};
    emz_context local, *c = emz_context_begin(emz_dctx_core(dctx), &local);
    emz_status st = emz_reader_init_frame(&r, f, src, size);
    if (st == EMZ_OK) st = emz_reader_read_range(&r, c, dst, lo, hi);
    emz_reader_release(&r);
    emz_context_end(c, &local);
    return st;
}

emz_status emz_decompress(emz_dctx *dctx, void *dst, size_t dst_capacity, const void *src,
                          size_t src_size, size_t *dst_size) {
    emz_frame f;
    if (!src || !dst_size || (!dst && dst_capacity)) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_status st = emz_frame_parse(src, src_size, &f);
    if (st == EMZ_OK && dctx)
        st = emz_context_check_output(emz_dctx_core(dctx), f.header.original_size);
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
    if (st == EMZ_OK && dctx)
        st = emz_context_check_output(emz_dctx_core(dctx), f.header.original_size);
    if (st != EMZ_OK) return st;
    if (offset > f.header.original_size || length > f.header.original_size - offset)
        return EMZ_ERROR_RANGE;
    if (length > dst_capacity) return EMZ_ERROR_DST_TOO_SMALL;
    return decode_range(dctx, src, src_size, &f, dst, offset, offset + length);
}
