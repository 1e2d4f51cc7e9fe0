/* test_util.h - shared helpers of the emzip tests: PRNG, data generators, round-trip checks. */
#ifndef EMZ_TEST_UTIL_H
#define EMZ_TEST_UTIL_H

#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emzip.h"
#include "test_data.h"

static inline size_t tu_elem_bytes(emz_type t) {
    switch (t) {
    case EMZ_TYPE_BF16:
    case EMZ_TYPE_FP16:
        return 2;
    case EMZ_TYPE_FP32:
        return 4;
    default:
        return 1;
    }
}

static inline uint64_t tu_expected_elements(emz_type t, size_t n) {
    return t == EMZ_TYPE_FP4_E2M1 ? 2 * (uint64_t)n : n / tu_elem_bytes(t);
}

static inline void *tu_xmalloc(size_t n) {
    void *p = malloc(n ? n : 1);
    cr_assert(p != NULL, "out of memory (%zu bytes)", n);
    return p;
}

/* Compresses src with cctx (may be NULL), checks the frame info, decompresses with dctx (may be
 * NULL) and compares. Returns the frame size. If frame_out is non-NULL the frame is returned in
 * a malloc'd buffer there. */
static inline size_t tu_roundtrip_ex(emz_cctx *cctx, emz_dctx *dctx, const void *src, size_t n,
                                     emz_type type, uint64_t chunk_size, uint8_t **frame_out) {
    size_t bound = emz_compress_bound(n);
    cr_assert(bound >= n + 36, "bound(%zu) = %zu too small", n, bound);
    uint8_t *frame = tu_xmalloc(bound);
    size_t fsize = 0;
    emz_status st = emz_compress(cctx, frame, bound, src, n, type, &fsize);
    cr_assert(st == EMZ_OK, "compress type %d size %zu: %s", (int)type, n, emz_error_name(st));
    /* a frame of one chunk has the short header (9..12 bytes) and a 4-byte check: 14 bytes at
     * least; other frames a 32-byte header and a 4-byte index checksum */
    size_t least = n ? 14 : 36;
    cr_assert(fsize >= least && fsize <= bound, "frame size %zu outside [%zu, %zu]", fsize, least,
              bound);

    emz_frame_info info;
    memset(&info, 0xAB, sizeof info);
    st = emz_frame_info_get(frame, fsize, &info);
    cr_assert(st == EMZ_OK, "frame_info_get: %s", emz_error_name(st));
    cr_assert(info.type == type, "info.type %d != %d", (int)info.type, (int)type);
    cr_assert(info.format_version == 3, "format_version %u", info.format_version);
    cr_assert(info.original_size == n, "original_size %llu != %zu",
              (unsigned long long)info.original_size, n);
    cr_assert(info.element_count == tu_expected_elements(type, n),
              "element_count %llu for type %d size %zu", (unsigned long long)info.element_count,
              (int)type, n);
    if (chunk_size)
        cr_assert(info.chunk_size == chunk_size, "chunk_size %llu != %llu",
                  (unsigned long long)info.chunk_size, (unsigned long long)chunk_size);
    uint64_t cs = info.chunk_size;
    cr_assert(cs >= 4096 && cs <= (1u << 24) && (cs & (cs - 1)) == 0, "bad chunk_size %llu",
              (unsigned long long)cs);
    cr_assert(info.chunk_count == (n + cs - 1) / cs, "chunk_count %llu for size %zu chunk %llu",
              (unsigned long long)info.chunk_count, n, (unsigned long long)cs);
    /* FORMAT.md expansion bound */
    cr_assert(fsize <= n + 36 + 13 * info.chunk_count, "frame %zu exceeds expansion bound for %zu",
              fsize, n);

    uint8_t *out = tu_xmalloc(n + 16);
    memset(out, 0xEE, n + 16);
    size_t osize = 12345;
    st = emz_decompress(dctx, out, n, frame, fsize, &osize);
    cr_assert(st == EMZ_OK, "decompress type %d size %zu: %s", (int)type, n, emz_error_name(st));
    cr_assert(osize == n, "decompressed size %zu != %zu", osize, n);
    if (n)
        cr_assert(memcmp(out, src, n) == 0, "round trip mismatch, type %d size %zu", (int)type, n);
    for (size_t i = n; i < n + 16; i++)
        cr_assert(out[i] == 0xEE, "decompress wrote past capacity");
    free(out);
    if (frame_out)
        *frame_out = frame;
    else
        free(frame);
    return fsize;
}

static inline size_t tu_roundtrip_chunk(const void *src, size_t n, emz_type type,
                                        uint64_t chunk_size) {
    emz_cctx *c = emz_cctx_create();
    cr_assert(c != NULL);
    if (chunk_size)
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, (int64_t)chunk_size) == EMZ_OK,
                  "set chunk size %llu", (unsigned long long)chunk_size);
    emz_dctx *d = emz_dctx_create();
    cr_assert(d != NULL);
    size_t r = tu_roundtrip_ex(c, d, src, n, type, chunk_size, NULL);
    emz_cctx_free(c);
    emz_dctx_free(d);
    return r;
}

#endif
