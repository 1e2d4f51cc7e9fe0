/* test_impl_equivalence.c - every implementation this CPU runs must match the scalar
 * reference: kernel by kernel (split/merge of every type on all 2^16 16-bit patterns or all
 * byte values, bit packing at every width; every tail length, misaligned buffers, inputs that
 * end where reading must stop, canaries after outputs) and frame by frame (identical
 * compressed bytes, identical decoded data). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "emzip.h"
#include "engine/dispatch.h"
#include "test_util.h"

static const emz_kernels *table_of(emz_impl impl) {
    const emz_kernels *k = NULL;
    cr_assert(emz_kernels_resolve(impl, &k) == EMZ_OK);
    return k;
}

/* Slot and stream geometry of a split type: bits a slot takes in the source, bits of its
 * sign+mantissa symbol in the packed stream. */
static unsigned slot_bits(emz_type t) {
    return t == EMZ_TYPE_FP32 ? 32 : t == EMZ_TYPE_BF16 || t == EMZ_TYPE_FP16 ? 16
         : t == EMZ_TYPE_FP4_E2M1 ? 4 : 8;
}
static unsigned signmant_bits(emz_type t) {
    switch (t) {
    case EMZ_TYPE_BF16: return 8;
    case EMZ_TYPE_FP16: return 11;
    case EMZ_TYPE_FP32: return 24;
    case EMZ_TYPE_FP8_E4M3: return 4;
    case EMZ_TYPE_FP8_E5M2: return 3;
    default: return 2;
    }
}
static size_t packed_bytes(size_t n, unsigned bits) { return (n * bits + 7) / 8; }

/* Test inputs, in a scrambled order so that every value meets varied neighbours: all 65536
 * 16-bit patterns (BF16, FP16); 65536 FP32 patterns (every exponent and sign with varied
 * mantissas: NaN payloads, infinities, subnormals, -0); for one-byte types and FP4 bytes,
 * every byte value in each block of 256, 16 blocks in different orders. Returns the bytes;
 * *slots_out is the number of slots they hold. */
static uint8_t *patterns(emz_type type, size_t *slots_out) {
    size_t bytes = slot_bits(type) >= 16 ? 65536 * (size_t)slot_bits(type) / 8 : 4096;
    uint8_t *p = tu_xmalloc(bytes + 64);
    uint64_t seed = 99;
    if (type == EMZ_TYPE_FP32) {
        for (size_t i = 0; i < 65536; i++) {
            uint32_t k = (uint32_t)(i * 40503u + 12345u) & 0xFFFF;
            tu_put32(p + 4 * i, k << 16 | (uint32_t)(tu_rand(&seed) & 0xFFFF));
        }
    } else if (slot_bits(type) == 16) {
        for (size_t i = 0; i < 65536; i++) tu_put16(p + 2 * i, (uint16_t)(i * 40503u + 12345u));
    } else {
        /* an odd multiplier permutes the 256 values; the block number shifts the order */
        for (size_t i = 0; i < bytes; i++)
            p[i] = (uint8_t)((i % 256) * (2 * (i / 256) + 167) + 61 * (i / 256));
    }
    *slots_out = bytes * 8 / slot_bits(type);
    return p;
}

/* A copy of n bytes at offset off of a fresh allocation that ends exactly after them, so that
 * AddressSanitizer reports any read past the end. */
static uint8_t *exact_copy(const uint8_t *src, size_t n, unsigned off, uint8_t **base) {
    *base = tu_xmalloc(n + off > 0 ? n + off : 1);
    if (n) memcpy(*base + off, src, n);
    return *base + off;
}

/* Split and merge of one type against scalar: the whole buffer, then every length 0..200
 * (FP4: source bytes) at every offset 0..7 of input and outputs; inputs end exactly where
 * the kernels may stop reading, and a canary checks that no output is written past its end. */
