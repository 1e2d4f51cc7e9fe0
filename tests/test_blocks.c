/* test_blocks.c - trained tables and blocks (include/emzip.h, "Trained tables and blocks";
 * docs/FORMAT.md, "Table file" and "Block"): round trips of every type with and without tables,
 * every implementation against scalar, every bit pattern of the small types through tables
 * trained on other data, table files (save/load, truncations, bit flips, forged fields, wrong
 * type or layout, bad training options), hostile blocks (bit flips with and without a checksum,
 * truncations, forged headers, wrong tables), capacities, and batches on the context's pool. */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>

#include "common/checksum.h"
#include "engine/block_codec.h"
#include "engine/dispatch.h"
#include "engine/pool.h"
#include "format/huffman_build.h"
#include "format/table_file.h"
#include "format/table_set.h"
#include "test_util.h"

#define KIB 1024
#define GUARD 64
#define GUARD_BYTE 0xA5

/* ---- data ---- */

/* x as a minifloat of E exponent and M mantissa bits (bias 2^(E-1) - 1), truncated; values
 * below the smallest normal flush to zero, values above the largest are clamped. */
static unsigned minifloat(float x, unsigned E, unsigned M) {
    uint32_t u = tu_f32_bits(x);
    unsigned sign = u >> 31, emax = (1u << E) - 1, m = (u >> (23 - M)) & ((1u << M) - 1);
    int e = (int)((u >> 23) & 0xFF) - 127 + (int)((1u << (E - 1)) - 1);
    if (e <= 0) e = 0, m = 0;
    if (e >= (int)emax) e = (int)emax - 1, m = (1u << M) - 2;
    return sign << (E + M) | (unsigned)e << M | m;
}

/* Gaussian-like values (tu_gauss x scale) of the type: what a K/V cache looks like, roughly.
 * Bytes: small signed integers. A partial element at the end is random. */
static void fill_values(emz_type t, uint8_t *p, size_t n, uint64_t seed, float scale) {
    uint64_t s = seed;
    size_t i = 0;
    switch (t) {
    case EMZ_TYPE_BF16:
        for (; i + 2 <= n; i += 2)
            tu_put16(p + i, (uint16_t)((tu_f32_bits(tu_gauss(&s) * scale) + 0x8000u) >> 16));
        break;
    case EMZ_TYPE_FP16:
        for (; i + 2 <= n; i += 2)
            tu_put16(p + i, (uint16_t)minifloat(tu_gauss(&s) * scale, 5, 10));
        break;
    case EMZ_TYPE_FP32:
        for (; i + 4 <= n; i += 4)
            tu_put32(p + i, tu_f32_bits(tu_gauss(&s) * scale));
        break;
    case EMZ_TYPE_FP8_E4M3:
    case EMZ_TYPE_FP8_E5M2:
        for (; i < n; i++)
            p[i] = (uint8_t)minifloat(tu_gauss(&s) * scale * 40, t == EMZ_TYPE_FP8_E4M3 ? 4 : 5,
                                      t == EMZ_TYPE_FP8_E4M3 ? 3 : 2);
        break;
    case EMZ_TYPE_FP4_E2M1:
        for (; i < n; i++)
            p[i] = (uint8_t)(minifloat(tu_gauss(&s) * scale * 40, 2, 1) |
                             minifloat(tu_gauss(&s) * scale * 40, 2, 1) << 4);
        break;
    default:
        for (; i < n; i++) {
            int v = (int)(tu_gauss(&s) * scale * 400);
            p[i] = (uint8_t)(v < -128 ? -128 : v > 127 ? 127 : v);
        }
        break;
    }
    for (; i < n; i++)
        p[i] = (uint8_t)tu_rand(&s);
}

/* Trains tables of type t: group g from two 48 KiB samples of values scaled by scale[g] (NULL:
 * 1 for every group), seeds from seed. */
static emz_tables *train_ex(emz_type t, uint32_t groups, const float *scale, uint64_t seed,
                            uint32_t heads, uint32_t head_dim, uint32_t block_size) {
    size_t per = 48 * KIB, count = 2 * (size_t)groups;
    uint8_t *data = tu_xmalloc(per * count);
    emz_tables_sample *samples = tu_xmalloc(count * sizeof *samples);
    for (size_t i = 0; i < count; i++) {
        uint32_t g = (uint32_t)(i % groups);
        fill_values(t, data + i * per, per, seed + i, scale ? scale[g] : 1.0f);
        samples[i] = (emz_tables_sample){data + i * per, per, g};
    }
    emz_tables_options o = {t, groups, heads, head_dim, block_size};
    emz_tables *tables = NULL;
    emz_status st = emz_tables_train(&o, samples, count, &tables, NULL, 0);
    cr_assert(st == EMZ_OK, "train %s, %u groups: %s", emz_type_name(t), groups,
              emz_error_name(st));
    cr_assert(tables != NULL);
    free(samples);
    free(data);
    return tables;
}

static emz_tables *train(emz_type t, uint32_t groups, uint64_t seed) {
    static const float scales[8] = {1, 16, 1.0f / 64, 256, 4, 1.0f / 8, 64, 2};
    return train_ex(t, groups, groups <= 8 ? scales : NULL, seed, 0, 0, 0);
}

static uint64_t group_id(const emz_tables *t, uint32_t g) {
    uint64_t id = 0;
    cr_assert(emz_tables_group_id(t, g, &id) == EMZ_OK);
    return id;
}

/* The clusters of group g of t (0: none, or no tables). */
static unsigned clusters_of(const emz_tables *t, uint32_t g) {
    return t ? t->group[g].clusters.count : 0;
}

static emz_block_ctx *ctx_new(const emz_tables *t, int checksum) {
    emz_block_ctx *c = emz_block_ctx_create(t);
    cr_assert(c != NULL);
    cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_BLOCK_CHECKSUM, checksum) == EMZ_OK);
    return c;
}

/* A buffer of cap bytes followed by GUARD guard bytes. */
static uint8_t *guarded(size_t cap) {
    uint8_t *p = tu_xmalloc(cap + GUARD);
    memset(p, GUARD_BYTE, cap + GUARD);
    return p;
}

static void guard_intact(const uint8_t *p, size_t cap, const char *what) {
    for (size_t i = 0; i < GUARD; i++)
        cr_assert(p[cap + i] == GUARD_BYTE, "%s: byte %zu past the capacity %zu was written", what,
                  i, cap);
}

/* Compresses src (n bytes) with c, checks the block's size and header, decompresses it into a
 * buffer of exactly n bytes at offset off (guarded) and compares. Returns the block in *block
 * (malloc'd, at offset 0) and its size. */
static size_t roundtrip(emz_block_ctx *c, const emz_tables *t, emz_type type, uint32_t group,
                        const uint8_t *src, size_t n, unsigned off, int checksum, uint8_t **block,
                        const char *what) {
    size_t bound = emz_block_bound(n), written = 0;
    cr_assert(bound == n + 19, "%s: bound %zu", what, bound);
    uint8_t *dst = guarded(off + bound);
    emz_status st = emz_block_compress(c, type, group, src, n, dst + off, bound, &written);
    cr_assert(st == EMZ_OK, "%s: compress: %s (%s)", what, emz_error_name(st),
              emz_block_ctx_error_detail(c));
    cr_assert(written >= 3 && written <= bound, "%s: block of %zu bytes", what, written);
    guard_intact(dst, off + bound, what);
    emz_block_info info;
    memset(&info, 0xCD, sizeof info);
    cr_assert(emz_block_info_get(dst + off, written, &info) == EMZ_OK, "%s: info", what);
    cr_assert(info.type == type && info.original_size == n, "%s: info type %d size %" PRIu64, what,
              (int)info.type, info.original_size);
    cr_assert(info.has_checksum == checksum, "%s: has_checksum %d", what, info.has_checksum);
    /* with clusters, data their codes do not fit (growing by a few bytes a cluster) is an
     * untagged version 1 block of its own codes */
    bool own = clusters_of(t, group) && !info.has_tables && dst[off + 1] >> 5 == 0;
    cr_assert(info.has_tables == (t != NULL) || own, "%s: has_tables %d", what, info.has_tables);
    cr_assert(info.set_tag == (t && !own ? (uint32_t)group_id(t, group) : 0), "%s: tag %08" PRIx32,
              what, info.set_tag);
    /* the header alone (up to the size field) suffices for info */
    size_t head = 2 + (info.has_tables ? 4 : 0) +
                  (n < 128          ? 1
                   : n < 16384      ? 2
                   : n < (1u << 21) ? 3
                                    : 4);
    cr_assert(emz_block_info_get(dst + off, head, &info) == EMZ_OK, "%s: info of the header", what);
    cr_assert(emz_block_info_get(dst + off, head - 1, &info) == EMZ_ERROR_TRUNCATED,
              "%s: info of a cut header", what);

    uint8_t *out = guarded(off + n);
    size_t got = 0;
    st = emz_block_decompress(c, dst + off, written, out + off, n, &got);
    cr_assert(st == EMZ_OK, "%s: decompress: %s (%s)", what, emz_error_name(st),
              emz_block_ctx_error_detail(c));
    cr_assert(got == n, "%s: decompressed %zu bytes", what, got);
    cr_assert(memcmp(out + off, src, n) == 0, "%s: bytes differ", what);
    guard_intact(out, off + n, what);
    free(out);
    if (block) {
        *block = tu_xmalloc(written);
        memcpy(*block, dst + off, written);
    }
    free(dst);
    return written;
}

/* ---- round trips ---- */

static const size_t big_sizes[] = {1000, 1001, 4095, 4096, 4097, 12345, 32 * KIB, 64 * KIB + 3};

/* Every length 1..300 and the big sizes, src and dst misaligned by 0..7, checksum on and off. */
static void roundtrip_sizes(emz_type type, const emz_tables *t) {
    size_t max = 64 * KIB + 3 + 8;
    uint8_t *src = tu_xmalloc(max);
    uint32_t groups = 1;
    if (t) {
        emz_tables_info info;
        cr_assert(emz_tables_info_get(t, &info) == EMZ_OK);
        groups = info.groups;
    }
    for (int checksum = 0; checksum < 2; checksum++) {
        emz_block_ctx *c = ctx_new(t, checksum);
        for (size_t i = 0; i < 300 + sizeof big_sizes / sizeof big_sizes[0]; i++) {
            size_t n = i < 300 ? i + 1 : big_sizes[i - 300];
            unsigned off = (unsigned)(i % 8), soff = (unsigned)((i * 3 + 1) % 8);
            uint32_t g = (uint32_t)(i % groups);
            /* realistic data of the group's scale, and now and then random bytes */
            if (i % 5 == 4)
                tu_fill_random(src + soff, n, 77 + i);
            else
                fill_values(type, src + soff, n, 1000 + i, g ? 16 : 1);
            char what[160];
            snprintf(what, sizeof what, "%s %s tables, checksum %d, %zu bytes, offsets %u/%u",
                     emz_type_name(type), t ? "with" : "without", checksum, n, soff, off);
            roundtrip(c, t, type, g, src + soff, n, off, checksum, NULL, what);
        }
        emz_block_ctx_free(c);
    }
    free(src);
}

#define EACH_TYPE(X)                                                                               \
    X(bytes, EMZ_TYPE_BYTES)                                                                       \
    X(bf16, EMZ_TYPE_BF16)                                                                         \
    X(fp16, EMZ_TYPE_FP16)                                                                         \
    X(fp32, EMZ_TYPE_FP32)                                                                         \
    X(e4m3, EMZ_TYPE_FP8_E4M3)                                                                     \
    X(e5m2, EMZ_TYPE_FP8_E5M2)                                                                     \
    X(fp4, EMZ_TYPE_FP4_E2M1)

#define ROUNDTRIP_TESTS(name, type)                                                                \
    Test(blocks, roundtrip_tables_##name, .timeout = 300) {                                        \
        emz_tables *t = train(type, 2, 5);                                                         \
        roundtrip_sizes(type, t);                                                                  \
        emz_tables_free(t);                                                                        \
    }                                                                                              \
    Test(blocks, roundtrip_no_tables_##name, .timeout = 300) {                                     \
        roundtrip_sizes(type, NULL);                                                               \
    }
EACH_TYPE(ROUNDTRIP_TESTS)

/* ---- channel shifts (FORMAT.md, "Channel shift") ---- */

/* A layout whose channel count (54) is no power of two and leaves sign padding bits. */
#define SHIFT_HEADS 2
#define SHIFT_DIM 27

static bool shift_type(emz_type t) {
    return t != EMZ_TYPE_BYTES && t != EMZ_TYPE_FP4_E2M1;
}

/* Values whose channels (position in a token of SHIFT_HEADS x SHIFT_DIM values) differ in scale
 * (2^-6 .. 2^6) and, for every third channel, in sign: a K/V cache, roughly. Types without a
 * channel shift get fill_values. */
static void fill_channels(emz_type t, uint8_t *p, size_t n, uint64_t seed) {
    const size_t channels = SHIFT_HEADS * SHIFT_DIM;
    size_t w = t == EMZ_TYPE_FP32 ? 4 : t == EMZ_TYPE_BF16 || t == EMZ_TYPE_FP16 ? 2 : 1;
    if (!shift_type(t)) {
        fill_values(t, p, n, seed, 1);
        return;
    }
    uint64_t s = seed;
    size_t i = 0;
    for (; i + w <= n; i += w) {
        size_t c = i / w % channels;
        float x = (tu_gauss(&s) + (c % 3 == 0 ? 3.0f : 0.0f)) * ldexpf(1.0f, (int)(c * 7 % 13) - 6);
        if (t == EMZ_TYPE_BF16) tu_put16(p + i, (uint16_t)((tu_f32_bits(x) + 0x8000u) >> 16));
        if (t == EMZ_TYPE_FP16) tu_put16(p + i, (uint16_t)minifloat(x, 5, 10));
        if (t == EMZ_TYPE_FP32) tu_put32(p + i, tu_f32_bits(x));
        if (t == EMZ_TYPE_FP8_E4M3) p[i] = (uint8_t)minifloat(x * 8, 4, 3);
        if (t == EMZ_TYPE_FP8_E5M2) p[i] = (uint8_t)minifloat(x * 8, 5, 2);
    }
    for (; i < n; i++)
        p[i] = (uint8_t)tu_rand(&s);
}

/* Tables trained on fill_channels data, with the layout (and so channel shifts) or without. */
static emz_tables *train_channels(emz_type t, uint32_t groups, uint64_t seed, bool layout) {
    size_t per = 54 * 2 * 4 * 64, count = 2 * (size_t)groups; /* whole tokens */
    uint8_t *data = tu_xmalloc(per * count);
    emz_tables_sample *samples = tu_xmalloc(count * sizeof *samples);
    for (size_t i = 0; i < count; i++) {
        fill_channels(t, data + i * per, per, seed + i);
        samples[i] = (emz_tables_sample){data + i * per, per, (uint32_t)(i % groups)};
    }
    emz_tables_options o = {t, groups, layout ? SHIFT_HEADS : 0, layout ? SHIFT_DIM : 0, 0};
    emz_tables *tables = NULL;
    emz_status st = emz_tables_train(&o, samples, count, &tables, NULL, 0);
    cr_assert(st == EMZ_OK && tables, "train %s: %s", emz_type_name(t), emz_error_name(st));
    free(samples), free(data);
    return tables;
}

/* Blocks of channel data, coded with shifted tables, at every length 1..300 and the big sizes
 * (whole tokens or not, a partial element at the end), misaligned, with and without a
 * checksum: version 3 blocks for FP8 (its tables have clusters), version 2 for the other types
 * that have an exponent, version 1 for the rest, and the bytes come back. A clustered block
 * falls back to an untagged version 1 block only when it is short (under 16 tokens, where the few
 * bytes each cluster costs can pass the bound). */
#define SHIFT_ROUNDTRIP_TESTS(name, type)                                                          \
    Test(blocks, roundtrip_shifted_##name, .timeout = 300) {                                       \
        emz_tables *t = train_channels(type, 2, 5, true);                                          \
        bool fp8 = type == EMZ_TYPE_FP8_E4M3 || type == EMZ_TYPE_FP8_E5M2;                         \
        cr_assert(clusters_of(t, 0) == 0 || fp8, "clusters only for FP8");                         \
        cr_assert(!fp8 || (clusters_of(t, 0) >= 2 && clusters_of(t, 1) >= 2), "FP8 clusters");     \
        uint8_t *src = tu_xmalloc(64 * KIB + 16);                                                  \
        for (int checksum = 0; checksum < 2; checksum++) {                                         \
            emz_block_ctx *c = ctx_new(t, checksum);                                               \
            for (size_t i = 0; i < 300 + sizeof big_sizes / sizeof big_sizes[0]; i++) {            \
                size_t n = i < 300 ? i + 1 : big_sizes[i - 300];                                   \
                unsigned off = (unsigned)(i % 8), soff = (unsigned)((i * 3 + 1) % 8);              \
                fill_channels(type, src + soff, n, 300 + i);                                       \
                char what[160];                                                                    \
                snprintf(what, sizeof what, "%s shifted tables, checksum %d, %zu bytes",           \
                         emz_type_name(type), checksum, n);                                        \
                uint8_t *blk = NULL;                                                               \
                roundtrip(c, t, type, (uint32_t)(i % 2), src + soff, n, off, checksum, &blk,       \
                          what);                                                                   \
                unsigned want = fp8 ? 3 : shift_type(type) ? 2 : 1, got = (blk[1] >> 5) + 1u;      \
                cr_assert(got == want || (fp8 && got == 1 && n < 16 * 54), "%s: block version %u", \
                          what, got);                                                              \
                free(blk);                                                                         \
            }                                                                                      \
            emz_block_ctx_free(c);                                                                 \
        }                                                                                          \
        free(src);                                                                                 \
        emz_tables_free(t);                                                                        \
    }
