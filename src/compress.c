/* compress.c - the compression context and emz_compress: header, chunks, index. */
#include "checksum.h"
#include "chunk_codec.h"
#include "common.h"
#include "contexts.h"
#include "frame.h"
#include "parallel.h"

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

static unsigned log2_exact(size_t v) {
    unsigned l = 0;
    while (((size_t)1 << l) < v) l++;
    return l;
}

/* The single-threaded encoder: each chunk straight into dst. */
static emz_status encode_serial(emz_cctx *c, const emz_kernels *k, emz_type type,
                                const uint8_t *src, size_t size, uint64_t chunks, uint8_t *dst,
                                size_t payload_cap, uint8_t *index, size_t *pos) {
    emz_status st = emz_chunk_scratch_reserve_set(&c->scratch, &c->scratch_count, 1,
                                                  size < c->chunk_size ? size : c->chunk_size);
    if (st != EMZ_OK) return st;
    emz_chunk_scratch *s = &c->scratch[0];
    for (uint64_t i = 0; i < chunks; i++) {
        size_t off = (size_t)i * c->chunk_size;
        size_t len = size - off < c->chunk_size ? size - off : c->chunk_size;
        size_t room = payload_cap - *pos, n;
        if (room >= EMZ_CHUNK_OUT_ROOM(len)) {
            n = emz_chunk_encode(k, type, src + off, len, dst + *pos, s);
        } else {
            /* Near the end of a tight dst, encode aside and copy only if it fits. */
            n = emz_chunk_encode(k, type, src + off, len, s->chunk, s);
            if (n > room) return EMZ_ERROR_DST_TOO_SMALL;
            memcpy(dst + *pos, s->chunk, n);
        }
        emz_store32(index + i * EMZ_INDEX_ENTRY_SIZE, (uint32_t)n);
        emz_store32(index + i * EMZ_INDEX_ENTRY_SIZE + 4, k->checksum32(src + off, len));
        *pos += n;
    }
    return EMZ_OK;
}

/* Parallel compression: chunks are encoded in batches, each chunk by a worker into its own
 * slot of the batch (EMZ_CHUNK_OUT_ROOM bytes), then copied into dst in order. A chunk's
 * bytes do not depend on the worker or the batch, so the frame is the single-threaded one;
 * memory is slots x chunk size, whatever the input size. Batches end in a barrier and the
 * copy is serial: with 2 slots per worker two threads gained nothing on BF16, with 8 they
 * gain 1.35-1.5x (movenet, emzip-profile-loop); a pipelined writer is left for the thread
 * pool of checkpoint mode. */
enum { SLOTS_PER_WORKER = 8 };

typedef struct encode_job {
    emz_cctx *c;
    const emz_kernels *k;
    emz_type type;
    const uint8_t *src;
    size_t size, first;         /* first chunk of the batch */
    uint8_t **slot;             /* one output buffer per chunk of the batch */
    size_t *encoded;            /* payload size per chunk of the batch */
    uint32_t *checksum;
} encode_job;

static emz_status encode_one(void *ctx, unsigned worker, uint64_t item) {
    encode_job *j = ctx;
    size_t off = (j->first + (size_t)item) * j->c->chunk_size;
    size_t len = j->size - off < j->c->chunk_size ? j->size - off : j->c->chunk_size;
    j->encoded[item] = emz_chunk_encode(j->k, j->type, j->src + off, len, j->slot[item],
                                        &j->c->scratch[worker]);
    j->checksum[item] = j->k->checksum32(j->src + off, len);
    return EMZ_OK;
}

/* Encodes the payloads of all chunks into dst from pos on, filling index; returns the end. */
static emz_status encode_parallel(emz_cctx *c, const emz_kernels *k, emz_type type,
                                  const uint8_t *src, size_t size, uint64_t chunks,
                                  unsigned workers, uint8_t *dst, size_t payload_cap,
                                  uint8_t *index, size_t *pos) {
    size_t chunk = size < c->chunk_size ? size : c->chunk_size;
    emz_status st = emz_chunk_scratch_reserve_set(&c->scratch, &c->scratch_count, workers, chunk);
    if (st != EMZ_OK) return st;
    size_t batch = (size_t)workers * SLOTS_PER_WORKER;
    uint8_t *slots = malloc(batch * EMZ_CHUNK_OUT_ROOM(chunk));
    uint8_t **slot = malloc(batch * sizeof *slot);
    size_t *encoded = malloc(batch * sizeof *encoded);
    uint32_t *checksum = malloc(batch * sizeof *checksum);
    if (!slots || !slot || !encoded || !checksum) st = EMZ_ERROR_NO_MEMORY;
    for (size_t b = 0; st == EMZ_OK && b < batch; b++)
        slot[b] = slots + b * EMZ_CHUNK_OUT_ROOM(chunk);
    for (uint64_t first = 0; st == EMZ_OK && first < chunks; first += batch) {
        size_t n = chunks - first < batch ? (size_t)(chunks - first) : batch;
        encode_job job = {c, k, type, src, size, (size_t)first, slot, encoded, checksum};
        st = emz_parallel_for(workers, n, encode_one, &job);
        for (size_t b = 0; st == EMZ_OK && b < n; b++) {
            if (encoded[b] > payload_cap - *pos) {
                st = EMZ_ERROR_DST_TOO_SMALL;
                break;
            }
            memcpy(dst + *pos, slot[b], encoded[b]);
            emz_store32(index + (first + b) * EMZ_INDEX_ENTRY_SIZE, (uint32_t)encoded[b]);
            emz_store32(index + (first + b) * EMZ_INDEX_ENTRY_SIZE + 4, checksum[b]);
            *pos += encoded[b];
        }
    }
    free(slots), free(slot), free(encoded), free(checksum);
    return st;
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
    size_t pos = EMZ_FRAME_HEADER_SIZE, payload_cap = cap - index_size - 4;
    unsigned workers = c->threads < chunks ? c->threads : (unsigned)chunks;
    if (workers > 1)
        st = encode_parallel(c, k, type, src, size, chunks, workers, dst, payload_cap, index,
                             &pos);
    else
        st = encode_serial(c, k, type, src, size, chunks, dst, payload_cap, index, &pos);
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