static void check_split_merge(emz_type type) {
    enum { CANARY = 0xA5 };
    size_t n;
    uint8_t *src = patterns(type, &n);
    const unsigned sb = slot_bits(type), mb = signmant_bits(type);
    const emz_kernels *ref = table_of(EMZ_IMPL_SCALAR);
    size_t smax = packed_bytes(n, mb), bmax = n * sb / 8;
    uint8_t *e0 = tu_xmalloc(n + 64), *s0 = tu_xmalloc(smax + 64), *e1 = tu_xmalloc(n + 64),
            *s1 = tu_xmalloc(smax + 64), *out = tu_xmalloc(bmax + 128);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        const emz_kernels *k = table_of((emz_impl)impl);
        for (size_t len = 0; len <= 201; len++) {
            for (unsigned off = 0; off < (len <= 200 ? 8u : 1u); off++) {
                /* m slots; FP4 lengths count source bytes, two slots each */
                size_t m = len <= 200 ? (sb == 4 ? 2 * len : len) : n;
                size_t b = m * sb / 8, smb = packed_bytes(m, mb);
                uint8_t *in_base, *ex_base, *sx_base;
                /* the data start moves with the offset too, so each offset sees other values */
                const uint8_t *data = len <= 200 ? src + off * (sb == 4 ? 1 : sb / 8) : src;
                const uint8_t *in = exact_copy(data, b, off, &in_base);
                ref->split[type](in, m, e0, s0);
                memset(e1, CANARY, m + off + 16);
                memset(s1, CANARY, smb + off + 16);
                k->split[type](in, m, e1 + off, s1 + off);
                cr_assert(memcmp(e0, e1 + off, m) == 0 && memcmp(s0, s1 + off, smb) == 0,
                          "%s %s split differs: %zu slots, offset %u", k->name,
                          emz_type_name(type), m, off);
                cr_assert(e1[off + m] == CANARY && s1[off + smb] == CANARY,
                          "%s %s split wrote past the end: %zu slots", k->name,
                          emz_type_name(type), m);
                const uint8_t *ex = exact_copy(e0, m, off, &ex_base);
                const uint8_t *sx = exact_copy(s0, smb, off, &sx_base);
                memset(out, CANARY, b + 16 + off);
                k->merge[type](ex, sx, m, out + off);
                cr_assert(memcmp(out + off, in, b) == 0,
                          "%s %s merge differs: %zu slots, offset %u", k->name,
                          emz_type_name(type), m, off);
                cr_assert(out[off + b] == CANARY, "%s %s merge wrote past the end: %zu slots",
                          k->name, emz_type_name(type), m);
                free(in_base), free(ex_base), free(sx_base);
            }
        }
    }
    free(src), free(e0), free(s0), free(e1), free(s1), free(out);
}

Test(impl, split_merge_bf16_match_scalar) { check_split_merge(EMZ_TYPE_BF16); }
Test(impl, split_merge_fp16_match_scalar) { check_split_merge(EMZ_TYPE_FP16); }
Test(impl, split_merge_fp32_match_scalar) { check_split_merge(EMZ_TYPE_FP32); }
Test(impl, split_merge_e4m3_match_scalar) { check_split_merge(EMZ_TYPE_FP8_E4M3); }
Test(impl, split_merge_e5m2_match_scalar) { check_split_merge(EMZ_TYPE_FP8_E5M2); }
Test(impl, split_merge_fp4_match_scalar) { check_split_merge(EMZ_TYPE_FP4_E2M1); }

/* Merge of arbitrary exponent and stream bytes (exponents wider than the type's field, junk
 * in the stream's padding bits) matches scalar too: what the scalar kernel does with such
 * input, truncating to the element, every kernel does. */