EACH_TYPE(SHIFT_ROUNDTRIP_TESTS)

/* EMZ_PARAM_BLOCK_SIZE makes room for the shifted copy a block is coded from, in every worker's
 * scratch, when the tables have channel shifts (so that no call allocates after it), also after
 * the thread count changes; and none for tables without shifts. (The context's internals:
 * engine/block_codec.h.) */
Test(blocks, block_size_reserves_the_shift) {
    for (int shifted = 0; shifted < 2; shifted++) {
        emz_tables *t =
            shifted ? train_channels(EMZ_TYPE_BF16, 1, 2, true) : train(EMZ_TYPE_BF16, 1, 2);
        emz_block_ctx *c = ctx_new(t, 0);
        cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_BLOCK_SIZE, 48 * KIB) == EMZ_OK);
        cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_THREADS, 3) == EMZ_OK);
        for (unsigned w = 0; w < 3; w++)
            cr_assert(c->scratch[w].shifted_cap == (shifted ? 48 * KIB : 0),
                      "worker %u: room for %zu shifted bytes", w, c->scratch[w].shifted_cap);
        emz_block_ctx_free(c);
        emz_tables_free(t);
    }
}

/* The shift pays on data whose channels differ: pages coded with shifted tables are smaller
 * than with tables trained on the same samples without the layout. */
Test(blocks, channel_shift_pays) {
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type type = all_types[k];
        if (!shift_type(type)) continue;
        emz_tables *with = train_channels(type, 1, 9, true),
                   *without = train_channels(type, 1, 9, false);
        emz_block_ctx *cw = ctx_new(with, 0), *co = ctx_new(without, 0);
        size_t page = 54 * 16 *
                      (type == EMZ_TYPE_FP32                            ? 4
                       : type == EMZ_TYPE_BF16 || type == EMZ_TYPE_FP16 ? 2
                                                                        : 1);
        uint8_t *src = tu_xmalloc(page), *blk = tu_xmalloc(page + 19);
        size_t total_with = 0, total_without = 0, n = 0;
        for (uint64_t p = 0; p < 16; p++) {
            fill_channels(type, src, page, 700 + p); /* other data than the samples */
            cr_assert(emz_block_compress(cw, type, 0, src, page, blk, page + 19, &n) == EMZ_OK);
            total_with += n;
            cr_assert(emz_block_compress(co, type, 0, src, page, blk, page + 19, &n) == EMZ_OK);
            total_without += n;
        }
        cr_log_info("%s: 16 pages of %zu bytes: %zu bytes with channel shifts, %zu without",
                    emz_type_name(type), page, total_with, total_without);
        cr_assert(total_with * 100 < total_without * 97,
                  "%s: %zu bytes with channel shifts, %zu without: the shift does not pay",
                  emz_type_name(type), total_with, total_without);
        free(src), free(blk);
        emz_block_ctx_free(cw), emz_block_ctx_free(co);
        emz_tables_free(with), emz_tables_free(without);
    }
}

/* Trained tables pay off: a page of the data they were trained on is smaller with them than
 * with its own tables, and its streams are coded with them (an untagged copy is bigger). */
Test(blocks, tables_make_small_blocks_smaller) {
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type type = all_types[k];
        emz_tables *t = train(type, 1, 11);
        emz_block_ctx *with = ctx_new(t, 0), *without = ctx_new(NULL, 0);
        uint8_t src[4096], a[4096 + 19], b[4096 + 19];
        fill_values(type, src, sizeof src, 999, 1);
        size_t na = 0, nb = 0;
        cr_assert(emz_block_compress(with, type, 0, src, sizeof src, a, sizeof a, &na) == EMZ_OK);
        cr_assert(emz_block_compress(without, type, 0, src, sizeof src, b, sizeof b, &nb) ==
                  EMZ_OK);
        cr_assert(na < nb, "%s: 4 KiB block with tables %zu bytes, without %zu",
                  emz_type_name(type), na, nb);
        emz_block_ctx_free(with);
        emz_block_ctx_free(without);
        emz_tables_free(t);
    }
}

/* The largest block: 16 MiB, with tables and a checksum. */
Test(blocks, largest_block, .timeout = 300) {
    size_t n = (size_t)16 << 20;
    emz_tables *t = train(EMZ_TYPE_BF16, 1, 3);
    emz_block_ctx *c = ctx_new(t, 1);
    uint8_t *src = tu_xmalloc(n);
    fill_values(EMZ_TYPE_BF16, src, n, 4, 1);
    uint8_t *block = NULL;
    size_t bn = roundtrip(c, t, EMZ_TYPE_BF16, 0, src, n, 0, 1, &block, "16 MiB");
    cr_assert(bn < n, "16 MiB of BF16 values: %zu bytes", bn);
    emz_block_info info;
    cr_assert(emz_block_info_get(block, bn, &info) == EMZ_OK && info.original_size == n);
    free(block);
    free(src);
    emz_block_ctx_free(c);
    emz_tables_free(t);
}

/* ---- every implementation against scalar ---- */

static void fill_case(emz_type type, uint8_t *p, size_t n, int kind, uint64_t seed) {
    if (kind == 0) fill_values(type, p, n, seed, 1);
    if (kind == 1) tu_fill_random(p, n, seed);
    if (kind == 2) memset(p, 0x3C, n);
    if (kind == 3) { /* values, with a run of zeros and some random bytes */
        fill_values(type, p, n, seed, 4);
        memset(p + n / 3, 0, n / 3);
        for (size_t i = 0; i < n; i += 97)
            p[i] = (uint8_t)tu_rand(&seed);
    }
}

static void check_impl(emz_impl impl, emz_type type, const emz_tables *t) {
    static const size_t sizes[] = {1,   2,   3,   5,    16,   33,   64,       127,         128,
                                   255, 256, 300, 1023, 4096, 5001, 32 * KIB, 64 * KIB + 3};
    size_t max = 64 * KIB + 3;
    uint8_t *src = tu_xmalloc(max), *a = tu_xmalloc(max + 19), *b = tu_xmalloc(max + 19),
            *out = guarded(max);
    for (int checksum = 0; checksum < 2; checksum++) {
        emz_block_ctx *ref = ctx_new(t, checksum), *c = ctx_new(t, checksum);
        cr_assert(emz_block_ctx_set_param(ref, EMZ_PARAM_IMPL, EMZ_IMPL_SCALAR) == EMZ_OK);
        cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_IMPL, impl) == EMZ_OK);
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++)
            for (int kind = 0; kind < 4; kind++) {
                size_t n = sizes[s], na = 0, nb = 0, got = 0;
                fill_case(type, src, n, kind, 31 * s + (size_t)kind);
                uint32_t g = t ? (uint32_t)(s % 2) : 0;
                char what[160];
                snprintf(what, sizeof what,
                         "%s vs scalar, %s %s tables, checksum %d, %zu bytes, "
                         "data %d",
                         emz_impl_name(impl), emz_type_name(type), t ? "with" : "without", checksum,
                         n, kind);
                cr_assert(emz_block_compress(ref, type, g, src, n, a, max + 19, &na) == EMZ_OK);
                cr_assert(emz_block_compress(c, type, g, src, n, b, max + 19, &nb) == EMZ_OK,
                          "%s: compress", what);
                cr_assert(na == nb && memcmp(a, b, na) == 0, "%s: blocks differ (%zu, %zu bytes)",
                          what, na, nb);
                /* exactly the bound: coded through scratch, same bytes */
                cr_assert(emz_block_compress(c, type, g, src, n, b, n + 19, &nb) == EMZ_OK &&
                              nb == na && memcmp(a, b, na) == 0,
                          "%s: at the bound", what);
                memset(out, GUARD_BYTE, max + GUARD);
                emz_status st = emz_block_decompress(c, a, na, out, n, &got);
                cr_assert(st == EMZ_OK && got == n && memcmp(out, src, n) == 0,
                          "%s: decoding scalar's block: %s", what, emz_error_name(st));
                guard_intact(out, n, what);
            }
        emz_block_ctx_free(ref);
        emz_block_ctx_free(c);
    }
    free(src), free(a), free(b), free(out);
}

Test(blocks, every_impl_matches_scalar, .timeout = 600) {
    int others = 0;
    for (int i = EMZ_IMPL_SCALAR; i < EMZ_IMPL_COUNT; i++) {
        if (!emz_impl_available((emz_impl)i)) continue;
        others += i != EMZ_IMPL_SCALAR;
        for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
            emz_tables *t = train(all_types[k], 2, 21);
            emz_tables *shifted = train_channels(all_types[k], 2, 21, true);
            check_impl((emz_impl)i, all_types[k], t);
            check_impl((emz_impl)i, all_types[k], shifted);
            check_impl((emz_impl)i, all_types[k], NULL);
            emz_tables_free(t), emz_tables_free(shifted);
        }
    }
    cr_log_info("blocks: %d implementations besides scalar checked", others);
}

/* An implementation this build or CPU lacks is refused on a block context too. */
Test(blocks, unavailable_impl_refused) {
    emz_block_ctx *c = ctx_new(NULL, 0);
    for (int i = EMZ_IMPL_AUTO; i < EMZ_IMPL_COUNT; i++) {
        emz_status st = emz_block_ctx_set_param(c, EMZ_PARAM_IMPL, i);
        if (emz_impl_available((emz_impl)i) || i == EMZ_IMPL_AUTO)
            cr_assert(st == EMZ_OK, "%s: %s", emz_impl_name((emz_impl)i), emz_error_name(st));
        else
            cr_assert(st == EMZ_ERROR_IMPL_UNAVAILABLE, "%s: %s", emz_impl_name((emz_impl)i),
                      emz_error_name(st));
    }
    cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_IMPL, EMZ_IMPL_COUNT) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    emz_block_ctx_free(c);
}

/* ---- every bit pattern, with tables trained on other data ---- */

/* Every pattern of the type (all 2^16 of BF16 and FP16: NaN payloads, -0, infinities,
 * subnormals; all 2^8 of the byte types; for FP32 the special values among values), in blocks
 * of several sizes, in order and shuffled, and a few such symbols among trained-like values:
 * symbols training never saw must still round-trip, with every implementation. */
static void all_patterns(emz_type type, bool shifted) {
    size_t n = type == EMZ_TYPE_BF16 || type == EMZ_TYPE_FP16 ? 2 << 16 : 256;
    if (type == EMZ_TYPE_FP32) n = 4 * 4096;
    uint8_t *p = tu_xmalloc(n), *mixed = tu_xmalloc(32 * KIB);
    if (n == 2 << 16)
        for (size_t v = 0; v < 65536; v++)
            tu_put16(p + 2 * v, (uint16_t)v);
    else if (n == 256)
        for (size_t v = 0; v < 256; v++)
            p[v] = (uint8_t)v;
    else {
        static const uint32_t special[] = {0x00000000, 0x80000000, 0x7F800000, 0xFF800000,
                                           0x7FC00000, 0x7FC00001, 0xFFFFFFFF, 0x7F800001,
                                           0x00000001, 0x807FFFFF, 0x00800000, 0x7F7FFFFF};
        fill_values(type, p, n, 8, 1);
        for (size_t i = 0; i < n / 4; i += 7)
            tu_put32(p + 4 * i, special[i % 12]);
    }
    /* realistic values of scale 1; or channel data, with channel shifts */
    emz_tables *t = shifted ? train_channels(type, 1, 1234, true) : train(type, 1, 1234);
    uint64_t seed = 99;
    for (int i = EMZ_IMPL_SCALAR; i < EMZ_IMPL_COUNT; i++) {
        if (!emz_impl_available((emz_impl)i)) continue;
        for (int checksum = 0; checksum < 2; checksum++) {
            emz_block_ctx *c = ctx_new(t, checksum);
            cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_IMPL, i) == EMZ_OK);
            char what[120];
            for (int shuffled = 0; shuffled < 2; shuffled++) {
                static const size_t pieces[] = {256, 4 * KIB, 32 * KIB, 2 << 16};
                for (size_t k = 0; k < 4; k++)
                    for (size_t at = 0; at < n; at += pieces[k]) {
                        size_t len = n - at < pieces[k] ? n - at : pieces[k];
                        snprintf(what, sizeof what, "%s all patterns, %s, pieces of %zu at %zu%s",
                                 emz_type_name(type), emz_impl_name((emz_impl)i), pieces[k], at,
                                 shuffled ? ", shuffled" : "");
                        roundtrip(c, t, type, 0, p + at, len, (unsigned)(at % 7), checksum, NULL,
                                  what);
                    }
                /* shuffle whole elements */
                size_t w = type == EMZ_TYPE_FP32 ? 4 : n == 2 << 16 ? 2 : 1;
                for (size_t e = n / w - 1; e > 0; e--) {
                    size_t j = tu_rand(&seed) % (e + 1);
                    for (size_t b = 0; b < w; b++) {
                        uint8_t x = p[e * w + b];
                        p[e * w + b] = p[j * w + b], p[j * w + b] = x;
                    }
                }
            }
            /* values like the training data, with a few unseen symbols sprinkled in: the
             * stream is best coded with the table that covers every symbol */
            for (size_t step = 0; step < 3; step++) {
                fill_values(type, mixed, 32 * KIB, 500 + step, 1);
                size_t stride = step == 0 ? 4093 : step == 1 ? 511 : 61;
                for (size_t at = 0, v = 0; at + 4 <= 32 * KIB; at += stride, v++)
                    memcpy(mixed + (at & ~(size_t)3), p + (v * 4 * 97) % (n - 4), 4);
                snprintf(what, sizeof what, "%s values with unseen symbols every %zu, %s",
                         emz_type_name(type), stride, emz_impl_name((emz_impl)i));
                roundtrip(c, t, type, 0, mixed, 32 * KIB, 3, checksum, NULL, what);
            }
            emz_block_ctx_free(c);
        }
    }
    emz_tables_free(t);
    free(p);
    free(mixed);
}

#define PATTERN_TESTS(name, type)                                                                  \
    Test(blocks, all_patterns_##name, .timeout = 600) {                                            \
        all_patterns(type, false);                                                                 \
    }                                                                                              \
    Test(blocks, all_patterns_shifted_##name, .timeout = 600) {                                    \
        all_patterns(type, true);                                                                  \
    }
EACH_TYPE(PATTERN_TESTS)

/* A model of many layers trains within the file's 2,048 tables: FP8 groups with clusters take
 * a set per cluster (8 at 32 KiB blocks), so the last groups get fewer clusters, or none, and
 * training succeeds where it did without clusters; every group's blocks still round-trip. */
Test(blocks, many_groups_keep_to_the_table_limit, .timeout = 300) {
    emz_tables *t = train_channels(EMZ_TYPE_FP8_E4M3, 90, 3, true); /* asserts it trains */
    emz_tables_info info;
    cr_assert(emz_tables_info_get(t, &info) == EMZ_OK && info.table_count <= 2048);
    uint32_t first = 0, last = 0;
    cr_assert(emz_tables_group_clusters(t, 0, &first) == EMZ_OK && first >= 2, "%u", first);
    cr_assert(emz_tables_group_clusters(t, 89, &last) == EMZ_OK && last < first, "%u", last);
    emz_block_ctx *c = ctx_new(t, 1);
    uint8_t src[54 * 16];
    for (uint32_t g = 0; g < 90; g += 11) {
        fill_channels(EMZ_TYPE_FP8_E4M3, src, sizeof src, g);
        roundtrip(c, t, EMZ_TYPE_FP8_E4M3, g, src, sizeof src, 1, 1, NULL, "many groups");
    }
    emz_block_ctx_free(c);
    emz_tables_free(t);
}

/* ---- channel clusters: cutting blocks by them and joining them again ---- */

/* Random clusters of `channels` channels (every cluster given one) cut blocks of every kind of
 * size, whole tokens and partial ones, with every implementation: the same bytes as scalar's,
 * each cluster's bytes in element order, and join gives the block back. Widths that are
 * multiples of 64 up to 4,096 take AVX-512's vector permutation, the others its byte loop. */
