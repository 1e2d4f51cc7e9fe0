/* compress_stream.c - emz_compress_stream, emz_compress_sequential and emz_compress_safetensors:
 * compression from a source to a sink, and what a checkpoint is cut into (engine/writer.c and
 * engine/writer_sequential.c write the frames). */
#include "common/common.h"
#include "engine/delta_plan.h"
#include "engine/writer.h"
#include "engine/writer_sequential.h"
#include "format/element_types.h"
#include "format/safetensors_header.h"

#include <inttypes.h>
#include <stdlib.h>

static emz_status check_args(emz_cctx *cctx, const emz_source *src, const emz_sink *dst) {
    if (!cctx || !src || !src->read || !dst || !dst->write) return EMZ_ERROR_INVALID_ARGUMENT;
    if (src->size > (UINT64_C(1) << 62)) return EMZ_ERROR_INVALID_ARGUMENT;
    cctx->core.detail[0] = '\0';
    return EMZ_OK;
}

emz_status emz_compress_stream(emz_cctx *cctx, const emz_source *src, emz_type type,
                               const emz_sink *dst, uint64_t *written) {
    emz_status st = check_args(cctx, src, dst);
    if (st != EMZ_OK) return st;
    if (!emz_type_bits(type)) return EMZ_ERROR_INVALID_ARGUMENT;
    emz_segment whole = {
        .size = src->size, .element_count = emz_elements_in(type, src->size), .type = type};
    return emz_write_frames(&cctx->core, src, NULL, &whole, 1, NULL, NULL, dst, written);
}

emz_status emz_compress_sequential(emz_cctx *cctx, emz_pull_fn pull, void *opaque, emz_type type,
                                   const emz_sink *dst, uint64_t *written) {
    if (!cctx || !pull || !dst || !dst->write || !emz_type_bits(type))
        return EMZ_ERROR_INVALID_ARGUMENT;
    cctx->core.detail[0] = '\0';
    return emz_write_sequential(&cctx->core, pull, opaque, type, dst, written);
}

int emz_is_safetensors(const void *start, size_t size, uint64_t file_size) {
    const uint8_t *p = start;
    if (!p || size < 9 || file_size < 9) return 0;
    uint64_t n = emz_load64(p);
    return n >= 2 && n <= EMZ_SAFETENSORS_HEADER_MAX && n <= file_size - 8 && p[8] == '{';
}

/* Tensors smaller than this are stored in the bytes segment around them rather than in a
 * segment of their own. In a version 2 container a segment costs a few bytes (its directory
 * entry) and each chunk its index entry (5-9 bytes, as in the bytes segment), so only tensors
 * too small for typed coding to gain anything join the bytes. Over the 20 corpus files (default
 * chunk size, one thread), the totals by threshold were: 1: 56,173,841; 16 and 32: 56,172,071;
 * 48: 56,172,030; 64: 56,171,842; 96: 56,171,963; 128: 56,172,334; 256: 56,177,268; 512 (the
 * threshold of version 1 containers, where a segment cost about 60 bytes): 56,186,925; 1024:
 * 56,201,412; 4096: 56,257,982. Merging runs of consecutive small tensors of one type into one
 * typed segment was measured too and made the total larger (by 1 KB for tensors under 4 KiB,
 * 58 KB under 64 KiB).
 * (The threshold, EMZ_SMALL_TENSOR, is in engine/writer.h, where delta_plan.c sees it too.) */

static emz_segment bytes_segment(uint64_t offset, uint64_t size) {
    return (emz_segment){
        .offset = offset, .size = size, .element_count = size, .type = EMZ_TYPE_BYTES};
}

/* Cuts the file into typed segments for the tensors and bytes segments for the rest (the
 * header, small tensors, and whatever lies between or after them). */
static emz_status cut(const emz_st_header *h, uint64_t file_size, emz_segment **out,
                      size_t *count) {
    emz_segment *seg = malloc((2 * h->count + 2) * sizeof *seg);
    if (!seg) return EMZ_ERROR_NO_MEMORY;
    size_t n = 0;
    uint64_t at = 0; /* bytes [at, begin of the next typed tensor) form one bytes segment */
    for (size_t i = 0; i < h->count; i++) {
        const emz_st_tensor *t = &h->tensors[i];
        uint64_t begin = h->data_start + t->begin, size = t->end - t->begin;
        if (size < EMZ_SMALL_TENSOR) continue;
        if (begin > at) seg[n++] = bytes_segment(at, begin - at);
        seg[n++] = (emz_segment){.offset = begin,
                                 .size = size,
                                 .element_count = emz_elements_in(t->type, size),
                                 .type = t->type};
        at = begin + size;
    }
    if (file_size > at) seg[n++] = bytes_segment(at, file_size - at);
    *out = seg, *count = n;
    return EMZ_OK;
}

/* The container of src, against base when it is not NULL. */
static emz_status compress_checkpoint(emz_cctx *cctx, const emz_source *src, const emz_source *base,
                                      const emz_sink *dst, uint64_t *written,
                                      emz_delta_summary *summary) {
    emz_status st = check_args(cctx, src, dst);
    if (st != EMZ_OK) return st;
    emz_st_header h = {0}, bh = {0};
    st = emz_st_read_source(src, &h, cctx->core.detail);
    if (st != EMZ_OK) return st;
    if (base) {
        char detail[EMZ_DETAIL_SIZE];
        st = emz_st_read_source(base, &bh, detail);
        if (st == EMZ_ERROR_BAD_SAFETENSORS)
            emz_detail_set(cctx->core.detail, "the base: %s", detail);
    }
    emz_segment *seg = NULL;
    size_t count = 0;
    if (st == EMZ_OK) st = cut(&h, src->size, &seg, &count);
    emz_delta_summary sum = {0};
    if (st == EMZ_OK && base) st = emz_delta_plan(&h, src, &bh, base, seg, count, &sum);
    emz_st_free(&h), emz_st_free(&bh);
    emz_container_header c = {
        .content = EMZ_CONTENT_SAFETENSORS, .original_size = src->size, .segment_count = count};
    if (st == EMZ_OK)
        st = emz_write_frames(&cctx->core, src, NULL, seg, count, &c, base, dst, written);
    if (summary) *summary = sum;
    free(seg);
    return st;
}

emz_status emz_compress_safetensors(emz_cctx *cctx, const emz_source *src, const emz_sink *dst,
                                    uint64_t *written) {
    return compress_checkpoint(cctx, src, NULL, dst, written, NULL);
}

emz_status emz_compress_safetensors_delta(emz_cctx *cctx, const emz_source *src,
                                          const emz_source *base, const emz_sink *dst,
                                          uint64_t *written, emz_delta_summary *summary) {
    if (!base || !base->read || base->size > (UINT64_C(1) << 62)) return EMZ_ERROR_INVALID_ARGUMENT;
    return compress_checkpoint(cctx, src, base, dst, written, summary);
}