Test(impl, merge_any_bytes_match_scalar) {
    enum { N = 4096 };
    uint8_t *e = tu_xmalloc(N), *s = tu_xmalloc(3 * N), *o0 = tu_xmalloc(4 * N),
            *o1 = tu_xmalloc(4 * N);
    tu_fill_random(e, N, 21);
    tu_fill_random(s, 3 * N, 22);
    const emz_kernels *ref = table_of(EMZ_IMPL_SCALAR);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        const emz_kernels *k = table_of((emz_impl)impl);
        for (int t = 0; t < EMZ_TYPE_COUNT; t++) {
            if (!ref->merge[t]) continue;
            for (size_t m = 0; m <= N; m = m < 300 ? m + 2 : m * 2) {
                size_t b = m * slot_bits((emz_type)t) / 8;
                ref->merge[t](e, s, m, o0);
                k->merge[t](e, s, m, o1);
                cr_assert(memcmp(o0, o1, b) == 0,
                          "%s %s merge of arbitrary bytes differs: %zu slots", k->name,
                          emz_type_name((emz_type)t), m);
            }
        }
    }
    free(e), free(s), free(o0), free(o1);
}

/* pack_bits and unpack_bits against scalar: every width 1..8, every length 0..300 and a long
 * one, at offsets 0..7; symbols below 2^width (the kernels' contract); inputs end exactly
 * where reading must stop; canaries after the outputs. Unpacking arbitrary stream bytes
 * (junk padding bits included) must match too. */
Test(impl, pack_unpack_match_scalar) {
    enum { LONG = 5000, CANARY = 0x5A };
    uint8_t *syms = tu_xmalloc(LONG), *raw = tu_xmalloc(LONG), *p0 = tu_xmalloc(LONG + 64),
            *p1 = tu_xmalloc(LONG + 64), *u0 = tu_xmalloc(LONG + 64), *u1 = tu_xmalloc(LONG + 64);
    tu_fill_random(raw, LONG, 31);
    const emz_kernels *ref = table_of(EMZ_IMPL_SCALAR);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        const emz_kernels *k = table_of((emz_impl)impl);
        for (unsigned w = 1; w <= 8; w++) {
            tu_fill_random(syms, LONG, 40 + w);
            for (size_t i = 0; i < LONG; i++) syms[i] &= (uint8_t)((1u << w) - 1);
            for (size_t n = 0; n <= 301; n++) {
                size_t len = n <= 300 ? n : LONG - 8, bytes = packed_bytes(len, w);
                for (unsigned off = 0; off < 8; off++) {
                    uint8_t *sb, *pb, *rb;
                    const uint8_t *in = exact_copy(syms + off, len, off, &sb);
                    ref->pack_bits(in, len, w, p0);
                    memset(p1, CANARY, bytes + off + 16);
                    k->pack_bits(in, len, w, p1 + off);
                    cr_assert(memcmp(p0, p1 + off, bytes) == 0 && p1[off + bytes] == CANARY,
                              "%s pack_bits differs or overruns: width %u, %zu symbols, offset %u",
                              k->name, w, len, off);
                    const uint8_t *packed = exact_copy(p0, bytes, off, &pb);
                    memset(u1, CANARY, len + off + 16);
                    k->unpack_bits(packed, len, w, u1 + off);
                    cr_assert(memcmp(u1 + off, in, len) == 0 && u1[off + len] == CANARY,
                              "%s unpack_bits differs or overruns: width %u, %zu symbols, "
                              "offset %u",
                              k->name, w, len, off);
                    const uint8_t *junk = exact_copy(raw + off, bytes, off, &rb);
                    ref->unpack_bits(junk, len, w, u0);
                    k->unpack_bits(junk, len, w, u1);
                    cr_assert(memcmp(u0, u1, len) == 0,
                              "%s unpack_bits of arbitrary bytes differs: width %u, %zu symbols",
                              k->name, w, len);
                    free(sb), free(pb), free(rb);
                }
            }
        }
    }
    free(syms), free(raw), free(p0), free(p1), free(u0), free(u1);
}