Test(clusters, split_and_join_match_scalar, .timeout = 300) {
    static const size_t widths[] = {54, 64, 100, 128, 192, 320, 1024, 4096};
    const emz_kernels *scalar = NULL;
    cr_assert(emz_kernels_resolve(EMZ_IMPL_SCALAR, &scalar) == EMZ_OK);
    uint64_t seed = 77;
    unsigned checked = 0;
    for (size_t w = 0; w < sizeof widths / sizeof widths[0]; w++) {
        size_t C = widths[w];
        unsigned count = 2 + (unsigned)(tu_rand(&seed) % 15);
        uint8_t *map = tu_xmalloc(C);
        for (size_t c = 0; c < C; c++)
            map[c] = (uint8_t)(c < count ? c : tu_rand(&seed) % count);
        for (size_t c = C - 1; c > 0; c--) { /* shuffled: clusters of scattered channels */
            size_t j = tu_rand(&seed) % (c + 1);
            uint8_t x = map[c];
            map[c] = map[j], map[j] = x;
        }
        emz_channel_clusters field = {count, C, map};
        void *mem = tu_xmalloc(emz_kv_clusters_size(C, count));
        emz_tables_clusters cl;
        emz_kv_clusters_build(&field, mem, &cl);
        size_t sizes[] = {1, C - 1, C, C + 1, 3 * C + C / 2, 16 * C, 17 * C - 5};
        for (size_t z = 0; z < sizeof sizes / sizeof sizes[0]; z++) {
            size_t n = sizes[z], lens[EMZ_TABLE_FILE_CLUSTERS_MAX], total = 0;
            uint8_t *src = tu_xmalloc(n), *want = tu_xmalloc(n), *got = tu_xmalloc(n),
                    *back = tu_xmalloc(n), *temp = tu_xmalloc(n);
            tu_fill_random(src, n, seed++);
            emz_kv_clusters_lengths(&cl, n, lens);
            emz_kv_clusters_split(scalar, &cl, src, n, want, temp);
            /* the reference of the reference: cluster k's bytes in element order */
            for (unsigned k = 0; k < count; k++)
                for (size_t i = 0; i < n; i++)
                    if (map[i % C] == k)
                        cr_assert(want[total++] == src[i], "width %zu, %zu bytes: cluster %u", C, n,
                                  k);
            cr_assert(total == n);
            size_t sum = 0;
            for (unsigned k = 0; k < count; k++)
                sum += lens[k];
            cr_assert(sum == n, "width %zu, %zu bytes: cluster lengths add up to %zu", C, n, sum);
            for (int impl = EMZ_IMPL_SCALAR; impl < EMZ_IMPL_COUNT; impl++) {
                const emz_kernels *k = NULL;
                if (emz_kernels_resolve((emz_impl)impl, &k) != EMZ_OK) continue;
                emz_kv_clusters_split(k, &cl, src, n, got, temp);
                cr_assert(memcmp(got, want, n) == 0, "%s, width %zu, %zu bytes: split differs",
                          k->name, C, n);
                memset(back, 0xA5, n);
                emz_kv_clusters_join(k, &cl, got, n, back, temp);
                cr_assert(memcmp(back, src, n) == 0, "%s, width %zu, %zu bytes: join differs",
                          k->name, C, n);
                checked++;
            }
            free(src), free(want), free(got), free(back), free(temp);
        }
        free(mem), free(map);
    }
    cr_assert(checked >= 56);
}

/* ---- table files ---- */

static uint8_t *save(const emz_tables *t, size_t *size) {
    emz_tables_info info;
    cr_assert(emz_tables_info_get(t, &info) == EMZ_OK);
    uint8_t *f = tu_xmalloc(info.serialized_size);
    size_t n = 0;
    cr_assert(emz_tables_save(t, f, info.serialized_size - 1, &n) == EMZ_ERROR_DST_TOO_SMALL);
    cr_assert(emz_tables_save(t, f, info.serialized_size, &n) == EMZ_OK);
    cr_assert(n == info.serialized_size);
    *size = n;
    return f;
}

Test(tables, save_load_same_bytes_and_ids) {
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type type = all_types[k];
        emz_tables *t = train_ex(type, 3, (const float[]){1, 32, 1.0f / 32}, 8, 8, 128, 0);
        emz_tables_info a, b;
        cr_assert(emz_tables_info_get(t, &a) == EMZ_OK);
        cr_assert(a.type == type && a.groups == 3 && a.heads == 8 && a.head_dim == 128 &&
                      a.block_size == 32 * KIB,
                  "%s: info %d %u %u %u %u", emz_type_name(type), (int)a.type, a.groups, a.heads,
                  a.head_dim, a.block_size);
        size_t n = 0, m = 0;
        uint8_t *f = save(t, &n);
        cr_assert(a.id == emz_hash64(f, n), "the id is XXH3-64 of the file");
        emz_tables *u = NULL;
        char detail[200] = "x";
        cr_assert(emz_tables_load(f, n, NULL, &u, detail, sizeof detail) == EMZ_OK);
        cr_assert(detail[0] == 0, "detail '%s' after a good load", detail);
        cr_assert(emz_tables_info_get(u, &b) == EMZ_OK);
        cr_assert(memcmp(&a, &b, sizeof a) == 0 ||
                      (a.type == b.type && a.groups == b.groups && a.heads == b.heads &&
                       a.id == b.id && a.serialized_size == b.serialized_size),
                  "%s: info differs after load", emz_type_name(type));
        uint8_t *g = save(u, &m);
        cr_assert(m == n && memcmp(f, g, n) == 0, "%s: saved again, other bytes",
                  emz_type_name(type));
        for (uint32_t i = 0; i < 3; i++) {
            cr_assert(group_id(t, i) == group_id(u, i));
            for (uint32_t j = 0; j < i; j++)
                cr_assert(group_id(t, i) != group_id(t, j), "%s: groups %u and %u share an id",
                          emz_type_name(type), i, j);
        }
        uint64_t id;
        cr_assert(emz_tables_group_id(t, 3, &id) == EMZ_ERROR_INVALID_ARGUMENT);
        cr_assert(emz_tables_group_id(NULL, 0, &id) == EMZ_ERROR_INVALID_ARGUMENT);
        cr_assert(emz_tables_group_id(t, 0, NULL) == EMZ_ERROR_INVALID_ARGUMENT);
        /* a block coded with the trained tables decodes with the loaded ones, and back */
        emz_block_ctx *ct = ctx_new(t, 1), *cu = ctx_new(u, 1);
        uint8_t src[3000], blk[3019], out[3000];
        size_t bn = 0, on = 0;
        fill_values(type, src, sizeof src, 3, 32);
        cr_assert(emz_block_compress(ct, type, 1, src, sizeof src, blk, sizeof blk, &bn) == EMZ_OK);
        cr_assert(emz_block_decompress(cu, blk, bn, out, sizeof out, &on) == EMZ_OK &&
                  on == sizeof src && memcmp(out, src, on) == 0);
        emz_block_ctx_free(ct), emz_block_ctx_free(cu);
        emz_tables_free(t), emz_tables_free(u);
        free(f), free(g);
    }
}

/* Training is deterministic; the same data for two groups gives one set, which both use. */
Test(tables, deterministic_and_equal_groups) {
    emz_tables *a = train_ex(EMZ_TYPE_BF16, 2, NULL, 40, 0, 0, 4096);
    emz_tables *b = train_ex(EMZ_TYPE_BF16, 2, NULL, 40, 0, 0, 4096);
    size_t na, nb;
    uint8_t *fa = save(a, &na), *fb = save(b, &nb);
    cr_assert(na == nb && memcmp(fa, fb, na) == 0, "training twice gave other bytes");
    emz_tables_info info;
    cr_assert(emz_tables_info_get(a, &info) == EMZ_OK && info.block_size == 4096);
    /* groups 0 and 1 have different samples of one distribution: other sets, probably; make
     * them the same samples instead */
    uint8_t *data = tu_xmalloc(64 * KIB);
    fill_values(EMZ_TYPE_BF16, data, 64 * KIB, 1, 1);
    emz_tables_sample s[2] = {{data, 64 * KIB, 0}, {data, 64 * KIB, 1}};
    emz_tables_options o = {EMZ_TYPE_BF16, 2, 0, 0, 0};
    emz_tables *t = NULL;
    cr_assert(emz_tables_train(&o, s, 2, &t, NULL, 0) == EMZ_OK);
    cr_assert(group_id(t, 0) == group_id(t, 1));
    emz_block_ctx *c = ctx_new(t, 1);
    uint8_t blk[4096 + 19], out[4096];
    size_t bn = 0, on = 0;
    for (uint32_t g = 0; g < 2; g++) {
        cr_assert(emz_block_compress(c, EMZ_TYPE_BF16, g, data + 100, 4096, blk, sizeof blk, &bn) ==
                  EMZ_OK);
        cr_assert(emz_block_decompress(c, blk, bn, out, sizeof out, &on) == EMZ_OK &&
                  memcmp(out, data + 100, 4096) == 0);
    }
    emz_block_ctx_free(c);
    emz_tables_free(t), emz_tables_free(a), emz_tables_free(b);
    free(fa), free(fb), free(data);
}

/* Samples of one constant value (no stream has two symbols): the tables still code anything. */
Test(tables, constant_samples) {
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type type = all_types[k];
        uint8_t zeros[8192] = {0}, src[5000];
        emz_tables_sample s = {zeros, sizeof zeros, 0};
        emz_tables_options o = {type, 1, 0, 0, 0};
        emz_tables *t = NULL;
        cr_assert(emz_tables_train(&o, &s, 1, &t, NULL, 0) == EMZ_OK, "%s", emz_type_name(type));
        emz_block_ctx *c = ctx_new(t, 1);
        tu_fill_random(src, sizeof src, 5);
        roundtrip(c, t, type, 0, src, sizeof src, 0, 1, NULL, "random data, constant tables");
        fill_values(type, src, sizeof src, 5, 1);
        roundtrip(c, t, type, 0, src, sizeof src, 0, 1, NULL, "values, constant tables");
        roundtrip(c, t, type, 0, zeros, sizeof zeros, 0, 1, NULL, "zeros, constant tables");
        emz_block_ctx_free(c);
        emz_tables_free(t);
    }
}

/* Many groups, and the limit of 2,048 tables in a file. */
Test(tables, many_groups) {
    enum { G = 100 };
    uint8_t *data = tu_xmalloc(G * 2048);
    emz_tables_sample s[G];
    for (uint32_t g = 0; g < G; g++) {
        fill_values(EMZ_TYPE_FP16, data + g * 2048, 2048, g, (float)(1 + g % 9));
        s[g] = (emz_tables_sample){data + g * 2048, 2048, G - 1 - g};
    }
    emz_tables_options o = {EMZ_TYPE_FP16, G, 0, 0, 1024};
    emz_tables *t = NULL;
    cr_assert(emz_tables_train(&o, s, G, &t, NULL, 0) == EMZ_OK);
    emz_block_ctx *c = ctx_new(t, 1);
    for (uint32_t g = 0; g < G; g++)
        roundtrip(c, t, EMZ_TYPE_FP16, g, data + (G - 1 - g) * 2048, 2048, g % 8, 1, NULL,
                  "one of 100 groups");
    emz_block_ctx_free(c);
    emz_tables_free(t);
    /* 65,535 groups of random bytes need more than 2,048 tables */
    enum { H = 4000 };
    uint8_t *r = tu_xmalloc(H * 64);
    emz_tables_sample *hs = tu_xmalloc(H * sizeof *hs);
    tu_fill_random(r, H * 64, 3);
    for (uint32_t g = 0; g < H; g++)
        hs[g] = (emz_tables_sample){r + 64 * g, 64, g};
    o = (emz_tables_options){EMZ_TYPE_BYTES, H, 0, 0, 0};
    cr_assert(emz_tables_train(&o, hs, H, &t, NULL, 0) == EMZ_ERROR_INVALID_ARGUMENT);
    free(r), free(hs), free(data);
}

Test(tables, every_truncation_refused) {
    emz_tables *t = train(EMZ_TYPE_BF16, 2, 3);
    size_t n = 0;
    uint8_t *f = save(t, &n);
    for (size_t len = 0; len < n; len++) {
        uint8_t *copy = tu_xmalloc(len); /* exactly len bytes: a read past them is an error */
        memcpy(copy, f, len);
        emz_tables *u = NULL;
        char detail[200] = "";
        emz_status st = emz_tables_load(copy, len, NULL, &u, detail, sizeof detail);
        cr_assert(st == EMZ_ERROR_TRUNCATED || st == EMZ_ERROR_CHECKSUM, "%zu of %zu bytes: %s",
                  len, n, emz_error_name(st));
        cr_assert(u == NULL && detail[0] != 0, "%zu bytes: no detail", len);
        free(copy);
    }
    /* and a byte more */
    uint8_t *more = tu_xmalloc(n + 1);
    memcpy(more, f, n), more[n] = 0;
    emz_tables *u = NULL;
    cr_assert(emz_tables_load(more, n + 1, NULL, &u, NULL, 0) != EMZ_OK);
    free(more), free(f);
    emz_tables_free(t);
}

Test(tables, every_bit_flip_refused) {
    emz_tables *t = train(EMZ_TYPE_FP8_E4M3, 2, 3);
    size_t n = 0;
    uint8_t *f = save(t, &n);
    for (size_t bit = 0; bit < 8 * n; bit++) {
        f[bit / 8] ^= (uint8_t)(1u << bit % 8);
        emz_tables *u = NULL;
        char detail[200] = "";
        emz_status st = emz_tables_load(f, n, NULL, &u, detail, sizeof detail);
        /* a version byte flipped to another version this library reads: the checksum fails */
        unsigned version = f[4];
        emz_status want = bit < 32 ? EMZ_ERROR_NOT_EMZIP
                          : bit < 40 && (version < 1 || version > EMZ_TABLE_FILE_VERSION)
                              ? EMZ_ERROR_UNSUPPORTED_VERSION
                              : EMZ_ERROR_CHECKSUM;
        cr_assert(st == want, "bit %zu of %zu bytes: %s, want %s (%s)", bit, n, emz_error_name(st),
                  emz_error_name(want), detail);
        f[bit / 8] ^= (uint8_t)(1u << bit % 8);
    }
    free(f);
    emz_tables_free(t);
}

/* ---- forged table files (resealed, so that the checks behind the checksum are reached) ---- */

/* The sets of a valid file: where they start and how many bytes they take. */
static const uint8_t *sets_of(const uint8_t *f, size_t n, size_t *size) {
    emz_table_file_parse p = {0};
    cr_assert(emz_table_file_read(f, n, &p, NULL, 0) == EMZ_OK && p.header.groups <= 8);
    *size = n - EMZ_TABLE_FILE_TAIL - p.sets_at;
    return f + p.sets_at;
}

/* A file of header h and the given sets, sealed. */
static uint8_t *forge(const emz_table_file_header *h, const uint8_t *sets, size_t sets_size,
                      size_t *size) {
    uint8_t *out = tu_xmalloc(64 + sets_size + EMZ_TABLE_FILE_TAIL);
    size_t at = emz_table_file_write_head(h, out);
    memcpy(out + at, sets, sets_size);
    *size = emz_table_file_seal(out, at + sets_size);
    return out;
}

static emz_status load_status(const uint8_t *f, size_t n, char *detail, size_t detail_size) {
    emz_tables *u = NULL;
    emz_status st = emz_tables_load(f, n, NULL, &u, detail, detail_size);
    cr_assert((st == EMZ_OK) == (u != NULL));
    emz_tables_free(u);
    return st;
}

static void reseal(uint8_t *f, size_t n) {
    emz_table_file_seal(f, n - EMZ_TABLE_FILE_TAIL);
}

