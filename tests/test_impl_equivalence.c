/* test_impl_equivalence.c - every implementation this CPU runs must match the scalar
 * reference: kernel by kernel (all 2^16 BF16 patterns, every tail length, misaligned
 * buffers) and frame by frame (identical compressed bytes, identical decoded data). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "emzip.h"
#include "kernels.h"
#include "test_util.h"

static const emz_kernels *table_of(emz_impl impl) {
    const emz_kernels *k = NULL;
    cr_assert(emz_kernels_resolve(impl, &k) == EMZ_OK);
    return k;
}

/* Test inputs: all 65536 BF16 patterns, or 65536 FP32 patterns (every exponent and sign with
 * varied mantissas: NaN payloads, infinities, subnormals, -0), in a scrambled order so that
 * every value meets varied neighbours. */
static uint8_t *patterns(emz_type type, size_t *n_out) {
    size_t n = 65536, esize = type == EMZ_TYPE_FP32 ? 4 : 2;
    uint8_t *p = tu_xmalloc(esize * n + 64);
    uint64_t seed = 99;
    for (size_t i = 0; i < n; i++) {
        uint32_t k = (uint32_t)(i * 40503u + 12345u) & 0xFFFF;
        if (type == EMZ_TYPE_FP32)
            tu_put32(p + 4 * i, k << 16 | (uint32_t)(tu_rand(&seed) & 0xFFFF));
        else
            tu_put16(p + 2 * i, (uint16_t)k);
    }
    *n_out = n;
    return p;
}

/* Split and merge of one type against scalar: the whole buffer, then every length 0..200
 * at every offset 0..7 of input and outputs; merge must not write past its output. */
static void check_split_merge(emz_type type) {
    size_t n, esize = type == EMZ_TYPE_FP32 ? 4 : 2, smb = type == EMZ_TYPE_FP32 ? 3 : 1;
    uint8_t *src = patterns(type, &n);
    const emz_kernels *ref = table_of(EMZ_IMPL_SCALAR);
    uint8_t *e0 = tu_xmalloc(n + 64), *s0 = tu_xmalloc(smb * n + 64), *e1 = tu_xmalloc(n + 64),
            *s1 = tu_xmalloc(smb * n + 64), *out = tu_xmalloc(esize * n + 128);
    for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
        if (!emz_impl_available((emz_impl)impl)) continue;
        const emz_kernels *k = table_of((emz_impl)impl);
        for (size_t len = 0; len <= 201; len++) {
            for (unsigned off = 0; off < (len <= 200 ? 8u : 1u); off++) {
                const uint8_t *in = src + esize * off;
                size_t m = len <= 200 ? len : n - off;
                ref->split[type](in, m, e0, s0);
                k->split[type](in, m, e1 + off, s1 + off);
                cr_assert(memcmp(e0, e1 + off, m) == 0 && memcmp(s0, s1 + off, smb * m) == 0,
                          "%s %s split differs: len %zu off %u", k->name, emz_type_name(type), m,
                          off);
                memset(out, 0xA5, esize * m + 16 + off);
                k->merge[type](e1 + off, s1 + off, m, out + off);
                cr_assert(memcmp(out + off, in, esize * m) == 0,
                          "%s %s merge differs: len %zu off %u", k->name, emz_type_name(type), m,
                          off);
                cr_assert(out[off + esize * m] == 0xA5, "%s merge wrote past the end", k->name);
            }
        }
    }
    free(src), free(e0), free(s0), free(e1), free(s1), free(out);
}

Test(impl, split_merge_bf16_match_scalar) { check_split_merge(EMZ_TYPE_BF16); }
Test(impl, split_merge_fp32_match_scalar) { check_split_merge(EMZ_TYPE_FP32); }

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
