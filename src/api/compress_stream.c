/* compress_stream.c - emz_compress_stream, emz_compress_sequential and emz_compress_safetensors:
 * compression from a source to a sink, and what a checkpoint is cut into (engine/writer.c and
 * engine/writer_sequential.c write the frames). */
#include "common/common.h"
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
    emz_segment whole = {0, src->size, emz_elements_in(type, src->size), type};
    return emz_write_frames(&cctx->core, src, NULL, &whole, 1, NULL, dst, written);
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
 * 58 KB under 64 KiB). */
enum { EMZ_SMALL_TENSOR = 64 };

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
        if (begin > at) seg[n++] = (emz_segment){at, begin - at, begin - at, EMZ_TYPE_BYTES};
        seg[n++] = (emz_segment){begin, size, emz_elements_in(t->type, size), t->type};
        at = begin + size;
    }
    if (file_size > at)
        seg[n++] = (emz_segment){at, file_size - at, file_size - at, EMZ_TYPE_BYTES};
    *out = seg, *count = n;
    return EMZ_OK;
}

emz_status emz_compress_safetensors(emz_cctx *cctx, const emz_source *src, const emz_sink *dst,
                                    uint64_t *written) {
    emz_status st = check_args(cctx, src, dst);
    if (st != EMZ_OK) return st;
    uint8_t length[8];
    if (src->size < 8) {
        emz_detail_set(cctx->core.detail,
                       "file of %" PRIu64 " bytes is shorter than the 8-byte "
                       "header length",
                       src->size);
        return EMZ_ERROR_BAD_SAFETENSORS;
    }
    if (src->read(src->opaque, length, 8, 0) != 0) return EMZ_ERROR_IO;
    uint64_t n = emz_load64(length);
    if (n > src->size - 8 || n > EMZ_SAFETENSORS_HEADER_MAX) {
        emz_detail_set(
            cctx->core.detail, "header length %" PRIu64 " is beyond the file (%" PRIu64 " bytes)%s",
            n, src->size, n > EMZ_SAFETENSORS_HEADER_MAX ? " or above the 100 MB limit" : "");
        return EMZ_ERROR_BAD_SAFETENSORS;
    }
    uint8_t *json = malloc(n ? (size_t)n : 1);
    if (!json) return EMZ_ERROR_NO_MEMORY;
    if (n && src->read(src->opaque, json, (size_t)n, 8) != 0) {
        free(json);
        return EMZ_ERROR_IO;
    }
    emz_st_header h;
    st = emz_st_parse(json, (size_t)n, src->size - 8 - n, &h, cctx->core.detail, EMZ_DETAIL_SIZE);
    free(json);
    if (st != EMZ_OK) return st;
    emz_segment *seg = NULL;
    size_t count = 0;
    st = cut(&h, src->size, &seg, &count);
    emz_st_free(&h);
    if (st != EMZ_OK) return st;
    emz_container_header c = {.version = EMZ_CONTAINER_VERSION,
                              .content = EMZ_CONTENT_SAFETENSORS,
                              .original_size = src->size,
                              .segment_count = count};
    st = emz_write_frames(&cctx->core, src, NULL, seg, count, &c, dst, written);
    free(seg);
    return st;
}