Test(tables, forged_fields_refused) {
    emz_tables *t = train(EMZ_TYPE_BF16, 2, 3);
    size_t n = 0, sn = 0, fn = 0;
    uint8_t *f = save(t, &n);
    const uint8_t *sets = sets_of(f, n, &sn);
    char detail[200];
    /* trained without a layout: no channel shifts, so a version 1 file (version 2 readers
     * and version 1 readers alike read it); the forger itself: the original header gives the
     * original file */
    cr_assert(f[4] == 1, "a file without channel shifts is version %u", f[4]);
    emz_table_file_header h = {1, EMZ_TYPE_BF16, 0, 0, 32 * KIB, 2};
    uint8_t *g = forge(&h, sets, sn, &fn);
    cr_assert(fn == n && memcmp(f, g, n) == 0, "the forger does not rebuild the file");
    free(g);
    static const struct {
        emz_table_file_header h;
        emz_status want;
    } cases[] = {
        {{1, EMZ_TYPE_BF16, 8, 64, 4096, 2}, EMZ_OK},
        {{1, EMZ_TYPE_FP16, 0, 0, 0, 2}, EMZ_OK}, /* sets do not say their type */
        {{1, EMZ_TYPE_BF16, 1u << 12, 1u << 12, 0, 2}, EMZ_OK},
        {{1, EMZ_TYPE_BF16, 1, 0, 0, 2}, EMZ_ERROR_CORRUPT},
        {{1, EMZ_TYPE_BF16, 0, 7, 0, 2}, EMZ_ERROR_CORRUPT},
        {{1, EMZ_TYPE_BF16, 1u << 12, (1u << 12) + 1, 0, 2}, EMZ_ERROR_CORRUPT},
        {{1, EMZ_TYPE_BF16, UINT32_MAX, UINT32_MAX, 0, 2}, EMZ_ERROR_CORRUPT},
        {{1, EMZ_TYPE_BF16, 0, 0, (1u << 24) + 1, 2}, EMZ_ERROR_CORRUPT},
        {{1, EMZ_TYPE_BF16, 0, 0, UINT32_MAX, 2}, EMZ_ERROR_CORRUPT},
        {{1, EMZ_TYPE_BF16, 0, 0, 0, 0}, EMZ_ERROR_CORRUPT},
        {{1, EMZ_TYPE_BF16, 0, 0, 0, 1}, EMZ_ERROR_CORRUPT}, /* bytes after the last set */
        {{1, EMZ_TYPE_BF16, 0, 0, 0, 3}, EMZ_ERROR_CORRUPT}, /* a set missing */
        {{1, EMZ_TYPE_BF16, 0, 0, 0, 65535}, EMZ_ERROR_CORRUPT},
        {{1, EMZ_TYPE_BF16, 0, 0, 0, 65536}, EMZ_ERROR_CORRUPT},
        {{1, EMZ_TYPE_BF16, 0, 0, 0, UINT32_MAX}, EMZ_ERROR_CORRUPT},
        {{1, (emz_type)7, 0, 0, 0, 2}, EMZ_ERROR_CORRUPT},
        {{1, (emz_type)255, 0, 0, 0, 2}, EMZ_ERROR_CORRUPT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        g = forge(&cases[i].h, sets, sn, &fn);
        detail[0] = 0;
        emz_status st = load_status(g, fn, detail, sizeof detail);
        cr_assert(st == cases[i].want, "case %zu: %s (%s), want %s", i, emz_error_name(st), detail,
                  emz_error_name(cases[i].want));
        cr_assert(st == EMZ_OK || detail[0], "case %zu: no detail", i);
        free(g);
    }
    /* fixed bytes: reserved, version; a non-minimal LEB128; a set damaged inside */
    uint8_t *d = tu_xmalloc(n + 1);
    for (int k = 0; k < 6; k++) {
        memcpy(d, f, n);
        size_t dn = n;
        emz_status want = EMZ_ERROR_CORRUPT;
        if (k == 0) d[6] = 1;
        if (k == 1) d[7] = 0x80;
        if (k == 2) d[4] = EMZ_TABLE_FILE_VERSION + 1, want = EMZ_ERROR_UNSUPPORTED_VERSION;
        if (k == 3) d[4] = 0, want = EMZ_ERROR_UNSUPPORTED_VERSION;
        if (k == 4) { /* heads as 0x80 0x00 */
            memmove(d + 9, f + 8, n - 8), d[8] = 0x80, d[9] = 0x00, dn = n + 1;
        }
        if (k == 5) d[n - EMZ_TABLE_FILE_TAIL - 9] ^= 0x10; /* in the last set */
        reseal(d, dn);
        emz_status st = load_status(d, dn, detail, sizeof detail);
        cr_assert(k == 5 ? st != EMZ_OK : st == want, "fixed case %d: %s (%s)", k,
                  emz_error_name(st), detail);
    }
    free(d), free(f);
    emz_tables_free(t);
}

/* A version 2 file's channel shifts: each field damaged (and the file resealed) is refused as
 * corrupt, as are the same groups under a header without a layout, of a type without an
 * exponent, or of version 1; the file itself loads. */
/* The groups of a version 3 file (f, n bytes) as version 2 groups: each group's shift and its
 * first set (the clusters field and the other clusters' sets dropped), into a malloc'd buffer of
 * *size bytes. */
/* The groups sets[0, sn) under each of count headers: header ok loads, every other is refused
 * as corrupt. */
static void headers_refused(const emz_table_file_header *headers, size_t count, size_t ok,
                            const uint8_t *sets, size_t sn) {
    for (size_t i = 0; i < count; i++) {
        size_t fn = 0;
        char detail[200] = "";
        uint8_t *g = forge(&headers[i], sets, sn, &fn);
        emz_status st = load_status(g, fn, detail, sizeof detail);
        cr_assert(st == (i == ok ? EMZ_OK : EMZ_ERROR_CORRUPT), "header case %zu: %s (%s)", i,
                  emz_error_name(st), detail);
        free(g);
    }
}

static uint8_t *version_2_groups(const uint8_t *f, size_t n, size_t *size) {
    emz_table_file_parse p = {0};
    cr_assert(emz_table_file_read(f, n, &p, NULL, 0) == EMZ_OK && p.header.version == 3);
    uint8_t *out = tu_xmalloc(n);
    size_t at = p.sets_at, to = 0, end = n - EMZ_TABLE_FILE_TAIL, used = 0;
    static emz_table_set ts;
    for (uint32_t g = 0; g < p.header.groups; g++) {
        emz_channel_shift shift;
        emz_channel_clusters cl;
        size_t sn = emz_table_file_read_shift(f + at, end - at, &p.header, &shift);
        memcpy(out + to, f + at, sn), to += sn, at += sn;
        at += emz_table_file_read_clusters(f + at, end - at, &p.header, &cl);
        for (unsigned k = 0; k < (cl.count ? cl.count : 1); k++, at += used) {
            cr_assert(emz_table_set_read(f + at, end - at, &ts, &used) == EMZ_OK);
            if (k == 0) memcpy(out + to, f + at, used), to += used;
        }
    }
    *size = to;
    return out;
}

Test(tables, forged_shifts_refused) {
    emz_tables *t = train_channels(EMZ_TYPE_FP8_E4M3, 2, 3, true);
    size_t n3 = 0, n = 0, sn = 0;
    uint8_t *f3 = save(t, &n3);
    cr_assert(f3[4] == 3, "FP8 tables with a layout: a version 3 file (clusters)");
    uint8_t *sets = version_2_groups(f3, n3, &sn);
    emz_table_file_header h2 = {2, EMZ_TYPE_FP8_E4M3, SHIFT_HEADS, SHIFT_DIM, 32 * KIB, 2};
    uint8_t *f = forge(&h2, sets, sn, &n);
    size_t at = n - EMZ_TABLE_FILE_TAIL - sn, channels = SHIFT_HEADS * SHIFT_DIM;
    cr_assert(sets[0] == 1 && load_status(f, n, NULL, 0) == EMZ_OK,
              "a version 2 file whose group 0 has a shift");
    char detail[200];
    uint8_t *d = tu_xmalloc(n);
    for (int k = 0; k < 4; k++) {
        memcpy(d, f, n);
        if (k == 0) d[at] = 2;                              /* neither absent nor present */
        if (k == 1) d[at + 1 + 5] = 16;                     /* an offset of 2^E */
        if (k == 2) d[at + 1 + channels + 6] |= 0x80;       /* a sign padding bit */
        if (k == 3) d[at + 1 + 7] ^= 1, d[at + 1 + 8] ^= 1; /* valid: loads, other ids */
        reseal(d, n);
        detail[0] = 0;
        emz_status st = load_status(d, n, detail, sizeof detail);
        cr_assert(st == (k == 3 ? EMZ_OK : EMZ_ERROR_CORRUPT), "shift case %d: %s (%s)", k,
                  emz_error_name(st), detail);
        cr_assert(k == 3 || strstr(detail, "channel shift"), "shift case %d: detail '%s'", k,
                  detail);
    }
    static const emz_table_file_header headers[] = {
        {2, EMZ_TYPE_FP8_E4M3, 0, 0, 0, 2},                /* no layout */
        {2, EMZ_TYPE_FP8_E4M3, 6, 9, 0, 2},                /* the same channel count: fine */
        {2, EMZ_TYPE_FP8_E4M3, 2, 28, 0, 2},               /* more channels than the shifts hold */
        {2, EMZ_TYPE_BYTES, SHIFT_HEADS, SHIFT_DIM, 0, 2}, /* no exponent */
        {2, EMZ_TYPE_FP4_E2M1, SHIFT_HEADS, SHIFT_DIM, 0, 2},
        {1, EMZ_TYPE_FP8_E4M3, SHIFT_HEADS, SHIFT_DIM, 0, 2}, /* version 1 has no shifts */
    };
    headers_refused(headers, sizeof headers / sizeof headers[0], 1, sets, sn);
    free(d), free(f), free(f3), free(sets);
    emz_tables_free(t);
}

/* A version 3 file's channel clusters: each field damaged (and the file resealed) is refused as
 * corrupt, as are the same groups under a header of a type without clusters (BF16: a shift,
 * no clusters), without a layout, or of version 2; a valid change loads. */
Test(tables, forged_clusters_refused) {
    emz_tables *t = train_channels(EMZ_TYPE_FP8_E4M3, 2, 3, true);
    size_t n = 0, sn = 0, channels = SHIFT_HEADS * SHIFT_DIM;
    uint8_t *f = save(t, &n);
    const uint8_t *sets = sets_of(f, n, &sn);
    emz_table_file_parse p = {0};
    cr_assert(emz_table_file_read(f, n, &p, NULL, 0) == EMZ_OK && p.header.version == 3);
    emz_channel_shift shift;
    size_t at = p.sets_at + emz_table_file_read_shift(f + p.sets_at, n, &p.header, &shift);
    unsigned count = f[at];
    cr_assert(count >= 2 && count <= EMZ_TABLE_FILE_CLUSTERS_MAX, "group 0: %u clusters", count);
    char detail[200];
    uint8_t *d = tu_xmalloc(n);
    for (int k = 0; k < 6; k++) {
        memcpy(d, f, n);
        if (k == 0) d[at] = 1;                               /* one cluster is none */
        if (k == 1) d[at] = EMZ_TABLE_FILE_CLUSTERS_MAX + 1; /* too many */
        if (k == 2) d[at + 1 + 7] = (uint8_t)count;          /* a channel in no cluster */
        if (k == 3) memset(d + at + 1, 0, channels);         /* clusters without channels */
        if (k == 4) d[at] = (uint8_t)count + 1;              /* a cluster without channels */
        if (k == 5) { /* two channels of different clusters swapped: valid, other ids */
            size_t a = 0, b = 1;
            while (d[at + 1 + b] == d[at + 1 + a])
                b++;
            uint8_t x = d[at + 1 + a];
            d[at + 1 + a] = d[at + 1 + b], d[at + 1 + b] = x;
        }
        reseal(d, n);
        detail[0] = 0;
        emz_status st = load_status(d, n, detail, sizeof detail);
        cr_assert(st == (k == 5 ? EMZ_OK : EMZ_ERROR_CORRUPT), "clusters case %d: %s (%s)", k,
                  emz_error_name(st), detail);
        cr_assert(k == 5 || k == 4 || strstr(detail, "channel clusters"),
                  "clusters case %d: detail '%s'", k, detail);
    }
    static const emz_table_file_header headers[] = {
        {3, EMZ_TYPE_FP8_E4M3, SHIFT_HEADS, SHIFT_DIM, 0, 2}, /* as it is */
        {3, EMZ_TYPE_BF16, SHIFT_HEADS, SHIFT_DIM, 0, 2},     /* no clusters for BF16 */
        {3, EMZ_TYPE_FP8_E4M3, 0, 0, 0, 2},                   /* no layout */
        {2, EMZ_TYPE_FP8_E4M3, SHIFT_HEADS, SHIFT_DIM, 0, 2}, /* version 2 has no clusters */
    };
    headers_refused(headers, sizeof headers / sizeof headers[0], 0, sets, sn);
    free(d), free(f);
    emz_tables_free(t);
}

/* A file of one group of a layout of 8 heads x head_dim (an FP8 type): with clusters, its
 * clusters field (channel 0 in cluster 1, the others in cluster 0) and two sets, else its shift
 * (offsets 0, flips 0: valid) and one set; loaded, and the status and detail returned. */
static emz_status load_wide_group(bool clusters, uint32_t head_dim, char *detail, size_t dsize) {
    static emz_table_set ts;
    memset(&ts, 0, sizeof ts);
    uint8_t len[256] = {0};
    for (unsigned s = 0; s < 16; s++)
        len[s] = 4;
    cr_assert(emz_table_set_add(&ts, 4, len) == 0);
    size_t set_size = emz_table_set_size(&ts), channels = 8 * (size_t)head_dim;
    size_t field = clusters ? 1 + 1 + channels : 1 + channels + (channels + 7) / 8;
    size_t group = field + (clusters ? 2 : 1) * set_size;
    uint8_t *sets = calloc(1, group);
    cr_assert(sets != NULL);
    sets[0] = !clusters;
    if (clusters) sets[1] = 2, sets[2] = 1;
    emz_table_set_write(&ts, sets + field);
    if (clusters) emz_table_set_write(&ts, sets + field + set_size);
    emz_table_file_header h = {clusters ? 3 : 2, EMZ_TYPE_FP8_E4M3, 8, head_dim, 0, 1};
    size_t fn = 0;
    uint8_t *f = forge(&h, sets, group, &fn);
    emz_status st = load_status(f, fn, detail, dsize);
    free(f), free(sets);
    return st;
}

/* Shifts of more than 2^22 channels in all, and clusters of more than 2^20, are refused before
 * anything is built for them (a shift's words take up to 8 bytes a channel, clusters up to 18);
 * 2^22 and 2^20 load. */
Test(tables, channel_limits, .timeout = 120) {
    for (int clusters = 0; clusters < 2; clusters++)
        for (int over = 0; over < 2; over++) {
            uint32_t head_dim = (clusters ? 1u << 17 : 1u << 19) + (uint32_t)over;
            char detail[200] = "";
            emz_status st = load_wide_group(clusters, head_dim, detail, sizeof detail);
            cr_assert(st == (over ? EMZ_ERROR_CORRUPT : EMZ_OK), "%s, 8 x %u channels: %s (%s)",
                      clusters ? "clusters" : "shift", head_dim, emz_error_name(st), detail);
            cr_assert(!over ||
                          strstr(detail, clusters ? "channels of clusters" : "channels of shifts"),
                      "detail: %s", detail);
        }
}

/* A file of more than 2,048 tables in all is refused before anything is built for them. */
Test(tables, table_count_limit) {
    static emz_table_set ts;
    memset(&ts, 0, sizeof ts);
    for (unsigned i = 0; i < EMZ_TABLE_SET_MAX; i++) {
        uint8_t len[256] = {0};
        for (unsigned s = 0; s < 256; s++)
            len[s] = 8;
        len[i] = 7, len[(i + 1) % 256] = 9, len[(i + 2) % 256] = 9; /* varied, complete */
        if (i == 0) len[255] = 8, len[0] = 8, len[1] = 8, len[2] = 8;
        cr_assert(emz_table_set_add(&ts, 8, len) == (int)i, "table %u", i);
    }
    size_t one = emz_table_set_size(&ts);
    uint8_t *sets = tu_xmalloc(9 * one);
    for (int g = 0; g < 9; g++)
        emz_table_set_write(&ts, sets + g * one);
    for (uint32_t groups = 8; groups <= 9; groups++) {
        emz_table_file_header h = {1, EMZ_TYPE_BYTES, 0, 0, 0, groups}; /* version 1: no shifts */
        size_t fn = 0;
        uint8_t *f = forge(&h, sets, groups * one, &fn);
        char detail[200] = "";
        emz_status st = load_status(f, fn, detail, sizeof detail);
        cr_assert(st == (groups * EMZ_TABLE_SET_MAX <= 2048 ? EMZ_OK : EMZ_ERROR_CORRUPT),
                  "%u groups of %u tables: %s (%s)", groups, EMZ_TABLE_SET_MAX, emz_error_name(st),
                  detail);
        free(f);
    }
    free(sets);
}

Test(tables, expected_type_and_layout) {
    emz_tables *t = train_ex(EMZ_TYPE_FP16, 1, NULL, 2, 4, 64, 0);
    size_t n = 0;
    uint8_t *f = save(t, &n);
    emz_tables_info info;
    cr_assert(emz_tables_info_get(t, &info) == EMZ_OK);
    char id[17];
    snprintf(id, sizeof id, "%016" PRIx64, info.id);
    static const struct {
        emz_type type;
        uint32_t heads, head_dim;
        emz_status want;
    } cases[] = {
        {EMZ_TYPE_FP16, 4, 64, EMZ_OK},
        {EMZ_TYPE_FP16, 0, 0, EMZ_OK},
        {EMZ_TYPE_BF16, 0, 0, EMZ_ERROR_WRONG_TABLES},
        {EMZ_TYPE_BF16, 4, 64, EMZ_ERROR_WRONG_TABLES},
        {EMZ_TYPE_FP8_E4M3, 4, 64, EMZ_ERROR_WRONG_TABLES},
        {EMZ_TYPE_FP16, 4, 128, EMZ_ERROR_WRONG_TABLES},
        {EMZ_TYPE_FP16, 8, 64, EMZ_ERROR_WRONG_TABLES},
        {EMZ_TYPE_FP16, 4, 0, EMZ_ERROR_WRONG_TABLES},
        {EMZ_TYPE_FP16, 0, 64, EMZ_ERROR_WRONG_TABLES},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emz_tables_info e;
        memset(&e, 0x5A, sizeof e); /* other fields are ignored */
        e.type = cases[i].type, e.heads = cases[i].heads, e.head_dim = cases[i].head_dim;
        emz_tables *u = NULL;
        char detail[256] = "";
        emz_status st = emz_tables_load(f, n, &e, &u, detail, sizeof detail);
        cr_assert(st == cases[i].want, "case %zu: %s", i, emz_error_name(st));
        cr_assert((st == EMZ_OK) == (u != NULL));
        if (st != EMZ_OK)
            cr_assert(strstr(detail, id) != NULL, "case %zu: the detail '%s' does not name %s", i,
                      detail, id);
        emz_tables_free(u);
        /* a detail buffer of one byte, or none, is fine */
        char tiny[1] = {'x'};
        cr_assert(emz_tables_load(f, n, &e, &u, tiny, 1) == cases[i].want && tiny[0] == 0);
        emz_tables_free(u);
        u = NULL;
        cr_assert(emz_tables_load(f, n, &e, &u, NULL, 0) == cases[i].want);
        emz_tables_free(u);
    }
    free(f);
    emz_tables_free(t);
}

Test(tables, garbage_refused) {
    uint8_t buf[4096];
    char detail[200];
    emz_tables *u = NULL;
    for (size_t len = 1; len <= sizeof buf; len = len * 3 + 1) {
        tu_fill_random(buf, len, len);
        buf[0] = (uint8_t)(buf[0] == 0x89 ? 0 : buf[0]);
        emz_status st = emz_tables_load(buf, len, NULL, &u, detail, sizeof detail);
        cr_assert(st == (len < 4 ? EMZ_ERROR_TRUNCATED : EMZ_ERROR_NOT_EMZIP),
                  "%zu random bytes: %s", len, emz_error_name(st));
        /* with the magic, random bytes fail the version or the checksum */
        memcpy(buf,
               "\x89"
               "EMK",
               4);
        st = emz_tables_load(buf, len, NULL, &u, detail, sizeof detail);
        cr_assert(st == EMZ_ERROR_TRUNCATED || st == EMZ_ERROR_UNSUPPORTED_VERSION ||
                      st == EMZ_ERROR_CHECKSUM || (len < 4 && st == EMZ_ERROR_NOT_EMZIP),
                  "%zu bytes after the magic: %s", len, emz_error_name(st));
    }
    /* a frame is not a table file */
    size_t fn = 0;
    uint8_t frame[64];
    cr_assert(emz_compress(NULL, frame, sizeof frame, "abcd", 4, EMZ_TYPE_BYTES, &fn) == EMZ_OK);
    cr_assert(emz_tables_load(frame, fn, NULL, &u, detail, sizeof detail) == EMZ_ERROR_NOT_EMZIP);
    cr_assert(emz_tables_load(frame, 0, NULL, &u, NULL, 0) == EMZ_ERROR_TRUNCATED);
    cr_assert(emz_tables_load(NULL, 10, NULL, &u, NULL, 0) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_tables_load(frame, fn, NULL, NULL, NULL, 0) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(u == NULL);
    emz_tables_free(NULL);
}

Test(tables, bad_training_options) {
    uint8_t data[1024];
    fill_values(EMZ_TYPE_BF16, data, sizeof data, 1, 1);
    emz_tables_sample s[3] = {{data, 512, 0}, {data + 512, 512, 1}, {data, 0, 1}};
    static const struct {
        emz_tables_options o;
        size_t count;
        emz_status want;
    } cases[] = {
        {{EMZ_TYPE_BF16, 2, 0, 0, 0}, 2, EMZ_OK},
        {{EMZ_TYPE_BF16, 2, 8, 64, 16}, 3, EMZ_OK},
        {{EMZ_TYPE_BF16, 0, 0, 0, 0}, 2, EMZ_ERROR_INVALID_ARGUMENT},     /* no groups */
        {{EMZ_TYPE_BF16, 1, 0, 0, 0}, 2, EMZ_ERROR_INVALID_ARGUMENT},     /* group 1 of 1 */
        {{EMZ_TYPE_BF16, 65536, 0, 0, 0}, 2, EMZ_ERROR_INVALID_ARGUMENT}, /* too many */
        {{EMZ_TYPE_BF16, 3, 0, 0, 0}, 2, EMZ_ERROR_INVALID_ARGUMENT},     /* group 2 unsampled */
        {{EMZ_TYPE_BF16, 2, 0, 0, 0}, 1, EMZ_ERROR_INVALID_ARGUMENT},     /* group 1 unsampled */
        {{EMZ_TYPE_BF16, 2, 8, 0, 0}, 2, EMZ_ERROR_INVALID_ARGUMENT},     /* half a layout */
        {{EMZ_TYPE_BF16, 2, 0, 128, 0}, 2, EMZ_ERROR_INVALID_ARGUMENT},   /* the other half */
        {{EMZ_TYPE_BF16, 2, 1u << 13, 1u << 12, 0}, 2, EMZ_ERROR_INVALID_ARGUMENT},
        {{EMZ_TYPE_BF16, 2, 0, 0, 8}, 2, EMZ_ERROR_INVALID_ARGUMENT}, /* block too small */
        {{EMZ_TYPE_BF16, 2, 0, 0, (1u << 24) + 1}, 2, EMZ_ERROR_INVALID_ARGUMENT},
        {{(emz_type)7, 2, 0, 0, 0}, 2, EMZ_ERROR_INVALID_ARGUMENT}, /* unknown type */
        {{(emz_type)-1, 2, 0, 0, 0}, 2, EMZ_ERROR_INVALID_ARGUMENT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emz_tables *t = NULL;
        emz_status st = emz_tables_train(&cases[i].o, s, cases[i].count, &t, NULL, 0);
        cr_assert(st == cases[i].want, "case %zu: %s", i, emz_error_name(st));
        cr_assert((st == EMZ_OK) == (t != NULL), "case %zu", i);
        emz_tables_free(t);
    }
    /* only an empty sample for a group */
    emz_tables_sample e[2] = {{data, 512, 0}, {data, 0, 1}};
    emz_tables_options o = {EMZ_TYPE_BF16, 2, 0, 0, 0};
    emz_tables *t = NULL;
    cr_assert(emz_tables_train(&o, e, 2, &t, NULL, 0) == EMZ_ERROR_INVALID_ARGUMENT);
    /* NULL pointers */
    emz_tables_sample nul = {NULL, 10, 0};
    o.groups = 1;
    cr_assert(emz_tables_train(&o, &nul, 1, &t, NULL, 0) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_tables_train(&o, NULL, 1, &t, NULL, 0) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_tables_train(&o, NULL, 0, &t, NULL, 0) ==
              EMZ_ERROR_INVALID_ARGUMENT); /* no samples */
    cr_assert(emz_tables_train(NULL, s, 1, &t, NULL, 0) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_tables_train(&o, s, 1, NULL, NULL, 0) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(t == NULL);
    emz_tables_info info;
    cr_assert(emz_tables_info_get(NULL, &info) == EMZ_ERROR_INVALID_ARGUMENT);
    size_t w;
    cr_assert(emz_tables_save(NULL, data, sizeof data, &w) == EMZ_ERROR_INVALID_ARGUMENT);
}

/* ---- hostile and mismatched blocks ---- */

static uint8_t *make_block(emz_block_ctx *c, emz_type type, uint32_t group, const uint8_t *src,
                           size_t n, size_t *size) {
    uint8_t *b = tu_xmalloc(n + 19);
    emz_status st = emz_block_compress(c, type, group, src, n, b, n + 19, size);
    cr_assert(st == EMZ_OK, "compress: %s (%s)", emz_error_name(st), emz_block_ctx_error_detail(c));
    return b;
}

/* A block coded with t (group 0) from src, of the version it should be, decodes; with another
 * version in its header (version - 1 XOR flip) it is refused as corrupt, the detail holding
 * why. */
static void version_flip_refused(emz_tables *t, emz_type type, const uint8_t *src, size_t n,
                                 unsigned version, unsigned flip, const char *why) {
    emz_block_ctx *c = ctx_new(t, 0);
    uint8_t *out = tu_xmalloc(n);
    size_t bn = 0, got = 0;
    uint8_t *blk = make_block(c, type, 0, src, n, &bn);
    cr_assert(blk[1] >> 5 == version - 1 && (blk[1] & 0x10), "a tagged version %u block", version);
    cr_assert(emz_block_decompress(c, blk, bn, out, n, &got) == EMZ_OK);
    blk[1] ^= (uint8_t)(flip << 5);
    emz_status st = emz_block_decompress(c, blk, bn, out, n, &got);
    cr_assert(st == EMZ_ERROR_CORRUPT, "%s", emz_error_name(st));
    cr_assert(strstr(emz_block_ctx_error_detail(c), why), "detail: %s",
              emz_block_ctx_error_detail(c));
    free(blk), free(out);
    emz_block_ctx_free(c);
}

/* The block version says whether the payload is shifted and cut by clusters, and the set must
 * agree: a version 1 block made version 2 or 3 (its set has neither), a version 2 block made
 * version 1 or 3 (its set has a shift and no clusters) and a version 3 block made version 1 or
 * 2 (its set has clusters) are refused as corrupt, never decoded as what they were not. */
Test(blocks, version_2_without_shift_refused) {
    uint8_t src[2048];
    emz_tables *t = train(EMZ_TYPE_BF16, 1, 4);
    fill_values(EMZ_TYPE_BF16, src, sizeof src, 5, 1);
    version_flip_refused(t, EMZ_TYPE_BF16, src, sizeof src, 1, 1, "has neither");
    version_flip_refused(t, EMZ_TYPE_BF16, src, sizeof src, 1, 2, "has neither");
    emz_tables_free(t);
    t = train_channels(EMZ_TYPE_BF16, 1, 4, true);
    fill_channels(EMZ_TYPE_BF16, src, sizeof src, 6);
    version_flip_refused(t, EMZ_TYPE_BF16, src, sizeof src, 2, 1, "has a channel shift");
    version_flip_refused(t, EMZ_TYPE_BF16, src, sizeof src, 2, 3, "has a channel shift");
    emz_tables_free(t);
    t = train_channels(EMZ_TYPE_FP8_E4M3, 1, 4, true);
    fill_channels(EMZ_TYPE_FP8_E4M3, src, sizeof src, 6);
    version_flip_refused(t, EMZ_TYPE_FP8_E4M3, src, sizeof src, 3, 2, "has channel clusters");
    version_flip_refused(t, EMZ_TYPE_FP8_E4M3, src, sizeof src, 3, 3, "has channel clusters");
    emz_tables_free(t);
}

/* A table of the set that does not beat RAW never keeps a stream from its own code: with a
 * flat 8-bit table (no better than RAW), bytes that are nearly uniform, whose own code saves a
 * little, are coded as small as without tables (the tag aside). The encoder's shortcut that
 * skips building the own code once a set's table surely beats it must also see the table beat
 * RAW: without that, some of these pages were written RAW. */
/* Tables of type for one group whose set is the one 8-bit table of code lengths len. */
static emz_tables *one_table(emz_type type, const uint8_t len[256]) {
    static emz_table_set ts;
    memset(&ts, 0, sizeof ts);
    cr_assert(emz_table_set_add(&ts, 8, len) == 0);
    size_t sn = emz_table_set_size(&ts), fn = 0;
    uint8_t *sets = tu_xmalloc(sn);
    emz_table_set_write(&ts, sets);
    emz_table_file_header h = {1, type, 0, 0, 0, 1};
    uint8_t *f = forge(&h, sets, sn, &fn);
    emz_tables *t = NULL;
    cr_assert(emz_tables_load(f, fn, NULL, &t, NULL, 0) == EMZ_OK); /* a copy of f */
    free(f), free(sets);
    return t;
}

Test(blocks, a_table_that_loses_to_raw_leaves_the_own_code) {
    uint8_t len[256];
    memset(len, 8, sizeof len);
    emz_tables *t = one_table(EMZ_TYPE_BYTES, len);
    emz_block_ctx *with = ctx_new(t, 0), *without = ctx_new(NULL, 0);
    enum { N = 16 * 1024 };
    uint8_t *src = tu_xmalloc(N), *a = tu_xmalloc(N + 19), *b = tu_xmalloc(N + 19);
    unsigned coded = 0;
    for (unsigned skew = 1; skew <= 40; skew++) {
        uint64_t seed = skew;
        for (size_t i = 0; i < N; i++) { /* skew/256 of the bytes below 16, the rest uniform */
            uint64_t r = tu_rand(&seed);
            src[i] = (uint8_t)((r & 255) < skew ? (r >> 8) % 16 : (r >> 8) % 256);
        }
        size_t na = 0, nb = 0;
        cr_assert(emz_block_compress(with, EMZ_TYPE_BYTES, 0, src, N, a, N + 19, &na) == EMZ_OK);
        cr_assert(emz_block_compress(without, EMZ_TYPE_BYTES, 0, src, N, b, N + 19, &nb) == EMZ_OK);
        cr_assert(na <= nb + 4, "skew %u: %zu bytes with the flat table, %zu without", skew, na,
                  nb);
        coded += nb < N; /* the own code beat RAW */
    }
    cr_assert(coded >= 10, "only %u pages had an own code better than RAW", coded);
    free(src), free(a), free(b);
    emz_block_ctx_free(with), emz_block_ctx_free(without);
    emz_tables_free(t);
}

/* A BF16 page of m elements: exponents of gaussian values; sign+mantissa bytes uniform (kind
 * 0), or of three classes with 7, 8 and 9 bits of information (kind 1: a values of the first,
 * 256 - 3a of the second, 2a of the third, 8 - a/256 bits a byte, which the code of lengths 7,
 * 8 and 9 reaches exactly), or 60% of them below 16 (kind 2: about 6.4 bits a byte). */
static void fill_signmant_kind(uint8_t *p, size_t m, int kind, unsigned a, uint64_t seed) {
    for (size_t i = 0; i < m; i++) {
        uint64_t r = tu_rand(&seed);
        unsigned sm = (r >> 16) % 256, c = r % 512, b = 4 * a, d = b + 2 * (256 - 3 * a);
        if (kind == 1) sm = c < b ? c / 4 : c < d ? a + (c - b) / 2 : 256 - 2 * a + (c - d);
        if (kind == 2 && (r & 0xFFFF) < 39322) sm = (r >> 16) % 16;
        double g = fabs(tu_gauss(&seed)) + 1e-3;
        int e = 127 - 4; /* floor(log2(g)) added, without libm */
        for (; g >= 2; g /= 2)
            e++;
        for (; g < 1; g *= 2)
            e--;
        uint16_t v = (uint16_t)((sm & 0x80) << 8 | (unsigned)(e < 1 ? 1 : e) << 7 | (sm & 0x7F));
        memcpy(p + 2 * i, &v, 2);
    }
}

/* The encoder judges from a sample whether a 16 Ki-element sign+mantissa stream may be coded,
 * before it counts the whole stream: with its own code (at least the floor of its table), or
 * with a table of the set. Bytes that save 3.1% (kind 1) are coded alone and, smaller still,
 * with a set's table that fits them exactly; bytes that save a fifth (kind 2) are coded alone.
 * A sample test that wrongly sent them to RAW fails here. */
Test(blocks, sign_mantissa_coded_where_it_pays) {
    enum { M = 16 * 1024 };
    uint8_t len[256];
    for (unsigned v = 0; v < 256; v++)
        len[v] = v < 64 ? 7 : v < 128 ? 8 : 9;
    emz_tables *t = one_table(EMZ_TYPE_BF16, len);
    emz_block_ctx *with = ctx_new(t, 0), *without = ctx_new(NULL, 0);
    uint8_t *src = tu_xmalloc(2 * M), *uniform = tu_xmalloc(2 * M);
    uint8_t *a = tu_xmalloc(2 * M + 19), *b = tu_xmalloc(2 * M + 19), *c = tu_xmalloc(2 * M + 19);
    for (uint64_t seed = 1; seed <= 12; seed++) {
        int kind = seed <= 8 ? 1 : 2;
        size_t na = 0, nb = 0, nu = 0;
        fill_signmant_kind(src, M, kind, 64, seed);
        fill_signmant_kind(uniform, M, 0, 0, seed); /* the same exponents */
        cr_assert(emz_block_compress(with, EMZ_TYPE_BF16, 0, src, 2 * M, a, 2 * M + 19, &na) ==
                  EMZ_OK);
        cr_assert(emz_block_compress(without, EMZ_TYPE_BF16, 0, src, 2 * M, b, 2 * M + 19, &nb) ==
                  EMZ_OK);
        cr_assert(emz_block_compress(without, EMZ_TYPE_BF16, 0, uniform, 2 * M, c, 2 * M + 19,
                                     &nu) == EMZ_OK);
        if (kind == 1) {
            cr_assert(nb + M / 50 < nu, "seed %" PRIu64 ": %zu bytes alone, %zu with uniform bytes",
                      seed, nb, nu);
            cr_assert(na + M / 40 < nu && na < nb,
                      "seed %" PRIu64 ": %zu bytes with the table, %zu alone, %zu uniform", seed,
                      na, nb, nu);
        } else {
            cr_assert(nb + M / 8 < nu, "seed %" PRIu64 ": %zu bytes, %zu with uniform bytes", seed,
                      nb, nu);
        }
    }
    free(src), free(uniform), free(a), free(b), free(c);
    emz_block_ctx_free(with), emz_block_ctx_free(without);
    emz_tables_free(t);
}

/* The sample test's margin (sample_may_pay): 300 pages whose bytes save 1.86% with a code
 * that reaches their entropy (kind 1, a = 38), which the whole histogram codes (1.86% is more
 * than the 1% a plane must save plus its table and lanes, about 0.4%), are all coded. Without
 * the margin, 3 of them were sent to RAW by their sample's noise. */
Test(blocks, sign_mantissa_sample_noise) {
    enum { M = 16 * 1024, PAGES = 300 };
    emz_block_ctx *c = ctx_new(NULL, 0);
    uint8_t *src = tu_xmalloc(2 * M), *uniform = tu_xmalloc(2 * M);
    uint8_t *a = tu_xmalloc(2 * M + 19), *b = tu_xmalloc(2 * M + 19);
    unsigned raw = 0;
    for (uint64_t seed = 1; seed <= PAGES; seed++) {
        size_t na = 0, nu = 0;
        fill_signmant_kind(src, M, 1, 38, seed * 7919);
        fill_signmant_kind(uniform, M, 0, 0, seed * 7919);
        cr_assert(emz_block_compress(c, EMZ_TYPE_BF16, 0, src, 2 * M, a, 2 * M + 19, &na) ==
                  EMZ_OK);
        cr_assert(emz_block_compress(c, EMZ_TYPE_BF16, 0, uniform, 2 * M, b, 2 * M + 19, &nu) ==
                  EMZ_OK);
        raw += na + M / 100 >= nu;
    }
    cr_assert(raw == 0, "%u of %d pages kept their bytes RAW", raw, PAGES);
    free(src), free(uniform), free(a), free(b);
    emz_block_ctx_free(c);
}

Test(blocks, wrong_tables_named) {
    emz_tables *a = train(EMZ_TYPE_BF16, 2, 1), *b = train(EMZ_TYPE_BF16, 2, 2);
    emz_tables *e = train(EMZ_TYPE_FP16, 2, 1);
    emz_block_ctx *ca = ctx_new(a, 1), *cb = ctx_new(b, 1), *ce = ctx_new(e, 1),
                  *none = ctx_new(NULL, 1);
    uint8_t src[4096], out[4096];
    fill_values(EMZ_TYPE_BF16, src, sizeof src, 7, 1);
    size_t bn = 0, got = 0;
    uint8_t *blk = make_block(ca, EMZ_TYPE_BF16, 1, src, sizeof src, &bn);
    emz_tables_info ib, ie;
    cr_assert(emz_tables_info_get(b, &ib) == EMZ_OK && emz_tables_info_get(e, &ie) == EMZ_OK);
    char tag[9], idb[17], ide[17];
    snprintf(tag, sizeof tag, "%08" PRIx32, (uint32_t)group_id(a, 1));
    snprintf(idb, sizeof idb, "%016" PRIx64, ib.id);
    snprintf(ide, sizeof ide, "%016" PRIx64, ie.id);
    for (uint32_t g = 0; g < 2; g++)
        cr_assert((uint32_t)group_id(b, g) != (uint32_t)group_id(a, 1), "tags collide");
    /* other tables of the same type */
    cr_assert(emz_block_decompress(cb, blk, bn, out, sizeof out, &got) == EMZ_ERROR_WRONG_TABLES);
    const char *d = emz_block_ctx_error_detail(cb);
    cr_assert(strstr(d, tag) && strstr(d, idb), "detail '%s' should name %s and %s", d, tag, idb);
    /* tables of another type */
    cr_assert(emz_block_decompress(ce, blk, bn, out, sizeof out, &got) == EMZ_ERROR_WRONG_TABLES);
    d = emz_block_ctx_error_detail(ce);
    cr_assert(strstr(d, tag) && strstr(d, ide), "detail '%s' should name %s and %s", d, tag, ide);
    /* no tables */
    cr_assert(emz_block_decompress(none, blk, bn, out, sizeof out, &got) == EMZ_ERROR_WRONG_TABLES);
    d = emz_block_ctx_error_detail(none);
    cr_assert(strstr(d, tag), "detail '%s' should name %s", d, tag);
    /* the right ones, after the failures */
    cr_assert(emz_block_decompress(ca, blk, bn, out, sizeof out, &got) == EMZ_OK &&
              memcmp(out, src, sizeof src) == 0);
    cr_assert(emz_block_ctx_error_detail(ca)[0] == 0);
    /* an untagged block decodes with any context */
    size_t un = 0;
    uint8_t *plain = make_block(none, EMZ_TYPE_BF16, 0, src, sizeof src, &un);
    emz_block_ctx *all[4] = {ca, cb, ce, none};
    for (int i = 0; i < 4; i++)
        cr_assert(emz_block_decompress(all[i], plain, un, out, sizeof out, &got) == EMZ_OK &&
                  memcmp(out, src, sizeof src) == 0);
    /* compressing: the tables' type and groups */
    uint8_t dst[4096 + 19];
    cr_assert(emz_block_compress(ca, EMZ_TYPE_FP16, 0, src, sizeof src, dst, sizeof dst, &got) ==
              EMZ_ERROR_WRONG_TABLES);
    cr_assert(strstr(emz_block_ctx_error_detail(ca), "bf16") != NULL);
    cr_assert(emz_block_compress(ca, EMZ_TYPE_BF16, 2, src, sizeof src, dst, sizeof dst, &got) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_block_compress(none, EMZ_TYPE_BF16, 12345, src, sizeof src, dst, sizeof dst,
                                 &got) == EMZ_OK); /* the group is ignored without tables */
    cr_assert(emz_block_compress(none, (emz_type)7, 0, src, sizeof src, dst, sizeof dst, &got) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    free(blk), free(plain);
    emz_block_ctx_free(ca), emz_block_ctx_free(cb), emz_block_ctx_free(ce),
        emz_block_ctx_free(none);
    emz_tables_free(a), emz_tables_free(b), emz_tables_free(e);
}

/* Decodes a damaged block into a buffer of exactly the original size (guarded); returns the
 * status. A success must report exactly the size. */
static emz_status decode_damaged(emz_block_ctx *c, const uint8_t *blk, size_t bn, uint8_t *out,
                                 size_t n, const char *what, size_t at) {
    size_t got = 0;
    memset(out + n, GUARD_BYTE, GUARD);
    emz_status st = emz_block_decompress(c, blk, bn, out, n, &got);
    for (size_t i = 0; i < GUARD; i++)
        cr_assert(out[n + i] == GUARD_BYTE, "%s, %zu: wrote past the capacity", what, at);
    if (st == EMZ_OK) cr_assert(got <= n, "%s, %zu: %zu bytes written", what, at, got);
    return st;
}

/* Every single-bit flip and every truncation of blocks of every type, with and without tables:
 * with a checksum none is accepted; without one, none crashes or writes past dst. */
static void damage(emz_type type, int with_tables, int checksum) {
    emz_tables *t = with_tables ? train(type, 2, 17) : NULL;
    emz_block_ctx *c = ctx_new(t, checksum);
    static const size_t sizes[] = {37, 2048};
    uint8_t src[2048], out[2048 + GUARD];
    unsigned long accepted = 0, total = 0;
    for (int kind = 0; kind < 3; kind++)
        for (size_t s = 0; s < 2; s++) {
            size_t n = sizes[s], bn = 0;
            if (kind == 0) fill_values(type, src, n, 3 + s, 1);
            if (kind == 1) tu_fill_random(src, n, 3 + s);
            if (kind == 2) memset(src, 0x41, n);
            uint8_t *blk = make_block(c, type, (uint32_t)s % 2, src, n, &bn);
            char what[120];
            snprintf(what, sizeof what, "%s %s tables, checksum %d, %zu bytes, data %d",
                     emz_type_name(type), t ? "with" : "without", checksum, n, kind);
            for (size_t bit = 0; bit < 8 * bn; bit++) {
                blk[bit / 8] ^= (uint8_t)(1u << bit % 8);
                emz_status st = decode_damaged(c, blk, bn, out, n, what, bit);
                total++, accepted += st == EMZ_OK;
                /* The check covers the header and the original bytes (docs/FORMAT.md,
                 * "Block"): even a flip of the type whose payload reads the same for the other
                 * type (WHOLE RAW bytes as BYTES or E4M3, say) is refused. */
                if (checksum)
                    cr_assert(st != EMZ_OK, "%s: bit %zu of %zu bytes flipped: accepted", what, bit,
                              bn);
                blk[bit / 8] ^= (uint8_t)(1u << bit % 8);
            }
            for (size_t len = 0; len < bn; len++) {
                uint8_t *cut = tu_xmalloc(len);
                memcpy(cut, blk, len);
                emz_status st = decode_damaged(c, cut, len, out, n, what, len);
                if (checksum)
                    cr_assert(st != EMZ_OK, "%s: cut to %zu of %zu bytes: accepted", what, len, bn);
                free(cut);
            }
            free(blk);
        }
    if (!checksum)
        cr_log_info("%s %s tables: %lu of %lu bit flips accepted without a checksum",
                    emz_type_name(type), t ? "with" : "without", accepted, total);
    emz_block_ctx_free(c);
    emz_tables_free(t);
}

#define DAMAGE_TESTS(name, type)                                                                   \
    Test(blocks, damage_checksum_##name, .timeout = 600) {                                         \
        damage(type, 1, 1);                                                                        \
        damage(type, 0, 1);                                                                        \
    }                                                                                              \
    Test(blocks, damage_no_checksum_##name, .timeout = 600) {                                      \
        damage(type, 1, 0);                                                                        \
        damage(type, 0, 0);                                                                        \
    }
EACH_TYPE(DAMAGE_TESTS)

/* A block header forged field by field: info and decompress both refuse it. */
Test(blocks, forged_headers) {
    static const struct {
        uint8_t bytes[12];
        size_t n;
        emz_status want;
    } cases[] = {
        {{0}, 0, EMZ_ERROR_TRUNCATED},
        {{0xEB}, 1, EMZ_ERROR_TRUNCATED},
        {{0xEA, 0x01, 0x05}, 3, EMZ_ERROR_NOT_EMZIP},
        {{0x89, 'E', 'M', 'Z'}, 4, EMZ_ERROR_NOT_EMZIP},
        {{0xEB, 0x61, 0x05}, 3, EMZ_ERROR_UNSUPPORTED_VERSION}, /* version 4 */
        {{0xEB, 0x21, 0x05}, 3, EMZ_ERROR_CORRUPT}, /* version 2 (a channel shift) untagged */
        {{0xEB, 0x41, 0x05}, 3, EMZ_ERROR_CORRUPT}, /* version 3 (clusters) untagged */
        {{0xEB, 0xE1, 0x05}, 3, EMZ_ERROR_UNSUPPORTED_VERSION},
        {{0xEB, 0x07, 0x05}, 3, EMZ_ERROR_CORRUPT},                   /* type 7 */
        {{0xEB, 0x01, 0x00}, 3, EMZ_ERROR_CORRUPT},                   /* size 0 */
        {{0xEB, 0x01, 0x85, 0x00}, 4, EMZ_ERROR_CORRUPT},             /* not minimal */
        {{0xEB, 0x01, 0x81, 0x80, 0x80, 0x08}, 6, EMZ_ERROR_CORRUPT}, /* 2^24 + 1 */
        {{0xEB, 0x01, 0x80, 0x80, 0x80, 0x10}, 6, EMZ_ERROR_CORRUPT}, /* 2^25 */
        {{0xEB, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F}, 7, EMZ_ERROR_CORRUPT},
        {{0xEB, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, 7, EMZ_ERROR_CORRUPT},
        {{0xEB, 0x01, 0x80, 0x80}, 4, EMZ_ERROR_TRUNCATED}, /* cut in the size */
        {{0xEB, 0x01}, 2, EMZ_ERROR_TRUNCATED},
        {{0xEB, 0x11, 1, 2, 3}, 5, EMZ_ERROR_TRUNCATED},    /* cut in the tag */
        {{0xEB, 0x11, 1, 2, 3, 4}, 6, EMZ_ERROR_TRUNCATED}, /* no size after it */
    };
    emz_block_ctx *c = ctx_new(NULL, 0);
    uint8_t out[64];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        emz_block_info info;
        uint8_t *b = tu_xmalloc(cases[i].n); /* exactly: a read past it is an error */
        memcpy(b, cases[i].bytes, cases[i].n);
        emz_status st = emz_block_info_get(b, cases[i].n, &info);
        cr_assert(st == cases[i].want, "case %zu: info %s, want %s", i, emz_error_name(st),
                  emz_error_name(cases[i].want));
        size_t got = 0;
        st = emz_block_decompress(c, b, cases[i].n, out, sizeof out, &got);
        cr_assert(st == cases[i].want, "case %zu: decompress %s", i, emz_error_name(st));
        cr_assert(emz_block_ctx_error_detail(c)[0] != 0, "case %zu: no detail", i);
        free(b);
    }
    /* headers that are fine, but no payload or one beyond the expansion bound */
    uint8_t blk[64] = {0xEB, 0x00, 0x05};
    size_t got = 0;
    cr_assert(emz_block_decompress(c, blk, 3, out, sizeof out, &got) == EMZ_ERROR_TRUNCATED);
    cr_assert(emz_block_decompress(c, blk, 3 + 11, out, sizeof out, &got) == EMZ_ERROR_CORRUPT);
    blk[1] = 0x08; /* with a checksum: its 4 bytes and at least one of payload */
    cr_assert(emz_block_decompress(c, blk, 7, out, sizeof out, &got) == EMZ_ERROR_TRUNCATED);
    cr_assert(emz_block_decompress(c, blk, 3 + 10 + 4 + 1, out, sizeof out, &got) ==
              EMZ_ERROR_CORRUPT);
    /* the same header with a valid RAW payload: accepted, then each field damaged */
    uint8_t src[5] = {1, 2, 3, 4, 5};
    size_t bn = 0;
    uint8_t *good = make_block(c, EMZ_TYPE_BYTES, 0, src, 5, &bn);
    cr_assert(emz_block_decompress(c, good, bn, out, 5, &got) == EMZ_OK && got == 5);
    cr_assert(emz_block_decompress(c, good, bn, out, 4, &got) == EMZ_ERROR_DST_TOO_SMALL);
    cr_assert(emz_block_decompress(c, good, bn, NULL, 0, &got) == EMZ_ERROR_DST_TOO_SMALL);
    cr_assert(emz_block_decompress(c, good, bn, NULL, 5, &got) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_block_decompress(c, NULL, bn, out, 5, &got) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_block_decompress(c, good, bn, out, 5, NULL) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_block_decompress(NULL, good, bn, out, 5, &got) == EMZ_ERROR_INVALID_ARGUMENT);
    emz_block_info info;
    cr_assert(emz_block_info_get(NULL, bn, &info) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_block_info_get(good, bn, NULL) == EMZ_ERROR_INVALID_ARGUMENT);
    free(good);
    emz_block_ctx_free(c);
}

/* A stored checksum that does not match: refused, unless verification is off. */
Test(blocks, verify_checksum_param) {
    emz_block_ctx *c = ctx_new(NULL, 1);
    uint8_t src[1000], out[1000];
    fill_values(EMZ_TYPE_FP32, src, sizeof src, 1, 1);
    size_t bn = 0, got = 0;
    uint8_t *b = make_block(c, EMZ_TYPE_FP32, 0, src, sizeof src, &bn);
    b[bn - 1] ^= 0x40;
    cr_assert(emz_block_decompress(c, b, bn, out, sizeof out, &got) == EMZ_ERROR_CHECKSUM);
    cr_assert(strstr(emz_block_ctx_error_detail(c), "checksum") != NULL);
    cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_VERIFY_CHECKSUM, 0) == EMZ_OK);
    cr_assert(emz_block_decompress(c, b, bn, out, sizeof out, &got) == EMZ_OK &&
              memcmp(out, src, sizeof src) == 0);
    cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_VERIFY_CHECKSUM, 1) == EMZ_OK);
    cr_assert(emz_block_decompress(c, b, bn, out, sizeof out, &got) == EMZ_ERROR_CHECKSUM);
    free(b);
    emz_block_ctx_free(c);
}

Test(blocks, params) {
    emz_block_ctx *c = ctx_new(NULL, 0);
    static const struct {
        emz_param p;
        int64_t v;
        emz_status want;
    } cases[] = {
        {EMZ_PARAM_BLOCK_CHECKSUM, 0, EMZ_OK},
        {EMZ_PARAM_BLOCK_CHECKSUM, 1, EMZ_OK},
        {EMZ_PARAM_BLOCK_CHECKSUM, 2, EMZ_ERROR_INVALID_ARGUMENT},
        {EMZ_PARAM_BLOCK_CHECKSUM, -1, EMZ_ERROR_INVALID_ARGUMENT},
        {EMZ_PARAM_VERIFY_CHECKSUM, 0, EMZ_OK},
        {EMZ_PARAM_VERIFY_CHECKSUM, 1, EMZ_OK},
        {EMZ_PARAM_VERIFY_CHECKSUM, 5, EMZ_ERROR_INVALID_ARGUMENT},
        {EMZ_PARAM_BLOCK_SIZE, 4096, EMZ_OK},
        {EMZ_PARAM_BLOCK_SIZE, 65536 + 3, EMZ_OK},
        {EMZ_PARAM_BLOCK_SIZE, 4095, EMZ_ERROR_INVALID_ARGUMENT},
        {EMZ_PARAM_BLOCK_SIZE, 0, EMZ_ERROR_INVALID_ARGUMENT},
        {EMZ_PARAM_BLOCK_SIZE, (1 << 24) + 1, EMZ_ERROR_INVALID_ARGUMENT},
        {EMZ_PARAM_THREADS, 1, EMZ_OK},
        {EMZ_PARAM_THREADS, 3, EMZ_OK},
        {EMZ_PARAM_THREADS, 0, EMZ_OK},
        {EMZ_PARAM_THREADS, 257, EMZ_ERROR_INVALID_ARGUMENT},
        {EMZ_PARAM_THREADS, -1, EMZ_ERROR_INVALID_ARGUMENT},
        {EMZ_PARAM_CHUNK_SIZE, 65536, EMZ_ERROR_INVALID_ARGUMENT},
        {EMZ_PARAM_MEMORY_LIMIT, 0, EMZ_ERROR_INVALID_ARGUMENT},
        {EMZ_PARAM_MAX_OUTPUT, 0, EMZ_ERROR_INVALID_ARGUMENT},
        {(emz_param)99, 0, EMZ_ERROR_INVALID_ARGUMENT},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        cr_assert(emz_block_ctx_set_param(c, cases[i].p, cases[i].v) == cases[i].want, "case %zu",
                  i);
    cr_assert(emz_block_ctx_set_param(NULL, EMZ_PARAM_THREADS, 1) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(strcmp(emz_block_ctx_error_detail(NULL), "") == 0);
    /* the block parameters belong to block contexts only */
    emz_cctx *cc = emz_cctx_create();
    cr_assert(emz_cctx_set_param(cc, EMZ_PARAM_BLOCK_CHECKSUM, 1) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_cctx_set_param(cc, EMZ_PARAM_BLOCK_SIZE, 4096) == EMZ_ERROR_INVALID_ARGUMENT);
    emz_cctx_free(cc);
    emz_block_ctx_free(c);
    emz_block_ctx_free(NULL);
    cr_assert(strcmp(emz_error_name(EMZ_ERROR_WRONG_TABLES), "wrong_tables") == 0);
}

/* Capacities: the bound always suffices (incompressible data, tables, checksum: the largest
 * header); one byte less than a block needs is refused, writing nothing past dst. */
Test(blocks, capacities) {
    cr_assert(emz_block_bound(0) == 19 && emz_block_bound(1) == 20);
    cr_assert(emz_block_bound((size_t)16 << 20) == ((size_t)16 << 20) + 19);
    cr_assert(emz_block_bound(((size_t)16 << 20) + 1) == 0);
    cr_assert(emz_block_bound(SIZE_MAX) == 0);
    static const size_t sizes[] = {
        1, 2, 3, 100, 127, 128, 200, 4096, 16383, 16384, 20000, 65539, (size_t)1 << 21};
    uint8_t *src = tu_xmalloc(((size_t)1 << 21) + 1), *dst = guarded(((size_t)1 << 21) + 19);
    uint8_t *out = guarded((size_t)1 << 21);
    for (int k = 0; k < EMZ_TYPE_COUNT; k++) {
        emz_type type = all_types[k];
        emz_tables *t = train(type, 1, 4);
        emz_block_ctx *c = ctx_new(t, 1), *plain = ctx_new(NULL, 0);
        for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
            size_t n = sizes[s], w = 0, got = 0;
            tu_fill_random(src, n, n);
            memset(dst, GUARD_BYTE, n + 19 + GUARD);
            emz_status st = emz_block_compress(c, type, 0, src, n, dst, emz_block_bound(n), &w);
            cr_assert(st == EMZ_OK, "%s %zu: %s", emz_type_name(type), n, emz_error_name(st));
            cr_assert(w <= n + 19, "%s %zu random bytes: a block of %zu", emz_type_name(type), n,
                      w);
            guard_intact(dst, n + 19, "compress at the bound");
            /* a capacity one byte short of the block */
            memset(dst, GUARD_BYTE, n + 19 + GUARD);
            st = emz_block_compress(c, type, 0, src, n, dst, w - 1, &got);
            cr_assert(st == EMZ_ERROR_DST_TOO_SMALL, "%s %zu: %s", emz_type_name(type), n,
                      emz_error_name(st));
            guard_intact(dst, w - 1, "compress into too little");
            cr_assert(strstr(emz_block_ctx_error_detail(c), "dst") != NULL);
            cr_assert(emz_block_compress(c, type, 0, src, n, NULL, 0, &got) ==
                      EMZ_ERROR_DST_TOO_SMALL);
            cr_assert(emz_block_compress(c, type, 0, src, n, dst, w, &got) == EMZ_OK && got == w);
            st = emz_block_decompress(c, dst, w, out, n - 1, &got);
            cr_assert(st == EMZ_ERROR_DST_TOO_SMALL, "decompress %zu into %zu: %s", n, n - 1,
                      emz_error_name(st));
            guard_intact(out, n - 1, "decompress into too little");
            /* and the smallest block: no tables, no checksum */
            cr_assert(emz_block_compress(plain, type, 0, src, n, dst, emz_block_bound(n), &w) ==
                      EMZ_OK);
            cr_assert(w <= n + 5 +
                               (n < 128                 ? 3
                                : n < 16384             ? 4
                                : n < ((size_t)1 << 21) ? 5
                                                        : 6),
                      "%zu bytes: %zu", n, w);
        }
        uint8_t one = 0;
        size_t w = 0;
        cr_assert(emz_block_compress(c, type, 0, src, 0, dst, 100, &w) ==
                  EMZ_ERROR_INVALID_ARGUMENT);
        cr_assert(emz_block_compress(c, type, 0, NULL, 1, dst, 100, &w) ==
                  EMZ_ERROR_INVALID_ARGUMENT);
        cr_assert(emz_block_compress(c, type, 0, &one, 1, dst, 100, NULL) ==
                  EMZ_ERROR_INVALID_ARGUMENT);
        cr_assert(emz_block_compress(NULL, type, 0, &one, 1, dst, 100, &w) ==
                  EMZ_ERROR_INVALID_ARGUMENT);
        cr_assert(emz_block_compress(c, type, 0, &one, 1, NULL, 100, &w) ==
                  EMZ_ERROR_INVALID_ARGUMENT);
        emz_block_ctx_free(c), emz_block_ctx_free(plain);
        emz_tables_free(t);
    }
    free(src), free(dst), free(out);
    /* above 16 MiB: refused before anything is read */
    size_t big = ((size_t)16 << 20) + 1, w = 0;
    uint8_t *b = tu_xmalloc(big), small[64];
    memset(b, 0, big);
    emz_block_ctx *c = ctx_new(NULL, 0);
    cr_assert(emz_block_compress(c, EMZ_TYPE_BYTES, 0, b, big, small, sizeof small, &w) ==
              EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(strstr(emz_block_ctx_error_detail(c), "16777217") != NULL,
              "the detail '%s' names the size", emz_block_ctx_error_detail(c));
    emz_block_ctx_free(c);
    free(b);
}

/* ---- batches ---- */

enum { JOBS = 48 };

/* Sources of the jobs of a batch and their blocks from single calls (THREADS 1). */
typedef struct batch_data {
    emz_type type;
    emz_tables *t;
    uint8_t *src[JOBS], *block[JOBS];
    size_t size[JOBS], bsize[JOBS];
    uint32_t group[JOBS];
} batch_data;

static void batch_setup(batch_data *b, emz_type type, int with_tables) {
    static const size_t sizes[] = {1, 100, 4096, 5000, 32 * KIB, 64 * KIB + 3, 777, 2};
    b->type = type;
    b->t = with_tables ? train(type, 3, 8) : NULL;
    emz_block_ctx *c = ctx_new(b->t, 1);
    for (int i = 0; i < JOBS; i++) {
        b->size[i] = sizes[(i * 5) % 8];
        b->group[i] = (uint32_t)i % 3;
        b->src[i] = tu_xmalloc(b->size[i]);
        if (i % 7 == 3)
            tu_fill_random(b->src[i], b->size[i], (uint64_t)i);
        else
            fill_values(type, b->src[i], b->size[i], (uint64_t)i, b->group[i] ? 16 : 1);
        b->block[i] = make_block(c, type, b->group[i], b->src[i], b->size[i], &b->bsize[i]);
    }
    emz_block_ctx_free(c);
}

static void batch_free(batch_data *b) {
    for (int i = 0; i < JOBS; i++)
        free(b->src[i]), free(b->block[i]);
    emz_tables_free(b->t);
}

/* Compression jobs of b into fresh buffers (capacity: the bound, or room to code in place). */
static void compress_jobs(const batch_data *b, emz_block_job *jobs) {
    for (int i = 0; i < JOBS; i++) {
        size_t cap = b->size[i] + (i % 2 ? 19 : 300);
        jobs[i] = (emz_block_job){b->src[i],   b->size[i], guarded(cap),  cap,
                                  b->group[i], 12345,      (emz_status)99};
    }
}

static void decompress_jobs(const batch_data *b, emz_block_job *jobs) {
    for (int i = 0; i < JOBS; i++)
        jobs[i] = (emz_block_job){b->block[i], b->bsize[i], guarded(b->size[i]), b->size[i],
                                  0,           12345,       (emz_status)99};
}

static void jobs_free(emz_block_job *jobs, int compress) {
    for (int i = 0; i < JOBS; i++) {
        guard_intact(jobs[i].dst, jobs[i].dst_capacity, "a job's dst");
        free(jobs[i].dst);
        if (!compress) jobs[i].dst = NULL;
    }
}

/* A batch's jobs against the single calls' results. */
static void check_jobs(const batch_data *b, const emz_block_job *jobs, int compress,
                       const char *what) {
    for (int i = 0; i < JOBS; i++) {
        cr_assert(jobs[i].status == EMZ_OK, "%s: job %d: %s", what, i,
                  emz_error_name(jobs[i].status));
        const uint8_t *want = compress ? b->block[i] : b->src[i];
        size_t n = compress ? b->bsize[i] : b->size[i];
        cr_assert(jobs[i].written == n && memcmp(jobs[i].dst, want, n) == 0,
                  "%s: job %d differs from a single call", what, i);
    }
}

static void run_batches(emz_block_ctx *c, const batch_data *b, const char *what) {
    emz_block_job jobs[JOBS];
    compress_jobs(b, jobs);
    emz_status st = emz_block_compress_batch(c, b->type, jobs, JOBS);
    cr_assert(st == EMZ_OK, "%s: compress batch: %s (%s)", what, emz_error_name(st),
              emz_block_ctx_error_detail(c));
    check_jobs(b, jobs, 1, what);
    jobs_free(jobs, 1);
    decompress_jobs(b, jobs);
    st = emz_block_decompress_batch(c, jobs, JOBS);
    cr_assert(st == EMZ_OK, "%s: decompress batch: %s (%s)", what, emz_error_name(st),
              emz_block_ctx_error_detail(c));
    check_jobs(b, jobs, 0, what);
    jobs_free(jobs, 0);
}

Test(batches, same_as_single_calls, .timeout = 300) {
    for (int k = 0; k < EMZ_TYPE_COUNT; k++)
        for (int with_tables = 0; with_tables < 2; with_tables++) {
            batch_data b;
            batch_setup(&b, all_types[k], with_tables);
            static const int threads[] = {1, 2, 4};
            for (int i = 0; i < 3; i++) {
                emz_block_ctx *c = ctx_new(b.t, 1);
                cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_THREADS, threads[i]) == EMZ_OK);
                char what[80];
                snprintf(what, sizeof what, "%s %s tables, %d threads", emz_type_name(all_types[k]),
                         with_tables ? "with" : "without", threads[i]);
                run_batches(c, &b, what);
                emz_block_ctx_free(c);
            }
            batch_free(&b);
        }
}

/* Batches large enough that workers take several consecutive jobs at a time (emz_pool_grain):
 * 1,037 small blocks (a count no run length divides), one in 97 with a NULL src, on 2 and 3
 * threads. Every job has its own status, and the others the bytes of single calls. */
Test(batches, many_jobs_taken_in_runs, .timeout = 300) {
    cr_assert(emz_pool_grain(48, 2) == 1 && emz_pool_grain(1024, 2) == 8);
    cr_assert(emz_pool_grain(1037, 3) == 5 && emz_pool_grain(UINT64_C(1) << 40, 4) == 8);
    enum { N = 1037 };
    uint8_t *src = tu_xmalloc(N * 300), *out = tu_xmalloc(N * 400);
    size_t *size = tu_xmalloc(N * sizeof *size), *bsize = tu_xmalloc(N * sizeof *bsize);
    uint8_t **block = tu_xmalloc(N * sizeof *block);
    emz_block_job *jobs = tu_xmalloc(N * sizeof *jobs);
    emz_block_ctx *single = ctx_new(NULL, 1);
    for (size_t i = 0; i < N; i++) {
        size[i] = 2 + 2 * (i * 37 % 149);
        fill_values(EMZ_TYPE_BF16, src + i * 300, size[i], i, 1);
        block[i] = make_block(single, EMZ_TYPE_BF16, 0, src + i * 300, size[i], &bsize[i]);
    }
    for (unsigned threads = 2; threads <= 3; threads++) {
        emz_block_ctx *c = ctx_new(NULL, 1);
        cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_THREADS, threads) == EMZ_OK);
        for (int compress = 1; compress >= 0; compress--) {
            memset(out, 0xA5, N * 400);
            for (size_t i = 0; i < N; i++)
                jobs[i] = compress
                              ? (emz_block_job){src + i * 300, size[i],       out + i * 400, 400, 0,
                                                12345,         (emz_status)99}
                              : (emz_block_job){block[i], bsize[i], out + i * 400, 400,
                                                0,        12345,    (emz_status)99};
            for (size_t i = 50; i < N; i += 97)
                jobs[i].src = NULL;
            emz_status st = compress ? emz_block_compress_batch(c, EMZ_TYPE_BF16, jobs, N)
                                     : emz_block_decompress_batch(c, jobs, N);
            cr_assert(st == EMZ_ERROR_INVALID_ARGUMENT, "%u threads: %s", threads,
                      emz_error_name(st));
            for (size_t i = 0; i < N; i++) {
                const uint8_t *want = compress ? block[i] : src + i * 300;
                size_t n = compress ? bsize[i] : size[i];
                if (i % 97 == 50) {
                    cr_assert(jobs[i].status == EMZ_ERROR_INVALID_ARGUMENT && jobs[i].written == 0,
                              "%u threads: job %zu", threads, i);
                    continue;
                }
                cr_assert(jobs[i].status == EMZ_OK && jobs[i].written == n &&
                              memcmp(out + i * 400, want, n) == 0,
                          "%u threads, %s: job %zu differs from a single call", threads,
                          compress ? "compress" : "decompress", i);
            }
        }
        emz_block_ctx_free(c);
    }
    for (size_t i = 0; i < N; i++)
        free(block[i]);
    free(src), free(out), free(size), free(bsize), free(block), free(jobs);
    emz_block_ctx_free(single);
}

