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

static const emz_type all_types[EMZ_TYPE_COUNT] = {
    EMZ_TYPE_BYTES, EMZ_TYPE_BF16, EMZ_TYPE_FP16, EMZ_TYPE_FP32,
    EMZ_TYPE_FP8_E4M3, EMZ_TYPE_FP8_E5M2, EMZ_TYPE_FP4_E2M1,
};

/* splitmix64: small, seedable, good enough for test data. */
static inline uint64_t tu_rand(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline void tu_fill_random(void *p, size_t n, uint64_t seed)
{
    uint8_t *b = p;
    uint64_t s = seed;
    size_t i = 0;
    for (; i + 8 <= n; i += 8) {
        uint64_t r = tu_rand(&s);
        memcpy(b + i, &r, 8);
    }
    if (i < n) {
        uint64_t r = tu_rand(&s);
        memcpy(b + i, &r, n - i);
    }
}

/* A roughly Gaussian value (Irwin-Hall of 4 uniforms), scaled like a weight. */
static inline float tu_gauss(uint64_t *s)
{
    double acc = 0;
    for (int i = 0; i < 4; i++)
        acc += (double)(tu_rand(s) >> 11) * (1.0 / 9007199254740992.0);
    return (float)((acc - 2.0) * 0.05);
}

static inline uint32_t tu_f32_bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static inline void tu_put16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void tu_put32(uint8_t *p, uint32_t v)
{
    for (int i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline void tu_put64(uint8_t *p, uint64_t v)
{
    for (int i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i));
}
static inline uint32_t tu_get32(const uint8_t *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline uint64_t tu_get64(const uint8_t *p)
{
    return (uint64_t)tu_get32(p) | (uint64_t)tu_get32(p + 4) << 32;
}

/* Weight-like data of the given type: smooth distribution, so exponents compress. */
static inline void tu_fill_smooth(void *p, size_t n, emz_type type, uint64_t seed)
{
    uint8_t *b = p;
    uint64_t s = seed;
    size_t i = 0;
    switch (type) {
    case EMZ_TYPE_BF16:
        for (; i + 2 <= n; i += 2) tu_put16(b + i, (uint16_t)((tu_f32_bits(tu_gauss(&s)) + 0x8000u) >> 16));
        break;
    case EMZ_TYPE_FP16:
        for (; i + 2 <= n; i += 2) {
            /* crude float -> half: good enough to get realistic exponent statistics */
            uint32_t u = tu_f32_bits(tu_gauss(&s));
            int e = (int)((u >> 23) & 0xFF) - 127 + 15;
            uint16_t h = (uint16_t)((u >> 16) & 0x8000);
            if (e > 0 && e < 31) h |= (uint16_t)(e << 10 | ((u >> 13) & 0x3FF));
            tu_put16(b + i, h);
        }
        break;
    case EMZ_TYPE_FP32:
        for (; i + 4 <= n; i += 4) tu_put32(b + i, tu_f32_bits(tu_gauss(&s)));
        break;
    case EMZ_TYPE_FP8_E4M3:
    case EMZ_TYPE_FP8_E5M2:
    case EMZ_TYPE_FP4_E2M1:
    case EMZ_TYPE_BYTES:
    default:
        for (; i < n; i++) {
            /* skewed byte distribution: small magnitudes frequent */
            uint64_t r = tu_rand(&s);
            unsigned mag = (unsigned)__builtin_ctzll(r | (1ull << 40));
            if (mag > 7) mag = 7;
            unsigned v;
            if (type == EMZ_TYPE_FP4_E2M1)
                v = (mag & 7) | ((r >> 50) & 8) | ((((unsigned)(r >> 56) % 6u) & 7) | ((r >> 60) & 8)) << 4;
            else if (type == EMZ_TYPE_BYTES)
                v = (unsigned)((r >> 48) % (mag * 4 + 1));
            else
                v = ((7 - mag) << 3 | (unsigned)(r >> 61)) | ((r >> 50) & 1) << 7;
            b[i] = (uint8_t)v;
        }
        break;
    }
    for (; i < n; i++) b[i] = (uint8_t)tu_rand(&s);
}

static inline size_t tu_elem_bytes(emz_type t)
{
    switch (t) {
    case EMZ_TYPE_BF16:
    case EMZ_TYPE_FP16: return 2;
    case EMZ_TYPE_FP32: return 4;
    default: return 1;
    }
}

static inline uint64_t tu_expected_elements(emz_type t, size_t n)
{
    return t == EMZ_TYPE_FP4_E2M1 ? 2 * (uint64_t)n : n / tu_elem_bytes(t);
}

static inline void *tu_xmalloc(size_t n)
{
    void *p = malloc(n ? n : 1);
    cr_assert(p != NULL, "out of memory (%zu bytes)", n);
    return p;
}

/* Compresses src with cctx (may be NULL), checks the frame info, decompresses with dctx (may be
 * NULL) and compares. Returns the frame size. If frame_out is non-NULL the frame is returned in
 * a malloc'd buffer there. */
static inline size_t tu_roundtrip_ex(emz_cctx *cctx, emz_dctx *dctx, const void *src, size_t n,
                                     emz_type type, uint64_t chunk_size, uint8_t **frame_out)
{
    size_t bound = emz_compress_bound(n);
    cr_assert(bound >= n + 36, "bound(%zu) = %zu too small", n, bound);
    uint8_t *frame = tu_xmalloc(bound);
    size_t fsize = 0;
    emz_status st = emz_compress(cctx, frame, bound, src, n, type, &fsize);
    cr_assert(st == EMZ_OK, "compress type %d size %zu: %s", (int)type, n, emz_error_name(st));
    cr_assert(fsize >= 36 && fsize <= bound, "frame size %zu outside [36, %zu]", fsize, bound);

    emz_frame_info info;
    memset(&info, 0xAB, sizeof info);
    st = emz_frame_info_get(frame, fsize, &info);
    cr_assert(st == EMZ_OK, "frame_info_get: %s", emz_error_name(st));
    cr_assert(info.type == type, "info.type %d != %d", (int)info.type, (int)type);
    cr_assert(info.format_version == 1, "format_version %u", info.format_version);
    cr_assert(info.original_size == n, "original_size %llu != %zu",
              (unsigned long long)info.original_size, n);
    cr_assert(info.element_count == tu_expected_elements(type, n), "element_count %llu for type %d size %zu",
              (unsigned long long)info.element_count, (int)type, n);
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
    if (n) cr_assert(memcmp(out, src, n) == 0, "round trip mismatch, type %d size %zu", (int)type, n);
    for (size_t i = n; i < n + 16; i++) cr_assert(out[i] == 0xEE, "decompress wrote past capacity");
    free(out);
    if (frame_out)
        *frame_out = frame;
    else
        free(frame);
    return fsize;
}

static inline size_t tu_roundtrip_chunk(const void *src, size_t n, emz_type type, uint64_t chunk_size)
{
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