Test(impl, checksums_match_scalar) {
    size_t n = 70000;
    uint8_t *data = tu_xmalloc(n + 8);
    tu_fill_random(data, n + 8, 7);
    const emz_kernels *ref = table_of(EMZ_IMPL_SCALAR);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        const emz_kernels *k = table_of((emz_impl)impl);
        for (size_t len = 0; len <= n; len = len < 300 ? len + 1 : len * 3 / 2)
            for (unsigned off = 0; off < 8; off += 7)
                cr_assert(k->checksum32(data + off, len) == ref->checksum32(data + off, len),
                          "%s checksum differs at len %zu", k->name, len);
    }
    free(data);
}

/* Frames: every type, sizes around chunk and lane-count boundaries. */
Test(impl, frames_identical_to_scalar, .timeout = 600) {
    static const size_t sizes[] = {0, 1, 3, 31, 64, 65, 127, 4095, 4096, 8191, 8193, 32769,
                                   65536, 200003};
    emz_cctx *ref = emz_cctx_create(), *c = emz_cctx_create();
    emz_dctx *d = emz_dctx_create();
    cr_assert(emz_cctx_set_param(ref, EMZ_PARAM_IMPL, EMZ_IMPL_SCALAR) == EMZ_OK);
    cr_assert(emz_cctx_set_param(ref, EMZ_PARAM_CHUNK_SIZE, 65536) == EMZ_OK);
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_CHUNK_SIZE, 65536) == EMZ_OK);
    size_t cap = emz_compress_bound(200003);
    uint8_t *src = tu_xmalloc(200003), *f0 = tu_xmalloc(cap), *f1 = tu_xmalloc(cap),
            *out = tu_xmalloc(200003);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_IMPL, impl) == EMZ_OK);
        cr_assert(emz_dctx_set_param(d, EMZ_PARAM_IMPL, impl) == EMZ_OK);
        for (int t = 0; t < EMZ_TYPE_COUNT; t++)
            for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++)
                for (int kind = 0; kind < 2; kind++) {
                    size_t n = sizes[i], n0, n1, got;
                    if (kind) tu_fill_random(src, n, 11 + i);
                    else tu_fill_smooth(src, n, (emz_type)t, 5 + i);
                    cr_assert(emz_compress(ref, f0, cap, src, n, (emz_type)t, &n0) == EMZ_OK);
                    cr_assert(emz_compress(c, f1, cap, src, n, (emz_type)t, &n1) == EMZ_OK);
                    cr_assert(n0 == n1 && memcmp(f0, f1, n0) == 0,
                              "%s: frame differs from scalar (type %d, %zu bytes)",
                              emz_impl_name((emz_impl)impl), t, n);
                    cr_assert(emz_decompress(d, out, n, f0, n0, &got) == EMZ_OK && got == n);
                    cr_assert(memcmp(out, src, n) == 0, "%s: decode differs",
                              emz_impl_name((emz_impl)impl));
                }
    }
    emz_cctx_free(ref), emz_cctx_free(c), emz_dctx_free(d);
    free(src), free(f0), free(f1), free(out);
}

Test(impl, forcing_and_naming) {
    cr_assert(emz_impl_available(EMZ_IMPL_SCALAR));
    cr_assert(!emz_impl_available(EMZ_IMPL_AUTO));
    cr_assert(!emz_impl_available((emz_impl)99));
    cr_assert_str_eq(emz_impl_name(EMZ_IMPL_AVX512), "avx512");
    cr_assert(emz_impl_name((emz_impl)99) == NULL);
    emz_impl def = emz_impl_default();
    cr_assert(def != EMZ_IMPL_AUTO && emz_impl_available(def));
    emz_cctx *c = emz_cctx_create();
    cr_assert(emz_cctx_set_param(c, EMZ_PARAM_IMPL, 99) == EMZ_ERROR_INVALID_ARGUMENT);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++)
        cr_assert(emz_cctx_set_param(c, EMZ_PARAM_IMPL, impl) ==
                  (emz_impl_available((emz_impl)impl) ? EMZ_OK : EMZ_ERROR_IMPL_UNAVAILABLE));
    emz_cctx_free(c);
}