/* One context, many batches, its thread count changed between them (the pool replaced), its
 * scratch reserved in between. */
Test(batches, reused_context_changing_threads, .timeout = 300) {
    batch_data b;
    batch_setup(&b, EMZ_TYPE_BF16, 1);
    emz_block_ctx *c = ctx_new(b.t, 1);
    static const int threads[] = {1, 4, 2, 0, 3, 1, 4, 4, 2};
    for (int round = 0; round < 27; round++) {
        int n = threads[round % 9];
        if (round % 3 != 2) cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_THREADS, n) == EMZ_OK);
        if (round == 10)
            cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_BLOCK_SIZE, 128 * KIB) == EMZ_OK);
        char what[64];
        snprintf(what, sizeof what, "round %d, %d threads", round, n);
        run_batches(c, &b, what);
        /* single calls between batches use worker 0's scratch */
        uint8_t out[64 * KIB + 3];
        size_t got = 0;
        cr_assert(emz_block_decompress(c, b.block[5], b.bsize[5], out, sizeof out, &got) ==
                      EMZ_OK &&
                  got == b.size[5] && memcmp(out, b.src[5], got) == 0);
    }
    emz_block_ctx_free(c);
    batch_free(&b);
}

/* A context freed right after its batch (the pool's threads stopped and joined). */
Test(batches, free_right_after_batch, .timeout = 300) {
    batch_data b;
    batch_setup(&b, EMZ_TYPE_FP16, 1);
    for (int round = 0; round < 20; round++) {
        emz_block_ctx *c = ctx_new(b.t, 1);
        cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_THREADS, 2 + round % 3) == EMZ_OK);
        emz_block_job jobs[JOBS];
        if (round % 2) {
            compress_jobs(&b, jobs);
            cr_assert(emz_block_compress_batch(c, b.type, jobs, JOBS) == EMZ_OK);
        } else {
            decompress_jobs(&b, jobs);
            cr_assert(emz_block_decompress_batch(c, jobs, JOBS) == EMZ_OK);
        }
        emz_block_ctx_free(c);
        check_jobs(&b, jobs, round % 2, "freed right after");
        jobs_free(jobs, round % 2);
    }
    /* and one freed with its pool never used */
    for (int round = 0; round < 5; round++) {
        emz_block_ctx *c = ctx_new(b.t, 0);
        cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_THREADS, 4) == EMZ_OK);
        emz_block_ctx_free(c);
    }
    batch_free(&b);
}

