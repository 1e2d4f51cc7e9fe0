/* decompress.c - the decompression context, whole-frame and byte-range decompression. */
#include "checksum.h"
#include "chunk_codec.h"
#include "common.h"
#include "contexts.h"
#include "frame.h"
#include "parallel.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

void emz_detail_set(char detail[EMZ_DETAIL_SIZE], const char *format, ...) {
    va_list args;
    va_start(args, format);
    vsnprintf(detail, EMZ_DETAIL_SIZE, format, args);
    va_end(args);
}

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

/* One call's chunks: chunk first + item is decoded by emz_parallel_for's worker. */
typedef struct decode_job {
    emz_dctx *d;
    const emz_kernels *k;
    const emz_frame *f;
    uint8_t *dst;
    uint64_t lo, hi, first, chunk_size;
    const uint64_t *offset; /* payload offset of each chunk from first on */
} decode_job;

/* Decodes one chunk whose original bytes start at dst + (start - lo); the parts outside
 * [lo, hi) of original offsets are decoded aside and dropped. Workers write disjoint bytes. */
static emz_status decode_one(void *ctx, unsigned worker, uint64_t item) {
    const decode_job *j = ctx;
    const emz_frame *f = j->f;
    emz_chunk_scratch *s = &j->d->scratch[worker];
    uint64_t i = j->first + item, start = i * j->chunk_size;
    size_t len = (size_t)(f->header.original_size - start < j->chunk_size
                              ? f->header.original_size - start
                              : j->chunk_size);
    uint32_t size = emz_load32(f->index + i * EMZ_INDEX_ENTRY_SIZE);
    bool whole = start >= j->lo && start + len <= j->hi;
    uint8_t *out = whole ? j->dst + (start - j->lo) : s->chunk;
    emz_status st = emz_chunk_decode(j->k, f->header.type, f->payloads + j->offset[item], size,
                                     f->end, out, len, s);
    if (st != EMZ_OK) return st;
    if (j->d->verify &&
        j->k->checksum32(out, len) != emz_load32(f->index + i * EMZ_INDEX_ENTRY_SIZE + 4))
        return EMZ_ERROR_CHECKSUM;
    if (!whole) {
        uint64_t from = start > j->lo ? start : j->lo;
        uint64_t to = start + len < j->hi ? start + len : j->hi;
        memcpy(j->dst + (from - j->lo), out + (from - start), (size_t)(to - from));
    }
    return EMZ_OK;
}

/* Decodes the chunks that original bytes [lo, hi) touch, on up to d->threads workers. */
static emz_status decode_chunks(emz_dctx *d, const emz_frame *f, uint8_t *dst, uint64_t lo,
                                uint64_t hi) {
    const emz_kernels *k;
    emz_status st = emz_kernels_resolve(d->impl, &k);
    if (st != EMZ_OK) return st;
    uint64_t chunk_size = UINT64_C(1) << f->header.chunk_log2;
    uint64_t first = lo / chunk_size, last = (hi - 1) / chunk_size, count = last - first + 1;
    unsigned workers = d->threads < count ? d->threads : (unsigned)count;
    size_t scratch_size = (size_t)(f->header.original_size < chunk_size ? f->header.original_size
                                                                        : chunk_size);
    st = emz_chunk_scratch_reserve_set(&d->scratch, &d->scratch_count, workers, scratch_size);
    if (st != EMZ_OK) return st;
    /* Where each chunk's payload starts: a running sum of the index's sizes. */
    uint64_t small[64], *offset = count <= 64 ? small : malloc(count * sizeof *offset);
    if (!offset) return EMZ_ERROR_NO_MEMORY;
    uint64_t at = 0;
    for (uint64_t i = 0; i < first; i++) at += emz_load32(f->index + i * EMZ_INDEX_ENTRY_SIZE);
    for (uint64_t i = 0; i < count; i++) {
        offset[i] = at;
        at += emz_load32(f->index + (first + i) * EMZ_INDEX_ENTRY_SIZE);
    }
    decode_job job = {d, k, f, dst, lo, hi, first, chunk_size, offset};
    st = emz_parallel_for(workers, count, decode_one, &job);
    if (offset != small) free(offset);
    return st;
}

static emz_status with_dctx(emz_dctx *dctx, const emz_frame *f, uint8_t *dst, uint64_t lo,
                            uint64_t hi) {
    if (lo == hi) return EMZ_OK;
    if (dctx) return decode_chunks(dctx, f, dst, lo, hi);
    emz_dctx *temp = emz_dctx_create();
    if (!temp) return EMZ_ERROR_NO_MEMORY;
    emz_status st = decode_chunks(temp, f, dst, lo, hi);
    emz_dctx_free(temp);
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