static void expect_detail(emz_block_ctx *c, int job, const char *also) {
    char prefix[32];
    snprintf(prefix, sizeof prefix, "block %d: ", job);
    const char *d = emz_block_ctx_error_detail(c);
    cr_assert(strncmp(d, prefix, strlen(prefix)) == 0, "detail '%s' should start with '%s'", d,
              prefix);
    cr_assert(strstr(d + strlen(prefix), also) != NULL, "detail '%s' should say '%s'", d, also);
}

/* Failing jobs: every job runs and gets its status; the call returns the lowest failure's
 * status and names that job, whatever the thread count. */
Test(batches, failing_jobs, .timeout = 300) {
    batch_data b;
    batch_setup(&b, EMZ_TYPE_FP8_E4M3, 1);
    static const int threads[] = {1, 2, 4};
    for (int ti = 0; ti < 3; ti++) {
        emz_block_ctx *c = ctx_new(b.t, 1);
        cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_THREADS, threads[ti]) == EMZ_OK);
        emz_block_job jobs[JOBS];
        compress_jobs(&b, jobs);
        jobs[9].group = 3;                          /* no such group */
        jobs[12].src = NULL;                        /* no source */
        jobs[20].src_size = 0;                      /* an empty block */
        jobs[5].dst_capacity = 1;                   /* too small */
        jobs[30].src_size = ((size_t)16 << 20) + 1; /* too large: refused before reading */
        emz_status st = emz_block_compress_batch(c, b.type, jobs, JOBS);
        cr_assert(st == EMZ_ERROR_DST_TOO_SMALL, "%s", emz_error_name(st));
        expect_detail(c, 5, "dst");
        for (int i = 0; i < JOBS; i++) {
            emz_status want = i == 5                         ? EMZ_ERROR_DST_TOO_SMALL
                              : i == 9 || i == 12 || i == 20 ? EMZ_ERROR_INVALID_ARGUMENT
                              : i == 30                      ? EMZ_ERROR_INVALID_ARGUMENT
                                                             : EMZ_OK;
            cr_assert(jobs[i].status == want, "job %d: %s", i, emz_error_name(jobs[i].status));
            if (want == EMZ_OK)
                cr_assert(jobs[i].written == b.bsize[i] &&
                          memcmp(jobs[i].dst, b.block[i], b.bsize[i]) == 0);
            else
                cr_assert(jobs[i].written == 0, "job %d: written %zu", i, jobs[i].written);
        }
        jobs[5].dst_capacity = b.size[5] + 19;
        cr_assert(emz_block_compress_batch(c, b.type, jobs, JOBS) == EMZ_ERROR_INVALID_ARGUMENT);
        expect_detail(c, 9, "group");
        jobs[9].group = 0;
        cr_assert(emz_block_compress_batch(c, b.type, jobs, JOBS) == EMZ_ERROR_INVALID_ARGUMENT);
        expect_detail(c, 12, "NULL");
        jobs[12].src = b.src[12];
        cr_assert(emz_block_compress_batch(c, b.type, jobs, JOBS) == EMZ_ERROR_INVALID_ARGUMENT);
        expect_detail(c, 20, " 0");
        jobs[20].src_size = b.size[20];
        cr_assert(emz_block_compress_batch(c, b.type, jobs, JOBS) == EMZ_ERROR_INVALID_ARGUMENT);
        expect_detail(c, 30, "16777217");
        jobs[30].src_size = b.size[30];
        cr_assert(emz_block_compress_batch(c, EMZ_TYPE_BF16, jobs, JOBS) == EMZ_ERROR_WRONG_TABLES);
        expect_detail(c, 0, "bf16");
        cr_assert(emz_block_compress_batch(c, b.type, jobs, JOBS) == EMZ_OK);
        cr_assert(emz_block_ctx_error_detail(c)[0] == 0);
        jobs_free(jobs, 1);

        /* decompression */
        emz_block_ctx *other = ctx_new(NULL, 1);
        size_t on = 0;
        uint8_t *foreign = make_block(other, b.type, 0, b.src[15], b.size[15], &on);
        emz_block_ctx_free(other);
        decompress_jobs(&b, jobs);
        uint8_t *bad = tu_xmalloc(b.bsize[3]);
        memcpy(bad, b.block[3], b.bsize[3]);
        bad[b.bsize[3] - 2] ^= 1; /* the checksum */
        jobs[3].src = bad;
        jobs[7].dst_capacity = b.size[7] - 1;
        jobs[10].src_size = b.bsize[10] - 1;
        jobs[15].src = foreign, jobs[15].src_size = on; /* untagged: fine */
        emz_tables *t2 = train(b.type, 3, 9);
        emz_block_ctx *c2 = ctx_new(t2, 1);
        size_t wn = 0;
        uint8_t *wrong = make_block(c2, b.type, 1, b.src[16], b.size[16], &wn);
        jobs[16].src = wrong, jobs[16].src_size = wn;
        uint8_t *dst17 = jobs[17].dst;
        jobs[17].dst = NULL; /* with a capacity */
        st = emz_block_decompress_batch(c, jobs, JOBS);
        cr_assert(st == EMZ_ERROR_CHECKSUM, "%s", emz_error_name(st));
        expect_detail(c, 3, "checksum");
        for (int i = 0; i < JOBS; i++) {
            emz_status want = i == 3    ? EMZ_ERROR_CHECKSUM
                              : i == 7  ? EMZ_ERROR_DST_TOO_SMALL
                              : i == 10 ? EMZ_ERROR_TRUNCATED
                              : i == 16 ? EMZ_ERROR_WRONG_TABLES
                              : i == 17 ? EMZ_ERROR_INVALID_ARGUMENT
                                        : EMZ_OK;
            if (i == 10 && jobs[i].status == EMZ_ERROR_CORRUPT) want = EMZ_ERROR_CORRUPT;
            cr_assert(jobs[i].status == want, "job %d: %s", i, emz_error_name(jobs[i].status));
            if (want == EMZ_OK)
                cr_assert(jobs[i].written == b.size[i] &&
                          memcmp(jobs[i].dst, b.src[i], b.size[i]) == 0);
        }
        jobs[3].src = b.block[3];
        cr_assert(emz_block_decompress_batch(c, jobs, JOBS) == EMZ_ERROR_DST_TOO_SMALL);
        expect_detail(c, 7, "dst");
        jobs[7].dst_capacity = b.size[7];
        jobs[10].src_size = b.bsize[10];
        cr_assert(emz_block_decompress_batch(c, jobs, JOBS) == EMZ_ERROR_WRONG_TABLES);
        expect_detail(c, 16, "do not hold");
        jobs[16].src = b.block[16], jobs[16].src_size = b.bsize[16];
        cr_assert(emz_block_decompress_batch(c, jobs, JOBS) == EMZ_ERROR_INVALID_ARGUMENT);
        expect_detail(c, 17, "NULL");
        jobs[17].dst = dst17;
        cr_assert(emz_block_decompress_batch(c, jobs, JOBS) == EMZ_OK);
        jobs_free(jobs, 0);
        free(bad), free(foreign), free(wrong);
        emz_block_ctx_free(c2);
        emz_tables_free(t2);
        emz_block_ctx_free(c);
    }
    batch_free(&b);
}

Test(batches, empty_and_null) {
    emz_block_ctx *c = ctx_new(NULL, 0);
    emz_block_job job;
    cr_assert(emz_block_compress_batch(c, EMZ_TYPE_BF16, NULL, 0) == EMZ_OK);
    cr_assert(emz_block_decompress_batch(c, NULL, 0) == EMZ_OK);
    cr_assert(emz_block_compress_batch(c, EMZ_TYPE_BF16, &job, 0) == EMZ_OK);
    cr_assert(emz_block_compress_batch(c, EMZ_TYPE_BF16, NULL, 1) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_block_decompress_batch(c, NULL, 2) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_block_compress_batch(NULL, EMZ_TYPE_BF16, &job, 1) == EMZ_ERROR_INVALID_ARGUMENT);
    cr_assert(emz_block_decompress_batch(NULL, &job, 1) == EMZ_ERROR_INVALID_ARGUMENT);
    /* a batch of one on a context with threads */
    cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_THREADS, 3) == EMZ_OK);
    uint8_t src[300], dst[319], out[300];
    fill_values(EMZ_TYPE_BF16, src, sizeof src, 1, 1);
    job = (emz_block_job){src, sizeof src, dst, sizeof dst, 0, 0, EMZ_OK};
    cr_assert(emz_block_compress_batch(c, EMZ_TYPE_BF16, &job, 1) == EMZ_OK);
    job = (emz_block_job){dst, job.written, out, sizeof out, 0, 0, EMZ_OK};
    cr_assert(emz_block_decompress_batch(c, &job, 1) == EMZ_OK && job.written == sizeof src &&
              memcmp(out, src, sizeof src) == 0);
    emz_block_ctx_free(c);
}

/* Tables are shared by contexts of several threads at once, each with its own pool. */
typedef struct shared_run {
    const batch_data *b;
    int id, failures;
} shared_run;

static void *shared_worker(void *arg) {
    shared_run *r = arg;
    const batch_data *b = r->b;
    emz_block_ctx *c = emz_block_ctx_create(b->t);
    if (!c || emz_block_ctx_set_param(c, EMZ_PARAM_BLOCK_CHECKSUM, 1) != EMZ_OK ||
        emz_block_ctx_set_param(c, EMZ_PARAM_THREADS, 1 + r->id % 3) != EMZ_OK) {
        r->failures++;
        emz_block_ctx_free(c);
        return NULL;
    }
    size_t cap = 64 * KIB + 3 + 19;
    uint8_t *dst = malloc(cap), *out = malloc(cap);
    emz_block_job jobs[JOBS];
    for (int round = 0; round < 6 && dst && out; round++) {
        for (int i = 0; i < JOBS; i++) {
            size_t w = 0;
            int j = (i + r->id * 7 + round) % JOBS;
            if (emz_block_compress(c, b->type, b->group[j], b->src[j], b->size[j], dst, cap, &w) !=
                    EMZ_OK ||
                w != b->bsize[j] || memcmp(dst, b->block[j], w) != 0)
                r->failures++;
            if (emz_block_decompress(c, b->block[j], b->bsize[j], out, cap, &w) != EMZ_OK ||
                w != b->size[j] || memcmp(out, b->src[j], w) != 0)
                r->failures++;
        }
        for (int i = 0; i < JOBS; i++)
            jobs[i] = (emz_block_job){b->block[i], b->bsize[i], malloc(b->size[i]), b->size[i], 0,
                                      0,           EMZ_OK};
        if (emz_block_decompress_batch(c, jobs, JOBS) != EMZ_OK) r->failures++;
        for (int i = 0; i < JOBS; i++) {
            if (!jobs[i].dst || jobs[i].written != b->size[i] ||
                memcmp(jobs[i].dst, b->src[i], b->size[i]) != 0)
                r->failures++;
            free(jobs[i].dst);
        }
    }
    free(dst), free(out);
    emz_block_ctx_free(c);
    return NULL;
}

Test(batches, tables_shared_by_threads, .timeout = 300) {
    batch_data b;
    batch_setup(&b, EMZ_TYPE_BF16, 1);
    enum { T = 4 };
    pthread_t th[T];
    shared_run runs[T];
    for (int i = 0; i < T; i++) {
        runs[i] = (shared_run){&b, i, 0};
        cr_assert(pthread_create(&th[i], NULL, shared_worker, &runs[i]) == 0);
    }
    int failures = 0;
    for (int i = 0; i < T; i++) {
        pthread_join(th[i], NULL);
        failures += runs[i].failures;
    }
    cr_assert(failures == 0, "%d failures", failures);
    batch_free(&b);
}

/* EMZIP_IMPL naming an implementation that cannot run here: a block context is still made, and
 * every call fails with EMZ_ERROR_IMPL_UNAVAILABLE, as frame calls do, until EMZ_PARAM_IMPL
 * names one that runs. (Criterion runs each test in a process of its own: the process default
 * is read here first.) */
Test(blocks, impl_env_unavailable) {
    cr_assert(setenv("EMZIP_IMPL", "no-such-impl", 1) == 0);
    uint8_t src[100], dst[119], out[100];
    size_t n = 0;
    fill_values(EMZ_TYPE_BF16, src, sizeof src, 1, 1);
    cr_assert(emz_compress(NULL, dst, sizeof dst, src, 10, EMZ_TYPE_BYTES, &n) ==
              EMZ_ERROR_IMPL_UNAVAILABLE);
    emz_block_ctx *c = emz_block_ctx_create(NULL);
    cr_assert(c != NULL);
    cr_assert(emz_block_compress(c, EMZ_TYPE_BF16, 0, src, sizeof src, dst, sizeof dst, &n) ==
              EMZ_ERROR_IMPL_UNAVAILABLE);
    cr_assert(strstr(emz_block_ctx_error_detail(c), "no-such-impl") != NULL);
    emz_block_job job = {src, sizeof src, dst, sizeof dst, 0, 0, EMZ_OK};
    cr_assert(emz_block_compress_batch(c, EMZ_TYPE_BF16, &job, 1) == EMZ_ERROR_IMPL_UNAVAILABLE);
    cr_assert(job.status == EMZ_ERROR_IMPL_UNAVAILABLE);
    emz_tables_sample s = {src, sizeof src, 0};
    emz_tables_options o = {EMZ_TYPE_BF16, 1, 0, 0, 0};
    emz_tables *t = NULL;
    cr_assert(emz_tables_train(&o, &s, 1, &t, NULL, 0) == EMZ_ERROR_IMPL_UNAVAILABLE);
    cr_assert(emz_block_ctx_set_param(c, EMZ_PARAM_IMPL, EMZ_IMPL_SCALAR) == EMZ_OK);
    cr_assert(emz_block_compress(c, EMZ_TYPE_BF16, 0, src, sizeof src, dst, sizeof dst, &n) ==
              EMZ_OK);
    emz_block_ctx *d = emz_block_ctx_create(NULL);
    size_t got = 0;
    cr_assert(emz_block_decompress(d, dst, n, out, sizeof out, &got) == EMZ_ERROR_IMPL_UNAVAILABLE);
    cr_assert(emz_block_ctx_set_param(d, EMZ_PARAM_IMPL, EMZ_IMPL_AUTO) ==
              EMZ_ERROR_IMPL_UNAVAILABLE);
    cr_assert(emz_block_ctx_set_param(d, EMZ_PARAM_IMPL, EMZ_IMPL_SCALAR) == EMZ_OK);
    cr_assert(emz_block_decompress(d, dst, n, out, sizeof out, &got) == EMZ_OK &&
              memcmp(out, src, sizeof src) == 0);
    emz_block_ctx_free(c), emz_block_ctx_free(d);
}
